// SPDX-License-Identifier: BSD-3-Clause
// renyi: the matrix-based Renyi alpha-entropy functional of Sanchez Giraldo,
// Rao & Principe, "Measures of entropy from data using infinitely divisible
// kernels", IEEE Trans. Inf. Theory 61(1), 2015 (the definition of S_alpha on
// normalised Gram matrices and the joint entropy through their Hadamard
// product), as used for
// information planes by Yu, Wickstrom, Jenssen & Principe, "Understanding
// convolutional neural networks with information theory: an initial
// exploration", IEEE TNNLS 2020 (arXiv 1804.06537, 2018), Yu & Principe 2019
// ("Understanding autoencoders with information theoretic concepts") and
// Wickstrom, Lokse, Kampffmeyer, Yu, Principe & Jenssen 2019 ("Information
// plane analysis of deep neural networks via matrix-based Renyi's entropy and
// tensor kernels"). It needs no density estimate and no binning: the
// eigenvalues of a normalised Gram matrix play the role of probabilities.
//
//   K_ij  = exp(-||z_i - z_j||^2 / (2 sigma^2))          Gaussian Gram matrix
//   A     = K / tr(K) after K_ij / sqrt(K_ii K_jj)        (= K / N: K_ii = 1)
//   S_a(A) = 1/(1 - a) log tr(A^a) = 1/(1 - a) log sum_i lambda_i^a
//   S_a(A, B) = S_a(A o B / tr(A o B))                    joint entropy
//   I(X;T) = S_a(A_X) + S_a(A_T) - S_a(A_X, A_T),  I(T;Y) likewise with A_Y
//
// lambda_i from LAPACK syevd (xtensor-blas eigvalsh); eigenvalues below 0
// (rounding of a PSD matrix) count as 0. alpha = 1 is the limit
// -sum lambda log lambda (von Neumann); the papers use alpha = 1.01.
//
// Kernel width (mi::kernel_width): fixed(sigma), or silverman(gamma):
// sigma = gamma * s * N^(-1/(4 + d)), with s^2 the mean per-unit variance of
// the layer and d its number of units: Silverman's/Scott's rule of thumb
// N^(-1/(4+d)), the rule Yu et al. use with a scale gamma chosen by the
// user; the data scale s is mi's choice, so that the same gamma serves tanh
// and ReLU layers. A constant layer (s = 0) gets K_ij = [z_i == z_j].
//
// Labels: Y is one-hot with its own kernel. label_width = 0 (default) is the
// limit sigma_Y -> 0 of the Gaussian kernel on one-hot vectors, K_Y =
// [y_i == y_j]; then S_a(A_Y) is exactly the Renyi entropy of the class
// proportions, and A_T o A_Y is block diagonal by class, so its spectrum is
// the union of the class blocks' spectra (C eigen-problems of size N_l
// instead of one of size N). label_width > 0 uses exp(-||e_yi - e_yj||^2 /
// (2 sigma_Y^2)) and full eigen-problems.
//
// Options (mi::renyi_options, named fields): alpha = 1.01, width and
// input_width = silverman(1), label_width = 0 (indicator).
//
// Methods: entropy(t); mutual_information(t, x) = I(X;T) with the input X as
// a view; mutual_information(t, labels) = I(T;Y); point(t, samples) takes X
// from the samples' network input (mi::samples::with_network_input), whose
// normalised Gram matrix and S_a(A_X) are computed once per sample set
// (mi::network_input's memo; memory N^2 doubles: 128 MB at N = 4000) and
// shared by every epoch and layer. mi::samples' input ids are not used
// (every row is its own sample). Bootstrap: rows (a half-sample keeps X's
// matching rows), interval centred on the estimate (mi::bias_correction::none). Cost per plane point: three eigen-problems of size N,
// O(N^3). Results in nats.
#ifndef MI_ESTIMATORS_RENYI_HPP
#define MI_ESTIMATORS_RENYI_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/finite.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/resampling.hpp"
#include "mi/core/samples.hpp"
#include "mi/estimators/detail/linalg.hpp"
#include "mi/kernels/gaussian.hpp"
#include "mi/kernels/pairwise.hpp"
#include "mi/estimators/concept.hpp"

