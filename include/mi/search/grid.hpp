// SPDX-License-Identifier: BSD-3-Clause
// grid<Metric>: exact k-nearest-neighbour and range-count search on a cell
// list, the structure that wins in one to four dimensions (the KSG marginals
// and the joint space of 1-D vs 1-D KSG, low-dimensional Kozachenko-Leonenko
// entropies). A kd-tree pays O(N log N) to build and a root-to-leaf descent
// plus backtracking per query; a grid of a few points per cell is built by
// one counting sort (O(N)) and a query looks only at the cells around its
// own, so the all-points searches cost O(N) on data of bounded density.
//
// Cells: per dimension, m equal cells between the percentiles 1/m and
// 1 - 1/m (at most 1 % and 99 %), the first and last cell stretched to the
// data's minimum and maximum, so a few outliers neither waste cells nor
// squeeze the bulk into a few; m^d is about N / occupancy. Correlated or
// clustered data fill only part of that box, and what a query pays for is the
// number of points sharing its cell (crowding() = sum(count^2) / N), so when
// that is well above the target the cells are refined once (at most 4N).
// Points are stored in cell order (dimension 0 fastest, ties by index), one
// coordinate array per dimension, so a row of cells along dimension 0 is one
// contiguous run scanned with the SIMD kernel's arithmetic (Metric::accumulate
// on p - q, dimension by dimension, as detail::block_reduced): every distance
// is bit-identical to brute_force's.
//
// Queries: kNN scans the 3^d cells around the query's cell as 3^(d-1) runs,
// then rings of cells at growing Chebyshev cell distance, and stops when the
// nearest unvisited cell is farther than the current k-th distance (at equal
// distance it continues, so ties are resolved by index as everywhere). The
// k-th distance alone (kth_distance, k <= 8, d <= 4) is taken for up to a few
// SIMD batches of points together, one per lane (those of a cell and of the next
// cells of its row), against the points of the cells around theirs
// (kth_of_cell); a point those cells do not settle continues with the kNN
// search's rings from its K smallest there, skipping the cells seen. Range
// counts add whole cells that lie inside the radius from the cell offsets and
// scan only the cells the sphere's border crosses. Cell bounds follow the
// rules of kd_tree: exact for the max-norm (rounding is monotone, and every
// point lies within its cell's edges), widened by a few ulps for the
// Euclidean norm. Results are identical to brute_force (tested, with ties,
// duplicates and outliers). Many exact duplicates crowd one cell and make the
// grid quadratic (crowding() grows with N); automatic then uses a kd_tree.
//
// Thread safety: a built grid is immutable; const queries may run from
// several threads at once. The points are copied at build time.
#ifndef MI_SEARCH_GRID_HPP
#define MI_SEARCH_GRID_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/always_inline.hpp"
#include "mi/core/error.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/scratch.hpp"
#include "mi/core/simd.hpp"
#include "mi/core/unrolled.hpp"
#include "mi/search/metric.hpp"

namespace mi {

template <class Metric = max_norm>
class grid {
public:
    using metric_type = Metric;
    static constexpr bool exact = true;

    /// occupancy: the mean number of points per cell aimed at; 0 (default)
    /// picks 2 for d = 1, 6 for d = 2-3 and 4 above (measured, bench/knn.md).
    explicit grid(double occupancy = 0.0) : occupancy_(occupancy) {
        if (!(occupancy >= 0.0) || !(occupancy <= 1e6))
            detail::fail("mi::grid", "occupancy", occupancy, "0 (automatic) or a value in (0, 1e6]");
    }
    template <class T>
    explicit grid(const activation_view<const T>& points, double occupancy = 0.0) : grid(occupancy) {
        build(points);
    }

    static std::string name() { return std::string("grid<") + Metric::name() + ">"; }
    /// "search=grid<metric>", with ";occupancy=x" when the occupancy was chosen.
    std::string parameters() const {
        return "search=" + name() + (occupancy_ > 0.0 ? ";occupancy=" + detail::to_text(occupancy_) : "");
    }
    double occupancy() const noexcept { return occupancy_; }

