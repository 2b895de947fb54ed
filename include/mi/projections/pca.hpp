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
// The covariance is one BLAS product and its eigenvectors one LAPACK syevd
// (mi/estimators/detail/linalg.hpp, mi::linalg): O(N d^2 + d^3). Signs: each
// direction is flipped so that its entry of largest magnitude is positive
// (the first such entry on ties), so the map is a function of the data alone.
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
#include "mi/estimators/detail/linalg.hpp"
#include "mi/projections/concept.hpp"

namespace mi {

class pca {
public:
    /// m >= 1 principal components.
    explicit pca(std::size_t dimension = 4) : m_(dimension) {
        if (dimension < 1) detail::fail("mi::pca", "dimension", dimension, ">= 1");
    }

    std::size_t dimension() const noexcept { return m_; }
    std::string name() const { return "pca"; }
    std::string parameters() const { return "dimension=" + std::to_string(m_); }

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
        detail::dense_matrix transposed = xt::transpose(centred);
        detail::dense_matrix cov = detail::symmetrized(detail::matmul(transposed, centred));
        cov /= static_cast<double>(n - 1);
        std::vector<double> values;
        detail::dense_matrix vectors;
        detail::sym_eigen(cov, values, vectors, where, "covariance of the rows");
        // ascending from LAPACK: the leading directions are the last columns
        std::vector<std::size_t> order(d);
        for (std::size_t j = 0; j < d; ++j) order[j] = j;
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] > values[b]; });
        p.basis.assign(d * p.out, 0.0);
        leading.assign(p.out, 0.0);
        for (std::size_t j = 0; j < p.out; ++j) {
            const std::size_t col = order[j];
            leading[j] = std::max(0.0, values[col]);
            std::size_t largest = 0;
            for (std::size_t c = 1; c < d; ++c)
                if (std::fabs(vectors(c, col)) > std::fabs(vectors(largest, col))) largest = c;
            const double sign = vectors(largest, col) < 0.0 ? -1.0 : 1.0;
            for (std::size_t c = 0; c < d; ++c) p.basis[c * p.out + j] = sign * vectors(c, col);
        }
        return p;
    }

    std::size_t m_;
};

}  // namespace mi

#endif
