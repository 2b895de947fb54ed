// SPDX-License-Identifier: BSD-3-Clause
// mi::sample_propagation: the Monte Carlo mixture entropy against a numerical
// integral computed here (Simpson's rule on a fine grid), the known limits of
// I(X;T) for tiny and huge noise, determinism across thread counts, bad input.
#include <doctest/doctest.h>

#include <cmath>
#include <algorithm>
#include <cstdint>
#include <vector>

#include "mi/core/parallel.hpp"
#include "mi/core/random.hpp"
#include "mi/core/replica_groups.hpp"
#include "mi/core/samples.hpp"
#include "mi/core/special.hpp"
#include "mi/estimators/sample_propagation.hpp"
#include "default_threads.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_estimators_sample_propagation {

namespace {

// -integral p log p of (1/K) sum_k N(c_k, s^2), Simpson's rule on [lo, hi] (independent of mi).
double integrated_entropy(const std::vector<double>& c, double s) {
    const double lo = -12.0, hi = 12.0;
    const int n = 200000;  // even
    const double h = (hi - lo) / n;
    auto f = [&](double t) {
        double p = 0.0;
        for (double ck : c) p += std::exp(-(t - ck) * (t - ck) / (2 * s * s));
        p /= static_cast<double>(c.size()) * std::sqrt(2 * mi::pi) * s;
        return p > 0.0 ? -p * std::log(p) : 0.0;
    };
    double sum = f(lo) + f(hi);
    for (int i = 1; i < n; ++i) sum += (i % 2 ? 4.0 : 2.0) * f(lo + i * h);
    return sum * h / 3.0;
}

// N inputs on a 2-D grid of spacing 1, R replicas each with small upstream jitter.
std::vector<double> layer_grid(std::size_t n, std::size_t r, double jitter, std::uint64_t seed) {
    std::vector<double> v;
    mi::rng g(seed);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < r; ++k) {
            v.push_back(static_cast<double>(i % 4) + jitter * g.normal());
            v.push_back(static_cast<double>(i / 4) + jitter * g.normal());
        }
    return v;
}

}  // namespace

static_assert(mi::is_plane_estimator_v<mi::sample_propagation, float>);
static_assert(mi::is_plane_estimator_v<mi::sample_propagation, double>);

TEST_CASE("sample_propagation: 1-D two-component mixture entropy equals the numerical integral") {
    const std::vector<double> c{-1.0, 1.0};
    for (const double s : {0.3, 0.8}) {
        const double ref = integrated_entropy(c, s);
        const double mc = mi::sample_propagation::mixture_entropy(mi::view(c), s, 50000, 7);
        // MC standard error ~ sd(log p) / sqrt(1e5) < 0.005
        CHECK(std::abs(mc - ref) < 0.02);
    }
    // one centre: the Gaussian entropy
    const std::vector<double> one{0.5};
    CHECK(std::abs(mi::sample_propagation::mixture_entropy(mi::view(one), 0.7, 100000, 3) -
                   mi::gaussian_entropy(1.0, 0.49)) < 0.01);
    // float centres give the same value up to float rounding
    const std::vector<float> cf{-1.0f, 1.0f};
    CHECK(std::abs(mi::sample_propagation::mixture_entropy(mi::view(cf), 0.3, 50000, 7) - integrated_entropy(c, 0.3)) < 0.02);
}

namespace {
mi::sample_propagation sp(double sigma, std::size_t mc, std::uint64_t seed, bool deterministic = false) {
    mi::sample_propagation_options o;
    o.sigma = sigma;
    o.mc_samples = mc;
    o.seed = seed;
    o.conditional = deterministic ? mi::sp_conditional::deterministic : mi::sp_conditional::replicas;
    return mi::sample_propagation(o);
}
}  // namespace

