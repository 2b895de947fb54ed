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
// alpha = 1 is the limit -sum lambda log lambda (von Neumann); the papers use
// alpha = 1.01.
//
// Trace methods (renyi_options::trace, mi::trace_method). Only tr(A^alpha)
// (tr(-A log A) at alpha = 1) is needed, not the spectrum:
// - exact: every lambda_i from LAPACK syevd (xtensor-blas eigvalsh), O(N^3);
//   eigenvalues below 0 (rounding of a PSD matrix) count as 0.
// - frobenius (alpha = 2 only): tr(A^2) = sum_ij A_ij^2, exact, O(N^2).
// - lanczos: stochastic Lanczos quadrature (Ubaru, Chen & Saad, SIAM J. Matrix
//   Anal. Appl. 38(4), 2017) with Gauss-Radau nodes at 0 and two control
//   variates with exact traces (tr A and tr A^2); detail/lanczos.hpp has the
//   method. `probes` Rademacher probes from mi::rng(derive_seed(seed, matrix,
//   block)), at most `lanczos_steps` steps each; O(N^2 probes steps) time on
//   the stored Gram matrix; bit-identical for any number of threads. Class
//   blocks of the joint A_T o A_Y with at most lanczos_steps rows take their
//   eigenvalues.
// - automatic (default): frobenius at alpha = 2; exact below exact_below
//   (1000) rows; lanczos above, checked by its own error estimate (3 standard
//   errors of the probe mean plus the Gauss/Gauss-Radau bracket, carried to S
//   by dS = dtr / (tr |1 - alpha|)): if that exceeds tolerance (1e-3) times S,
//   the matrix takes every eigenvalue instead. Below exact_below, every value
//   is the exact path's, bit for bit.
// Defaults (probes = 16, lanczos_steps = 40) and their measured error at
// alpha = 1.01, against numpy's eigvalsh: on the 1200-row data of
// tests/reference/rest_renyi_lanczos.py (Silverman widths, S_T = 7.07 of
// log N = 7.09: the regime of Silverman's rule on a 10-unit tanh layer),
// S_T within 2e-6 relative, I(X;T) and I(T;Y) within 4e-5 absolute; on
// bench/compare_estimators.py's data (bench/estimators.md, N = 1000-8000)
// I(X;T) within 1.5e-4 relative; I(T;Y) = 0.67, a difference of entropies
// near 8, within 2.5e-4 relative up to N = 4000 and 2.6e-3 at N = 8000
// (1.8e-3 absolute: 2e-4 of the entropies). The 1e-3 tolerance is on S, so
// a small I(T;Y) can be off by more than 1e-3 of itself. Where the spectrum
// is spread (wide kernels: S_T = 3.6 at N = 1200, silverman(4)) sixteen
// probes leave ~0.2-0.4% error on S; the error estimate sees it and
// automatic computes the exact spectra (tested).
// Cost per point at N = 2000: about 20x less CPU than the exact path.
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
// input_width = silverman(1), label_width = 0 (indicator), trace = automatic,
// exact_below = 1000, probes = 16, lanczos_steps = 40, tolerance = 1e-3,
// seed = 0 (the trace options appear in parameters() when any differs from
// its default).
//
// Methods: entropy(t); mutual_information(t, x) = I(X;T) with the input X as
// a view; mutual_information(t, labels) = I(T;Y); point(t, samples) takes X
// from the samples' network input (mi::samples::with_network_input), whose
// normalised Gram matrix and S_a(A_X) are computed once per sample set
// (mi::network_input's memo; memory N^2 doubles: 128 MB at N = 4000) and
// shared by every epoch and layer. mi::samples' input ids are not used
// (every row is its own sample). Bootstrap: rows (a half-sample keeps X's
// matching rows), interval centred on the estimate (mi::bias_correction::none).
// Cost per plane point: exact, three eigen-problems of size N, O(N^3);
// lanczos, O(N^2 d) for the Gram matrix and O(N^2 probes steps) for the
// traces (measured growth in bench/estimators.md). Memory: the N x N Gram
// matrices are stored (A_T, which then becomes A_X o A_T, and the memoised
// A_X: 2 x 8 N^2 bytes; with indicator labels, A_T's class blocks besides).
// Results in nats.
#ifndef MI_ESTIMATORS_RENYI_HPP
#define MI_ESTIMATORS_RENYI_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/finite.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/resampling.hpp"
#include "mi/core/samples.hpp"
#include "mi/core/random.hpp"
#include "mi/estimators/detail/lanczos.hpp"
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
    dense_matrix a = dense_matrix::from_shape({n, n});  // every entry is written below
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
    const double dn = static_cast<double>(n);
    parallel_for(n, [&](std::size_t r) {
        for (double* p = a.data() + r * n; p != a.data() + (r + 1) * n; ++p) *p /= dn;
    }, 0, 64);
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

