// SPDX-License-Identifier: BSD-3-Clause
// weighted_kl<Search>: the weighted Kozachenko-Leonenko entropy estimator of
// Berrett, Samworth & Yuan ("Efficient multivariate entropy estimation via
// k-nearest neighbour distances", Ann. Statist. 47(1), 2019, arXiv 1606.00304,
// the weighted estimator and its weight class W^(k) below), and the mutual information built from it as Butakov et al. do
// ("Information Bottleneck Analysis of Deep Neural Networks via Lossy
// Compression", ICLR 2024, arXiv 2305.08013: I(X;Y) = H(X) + H(Y) - H(X,Y)
// on compressed, noisy representations; mi/estimators/compressed.hpp).
//
// Berrett et al., for N rows in R^d, rho_(j),i the Euclidean distance from
// row i to its j-th nearest other row and V_d the volume of the unit ball:
//
//   xi_(j),i  = e^{-psi(j)} V_d (N - 1) rho_(j),i^d
//   H_w       = (1/N) sum_i sum_{j<=k} w_j log xi_(j),i
//             = sum_j w_j [ (d/N) sum_i log rho_(j),i - psi(j) ] + log V_d + log(N - 1)
//   W^(k)     = { w in R^k :  sum_j w_j = 1,
//                 sum_j w_j Gamma(j + 2l/d) / Gamma(j) = 0   for l = 1..floor(d/4),
//                 w_j = 0 unless j in { floor(k/d), floor(2k/d), ..., k } }
//
// The l-th constraint cancels the l-th term of the bias expansion of the
// unweighted estimators (of order N^{-2l/d}), which is what makes H_w
// efficient in every dimension. mi takes the w of W^(k) with the smallest
// Euclidean norm (the released code of Butakov et al. takes the same
// least-norm solution): orthonormalise the constraint rows restricted to
// the allowed j (modified Gram-Schmidt), solve the triangular system. The
// factor Gamma(1 + 2l/d) common to a whole row is dropped (its right side is
// 0), so the row is prod_{i<j} (1 + 2l/(d i)), exact. For d <= 3 there is no
// bias constraint and w = e_k, the unweighted estimator with k neighbours
// (efficient there, as Berrett et al. show; Butakov et al.'s code uses e_1 up
// to d = 4). When W^(k) is empty (too few allowed j for the constraints: k
// small against d) mi::error says the smallest k that works.
//
// Options (mi::weighted_kl_options, named fields):
//   k = 5            neighbours K (the released experiments' 5), >= 1, < N
//   whiten = true    estimate on L^{-1}(x - mean), C = L L^T the sample covariance
//                    (Cholesky), and add (1/2) log det C back: the entropy is
//                    exact under that affine map and kNN distances behave
//                    better on isotropic data (the released code's "rescale")
//   ties = {}        tie policy before whitening (default: seeded jitter 1e-10),
//                    so duplicate rows (ReLU zeros) have no zero distance
//
// Methods (nats):
//   entropy(x)                     H_w(X)
//   mutual_information(x, y)       H(X) + H(Y) - H(X,Y), each by H_w with the weights of its dimension
//   mutual_information(t, labels)  H(T) - sum_l (N_l/N) H(T | Y = l); every non-empty class needs > k rows
//   point(t, samples)              ixt = I(X;T) with X the samples' network input
//                                  (ixt_kind = mutual_information), ity as above
//   weights(d, k)                  (static) Berrett et al.'s w for dimension d
//   name() "weighted_kl", parameters() "k=5;whiten=1;ties=...;search=..."
// A zero neighbour distance with a non-zero weight (exact duplicate rows under
// tie_policy::none()) throws mi::error. Bootstrap: rows; interval centred on
// the estimate (kNN bias is not c/N). Thread safety: const member functions
// may be called from several threads. Search: any Euclidean search policy
// (default automatic<euclidean>); all give identical numbers.
#ifndef MI_ESTIMATORS_WEIGHTED_KL_HPP
#define MI_ESTIMATORS_WEIGHTED_KL_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/finite.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/resampling.hpp"
#include "mi/core/samples.hpp"
#include "mi/core/special.hpp"
#include "mi/estimators/concept.hpp"
#include "mi/search/automatic.hpp"
#include "mi/search/concept.hpp"
#include "mi/search/metric.hpp"
#include "mi/search/ties.hpp"

