// SPDX-License-Identifier: BSD-3-Clause
// brute_force<Metric>: exact all-points k-nearest-neighbour and range-count
// search by computing every pair. It is the reference every other search
// policy is tested against, and the fastest choice in high dimension, where a
// tree cannot prune (in 24-D the max-norm k-th-neighbour ball of a Gaussian
// sample spans most of every coordinate's range).
//
// Layout and speed: the points are copied into dimension-major blocks of
// SIMD-width lanes; four queries share every block load (register tile), a
// tile of queries walks the points chunk by chunk so the chunk stays in L2,
// and tiles of queries run on all cores through mi::parallel_for. Each query
// writes only its own row, so results do not depend on the thread count.
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
        const std::size_t tiles = (n_ + tile - 1) / tile;
        parallel_for(tiles, [&](std::size_t t) {
            const std::size_t q0 = t * tile, q1 = std::min(n_, q0 + tile);
            knn_tile(q0, q1, k, rho, idx);
        });
        for (std::size_t i = 0; i < n_ * k; ++i) rho[i] = Metric::to_distance(rho[i]);
        return out;
    }

    /// Distance of every point to its k-th nearest neighbour (self excluded).
    std::vector<double> kth_distance(std::size_t k) const { return knn(k).kth_distances(); }

    /// For every point i: the number of other points j with d(i, j) < radius[i]
    /// (range::strict) or d(i, j) <= radius[i] (range::inclusive).
    std::vector<std::uint32_t> count_within(const std::vector<double>& radius, range cmp = range::strict) const {
        const std::vector<double> tau = detail::limits_of(radius, n_, cmp, "mi::brute_force::count_within",
                                                          &detail::reduced_limit<Metric>);
        detail::note_if_narrow_simd(work());
        std::vector<std::uint32_t> out(n_);
        const std::size_t tiles = (n_ + tile - 1) / tile;
        parallel_for(tiles, [&](std::size_t t) {
            const std::size_t q0 = t * tile, q1 = std::min(n_, q0 + tile);
            count_tile(q0, q1, tau.data(), out.data());
        });
        return out;
    }

private:
    static constexpr std::size_t tile = 64;  // queries per work item

    /// Pair x unit operations of one pass over all pairs.
    double work() const noexcept { return static_cast<double>(n_) * static_cast<double>(n_) * static_cast<double>(d_); }
    static constexpr std::size_t group = 4;  // queries per register tile

    std::size_t chunk_blocks() const noexcept {
        const std::size_t bytes = d_ * detail::lanes * sizeof(double);
        return std::max<std::size_t>(1, (std::size_t(1) << 17) / std::max<std::size_t>(bytes, 1));
    }

    void knn_tile(std::size_t q0, std::size_t q1, std::size_t k, double* rho, std::uint32_t* idx) const {
        using detail::dbatch;
        using detail::lanes;
        std::vector<detail::k_best> best;
        best.reserve(q1 - q0);
        for (std::size_t q = q0; q < q1; ++q) best.emplace_back(rho + q * k, idx + q * k, k);
        const std::size_t cb = chunk_blocks();
        alignas(64) double lane_rho[lanes];
        for (std::size_t c0 = 0; c0 < nb_; c0 += cb) {
            const std::size_t c1 = std::min(nb_, c0 + cb);
            for (std::size_t g = q0; g < q1; g += group) {
                const std::size_t real = std::min(group, q1 - g);
                const double* qp[group];
                dbatch worst[group];
                for (std::size_t a = 0; a < group; ++a) {
                    const std::size_t q = g + std::min(a, real - 1);
                    qp[a] = rows_.data() + q * d_;
                    worst[a] = dbatch(best[q - q0].worst());
                }
                for (std::size_t b = c0; b < c1; ++b) {
                    dbatch acc[group];
                    detail::block_reduced<Metric, group>(blocks_.data() + b * d_ * lanes, d_, qp, acc);
                    for (std::size_t a = 0; a < real; ++a) {
                        if (!xsimd::any(acc[a] <= worst[a])) continue;
                        const std::size_t q = g + a;
                        detail::k_best& kb = best[q - q0];
                        acc[a].store_unaligned(lane_rho);
                        for (std::size_t l = 0; l < lanes; ++l) {
                            const std::size_t j = b * lanes + l;
                            if (j >= n_ || j == q) continue;
                            kb.offer(lane_rho[l], static_cast<std::uint32_t>(j));
                        }
                        worst[a] = dbatch(kb.worst());
                    }
                }
            }
        }
    }

    void count_tile(std::size_t q0, std::size_t q1, const double* tau, std::uint32_t* out) const {
        using detail::dbatch;
        using detail::lanes;
        const std::size_t full = n_ / lanes;  // blocks without padding lanes
        alignas(64) double lane_rho[lanes];
        for (std::size_t g = q0; g < q1; g += group) {
            const std::size_t real = std::min(group, q1 - g);
            const double* qp[group];
            dbatch limit[group], count[group];
            for (std::size_t a = 0; a < group; ++a) {
                const std::size_t q = g + std::min(a, real - 1);
                qp[a] = rows_.data() + q * d_;
                limit[a] = dbatch(tau[q]);
                count[a] = dbatch(0.0);
            }
            const dbatch one(1.0), zero(0.0);
            for (std::size_t b = 0; b < full; ++b) {
                dbatch acc[group];
                detail::block_reduced<Metric, group>(blocks_.data() + b * d_ * lanes, d_, qp, acc);
                for (std::size_t a = 0; a < group; ++a) count[a] += xsimd::select(acc[a] < limit[a], one, zero);
            }
            std::size_t tail[group] = {0, 0, 0, 0};
            if (full < nb_) {
                dbatch acc[group];
                detail::block_reduced<Metric, group>(blocks_.data() + full * d_ * lanes, d_, qp, acc);
                for (std::size_t a = 0; a < real; ++a) {
                    acc[a].store_unaligned(lane_rho);
                    for (std::size_t l = 0; full * lanes + l < n_; ++l) tail[a] += lane_rho[l] < tau[g + a];
                }
            }
            for (std::size_t a = 0; a < real; ++a) {
                const std::size_t q = g + a;
                std::size_t c = static_cast<std::size_t>(detail::lane_sum(count[a])) + tail[a];
                if (0.0 < tau[q]) --c;  // the point itself, at reduced distance 0
                out[q] = static_cast<std::uint32_t>(c);
            }
        }
    }

    std::size_t n_ = 0, d_ = 0, nb_ = 0;
    std::vector<double> rows_;
    std::vector<double> blocks_;
};

}  // namespace mi

#endif
