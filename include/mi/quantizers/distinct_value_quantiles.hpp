// SPDX-License-Identifier: BSD-3-Clause
// distinct_value_quantiles: Chelombiev, Houghton & O'Donnell 2019's adaptive
// binning ("EBAB", entropy-based adaptive binning) exactly as their code runs
// it (ivansche/adaptive_estimators, idnns/information/information_process.py,
// set_up_bins with maxentropy=True, per_layer_bins=True), per layer and epoch,
// all units pooled:
//
//   U     = sorted distinct values of the layer, excluding values equal to `low`
//   edges = [low, U[int(k * (|U| / B))] for k = 0 .. B-1, U[|U|-1]]   (B + 2 edges;
//           the index is computed in double precision and truncated, as Python does)
//   edges cast to float32
//   code  = edges[digitize(a, edges) - 1]
//
// with `low` = -1.000001 for tanh and ELU, 0 for ReLU and softplus (their code
// uses the same low for every layer, the output layer included). So `low`
// itself (ReLU zeros) gets its own code, the maximum gets its own code, and a
// value below `low` has digitize index 0, which wraps to the last edge: the
// code of the maximum. Repeated edges (|U| < B) merge. If every value equals
// low there is a single code.
//
// Why this is NOT equal mass: the quantiles are taken over DISTINCT values,
// so each interior bin holds about |U|/B distinct values whatever their
// multiplicities. With heavy duplication (saturated tanh at +-1, dead ReLUs,
// float32 plateaus) a bin can hold most of the samples while others hold a
// handful; equal_mass puts edges at percentiles of all values instead.
//
// If a value lies below `low` the edges are not sorted and numpy.digitize
// raises; mi raises mi::error naming `low`.
#ifndef MI_QUANTIZERS_DISTINCT_VALUE_QUANTILES_HPP
#define MI_QUANTIZERS_DISTINCT_VALUE_QUANTILES_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/quantizers/fitted_edges.hpp"

namespace mi {

class distinct_value_quantiles {
public:
    /// B = `bins` quantiles of the distinct values; `low` as in Chelombiev et al.'s code.
    distinct_value_quantiles(std::size_t bins, double low) : bins_(bins), low_(low) {
        detail::check_bins(bins, "mi::distinct_value_quantiles");
        if (!std::isfinite(low)) detail::fail("mi::distinct_value_quantiles", "low", low, "a finite value");
    }
    /// low = -1.000001: tanh and ELU layers.
    static distinct_value_quantiles for_tanh(std::size_t bins = 30) { return {bins, -1.000001}; }
    /// low = 0: ReLU and softplus layers.
    static distinct_value_quantiles for_relu(std::size_t bins = 30) { return {bins, 0.0}; }

    template <class T>
    fitted_edges<T> fit(const activation_view<const T>& layer) const {
        return fitted_edges<T>(edges_for(layer), edge_convention::left_edge_wrap);
    }

    /// The B + 2 float32 edges (before repeated edges merge), as their code builds them.
    template <class T>
    std::vector<double> edges_for(const activation_view<const T>& layer) const {
        detail::check_activations(layer, "mi::distinct_value_quantiles::fit", "layer");
        std::vector<T> u;
        u.reserve(layer.size());
        for (std::size_t i = 0; i < layer.rows(); ++i)
            for (std::size_t j = 0; j < layer.cols(); ++j)
                if (static_cast<double>(layer(i, j)) != low_) u.push_back(layer(i, j));
        std::sort(u.begin(), u.end());
        u.erase(std::unique(u.begin(), u.end()), u.end());
        std::vector<double> e{low_};
        if (!u.empty()) {
            const double per_bin = static_cast<double>(u.size()) / static_cast<double>(bins_);
            for (std::size_t k = 0; k < bins_; ++k) {
                const auto ind = static_cast<std::size_t>(static_cast<double>(k) * per_bin);
                e.push_back(static_cast<double>(u[ind]));
            }
            e.push_back(static_cast<double>(u.back()));
        }
        for (auto& v : e) v = static_cast<double>(detail::to_type<float>(v));
        if (e.size() > 1 && e[1] < e[0])
            detail::fail("mi::distinct_value_quantiles::fit", "low", low_,
                         "<= the smallest activation, " + detail::to_text(e[1]) +
                             " (values below low make the edges unsorted)");
        return e;
    }

    std::string name() const { return "distinct_value_quantiles"; }
    std::string parameters() const {
        return "quantizer=distinct_value_quantiles;bins=" + std::to_string(bins_) + ";low=" + detail::to_text(low_);
    }
    std::size_t bins() const noexcept { return bins_; }
    double low() const noexcept { return low_; }

private:
    std::size_t bins_;
    double low_;
};

}  // namespace mi

#endif
