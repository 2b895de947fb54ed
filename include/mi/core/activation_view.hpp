// SPDX-License-Identifier: BSD-3-Clause
// activation_view: the one input type of every estimator. A non-owning
// samples x units matrix (pointer, rows, cols, row stride) with unit stride
// along the units, so a row is contiguous and SIMD can read it directly.
//
// mi::view(...) adapts the sources a researcher has at hand without copying:
// xtensor containers and strided views (anything with data(), shape(),
// strides()), xt::adapt-ed memory, std::vector plus a shape, raw pointers.
// A 1-D source becomes a one-column view. The source must outlive the view.
#ifndef MI_CORE_ACTIVATION_VIEW_HPP
#define MI_CORE_ACTIVATION_VIEW_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "mi/core/error.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/simd.hpp"

namespace mi {

namespace detail {

/// True when a * b does not fit in size_t; otherwise stores it in `product`.
inline bool multiply_overflows(std::size_t a, std::size_t b, std::size_t& product) noexcept {
    if (a != 0 && b > (~std::size_t(0)) / a) return true;
    product = a * b;
    return false;
}

/// Throws unless the memory a rows x cols view with this row stride spans,
/// (rows - 1) * row_stride + cols elements, is addressable: a wrapped product
/// would let every later read run past the caller's buffer.
template <class T>
void check_extent(std::size_t rows, std::size_t cols, std::size_t row_stride, const char* where) {
    if (rows == 0 || cols == 0) return;
    const std::size_t limit = static_cast<std::size_t>(PTRDIFF_MAX) / sizeof(T);
    std::size_t span = 0;
    if (cols > limit || multiply_overflows(rows - 1, row_stride, span) || span > limit - cols)
        fail(where, "rows", rows,
             "a shape whose extent fits in memory: " + std::to_string(rows) + " rows x row stride " +
                 std::to_string(row_stride) + " exceeds " + std::to_string(limit) + " elements");
}

}  // namespace detail

template <class T>
class activation_view;

/// The read-only view: what every estimator takes (activation_view<const T>).
template <class T>
class activation_view<const T> {
    static_assert(std::is_floating_point_v<T>, "mi::activation_view: element type must be float or double");

public:
    using element_type = const T;
    using value_type = T;

    activation_view() = default;
    activation_view(const T* data, std::size_t rows, std::size_t cols, std::size_t row_stride)
        : data_(data), rows_(rows), cols_(cols), row_stride_(row_stride) {
        if (rows > 1 && row_stride < cols)
            detail::fail("mi::activation_view", "row_stride", row_stride,
                         ">= cols (" + std::to_string(cols) + ")");
        detail::check_extent<T>(rows, cols, row_stride, "mi::activation_view");
        if (data == nullptr && rows > 0 && cols > 0)
            detail::fail("mi::activation_view", "data", "nullptr",
                         "a pointer to " + std::to_string(rows) + "x" + std::to_string(cols) + " values");
    }
    activation_view(const T* data, std::size_t rows, std::size_t cols)
        : activation_view(data, rows, cols, cols) {}

    const T* data() const noexcept { return data_; }
    std::size_t rows() const noexcept { return rows_; }
    std::size_t cols() const noexcept { return cols_; }
    std::size_t row_stride() const noexcept { return row_stride_; }
    std::size_t size() const noexcept { return rows_ * cols_; }
    bool empty() const noexcept { return rows_ == 0 || cols_ == 0; }
    bool contiguous() const noexcept { return row_stride_ == cols_ || rows_ <= 1; }

    const T* row(std::size_t i) const noexcept { return data_ + i * row_stride_; }
    const T& operator()(std::size_t i, std::size_t j) const noexcept { return data_[i * row_stride_ + j]; }

private:
    const T* data_ = nullptr;
    std::size_t rows_ = 0;
    std::size_t cols_ = 0;
    std::size_t row_stride_ = 0;
};

/// A mutable view is a read-only view (public base), so a function taking
/// activation_view<const T> deduces T from it: every estimator accepts both.
template <class T>
class activation_view : public activation_view<const T> {
    using base = activation_view<const T>;

public:
    using element_type = T;
    using value_type = T;

