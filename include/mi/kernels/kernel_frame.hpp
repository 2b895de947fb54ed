// SPDX-License-Identifier: BSD-3-Clause
// kernel_frame: the units in which a Gaussian-kernel estimate is computed.
//
// The pairwise engine works in the layer's own element type T: squared
// distances |h_i - h_j|^2 (or |a|^2 + |b|^2 - 2 a.b) and log k = -d2 / (2 s).
// For a float layer that is fine for the activations networks produce, but
// not at every scale a user may pass: a variance below ~1e-38 makes -1/(2 s)
// overflow float (0 * inf = NaN on the diagonal), activations above ~1e19
// overflow the squared norms, and a layer of magnitude 1e-19 under an
// adaptive noise (s = base * 1e-38) does both. Every term of the KDE and
// sample-propagation estimates depends on the data and the noise only through
// |h_i - h_j|^2 / s, so multiplying the layer and the noise standard deviation
// by the same power of two 2^e changes no ratio and, being exact in binary
// floating point, no rounding either; differential entropies move by exactly
// d e ln 2, which is taken back out. The frame is the identity (no copy, the
// same bits as before) whenever the layer and the variance already lie in the
// safe range of T; otherwise the layer is copied once at the power of two
// nearest 1 that brings both into range. If no scale does (a noise some 10^280
// times smaller or larger than the squared activations in double, 10^30 in
// float), the estimate is refused with mi::error rather than returned as NaN.
#ifndef MI_KERNELS_KERNEL_FRAME_HPP
#define MI_KERNELS_KERNEL_FRAME_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/units.hpp"

namespace mi::detail {

template <class T>
class kernel_frame {
public:
    /// `variance_of(view)`: the noise variance for a layer (a noise policy's rule).
    /// `scales_with_layer`: the rule is scale-equivariant (variance of c h = c^2 variance of h,
    /// as adaptive_noise); otherwise the variance is fixed in the layer's units.
    template <class VarianceOf>
    kernel_frame(const activation_view<const T>& layer, VarianceOf&& variance_of, bool scales_with_layer,
                 const char* where)
        : view_(layer) {
        double m = 0.0;
        for (std::size_t i = 0; i < layer.rows(); ++i) {
            const T* r = layer.row(i);
            for (std::size_t k = 0; k < layer.cols(); ++k) {
                const double a = std::fabs(static_cast<double>(r[k]));
                m = a > m ? a : m;
            }
        }
        const int em = m > 0.0 ? std::ilogb(m) : 0;  // m in [2^em, 2^(em + 1))
        const bool magnitude_ok = m == 0.0 || (em >= min_magnitude_exponent && em + 1 <= max_magnitude_exponent);
        // ev: the binary exponent of the variance at scale 2^0, possibly beyond double's range
        // for a scale-equivariant rule (then read off a copy at the scale where m is in [1, 2)).
        int ev = 0;
        double v0 = 0.0;
        if (magnitude_ok || !scales_with_layer) {
            v0 = variance_of(layer);
            if (v0 > 0.0 && std::isfinite(v0)) {
                ev = std::ilogb(v0);
                if (magnitude_ok && in_range(v0)) {
                    variance_ = v0;
                    max_abs_ = m;
                    return;  // the identity frame: the caller's memory, the same bits
                }
            } else if (!scales_with_layer) {
                fail(where, "noise variance", v0, "a finite variance > 0");
            }
        }
        if (scales_with_layer && !(v0 > 0.0 && std::isfinite(v0))) {
            rescale(layer, -em);
            const double v1 = variance_of(view_);
            if (!(v1 > 0.0 && std::isfinite(v1))) fail(where, "noise variance", v1, "a finite variance > 0");
            ev = std::ilogb(v1) + 2 * em;
        }
        // Feasible exponents: the variance 4^e v in [2^low, 2^high] and, for a non-zero layer,
        // the magnitude 2^e m in [2^min_magnitude, 2^max_magnitude]; the one nearest 0 is used.
        int lower = ceil_half(low_exponent - ev), upper = floor_half(high_exponent - ev - 1);
        if (m > 0.0) {
            lower = std::max(lower, min_magnitude_exponent - em);
            upper = std::min(upper, max_magnitude_exponent - em - 1);
        }
        if (lower > upper)
            fail(where, "noise variance", v0 > 0.0 ? v0 : std::ldexp(1.0, std::max(-1074, std::min(1023, ev))),
                 "a variance the arithmetic of " + std::string(sizeof(T) == 4 ? "float" : "double") +
                     " can resolve against activations of magnitude " + to_text(m) + ": variance / max|h|^2 between 2^" +
                     std::to_string(low_exponent - 2 * max_magnitude_exponent) + " and 2^" +
                     std::to_string(high_exponent - 2 * min_magnitude_exponent) + " (use double activations or another noise)");
        const int e = lower > 0 ? lower : upper;
        max_abs_ = std::ldexp(m, e);
        if (exponent_ != e || values_.empty()) rescale(layer, e);
        // An all-zero layer has no scale for the rule to follow: its variance moves with the frame.
        variance_ = scales_with_layer && m > 0.0 ? variance_of(view_) : std::ldexp(v0, 2 * e);
        if (!in_range(variance_))
            fail(where, "noise variance", v0 > 0.0 ? v0 : variance_,
                 "a variance the arithmetic of " + std::string(sizeof(T) == 4 ? "float" : "double") +
                     " can resolve at any power-of-two scale of the layer");
    }

