// SPDX-License-Identifier: BSD-3-Clause
// ksg<Search>: the Kraskov-Stoegbauer-Grassberger k-nearest-neighbour
// estimators of mutual information (Kraskov, Stoegbauer & Grassberger 2004,
// Phys. Rev. E 69, 066138), for multi-dimensional X and Y, and Ross's
// mixed discrete-continuous variant for I(T;Y) with class labels (Ross 2014,
// PLoS ONE 9, e87357; the estimator of scikit-learn's mutual_info_classif).
//
// In the joint space Z = (X, Y) with the max-norm ||z|| = max(||x||, ||y||),
// eps_i is the distance from z_i to its k-th nearest neighbour. Then
//   algorithm 1 (eq. 8):  I = psi(k) + psi(N) - < psi(n_x + 1) + psi(n_y + 1) >,
//       n_x(i) = #{ j != i : ||x_i - x_j|| <  eps_i }   (strict range count)
//   algorithm 2 (eq. 9):  I = psi(k) - 1/k + psi(N) - < psi(n_x) + psi(n_y) >,
//       n_x(i) = #{ j != i : ||x_i - x_j|| <= eps_x(i) },  eps_x(i) the largest
//       x-distance among the k neighbours (ties at the k-th distance broken by
//       index), and the same for y.
// Ross (2014), for a continuous T and labels with class sizes N_l:
//   I = psi(N) + < psi(k_i) > - < psi(N_l(i)) > - < psi(m_i) >,
//   d_i the distance to the k_i-th nearest row of the same class,
//   k_i = min(k, N_l(i) - 1), m_i = 1 + #{ j != i : ||t_i - t_j|| < d_i };
//   rows of single-row classes are left out (N counts the rest). This is
//   scikit-learn 1.2's _compute_mi_cd exactly, with the max-norm (the same
//   for 1-D T; for d > 1 mi uses the max-norm of its KSG spaces).
// mi does not clip negative estimates to 0 (scikit-learn does): a small
// negative value is information about the estimator's bias and variance.
//
// Options (mi::ksg_options, named fields): k = 3 (scikit-learn's and
// Kraskov et al.'s usual choice), algorithm = 1, ties = tie_policy::jitter(1e-10, 0)
// (mi/search/ties.hpp; X and Y get independent noise streams 0 and 1),
// standardize = true: every column of X and of Y is divided by its standard
// deviation (constant columns are left alone), as scikit-learn does, so the
// max-norm does not let the variable with the larger scale decide eps.
//
// Methods:
//   mutual_information(x, y)       I(X;Y) between the rows of two views
//   mutual_information(t, labels)  I(T;Y) by Ross (2014)
//   point(t, samples)              I(X;T) by KSG between the samples' network
//                                  input X (mi::samples::with_network_input) and
//                                  the layer (ixt_kind = mutual_information),
//                                  I(T;Y) by Ross. X is standardised, jittered and
//                                  indexed once per sample set (mi::network_input's
//                                  memo) and shared by every epoch and layer.
// Bootstrap: rows (a half-sample keeps X's matching rows; no row repeats, so
// no zero distances); interval centred on the estimate (mi::bias_correction::none).
//
// Search is a neighbour-search policy over the max-norm (automatic, grid,
// kd_tree, brute_force; mi/search/concept.hpp); all give identical numbers,
// automatic picks the fastest for the dimension (mi/search/automatic.hpp).
// The estimator holds a configured search instance, copied for every search
// it builds (joint, marginal and per-class spaces), so its knobs reach them:
//   mi::ksg<> a;                                               // k = 3, automatic
//   mi::ksg<mi::kd_tree<>> b(5);                               // k = 5, kd_tree<max_norm>
//   mi::ksg c(mi::ksg_options{}, mi::kd_tree<>(16));           // leaf size 16 (deduces ksg<kd_tree<>>)
// Thread safety: const member functions may be called from several threads.
#ifndef MI_ESTIMATORS_KSG_HPP
#define MI_ESTIMATORS_KSG_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <typeinfo>
#include <string>
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

namespace detail {
template <class S, class = void>
struct searches_max_norm : std::false_type {};
template <class S>
struct searches_max_norm<S, std::void_t<typename S::metric_type>> : std::is_same<typename S::metric_type, max_norm> {};
}  // namespace detail

/// KSG's options, by name (C++20: mi::ksg_options{.k = 5, .standardize = false}).
struct ksg_options {
    std::size_t k = 3;          ///< neighbours, >= 1
    int algorithm = 1;          ///< Kraskov et al.'s estimator 1 (eq. 8) or 2 (eq. 9)
    tie_policy ties{};          ///< what breaks ties among distances (default: jitter 1e-10)
    bool standardize = true;    ///< divide every column by its standard deviation first
};

