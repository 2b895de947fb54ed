// SPDX-License-Identifier: BSD-3-Clause
// mi::edge (Noshad, Zeng & Hero 2019): small worked cases, the ensemble
// weights' defining equations, determinism, bad input.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "mi/core/parallel.hpp"
#include "mi/core/random.hpp"
#include "mi/core/samples.hpp"
#include "mi/estimators/edge.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_estimators_edge {

static_assert(mi::is_plane_estimator_v<mi::edge, float>);
static_assert(mi::is_plane_estimator_v<mi::edge, double>);

namespace {
// The options by name (C++17: one field at a time).
mi::edge_options options(double epsilon, std::vector<double> scales, std::size_t bias_terms = 0,
                         double hash_factor = 1.0, std::uint64_t seed = 0) {
    mi::edge_options o;
    o.epsilon = epsilon;
    o.scales = std::move(scales);
    o.bias_terms = bias_terms;
    o.hash_factor = hash_factor;
    o.seed = seed;
    return o;
}
}  // namespace

TEST_CASE("edge: worked cases") {
    // 8 distinct integer points, eps = 0.5: floor((k + b) / 0.5) = 2k for any shift b in [0, 0.5),
    // so 8 cells; with 1000 N buckets this seed has no hash collision -> I(X;T) = ln 8.
    std::vector<double> t;
    for (int k = 0; k < 8; ++k) {
        t.push_back(k);
        t.push_back(-2 * k);
    }
    const std::vector<int> y{0, 0, 0, 0, 1, 1, 1, 1};
    const mi::samples s{mi::labels(y)};
    const mi::edge e(options(0.5, {1.0}, 0, 1000.0, 3));
    const mi::plane_point p = e.point(mi::view(t, 8, 2), s);
    CHECK(p.ixt == doctest::Approx(std::log(8.0)).epsilon(1e-15));
    CHECK(p.ity == doctest::Approx(std::log(2.0)).epsilon(1e-15));
    // all rows identical: one cell, nothing to learn
    const std::vector<double> same(16, 0.3);
    const mi::plane_point z = e.point(mi::view(same, 8, 2), s);
    CHECK(z.ixt == 0.0);
    CHECK(z.ity == 0.0);
    // one bucket (F = 1): everything collides
    const mi::edge one(options(0.5, {1.0}, 0, 1e-9, 3));
    CHECK(one.point(mi::view(t, 8, 2), s).ixt == 0.0);
    // repeated inputs: rows 2k, 2k+1 are the same input -> pairs of cells -> I(X;T) = ln 8 - ln 2
    const mi::samples sx(mi::labels(y), mi::input_ids(std::vector<int>{0, 0, 1, 1, 2, 2, 3, 3}));
    CHECK(e.point(mi::view(t, 8, 2), sx).ixt == doctest::Approx(std::log(4.0)).epsilon(1e-15));
    // two continuous variables: b = a is maximal dependence, I = H of the hashed cells = ln 8
    CHECK(e.mutual_information(mi::view(t, 8, 2), mi::view(t, 8, 2)) == doctest::Approx(std::log(8.0)).epsilon(1e-15));
}

TEST_CASE("edge: mutual_information(layer, input_ids / labels) is point()'s ixt / ity; options by name") {
    std::vector<double> t(400);
    mi::rng g(8);
    for (auto& v : t) v = g.normal();
    std::vector<int> y(200), x(200);
    for (std::size_t i = 0; i < y.size(); ++i) {
        y[i] = static_cast<int>(i % 3);
        x[i] = static_cast<int>(i / 2);  // pairs of rows share an input
    }
    const mi::samples s(mi::labels(y, 3), mi::input_ids(x));
    const mi::edge e(options(0.3, {1.0, 2.0}, 1, 2.0, 7));
    CHECK(e.epsilon() == 0.3);
    CHECK(e.scales() == std::vector<double>{1.0, 2.0});
    CHECK(e.bias_terms() == 1);
    CHECK(e.hash_factor() == 2.0);
    CHECK(e.seed() == 7);
    const mi::plane_point p = e.point(mi::view(t, 200, 2), s);
    CHECK(e.mutual_information(mi::view(t, 200, 2), s.inputs()) == p.ixt);
    CHECK(e.mutual_information(mi::view(t, 200, 2), s.labels()) == p.ity);
    CHECK_THROWS_WITH_AS(e.mutual_information(mi::view(t, 200, 2), mi::labels(std::vector<int>{0, 1})),
                         doctest::Contains("labels size = 2"), mi::error);
    // the one-number constructor is the options' defaults with that epsilon
    CHECK(mi::edge(0.3).parameters() == "epsilon=0.3;scales=1;bias_terms=0;hash_factor=1;seed=0");
    mi::edge_options o;
    o.epsilon = 0.3;
    CHECK(mi::edge(o).parameters() == mi::edge(0.3).parameters());
}

