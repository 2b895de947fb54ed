// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <vector>

#include "mi/search/automatic.hpp"
#include "mi/search/brute_force.hpp"
#include "search/search_testing.hpp"

TEST_CASE("automatic picks a grid in low, a tree in middle and brute force in high dimension") {
    CHECK(mi::automatic<mi::max_norm>::prefers_grid(100, 1));
    CHECK(mi::automatic<mi::max_norm>::prefers_grid(100000, 4));
    CHECK_FALSE(mi::automatic<mi::max_norm>::prefers_grid(100000, 5));
    CHECK(mi::automatic<mi::max_norm>::prefers_tree(100, 1));
    CHECK(mi::automatic<mi::max_norm>::prefers_tree(100000, 6));
    CHECK_FALSE(mi::automatic<mi::max_norm>::prefers_tree(1000, 6));
    CHECK_FALSE(mi::automatic<mi::max_norm>::prefers_tree(100000, 24));
    const auto lo = mi_test::points(500, 2, false, 1);
    mi::automatic<mi::euclidean> a(mi::view(lo, 500, 2));
    CHECK(a.chosen() == "grid<euclidean>");
    const auto mid = mi_test::points(5000, 6, false, 3);
    mi::automatic<mi::euclidean> m(mi::view(mid, 5000, 6));
    CHECK(m.chosen() == "kd_tree<euclidean>");
    const auto hi = mi_test::points(500, 12, false, 2);
    mi::automatic<mi::euclidean> b(mi::view(hi, 500, 12));
    CHECK(b.chosen() == "brute_force<euclidean>");
}

TEST_CASE("automatic drops the grid for a kd_tree when duplicates crowd one cell") {
    // a dead unit without jitter: 70% of the rows are the same point
    auto x = mi_test::points(1000, 2, false, 4);
    for (std::size_t i = 0; i < 700; ++i) x[2 * i] = x[2 * i + 1] = 0.0;
    const mi::automatic<mi::max_norm> a(mi::view(x, 1000, 2));
    CHECK(a.chosen() == "kd_tree<max_norm>");
    const mi::brute_force<mi::max_norm> b(mi::view(x, 1000, 2));
    CHECK(a.knn(4).index == b.knn(4).index);
}

TEST_CASE_TEMPLATE("automatic returns what brute_force returns", Metric, mi::max_norm, mi::euclidean) {
    for (std::size_t d : {1, 3, 12}) {
        const auto x = mi_test::points(700, d, true, d);
        const mi::automatic<Metric> a(mi::view(x, 700, d));
        const mi::brute_force<Metric> b(mi::view(x, 700, d));
        const auto na = a.knn(3), nb = b.knn(3);
        CHECK(na.index == nb.index);
        CHECK(na.distance == nb.distance);
        const auto r = b.kth_distance(3);
        CHECK(a.count_within(r, mi::range::strict) == b.count_within(r, mi::range::strict));
        CHECK(a.size() == 700);
        CHECK(a.dims() == d);
    }
}
