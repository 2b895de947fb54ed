// SPDX-License-Identifier: BSD-3-Clause
// mi::linear_gaussian and mi::generalization_error against numpy (slogdet of
// the joint covariance, SVD pseudo-inverse: tests/reference/rest_linear_gaussian.py),
// and Saxe et al. App. C eq. 21 worked by hand.
#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "estimators/reference_records.hpp"
#include "mi/estimators/linear_gaussian.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_estimators_linear_gaussian {

using mi_tests::read_records;

TEST_CASE("linear_gaussian: I(T;X) and I(T;Y) equal numpy's joint-covariance computation") {
    const auto d = read_records("rest_linear_gaussian.txt");
    const mi::linear_gaussian a(0.1);
    CHECK(a.mutual_information(d.at("a_W").view()) == doctest::Approx(d.at("a_ixt").v[0]).epsilon(1e-12));
    CHECK(a.mutual_information(d.at("a_W").view(), d.at("a_Wo").view(), 0.3) ==
          doctest::Approx(d.at("a_ity").v[0]).epsilon(1e-10));
    // over-complete W (4 x 3), SPD input covariance
    const mi::linear_gaussian b(0.05);
    CHECK(b.mutual_information(d.at("b_W").view(), d.at("b_Sx").view()) ==
          doctest::Approx(d.at("b_ixt").v[0]).epsilon(1e-12));
    CHECK(b.mutual_information(d.at("b_W").view(), d.at("b_Sx").view(), d.at("b_Wo").view(), 0.2) ==
          doctest::Approx(d.at("b_ity").v[0]).epsilon(1e-10));
    // singular W (rank 2 of 4) and a noiseless rank-1 teacher with 3 outputs (singular Sigma_Y)
    const mi::linear_gaussian c(0.2);
    CHECK(c.mutual_information(d.at("c_W").view(), d.at("c_Sx").view()) ==
          doctest::Approx(d.at("c_ixt").v[0]).epsilon(1e-12));
    CHECK(c.mutual_information(d.at("c_W").view(), d.at("c_Sx").view(), d.at("c_Wo").view(), 0.0) ==
          doctest::Approx(d.at("c_ity").v[0]).epsilon(1e-8));
}

TEST_CASE("linear_gaussian: Saxe et al. App. C eq. 21, the same function with a different I(T;X)") {
    // Two-layer linear net y = w2 (w1 x): (c w1, w2 / c) computes the same function for every c,
    // but the hidden layer's I(T;X) = 1/2 log(1 + c^2 w1^2 / s2) (1-D, X ~ N(0,1)) depends on c.
    const double w1 = 0.8, s2 = 0.25;
    const mi::linear_gaussian e(s2);
    double previous = -1.0;
    for (const double c : {0.25, 0.5, 1.0, 2.0, 4.0, 8.0}) {
        const std::vector<double> w{c * w1};
        const double v = e.mutual_information(mi::view(w, 1, 1));
        CHECK(v == doctest::Approx(0.5 * std::log(1.0 + c * c * w1 * w1 / s2)).epsilon(1e-14));
        CHECK(v > previous);
        previous = v;
    }
    // diagonal W, Sigma_x = I: the log-det is a sum over units
    const std::vector<double> w{2.0, 0.0, 0.0, 0.0, 0.5, 0.0};
    CHECK(e.mutual_information(mi::view(w, 2, 3)) ==
          doctest::Approx(0.5 * std::log(1.0 + 4.0 / s2) + 0.5 * std::log(1.0 + 0.25 / s2)).epsilon(1e-14));
    // zero weights carry no information; a layer equal to the teacher's noiseless output keeps I(T;Y) = I(T;X)
    const std::vector<double> zero(6, 0.0);
    CHECK(e.mutual_information(mi::view(zero, 2, 3)) == doctest::Approx(0.0).epsilon(1e-15));
    const std::vector<double> wo{1.0, -1.0, 0.5};
    CHECK(e.mutual_information(mi::view(wo, 1, 3), mi::view(wo, 1, 3), 0.0) ==
          doctest::Approx(e.mutual_information(mi::view(wo, 1, 3))).epsilon(1e-12));
}

