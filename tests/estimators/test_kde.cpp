// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/input_ids.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/random.hpp"
#include "mi/core/samples.hpp"
#include "mi/estimators/kde.hpp"
#include "mi/kernels/concept.hpp"
#include "mi/kernels/example_kernel.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_estimators_kde {

static_assert(mi::is_plane_estimator_v<mi::kde<>, float>, "kde models the plane estimator");
static_assert(mi::is_plane_estimator_v<mi::kde<>, double>, "kde models the plane estimator");
static_assert(mi::is_plane_estimator_v<mi::kde<mi::gaussian_kernel, mi::adaptive_noise>, float>,
              "kde with adaptive noise models the plane estimator");

namespace {
constexpr double pi = 3.14159265358979323846264338327950288;

double h0(double d, double s) { return 0.5 * d * (std::log(2.0 * pi * s) + 1.0); }

std::vector<std::size_t> split_sizes(const std::string& list) {
    std::vector<std::size_t> out;
    std::istringstream ss(list);
    for (std::string t; std::getline(ss, t, ',');) out.push_back(std::stoul(t));
    return out;
}
}  // namespace

TEST_CASE("kde: one point") {
    const std::vector<double> x{0.3, -0.2, 0.9};
    const mi::kde<> e(mi::fixed_noise(1e-3));
    const auto h = e.entropy(mi::view(x, 1, 3));
    CHECK(h.upper == doctest::Approx(h0(3, 1e-3)).epsilon(1e-14));
    CHECK(h.lower == doctest::Approx(h0(3, 1e-3)).epsilon(1e-14));
    const auto p = e.point(mi::view(x, 1, 3), mi::samples(mi::labels(std::vector<int>{0})));
    CHECK(p.ixt == 0.0);
    CHECK(p.ity == 0.0);
    CHECK(p.ixt_bounds->lower == 0.0);
    CHECK(p.ity_bounds->lower == 0.0);
}

TEST_CASE_TEMPLATE("kde: two points at a known distance", T, float, double) {
    // |h1 - h2|^2 = 0.3^2 + 0.4^2 = 0.25, s = 0.05:
    //   L_i(s)  = log(1 + exp(-0.25 / 0.1)),  L_i(4s) = log(1 + exp(-0.25 / 0.4))
    //   H_up = h0 + log 2 - L(s),  H_lo = h0 + log 2 - L(4s),  H(T|X) = h0
    const double s = 0.05;
    const std::vector<T> x{T(1.0), T(0.0), T(1.3), T(0.4)};
    const double lu = std::log1p(std::exp(-2.5)), ll = std::log1p(std::exp(-0.625));
    const mi::kde<> e(mi::fixed_noise{s});
    const auto v = mi::view(x, 2, 2);
    const double tol = std::is_same_v<T, float> ? 1e-6 : 1e-13;
    const auto h = e.entropy(v);
    CHECK(h.upper == doctest::Approx(h0(2, s) + std::log(2.0) - lu).epsilon(tol));
    CHECK(h.lower == doctest::Approx(h0(2, s) + std::log(2.0) - ll).epsilon(tol));
    const auto i = e.mutual_information(v);
    CHECK(i.upper == doctest::Approx(std::log(2.0) - lu).epsilon(tol));
    CHECK(i.lower == doctest::Approx(std::log(2.0) - ll).epsilon(tol));
    CHECK(i.lower < i.upper);
    // two classes, one row each: H(T|Y) = h0, so I(T;Y) = I(X;T)
    const auto p = e.point(v, mi::samples(mi::labels(std::vector<int>{0, 1})));
    CHECK(p.ixt == doctest::Approx(std::log(2.0) - lu).epsilon(tol));
    CHECK(p.ity == doctest::Approx(std::log(2.0) - lu).epsilon(tol));
    CHECK(p.ity_bounds->lower == doctest::Approx(std::log(2.0) - ll).epsilon(tol));
    CHECK(p.ixt_kind == mi::ixt_quantity::mutual_information);
    // one class: I(T;Y) = 0 exactly
    const auto q = e.point(v, mi::samples(mi::labels(std::vector<int>{1, 1})));
    CHECK(q.ity == 0.0);
    CHECK(q.ity_bounds->lower == 0.0);
}

