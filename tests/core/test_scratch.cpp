// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cstdint>
#include <new>

#include "mi/core/scratch.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_core_scratch {

TEST_CASE("scratch_array: small and empty arrays") {
    mi::detail::scratch_array<std::uint64_t> none(0);
    CHECK(none.size() == 0);
    CHECK(none.data() == nullptr);
    mi::detail::scratch_array<int> small(10);
    CHECK(small.size() == 10);
    for (int i = 0; i < 10; ++i) small.data()[i] = i * i;
    CHECK(small.data()[9] == 81);
}

TEST_CASE("scratch_array: large arrays are 2 MiB aligned and fully writable") {
    const std::size_t n = (std::size_t(9) << 20) / sizeof(std::uint64_t) + 3;  // 9 MiB and a bit
    mi::detail::scratch_array<std::uint64_t> big(n);
    CHECK(reinterpret_cast<std::uintptr_t>(big.data()) % (std::uintptr_t(2) << 20) == 0);
    for (std::size_t i = 0; i < n; ++i) big.data()[i] = i;
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < n; ++i) sum += big.data()[i];
    CHECK(sum == std::uint64_t(n) * (n - 1) / 2);
}

TEST_CASE("scratch_array: an impossible size throws std::bad_alloc") {
    CHECK_THROWS_AS(mi::detail::scratch_array<std::uint64_t>(~std::size_t(0) / 4), std::bad_alloc);
}

}  // namespace test_core_scratch