/// How mi::renyi takes tr(A^alpha) (see renyi.hpp, "Trace methods").
enum class trace_method {
    automatic,  ///< frobenius at alpha = 2; exact below exact_below rows; lanczos above (exact if its error is too large)
    exact,      ///< every eigenvalue (LAPACK syevd), O(N^3)
    frobenius,  ///< alpha = 2 only: tr(A^2) = sum_ij A_ij^2, exact, O(N^2)
    lanczos     ///< stochastic Lanczos quadrature with control variates, O(N^2 probes steps)
};

/// "automatic", "exact", "frobenius" or "lanczos".
inline std::string to_string(trace_method m) {
    switch (m) {
        case trace_method::exact: return "exact";
        case trace_method::frobenius: return "frobenius";
        case trace_method::lanczos: return "lanczos";
        default: return "automatic";
    }
}

/// The Renyi estimator's options, by name (C++20: mi::renyi_options{.alpha = 2.0}).
struct renyi_options {
    double alpha = 1.01;                                   ///< order, > 0 (1: von Neumann)
    kernel_width width = kernel_width::silverman();        ///< the layer's kernel width
    kernel_width input_width = kernel_width::silverman();  ///< the network input's kernel width
    double label_width = 0.0;                              ///< one-hot labels' width; 0: indicator kernel
    trace_method trace = trace_method::automatic;          ///< how tr(A^alpha) is taken
    std::size_t exact_below = 1000;  ///< automatic: matrices of fewer rows take every eigenvalue
    std::size_t probes = 16;         ///< lanczos: Rademacher probe vectors per matrix, >= 4
    std::size_t lanczos_steps = 40;  ///< lanczos: at most this many Lanczos steps per probe, >= 3
    double tolerance = 1e-3;         ///< automatic: largest accepted 3-sigma relative error of S_alpha
    std::uint64_t seed = 0;          ///< lanczos: the probes' seed
};

class renyi {
public:
    static constexpr mi::resampling resampling = mi::resampling::rows;  // bootstrap: X comes with the rows in mi::samples
    static constexpr mi::bias_correction bias_correction = mi::bias_correction::none;  // no c/N bias law for the functional

    explicit renyi(renyi_options options = {}) : o_(options) {
        check_alpha(o_.alpha);
        if (!(std::isfinite(o_.label_width) && o_.label_width >= 0.0))
            detail::fail("mi::renyi", "options.label_width", o_.label_width, "a finite value >= 0 (0: indicator kernel)");
        if (o_.trace == trace_method::frobenius && o_.alpha != 2.0)
            detail::fail("mi::renyi", "options.alpha", o_.alpha, "2 with options.trace = frobenius (tr(A^2) only)");
        if (o_.probes < 4)
            detail::fail("mi::renyi", "options.probes", o_.probes, "at least 4 (two control variates and their residual)");
        if (o_.lanczos_steps < 3) detail::fail("mi::renyi", "options.lanczos_steps", o_.lanczos_steps, "at least 3");
        if (!(std::isfinite(o_.tolerance) && o_.tolerance > 0.0))
            detail::fail("mi::renyi", "options.tolerance", o_.tolerance, "a finite value > 0");
    }

    /// S_alpha(A) of a set of rows with a width policy, nats (the other options at their defaults).
    template <class T>
    static double entropy(const activation_view<const T>& z, double alpha, const kernel_width& width) {
        check_alpha(alpha);
        renyi_options o;
        o.alpha = alpha;
        o.width = width;
        return renyi(o).entropy(z);
    }
    /// S_alpha(A_T) of the layer, nats.
    template <class T>
    double entropy(const activation_view<const T>& layer) const {
        detail::check_activations(layer, "mi::renyi::entropy", "activations");
        const auto a = detail::gram_of(layer, o_.width);
        return detail::finite(entropy_of({&a}, role_layer), "mi::renyi::entropy", "S_alpha(T)");
    }

    /// I(X;T) = S(A_X) + S(A_T) - S(A_X, A_T), nats, with the network input x (row i the input of layer row i).
    template <class T, class U>
    double mutual_information(const activation_view<const T>& layer, const activation_view<const U>& x) const {
        const char* where = "mi::renyi::mutual_information";
        detail::check_activations(layer, where, "layer");
        detail::check_activations(x, where, "x");
        detail::check_same_rows(x.rows(), layer.rows(), where, "x rows");
        const input_gram in = input_gram_of(x);
        auto a = detail::gram_of(layer, o_.width);
        const double st = entropy_of({&a}, role_layer);
        return detail::finite(ixt(std::move(a), st, in), where, "I(X;T)");
    }

