// SPDX-License-Identifier: BSD-3-Clause
// automatic<Metric>: the search policy used when the user does not choose.
// Each structure wins in its own range of dimension (measured on Gaussian
// data with bench/bench_knn.cpp, see bench/knn.md):
//   d <= 4: grid. A cell list is built in O(N) and a query looks at the few
//     cells around its own, where a kd-tree pays a descent and backtracking.
//     Data crowded into few cells (dead or saturated units without jitter:
//     runs of exact duplicates) slow the grid's per-point searches, so when
//     a point shares its cell with more than `crowded` times the occupancy
//     the grid aimed at (grid::crowding, grid::target_occupancy) a kd_tree
//     answers knn and the range counts, as it splits such runs by index and
//     skips them through its bounding boxes and index bounds. The grid is kept for
//     kth_distance, whose batched scan (grid.hpp) stays ahead of the tree
//     however crowded the cells: on Gaussian points of which 0-40 % are exact
//     copies of one or of sixteen rows (crowding up to 656 times the target;
//     d = 2-4, N = 4096 and 16384; `bench_knn crowded`, bench/knn.md,
//     2026-12-06), grid build + kth_distance took 0.07-0.64 of the tree's
//     build + kth_distance; on the SZT network's crowded 2- to 4-unit layers
//     the grid built beside the tree took 0.73 of the tree alone. A build told that
//     only kth_distance will be asked (queries::kth_distance, as kl_entropy's
//     entropy is) keeps the crowded grid alone.
//   d > 4: kd_tree when N >= tree_min_points (1024 for the Euclidean norm,
//     2048 for the max-norm) and d <= c + log2(N) / 2, with c = 12 for the
//     Euclidean norm and 4 for the max-norm. A kd-tree with median
//     splits cuts each of the first log2(N / leaf) levels once, so it only
//     separates neighbourhoods when N is large compared with 2^d. Since the
//     tree scans other leaves through its float pre-filter (kd_tree.hpp),
//     twice the lanes per register of brute force's double kernel, its kNN
//     is faster than brute force at every size measured (bench_knn's last
//     two tables, Gaussian data, AMD Zen 4, 2 threads, 2026-12-05):
//     Euclidean k = 2, tree / brute force time 0.16-0.97 for N = 2048-65536
//     and d = 6-20 (0.93-0.97 at d = 20, N >= 16384, where a query scans
//     92-98 % of the points); c = 12 covers the measured range (d = 20 at
//     N = 65536) and no more. The max-norm's kNN was as fast (0.30-0.74 for
//     d = 8-24), but its range counts (KSG's marginals, the same policy)
//     traverse the tree per query above two dimensions and lose to brute
//     force's blocked counts: with c = 16, KSG 12-D vs 12-D at N = 16384 took
//     0.44 s instead of 0.30 s. So the max-norm keeps the rule measured with
//     per-query traversal (2026-12-04: tree faster up to d = 12 at N =
//     2048-4096 and d = 10 at N = 16384).
//   Above that range, up to probe_dims dimensions and from tree_min_points, the
//     data decide: network layers often lie near a low-dimensional set, where
//     a tree prunes as in few dimensions. When the intrinsic dimension of 256
//     rows (two-NN estimate, intrinsic_dimension(); about 0.1 ms) is within
//     probe_slack (1 for the max-norm, 2 for the Euclidean norm) of the
//     range, the kd-tree is built and probed with probe_queries queries
//     (kd_tree::scanned_fraction), and kept when they scan less than
//     probe_threshold(N) of the points: 0.95 for the Euclidean norm at every
//     N, as the tree stayed faster up to that fraction (before the
//     pre-filter the break-even fell with N, from about 0.9 at N = 2048 to
//     0.46 at 65536), and for the max-norm 0.65 sqrt(2048 / N), from the
//     per-query measurement (N = 4096, d = 10: f = 68 %, 13.1 ms against
//     9.1 ms). The SZT network's 10-unit layers scan 15-31 % at N = 4096
//     (tree 5.1 ms on one core on average over training, build included;
//     brute force 9.9).
//     A rejected probe costs the tree's build and the probe, 3-30 % of the
//     brute-force pass (N = 65536 down to 4096), which the intrinsic
//     dimension spares spread data: two-NN gives 9.2 for a 10-D Gaussian
//     sample, 10.2 for 12-D, and 2-7 for the SZT network's 10-unit layer
//     over training;
//   otherwise brute_force, whose blocked SIMD scan beats a tree that visits
//     most leaves anyway.
// All give identical results, so the choice only changes the speed.
//
// Thread safety and ownership: as the chosen policy (immutable once built,
// const queries from several threads, points copied).
#ifndef MI_SEARCH_AUTOMATIC_HPP
#define MI_SEARCH_AUTOMATIC_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "mi/search/brute_force.hpp"
#include "mi/search/grid.hpp"
#include "mi/search/kd_tree.hpp"
#include "mi/search/metric.hpp"

