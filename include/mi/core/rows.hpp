// SPDX-License-Identifier: BSD-3-Clause
// Copying rows out of an activation view, written once: a subset of rows in
// a given order (a class's rows, an input's replicas, a bootstrap resample),
// or every value of the layer pooled (the quantizers that fit on all units).
// Both write row-major contiguous memory, so the result can be read through a
// plain activation_view whatever the stride of the source.
#ifndef MI_CORE_ROWS_HPP
#define MI_CORE_ROWS_HPP

#include <algorithm>
#include <cstddef>
#include <type_traits>
#include <vector>

#include "mi/core/activation_view.hpp"

namespace mi::detail {

/// Rows rows[0 .. n) of v (repeats allowed), copied into `buffer` (resized to n x cols);
/// returns a view of the copy, valid while `buffer` is neither resized nor destroyed.
template <class T, class Index, class Allocator>
activation_view<const T> gather_rows(const activation_view<const T>& v, const Index* rows, std::size_t n,
                                     std::vector<std::remove_const_t<T>, Allocator>& buffer) {
    const std::size_t d = v.cols();
    buffer.resize(n * d);
    for (std::size_t i = 0; i < n; ++i) {
        const T* src = v.row(static_cast<std::size_t>(rows[i]));
        std::copy(src, src + d, buffer.begin() + static_cast<std::ptrdiff_t>(i * d));
    }
    return activation_view<const T>(buffer.data(), n, d, d);
}

template <class T, class Index, class Allocator>
activation_view<const T> gather_rows(const activation_view<const T>& v, const std::vector<Index>& rows,
                                     std::vector<std::remove_const_t<T>, Allocator>& buffer) {
    return gather_rows(v, rows.data(), rows.size(), buffer);
}

/// Every value of v, row by row (all units pooled).
template <class T>
std::vector<std::remove_const_t<T>> pooled_values(const activation_view<const T>& v) {
    std::vector<std::remove_const_t<T>> out;
    out.reserve(v.size());
    for (std::size_t i = 0; i < v.rows(); ++i) out.insert(out.end(), v.row(i), v.row(i) + v.cols());
    return out;
}

}  // namespace mi::detail

#endif