TEST_CASE("sample_propagation: I(X;T) limits for tiny and huge noise") {
    const std::size_t n = 8, r = 6;
    const auto groups = mi::replica_groups::consecutive(r);
    // deterministic first layer: one row per input, closed-form h(T|X), no replica groups
    const auto first = layer_grid(n, 1, 0.0, 1);
    // (closed-form h(T|X): the MC error of h(T) stays, sd ~ 1 / sqrt(8 * 2000) = 0.008)
    const auto det_small = sp(0.02, 2000, 5, true);
    CHECK(std::abs(det_small.mutual_information(mi::view(first, n, 2), mi::replica_groups()) - std::log(8.0)) < 0.03);
    const auto det_huge = sp(200.0, 64, 5, true);
    CHECK(det_huge.mutual_information(mi::view(first, n, 2), mi::replica_groups()) < 1e-3);
    // replicas: each input's replicas scattered by upstream noise 0.001
    const auto deep = layer_grid(n, r, 0.001, 2);
    const auto small = sp(0.02, 32, 5);
    // (replicas: h(T) and h(T|X) share their draws, so the MC error cancels)
    CHECK(small.mutual_information(mi::view(deep, n * r, 2), groups) == doctest::Approx(std::log(8.0)).epsilon(1e-6));
    const auto huge = sp(200.0, 32, 5);
    CHECK(huge.mutual_information(mi::view(deep, n * r, 2), groups) < 1e-3);
    // I(T;Y): classes = left/right half of the grid -> ln 2 for small noise
    std::vector<int> y;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < r; ++k) y.push_back(i % 4 < 2 ? 0 : 1);
    const mi::samples s = mi::samples(mi::labels(y)).with_replicas(groups);
    const mi::plane_point p = small.point(mi::view(deep, n * r, 2), s);
    CHECK(p.ity == doctest::Approx(std::log(2.0)).epsilon(1e-6));
    CHECK(p.ity == small.mutual_information(mi::view(deep, n * r, 2), s.labels()));
    CHECK(p.ixt == doctest::Approx(small.mutual_information(mi::view(deep, n * r, 2), groups)));
    CHECK(huge.point(mi::view(deep, n * r, 2), s).ity < 1e-3);
}

TEST_CASE("sample_propagation: h(T) - h(T|X) terms and determinism across thread counts") {
    const std::size_t n = 8, r = 5;
    const auto g = mi::replica_groups::consecutive(r);
    const auto deep = layer_grid(n, r, 0.3, 4);  // overlapping replicas: 0 < I < ln 8
    const auto e = sp(0.2, 16, 11);
    const auto v = mi::view(deep, n * r, 2);
    mi::set_num_threads(1);
    const double h1 = e.entropy(v), c1 = e.conditional_entropy(v, g), i1 = e.mutual_information(v, g);
    mi::set_num_threads(2);
    const double h2 = e.entropy(v), c2 = e.conditional_entropy(v, g), i2 = e.mutual_information(v, g);
    mi::set_num_threads(0);
    CHECK(h1 == h2);
    CHECK(c1 == c2);
    CHECK(i1 == i2);
    CHECK(i1 == doctest::Approx(h1 - c1));
    CHECK(i1 > 0.5);
    CHECK(i1 < std::log(8.0));
    // the same groups given as per-row draw ids: the same numbers, bit for bit
    std::vector<int> ids;
    for (std::size_t i = 0; i < n * r; ++i) ids.push_back(static_cast<int>(100 + i / r));
    CHECK(e.conditional_entropy(v, mi::replica_groups(ids)) == c1);
    // another seed changes the MC draws
    CHECK(sp(0.2, 16, 12).entropy(v) != h1);
    CHECK(e.parameters() == "sigma=0.2;mc_samples=16;seed=11;conditional=replicas");
}

TEST_CASE("sample_propagation: groups of unequal sizes weigh h(T|X=x) by their share of the rows") {
    // draw A: 2 replicas at 0 (a Gaussian, h = G); draw B: 4 replicas, two at -50 and two at +50
    // (two separated equal components, h = G + ln 2). h(T|X) = (2/6) G + (4/6) (G + ln 2).
    const std::vector<double> t{0.0, -50.0, 0.0, 50.0, -50.0, 50.0};
    const mi::replica_groups groups(std::vector<int>{0, 1, 0, 1, 1, 1});
    const double sigma = 0.5, gauss = 0.5 * std::log(2.0 * mi::pi * std::exp(1.0) * sigma * sigma);
    const double h = sp(sigma, 20000, 3).conditional_entropy(mi::view(t), groups);
    CHECK(std::abs(h - (gauss + 2.0 / 3.0 * std::log(2.0))) < 0.02);  // MC sd ~ 0.004; the plain mean is 0.12 off
}

