// SPDX-License-Identifier: BSD-3-Clause
// The binning and nearest-neighbour estimators of mi._mi (see estimator.hpp):
// every quantizer x correction, every search x metric, each for float and
// double. Kept apart from module.cpp so that the two compile in parallel.
#include "estimator.hpp"

namespace mipy {

namespace {

template <class Correction>
std::shared_ptr<estimator> binning_with(const quantizer& q) {
    return std::visit([](const auto& qq) { return make(mi::binning<std::decay_t<decltype(qq)>, Correction>(qq)); }, q);
}

template <class Metric, template <class> class Search>
Search<Metric> search_of(std::size_t leaf_size) {
    if constexpr (std::is_same_v<Search<Metric>, mi::kd_tree<Metric>>)
        return mi::kd_tree<Metric>(leaf_size);
    else if constexpr (std::is_same_v<Search<Metric>, mi::automatic<Metric>>)
        return leaf_size ? mi::automatic<Metric>(mi::kd_tree<Metric>(leaf_size)) : mi::automatic<Metric>();
    else
        return Search<Metric>();
}

template <class Metric>
std::shared_ptr<estimator> kl_with(const mi::kl_entropy_options& o, search_kind s, std::size_t leaf) {
    switch (s) {
        case search_kind::kd_tree: return make(mi::kl_entropy<mi::kd_tree<Metric>>(o, search_of<Metric, mi::kd_tree>(leaf)));
        case search_kind::grid: return make(mi::kl_entropy<mi::grid<Metric>>(o, mi::grid<Metric>()));
        case search_kind::brute_force: return make(mi::kl_entropy<mi::brute_force<Metric>>(o, mi::brute_force<Metric>()));
        default: return make(mi::kl_entropy<mi::automatic<Metric>>(o, search_of<Metric, mi::automatic>(leaf)));
    }
}

}  // namespace

std::shared_ptr<estimator> make_binning(const quantizer& q, bool miller_madow) {
    return miller_madow ? binning_with<mi::miller_madow>(q) : binning_with<mi::plug_in>(q);
}

std::shared_ptr<estimator> make_kl_entropy(const mi::kl_entropy_options& o, search_kind s, bool euclidean,
                                           std::size_t leaf_size) {
    return euclidean ? kl_with<mi::euclidean>(o, s, leaf_size) : kl_with<mi::max_norm>(o, s, leaf_size);
}

std::shared_ptr<estimator> make_ksg(const mi::ksg_options& o, search_kind s, std::size_t leaf) {
    using M = mi::max_norm;
    switch (s) {
        case search_kind::kd_tree: return make(mi::ksg<mi::kd_tree<M>>(o, search_of<M, mi::kd_tree>(leaf)));
        case search_kind::grid: return make(mi::ksg<mi::grid<M>>(o, mi::grid<M>()));
        case search_kind::brute_force: return make(mi::ksg<mi::brute_force<M>>(o, mi::brute_force<M>()));
        default: return make(mi::ksg<mi::automatic<M>>(o, search_of<M, mi::automatic>(leaf)));
    }
}

}  // namespace mipy
