// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <tuple>
#include <utility>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/random.hpp"
#include "mi/projections/concept.hpp"
#include "mi/projections/pca.hpp"
#include "mi/core/mul_add.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/stiefel_frame.hpp"
#include "mi/estimators/detail/column_gram.hpp"
#include "mi/estimators/detail/jacobi_eigen.hpp"
#include "mi/estimators/detail/subspace_iteration.hpp"
#include "default_threads.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_projections_pca {

static_assert(mi::is_projection_v<mi::pca>, "pca models the projection policy");

namespace {

// 7 x 4 rows; the expected values are scikit-learn 1.2's PCA(n_components=2).fit(X)
// (explained_variance_, components_, transform(X)), computed once with Debian's python3-sklearn.
const std::vector<double> rows = {0.3,  -1.2, 2.0,  0.5, 1.1,  0.4, -0.7, 0.0,  -0.8, 2.2,
                                  0.1,  1.3,  0.0,  -0.3, 1.5, -0.9, 2.4, 1.0,  -1.1, 0.2,
                                  -1.5, 0.6,  0.9,  0.7,  0.7, -2.0, 0.4, -0.4};
const double sklearn_variance[2] = {2.62954781, 2.26728816};
const double sklearn_components[2][4] = {{0.10017272, 0.80579906, -0.52708715, 0.25066398},
                                         {0.81927182, -0.29648283, -0.41906048, -0.2554994}};
const double sklearn_transform[7][2] = {{-1.79452062, -0.35546306}, {0.87269938, 1.08479486},
                                        {2.03700297, -1.67288827},  {-1.18673927, -0.30084975},
                                        {1.74737101, 2.08848284},   {0.10553546, -1.95395477},
                                        {-1.78134892, 1.10987815}};

}  // namespace

TEST_CASE("pca: components, variances and projections equal scikit-learn's") {
    const mi::pca p(2);
    const auto view = mi::view(rows, 7, 4);
    const mi::linear_projection f = p.fit(view);
    REQUIRE(f.in == 4);
    REQUIRE(f.out == 2);
    for (std::size_t j = 0; j < 2; ++j)
        for (std::size_t c = 0; c < 4; ++c) CHECK(f.basis[c * 2 + j] == doctest::Approx(sklearn_components[j][c]).epsilon(1e-7));
    const auto var = p.explained_variance(view);
    CHECK(var[0] == doctest::Approx(sklearn_variance[0]).epsilon(1e-8));
    CHECK(var[1] == doctest::Approx(sklearn_variance[1]).epsilon(1e-8));
    const std::vector<double> y = f.apply(view);
    for (std::size_t i = 0; i < 7; ++i)
        for (std::size_t j = 0; j < 2; ++j) CHECK(y[i * 2 + j] == doctest::Approx(sklearn_transform[i][j]).epsilon(1e-7));
}

TEST_CASE("pca: hand-worked rotated cross (first direction at 30 degrees)") {
    // (+-2, 0) and (0, +-1) rotated by 30 degrees: covariance eigenvalues 8/3 and 2/3 (N - 1 = 3)
    const double c = std::cos(M_PI / 6), s = std::sin(M_PI / 6);
    const double pts[4][2] = {{2, 0}, {-2, 0}, {0, 1}, {0, -1}};
    std::vector<double> x;
    for (const auto& p : pts) {
        x.push_back(c * p[0] - s * p[1] + 5.0);  // shifted: the mean is removed
        x.push_back(s * p[0] + c * p[1] - 3.0);
    }
    const mi::pca p(1);
    const auto f = p.fit(mi::view(x, 4, 2));
    CHECK(f.basis[0] == doctest::Approx(c).epsilon(1e-12));
    CHECK(f.basis[1] == doctest::Approx(s).epsilon(1e-12));
    CHECK(f.mean[0] == doctest::Approx(5.0));
    CHECK(f.mean[1] == doctest::Approx(-3.0));
    CHECK(p.explained_variance(mi::view(x, 4, 2))[0] == doctest::Approx(8.0 / 3.0).epsilon(1e-12));
    const auto y = f.apply(mi::view(x, 4, 2));
    CHECK(y[0] == doctest::Approx(2.0).epsilon(1e-12));
    CHECK(y[1] == doctest::Approx(-2.0).epsilon(1e-12));
    CHECK(std::fabs(y[2]) < 1e-12);
}

