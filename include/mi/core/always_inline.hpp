// SPDX-License-Identifier: BSD-3-Clause
// MI_DETAIL_ALWAYS_INLINE: inlines a small kernel into its callers' loops whatever the
// optimisation level. GCC 12 at -O2 keeps such functions out of line where -O3 inlines them,
// and the call then costs a spill of every live SIMD register: the exponential of the KDE
// engine's kernel sums (1.5x slower at -O2 before it was forced) and the kNN distance tiles
// (bench/compare_opt_levels.py). -O2 is what CMake's RelWithDebInfo and most distributions
// build consumers with.
#ifndef MI_CORE_ALWAYS_INLINE_HPP
#define MI_CORE_ALWAYS_INLINE_HPP

#if defined(__GNUC__) || defined(__clang__)
#define MI_DETAIL_ALWAYS_INLINE inline __attribute__((always_inline))
#elif defined(_MSC_VER)
#define MI_DETAIL_ALWAYS_INLINE __forceinline
#else
#define MI_DETAIL_ALWAYS_INLINE inline
#endif

#endif