template <class Search = automatic<max_norm>>
class ksg {
    static_assert(is_search_v<Search>,
                  "mi::ksg: Search must be a search policy (see mi/search/concept.hpp): " MI_SEARCH_REQUIREMENTS);
    static_assert(!is_search_v<Search> || detail::searches_max_norm<Search>::value,
                  "mi::ksg: KSG counts neighbours in the max-norm (Kraskov et al. 2004): use Search<mi::max_norm>, "
                  "e.g. mi::ksg<mi::kd_tree<mi::max_norm>>");

public:
    static constexpr mi::resampling resampling = mi::resampling::rows;  // bootstrap: X comes with the rows in mi::samples
    static constexpr mi::bias_correction bias_correction = mi::bias_correction::none;  // kNN bias is not c/N
    using search_type = Search;

    /// The given options and a configured max-norm search (e.g. kd_tree<max_norm>(leaf_size)), copied for every search.
    explicit ksg(ksg_options options = {}, search_type search = search_type())
        : search_(std::move(search)), o_(options) {
        if (o_.k < 1) detail::fail("mi::ksg", "options.k", o_.k, ">= 1");
        if (o_.algorithm != 1 && o_.algorithm != 2)
            detail::fail("mi::ksg", "options.algorithm", o_.algorithm, "1 or 2 (Kraskov et al. 2004)");
    }
    /// k neighbours, every other option at its default (an integer, not bool).
    template <class Int, std::enable_if_t<detail::is_count_v<Int>, int> = 0>
    explicit ksg(Int k) : ksg(ksg_options{detail::neighbour_count(k, "mi::ksg")}) {}

    const ksg_options& options() const noexcept { return o_; }
    std::size_t k() const noexcept { return o_.k; }
    /// The configured search every neighbour search starts from.
    const search_type& search() const noexcept { return search_; }

    std::string name() const { return "ksg"; }
    std::string parameters() const {
        return "k=" + std::to_string(o_.k) + ";algorithm=" + std::to_string(o_.algorithm) +
               ";standardize=" + (o_.standardize ? "1" : "0") + ";" + o_.ties.parameters() + ";" + search_.parameters();
    }

    /// I(X;Y) in nats between the rows of x and y (same number of rows N > k).
    template <class T, class U>
    double mutual_information(const activation_view<const T>& x, const activation_view<const U>& y) const {
        const char* where = "mi::ksg::mutual_information";
        detail::check_activations(x, where, "x");
        detail::check_activations(y, where, "y");
        detail::check_same_rows(y.rows(), x.rows(), where, "y rows");
        detail::check_k(o_.k, x.rows(), where);
        // the two variables are prepared side by side (each has its own noise stream)
        detail::prepared px, py;
        parallel_for(2, [&](std::size_t v) {
            if (v == 0) px = detail::prepare(x, o_.ties, 0, o_.standardize);
            else py = detail::prepare(y, o_.ties, 1, o_.standardize);
        });
        return detail::finite(from_prepared(px, nullptr, py), where, "I(X;Y)");
    }

    /// I(T;Y) in nats between continuous rows t and class labels y (Ross 2014).
    template <class T>
    double mutual_information(const activation_view<const T>& t, const labels& y) const {
        const char* where = "mi::ksg::mutual_information";
        detail::check_activations(t, where, "t");
        detail::check_same_rows(y.size(), t.rows(), where, "labels size");
        return detail::finite(ross(detail::prepare(t, o_.ties, 0, o_.standardize), y, where), where, "I(T;Y)");
    }

    /// ixt = I(X;T) by KSG between the samples' network input and the layer, ity = I(T;Y) by Ross (2014).
    template <class T>
    plane_point point(const activation_view<const T>& layer, const samples& s) const {
        const char* where = "mi::ksg::point";
        detail::check_activations(layer, where, "layer");
        s.check_rows(layer.rows(), where);
        s.network_input().require(layer.rows(), where);
        detail::check_k(o_.k, layer.rows(), where);
        const auto x = s.network_input().template memo<prepared_input>(
            std::string(typeid(ksg).name()) + ";" + parameters(), [&] {
                prepared_input in;
                in.x = s.network_input().visit([&](const auto& v) { return detail::prepare(v, o_.ties, 0, o_.standardize); });
                in.search = search_;
                in.search.build(in.x.view());
                return in;
            });
        const detail::prepared pt = detail::prepare(layer, o_.ties, 1, o_.standardize);
        plane_point p;
        p.ixt_kind = ixt_quantity::mutual_information;
        p.ixt = from_prepared(x->x, &x->search, pt);
        p.ity = ross(pt, s.labels(), where);
        return detail::finite(p, where);
    }

private:
    // X standardised and jittered once per sample set, with its marginal search structure
    struct prepared_input {
        detail::prepared x;
        search_type search;
    };