    /// Copies the points and sorts them into cells, O(N + cells).
    template <class T>
    void build(const activation_view<const T>& points) {
        detail::check_activations(points, "mi::grid::build", "points");
        if (points.rows() > detail::max_points)
            detail::fail("mi::grid::build", "points", points.rows(), "at most 4294967294 rows");
        n_ = points.rows();
        d_ = points.cols();
        widen_ = detail::bound_widening(d_);
        const double occ = occupancy_ > 0.0 ? occupancy_ : (d_ == 1 ? 2.0 : d_ <= 3 ? 6.0 : 4.0);
        target_ = occ;
        std::vector<double> col, top;  // a column's low and high percentile heaps
        // The passes over the points run on all cores in blocks of consecutive rows, each
        // block's results combined in block order, so every value is the serial loop's.
        constexpr std::size_t block = 4096;
        const std::size_t blocks = (n_ + block - 1) / block;
        // per block and column the smallest and largest value; std::min and std::max keep the
        // first of equal values (-0 and +0), so combining the blocks in order gives the serial one
        std::vector<double> block_lo(blocks * d_), block_hi(blocks * d_);
        parallel_for_ranges(n_, block, [&](std::size_t first, std::size_t last) {
            const std::size_t b = first / block;
            for (std::size_t j = 0; j < d_; ++j) {
                double l = static_cast<double>(points(first, j)), h = l;
                for (std::size_t i = first + 1; i < last; ++i) {
                    const double v = static_cast<double>(points(i, j));
                    l = std::min(l, v);
                    h = std::max(h, v);
                }
                block_lo[b * d_ + j] = l;
                block_hi[b * d_ + j] = h;
            }
        });
        std::vector<double> lo(block_lo.data(), block_lo.data() + d_), hi(block_hi.data(), block_hi.data() + d_);
        std::size_t varying = 0;
        for (std::size_t j = 0; j < d_; ++j) {
            for (std::size_t b = 1; b < blocks; ++b) {
                lo[j] = std::min(lo[j], block_lo[b * d_ + j]);
                hi[j] = std::max(hi[j], block_hi[b * d_ + j]);
            }
            if (hi[j] > lo[j]) ++varying;
        }
        // m cells along every one of `dims` dimensions, the largest m with m^dims <= N / occupancy
        const double target = std::min(2147483648.0, std::max(1.0, static_cast<double>(n_) / occ));
        auto cells_per_dim = [target](std::size_t dims) {
            if (dims == 0) return std::size_t(1);
            auto power = [dims](std::size_t base) {
                double p = 1.0;
                for (std::size_t t = 0; t < dims; ++t) p *= static_cast<double>(base);
                return p;
            };
            auto m = static_cast<std::size_t>(std::max(1.0, std::floor(std::pow(target, 1.0 / static_cast<double>(dims)))));
            while (power(m + 1) <= target) ++m;
            while (m > 1 && power(m) > target) --m;
            return m;
        };
        std::size_t m = cells_per_dim(varying);
        // The outer cells take the tails beyond the percentiles f and 1 - f,
        // about one layer of cells' worth of points (f = 1/m, at most 1%).
        detail::cached_vector<std::uint32_t> cell_of(n_);
        std::size_t cells = 1;
        // A varying dimension whose bulk is one value (its percentiles f and 1 - f coincide: a
        // dead or saturated unit with a few outliers) gets one cell: m cells of the whole range
        // would put the bulk in one slab of thin cells, the k-th-neighbour ball of a query in
        // it would span all of them, and the rings would visit most of the grid (measured on
        // a ReLU layer of the SZT network: 2-5 s per search instead of 5 ms).
        std::vector<char> one_cell(d_, 0);
        // each dimension's percentile pair, kept for the next layout when its tail is the same
        std::vector<std::size_t> tail_of(d_, n_);
        std::vector<double> low_pct(d_), high_pct(d_);
        // Lays out m cells per varying dimension and sorts the points into them.
        auto layout = [&](std::size_t per_dim) {
            const std::size_t tail = std::min((n_ - 1) / 100, (n_ - 1) / std::max<std::size_t>(per_dim, 1));
            origin_.assign(d_, 0.0);
            span_.assign(d_, 1.0);
            for (std::size_t j = 0; j < d_; ++j) {
                if (!(hi[j] > lo[j])) continue;
                if (tail_of[j] != tail) {
                    // (the percentiles only shape the cells, so a strided sample of
                    // the rows is enough for large N)
                    const std::size_t step = std::max<std::size_t>(1, n_ / 8192), ns = (n_ + step - 1) / step;
                    const std::size_t ts = tail / step;
                    // the ts-th smallest and largest in one pass: a max-heap of the ts + 1 smallest and
                    // a min-heap of the ts + 1 largest (ts is at most 1 % of the sample, and a value
                    // enters a heap only when it beats the heap's top)
                    col.resize(ts + 1);
                    top.resize(ts + 1);
                    for (std::size_t i = 0; i <= ts; ++i) col[i] = top[i] = static_cast<double>(points(i * step, j));
                    std::make_heap(col.begin(), col.end());
                    std::make_heap(top.begin(), top.end(), std::greater<double>());
                    for (std::size_t i = ts + 1; i < ns; ++i) {
                        const double v = static_cast<double>(points(i * step, j));
                        if (v < col.front()) {
                            std::pop_heap(col.begin(), col.end());
                            col.back() = v;
                            std::push_heap(col.begin(), col.end());
                        }
                        if (v > top.front()) {
                            std::pop_heap(top.begin(), top.end(), std::greater<double>());
                            top.back() = v;
                            std::push_heap(top.begin(), top.end(), std::greater<double>());
                        }
                    }
                    low_pct[j] = col.front();
                    high_pct[j] = top.front();
                    tail_of[j] = tail;
                }
                double a = low_pct[j];
                double b = high_pct[j];
                if (!(b > a)) {
                    a = lo[j];
                    b = hi[j];
                    one_cell[j] = 1;
                }
                origin_[j] = a;
                span_[j] = b - a;
            }
            m_.assign(d_, 1);
            stride_.assign(d_, 1);
            edge_at_.assign(d_ + 1, 0);
            cells = 1;
            for (std::size_t j = 0; j < d_; ++j) {
                m_[j] = hi[j] > lo[j] && !one_cell[j] ? per_dim : 1;
                stride_[j] = cells;
                cells *= m_[j];
                edge_at_[j + 1] = edge_at_[j] + m_[j] + 1;
            }
            inverse_.assign(d_, 0.0);
            for (std::size_t j = 0; j < d_; ++j) inverse_[j] = static_cast<double>(m_[j]) / span_[j];
            edges_.assign(edge_at_[d_], 0.0);
            for (std::size_t j = 0; j < d_; ++j) {
                double* e = edges_.data() + edge_at_[j];
                const std::size_t mj = m_[j];
                e[0] = lo[j];
                e[mj] = hi[j];
                // origin + span c / m never falls as c grows (each rounding is monotone), so
                // clamping each edge to [lo, hi] alone keeps them in order: one pass with no
                // dependence between cells (it vectorises)
                const double o = origin_[j], sp = span_[j], md = static_cast<double>(mj), l = lo[j], h = hi[j];
                for (std::size_t c = 1; c < mj; ++c) e[c] = std::min(h, std::max(l, o + sp * static_cast<double>(c) / md));
            }
            // counting sort by cell, stable, so a cell's points are in index order
            parallel_for_ranges(n_, block, [&](std::size_t first, std::size_t last) {
                std::fill(cell_of.data() + first, cell_of.data() + last, 0u);
                for (std::size_t j = 0; j < d_; ++j) {
                    if (m_[j] == 1) continue;
                    const axis a = axis_of(j);
                    const auto stride = static_cast<std::uint32_t>(stride_[j]);
                    for (std::size_t i = first; i < last; ++i)
                        cell_of[i] += static_cast<std::uint32_t>(a.index(static_cast<double>(points(i, j)))) * stride;
                }
            });
            start_.assign(cells + 1, 0);
            for (std::size_t i = 0; i < n_; ++i) ++start_[cell_of[i] + 1];
            for (std::size_t c = 0; c < cells; ++c) start_[c + 1] += start_[c];
        };
        // Correlated or clustered data fill only part of the box, so the cells
        // it does fill hold more than `occ`; what a query pays for is the
        // number of points sharing its cell, sum(count^2) / N, so when that
        // is well above `occ` the cells are refined once (at most 4N cells).
        layout(m);
        // Dimensions given one cell leave the others more: m again for the spread ones (a
        // dimension keeps its one cell, so the cell count stays about N / occupancy).
        const std::size_t spread = varying - static_cast<std::size_t>(std::count(one_cell.begin(), one_cell.end(), 1));
        if (spread > 0 && spread < varying) {
            varying = spread;
            m = cells_per_dim(varying);
            layout(m);
        }
        if (varying > 0) {
            const double shared = crowding_of(cells);
            if (shared > 1.5 * occ) {
                double grown = static_cast<double>(m) * std::pow(shared / occ, 1.0 / static_cast<double>(varying));
                const double cap = std::pow(std::min(4.0 * static_cast<double>(n_), 2147483648.0),
                                            1.0 / static_cast<double>(varying));
                const auto m2 = static_cast<std::size_t>(std::max(1.0, std::floor(std::min(grown, cap))));
                if (m2 > m) layout(m2);
            }
        }
        crowding_ = crowding_of(cells);
        largest_ = 0;
        for (std::size_t c = 0; c < cells; ++c) largest_ = std::max<std::size_t>(largest_, start_[c + 1] - start_[c]);
        perm_.resize(n_);
        cell_.resize(n_);
        pitch_ = n_ + most_groups * detail::lanes;  // kth_of_cell loads whole batches
        coords_.resize(d_ * pitch_);
        for (std::size_t j = 0; j < d_; ++j)
            std::fill(coords_.data() + j * pitch_ + n_, coords_.data() + (j + 1) * pitch_,
                      std::numeric_limits<double>::infinity());
        // The counting sort's scatter is one pass of an increment and a store per point, serial:
        // split over threads by rows, the threads' stores shared cache lines (a cell takes points
        // from every part) and the split pass took longer than this one. The cells and the
        // coordinates are then gathered in position order on all cores.
        {
            detail::cached_vector<std::uint32_t> fill(start_.data(), start_.data() + cells);
            for (std::size_t i = 0; i < n_; ++i) perm_[fill[cell_of[i]]++] = static_cast<std::uint32_t>(i);
        }
        parallel_for_ranges(n_, block, [&](std::size_t first, std::size_t last) {
            for (std::size_t p = first; p < last; ++p) {
                const std::uint32_t i = perm_[p];
                cell_[p] = cell_of[i];
                for (std::size_t j = 0; j < d_; ++j) coords_[j * pitch_ + p] = static_cast<double>(points(i, j));
            }
        });
    }