TEST_CASE_TEMPLATE("kde: K well-separated clusters, upper = lower = log K", T, float, double) {
    // K = 5 clusters of 40 rows, spread 1e-3 around centres 10 apart, s = 0.01: every
    // cross-cluster term is below exp(-100 / 0.08); within a cluster |dh|^2 / (8 s) < 1e-4.
    // So both bounds of I(X;T) and I(T;Y) (labels = cluster) are log 5 to within 1e-3.
    const std::size_t k = 5, per = 40, d = 12;
    std::vector<T> x;
    std::vector<int> y;
    mi::rng g(3);
    for (std::size_t c = 0; c < k; ++c)
        for (std::size_t i = 0; i < per; ++i) {
            for (std::size_t u = 0; u < d; ++u)
                x.push_back(static_cast<T>((u == c ? 10.0 : 0.0) + 1e-3 * g.normal()));
            y.push_back(static_cast<int>(c));
        }
    const mi::kde<> e(mi::fixed_noise{0.01});
    const auto p = e.point(mi::view(x, k * per, d), mi::samples(mi::labels(y)));
    const double lk = std::log(5.0);
    CHECK(p.ixt_bounds->upper == doctest::Approx(lk).epsilon(1e-3));
    CHECK(p.ixt_bounds->lower == doctest::Approx(lk).epsilon(1e-3));
    CHECK(p.ity_bounds->upper == doctest::Approx(lk).epsilon(1e-3));
    CHECK(p.ity_bounds->lower == doctest::Approx(lk).epsilon(1e-3));
    CHECK(p.ixt_bounds->lower <= p.ixt_bounds->upper);
}

TEST_CASE("kde: equals the numpy formulas of ibsgd (tests/data/kde_expected.txt)") {
    std::ifstream f(std::string(MI_TEST_DATA_DIR) + "/kde_expected.txt");
    REQUIRE(f.good());
    int cases = 0;
    for (std::string line; std::getline(f, line);) {
        if (line.empty() || line[0] == '#' || line.rfind("lse ", 0) == 0) continue;
        std::istringstream ls(line);
        std::vector<std::string> tok;
        for (std::string t; ls >> t;) tok.push_back(t);
        REQUIRE(tok.size() == 16);
        const std::string name = tok[0], dtype = tok[1];
        const std::size_t n = std::stoul(tok[2]), d = std::stoul(tok[3]), classes = std::stoul(tok[5]);
        const double s = std::stod(tok[4]);
        double want[8];
        for (int i = 0; i < 8; ++i) want[i] = std::stod(tok[6 + i]);
        const auto ys = split_sizes(tok[14].substr(7));
        REQUIRE(ys.size() == n);
        const std::string ids_text = tok[15].substr(4);
        mi::input_ids ids = ids_text == "-" ? mi::input_ids() : mi::input_ids(split_sizes(ids_text));
        const mi::samples smp(mi::labels(ys, classes), ids);
        std::ifstream bin(std::string(MI_TEST_DATA_DIR) + "/kde_" + name + ".bin", std::ios::binary);
        REQUIRE(bin.good());
        const mi::kde<> e(mi::fixed_noise{s});
        INFO(name);
        auto check = [&](const auto& x, double tol) {
            const auto v = mi::view(x, n, d);
            const auto h = e.entropy(v);
            CHECK(h.upper == doctest::Approx(want[0]).epsilon(tol));
            CHECK(h.lower == doctest::Approx(want[1]).epsilon(tol));
            const auto p = e.point(v, smp);
            CHECK(p.ixt_bounds->upper == doctest::Approx(want[4]).epsilon(tol));
            CHECK(p.ixt_bounds->lower == doctest::Approx(want[5]).epsilon(tol));
            CHECK(p.ity_bounds->upper == doctest::Approx(want[6]).epsilon(tol));
            CHECK(p.ity_bounds->lower == doctest::Approx(want[7]).epsilon(tol));
            CHECK(p.ixt == p.ixt_bounds->upper);
            CHECK(p.ity == p.ity_bounds->upper);
            const auto i = e.mutual_information(v, ids);
            CHECK(i.upper == p.ixt_bounds->upper);
            CHECK(i.lower == p.ixt_bounds->lower);
            // H(T|X) = H(T) - I(X;T)
            CHECK(h.upper - i.upper == doctest::Approx(want[2]).epsilon(tol));
            CHECK(h.lower - i.lower == doctest::Approx(want[3]).epsilon(tol));
            const auto t = e.mutual_information(v, smp.labels());
            CHECK(t.upper == p.ity_bounds->upper);
            CHECK(t.lower == p.ity_bounds->lower);
        };
        if (dtype == "f32") {
            std::vector<float> x(n * d);
            bin.read(reinterpret_cast<char*>(x.data()), static_cast<std::streamsize>(x.size() * sizeof(float)));
            check(x, 2e-6);
        } else {
            std::vector<double> x(n * d);
            bin.read(reinterpret_cast<char*>(x.data()), static_cast<std::streamsize>(x.size() * sizeof(double)));
            check(x, 1e-11);
        }
        ++cases;
    }
    CHECK(cases == 7);
}

