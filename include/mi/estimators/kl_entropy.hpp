// SPDX-License-Identifier: BSD-3-Clause
// kl_entropy<Search>: the Kozachenko-Leonenko k-nearest-neighbour
// estimator of differential entropy (Kozachenko & Leonenko 1987; in the form
// of Kraskov, Stoegbauer & Grassberger 2004, eq. 20), as Saxe et al. (2018,
// App. B.3) use it for the information plane:
//
//   H(T) = (d/N) sum_i log(r_i + eps) + log c_d + psi(N) - psi(k)
//
// r_i is the distance (in the search's metric, Search::metric_type) from row
// i to its k-th nearest other row, c_d the volume of the metric's unit ball
// (metric_type::log_unit_ball_volume): pi^(d/2) / Gamma(d/2 + 1) for the
// Euclidean norm (the default, Saxe et al.'s choice), 2^d for the max-norm
// (Kraskov et al.'s eq. 20 with eps_i = 2 r_i and c_d = 1), psi the digamma
// function, eps a guard against r_i = 0 (default 0: with the default tie
// policy, jitter, no distance is 0; a zero distance with eps = 0 throws
// mi::error instead of returning -inf). Results in nats.
//
// Options (mi::kl_entropy_options, named fields, as mi::ksg_options; defaults Saxe et al.'s):
//   k = 2          neighbours, >= 1 (App. B.3)
//   epsilon = 0    guard added to every distance, finite and >= 0
//   ties = {}      tie policy, default tie_policy::jitter(1e-10, 0)
// A bad option throws mi::error naming the field, its value and what was expected.
//
// API (T the layer, an activation_view, N rows):
//   kl_entropy<S>()  kl_entropy<S>(k)  kl_entropy<S>(options, search = {})   (as mi::ksg)
//   kl_entropy(search)  kl_entropy(search, k)  kl_entropy(search, options)   S deduced
//   entropy(T)                        H(T), nats
//   mutual_information(T, labels)     I(T;Y) = H(T) - sum_l (N_l / N) H(T | Y = l)
//   point(T, samples)                 (H(T), I(T;Y)), ixt_kind = entropy
//   name(), parameters(), k(), epsilon(), ties(), search()
// There is deliberately no mutual_information(T, input_ids) (the overload is
// deleted): for a deterministic network H(T|X) is -infinity for continuous T,
// so I(X;T) is not a finite number this estimator can return, and H(T),
// which is what point() reports, is I(X;T) only up to that constant (Saxe et
// al.'s argument). Returning H(T) under the name mutual_information would drop
// the ixt_kind = entropy tag that point() carries; call entropy(T) for it.
//
// Plane point (ixt_kind = ixt_quantity::entropy):
//   ixt = H(T),   ity = H(T) - sum_l (N_l / N) H(T | Y = l),
// every entropy by this estimator on the rows concerned (the mixed
// discrete-continuous decomposition). Each non-empty class needs more than k
// rows; otherwise mi::error names the class. When the policy offers
// kth_distance_grouped (mi::grouped_kth) one built search serves all of
// them: kd_tree and grid find each point's k-th distance over all rows and
// within its class in the same traversal, pruned by the farther of the two.
// The distances, and so the numbers, are those of separate searches (tested
// bit for bit); on the SZT network's kd-tree layers (d = 4-7, N = 4096) it
// saves 25-30 % of the time. Rows that need merging (repeats without
// jitter) or scaling (magnitudes beyond 2^+-450) take the separate searches.
//
// Repeated rows (tie_policy::none() on saturated or dead units, where most
// rows coincide) are searched once: the neighbour search runs over the
// distinct rows, a row repeated more than k times has r_i = 0, and the others
// walk their nearest distinct rows counting each with its multiplicity. The
// r_i are those of the search over all rows (the same distance kernel); only
// the sum's order changes (m log r for m equal terms).
//
// Search is a neighbour-search policy (automatic, grid, kd_tree, brute_force,
// each instantiated with its metric); all give identical numbers, automatic
// picks the fastest for the dimension (mi/search/automatic.hpp). The
// estimator holds a configured search instance, copied for every search it
// builds, so that the policy's knobs reach it:
//   mi::kl_entropy<mi::kd_tree<mi::euclidean>> a(2);              // k = 2, default kd_tree
//   mi::kl_entropy<mi::brute_force<mi::max_norm>> b;               // max-norm, k = 2
//   mi::kl_entropy c(mi::kd_tree<mi::max_norm>(16), 2);            // leaf size 16
//   mi::kl_entropy_options o;  o.k = 3;  o.epsilon = 1e-9;
//   mi::kl_entropy<> e(o);                                          // C++20: mi::kl_entropy<>({.k = 3})
// (c deduces kl_entropy<kd_tree<max_norm>> from the instance).
// Thread safety: const member functions may be called from several threads.
#ifndef MI_ESTIMATORS_KL_ENTROPY_HPP
#define MI_ESTIMATORS_KL_ENTROPY_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/finite.hpp"
#include "mi/core/input_ids.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/mul_add.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/resampling.hpp"
#include "mi/core/samples.hpp"
#include "mi/core/scratch.hpp"
#include "mi/core/special.hpp"
#include "mi/core/units.hpp"
#include "mi/estimators/concept.hpp"
#include "mi/search/automatic.hpp"
#include "mi/search/concept.hpp"
#include "mi/search/metric.hpp"
#include "mi/search/ties.hpp"

