// SPDX-License-Identifier: BSD-3-Clause
// fixed_width: code = floor(h / w), bins of width w anchored at 0 with no range
// limit, Saxe et al. 2018's binning (artemyk/ibsgd simplebinmi.py,
// bin_calc_information2: np.floor(activity / binsize), binsize 0.07 on the SZT
// task, 0.5 on MNIST). Being unbounded it needs no range, so the same rule
// serves tanh and ReLU layers.
//
// The division is done in the activation type T, with w rounded to T, because
// that is what numpy does for a float32 activity array divided by a Python
// float; codes therefore match ibsgd's bit for bit (also for values that sit
// on a multiple of w). fit checks that every code of the layer fits in an
// int32; code/encode of other values saturate at the int32 limits.
#ifndef MI_QUANTIZERS_FIXED_WIDTH_HPP
#define MI_QUANTIZERS_FIXED_WIDTH_HPP

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/simd.hpp"
#include "mi/quantizers/fitted_edges.hpp"

// GCC 12's AVX-512 intrinsics (_mm512_undefined_* in avx512fintrin.h, GCC bug 105593) make
// every xsimd floor/min/max/convert look like a use of an uninitialized value; silence that
// false positive for this header's kernels only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

namespace mi {

namespace detail {

/// Smallest double x in (a, b] with f(x) >= k, for f non-decreasing and f(b) >= k > f(a).
template <class F>
double first_at_least(F&& f, std::int64_t k, double a, double b) {
    // Bisection on the order-preserving unsigned image of the doubles: negative values map below
    // 2^63 in reverse bit order, non-negative ones above it. Unsigned, so that the distance
    // between the images of a negative and a positive bound (up to 2^64 - 1) cannot overflow.
    constexpr std::uint64_t sign = std::uint64_t(1) << 63;
    auto key = [](double x) {
        std::uint64_t u;
        std::memcpy(&u, &x, sizeof u);
        return (u & sign) ? ~u : (u | sign);
    };
    auto value = [](std::uint64_t image) {
        const std::uint64_t u = (image & sign) ? (image & ~sign) : ~image;
        double x;
        std::memcpy(&x, &u, sizeof x);
        return x;
    };
    std::uint64_t lo = key(a), hi = key(b);  // f(value(lo)) < k <= f(value(hi))
    while (hi - lo > 1) {
        const std::uint64_t mid = lo + (hi - lo) / 2;
        if (f(value(mid)) >= k)
            hi = mid;
        else
            lo = mid;
    }
    return value(hi);
}

}  // namespace detail

template <class T>
class fitted_fixed_width {
public:
    using value_type = T;
    explicit fitted_fixed_width(double width) : w_(detail::to_type<T>(width)) {
        if (!(w_ > T(0)) || !std::isfinite(w_))
            detail::fail("mi::fitted_fixed_width", "width", width, "a finite value > 0 in the activation type");
    }

    std::int32_t code(double x) const {
        detail::check_code_argument(x, "mi::fitted_fixed_width::code");
        return code_of(detail::to_type<T>(x));
    }

    void encode(const T* x, std::size_t n, std::int32_t* codes) const {
        using batch = simd::batch<T>;
        using ibatch = simd::batch<index_type>;
        constexpr std::size_t w = simd::width<T>;
        const batch width(w_), lo(lowest()), hi(highest());
        std::size_t i = 0;
        for (; i + w <= n; i += w) {
            // Clamped (NaN to lo, as code_of) before floor, which on targets without a
            // rounding instruction (SSE2 doubles) converts lanes to int64: undefined for
            // |q| >= 2^63 and NaN. lo and hi are whole numbers, so the codes are unchanged.
            batch q = batch::load_unaligned(x + i) / width;
            q = xsimd::select(q >= lo, q, lo);
            q = xsimd::floor(xsimd::select(q <= hi, q, hi));
            const ibatch c = xsimd::batch_cast<index_type>(q);
            if constexpr (std::is_same_v<index_type, std::int32_t>) {
                c.store_unaligned(codes + i);
            } else {
                alignas(simd::alignment) index_type lane[w];
                c.store_aligned(lane);
                for (std::size_t k = 0; k < w; ++k) codes[i + k] = static_cast<std::int32_t>(lane[k]);
            }
        }
        for (; i < n; ++i) codes[i] = code_of(x[i]);
    }

    std::vector<double> boundaries(double lo, double hi) const {
        std::vector<double> out;
        if (!(lo < hi)) return out;
        detail::check_code_argument(lo, "mi::fitted_fixed_width::boundaries");
        detail::check_code_argument(hi, "mi::fitted_fixed_width::boundaries");
        auto f = [this](double x) { return static_cast<std::int64_t>(code_of(detail::to_type<T>(x))); };
        const std::int64_t first = f(lo), last = f(hi);
        if (last - first > 10000000)
            detail::fail("mi::fitted_fixed_width::boundaries", "hi - lo", hi - lo,
                         "a range of at most 1e7 bins of width " + detail::to_text(w_));
        for (std::int64_t k = first + 1; k <= last; ++k) {
            const double b = detail::first_at_least(f, k, lo, hi);
            if (b < hi) out.push_back(b);
        }
        return out;
    }

    double width() const noexcept { return w_; }

private:
    using index_type = std::conditional_t<sizeof(T) == 4, std::int32_t, std::int64_t>;
    // int32 limits representable in T (2^31 - 1 is not a float).
    static T highest() noexcept { return std::is_same_v<T, float> ? T(2147483520.0f) : T(2147483647.0); }
    static T lowest() noexcept { return T(-2147483648.0); }

    std::int32_t code_of(T x) const noexcept {
        T q = std::floor(x / w_);
        if (q > highest()) q = highest();
        if (!(q >= lowest())) q = lowest();
        return static_cast<std::int32_t>(q);
    }

    T w_;
};

class fixed_width {
public:
    explicit fixed_width(double width) : width_(width) {
        if (!(width > 0.0) || !std::isfinite(width)) detail::fail("mi::fixed_width", "width", width, "a finite value > 0");
        if (!(detail::to_type<float>(width) > 0.0f) || !std::isfinite(detail::to_type<float>(width)))
            detail::fail("mi::fixed_width", "width", width, "a value > 0 that is also finite and > 0 in float32");
    }

    template <class T>
    fitted_fixed_width<T> fit(const activation_view<const T>& layer) const {
        const auto r = detail::layer_range(layer, "mi::fixed_width::fit", "layer");
        const T w = detail::to_type<T>(width_);
        for (const double v : {r.first, r.second}) {
            const double q = std::floor(static_cast<double>(static_cast<T>(v) / w));
            if (!(q >= -2147483648.0 && q <= 2147483520.0))
                detail::fail("mi::fixed_width::fit", "width", width_,
                             "a width for which every code floor(h / width) of the layer fits in int32 (h = " +
                                 detail::to_text(v) + ")");
        }
        return fitted_fixed_width<T>(width_);
    }

    std::string name() const { return "fixed_width"; }
    std::string parameters() const { return "quantizer=fixed_width;width=" + detail::to_text(width_); }
    double width() const noexcept { return width_; }

private:
    double width_;
};

}  // namespace mi

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#endif
