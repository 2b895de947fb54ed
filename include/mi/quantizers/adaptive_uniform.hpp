// SPDX-License-Identifier: BSD-3-Clause
// adaptive_uniform: `bins` equal-width intervals on the range [min, max] of
// this layer at this epoch (all units pooled), the per-layer, per-epoch
// adaptive binning used for unbounded (ReLU) layers (cf. Chelombiev et al.
// 2019, who instead use a running maximum; that variant is global_uniform's
// rule restricted to past epochs). Same interval convention as
// uniform(bins, min, max): [e_k, e_k+1), the maximum itself in the last bin.
// A layer whose values are all equal has a single code, 0.
#ifndef MI_QUANTIZERS_ADAPTIVE_UNIFORM_HPP
#define MI_QUANTIZERS_ADAPTIVE_UNIFORM_HPP

#include <cstddef>
#include <string>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/quantizers/fitted_edges.hpp"
#include "mi/quantizers/uniform.hpp"

namespace mi {

class adaptive_uniform {
public:
    explicit adaptive_uniform(std::size_t bins) : bins_(bins) {
        detail::check_bins(bins, "mi::adaptive_uniform");
    }

    template <class T>
    fitted_edges<T> fit(const activation_view<const T>& layer) const {
        const auto range = detail::layer_range(layer, "mi::adaptive_uniform::fit", "layer");
        if (!(range.first < range.second)) return fitted_edges<T>(std::vector<double>{}, edge_convention::count);
        return uniform(bins_, range.first, range.second).fitted<T>();
    }

    std::string name() const { return "adaptive_uniform"; }
    std::string parameters() const { return "quantizer=adaptive_uniform;bins=" + std::to_string(bins_); }
    std::size_t bins() const noexcept { return bins_; }

private:
    std::size_t bins_;
};

}  // namespace mi

#endif
