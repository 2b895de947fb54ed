// SPDX-License-Identifier: BSD-3-Clause
// The m leading eigenpairs of a symmetric positive semi-definite d x d
// matrix by block subspace iteration with Rayleigh-Ritz projection: the fast
// path of mi::pca (mi/projections/pca.hpp), which needs 4 directions of a
// 784 x 784 covariance, not all 784 that LAPACK's syevd computes.
//
// Saad, "Numerical Methods for Large Eigenvalue Problems" (2nd ed., SIAM 2011),
// sect. 5.2 (subspace iteration, Algorithm 5.3 with the Rayleigh-Ritz step);
// Halko, Martinsson & Tropp, SIAM Review 53(2), 2011, sect. 4.5 (the same
// power scheme behind scikit-learn's randomized PCA, which stops after a fixed
// number of steps instead of a residual test):
//
//   Q_0  = a Haar-random orthonormal d x l frame (l = m + oversampling)
//   Z    = C Q_k,   H = Q_k^T Z = S diag(theta) S^T    (l x l, Rayleigh-Ritz)
//   x_j  = Q_k s_j, with residual r_j = |C x_j - theta_j x_j| = |Z s_j - theta_j x_j|
//   stop when r_j <= tolerance * theta_1 for the m leading j; else Q_{k+1} = orth(Z S)
//
// The angle between x_j and the true eigenvector is at most r_j / gap_j
// (Davis-Kahan; Saad Theorem 3.9), gap_j the distance from theta_j to the rest
// of the spectrum, so the default tolerance 1e-12 gives directions that agree
// with a full decomposition to ~1e-12 lambda_1 / gap, the order of syevd's own
// rounding. The error after k steps falls like (lambda_{l+1} / lambda_j)^k, so
// a flat spectrum converges slowly: the caller gives a step limit and falls
// back to the full decomposition when it is reached (the function says so by
// returning false), as it does when the iterate loses rank (C of rank < l).
//
// Deterministic: the start frame comes from a fixed seed; the products are
// mi's own loops in a fixed order, and the l x l Rayleigh quotient is solved
// by Jacobi sweeps (mi/estimators/detail/jacobi_eigen.hpp), so neither BLAS
// nor its thread pool is involved and no thread count changes a bit. The
// frame is kept transposed (l x d, one direction per contiguous row).
#ifndef MI_ESTIMATORS_DETAIL_SUBSPACE_ITERATION_HPP
#define MI_ESTIMATORS_DETAIL_SUBSPACE_ITERATION_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "mi/core/mul_add.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/random.hpp"
#include "mi/core/simd.hpp"
#include "mi/core/stiefel_frame.hpp"
#include "mi/estimators/detail/dense_matrix.hpp"
#include "mi/estimators/detail/jacobi_eigen.hpp"

