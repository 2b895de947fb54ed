// SPDX-License-Identifier: BSD-3-Clause
// example_quantizer: the smallest complete quantizer policy, documented member
// by member (as mlpack's example_kernel.hpp), to copy when writing a new one.
// It is a real, tested quantizer: two bins split at a threshold t fitted as
// the layer's median (code 0 below t, code 1 at and above it), i.e. each unit
// is read as "low" or "high" against the layer's typical value.
//
// What a new quantizer needs: this header's two classes (the policy and its
// fitted form), and nothing else in mi: mi::binning<Q> and mi::minimal_model<F, Q>
// accept any Q for which mi::is_quantizer_v<Q> holds (mi/quantizers/concept.hpp),
// and the plane driver runs binning<Q> like any other estimator.
#ifndef MI_QUANTIZERS_EXAMPLE_QUANTIZER_HPP
#define MI_QUANTIZERS_EXAMPLE_QUANTIZER_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/rows.hpp"

namespace mi {

/// The fitted form: a value type that turns activations into codes. Every
/// member here is required (mi::is_quantizer_v checks them) except codes().
template <class T>
class fitted_example_quantizer {
public:
    explicit fitted_example_quantizer(double threshold) : threshold_(threshold) {}

    /// The code of one value (used by the minimal model, at bin boundaries).
    /// Codes must be non-decreasing in x. Non-finite x raises mi::error.
    std::int32_t code(double x) const {
        if (!std::isfinite(x)) detail::fail("mi::fitted_example_quantizer::code", "x", x, "a finite value");
        return x >= threshold_ ? 1 : 0;
    }

    /// The codes of n consecutive values (binning's hot loop). It must equal
    /// code() value by value; real quantizers use SIMD here (fitted_edges.hpp).
    /// Never reads or writes beyond x[n - 1], codes[n - 1].
    void encode(const T* x, std::size_t n, std::int32_t* codes) const noexcept {
        for (std::size_t i = 0; i < n; ++i) codes[i] = static_cast<double>(x[i]) >= threshold_ ? 1 : 0;
    }

    /// The sorted points in (lo, hi) where the code changes, so that a
    /// distribution can be integrated bin by bin (the minimal model).
    std::vector<double> boundaries(double lo, double hi) const {
        if (threshold_ > lo && threshold_ < hi) return {threshold_};
        return {};
    }

    /// Optional: every code lies in 0 .. codes() - 1 (binning then stores 8-bit codes).
    std::size_t codes() const noexcept { return 2; }

    double threshold() const noexcept { return threshold_; }

private:
    double threshold_;
};

/// The policy: a small value type holding the rule's parameters (here none).
class example_quantizer {
public:
    /// Looks at one layer at one epoch (every unit pooled) and returns the
    /// fitted form, for T = float and double. A rule that needs no data
    /// ignores the layer; bad data raises mi::error.
    template <class T>
    fitted_example_quantizer<T> fit(const activation_view<const T>& layer) const {
        detail::check_activations(layer, "mi::example_quantizer::fit", "layer");
        std::vector<T> v = detail::pooled_values(layer);
        const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
        std::nth_element(v.begin(), mid, v.end());
        return fitted_example_quantizer<T>(static_cast<double>(*mid));
    }

    /// A short name, and every parameter as key=value pairs: binning folds
    /// them into its parameters(), which the plane's CSV records.
    std::string name() const { return "example_quantizer"; }
    std::string parameters() const { return "quantizer=example_quantizer;threshold=median"; }
};

}  // namespace mi

#endif
