// SPDX-License-Identifier: BSD-3-Clause
// kd_tree<Metric>: exact k-nearest-neighbour and range-count search in
// O(N log N) build and roughly O(log N) per query in low dimension, the
// structure KSG needs on activation layers of a few units (Kraskov et al.
// 2004 use a box-assisted search for the same reason).
//
// Build: each node splits its points at the median of the dimension with the
// widest bounding box (a quickselect, detail::select_kth, with ties broken by index, so the
// tree is the same on every run; in one dimension a single sort), moving the
// rows into tree order (from one buffer into another, level by level, with
// the children's boxes found on the way); the shape depends only on N, so
// the two halves are built in parallel. Leaves hold at most `leaf_size` points, stored as SIMD
// blocks and scanned with the same kernel as brute_force.
//
// Queries: the queries of a leaf share one traversal and are scanned against
// other leaves four at a time. In one and two dimensions their common box
// prunes well and decides the visits. Above, each query keeps its own bound:
// a node's box is compared with all of the leaf's queries at once (across
// SIMD lanes) and a leaf is scanned only by the queries it can improve, so
// the pruning is a lone query's while the traversal is paid once per leaf
// (1.4-1.6x faster than one traversal per query on the SZT network's 5- to
// 10-unit layers; the same pairs are scanned). Other leaves are then first
// scanned in float, 16 lanes per AVX-512 register instead of 8, against each
// query's k-th distance widened by a bound on the float rounding (of the
// differences and sums, and of the inputs unless they are floats, as network
// activations are: detail::float_filter_limit); only the blocks holding a lane
// that may be within it are computed in double, so the results do not change
// (1.2-1.45x faster on the SZT network's 4- to 10-unit layers, 2026-12-05).
// Inside a leaf the points are ordered by further median splits down to runs
// of one float block (order_leaf), so that each block is a small cluster with
// a bounding box (build_boxes, rounded outwards to floats): a query first takes
// its own block in double, which gives it a near k-th distance at once, and a
// tile of queries then scans only the blocks whose box it may reach
// (detail::box_reduced against the same float limit). The boxes replaced
// bounding balls, which in 6 to 10 dimensions are wider than the clusters'
// boxes: per 4-query tile they let through 151.6 blocks at d = 6, 441 at d = 8
// and 150 on the SZT network's 10-unit layer, the boxes 67.7, 172 and 76, with
// the same offers (N = 16384 Gaussian points, k = 2; counted in a scratch
// build, 2026-12-07). One thread, AMD Zen 3: kNN 1.12-1.25x faster at d = 6
// and 8, and the SZT plane's Kozachenko-Leonenko on its 5- to 10-unit layers
// 18-26 % less time (bench/knn.md). With the pre-filter, the traversal's node
// test is taken in float too: each node's box rounded outwards, against eight
// queries' float limits per register (detail::box_reduced_queries, the same
// bound as the blocks'), in place of four queries' double bounds. One thread,
// the same Zen 3: kNN 8-11 % faster at d = 6 and 8 (2026-12-07).
// Range counts above two
// dimensions, the within-group search and scanned_fraction still traverse
// per query. In one dimension, range counts are window edges in the sorted
// points (gallop from the previous query's edge, then bisect).
//
// Queries prune with the node's tight bounding box. The per-dimension gaps
// are combined the metric's way: max for the max-norm (exact, so no slack),
// sum of squares for the Euclidean norm (with a relative slack of a few ulps
// per dimension, so a rounding difference between the bound and a point's
// distance can never prune a point that counts). Nodes whose whole box lies
// inside the radius are counted without visiting their points. Ties at the
// k-th distance are resolved by index: a node is skipped at equal distance
// only when its smallest point index cannot win the tie. Hence the results
// are identical to brute_force<Metric> (tested).
//
// Thread safety: a built tree is immutable; const queries may run from
// several threads at once. The points are copied at build time.
#ifndef MI_SEARCH_KD_TREE_HPP
#define MI_SEARCH_KD_TREE_HPP

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/parallel.hpp"
#include "mi/search/metric.hpp"

namespace mi {

namespace detail {

/// Reorders keys[0, m) so that keys[kth] is the kth smallest under `less` (a strict total order:
/// the keys are distinct), with no larger key before it and no smaller one after: the partition
/// std::nth_element gives, by quickselect with a median-of-three pivot and a partition without
/// branches (through spare[0, m)). kd_tree's build selects with it: std::nth_element's
/// comparisons branch on the data, unpredictably on random coordinates (a 10-unit SZT layer's
/// build, N = 4096, with the leaves ordered: 0.95 ms with it, 0.81 ms with this).
template <class Key, class Less>
void select_kth(Key* keys, std::size_t m, std::size_t kth, Key* spare, Less less) noexcept {
    std::size_t lo = 0, hi = m;
    while (hi - lo > 1) {
        const std::size_t mid = lo + (hi - lo) / 2;
        // p the larger of the first two; the pivot is the median of the three
        std::size_t p = less(keys[lo], keys[mid]) ? mid : lo;
        const std::size_t other = p == mid ? lo : mid;
        if (less(keys[hi - 1], keys[p])) p = less(keys[other], keys[hi - 1]) ? hi - 1 : other;
        const Key pivot = keys[p];
        keys[p] = keys[hi - 1];
        const std::size_t count = hi - 1 - lo;
        std::size_t below = 0, above = 0;
        for (std::size_t t = lo; t < hi - 1; ++t) {
            const Key x = keys[t];
            const bool is_below = less(x, pivot);
            spare[below] = x;              // kept when x is below the pivot
            spare[count - 1 - above] = x;  // kept when it is above
            below += is_below;
            above += !is_below;
        }
        std::copy_n(spare, below, keys + lo);
        keys[lo + below] = pivot;
        std::copy_n(spare + below, above, keys + lo + below + 1);
        if (kth < lo + below) hi = lo + below;
        else if (kth > lo + below) lo = lo + below + 1;
        else return;
    }
}

}  // namespace detail

template <class Metric = max_norm>
class kd_tree {
public:
    using metric_type = Metric;
    static constexpr bool exact = true;

    /// leaf_size: the largest number of points in a leaf; 0 (default) picks
    /// 8 for d <= 2 and 256 above (measured, bench/knn.md: with bounds on the
    /// blocks inside leaves, a leaf of 256 was the fastest kNN on the SZT network's
    /// 3- to 10-unit layers, and KSG's 4-D range counts were no slower than
    /// with the former 64).
    explicit kd_tree(std::size_t leaf_size = 0) : leaf_size_(leaf_size) {
        if (leaf_size > 4096) detail::fail("mi::kd_tree", "leaf_size", leaf_size, "0 (automatic) or 1..4096");
    }
    template <class T>
    explicit kd_tree(const activation_view<const T>& points, std::size_t leaf_size = 0) : kd_tree(leaf_size) {
        build(points);
    }