namespace mi::detail {

/// The dot product of two contiguous vectors in eight interleaved partial sums: a single running
/// sum is a chain of dependent additions, and the frame's Gram-Schmidt is made of them.
inline double dot_contiguous(const double* a, const double* b, std::size_t n) noexcept {
    double part[8] = {};
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (std::size_t k = 0; k < 8; ++k) part[k] += a[i + k] * b[i + k];
    for (std::size_t k = 0; i + k < n; ++k) part[k] += a[i + k] * b[i + k];
    return ((part[0] + part[4]) + (part[1] + part[5])) + ((part[2] + part[6]) + (part[3] + part[7]));
}

/// Orthonormalises the rows of the row-major l x d matrix in place (modified Gram-Schmidt,
/// twice). False when a row is numerically in the span of the earlier ones.
inline bool orthonormalize_rows(dense_matrix& q) {
    const std::size_t l = q.shape()[0], d = q.shape()[1];
    for (std::size_t j = 0; j < l; ++j) {
        double* row = &q(j, 0);
        const double before = dot_contiguous(row, row, d);
        for (int pass = 0; pass < 2; ++pass)
            for (std::size_t p = 0; p < j; ++p) {
                const double* earlier = &q(p, 0);
                const double dot = dot_contiguous(earlier, row, d);
                for (std::size_t i = 0; i < d; ++i) row[i] -= dot * earlier[i];
            }
        const double norm = dot_contiguous(row, row, d);
        if (!(norm > 1e-24 * before) || !(norm > 0.0)) return false;
        const double inv = 1.0 / std::sqrt(norm);
        for (std::size_t i = 0; i < d; ++i) row[i] *= inv;
    }
    return true;
}

/// out = coef b: row j of out is sum_i coef(j, i) b(i, :), the i in increasing order (l x k times
/// k x d, row-major). Eight rows of out by one batch of columns in registers; column blocks over
/// mi's threads when the product is large (each entry's sum is the same whatever thread takes it).
inline dense_matrix combine_rows(const dense_matrix& coef, const dense_matrix& b) {
    using batch = simd::batch<double>;
    constexpr std::size_t per_batch = simd::width<double>, group = 8, block = 128;
    const std::size_t l = coef.shape()[0], k = coef.shape()[1], d = b.shape()[1];
    dense_matrix out = xt::zeros<double>({l, d});
    // coef transposed, its rows padded with zeros to whole groups: the register loop has a fixed length
    const std::size_t padded = (l + group - 1) / group * group;
    std::vector<double> ct(k * padded, 0.0);
    for (std::size_t j = 0; j < l; ++j)
        for (std::size_t i = 0; i < k; ++i) ct[i * padded + j] = coef(j, i);
    const std::size_t blocks = (d + block - 1) / block;
    const auto run = [&](std::size_t blk) {
        const std::size_t c0 = blk * block, c1 = std::min(d, c0 + block);
        for (std::size_t j0 = 0; j0 < l; j0 += group) {
            const std::size_t rows = std::min(group, l - j0);
            std::size_t c = c0;
            for (; c + per_batch <= c1; c += per_batch) {
                batch acc[group];
                for (std::size_t g = 0; g < group; ++g) acc[g] = batch(0.0);
                for (std::size_t i = 0; i < k; ++i) {
                    const batch v = batch::load_unaligned(&b(i, c));
                    const double* f = ct.data() + i * padded + j0;
                    for (std::size_t g = 0; g < group; ++g) acc[g] = simd::fma(batch(f[g]), v, acc[g]);
                }
                for (std::size_t g = 0; g < rows; ++g) acc[g].store_unaligned(&out(j0 + g, c));
            }
            for (; c < c1; ++c)  // the last columns, one at a time, same order
                for (std::size_t g = 0; g < rows; ++g) {
                    double acc = 0.0;
                    for (std::size_t i = 0; i < k; ++i) acc = mul_add(ct[i * padded + j0 + g], b(i, c), acc);
                    out(j0 + g, c) = acc;
                }
        }
    };
    if (l * k * d >= (std::size_t{1} << 20)) parallel_for(blocks, run);
    else for (std::size_t blk = 0; blk < blocks; ++blk) run(blk);
    return out;
}

/// What subspace_eigen found: eigenvalues (descending) and eigenvectors (columns, d x m).
struct leading_eigenpairs {
    std::vector<double> values;
    dense_matrix vectors;
    std::size_t steps = 0;  ///< products with C taken
};

/// The m leading eigenpairs of the symmetric PSD matrix c (both triangles stored) by subspace
/// iteration with blocks of l >= m columns, at most max_steps products with c. False (out
/// untouched) when not converged to `tolerance` within them or when the iterate lost rank:
/// the caller then takes the full decomposition. The frame is kept transposed (l x d, one
/// direction per contiguous row) for the Gram-Schmidt and the residuals.
inline bool subspace_eigen(const dense_matrix& c, std::size_t m, std::size_t l, std::size_t max_steps,
                           double tolerance, leading_eigenpairs& out) {
    const std::size_t d = c.shape()[0];
    if (m < 1 || l < m || l > d) return false;
    rng r(0x5EED5AB5Bull);
    const std::vector<double> start = stiefel_frame(d, l, r);  // d x l, row-major
    dense_matrix qt = xt::zeros<double>({l, d});
    for (std::size_t i = 0; i < d; ++i)
        for (std::size_t j = 0; j < l; ++j) qt(j, i) = start[i * l + j];
    dense_matrix sdt = xt::zeros<double>({l, l}), h = xt::zeros<double>({l, l});
    for (std::size_t step = 1; step <= max_steps; ++step) {
        const dense_matrix zt = combine_rows(qt, c);  // (C Q)^T, C symmetric
        for (std::size_t a = 0; a < l; ++a)           // Q^T C Q, symmetrised
            for (std::size_t b = 0; b <= a; ++b)
                h(a, b) = h(b, a) = 0.5 * (dot_contiguous(&qt(a, 0), &zt(b, 0), d) + dot_contiguous(&qt(b, 0), &zt(a, 0), d));
        std::vector<double> theta;
        dense_matrix s;
        if (!jacobi_eigen(h, theta, s)) return false;
        // S^T in descending order: LAPACK's ascending columns reversed, as rows
        std::vector<double> theta_desc(l);
        for (std::size_t j = 0; j < l; ++j) {
            theta_desc[j] = theta[l - 1 - j];
            for (std::size_t i = 0; i < l; ++i) sdt(j, i) = s(i, l - 1 - j);
        }
        if (!(theta_desc[0] > 0.0)) return false;  // C = 0 on the frame: no leading direction to find
        const dense_matrix xt_ritz = combine_rows(sdt, qt);  // Ritz vectors x_j as rows
        dense_matrix czt = combine_rows(sdt, zt);            // C x_j as rows
        double worst = 0.0;
        for (std::size_t j = 0; j < m; ++j) {
            double rr = 0.0;
            for (std::size_t i = 0; i < d; ++i) {
                const double e = czt(j, i) - theta_desc[j] * xt_ritz(j, i);
                rr += e * e;
            }
            worst = std::max(worst, std::sqrt(rr));
        }
        if (worst <= tolerance * theta_desc[0]) {
            out.values.assign(theta_desc.begin(), theta_desc.begin() + static_cast<std::ptrdiff_t>(m));
            out.vectors = xt::zeros<double>({d, m});
            for (std::size_t i = 0; i < d; ++i)
                for (std::size_t j = 0; j < m; ++j) out.vectors(i, j) = xt_ritz(j, i);
            out.steps = step;
            return true;
        }
        if (!orthonormalize_rows(czt)) return false;
        qt = std::move(czt);
    }
    return false;
}

}  // namespace mi::detail

#endif
