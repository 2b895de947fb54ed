// SPDX-License-Identifier: BSD-3-Clause
// brute_force<Metric>: exact all-points k-nearest-neighbour and range-count
// search by computing every pair. It is the reference every other search
// policy is tested against, and the fastest choice in high dimension, where a
// tree cannot prune (in 24-D the max-norm k-th-neighbour ball of a Gaussian
// sample spans most of every coordinate's range).
//
// Layout and speed: the points are copied into dimension-major blocks of
// SIMD-width lanes; four queries share every block load (register tile).
// Every query is also a point, and d(i, j) = d(j, i) bit for bit (the same
// coordinate differences up to sign, summed in the same dimension order), so
// each unordered pair is computed once: the points are cut into row blocks
// of 128, and block pair (a, b), a <= b, offers each distance both to row i's
// k-best list (or count) and to column j's. Work items own row blocks a in
// round robin (the work is triangular) and keep the column side in their own
// lists, merged per point at the end. Nothing depends on how the pairs were
// split: a k-best list under the order (distance, index) is unique, and
// counts are integers, so results are identical for every thread count (and
// to the all-pairs scan this replaced). Half the distances: 1.7-1.9x faster
// in 12 dimensions (bench/knn.md).
//
// Thread safety: a built object is immutable; const queries may run from
// several threads at once. The points are copied at build time, so the
// source view may die afterwards.
#ifndef MI_SEARCH_BRUTE_FORCE_HPP
#define MI_SEARCH_BRUTE_FORCE_HPP

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/build_info.hpp"
#include "mi/core/parallel.hpp"
#include "mi/search/metric.hpp"

namespace mi {

template <class Metric = max_norm>
class brute_force {
public:
    using metric_type = Metric;
    static constexpr bool exact = true;

    brute_force() = default;
    template <class T>
    explicit brute_force(const activation_view<const T>& points) {
        build(points);
    }

    static std::string name() { return std::string("brute_force<") + Metric::name() + ">"; }
    static std::string parameters() { return "search=" + name(); }

    /// Copies the points (rows) into the policy's own storage.
    template <class T>
    void build(const activation_view<const T>& points) {
        detail::point_copy c = detail::copy_points(points, "mi::brute_force::build");
        n_ = c.n;
        d_ = c.d;
        rows_ = std::move(c.rows);
        std::vector<std::uint32_t> order(n_);
        for (std::size_t i = 0; i < n_; ++i) order[i] = static_cast<std::uint32_t>(i);
        nb_ = (n_ + detail::lanes - 1) / detail::lanes;
        blocks_.assign(nb_ * d_ * detail::lanes, 0.0);
        detail::write_blocks(rows_.data(), d_, order.data(), n_, blocks_.data());
    }

    std::size_t size() const noexcept { return n_; }
    std::size_t dims() const noexcept { return d_; }
    const double* point(std::size_t i) const noexcept { return rows_.data() + i * d_; }

    /// The k nearest neighbours of every point, self excluded.
    neighbors knn(std::size_t k) const {
        detail::check_k(k, n_, "mi::brute_force::knn");
        detail::note_if_narrow_simd(work());
        neighbors out;
        out.index = xt::xtensor<std::uint32_t, 2>::from_shape({n_, k});
        out.distance = xt::xtensor<double, 2>::from_shape({n_, k});
        double* rho = out.distance.data();
        std::uint32_t* idx = out.index.data();
        const std::size_t items = symmetric_items(k);
        // column-side lists of every item; the row side goes straight to the output
        std::vector<double> col_rho(items * n_ * k);
        std::vector<std::uint32_t> col_idx(items * n_ * k);
        parallel_for(items, [&](std::size_t s) {
            knn_item(s, items, k, rho, idx, col_rho.data() + s * n_ * k, col_idx.data() + s * n_ * k);
        });
        parallel_for((n_ + merge_chunk - 1) / merge_chunk, [&](std::size_t c) {
            std::vector<double> r(k);
            std::vector<std::uint32_t> x(k);
            for (std::size_t i = c * merge_chunk; i < std::min(n_, (c + 1) * merge_chunk); ++i) {
                std::copy(rho + i * k, rho + (i + 1) * k, r.begin());
                std::copy(idx + i * k, idx + (i + 1) * k, x.begin());
                detail::k_best kb(rho + i * k, idx + i * k, k);
                for (std::size_t m = 0; m < k; ++m) kb.offer(r[m], x[m]);
                for (std::size_t s = 0; s < items; ++s)
                    for (std::size_t m = 0; m < k; ++m) kb.offer(col_rho[(s * n_ + i) * k + m], col_idx[(s * n_ + i) * k + m]);
            }
        });
        for (std::size_t i = 0; i < n_ * k; ++i) rho[i] = Metric::to_distance(rho[i]);
        return out;
    }

    /// Distance of every point to its k-th nearest neighbour (self excluded).
    std::vector<double> kth_distance(std::size_t k) const { return knn(k).kth_distances(); }

