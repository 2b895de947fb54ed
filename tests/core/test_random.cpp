// SPDX-License-Identifier: BSD-3-Clause
#include "mi/core/random.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <utility>
#include <vector>

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_core_random {

TEST_CASE("mul_64x64: the portable form gives the same 128 bits as the compiler's or MSVC's") {
    const std::uint64_t top = ~std::uint64_t(0);
    std::vector<std::pair<std::uint64_t, std::uint64_t>> pairs = {
        {0, 0}, {0, top}, {1, top}, {top, top}, {top, 2}, {0xFFFFFFFFull, 0xFFFFFFFFull},
        {0x100000000ull, 0x100000000ull}, {0x8000000000000000ull, 2}, {0xFFFFFFFF00000000ull, 0xFFFFFFFFull}};
    mi::rng r(99);
    for (int i = 0; i < 100000; ++i) {
        // full-width, and with one factor cut to a few bits, where the carries differ
        const std::uint64_t a = r(), b = r();
        pairs.push_back({a, b});
        pairs.push_back({a, b >> (i % 64)});
    }
    for (const auto& p : pairs) {
        const auto fast = mi::detail::mul_64x64(p.first, p.second);
        const auto portable = mi::detail::mul_64x64_portable(p.first, p.second);
        REQUIRE(fast.high == portable.high);
        REQUIRE(fast.low == portable.low);
        REQUIRE(fast.low == p.first * p.second);  // the low half is the wrapped product
    }
    CHECK(mi::detail::mul_64x64_portable(top, top).high == top - 1);
    CHECK(mi::detail::mul_64x64_portable(top, top).low == 1);
    static_assert(mi::detail::mul_64x64_portable(0x100000000ull, 0x100000000ull).high == 1, "2^32 * 2^32 = 2^64");
}

TEST_CASE("rng::below: the stream of the __int128 implementation, unchanged") {
    // Values written by the previous implementation (unsigned __int128 in below()).
    mi::rng q(7);
    CHECK(q.below(~0ull - 5) == 12923355070828475989ull);
    CHECK(q.below(~0ull - 5) == 5142052590334782672ull);
    CHECK(q.below(~0ull - 5) == 15488392906492639632ull);
    mi::rng r(2024);
    unsigned long long s = 0;
    for (unsigned i = 0; i < 100000; ++i) s = s * 31 + r.below(1000003ull + i * 7919ull);
    CHECK(s == 1720509475825042408ull);
}

}  // namespace test_core_random

namespace test_core_random {

TEST_CASE("rng::normal is box_muller of box_muller_uniforms, first value then second") {
    mi::rng a(99), b(99);
    for (int t = 0; t < 1000; ++t) {
        double u1 = 0.0, u2 = 0.0, first = 0.0, second = 0.0;
        b.box_muller_uniforms(u1, u2);
        REQUIRE(u1 > 0.0);
        REQUIRE(u1 < 1.0);
        REQUIRE(u2 >= 0.0);
        REQUIRE(u2 < 1.0);
        mi::rng::box_muller(u1, u2, first, second);
        REQUIRE(a.normal() == first);
        REQUIRE(a.normal() == second);
    }
    // the transform itself: r = sqrt(-2 log u1) at angle 2 pi u2
    double first = 0.0, second = 0.0;
    mi::rng::box_muller(std::exp(-0.5), 0.25, first, second);  // r = 1, angle pi / 2
    CHECK(first == doctest::Approx(0.0).epsilon(1e-12));
    CHECK(second == doctest::Approx(1.0));
}

}  // namespace test_core_random
