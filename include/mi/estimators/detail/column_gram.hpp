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
// stay in the L2 cache across the tiles, copied as strips of 8 columns (each
// tile then reads two contiguous streams; the padding columns are zeros), and
// each tile resumes its sums from where the previous chunk left them (same
// order, same result).
#ifndef MI_ESTIMATORS_DETAIL_COLUMN_GRAM_HPP
#define MI_ESTIMATORS_DETAIL_COLUMN_GRAM_HPP

#include <algorithm>
#include <cstddef>
#include <vector>

#include "mi/core/parallel.hpp"
#include "mi/core/simd.hpp"
#include "mi/core/xtensor.hpp"
#include "mi/estimators/detail/dense_matrix.hpp"

namespace mi::detail {

/// a^T a of the row-major n x d matrix a, both triangles filled.
inline dense_matrix gram_of_columns(const dense_matrix& a) {
    constexpr std::size_t tile = 8;
    const std::size_t n = a.shape()[0], d = a.shape()[1];
    dense_matrix r = xt::zeros<double>({d, d});
    if (n == 0 || d == 0) return r;
    // columns padded with zeros to whole tiles: the kernel has no edge cases
    const std::size_t width = (d + tile - 1) / tile * tile, tiles = width / tile;
    const std::size_t chunk = std::max<std::size_t>(tile, (std::size_t{1} << 17) / width);  // ~1 MB of rows
    std::vector<std::size_t> first, second;  // the upper triangle's tile pairs
    for (std::size_t p = 0; p < tiles; ++p)
        for (std::size_t q = p; q < tiles; ++q) {
            first.push_back(p);
            second.push_back(q);
        }
    std::vector<double> strips(chunk * width, 0.0);  // the chunk's rows as strips of 8 columns
    std::vector<double> sums(first.size() * tile * tile, 0.0);  // each tile's running sums
    for (std::size_t i0 = 0; i0 < n; i0 += chunk) {
        const std::size_t rows = std::min(chunk, n - i0);
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t c = 0; c < d; ++c) strips[((c / tile) * rows + i) * tile + c % tile] = a(i0 + i, c);
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

}  // namespace mi::detail

#endif