TEST_CASE("sample_propagation: I(T;Y) from one pass equals the class mixtures computed directly with the same draws") {
    // Three overlapping classes of unequal sizes in 2-D, double precision. The reference is a
    // plain double loop over the draws mi documents (row j draws from rng(derive_seed(seed, j))
    // in every mixture that contains it): h(T) over all centres, h(T|Y=l) over class l's.
    const std::size_t n = 90, d = 2, mc = 3;
    const double sigma = 0.4;
    const std::uint64_t seed = 21;
    mi::rng g(5);
    std::vector<double> t(n * d);
    std::vector<int> y(n);
    for (std::size_t i = 0; i < n; ++i) {
        y[i] = i < 20 ? 0 : (i < 50 ? 1 : 2);
        for (std::size_t u = 0; u < d; ++u) t[i * d + u] = 0.6 * y[i] * (u == 0 ? 1.0 : -0.5) + g.normal();
    }
    auto mixture_h = [&](const std::vector<std::size_t>& rows) {
        const double k = static_cast<double>(rows.size());
        double sum = 0.0;
        for (const std::size_t j : rows) {
            mi::rng r(mi::derive_seed(seed, j));
            for (std::size_t m = 0; m < mc; ++m) {
                double q[2];
                for (std::size_t u = 0; u < d; ++u) q[u] = t[j * d + u] + sigma * r.normal();
                double top = -1e300;
                std::vector<double> v;
                for (const std::size_t c : rows) {
                    double d2 = 0.0;
                    for (std::size_t u = 0; u < d; ++u) d2 += (q[u] - t[c * d + u]) * (q[u] - t[c * d + u]);
                    v.push_back(-d2 / (2 * sigma * sigma));
                    top = std::max(top, v.back());
                }
                double e = 0.0;
                for (const double x : v) e += std::exp(x - top);
                sum += top + std::log(e);
            }
        }
        return std::log(k) + 0.5 * d * std::log(2 * mi::pi * sigma * sigma) - sum / (k * mc);
    };
    std::vector<std::size_t> all(n);
    std::vector<std::vector<std::size_t>> cls(3);
    for (std::size_t i = 0; i < n; ++i) {
        all[i] = i;
        cls[static_cast<std::size_t>(y[i])].push_back(i);
    }
    double given = 0.0;
    for (const auto& c : cls) given += static_cast<double>(c.size()) / n * mixture_h(c);
    const double expected = mixture_h(all) - given;
    REQUIRE(expected > 0.05);  // the classes must overlap and still be told apart

    mi::sample_propagation_options o;
    o.sigma = sigma;
    o.mc_samples = mc;
    o.seed = seed;
    const mi::sample_propagation e(o);
    const mi::labels labels(y);
    const mi_test::default_threads_on_exit restore;
    mi::set_num_threads(1);
    const double one = e.mutual_information(mi::view(t, n, d), labels);
    mi::set_num_threads(2);
    const double two = e.mutual_information(mi::view(t, n, d), labels);
    CHECK(one == two);
    CHECK(one == doctest::Approx(expected).epsilon(1e-10));
}

