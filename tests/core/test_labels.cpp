// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "mi/core/labels.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_core_labels {

TEST_CASE("labels count classes and group rows") {
    mi::labels y(std::vector<int>{0, 2, 2, 1, 0}, 4);
    CHECK(y.size() == 5);
    CHECK(y.classes() == 4);
    CHECK(y.counts() == std::vector<std::size_t>{2, 1, 2, 0});
    const auto rows = y.rows_by_class();
    CHECK(rows[2] == std::vector<std::size_t>{1, 2});
    CHECK(mi::labels(std::vector<int>{1, 0, 3}).classes() == 4);
    const auto s = y.subset({4, 4, 1});
    CHECK(s.ids() == std::vector<std::uint32_t>{0, 0, 2});
    CHECK(s.classes() == 4);
}

TEST_CASE("labels outside 0..C-1 are refused with the index and value") {
    try {
        mi::labels y(std::vector<int>{0, 1, 5}, 3);
        FAIL("no throw");
    } catch (const mi::error& e) {
        const std::string m = e.what();
        CHECK(m.find("labels[2] = 5") != std::string::npos);
        CHECK(m.find("0..2") != std::string::npos);
    }
    CHECK_THROWS_AS(mi::labels(std::vector<int>{0, -1}), mi::error);
    CHECK_THROWS_AS(mi::labels(std::vector<int>{0}, 0), mi::error);
}

TEST_CASE("labels from one-hot rows take the arg max") {
    std::vector<float> oh{0, 1, 1, 0, 0, 1};
    auto y = mi::labels::from_one_hot(mi::view(oh, 3, 2));
    CHECK(y.ids() == std::vector<std::uint32_t>{1, 0, 1});
    CHECK(y.classes() == 2);
}

// Issue 15: float ids were truncated (0.4 -> 0, 1.9 -> 1), a NaN id was undefined behaviour and
// ids >= 2^32 wrapped to 0; whole numbers in floating point are legitimate ids (numpy arrays).
TEST_CASE("labels from floating-point ids: whole numbers accepted, anything else refused") {
    const mi::labels y(std::vector<double>{0.0, 1.0, 2.0, 1.0});
    CHECK(y.ids() == std::vector<std::uint32_t>{0, 1, 2, 1});
    CHECK(y.classes() == 3);
    CHECK_THROWS_WITH_AS(mi::labels(std::vector<double>{0.0, 0.4}), doctest::Contains("labels[1] = 0.4"), mi::error);
    CHECK_THROWS_WITH_AS(mi::labels(std::vector<float>{1.9f}, 3), doctest::Contains("whole number"), mi::error);
    CHECK_THROWS_WITH_AS(mi::labels(std::vector<double>{0.0, std::nan("")}), doctest::Contains("labels[1] = nan"),
                         mi::error);
    CHECK_THROWS_AS(mi::labels(std::vector<double>{INFINITY}), mi::error);
    CHECK_THROWS_AS(mi::labels(std::vector<double>{-1.0}), mi::error);
}

TEST_CASE("labels: ids beyond 32 bits and absurd class counts are refused, not wrapped") {
    CHECK_THROWS_WITH_AS(mi::labels(std::vector<std::uint64_t>{0, std::uint64_t(1) << 32}),
                         doctest::Contains("labels[1] = 4294967296"), mi::error);
    CHECK_THROWS_AS(mi::labels(std::vector<long long>{0, 1}, std::size_t(1) << 40), mi::error);
    CHECK_THROWS_AS(mi::labels(std::vector<std::uint64_t>{0, 1}, ~std::size_t(0)), mi::error);
    CHECK(mi::labels(std::vector<std::uint8_t>{0, 255}).classes() == 256);
}

}  // namespace test_core_labels
