// SPDX-License-Identifier: BSD-3-Clause
// fuzz_estimators' cases for the families of issue 17 and their policies: sliced MI with each
// per-slice estimator, compression before estimation (random projection, PCA), the weighted
// Kozachenko-Leonenko estimator and exact counting (see fuzz_estimators.hpp).
#include <cstddef>
#include <cstdint>

#include "fuzz_estimators.hpp"
#include "mi/plane.hpp"

namespace mi_fuzz {

template <class T>
void family_case(unsigned which, std::uint8_t flags, std::uint8_t q, double scale,
                 const mi::activation_view<const T>& layer, const mi::samples& s) {
    const bool f1 = flags & 2, f2 = flags & 4;
    const mi::samples with_x = s.with_network_input(layer);  // the layer itself as X: any finite rows will do
    mi::sliced_options so;
    so.slices = 1 + q % 6;
    so.k = 1 + (flags >> 3) % 3;  // k-sliced: a k above the layer's or X's columns must be refused
    so.seed = q;
    mi::compressed_options co;
    co.noise = f2 ? scale : 1e-3;
    co.relative_noise = f1;
    co.compress_input = !(flags & 0x40);
    co.seed = q;
    const std::size_t dimension = 1 + (flags >> 3) % 4;
    switch (which) {
        case 0: return run(mi::sliced<mi::ksg<>>(so), layer, with_x);
        case 1: return run(mi::sliced<mi::gaussian_slice>(so), layer, with_x);
        case 2: return run(mi::sliced<mi::kde_slice<>>(so, mi::kde_slice<>(scale)), layer, with_x);
        case 3: return run(mi::sliced<mi::binning_slice<>>(so, mi::binning_slice<>(1 + q % 40)), layer, with_x);
        case 4:
            return run(mi::compressed<mi::random_projection, mi::ksg<>>(mi::random_projection(dimension, q), mi::ksg<>(),
                                                                         co),
                       layer, with_x);
        case 5: {
            mi::weighted_kl_options o;
            o.k = 1 + q % 6;
            o.whiten = f1;
            if (f2) o.ties = mi::tie_policy::none();
            return run(mi::weighted_kl<>(o), layer, with_x);
        }
        case 6:
        case 7: {
            mi::exact_counting_options o;
            o.repeats = which == 6 ? mi::repeated_inputs::must_agree : mi::repeated_inputs::counted;
            o.max_levels = f1 ? q % 9 : 0;
            return run(mi::exact_counting(o), layer, s);
        }
#if __has_include(<xtensor-blas/xlinalg.hpp>)
        case 8: {
            const auto solver = f1 ? mi::pca_solver::subspace : mi::pca_solver::automatic;
            return run(mi::compressed<mi::pca, mi::weighted_kl<>>(mi::pca(dimension, solver), mi::weighted_kl<>(), co),
                       layer, with_x);
        }
#endif
        default: return;
    }
}

template void family_case<float>(unsigned, std::uint8_t, std::uint8_t, double, const mi::activation_view<const float>&,
                                 const mi::samples&);
template void family_case<double>(unsigned, std::uint8_t, std::uint8_t, double,
                                  const mi::activation_view<const double>&, const mi::samples&);

}  // namespace mi_fuzz