namespace mi {

template <class Metric = max_norm>
class automatic {
public:
    using metric_type = Metric;
    static constexpr bool exact = true;

    automatic() = default;
    template <class T>
    explicit automatic(const activation_view<const T>& points) {
        build(points);
    }
    /// The kd_tree and the grid it may choose, configured (leaf size, occupancy); copied per build.
    explicit automatic(kd_tree<Metric> tree, grid<Metric> cells = grid<Metric>())
        : tree_(std::move(tree)), cells_(std::move(cells)) {}

    /// How many times the occupancy its grid aimed at grid::crowding() may reach before
    /// automatic answers knn and the range counts with a kd_tree (kth_distance keeps the grid).
    /// Spread data gives 1.2-1.6 times it; network layers with units dead or saturated on part
    /// of the inputs give 5-25 times (measured at occupancy 2, before the grid's batched
    /// kth_distance, when the kd_tree was faster in every such case: the SZT network's 3- and
    /// 4-unit layers, 844 of them, 1.2-3x faster with 4 times than with 16 times).
    static constexpr double crowded = 4.0;

    /// Below this many points (and above four dimensions) automatic uses brute force: 1024 for
    /// the Euclidean norm, whose tree took 0.55-0.77 of brute force's time at N = 1024 and d =
    /// 6-20 but 0.75-1.10 at N = 512 (bench_knn's Euclidean table, Zen 4, 2 threads, 2026-12-05);
    /// 2048 for the max-norm, whose range counts traverse per query (see the header comment).
    static constexpr std::size_t tree_min_points = std::is_same_v<Metric, max_norm> ? 2048 : 1024;
    /// c in the kd_tree's range d <= c + log2(N) / 2 (see the header comment).
    static constexpr double tree_dims_offset = std::is_same_v<Metric, max_norm> ? 4.0 : 12.0;
    /// The probe of the kd-tree beyond that range: up to this many dimensions, with this many
    /// queries; the tree is kept when they scan less than probe_threshold(N) of the points.
    static constexpr std::size_t probe_dims = 32;
    /// How far above the dimension rule's range the intrinsic dimension may be for a probe.
    static constexpr double probe_slack = std::is_same_v<Metric, max_norm> ? 1.0 : 2.0;
    static constexpr std::size_t probe_queries = 64;
    static double probe_threshold(std::size_t n) noexcept {
        if constexpr (std::is_same_v<Metric, max_norm>) return 0.65 * std::sqrt(2048.0 / static_cast<double>(std::max<std::size_t>(n, 1)));
        return 0.95;
    }

    /// True when automatic builds a grid for n points in d dimensions (it
    /// may still switch to a kd_tree on crowded cells).
    static bool prefers_grid(std::size_t /*n*/, std::size_t d) noexcept { return d <= 4; }
    /// True when automatic builds a kd_tree (rather than brute_force) for
    /// n points in d dimensions when it does not build a grid, whatever the data.
    static bool prefers_tree(std::size_t n, std::size_t d) noexcept {
        if (d <= 4) return true;
        if (n < tree_min_points) return false;
        return static_cast<double>(d) <= tree_dims_offset + 0.5 * std::log2(static_cast<double>(n));
    }
    /// True when, prefers_tree being false, automatic may probe a kd_tree (if the data's
    /// intrinsic dimension is near the tree's range) and keeps it if its probe scans less than
    /// probe_threshold(n) of the points.
    static bool probes_tree(std::size_t n, std::size_t d) noexcept {
        return !prefers_tree(n, d) && n >= tree_min_points && d <= probe_dims;
    }

    /// The two-NN estimate of the intrinsic dimension of the rows of x (Facco, d'Errico, Rodriguez
    /// & Laio, "Estimating the intrinsic dimension of datasets by a minimal neighborhood
    /// information", Sci. Rep. 7, 12140, 2017: the maximum-likelihood form d = (n - 1) /
    /// sum_i log(r2_i / r1_i), r1 and r2 the distances from row i to its two nearest other rows)
    /// over `sample` rows spread evenly over x, in the policy's metric. Rows with r1 = 0 (repeats)
    /// are left out; with fewer than three left, or no spread at all, it returns x.cols().
    template <class T>
    static double intrinsic_dimension(const activation_view<const T>& x, std::size_t sample = 256) {
        const std::size_t n = x.rows(), d = x.cols();
        const std::size_t m = std::min(n, std::max<std::size_t>(sample, 3));
        std::vector<double> rows(m * d);
        for (std::size_t a = 0; a < m; ++a)
            for (std::size_t j = 0; j < d; ++j) rows[a * d + j] = static_cast<double>(x(a * n / m, j));
        std::vector<double> r1(m, std::numeric_limits<double>::infinity()), r2(r1);
        for (std::size_t a = 0; a < m; ++a)
            for (std::size_t b = a + 1; b < m; ++b) {
                double s = 0.0;
                for (std::size_t j = 0; j < d; ++j) {
                    const double t = std::fabs(rows[a * d + j] - rows[b * d + j]);
                    s = std::is_same_v<Metric, max_norm> ? std::max(s, t) : s + t * t;
                }
                for (const std::size_t i : {a, b}) {
                    if (s < r1[i]) {
                        r2[i] = r1[i];
                        r1[i] = s;
                    } else if (s < r2[i]) {
                        r2[i] = s;
                    }
                }
            }
        const double power = std::is_same_v<Metric, max_norm> ? 1.0 : 0.5;  // reduced to true distance
        double sum = 0.0;
        std::size_t used = 0;
        for (std::size_t i = 0; i < m; ++i)
            if (r1[i] > 0.0 && std::isfinite(r2[i])) {
                sum += power * std::log(r2[i] / r1[i]);
                ++used;
            }
        if (used < 3 || !(sum > 0.0)) return static_cast<double>(d);
        return static_cast<double>(used - 1) / sum;
    }