TEST_CASE("pca: narrower rows are rotated, not padded; float and double agree") {
    std::vector<float> xf(rows.begin(), rows.end());
    const auto f = mi::pca(10).fit(mi::view(xf, 7, 4));
    CHECK(f.out == 4);
    // an orthogonal basis: B^T B = I
    for (std::size_t a = 0; a < 4; ++a)
        for (std::size_t b = 0; b < 4; ++b) {
            double dot = 0.0;
            for (std::size_t c = 0; c < 4; ++c) dot += f.basis[c * 4 + a] * f.basis[c * 4 + b];
            CHECK(dot == doctest::Approx(a == b ? 1.0 : 0.0).epsilon(1e-10));
        }
    CHECK(mi::pca(3).name() == "pca");
    CHECK(mi::pca(3).parameters() == "dimension=3");
    CHECK(mi::pca(3, mi::pca_solver::full).parameters() == "dimension=3;solver=full");
    CHECK(mi::pca(3, mi::pca_solver::subspace).parameters() == "dimension=3;solver=subspace");
}

namespace {

// Rows with a sample covariance known in closed form: X = sum_j sigma_j h_j u_j^T, where h_j
// are columns 1..d of the 64 x 64 Sylvester-Hadamard matrix (entries +-1, mutually orthogonal,
// each summing to 0, so the rows have mean 0) and u_j the columns of U = (I - 2aa^T)(I - 2bb^T),
// a product of two Householder reflections (orthogonal). Then
//   C = X^T X / (N - 1) = U diag(N sigma_j^2 / (N - 1)) U^T,
// so the principal directions are the u_j and the variances N sigma_j^2 / (N - 1).
constexpr std::size_t hadamard_n = 64;

struct known_spectrum {
    std::size_t d;
    std::vector<double> rows;      // N x d
    std::vector<double> u;         // d x d, column j = u_j
    std::vector<double> variance;  // N sigma_j^2 / (N - 1)
};

known_spectrum rows_with_spectrum(const std::vector<double>& sigma2) {
    known_spectrum k;
    k.d = sigma2.size();
    const std::size_t d = k.d, n = hadamard_n;
    std::vector<double> a(d), b(d);
    double na = 0.0, nb = 0.0;
    for (std::size_t i = 0; i < d; ++i) {
        a[i] = 1.0 + 0.37 * static_cast<double>(i % 5);
        b[i] = (i % 3 == 0 ? -1.0 : 0.5) + 0.01 * static_cast<double>(i);
        na += a[i] * a[i];
        nb += b[i] * b[i];
    }
    for (std::size_t i = 0; i < d; ++i) {
        a[i] /= std::sqrt(na);
        b[i] /= std::sqrt(nb);
    }
    k.u.assign(d * d, 0.0);
    for (std::size_t r = 0; r < d; ++r)
        for (std::size_t c = 0; c < d; ++c) {
            double v = 0.0;  // sum_t (I - 2aa^T)(r, t) (I - 2bb^T)(t, c)
            for (std::size_t t = 0; t < d; ++t)
                v += ((r == t ? 1.0 : 0.0) - 2.0 * a[r] * a[t]) * ((t == c ? 1.0 : 0.0) - 2.0 * b[t] * b[c]);
            k.u[r * d + c] = v;
        }
    k.rows.assign(n * d, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < d; ++j) {
            const double h = (__builtin_popcountll(i & (j + 1)) % 2) ? -1.0 : 1.0;
            for (std::size_t c = 0; c < d; ++c) k.rows[i * d + c] += std::sqrt(sigma2[j]) * h * k.u[c * d + j];
        }
    for (const double s2 : sigma2) k.variance.push_back(static_cast<double>(n) * s2 / static_cast<double>(n - 1));
    return k;
}

// u_j with pca's sign rule: its entry of largest magnitude positive.
double signed_u(const known_spectrum& k, std::size_t c, std::size_t j) {
    std::size_t largest = 0;
    for (std::size_t r = 1; r < k.d; ++r)
        if (std::fabs(k.u[r * k.d + j]) > std::fabs(k.u[largest * k.d + j])) largest = r;
    return (k.u[largest * k.d + j] < 0.0 ? -1.0 : 1.0) * k.u[c * k.d + j];
}

}  // namespace

