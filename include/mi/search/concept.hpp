// SPDX-License-Identifier: BSD-3-Clause
// The metric and neighbour-search policy concepts: exactly the members the
// k-nearest-neighbour estimators (kl_entropy, ksg) and the search policies
// use, as traits (C++17) and, where the compiler has them, C++20 concepts.
//
// Metric M (max_norm, euclidean). All static; "reduced" is the quantity the
// SIMD kernel accumulates (max |t_j| or sum t_j^2), cheaper than the distance:
//
//   std::string M::name(), M::parameters()            e.g. "euclidean", "metric=euclidean"
//   double M::accumulate(double acc, double t)        fold a coordinate difference t into acc
//   B      M::accumulate(const B& acc, const B& t)    the same on xsimd double batches, in the
//                                                     same arithmetic (searches must agree exactly)
//   double M::to_distance(double reduced)             the distance of a reduced distance
//   double M::combine_bound(double acc, double gap)   fold a per-dimension box gap (tree / grid pruning)
//   bool   M::exact_bounds                            true: box bounds need no rounding slack
//                                                     (max-norm); false: Euclidean, widened by a few ulps
//   double M::log_unit_ball_volume(std::size_t d)     log c_d, c_d the volume of the unit ball:
//                                                     the Kozachenko-Leonenko constant
//
// Every metric whose exact_bounds is false is taken to be Euclidean-like by
// detail::reduced_limit and grid's per-dimension reach (a square root); a new
// metric of that kind has to say how a distance maps back to its reduced form
// there as well. A max-like metric (exact bounds) needs nothing else.
//
// Search policy S (brute_force, kd_tree, grid, automatic, example_search): a
// value type, copied by the estimators from the configured instance they hold
// (so its knobs, e.g. kd_tree's leaf size, reach every search they build):
//
//   typename S::metric_type                                   a metric (above)
//   S(const S&), S()                                          copyable, default-constructible
//   void S::build(const activation_view<const T>& points)     T = float and double; copies the points
//   std::size_t S::size() const
//   neighbors S::knn(std::size_t k) const                     k nearest of every point, self excluded,
//                                                             ascending, ties by the smaller index
//   std::vector<double> S::kth_distance(std::size_t k) const  the last column of knn(k)
//   std::vector<std::uint32_t> S::count_within(const std::vector<double>& radius, range) const
//                                                             #{j != i : d(i, j) < r_i} (strict) or <= r_i
//   std::string S::name() const, S::parameters() const        "kd_tree<euclidean>", "search=kd_tree<euclidean>"
//
// Results must be identical to brute_force<metric_type> (KSG turns a one-ulp
// difference at a tie into another count), which tests/search/ checks for
// every policy; mi/search/example_search.hpp is a documented minimal policy.
#ifndef MI_SEARCH_CONCEPT_HPP
#define MI_SEARCH_CONCEPT_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/policy.hpp"
#include "mi/search/metric.hpp"

/// The requirements in one line each, for the estimators' static_assert messages.
#define MI_METRIC_REQUIREMENTS                                                                             \
    "it needs static name(), parameters(), accumulate(double, double) and on xsimd double batches, "      \
    "to_distance(double), combine_bound(double, double), constexpr bool exact_bounds and "                \
    "log_unit_ball_volume(std::size_t)"
#define MI_SEARCH_REQUIREMENTS                                                                             \
    "it needs a metric_type (see is_metric_v), copy and default construction, build(activation_view<const " \
    "T>) for T = float and double, size(), knn(k) -> mi::neighbors, kth_distance(k) -> "                   \
    "std::vector<double>, count_within(std::vector<double>, mi::range) -> std::vector<std::uint32_t>, "    \
    "name() and parameters()"

namespace mi {

namespace detail {

template <class M, class = void>
struct is_metric : std::false_type {};
template <class M>
struct is_metric<
    M, std::void_t<decltype(std::string(M::name())), decltype(std::string(M::parameters())),
                   decltype(M::exact_bounds), decltype(M::accumulate(0.0, 0.0)),
                   decltype(M::accumulate(std::declval<const dbatch&>(), std::declval<const dbatch&>())),
                   decltype(M::to_distance(0.0)), decltype(M::combine_bound(0.0, 0.0)),
                   decltype(M::log_unit_ball_volume(std::size_t(1)))>>
    : std::bool_constant<
          std::is_same_v<decltype(M::accumulate(0.0, 0.0)), double> &&
          std::is_same_v<decltype(M::accumulate(std::declval<const dbatch&>(), std::declval<const dbatch&>())),
                         dbatch> &&
          std::is_same_v<decltype(M::to_distance(0.0)), double> &&
          std::is_same_v<decltype(M::combine_bound(0.0, 0.0)), double> &&
          std::is_convertible_v<decltype(M::exact_bounds), bool> &&
          std::is_same_v<decltype(M::log_unit_ball_volume(std::size_t(1))), double>> {};

template <class S, class T, class = void>
struct builds_from : std::false_type {};
template <class S, class T>
struct builds_from<S, T, std::void_t<decltype(std::declval<S&>().build(std::declval<const activation_view<const T>&>()))>>
    : std::true_type {};

template <class S, class = void>
struct search_queries : std::false_type {};
template <class S>
struct search_queries<
    S, std::void_t<typename S::metric_type, decltype(std::declval<const S&>().size()),
                   decltype(std::declval<const S&>().knn(std::size_t(1))),
                   decltype(std::declval<const S&>().kth_distance(std::size_t(1))),
                   decltype(std::declval<const S&>().count_within(std::declval<const std::vector<double>&>(),
                                                                   range::strict))>>
    : std::bool_constant<
          std::is_same_v<decltype(std::declval<const S&>().knn(std::size_t(1))), neighbors> &&
          std::is_same_v<decltype(std::declval<const S&>().kth_distance(std::size_t(1))), std::vector<double>> &&
          std::is_same_v<decltype(std::declval<const S&>().count_within(std::declval<const std::vector<double>&>(),
                                                                         range::strict)),
                         std::vector<std::uint32_t>> &&
          is_metric<typename S::metric_type>::value> {};

}  // namespace detail

/// True when M is a metric policy (see the list at the top of this header).
template <class M>
inline constexpr bool is_metric_v = detail::is_metric<M>::value;

/// True when S is a neighbour-search policy (see the list at the top of this header).
template <class S>
inline constexpr bool is_search_v = detail::search_queries<S>::value && detail::builds_from<S, float>::value &&
                                    detail::builds_from<S, double>::value &&
                                    detail::has_name_and_parameters<S>::value &&
                                    std::is_copy_constructible_v<S> && std::is_default_constructible_v<S>;

#if defined(__cpp_concepts) && __cpp_concepts >= 201907L
template <class M>
concept metric_policy = is_metric_v<M>;
template <class S>
concept search_policy = is_search_v<S>;
#endif

namespace detail {
/// An integer that can be a neighbour count k: the estimators' one-number constructors take it,
/// and refuse bool, so that a leftover positional flag does not become k = 1.
template <class Int>
inline constexpr bool is_count_v = std::is_integral_v<Int> && !std::is_same_v<Int, bool>;

/// k as a neighbour count (>= 1), or mi::error from `where` naming it.
template <class Int>
std::size_t neighbour_count(Int k, const char* where) {
    if (k < Int(1)) fail(where, "k", k, ">= 1");
    return static_cast<std::size_t>(k);
}
}  // namespace detail

}  // namespace mi

#endif
