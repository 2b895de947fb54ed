// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <vector>

#include "mi/core/simd.hpp"

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
