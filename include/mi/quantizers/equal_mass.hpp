// SPDX-License-Identifier: BSD-3-Clause
// equal_mass: `bins` bins holding equal numbers of the layer's values at this
// epoch (all units pooled), i.e. edges at percentiles: the "entropy-based" or
// maximum-output-entropy binning of the adaptive-binning literature
// (Chelombiev et al. 2019 motivate it; their code does something else, see
// distinct_value_quantiles.hpp). Maximising H(Q(T)) per unit this way keeps
// every bin in use whatever the scale of the layer.
//
// Percentile convention: with the M pooled values sorted, v_0 <= ... <= v_M-1,
// edge k (k = 1 .. bins-1) is v_r with r = ceil(k M / bins) (0-based), and
// bin k is [e_k, e_k+1); values below e_1 get code 0. With distinct values,
// bin k holds exactly the values of rank ceil(kM/bins) .. ceil((k+1)M/bins)-1,
// floor(M/bins) or ceil(M/bins) of them. Ties: equal values always share a
// code, so a run of equal values goes wholly into the bin whose edge is that
// value (one bin when several edges fall on it: coinciding edges merge, and
// fewer than `bins` codes are used; saturated tanh units or dead ReLUs do
// this). An edge whose rank would be M (more bins than values) is dropped.
#ifndef MI_QUANTIZERS_EQUAL_MASS_HPP
#define MI_QUANTIZERS_EQUAL_MASS_HPP

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/rows.hpp"
#include "mi/quantizers/fitted_edges.hpp"

namespace mi {

class equal_mass {
public:
    explicit equal_mass(std::size_t bins) : bins_(bins) {
        detail::check_bins(bins, "mi::equal_mass");
    }

    template <class T>
    fitted_edges<T> fit(const activation_view<const T>& layer) const {
        detail::check_activations(layer, "mi::equal_mass::fit", "layer");
        std::vector<T> v = detail::pooled_values(layer);
        const std::size_t m = v.size();
        std::vector<double> e;
        std::size_t done = 0;  // v[0 .. done) is already partitioned below the next rank
        for (std::size_t k = 1; k < bins_; ++k) {
            const std::size_t r = static_cast<std::size_t>(
                (static_cast<unsigned long long>(k) * m + bins_ - 1) / bins_);
            if (r >= m) break;
            std::nth_element(v.begin() + static_cast<std::ptrdiff_t>(done), v.begin() + static_cast<std::ptrdiff_t>(r),
                             v.end());
            e.push_back(static_cast<double>(v[r]));
            done = r;
        }
        return fitted_edges<T>(std::move(e), edge_convention::count);
    }

    std::string name() const { return "equal_mass"; }
    std::string parameters() const { return "quantizer=equal_mass;bins=" + std::to_string(bins_); }
    std::size_t bins() const noexcept { return bins_; }

private:
    std::size_t bins_;
};

}  // namespace mi

#endif
