// SPDX-License-Identifier: BSD-3-Clause
// All eigenpairs of a small symmetric matrix by the cyclic Jacobi method:
// Golub & Van Loan, "Matrix Computations" (4th ed., 2013), sect. 8.5.2-8.5.3
// (Algorithm 8.5.1 for the rotation, 8.5.3 for the row-by-row sweep), with
// the rotation tangent t = sign(tau) / (|tau| + sqrt(1 + tau^2)), the smaller
// root, which keeps every rotation angle at most pi/4.
//
// Why not LAPACK here: mi::pca's subspace iteration solves one l x l Rayleigh
// quotient per step (l = m + 10), and its full path solves the covariance of a
// narrow layer. OpenBLAS 0.3.21's syevd runs dsymv on all of its threads even
// for a 10 x 10 matrix (mi/estimators/detail/linalg.hpp), so every such call
// woke OpenBLAS's pool, whose threads then spin for up to ~0.1 s beside mi's
// own: a compressed point took twice as long in half the runs. The sweep
// below uses no BLAS and no thread, and its result does not depend on
// OPENBLAS_NUM_THREADS.
//
// Accuracy: sweeps stop when the off-diagonal part's Frobenius norm is below
// 2^-52 times the whole matrix's (GVL (8.5.7): the diagonal is then within
// that of the eigenvalues, as LAPACK's backward-stable syevd); the eigenvectors
// are the product of the rotations, orthonormal to rounding. Convergence is
// quadratic; a sweep limit of 64 is never reached on finite input, and it is
// reported (false) rather than hidden.
#ifndef MI_ESTIMATORS_DETAIL_JACOBI_EIGEN_HPP
#define MI_ESTIMATORS_DETAIL_JACOBI_EIGEN_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "mi/core/xtensor.hpp"
#include "mi/estimators/detail/dense_matrix.hpp"

namespace mi::detail {

/// Eigenvalues of the symmetric n x n matrix a (both triangles stored, finite) in ascending
/// order, with the orthonormal eigenvectors as the columns of `vectors`, like LAPACK's syevd.
/// False when the sweeps did not converge (values and vectors then unspecified).
inline bool jacobi_eigen(const dense_matrix& a, std::vector<double>& values, dense_matrix& vectors) {
    const std::size_t n = a.shape()[0];
    dense_matrix m = a;
    dense_matrix v = xt::zeros<double>({n, n});
    for (std::size_t i = 0; i < n; ++i) v(i, i) = 1.0;
    // the norms in units of the largest entry, so that squares of entries near the top of the
    // double range cannot overflow into an infinite limit (which would stop before any rotation)
    double largest = 0.0;
    for (const double x : m) largest = std::max(largest, std::fabs(x));
    const double unit = largest > 0.0 ? 1.0 / largest : 1.0;
    double whole = 0.0;
    for (const double x : m) whole += (x * unit) * (x * unit);
    const double limit = std::numeric_limits<double>::epsilon() * std::numeric_limits<double>::epsilon() * whole;
    bool converged = false;
    for (int sweep = 0; sweep < 64 && !converged; ++sweep) {
        double off = 0.0;
        for (std::size_t p = 0; p < n; ++p)
            for (std::size_t q = p + 1; q < n; ++q) off += 2.0 * (m(p, q) * unit) * (m(p, q) * unit);
        if (off <= limit) {
            converged = true;
            break;
        }
        for (std::size_t p = 0; p + 1 < n; ++p)
            for (std::size_t q = p + 1; q < n; ++q) {
                const double apq = m(p, q);
                if (apq == 0.0) continue;
                const double tau = (m(q, q) - m(p, p)) / (2.0 * apq);
                const double t = (tau >= 0.0 ? 1.0 : -1.0) / (std::fabs(tau) + std::sqrt(1.0 + tau * tau));
                const double c = 1.0 / std::sqrt(1.0 + t * t), s = t * c;
                for (std::size_t k = 0; k < n; ++k) {  // columns p and q: M J
                    const double mkp = m(k, p), mkq = m(k, q);
                    m(k, p) = c * mkp - s * mkq;
                    m(k, q) = s * mkp + c * mkq;
                }
                for (std::size_t k = 0; k < n; ++k) {  // rows p and q: J^T (M J)
                    const double mpk = m(p, k), mqk = m(q, k);
                    m(p, k) = c * mpk - s * mqk;
                    m(q, k) = s * mpk + c * mqk;
                }
                m(p, q) = m(q, p) = 0.0;  // annihilated by construction (GVL 8.5.1)
                for (std::size_t k = 0; k < n; ++k) {
                    const double vkp = v(k, p), vkq = v(k, q);
                    v(k, p) = c * vkp - s * vkq;
                    v(k, q) = s * vkp + c * vkq;
                }
            }
    }
    if (!converged) return false;
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return m(x, x) < m(y, y); });
    values.resize(n);
    vectors = xt::zeros<double>({n, n});
    for (std::size_t j = 0; j < n; ++j) {
        values[j] = m(order[j], order[j]);
        for (std::size_t i = 0; i < n; ++i) vectors(i, j) = v(i, order[j]);
    }
    return true;
}

}  // namespace mi::detail

#endif