TEST_CASE("kde: repeated inputs with identical rows give the closed-form H(T|X)") {
    // every input twice, identical rows: H(T|X = x) is the mixture of two identical
    // components, i.e. h0, so I(X;T) is H(T) - h0 exactly as with distinct inputs.
    const std::size_t n = 30, d = 4;
    std::vector<double> x;
    std::vector<int> ids, y;
    mi::rng g(8);
    for (std::size_t i = 0; i < n; ++i) {
        std::vector<double> r(d);
        for (auto& v : r) v = g.normal();
        for (int c = 0; c < 2; ++c) {
            x.insert(x.end(), r.begin(), r.end());
            ids.push_back(static_cast<int>(i));
            y.push_back(static_cast<int>(i % 3));
        }
    }
    const mi::kde<> e(mi::fixed_noise{0.2});
    const auto v = mi::view(x, 2 * n, d);
    const auto h = e.entropy(v);
    const auto i = e.mutual_information(v, mi::input_ids(ids));
    CHECK(i.upper == doctest::Approx(h.upper - h0(d, 0.2)).epsilon(1e-12));
    CHECK(i.lower == doctest::Approx(h.lower - h0(d, 0.2)).epsilon(1e-12));
    // and a single input repeated: I(X;T) = 0
    const auto z = e.mutual_information(v, mi::input_ids(std::vector<int>(2 * n, 7)));
    CHECK(z.upper == doctest::Approx(0.0).epsilon(1e-12));
}

TEST_CASE("kde: adaptive noise makes I(X;T) invariant to the layer's scale") {
    const std::size_t n = 120, d = 6;
    std::vector<double> x(n * d), x3(n * d);
    mi::rng g(12);
    for (std::size_t i = 0; i < x.size(); ++i) {
        x[i] = std::max(0.0, g.normal());  // ReLU-like
        x3[i] = 3.5 * x[i];
    }
    std::vector<int> y(n);
    for (std::size_t i = 0; i < n; ++i) y[i] = static_cast<int>(i % 4);
    const mi::samples smp{mi::labels(y)};
    const mi::kde<mi::gaussian_kernel, mi::adaptive_noise> e(mi::adaptive_noise{0.05});
    double mx = 0.0;
    for (double v : x) mx = std::max(mx, v);
    CHECK(e.kernel_for(mi::view(x, n, d)).variance() == doctest::Approx(0.05 * mx * mx).epsilon(1e-15));
    const auto a = e.point(mi::view(x, n, d), smp);
    const auto b = e.point(mi::view(x3, n, d), smp);
    CHECK(a.ixt == doctest::Approx(b.ixt).epsilon(1e-10));
    CHECK(a.ity == doctest::Approx(b.ity).epsilon(1e-10));
    CHECK(a.ixt_bounds->lower == doctest::Approx(b.ixt_bounds->lower).epsilon(1e-10));
    // while fixed noise is not scale invariant
    const mi::kde<> f(mi::fixed_noise{0.05});
    CHECK(std::fabs(f.point(mi::view(x, n, d), smp).ixt - f.point(mi::view(x3, n, d), smp).ixt) > 0.1);
    CHECK(e.parameters() == "kernel=gaussian;noise=adaptive;base=0.05;rule=base*max|h|^2;ixt=upper;ity=upper");
    CHECK(f.name() == "kde");
    CHECK(f.parameters() == "kernel=gaussian;noise=fixed;variance=0.05;ixt=upper;ity=upper");
}

