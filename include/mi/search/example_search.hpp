// SPDX-License-Identifier: BSD-3-Clause
// example_search<Metric>: the smallest complete neighbour-search policy,
// documented member by member (as mlpack's example_kernel.hpp), to copy when
// writing a new one. It is a real, tested policy: a plain serial scan of every
// pair, one query at a time, through the shared distance kernel, so its
// answers are identical to brute_force<Metric>'s (the contract every search
// policy is tested against).
//
// What a new search policy needs: this header, nothing else in mi.
// mi::kl_entropy<Search> and mi::ksg<Search> accept any search type for which
// mi::is_search_v<Search> holds (mi/search/concept.hpp), e.g.
// mi::kl_entropy<mi::example_search<mi::euclidean>>, and a configured instance
// carries its knobs:
//   mi::kl_entropy est(mi::example_search<mi::max_norm>(), 2);
// Exactness: compute every pair with detail::block_reduced (same arithmetic
// as every other policy), compare radii through detail::reduced_limit, break
// ties at the k-th distance by the smaller index (detail::k_best).
#ifndef MI_SEARCH_EXAMPLE_SEARCH_HPP
#define MI_SEARCH_EXAMPLE_SEARCH_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/xtensor.hpp"
#include "mi/search/metric.hpp"

namespace mi {

template <class Metric = max_norm>
class example_search {
public:
    /// The metric (max_norm or euclidean; see mi/search/concept.hpp).
    using metric_type = Metric;
    /// Exact (an approximate search must say false; the estimators need exact ones).
    static constexpr bool exact = true;

    /// Default construction gives an empty, unbuilt search; knobs go in constructor arguments.
    example_search() = default;

    /// Copies the points (rows, T = float or double) into the policy's own storage, so the
    /// view may die afterwards. Called once per search on a copy of the configured instance.
    template <class T>
    void build(const activation_view<const T>& points) {
        detail::point_copy c = detail::copy_points(points, "mi::example_search::build");
        n_ = c.n;
        d_ = c.d;
        rows_.assign(c.rows.begin(), c.rows.end());
        std::vector<std::uint32_t> order(n_);
        for (std::size_t i = 0; i < n_; ++i) order[i] = static_cast<std::uint32_t>(i);
        blocks_.assign(((n_ + detail::lanes - 1) / detail::lanes) * d_ * detail::lanes, 0.0);
        detail::write_blocks(rows_.data(), d_, order.data(), n_, blocks_.data());
    }

    /// The number of points built.
    std::size_t size() const noexcept { return n_; }

    /// The k nearest neighbours of every point, self excluded, ascending by distance, ties by
    /// the smaller index. 1 <= k < size(), else mi::error.
    neighbors knn(std::size_t k) const {
        detail::check_k(k, n_, "mi::example_search::knn");
        neighbors out;
        out.index = xt::xtensor<std::uint32_t, 2>::from_shape({n_, k});
        out.distance = xt::xtensor<double, 2>::from_shape({n_, k});
        for (std::size_t q = 0; q < n_; ++q) {
            detail::k_best best(out.distance.data() + q * k, out.index.data() + q * k, k);
            scan(q, [&](std::size_t j, double reduced) { best.offer(reduced, static_cast<std::uint32_t>(j)); });
        }
        for (auto& r : out.distance) r = Metric::to_distance(r);
        return out;
    }

    /// Every point's distance to its k-th nearest neighbour.
    std::vector<double> kth_distance(std::size_t k) const {
        const neighbors nb = knn(k);
        std::vector<double> r(n_);
        for (std::size_t i = 0; i < n_; ++i) r[i] = nb.distance(i, k - 1);
        return r;
    }

    /// For every point i: #{j != i : d(i, j) < radius[i]} (range::strict) or <= radius[i]
    /// (range::inclusive); one radius per point, else mi::error.
    std::vector<std::uint32_t> count_within(const std::vector<double>& radius, range cmp = range::strict) const {
        const std::vector<double> tau = detail::limits_of(radius, n_, cmp, "mi::example_search::count_within",
                                                          &detail::reduced_limit<Metric>);
        std::vector<std::uint32_t> out(n_, 0);
        for (std::size_t q = 0; q < n_; ++q)
            scan(q, [&](std::size_t, double reduced) { out[q] += reduced < tau[q] ? 1u : 0u; });
        return out;
    }

    /// The name, and the parameters (knobs) as key=value pairs for the estimator's parameters().
    static std::string name() { return std::string("example_search<") + Metric::name() + ">"; }
    static std::string parameters() { return "search=" + name(); }

private:
    // visit(j, reduced distance) for every point j != q, in index order
    template <class Visit>
    void scan(std::size_t q, Visit&& visit) const {
        const double* query[1] = {rows_.data() + q * d_};
        alignas(64) double lane[detail::lanes];
        for (std::size_t b = 0; b * detail::lanes < n_; ++b) {
            detail::dbatch acc[1];
            detail::block_reduced<Metric, 1>(blocks_.data() + b * d_ * detail::lanes, d_, query, acc);
            acc[0].store_unaligned(lane);
            for (std::size_t l = 0; l < detail::lanes; ++l) {
                const std::size_t j = b * detail::lanes + l;
                if (j < n_ && j != q) visit(j, lane[l]);
            }
        }
    }

    std::size_t n_ = 0, d_ = 0;
    std::vector<double> rows_;
    std::vector<double> blocks_;
};

}  // namespace mi

#endif