    static std::string name() { return std::string("kd_tree<") + Metric::name() + ">"; }
    /// "search=kd_tree<metric>", with ";leaf_size=L" when the leaf size was chosen.
    std::string parameters() const {
        return "search=" + name() + (leaf_size_ > 0 ? ";leaf_size=" + std::to_string(leaf_size_) : "");
    }
    std::size_t leaf_size() const noexcept { return leaf_size_; }
    /// The number of leaves of the built tree (0 before build).
    std::size_t leaves() const noexcept { return leaves_.size(); }
    /// True when the k-nearest-neighbour searches of the built tree scan other leaves through
    /// the float pre-filter (above two dimensions, with every coordinate of magnitude at most
    /// 2^40); the results are the same either way.
    bool float_prefilter() const noexcept { return !float_blocks_.empty(); }

    /// Copies the points and builds the tree, O(N log N).
    template <class T>
    void build(const activation_view<const T>& points) {
        detail::point_copy c = detail::copy_points(points, "mi::kd_tree::build");
        n_ = c.n;
        d_ = c.d;
        widen_ = detail::bound_widening(d_);
        leaf_ = leaf_size_ > 0 ? leaf_size_ : (d_ <= 2 ? 8 : 256);
        perm_.resize(n_);
        for (std::size_t i = 0; i < n_; ++i) perm_[i] = static_cast<std::uint32_t>(i);
        // The shape depends only on N and the leaf size (median splits), so
        // node ids are known in advance and the two halves of the tree can be
        // built at the same time without sharing anything.
        const std::size_t count = subtree_nodes(n_);
        nodes_.assign(count, node{});
        lo_.assign(count * d_, 0.0);
        hi_.assign(count * d_, 0.0);
        depth_ = subtree_depth(n_);
        rows_ = std::move(c.rows);  // reordered into tree order while building
        if (d_ == 1) {
            // one dimension: the median splits of the sorted order are the
            // tree, so one sort replaces a selection per node
            std::vector<std::pair<double, std::uint32_t>> keys(n_);
            for (std::size_t i = 0; i < n_; ++i) keys[i] = {rows_[i], static_cast<std::uint32_t>(i)};
            std::sort(keys.begin(), keys.end());
            for (std::size_t i = 0; i < n_; ++i) {
                rows_[i] = keys[i].first;
                perm_[i] = keys[i].second;
            }
        }
        set_box(0, rows_.data(), 0, n_);
        if (d_ == 1) {
            build_sorted(0, 0, n_);
        } else {
            build_buffers b{detail::cached_vector<double>(n_ * d_), detail::cached_vector<split_key>(n_),
                            detail::cached_vector<split_key>(n_)};
            build_node(0, 0, n_, b, rows_.data(), b.rows.data(), 0);
        }
        std::size_t total = 0;
        leaves_.clear();
        for (std::size_t id = 0; id < nodes_.size(); ++id)
            if (nodes_[id].left < 0) {
                leaves_.push_back(id);
                nodes_[id].block = static_cast<std::uint32_t>(total);
                // rounded up to even, so that float block b of the leaf starts at block / 2 + b
                total += (nodes_[id].end - nodes_[id].begin + detail::float_lanes - 1) / detail::float_lanes * 2;
            }
        blocks_.assign(total * d_ * detail::lanes, std::numeric_limits<double>::infinity());
        parallel_for(leaves_.size(), [&](std::size_t l) {
            const node& nd = nodes_[leaves_[l]];
            std::uint32_t local[1024];
            std::vector<std::uint32_t> big;
            std::uint32_t* order = local;
            if (nd.end - nd.begin > 1024) {
                big.resize(nd.end - nd.begin);
                order = big.data();
            }
            for (std::size_t p = nd.begin; p < nd.end; ++p) order[p - nd.begin] = static_cast<std::uint32_t>(p);
            detail::write_blocks(rows_.data(), d_, order, nd.end - nd.begin,
                                 blocks_.data() + static_cast<std::size_t>(nd.block) * d_ * detail::lanes);
        });
        float_rows_.clear();
        float_blocks_.clear();
        input_error_ = d_ > batched_dims && d_ <= 4096 ? detail::float_filter_input_error(rows_) : -1.0;
        if (input_error_ >= 0.0) {
            float_rows_.assign(rows_.begin(), rows_.end());
            float_blocks_.assign(total / 2 * d_ * detail::float_lanes, std::numeric_limits<float>::infinity());
            for (const std::size_t id : leaves_) {
                const node& nd = nodes_[id];
                float* out = float_blocks_.data() + static_cast<std::size_t>(nd.block / 2) * d_ * detail::float_lanes;
                for (std::size_t p = nd.begin; p < nd.end; ++p) {
                    const std::size_t b = (p - nd.begin) / detail::float_lanes, l = (p - nd.begin) % detail::float_lanes;
                    for (std::size_t j = 0; j < d_; ++j) out[(b * d_ + j) * detail::float_lanes + l] = float_rows_[p * d_ + j];
                }
            }
            build_boxes();
        }
    }

    std::size_t size() const noexcept { return n_; }
    std::size_t dims() const noexcept { return d_; }

    neighbors knn(std::size_t k) const {
        detail::check_k(k, n_, "mi::kd_tree::knn");
        neighbors out;
        out.index = xt::xtensor<std::uint32_t, 2>::from_shape({n_, k});
        out.distance = xt::xtensor<double, 2>::from_shape({n_, k});
        double* rho = out.distance.data();
        std::uint32_t* idx = out.index.data();
        if (d_ <= batched_dims) {
            parallel_for(leaves_.size(), [&](std::size_t l) { knn_leaf(leaves_[l], k, rho, idx); });
        } else {
            parallel_for(leaves_.size(), [&](std::size_t l) { knn_leaf_queries(leaves_[l], k, rho, idx); });
        }
        for (std::size_t i = 0; i < n_ * k; ++i) rho[i] = Metric::to_distance(rho[i]);
        return out;
    }

    std::vector<double> kth_distance(std::size_t k) const { return knn(k).kth_distances(); }

    /// Every point's k-th-neighbour distance among all points and among the points of its own
    /// group (group[i] for point i; more than k points in every group), in one traversal (per
    /// leaf of queries above two dimensions, per point below): a subtree is skipped only when
    /// its bound exceeds the own-group list's k-th distance, which is never below the
    /// all-points list's.
    grouped_kth kth_distance_grouped(std::size_t k, const std::vector<std::uint32_t>& group) const {
        const char* where = "mi::kd_tree::kth_distance_grouped";
        detail::check_k(k, n_, where);
        detail::check_groups(group, n_, k, where);
        grouped_kth out{std::vector<double>(n_), std::vector<double>(n_)};
        if (d_ > batched_dims) {
            std::vector<double> rho(n_ * k), own_rho(n_ * k);
            std::vector<std::uint32_t> idx(n_ * k), own_idx(n_ * k);
            parallel_for(leaves_.size(), [&](std::size_t l) {
                knn_leaf_queries(leaves_[l], k, rho.data(), idx.data(), group.data(), own_rho.data(), own_idx.data());
            });
            for (std::size_t i = 0; i < n_; ++i) {
                out.all[i] = Metric::to_distance(rho[i * k + k - 1]);
                out.own[i] = Metric::to_distance(own_rho[i * k + k - 1]);
            }
            return out;
        }
        constexpr std::size_t chunk = 64;
        parallel_for((n_ + chunk - 1) / chunk, [&](std::size_t c) {
            std::vector<double> rho(2 * k);
            std::vector<std::uint32_t> idx(2 * k);
            for (std::size_t p = c * chunk; p < std::min(n_, (c + 1) * chunk); ++p) {
                knn_one(p, k, rho.data(), idx.data(), group.data(), rho.data() + k, idx.data() + k);
                out.all[perm_[p]] = Metric::to_distance(rho[k - 1]);
                out.own[perm_[p]] = Metric::to_distance(rho[2 * k - 1]);
            }
        });
        return out;
    }