    /// I(T;Y) = S(A_T) + S(A_Y) - S(A_T, A_Y), nats.
    template <class T>
    double mutual_information(const activation_view<const T>& layer, const labels& y) const {
        const char* where = "mi::renyi::mutual_information";
        detail::check_activations(layer, where, "layer");
        detail::check_same_rows(y.size(), layer.rows(), where, "labels size");
        const auto a = detail::gram_of(layer, o_.width);
        return detail::finite(ity(a, entropy_of({&a}, role_layer), y), where, "I(T;Y)");
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
        auto a = detail::gram_of(layer, o_.width);
        const double st = entropy_of({&a}, role_layer);
        plane_point p;
        p.ity = ity(a, st, s.labels());
        p.ixt = ixt(std::move(a), st, *in);  // A_X o A_T overwrites A_T, which I(T;Y) no longer needs
        p.ixt_kind = ixt_quantity::mutual_information;
        return detail::finite(p, "mi::renyi::point");
    }

    const renyi_options& options() const noexcept { return o_; }
    double alpha() const noexcept { return o_.alpha; }
    std::string name() const { return "renyi"; }
    std::string parameters() const {
        return "alpha=" + detail::to_text(o_.alpha) + ";width=" + o_.width.parameters() +
               ";input_width=" + o_.input_width.parameters() + ";label_width=" +
               (o_.label_width == 0.0 ? std::string("indicator") : detail::to_text(o_.label_width)) + trace_parameters();
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
        in.entropy = entropy_of({&in.gram}, role_input);
        return in;
    }

    // Seed streams of the matrices of a point: every matrix draws its own probes, so a value
    // does not depend on which other quantities were computed before it.
    static constexpr std::uint64_t role_layer = 0, role_input = 1, role_joint_input = 2, role_labels = 3,
                                   role_joint_labels = 4;

    // ";trace=..." when any trace option differs from its default (the default keeps the
    // parameters of the versions before the option existed).
    std::string trace_parameters() const {
        const renyi_options d;
        if (o_.trace == d.trace && o_.exact_below == d.exact_below && o_.probes == d.probes &&
            o_.lanczos_steps == d.lanczos_steps && o_.tolerance == d.tolerance && o_.seed == d.seed)
            return "";
        return ";trace=" + to_string(o_.trace) + ";exact_below=" + std::to_string(o_.exact_below) +
               ";probes=" + std::to_string(o_.probes) + ";lanczos_steps=" + std::to_string(o_.lanczos_steps) +
               ";tolerance=" + detail::to_text(o_.tolerance) + ";seed=" + std::to_string(o_.seed);
    }

    // f(lambda) whose sum over the spectrum gives S_alpha: lambda^alpha, or -lambda log lambda at alpha = 1
    double spectral_term(double l) const {
        if (!(l > 0.0)) return 0.0;
        return o_.alpha == 1.0 ? -l * std::log(l) : std::pow(l, o_.alpha);
    }

    // S_alpha from tr f(A) (the sum of spectral_term over the spectrum)
    double entropy_from_trace(double trace) const {
        return o_.alpha == 1.0 ? trace : std::log(trace) / (1.0 - o_.alpha);
    }

    // Every eigenvalue: today's exact path, unchanged (the blocks' spectra joined in order).
    double exact_entropy(const std::vector<const detail::dense_matrix*>& blocks) const {
        if (blocks.size() == 1)
            return detail::renyi_from_spectrum(detail::sym_eigenvalues(*blocks[0], "mi::renyi", "Gram matrix"), o_.alpha);
        std::vector<double> joint;
        for (const auto* b : blocks)
            for (const double l : detail::sym_eigenvalues(*b, "mi::renyi", "Gram matrix")) joint.push_back(l);
        return detail::renyi_from_spectrum(joint, o_.alpha);
    }

    // sum_ij B_ij^2, which is also the check that every entry is finite (one pass over B, not two)
    static double sum_of_squares(const detail::dense_matrix& b) {
        const double s = detail::slq::frobenius_squared(b.data(), b.shape()[0]);
        if (!std::isfinite(s)) {
            detail::require_finite(b, "mi::renyi", "Gram matrix");
            detail::fail("mi::renyi", "Gram matrix", "entries whose squares sum to " + detail::to_text(s),
                         "a finite sum of squares (entries of a normalised Gram matrix are at most 1)");
        }
        return s;
    }

