// SPDX-License-Identifier: BSD-3-Clause
// The projection policy concept: how mi::compressed<Projection, Estimator>
// (mi/estimators/compressed.hpp) reduces a wide layer, or the network input,
// to a few dimensions before an estimator sees it (Butakov et al., ICLR 2024,
// "Information Bottleneck Analysis of Deep Neural Networks via Lossy
// Compression", arXiv 2305.08013: estimate I(X;T) between compressed
// representations).
//
// A projection policy P is a small value type:
//
//   std::size_t P::dimension() const                         m, the target dimension (>= 1)
//   std::string P::name() const, P::parameters() const       "pca", "dimension=4"
//   M P::fit(const activation_view<const T>& rows) const     T = float and double
//
// fit() looks at the rows (N x d) and returns the fitted map M it chose, any
// value type with
//
//   std::size_t M::out                                       m', the columns of the image
//   std::vector<double> M::apply(const activation_view<const T>& x) const
//                                                            N x m' doubles, row-major, T = float and double
//
// (mi::is_fitted_map_v<M>). The affine case is mi::linear_projection:
// y = (x - mean) B, B a d x m' matrix with m' = min(m, d) orthonormal columns
// (a layer narrower than m is rotated, not padded: mutual information is
// invariant under it); PCA and the random frame return it. A nonlinear
// compressor (the autoencoder of examples/engine/autoencoder.hpp, the paper's
// compressor for the input) returns its own map, e.g. the trained encoder.
// Fitting is deterministic (same rows, same map) and const (a fitted map
// belongs to the call, so one policy instance serves every thread). Bad rows
// (empty, NaN/Inf) throw mi::error.
//
// Policies: mi::pca (mi/projections/pca.hpp; LAPACK through mi::linalg, the
// paper's compressor for layers) and mi::random_projection
// (mi/projections/random_projection.hpp; a seeded Haar-random orthonormal
// frame, needs no LAPACK; the documented minimal policy to copy), both
// returning linear_projection; outside the library,
// mi_examples::engine::autoencoder (examples/engine/autoencoder.hpp; trained
// on the example engine, returning its encoder as an autoencoder_map).
#ifndef MI_PROJECTIONS_CONCEPT_HPP
#define MI_PROJECTIONS_CONCEPT_HPP

#include <algorithm>
#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/mul_add.hpp"

namespace mi {

/// An affine map to out <= in dimensions: y = (x - mean) basis, basis row-major in x out.
struct linear_projection {
    std::size_t in = 0;
    std::size_t out = 0;
    std::vector<double> mean;   ///< in values
    std::vector<double> basis;  ///< in x out, row-major; column j is the j-th direction