    /// The mean fraction of the points that a k-nearest-neighbour query scans in the leaves it
    /// visits, over `queries` queries spread evenly over the tree order: how well the tree
    /// prunes on these data (1 means it scans everything, as brute force does). Serial.
    double scanned_fraction(std::size_t queries, std::size_t k) const {
        detail::check_k(k, n_, "mi::kd_tree::scanned_fraction");
        queries = std::max<std::size_t>(1, std::min(queries, n_));
        std::vector<double> rho(k);
        std::vector<std::uint32_t> idx(k);
        std::size_t scanned = 0;
        for (std::size_t q = 0; q < queries; ++q)
            knn_one(q * n_ / queries, k, rho.data(), idx.data(), nullptr, nullptr, nullptr, &scanned);
        return static_cast<double>(scanned) / (static_cast<double>(queries) * static_cast<double>(n_));
    }

    std::vector<std::uint32_t> count_within(const std::vector<double>& radius, range cmp = range::strict) const {
        const std::vector<double> tau = detail::limits_of(radius, n_, cmp, "mi::kd_tree::count_within",
                                                          &detail::reduced_limit<Metric>);
        std::vector<std::uint32_t> out(n_);
        if (d_ == 1) {
            constexpr std::size_t chunk = 512;
            parallel_for((n_ + chunk - 1) / chunk, [&](std::size_t c) {
                count_sorted(c * chunk, std::min(n_, (c + 1) * chunk), tau.data(), out.data());
            });
        } else if (d_ <= batched_dims) {
            parallel_for(leaves_.size(), [&](std::size_t l) { count_leaf(leaves_[l], tau.data(), out.data()); });
        } else {
            parallel_for(n_, [&](std::size_t p) { out[perm_[p]] = count_one(p, tau[perm_[p]]); }, 0, 64);
        }
        return out;
    }

private:
    struct node {
        std::size_t begin = 0, end = 0;
        std::int32_t left = -1, right = -1;
        std::uint32_t block = 0;      // first leaf block (leaves only)
        std::uint32_t min_index = 0;  // smallest original index in the node
        std::uint32_t boxes = 0;      // first group of block boxes (leaves, with the pre-filter)
    };

    std::size_t subtree_nodes(std::size_t m) const noexcept {
        if (m <= leaf_) return 1;
        return 1 + subtree_nodes(m / 2) + subtree_nodes(m - m / 2);
    }
    std::size_t subtree_depth(std::size_t m) const noexcept {
        if (m <= leaf_) return 1;
        return 1 + std::max(subtree_depth(m / 2), subtree_depth(m - m / 2));
    }

    // The build's scratch: a second copy of the rows (each level moves them from one buffer into
    // the other in their new order) and the keys of the median selection.
    struct split_key {
        double v;
        std::uint32_t index, pos;
    };
    struct build_buffers {
        detail::cached_vector<double> rows;
        detail::cached_vector<split_key> keys, spare;  // spare: select()'s scratch
    };
    static bool key_less(const split_key& x, const split_key& y) noexcept {
        return (x.v < y.v) | ((x.v == y.v) & (x.index < y.index));
    }
    static void select(split_key* keys, std::size_t m, std::size_t kth, split_key* spare) noexcept {
        detail::select_kth(keys, m, kth, spare, &key_less);
    }

    // Tight box and smallest original index of node id, from its rows src[begin, end).
    void set_box(std::size_t id, const double* src, std::size_t begin, std::size_t end) {
        double* lo = lo_.data() + id * d_;
        double* hi = hi_.data() + id * d_;
        for (std::size_t j = 0; j < d_; ++j) lo[j] = hi[j] = src[begin * d_ + j];
        std::uint32_t mn = perm_[begin];
        for (std::size_t p = begin; p < end; ++p) {
            const double* r = src + p * d_;
            mn = std::min(mn, perm_[p]);
            for (std::size_t j = 0; j < d_; ++j) {
                lo[j] = std::min(lo[j], r[j]);
                hi[j] = std::max(hi[j], r[j]);
            }
        }
        nodes_[id].min_index = mn;
    }

    // Links node id (over [begin, end)) to its children, split at the median position (the
    // shape depends only on the sizes); returns the split point.
    std::size_t make_children(std::size_t id, std::size_t begin, std::size_t end) {
        const std::size_t half = (end - begin) / 2;
        nodes_[id].left = static_cast<std::int32_t>(id + 1);
        nodes_[id].right = static_cast<std::int32_t>(id + 1 + subtree_nodes(half));
        return begin + half;
    }

    // One dimension: the rows are already sorted, so the median splits of the sorted order are
    // the tree.
    void build_sorted(std::size_t id, std::size_t begin, std::size_t end) {
        node& nd = nodes_[id];
        nd.begin = begin;
        nd.end = end;
        if (end - begin <= leaf_) return;
        const std::size_t mid = make_children(id, begin, end);
        const auto left = static_cast<std::size_t>(nodes_[id].left), right = static_cast<std::size_t>(nodes_[id].right);
        set_box(left, rows_.data(), begin, mid);
        set_box(right, rows_.data(), mid, end);
        build_sorted(left, begin, mid);
        build_sorted(right, mid, end);
    }