namespace mi {

/// The options of mi::kl_entropy (see the header comment). An aggregate: set fields by name.
struct kl_entropy_options {
    std::size_t k = 2;      ///< neighbours, >= 1
    double epsilon = 0.0;   ///< guard added to every distance, finite and >= 0
    tie_policy ties = {};   ///< tie policy (default: seeded jitter)
};

namespace detail {

/// The distinct rows of p (lexicographic order) and how often each occurs; `count` is empty when
/// every row is distinct (then `rows` is empty too and p is used as it is).
struct row_groups {
    prepared rows;
    std::vector<std::size_t> count;
};

inline row_groups distinct_rows(const prepared& p) {
    const std::size_t d = p.d;
    const auto row = [&](std::size_t i) { return p.values.data() + i * d; };
    {
        // Rows whose hashes differ are distinct, so the 64-bit row hashes settle the usual case
        // (jittered rows: all distinct) in O(N) without the index sort below, which compares rows
        // lexicographically (a sixth of a 2-D estimate at N = 16384). Equal hashes, from equal
        // rows or a collision, go on to the exact sort. -0 hashes as +0: they compare equal.
        // The hashes are taken on all cores. A row whose hash's top `bits` bits (2^bits >= 32 N
        // slots) no other row shares is distinct; one pass over a bitmap of those slots marks
        // the slots taken twice, and only the hashes in them (about N / 32) are compared, sorted.
        // (A hash table split over the cores took 9 % of a 2-D estimate: its probes mispredict,
        // and the bitmap's test-and-set has no branch.)
        cached_vector<std::uint64_t> hash(p.n);
        parallel_for_ranges(p.n, 4096, [&](std::size_t first, std::size_t last) {
            for (std::size_t i = first; i < last; ++i) {
                std::uint64_t h = 0x9E3779B97F4A7C15ull;
                for (std::size_t j = 0; j < d; ++j) {
                    const double v = row(i)[j] == 0.0 ? 0.0 : row(i)[j];
                    std::uint64_t value_bits = 0;
                    std::memcpy(&value_bits, &v, sizeof value_bits);
                    h = (h ^ value_bits) * 0xFF51AFD7ED558CCDull;
                    h ^= h >> 32;
                }
                hash[i] = h;
            }
        });
        std::size_t bits = 10;
        while ((std::uint64_t(1) << bits) < 32 * static_cast<std::uint64_t>(p.n)) ++bits;
        // per 64 slots a word of "seen" and beside it a word of "seen twice"
        cached_vector<std::uint64_t> slots(2 * ((std::size_t(1) << bits) / 64), 0);
        for (std::size_t i = 0; i < p.n; ++i) {
            const std::uint64_t b = hash[i] >> (64 - bits), mask = std::uint64_t(1) << (b & 63);
            std::uint64_t* w = slots.data() + 2 * (b >> 6);
            w[1] |= w[0] & mask;
            w[0] |= mask;
        }
        std::vector<std::uint64_t> shared;
        for (std::size_t i = 0; i < p.n; ++i) {
            const std::uint64_t b = hash[i] >> (64 - bits);
            if ((slots[2 * (b >> 6) + 1] >> (b & 63)) & 1) shared.push_back(hash[i]);
        }
        std::sort(shared.begin(), shared.end());
        if (std::adjacent_find(shared.begin(), shared.end()) == shared.end()) return {};
    }
    std::vector<std::size_t> order(p.n);
    for (std::size_t i = 0; i < p.n; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return std::lexicographical_compare(row(a), row(a) + d, row(b), row(b) + d);
    });
    row_groups g;
    std::size_t distinct = 0;
    for (std::size_t i = 0; i < p.n; ++i)
        if (i == 0 || !std::equal(row(order[i]), row(order[i]) + d, row(order[i - 1]))) ++distinct;
    if (distinct == p.n) return g;
    g.rows.n = distinct;
    g.rows.d = d;
    g.rows.values.reserve(distinct * d);
    for (std::size_t i = 0; i < p.n; ++i) {
        if (i == 0 || !std::equal(row(order[i]), row(order[i]) + d, row(order[i - 1]))) {
            g.rows.values.insert(g.rows.values.end(), row(order[i]), row(order[i]) + d);
            g.count.push_back(0);
        }
        ++g.count.back();
    }
    return g;
}

/// True when the search policy gives every point's k-th distance over all points and within its
/// group from one build (kth_distance_grouped, mi::grouped_kth).
template <class S, class = void>
struct has_grouped_kth : std::false_type {};
template <class S>
struct has_grouped_kth<S, std::void_t<decltype(std::declval<const S&>().kth_distance_grouped(
                              std::size_t{}, std::declval<const std::vector<std::uint32_t>&>()))>> : std::true_type {};

/// True when the search policy's build can be told that only kth_distance will be asked
/// (automatic::queries).
template <class S, class = void>
struct builds_for_kth : std::false_type {};
template <class S>
struct builds_for_kth<S, std::void_t<decltype(std::declval<S&>().build(std::declval<const activation_view<const double>&>(),
                                                                        S::queries::kth_distance))>> : std::true_type {};

template <class S, class = void>
struct search_metric {
    using type = euclidean;  // only reached after kl_entropy's static_assert has failed
};
template <class S>
struct search_metric<S, std::void_t<typename S::metric_type>> {
    using type = typename S::metric_type;
};
}  // namespace detail

