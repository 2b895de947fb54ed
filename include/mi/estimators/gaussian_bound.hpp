// SPDX-License-Identifier: BSD-3-Clause
// gaussian_bound: the Gaussian-channel bound on a layer's information of
// Shwartz-Ziv, Painsky & Tishby, "Representation compression and
// generalization in deep neural networks" (2019), eqs. 7-9:
//
//   I(X;T) <= 1/2 sum_i log(1 + A_ii / (lambda_i + s2_z / s2_T))      (eq. 9)
//
// Their argument, as this header implements it: late in training SGD is a
// diffusion around the converged weights, so the layer's weights are
// W = W* + dW with a random dW; with the layer's input X of per-unit variance
// s2_T and additive noise Z ~ N(0, s2_z I), T = W* X + dW X + Z is a channel
// whose signal is W* X and whose noise is dW X + Z. Written out:
//
//   C      = E[dW dW^T] (n_out x n_out), estimated by the caller's accumulated
//            weight change(s): C = (1/K) sum_k dW_k dW_k^T
//   C      = U diag(lambda) U^T            lambda_i: the weight-noise power of
//                                          direction i of the layer's output
//   A      = U^T W* W*^T U                 the signal power of W* in that basis
//   signal covariance s2_T W* W*^T, noise covariance s2_T C + s2_z I, so term
//   i is the SNR of direction i, s2_T A_ii / (s2_T lambda_i + s2_z) = eq. 9.
//
// Each term is the capacity of one Gaussian sub-channel; by Hadamard's
// inequality the sum is >= 1/2 log|I + (s2_T C + s2_z I)^-1 s2_T W* W*^T|, the
// mutual information of the jointly Gaussian channel with X ~ N(0, s2_T I).
// Where lambda has a repeated eigenvalue U is not unique and A_ii would
// depend on LAPACK's choice; inside each group of equal denominators
// (relative difference <= 1e-9) the basis is rotated to diagonalise A's
// block, which makes the result basis-free and is the tightest choice (the
// group's terms become 1/2 log|I + A_g / c_g|). With s2_z = 0 and a direction
// with lambda_i = 0 but A_ii > 0 the bound is +infinity (a noiseless channel
// with a continuous input): that is refused with mi::error naming the
// direction rather than returned; A_ii = 0 there adds nothing.
//
// Scale: W* W*^T and dW dW^T overflow double beyond entries of ~1e154 (and
// underflow below ~1e-154). Weights outside [2^-250, 2^250] are therefore
// multiplied by a power of two c before the products, so A and lambda come
// out as c^2 A, c^2 lambda and each term is evaluated as
// c^2 A_ii / (c^2 lambda_i + c^2 s2_z / s2_T), exactly the same ratio.
//
// The caller supplies: W* (n_out x n_in, the converged weights), dW (one or
// more n_out x n_in weight changes, e.g. W(epoch) - W* over the diffusion
// phase), s2_T = the variance of the layer's input units, s2_z = the
// additive noise variance. Or directly the spectrum (A_ii, lambda_i).
// Not a plane estimator: it is a function of weights, not of activations.
//
// API (nats): gaussian_bound(layer_variance, noise_variance);
//   bound(a_diag, lambda)         eq. 9 from the spectrum
//   bound(W*, dW)  bound(W*, {dW_1, ..., dW_K})   eq. 9 from the weights
//   name(), parameters(), layer_variance(), noise_variance()
// The method is called bound, not mutual_information: it is an upper bound on
// I(X;T) (the capacity of independent sub-channels), never an estimate of it,
// and there is no I(T;Y) counterpart (no labels enter the model).
#ifndef MI_ESTIMATORS_GAUSSIAN_BOUND_HPP
#define MI_ESTIMATORS_GAUSSIAN_BOUND_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/finite.hpp"
#include "mi/core/units.hpp"
#include "mi/estimators/detail/linalg.hpp"

namespace mi {

class gaussian_bound {
public:
    /// layer_variance = s2_T (> 0), noise_variance = s2_z (>= 0).
    gaussian_bound(double layer_variance, double noise_variance) : s2t_(layer_variance), s2z_(noise_variance) {
        const char* where = "mi::gaussian_bound";
        if (!(std::isfinite(layer_variance) && layer_variance > 0.0))
            detail::fail(where, "layer_variance", layer_variance, "a finite value > 0");
        if (!(std::isfinite(noise_variance) && noise_variance >= 0.0))
            detail::fail(where, "noise_variance", noise_variance, "a finite value >= 0");
    }

    /// eq. 9 from the spectrum: 1/2 sum_i log(1 + a_ii / (lambda_i + s2_z / s2_T)). Nats.
    double bound(const std::vector<double>& a_diag, const std::vector<double>& lambda) const {
        const char* where = "mi::gaussian_bound::bound";
        if (a_diag.size() != lambda.size())
            detail::fail(where, "lambda size", lambda.size(), "the size of a_diag, " + std::to_string(a_diag.size()));
        double s = 0.0;
        for (std::size_t i = 0; i < a_diag.size(); ++i) {
            check_entry(a_diag[i], where, "a_diag", i);
            check_entry(lambda[i], where, "lambda", i);
            s += term(a_diag[i], lambda[i] + s2z_ / s2t_, 0, where, i);
        }
        return detail::finite(s, where, "the bound");
    }

