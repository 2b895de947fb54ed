// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "mi/core/error.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/random.hpp"
#include "mi/core/samples.hpp"
#include "mi/core/special.hpp"
#include "mi/estimators/kl_entropy.hpp"
#include "mi/estimators/weighted_kl.hpp"
#include "mi/search/brute_force.hpp"
#include "mi/search/kd_tree.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_estimators_weighted_kl {

static_assert(mi::is_plane_estimator_v<mi::weighted_kl<>, float>, "weighted_kl models the plane estimator");
static_assert(mi::is_plane_estimator_v<mi::weighted_kl<>, double>, "weighted_kl models the plane estimator");
static_assert(mi::resampling_of_v<mi::weighted_kl<>> == mi::resampling::rows, "bootstrapped by rows");
static_assert(mi::bias_correction_of_v<mi::weighted_kl<>> == mi::bias_correction::none, "no half-sample reflection");

namespace {

/// N rows of a d-dimensional Gaussian with covariance A A^T (A row-major d x d), mean 1.
std::vector<double> gaussian(std::size_t n, std::size_t d, const std::vector<double>& a, std::uint64_t seed) {
    mi::rng r(seed);
    std::vector<double> x(n * d), z(d);
    for (std::size_t i = 0; i < n; ++i) {
        for (double& v : z) v = r.normal();
        for (std::size_t p = 0; p < d; ++p) {
            double s = 1.0;
            for (std::size_t q = 0; q < d; ++q) s += a[p * d + q] * z[q];
            x[i * d + p] = s;
        }
    }
    return x;
}

/// A lower-triangular d x d matrix with positive diagonal (a covariance factor), deterministic.
std::vector<double> factor(std::size_t d) {
    std::vector<double> a(d * d, 0.0);
    for (std::size_t p = 0; p < d; ++p)
        for (std::size_t q = 0; q <= p; ++q) a[p * d + q] = p == q ? 0.5 + 0.25 * static_cast<double>(p) : 0.3 / (1.0 + p + q);
    return a;
}

/// 1/2 log((2 pi e)^d det(A A^T)) for lower-triangular A: the Gaussian entropy in closed form.
double gaussian_entropy(const std::vector<double>& a, std::size_t d) {
    double logdet = 0.0;
    for (std::size_t p = 0; p < d; ++p) logdet += 2.0 * std::log(a[p * d + p]);
    return 0.5 * (static_cast<double>(d) * std::log(2.0 * M_PI * M_E) + logdet);
}

}  // namespace

TEST_CASE("weighted_kl::weights solve Berrett et al.'s constraints (checked with std::lgamma)") {
    for (const auto& dk : std::vector<std::pair<std::size_t, std::size_t>>{{8, 5}, {12, 12}, {6, 9}, {16, 20}, {5, 7}}) {
        const std::size_t d = dk.first, k = dk.second;
        CAPTURE(d);
        CAPTURE(k);
        const std::vector<double> w = mi::weighted_kl<>::weights(d, k);
        REQUIRE(w.size() == k);
        std::set<std::size_t> allowed;
        for (std::size_t i = 1; i <= d; ++i) allowed.insert(i * k / d);
        double sum = 0.0, scale = 0.0;
        for (std::size_t j = 1; j <= k; ++j) {
            sum += w[j - 1];
            scale = std::max(scale, std::fabs(w[j - 1]));
            if (!allowed.count(j)) CHECK(w[j - 1] == 0.0);
        }
        CHECK(sum == doctest::Approx(1.0).epsilon(1e-12));
        for (std::size_t l = 1; l <= d / 4; ++l) {
            double c = 0.0;
            for (std::size_t j = 1; j <= k; ++j)
                c += w[j - 1] * std::exp(std::lgamma(j + 2.0 * l / d) - std::lgamma(static_cast<double>(j)));
            CHECK(std::fabs(c) < 1e-10 * scale);
        }
    }
    // the least-norm solution, as numpy.linalg.lstsq gives it (computed once with Debian's python3-numpy)
    const double numpy_8_5[5] = {9.854136576662876, -7.6691049243108464, -7.229967014642059, -1.2050316585020546,
                                 7.249967020792077};
    const auto w = mi::weighted_kl<>::weights(8, 5);
    for (std::size_t j = 0; j < 5; ++j) CHECK(w[j] == doctest::Approx(numpy_8_5[j]).epsilon(1e-9));
    const double numpy_6_9[9] = {1.447415947570937, 0.0, 0.537156865520163, 0.2539651511043678, 0.0,
                                 -0.1865552935424293, -0.36835738180935773, 0.0, -0.6836252888436795};
    const auto w6 = mi::weighted_kl<>::weights(6, 9);
    for (std::size_t j = 0; j < 9; ++j) CHECK(w6[j] == doctest::Approx(numpy_6_9[j]).epsilon(1e-9));
    // d <= 3: no bias constraint, the unweighted estimator with k neighbours
    for (std::size_t d = 1; d <= 3; ++d) {
        const auto e = mi::weighted_kl<>::weights(d, 4);
        CHECK(e == std::vector<double>{0.0, 0.0, 0.0, 1.0});
    }
}

