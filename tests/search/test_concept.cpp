// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/special.hpp"
#include "mi/search/automatic.hpp"
#include "mi/search/brute_force.hpp"
#include "mi/search/concept.hpp"
#include "mi/search/example_search.hpp"
#include "mi/search/grid.hpp"
#include "mi/search/kd_tree.hpp"
#include "mi/search/metric.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_search_concept {

namespace {

// A search with every member but the range count (KSG needs it).
struct no_count_within {
    using metric_type = mi::max_norm;
    template <class T>
    void build(const mi::activation_view<const T>&) {}
    std::size_t size() const { return 0; }
    mi::neighbors knn(std::size_t) const { return {}; }
    std::vector<double> kth_distance(std::size_t) const { return {}; }
    std::string name() const { return "no_count_within"; }
    std::string parameters() const { return ""; }
};
// A Euclidean metric that does not say its unit-ball volume (kl_entropy needs it).
struct no_volume {
    static const char* name() { return "no_volume"; }
    static std::string parameters() { return ""; }
    template <class V>
    static V accumulate(const V& acc, const V& t) { return acc + t * t; }
    static double to_distance(double r) { return r; }
    static double combine_bound(double acc, double gap) { return acc + gap * gap; }
    static constexpr bool exact_bounds = false;
};

}  // namespace

TEST_CASE_TEMPLATE("every search policy of mi models the concept, for both metrics", Metric, mi::max_norm,
                   mi::euclidean) {
    CHECK(mi::is_metric_v<Metric>);
    CHECK(mi::is_search_v<mi::brute_force<Metric>>);
    CHECK(mi::is_search_v<mi::kd_tree<Metric>>);
    CHECK(mi::is_search_v<mi::grid<Metric>>);
    CHECK(mi::is_search_v<mi::automatic<Metric>>);
    CHECK(mi::is_search_v<mi::example_search<Metric>>);
    CHECK(Metric::parameters() == std::string("metric=") + Metric::name());
}

TEST_CASE("a type missing one requirement is not a search policy or a metric") {
    CHECK_FALSE(mi::is_search_v<no_count_within>);
    CHECK_FALSE(mi::is_search_v<mi::max_norm>);
    CHECK_FALSE(mi::is_search_v<int>);
    CHECK_FALSE(mi::is_metric_v<no_volume>);
    CHECK_FALSE(mi::is_metric_v<mi::kd_tree<mi::max_norm>>);
}

TEST_CASE("unit-ball volumes: 2^d for the max-norm, pi^(d/2) / Gamma(d/2 + 1) for the Euclidean norm") {
    for (std::size_t d = 1; d <= 12; ++d) {
        CAPTURE(d);
        CHECK(mi::max_norm::log_unit_ball_volume(d) == doctest::Approx(static_cast<double>(d) * std::log(2.0)).epsilon(1e-15));
        CHECK(mi::euclidean::log_unit_ball_volume(d) ==
              doctest::Approx(0.5 * static_cast<double>(d) * std::log(mi::pi) - std::lgamma(0.5 * static_cast<double>(d) + 1.0))
                  .epsilon(1e-13));
    }
    CHECK(mi::euclidean::log_unit_ball_volume(2) == doctest::Approx(std::log(mi::pi)).epsilon(1e-15));
}

TEST_CASE("search parameters: the name, and the knobs that were chosen") {
    CHECK(mi::brute_force<mi::max_norm>::parameters() == "search=brute_force<max_norm>");
    CHECK(mi::kd_tree<mi::euclidean>().parameters() == "search=kd_tree<euclidean>");
    CHECK(mi::kd_tree<mi::euclidean>(32).parameters() == "search=kd_tree<euclidean>;leaf_size=32");
    CHECK(mi::grid<mi::max_norm>().parameters() == "search=grid<max_norm>");
    CHECK(mi::grid<mi::max_norm>(8.0).parameters() == "search=grid<max_norm>;occupancy=8");
    CHECK(mi::automatic<mi::max_norm>().parameters() == "search=automatic<max_norm>");
    CHECK(mi::automatic<mi::euclidean>(mi::kd_tree<mi::euclidean>(4), mi::grid<mi::euclidean>(3.0)).parameters() ==
          "search=automatic<euclidean>;leaf_size=4;occupancy=3");
}

#if defined(__cpp_concepts) && __cpp_concepts >= 201907L
static_assert(mi::search_policy<mi::kd_tree<mi::max_norm>> && mi::metric_policy<mi::euclidean> &&
                  !mi::search_policy<no_count_within>,
              "the C++20 concepts are the traits");
#endif

}  // namespace test_search_concept
