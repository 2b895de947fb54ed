// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/projections/concept.hpp"
#include "mi/projections/pca.hpp"

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
}

TEST_CASE("pca: bad input raises mi::error") {
    CHECK_THROWS_AS(mi::pca(0), mi::error);
    std::vector<double> bad = rows;
    bad[5] = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_AS(mi::pca(2).fit(mi::view(bad, 7, 4)), mi::error);
    CHECK_THROWS_AS(mi::pca(2).fit(mi::view(rows.data(), 1, 4)), mi::error);  // one row: no covariance
    const auto f = mi::pca(2).fit(mi::view(rows, 7, 4));
    CHECK_THROWS_AS(f.apply(mi::view(rows.data(), 4, 7)), mi::error);  // other width than fitted
}

}  // namespace test_projections_pca
