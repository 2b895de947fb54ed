// SPDX-License-Identifier: BSD-3-Clause
// The LAPACK-backed helpers of the estimators that need dense linear algebra
// (linear_gaussian, gaussian_bound, renyi): symmetric eigen-decompositions
// (LAPACK syevd through xtensor-blas), log-determinants of covariance
// matrices, and the conversion of a user's matrix (any mi::view source) into
// a double matrix. This header and the three estimators above are the only
// ones that include xtensor-blas, so the rest of mi needs no BLAS; programs
// that include them link mi::linalg.
//
// Threads: mi's own thread count never changes these results, but OpenBLAS's
// can. Its 0.3.21 syevd reduces the matrix to tridiagonal form with dsymv, which
// it splits over all of OpenBLAS's threads whatever the size, and adds the parts:
// a compressed<pca, weighted_kl> point on a 10-unit layer moved by 2e-15
// relative between OPENBLAS_NUM_THREADS=1 and 2 (measured 2026-12-04). The same
// threads spin for up to ~0.1 s after each such call, beside the estimator's
// own: that point took twice as long in half the runs. mi::pca therefore takes
// its covariance, its subspace iteration and its narrow decompositions without
// BLAS (column_gram.hpp, subspace_iteration.hpp, jacobi_eigen.hpp); for the
// estimators that still call LAPACK here, OPENBLAS_THREAD_TIMEOUT=4 in the
// environment makes the threads sleep at once instead.
//
// Log-determinants are taken from the eigenvalues (sum of log lambda_i), not
// from an LU or Cholesky factor: the matrices are symmetric, and the
// eigenvalues also say how far from positive definite a singular input is,
// which is what the error message reports.
#ifndef MI_ESTIMATORS_DETAIL_LINALG_HPP
#define MI_ESTIMATORS_DETAIL_LINALG_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/xtensor.hpp"
#include "mi/estimators/detail/dense_matrix.hpp"

#include <xtensor-blas/xlinalg.hpp>

namespace mi::detail {

/// A finite matrix from a view, as doubles (row-major), times 2^scale_exponent (exact).
template <class T>
dense_matrix to_matrix(const activation_view<const T>& v, const char* where, const char* argument,
                       int scale_exponent = 0) {
    check_activations(v, where, argument);
    dense_matrix m = xt::zeros<double>({v.rows(), v.cols()});
    for (std::size_t i = 0; i < v.rows(); ++i)
        for (std::size_t j = 0; j < v.cols(); ++j) m(i, j) = std::ldexp(static_cast<double>(v(i, j)), scale_exponent);
    return m;
}

/// Throws unless every entry is finite: a product of finite inputs can still overflow, and
/// LAPACK given Inf/NaN returns NaN eigenvalues or fails to converge.
inline void require_finite(const dense_matrix& m, const char* where, const char* argument) {
    for (const double v : m)
        if (!std::isfinite(v))
            fail(where, argument, "a matrix with an entry " + to_text(v),
                 "finite entries (inputs so large that their products overflow double: rescale them)");
}

/// Runs a LAPACK-backed call; xtensor-blas reports a failed factorisation (e.g. "Eigenvalue
/// computation did not converge.") as std::runtime_error, which becomes mi::error naming the
/// estimator's call and the matrix.
template <class F>
auto lapack_call(F&& f, const char* where, const char* argument) -> decltype(f()) {
    try {
        return f();
    } catch (const error&) {
        throw;
    } catch (const std::exception& e) {
        fail(where, argument, std::string("a matrix LAPACK could not decompose (") + e.what() + ")",
             "a well-conditioned finite matrix");
    }
}

/// Throws unless m is square and symmetric to rounding.
inline void require_symmetric(const dense_matrix& m, const char* where, const char* argument) {
    if (m.shape()[0] != m.shape()[1])
        fail(where, argument, std::to_string(m.shape()[0]) + "x" + std::to_string(m.shape()[1]) + " matrix",
             "a square matrix");
    const std::size_t n = m.shape()[0];
    double scale = 0.0;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) scale = std::max(scale, std::abs(m(i, j)));
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j)
            if (std::abs(m(i, j) - m(j, i)) > 1e-10 * scale)
                fail(where, (std::string(argument) + "(" + std::to_string(i) + ", " + std::to_string(j) + ")").c_str(),
                     m(i, j), "a symmetric matrix (entry (" + std::to_string(j) + ", " + std::to_string(i) +
                                  ") is " + to_text(m(j, i)) + ")");
}

