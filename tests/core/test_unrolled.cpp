// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <vector>

#include "mi/core/unrolled.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_core_unrolled {

TEST_CASE("unrolled<Q> calls f with the constants 0 .. Q-1, in order") {
    std::vector<std::size_t> seen;
    mi::detail::unrolled<5>([&](auto a) {
        // the index is a compile-time constant: it can size an array
        std::array<int, decltype(a)::value + 1> sized{};
        CHECK(sized.size() == a + 1);
        seen.push_back(a);
    });
    CHECK(seen == std::vector<std::size_t>{0, 1, 2, 3, 4});

    int calls = 0;
    mi::detail::unrolled<0>([&](auto) { ++calls; });
    CHECK(calls == 0);
}

}  // namespace test_core_unrolled