namespace mi {

/// The options of mi::weighted_kl (see the header comment). An aggregate: set fields by name.
struct weighted_kl_options {
    std::size_t k = 5;     ///< neighbours K, >= 1
    bool whiten = true;    ///< estimate on whitened rows, add (1/2) log det C back
    tie_policy ties = {};  ///< tie policy (default: seeded jitter)
};

namespace detail {

/// The allowed j of Berrett et al.'s W^(k): { floor(i k / d) : i = 1..d } within 1..k, ascending, 1-based.
inline std::vector<std::size_t> berrett_support(std::size_t d, std::size_t k) {
    std::vector<std::size_t> s;
    for (std::size_t i = 1; i <= d; ++i) {
        const std::size_t j = i * k / d;
        if (j >= 1 && (s.empty() || s.back() != j)) s.push_back(j);
    }
    return s;
}

/// Berrett et al.'s least-norm weights (w_1..w_k) for dimension d; empty when W^(k) is empty.
inline std::vector<double> berrett_weights_or_empty(std::size_t d, std::size_t k) {
    std::vector<double> w(k, 0.0);
    const std::size_t constraints = d / 4;
    if (constraints == 0) {
        w[k - 1] = 1.0;
        return w;
    }
    const std::vector<std::size_t> support = berrett_support(d, k);
    const std::size_t s = support.size(), rows = constraints + 1;
    if (s < rows) return {};
    // rows: sum constraint, then prod_{i<j} (1 + 2l/(d i)) for l = 1..floor(d/4)
    std::vector<std::vector<double>> a(rows, std::vector<double>(s, 1.0));
    for (std::size_t l = 1; l < rows; ++l) {
        const double shift = 2.0 * static_cast<double>(l) / static_cast<double>(d);
        for (std::size_t c = 0; c < s; ++c) {
            double ratio = 1.0;
            for (std::size_t i = 1; i < support[c]; ++i) ratio *= 1.0 + shift / static_cast<double>(i);
            a[l][c] = ratio;
        }
    }
    // A = Lower Q (rows of Q orthonormal); w = Q^T c with Lower c = (1, 0, ..., 0)
    std::vector<std::vector<double>> q = a, lower(rows, std::vector<double>(rows, 0.0));
    for (std::size_t r = 0; r < rows; ++r) {
        double original = 0.0;
        for (const double v : a[r]) original += v * v;
        for (int pass = 0; pass < 2; ++pass)
            for (std::size_t p = 0; p < r; ++p) {
                double dot = 0.0;
                for (std::size_t c = 0; c < s; ++c) dot += q[r][c] * q[p][c];
                lower[r][p] += dot;
                for (std::size_t c = 0; c < s; ++c) q[r][c] -= dot * q[p][c];
            }
        double norm = 0.0;
        for (const double v : q[r]) norm += v * v;
        norm = std::sqrt(norm);
        if (!(norm > 1e-10 * std::sqrt(original))) return {};  // dependent constraints: no least-norm solution
        lower[r][r] = norm;
        for (double& v : q[r]) v /= norm;
    }
    std::vector<double> c(rows, 0.0);
    for (std::size_t r = 0; r < rows; ++r) {
        double rhs = r == 0 ? 1.0 : 0.0;
        for (std::size_t p = 0; p < r; ++p) rhs -= lower[r][p] * c[p];
        c[r] = rhs / lower[r][r];
    }
    for (std::size_t col = 0; col < s; ++col) {
        double v = 0.0;
        for (std::size_t r = 0; r < rows; ++r) v += c[r] * q[r][col];
        w[support[col] - 1] = v;
    }
    return w;
}

/// Lower Cholesky factor of a symmetric d x d matrix (row-major); false unless positive definite.
inline bool cholesky_lower(std::vector<double>& a, std::size_t d) {
    for (std::size_t j = 0; j < d; ++j) {
        double pivot = a[j * d + j];
        for (std::size_t p = 0; p < j; ++p) pivot -= a[j * d + p] * a[j * d + p];
        if (!(pivot > 0.0) || !std::isfinite(pivot)) return false;
        const double l = std::sqrt(pivot);
        a[j * d + j] = l;
        for (std::size_t i = j + 1; i < d; ++i) {
            double s = a[i * d + j];
            for (std::size_t p = 0; p < j; ++p) s -= a[i * d + p] * a[j * d + p];
            a[i * d + j] = s / l;
        }
        for (std::size_t i = 0; i < j; ++i) a[i * d + j] = 0.0;
    }
    return true;
}

}  // namespace detail

template <class Search = automatic<euclidean>>
class weighted_kl {
    static_assert(is_search_v<Search>,
                  "mi::weighted_kl: Search must be a search policy (see mi/search/concept.hpp): " MI_SEARCH_REQUIREMENTS);

public:
    static constexpr mi::resampling resampling = mi::resampling::rows;  // X comes with the rows in mi::samples
    static constexpr mi::bias_correction bias_correction = mi::bias_correction::none;  // kNN bias is not c/N
    using search_type = Search;