namespace mi {

/// Width policy of the Gaussian Gram kernel (see renyi.hpp).
class kernel_width {
public:
    static kernel_width fixed(double sigma) {
        if (!(std::isfinite(sigma) && sigma > 0.0)) detail::fail("mi::kernel_width::fixed", "sigma", sigma, "a finite value > 0");
        return kernel_width(false, sigma);
    }
    static kernel_width silverman(double gamma = 1.0) {
        if (!(std::isfinite(gamma) && gamma > 0.0))
            detail::fail("mi::kernel_width::silverman", "gamma", gamma, "a finite value > 0");
        return kernel_width(true, gamma);
    }

    /// sigma for a layer (rows = samples).
    template <class T>
    double sigma(const activation_view<const T>& z) const {
        if (!rule_) return value_;
        const std::size_t n = z.rows(), d = z.cols();
        double var = 0.0;
        for (std::size_t j = 0; j < d; ++j) {
            double mean = 0.0;
            for (std::size_t i = 0; i < n; ++i) mean += static_cast<double>(z(i, j));
            mean /= static_cast<double>(n);
            double v = 0.0;
            for (std::size_t i = 0; i < n; ++i) {
                const double e = static_cast<double>(z(i, j)) - mean;
                v += e * e;
            }
            var += v / static_cast<double>(n);
        }
        const double s = std::sqrt(var / static_cast<double>(d));
        return value_ * s * std::pow(static_cast<double>(n), -1.0 / (4.0 + static_cast<double>(d)));
    }

    /// "silverman" or "fixed".
    std::string name() const { return rule_ ? "silverman" : "fixed"; }
    bool is_rule() const noexcept { return rule_; }
    double value() const noexcept { return value_; }
    std::string parameters() const {
        return rule_ ? "silverman(" + detail::to_text(value_) + ")" : detail::to_text(value_);
    }

private:
    kernel_width(bool rule, double v) : rule_(rule), value_(v) {}
    bool rule_;
    double value_;
};

namespace detail {

/// Normalised Gaussian Gram matrix A = K / N of the rows of z (unit-diagonal K), in double
/// whatever T: K on the pairwise engine (mi::kernel_matrix), or, for a width whose 1/(2 sigma^2)
/// is not finite (sigma = 0: a constant layer), its limit, the indicator K_ij = [z_i == z_j].
template <class T>
dense_matrix normalized_gram(const activation_view<const T>& z, double sigma) {
    const std::size_t n = z.rows(), d = z.cols();
    const double variance = sigma * sigma;
    dense_matrix a = xt::zeros<double>({n, n});
    if (variance > 0.0 && std::isfinite(0.5 / variance)) {
        const gaussian_kernel k(variance);
        if constexpr (std::is_same_v<std::remove_const_t<T>, double>) {
            kernel_matrix(z, k, a.data(), n);
        } else {
            std::vector<double> zd(n * d);
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t c = 0; c < d; ++c) zd[i * d + c] = static_cast<double>(z(i, c));
            kernel_matrix(activation_view<const double>(zd.data(), n, d), k, a.data(), n);
        }
    } else {
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j) a(i, j) = std::equal(z.row(i), z.row(i) + d, z.row(j)) ? 1.0 : 0.0;
    }
    a /= static_cast<double>(n);
    return a;
}

/// The normalised Gram matrix of z under a width policy. Silverman's width scales with the
/// layer and every entry depends only on |z_i - z_j| / sigma, so a layer whose squared
/// distances would overflow or underflow double (|z| beyond 2^+-400) is taken at the power of
/// two that puts its largest magnitude in [1, 2): the same matrix, without inf or 0 widths.
template <class T>
dense_matrix gram_of(const activation_view<const T>& z, const kernel_width& width) {
    double m = 0.0;
    for (std::size_t i = 0; i < z.rows(); ++i)
        for (std::size_t k = 0; k < z.cols(); ++k) m = std::max(m, std::fabs(static_cast<double>(z(i, k))));
    if (!width.is_rule() || m == 0.0 || (m >= 0x1p-400 && m <= 0x1p400))
        return normalized_gram(z, width.sigma(z));
    const int e = -std::ilogb(m);
    std::vector<T> scaled(z.rows() * z.cols());
    for (std::size_t i = 0; i < z.rows(); ++i)
        for (std::size_t k = 0; k < z.cols(); ++k)
            scaled[i * z.cols() + k] = static_cast<T>(std::ldexp(static_cast<double>(z(i, k)), e));
    const activation_view<const T> v(scaled.data(), z.rows(), z.cols());
    return normalized_gram(v, width.sigma(v));
}