/// Finite entries can still have eigenvalues beyond the largest double (n entries near it):
/// LAPACK then returns inf, which would reach a log det or a ratio as an infinite result.
inline void require_finite_eigenvalues(const std::vector<double>& values, const char* where,
                                       const char* argument) {
    for (const double l : values)
        if (!std::isfinite(l))
            fail(where, (std::string(argument) + " eigenvalue").c_str(), l,
                 "a finite value (inputs so large that their products overflow double: rescale them)");
}

/// Eigenvalues (ascending) of a symmetric matrix; only its lower triangle is read.
inline std::vector<double> sym_eigenvalues(const dense_matrix& m, const char* where = "mi",
                                           const char* argument = "symmetric matrix") {
    if (m.size() == 0) return {};
    require_finite(m, where, argument);
    const auto w = lapack_call([&] { return xt::eval(xt::linalg::eigvalsh(m)); }, where, argument);
    std::vector<double> out(w.begin(), w.end());
    std::sort(out.begin(), out.end());
    require_finite_eigenvalues(out, where, argument);
    return out;
}

/// Eigenvalues (ascending) and eigenvectors (columns of `vectors`) of a symmetric matrix.
inline void sym_eigen(const dense_matrix& m, std::vector<double>& values, dense_matrix& vectors,
                      const char* where = "mi", const char* argument = "symmetric matrix") {
    require_finite(m, where, argument);
    const auto wv = lapack_call([&] { return xt::linalg::eigh(m); }, where, argument);
    const auto& w = std::get<0>(wv);
    const auto& v = std::get<1>(wv);
    const std::size_t n = w.size();
    values.assign(w.begin(), w.end());
    require_finite_eigenvalues(values, where, argument);
    vectors = xt::zeros<double>({n, n});
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) vectors(i, j) = v(i, j);
}

/// Throws unless the symmetric matrix is positive semi-definite (eigenvalues >= -1e-10 max |lambda|).
inline void require_psd(const dense_matrix& m, const char* where, const char* argument) {
    require_symmetric(m, where, argument);
    const auto w = sym_eigenvalues(m, where, argument);
    if (w.empty()) return;
    const double scale = std::max(std::abs(w.front()), std::abs(w.back()));
    if (w.front() < -1e-10 * scale)
        fail(where, (std::string(argument) + " smallest eigenvalue").c_str(), w.front(),
             ">= 0 (a covariance matrix is positive semi-definite)");
}

/// log det of a symmetric positive definite matrix from its eigenvalues.
inline double logdet_spd(const dense_matrix& m, const char* where, const char* argument) {
    const auto w = sym_eigenvalues(m, where, argument);
    double s = 0.0;
    for (const double l : w) {
        if (!(l > 0.0))
            fail(where, (std::string(argument) + " eigenvalue").c_str(), l,
                 "> 0 (a positive definite matrix; is a noise variance zero?)");
        s += std::log(l);
    }
    return s;
}

/// a * b (BLAS gemm through xtensor-blas).
inline dense_matrix matmul(const dense_matrix& a, const dense_matrix& b) {
    dense_matrix r = xt::linalg::dot(a, b);
    return r;
}

/// a * b^T.
inline dense_matrix matmul_t(const dense_matrix& a, const dense_matrix& b) {
    dense_matrix bt = xt::transpose(b);
    dense_matrix r = xt::linalg::dot(a, bt);
    return r;
}

/// Symmetric part (m + m^T) / 2, removing the rounding asymmetry of products.
inline dense_matrix symmetrized(const dense_matrix& m) {
    dense_matrix r = m;
    const std::size_t n = m.shape()[0];
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) r(i, j) = 0.5 * (m(i, j) + m(j, i));
    return r;
}

}  // namespace mi::detail

#endif