TEST_CASE("edge: ensemble weights cancel the requested powers of eps") {
    const auto w2 = mi::edge::ensemble_weights({1.0, 2.0}, 1);  // Richardson: 2 I(eps) - I(2 eps)
    CHECK(w2[0] == doctest::Approx(2.0));
    CHECK(w2[1] == doctest::Approx(-1.0));
    const auto wu = mi::edge::ensemble_weights({1.0, 2.0, 3.0}, 0);
    for (double w : wu) CHECK(w == doctest::Approx(1.0 / 3.0));
    const std::vector<double> s{0.5, 1.0, 1.5, 2.0};
    const auto w = mi::edge::ensemble_weights(s, 2);
    double s0 = 0, s1 = 0, s2 = 0;
    for (std::size_t l = 0; l < s.size(); ++l) {
        s0 += w[l];
        s1 += w[l] * s[l];
        s2 += w[l] * s[l] * s[l];
    }
    CHECK(s0 == doctest::Approx(1.0));
    CHECK(s1 == doctest::Approx(0.0).scale(1.0));
    CHECK(s2 == doctest::Approx(0.0).scale(1.0));
    // minimum norm: adding any null-space direction of the constraints increases |w|
    const mi::edge e(options(0.1, {1.0, 2.0}, 1));
    CHECK(e.weights() == w2);
    CHECK(e.parameters() == "epsilon=0.1;scales=1,2;bias_terms=1;hash_factor=1;seed=0");
}

TEST_CASE("edge: dependence is detected; deterministic across thread counts") {
    const std::size_t n = 20000;
    std::vector<float> a(n), b(n), c(n);
    mi::rng g(17);
    for (std::size_t i = 0; i < n; ++i) {
        a[i] = static_cast<float>(g.normal());
        b[i] = static_cast<float>(0.9 * a[i] + std::sqrt(1 - 0.81) * g.normal());
        c[i] = static_cast<float>(g.normal());
    }
    const mi::edge e(options(0.2, {1.0, 2.0, 4.0}, 0, 4.0, 5));
    mi::set_num_threads(1);
    const double dep = e.mutual_information(mi::view(a), mi::view(b));
    const double ind = e.mutual_information(mi::view(a), mi::view(c));
    mi::set_num_threads(2);
    CHECK(e.mutual_information(mi::view(a), mi::view(b)) == dep);
    mi::set_num_threads(0);
    // true values: 0.830 (rho = 0.9) and 0; a plug-in on ~40 cells per axis is biased up by ~(K-1)^2/(2N)
    CHECK(dep > 0.6);
    CHECK(dep < 1.0);
    CHECK(ind < 0.1);
}

TEST_CASE("edge: bad input raises mi::error") {
    CHECK_THROWS_AS(mi::edge(0.0), mi::error);
    CHECK_THROWS_AS(mi::edge(std::nan("")), mi::error);
    CHECK_THROWS_WITH_AS(mi::edge(0.0), doctest::Contains("epsilon = 0, expected a finite value > 0"), mi::error);
    CHECK_THROWS_WITH_AS(mi::edge(mi::edge_options{}), doctest::Contains("options.epsilon = 0"), mi::error);
    CHECK_THROWS_WITH_AS(mi::edge(options(0.1, {})), doctest::Contains("options.scales = {}"), mi::error);
    CHECK_THROWS_WITH_AS(mi::edge(options(0.1, {1.0, -2.0})), doctest::Contains("options.scales[1] = -2"), mi::error);
    CHECK_THROWS_WITH_AS(mi::edge(options(0.1, {1.0, 1.0})), doctest::Contains("options.scales[1] = 1"), mi::error);
    CHECK_THROWS_WITH_AS(mi::edge(options(0.1, {1.0, 2.0}, 2)), doctest::Contains("options.bias_terms = 2"), mi::error);
    CHECK_THROWS_WITH_AS(mi::edge(options(0.1, {1.0}, 0, 0.0)), doctest::Contains("options.hash_factor = 0"),
                         mi::error);
    const mi::edge e(0.1);
    std::vector<double> v{0.1, std::nan(""), 0.3, 0.4};
    CHECK_THROWS_AS(e.point(mi::view(v, 2, 2), mi::samples(mi::labels(std::vector<int>{0, 1}))), mi::error);
    v[1] = 0.2;
    CHECK_THROWS_AS(e.point(mi::view(v, 2, 2), mi::samples(mi::labels(std::vector<int>{0, 1, 1}))), mi::error);
    CHECK_THROWS_AS(e.mutual_information(mi::view(v, 2, 2), mi::view(v, 4, 1)), mi::error);
    const std::vector<double> huge{1e300, -1e300};
    CHECK_THROWS_AS(e.mutual_information(mi::view(huge), mi::view(huge)), mi::error);
}

}  // namespace test_estimators_edge
