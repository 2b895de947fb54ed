// SPDX-License-Identifier: BSD-3-Clause
// mi::gaussian_bound (Shwartz-Ziv, Painsky & Tishby 2019, eq. 9) against numpy's
// eigh (tests/reference/rest_linear_gaussian.py), its no-weight-noise closed form,
// and the Gaussian-channel mutual information it bounds.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "estimators/reference_records.hpp"
#include "mi/estimators/gaussian_bound.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_estimators_gaussian_bound {

using mi_tests::read_records;

TEST_CASE("gaussian_bound: eq. 9 from weights equals numpy") {
    const auto d = read_records("rest_linear_gaussian.txt");
    const mi::gaussian_bound g(0.7, 0.05);
    CHECK(g.bound(d.at("bd_Wstar").view(), d.at("bd_dW1").view()) == doctest::Approx(d.at("bd_one").v[0]).epsilon(1e-11));
    const std::vector<mi::activation_view<const double>> two{d.at("bd_dW1").view(), d.at("bd_dW2").view()};
    const double b2 = g.bound(d.at("bd_Wstar").view(), two);
    CHECK(b2 == doctest::Approx(d.at("bd_two").v[0]).epsilon(1e-11));
    // an upper bound on the jointly Gaussian channel's I(X;T) (Hadamard's inequality)
    CHECK(b2 >= d.at("bd_exact_two").v[0] - 1e-12);
    // degenerate spectrum (three zero weight-noise directions)
    const mi::gaussian_bound g5(1.3, 0.1);
    CHECK(g5.bound(d.at("bd5_Wstar").view(), d.at("bd5_dW").view()) == doctest::Approx(d.at("bd5").v[0]).epsilon(1e-11));
    // no weight noise: all denominators equal s2z/s2T, the bound is 1/2 log|I + s2T W W^T / s2z|
    const std::vector<double> zero(24, 0.0);
    CHECK(g.bound(d.at("bd_Wstar").view(), mi::view(zero, 4, 6)) == doctest::Approx(d.at("bd0").v[0]).epsilon(1e-11));
}

TEST_CASE("gaussian_bound: from the spectrum, worked by hand") {
    const mi::gaussian_bound g(2.0, 0.5);  // s2z / s2T = 0.25
    CHECK(g.bound({1.0, 3.0}, {0.75, 0.0}) ==
          doctest::Approx(0.5 * std::log(2.0) + 0.5 * std::log(13.0)).epsilon(1e-15));
    CHECK(g.bound({0.0}, {0.0}) == 0.0);
    const mi::gaussian_bound noiseless(1.0, 0.0);
    // A noiseless direction carrying signal: the bound is infinite, which is refused, not returned.
    CHECK_THROWS_WITH_AS(noiseless.bound({1.0}, {0.0}), doctest::Contains("bound is infinite"), mi::error);
    CHECK(noiseless.bound({0.0}, {0.0}) == 0.0);
    CHECK(noiseless.bound({4.0}, {1.0}) == doctest::Approx(0.5 * std::log(5.0)));
}

TEST_CASE("gaussian_bound: bad input raises mi::error") {
    CHECK_THROWS_AS(mi::gaussian_bound(0.0, 0.1), mi::error);
    CHECK_THROWS_AS(mi::gaussian_bound(1.0, -0.1), mi::error);
    const mi::gaussian_bound g(1.0, 0.1);
    CHECK_THROWS_AS(g.bound({1.0, 2.0}, {0.1}), mi::error);
    CHECK_THROWS_AS(g.bound({-1.0}, {0.1}), mi::error);
    CHECK_THROWS_AS(g.bound({1.0}, {std::nan("")}), mi::error);
    const std::vector<double> w(6, 1.0), dw(4, 0.1);
    CHECK_THROWS_AS(g.bound(mi::view(w, 2, 3), mi::view(dw, 2, 2)), mi::error);
    CHECK_THROWS_AS(g.bound(mi::view(w, 2, 3), std::vector<mi::activation_view<const double>>{}), mi::error);
}

// Weights of ~1e200 square past the double range in W W^T (issue 15: NaN before). Scaling W* and
// dW by c = 2^600 multiplies A and lambda by c^2, so each term of eq. 9 is
// c^2 A_ii / (c^2 lambda_i + s2_z / s2_T): the additive noise becomes negligible (a relative 1e-361)
// and, with every lambda_i > 0 (dW of full row rank), the bound is the noiseless one of W*, dW.
TEST_CASE("gaussian_bound: weights at 1e200 give the bound of the noiseless channel") {
    const auto d = read_records("rest_linear_gaussian.txt");
    const auto& ws = d.at("bd_Wstar");
    const auto& dw = d.at("bd_dW1");
    auto scaled = [](const mi_tests::record& r) {
        std::vector<double> v(r.v);
        for (double& x : v) x = std::ldexp(x, 600);
        return v;
    };
    const std::vector<double> ws_big = scaled(ws), dw_big = scaled(dw);
    const double expected = mi::gaussian_bound(0.7, 0.0).bound(ws.view(), dw.view());
    const double big = mi::gaussian_bound(0.7, 0.05).bound(mi::view(ws_big, ws.rows, ws.cols),
                                                          mi::view(dw_big, dw.rows, dw.cols));
    CHECK(std::isfinite(big));
    CHECK(big == doctest::Approx(expected).epsilon(1e-10));
    CHECK(expected > 1.0);
}

}  // namespace test_estimators_gaussian_bound