TEST_CASE("sample_propagation: bad input raises mi::error") {
    CHECK_THROWS_WITH_AS(sp(0.0, 1, 0), doctest::Contains("options.sigma = 0"), mi::error);
    CHECK_THROWS_WITH_AS(mi::sample_propagation(-1.0), doctest::Contains("options.sigma = -1"), mi::error);
    CHECK_THROWS_WITH_AS(sp(0.1, 0, 0), doctest::Contains("options.mc_samples = 0"), mi::error);
    CHECK_THROWS_WITH_AS(mi::replica_groups::consecutive(0), doctest::Contains("replicas = 0"), mi::error);
    const auto e = sp(0.1, 2, 0);
    std::vector<double> v(10 * 2, 0.5);
    const mi::samples ten(mi::labels(std::vector<int>(10, 0)));
    // 10 rows are not whole groups of 4
    CHECK_THROWS_WITH_AS(e.conditional_entropy(mi::view(v, 10, 2), mi::replica_groups::consecutive(4)),
                         doctest::Contains("layer rows = 10, expected a multiple of 4"), mi::error);
    CHECK_THROWS_WITH_AS(ten.with_replicas(mi::replica_groups::consecutive(4)),
                         doctest::Contains("layer rows = 10, expected a multiple of 4"), mi::error);
    // the replicas conditional needs groups, of at least two replicas each
    CHECK_THROWS_WITH_AS(e.point(mi::view(v, 10, 2), ten), doctest::Contains("samples.replicas() = none"), mi::error);
    CHECK_THROWS_WITH_AS(e.point(mi::view(v, 10, 2), ten.with_replicas(mi::replica_groups::consecutive(1))),
                         doctest::Contains("replica group 0 = 1 row, expected >= 2 replicas"), mi::error);
    // the deterministic conditional needs none
    CHECK_NOTHROW(sp(0.1, 2, 0, true).point(mi::view(v, 10, 2), ten));
    std::vector<double> w(8 * 2, 0.5);
    w[3] = std::nan("");
    CHECK_THROWS_WITH_AS(e.mutual_information(mi::view(w, 8, 2), mi::replica_groups::consecutive(4)),
                         doctest::Contains("layer(1, 1) = nan"), mi::error);
    w[3] = 0.5;
    CHECK_THROWS_AS(e.point(mi::view(w, 8, 2), mi::samples(mi::labels(std::vector<int>{0, 1, 0}))), mi::error);
    CHECK_THROWS_AS(e.mutual_information(mi::view(w, 8, 2), mi::labels(std::vector<int>{0, 1, 0})), mi::error);
    const std::vector<double> empty;
    CHECK_THROWS_AS(mi::sample_propagation::mixture_entropy(mi::view(empty), 0.1, 1, 0), mi::error);
}

// Issue 15: sigma = 1e-160 made the kernel variance subnormal (-1/(2 s2) = -inf, 0 * inf = NaN).
// Layer and noise at 2^-530 (1e-160) are computed at an exact power-of-two rescaling, so they give
// the values of the same network at scale 1; a noise that draws cannot resolve next to the
// activations (1e-160 against activations of order 1) is refused, not estimated as NaN.
TEST_CASE("sample_propagation: layer and noise at 1e-160 give the values at scale 1; unresolvable noise raises") {
    const std::size_t n = 8, r = 6;
    const auto deep = layer_grid(n, r, 0.001, 2);
    std::vector<double> tiny(deep);
    for (double& v : tiny) v = std::ldexp(v, -530);
    std::vector<int> y;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < r; ++k) y.push_back(i % 4 < 2 ? 0 : 1);
    const mi::samples s = mi::samples(mi::labels(y)).with_replicas(mi::replica_groups::consecutive(r));
    const mi::plane_point at1 = sp(0.3, 16, 5).point(mi::view(deep, n * r, 2), s);
    const mi::plane_point at0 = sp(std::ldexp(0.3, -530), 16, 5).point(mi::view(tiny, n * r, 2), s);
    CHECK(at1.ixt > 0.5);
    CHECK(at0.ixt == doctest::Approx(at1.ixt).epsilon(1e-12));
    CHECK(at0.ity == doctest::Approx(at1.ity).epsilon(1e-12));
    const double h1 = sp(0.3, 16, 5).entropy(mi::view(deep, n * r, 2));
    const double h0 = sp(std::ldexp(0.3, -530), 16, 5).entropy(mi::view(tiny, n * r, 2));
    CHECK(h0 == doctest::Approx(h1 - 2 * 530 * std::log(2.0)).epsilon(1e-12));
    CHECK_THROWS_WITH_AS(mi::sample_propagation(1e-160).point(mi::view(deep, n * r, 2), s),
                         doctest::Contains("sigma = 1e-160"), mi::error);
}

}  // namespace test_estimators_sample_propagation
