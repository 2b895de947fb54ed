// SPDX-License-Identifier: BSD-3-Clause
// pca: the projection policy (mi/projections/concept.hpp) onto the m leading
// principal components of the rows, the compressor Butakov et al. apply to
// layer outputs ("Information Bottleneck Analysis of Deep Neural Networks via
// Lossy Compression", ICLR 2024, arXiv 2305.08013; their released
// experiments reduce every layer to 4 principal components):
//
//   C = (1/(N-1)) (X - 1 mean)^T (X - 1 mean)          sample covariance, d x d
//   C = V diag(lambda) V^T,  lambda_1 >= ... >= lambda_d
//   y = (x - mean) [v_1 ... v_m']                       m' = min(m, d)
//
// The covariance is mi's own tiled product (mi/estimators/detail/column_gram.hpp).
// Its m leading eigenvectors come from one of two solvers, which agree to
// rounding:
//   full      all d eigenpairs: O(d^3); LAPACK syevd, or, for the automatic
//             solver on at most 32 columns, Jacobi sweeps
//             (mi/estimators/detail/jacobi_eigen.hpp);
//   subspace  block subspace iteration with Rayleigh-Ritz on C, stopped when
//             every leading Ritz pair has residual |C x - theta x| <= 1e-12
//             lambda_1 (mi/estimators/detail/subspace_iteration.hpp): O(d^2 l)
//             per step, l = m + 10 columns. A flat spectrum that has not
//             converged within the step limit falls back to `full`, so the
//             result is always a converged decomposition.
//   automatic (the default) takes subspace when the block is at most half of
//             d, full otherwise (small d: a full decomposition is as cheap).
// Neither the covariance, the subspace iteration nor the Jacobi sweeps use
// BLAS, so on those paths OpenBLAS's threads neither start nor change a bit.
// scikit-learn's PCA picks a randomized SVD for the same shapes ('auto'
// solver) but stops after a fixed number of power steps without a residual
// test; the residual test is what lets mi's fast path give the full solver's
// directions (to ~1e-12 lambda_1 / eigengap).
//
// Signs: each direction is flipped so that its entry of largest magnitude is
// positive (the first such entry on ties), so the map is a function of the
// data alone.
// Equal eigenvalues make the directions inside their eigenspace arbitrary;
// the mutual information of the projection does not depend on that choice
// when the whole eigenspace is kept.
//
// Needs LAPACK: link mi::linalg. Bad rows (fewer than two, NaN/Inf) throw
// mi::error. explained_variance(rows) returns the m' leading eigenvalues.
#ifndef MI_PROJECTIONS_PCA_HPP
#define MI_PROJECTIONS_PCA_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/estimators/detail/column_gram.hpp"
#include "mi/estimators/detail/jacobi_eigen.hpp"
#include "mi/estimators/detail/linalg.hpp"
#include "mi/estimators/detail/subspace_iteration.hpp"
#include "mi/projections/concept.hpp"

namespace mi {

/// How pca finds the leading eigenvectors of the covariance (see the header comment).
enum class pca_solver { automatic, full, subspace };

inline const char* pca_solver_name(pca_solver s) noexcept {
    switch (s) {
        case pca_solver::automatic: return "automatic";
        case pca_solver::full: return "full";
        case pca_solver::subspace: return "subspace";
    }
    return "unknown";
}

class pca {
public:
    /// Columns beyond m in the subspace iteration's block (scikit-learn's n_oversamples default).
    static constexpr std::size_t oversampling = 10;
    /// The subspace iteration's residual test, relative to the largest eigenvalue.
    static constexpr double tolerance = 1e-12;
    /// Up to this many columns the automatic solver's full decomposition is Jacobi's, not LAPACK's.
    static constexpr std::size_t jacobi_limit = 32;

    /// m >= 1 principal components.
    explicit pca(std::size_t dimension = 4, pca_solver solver = pca_solver::automatic)
        : m_(dimension), solver_(solver) {
        if (dimension < 1) detail::fail("mi::pca", "dimension", dimension, ">= 1");
        if (solver != pca_solver::automatic && solver != pca_solver::full && solver != pca_solver::subspace)
            detail::fail("mi::pca", "solver", static_cast<int>(solver), "automatic, full or subspace");
    }