    // Builds node id over tree positions [begin, end), whose rows are in src in tree order and
    // whose box is set: a median split of the box's widest dimension (ties by original index)
    // writes the rows into dst in the new order, setting both children's boxes on the way, and
    // the children continue from dst. Leaves end with their rows in rows_.
    void build_node(std::size_t id, std::size_t begin, std::size_t end, build_buffers& b, double* src, double* dst,
                    std::size_t level) {
        nodes_[id].begin = begin;
        nodes_[id].end = end;
        if (end - begin <= leaf_) {
            if (src != rows_.data()) std::copy_n(src + begin * d_, (end - begin) * d_, rows_.data() + begin * d_);
            // the other buffer's rows [begin, end) are free scratch once the leaf's rows are in rows_
            if (d_ > batched_dims) order_leaf(id, b.keys.data() + begin, b.spare.data() + begin, (src != rows_.data() ? src : dst) + begin * d_);
            return;
        }
        const double* lo = lo_.data() + id * d_;
        const double* hi = hi_.data() + id * d_;
        std::size_t dim = 0;
        double widest = -1.0;
        for (std::size_t j = 0; j < d_; ++j)
            if (hi[j] - lo[j] > widest) {
                widest = hi[j] - lo[j];
                dim = j;
            }
        const std::size_t mid = make_children(id, begin, end);
        const auto left = static_cast<std::size_t>(nodes_[id].left), right = static_cast<std::size_t>(nodes_[id].right);
        split_key* keys = b.keys.data() + begin;
        const std::size_t m = end - begin;
        for (std::size_t p = begin; p < end; ++p)
            keys[p - begin] = split_key{src[p * d_ + dim], perm_[p], static_cast<std::uint32_t>(p)};
        select(keys, m, mid - begin, b.spare.data() + begin);
        // the rows in their new order, each child's box and smallest index on the way
        for (const auto& [child, first_t, end_t] : {std::array<std::size_t, 3>{left, 0, mid - begin}, {right, mid - begin, m}}) {
            double* box_lo = lo_.data() + child * d_;
            double* box_hi = hi_.data() + child * d_;
            const double* first = src + static_cast<std::size_t>(keys[first_t].pos) * d_;
            for (std::size_t j = 0; j < d_; ++j) box_lo[j] = box_hi[j] = first[j];
            std::uint32_t smallest = keys[first_t].index;
            for (std::size_t t = first_t; t < end_t; ++t) {
                const double* from = src + static_cast<std::size_t>(keys[t].pos) * d_;
                double* to = dst + (begin + t) * d_;
                for (std::size_t j = 0; j < d_; ++j) {
                    to[j] = from[j];
                    box_lo[j] = std::min(box_lo[j], from[j]);
                    box_hi[j] = std::max(box_hi[j], from[j]);
                }
                perm_[begin + t] = keys[t].index;
                smallest = std::min(smallest, keys[t].index);
            }
            nodes_[child].min_index = smallest;
        }
        if (level < 2 && m > 4096) {  // the two halves in parallel (nested calls run serially)
            parallel_for(2, [&](std::size_t h) {
                if (h == 0) build_node(left, begin, mid, b, dst, src, level + 1);
                else build_node(right, mid, end, b, dst, src, level + 1);
            });
        } else {
            build_node(left, begin, mid, b, dst, src, level + 1);
            build_node(right, mid, end, b, dst, src, level + 1);
        }
    }

    // The bounding box of each float block of every leaf, rounded outwards to floats
    // (detail::box_reduced): stored dimension-major, float_lanes boxes to a group (a leaf's groups
    // start at its node's `boxes`). Lanes past a leaf's last block are empty boxes (lo = +inf,
    // hi = -inf), at an infinite distance from every query.
    void build_boxes() {
        using detail::float_lanes;
        std::size_t total = 0;
        for (const std::size_t id : leaves_) {
            node& nd = nodes_[id];
            nd.boxes = static_cast<std::uint32_t>(total);
            total += (nd.end - nd.begin + float_lanes * float_lanes - 1) / (float_lanes * float_lanes);
        }
        box_lo_.assign(total * d_ * float_lanes, std::numeric_limits<float>::infinity());
        box_hi_.assign(total * d_ * float_lanes, -std::numeric_limits<float>::infinity());
        parallel_for(leaves_.size(), [&](std::size_t l) {
            const node& nd = nodes_[leaves_[l]];
            for (std::size_t first = nd.begin; first < nd.end; first += float_lanes) {
                const std::size_t last = std::min(nd.end, first + float_lanes), b = (first - nd.begin) / float_lanes;
                const std::size_t lane = static_cast<std::size_t>(nd.boxes) * float_lanes + b;
                for (std::size_t j = 0; j < d_; ++j) {
                    double lo = rows_[first * d_ + j], hi = lo;
                    for (std::size_t p = first + 1; p < last; ++p) {
                        lo = std::min(lo, rows_[p * d_ + j]);
                        hi = std::max(hi, rows_[p * d_ + j]);
                    }
                    const std::size_t at = ((lane / float_lanes) * d_ + j) * float_lanes + lane % float_lanes;
                    box_lo_[at] = detail::float_at_most(lo);
                    box_hi_[at] = detail::float_at_least(hi);
                }
            }
        });
        node_lo_.resize(lo_.size());
        node_hi_.resize(hi_.size());
        for (std::size_t i = 0; i < lo_.size(); ++i) {
            node_lo_[i] = detail::float_at_most(lo_[i]);
            node_hi_[i] = detail::float_at_least(hi_[i]);
        }
    }

    // Orders the points of leaf id (rows in rows_) by further median splits, down to runs of one
    // float block (detail::float_lanes points) starting at multiples of it from the leaf's start:
    // every float block of the leaf is then a small cluster, which knn_leaf_queries relies on (a
    // query's own block gives it a near k-th distance; the blocks' boxes are small). The nodes
    // and their boxes do not change, only the order inside leaves, which no result depends on.
    void order_leaf(std::size_t id, split_key* keys, split_key* spare, double* scratch) {
        const std::size_t begin = nodes_[id].begin, end = nodes_[id].end, m = end - begin;
        if (m <= detail::float_lanes) return;
        for (std::size_t t = 0; t < m; ++t) keys[t] = split_key{0.0, perm_[begin + t], static_cast<std::uint32_t>(begin + t)};
        // the split dimensions are chosen on the cells (the leaf's box cut at each median), which
        // spares a pass over the rows per level
        std::vector<double> lo(lo_.data() + id * d_, lo_.data() + (id + 1) * d_), hi(hi_.data() + id * d_, hi_.data() + (id + 1) * d_);
        split_runs(keys, m, lo.data(), hi.data(), spare);
        for (std::size_t t = 0; t < m; ++t) {
            std::copy_n(rows_.data() + static_cast<std::size_t>(keys[t].pos) * d_, d_, scratch + t * d_);
            perm_[begin + t] = keys[t].index;
        }
        std::copy_n(scratch, m * d_, rows_.data() + begin * d_);
    }
    void split_runs(split_key* keys, std::size_t m, double* lo, double* hi, split_key* spare) {
        if (m <= detail::float_lanes) return;
        std::size_t dim = 0;
        for (std::size_t j = 1; j < d_; ++j)
            if (hi[j] - lo[j] > hi[dim] - lo[dim]) dim = j;
        for (std::size_t t = 0; t < m; ++t) keys[t].v = rows_[static_cast<std::size_t>(keys[t].pos) * d_ + dim];
        // the left part a whole number of float blocks, about half
        const std::size_t left = std::min(m - 1, (m / 2 + detail::float_lanes - 1) / detail::float_lanes * detail::float_lanes);
        select(keys, m, left, spare);
        const double cut = keys[left].v, upper = hi[dim];
        hi[dim] = cut;
        split_runs(keys, left, lo, hi, spare);
        hi[dim] = upper;
        const double lower = lo[dim];
        lo[dim] = cut;
        split_runs(keys + left, m - left, lo, hi, spare);
        lo[dim] = lower;
    }

    // Bounds on the reduced distance from point q to any point of node id.
    double point_lower_bound(std::size_t id, const double* q) const noexcept {
        const double* lo = lo_.data() + id * d_;
        const double* hi = hi_.data() + id * d_;
        double s = 0.0;
        for (std::size_t j = 0; j < d_; ++j) {
            double gap = 0.0;
            if (q[j] < lo[j]) gap = lo[j] - q[j];
            else if (q[j] > hi[j]) gap = q[j] - hi[j];
            s = Metric::combine_bound(s, gap);
        }
        if constexpr (!Metric::exact_bounds) s = widen_.lower(s);
        return s;
    }
    double point_upper_bound(std::size_t id, const double* q) const noexcept {
        const double* lo = lo_.data() + id * d_;
        const double* hi = hi_.data() + id * d_;
        double s = 0.0;
        for (std::size_t j = 0; j < d_; ++j)
            s = Metric::combine_bound(s, std::max(std::fabs(q[j] - lo[j]), std::fabs(hi[j] - q[j])));
        if constexpr (!Metric::exact_bounds) s = widen_.upper(s);
        return s;
    }

