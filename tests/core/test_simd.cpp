// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "mi/core/simd.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_core_simd {

TEST_CASE_TEMPLATE("the SIMD shim reduces lanes on the installed xsimd", T, float, double) {
    using B = mi::simd::batch<T>;
    std::vector<T> v(B::size);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<T>(i + 1);
    const B b = B::load_unaligned(v.data());
    const T n = static_cast<T>(B::size);
    CHECK(mi::simd::reduce_add(b) == doctest::Approx(n * (n + 1) / 2));
    CHECK(mi::simd::reduce_max(b) == n);
    CHECK(mi::simd::reduce_min(b) == T(1));
    CHECK(mi::simd::count_true(b > B(T(1))) == B::size - 1);
}

TEST_CASE_TEMPLATE("simd::bits puts lane l of a mask in bit l, and count_true counts them", T, float, double) {
    // every pattern of true lanes, through the comparison the searches make (lanes <= limit)
    using B = mi::simd::batch<T>;
    constexpr std::size_t w = mi::simd::width<T>;
    std::size_t wrong_bits = 0, wrong_count = 0;
    for (std::uint64_t pattern = 0; pattern < (std::uint64_t(1) << w); ++pattern) {
        T lanes[w];
        for (std::size_t l = 0; l < w; ++l) lanes[l] = (pattern >> l) & 1u ? T(-1.5) : T(2.5);
        const auto mask = B::load_unaligned(lanes) <= B(T(0));
        wrong_bits += mi::simd::bits(mask) != pattern;
        std::size_t set = 0;
        for (std::size_t l = 0; l < w; ++l) set += (pattern >> l) & 1u;
        wrong_count += mi::simd::count_true(mask) != set;
        wrong_count += mi::detail::set_bits(pattern) != set;
    }
    CHECK(wrong_bits == 0);
    CHECK(wrong_count == 0);
}

#if XSIMD_VERSION_MAJOR < 9
// xsimd 8's AVX-512 hadd of doubles is written out in simd.hpp (a GCC 12 warning): it must keep
// the instruction sequence's order of additions. Lanes of mixed signs and magnitudes make every
// other order round differently somewhere in 2000 batches; on narrower targets reduce_add is hadd.
TEST_CASE("reduce_add of doubles: xsimd 8's hadd, bit for bit") {
    using B = mi::simd::batch<double>;
    std::vector<double> v(B::size);
    std::uint64_t state = 12345;
    std::size_t differ = 0;
    for (int round = 0; round < 2000; ++round) {
        for (auto& x : v) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            const double u = static_cast<double>(state >> 11) * 0x1p-53;
            x = (u - 0.5) * std::ldexp(1.0, static_cast<int>(state % 60) - 30);
        }
        const B b = B::load_unaligned(v.data());
        const double ours = mi::simd::reduce_add(b), theirs = xsimd::hadd(b);
        differ += std::memcmp(&ours, &theirs, sizeof(double)) != 0;
    }
    CHECK(differ == 0);
}
#endif

// a = 1 + e, a * a = 1 + 2e + e^2 with e^2 half an ulp of 1 + 2e (float e = 2^-12, double
// e = 2^-27): rounded to nearest even the product is 1 + 2e, so a * a - (1 + 2e) is 0 when the
// product is rounded before the subtraction and e^2 when it is not. Where the instruction set
// has a fused multiply-add, simd::fma must use it: xsimd 8's AVX-512 fma was two roundings in
// a clang build (simd.hpp). Without one (SSE2), x * y + z rounded twice is the expected value.
TEST_CASE_TEMPLATE("simd::fma and simd::fnma round once where the hardware fuses", T, float, double) {
    using B = mi::simd::batch<T>;
    const T e = sizeof(T) == 4 ? T(0x1p-12) : T(0x1p-27);
    const T a = T(1) + e, twice = T(1) + 2 * e;
#if defined(__FMA__) || defined(__AVX512F__)
    const T expected = e * e;
#else
    const T expected = T(0);
#endif
    std::vector<T> f(B::size), g(B::size);
    mi::simd::fma(B(a), B(a), B(-twice)).store_unaligned(f.data());
    mi::simd::fnma(B(a), B(a), B(twice)).store_unaligned(g.data());
    for (std::size_t l = 0; l < B::size; ++l) {
        CHECK(f[l] == expected);
        CHECK(g[l] == -expected);
    }
    CHECK(mi::simd::fma(a, a, -twice) == e * e);  // scalars: std::fma, fused everywhere
}

