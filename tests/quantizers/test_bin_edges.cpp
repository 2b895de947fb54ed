// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "mi/core/error.hpp"
#include "mi/quantizers/bin_edges.hpp"
#include "quantizers/common.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_quantizers_bin_edges {

TEST_CASE("bin_edges: count of edges <= x, nothing wraps, worked by hand") {
    const mi::bin_edges q({-1.0, 0.0, 2.0});
    const std::vector<float> none;
    const auto f = q.fit(mi::view(none, 0, 1));
    CHECK(f.code(-5.0) == 0);  // below the first edge
    CHECK(f.code(-1.0) == 1);
    CHECK(f.code(1.0) == 2);
    CHECK(f.code(2.0) == 3);   // at or above the last edge
    CHECK(f.code(1e9) == 3);
    CHECK(q.parameters() == "quantizer=bin_edges;count=3;first=-1;last=2");
    CHECK(q.name() == "bin_edges");
}

TEST_CASE("bin_edges: tanh(linspace(-50, 50, N)) with saturated, repeated edges") {
    std::vector<double> e;
    const int n = 201;
    for (int i = 0; i < n; ++i) e.push_back(std::tanh(-50.0 + 100.0 * i / (n - 1)));
    const mi::bin_edges q(e);
    const auto f = q.fitted<float>();
    CHECK(f.edges().size() < e.size());  // +-1.0 repeat and merge
    CHECK(f.edges().front() == -1.0);
    CHECK(f.edges().back() == 1.0);
    mi_test::check_encode_matches_code(f, mi_test::stress_values<float>(f.edges(), -1.01, 1.01, 4000, 61));
    const auto fd = q.fitted<double>();
    mi_test::check_encode_matches_code(fd, mi_test::stress_values<double>(fd.edges(), -1.01, 1.01, 4000, 62));
    // boundaries: every distinct edge inside the interval.
    CHECK(f.boundaries(-2, 2).size() == f.edges().size());
}

TEST_CASE("bin_edges: bad edges name the argument") {
    CHECK_THROWS_WITH_AS(mi::bin_edges(std::vector<double>{}), doctest::Contains("edges = {}"), mi::error);
    CHECK_THROWS_WITH_AS(mi::bin_edges({0.0, 1.0, 0.5}), doctest::Contains("edges[2] = 0.5"), mi::error);
    CHECK_THROWS_WITH_AS(mi::bin_edges({0.0, INFINITY}), doctest::Contains("edges[1] = inf"), mi::error);
    CHECK_THROWS_WITH_AS(mi::bin_edges({NAN}), doctest::Contains("edges[0] = nan"), mi::error);
}

}  // namespace test_quantizers_bin_edges