template <class Search = automatic<euclidean>>
class kl_entropy {
    static_assert(is_search_v<Search>,
                  "mi::kl_entropy: Search must be a search policy (see mi/search/concept.hpp): " MI_SEARCH_REQUIREMENTS);

public:
    static constexpr mi::resampling resampling = mi::resampling::rows;  // bootstrap: input ids unused; half-samples repeat no row
    static constexpr mi::bias_correction bias_correction = mi::bias_correction::none;  // kNN bias is not c/N
    using search_type = Search;
    using metric_type = typename detail::search_metric<Search>::type;

    /// The options (default: k = 2, epsilon = 0, jitter ties) and a configured search (e.g.
    /// kd_tree<euclidean>(leaf_size)), copied for every search. A bad option throws mi::error
    /// naming it (options.k, options.epsilon).
    explicit kl_entropy(kl_entropy_options options = {}, search_type search = search_type())
        : search_(std::move(search)), k_(options.k), epsilon_(options.epsilon), ties_(options.ties) {
        if (options.k < 1) detail::fail("mi::kl_entropy", "options.k", options.k, ">= 1");
        if (!(options.epsilon >= 0.0) || !std::isfinite(options.epsilon))
            detail::fail("mi::kl_entropy", "options.epsilon", options.epsilon, "a finite value >= 0");
    }