    std::size_t size() const noexcept { return n_; }
    std::size_t dims() const noexcept { return d_; }
    /// The number of points in the fullest cell.
    std::size_t largest_cell() const noexcept { return largest_; }
    /// The mean number of points sharing a point's cell, sum(count^2) / N:
    /// what a query scans per cell (many exact duplicates make it large).
    double crowding() const noexcept { return crowding_; }
    /// The occupancy the last build aimed at (the chosen one, or the automatic one for its d).
    double target_occupancy() const noexcept { return target_; }

    /// The k nearest neighbours of every point, self excluded.
    neighbors knn(std::size_t k) const {
        detail::check_k(k, n_, "mi::grid::knn");
        neighbors out;
        out.index = xt::xtensor<std::uint32_t, 2>::from_shape({n_, k});
        out.distance = xt::xtensor<double, 2>::from_shape({n_, k});
        double* rho = out.distance.data();
        std::uint32_t* idx = out.index.data();
        const std::size_t chunks = (n_ + chunk - 1) / chunk;
        with_dims([&](auto dims) {
            constexpr std::size_t D = decltype(dims)::value;
            parallel_for(chunks, [&](std::size_t c) {
                query ctx(d_);
                for (std::size_t p = c * chunk; p < std::min(n_, (c + 1) * chunk); ++p) {
                    const std::size_t i = perm_[p];
                    knn_one<D>(p, ctx, k, rho + i * k, idx + i * k);
                }
            });
        });
        for (std::size_t i = 0; i < n_ * k; ++i) rho[i] = Metric::to_distance(rho[i]);
        return out;
    }

    /// Distance of every point to its k-th nearest neighbour (self excluded),
    /// without materialising the neighbour lists.
    std::vector<double> kth_distance(std::size_t k) const {
        detail::check_k(k, n_, "mi::grid::kth_distance");
        std::vector<double> r(n_);
        const std::size_t chunks = (n_ + chunk - 1) / chunk;
        with_dims([&](auto dims) {
            constexpr std::size_t D = decltype(dims)::value;
            parallel_for(chunks, [&](std::size_t c) {
                query ctx(d_);
                std::vector<double> rho(k);
                std::vector<std::uint32_t> idx(k);
                const std::size_t end = std::min(n_, (c + 1) * chunk);
                for (std::size_t p = c * chunk; p < end;) {
                    if constexpr (D >= 1 && D <= 4) {
                        if (k <= block_k) {
                            // the point and those after it in its cell and the next cells of its
                            // row along dimension 0, up to a batch of them
                            // (positions are in cell order, so the row ends at the first cell
                            // of the next row)
                            std::size_t g = 1;
                            const std::size_t row_end = (cell_[p] / m_[0] + 1) * m_[0];
                            const std::size_t most = batch_groups(k) * detail::lanes;
                            while (g < most && p + g < end && cell_[p + g] < row_end) ++g;
                            kth_of_cell<D>(p, g, k, ctx, rho.data(), idx.data(), r.data());
                            p += g;
                            continue;
                        }
                    }
                    knn_one<D>(p, ctx, k, rho.data(), idx.data());
                    r[perm_[p]] = Metric::to_distance(rho[k - 1]);
                    ++p;
                }
            });
        });
        return r;
    }

