// SPDX-License-Identifier: BSD-3-Clause
// Shared helpers of the quantizer tests: SIMD encode against scalar code on
// values that stress it (exact edges, their float neighbours, tails that are
// not a multiple of the SIMD width).
#ifndef MI_TESTS_QUANTIZERS_COMMON_HPP
#define MI_TESTS_QUANTIZERS_COMMON_HPP

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "mi/core/random.hpp"

namespace mi_test {

/// Every value, its two neighbours in T, plus seeded values across [lo, hi].
template <class T>
std::vector<T> stress_values(const std::vector<double>& points, double lo, double hi, std::size_t extra,
                             std::uint64_t seed) {
    std::vector<T> v;
    for (double p : points) {
        const T t = static_cast<T>(p);
        v.push_back(t);
        v.push_back(std::nextafter(t, -std::numeric_limits<T>::infinity()));
        v.push_back(std::nextafter(t, std::numeric_limits<T>::infinity()));
    }
    mi::rng r(seed);
    for (std::size_t i = 0; i < extra; ++i) v.push_back(static_cast<T>(lo + (hi - lo) * r.uniform()));
    return v;
}

/// encode == code lane by lane, for every length 0..max_len prefix offset and the full array.
template <class F, class T>
void check_encode_matches_code(const F& fitted, const std::vector<T>& v) {
    std::vector<std::int32_t> codes(v.size(), -7);
    fitted.encode(v.data(), v.size(), codes.data());
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < v.size(); ++i)
        if (codes[i] != fitted.code(static_cast<double>(v[i]))) ++mismatches;
    CHECK(mismatches == 0);
    // Lengths that are not multiples of the SIMD width, at odd offsets.
    for (std::size_t len = 0; len < 40 && len + 3 <= v.size(); ++len) {
        std::vector<std::int32_t> c(len + 1, -7);
        fitted.encode(v.data() + 3, len, c.data());
        for (std::size_t i = 0; i < len; ++i) CHECK(c[i] == fitted.code(static_cast<double>(v[3 + i])));
        CHECK(c[len] == -7);  // nothing written past n
    }
}

}  // namespace mi_test

#endif