    static std::string name() { return std::string("automatic<") + Metric::name() + ">"; }
    /// "search=automatic<metric>", with the knobs of its kd_tree and grid when they were chosen.
    std::string parameters() const {
        std::string p = "search=" + name();
        if (tree_.leaf_size() > 0) p += ";leaf_size=" + std::to_string(tree_.leaf_size());
        if (cells_.occupancy() > 0.0) p += ";occupancy=" + detail::to_text(cells_.occupancy());
        return p;
    }
    /// The name of the policy chosen by the last build (for knn, the range counts and the grouped distances).
    std::string chosen() const {
        return std::visit([](const auto& s) { return s.name(); }, impl_);
    }
    /// The name of the policy that answers kth_distance: chosen(), or the grid kept beside a
    /// kd_tree chosen for crowded cells.
    std::string chosen_for_kth() const { return kth_grid_ ? kth_grid_->name() : chosen(); }

    /// What the built policy will be asked (build's second argument). With kth_distance, a
    /// crowded grid is kept alone rather than beside a kd_tree, whose build (a fifth of a
    /// Kozachenko-Leonenko estimate on the SZT ReLU network's 4-unit layers) would not be used;
    /// knn and the range counts still answer, from the grid, with the same results.
    enum class queries { all, kth_distance };

    template <class T>
    void build(const activation_view<const T>& points, queries asked = queries::all) {
        kth_grid_.reset();
        if (prefers_grid(points.rows(), points.cols())) {
            grid<Metric>& g = impl_.template emplace<grid<Metric>>(cells_);
            g.build(points);
            if (asked == queries::kth_distance || g.crowding() <= crowded * g.target_occupancy()) return;
            kth_grid_ = std::move(g);
        }
        if (probes_tree(points.rows(), points.cols()) &&
            intrinsic_dimension(points) <= tree_dims_offset + probe_slack + 0.5 * std::log2(static_cast<double>(points.rows()))) {
            kd_tree<Metric>& t = impl_.template emplace<kd_tree<Metric>>(tree_);
            t.build(points);
            if (t.scanned_fraction(probe_queries, 2) < probe_threshold(points.rows())) return;
            impl_.template emplace<brute_force<Metric>>().build(points);
            return;
        }
        if (prefers_tree(points.rows(), points.cols())) {
            impl_.template emplace<kd_tree<Metric>>(tree_);
        } else {
            impl_.template emplace<brute_force<Metric>>();
        }
        std::visit([&](auto& s) { s.build(points); }, impl_);
    }

    std::size_t size() const noexcept {
        return std::visit([](const auto& s) { return s.size(); }, impl_);
    }
    std::size_t dims() const noexcept {
        return std::visit([](const auto& s) { return s.dims(); }, impl_);
    }
    neighbors knn(std::size_t k) const {
        return std::visit([&](const auto& s) { return s.knn(k); }, impl_);
    }
    std::vector<double> kth_distance(std::size_t k) const {
        if (kth_grid_) return kth_grid_->kth_distance(k);
        return std::visit([&](const auto& s) { return s.kth_distance(k); }, impl_);
    }
    /// The k-th-neighbour distances among all points and within each point's group, from one
    /// search of the chosen policy (see mi::grouped_kth).
    grouped_kth kth_distance_grouped(std::size_t k, const std::vector<std::uint32_t>& group) const {
        return std::visit([&](const auto& s) { return s.kth_distance_grouped(k, group); }, impl_);
    }
    std::vector<std::uint32_t> count_within(const std::vector<double>& radius, range cmp = range::strict) const {
        return std::visit([&](const auto& s) { return s.count_within(radius, cmp); }, impl_);
    }

private:
    kd_tree<Metric> tree_;
    grid<Metric> cells_;
    std::variant<brute_force<Metric>, kd_tree<Metric>, grid<Metric>> impl_;
    // The crowded grid that kth_distance keeps when impl_ is the kd_tree (see the header comment).
    std::optional<grid<Metric>> kth_grid_;
};

}  // namespace mi

#endif