    activation_view() = default;
    activation_view(T* data, std::size_t rows, std::size_t cols, std::size_t row_stride)
        : base(data, rows, cols, row_stride) {}
    activation_view(T* data, std::size_t rows, std::size_t cols) : base(data, rows, cols, cols) {}

    // The pointer came in mutable (constructor above), so giving it back mutable is sound.
    T* data() const noexcept { return const_cast<T*>(base::data()); }
    T* row(std::size_t i) const noexcept { return const_cast<T*>(base::row(i)); }
    T& operator()(std::size_t i, std::size_t j) const noexcept { return const_cast<T&>(base::operator()(i, j)); }
};

template <class T>
using const_view = activation_view<const T>;

// ---------------------------------------------------------------- adapters

/// Raw pointer, rows x cols, row stride in elements (defaults to cols).
template <class T, class = std::enable_if_t<std::is_floating_point_v<std::remove_const_t<T>>>>
activation_view<const std::remove_const_t<T>> view(T* data, std::size_t rows, std::size_t cols,
                                                    std::size_t row_stride) {
    return {data, rows, cols, row_stride};
}
template <class T, class = std::enable_if_t<std::is_floating_point_v<std::remove_const_t<T>>>>
activation_view<const std::remove_const_t<T>> view(T* data, std::size_t rows, std::size_t cols) {
    return {data, rows, cols, cols};
}

/// std::vector holding rows x cols values, row-major.
template <class T>
activation_view<const T> view(const std::vector<T>& v, std::size_t rows, std::size_t cols) {
    std::size_t product = 0;
    if (detail::multiply_overflows(rows, cols, product))
        detail::fail("mi::view", "rows * cols", std::to_string(rows) + " * " + std::to_string(cols),
                     "a product that fits in size_t (the vector holds " + std::to_string(v.size()) + " values)");
    if (v.size() != product)
        detail::fail("mi::view", "vector size", v.size(),
                     "rows * cols = " + std::to_string(rows) + " * " + std::to_string(cols));
    return {v.data(), rows, cols, cols};
}

/// std::vector as one unit (one column).
template <class T>
activation_view<const T> view(const std::vector<T>& v) {
    return {v.data(), v.size(), 1, 1};
}

template <class T>
activation_view<const T> view(const activation_view<T>& v) {
    return v;
}

namespace detail {

template <class E, class = void>
struct is_strided_source : std::false_type {};
template <class E>
struct is_strided_source<E, std::void_t<decltype(std::declval<const E&>().data()),
                                        decltype(std::declval<const E&>().shape()),
                                        decltype(std::declval<const E&>().strides())>>
    : std::true_type {};

template <class E, class = void>
struct has_data_offset : std::false_type {};
template <class E>
struct has_data_offset<E, std::void_t<decltype(std::declval<const E&>().data_offset())>>
    : std::true_type {};

}  // namespace detail

/// Any strided source of float/double with data(), shape() and strides():
/// xt::xtensor, xt::xarray, xt::adapt, and strided xt::view results. Lazy
/// expressions (xt::xfunction) have no memory to view: evaluate them first.
template <class E, class = std::enable_if_t<detail::is_strided_source<E>::value>>
auto view(const E& e) {
    using value_type = std::remove_cv_t<std::remove_pointer_t<decltype(e.data())>>;
    static_assert(std::is_floating_point_v<value_type>,
                  "mi::view: activations must be float or double");
    using result = activation_view<const value_type>;
    const value_type* base = e.data();
    if constexpr (detail::has_data_offset<E>::value) base += e.data_offset();
    const auto& shape = e.shape();
    const auto& strides = e.strides();
    const std::size_t dim = shape.size();
    if (dim == 1) {
        const std::size_t n = shape[0];
        const auto s = static_cast<std::ptrdiff_t>(strides[0]);
        if (n > 1 && s <= 0) detail::fail("mi::view", "stride", s, "> 0 for a 1-D source");
        return result(base, n, 1, n > 1 ? static_cast<std::size_t>(s) : 1);
    }
    if (dim != 2)
        detail::fail("mi::view", "dimension", dim, "1 (one unit) or 2 (samples x units)");
    const std::size_t rows = shape[0], cols = shape[1];
    const auto rs = static_cast<std::ptrdiff_t>(strides[0]);
    const auto cs = static_cast<std::ptrdiff_t>(strides[1]);
    if (cols > 1 && cs != 1)
        detail::fail("mi::view", "unit stride", cs,
                     "1 (row-major samples x units); copy column-major data into a row-major container");
    if (rows > 1 && rs < static_cast<std::ptrdiff_t>(cols))
        detail::fail("mi::view", "row stride", rs, ">= number of units");
    return result(base, rows, cols, rows > 1 ? static_cast<std::size_t>(rs) : cols);
}

// ---------------------------------------------------------------- checks

namespace detail {

/// Whether none of the n values at p is NaN or infinite: |x| <= the largest finite value fails
/// exactly for those. A SIMD batch at a time, four batches per step, at any optimisation level:
/// std::isfinite value by value ran at about a value per cycle (a sixth of a sliced Gaussian
/// estimate on SZT's 4096 x 22 values), and GCC 12 does not vectorise a plain loop at -O2.
template <class T>
bool all_finite(const T* p, std::size_t n) noexcept {
    static_assert(std::is_floating_point_v<T>, "a floating-point type");
    constexpr T top = std::numeric_limits<T>::max();
    std::size_t i = 0;
    bool ok = true;
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
        using B = simd::batch<T>;
        constexpr std::size_t w = B::size;
        const B limit(top);
        const auto within = [&](std::size_t at) { return xsimd::abs(B::load_unaligned(p + at)) <= limit; };
        for (; i + 4 * w <= n; i += 4 * w) {
            if (!xsimd::all((within(i) & within(i + w)) & (within(i + 2 * w) & within(i + 3 * w)))) return false;
        }
        for (; i + w <= n; i += w)
            if (!xsimd::all(within(i))) return false;
    }
    for (; i < n; ++i) ok &= std::fabs(p[i]) <= top;
    return ok;
}

/// Rejects empty views and NaN/Inf, naming the argument and the first bad entry. Large views are
/// read on all cores (a sliced estimate's 10,000 x 1024 input took a seventh of its time here on
/// one); the entry named is the first in row order whatever the thread count.
template <class T>
void check_activations(const activation_view<T>& v, const char* where, const char* argument) {
    if (v.empty())
        fail(where, argument, std::to_string(v.rows()) + "x" + std::to_string(v.cols()) + " view",
             "at least one sample and one unit");
    const auto finite_rows = [&](std::size_t first, std::size_t last) {
        if (v.contiguous()) return all_finite(v.row(first), (last - first) * v.cols());
        bool ok = true;
        for (std::size_t i = first; i < last; ++i) ok &= all_finite(v.row(i), v.cols());
        return ok;
    };
    // blocks of about 2^16 values; one block (one thread) below 2^18, where starting threads costs
    // about as much as the pass
    const std::size_t rows_per_block = std::max<std::size_t>(1, (std::size_t(1) << 16) / v.cols());
    const std::size_t blocks = (v.rows() + rows_per_block - 1) / rows_per_block;
    std::vector<char> bad(blocks, 0);
    parallel_for(blocks, [&](std::size_t b) {
        bad[b] = !finite_rows(b * rows_per_block, std::min(v.rows(), (b + 1) * rows_per_block));
    }, v.rows() * v.cols() < (std::size_t(1) << 18) ? 1 : 0);
    for (std::size_t b = 0; b < blocks; ++b) {
        if (!bad[b]) continue;
        for (std::size_t i = b * rows_per_block; i < v.rows(); ++i) {
            const auto* r = v.row(i);
            for (std::size_t j = 0; j < v.cols(); ++j)
                if (!std::isfinite(r[j]))
                    fail(where, (std::string(argument) + "(" + std::to_string(i) + ", " +
                                 std::to_string(j) + ")").c_str(),
                         r[j], "a finite value");
        }
    }
}

/// Rejects a mismatch between the sample counts of two inputs.
inline void check_same_rows(std::size_t rows, std::size_t expected, const char* where,
                            const char* argument) {
    if (rows != expected)
        fail(where, argument, rows, "the number of samples, " + std::to_string(expected));
}

}  // namespace detail
}  // namespace mi

#endif
