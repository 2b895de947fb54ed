// SPDX-License-Identifier: BSD-3-Clause
// sliced<PerSlice>: sliced mutual information (Goldfeld & Greenewald,
// "Sliced Mutual Information: A Scalable Measure of Statistical Dependence",
// NeurIPS 2021, arXiv 2110.05279, Definition 1) and its k-dimensional
// generalisation k-SMI (Goldfeld, Greenewald, Nuradha & Reeves, "k-Sliced
// Mutual Information: A Quantitative Study of Scalability with Dimension",
// NeurIPS 2022, arXiv 2206.08526, the definition of k-SMI), estimated by
// averaging a per-slice estimator over random slices (the Monte Carlo
// integrator both papers analyse):
//
//   SI(X;T)   = E_{A ~ St(k, dx), B ~ St(k, dt)} I(A^T X; B^T T)
//   SI(T;Y)   = E_{B ~ St(k, dt)} I(B^T T; Y)          (labels are not projected)
//   estimate  = (1/M) sum_{s < M} Ihat(A_s^T X; B_s^T T)
//
// St(k, d) is the Stiefel manifold of orthonormal k-frames in R^d with its
// uniform (Haar) measure; for k = 1 it is the unit sphere S^{d-1} and
// SI is the SMI of the 2021 paper. A frame is drawn as the Q factor of the
// QR decomposition of a d x k matrix of independent standard normals with
// the diagonal of R made positive (modified Gram-Schmidt, done twice for
// orthogonality to rounding), which is Haar-distributed.
//
// Per-slice estimators (PerSlice):
//   ksg<Search>     KSG (algorithm and k from its ksg_options) between the
//                   projected X and T; I(T;Y) by its Ross (2014) form on the
//                   projected T (mi/estimators/ksg.hpp). The default.
//   gaussian_slice  the Gaussian MI of the sample correlation of the
//                   projections: k = 1: I = -1/2 log(1 - rho^2); k > 1:
//                   I = 1/2 (log det C_XX + log det C_TT - log det C), C the
//                   2k x 2k sample correlation matrix. Exact for jointly
//                   Gaussian (X, T), a lower bound on the slice's MI for any
//                   distribution with the same second moments. It has no
//                   I(T;Y) with class labels (a Gaussian class-conditional
//                   form is no standard estimator): sliced<gaussian_slice>
//                   refuses mutual_information(T, labels) and point() with
//                   mi::error; use mutual_information(T, X).
// A per-slice policy provides name(), parameters() and
// mutual_information(activation_view<const double>, activation_view<const double>),
// and optionally mutual_information(activation_view<const double>, const labels&).
//
// Options (mi::sliced_options, named fields): slices = 128 (M), k = 1 (the
// dimension of the projections; k-SMI when k > 1, k <= every projected
// dimension), seed = 0. Slice s draws T's frame B_s and then X's frame A_s
// from the stream mi::rng(derive_seed(seed, s)), so the directions do not
// depend on the thread count, and the same B_s projects T for I(X;T) and for
// I(T;Y). Slices run in parallel (mi::parallel_for; the per-slice estimator
// runs serially inside), and the slice estimates are summed in slice order:
// results are bit-identical for every thread count.
//
// Methods:
//   mutual_information(t, x)       SI(X;T) between the rows of two views
//   mutual_information(t, labels)  SI(T;Y)
//   point(t, samples)              SI(X;T) with X the samples' network input
//                                  (mi::samples::with_network_input;
//                                  ixt_kind = mutual_information) and SI(T;Y)
//   name() "sliced", parameters() "slices=128;k=1;seed=0;per_slice=ksg;" and
//   the per-slice estimator's parameters, each prefixed "per_slice.".
// Bootstrap: rows (X travels with the rows in mi::samples); interval centred
// on the estimate (mi::bias_correction::none: the per-slice kNN bias is not c/N).
// Cost: M per-slice estimates on N x k projections, plus O(N d k) per slice
// for the projections. Results in nats. Invariance: SI is unchanged by an
// orthogonal map of X or T (the slicing measure is rotation invariant); the
// estimate changes by Monte Carlo error only (other directions meet the data).
// Thread safety: const member functions may be called from several threads.
#ifndef MI_ESTIMATORS_SLICED_HPP
#define MI_ESTIMATORS_SLICED_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/finite.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/random.hpp"
#include "mi/core/resampling.hpp"
#include "mi/core/samples.hpp"
#include "mi/estimators/concept.hpp"
#include "mi/estimators/ksg.hpp"

