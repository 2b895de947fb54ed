// SPDX-License-Identifier: BSD-3-Clause
// The one header that talks to xsimd. Debian ships xsimd 8.1; Conan and vcpkg
// ship 13-14, which renamed several calls (hadd -> reduce_add, bool_cast ->
// batch_bool_cast, bitwise_cast's signature). Every call whose spelling
// differs goes through a wrapper here, keyed on XSIMD_VERSION_MAJOR, so the
// rest of mi compiles unchanged against either. The instruction set is the
// consumer's compile-time choice (xsimd::default_arch); mi adds no -m flags.
#ifndef MI_CORE_SIMD_HPP
#define MI_CORE_SIMD_HPP

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <xsimd/xsimd.hpp>
#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include "mi/core/always_inline.hpp"

#if !defined(XSIMD_VERSION_MAJOR) || XSIMD_VERSION_MAJOR < 8
#error "mi needs xsimd 8.1 or newer"
#endif

namespace mi::detail {

/// The element type of a scalar or of an xsimd batch (kernels written once for both).
template <class V, class = void>
struct scalar_of {
    using type = V;
};
template <class V>
struct scalar_of<V, std::void_t<typename V::value_type, decltype(V::size)>> {
    using type = typename V::value_type;
};
template <class V>
using scalar_of_t = typename scalar_of<V>::type;

/// Number of set bits of x (to count the lanes of simd::bits).
MI_DETAIL_ALWAYS_INLINE unsigned set_bits(std::uint64_t x) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    return static_cast<unsigned>(__builtin_popcountll(x));
#else
    unsigned n = 0;
    for (; x != 0; x &= x - 1) ++n;
    return n;
#endif
}

/// Position of the lowest set bit of x != 0 (to walk the lanes of simd::bits).
MI_DETAIL_ALWAYS_INLINE unsigned lowest_bit(std::uint64_t x) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    return static_cast<unsigned>(__builtin_ctzll(x));
#else
    unsigned n = 0;
    while ((x & 1u) == 0) {
        x >>= 1;
        ++n;
    }
    return n;
#endif
}

}  // namespace mi::detail

namespace mi::simd {

template <class T>
using batch = xsimd::batch<T>;

template <class T>
inline constexpr std::size_t width = batch<T>::size;

/// The alignment (bytes) that aligned loads of the default arch need.
inline constexpr std::size_t alignment = xsimd::default_arch::alignment();

/// SIMD registers of the target: 32 with AVX-512, 16 with AVX2 and SSE (NEON's 32 are counted
/// as 16, which only makes register tiles smaller). Register tiles are sized from it: a tile
/// that needs more spills to the stack on every step.
inline constexpr std::size_t registers = width<double> >= 8 ? 32 : 16;

/// Sum of the lanes.
template <class T, class A>
MI_DETAIL_ALWAYS_INLINE T reduce_add(const xsimd::batch<T, A>& b) noexcept {
#if XSIMD_VERSION_MAJOR >= 9
    return xsimd::reduce_add(b);
#else
    if constexpr (std::is_same_v<T, double> && xsimd::batch<T, A>::size == 8) {
        // xsimd 8's AVX-512 hadd of doubles trips GCC 12's -Wuninitialized inside
        // _mm512_extractf64x4_pd; these are its additions, in its order (the upper half added to
        // the lower, then lanes 0 + 2 and 1 + 3, then the two), so the sum has its bits
        alignas(A::alignment()) double l[8];
        b.store_aligned(l);
        return ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));
    } else {
        return xsimd::hadd(b);
    }
#endif
}