TEST_CASE("pca: the subspace solver finds the closed-form directions and variances") {
    std::vector<double> sigma2(40);
    for (std::size_t j = 0; j < sigma2.size(); ++j) sigma2[j] = std::pow(0.7, static_cast<double>(j));
    const known_spectrum k = rows_with_spectrum(sigma2);
    const auto view = mi::view(k.rows, hadamard_n, k.d);
    const mi::pca automatic(4);
    REQUIRE(automatic.uses_subspace(k.d));  // block 14 <= 40 / 2
    for (const auto solver : {mi::pca_solver::automatic, mi::pca_solver::subspace, mi::pca_solver::full}) {
        CAPTURE(mi::pca_solver_name(solver));
        const mi::pca p(4, solver);
        const auto f = p.fit(view);
        const auto var = p.explained_variance(view);
        for (std::size_t j = 0; j < 4; ++j) {
            CHECK(var[j] == doctest::Approx(k.variance[j]).epsilon(1e-12));
            for (std::size_t c = 0; c < k.d; ++c) CHECK(std::fabs(f.basis[c * 4 + j] - signed_u(k, c, j)) < 1e-10);
        }
    }
    // converged by the residual test, well inside the step limit ((lambda_15 / lambda_4) = 0.7^11 per step)
    mi::detail::dense_matrix c = xt::zeros<double>({k.d, k.d});
    for (std::size_t r = 0; r < k.d; ++r)
        for (std::size_t s = 0; s < k.d; ++s)
            for (std::size_t j = 0; j < k.d; ++j) c(r, s) += k.u[r * k.d + j] * k.variance[j] * k.u[s * k.d + j];
    mi::detail::leading_eigenpairs lead;
    REQUIRE(mi::detail::subspace_eigen(c, 4, 14, 100, 1e-12, lead));
    CHECK(lead.steps >= 2);
    CHECK(lead.steps <= 8);
    for (std::size_t j = 0; j < 4; ++j) CHECK(lead.values[j] == doctest::Approx(k.variance[j]).epsilon(1e-12));
    // a step limit below what the spectrum needs is reported, not hidden
    mi::detail::leading_eigenpairs unconverged;
    CHECK_FALSE(mi::detail::subspace_eigen(c, 4, 14, 1, 1e-12, unconverged));
    CHECK(unconverged.values.empty());
}