TEST_CASE("generalization_error: Saxe et al. eq. 5 against numpy") {
    const auto d = read_records("rest_linear_gaussian.txt");
    CHECK(mi::generalization_error(d.at("a_Wo").view(), d.at("g_Wtot").view(), 0.3) ==
          doctest::Approx(d.at("g_eg").v[0]).epsilon(1e-13));
    CHECK(mi::generalization_error(d.at("a_Wo").view(), d.at("g_Wtot").view(), d.at("g_Sx").view(), 0.3) ==
          doctest::Approx(d.at("g_eg_sx").v[0]).epsilon(1e-12));
    CHECK(mi::generalization_error(d.at("a_Wo").view(), d.at("a_Wo").view(), 0.3) == doctest::Approx(0.6));
}

TEST_CASE("linear_gaussian: bad input raises mi::error") {
    CHECK_THROWS_AS(mi::linear_gaussian(0.0), mi::error);
    CHECK_THROWS_AS(mi::linear_gaussian(-1.0), mi::error);
    CHECK_THROWS_AS(mi::linear_gaussian(std::nan("")), mi::error);
    const mi::linear_gaussian e(0.1);
    const std::vector<double> w{1, 2, 3, 4, 5, 6};
    const std::vector<double> bad{1, std::nan(""), 3, 4, 5, 6};
    CHECK_THROWS_AS(e.mutual_information(mi::view(bad, 2, 3)), mi::error);
    const std::vector<double> sx2{1, 0, 0, 1};
    CHECK_THROWS_AS(e.mutual_information(mi::view(w, 2, 3), mi::view(sx2, 2, 2)), mi::error);  // 2x2 for 3 inputs
    const std::vector<double> nonsym{1, 0.5, 0, 0, 1, 0, 0, 0, 1};
    CHECK_THROWS_AS(e.mutual_information(mi::view(w, 2, 3), mi::view(nonsym, 3, 3)), mi::error);
    const std::vector<double> indefinite{1, 0, 0, 0, -1, 0, 0, 0, 1};
    CHECK_THROWS_AS(e.mutual_information(mi::view(w, 2, 3), mi::view(indefinite, 3, 3)), mi::error);
    const std::vector<double> wo{1, 2};
    CHECK_THROWS_AS(e.mutual_information(mi::view(w, 2, 3), mi::view(wo, 1, 2), 0.1), mi::error);
    CHECK_THROWS_AS(e.mutual_information(mi::view(w, 2, 3), mi::view(w, 2, 3), -0.1), mi::error);
    CHECK_THROWS_AS(mi::generalization_error(mi::view(w, 2, 3), mi::view(w, 3, 2), 0.1), mi::error);
    try {
        e.mutual_information(mi::view(w, 2, 3), mi::view(indefinite, 3, 3));
    } catch (const mi::error& x) {
        CHECK(std::string(x.what()).find("input_covariance") != std::string::npos);
    }
}

// Issue 15: a LAPACK failure escaped as std::runtime_error, and an overflowed covariance reached
// LAPACK as Inf/NaN ("eigenvalue = -nan ... is a noise variance zero?"). Both are mi::error naming
// the estimator's call and the matrix.
TEST_CASE("linear_gaussian: overflowing covariances and LAPACK failures raise mi::error naming the call") {
    const std::vector<double> w{1e200, 0.0, 0.0, 1e200};
    const mi::linear_gaussian g(1.0);
    CHECK_THROWS_WITH_AS(g.mutual_information(mi::view(w, 2, 2)), doctest::Contains("mi::linear_gaussian"), mi::error);
    CHECK_THROWS_WITH_AS(g.mutual_information(mi::view(w, 2, 2)), doctest::Contains("finite entries"), mi::error);
    CHECK_THROWS_WITH_AS(mi::detail::lapack_call([]() -> int { throw std::runtime_error("did not converge."); },
                                                 "mi::renyi::point", "Gram matrix"),
                         doctest::Contains("mi::renyi::point: Gram matrix = a matrix LAPACK could not decompose (did not converge.)"),
                         mi::error);
}

// Found by tests/fuzz/fuzz_linalg: W W^T with finite entries near the largest double (W ~ 6.7e153)
// has eigenvalues that overflow in LAPACK; log det was +inf and I(T;X) = inf was returned.
TEST_CASE("linear_gaussian: a covariance whose eigenvalues overflow raises mi::error, never inf") {
    const double b = -6.677614145500822e+153;
    const std::vector<double> w{1.7178e-318, 9.711163308563111e-101, -6.6770364883347234e+153, b, b, b, b,
                                2.4924306183275716e-306};
    const mi::linear_gaussian g(1e-2);
    CHECK_THROWS_WITH_AS(g.mutual_information(mi::view(w, 4, 2)), doctest::Contains("mi::linear_gaussian"),
                         mi::error);
}

}  // namespace test_estimators_linear_gaussian
