// SPDX-License-Identifier: BSD-3-Clause
// The exemplar search policy meets the contract of every search policy (exactly
// brute_force's answers, per metric, with ties and duplicates) and works in
// both k-nearest-neighbour estimators.
#include <doctest/doctest.h>

#include <cstddef>
#include <vector>

#include "mi/core/error.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/samples.hpp"
#include "mi/estimators/kl_entropy.hpp"
#include "mi/estimators/ksg.hpp"
#include "mi/search/brute_force.hpp"
#include "mi/search/concept.hpp"
#include "mi/search/example_search.hpp"
#include "search/search_testing.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_search_example_search {

static_assert(mi::is_search_v<mi::example_search<mi::max_norm>>, "the exemplar is a search policy");
static_assert(mi::is_search_v<mi::example_search<mi::euclidean>>, "the exemplar is a search policy");

TEST_CASE_TEMPLATE("example_search equals brute_force exactly", Metric, mi::max_norm, mi::euclidean) {
    for (const std::size_t d : {1, 3, 6})
        for (const bool ties : {false, true}) {
            CAPTURE(d);
            CAPTURE(ties);
            const std::size_t n = 150, k = 4;
            const auto x = mi_test::points(n, d, ties, 11 * d + (ties ? 1 : 0));
            const mi::brute_force<Metric> bf(mi::view(x, n, d));
            mi::example_search<Metric> ex;
            ex.build(mi::view(x, n, d));
            CHECK(ex.size() == n);
            const auto a = bf.knn(k), b = ex.knn(k);
            REQUIRE(a.index == b.index);
            REQUIRE(a.distance == b.distance);
            CHECK(ex.kth_distance(k) == bf.kth_distance(k));
            std::vector<double> r(n);
            for (std::size_t i = 0; i < n; ++i) r[i] = a.distance(i, k - 1);
            for (const auto cmp : {mi::range::strict, mi::range::inclusive})
                CHECK(ex.count_within(r, cmp) == bf.count_within(r, cmp));
        }
    mi::example_search<Metric> ex;
    const auto x = mi_test::points(10, 2, false, 1);
    ex.build(mi::view(x, 10, 2));
    CHECK_THROWS_WITH_AS(ex.knn(10), doctest::Contains("k = 10"), mi::error);
    CHECK_THROWS_WITH_AS(ex.count_within(std::vector<double>(3, 1.0)), doctest::Contains("radius size = 3"), mi::error);
}

TEST_CASE("example_search in kl_entropy and ksg: brute_force's numbers") {
    const std::size_t n = 300;
    const auto x = mi_test::points(n, 2, false, 5), t = mi_test::points(n, 2, false, 6);
    const mi::kl_entropy e(mi::example_search<mi::euclidean>(), 2);
    CHECK(e.entropy(mi::view(x, n, 2)) == mi::kl_entropy<mi::brute_force<mi::euclidean>>(2).entropy(mi::view(x, n, 2)));
    CHECK(e.parameters() == "k=2;epsilon=0;ties=jitter;jitter=1e-10;seed=0;search=example_search<euclidean>");
    mi::ksg_options o;
    o.k = 3;
    o.algorithm = 2;
    const mi::ksg<mi::example_search<>> k(o);
    CHECK(k.mutual_information(mi::view(x, n, 2), mi::view(t, n, 2)) ==
          mi::ksg<mi::brute_force<>>(o).mutual_information(mi::view(x, n, 2), mi::view(t, n, 2)));
    std::vector<int> y(n);
    for (std::size_t i = 0; i < n; ++i) y[i] = static_cast<int>(i % 2);
    CHECK(k.mutual_information(mi::view(t, n, 2), mi::labels(y, 2)) ==
          mi::ksg<mi::brute_force<>>(o).mutual_information(mi::view(t, n, 2), mi::labels(y, 2)));
}

}  // namespace test_search_example_search