    explicit weighted_kl(weighted_kl_options options = {}, search_type search = search_type())
        : search_(std::move(search)), o_(options) {
        if (o_.k < 1) detail::fail("mi::weighted_kl", "options.k", o_.k, ">= 1");
    }
    template <class Int, std::enable_if_t<detail::is_count_v<Int>, int> = 0>
    explicit weighted_kl(Int k) : weighted_kl(weighted_kl_options{detail::neighbour_count(k, "mi::weighted_kl")}) {}

    const weighted_kl_options& options() const noexcept { return o_; }
    std::size_t k() const noexcept { return o_.k; }
    const tie_policy& ties() const noexcept { return o_.ties; }
    const search_type& search() const noexcept { return search_; }

    std::string name() const { return "weighted_kl"; }
    std::string parameters() const {
        return "k=" + std::to_string(o_.k) + ";whiten=" + (o_.whiten ? "1" : "0") + ";" + o_.ties.parameters() + ";" +
               search_.parameters();
    }

    /// Berrett et al.'s least-norm weights w_1..w_k for dimension d (see the header comment).
    static std::vector<double> weights(std::size_t d, std::size_t k) {
        const char* where = "mi::weighted_kl::weights";
        if (d < 1) detail::fail(where, "d", d, ">= 1");
        if (k < 1) detail::fail(where, "k", k, ">= 1");
        std::vector<double> w = detail::berrett_weights_or_empty(d, k);
        if (w.empty()) {
            std::size_t enough = k + 1;
            while (detail::berrett_weights_or_empty(d, enough).empty()) ++enough;
            detail::fail(where, "k", k,
                         ">= " + std::to_string(enough) + " for d = " + std::to_string(d) + ": Berrett et al.'s W^(k) needs " +
                             std::to_string(d / 4 + 1) + " allowed j in {floor(i k / d)} for its constraints");
        }
        return w;
    }

    /// H_w(X) in nats of the rows of x (N > k rows, finite values).
    template <class T>
    double entropy(const activation_view<const T>& x) const {
        const char* where = "mi::weighted_kl::entropy";
        detail::check_activations(x, where, "x");
        detail::check_k(o_.k, x.rows(), where);
        const std::vector<double> w = weights(x.cols(), o_.k);
        return detail::finite(from_prepared(detail::prepare(x, o_.ties, 0, false), w, where), where, "H(X)");
    }

    /// H(X) + H(Y) - H(X,Y) in nats between the rows of x and y.
    template <class T, class U>
    double mutual_information(const activation_view<const T>& x, const activation_view<const U>& y) const {
        const char* where = "mi::weighted_kl::mutual_information";
        detail::check_activations(x, where, "x");
        detail::check_activations(y, where, "y");
        detail::check_same_rows(y.rows(), x.rows(), where, "y rows");
        detail::check_k(o_.k, x.rows(), where);
        check_dimensions(x.cols(), y.cols(), where);
        const detail::prepared px = detail::prepare(x, o_.ties, 0, false);
        const detail::prepared py = detail::prepare(y, o_.ties, 1, false);
        return detail::finite(joint_information(px, py, where), where, "I(X;Y)");
    }