    /// Every point's k-th-neighbour distance among all points and among the points of its own
    /// group (group_of[i] for point i; more than k points in every group). One pass over all
    /// pairs, then one over each group's pairs: a single pass that offers every distance to
    /// two lists per point measured slower (Gaussian, N = 4096, d = 10, two groups: 16 ms
    /// against 13), since offering, not the distances, is what a pass spends most on there.
    grouped_kth kth_distance_grouped(std::size_t k, const std::vector<std::uint32_t>& group_of) const {
        const char* where = "mi::brute_force::kth_distance_grouped";
        detail::check_k(k, n_, where);
        const std::vector<std::uint32_t> ids = detail::check_groups(group_of, n_, k, where);
        grouped_kth out{kth_distance(k), std::vector<double>(n_)};
        std::vector<std::size_t> members;
        std::vector<double> values;
        for (const std::uint32_t id : ids) {
            members.clear();
            values.clear();
            for (std::size_t i = 0; i < n_; ++i)
                if (group_of[i] == id) {
                    members.push_back(i);
                    values.insert(values.end(), rows_.begin() + static_cast<std::ptrdiff_t>(i * d_),
                                  rows_.begin() + static_cast<std::ptrdiff_t>((i + 1) * d_));
                }
            const brute_force within(activation_view<const double>(values.data(), members.size(), d_));
            const std::vector<double> r = within.kth_distance(k);
            for (std::size_t m = 0; m < members.size(); ++m) out.own[members[m]] = r[m];
        }
        return out;
    }

    /// For every point i: the number of other points j with d(i, j) < radius[i]
    /// (range::strict) or d(i, j) <= radius[i] (range::inclusive).
    std::vector<std::uint32_t> count_within(const std::vector<double>& radius, range cmp = range::strict) const {
        const std::vector<double> tau = detail::limits_of(radius, n_, cmp, "mi::brute_force::count_within",
                                                          &detail::reduced_limit<Metric>);
        detail::note_if_narrow_simd(work());
        const std::size_t items = symmetric_items(1);
        // limits padded to whole lane blocks with -1 (no reduced distance is below it)
        std::vector<double> limit(nb_ * detail::lanes, -1.0);
        std::copy(tau.begin(), tau.end(), limit.begin());
        std::vector<double> row_count(n_, 0.0), col_count(items * nb_ * detail::lanes, 0.0);
        parallel_for(items, [&](std::size_t s) {
            count_item(s, items, limit.data(), row_count.data(), col_count.data() + s * nb_ * detail::lanes);
        });
        std::vector<std::uint32_t> out(n_);
        for (std::size_t i = 0; i < n_; ++i) {
            double c = row_count[i];
            for (std::size_t s = 0; s < items; ++s) c += col_count[s * nb_ * detail::lanes + i];
            if (0.0 < tau[i]) c -= 1.0;  // the point itself, at reduced distance 0
            out[i] = static_cast<std::uint32_t>(c);
        }
        return out;
    }

private:
    static constexpr std::size_t group = 4;          // queries per register tile
    static constexpr std::size_t block_rows = 128;   // rows (and columns) of a block pair: a multiple of lanes
    static constexpr std::size_t merge_chunk = 1024;  // points per work item of the merge

    /// Pair x unit operations of one pass over all pairs.
    double work() const noexcept { return static_cast<double>(n_) * static_cast<double>(n_) * static_cast<double>(d_); }

    std::size_t row_blocks() const noexcept { return (n_ + block_rows - 1) / block_rows; }

    /// Work items of the symmetric passes: two per thread share the triangular work evenly
    /// (row blocks dealt round robin); each holds column-side lists of n x k entries, so there
    /// are never more than fit in about 256 MB. Results do not depend on it.
    std::size_t symmetric_items(std::size_t k) const noexcept {
        const std::size_t per_item = std::max<std::size_t>(1, n_ * k * (sizeof(double) + sizeof(std::uint32_t)));
        const std::size_t by_memory = std::max<std::size_t>(2, (std::size_t(1) << 28) / per_item);
        return std::max<std::size_t>(1, std::min({row_blocks(), 2 * num_threads(), by_memory}));
    }