namespace mi {

/// Sliced MI's options, by name (C++20: mi::sliced_options{.slices = 512, .k = 2}).
struct sliced_options {
    std::size_t slices = 128;  ///< M, the number of random slices, >= 1
    std::size_t k = 1;         ///< dimension of each projection (k-SMI), >= 1 and <= every projected dimension
    std::uint64_t seed = 0;    ///< slice s uses the stream derive_seed(seed, s)
};

namespace detail {

/// A Haar-distributed orthonormal k-frame of R^d, row-major d x k (column j is the j-th
/// direction): modified Gram-Schmidt (twice) on a d x k standard normal matrix, i.e. the
/// Q of its QR decomposition with a positive diagonal of R. Requires 1 <= k <= d.
inline std::vector<double> stiefel_frame(std::size_t d, std::size_t k, rng& r) {
    std::vector<double> q(d * k);
    for (double& v : q) v = r.normal();
    for (std::size_t j = 0; j < k; ++j) {
        for (int pass = 0; pass < 2; ++pass)
            for (std::size_t m = 0; m < j; ++m) {
                double dot = 0.0;
                for (std::size_t i = 0; i < d; ++i) dot += q[i * k + m] * q[i * k + j];
                for (std::size_t i = 0; i < d; ++i) q[i * k + j] -= dot * q[i * k + m];
            }
        double norm = 0.0;
        for (std::size_t i = 0; i < d; ++i) norm += q[i * k + j] * q[i * k + j];
        norm = std::sqrt(norm);
        // a Gaussian column in the span of the previous ones has probability 0; redraw it if rounding says so
        if (!(norm > 1e-8)) {
            for (std::size_t i = 0; i < d; ++i) q[i * k + j] = r.normal();
            --j;  // j is unsigned, but the loop's ++j brings it back to the same column
            continue;
        }
        for (std::size_t i = 0; i < d; ++i) q[i * k + j] /= norm;
    }
    return q;
}

/// The rows of v projected on the frame f (row-major d x k): N x k doubles, row-major.
template <class T>
std::vector<double> project_rows(const activation_view<const T>& v, const std::vector<double>& f, std::size_t k) {
    const std::size_t n = v.rows(), d = v.cols();
    std::vector<double> out(n * k, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        const T* row = v.row(i);
        double* o = out.data() + i * k;
        for (std::size_t c = 0; c < d; ++c) {
            const double x = static_cast<double>(row[c]);
            for (std::size_t j = 0; j < k; ++j) o[j] += x * f[c * k + j];
        }
    }
    return out;
}

template <class P, class = void>
struct has_label_mutual_information : std::false_type {};
template <class P>
struct has_label_mutual_information<
    P, std::void_t<decltype(std::declval<const P&>().mutual_information(std::declval<activation_view<const double>>(),
                                                                        std::declval<const labels&>()))>>
    : std::true_type {};

/// log det of a correlation matrix (unit diagonal, m x m, row-major) by Cholesky; false when it is
/// singular to working precision: a pivot at or below 1e-12 (far above the rounding of a sample
/// correlation, ~sqrt(N) 1e-16; a Gaussian MI above 13.8 nats per dimension).
inline bool cholesky_logdet(std::vector<double> a, std::size_t m, double& logdet) {
    logdet = 0.0;
    for (std::size_t j = 0; j < m; ++j) {
        double pivot = a[j * m + j];
        for (std::size_t p = 0; p < j; ++p) pivot -= a[j * m + p] * a[j * m + p];
        if (!(pivot > 1e-12)) return false;
        const double l = std::sqrt(pivot);
        a[j * m + j] = l;
        logdet += 2.0 * std::log(l);
        for (std::size_t i = j + 1; i < m; ++i) {
            double s = a[i * m + j];
            for (std::size_t p = 0; p < j; ++p) s -= a[i * m + p] * a[j * m + p];
            a[i * m + j] = s / l;
        }
    }
    return true;
}

}  // namespace detail

/// Per-slice policy: the Gaussian mutual information of the sample correlation of two projections.
class gaussian_slice {
public:
    std::string name() const { return "gaussian"; }
    std::string parameters() const { return "form=correlation"; }