    /// Every point's k-th-neighbour distance among all points and among the points of its own
    /// group (group[i] for point i; more than k points in every group), in one search per
    /// point: cells are pruned against the own-group list's k-th distance, the farther one.
    grouped_kth kth_distance_grouped(std::size_t k, const std::vector<std::uint32_t>& group) const {
        const char* where = "mi::grid::kth_distance_grouped";
        detail::check_k(k, n_, where);
        detail::check_groups(group, n_, k, where);
        grouped_kth out{std::vector<double>(n_), std::vector<double>(n_)};
        const std::size_t chunks = (n_ + chunk - 1) / chunk;
        with_dims([&](auto dims) {
            constexpr std::size_t D = decltype(dims)::value;
            parallel_for(chunks, [&](std::size_t c) {
                query ctx(d_);
                std::vector<double> rho(2 * k);
                std::vector<std::uint32_t> idx(2 * k);
                for (std::size_t p = c * chunk; p < std::min(n_, (c + 1) * chunk); ++p) {
                    knn_one<D>(p, ctx, k, rho.data(), idx.data(), group.data(), rho.data() + k, idx.data() + k);
                    out.all[perm_[p]] = Metric::to_distance(rho[k - 1]);
                    out.own[perm_[p]] = Metric::to_distance(rho[2 * k - 1]);
                }
            });
        });
        return out;
    }

    /// For every point i: the number of other points j with d(i, j) < radius[i]
    /// (range::strict) or d(i, j) <= radius[i] (range::inclusive).
    std::vector<std::uint32_t> count_within(const std::vector<double>& radius, range cmp = range::strict) const {
        const std::vector<double> tau = detail::limits_of(radius, n_, cmp, "mi::grid::count_within",
                                                          &detail::reduced_limit<Metric>);
        std::vector<std::uint32_t> out(n_);
        const std::size_t chunks = (n_ + chunk - 1) / chunk;
        with_dims([&](auto dims) {
            constexpr std::size_t D = decltype(dims)::value;
            parallel_for(chunks, [&](std::size_t c) {
                query ctx(d_);
                for (std::size_t p = c * chunk; p < std::min(n_, (c + 1) * chunk); ++p) {
                    const std::size_t i = perm_[p];
                    out[i] = count_one<D>(p, ctx, tau[i]);
                }
            });
        });
        return out;
    }

private:
    static constexpr std::size_t chunk = 256;  // queries per work item
    static constexpr std::size_t block_k = 8;  // largest k that kth_of_cell serves
    // SIMD batches of queries that kth_of_cell takes together, so that each point it broadcasts
    // is loaded once for all of them: as many as the registers hold with each batch's K smallest,
    // its distance and a few temporaries; the query coordinates may stay in memory. With k = 2 on
    // AVX2, three batches (12 queries) took KL's k-th distances at d = 2-4, N = 16384, in
    // 0.87-0.90 of the time of one batch (bench/knn.md, 2026-12-07 06:20); each query's lane
    // scans the cells of all 12 queries, so more batches add arithmetic and spills.
    static constexpr std::size_t most_groups = 4;
    static constexpr std::size_t batch_groups(std::size_t k) noexcept {
        return std::max<std::size_t>(1, std::min<std::size_t>(most_groups, (simd::registers - 6) / (k + 1)));
    }

    // Per-query scratch: coordinates and cell of the query.
    struct query {
        explicit query(std::size_t d) : q(d), cq(d) {}
        std::vector<double> q;
        std::vector<std::size_t> cq;
        std::size_t cell = std::numeric_limits<std::size_t>::max();  // the cell cq decodes
    };

    // Calls f with the dimension as a compile-time constant for d <= 4 (the
    // kernel loops unroll), 0 meaning "use d_".
    template <class F>
    void with_dims(F&& f) const {
        switch (d_) {
            case 1: f(std::integral_constant<std::size_t, 1>{}); break;
            case 2: f(std::integral_constant<std::size_t, 2>{}); break;
            case 3: f(std::integral_constant<std::size_t, 3>{}); break;
            case 4: f(std::integral_constant<std::size_t, 4>{}); break;
            default: f(std::integral_constant<std::size_t, 0>{}); break;
        }
    }

    double crowding_of(std::size_t cells) const noexcept {
        double s = 0.0;
        for (std::size_t c = 0; c < cells; ++c) {
            const double k = static_cast<double>(start_[c + 1] - start_[c]);
            s += k * k;
        }
        return s / static_cast<double>(n_);
    }

    /// One dimension's cells, read once for a pass over many values.
    struct axis {
        std::size_t m;
        const double* edges;
        double origin, inverse;
        MI_DETAIL_ALWAYS_INLINE std::size_t index(double v) const noexcept {
            if (m == 1) return 0;
            double t = (v - origin) * inverse;
            if (!(t > 0.0)) t = 0.0;  // also NaN, from an infinite radius times a zero scale
            t = std::min(t, static_cast<double>(m - 1));
            auto c = static_cast<std::size_t>(t);
            // make edges[c] <= v < edges[c + 1] hold exactly (v <= edges[m] in the last cell)
            while (c > 0 && v < edges[c]) --c;
            while (c + 1 < m && v >= edges[c + 1]) ++c;
            return c;
        }
    };
    axis axis_of(std::size_t j) const noexcept { return {m_[j], edges_.data() + edge_at_[j], origin_[j], inverse_[j]}; }
    MI_DETAIL_ALWAYS_INLINE std::size_t cell_index(std::size_t j, double v) const noexcept { return axis_of(j).index(v); }

