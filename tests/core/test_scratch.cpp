// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <new>
#include <vector>

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

TEST_CASE("page_friendly_allocator: 64-byte lines below 4 MiB, 2 MiB pages from 4 MiB, every byte writable") {
    mi::detail::page_friendly_allocator<double> alloc;
    const std::size_t mib = std::size_t(1) << 20;
    for (const std::size_t n : {std::size_t(0), std::size_t(1), std::size_t(9), 4 * mib / 8 - 1, 4 * mib / 8,
                                9 * mib / 8 + 3}) {
        CAPTURE(n);
        double* p = alloc.allocate(n);
        REQUIRE(p != nullptr);  // also for 0 elements: a block a container may hand back
        const std::uintptr_t align = n * sizeof(double) >= 4 * mib ? 2 * mib : 64;
        CHECK(reinterpret_cast<std::uintptr_t>(p) % align == 0);
        for (std::size_t i = 0; i < n; ++i) p[i] = double(i);
        double sum = 0;
        for (std::size_t i = 0; i < n; ++i) sum += p[i];
        CHECK(sum == double(n) * double(n == 0 ? 0 : n - 1) / 2);
        alloc.deallocate(p, n);
    }
    CHECK_THROWS_AS(alloc.allocate(~std::size_t(0) / 4), std::bad_alloc);
    CHECK_THROWS_AS(alloc.allocate(~std::size_t(0) / 8 - 1), std::bad_alloc);
    // A standard container over it.
    std::vector<double, mi::detail::page_friendly_allocator<double>> v(5 * mib / 8, 1.5);
    CHECK(reinterpret_cast<std::uintptr_t>(v.data()) % (2 * mib) == 0);
    CHECK(std::count(v.begin(), v.end(), 1.5) == std::ptrdiff_t(v.size()));
}

TEST_CASE("block_cache: a freed block serves the next request of at least half its size") {
    using mi::detail::block_cache;
    using mi::detail::cached_vector;
    block_cache::trim();
    CHECK(block_cache::blocks_kept() == 0);
    const double* first = nullptr;
    {
        cached_vector<double> a(100000, 1.0);  // 800 kB
        first = a.data();
        CHECK(reinterpret_cast<std::uintptr_t>(first) % 64 == 0);
    }
    CHECK(block_cache::blocks_kept() == 1);
    {
        // value-initialised although the block held ones: a reused block's old contents never show
        cached_vector<double> b(60000);
        CHECK(b.data() == first);
        CHECK(std::all_of(b.begin(), b.end(), [](double v) { return v == 0.0; }));
        CHECK(block_cache::blocks_kept() == 0);
        // a request below half of every kept block's size is a new allocation
        cached_vector<double> c(10000);
        CHECK(c.data() != first);
    }
    // blocks under 64 KiB are not kept
    const std::size_t bytes = block_cache::bytes_kept();
    { cached_vector<char> small(1000); }
    CHECK(block_cache::bytes_kept() == bytes);
}

TEST_CASE("block_cache: at most 16 blocks and 64 MiB are kept") {
    using mi::detail::block_cache;
    {
        std::vector<mi::detail::cached_vector<char>> many;
        for (std::size_t i = 0; i < 40; ++i) many.emplace_back(std::size_t(3) << 20);  // 3 MiB each
    }
    CHECK(block_cache::blocks_kept() == 16);  // 16 blocks of 3 MiB (and a header each): 48 MiB fit
    CHECK(block_cache::bytes_kept() <= (std::size_t(64) << 20));
    { mi::detail::cached_vector<char> huge(std::size_t(20) << 20); }  // above 16 MiB: freed, not kept
    CHECK(block_cache::blocks_kept() == 16);
    block_cache::trim();
    CHECK(block_cache::bytes_kept() == 0);
}

}  // namespace test_core_scratch