TEST_CASE("pca: the subspace solver's Gram-Schmidt gives orthonormal rows and reports lost rank") {
    mi::rng r(12);
    for (const std::size_t d : {3u, 8u, 9u, 40u, 257u}) {
        CAPTURE(d);
        const std::size_t l = std::min<std::size_t>(d, 6);
        mi::detail::dense_matrix q = xt::zeros<double>({l, d});
        for (auto& v : q) v = r.normal();
        const mi::detail::dense_matrix before = q;
        // the dot product of its eight partial sums against a long double sum
        long double exact = 0.0L;
        for (std::size_t i = 0; i < d; ++i) exact += static_cast<long double>(q(0, i)) * q(l - 1, i);
        CHECK(std::fabs(mi::detail::dot_contiguous(&q(0, 0), &q(l - 1, 0), d) - static_cast<double>(exact)) <
              1e-13 * static_cast<double>(d));
        REQUIRE(mi::detail::orthonormalize_rows(q));
        for (std::size_t a = 0; a < l; ++a)
            for (std::size_t b = 0; b < l; ++b) {
                double dot = 0.0;
                for (std::size_t i = 0; i < d; ++i) dot += q(a, i) * q(b, i);
                CHECK(std::fabs(dot - (a == b ? 1.0 : 0.0)) < 1e-14);
            }
        // QR's triangle: the j-th starting row lies in the span of the first j + 1 orthonormal rows
        for (std::size_t j = 0; j < l; ++j) {
            std::vector<double> residual(before.begin() + static_cast<std::ptrdiff_t>(j * d),
                                         before.begin() + static_cast<std::ptrdiff_t>((j + 1) * d));
            for (std::size_t p = 0; p <= j; ++p) {
                double c = 0.0;
                for (std::size_t i = 0; i < d; ++i) c += q(p, i) * before(j, i);
                for (std::size_t i = 0; i < d; ++i) residual[i] -= c * q(p, i);
            }
            double largest = 0.0;
            for (const double v : residual) largest = std::max(largest, std::fabs(v));
            CHECK(largest < 1e-12 * std::sqrt(static_cast<double>(d)));
        }
        // a row that repeats an earlier one leaves nothing to normalise
        mi::detail::dense_matrix dependent = before;
        for (std::size_t i = 0; i < d; ++i) dependent(l - 1, i) = 2.0 * before(0, i);
        CHECK_FALSE(mi::detail::orthonormalize_rows(dependent));
    }
}

TEST_CASE("pca: Jacobi sweeps give a known spectrum, LAPACK's eigenvalues and orthonormal vectors") {
    mi::rng r(21);
    for (const std::size_t n : {1u, 2u, 5u, 14u, 32u}) {
        CAPTURE(n);
        // A = U diag(lambda) U^T, U Haar-random; a double and a negative eigenvalue included
        std::vector<double> lambda(n);
        for (std::size_t j = 0; j < n; ++j) lambda[j] = std::pow(0.6, static_cast<double>(j)) * 3.0;
        if (n >= 5) {
            lambda[2] = lambda[1];
            lambda[n - 1] = -0.25;
        }
        const std::vector<double> u = mi::detail::stiefel_frame(n, n, r);
        mi::detail::dense_matrix a = xt::zeros<double>({n, n});
        for (std::size_t p = 0; p < n; ++p)
            for (std::size_t q = 0; q < n; ++q)
                for (std::size_t j = 0; j < n; ++j) a(p, q) += u[p * n + j] * lambda[j] * u[q * n + j];
        a = mi::detail::symmetrized(a);
        std::vector<double> values, lapack;
        mi::detail::dense_matrix vectors, lapack_vectors;
        REQUIRE(mi::detail::jacobi_eigen(a, values, vectors));
        mi::detail::sym_eigen(a, lapack, lapack_vectors);
        std::vector<double> sorted = lambda;
        std::sort(sorted.begin(), sorted.end());
        for (std::size_t j = 0; j < n; ++j) {
            CHECK(std::fabs(values[j] - sorted[j]) < 1e-14 * 3.0 * static_cast<double>(n));
            CHECK(std::fabs(values[j] - lapack[j]) < 1e-14 * 3.0 * static_cast<double>(n));
        }
        for (std::size_t j = 0; j < n; ++j) {
            double residual = 0.0;  // |A v - lambda v|
            for (std::size_t p = 0; p < n; ++p) {
                double av = 0.0;
                for (std::size_t q = 0; q < n; ++q) av += a(p, q) * vectors(q, j);
                residual = std::max(residual, std::fabs(av - values[j] * vectors(p, j)));
            }
            CHECK(residual < 1e-14 * 3.0 * static_cast<double>(n));
            for (std::size_t i = 0; i < n; ++i) {
                double dot = 0.0;
                for (std::size_t p = 0; p < n; ++p) dot += vectors(p, i) * vectors(p, j);
                CHECK(std::fabs(dot - (i == j ? 1.0 : 0.0)) < 1e-14 * static_cast<double>(n));
            }
        }
    }
    // the zero matrix: already diagonal
    std::vector<double> values;
    mi::detail::dense_matrix vectors;
    REQUIRE(mi::detail::jacobi_eigen(xt::zeros<double>({3, 3}), values, vectors));
    CHECK(values == std::vector<double>{0.0, 0.0, 0.0});
    // entries whose squares overflow double: [[2, 1], [1, 2]] 1e160 has eigenvalues 1e160 and 3e160
    mi::detail::dense_matrix huge = {{2e160, 1e160}, {1e160, 2e160}};
    REQUIRE(mi::detail::jacobi_eigen(huge, values, vectors));
    CHECK(values[0] == doctest::Approx(1e160).epsilon(1e-14));
    CHECK(values[1] == doctest::Approx(3e160).epsilon(1e-14));
}