    /// k >= 1 neighbours, every other option at its default.
    template <class Int, std::enable_if_t<detail::is_count_v<Int>, int> = 0>
    explicit kl_entropy(Int k) : kl_entropy(kl_entropy_options{detail::neighbour_count(k, "mi::kl_entropy")}) {}

    /// The configured search first, so that the estimator's type is deduced from it:
    /// mi::kl_entropy e(mi::kd_tree<mi::max_norm>(16)), e(search, options), e(search, k).
    template <class S, std::enable_if_t<std::is_same_v<S, Search>, int> = 0>
    explicit kl_entropy(S search, kl_entropy_options options = {}) : kl_entropy(options, std::move(search)) {}
    template <class S, class Int, std::enable_if_t<std::is_same_v<S, Search> && detail::is_count_v<Int>, int> = 0>
    kl_entropy(S search, Int k)
        : kl_entropy(kl_entropy_options{detail::neighbour_count(k, "mi::kl_entropy")}, std::move(search)) {}

    std::size_t k() const noexcept { return k_; }
    double epsilon() const noexcept { return epsilon_; }
    const tie_policy& ties() const noexcept { return ties_; }
    /// The configured search every neighbour search starts from.
    const search_type& search() const noexcept { return search_; }

    std::string name() const { return "kl_entropy"; }
    std::string parameters() const {
        return "k=" + std::to_string(k_) + ";epsilon=" + detail::to_text(epsilon_) + ";" + ties_.parameters() + ";" +
               search_.parameters();
    }

    /// H(X) in nats of the rows of x (N > k rows, finite values).
    template <class T>
    double entropy(const activation_view<const T>& x) const {
        detail::check_activations(x, "mi::kl_entropy::entropy", "x");
        detail::check_k(k_, x.rows(), "mi::kl_entropy::entropy");
        return detail::finite(from_prepared(detail::prepare(x, ties_, 0, false), "mi::kl_entropy::entropy"),
                              "mi::kl_entropy::entropy", "H(X)");
    }

    /// I(T;Y) = H(T) - sum_l (N_l / N) H(T | Y = l), nats: point()'s ity. Every non-empty class
    /// needs more than k rows.
    template <class T>
    double mutual_information(const activation_view<const T>& layer, const labels& y) const {
        const char* where = "mi::kl_entropy::mutual_information";
        detail::check_activations(layer, where, "layer");
        detail::check_same_rows(y.size(), layer.rows(), where, "labels size");
        detail::check_k(k_, layer.rows(), where);
        const detail::prepared t = detail::prepare(layer, ties_, 0, false);
        const auto [h, conditional] = with_conditional(t, y, where);
        return detail::finite(h - conditional, where, "I(T;Y)");
    }

    /// No I(X;T): see the header comment (H(T|X) = -infinity for a deterministic network);
    /// entropy(layer) is the H(T) that point() reports as its ixt (ixt_kind = entropy).
    template <class T>
    double mutual_information(const activation_view<const T>& layer, const input_ids& x) const = delete;

    /// ixt = H(T) (ixt_kind = entropy), ity = H(T) - sum_l p_l H(T | Y = l).
    template <class T>
    plane_point point(const activation_view<const T>& layer, const samples& s) const {
        const char* where = "mi::kl_entropy::point";
        detail::check_activations(layer, where, "layer");
        s.check_rows(layer.rows(), where);
        detail::check_k(k_, layer.rows(), where);
        const detail::prepared t = detail::prepare(layer, ties_, 0, false);
        plane_point p;
        p.ixt_kind = ixt_quantity::entropy;
        const auto [h, conditional] = with_conditional(t, s.labels(), where);
        p.ixt = h;
        p.ity = h - conditional;
        return detail::finite(p, where);
    }

private:
    /// The power-of-two exponent e at which rows whose largest magnitude is m are searched:
    /// squared Euclidean distances overflow (or underflow) double beyond |x| ~ 2^500 (2^-500),
    /// so such rows are scaled by 2^e, where every distance is exactly 2^e times the original,
    /// and e ln 2 per dimension is taken back out of the entropy.
    static int search_scale(double m) noexcept {
        return (m > 0.0 && (m > 0x1p450 || m < 0x1p-450)) ? -std::ilogb(m) : 0;
    }

