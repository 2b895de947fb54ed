// SPDX-License-Identifier: BSD-3-Clause
// Noise (bandwidth) policies of the KDE estimators: the variance of the
// Gaussian noise added to a layer, T = h + N(0, variance I). The KDE bounds
// measure information "up to" that noise, so the choice of variance is part
// of the estimator and is reported in its parameters().
//
//   fixed_noise(variance)   one variance for every layer and epoch, as in
//                           Saxe et al. 2018 (ibsgd: 1e-3 on SZT, 0.1 on MNIST).
//   adaptive_noise(base)    Chelombiev, Houghton & O'Donnell 2019 ("aKDE"):
//                           the noise is scaled with the layer's activity at that
//                           epoch. Rule implemented here:
//                               variance = base * (max_{i,k} |h_ik|)^2,
//                           i.e. the noise standard deviation is sqrt(base) times
//                           the largest absolute activation. Scaling a layer by
//                           c > 0 scales the noise standard deviation by c too, so
//                           I(X;T) is invariant to the layer's scale, which is what
//                           makes the estimate meaningful for unbounded units (ReLU)
//                           whose range grows during training. With base = 1e-3 a
//                           saturated tanh layer (max |h| = 1) gets exactly
//                           ibsgd's SZT variance. A layer that is identically zero
//                           has no scale: it gets variance = base (any positive
//                           variance gives the same I(X;T) = 0 there).
//
// A policy is a small value type with
//   template <class T> double variance(const activation_view<const T>&) const;
//   std::string name() const;  std::string parameters() const;
// and, when its variance scales with the layer (variance(c h) = c^2 variance(h)),
//   static constexpr bool scales_with_layer = true;
// which lets the estimators evaluate it at a rescaled copy of a layer whose
// magnitude lies outside the range of T's arithmetic (mi/kernels/kernel_frame.hpp).
#ifndef MI_KERNELS_NOISE_HPP
#define MI_KERNELS_NOISE_HPP

#include <cmath>
#include <cstddef>
#include <string>
#include <type_traits>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/kernels/gaussian.hpp"

namespace mi {

class fixed_noise {
public:
    /// ibsgd's SZT value, 1e-3.
    fixed_noise() = default;
    explicit fixed_noise(double variance) : variance_(variance) {
        detail::check_variance(variance, "mi::fixed_noise", "variance");
    }

    template <class T>
    double variance(const activation_view<const T>& /*layer*/) const noexcept {
        return variance_;
    }
    double value() const noexcept { return variance_; }

    static std::string name() { return "fixed"; }
    std::string parameters() const { return "variance=" + detail::to_text(variance_); }

private:
    double variance_ = 1e-3;
};

class adaptive_noise {
public:
    static constexpr bool scales_with_layer = true;

    adaptive_noise() = default;
    explicit adaptive_noise(double base) : base_(base) {
        detail::check_variance(base, "mi::adaptive_noise", "base");
    }

    /// base * max|h|^2 over every entry of the layer (base if the layer is all zeros).
    template <class T>
    double variance(const activation_view<const T>& layer) const {
        double m = 0.0;
        for (std::size_t i = 0; i < layer.rows(); ++i) {
            const T* r = layer.row(i);
            for (std::size_t k = 0; k < layer.cols(); ++k) {
                const double a = std::fabs(static_cast<double>(r[k]));
                if (!std::isfinite(a))
                    detail::fail("mi::adaptive_noise", "layer entry", a, "a finite value");
                m = a > m ? a : m;
            }
        }
        const double v = m > 0.0 ? base_ * m * m : base_;
        detail::check_variance(v, "mi::adaptive_noise", "base * max|h|^2");
        return v;
    }
    double base() const noexcept { return base_; }

    static std::string name() { return "adaptive"; }
    std::string parameters() const { return "base=" + detail::to_text(base_) + ";rule=base*max|h|^2"; }

private:
    double base_ = 1e-3;
};

namespace detail {
template <class Noise, class = void>
struct scales_with_layer : std::false_type {};
template <class Noise>
struct scales_with_layer<Noise, std::enable_if_t<Noise::scales_with_layer>> : std::true_type {};
template <class Noise>
inline constexpr bool scales_with_layer_v = scales_with_layer<Noise>::value;
}  // namespace detail

}  // namespace mi

#endif
