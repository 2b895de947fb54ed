// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <vector>

#include "mi/search/automatic.hpp"
#include "mi/search/brute_force.hpp"
#include "search/search_testing.hpp"

TEST_CASE("automatic picks a tree in low dimension and brute force in high dimension") {
    CHECK(mi::automatic<mi::max_norm>::prefers_tree(100, 1));
    CHECK(mi::automatic<mi::max_norm>::prefers_tree(100000, 6));
    CHECK_FALSE(mi::automatic<mi::max_norm>::prefers_tree(1000, 6));
    CHECK_FALSE(mi::automatic<mi::max_norm>::prefers_tree(100000, 24));
    const auto lo = mi_test::points(500, 2, false, 1);
    mi::automatic<mi::euclidean> a(mi::view(lo, 500, 2));
    CHECK(a.chosen() == "kd_tree<euclidean>");
    const auto hi = mi_test::points(500, 12, false, 2);
    mi::automatic<mi::euclidean> b(mi::view(hi, 500, 12));
    CHECK(b.chosen() == "brute_force<euclidean>");
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