    /// 1/2 (log det C_aa + log det C_bb - log det C) of the sample correlation matrix C of (a, b);
    /// k = 1: -1/2 log(1 - rho^2). 0 when every row of a (or of b) is the same.
    template <class T, class U>
    double mutual_information(const activation_view<const T>& a, const activation_view<const U>& b) const {
        const char* where = "mi::gaussian_slice::mutual_information";
        detail::check_activations(a, where, "a");
        detail::check_activations(b, where, "b");
        detail::check_same_rows(b.rows(), a.rows(), where, "b rows");
        const std::size_t n = a.rows(), ka = a.cols(), kb = b.cols(), m = ka + kb;
        if (n <= m)
            detail::fail(where, "rows", n, "more than the " + std::to_string(m) + " columns of the two projections");
        const auto at = [&](std::size_t i, std::size_t c) {
            return c < ka ? static_cast<double>(a(i, c)) : static_cast<double>(b(i, c - ka));
        };
        std::vector<double> mean(m, 0.0), cov(m * m, 0.0);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t c = 0; c < m; ++c) mean[c] += at(i, c);
        for (double& v : mean) v /= static_cast<double>(n);
        // centred values divided by each column's largest (a power of two, exact), so that the products
        // neither overflow nor underflow at any scale of the layer
        std::vector<double> scale(m, 0.0), z(m);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t c = 0; c < m; ++c) scale[c] = std::max(scale[c], std::fabs(at(i, c) - mean[c]));
        for (double& v : scale) v = v > 0.0 ? std::ldexp(1.0, std::ilogb(v)) : 1.0;
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t c = 0; c < m; ++c) z[c] = (at(i, c) - mean[c]) / scale[c];
            for (std::size_t c = 0; c < m; ++c)
                for (std::size_t e = 0; e <= c; ++e) cov[c * m + e] += z[c] * z[e];
        }
        // a side whose values are all equal (exactly: a centred sum can leave rounding) carries no information;
        // a constant column beside varying ones makes a singular correlation matrix, refused below
        bool a_constant = true, b_constant = true;
        for (std::size_t i = 1; i < n; ++i)
            for (std::size_t c = 0; c < m; ++c)
                if (at(i, c) != at(0, c)) (c < ka ? a_constant : b_constant) = false;
        if (a_constant || b_constant) return 0.0;
        // correlation matrix (scale-free: the layer's units do not matter)
        std::vector<double> sd(m);
        for (std::size_t c = 0; c < m; ++c) sd[c] = std::sqrt(cov[c * m + c]);
        std::vector<double> corr(m * m);
        for (std::size_t c = 0; c < m; ++c)
            for (std::size_t e = 0; e <= c; ++e)
                corr[c * m + e] = corr[e * m + c] = c == e ? 1.0 : cov[c * m + e] / (sd[c] * sd[e]);
        std::vector<double> caa(ka * ka), cbb(kb * kb);
        for (std::size_t c = 0; c < ka; ++c)
            for (std::size_t e = 0; e < ka; ++e) caa[c * ka + e] = corr[c * m + e];
        for (std::size_t c = 0; c < kb; ++c)
            for (std::size_t e = 0; e < kb; ++e) cbb[c * kb + e] = corr[(ka + c) * m + ka + e];
        double la = 0.0, lb = 0.0, lj = 0.0;
        if (!detail::cholesky_logdet(caa, ka, la) || !detail::cholesky_logdet(cbb, kb, lb))
            detail::fail(where, "correlation matrix of a projection", "singular",
                         "positive definite (the projected variable has fewer than k dimensions of variation)");
        if (!detail::cholesky_logdet(corr, m, lj))
            detail::fail(where, "joint correlation matrix of the projections", "singular",
                         "positive definite (a deterministic linear relation: the Gaussian mutual information is infinite)");
        return detail::finite(0.5 * (la + lb - lj), where, "I(a;b)");
    }
};

template <class PerSlice = ksg<>>
class sliced {
public:
    static constexpr mi::resampling resampling = mi::resampling::rows;  // bootstrap: X comes with the rows in mi::samples
    static constexpr mi::bias_correction bias_correction = mi::bias_correction::none;  // per-slice kNN bias is not c/N
    using per_slice_type = PerSlice;

    explicit sliced(sliced_options options = {}, per_slice_type per_slice = per_slice_type())
        : per_(std::move(per_slice)), o_(options) {
        if (o_.slices < 1) detail::fail("mi::sliced", "options.slices", o_.slices, ">= 1");
        if (o_.k < 1) detail::fail("mi::sliced", "options.k", o_.k, ">= 1");
    }

    const sliced_options& options() const noexcept { return o_; }
    const per_slice_type& per_slice() const noexcept { return per_; }

    std::string name() const { return "sliced"; }
    std::string parameters() const {
        std::string p = "slices=" + std::to_string(o_.slices) + ";k=" + std::to_string(o_.k) +
                        ";seed=" + std::to_string(o_.seed) + ";per_slice=" + per_.name();
        const std::string inner = per_.parameters();
        std::size_t begin = 0;
        while (begin < inner.size()) {
            std::size_t end = inner.find(';', begin);
            if (end == std::string::npos) end = inner.size();
            if (end > begin) p += ";per_slice." + inner.substr(begin, end - begin);
            begin = end + 1;
        }
        return p;
    }