    /// The pairs of item s (row blocks a = s, s + items, ... against blocks b >= a): row sides
    /// into the output lists, column sides into this item's own lists (col_rho, col_idx).
    void knn_item(std::size_t s, std::size_t items, std::size_t k, double* rho, std::uint32_t* idx, double* col_rho,
                  std::uint32_t* col_idx) const {
        using detail::dbatch;
        using detail::lanes;
        std::vector<detail::k_best> col;
        col.reserve(n_);
        for (std::size_t j = 0; j < n_; ++j) col.emplace_back(col_rho + j * k, col_idx + j * k, k);
        std::vector<double> col_worst(nb_ * lanes, std::numeric_limits<double>::infinity());
        alignas(64) double lane_rho[lanes];
        std::vector<detail::k_best> row;
        for (std::size_t ra = s; ra < row_blocks(); ra += items) {
            const std::size_t i0 = ra * block_rows, i1 = std::min(n_, i0 + block_rows);
            row.clear();
            for (std::size_t q = i0; q < i1; ++q) row.emplace_back(rho + q * k, idx + q * k, k);
            for (std::size_t rb = ra; rb < row_blocks(); ++rb) {
                const bool diagonal = rb == ra;  // its pairs appear twice: the row side takes both orders
                const std::size_t c0 = rb * block_rows / lanes;
                const std::size_t c1 = std::min(nb_, (rb + 1) * block_rows / lanes);
                for (std::size_t g = i0; g < i1; g += group) {
                    const std::size_t real = std::min(group, i1 - g);
                    const double* qp[group];
                    dbatch worst[group];
                    detail::unrolled<group>([&](auto a) {
                        const std::size_t q = g + std::min<std::size_t>(a, real - 1);
                        qp[a] = rows_.data() + q * d_;
                        worst[a] = dbatch(row[q - i0].worst());
                    });
                    for (std::size_t c = c0; c < c1; ++c) {
                        dbatch acc[group];
                        detail::block_reduced<Metric, group>(blocks_.data() + c * d_ * lanes, d_, qp, acc);
                        detail::unrolled<group>([&](auto a) {
                            if (a >= real) return;
                            const std::size_t q = g + a;
                            detail::k_best& kb = row[q - i0];
                            std::uint64_t pass = detail::lanes_within(acc[a], worst[a], n_ - c * lanes);
                            if (pass == 0) return;
                            acc[a].store_unaligned(lane_rho);
                            for (; pass != 0; pass &= pass - 1) {
                                const std::size_t l = detail::lowest_bit(pass);
                                if (c * lanes + l != q) kb.offer(lane_rho[l], static_cast<std::uint32_t>(c * lanes + l));
                            }
                            worst[a] = dbatch(kb.worst());
                        });
                        if (diagonal) continue;
                        dbatch cw = dbatch::load_unaligned(col_worst.data() + c * lanes);
                        detail::unrolled<group>([&](auto a) {
                            if (a >= real || !xsimd::any(acc[a] <= cw)) return;
                            const std::uint32_t q = static_cast<std::uint32_t>(g + a);
                            acc[a].store_unaligned(lane_rho);
                            for (std::size_t l = 0; l < lanes; ++l) {
                                const std::size_t j = c * lanes + l;
                                if (j >= n_) continue;
                                col[j].offer(lane_rho[l], q);
                                col_worst[j] = col[j].worst();
                            }
                            cw = dbatch::load_unaligned(col_worst.data() + c * lanes);
                        });
                    }
                }
            }
        }
    }

    /// Range counts over the pairs of item s: row sides into row_count (whole row blocks belong
    /// to one item), column sides into col_count (this item's); limit is padded with -1.
    void count_item(std::size_t s, std::size_t items, const double* limit, double* row_count, double* col_count) const {
        using detail::dbatch;
        using detail::lanes;
        const dbatch one(1.0), zero(0.0);
        for (std::size_t ra = s; ra < row_blocks(); ra += items) {
            const std::size_t i0 = ra * block_rows, i1 = std::min(n_, i0 + block_rows);
            for (std::size_t rb = ra; rb < row_blocks(); ++rb) {
                const bool diagonal = rb == ra;
                const std::size_t c0 = rb * block_rows / lanes;
                const std::size_t c1 = std::min(nb_, (rb + 1) * block_rows / lanes);
                for (std::size_t g = i0; g < i1; g += group) {
                    const std::size_t real = std::min(group, i1 - g);
                    const double* qp[group];
                    dbatch lim[group], count[group];
                    detail::unrolled<group>([&](auto a) {
                        const std::size_t q = g + std::min<std::size_t>(a, real - 1);
                        qp[a] = rows_.data() + q * d_;
                        // a padding query (a >= real) counts nothing on either side
                        lim[a] = dbatch(a < real ? limit[q] : -1.0);
                        count[a] = zero;
                    });
                    for (std::size_t c = c0; c < c1; ++c) {
                        dbatch acc[group];
                        detail::block_reduced<Metric, group>(blocks_.data() + c * d_ * lanes, d_, qp, acc);
                        // padding lanes hold +inf points: never below a limit
                        detail::unrolled<group>([&](auto a) { count[a] += xsimd::select(acc[a] < lim[a], one, zero); });
                        if (diagonal) continue;
                        const dbatch cl = dbatch::load_unaligned(limit + c * lanes);
                        dbatch cc = dbatch::load_unaligned(col_count + c * lanes);
                        detail::unrolled<group>([&](auto a) {
                            if (a < real) cc += xsimd::select(acc[a] < cl, one, zero);
                        });
                        cc.store_unaligned(col_count + c * lanes);
                    }
                    detail::unrolled<group>([&](auto a) {
                        if (a < real) row_count[g + a] += detail::lane_sum(count[a]);
                    });
                }
            }
        }
    }

    std::size_t n_ = 0, d_ = 0, nb_ = 0;
    detail::cached_vector<double> rows_;
    detail::cached_vector<double> blocks_;
};

}  // namespace mi

#endif