    // tr f(A) of a block-diagonal matrix by SLQ, blocks of at most lanczos_steps rows exactly.
    detail::trace_estimate lanczos_trace(const std::vector<const detail::dense_matrix*>& blocks, std::uint64_t role) const {
        detail::trace_estimate total;
        for (std::size_t k = 0; k < blocks.size(); ++k) {
            const auto& b = *blocks[k];
            const std::size_t n = b.shape()[0];
            if (n == 0) continue;
            if (n <= o_.lanczos_steps) {
                for (const double l : detail::sym_eigenvalues(b, "mi::renyi", "Gram matrix")) total.value += spectral_term(l);
                continue;
            }
            const auto e = detail::slq_trace(
                b.data(), n, sum_of_squares(b), [this](double l) { return spectral_term(l); }, o_.probes,
                o_.lanczos_steps, derive_seed(o_.seed, role, k));
            total.value += e.value;
            total.variance += e.variance;
            total.quadrature_error += e.quadrature_error;
        }
        return total;
    }

    // S_alpha of the trace-one PSD matrix with these diagonal blocks (one block: the whole
    // matrix), by the method the options choose for its size.
    double entropy_of(const std::vector<const detail::dense_matrix*>& blocks, std::uint64_t role) const {
        std::size_t n = 0;
        for (const auto* b : blocks) n += b->shape()[0];
        trace_method m = o_.trace;
        if (m == trace_method::automatic)
            m = o_.alpha == 2.0 ? trace_method::frobenius : n < o_.exact_below ? trace_method::exact : trace_method::lanczos;
        if (m == trace_method::exact) return exact_entropy(blocks);
        if (m == trace_method::frobenius) {
            double t = 0.0;
            for (const auto* b : blocks) t += sum_of_squares(*b);
            return -std::log(t);
        }
        const detail::trace_estimate t = lanczos_trace(blocks, role);
        const double s = entropy_from_trace(t.value);
        if (o_.trace == trace_method::automatic) {
            // the estimate's own error (3 standard errors plus the quadrature bracket), carried to
            // S by dS = dtr / (tr |1 - alpha|); above the tolerance: take every eigenvalue
            const double to_s = o_.alpha == 1.0 ? 1.0 : 1.0 / (t.value * std::fabs(1.0 - o_.alpha));
            const double error = (3.0 * std::sqrt(t.variance) + t.quadrature_error) * to_s;
            if (!(t.value > 0.0) || !(error <= o_.tolerance * std::fabs(s))) return exact_entropy(blocks);
        }
        return s;
    }

    static void check_alpha(double alpha) {
        if (!(std::isfinite(alpha) && alpha > 0.0)) detail::fail("mi::renyi", "alpha", alpha, "a finite value > 0");
    }

    // I(X;T) from A_T, whose storage becomes the joint A_X o A_T (a fresh N x N matrix would cost
    // its page faults at every point: a tenth of a point at N = 8000)
    double ixt(detail::dense_matrix j, double st, const input_gram& in) const {
        const std::size_t n = j.shape()[0];
        // A_X o A_T has trace 1/N; renormalised to trace 1 (a loop on all cores: the xtensor
        // expression cost as much as the fast path's whole trace estimate at N = 2000)
        const double dn = static_cast<double>(n);
        parallel_for(n, [&](std::size_t r) {
            const double* q = in.gram.data() + r * n;
            double* o = j.data() + r * n;
            for (std::size_t c = 0; c < n; ++c) o[c] = o[c] * q[c] * dn;
        }, 0, 64);
        const double sj = entropy_of({&j}, role_joint_input);
        return in.entropy + st - sj;
    }

    double ity(const detail::dense_matrix& a, double st, const labels& y) const {
        const std::size_t n = a.shape()[0];
        const double dn = static_cast<double>(n);
        if (o_.label_width == 0.0) {
            std::vector<double> py;
            for (const auto c : y.counts()) py.push_back(static_cast<double>(c) / dn);
            std::vector<detail::dense_matrix> blocks;
            for (const auto& rows : y.rows_by_class()) {
                const std::size_t m = rows.size();
                if (m == 0) continue;
                detail::dense_matrix b = detail::dense_matrix::from_shape({m, m});
                for (std::size_t p = 0; p < m; ++p) {
                    const double* src = a.data() + rows[p] * n;
                    double* dst = b.data() + p * m;
                    for (std::size_t q = 0; q < m; ++q) dst[q] = src[rows[q]];
                }
                blocks.push_back(std::move(b));
            }
            std::vector<const detail::dense_matrix*> joint;
            for (const auto& b : blocks) joint.push_back(&b);
            return detail::renyi_from_spectrum(py, o_.alpha) + st - entropy_of(joint, role_joint_labels);
        }
        const double off = std::exp(-1.0 / (o_.label_width * o_.label_width));  // ||e_a - e_b||^2 = 2
        detail::dense_matrix ay = xt::zeros<double>({n, n});
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j) ay(i, j) = (y[i] == y[j] ? 1.0 : off) / dn;
        const double sy = entropy_of({&ay}, role_labels);
        detail::dense_matrix j = a * ay;
        j *= dn;
        return sy + st - entropy_of({&j}, role_joint_labels);
    }

    renyi_options o_;
};

}  // namespace mi

#endif
