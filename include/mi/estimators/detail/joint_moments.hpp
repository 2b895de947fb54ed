// SPDX-License-Identifier: BSD-3-Clause
// The second moments of two views' columns side by side, from which
// sliced<gaussian_slice> takes every slice's covariance without projecting
// the rows (mi/estimators/sliced.hpp).
//
// Why: the Gaussian form of a slice needs only the 2k x 2k covariance of the
// projections (A^T x, B^T t), which is U^T S U for the (dx + dt) x (dx + dt)
// covariance S of the rows and U = diag(A, B). Projecting costs n M k (dx + dt)
// multiply-adds for M slices, S costs n (dx + dt)^2 / 2 once, and then each
// slice O((dx + dt)^2 k): on narrow layers (SZT: 12 + 10 columns, 128 slices)
// about a tenth of the work. The two differ by rounding only, except where U^T S U
// cancels to rounding (a direction nearly orthogonal to every centred row), which
// slice_covariance reports so that the caller projects that slice instead.
//
// Scaling: column c of the centred rows is divided by its largest deviation
// rounded down to a power of two (as gaussian_slice does with the projections),
// so the sums neither overflow nor underflow; the frames take the factor back,
// relative to the largest of their side (a power of two: exact), so that a layer
// scaled by 2^e gives the same bits.
#ifndef MI_ESTIMATORS_DETAIL_JOINT_MOMENTS_HPP
#define MI_ESTIMATORS_DETAIL_JOINT_MOMENTS_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/mul_add.hpp"
#include "mi/estimators/detail/column_gram.hpp"
#include "mi/estimators/detail/dense_matrix.hpp"

