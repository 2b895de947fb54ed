// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <vector>

#include "mi/core/input_ids.hpp"
#include "mi/core/samples.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_core_input_ids {

TEST_CASE("default input ids: every row distinct") {
    mi::input_ids x;
    CHECK(x.all_distinct());
    CHECK(x[7] == 7u);
    CHECK(x.distinct_count(10) == 10);
    CHECK_NOTHROW(x.check_rows(123, "t"));
}

TEST_CASE("explicit ids are renumbered and subsets keep identity") {
    mi::input_ids x(std::vector<int>{40, 7, 40, 9});
    CHECK_FALSE(x.all_distinct());
    CHECK(x[0] == 0u);
    CHECK(x[1] == 1u);
    CHECK(x[2] == 0u);
    CHECK(x.distinct_count(4) == 3);
    CHECK_THROWS_AS(x.check_rows(5, "t"), mi::error);

    mi::input_ids d;
    auto boot = d.subset({3, 1, 3});
    CHECK(boot[0] == boot[2]);
    CHECK(boot[0] != boot[1]);
    CHECK(boot.distinct_count(3) == 2);
}

TEST_CASE("ids from identical rows") {
    std::vector<double> rows{1, 2, 3, 4, 1, 2, -0.0, 4, 0.0, 4};
    auto x = mi::input_ids::from_rows(mi::view(rows, 5, 2));
    CHECK(x[0] == x[2]);
    CHECK(x[1] != x[0]);
    CHECK(x[3] == x[4]);  // -0 and +0 are the same input
    CHECK(x.distinct_count(5) == 3);
}

TEST_CASE("samples tie labels and inputs to the same rows") {
    mi::samples s(mi::labels(std::vector<int>{0, 1, 1}));
    CHECK(s.size() == 3);
    CHECK_THROWS_AS(s.check_rows(4, "t"), mi::error);
    CHECK_THROWS_AS(mi::samples(mi::labels(std::vector<int>{0, 1}), mi::input_ids(std::vector<int>{1, 2, 3})),
                    mi::error);
    auto b = s.subset({2, 2, 0});
    CHECK(b.labels().ids() == std::vector<std::uint32_t>{1, 1, 0});
    CHECK(b.inputs()[0] == b.inputs()[1]);
}

// Issue 15: {0.1, 0.2, 0.3} became one input (all truncated to 0).
TEST_CASE("input ids from floating point: whole numbers (negative too) accepted, fractions refused") {
    const mi::input_ids x(std::vector<double>{3.0, -1.0, 3.0, 7.0});
    CHECK(x.distinct_count(4) == 3);
    CHECK(x[0] == x[2]);
    CHECK(x[1] != x[0]);
    CHECK_THROWS_WITH_AS(mi::input_ids(std::vector<double>{0.1, 0.2, 0.3}), doctest::Contains("ids[0] = 0.1"),
                         mi::error);
    CHECK_THROWS_AS(mi::input_ids(std::vector<float>{std::nanf("")}), mi::error);
    const mi::input_ids big(std::vector<long long>{-5, 5, -5, (1LL << 40)});
    CHECK(big.distinct_count(4) == 3);
    CHECK(big[0] == big[2]);
}

}  // namespace test_core_input_ids
