// SPDX-License-Identifier: BSD-3-Clause
// Special functions the estimators need (the minimal model's normal CDF, the
// Gaussian entropy constants of KDE and sample propagation, the digamma and
// log Gamma(d/2 + 1) of the k-nearest-neighbour estimators and unit-ball
// volumes), written once so that every header computes them the same way. Phi is written with
// std::erfc, not 0.5 * (1 + erf), because the tail mass of a bin far out in
// the tail (tanh saturation, |x| of several sigma) would otherwise be lost to
// cancellation against 1.
#ifndef MI_CORE_SPECIAL_HPP
#define MI_CORE_SPECIAL_HPP

#include <cmath>
#include <cstddef>
#include <limits>

#include "mi/core/error.hpp"

namespace mi {

inline constexpr double pi = 3.141592653589793238462643383279502884;

namespace detail {
/// log pi, the constant of Euclidean unit-ball volumes (log 2 is mi::ln2, mi/core/units.hpp).
inline constexpr double log_pi = 1.1447298858494001741434273513530587;
}  // namespace detail

/// Standard normal CDF Phi(x) = erfc(-x / sqrt 2) / 2; Phi(-inf) = 0, Phi(+inf) = 1.
inline double normal_cdf(double x) noexcept {
    return 0.5 * std::erfc(-x * 0.707106781186547524400844362104849039);
}

/// Probability that a standard normal lies in (a, b], a <= b, computed in the
/// tail where it is small (Phi(b) - Phi(a) for a, b < 0, Q(a) - Q(b) above 0).
inline double normal_interval(double a, double b) noexcept {
    if (!(a < b)) return 0.0;
    if (a >= 0.0) return normal_cdf(-a) - normal_cdf(-b);
    if (b <= 0.0) return normal_cdf(b) - normal_cdf(a);
    return 1.0 - normal_cdf(a) - normal_cdf(-b);
}

/// Inverse of the standard normal CDF for p in (0, 1): Acklam's rational
/// approximation (relative error 1.2e-9) refined by one Halley step on
/// normal_cdf, which brings it to double rounding. p <= 0 gives -inf, p >= 1 +inf.
inline double normal_quantile(double p) noexcept {
    if (!(p > 0.0)) return -std::numeric_limits<double>::infinity();
    if (!(p < 1.0)) return std::numeric_limits<double>::infinity();
    static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                   1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
    static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                   6.680131188771972e+01,  -1.328068155288572e+01};
    static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                   -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
    static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                   3.754408661907416e+00};
    const double plow = 0.02425;
    double x;
    if (p < plow) {
        const double q = std::sqrt(-2.0 * std::log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    } else if (p <= 1.0 - plow) {
        const double q = p - 0.5, r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
    } else {
        const double q = std::sqrt(-2.0 * std::log1p(-p));
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    }
    const double e = normal_cdf(x) - p;
    const double u = e * 2.506628274631000502415765284811 * std::exp(0.5 * x * x);
    return x - u / (1.0 + 0.5 * x * u);
}

/// Differential entropy of N(0, variance * I_d) in nats: (d/2) ln(2 pi e variance).
inline double gaussian_entropy(double dims, double variance) noexcept {
    return 0.5 * dims * std::log(2.0 * pi * 2.718281828459045235360287471352662498 * variance);
}

namespace detail {

/// Digamma psi(x) for x > 0 (the k-NN estimators only need positive
/// arguments): recurrence psi(x) = psi(x + 1) - 1/x up to x >= 10, then the
/// asymptotic series ln x - 1/(2x) - sum B_2n / (2n x^2n); absolute error
/// below 1e-15 over the whole range (tested against closed forms).
inline double digamma(double x) {
    if (!(x > 0.0) || !std::isfinite(x)) fail("mi::detail::digamma", "x", x, "a finite value > 0");
    double shift = 0.0;
    while (x < 10.0) {
        shift -= 1.0 / x;
        x += 1.0;
    }
    const double r = 1.0 / (x * x);
    const double series =
        r * (1.0 / 12 - r * (1.0 / 120 - r * (1.0 / 252 - r * (1.0 / 240 - r * (1.0 / 132 - r * (691.0 / 32760))))));
    return shift + std::log(x) - 0.5 / x - series;
}

/// log Gamma(d/2 + 1) by the recurrence Gamma(x + 1) = x Gamma(x) from
/// Gamma(1) = 1 or Gamma(1/2) = sqrt(pi) (thread-safe, unlike std::lgamma's signgam).
inline double log_gamma_half_plus_one(std::size_t d) noexcept {
    double g = 0.0;
    if (d % 2 == 0) {
        for (std::size_t i = 1; i <= d / 2; ++i) g += std::log(static_cast<double>(i));
    } else {
        g = 0.5 * log_pi;
        for (std::size_t i = 0; i <= d / 2; ++i) g += std::log(static_cast<double>(i) + 0.5);
    }
    return g;
}

}  // namespace detail

}  // namespace mi

#endif