    // Euclidean bounds are widened by a few ulps per dimension (as kd_tree).
    MI_DETAIL_ALWAYS_INLINE double lower(double s) const noexcept {
        if constexpr (Metric::exact_bounds) return s;
        else return widen_.lower(s);
    }
    MI_DETAIL_ALWAYS_INLINE double upper(double s) const noexcept {
        if constexpr (Metric::exact_bounds) return s;
        else return widen_.upper(s);
    }
    // Gap from coordinate v of the query (in cell cv) to cell c along j.
    MI_DETAIL_ALWAYS_INLINE double gap(std::size_t j, std::size_t c, std::size_t cv, double v) const noexcept {
        const double* e = edges_.data() + edge_at_[j];
        if (c < cv) return v - e[c + 1];
        if (c > cv) return e[c] - v;
        return 0.0;
    }
    MI_DETAIL_ALWAYS_INLINE double far(std::size_t j, std::size_t c, double v) const noexcept {
        const double* e = edges_.data() + edge_at_[j];
        return std::max(std::fabs(v - e[c]), std::fabs(e[c + 1] - v));
    }

    template <std::size_t D>
    void load(std::size_t p, query& ctx) const noexcept {
        for (std::size_t j = 0; j < (D ? D : d_); ++j) ctx.q[j] = coords_[j * pitch_ + p];
        std::size_t id = cell_[p];
        if (id == ctx.cell) return;  // consecutive queries share cells
        ctx.cell = id;
        for (std::size_t j = (D ? D : d_); j-- > 0;) {
            ctx.cq[j] = id / stride_[j];
            id -= ctx.cq[j] * stride_[j];
        }
    }

    template <std::size_t D>
    MI_DETAIL_ALWAYS_INLINE detail::dbatch reduced_at(std::size_t pos, const double* q) const noexcept {
        detail::dbatch acc(0.0);
        for (std::size_t j = 0; j < (D ? D : d_); ++j) {
            const detail::dbatch p = detail::dbatch::load_unaligned(coords_.data() + j * pitch_ + pos);
            acc = Metric::accumulate(acc, p - detail::dbatch(q[j]));
        }
        return acc;
    }

    // `best` prunes; with a group, it is the own-group list and `all` takes every point.
    struct knn_state {
        const query* ctx;
        detail::k_best* best;
        std::uint32_t self;
        detail::k_best* all = nullptr;
        const std::uint32_t* group = nullptr;
        std::uint32_t mine = 0;
        // cells along dimension 0 already offered, in the rows within one cell of the query's
        // (kth_of_cell's batch): the rings skip them (empty when skip_lo > skip_hi)
        std::size_t skip_lo = 1, skip_hi = 0;
    };

    // Offers the points of positions [s, e) to the k best list.
    template <std::size_t D>
    void scan_knn(std::size_t s, std::size_t e, knn_state& st) const {
        using detail::lanes;
        alignas(64) double lane_rho[lanes];
        detail::dbatch worst(st.best->worst());
        for (std::size_t pos = s; pos < e; pos += lanes) {
            const detail::dbatch acc = reduced_at<D>(pos, st.ctx->q.data());
            std::uint64_t pass = detail::lanes_within(acc, worst, e - pos);
            if (pass == 0) continue;
            acc.store_unaligned(lane_rho);
            double w = st.best->worst();
            for (; pass != 0; pass &= pass - 1) {
                const std::size_t l = detail::lowest_bit(pass);
                if (lane_rho[l] > w) continue;  // cheap test before the tie-aware one
                const std::uint32_t j = perm_[pos + l];
                if (j == st.self) continue;
                if (st.all) {
                    st.all->offer(lane_rho[l], j);
                    if (st.group[j] != st.mine) continue;
                }
                st.best->offer(lane_rho[l], j);
                w = st.best->worst();
            }
            worst = detail::dbatch(w);
        }
    }

    // Cells at Chebyshev cell distance exactly R from the query's cell,
    // dimension j and below; `on` once a higher dimension is at distance R.
    // `near` while every higher dimension is within one cell of the query's.
    template <std::size_t D>
    void ring(std::size_t j, std::size_t R, bool on, std::size_t base, double partial, knn_state& st,
              bool near = true) const {
        const std::size_t cv = st.ctx->cq[j];
        const double v = st.ctx->q[j];
        const std::size_t c0 = cv >= R ? cv - R : 0, c1 = std::min(m_[j] - 1, cv + R);
        if (j == 0) {
            auto run = [&](std::size_t a, std::size_t b) {  // cells [a, b] of this row
                while (a <= b && lower(Metric::combine_bound(partial, gap(0, a, cv, v))) > st.best->worst()) ++a;
                while (b > a && lower(Metric::combine_bound(partial, gap(0, b, cv, v))) > st.best->worst()) --b;
                if (a <= b) scan_knn<D>(start_[base + a], start_[base + b + 1], st);
            };
            if (on || R == 0) {
                run(c0, c1);
            } else {
                const auto skipped = [&](std::size_t c) { return near && c >= st.skip_lo && c <= st.skip_hi; };
                if (cv >= R && !skipped(cv - R)) run(cv - R, cv - R);
                if (cv + R < m_[0] && !skipped(cv + R)) run(cv + R, cv + R);
            }
            return;
        }
        for (std::size_t c = c0; c <= c1; ++c) {
            const bool at = (c > cv ? c - cv : cv - c) == R;
            const double s = Metric::combine_bound(partial, gap(j, c, cv, v));
            if (lower(s) > st.best->worst()) continue;
            ring<D>(j - 1, R, on || at, base + c * stride_[j], s, st, near && (c > cv ? c - cv : cv - c) <= 1);
        }
    }