TEST_CASE("pca: the column Gram matrix equals a wider sum, whatever the thread count") {
    const mi_test::default_threads_on_exit restore;
    mi::rng r(22);
    // d = 300 spans 38 tiles and n = 1000 three row chunks of 431; d = 9 pads a tile with zeros
    for (const auto& shape : std::vector<std::pair<std::size_t, std::size_t>>{{1, 1}, {3, 7}, {40, 8}, {40, 9}, {1000, 300}}) {
        const std::size_t n = shape.first, d = shape.second;  // not a structured binding: CAPTURE's lambda takes it
        CAPTURE(n);
        CAPTURE(d);
        mi::detail::dense_matrix a = xt::zeros<double>({n, d});
        for (auto& v : a) v = r.normal();
        mi::set_num_threads(1);
        const mi::detail::dense_matrix one = mi::detail::gram_of_columns(a);
        mi::set_num_threads(2);
        const mi::detail::dense_matrix two = mi::detail::gram_of_columns(a);
        CHECK(one == two);
        double worst = 0.0;
        for (std::size_t p = 0; p < d; ++p)
            for (std::size_t q = 0; q < d; ++q) {
                long double exact = 0.0L;
                for (std::size_t i = 0; i < n; ++i) exact += static_cast<long double>(a(i, p)) * a(i, q);
                worst = std::max(worst, static_cast<double>(std::fabs(one(p, q) - exact)));
                CHECK(one(p, q) == one(q, p));
            }
        CHECK(worst < 1e-15 * static_cast<double>(n) * 10.0);
    }
}

TEST_CASE("pca: the subspace iteration's row combinations are the in-order sums, whatever the thread count") {
    const mi_test::default_threads_on_exit restore;
    mi::rng r(23);
    // l = 9 and 14 leave a partial group of eight; d = 7 and 1100 leave columns after whole batches;
    // 14 x 100 x 1100 is above the size that splits the columns over threads
    for (const auto& shape : std::vector<std::tuple<std::size_t, std::size_t, std::size_t>>{
             {1, 1, 1}, {8, 5, 7}, {9, 5, 130}, {14, 14, 256}, {14, 100, 1100}}) {
        const std::size_t l = std::get<0>(shape), k = std::get<1>(shape), d = std::get<2>(shape);
        CAPTURE(l);
        CAPTURE(k);
        CAPTURE(d);
        mi::detail::dense_matrix coef = xt::zeros<double>({l, k}), b = xt::zeros<double>({k, d});
        for (auto& v : coef) v = r.normal();
        for (auto& v : b) v = r.normal();
        mi::set_num_threads(1);
        const mi::detail::dense_matrix one = mi::detail::combine_rows(coef, b);
        mi::set_num_threads(2);
        CHECK(mi::detail::combine_rows(coef, b) == one);
        std::size_t mismatches = 0;
        for (std::size_t j = 0; j < l; ++j)
            for (std::size_t c = 0; c < d; ++c) {
                double acc = 0.0;
                for (std::size_t i = 0; i < k; ++i) acc = mi::detail::mul_add(coef(j, i), b(i, c), acc);
                mismatches += one(j, c) != acc;
            }
        CHECK(mismatches == 0);
    }
}