TEST_CASE("weighted_kl: d <= 3 is the Kozachenko-Leonenko estimator with Berrett's log(N - 1) for psi(N)") {
    const std::size_t n = 500, d = 3;
    const auto x = gaussian(n, d, factor(d), 5);
    mi::weighted_kl_options o;
    o.k = 4;
    o.whiten = false;
    const double weighted = mi::weighted_kl<>(o).entropy(mi::view(x, n, d));
    const double unweighted = mi::kl_entropy<>(4).entropy(mi::view(x, n, d));
    CHECK(weighted == doctest::Approx(unweighted + std::log(n - 1.0) - mi::detail::digamma(double(n))).epsilon(1e-12));
}

TEST_CASE("weighted_kl: Gaussian entropy against the closed form (d = 2, 6, 10)") {
    for (const std::size_t d : {2, 6, 10}) {
        CAPTURE(d);
        const std::size_t n = 4000;
        const auto a = factor(d);
        const auto x = gaussian(n, d, a, 17 + d);
        mi::weighted_kl_options o;
        o.k = d >= 8 ? 10 : 5;
        const double h = mi::weighted_kl<>(o).entropy(mi::view(x, n, d));
        CHECK(std::fabs(h - gaussian_entropy(a, d)) < 0.05 * static_cast<double>(d) + 0.05);
        // whitening is an exact change of variables: without it, the same answer to the estimator's error
        o.whiten = false;
        CHECK(std::fabs(mi::weighted_kl<>(o).entropy(mi::view(x, n, d)) - gaussian_entropy(a, d)) <
              0.08 * static_cast<double>(d) + 0.05);
    }
}

TEST_CASE("weighted_kl: I(X;Y) of correlated Gaussians, 4 + 4 dimensions") {
    const std::size_t n = 3000, d = 4;
    const double rho = 0.8;
    mi::rng r(23);
    std::vector<double> x(n * d), y(n * d);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t c = 0; c < d; ++c) {
            const double u = r.normal(), v = r.normal();
            x[i * d + c] = u;
            y[i * d + c] = 3.0 * (rho * u + std::sqrt(1.0 - rho * rho) * v) - 2.0;
        }
    const double exact = -0.5 * d * std::log(1.0 - rho * rho);  // 2.0433 nats
    // Berrett's weights for d = 8 are large at k = 5 (|w| up to 9.9): the estimate is nearly unbiased but
    // its spread over seeds is ~0.2 nats at N = 3000 (~0.06 at k = 16), measured with an independent
    // numpy/scikit-learn implementation of the same formula.
    const mi::weighted_kl<> e(16);
    const double est = e.mutual_information(mi::view(x, n, d), mi::view(y, n, d));
    CHECK(std::fabs(est - exact) < 0.2);
    CHECK(std::fabs(mi::weighted_kl<>().mutual_information(mi::view(x, n, d), mi::view(y, n, d)) - exact) < 0.6);
    // every search policy gives the same numbers
    const mi::weighted_kl<mi::brute_force<mi::euclidean>> b(16);
    CHECK(b.mutual_information(mi::view(x, n, d), mi::view(y, n, d)) == doctest::Approx(est).epsilon(1e-12));
    // point(): X from the samples' network input, I(T;Y) with labels
    std::vector<int> labels(n);
    for (std::size_t i = 0; i < n; ++i) labels[i] = x[i * d] > 0.0 ? 1 : 0;
    const mi::samples s = mi::samples(mi::labels(labels, 2)).with_network_input(mi::view(x, n, d));
    const mi::plane_point p = e.point(mi::view(y, n, d), s);
    CHECK(p.ixt_kind == mi::ixt_quantity::mutual_information);
    CHECK(p.ixt == doctest::Approx(est).epsilon(1e-12));
    CHECK(p.ity == doctest::Approx(e.mutual_information(mi::view(y, n, d), mi::labels(labels, 2))).epsilon(1e-12));
}