    // One query (tree position p), depth first, nearer child first. With `group`, a second
    // list (own_rho, own_idx) takes the points of the query's own group, and it is that list,
    // the farther of the two, that prunes.
    // `scanned`, when given, adds the number of points the query's leaves held.
    void knn_one(std::size_t p, std::size_t k, double* rho, std::uint32_t* idx, const std::uint32_t* group = nullptr,
                 double* own_rho = nullptr, std::uint32_t* own_idx = nullptr, std::size_t* scanned = nullptr) const {
        using detail::dbatch;
        using detail::lanes;
        const double* q = rows_.data() + p * d_;
        const std::uint32_t self = perm_[p];
        detail::k_best all(rho, idx, k);
        detail::k_best own(group ? own_rho : rho, group ? own_idx : idx, k);
        detail::k_best& best = group ? own : all;
        const std::uint32_t mine = group ? group[self] : 0;
        struct entry {
            std::size_t id;
            double bound;
        };
        entry stack[128];
        std::size_t top = 0;
        stack[top++] = {0, 0.0};
        alignas(64) double lane_rho[lanes];
        while (top > 0) {
            const entry e = stack[--top];
            const node& nd = nodes_[e.id];
            if (e.bound > best.worst() || (e.bound == best.worst() && nd.min_index > best.worst_index())) continue;
            if (nd.left >= 0) {
                const auto l = static_cast<std::size_t>(nd.left), r = static_cast<std::size_t>(nd.right);
                const double bl = point_lower_bound(l, q), br = point_lower_bound(r, q);
                if (bl <= br) {
                    stack[top++] = {r, br};
                    stack[top++] = {l, bl};
                } else {
                    stack[top++] = {l, bl};
                    stack[top++] = {r, br};
                }
                continue;
            }
            const std::size_t m = nd.end - nd.begin, nb = (m + lanes - 1) / lanes;
            if (scanned) *scanned += m;
            const double* qp[1] = {q};
            for (std::size_t b = 0; b < nb; ++b) {
                dbatch acc[1];
                detail::block_reduced<Metric, 1>(blocks_.data() + (static_cast<std::size_t>(nd.block) + b) * d_ * lanes, d_,
                                                 qp, acc);
                std::uint64_t pass = detail::lanes_within(acc[0], best.worst(), m - b * lanes);
                if (pass == 0) continue;
                acc[0].store_unaligned(lane_rho);
                for (; pass != 0; pass &= pass - 1) {
                    const std::size_t l = detail::lowest_bit(pass);
                    const std::uint32_t j = perm_[nd.begin + b * lanes + l];
                    if (j == self) continue;
                    all.offer(lane_rho[l], j);
                    if (group && group[j] == mine) own.offer(lane_rho[l], j);
                }
            }
        }
    }

    std::uint32_t count_one(std::size_t p, double tau) const {
        using detail::dbatch;
        using detail::lanes;
        const double* q = rows_.data() + p * d_;
        std::size_t count = 0;
        std::size_t stack[128];
        std::size_t top = 0;
        stack[top++] = 0;
        const dbatch limit(tau), one(1.0), zero(0.0);
        dbatch c(0.0);
        while (top > 0) {
            const std::size_t id = stack[--top];
            const node& nd = nodes_[id];
            if (point_lower_bound(id, q) >= tau) continue;
            if (point_upper_bound(id, q) < tau) {
                count += nd.end - nd.begin;
                continue;
            }
            if (nd.left >= 0) {
                stack[top++] = static_cast<std::size_t>(nd.left);
                stack[top++] = static_cast<std::size_t>(nd.right);
                continue;
            }
            // (a leaf's last block is padded with +inf, which is never < tau)
            const std::size_t nb = (nd.end - nd.begin + lanes - 1) / lanes;
            const double* qp[1] = {q};
            for (std::size_t b = 0; b < nb; ++b) {
                dbatch acc[1];
                detail::block_reduced<Metric, 1>(blocks_.data() + (static_cast<std::size_t>(nd.block) + b) * d_ * lanes, d_,
                                                 qp, acc);
                c += xsimd::select(acc[0] < limit, one, zero);
            }
        }
        count += static_cast<std::size_t>(detail::lane_sum(c));
        if (0.0 < tau) --count;  // the point itself, at reduced distance 0
        return static_cast<std::uint32_t>(count);
    }

    // Bounds on the reduced distance between any point of node a (the query
    // leaf) and any point of node b, from their boxes, combined the metric's
    // way; the Euclidean ones are widened by a few ulps (see the top).
    double lower_bound(std::size_t a, std::size_t b) const noexcept {
        const double* la = lo_.data() + a * d_;
        const double* ha = hi_.data() + a * d_;
        const double* lb = lo_.data() + b * d_;
        const double* hb = hi_.data() + b * d_;
        double s = 0.0;
        for (std::size_t j = 0; j < d_; ++j) {
            double gap = 0.0;
            if (ha[j] < lb[j]) gap = lb[j] - ha[j];
            else if (la[j] > hb[j]) gap = la[j] - hb[j];
            s = Metric::combine_bound(s, gap);
        }
        if constexpr (!Metric::exact_bounds) s = widen_.lower(s);
        return s;
    }
    double upper_bound(std::size_t a, std::size_t b) const noexcept {
        const double* la = lo_.data() + a * d_;
        const double* ha = hi_.data() + a * d_;
        const double* lb = lo_.data() + b * d_;
        const double* hb = hi_.data() + b * d_;
        double s = 0.0;
        for (std::size_t j = 0; j < d_; ++j)
            s = Metric::combine_bound(s, std::max(std::fabs(hb[j] - la[j]), std::fabs(ha[j] - lb[j])));
        if constexpr (!Metric::exact_bounds) s = widen_.upper(s);
        return s;
    }

    // The points of leaf `leaf` against the points of leaf `other`, four
    // queries per register tile; `visit(query position, block lane results)`.
    template <class Visit>
    void leaf_pairs(const node& q, const node& o, Visit&& visit) const {
        using detail::dbatch;
        using detail::lanes;
        const std::size_t m = q.end - q.begin;
        const std::size_t nb = (o.end - o.begin + lanes - 1) / lanes;
        for (std::size_t g = 0; g < m; g += 4) {
            const std::size_t real = std::min<std::size_t>(4, m - g);
            const double* qp[4];
            detail::unrolled<4>(
                [&](auto a) { qp[a] = rows_.data() + (q.begin + g + std::min<std::size_t>(a, real - 1)) * d_; });
            for (std::size_t b = 0; b < nb; ++b) {
                dbatch acc[4];
                detail::block_reduced<Metric, 4>(blocks_.data() + (static_cast<std::size_t>(o.block) + b) * d_ * lanes, d_,
                                                 qp, acc);
                detail::unrolled<4>([&](auto a) {
                    if (a < real) visit(g + a, b, acc[a]);
                });
            }
        }
    }