    /// The rows of x mapped: N x out doubles, row-major.
    template <class T>
    std::vector<double> apply(const activation_view<const T>& x) const {
        if (x.cols() != in)
            detail::fail("mi::linear_projection::apply", "x columns", x.cols(),
                         "the " + std::to_string(in) + " columns the projection was fitted on");
        std::vector<double> y(x.rows() * out, 0.0);
        switch (out) {  // the usual few output columns kept in registers
            case 1: apply_rows<1>(x, y); break;
            case 2: apply_rows<2>(x, y); break;
            case 3: apply_rows<3>(x, y); break;
            case 4: apply_rows<4>(x, y); break;
            case 5: apply_rows<5>(x, y); break;
            case 6: apply_rows<6>(x, y); break;
            case 7: apply_rows<7>(x, y); break;
            case 8: apply_rows<8>(x, y); break;
            default: apply_rows<0>(x, y); break;
        }
        return y;
    }

private:
    // y(i, j) = sum over c in increasing order of (x(i, c) - mean[c]) basis(c, j), whatever M is.
    // M > 0 (= out) works on `rows` rows at once in local accumulators: a single row's sum is a
    // chain of dependent additions, which left one row at a time through memory ran at a few
    // multiply-adds per microsecond; M = 0 is the general width. Contracted as the general loop.
    template <std::size_t M, class T>
    void apply_rows(const activation_view<const T>& x, std::vector<double>& y) const {
        const std::size_t n = x.rows();
        if constexpr (M == 0) {
            std::vector<double> centred(in);
            for (std::size_t i = 0; i < n; ++i) {
                const T* row = x.row(i);
                for (std::size_t c = 0; c < in; ++c) centred[c] = static_cast<double>(row[c]) - mean[c];
                double* o = y.data() + i * out;
                for (std::size_t c = 0; c < in; ++c) {
                    const double v = centred[c];
                    const double* b = basis.data() + c * out;
                    for (std::size_t j = 0; j < out; ++j) o[j] += v * b[j];
                }
            }
        } else {
            constexpr std::size_t rows = 8;
            std::vector<double> centred(rows * in);  // the block's rows, centred
            for (std::size_t i0 = 0; i0 < n; i0 += rows) {
                const std::size_t r_end = std::min(rows, n - i0);
                for (std::size_t r = 0; r < rows; ++r) {
                    const T* row = x.row(i0 + std::min(r, r_end - 1));
                    for (std::size_t c = 0; c < in; ++c) centred[r * in + c] = static_cast<double>(row[c]) - mean[c];
                }
                double acc[rows][M] = {};
                for (std::size_t c = 0; c < in; ++c) {
                    const double* b = basis.data() + c * M;
                    for (std::size_t r = 0; r < rows; ++r) {
                        const double v = centred[r * in + c];
                        for (std::size_t j = 0; j < M; ++j) acc[r][j] = detail::mul_add(v, b[j], acc[r][j]);
                    }
                }
                for (std::size_t r = 0; r < r_end; ++r)
                    for (std::size_t j = 0; j < M; ++j) y[(i0 + r) * M + j] = acc[r][j];
            }
        }
    }
};

namespace detail {

// M is a fitted map: a std::size_t `out` member and apply() from float and double rows to doubles.
template <class M, class = void>
struct is_fitted_map : std::false_type {};
template <class M>
struct is_fitted_map<M, std::void_t<decltype(std::declval<const M&>().out),
                                    decltype(std::declval<const M&>().apply(std::declval<activation_view<const float>>())),
                                    decltype(std::declval<const M&>().apply(std::declval<activation_view<const double>>()))>>
    : std::conjunction<
          std::is_convertible<decltype(std::declval<const M&>().out), std::size_t>,
          std::is_same<decltype(std::declval<const M&>().apply(std::declval<activation_view<const float>>())),
                       std::vector<double>>,
          std::is_same<decltype(std::declval<const M&>().apply(std::declval<activation_view<const double>>())),
                       std::vector<double>>> {};

template <class P, class = void>
struct is_projection : std::false_type {};
template <class P>
struct is_projection<
    P, std::void_t<decltype(std::size_t(std::declval<const P&>().dimension())),
                   decltype(std::string(std::declval<const P&>().name())),
                   decltype(std::string(std::declval<const P&>().parameters())),
                   decltype(std::declval<const P&>().fit(std::declval<activation_view<const float>>())),
                   decltype(std::declval<const P&>().fit(std::declval<activation_view<const double>>()))>>
    : std::conjunction<
          is_fitted_map<std::decay_t<decltype(std::declval<const P&>().fit(std::declval<activation_view<const float>>()))>>,
          is_fitted_map<std::decay_t<decltype(std::declval<const P&>().fit(std::declval<activation_view<const double>>()))>>> {};

/// Column means of the rows (at least one row).
template <class T>
std::vector<double> column_means(const activation_view<const T>& x) {
    std::vector<double> mean(x.cols(), 0.0);
    for (std::size_t i = 0; i < x.rows(); ++i)
        for (std::size_t c = 0; c < x.cols(); ++c) mean[c] += static_cast<double>(x(i, c));
    for (double& m : mean) m /= static_cast<double>(x.rows());
    return mean;
}

}  // namespace detail

/// True when M is a fitted map (see the header comment): what a projection policy's fit() returns.
template <class M>
inline constexpr bool is_fitted_map_v = detail::is_fitted_map<M>::value;

/// The map type P::fit returns for rows of type T.
template <class P, class T = double>
using fitted_map_t = std::decay_t<decltype(std::declval<const P&>().fit(std::declval<activation_view<const T>>()))>;

/// True when P is a projection policy (see the header comment).
template <class P>
inline constexpr bool is_projection_v = detail::is_projection<P>::value;

#define MI_PROJECTION_REQUIREMENTS                                                                   \
    "it needs dimension(), name(), parameters() and fit(activation_view<const T>) for T = float and "    \
    "double returning a fitted map (std::size_t out; std::vector<double> apply(activation_view<const U>) "  \
    "const for U = float and double), e.g. mi::linear_projection (mi/projections/concept.hpp)"

}  // namespace mi

#endif
