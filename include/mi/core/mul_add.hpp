// SPDX-License-Identifier: BSD-3-Clause
// acc + p * q rounded once where the target has a fused multiply-add, twice
// where it has none: what GCC's default contraction makes of `acc += p * q`,
// written out. A vectoriser that splits a loop's products from its in-order
// sums may leave some of them uncontracted and others not, so a kernel that
// restructures such a loop (several rows in registers, SIMD across lanes)
// states the contraction here to keep the rounding of the plain loop.
#ifndef MI_CORE_MUL_ADD_HPP
#define MI_CORE_MUL_ADD_HPP

#include <cmath>
#include <type_traits>

#include "mi/core/simd.hpp"

namespace mi::detail {

template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
T mul_add(T p, T q, T acc) noexcept {
#if defined(__FMA__) || defined(__ARM_FEATURE_FMA)
    return std::fma(p, q, acc);
#else
    return acc + p * q;
#endif
}

/// The same lane by lane: each lane rounds as the scalar mul_add does.
template <class T, class A>
xsimd::batch<T, A> mul_add(const xsimd::batch<T, A>& p, const xsimd::batch<T, A>& q,
                           const xsimd::batch<T, A>& acc) noexcept {
#if defined(__FMA__) || defined(__ARM_FEATURE_FMA)
    return simd::fma(p, q, acc);
#else
    return acc + p * q;
#endif
}

}  // namespace mi::detail

#endif