    /// (H(T), sum_l (N_l / N) H(T | Y = l)) over the non-empty classes, every entropy by this
    /// estimator on its rows. When the search offers within-group distances (has_grouped_kth)
    /// and the rows need neither merging of repeats nor scaling, one built search serves all the
    /// entropies; the distances, and so every sum, are those of the separate searches over all
    /// rows and over each class (identical values, tested).
    std::pair<double, double> with_conditional(const detail::prepared& t, const labels& y, const char* where) const {
        const auto by_class = y.rows_by_class();
        for (std::size_t l = 0; l < by_class.size(); ++l)
            if (!by_class[l].empty() && by_class[l].size() <= k_)
                detail::fail(where, ("rows of class " + std::to_string(l)).c_str(), by_class[l].size(),
                             "more than k = " + std::to_string(k_) + " rows in every non-empty class");
        const detail::row_groups groups = detail::distinct_rows(t);
        if constexpr (detail::has_grouped_kth<search_type>::value) {
            std::vector<double> largest(by_class.size(), 0.0);
            for (std::size_t i = 0; i < t.n; ++i)
                for (std::size_t j = 0; j < t.d; ++j)
                    largest[y[i]] = std::max(largest[y[i]], std::fabs(t.values[i * t.d + j]));
            const bool unscaled = std::all_of(largest.begin(), largest.end(), [](double m) { return search_scale(m) == 0; });
            if (unscaled && groups.count.empty()) return in_one_search(t, y, by_class, where);
        }
        const double h = from_prepared(t, groups, where);
        double conditional = 0.0;
        for (const auto& rows : by_class)
            if (!rows.empty())
                conditional += static_cast<double>(rows.size()) / static_cast<double>(t.n) *
                               from_prepared(detail::subset_rows(t, rows), where);
        return {h, conditional};
    }

    /// with_conditional from one search's kth_distance_grouped (distinct, unscaled rows).
    std::pair<double, double> in_one_search(const detail::prepared& t, const labels& y,
                                            const std::vector<std::vector<std::size_t>>& by_class, const char* where) const {
        search_type search = search_;
        search.build(t.view());
        std::vector<std::uint32_t> group(t.n);
        for (std::size_t i = 0; i < t.n; ++i) group[i] = static_cast<std::uint32_t>(y[i]);
        const grouped_kth r = search.kth_distance_grouped(k_, group);
        const double h = from_distances(r.all, nullptr, 0, t.d, t.n, where);
        double conditional = 0.0;
        std::vector<double> own;
        for (const auto& rows : by_class) {
            if (rows.empty()) continue;
            own.resize(rows.size());
            for (std::size_t m = 0; m < rows.size(); ++m) own[m] = r.own[rows[m]];
            conditional += static_cast<double>(rows.size()) / static_cast<double>(t.n) *
                           from_distances(own, nullptr, 0, t.d, rows.size(), where);
        }
        return {h, conditional};
    }

    double from_prepared(const detail::prepared& all, const char* where) const {
        return from_prepared(all, detail::distinct_rows(all), where);
    }
    /// H of the rows `all`, whose distinct rows and multiplicities are `groups`.
    double from_prepared(const detail::prepared& all, const detail::row_groups& groups, const char* where) const {
        const bool repeated = !groups.count.empty();
        const detail::prepared& p = repeated ? groups.rows : all;
        double m = 0.0;
        for (const double v : p.values) m = std::max(m, std::fabs(v));
        const int e = search_scale(m);
        detail::prepared scaled;
        if (e != 0) {
            scaled = p;
            for (double& v : scaled.values) v = std::ldexp(v, e);
        }
        search_type search = search_;
        std::vector<double> r;
        if (!repeated) {
            if constexpr (detail::builds_for_kth<search_type>::value)
                search.build(e != 0 ? scaled.view() : p.view(), search_type::queries::kth_distance);
            else
                search.build(e != 0 ? scaled.view() : p.view());
            r = search.kth_distance(k_);
        } else {
            r = kth_distance_repeated(search, e != 0 ? scaled : p, groups.count);
        }
        return from_distances(r, repeated ? &groups.count : nullptr, e, all.d, all.n, where);
    }

