// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cstddef>
#include <vector>

#include "mi/core/error.hpp"
#include "mi/core/samples.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_core_samples {

TEST_CASE("samples: labels, input ids, network input and replica groups stay aligned under subset") {
    const std::vector<double> x{0.0, 1.0, 2.0, 3.0, 4.0, 5.0};
    const mi::samples s = mi::samples(mi::labels(std::vector<int>{0, 0, 1, 1, 2, 2}),
                                      mi::input_ids(std::vector<int>{10, 10, 11, 11, 12, 12}))
                              .with_network_input(mi::activation_view<const double>(x.data(), 6, 1, 1))
                              .with_replicas(mi::replica_groups::consecutive(2));
    CHECK(s.size() == 6);
    CHECK(s.network_input().rows() == 6);
    const std::vector<std::size_t> rows{4, 5, 0, 1};
    const mi::samples h = s.subset(rows);
    REQUIRE(h.size() == 4);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        CHECK(h.labels()[i] == s.labels()[rows[i]]);
        CHECK(h.network_input().visit([i](const auto& v) { return v(i, 0); }) == x[rows[i]]);
    }
    CHECK(h.inputs()[0] == h.inputs()[1]);
    CHECK(h.inputs()[0] != h.inputs()[2]);
    CHECK(h.replicas().groups(4, "t") == std::vector<std::vector<std::size_t>>{{0, 1}, {2, 3}});
    // the original is unchanged: with_* return copies
    const mi::samples plain(mi::labels(std::vector<int>{0, 1}));
    CHECK(plain.network_input().empty());
    CHECK(plain.replicas().empty());
}

TEST_CASE("samples: what is attached must describe the same rows") {
    const mi::samples s(mi::labels(std::vector<int>{0, 1, 0}));
    const std::vector<double> x{0.0, 1.0};
    CHECK_THROWS_WITH_AS(s.with_network_input(mi::activation_view<const double>(x.data(), 2, 1, 1)),
                         doctest::Contains("network input rows = 2, expected the number of labelled samples, 3"), mi::error);
    CHECK_THROWS_WITH_AS(s.with_replicas(mi::replica_groups::consecutive(2)),
                         doctest::Contains("layer rows = 3, expected a multiple of 2"), mi::error);
    CHECK_THROWS_WITH_AS(s.with_replicas(mi::replica_groups(std::vector<int>{0, 0})),
                         doctest::Contains("replica group ids = 2, expected one per layer row, 3"), mi::error);
}

}  // namespace test_core_samples