    // Pushes the children of node nd onto a depth-first stack of {node, box bound from the
    // query leaf}, the nearer on top so that it is visited first.
    template <class Entry>
    void push_children(std::vector<Entry>& stack, std::size_t leaf, const node& nd) const {
        const auto l = static_cast<std::size_t>(nd.left), r = static_cast<std::size_t>(nd.right);
        const double bl = lower_bound(leaf, l), br = lower_bound(leaf, r);
        if (bl <= br) {
            stack.push_back({r, br});
            stack.push_back({l, bl});
        } else {
            stack.push_back({l, bl});
            stack.push_back({r, br});
        }
    }

    // k nearest neighbours of every point of one leaf. The leaf's queries
    // share one traversal; a node is skipped only when no query of the leaf
    // can gain a point from it (farther than every query's k-th distance, or
    // equally far with no smaller index than the query's k-th neighbour).
    void knn_leaf(std::size_t leaf, std::size_t k, double* rho, std::uint32_t* idx) const {
        using detail::dbatch;
        using detail::lanes;
        const node& q = nodes_[leaf];
        const std::size_t m = q.end - q.begin;
        std::vector<detail::k_best> best;
        best.reserve(m);
        for (std::size_t p = q.begin; p < q.end; ++p)
            best.emplace_back(rho + static_cast<std::size_t>(perm_[p]) * k, idx + static_cast<std::size_t>(perm_[p]) * k, k);
        std::vector<dbatch> worst(m, dbatch(std::numeric_limits<double>::infinity()));
        alignas(64) double lane_rho[lanes];
        auto scan = [&](const node& o) {
            const std::size_t om = o.end - o.begin;
            leaf_pairs(q, o, [&](std::size_t a, std::size_t b, const dbatch& acc) {
                if (!xsimd::any(acc <= worst[a])) return;
                acc.store_unaligned(lane_rho);
                const std::uint32_t self = perm_[q.begin + a];
                for (std::size_t l = 0; l < lanes && b * lanes + l < om; ++l) {
                    const std::uint32_t j = perm_[o.begin + b * lanes + l];
                    if (j != self) best[a].offer(lane_rho[l], j);
                }
                worst[a] = dbatch(best[a].worst());
            });
        };
        scan(q);  // the own leaf first: a good k-th distance at once
        auto can_gain = [&](double bound, std::uint32_t min_index) {
            for (std::size_t a = 0; a < m; ++a)
                if (bound < best[a].worst() || (bound == best[a].worst() && min_index < best[a].worst_index())) return true;
            return false;
        };
        struct entry {
            std::size_t id;
            double bound;
        };
        std::vector<entry> stack;
        stack.reserve(2 * depth_ + 4);
        stack.push_back({0, lower_bound(leaf, 0)});
        while (!stack.empty()) {
            const entry e = stack.back();
            stack.pop_back();
            if (e.id == leaf) continue;
            const node& nd = nodes_[e.id];
            if (!can_gain(e.bound, nd.min_index)) continue;
            if (nd.left >= 0) {
                push_children(stack, leaf, nd);
                continue;
            }
            scan(nd);
        }
    }