    /// I(T;Y) = H(T) - sum_l (N_l / N) H(T | Y = l) in nats.
    template <class T>
    double mutual_information(const activation_view<const T>& t, const labels& y) const {
        const char* where = "mi::weighted_kl::mutual_information";
        detail::check_activations(t, where, "t");
        detail::check_same_rows(y.size(), t.rows(), where, "labels size");
        detail::check_k(o_.k, t.rows(), where);
        const detail::prepared pt = detail::prepare(t, o_.ties, 1, false);
        return detail::finite(side_by_side(nullptr, pt, y, where).label_information(pt.n), where, "I(T;Y)");
    }

    /// ixt = I(X;T) with X the samples' network input, ity = I(T;Y).
    template <class T>
    plane_point point(const activation_view<const T>& layer, const samples& s) const {
        const char* where = "mi::weighted_kl::point";
        detail::check_activations(layer, where, "layer");
        s.check_rows(layer.rows(), where);
        s.network_input().require(layer.rows(), where);
        detail::check_k(o_.k, layer.rows(), where);
        check_dimensions(s.network_input().cols(), layer.cols(), where);
        // X jittered once per sample set, with its entropy: shared by every epoch and layer
        const auto held = s.network_input().template memo<prepared_input>(
            std::string(typeid(weighted_kl).name()) + ";" + parameters(), [&] {
                prepared_input in;
                in.x = s.network_input().visit([&](const auto& v) { return detail::prepare(v, o_.ties, 0, false); });
                in.h = from_prepared(in.x, weights(in.x.d, o_.k), where);
                return in;
            });
        const detail::prepared pt = detail::prepare(layer, o_.ties, 1, false);
        const entropies h = side_by_side(&held->x, pt, s.labels(), where);
        plane_point p;
        p.ixt_kind = ixt_quantity::mutual_information;
        p.ixt = held->h + h.t - h.joint;
        p.ity = h.label_information(pt.n);
        return detail::finite(p, where);
    }

private:
    struct prepared_input {
        detail::prepared x;
        double h = 0.0;
    };

    void check_dimensions(std::size_t dx, std::size_t dy, const char* where) const {
        (void)weights(dx, o_.k);
        (void)weights(dy, o_.k);
        (void)weights(dx + dy, o_.k);
        (void)where;
    }

    // H(X) + H(Y) - H(X,Y), the three side by side.
    double joint_information(const detail::prepared& px, const detail::prepared& py, const char* where) const {
        const detail::prepared z = detail::join_columns(px, py);
        const std::vector<double> wx = weights(px.d, o_.k), wy = weights(py.d, o_.k), wz = weights(z.d, o_.k);
        double h[3] = {0.0, 0.0, 0.0};
        parallel_for(3, [&](std::size_t v) {
            if (v == 0) h[1] = from_prepared(py, wy, where);
            else if (v == 1) h[2] = from_prepared(z, wz, where);
            else h[0] = from_prepared(px, wx, where);
        });
        return h[0] + h[1] - h[2];
    }

    // H(X,T) (when x is given), H(T) and every H(T | Y = l) of a point.
    struct entropies {
        double joint = 0.0, t = 0.0;
        std::vector<double> by_class;
        std::vector<std::size_t> class_rows;
        // I(T;Y) = H(T) - sum_l (N_l / N) H(T | Y = l), summed in class order
        double label_information(std::size_t n) const {
            double conditional = 0.0;
            for (std::size_t l = 0; l < by_class.size(); ++l)
                conditional += static_cast<double>(class_rows[l]) / static_cast<double>(n) * by_class[l];
            return t - conditional;
        }
    };