/// S_alpha from the eigenvalues of a trace-one PSD matrix.
inline double renyi_from_spectrum(const std::vector<double>& lambda, double alpha) {
    if (alpha == 1.0) {
        double s = 0.0;
        for (const double l : lambda)
            if (l > 0.0) s -= l * std::log(l);
        return s;
    }
    double t = 0.0;
    for (const double l : lambda)
        if (l > 0.0) t += std::pow(l, alpha);
    return std::log(t) / (1.0 - alpha);
}

}  // namespace detail

/// The Renyi estimator's options, by name (C++20: mi::renyi_options{.alpha = 2.0}).
struct renyi_options {
    double alpha = 1.01;                                   ///< order, > 0 (1: von Neumann)
    kernel_width width = kernel_width::silverman();        ///< the layer's kernel width
    kernel_width input_width = kernel_width::silverman();  ///< the network input's kernel width
    double label_width = 0.0;                              ///< one-hot labels' width; 0: indicator kernel
};

class renyi {
public:
    static constexpr mi::resampling resampling = mi::resampling::rows;  // bootstrap: X comes with the rows in mi::samples
    static constexpr mi::bias_correction bias_correction = mi::bias_correction::none;  // no c/N bias law for the functional

    explicit renyi(renyi_options options = {}) : o_(options) {
        check_alpha(o_.alpha);
        if (!(std::isfinite(o_.label_width) && o_.label_width >= 0.0))
            detail::fail("mi::renyi", "options.label_width", o_.label_width, "a finite value >= 0 (0: indicator kernel)");
    }

    /// S_alpha(A) of a set of rows with a width policy, nats.
    template <class T>
    static double entropy(const activation_view<const T>& z, double alpha, const kernel_width& width) {
        detail::check_activations(z, "mi::renyi::entropy", "activations");
        check_alpha(alpha);
        return detail::finite(
            detail::renyi_from_spectrum(detail::sym_eigenvalues(detail::gram_of(z, width), "mi::renyi::entropy", "Gram matrix"), alpha),
            "mi::renyi::entropy", "S_alpha(T)");
    }
    template <class T>
    double entropy(const activation_view<const T>& layer) const {
        return entropy(layer, o_.alpha, o_.width);
    }

    /// I(X;T) = S(A_X) + S(A_T) - S(A_X, A_T), nats, with the network input x (row i the input of layer row i).
    template <class T, class U>
    double mutual_information(const activation_view<const T>& layer, const activation_view<const U>& x) const {
        const char* where = "mi::renyi::mutual_information";
        detail::check_activations(layer, where, "layer");
        detail::check_activations(x, where, "x");
        detail::check_same_rows(x.rows(), layer.rows(), where, "x rows");
        const input_gram in = input_gram_of(x);
        const auto a = detail::gram_of(layer, o_.width);
        return detail::finite(ixt(a, detail::renyi_from_spectrum(detail::sym_eigenvalues(a, "mi::renyi", "Gram matrix"), o_.alpha), in),
                              where, "I(X;T)");
    }

    /// I(T;Y) = S(A_T) + S(A_Y) - S(A_T, A_Y), nats.
    template <class T>
    double mutual_information(const activation_view<const T>& layer, const labels& y) const {
        const char* where = "mi::renyi::mutual_information";
        detail::check_activations(layer, where, "layer");
        detail::check_same_rows(y.size(), layer.rows(), where, "labels size");
        const auto a = detail::gram_of(layer, o_.width);
        return detail::finite(
            ity(a, detail::renyi_from_spectrum(detail::sym_eigenvalues(a, "mi::renyi", "Gram matrix"), o_.alpha), y), where,
            "I(T;Y)");
    }

