// SPDX-License-Identifier: BSD-3-Clause
// unrolled<Q>(f): f(integral_constant<0>) ... f(integral_constant<Q - 1>),
// written out, in that order. Register tiles index small arrays of SIMD
// batches (acc[a]); GCC keeps them in registers only when every index is a
// constant, which a `for (a < Q)` loop gives only after -O3's loop peeling:
// at -O2 the tiles went through memory (12-D KSG 1.9-2.7x slower, Renyi's
// Gram products 2-3x). Unrolling by hand makes -O2 and -O3 alike.
#ifndef MI_CORE_UNROLLED_HPP
#define MI_CORE_UNROLLED_HPP

#include <cstddef>
#include <type_traits>
#include <utility>

#include "mi/core/always_inline.hpp"

namespace mi::detail {

template <class F, std::size_t... A>
MI_DETAIL_ALWAYS_INLINE void unrolled_impl(F&& f, std::index_sequence<A...>) {
    (f(std::integral_constant<std::size_t, A>{}), ...);
}

template <std::size_t Q, class F>
MI_DETAIL_ALWAYS_INLINE void unrolled(F&& f) {
    unrolled_impl(f, std::make_index_sequence<Q>{});
}

}  // namespace mi::detail

#endif