    /// H = (d/N) sum_i m_i log(r_i + eps) + log c_d + psi(N) - psi(k), from the k-th distances r
    /// (of distinct rows with multiplicities m_i when `count` is given, else m_i = 1) found at
    /// the search scale 2^e.
    double from_distances(const std::vector<double>& r, const std::vector<std::size_t>* count, int e, std::size_t dims,
                          std::size_t rows, const char* where) const {
        const bool repeated = count != nullptr;
        const double eps = std::ldexp(epsilon_, e);
        const double shift = -static_cast<double>(e) * ln2;
        // the logarithms on all cores, their sum in row order (the same sum for any thread count)
        detail::cached_vector<double> term(r.size());
        parallel_for_ranges(r.size(), 4096, [&](std::size_t first, std::size_t last) {
            for (std::size_t i = first; i < last; ++i) {
                const double v = r[i] + eps;
                if (!(v > 0.0))
                    detail::fail(where, "epsilon", epsilon_,
                                 "> 0, or tie_policy::jitter(): a row repeated more than k = " + std::to_string(k_) +
                                     " times has k-th-neighbour distance 0");
                // eps beyond the double range at the search's scale: the distance is negligible against it.
                term[i] = std::isfinite(v) ? std::log(v) + shift : std::log(epsilon_);
            }
        });
        // m_i log r_i as one fused multiply-add where the target has one: what GCC made of the
        // former loop, which also took the logarithms, and not what it makes of this one
        double sum = 0.0;
        for (std::size_t i = 0; i < r.size(); ++i)
            sum = repeated ? detail::mul_add(static_cast<double>((*count)[i]), term[i], sum) : sum + term[i];
        const double d = static_cast<double>(dims), n = static_cast<double>(rows);
        return d * sum / n + metric_type::log_unit_ball_volume(dims) + detail::digamma(n) -
               detail::digamma(static_cast<double>(k_));
    }

    /// Every distinct row's distance to its k-th nearest other row of the full multiset: 0 when it
    /// occurs more than k times, else the distance at which its nearest distinct rows, each counted
    /// with its multiplicity, add up to k with its own other copies.
    std::vector<double> kth_distance_repeated(search_type& search, const detail::prepared& distinct,
                                              const std::vector<std::size_t>& count) const {
        std::vector<double> r(distinct.n, 0.0);
        const bool any_searched = std::any_of(count.begin(), count.end(), [&](std::size_t m) { return m <= k_; });
        if (!any_searched) return r;
        // the other rows number N - 1 >= k, so k distinct neighbours (or all there are) always suffice
        const std::size_t q = std::min(k_, distinct.n - 1);
        search.build(distinct.view());
        const neighbors nb = search.knn(q);
        for (std::size_t j = 0; j < distinct.n; ++j) {
            if (count[j] > k_) continue;
            std::size_t have = count[j] - 1;
            for (std::size_t t = 0; t < q; ++t) {
                have += count[nb.index(j, t)];
                if (have >= k_) {
                    r[j] = nb.distance(j, t);
                    break;
                }
            }
        }
        return r;
    }

    search_type search_;
    std::size_t k_ = 2;
    double epsilon_ = 0.0;
    tie_policy ties_;
};

/// kl_entropy(search, ...) deduces kl_entropy<decltype(search)>.
template <class S, std::enable_if_t<is_search_v<S>, int> = 0>
kl_entropy(S) -> kl_entropy<S>;
template <class S, class O, std::enable_if_t<is_search_v<S>, int> = 0>
kl_entropy(S, O) -> kl_entropy<S>;

}  // namespace mi

#endif