TEST_CASE("kde: bit-identical for 1 and 2 threads") {
    const std::size_t n = 400, d = 10;
    std::vector<float> x(n * d);
    mi::rng g(5);
    for (auto& v : x) v = static_cast<float>(std::tanh(g.normal()));
    std::vector<int> y(n), ids(n);
    for (std::size_t i = 0; i < n; ++i) {
        y[i] = static_cast<int>(i % 3);
        ids[i] = static_cast<int>(i / 2);
    }
    const mi::samples smp{mi::labels(y), mi::input_ids(ids)};
    const mi::kde<> e(mi::fixed_noise{0.01});
    mi::set_num_threads(1);
    const auto a = e.point(mi::view(x, n, d), smp);
    mi::set_num_threads(2);
    const auto b = e.point(mi::view(x, n, d), smp);
    mi::set_num_threads(0);
    CHECK(a.ixt == b.ixt);
    CHECK(a.ity == b.ity);
    CHECK(a.ixt_bounds->lower == b.ixt_bounds->lower);
    CHECK(a.ity_bounds->lower == b.ity_bounds->lower);
}

TEST_CASE("kde<>(v): the one-number constructor is fixed_noise(v); I(X;T) and I(T;Y) match point()") {
    std::vector<double> x(60);
    mi::rng g(3);
    for (auto& v : x) v = g.normal();
    std::vector<int> y(30);
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = static_cast<int>(i % 2);
    const mi::samples s{mi::labels(y, 2)};
    const mi::kde<> a(0.1);
    const mi::kde<> b(mi::fixed_noise(0.1));
    CHECK(a.noise().variance(mi::view(x, 30, 2)) == 0.1);
    CHECK(a.parameters() == b.parameters());
    const mi::plane_point p = a.point(mi::view(x, 30, 2), s);
    CHECK(p.ixt == b.point(mi::view(x, 30, 2), s).ixt);
    CHECK(a.mutual_information(mi::view(x, 30, 2), mi::input_ids()).upper == p.ixt);
    CHECK(a.mutual_information(mi::view(x, 30, 2), s.labels()).upper == p.ity);
    CHECK(a.mutual_information(mi::view(x, 30, 2), s.labels()).lower == p.ity_bounds->lower);
    CHECK(mi::kde<mi::gaussian_kernel, mi::adaptive_noise>(0.05).parameters() ==
          mi::kde<mi::gaussian_kernel, mi::adaptive_noise>(mi::adaptive_noise(0.05)).parameters());
    CHECK_THROWS_WITH_AS(mi::kde<>(0.0), doctest::Contains("variance = 0"), mi::error);
}

