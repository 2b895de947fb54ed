// SPDX-License-Identifier: BSD-3-Clause
// automatic<Metric>: the search policy used when the user does not choose.
// Each structure wins in its own range of dimension (measured on Gaussian
// data with bench/bench_knn.cpp, see bench/knn.md):
//   d <= 4: grid. A cell list is built in O(N) and a query looks at the few
//     cells around its own, where a kd-tree pays a descent and backtracking.
//     Many exact duplicates (dead or saturated units without jitter) pile up
//     in one cell and make the grid quadratic, so when a point shares its
//     cell with more than `crowded` others on average (grid::crowding) the
//     grid is dropped for a kd_tree, which splits such runs by index and
//     skips them through its bounding boxes and index bounds.
//   d > 4: kd_tree when N >= 2048 and d <= c + log2(N) / 2, with c = 4 for
//     the max-norm and 1.5 for the Euclidean norm. A kd-tree with median
//     splits cuts each of the first log2(N / leaf) levels once, so it only
//     separates neighbourhoods when N is large compared with 2^d; its boxes
//     bound a max-norm ball (itself a box) more tightly than a sphere, so
//     the max-norm keeps the tree a few dimensions longer (all-points kNN on
//     Gaussian data, AMD Zen 4, 2 threads, 2026-12-04: max-norm k = 3, tree
//     faster up to d = 12 at N = 2048-4096 and d = 10 at N = 16384;
//     Euclidean k = 2, up to d = 7 at N = 2048-4096 and d = 8 at N = 16384);
//   Above that range, up to probe_dims dimensions and from 2048 points, the
//     data decide: network layers often lie near a low-dimensional set, where
//     a tree prunes as in few dimensions. The kd-tree is built and probed with
//     probe_queries queries (kd_tree::scanned_fraction); it is kept when they
//     scan less than probe_threshold(N) = 0.65 sqrt(2048 / N) of the points.
//     Brute force computes each pair once and spends relatively less per pair
//     as N grows, so the fraction at which the two cost the same falls with N;
//     measured (Euclidean, 2-NN, Gaussian, Zen 4, 2 threads): tree / brute
//     force time = 2 f r with f the scanned fraction and r = 0.74, 1.06, 1.92
//     at N = 2048, 4096, 16384 (e.g. N = 4096, d = 10: f = 68 %, 13.1 ms
//     against 9.1 ms), so the break-even f = 1 / (2 r) is 0.68, 0.47, 0.26.
//     The SZT network's 10-unit layers scan 15-31 % at N = 4096 (tree
//     5.0-7.2 ms, brute force 6.3-7.1 ms; with the within-class searches of
//     Kozachenko-Leonenko, which the tree serves in the same traversal, 7.2
//     ms against 12.1 ms). A probe that rejects the tree costs its build,
//     3-7 % of the brute-force pass;
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

    /// The largest grid::crowding() a grid may have before automatic prefers a kd_tree. Spread
    /// data gives 2-3 (the grid's target occupancy); network layers with units dead or saturated
    /// on part of the inputs give 10-50, where the kd_tree was faster in every case measured
    /// (the SZT network's 3- and 4-unit layers, 844 of them: 1.2-3x faster with 8 than with 32).
    static constexpr double crowded = 8.0;

    /// c in the kd_tree's range d <= c + log2(N) / 2 (see the header comment).
    static constexpr double tree_dims_offset = std::is_same_v<Metric, max_norm> ? 4.0 : 1.5;
    /// The probe of the kd-tree beyond that range: up to this many dimensions, with this many
    /// queries; the tree is kept when they scan less than probe_threshold(N) of the points.
    static constexpr std::size_t probe_dims = 32;
    static constexpr std::size_t probe_queries = 64;
    static double probe_threshold(std::size_t n) noexcept {
        return 0.65 * std::sqrt(2048.0 / static_cast<double>(std::max<std::size_t>(n, 1)));
    }

    /// True when automatic builds a grid for n points in d dimensions (it
    /// may still switch to a kd_tree on crowded cells).
    static bool prefers_grid(std::size_t /*n*/, std::size_t d) noexcept { return d <= 4; }
    /// True when automatic builds a kd_tree (rather than brute_force) for
    /// n points in d dimensions when it does not build a grid, whatever the data.
    static bool prefers_tree(std::size_t n, std::size_t d) noexcept {
        if (d <= 4) return true;
        if (n < 2048) return false;
        return static_cast<double>(d) <= tree_dims_offset + 0.5 * std::log2(static_cast<double>(n));
    }
    /// True when, prefers_tree being false, automatic builds a kd_tree and keeps it if its probe
    /// scans less than probe_threshold(n) of the points.
    static bool probes_tree(std::size_t n, std::size_t d) noexcept {
        return !prefers_tree(n, d) && n >= 2048 && d <= probe_dims;
    }

    static std::string name() { return std::string("automatic<") + Metric::name() + ">"; }
    /// "search=automatic<metric>", with the knobs of its kd_tree and grid when they were chosen.
    std::string parameters() const {
        std::string p = "search=" + name();
        if (tree_.leaf_size() > 0) p += ";leaf_size=" + std::to_string(tree_.leaf_size());
        if (cells_.occupancy() > 0.0) p += ";occupancy=" + detail::to_text(cells_.occupancy());
        return p;
    }
    /// The name of the policy chosen by the last build.
    std::string chosen() const {
        return std::visit([](const auto& s) { return s.name(); }, impl_);
    }

    template <class T>
    void build(const activation_view<const T>& points) {
        if (prefers_grid(points.rows(), points.cols())) {
            grid<Metric>& g = impl_.template emplace<grid<Metric>>(cells_);
            g.build(points);
            if (g.crowding() <= crowded) return;
        }
        if (probes_tree(points.rows(), points.cols())) {
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
};

}  // namespace mi

#endif
