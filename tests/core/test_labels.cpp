// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "mi/core/labels.hpp"

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
