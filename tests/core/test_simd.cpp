// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
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

// Issue 15: -inf fed to xsimd::exp is converted to an integer inside it (undefined behaviour,
// caught by clang's -fsanitize=float-cast-overflow). simd::exp gives 0 there and exactly
// xsimd's value for every finite argument, including those that underflow to 0.
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

// simd::exp_flushed keeps xsimd's exp wherever that is a normal number, gives 0 where it is
// subnormal, and takes tiny arguments (whose exp is exactly 1 in T) without subnormal arithmetic.
TEST_CASE_TEMPLATE("simd::exp_flushed: xsimd's exp where that is normal, 0 where it is subnormal", T, float, double) {
    using B = mi::simd::batch<T>;
    const T tiny_normal = std::numeric_limits<T>::min();
    // the cut-off: log(min) = (min_exponent - 1) log 2, rounded to T at or below its value
    const long double truth = static_cast<long double>(std::numeric_limits<T>::min_exponent - 1) * std::log(2.0L);
    T cut = static_cast<T>(truth);
    if (static_cast<long double>(cut) > truth) cut = std::nextafter(cut, T(-1000));
    std::size_t checked = 0, flushed = 0, ones = 0;
    auto check = [&](T x) {
        T got[B::size], want[B::size];
        mi::simd::exp_flushed(B(x)).store_unaligned(got);
        xsimd::exp(B(x)).store_unaligned(want);
        if (want[0] >= tiny_normal) {
            if (got[0] != want[0]) CHECK(got[0] == want[0]);
        } else if (got[0] != T(0)) {
            // only at the cut-off itself (log(min) rounded down to T) may xsimd's subnormal stay
            CHECK(got[0] == want[0]);
            CHECK(x == cut);
        } else {
            ++flushed;
        }
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
    // below 2^-(digits + 3) every argument gives exactly 1
    CHECK(ones >= 2 * 64 * static_cast<std::size_t>(-(std::numeric_limits<T>::digits + 3) - lowest));
    // the band where xsimd's exp turns subnormal, finely, then the normal range
    const T edge = std::log(tiny_normal);
    for (int i = -20000; i <= 20000; ++i) check(edge + T(i) * T(1e-4) * std::fabs(edge));
    for (int i = 0; i <= 20000; ++i) check(edge + (T(88) - edge) * T(i) / T(20000));
    CHECK(flushed > 1000);
    CHECK(checked > 40000);
    // far below: 0, as xsimd's exp
    for (const T x : {edge - T(16), T(-745.5), T(-5000)}) {
        T got[B::size];
        mi::simd::exp_flushed(B(x)).store_unaligned(got);
        CHECK(got[0] == T(0));
    }
}

}  // namespace test_core_simd