    /// eq. 9 from the converged weights W* and one accumulated weight change dW (both n_out x n_in).
    template <class T, class U>
    double bound(const activation_view<const T>& w_star, const activation_view<const U>& delta_w) const {
        return bound(w_star, std::vector<activation_view<const U>>{delta_w});
    }

    /// eq. 9 with C = (1/K) sum_k dW_k dW_k^T over K weight changes.
    template <class T, class U>
    double bound(const activation_view<const T>& w_star, const std::vector<activation_view<const U>>& delta_w) const {
        const char* where = "mi::gaussian_bound::bound";
        if (delta_w.empty()) detail::fail(where, "delta_w", "{}", "at least one weight change");
        const int e = scale_exponent(w_star, delta_w);
        const auto w = detail::to_matrix(w_star, where, "W_star", e);
        const std::size_t no = w.shape()[0], ni = w.shape()[1];
        detail::dense_matrix c = xt::zeros<double>({no, no});
        for (std::size_t k = 0; k < delta_w.size(); ++k) {
            const auto d = detail::to_matrix(delta_w[k], where, "delta_w", e);
            if (d.shape()[0] != no || d.shape()[1] != ni)
                detail::fail(where, ("delta_w[" + std::to_string(k) + "] shape").c_str(),
                             std::to_string(d.shape()[0]) + "x" + std::to_string(d.shape()[1]),
                             "the shape of W_star, " + std::to_string(no) + "x" + std::to_string(ni));
            c += detail::matmul_t(d, d);
        }
        c /= static_cast<double>(delta_w.size());
        c = detail::symmetrized(c);
        std::vector<double> lambda;
        detail::dense_matrix u;
        detail::sym_eigen(c, lambda, u, where, "weight-noise covariance C");
        for (auto& l : lambda) l = std::max(l, 0.0);  // PSD by construction; clears -1e-17 rounding
        const auto a = detail::symmetrized(detail::matmul(detail::matmul(xt::eval(xt::transpose(u)), detail::matmul_t(w, w)), u));
        // Groups of equal denominators (lambda ascending, so groups are runs).
        const double noise = std::ldexp(s2z_ / s2t_, 2 * e);
        double s = 0.0;
        std::size_t i = 0;
        while (i < no) {
            const double ci = lambda[i] + noise;
            std::size_t j = i + 1;
            while (j < no && (lambda[j] + noise) - ci <= 1e-9 * (lambda[j] + noise)) ++j;
            if (j - i == 1) {
                s += term(std::max(a(i, i), 0.0), ci, e, where, i);
            } else {
                const std::size_t g = j - i;
                detail::dense_matrix block = xt::zeros<double>({g, g});
                for (std::size_t p = 0; p < g; ++p)
                    for (std::size_t q = 0; q < g; ++q) block(p, q) = a(i + p, i + q);
                for (const double ev : detail::sym_eigenvalues(block, where, "signal block of A")) s += term(std::max(ev, 0.0), ci, e, where, i);
            }
            i = j;
        }
        return detail::finite(s, where, "the bound");
    }

    double layer_variance() const noexcept { return s2t_; }
    double noise_variance() const noexcept { return s2z_; }
    std::string name() const { return "gaussian_bound"; }
    std::string parameters() const {
        return "layer_variance=" + detail::to_text(s2t_) + ";noise_variance=" + detail::to_text(s2z_);
    }

private:
    static void check_entry(double v, const char* where, const char* argument, std::size_t i) {
        if (!(std::isfinite(v) && v >= 0.0))
            detail::fail(where, (std::string(argument) + "[" + std::to_string(i) + "]").c_str(), v,
                         "a finite value >= 0 (a power)");
    }
    // 1/2 log(1 + a / denominator), a and denominator in units scaled by 4^e (see the header).
    double term(double a, double denominator, int e, const char* where, std::size_t direction) const {
        if (a == 0.0) return 0.0;
        if (denominator > 0.0) {
            const double ratio = a / denominator;
            return std::isfinite(ratio) ? 0.5 * std::log1p(ratio) : 0.5 * (std::log(a) - std::log(denominator));
        }
        if (s2z_ == 0.0)
            detail::fail(where, "noise_variance", s2z_,
                         "> 0: direction " + std::to_string(direction) + " carries signal A_ii = " +
                             detail::to_text(std::ldexp(a, -2 * e)) +
                             " with no weight noise (lambda_i = 0), so the bound is infinite");
        // s2_z / s2_T underflowed at this scale: the ratio exceeds 1e300 and log1p(x) = log x.
        return 0.5 * (std::log(a) - std::log(s2z_) + std::log(s2t_) - 2.0 * e * ln2);
    }

    // The power of two that brings the largest weight into [1, 2) when it lies outside [2^-250, 2^250].
    template <class T, class U>
    static int scale_exponent(const activation_view<const T>& w_star,
                              const std::vector<activation_view<const U>>& delta_w) {
        double m = 0.0;
        auto scan = [&m](const auto& v) {
            for (std::size_t i = 0; i < v.rows(); ++i)
                for (std::size_t j = 0; j < v.cols(); ++j) {
                    const double x = std::fabs(static_cast<double>(v(i, j)));
                    if (x > m) m = x;  // NaN/Inf are reported by to_matrix
                }
        };
        scan(w_star);
        for (const auto& d : delta_w) scan(d);
        if (!(m > 0.0) || !std::isfinite(m) || (m >= 0x1p-250 && m <= 0x1p250)) return 0;
        return -std::ilogb(m);
    }

    double s2t_, s2z_;
};

}  // namespace mi

#endif
