// SPDX-License-Identifier: BSD-3-Clause
// A^T A of a row-major n x d matrix (the unscaled covariance of centred rows,
// mi::pca's first step), on mi's own threads instead of BLAS syrk.
//
// Why not BLAS: OpenBLAS's syrk splits over its own thread pool, whose
// threads then spin for up to ~0.1 s beside mi's (see
// mi/estimators/detail/jacobi_eigen.hpp), and the split makes the last bits
// depend on OPENBLAS_NUM_THREADS. Here every entry is one running sum over the
// rows in increasing order (a fused multiply-add where the target has one,
// as mi::detail::mul_add), so no thread count changes it.
//
// Layout: the upper triangle in 8 x 8 tiles, one tile per work item, eight
// accumulators of eight lanes in registers. The rows are taken in chunks that
// stay in the L2 cache across the tiles, written as strips of 8 columns (each
// tile then reads two contiguous streams), and
// each tile resumes its sums from where the previous chunk left them (same
// order, same result).
#ifndef MI_ESTIMATORS_DETAIL_COLUMN_GRAM_HPP
#define MI_ESTIMATORS_DETAIL_COLUMN_GRAM_HPP

#include <algorithm>
#include <cstddef>
#include <vector>

#include "mi/core/parallel.hpp"
#include "mi/core/scratch.hpp"
#include "mi/core/simd.hpp"
#include "mi/core/xtensor.hpp"
#include "mi/estimators/detail/dense_matrix.hpp"

namespace mi::detail {

/// The columns of a strip of gram_of_strips.
inline constexpr std::size_t gram_tile = 8;

/// The d x d sum over the n rows r of r r^T, both triangles filled, from rows that `fill` writes a
/// chunk at a time as strips of gram_tile columns: fill(i0, rows, strips) puts column c of row
/// i0 + i (i < rows) at strips[((c / gram_tile) * rows + i) * gram_tile + c % gram_tile]. The
/// padding columns up to a whole tile need not be written: they only meet each other and padding
/// in the sums, which are dropped. A caller that computes its columns (centred, scaled: the joint
/// moments of sliced MI) writes them here directly instead of into a matrix that is then copied.

template <class Fill>
dense_matrix gram_of_strips(std::size_t n, std::size_t d, Fill&& fill) {
    constexpr std::size_t tile = gram_tile;
    dense_matrix r = xt::zeros<double>({d, d});
    if (n == 0 || d == 0) return r;
    // columns padded to whole tiles: the kernel has no edge cases
    const std::size_t width = (d + tile - 1) / tile * tile, tiles = width / tile;
    const std::size_t chunk = std::max<std::size_t>(tile, (std::size_t{1} << 17) / width);  // ~1 MB of rows
    std::vector<std::size_t> first, second;  // the upper triangle's tile pairs
    for (std::size_t p = 0; p < tiles; ++p)
        for (std::size_t q = p; q < tiles; ++q) {
            first.push_back(p);
            second.push_back(q);
        }
    // the chunk's rows as strips; from the block cache, whose pages are already mapped when an
    // estimate is repeated (a plane's points)
    cached_vector<double> strips(std::min(chunk, n) * width, 0.0);
    std::vector<double> sums(first.size() * tile * tile, 0.0);  // each tile's running sums
    for (std::size_t i0 = 0; i0 < n; i0 += chunk) {
        const std::size_t rows = std::min(chunk, n - i0);
        fill(i0, rows, strips.data());
        parallel_for(first.size(), [&](std::size_t t) {
            using batch = simd::batch<double>;
            constexpr std::size_t per_batch = simd::width<double>, parts = tile / per_batch;
            static_assert(tile % per_batch == 0, "a tile row is whole batches");
            batch acc[tile][parts];
            double* out = sums.data() + t * tile * tile;
            for (std::size_t u = 0; u < tile; ++u)
                for (std::size_t w = 0; w < parts; ++w) acc[u][w] = batch::load_unaligned(out + u * tile + w * per_batch);
            const double* su = strips.data() + first[t] * rows * tile;
            const double* sw = strips.data() + second[t] * rows * tile;
            for (std::size_t i = 0; i < rows; ++i) {
                batch y[parts];
                for (std::size_t w = 0; w < parts; ++w) y[w] = batch::load_unaligned(sw + i * tile + w * per_batch);
                for (std::size_t u = 0; u < tile; ++u) {
                    const batch x(su[i * tile + u]);
                    for (std::size_t w = 0; w < parts; ++w) acc[u][w] = simd::fma(x, y[w], acc[u][w]);
                }
            }
            for (std::size_t u = 0; u < tile; ++u)
                for (std::size_t w = 0; w < parts; ++w) acc[u][w].store_unaligned(out + u * tile + w * per_batch);
        });
    }
    for (std::size_t t = 0; t < first.size(); ++t)
        for (std::size_t u = 0; u < tile; ++u)
            for (std::size_t w = 0; w < tile; ++w) {
                const std::size_t i = first[t] * tile + u, j = second[t] * tile + w;
                if (i < d && j < d && i <= j) r(i, j) = r(j, i) = sums[t * tile * tile + u * tile + w];
            }
    return r;
}

/// a^T a of the row-major n x d matrix a, both triangles filled.
inline dense_matrix gram_of_columns(const dense_matrix& a) {
    const std::size_t n = a.shape()[0], d = a.shape()[1];
    return gram_of_strips(n, d, [&](std::size_t i0, std::size_t rows, double* strips) {
        for (std::size_t c0 = 0; c0 < d; c0 += gram_tile) {
            const std::size_t width = std::min(gram_tile, d - c0);
            double* strip = strips + c0 * rows;  // (c0 / gram_tile) * rows * gram_tile
            for (std::size_t i = 0; i < rows; ++i) {
                const double* src = a.data() + (i0 + i) * d + c0;
                for (std::size_t u = 0; u < width; ++u) strip[i * gram_tile + u] = src[u];
            }
        }
    });
}

}  // namespace mi::detail

#endif
