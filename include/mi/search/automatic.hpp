// SPDX-License-Identifier: BSD-3-Clause
// automatic<Metric>: the search policy used when the user does not choose.
// It builds a kd_tree when the tree can prune and brute_force when it cannot.
// A kd-tree with median splits cuts each of the first log2(N / leaf) levels
// once, so in d dimensions it only separates neighbourhoods when N is large
// compared with 2^d; beyond that every query visits most leaves and the
// blocked SIMD scan of brute_force is faster. The rule below was measured on
// Gaussian data with bench/bench_knn.cpp (see bench/knn.md): kd_tree when
// d <= 3, or when d <= 1 + log2(N) / 2 and N >= 2048; brute_force otherwise.
// Both give identical results, so the choice only changes the speed.
//
// Thread safety and ownership: as the chosen policy (immutable once built,
// const queries from several threads, points copied).
#ifndef MI_SEARCH_AUTOMATIC_HPP
#define MI_SEARCH_AUTOMATIC_HPP

#include <cmath>
#include <cstddef>
#include <string>
#include <variant>
#include <vector>

#include "mi/search/brute_force.hpp"
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

    /// True when automatic builds a kd_tree for n points in d dimensions.
    static bool prefers_tree(std::size_t n, std::size_t d) noexcept {
        if (d <= 3) return true;
        if (n < 2048) return false;
        return static_cast<double>(d) <= 1.0 + 0.5 * std::log2(static_cast<double>(n));
    }

    static std::string name() { return std::string("automatic<") + Metric::name() + ">"; }
    /// The name of the policy chosen by the last build.
    std::string chosen() const {
        return std::holds_alternative<kd_tree<Metric>>(impl_) ? kd_tree<Metric>::name() : brute_force<Metric>::name();
    }

    template <class T>
    void build(const activation_view<const T>& points) {
        if (prefers_tree(points.rows(), points.cols())) {
            impl_.template emplace<kd_tree<Metric>>();
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
    std::vector<std::uint32_t> count_within(const std::vector<double>& radius, range cmp = range::strict) const {
        return std::visit([&](const auto& s) { return s.count_within(radius, cmp); }, impl_);
    }

private:
    std::variant<brute_force<Metric>, kd_tree<Metric>> impl_;
};

}  // namespace mi

#endif