    // held_x: the prebuilt search structure of px, or nullptr to build it here
    double from_prepared(const detail::prepared& px, const search_type* held_x, const detail::prepared& py) const {
        const std::size_t n = px.n;
        const detail::prepared z = detail::join_columns(px, py);
        search_type joint = search_, sy = search_, own_x = search_;
        // the independent index builds run side by side (each is serial inside)
        parallel_for(held_x ? 2 : 3, [&](std::size_t w) {
            if (w == 0) joint.build(z.view());
            else if (w == 1) sy.build(py.view());
            else own_x.build(px.view());
        });
        const search_type& sx = held_x ? *held_x : own_x;
        std::vector<std::uint32_t> nx, ny;
        if (o_.algorithm == 1) {
            // only the k-th distance is needed (no neighbour lists)
            const std::vector<double> eps = joint.kth_distance(o_.k);
            // one marginal per thread (each count is serial inside): one join, not two
            parallel_for(2, [&](std::size_t v) {
                if (v == 0) nx = sx.count_within(eps, range::strict);
                else ny = sy.count_within(eps, range::strict);
            });
        } else {
            const neighbors nb = joint.knn(o_.k);
            std::vector<double> ex(n, 0.0), ey(n, 0.0);
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t m = 0; m < o_.k; ++m) {
                    const std::size_t j = nb.index(i, m);
                    ex[i] = std::max(ex[i], marginal(px, i, j));
                    ey[i] = std::max(ey[i], marginal(py, i, j));
                }
            parallel_for(2, [&](std::size_t v) {
                if (v == 0) nx = sx.count_within(ex, range::inclusive);
                else ny = sy.count_within(ey, range::inclusive);
            });
        }
        const double shift = o_.algorithm == 1 ? 1.0 : 0.0;
        std::uint32_t most = 0;
        for (std::size_t i = 0; i < n; ++i) most = std::max({most, nx[i], ny[i]});
        counted_digamma psi(static_cast<std::size_t>(most) + 2);
        double sum = 0.0;
        for (std::size_t i = 0; i < n; ++i) sum += psi(nx[i] + shift) + psi(ny[i] + shift);
        const double kk = static_cast<double>(o_.k);
        return detail::digamma(kk) - (o_.algorithm == 2 ? 1.0 / kk : 0.0) + detail::digamma(static_cast<double>(n)) -
               sum / static_cast<double>(n);
    }

    // digamma of whole numbers 0..limit-1, each computed once by
    // detail::digamma on first use (the counts repeat a few hundred values
    // over N rows), so every sum is bit-identical to calling it per row
    class counted_digamma {
    public:
        explicit counted_digamma(std::size_t limit) : value_(limit, 0.0), known_(limit, 0) {}
        double operator()(double x) {
            const auto m = static_cast<std::size_t>(x);
            if (static_cast<double>(m) != x || m >= value_.size()) return detail::digamma(x);
            if (!known_[m]) {
                value_[m] = detail::digamma(x);
                known_[m] = 1;
            }
            return value_[m];
        }

    private:
        std::vector<double> value_;
        std::vector<char> known_;
    };

    // max-norm distance between rows i and j of a prepared variable; exact, so
    // it equals what the marginal search computes for the same pair
    static double marginal(const detail::prepared& p, std::size_t i, std::size_t j) noexcept {
        double r = 0.0;
        for (std::size_t c = 0; c < p.d; ++c) r = max_norm::accumulate(r, p.values[j * p.d + c] - p.values[i * p.d + c]);
        return r;
    }

    double ross(const detail::prepared& pt, const labels& y, const char* where) const {
        const auto by_class = y.rows_by_class();
        std::vector<char> keep(pt.n, 0);
        std::vector<double> radius(pt.n, 0.0), k_of(pt.n, 0.0), n_of(pt.n, 0.0);
        for (const auto& rows : by_class) {
            if (rows.size() < 2) continue;
            const std::size_t kl = std::min(o_.k, rows.size() - 1);
            search_type s = search_;
            const detail::prepared sub = detail::subset_rows(pt, rows);
            s.build(sub.view());
            const std::vector<double> r = s.kth_distance(kl);
            for (std::size_t m = 0; m < rows.size(); ++m) {
                keep[rows[m]] = 1;
                radius[rows[m]] = r[m];
                k_of[rows[m]] = static_cast<double>(kl);
                n_of[rows[m]] = static_cast<double>(rows.size());
            }
        }
        std::vector<std::size_t> kept;
        for (std::size_t i = 0; i < pt.n; ++i)
            if (keep[i]) kept.push_back(i);
        if (kept.size() < 2)
            detail::fail(where, "labels", "every class with fewer than two rows", "at least one class with two or more rows");
        std::vector<double> kept_radius(kept.size());
        for (std::size_t m = 0; m < kept.size(); ++m) kept_radius[m] = radius[kept[m]];
        search_type all = search_;
        const detail::prepared sub = detail::subset_rows(pt, kept);
        all.build(sub.view());
        const std::vector<std::uint32_t> m_count = all.count_within(kept_radius, range::strict);
        std::uint32_t most = 0;
        for (const std::uint32_t c : m_count) most = std::max(most, c);
        counted_digamma psi(std::max<std::size_t>(o_.k, static_cast<std::size_t>(most)) + 2);
        double sk = 0.0, sn = 0.0, sm = 0.0;
        for (std::size_t m = 0; m < kept.size(); ++m) {
            sk += psi(k_of[kept[m]]);
            sn += psi(n_of[kept[m]]);
            sm += psi(static_cast<double>(m_count[m]) + 1.0);
        }
        const double nk = static_cast<double>(kept.size());
        return detail::digamma(nk) + (sk - sn - sm) / nk;
    }

    search_type search_;
    ksg_options o_;
};

}  // namespace mi

#endif