TEST_CASE("weighted_kl: I(T;Y) of two far-apart classes is log 2") {
    const std::size_t n = 2000;
    mi::rng r(31);
    std::vector<double> t(n * 2);
    std::vector<int> y(n);
    for (std::size_t i = 0; i < n; ++i) {
        y[i] = static_cast<int>(i % 2);
        t[2 * i] = r.normal() + 40.0 * y[i];
        t[2 * i + 1] = r.normal();
    }
    const double i_ty = mi::weighted_kl<>().mutual_information(mi::view(t, n, 2), mi::labels(y, 2));
    CHECK(i_ty == doctest::Approx(std::log(2.0)).epsilon(0.03));
}

TEST_CASE("weighted_kl: name, parameters, determinism") {
    const mi::weighted_kl<mi::kd_tree<mi::euclidean>> e(7);
    CHECK(e.name() == "weighted_kl");
    CHECK(e.parameters().rfind("k=7;whiten=1;", 0) == 0);
    const auto x = gaussian(300, 5, factor(5), 2);
    CHECK(e.entropy(mi::view(x, 300, 5)) == e.entropy(mi::view(x, 300, 5)));
}

TEST_CASE("weighted_kl: bad input raises mi::error") {
    const auto x = gaussian(100, 4, factor(4), 1);
    CHECK_THROWS_AS(mi::weighted_kl<>(mi::weighted_kl_options{0}), mi::error);
    CHECK_THROWS_AS(mi::weighted_kl<>(100).entropy(mi::view(x, 100, 4)), mi::error);  // k >= N
    // d = 20 with k = 5: W^(k) is empty (6 constraints, 5 allowed j); the message names k
    const auto wide = gaussian(200, 20, factor(20), 2);
    try {
        (void)mi::weighted_kl<>(5).entropy(mi::view(wide, 200, 20));
        FAIL("expected mi::error");
    } catch (const mi::error& err) {
        CHECK(std::string(err.what()).find("k = 5") != std::string::npos);
    }
    auto bad = x;
    bad[7] = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_AS(mi::weighted_kl<>().entropy(mi::view(bad, 100, 4)), mi::error);
    CHECK_THROWS_AS(mi::weighted_kl<>().mutual_information(mi::view(x, 100, 4), mi::view(x.data(), 50, 4)), mi::error);
    // duplicate rows without jitter: zero distances
    std::vector<double> dup(60 * 2, 1.0);
    for (std::size_t i = 0; i < 30; ++i) dup[2 * i] = static_cast<double>(i % 5);
    mi::weighted_kl_options o;
    o.ties = mi::tie_policy::none();
    o.whiten = false;
    CHECK_THROWS_AS(mi::weighted_kl<>(o).entropy(mi::view(dup, 60, 2)), mi::error);
    // a constant column cannot be whitened
    o.ties = mi::tie_policy::none();
    o.whiten = true;
    std::vector<double> flat(100 * 2);
    for (std::size_t i = 0; i < 100; ++i) {
        flat[2 * i] = static_cast<double>(i);
        flat[2 * i + 1] = 3.0;
    }
    CHECK_THROWS_AS(mi::weighted_kl<>(o).entropy(mi::view(flat, 100, 2)), mi::error);
    // a class with no more than k rows; point() without a network input
    std::vector<int> y(100, 0);
    y[0] = 1;
    CHECK_THROWS_AS(mi::weighted_kl<>().mutual_information(mi::view(x, 100, 4), mi::labels(y, 2)), mi::error);
    CHECK_THROWS_AS(mi::weighted_kl<>().point(mi::view(x, 100, 4), mi::samples(mi::labels(std::vector<int>(100, 0), 1))),
                    mi::error);
}

}  // namespace test_estimators_weighted_kl
