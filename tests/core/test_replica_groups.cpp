// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cstddef>
#include <vector>

#include "mi/core/error.hpp"
#include "mi/core/replica_groups.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_core_replica_groups {

using rows_t = std::vector<std::vector<std::size_t>>;

TEST_CASE("replica_groups: consecutive groups of R rows") {
    const auto g = mi::replica_groups::consecutive(3);
    CHECK_FALSE(g.empty());
    CHECK(g.groups(6, "t") == rows_t{{0, 1, 2}, {3, 4, 5}});
    CHECK_THROWS_WITH_AS(g.groups(7, "mi::t"), doctest::Contains("mi::t: layer rows = 7, expected a multiple of 3"),
                         mi::error);
    CHECK_THROWS_WITH_AS(mi::replica_groups::consecutive(0), doctest::Contains("replicas = 0, expected >= 1"), mi::error);
}

TEST_CASE("replica_groups: per-row draw ids, renumbered in order of first appearance") {
    const mi::replica_groups g(std::vector<int>{7, 3, 7, 3, 9, 9});
    CHECK(g.groups(6, "t") == rows_t{{0, 2}, {1, 3}, {4, 5}});
    CHECK_THROWS_WITH_AS(g.groups(5, "mi::t"), doctest::Contains("replica group ids = 6, expected one per layer row, 5"),
                         mi::error);
    CHECK_THROWS_WITH_AS(mi::replica_groups(std::vector<double>{0.0, 0.5}), doctest::Contains("ids[1] = 0.5"), mi::error);
    CHECK_THROWS_WITH_AS(mi::replica_groups(std::vector<int>{}), doctest::Contains("ids = an empty list"), mi::error);
}

TEST_CASE("replica_groups: a subset keeps each row's draw") {
    const auto g = mi::replica_groups::consecutive(2);
    // rows 4, 5 (draw 2) and 0, 1 (draw 0), as a half-sample keeps them
    const mi::replica_groups s = g.subset({4, 5, 0, 1});
    CHECK(s.groups(4, "t") == rows_t{{0, 1}, {2, 3}});
    const mi::replica_groups e(std::vector<int>{1, 2, 1, 2});
    CHECK(e.subset({1, 3, 0}).groups(3, "t") == rows_t{{0, 1}, {2}});
    CHECK_THROWS_WITH_AS(e.subset({4}), doctest::Contains("row = 4, expected < 4"), mi::error);
    CHECK(mi::replica_groups().subset({0, 1}).empty());
}

TEST_CASE("replica_groups: none given") {
    const mi::replica_groups none;
    CHECK(none.empty());
    CHECK_THROWS_WITH_AS(none.groups(4, "mi::t"), doctest::Contains("mi::t: samples.replicas() = none"), mi::error);
}

}  // namespace test_core_replica_groups