/// Largest lane (xsimd 8 has no reduce_max).
template <class T, class A>
MI_DETAIL_ALWAYS_INLINE T reduce_max(const xsimd::batch<T, A>& b) noexcept {
#if XSIMD_VERSION_MAJOR >= 9
    return xsimd::reduce_max(b);
#else
    alignas(A::alignment()) T lanes[xsimd::batch<T, A>::size];
    b.store_aligned(lanes);
    T m = lanes[0];
    for (std::size_t i = 1; i < xsimd::batch<T, A>::size; ++i) m = lanes[i] > m ? lanes[i] : m;
    return m;
#endif
}

/// Smallest lane.
template <class T, class A>
MI_DETAIL_ALWAYS_INLINE T reduce_min(const xsimd::batch<T, A>& b) noexcept {
#if XSIMD_VERSION_MAJOR >= 9
    return xsimd::reduce_min(b);
#else
    alignas(A::alignment()) T lanes[xsimd::batch<T, A>::size];
    b.store_aligned(lanes);
    T m = lanes[0];
    for (std::size_t i = 1; i < xsimd::batch<T, A>::size; ++i) m = lanes[i] < m ? lanes[i] : m;
    return m;
#endif
}

/// x * y + z and z - x * y, rounded once wherever the instruction set has a fused multiply-add.
/// xsimd before 11 has no AVX-512 kernel for either: its generic x * y + z is two operator
/// calls, which GCC fuses (-ffp-contract=fast across inlined calls) but clang does not (it
/// contracts only inside one expression), so a clang build ran mi's AVX-512 kernels at half
/// the multiply-add rate (bench_peak: 91 against 176 GFLOP/s per core, Intel Xeon model 207)
/// and rounded them differently from a GCC build. Scalars and other instruction sets take
/// xsimd's own fma / fnma.
template <class T, class A>
MI_DETAIL_ALWAYS_INLINE xsimd::batch<T, A> fma(const xsimd::batch<T, A>& x, const xsimd::batch<T, A>& y,
                                               const xsimd::batch<T, A>& z) noexcept {
#if XSIMD_VERSION_MAJOR < 11 && defined(__AVX512F__)
    if constexpr (std::is_base_of_v<xsimd::avx512f, A> && std::is_same_v<T, float>)
        return _mm512_fmadd_ps(x, y, z);
    else if constexpr (std::is_base_of_v<xsimd::avx512f, A> && std::is_same_v<T, double>)
        return _mm512_fmadd_pd(x, y, z);
    else
#endif
        return xsimd::fma(x, y, z);
}

template <class T, class A>
MI_DETAIL_ALWAYS_INLINE xsimd::batch<T, A> fnma(const xsimd::batch<T, A>& x, const xsimd::batch<T, A>& y,
                                                const xsimd::batch<T, A>& z) noexcept {
#if XSIMD_VERSION_MAJOR < 11 && defined(__AVX512F__)
    if constexpr (std::is_base_of_v<xsimd::avx512f, A> && std::is_same_v<T, float>)
        return _mm512_fnmadd_ps(x, y, z);
    else if constexpr (std::is_base_of_v<xsimd::avx512f, A> && std::is_same_v<T, double>)
        return _mm512_fnmadd_pd(x, y, z);
    else
#endif
        return xsimd::fnma(x, y, z);
}

template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
MI_DETAIL_ALWAYS_INLINE T fma(T x, T y, T z) noexcept {
    return xsimd::fma(x, y, z);
}

/// Lane-wise max and min, xsimd's (the instruction's: where a lane of either is NaN, the lane
/// of b). On AVX-512 with xsimd before 11 they go through the zero-masked intrinsic with a full
/// mask, the same instruction: xsimd's unmasked one passes _mm512_undefined_pd() through, and
/// GCC 12 at -O2 reported that as used uninitialized wherever the grid's k-th-distance tiles
/// inlined it (283 -Wuninitialized warnings in bench_knn built with -O2 -march=native -Wall).
template <class T, class A>
MI_DETAIL_ALWAYS_INLINE xsimd::batch<T, A> max(const xsimd::batch<T, A>& a, const xsimd::batch<T, A>& b) noexcept {
#if XSIMD_VERSION_MAJOR < 11 && defined(__AVX512F__)
    if constexpr (std::is_base_of_v<xsimd::avx512f, A> && std::is_same_v<T, float>)
        return _mm512_maskz_max_ps(static_cast<__mmask16>(0xFFFF), a, b);
    else if constexpr (std::is_base_of_v<xsimd::avx512f, A> && std::is_same_v<T, double>)
        return _mm512_maskz_max_pd(static_cast<__mmask8>(0xFF), a, b);
    else
#endif
        return xsimd::max(a, b);
}