// Issue 15: -inf fed to xsimd::exp is converted to an integer inside it (undefined behaviour,
// caught by clang's -fsanitize=float-cast-overflow). simd::exp gives 0 there and exactly
// xsimd's value for every finite argument, including those that underflow to 0.
TEST_CASE_TEMPLATE("simd::max and simd::min: the larger and smaller lane, and b's lane where either is NaN", T, float,
                   double) {
    // the x86 instructions' rule (MAXPS/MINPS return the second operand when either is NaN), which
    // xsimd's max and min keep on every instruction set; the values are worked by hand
    using B = mi::simd::batch<T>;
    constexpr std::size_t w = B::size;
    const T nan = std::numeric_limits<T>::quiet_NaN(), inf = std::numeric_limits<T>::infinity();
    const T as[] = {T(1), T(-2), T(0), -inf, nan, T(3), T(5), nan};
    const T bs[] = {T(2), T(-3), T(-0.0), T(7), T(4), nan, T(5), nan};
    for (std::size_t start = 0; start < 8; ++start) {
        std::vector<T> a(w), b(w);
        for (std::size_t l = 0; l < w; ++l) {
            a[l] = as[(start + l) % 8];
            b[l] = bs[(start + l) % 8];
        }
        alignas(mi::simd::alignment) T hi[w], lo[w];
        mi::simd::max(B::load_unaligned(a.data()), B::load_unaligned(b.data())).store_aligned(hi);
        mi::simd::min(B::load_unaligned(a.data()), B::load_unaligned(b.data())).store_aligned(lo);
        for (std::size_t l = 0; l < w; ++l) {
            CAPTURE(a[l]);
            CAPTURE(b[l]);
            if (std::isnan(a[l]) || std::isnan(b[l])) {
                CHECK(std::memcmp(&hi[l], &b[l], sizeof(T)) == 0);
                CHECK(std::memcmp(&lo[l], &b[l], sizeof(T)) == 0);
            } else if (a[l] == b[l]) {  // 0 against -0 included: the second operand
                CHECK(std::memcmp(&hi[l], &b[l], sizeof(T)) == 0);
                CHECK(std::memcmp(&lo[l], &b[l], sizeof(T)) == 0);
            } else {
                CHECK(hi[l] == std::max(a[l], b[l]));
                CHECK(lo[l] == std::min(a[l], b[l]));
            }
        }
    }
}

TEST_CASE_TEMPLATE("simd::exp: 0 at -infinity, xsimd's exp elsewhere", T, float, double) {
    using B = mi::simd::batch<T>;
    const T inf = std::numeric_limits<T>::infinity();
    for (const T x : {-inf, std::numeric_limits<T>::lowest(), T(-5000), T(-745.5), T(-103.5), T(-87.5), T(-10),
                      T(-1), T(-1e-30), T(0), T(0.5), T(3)}) {
        T got[B::size], want[B::size];
        mi::simd::exp(B(x)).store_unaligned(got);
        const T expected = std::isfinite(x) && x > T(-1000) ? std::exp(x) : T(0);
        xsimd::exp(B(std::isfinite(x) ? std::max(x, T(-1000)) : T(0))).store_unaligned(want);
        CHECK(got[0] == doctest::Approx(expected).epsilon(4 * std::numeric_limits<T>::epsilon()));
        if (std::isfinite(x) && x > T(-1000)) CHECK(got[0] == want[0]);
    }
}

// simd::exp_tiny_at_zero is simd::exp bit for bit; below 2^-(digits + 3) in magnitude, where it
// skips xsimd's polynomial (whose r^2 would be subnormal), both give exactly 1.
TEST_CASE_TEMPLATE("simd::exp_tiny_at_zero: simd::exp's value for every argument, 1 for tiny ones", T, float, double) {
    using B = mi::simd::batch<T>;
    std::size_t checked = 0, ones = 0;
    auto check = [&](T x) {
        T got[B::size], want[B::size];
        mi::simd::exp_tiny_at_zero(B(x)).store_unaligned(got);
        mi::simd::exp(B(x)).store_unaligned(want);
        if (got[0] != want[0]) CHECK(got[0] == want[0]);
        ones += got[0] == T(1);
        ++checked;
    };
    // tiny arguments, both signs, every binade from the smallest subnormal up to 2^-20
    const int lowest = std::numeric_limits<T>::min_exponent - std::numeric_limits<T>::digits;
    for (int e = lowest; e <= -20; ++e)
        for (int m = 0; m < 64; ++m) {
            const T x = std::ldexp(T(1) + T(m) / T(64), e);
            check(x);
            check(-x);
        }
    CHECK(ones >= 2 * 64 * static_cast<std::size_t>(-(std::numeric_limits<T>::digits + 3) - lowest));
    // the kernels' range and beyond: 0 and negative arguments down to past the underflow, -inf
    const T edge = std::log(std::numeric_limits<T>::min());
    for (int i = 0; i <= 20000; ++i) check(T(2) * edge * T(i) / T(20000));
    for (const T x : {T(0), T(1), T(-1e-3), -std::numeric_limits<T>::infinity()}) check(x);
    CHECK(checked > 20000);
}

}  // namespace test_core_simd