    // The cells within Chebyshev cell distance 1 of the query's cell: one run of up to three
    // cells along dimension 0 per neighbouring row (3^(D-1) rows, the query's own row first),
    // passed to f as the positions [s, e) with the lower bound `partial` of the distance to the
    // row over the other dimensions. With span > 0 each run reaches `span` cells further along
    // dimension 0: the cells within one cell of any of the cells cq[0] .. cq[0] + span.
    template <std::size_t D, class F>
    MI_DETAIL_ALWAYS_INLINE void neighbour_rows(const query& ctx, F&& f, std::size_t span = 0) const {
        const std::size_t cv = ctx.cq[0];
        const std::size_t a = cv > 0 ? cv - 1 : 0, b = std::min(m_[0] - 1, cv + 1 + span);
        constexpr std::size_t rows = D == 1 ? 1 : D == 2 ? 3 : D == 3 ? 9 : 27;
        for (std::size_t r = 0; r < rows; ++r) {
            std::size_t base = 0, code = r;
            double partial = 0.0;
            bool valid = true;
            for (std::size_t j = 1; j < D; ++j) {
                const std::size_t t = code % 3;  // offsets 0, -1, +1
                code /= 3;
                const std::size_t cj = ctx.cq[j];
                if ((t == 1 && cj == 0) || (t == 2 && cj + 1 >= m_[j])) {
                    valid = false;
                    break;
                }
                const std::size_t c = t == 0 ? cj : t == 1 ? cj - 1 : cj + 1;
                partial = Metric::combine_bound(partial, gap(j, c, cj, ctx.q[j]));
                base += c * stride_[j];
            }
            if (valid) f(partial, start_[base + a], start_[base + b + 1]);
        }
    }

    // The kNN's rings 0 and 1 (a good k-th distance early prunes the other rows).
    template <std::size_t D>
    void block(knn_state& st) const {
        neighbour_rows<D>(*st.ctx, [&](double partial, std::size_t s, std::size_t e) {
            if (!(lower(partial) > st.best->worst())) scan_knn<D>(s, e, st);
        });
    }

    // kth_distance for g points of consecutive cells of one row along dimension 0 (positions
    // p0 .. p0 + g - 1, g at most G = batch_groups(k) SIMD batches), one point per lane:
    // filling the lanes from several cells (a cell holds a few points) costs one more cell per
    // row for each cell added, where a batch of its own would scan three. Every point of the cells within one cell of theirs is
    // broadcast against all of them at once, and each lane keeps its K smallest reduced
    // distances by a min/max insertion network (no branches, no neighbour lists). Only the k-th
    // value is wanted, and the k-th smallest of a multiset does not depend on how ties are
    // ordered, so it equals knn_one's (the same differences, accumulated in the same order). A
    // point whose k-th distance those cells do not settle (fewer than k points there, or a
    // farther cell that could hold a nearer one: knn_one's ring test) goes on with knn_one's
    // rings from ring 2, its list holding the K smallest values of the batch's cells (the k-th
    // value does not depend on which points carry them) and the rings skipping those cells.
    template <std::size_t D>
    void kth_of_cell(std::size_t p0, std::size_t g, std::size_t k, query& ctx, double* rho, std::uint32_t* idx,
                     double* out) const {
        switch (k) {
            case 1: kth_of_cell<D, 1, batch_groups(1)>(p0, g, ctx, rho, idx, out); break;
            case 2: kth_of_cell<D, 2, batch_groups(2)>(p0, g, ctx, rho, idx, out); break;
            case 3: kth_of_cell<D, 3, batch_groups(3)>(p0, g, ctx, rho, idx, out); break;
            case 4: kth_of_cell<D, 4, batch_groups(4)>(p0, g, ctx, rho, idx, out); break;
            case 5: kth_of_cell<D, 5, batch_groups(5)>(p0, g, ctx, rho, idx, out); break;
            case 6: kth_of_cell<D, 6, batch_groups(6)>(p0, g, ctx, rho, idx, out); break;
            case 7: kth_of_cell<D, 7, batch_groups(7)>(p0, g, ctx, rho, idx, out); break;
            default: kth_of_cell<D, 8, batch_groups(8)>(p0, g, ctx, rho, idx, out); break;
        }
    }

    template <std::size_t D, std::size_t K, std::size_t G>
    void kth_of_cell(std::size_t p0, std::size_t g, query& ctx, double* rho, std::uint32_t* idx, double* out) const {
        using detail::dbatch;
        using detail::lanes;
        using detail::unrolled;
        load<D>(p0, ctx);
        const double inf = std::numeric_limits<double>::infinity();
        dbatch q[G][D];
        unrolled<G>([&](auto h) {
            unrolled<D>([&](auto j) { q[h][j] = dbatch::load_unaligned(coords_.data() + j * pitch_ + p0 + h * lanes); });
        });
        dbatch best[G][K];
        unrolled<G>([&](auto h) { unrolled<K>([&](auto i) { best[h][i] = dbatch(inf); }); });
        const dbatch lane = lane_numbers();
        auto take = [&](std::size_t t) {
            dbatch c[D];
            unrolled<D>([&](auto j) { c[j] = dbatch(coords_[j * pitch_ + t]); });
            // a point of the batch is not its own neighbour: its lane (own % lanes of batch
            // own / lanes) takes it at infinity
            const std::size_t own = t - p0;
            unrolled<G>([&](auto h) {
                dbatch acc(0.0);
                unrolled<D>([&](auto j) { acc = Metric::accumulate(acc, c[j] - q[h][j]); });
                if (own < g && own / lanes == h)
                    acc = xsimd::select(lane == dbatch(static_cast<double>(own % lanes)), dbatch(inf), acc);
                unrolled<K - 1>([&](auto i) {
                    constexpr std::size_t r = K - 1 - i;
                    best[h][r] = simd::min(best[h][r], simd::max(best[h][r - 1], acc));
                });
                best[h][0] = simd::min(best[h][0], acc);
            });
        };
        // the batch's cells: cq[0] .. cq[0] + span of one row along dimension 0 (stride 1)
        const std::size_t first_cell = cell_[p0], span = cell_[p0 + g - 1] - first_cell;
        neighbour_rows<D>(ctx, [&](double, std::size_t s, std::size_t e) {
            for (std::size_t t = s; t < e; ++t) take(t);
        }, span);
        alignas(64) double kept[K][G * lanes];  // each lane's K smallest (kept[K - 1]: its k-th)
        unrolled<G>([&](auto h) { unrolled<K>([&](auto i) { best[h][i].store_unaligned(kept[i] + h * lanes); }); });
        const double* kth = kept[K - 1];
        std::size_t cq[D];  // each point's own cell, for its ring test
        for (std::size_t j = 0; j < D; ++j) cq[j] = ctx.cq[j];
        const std::size_t cq0 = cq[0];
        for (std::size_t l = 0; l < g; ++l) {
            const std::size_t p = p0 + l;
            cq[0] = cq0 + (cell_[p] - first_cell);
            // knn_one's ring test after the cells within distance 1 of the point's cell: the k-th
            // value of a superset of those cells is at most theirs, and when nothing outside them
            // can be nearer, the points the superset adds are farther too, so it is theirs
            if (kth[l] < inf && settled(2, D, cq, coords_.data() + p, pitch_, kth[l])) {
                out[perm_[p]] = Metric::to_distance(kth[l]);
            } else {
                // the search goes on from ring 2 with the lane's K smallest of the batch's cells
                // (only their values matter for the k-th), skipping the cells the batch offered
                load<D>(p, ctx);
                detail::k_best list(rho, idx, K);
                for (std::size_t i = 0; i < K; ++i) list.offer(kept[i][l], 0xFFFFFFFEu);
                knn_state st{&ctx, &list, perm_[p]};
                st.skip_lo = cq0 > 0 ? cq0 - 1 : 0;
                st.skip_hi = std::min(m_[0] - 1, cq0 + span + 1);
                rings_from<D>(2, D, st);
                out[perm_[p]] = Metric::to_distance(rho[K - 1]);
            }
        }
    }