    pca_solver solver() const noexcept { return solver_; }
    /// The block width and step limit the subspace solver uses on d columns.
    std::size_t block(std::size_t d) const noexcept { return std::min(d, std::min(m_, d) + oversampling); }
    static std::size_t step_limit(std::size_t d, std::size_t block) noexcept {
        // a step costs ~4 d^2 l flops (C Q, Q^T C Q and the Ritz vectors) and syevd ~9 d^3, so at
        // most 2 d / l steps keep a run that ends in the fallback within about twice syevd's cost
        return std::max<std::size_t>(32, 2 * d / std::max<std::size_t>(block, 1));
    }
    /// Whether fit() on d columns starts with the subspace iteration.
    bool uses_subspace(std::size_t d) const noexcept {
        if (solver_ == pca_solver::full) return false;
        if (solver_ == pca_solver::subspace) return block(d) < d;
        return 2 * block(d) <= d;
    }

    std::size_t dimension() const noexcept { return m_; }
    std::string name() const { return "pca"; }
    /// The solver is named only when it is not the default: both give the same directions.
    std::string parameters() const {
        return "dimension=" + std::to_string(m_) +
               (solver_ == pca_solver::automatic ? std::string() : std::string(";solver=") + pca_solver_name(solver_));
    }

    /// The centring of the rows and their min(m, d) leading principal directions.
    template <class T>
    linear_projection fit(const activation_view<const T>& rows) const {
        std::vector<double> values;
        return fit_with_values(rows, values);
    }

    /// The variances along the fitted directions (the leading eigenvalues of C, descending).
    template <class T>
    std::vector<double> explained_variance(const activation_view<const T>& rows) const {
        std::vector<double> values;
        fit_with_values(rows, values);
        return values;
    }

private:
    template <class T>
    linear_projection fit_with_values(const activation_view<const T>& rows, std::vector<double>& leading) const {
        const char* where = "mi::pca::fit";
        detail::check_activations(rows, where, "rows");
        if (rows.rows() < 2) detail::fail(where, "rows", rows.rows(), ">= 2 (a sample covariance)");
        const std::size_t n = rows.rows(), d = rows.cols();
        linear_projection p;
        p.in = d;
        p.out = std::min(m_, d);
        p.mean = detail::column_means(rows);
        detail::dense_matrix centred = xt::zeros<double>({n, d});
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t c = 0; c < d; ++c) centred(i, c) = static_cast<double>(rows(i, c)) - p.mean[c];
        detail::dense_matrix cov = detail::gram_of_columns(centred);
        cov /= static_cast<double>(n - 1);
        detail::require_finite(cov, where, "covariance of the rows");
        // columns of `vectors` in order of decreasing eigenvalue, the first p.out used
        std::vector<double> values;
        detail::dense_matrix vectors;
        detail::leading_eigenpairs lead;
        const std::size_t l = block(d);
        if (uses_subspace(d) &&
            detail::subspace_eigen(cov, p.out, l, step_limit(d, l), tolerance, lead)) {
            values = std::move(lead.values);
            vectors = std::move(lead.vectors);
        } else {
            std::vector<double> ascending;
            detail::dense_matrix all;
            // a narrow layer by Jacobi sweeps (no BLAS threads; see jacobi_eigen.hpp), else LAPACK
            if (!(solver_ != pca_solver::full && d <= jacobi_limit && detail::jacobi_eigen(cov, ascending, all)))
                detail::sym_eigen(cov, ascending, all, where, "covariance of the rows");
            std::vector<std::size_t> order(d);
            for (std::size_t j = 0; j < d; ++j) order[j] = j;
            std::stable_sort(order.begin(), order.end(),
                             [&](std::size_t a, std::size_t b) { return ascending[a] > ascending[b]; });
            values.resize(p.out);
            vectors = xt::zeros<double>({d, p.out});
            for (std::size_t j = 0; j < p.out; ++j) {
                values[j] = ascending[order[j]];
                for (std::size_t c = 0; c < d; ++c) vectors(c, j) = all(c, order[j]);
            }
        }
        p.basis.assign(d * p.out, 0.0);
        leading.assign(p.out, 0.0);
        for (std::size_t j = 0; j < p.out; ++j) {
            leading[j] = std::max(0.0, values[j]);
            std::size_t largest = 0;
            for (std::size_t c = 1; c < d; ++c)
                if (std::fabs(vectors(c, j)) > std::fabs(vectors(largest, j))) largest = c;
            const double sign = vectors(largest, j) < 0.0 ? -1.0 : 1.0;
            for (std::size_t c = 0; c < d; ++c) p.basis[c * p.out + j] = sign * vectors(c, j);
        }
        return p;
    }

    std::size_t m_;
    pca_solver solver_;
};

}  // namespace mi

#endif