    // k nearest neighbours of every point of one leaf, above batched_dims. The leaf's queries
    // share one traversal, as in knn_leaf, but each keeps its own bound: a node's box is compared
    // with all of them at once (across SIMD lanes), and a leaf is scanned only by the queries it
    // can improve, so the pruning is that of a query traversing alone (knn_one) while the
    // traversal's branches and bound loops are paid once per leaf of queries (on the SZT
    // network's 4- to 10-unit layers, N = 4096, they were most of a query's time).
    // With `group`, a second list per query (own_rho, own_idx, indexed like rho) takes the points
    // of the query's own group, and that list, the farther of the two, prunes (as in knn_one).
    void knn_leaf_queries(std::size_t leaf, std::size_t k, double* rho, std::uint32_t* idx,
                          const std::uint32_t* group = nullptr, double* own_rho = nullptr,
                          std::uint32_t* own_idx = nullptr) const {
        using detail::dbatch;
        using detail::lanes;
        const node& q = nodes_[leaf];
        const std::size_t m = q.end - q.begin, padded = (m + lanes - 1) / lanes * lanes;
        std::vector<detail::k_best> best, own;
        best.reserve(m);
        own.reserve(group ? m : 0);
        for (std::size_t p = q.begin; p < q.end; ++p) {
            const std::size_t i = static_cast<std::size_t>(perm_[p]) * k;
            best.emplace_back(rho + i, idx + i, k);
            if (group) own.emplace_back(own_rho + i, own_idx + i, k);
        }
        // the list that prunes query a
        auto pruning = [&](std::size_t a) -> const detail::k_best& { return group ? own[a] : best[a]; };
        // Dimension-major query coordinates for the node tests (gather_active): in double, or in
        // float with the pre-filter, beside each query's float limit (float_filter_limit of its
        // k-th distance). Padding lanes get worst = -inf, or a limit of -inf, and never take part.
        const bool filtered = float_prefilter();
        const std::size_t padded_f = (m + detail::float_lanes - 1) / detail::float_lanes * detail::float_lanes;
        constexpr double inf = std::numeric_limits<double>::infinity();
        std::vector<double> coord(filtered ? 0 : d_ * padded, 0.0), worst(padded, -inf);
        std::vector<float> coord_f(filtered ? d_ * padded_f : 0, 0.0f), limit(filtered ? padded_f : 0, -std::numeric_limits<float>::infinity());
        for (std::size_t a = 0; a < m; ++a) {
            worst[a] = inf;
            if (filtered) limit[a] = std::numeric_limits<float>::infinity();
            for (std::size_t j = 0; j < d_; ++j) {
                if (filtered) coord_f[j * padded_f + a] = float_rows_[(q.begin + a) * d_ + j];
                else coord[j * padded + a] = rows_[(q.begin + a) * d_ + j];
            }
        }
        std::vector<std::uint32_t> active(m);
        alignas(64) double lane_rho[lanes];
        // Offers block b of leaf o to query `query`, whose reduced distances to it are acc.
        auto offer_block = [&](std::size_t query, const node& o, std::size_t b, const dbatch& acc) {
            std::uint64_t pass = detail::lanes_within(acc, worst[query], o.end - o.begin - b * lanes);
            if (pass == 0) return;
            acc.store_unaligned(lane_rho);
            const std::uint32_t self = perm_[q.begin + query];
            for (; pass != 0; pass &= pass - 1) {
                const auto l = static_cast<std::size_t>(detail::lowest_bit(pass));
                const std::uint32_t j = perm_[o.begin + b * lanes + l];
                if (j == self) continue;
                best[query].offer(lane_rho[l], j);
                if (group && group[j] == group[self]) own[query].offer(lane_rho[l], j);
            }
            worst[query] = pruning(query).worst();
        };
        // into out[0 .. 4): the rows (in `rows`) of the tile's queries active[g .. g + real), the
        // last one repeated to fill the tile
        auto tile_rows = [&](const auto* rows, std::size_t g, std::size_t real, const auto** out) {
            detail::unrolled<4>([&](auto a) { out[a] = rows + (q.begin + active[g + std::min<std::size_t>(a, real - 1)]) * d_; });
        };
        // blocks [b_first, b_last) of the leaf o against the queries active[g_first .. g_last),
        // four per register tile
        auto scan_blocks = [&](const node& o, std::size_t g_first, std::size_t g_last, std::size_t b_first, std::size_t b_last) {
            for (std::size_t g = g_first; g < g_last; g += 4) {
                const std::size_t real = std::min<std::size_t>(4, g_last - g);
                const double* qp[4];
                tile_rows(rows_.data(), g, real, qp);
                for (std::size_t b = b_first; b < b_last; ++b) {
                    dbatch acc[4];
                    detail::block_reduced<Metric, 4>(blocks_.data() + (static_cast<std::size_t>(o.block) + b) * d_ * lanes,
                                                     d_, qp, acc);
                    detail::unrolled<4>([&](auto a) {
                        if (a < real) offer_block(active[g + a], o, b, acc[a]);
                    });
                }
            }
        };
        auto scan = [&](const node& o, std::size_t count) { scan_blocks(o, 0, count, 0, (o.end - o.begin + lanes - 1) / lanes); };
        // The same, through the float pre-filter: twice the lanes per register, and a double
        // block is computed (for one query) only where a float lane may be within the query's
        // k-th distance (limit, float_filter_limit), so the offers are those of scan. Before
        // that, the tile's distances to the bounding boxes of the leaf's blocks (build_boxes,
        // detail::box_reduced, against the same limit) skip the blocks that no query of the tile
        // can gain from.
        // own_seeded: o is the query leaf, every query active in order, and each query has
        // already been offered its own float block (which is skipped: a tile of four queries
        // lies within one float block).
        auto new_bound = [&](std::size_t query) { limit[query] = detail::float_filter_limit<Metric>(worst[query], d_, input_error_); };
        auto scan_filtered = [&](const node& o, std::size_t count, bool own_seeded) {
            using detail::fbatch;
            using detail::float_lanes;
            const std::size_t om = o.end - o.begin, nb = (om + float_lanes - 1) / float_lanes;
            for (std::size_t g = 0; g < count; g += 4) {
                const std::size_t real = std::min<std::size_t>(4, count - g);
                const float* qf[4];
                tile_rows(float_rows_.data(), g, real, qf);
                for (std::size_t first = 0; first < nb; first += float_lanes) {
                    const std::size_t boxes_at = (o.boxes + first / float_lanes) * d_ * float_lanes;
                    fbatch gap[4];
                    detail::box_reduced<Metric, 4>(box_lo_.data() + boxes_at, box_hi_.data() + boxes_at, d_, qf, gap);
                    std::uint64_t needed = 0;
                    detail::unrolled<4>([&](auto a) {
                        if (a < real) needed |= simd::bits(gap[a] <= fbatch(limit[active[g + a]]));
                    });
                    // (lanes past the leaf's last block are empty boxes, but a limit of +inf passes them)
                    if (nb - first < float_lanes) needed &= (std::uint64_t(1) << (nb - first)) - 1;
                    if (own_seeded && g / float_lanes >= first && g / float_lanes < first + float_lanes)
                        needed &= ~(std::uint64_t(1) << (g / float_lanes - first));
                    for (; needed != 0; needed &= needed - 1) {
                        const std::size_t b = first + static_cast<std::size_t>(detail::lowest_bit(needed));
                        fbatch acc[4];
                        detail::block_reduced_split<Metric, 4>(
                            float_blocks_.data() + (static_cast<std::size_t>(o.block / 2) + b) * d_ * float_lanes, d_, qf, acc);
                        detail::unrolled<4>([&](auto a) {
                            if (a >= real) return;
                            const std::size_t query = active[g + a];
                            const std::uint64_t pass = simd::bits(acc[a] <= fbatch(limit[query]));
                            if (pass == 0) return;
                            const double* qp[1] = {rows_.data() + (q.begin + query) * d_};
                            const double before = worst[query];
                            for (std::size_t h = 0; h < 2; ++h) {
                                const std::size_t half = 2 * b + h;
                                if (((pass >> (h * lanes)) & ((std::uint64_t(1) << lanes) - 1)) == 0 || half * lanes >= om) continue;
                                dbatch reduced[1];
                                detail::block_reduced<Metric, 1>(
                                    blocks_.data() + (static_cast<std::size_t>(o.block) + half) * d_ * lanes, d_, qp, reduced);
                                offer_block(query, o, half, reduced[0]);
                            }
                            if (worst[query] != before) new_bound(query);
                        });
                    }
                }
            }
        };
        // The own leaf first: a good k-th distance for every query at once. With the pre-filter,
        // each query's own float block (its run of order_leaf, its nearest cluster) is computed
        // in double first, and the rest of the leaf goes through the filter with that bound.
        for (std::size_t a = 0; a < m; ++a) active[a] = static_cast<std::uint32_t>(a);
        if (!filtered) {
            scan(q, m);
        } else {
            const std::size_t nb = (m + lanes - 1) / lanes;
            for (std::size_t f = 0; f * detail::float_lanes < m; ++f)
                scan_blocks(q, f * detail::float_lanes, std::min(m, (f + 1) * detail::float_lanes), 2 * f, std::min(nb, 2 * f + 2));
            for (std::size_t a = 0; a < m; ++a) new_bound(a);
            scan_filtered(q, m, true);
        }
        // The queries that node id may improve, into active: those whose box bound does not
        // exceed their k-th distance (at equality the index may still win the tie). With the
        // pre-filter, the node's float box against the float limits (box_reduced_queries), eight
        // queries to a register: the bound of the blocks' boxes, for the points of the whole node.
        auto gather_filtered = [&](std::size_t id) {
            const float* lo = node_lo_.data() + id * d_;
            const float* hi = node_hi_.data() + id * d_;
            std::size_t count = 0;
            for (std::size_t v = 0; v < padded_f; v += detail::float_lanes) {
                const detail::fbatch s = detail::box_reduced_queries<Metric>(lo, hi, d_, coord_f.data() + v, padded_f);
                for (std::uint64_t in = simd::bits(s <= detail::fbatch::load_unaligned(limit.data() + v)); in != 0; in &= in - 1)
                    active[count++] = static_cast<std::uint32_t>(v + detail::lowest_bit(in));
            }
            return count;
        };
        auto gather_active = [&](std::size_t id) {
            if (filtered) return gather_filtered(id);
            const double* lo = lo_.data() + id * d_;
            const double* hi = hi_.data() + id * d_;
            const dbatch zero(0.0);
            std::size_t count = 0;
            for (std::size_t v = 0; v < padded; v += lanes) {
                dbatch s(0.0);
                for (std::size_t j = 0; j < d_; ++j) {
                    const dbatch x = dbatch::load_unaligned(coord.data() + j * padded + v);
                    // one of the two is positive (outside the box on that side) or both are 0
                    const dbatch gap = simd::max(dbatch(lo[j]) - x, zero) + simd::max(x - dbatch(hi[j]), zero);
                    s = Metric::accumulate(s, gap);
                }
                if constexpr (!Metric::exact_bounds) s = widen_.lower(s);
                // the lanes in order, from the comparison's bits (a test per lane mispredicted)
                for (std::uint64_t in = simd::bits(s <= dbatch::load_unaligned(worst.data() + v)); in != 0; in &= in - 1)
                    active[count++] = static_cast<std::uint32_t>(v + detail::lowest_bit(in));
            }
            return count;
        };
        struct entry {
            std::size_t id;
            double bound;  // box-to-box bound from the query leaf, for the order of the visit
        };
        std::vector<entry> stack;
        stack.reserve(2 * depth_ + 4);
        stack.push_back({0, 0.0});
        while (!stack.empty()) {
            const entry e = stack.back();
            stack.pop_back();
            if (e.id == leaf) continue;
            const std::size_t count = gather_active(e.id);
            if (count == 0) continue;
            const node& nd = nodes_[e.id];
            if (nd.left >= 0) {
                push_children(stack, leaf, nd);
                continue;
            }
            if (filtered) scan_filtered(nd, count, false);
            else scan(nd, count);
        }
    }