    // The ring test of the kNN search: true when no point outside the cells within Chebyshev
    // cell distance R - 1 of the query's cell (cq) can be nearer than reduced distance `worst`
    // to the query (coordinate j at q[j * stride]), or when there are no such cells.
    MI_DETAIL_ALWAYS_INLINE bool settled(std::size_t R, std::size_t d, const std::size_t* cq, const double* q, std::size_t stride,
                 double worst) const noexcept {
        double bound = std::numeric_limits<double>::infinity();
        bool more = false;
        for (std::size_t j = 0; j < d; ++j) {
            const double* e = edges_.data() + edge_at_[j];
            const std::size_t cv = cq[j];
            if (cv >= R) {
                more = true;
                bound = std::min(bound, q[j * stride] - e[cv - R + 1]);
            }
            if (cv + R < m_[j]) {
                more = true;
                bound = std::min(bound, e[cv + R] - q[j * stride]);
            }
        }
        return !more || lower(Metric::combine_bound(0.0, bound)) > worst;
    }

    static detail::dbatch lane_numbers() noexcept {
        alignas(64) double v[detail::lanes];
        for (std::size_t l = 0; l < detail::lanes; ++l) v[l] = static_cast<double>(l);
        return detail::dbatch::load_unaligned(v);
    }

    // The rings R0, R0 + 1, ... of a kNN search until the ring test settles its list.
    template <std::size_t D>
    void rings_from(std::size_t R0, std::size_t d, knn_state& st) const {
        for (std::size_t R = R0;; ++R) {
            if (R > 0 && settled(R, d, st.ctx->cq.data(), st.ctx->q.data(), 1, st.best->worst())) break;
            ring<D>(d - 1, R, false, 0, 0.0, st);
        }
    }

    template <std::size_t D>
    void knn_one(std::size_t p, query& ctx, std::size_t k, double* rho, std::uint32_t* idx,
                 const std::uint32_t* group = nullptr, double* own_rho = nullptr, std::uint32_t* own_idx = nullptr) const {
        constexpr std::size_t fixed = D;
        const std::size_t d = fixed ? fixed : d_;
        load<D>(p, ctx);
        detail::k_best all(rho, idx, k);
        detail::k_best own(group ? own_rho : rho, group ? own_idx : idx, k);
        knn_state st{&ctx, group ? &own : &all, perm_[p]};
        if (group) {
            st.all = &all;
            st.group = group;
            st.mine = group[perm_[p]];
        }
        std::size_t first = 0;
        if constexpr (D >= 1 && D <= 4) {
            block<D>(st);  // rings 0 and 1 as 3^(D-1) runs along dimension 0
            first = 2;
        }
        rings_from<D>(first, d, st);
    }

    struct count_state {
        const query* ctx;
        double tau;
        std::size_t whole = 0;
        detail::dbatch lanes_in = detail::dbatch(0.0);
        std::size_t tail = 0;
    };

    // Counts the points of positions [s, e) closer than tau (reduced).
    template <std::size_t D>
    MI_DETAIL_ALWAYS_INLINE void scan_count(std::size_t s, std::size_t e, count_state& st) const {
        using detail::dbatch;
        using detail::lanes;
        const dbatch limit(st.tau), one(1.0), zero(0.0);
        std::size_t pos = s;
        for (; pos + lanes <= e; pos += lanes)
            st.lanes_in += xsimd::select(reduced_at<D>(pos, st.ctx->q.data()) < limit, one, zero);
        if (pos < e)  // the lanes past e hold other cells' points (or +inf padding): masked off
            st.tail += detail::set_bits(simd::bits(reduced_at<D>(pos, st.ctx->q.data()) < limit) &
                                        ((std::uint64_t(1) << (e - pos)) - 1));
    }

    // Whether the ball of reduced radius tau around coordinate v (in cell cv) reaches cell c
    // along j (part: the lower bound over the other dimensions), and whether it holds the whole
    // cell c along dimension 0 (part: the upper bound).
    MI_DETAIL_ALWAYS_INLINE bool reaches(std::size_t j, double part, std::size_t c, std::size_t cv, double v,
                                         double tau) const noexcept {
        return lower(Metric::combine_bound(part, gap(j, c, cv, v))) < tau;
    }
    MI_DETAIL_ALWAYS_INLINE bool holds(double part, std::size_t c, double v, double tau) const noexcept {
        return upper(Metric::combine_bound(part, far(0, c, v))) < tau;
    }