TEST_CASE("kde: bad input") {
    const mi::kde<> e;
    std::vector<double> x{0.0, 1.0, 2.0, 3.0};
    const mi::samples two{mi::labels(std::vector<int>{0, 1})};
    CHECK_THROWS_AS(e.point(mi::view(x.data(), 0, 2), mi::samples()), mi::error);
    CHECK_THROWS_AS(e.entropy(mi::view(x.data(), 2, 0)), mi::error);
    CHECK_THROWS_WITH_AS(e.point(mi::view(x, 4, 1), two), doctest::Contains("layer rows = 4"), mi::error);
    CHECK_THROWS_AS(e.mutual_information(mi::view(x, 4, 1), two.labels()), mi::error);
    CHECK_THROWS_AS(e.mutual_information(mi::view(x, 4, 1), mi::input_ids(std::vector<int>{0, 1})), mi::error);
    x[2] = std::nan("");
    CHECK_THROWS_WITH_AS(e.point(mi::view(x, 2, 2), two), doctest::Contains("layer(1, 0)"), mi::error);
    x[2] = -std::numeric_limits<double>::infinity();
    CHECK_THROWS_AS(e.entropy(mi::view(x, 2, 2)), mi::error);
    CHECK_THROWS_AS(mi::kde<>(mi::fixed_noise{0.0}), mi::error);
    CHECK_THROWS_AS(mi::kde<>(mi::fixed_noise{-1e-3}), mi::error);
    CHECK_THROWS_AS(mi::kde<>(mi::fixed_noise{std::numeric_limits<double>::quiet_NaN()}), mi::error);
}

// Scales where T's arithmetic overflows or underflows (issue 15): the estimate is computed at an
// exact power-of-two rescaling, so it equals the estimate of the rescaled layer, entropies shifted
// by d ln(scale); a noise that no arithmetic of T can resolve against the layer is refused.
TEST_CASE("kde: extreme scales give the rescaled layer's values, or mi::error") {
    const mi::kde<mi::gaussian_kernel, mi::adaptive_noise> a;
    const std::vector<double> huge{1e200, 1.0, -3e199, 5e199};
    std::vector<double> tame(huge);
    for (double& v : tame) v = std::ldexp(v, -600);  // 2.4e19 at most: no rescaling needed
    const mi::bounds hh = a.entropy(mi::view(huge, 4, 1)), ht = a.entropy(mi::view(tame, 4, 1));
    CHECK(hh.upper == doctest::Approx(ht.upper + 600 * std::log(2.0)).epsilon(1e-13));
    CHECK(hh.lower == doctest::Approx(ht.lower + 600 * std::log(2.0)).epsilon(1e-13));
    const mi::samples s4{mi::labels(std::vector<int>{0, 1, 0, 1})};
    const mi::plane_point ph = a.point(mi::view(huge, 4, 1), s4), pt = a.point(mi::view(tame, 4, 1), s4);
    CHECK(ph.ixt == doctest::Approx(pt.ixt).epsilon(1e-13));
    CHECK(ph.ity == doctest::Approx(pt.ity).epsilon(1e-13));

    // A float layer of magnitude 1e-19 under adaptive noise (variance 1e-41, below float's range)
    // is the same layer as at magnitude 1: adaptive noise makes I(X;T) scale-free.
    const std::vector<float> tiny{1e-19f, -2e-19f, 3e-19f, 0.5e-19f}, unit{1.0f, -2.0f, 3.0f, 0.5f};
    const mi::plane_point q1 = a.point(mi::view(tiny, 4, 1), s4), q2 = a.point(mi::view(unit, 4, 1), s4);
    CHECK(std::isfinite(q1.ixt));
    CHECK(q1.ixt == doctest::Approx(q2.ixt).epsilon(1e-6));
    CHECK(q1.ity == doctest::Approx(q2.ity).epsilon(1e-6));

    // Fixed noise 1e-320 (subnormal: -1/(2 variance) overflows double) against activations of
    // order 1, and 1e-40 against float activations: computed at a rescaled layer, every distinct
    // point is isolated, I(X;T) = log 4 exactly as the closed form says.
    const std::vector<double> x{0.0, 1.0, 2.0, 3.0};
    const std::vector<float> xf{0.0f, 1.0f, 2.0f, 3.0f};
    CHECK(mi::kde<>(mi::fixed_noise(1e-320)).point(mi::view(x, 4, 1), s4).ixt ==
          doctest::Approx(std::log(4.0)).epsilon(1e-12));
    CHECK(mi::kde<>(mi::fixed_noise(1e-40)).point(mi::view(xf, 4, 1), s4).ixt ==
          doctest::Approx(std::log(4.0)).epsilon(1e-12));
    // A noise no power-of-two scale brings into float's range next to these activations: refused.
    CHECK_THROWS_WITH_AS(mi::kde<>(mi::fixed_noise(1e-80)).point(mi::view(xf, 4, 1), s4),
                         doctest::Contains("noise variance = 1e-80"), mi::error);
}