    // One dimension: the points are sorted, and the reduced distance grows
    // monotonically away from the query on each side, so the count is the
    // width of a window. Consecutive queries have nearby windows, so each
    // edge is found by galloping from the previous query's edge and then
    // bisecting. The reduced distance is computed exactly as the kernel does
    // (|t|, or t*t + 0, which equals the kernel's fma(t, t, 0)).
    void count_sorted(std::size_t p0, std::size_t p1, const double* tau, std::uint32_t* out) const {
        std::size_t right = p0 + 1, left = p0;  // previous window edges
        for (std::size_t p = p0; p < p1; ++p) {
            const double q = rows_[p], t = tau[perm_[p]];
            auto inside = [&](std::size_t j) { return Metric::accumulate(0.0, rows_[j] - q) < t; };
            // right edge: first j in (p, n) outside; inside(j) is true then false
            std::size_t lo = p + 1, hi = n_;
            std::size_t s = std::max(right, p + 1);
            if (s < n_) {
                std::size_t step = 1;
                if (inside(s)) {
                    lo = s + 1;
                    while (lo < n_ && inside(std::min(n_ - 1, s + step))) {
                        lo = std::min(n_ - 1, s + step) + 1;
                        step *= 2;
                    }
                    hi = std::min(n_, s + step);
                    if (lo > hi) lo = hi;
                } else {
                    hi = s;
                    while (hi > p + 1 && !inside(hi - std::min(step, hi - (p + 1)))) {
                        hi -= std::min(step, hi - (p + 1));
                        step *= 2;
                    }
                    lo = hi - std::min(step, hi - (p + 1));
                }
            }
            while (lo < hi) {
                const std::size_t mid = lo + (hi - lo) / 2;
                if (inside(mid)) lo = mid + 1;
                else hi = mid;
            }
            right = lo;
            // left edge: first j in [0, p) inside; inside(j) is false then true
            lo = 0;
            hi = p;
            s = std::min(left, p);
            if (s < p) {
                std::size_t step = 1;
                if (inside(s)) {
                    hi = s;
                    while (hi > 0 && inside(hi - std::min(step, hi))) {
                        hi -= std::min(step, hi);
                        step *= 2;
                    }
                    lo = hi - std::min(step, hi);
                } else {
                    lo = s + 1;
                    while (lo < p && !inside(std::min(p - 1, s + step))) {
                        lo = std::min(p - 1, s + step) + 1;
                        step *= 2;
                    }
                    hi = std::min(p, s + step);
                    if (lo > hi) lo = hi;
                }
            }
            while (lo < hi) {
                const std::size_t mid = lo + (hi - lo) / 2;
                if (inside(mid)) hi = mid;
                else lo = mid + 1;
            }
            left = lo;
            out[perm_[p]] = static_cast<std::uint32_t>((right - (p + 1)) + (p - left));
        }
    }

    // Range counts of every point of one leaf (radii tau in reduced units).
    void count_leaf(std::size_t leaf, const double* tau, std::uint32_t* out) const {
        using detail::dbatch;
        using detail::lanes;
        const node& q = nodes_[leaf];
        const std::size_t m = q.end - q.begin;
        double tmin = std::numeric_limits<double>::infinity(), tmax = -tmin;
        std::vector<dbatch> limit(m), cnt(m, dbatch(0.0));
        for (std::size_t a = 0; a < m; ++a) {
            const double t = tau[perm_[q.begin + a]];
            limit[a] = dbatch(t);
            tmin = std::min(tmin, t);
            tmax = std::max(tmax, t);
        }
        const dbatch one(1.0), zero(0.0);
        std::size_t whole = 0;  // points counted for every query without a visit
        std::vector<std::size_t> stack;
        stack.reserve(2 * depth_ + 4);
        stack.push_back(0);
        while (!stack.empty()) {
            const std::size_t id = stack.back();
            stack.pop_back();
            const node& nd = nodes_[id];
            if (lower_bound(leaf, id) >= tmax) continue;
            if (upper_bound(leaf, id) < tmin) {
                whole += nd.end - nd.begin;
                continue;
            }
            if (nd.left >= 0) {
                stack.push_back(static_cast<std::size_t>(nd.left));
                stack.push_back(static_cast<std::size_t>(nd.right));
                continue;
            }
            // (a leaf's last block is padded with +inf, which is never < tau)
            leaf_pairs(q, nd, [&](std::size_t a, std::size_t, const dbatch& acc) { cnt[a] += xsimd::select(acc < limit[a], one, zero); });
        }
        for (std::size_t a = 0; a < m; ++a) {
            const double t = tau[perm_[q.begin + a]];
            std::size_t c = whole + static_cast<std::size_t>(detail::lane_sum(cnt[a]));
            if (0.0 < t) --c;  // the point itself (reduced distance 0), counted in its own leaf or a whole node
            out[perm_[q.begin + a]] = static_cast<std::uint32_t>(c);
        }
    }

    // Up to this dimension a leaf's queries are pruned by their common box (knn_leaf,
    // count_leaf); above it each keeps its own bound (knn_leaf_queries, count_one).
    static constexpr std::size_t batched_dims = 2;

    std::size_t leaf_size_ = 0;
    std::size_t leaf_ = 32;
    std::size_t n_ = 0, d_ = 0, depth_ = 0;
    detail::bound_widening widen_;  // the Euclidean box bounds' slack (metric.hpp)
    detail::cached_vector<node> nodes_;
    std::vector<std::size_t> leaves_;
    detail::cached_vector<double> lo_, hi_;
    detail::cached_vector<std::uint32_t> perm_;  // tree position -> original index
    detail::cached_vector<double> rows_;         // points in tree order
    detail::cached_vector<double> blocks_;       // leaf blocks (an even number per leaf: see float_blocks_)
    // The float pre-filter of knn_leaf_queries (empty when it does not apply): the rows and the
    // leaf blocks as floats, float block b of a leaf spanning its double blocks 2b and 2b + 1.
    detail::cached_vector<float> float_rows_, float_blocks_;
    // The float blocks' bounding boxes (build_boxes): lower and upper corners, float_lanes to a group.
    detail::cached_vector<float> box_lo_, box_hi_;
    // Every node's box rounded outwards to floats (build_boxes), d_ values to a node.
    detail::cached_vector<float> node_lo_, node_hi_;
    double input_error_ = -1.0;  // detail::float_filter_input_error of the rows
};

}  // namespace mi

#endif
