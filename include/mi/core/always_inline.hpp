// SPDX-License-Identifier: BSD-3-Clause
// MI_DETAIL_ALWAYS_INLINE: inlines a small kernel into its callers' loops whatever the
// optimisation level. GCC 12 at -O2 keeps such functions out of line where -O3 inlines them,
// and the call then costs a spill of every live SIMD register: the exponential of the KDE
// engine's kernel sums (1.5x slower at -O2 before it was forced) and the kNN distance tiles
// (bench/compare_opt_levels.py). -O2 is what CMake's RelWithDebInfo and most distributions
// build consumers with.
//
// MI_DETAIL_NOINLINE: keeps a seldom-run path out of the hot loop that calls it. GCC 12 at -O3
// inlined the k-best list's insertion (search/metric.hpp) into the kd-tree's leaf scan, and a
// d = 12 Kozachenko-Leonenko estimate then took 1.4x as long as with the call (bench/knn.md).
#ifndef MI_CORE_ALWAYS_INLINE_HPP
#define MI_CORE_ALWAYS_INLINE_HPP

#if defined(__GNUC__) || defined(__clang__)
#define MI_DETAIL_ALWAYS_INLINE inline __attribute__((always_inline))
#define MI_DETAIL_NOINLINE __attribute__((noinline))
#elif defined(_MSC_VER)
#define MI_DETAIL_ALWAYS_INLINE __forceinline
#define MI_DETAIL_NOINLINE __declspec(noinline)
#else
#define MI_DETAIL_ALWAYS_INLINE inline
#define MI_DETAIL_NOINLINE
#endif

#endif