    /// SI(X;T) in nats between the rows of t and x (same number of rows).
    template <class T, class U>
    double mutual_information(const activation_view<const T>& t, const activation_view<const U>& x) const {
        const char* where = "mi::sliced::mutual_information";
        detail::check_activations(t, where, "t");
        detail::check_activations(x, where, "x");
        detail::check_same_rows(x.rows(), t.rows(), where, "x rows");
        check_dimension(t.cols(), where, "t");
        check_dimension(x.cols(), where, "x");
        return detail::finite(average([&](std::size_t s, double& value, double&) {
                                  const slice sl = project(s, t, &x);
                                  value = per_.mutual_information(sl.view_x(o_.k), sl.view_t(o_.k));
                              }).first,
                              where, "SI(X;T)");
    }

    /// SI(T;Y) in nats between the rows of t and class labels (only T is projected).
    template <class T>
    double mutual_information(const activation_view<const T>& t, const labels& y) const {
        const char* where = "mi::sliced::mutual_information";
        require_labels(where);
        detail::check_activations(t, where, "t");
        detail::check_same_rows(y.size(), t.rows(), where, "labels size");
        check_dimension(t.cols(), where, "t");
        return detail::finite(average([&](std::size_t s, double& value, double&) {
                                  const slice sl = project<T, T>(s, t, nullptr);
                                  value = label_mi(sl.view_t(o_.k), y);
                              }).first,
                              where, "SI(T;Y)");
    }

    /// ixt = SI(X;T) with X the samples' network input, ity = SI(T;Y); one frame of T per slice serves both.
    template <class T>
    plane_point point(const activation_view<const T>& layer, const samples& s) const {
        const char* where = "mi::sliced::point";
        detail::check_activations(layer, where, "layer");
        s.check_rows(layer.rows(), where);
        s.network_input().require(layer.rows(), where);
        require_labels(where);
        check_dimension(layer.cols(), where, "layer");
        check_dimension(s.network_input().cols(), where, "network input");
        const auto both = s.network_input().visit([&](const auto& x) {
            return average([&](std::size_t slice_index, double& ixt, double& ity) {
                const slice sl = project(slice_index, layer, &x);
                ixt = per_.mutual_information(sl.view_x(o_.k), sl.view_t(o_.k));
                ity = label_mi(sl.view_t(o_.k), s.labels());
            });
        });
        plane_point p;
        p.ixt_kind = ixt_quantity::mutual_information;
        p.ixt = both.first;
        p.ity = both.second;
        return detail::finite(p, where);
    }

private:
    struct slice {
        std::vector<double> t, x;  // N x k projections (x empty when there is no X)
        activation_view<const double> view_t(std::size_t k) const { return {t.data(), t.size() / k, k, k}; }
        activation_view<const double> view_x(std::size_t k) const { return {x.data(), x.size() / k, k, k}; }
    };

    // slice s: T's frame, then X's, from the stream derive_seed(seed, s)
    template <class T, class U>
    slice project(std::size_t s, const activation_view<const T>& t, const activation_view<const U>* x) const {
        rng r(derive_seed(o_.seed, s));
        slice out;
        out.t = detail::project_rows(t, detail::stiefel_frame(t.cols(), o_.k, r), o_.k);
        if (x) out.x = detail::project_rows(*x, detail::stiefel_frame(x->cols(), o_.k, r), o_.k);
        return out;
    }

    // the slices' estimates (one or two per slice), averaged in slice order
    template <class F>
    std::pair<double, double> average(F&& per_slice_estimate) const {
        std::vector<double> first(o_.slices, 0.0), second(o_.slices, 0.0);
        parallel_for(o_.slices, [&](std::size_t s) { per_slice_estimate(s, first[s], second[s]); });
        double a = 0.0, b = 0.0;
        for (std::size_t s = 0; s < o_.slices; ++s) {
            a += first[s];
            b += second[s];
        }
        const double m = static_cast<double>(o_.slices);
        return {a / m, b / m};
    }

    double label_mi(const activation_view<const double>& t, const labels& y) const {
        if constexpr (detail::has_label_mutual_information<per_slice_type>::value) return per_.mutual_information(t, y);
        else return 0.0;  // unreachable: require_labels refused before any slice ran
    }

    void require_labels(const char* where) const {
        if constexpr (!detail::has_label_mutual_information<per_slice_type>::value)
            detail::fail(where, "per-slice estimator", per_.name(),
                         "one with an I(T;Y) for class labels (e.g. mi::sliced<mi::ksg<>>); for this one use "
                         "mutual_information(t, x)");
        else
            (void)where;
    }

    void check_dimension(std::size_t dim, const char* where, const char* argument) const {
        if (o_.k > dim)
            detail::fail(where, "options.k", o_.k,
                         std::string("<= the ") + std::to_string(dim) + " columns of " + argument +
                             " (k-dimensional projections of a " + std::to_string(dim) + "-dimensional variable)");
    }

    per_slice_type per_;
    sliced_options o_;
};

}  // namespace mi

#endif
