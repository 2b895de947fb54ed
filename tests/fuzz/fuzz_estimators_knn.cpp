// SPDX-License-Identifier: BSD-3-Clause
// fuzz_estimators' k-nearest-neighbour cases (see fuzz_estimators.hpp).
#include <cstddef>

#include "fuzz_estimators.hpp"
#include "mi/plane.hpp"

namespace mi_fuzz {
namespace {

template <template <class> class Search, class T>
void knn(int which, std::size_t k, bool jitter, bool alg2, const mi::activation_view<const T>& layer,
         const mi::samples& s) {
    const mi::tie_policy ties = jitter ? mi::tie_policy() : mi::tie_policy::none();
    if (which == 0) {
        mi::kl_entropy_options o;
        o.k = k;
        o.ties = ties;
        run(mi::kl_entropy<Search<mi::euclidean>>(o), layer, s);
    } else {
        mi::ksg_options o;
        o.k = k;
        o.algorithm = alg2 ? 2 : 1;
        o.ties = ties;
        // the layer itself as the network input X: any finite rows will do
        run(mi::ksg<Search<mi::max_norm>>(o), layer, s.with_network_input(layer));
    }
}

}  // namespace

template <class T>
void knn_case(unsigned which, std::size_t k, bool jitter, bool alg2, const mi::activation_view<const T>& layer,
              const mi::samples& s) {
    const int estimator = which / 4 == 0 ? 0 : 1;
    switch (which % 4) {
        case 0: return knn<mi::automatic>(estimator, k, jitter, alg2, layer, s);
        case 1: return knn<mi::kd_tree>(estimator, k, jitter, alg2, layer, s);
        case 2: return knn<mi::grid>(estimator, k, jitter, alg2, layer, s);
        default: return knn<mi::brute_force>(estimator, k, jitter, alg2, layer, s);
    }
}

template void knn_case<float>(unsigned, std::size_t, bool, bool, const mi::activation_view<const float>&,
                              const mi::samples&);
template void knn_case<double>(unsigned, std::size_t, bool, bool, const mi::activation_view<const double>&,
                               const mi::samples&);

}  // namespace mi_fuzz
