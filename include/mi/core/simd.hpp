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
inline unsigned set_bits(std::uint64_t x) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    return static_cast<unsigned>(__builtin_popcountll(x));
#else
    unsigned n = 0;
    for (; x != 0; x &= x - 1) ++n;
    return n;
#endif
}

/// Position of the lowest set bit of x != 0 (to walk the lanes of simd::bits).
inline unsigned lowest_bit(std::uint64_t x) noexcept {
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

/// Sum of the lanes.
template <class T, class A>
T reduce_add(const xsimd::batch<T, A>& b) noexcept {
#if XSIMD_VERSION_MAJOR >= 9
    return xsimd::reduce_add(b);
#else
    return xsimd::hadd(b);
#endif
}

/// Largest lane (xsimd 8 has no reduce_max).
template <class T, class A>
T reduce_max(const xsimd::batch<T, A>& b) noexcept {
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
T reduce_min(const xsimd::batch<T, A>& b) noexcept {
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

/// exp(x) for batches that may hold -infinity (a kernel of an infinite distance, masked
/// padding). xsimd's exp converts its argument to an integer exponent before the range
/// check, which for -inf is undefined behaviour (clang's -fsanitize=float-cast-overflow
/// stops there); clamping at a value whose exponential already rounds to 0 in T (xsimd
/// returns 0 below about -87.3 for float and -708.4 for double) changes no finite result.
template <class T, class A>
xsimd::batch<T, A> exp(const xsimd::batch<T, A>& x) noexcept {
    constexpr T floor = sizeof(T) == 4 ? T(-200) : T(-1000);
    return xsimd::exp(xsimd::max(x, xsimd::batch<T, A>(floor)));
}

/// exp(x) without subnormal arithmetic, for the kernel sums (kernels/pairwise.hpp). On Intel
/// cores an instruction with a subnormal operand or result takes a microcode assist of about a
/// hundred cycles for the whole batch, and xsimd's exp meets them in two places:
/// - a tiny argument (|x| below 2^-27 in float, 2^-56 in double: two near-duplicate rows) makes
///   the polynomial's r^2 subnormal; exp of such x is exactly 1 in T, which exp(0) gives;
/// - below log of the smallest normal T (about -87.34 in float, -708.40 in double) the result
///   itself is subnormal; it is flushed to 0. A subnormal is below half an ulp of any partial
///   sum above 2^-100, and a kernel sum holds a term of 1 (its self term or its running
///   maximum's), so the sums come out the same unless a partial sum of such tiny terms lies
///   within 2^-126 of a rounding boundary (the SZT plane's KDE values are byte-identical).
/// On the SZT network's KDE (Intel Xeon model 207, 2026-12-06) the first took a third of the
/// kernel sums' time. Every normal result is xsimd's, bit for bit (tests/core/test_simd.cpp);
/// the cut-off is log(min) rounded to T at or below its value, so x equal to it may still give
/// xsimd's subnormal.
template <class T, class A>
xsimd::batch<T, A> exp_flushed(const xsimd::batch<T, A>& x) noexcept {
    static_assert(std::is_floating_point_v<T>, "exp_flushed: float or double batches");
    constexpr T cut = sizeof(T) == 4 ? T(-87.33654785f) : T(-708.3964185322642);
    constexpr T one_below = sizeof(T) == 4 ? T(0x1p-27) : T(0x1p-56);
    const auto sub = x < xsimd::batch<T, A>(cut);
    const auto one = xsimd::abs(x) < xsimd::batch<T, A>(one_below);
    const xsimd::batch<T, A> zero(T(0));
    return xsimd::select(sub, zero, xsimd::exp(xsimd::select(sub || one, zero, x)));
}

/// Converts a mask to a mask of another element type of the same width.
template <class To, class T, class A>
auto mask_cast(const xsimd::batch_bool<T, A>& m) noexcept {
#if XSIMD_VERSION_MAJOR >= 9
    return xsimd::batch_bool_cast<To>(m);
#else
    return xsimd::bool_cast(m);
#endif
}

/// The mask as bits, lane l in bit l (xsimd 9+: batch_bool::mask; xsimd 8 has none, so the
/// AVX-512 mask register is read directly and other instruction sets go through memory).
template <class T, class A>
std::uint64_t bits(const xsimd::batch_bool<T, A>& m) noexcept {
#if XSIMD_VERSION_MAJOR >= 9
    return static_cast<std::uint64_t>(m.mask());
#else
    if constexpr (std::is_base_of_v<xsimd::avx512f, A>) {
        return static_cast<std::uint64_t>(static_cast<typename xsimd::batch_bool<T, A>::register_type>(m));
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
std::size_t count_true(const xsimd::batch_bool<T, A>& m) noexcept {
    const xsimd::batch<T, A> ones(T(1)), zeros(T(0));
    return static_cast<std::size_t>(reduce_add(xsimd::select(m, ones, zeros)));
}

}  // namespace mi::simd

#endif
