// SPDX-License-Identifier: BSD-3-Clause
// example_noise: the smallest complete noise (bandwidth) policy of the KDE
// estimator, documented member by member, to copy when writing a new one.
// It is a real, tested rule: the noise variance is `fraction` times the
// layer's mean squared activation, variance = fraction * (1/(N d)) sum h_ik^2
// (`fraction` itself for an all-zero layer), so the noise follows the layer's
// typical power rather than its extreme value (adaptive_noise's max |h|).
//
// What a new noise policy needs: this header, nothing else in mi: mi::kde<K, N>
// accepts any N for which mi::is_noise_v<N> holds (mi/kernels/concept.hpp).
#ifndef MI_KERNELS_EXAMPLE_NOISE_HPP
#define MI_KERNELS_EXAMPLE_NOISE_HPP

#include <cmath>
#include <cstddef>
#include <string>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"

namespace mi {

class example_noise {
public:
    /// Optional: the rule is scale-equivariant, variance(c h) = c^2 variance(h).
    /// kde may then evaluate it on a power-of-two rescaled copy of a layer whose
    /// magnitude is outside the range of float arithmetic (mi/kernels/kernel_frame.hpp).
    static constexpr bool scales_with_layer = true;

    /// Default-constructible, with a documented default.
    example_noise() = default;
    explicit example_noise(double fraction) : fraction_(fraction) {
        if (!(std::isfinite(fraction) && fraction > 0.0))
            detail::fail("mi::example_noise", "fraction", fraction, "a finite value > 0");
    }

    /// The noise variance for one layer at one epoch, T = float and double:
    /// finite and > 0, or mi::error.
    template <class T>
    double variance(const activation_view<const T>& layer) const {
        double s = 0.0;
        for (std::size_t i = 0; i < layer.rows(); ++i)
            for (std::size_t k = 0; k < layer.cols(); ++k) {
                const double a = static_cast<double>(layer(i, k));
                s += a * a;
            }
        const double m = s / static_cast<double>(layer.size());
        const double v = m > 0.0 ? fraction_ * m : fraction_;
        if (!(std::isfinite(v) && v > 0.0))
            detail::fail("mi::example_noise", "fraction * mean h^2", v, "a finite variance > 0");
        return v;
    }

    /// A short name and the parameters, folded into kde's parameters().
    std::string name() const { return "example"; }
    std::string parameters() const { return "fraction=" + detail::to_text(fraction_) + ";rule=fraction*mean(h^2)"; }

private:
    double fraction_ = 1e-3;
};

}  // namespace mi

#endif