template <class T, class A>
MI_DETAIL_ALWAYS_INLINE xsimd::batch<T, A> min(const xsimd::batch<T, A>& a, const xsimd::batch<T, A>& b) noexcept {
#if XSIMD_VERSION_MAJOR < 11 && defined(__AVX512F__)
    if constexpr (std::is_base_of_v<xsimd::avx512f, A> && std::is_same_v<T, float>)
        return _mm512_maskz_min_ps(static_cast<__mmask16>(0xFFFF), a, b);
    else if constexpr (std::is_base_of_v<xsimd::avx512f, A> && std::is_same_v<T, double>)
        return _mm512_maskz_min_pd(static_cast<__mmask8>(0xFF), a, b);
    else
#endif
        return xsimd::min(a, b);
}

/// log(x), xsimd's. With xsimd before 11 on AVX-512BW it runs the AVX-512F kernel on the same
/// register: xsimd 8's log selects among 64-bit integer lanes, and its AVX-512BW select also
/// instantiates byte and word blends whose GCC intrinsics, without optimisation (-O0, or
/// -fsyntax-only), are macros that do not accept a batch, so a Debug build with
/// -march=native stopped there. The AVX-512F kernels compute the same lanes.
template <class T, class A>
MI_DETAIL_ALWAYS_INLINE xsimd::batch<T, A> log(const xsimd::batch<T, A>& x) noexcept {
#if XSIMD_VERSION_MAJOR < 11 && defined(__AVX512F__)
    if constexpr (std::is_base_of_v<xsimd::avx512f, A> && !std::is_same_v<A, xsimd::avx512f>) {
        using reg = typename xsimd::batch<T, A>::register_type;
        return xsimd::batch<T, A>(static_cast<reg>(xsimd::log(xsimd::batch<T, xsimd::avx512f>(static_cast<reg>(x)))));
    } else
#endif
        return xsimd::log(x);
}

/// exp(x) for batches that may hold -infinity (a kernel of an infinite distance, masked
/// padding). xsimd's exp converts its argument to an integer exponent before the range
/// check, which for -inf is undefined behaviour (clang's -fsanitize=float-cast-overflow
/// stops there); clamping at a value whose exponential already rounds to 0 in T (xsimd
/// returns 0 below about -87.3 for float and -708.4 for double) changes no finite result.
template <class T, class A>
MI_DETAIL_ALWAYS_INLINE xsimd::batch<T, A> exp(const xsimd::batch<T, A>& x) noexcept {
    constexpr T floor = sizeof(T) == 4 ? T(-200) : T(-1000);
    return xsimd::exp(xsimd::max(x, xsimd::batch<T, A>(floor)));
}

