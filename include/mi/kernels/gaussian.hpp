// SPDX-License-Identifier: BSD-3-Clause
// gaussian_kernel: the mixture component of the Kolchinsky-Tracey KDE
// estimators, T = h + N(0, variance I). It is a policy (a small value type),
// so that a new component shape is one small class with the same members:
//
//   V      log_kernel(V d2)           log k(d2), for double, float and SIMD batches
//   double component_entropy(dims)    H of one component, nats
//   K      with_variance(v)           the same shape with another variance
//   K      bhattacharyya()            the kernel exp(-BD(p_i, p_j)) of the lower bound
//
// log_kernel must be non-increasing in the squared distance d2 (the pairwise
// engine relies on that to decide which distances are worth recomputing
// exactly). For two Gaussians N(a, s I), N(b, s I):
//   KL(p_a || p_b) = |a - b|^2 / (2 s)   -> upper bound, log_kernel = -d2 / (2 s)
//   BD(p_a,  p_b)  = |a - b|^2 / (8 s)   -> lower bound, the same kernel with 4 s
// (Kolchinsky & Tracey 2017, eqs. 9-10 and Sec. 4; the "4 sigma^2" of ibsgd's
// entropy_estimator_bd).
#ifndef MI_KERNELS_GAUSSIAN_HPP
#define MI_KERNELS_GAUSSIAN_HPP

#include <cmath>
#include <cstddef>
#include <string>
#include <type_traits>

#include "mi/core/error.hpp"
#include "mi/core/simd.hpp"
#include "mi/core/special.hpp"

namespace mi {

namespace detail {

/// Throws unless v is a finite, strictly positive variance.
inline void check_variance(double v, const char* where, const char* argument) {
    if (!(std::isfinite(v) && v > 0.0)) fail(where, argument, v, "a finite variance > 0");
}

}  // namespace detail

class gaussian_kernel {
public:
    /// Unit variance; the KDE estimator replaces it by its noise policy's variance.
    gaussian_kernel() = default;
    explicit gaussian_kernel(double variance) : variance_(variance) {
        detail::check_variance(variance, "mi::gaussian_kernel", "variance");
        scale_ = -0.5 / variance;
    }

    double variance() const noexcept { return variance_; }

    /// log k(d2) = -d2 / (2 variance): the log of exp(-KL) between two components at
    /// squared distance d2 (up to the normalisation, which cancels in the bounds).
    template <class V>
    V log_kernel(const V& d2) const noexcept {
        using S = detail::scalar_of_t<V>;
        return d2 * V(static_cast<S>(scale_));
    }

    /// Differential entropy of one component N(0, variance I_dims): (d/2)(log 2 pi variance + 1).
    double component_entropy(std::size_t dims) const noexcept {
        return gaussian_entropy(static_cast<double>(dims), variance_);
    }

    gaussian_kernel with_variance(double variance) const { return gaussian_kernel(variance); }

    /// exp(-BD) = exp(-d2 / (8 variance)): the same kernel with four times the variance.
    gaussian_kernel bhattacharyya() const { return gaussian_kernel(4.0 * variance_); }

    static std::string name() { return "gaussian"; }
    std::string parameters() const { return "variance=" + detail::to_text(variance_); }

private:
    double variance_ = 1.0;
    double scale_ = -0.5;
};

}  // namespace mi

#endif