    /// Plane point (I(X;T), I(T;Y)) from one Gram matrix of the layer and the samples' network input, nats.
    template <class T>
    plane_point point(const activation_view<const T>& layer, const samples& s) const {
        const char* where = "mi::renyi::point";
        s.check_rows(layer.rows(), where);
        detail::check_activations(layer, where, "layer");
        s.network_input().require(layer.rows(), where);
        const auto in = s.network_input().template memo<input_gram>(
            "mi::renyi;" + parameters(), [&] { return s.network_input().visit([&](const auto& x) { return input_gram_of(x); }); });
        const auto a = detail::gram_of(layer, o_.width);
        const double st = detail::renyi_from_spectrum(detail::sym_eigenvalues(a, "mi::renyi", "Gram matrix"), o_.alpha);
        plane_point p;
        p.ixt = ixt(a, st, *in);
        p.ity = ity(a, st, s.labels());
        p.ixt_kind = ixt_quantity::mutual_information;
        return detail::finite(p, "mi::renyi::point");
    }

    const renyi_options& options() const noexcept { return o_; }
    double alpha() const noexcept { return o_.alpha; }
    std::string name() const { return "renyi"; }
    std::string parameters() const {
        return "alpha=" + detail::to_text(o_.alpha) + ";width=" + o_.width.parameters() +
               ";input_width=" + o_.input_width.parameters() + ";label_width=" +
               (o_.label_width == 0.0 ? std::string("indicator") : detail::to_text(o_.label_width));
    }

private:
    // The network input's normalised Gram matrix and its entropy
    struct input_gram {
        detail::dense_matrix gram;
        double entropy = 0.0;
    };

    template <class U>
    input_gram input_gram_of(const activation_view<const U>& x) const {
        input_gram in;
        in.gram = detail::gram_of(x, o_.input_width);
        in.entropy = detail::renyi_from_spectrum(detail::sym_eigenvalues(in.gram, "mi::renyi", "Gram matrix"), o_.alpha);
        return in;
    }

    static void check_alpha(double alpha) {
        if (!(std::isfinite(alpha) && alpha > 0.0)) detail::fail("mi::renyi", "alpha", alpha, "a finite value > 0");
    }

    double ixt(const detail::dense_matrix& a, double st, const input_gram& in) const {
        const std::size_t n = a.shape()[0];
        detail::dense_matrix j = a * in.gram;
        j *= static_cast<double>(n);  // A_X o A_T has trace 1/N; renormalise to trace 1
        const double sj = detail::renyi_from_spectrum(detail::sym_eigenvalues(j, "mi::renyi", "Gram matrix"), o_.alpha);
        return in.entropy + st - sj;
    }

    double ity(const detail::dense_matrix& a, double st, const labels& y) const {
        const std::size_t n = a.shape()[0];
        const double dn = static_cast<double>(n);
        if (o_.label_width == 0.0) {
            std::vector<double> py;
            for (const auto c : y.counts()) py.push_back(static_cast<double>(c) / dn);
            std::vector<double> joint;
            for (const auto& rows : y.rows_by_class()) {
                const std::size_t m = rows.size();
                if (m == 0) continue;
                detail::dense_matrix b = xt::zeros<double>({m, m});
                for (std::size_t p = 0; p < m; ++p)
                    for (std::size_t q = 0; q < m; ++q) b(p, q) = a(rows[p], rows[q]);
                for (const double l : detail::sym_eigenvalues(b, "mi::renyi", "Gram matrix")) joint.push_back(l);
            }
            return detail::renyi_from_spectrum(py, o_.alpha) + st - detail::renyi_from_spectrum(joint, o_.alpha);
        }
        const double off = std::exp(-1.0 / (o_.label_width * o_.label_width));  // ||e_a - e_b||^2 = 2
        detail::dense_matrix ay = xt::zeros<double>({n, n});
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j) ay(i, j) = (y[i] == y[j] ? 1.0 : off) / dn;
        const double sy = detail::renyi_from_spectrum(detail::sym_eigenvalues(ay, "mi::renyi", "Gram matrix"), o_.alpha);
        detail::dense_matrix j = a * ay;
        j *= dn;
        return sy + st - detail::renyi_from_spectrum(detail::sym_eigenvalues(j, "mi::renyi", "Gram matrix"), o_.alpha);
    }

    renyi_options o_;
};

}  // namespace mi

#endif
