// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "mi/core/error.hpp"
#include "mi/quantizers/equal_mass.hpp"
#include "quantizers/common.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_quantizers_equal_mass {

TEST_CASE("equal_mass: edges at ranks ceil(k M / bins), worked by hand") {
    // M = 10 values, 3 bins: ranks ceil(10/3) = 4 and ceil(20/3) = 7.
    const std::vector<double> h{9, 0, 8, 1, 7, 2, 6, 3, 5, 4};
    const auto f = mi::equal_mass(3).fit(mi::view(h, 5, 2));
    CHECK(f.edges() == std::vector<double>{4.0, 7.0});
    std::vector<std::int32_t> c(10);
    f.encode(h.data(), 10, c.data());
    std::vector<int> count(3, 0);
    for (auto v : c) ++count[static_cast<std::size_t>(v)];
    CHECK(count == std::vector<int>{4, 3, 3});
    CHECK(mi::equal_mass(3).parameters() == "quantizer=equal_mass;bins=3");
}

TEST_CASE("equal_mass: equal counts on distinct data, ties share a bin") {
    std::vector<float> h;
    mi::rng r(71);
    for (int i = 0; i < 3000; ++i) h.push_back(static_cast<float>(r.normal()));
    const auto f = mi::equal_mass(30).fit(mi::view(h, 1000, 3));
    std::vector<std::int32_t> c(h.size());
    f.encode(h.data(), h.size(), c.data());
    std::vector<int> count(30, 0);
    for (auto v : c) ++count[static_cast<std::size_t>(v)];
    for (int k : count) CHECK(k == 100);
    mi_test::check_encode_matches_code(f, mi_test::stress_values<float>(f.edges(), -4, 4, 2000, 72));
    // Half the values are 0 (dead ReLUs): the edges at ranks in the zero block merge.
    std::vector<float> relu(1000, 0.0f);
    for (int i = 500; i < 1000; ++i) relu[static_cast<std::size_t>(i)] = static_cast<float>(i);
    const auto g = mi::equal_mass(10).fit(mi::view(relu));
    // Ranks 100..400 are all 0: four edges at 0 merge into one; ranks 500..900 give 500..900.
    CHECK(g.edges() == std::vector<double>{0.0, 500.0, 600.0, 700.0, 800.0, 900.0});
    CHECK(g.code(0.0) == 1);  // the whole zero block is in the bin whose edge is 0
    CHECK(g.code(499.0) == 1);
    CHECK(g.code(500.0) == 2);
}

TEST_CASE("equal_mass: more bins than values drops edges; bad input") {
    const std::vector<double> h{1.0, 2.0};
    const auto f = mi::equal_mass(5).fit(mi::view(h));
    CHECK(f.codes() <= 2 + 1);
    CHECK(f.code(1.0) != f.code(2.0));
    CHECK_THROWS_WITH_AS(mi::equal_mass(0), doctest::Contains("bins = 0"), mi::error);
    const std::vector<double> bad{1.0, NAN};
    CHECK_THROWS_WITH_AS(mi::equal_mass(3).fit(mi::view(bad)), doctest::Contains("layer(1, 0) = nan"), mi::error);
}

// Issue 15: equal_mass(2^40) ran for a minute and then threw std::bad_alloc.
TEST_CASE("equal_mass: bin counts beyond 2^24 are refused at once") {
    CHECK_THROWS_WITH_AS(mi::equal_mass(std::size_t(1) << 40), doctest::Contains("bins = 1099511627776"), mi::error);
}

}  // namespace test_quantizers_equal_mass