/// exp(x), evaluated at 0 where |x| is below 2^-27 (float) or 2^-56 (double): exp of such x
/// is exactly 1 in T, as exp(0), but xsimd's polynomial would square it into a subnormal
/// number, and on Intel cores an instruction with a subnormal operand or result takes a
/// microcode assist of about a hundred cycles for the whole batch. Tiny arguments are what
/// near-duplicate rows give a kernel sum over one set of rows (a saturated layer's rows differ
/// by a few float ulps): on the SZT network's KDE plane they took a fifth of the time (Intel
/// Xeon model 207, 2026-12-06). Every result is simd::exp(x)'s, bit for bit
/// (tests/core/test_simd.cpp sweeps every binade of tiny arguments). The test is three
/// instructions per batch: on rows without near-duplicates (bench_kde on Gaussian rows) within
/// the machine's spread of simd::exp, but enough to slow a cross sum (sample propagation's) by
/// a tenth, which therefore keeps simd::exp.
template <class T, class A>
MI_DETAIL_ALWAYS_INLINE xsimd::batch<T, A> exp_tiny_at_zero(const xsimd::batch<T, A>& x) noexcept {
    static_assert(std::is_floating_point_v<T>, "exp_tiny_at_zero: float or double batches");
    constexpr T one_below = sizeof(T) == 4 ? T(0x1p-27) : T(0x1p-56);
    return simd::exp(xsimd::select(xsimd::abs(x) < xsimd::batch<T, A>(one_below), xsimd::batch<T, A>(T(0)), x));
}

/// Converts a mask to a mask of another element type of the same width.
template <class To, class T, class A>
MI_DETAIL_ALWAYS_INLINE auto mask_cast(const xsimd::batch_bool<T, A>& m) noexcept {
#if XSIMD_VERSION_MAJOR >= 9
    return xsimd::batch_bool_cast<To>(m);
#else
    return xsimd::bool_cast(m);
#endif
}

/// The mask as bits, lane l in bit l (xsimd 9+: batch_bool::mask; xsimd 8 has none, so the
/// AVX-512 mask register is read directly, AVX and SSE2 masks of float and double by movemask,
/// and other masks go through memory). Through memory, the store and the loop over its lanes
/// took 53 % of a 12-D Kozachenko-Leonenko search on an AVX2 Zen 3 at -O2, 8 % at -O3.
template <class T, class A>
MI_DETAIL_ALWAYS_INLINE std::uint64_t bits(const xsimd::batch_bool<T, A>& m) noexcept {
#if XSIMD_VERSION_MAJOR >= 9
    return static_cast<std::uint64_t>(m.mask());
#else
    using reg = typename xsimd::batch_bool<T, A>::register_type;
    if constexpr (std::is_base_of_v<xsimd::avx512f, A>) {
        return static_cast<std::uint64_t>(static_cast<reg>(m));
#if defined(__AVX__)
    } else if constexpr (std::is_base_of_v<xsimd::avx, A> && std::is_same_v<T, float>) {
        return static_cast<std::uint64_t>(static_cast<unsigned>(_mm256_movemask_ps(static_cast<reg>(m))));
    } else if constexpr (std::is_base_of_v<xsimd::avx, A> && std::is_same_v<T, double>) {
        return static_cast<std::uint64_t>(static_cast<unsigned>(_mm256_movemask_pd(static_cast<reg>(m))));
#endif
#if defined(__SSE2__)
    } else if constexpr (std::is_base_of_v<xsimd::sse2, A> && std::is_same_v<T, float>) {
        return static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_ps(static_cast<reg>(m))));
    } else if constexpr (std::is_base_of_v<xsimd::sse2, A> && std::is_same_v<T, double>) {
        return static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_pd(static_cast<reg>(m))));
#endif
    } else {
        constexpr std::size_t n = xsimd::batch_bool<T, A>::size;
        bool lane[n];
        m.store_unaligned(lane);
        std::uint64_t out = 0;
        for (std::size_t l = 0; l < n; ++l) out |= static_cast<std::uint64_t>(lane[l]) << l;
        return out;
    }
#endif
}

/// Number of true lanes.
template <class T, class A>
MI_DETAIL_ALWAYS_INLINE std::size_t count_true(const xsimd::batch_bool<T, A>& m) noexcept {
    const xsimd::batch<T, A> ones(T(1)), zeros(T(0));
    return static_cast<std::size_t>(reduce_add(xsimd::select(m, ones, zeros)));
}

}  // namespace mi::simd

#endif