    /// The layer in the frame's units (the caller's memory when the frame is the identity).
    const activation_view<const T>& view() const noexcept { return view_; }
    /// The largest |h| of the layer, in the frame's units.
    double max_abs() const noexcept { return max_abs_; }
    /// The noise variance in the frame's units.
    double variance() const noexcept { return variance_; }
    /// A length (e.g. a noise standard deviation) in the frame's units: exact, a power-of-two scaling.
    double to_frame(double length) const noexcept { return std::ldexp(length, exponent_); }
    /// Add to a differential entropy of d units computed in the frame to get it in the layer's units.
    double entropy_shift(std::size_t d) const noexcept {
        return -static_cast<double>(d) * static_cast<double>(exponent_) * ln2;
    }

    // view_ may point into values_: not copyable.
    kernel_frame(const kernel_frame&) = delete;
    kernel_frame& operator=(const kernel_frame&) = delete;

private:
    // Magnitudes whose squared norms over up to 2^14 units stay finite in T and whose
    // squared differences stay normal numbers.
    static constexpr int max_magnitude_exponent = (std::numeric_limits<T>::max_exponent - 16) / 2;
    static constexpr int min_magnitude_exponent = std::numeric_limits<T>::min_exponent / 2 + 16;
    // Variances whose 1/(2 s), 4 s and the squared distances that matter (d2 ~ s) are normal
    // numbers of T with full precision.
    static constexpr int low_exponent = std::numeric_limits<T>::min_exponent + 24;
    static constexpr int high_exponent = std::numeric_limits<T>::max_exponent - 8;
    static bool in_range(double v) noexcept {
        return v >= std::ldexp(1.0, low_exponent) && v <= std::ldexp(1.0, high_exponent);
    }

    // view_ := layer * 2^e, copied (an all-zero layer needs no copy).
    void rescale(const activation_view<const T>& layer, int e) {
        exponent_ = e;
        const std::size_t d = layer.cols();
        values_.resize(layer.rows() * d);
        for (std::size_t i = 0; i < layer.rows(); ++i)
            for (std::size_t k = 0; k < d; ++k)
                values_[i * d + k] = static_cast<T>(std::ldexp(static_cast<double>(layer(i, k)), e));
        view_ = activation_view<const T>(values_.data(), layer.rows(), d, d);
    }
    static int floor_half(int x) noexcept { return x >= 0 ? x / 2 : -((-x + 1) / 2); }
    static int ceil_half(int x) noexcept { return -floor_half(-x); }

    activation_view<const T> view_;
    std::vector<T> values_;
    double variance_ = 0.0;
    double max_abs_ = 0.0;
    int exponent_ = 0;
};

}  // namespace mi::detail

#endif