    // The entropies of a point in one parallel region, largest first: the joint one, H(T), then the
    // classes, which fill the threads that finish early. Each is the same code on the same rows
    // whatever thread takes it, so the values do not depend on the schedule.
    entropies side_by_side(const detail::prepared* x, const detail::prepared& pt, const labels& y,
                           const char* where) const {
        const auto by_class = y.rows_by_class();
        for (std::size_t l = 0; l < by_class.size(); ++l)
            if (!by_class[l].empty() && by_class[l].size() <= o_.k)
                detail::fail(where, ("rows of class " + std::to_string(l)).c_str(), by_class[l].size(),
                             "more than k = " + std::to_string(o_.k) + " rows in every non-empty class");
        const detail::prepared z = x ? detail::join_columns(*x, pt) : detail::prepared{};
        const std::vector<double> wt = weights(pt.d, o_.k), wz = x ? weights(z.d, o_.k) : std::vector<double>{};
        entropies h;
        h.by_class.assign(by_class.size(), 0.0);
        h.class_rows.resize(by_class.size());
        for (std::size_t l = 0; l < by_class.size(); ++l) h.class_rows[l] = by_class[l].size();
        const std::size_t first_class = x ? 2 : 1;
        parallel_for(first_class + by_class.size(), [&](std::size_t task) {
            if (task == 0 && x) h.joint = from_prepared(z, wz, where);
            else if (task + 1 == first_class) h.t = from_prepared(pt, wt, where);
            else if (!by_class[task - first_class].empty())
                h.by_class[task - first_class] = from_prepared(detail::subset_rows(pt, by_class[task - first_class]), wt, where);
        });
        return h;
    }

    // sum_j w_j [(d/N) sum_i log rho_(j),i - psi(j)] + log V_d + log(N - 1) (+ (1/2) log det C when whitening)
    double from_prepared(const detail::prepared& raw, const std::vector<double>& w, const char* where) const {
        const std::size_t n = raw.n, d = raw.d;
        detail::prepared p;
        const detail::prepared* use = &raw;
        double log_det_half = 0.0;
        if (o_.whiten) {
            std::vector<double> mean(d, 0.0), cov(d * d, 0.0);
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t c = 0; c < d; ++c) mean[c] += raw.values[i * d + c];
            for (double& m : mean) m /= static_cast<double>(n);
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t a = 0; a < d; ++a) {
                    const double va = raw.values[i * d + a] - mean[a];
                    for (std::size_t b = 0; b <= a; ++b) cov[a * d + b] += va * (raw.values[i * d + b] - mean[b]);
                }
            for (std::size_t a = 0; a < d; ++a)
                for (std::size_t b = 0; b <= a; ++b) cov[b * d + a] = cov[a * d + b] /= static_cast<double>(n - 1);
            if (!detail::cholesky_lower(cov, d))
                detail::fail(where, "sample covariance of the rows", "not positive definite",
                             "rows spanning all their dimensions (whitening divides by them): add noise "
                             "(mi::compressed) or set options.whiten = false");
            for (std::size_t c = 0; c < d; ++c) log_det_half += std::log(cov[c * d + c]);
            p.n = n;
            p.d = d;
            p.values.resize(n * d);
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t a = 0; a < d; ++a) {  // forward substitution: L z = x - mean
                    double v = raw.values[i * d + a] - mean[a];
                    for (std::size_t b = 0; b < a; ++b) v -= cov[a * d + b] * p.values[i * d + b];
                    p.values[i * d + a] = v / cov[a * d + a];
                }
            use = &p;
        }
        std::size_t last = 0;  // the largest j with a non-zero weight
        for (std::size_t j = 0; j < w.size(); ++j)
            if (w[j] != 0.0) last = j + 1;
        search_type search = search_;
        search.build(use->view());
        const neighbors nb = search.knn(last);
        const double dd = static_cast<double>(d), dn = static_cast<double>(n);
        double h = 0.0;
        for (std::size_t j = 0; j < last; ++j) {
            if (w[j] == 0.0) continue;
            double sum = 0.0;
            for (std::size_t i = 0; i < n; ++i) {
                const double r = nb.distance(i, j);
                if (!(r > 0.0))
                    detail::fail(where, ("distance to neighbour " + std::to_string(j + 1)).c_str(), r,
                                 "> 0: duplicate rows; use tie_policy::jitter() or add noise (mi::compressed)");
                sum += std::log(r);
            }
            h += w[j] * (dd * sum / dn - detail::digamma(static_cast<double>(j + 1)));
        }
        return h + euclidean_like_volume(d) + std::log(dn - 1.0) + log_det_half;
    }

    static double euclidean_like_volume(std::size_t d) { return search_type::metric_type::log_unit_ball_volume(d); }

    search_type search_;
    weighted_kl_options o_;
};

}  // namespace mi

#endif