    // The cells of one row along dimension 0 (from cell `base`) that the ball reaches. Forced
    // inline: once the grid grew, GCC stopped inlining it into the 1-D counts (KSG's
    // marginals), which then took 1.5 times as long.
    template <std::size_t D>
    MI_DETAIL_ALWAYS_INLINE void count_row(std::size_t base, double part_lo, double part_hi, count_state& st) const {
        const std::size_t cv = st.ctx->cq[0];
        const double v = st.ctx->q[0], tau = st.tau;
        // the cells along 0 that the ball reaches form an interval around cv
        // (the gap grows away from cv)
        if (!reaches(0, part_lo, cv, cv, v, tau)) return;
        // the cells holding v -+ r, then a step or two for rounding
        double r = tau;
        if constexpr (!Metric::exact_bounds) r = std::sqrt(std::max(0.0, upper(tau) - part_lo));
        std::size_t a = std::min(cv, cell_index(0, v - r)), b = std::max(cv, cell_index(0, v + r));
        while (a < cv && !reaches(0, part_lo, a, cv, v, tau)) ++a;
        while (a > 0 && reaches(0, part_lo, a - 1, cv, v, tau)) --a;
        while (b > cv && !reaches(0, part_lo, b, cv, v, tau)) --b;
        while (b + 1 < m_[0] && reaches(0, part_lo, b + 1, cv, v, tau)) ++b;
        // cells wholly inside: an interval too, since the far distance
        // falls towards cv and its minimum is at cv - 1, cv or cv + 1
        const bool some = holds(part_hi, cv, v, tau) || (cv > a && holds(part_hi, cv - 1, v, tau)) ||
                          (cv < b && holds(part_hi, cv + 1, v, tau));
        std::size_t ia = a, ib = b;
        while (some && !holds(part_hi, ia, v, tau)) ++ia;
        if (!some) {
            scan_count<D>(start_[base + a], start_[base + b + 1], st);
            return;
        }
        while (!holds(part_hi, ib, v, tau)) --ib;
        st.whole += start_[base + ib + 1] - start_[base + ia];
        scan_count<D>(start_[base + a], start_[base + ia], st);
        scan_count<D>(start_[base + ib + 1], start_[base + b + 1], st);
    }

    // The cells c0..c1 along dimension j that the ball reaches, given the lower bound part_lo
    // over the dimensions above: an interval around the query's cell cv, since the gap grows
    // away from cv; false when it does not reach cv, so none.
    MI_DETAIL_ALWAYS_INLINE bool reached(std::size_t j, double part_lo, const count_state& st, std::size_t& c0,
                                         std::size_t& c1) const noexcept {
        const std::size_t cv = st.ctx->cq[j];
        const double v = st.ctx->q[j];
        if (!reaches(j, part_lo, cv, cv, v, st.tau)) return false;
        c0 = c1 = cv;
        while (c0 > 0 && reaches(j, part_lo, c0 - 1, cv, v, st.tau)) --c0;
        while (c1 + 1 < m_[j] && reaches(j, part_lo, c1 + 1, cv, v, st.tau)) ++c1;
        return true;
    }

    // The rows along dimensions j and below that the ball reaches, one level per dimension
    // (the counts are whole numbers, so the order of the cells changes no sum). For d <= 4 the
    // dimension is a template argument too (J), so the levels inline into one another down to
    // count_row, each once; above, one recursive function serves every level.
    template <std::size_t D, std::size_t J>
    MI_DETAIL_ALWAYS_INLINE void count_level(std::size_t base, double part_lo, double part_hi, count_state& st) const {
        if constexpr (J == 0) {
            count_row<D>(base, part_lo, part_hi, st);
        } else {
            std::size_t c0 = 0, c1 = 0;
            if (!reached(J, part_lo, st, c0, c1)) return;
            const std::size_t cv = st.ctx->cq[J];
            const double v = st.ctx->q[J];
            for (std::size_t c = c0; c <= c1; ++c)
                count_level<D, J - 1>(base + c * stride_[J], Metric::combine_bound(part_lo, gap(J, c, cv, v)),
                                      Metric::combine_bound(part_hi, far(J, c, v)), st);
        }
    }

    void count_rec(std::size_t j, std::size_t base, double part_lo, double part_hi, count_state& st) const {
        if (j == 0) {
            count_row<0>(base, part_lo, part_hi, st);
            return;
        }
        std::size_t c0 = 0, c1 = 0;
        if (!reached(j, part_lo, st, c0, c1)) return;
        const std::size_t cv = st.ctx->cq[j];
        const double v = st.ctx->q[j];
        for (std::size_t c = c0; c <= c1; ++c)
            count_rec(j - 1, base + c * stride_[j], Metric::combine_bound(part_lo, gap(j, c, cv, v)),
                      Metric::combine_bound(part_hi, far(j, c, v)), st);
    }

    template <std::size_t D>
    MI_DETAIL_ALWAYS_INLINE std::uint32_t count_one(std::size_t p, query& ctx, double tau) const {
        load<D>(p, ctx);
        count_state st{&ctx, tau};
        if (tau > 0.0) {
            if constexpr (D >= 1) count_level<D, D - 1>(0, 0.0, 0.0, st);
            else count_rec(d_ - 1, 0, 0.0, 0.0, st);
        }
        std::size_t c = st.whole + st.tail + static_cast<std::size_t>(detail::lane_sum(st.lanes_in));
        if (0.0 < tau) --c;  // the point itself, at reduced distance 0
        return static_cast<std::uint32_t>(c);
    }

    double occupancy_ = 0.0;
    std::size_t n_ = 0, d_ = 0, pitch_ = 0, largest_ = 0;
    detail::bound_widening widen_;
    double crowding_ = 0.0, target_ = 0.0;
    std::vector<std::size_t> m_, stride_, edge_at_;
    std::vector<double> origin_, span_;  // per dimension the percentile range of the inner edges
    std::vector<double> inverse_;        // per dimension cells per unit of that range
    std::vector<double> edges_;          // per dimension m + 1 cell edges
    detail::cached_vector<std::uint32_t> start_;  // cell -> first position (cells + 1 entries)
    detail::cached_vector<std::uint32_t> perm_;   // position -> original index
    detail::cached_vector<std::uint32_t> cell_;   // position -> cell
    detail::cached_vector<double> coords_;        // per dimension, points in cell order (+inf padding)
};

}  // namespace mi

#endif