TEST_CASE("pca: a nearly flat spectrum falls back to the full solver") {
    // lambda_15 / lambda_4 = 0.989: ~2500 steps to converge, beyond the limit; gap lambda_4 - lambda_5 = 1e-3
    std::vector<double> sigma2(40);
    for (std::size_t j = 0; j < sigma2.size(); ++j) sigma2[j] = 1.0 - 1e-3 * static_cast<double>(j);
    const known_spectrum k = rows_with_spectrum(sigma2);
    const auto view = mi::view(k.rows, hadamard_n, k.d);
    const auto fast = mi::pca(4).fit(view);
    const auto full = mi::pca(4, mi::pca_solver::full).fit(view);
    CHECK(fast.basis == full.basis);  // the fallback is the full solver itself
    for (std::size_t j = 0; j < 4; ++j)
        for (std::size_t c = 0; c < k.d; ++c) CHECK(std::fabs(fast.basis[c * 4 + j] - signed_u(k, c, j)) < 1e-9);

}

TEST_CASE("pca: a covariance of rank below the block (5 rows in 40 columns) gives the full solver's directions") {
    // rank 4 < block 14: the iterate's other columns are rounding noise, which acts as a random
    // restart; the residual test still decides, so the 4 directions are those of syevd
    std::vector<double> few(5 * 40);
    for (std::size_t i = 0; i < few.size(); ++i) few[i] = std::sin(0.7 * static_cast<double>(i * i % 97));
    const auto view = mi::view(few, 5, 40);
    const auto fast = mi::pca(4, mi::pca_solver::subspace).fit(view);
    const auto full = mi::pca(4, mi::pca_solver::full).fit(view);
    for (std::size_t i = 0; i < fast.basis.size(); ++i) CHECK(std::fabs(fast.basis[i] - full.basis[i]) < 1e-10);
    const auto v_fast = mi::pca(4, mi::pca_solver::subspace).explained_variance(view);
    const auto v_full = mi::pca(4, mi::pca_solver::full).explained_variance(view);
    for (std::size_t j = 0; j < 4; ++j) CHECK(v_fast[j] == doctest::Approx(v_full[j]).epsilon(1e-12));
    // and an all-zero covariance (constant rows) has no leading direction to iterate towards
    const std::vector<double> constant(5 * 40, 2.5);
    const auto flat = mi::pca(4, mi::pca_solver::subspace).explained_variance(mi::view(constant, 5, 40));
    for (const double v : flat) CHECK(v == 0.0);
}

TEST_CASE("pca: bad input raises mi::error") {
    CHECK_THROWS_AS(mi::pca(0), mi::error);
    CHECK_THROWS_AS(mi::pca(2, static_cast<mi::pca_solver>(7)), mi::error);
    std::vector<double> bad = rows;
    bad[5] = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_AS(mi::pca(2).fit(mi::view(bad, 7, 4)), mi::error);
    CHECK_THROWS_AS(mi::pca(2).fit(mi::view(rows.data(), 1, 4)), mi::error);  // one row: no covariance
    const auto f = mi::pca(2).fit(mi::view(rows, 7, 4));
    CHECK_THROWS_AS(f.apply(mi::view(rows.data(), 4, 7)), mi::error);  // other width than fitted
}

}  // namespace test_projections_pca