// Found by tests/fuzz/fuzz_estimators: an all-zero float layer under adaptive noise with a tiny
// base (1e-40, 1e-260: below float's range) gave NaN. The layer has no scale, so the noise keeps
// its variance: I(X;T) = I(T;Y) = 0 and H(T) is one component's entropy, (d/2) ln(2 pi e base).
TEST_CASE("kde: adaptive noise on an all-zero float layer with a tiny base") {
    const std::vector<float> x(20, 0.0f);
    const mi::samples s(mi::labels(std::vector<int>{0, 1, 2, 3, 0}, 4));
    for (const double base : {1e-40, 1e-260}) {
        const mi::kde<mi::gaussian_kernel, mi::adaptive_noise> e{mi::adaptive_noise(base)};
        const mi::plane_point p = e.point(mi::view(x, 5, 4), s);
        CHECK(p.ixt == doctest::Approx(0.0).scale(1.0));
        CHECK(p.ity == doctest::Approx(0.0).scale(1.0));
        const mi::bounds h = e.entropy(mi::view(x, 5, 4));
        CHECK(h.upper == doctest::Approx(2.0 * std::log(2.0 * mi::pi * std::exp(1.0) * base)).epsilon(1e-12));
    }
}

namespace {
// A user kernel whose component entropy overflows (its normalisation written without logs):
// the estimate is not finite, and the caller must hear it as mi::error, not read NaN.
class overflowing_kernel : public mi::example_kernel {
public:
    overflowing_kernel() = default;
    explicit overflowing_kernel(double variance) : mi::example_kernel(variance) {}
    double component_entropy(std::size_t dims) const noexcept {
        return dims == 0 ? 0.0 : std::numeric_limits<double>::infinity();
    }
    overflowing_kernel with_variance(double variance) const { return overflowing_kernel(variance); }
    overflowing_kernel bhattacharyya() const { return overflowing_kernel(1.0); }
    std::string name() const { return "overflowing_kernel"; }
};
}  // namespace

TEST_CASE("kde: a kernel policy whose numbers overflow gives mi::error from every entry point, never NaN") {
    static_assert(mi::is_kernel_v<overflowing_kernel>, "a kernel policy");
    const mi::kde<overflowing_kernel> e(mi::fixed_noise(0.1));
    std::vector<double> x{0.0, 1.0, 2.0, 3.0};
    const auto v = mi::view(x, 4, 1);
    const mi::samples s{mi::labels(std::vector<int>{0, 0, 1, 1})};
    // inf - inf: a NaN whose sign the platform chooses ("nan" or "-nan")
    CHECK_THROWS_WITH_AS(e.point(v, s), doctest::Contains("mi::kde::point: I(X;T) = "), mi::error);
    CHECK_THROWS_WITH_AS(e.point(v, s), doctest::Contains("nan, expected a finite value"), mi::error);
    CHECK_THROWS_WITH_AS(e.entropy(v), doctest::Contains("mi::kde::entropy: bounds on H(T) = [inf, inf]"), mi::error);
    CHECK_THROWS_WITH_AS(e.mutual_information(v), doctest::Contains("mi::kde::mutual_information: bounds on I(X;T)"),
                         mi::error);
    CHECK_THROWS_WITH_AS(e.mutual_information(v, s.labels()),
                         doctest::Contains("mi::kde::mutual_information: bounds on I(T;Y)"), mi::error);
}

}  // namespace test_estimators_kde