namespace mi::detail {

/// The power of two at or below the largest deviation from `mean` of a column whose values span
/// [lo, hi] (1 when they are all equal): dividing the centred values by it is exact when it is a
/// normal number, and keeps them within [-2, 2] at any scale of the layer. Infinite when the
/// deviation overflows.
inline double centring_scale(double lo, double hi, double mean) {
    const double dev = std::max(std::fabs(lo - mean), std::fabs(hi - mean));
    return dev > 0.0 ? std::ldexp(1.0, std::ilogb(dev)) : 1.0;
}

/// The centred, scaled second moments of the columns of (a, b): a's columns first.
struct joint_moments {
    std::size_t columns_a = 0;
    /// Column c's power-of-two scale relative to the largest of its side (so at most 1; 0 for a
    /// constant column, whose centred values are exactly 0).
    std::vector<double> relative_scale;
    /// sum over the rows of z z^T, z the row centred and divided by the column scales.
    dense_matrix gram;
    bool a_constant = true, b_constant = true;  ///< every row of that side the same
};

/// The moments of finite views a and b with the same rows; false when a column's sum overflows
/// (values near DBL_MAX: the caller projects instead).
template <class A, class B>
bool joint_moments_of(const activation_view<const A>& a, const activation_view<const B>& b, joint_moments& out) {
    const std::size_t n = a.rows(), da = a.cols(), db = b.cols(), d = da + db;
    std::vector<double> sum(d, 0.0), lo(d, std::numeric_limits<double>::infinity()),
        hi(d, -std::numeric_limits<double>::infinity());
    // each column's sum over the rows in order, its least and its largest value: independent
    // columns side by side, which the compiler vectorises
    const auto statistics = [n](const auto& v, double* __restrict s, double* __restrict l, double* __restrict h) {
        const std::size_t cols = v.cols();
        for (std::size_t i = 0; i < n; ++i) {
            const auto* __restrict r = v.row(i);
            for (std::size_t c = 0; c < cols; ++c) {
                const double x = static_cast<double>(r[c]);
                s[c] += x;
                l[c] = x < l[c] ? x : l[c];
                h[c] = h[c] < x ? x : h[c];
            }
        }
    };
    statistics(a, sum.data(), lo.data(), hi.data());
    statistics(b, sum.data() + da, lo.data() + da, hi.data() + da);
    // column c becomes (x - mean) * reciprocal; a constant column exactly 0 (mean = its value, reciprocal 0)
    std::vector<double> mean(d), scale(d, 0.0), reciprocal(d, 0.0);
    double largest_a = 0.0, largest_b = 0.0;
    bool normal = true;  // every reciprocal exact: the product is then the quotient, bit for bit
    out.columns_a = da;
    out.a_constant = out.b_constant = true;
    for (std::size_t c = 0; c < d; ++c) {
        if (!std::isfinite(sum[c])) return false;
        if (lo[c] == hi[c]) {
            mean[c] = lo[c];
            continue;
        }
        (c < da ? out.a_constant : out.b_constant) = false;
        mean[c] = sum[c] / static_cast<double>(n);
        scale[c] = centring_scale(lo[c], hi[c], mean[c]);
        if (!std::isfinite(scale[c])) return false;
        reciprocal[c] = 1.0 / scale[c];
        normal &= scale[c] >= std::numeric_limits<double>::min();
        double& largest = c < da ? largest_a : largest_b;
        largest = std::max(largest, scale[c]);
    }
    // the centred, scaled columns go straight into the Gram product's strips, a chunk of rows at a
    // time: a block of rows centred into a buffer padded to whole strips (contiguous, vectorised),
    // then copied a strip's width at a time. The block keeps each copy's wide load well behind the
    // narrower stores that wrote its values: a load right after them could not take their values
    // from the store buffer and waited for them to reach the cache (row by row, those waits were
    // a quarter of a sliced Gaussian estimate on SZT).
    constexpr std::size_t block = 32;
    const std::size_t tiles = (d + gram_tile - 1) / gram_tile, width = tiles * gram_tile;
    std::vector<double> buffer(block * width, 0.0);
    const auto centre = [&](const auto* __restrict r, std::size_t cols, std::size_t offset, double* __restrict z) {
        const double *m = mean.data() + offset, *q = reciprocal.data() + offset, *sc = scale.data() + offset;
        if (normal)
            for (std::size_t c = 0; c < cols; ++c) z[c] = (static_cast<double>(r[c]) - m[c]) * q[c];
        else
            for (std::size_t c = 0; c < cols; ++c) z[c] = sc[c] > 0.0 ? (static_cast<double>(r[c]) - m[c]) / sc[c] : 0.0;
    };
    out.gram = gram_of_strips(n, d, [&](std::size_t i0, std::size_t rows, double* strips) {
        for (std::size_t b0 = 0; b0 < rows; b0 += block) {
            const std::size_t in_block = std::min(block, rows - b0);
            for (std::size_t i = 0; i < in_block; ++i) {
                centre(a.row(i0 + b0 + i), da, 0, buffer.data() + i * width);
                centre(b.row(i0 + b0 + i), db, da, buffer.data() + i * width + da);
            }
            for (std::size_t t = 0; t < tiles; ++t)
                for (std::size_t i = 0; i < in_block; ++i)
                    std::copy(buffer.data() + i * width + t * gram_tile, buffer.data() + i * width + (t + 1) * gram_tile,
                              strips + (t * rows + b0 + i) * gram_tile);
        }
    });
    out.relative_scale.assign(d, 0.0);
    for (std::size_t c = 0; c < d; ++c)
        if (scale[c] > 0.0) out.relative_scale[c] = scale[c] / (c < da ? largest_a : largest_b);
    return true;
}

/// The 2k x 2k covariance (row-major, the lower triangle; in the units of the scaled columns) of the
/// projections of the rows on the frames fa (da x k, row-major: a's side) and fb (db x k), as
/// gaussian_slice reads it: a's k columns first. False when a projection's variance is within
/// rounding of cancelling (below 1e-7 d of the sum of its terms' magnitudes, squared, d the
/// columns): its relative error could then exceed 1e-9, and the caller projects the rows instead.
inline bool slice_covariance(const joint_moments& jm, const std::vector<double>& fa, const std::vector<double>& fb,
                             std::size_t k, std::vector<double>& cov) {
    const std::size_t d = jm.gram.shape()[0], da = jm.columns_a, m = 2 * k;
    // the rows where column j of U lives: a's k columns on a's rows, b's on b's
    const auto first = [&](std::size_t j) { return j < k ? std::size_t{0} : da; };
    const auto last = [&](std::size_t j) { return j < k ? da : d; };
    // U column by column: the frames with the columns' scales
    std::vector<double> u(m * d, 0.0), gu(m * d, 0.0);
    for (std::size_t j = 0; j < k; ++j) {
        for (std::size_t c = 0; c < da; ++c) u[j * d + c] = fa[c * k + j] * jm.relative_scale[c];
        for (std::size_t c = da; c < d; ++c) u[(k + j) * d + c] = fb[(c - da) * k + j] * jm.relative_scale[c];
    }
    // G U where the lower triangle of U^T G U reads it (a's columns on every row, b's on b's rows), row
    // by row of the symmetric G: independent sums side by side, which the compiler vectorises
    for (std::size_t j = 0; j < m; ++j) {
        double* out = gu.data() + j * d;
        for (std::size_t e = first(j); e < last(j); ++e) {
            const double ue = u[j * d + e];
            const double* g = jm.gram.data() + e * d;
            for (std::size_t c = first(j); c < d; ++c) out[c] = mul_add(g[c], ue, out[c]);
        }
    }
    cov.assign(m * m, 0.0);
    for (std::size_t j = 0; j < m; ++j) {
        for (std::size_t l = 0; l <= j; ++l)
            for (std::size_t c = first(j); c < last(j); ++c)
                cov[j * m + l] = mul_add(u[j * d + c], gu[l * d + c], cov[j * m + l]);
        double magnitude = 0.0;
        for (std::size_t c = first(j); c < last(j); ++c)
            magnitude += std::fabs(u[j * d + c]) * std::sqrt(jm.gram(c, c));
        if (!(cov[j * m + j] > 1e-7 * static_cast<double>(d) * magnitude * magnitude)) return false;
    }
    return true;
}

}  // namespace mi::detail

#endif
