// SPDX-License-Identifier: BSD-3-Clause
// mi::renyi against a numpy re-computation with full Gram matrices
// (tests/reference/rest_renyi.py), and closed forms: K identical clusters give
// log K, alpha -> 1 gives the Shannon entropy of the cluster proportions. The
// fast trace methods (frobenius, lanczos, automatic) against numpy's eigvalsh on
// a 1200-row data set defined by formulas (tests/reference/rest_renyi_lanczos.py).
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "mi/core/parallel.hpp"
#include "estimators/reference_records.hpp"
#include "mi/estimators/renyi.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_estimators_renyi {

namespace {

using mi_tests::read_records;


// Clusters of the given sizes, centres 10 apart on a line, members within 2e-6.
std::vector<double> clusters(const std::vector<std::size_t>& sizes) {
    std::vector<double> v;
    for (std::size_t k = 0; k < sizes.size(); ++k)
        for (std::size_t i = 0; i < sizes[k]; ++i) {
            v.push_back(10.0 * static_cast<double>(k) + 1e-6 * static_cast<double>(i % 3));
            v.push_back(-5.0 * static_cast<double>(k));
        }
    return v;
}

}  // namespace

static_assert(mi::is_plane_estimator_v<mi::renyi, float>);
static_assert(mi::is_plane_estimator_v<mi::renyi, double>);

namespace {
mi::renyi_options options(double alpha, mi::kernel_width width = mi::kernel_width::silverman(),
                          mi::kernel_width input_width = mi::kernel_width::silverman(), double label_width = 0.0) {
    mi::renyi_options o;
    o.alpha = alpha;
    o.width = width;
    o.input_width = input_width;
    o.label_width = label_width;
    return o;
}
}  // namespace

TEST_CASE("renyi: entropies and I(X;T), I(T;Y) equal numpy's full-matrix computation") {
    const auto d = read_records("rest_renyi.txt");
    const auto x = d.at("x").view(), t = d.at("t").view();
    std::vector<int> yi;
    for (double v : d.at("y").v) yi.push_back(static_cast<int>(v));
    const mi::samples s = mi::samples(mi::labels(yi, 3)).with_network_input(x);
    for (const double alpha : {1.01, 2.0, 1.0}) {
        for (const bool rule : {false, true}) {
            const auto tw = rule ? mi::kernel_width::silverman(1.0) : mi::kernel_width::fixed(0.8);
            const auto xw = rule ? mi::kernel_width::silverman(1.0) : mi::kernel_width::fixed(1.5);
            for (const double lw : {0.0, 0.5}) {
                std::ostringstream tag;
                tag << "a" << (alpha == 1.0 ? "1.0" : alpha == 2.0 ? "2.0" : "1.01") << "_"
                    << (rule ? "silverman" : "fixed") << "_l" << (lw == 0.0 ? "0.0" : "0.5");
                CAPTURE(tag.str());
                const mi::renyi e(options(alpha, tw, xw, lw));
                CHECK(e.entropy(t) == doctest::Approx(d.at(tag.str() + "_ht").v[0]).epsilon(1e-9));
                const mi::plane_point p = e.point(t, s);
                CHECK(p.ixt == doctest::Approx(d.at(tag.str() + "_ixt").v[0]).epsilon(1e-8));
                CHECK(p.ity == doctest::Approx(d.at(tag.str() + "_ity").v[0]).epsilon(1e-8));
                CHECK(e.mutual_information(t, x) == doctest::Approx(p.ixt).epsilon(1e-12));
                CHECK(e.mutual_information(t, s.labels()) == doctest::Approx(p.ity).epsilon(1e-12));
            }
        }
    }
}

TEST_CASE("renyi: K identical clusters give log K; alpha -> 1 gives the Shannon entropy") {
    const auto w = mi::kernel_width::fixed(0.5);
    const auto eq = clusters({12, 12, 12, 12});
    for (const double alpha : {0.5, 1.0, 1.01, 2.0, 5.0})
        CHECK(mi::renyi::entropy(mi::view(eq, 48, 2), alpha, w) == doctest::Approx(std::log(4.0)).epsilon(1e-5));
    const auto uneq = clusters({30, 10, 5, 5});
    const std::vector<double> p{0.6, 0.2, 0.1, 0.1};
    double shannon = 0.0, collision = 0.0;
    for (double q : p) {
        shannon -= q * std::log(q);
        collision += q * q;
    }
    const auto v = mi::view(uneq, 50, 2);
    CHECK(mi::renyi::entropy(v, 1.0 + 1e-6, w) == doctest::Approx(shannon).epsilon(1e-5));
    CHECK(mi::renyi::entropy(v, 1.0, w) == doctest::Approx(shannon).epsilon(1e-5));
    CHECK(mi::renyi::entropy(v, 2.0, w) == doctest::Approx(-std::log(collision)).epsilon(1e-5));
    CHECK(std::abs(mi::renyi::entropy(v, 1.01, w) - shannon) < 0.01);
    // clusters = classes: I(T;Y) = H_alpha(Y); the layer equal to the input: I(X;T) = S(A_X)
    std::vector<int> y;
    for (std::size_t k = 0; k < 4; ++k)
        for (std::size_t i = 0; i < std::vector<std::size_t>{30, 10, 5, 5}[k]; ++i) y.push_back(static_cast<int>(k));
    const mi::renyi e(options(2.0, w, w));
    const mi::plane_point pt = e.point(v, mi::samples(mi::labels(y)).with_network_input(v));
    CHECK(pt.ity == doctest::Approx(-std::log(collision)).epsilon(1e-5));
    CHECK(pt.ixt == doctest::Approx(mi::renyi::entropy(v, 2.0, w)).epsilon(1e-7));
}

TEST_CASE("renyi: deterministic across thread counts, float and double") {
    const auto d = read_records("rest_renyi.txt");
    const auto t = d.at("t").view();
    std::vector<float> tf(d.at("t").v.begin(), d.at("t").v.end());
    const auto x = d.at("x").view();
    const mi::renyi e;
    mi::set_num_threads(1);
    const double a = e.mutual_information(t, x), af = e.mutual_information(mi::view(tf, 60, 4), x);
    mi::set_num_threads(2);
    CHECK(e.mutual_information(t, x) == a);
    CHECK(e.mutual_information(mi::view(tf, 60, 4), x) == af);
    mi::set_num_threads(0);
    CHECK(af == doctest::Approx(a).epsilon(1e-5));
    CHECK(e.parameters() == "alpha=1.01;width=silverman(1);input_width=silverman(1);label_width=indicator");
}

TEST_CASE("renyi: bad input raises mi::error") {
    CHECK_THROWS_WITH_AS(mi::renyi(options(0.0)), doctest::Contains("alpha = 0"), mi::error);
    CHECK_THROWS_WITH_AS(mi::renyi(options(-1.0)), doctest::Contains("alpha = -1"), mi::error);
    CHECK_THROWS_WITH_AS(mi::renyi(options(1.01, mi::kernel_width::silverman(), mi::kernel_width::silverman(), -0.5)),
                         doctest::Contains("options.label_width = -0.5"), mi::error);
    CHECK_THROWS_AS(mi::kernel_width::fixed(0.0), mi::error);
    CHECK_THROWS_AS(mi::kernel_width::silverman(std::nan("")), mi::error);
    std::vector<double> z(20, 0.5);
    z[7] = std::nan("");
    CHECK_THROWS_AS(mi::renyi::entropy(mi::view(z, 10, 2), 2.0, mi::kernel_width::fixed(1.0)), mi::error);
    const mi::renyi e;
    std::vector<double> clean(20, 0.5);
    CHECK_THROWS_WITH_AS(e.mutual_information(mi::view(clean, 10, 2), mi::view(z, 10, 2)), doctest::Contains("x(3, 1) = nan"),
                         mi::error);
    CHECK_THROWS_WITH_AS(mi::samples(mi::labels(std::vector<int>(10, 0))).with_network_input(mi::view(z, 10, 2)),
                         doctest::Contains("x(3, 1) = nan"), mi::error);
    z[7] = 0.5;
    // no input in the samples
    CHECK_THROWS_WITH_AS(e.point(mi::view(z, 10, 2), mi::samples(mi::labels(std::vector<int>(10, 0)))),
                         doctest::Contains("samples.network_input() = none"), mi::error);
    CHECK_THROWS_WITH_AS(e.mutual_information(mi::view(z, 5, 4), mi::view(z, 10, 2)), doctest::Contains("x rows = 10"),
                         mi::error);  // 5 rows vs 10 inputs
    CHECK_THROWS_AS(e.mutual_information(mi::view(z, 10, 2), mi::labels(std::vector<int>{0, 1})), mi::error);
    // a constant layer is fine: every row identical -> entropy 0
    CHECK(mi::renyi::entropy(mi::view(z, 10, 2), 2.0, mi::kernel_width::silverman()) == doctest::Approx(0.0));
}

TEST_CASE("kernel_width names its rule and its parameters") {
    CHECK(mi::kernel_width::fixed(0.5).name() == "fixed");
    CHECK(mi::kernel_width::fixed(0.5).parameters() == "0.5");
    CHECK(mi::kernel_width::silverman(2.0).name() == "silverman");
    CHECK(mi::kernel_width::silverman(2.0).parameters() == "silverman(2)");
}

// ---- fast trace methods (trace_method::frobenius, ::lanczos, ::automatic) ----

namespace {

// The 1200-row data of tests/reference/rest_renyi_lanczos.py, from the same formulas.
struct lanczos_data {
    static constexpr std::size_t n = 1200;
    std::vector<double> x, t;
    std::vector<int> y;
    lanczos_data() : x(n * 12), t(n * 10), y(n) {
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t p = (2741 * i) % 4096;
            double score = 0.0;
            for (std::size_t k = 0; k < 12; ++k) {
                x[i * 12 + k] = static_cast<double>((p >> (11 - k)) & 1);
                score += x[i * 12 + k] * std::cos(2.0 + static_cast<double>(k));
            }
            y[i] = score > 0.0 ? 1 : 0;
            for (std::size_t j = 0; j < 10; ++j) {
                double s = 0.1 * std::cos(static_cast<double>(j));
                for (std::size_t k = 0; k < 12; ++k) {
                    const double u = std::sin(12.9898 * static_cast<double>(k) + 78.233 * static_cast<double>(j) + 1.0) * 43758.5453;
                    s += x[i * 12 + k] * (2.0 * (u - std::floor(u)) - 1.0) / 2.0;
                }
                t[i * 10 + j] = std::tanh(s);
            }
        }
    }
    mi::activation_view<const double> xv() const { return mi::view(x, n, 12); }
    mi::activation_view<const double> tv() const { return mi::view(t, n, 10); }
};

mi::renyi_options traced(double alpha, mi::trace_method m, double gamma = 1.0, std::uint64_t seed = 0) {
    mi::renyi_options o = options(alpha, mi::kernel_width::silverman(gamma), mi::kernel_width::silverman(gamma));
    o.trace = m;
    o.seed = seed;
    return o;
}

std::string tag_of(double gamma, double alpha) {
    std::ostringstream s;
    s << "g" << gamma << "_a" << (alpha == 1.0 ? "1.0" : alpha == 2.0 ? "2.0" : "1.01");
    return s.str();
}

}  // namespace

TEST_CASE("renyi lanczos: the data formulas match the reference script's labels") {
    const lanczos_data d;
    const auto r = read_records("rest_renyi_lanczos.txt");
    REQUIRE(r.at("y").v.size() == d.n);
    for (std::size_t i = 0; i < d.n; ++i) CHECK(static_cast<int>(r.at("y").v[i]) == d.y[i]);
}

TEST_CASE("renyi lanczos: S_alpha within 1e-3 relative of numpy's eigvalsh at the default settings") {
    // N = 1200, Silverman widths: the regime of the bench (S near log N). Measured errors of
    // S_T: 1e-5 relative; of I(X;T) and I(T;Y): ~1e-4 absolute.
    const lanczos_data d;
    const auto r = read_records("rest_renyi_lanczos.txt");
    const mi::samples s = mi::samples(mi::labels(d.y, 2)).with_network_input(d.xv());
    for (const double alpha : {1.01, 1.0}) {
        const std::string tag = tag_of(1.0, alpha);
        CAPTURE(tag);
        const mi::renyi e(traced(alpha, mi::trace_method::lanczos));
        const double ht = r.at(tag + "_ht").v[0], ixt = r.at(tag + "_ixt").v[0], ity = r.at(tag + "_ity").v[0];
        const double st = e.entropy(d.tv());
        MESSAGE(tag << " S_T rel err " << (st / ht - 1));
        CHECK(std::abs(st / ht - 1.0) < 1e-3);
        const mi::plane_point p = e.point(d.tv(), s);
        MESSAGE(tag << " I(X;T) abs err " << (p.ixt - ixt) << "  I(T;Y) abs err " << (p.ity - ity));
        // I = S_X + S_T - S_joint: three estimates' errors add up
        CHECK(std::abs(p.ixt / ixt - 1.0) < 1e-3);
        CHECK(std::abs(p.ity - ity) < 1e-3);
        // automatic (N >= exact_below) takes the same estimate: its standard error passes
        const mi::renyi a(traced(alpha, mi::trace_method::automatic));
        CHECK(a.entropy(d.tv()) == st);
        const mi::plane_point pa = a.point(d.tv(), s);
        CHECK(pa.ixt == p.ixt);
        CHECK(pa.ity == p.ity);
    }
}

TEST_CASE("renyi automatic: a spread spectrum fails the tolerance and takes every eigenvalue") {
    // gamma = 4: wide kernels, S_T = 3.6 of log 1200 = 7.1; eight probes leave ~0.5% relative
    // error, their standard error says so, and automatic computes the exact spectra instead.
    const lanczos_data d;
    const auto r = read_records("rest_renyi_lanczos.txt");
    const mi::samples s = mi::samples(mi::labels(d.y, 2)).with_network_input(d.xv());
    const std::string tag = tag_of(4.0, 1.01);
    const mi::renyi a(traced(1.01, mi::trace_method::automatic, 4.0));
    CHECK(a.entropy(d.tv()) == doctest::Approx(r.at(tag + "_ht").v[0]).epsilon(1e-9));
    const mi::plane_point p = a.point(d.tv(), s);
    CHECK(p.ixt == doctest::Approx(r.at(tag + "_ixt").v[0]).epsilon(1e-8));
    CHECK(p.ity == doctest::Approx(r.at(tag + "_ity").v[0]).epsilon(1e-8));
    // the forced fast path is off by more than the exact path's rounding, but within 3e-2
    const double fast = mi::renyi(traced(1.01, mi::trace_method::lanczos, 4.0)).entropy(d.tv());
    MESSAGE("gamma 4 lanczos S_T rel err " << fast / r.at(tag + "_ht").v[0] - 1);
    CHECK(std::abs(fast / r.at(tag + "_ht").v[0] - 1.0) > 1e-7);
    CHECK(std::abs(fast / r.at(tag + "_ht").v[0] - 1.0) < 3e-2);
}

TEST_CASE("renyi frobenius: alpha = 2 exactly from sum A_ij^2, automatic and explicit") {
    const lanczos_data d;
    const auto r = read_records("rest_renyi_lanczos.txt");
    const mi::samples s = mi::samples(mi::labels(d.y, 2)).with_network_input(d.xv());
    for (const double gamma : {1.0, 4.0})
        for (const auto m : {mi::trace_method::automatic, mi::trace_method::frobenius}) {
            const std::string tag = tag_of(gamma, 2.0);
            CAPTURE(tag);
            const mi::renyi e(traced(2.0, m, gamma));
            CHECK(e.entropy(d.tv()) == doctest::Approx(r.at(tag + "_ht").v[0]).epsilon(1e-10));
            const mi::plane_point p = e.point(d.tv(), s);
            CHECK(p.ixt == doctest::Approx(r.at(tag + "_ixt").v[0]).epsilon(1e-9));
            CHECK(p.ity == doctest::Approx(r.at(tag + "_ity").v[0]).epsilon(1e-9));
        }
    // the 60-row reference data, label kernel of width 0.5 (full joint matrix) included
    const auto ref = read_records("rest_renyi.txt");
    std::vector<int> yi;
    for (double v : ref.at("y").v) yi.push_back(static_cast<int>(v));
    const mi::samples s60 = mi::samples(mi::labels(yi, 3)).with_network_input(ref.at("x").view());
    for (const double lw : {0.0, 0.5}) {
        mi::renyi_options o = options(2.0, mi::kernel_width::fixed(0.8), mi::kernel_width::fixed(1.5), lw);
        o.trace = mi::trace_method::frobenius;
        const std::string tag = std::string("a2.0_fixed_l") + (lw == 0.0 ? "0.0" : "0.5");
        const mi::plane_point p = mi::renyi(o).point(ref.at("t").view(), s60);
        CHECK(p.ixt == doctest::Approx(ref.at(tag + "_ixt").v[0]).epsilon(1e-10));
        CHECK(p.ity == doctest::Approx(ref.at(tag + "_ity").v[0]).epsilon(1e-10));
    }
}

TEST_CASE("renyi lanczos on the 60-row reference data, both label kernels") {
    // 60 rows > lanczos_steps = 40: the stochastic path, forced where automatic would take every
    // eigenvalue (N < exact_below), on a spread spectrum (S_T = 3.0 of log 60 = 4.1). Measured with
    // 32 probes: S_T 1.2e-3 relative, I(X;T) 1.5e-2 and I(T;Y) 1.3e-2 absolute; the bounds below
    // are those with a margin, not the fast path's claim (that is the 1200-row case above).
    const auto ref = read_records("rest_renyi.txt");
    std::vector<int> yi;
    for (double v : ref.at("y").v) yi.push_back(static_cast<int>(v));
    const mi::samples s60 = mi::samples(mi::labels(yi, 3)).with_network_input(ref.at("x").view());
    for (const double lw : {0.0, 0.5}) {
        mi::renyi_options o = options(1.01, mi::kernel_width::silverman(1.0), mi::kernel_width::silverman(1.0), lw);
        o.trace = mi::trace_method::lanczos;
        o.probes = 32;
        const std::string tag = std::string("a1.01_silverman_l") + (lw == 0.0 ? "0.0" : "0.5");
        CAPTURE(tag);
        const mi::renyi e(o);
        const double ht = ref.at(tag + "_ht").v[0];
        MESSAGE(tag << " S_T rel err " << e.entropy(ref.at("t").view()) / ht - 1);
        CHECK(std::abs(e.entropy(ref.at("t").view()) / ht - 1.0) < 5e-3);
        const mi::plane_point p = e.point(ref.at("t").view(), s60);
        MESSAGE(tag << " I(X;T) err " << p.ixt - ref.at(tag + "_ixt").v[0] << " I(T;Y) err " << p.ity - ref.at(tag + "_ity").v[0]);
        CHECK(std::abs(p.ixt - ref.at(tag + "_ixt").v[0]) < 1e-2 * ht);
        CHECK(std::abs(p.ity - ref.at(tag + "_ity").v[0]) < 1e-2 * ht);
    }
}

TEST_CASE("renyi lanczos: same seed, same bits for 1 and 2 threads; another seed, another draw") {
    const lanczos_data d;
    const mi::samples s = mi::samples(mi::labels(d.y, 2)).with_network_input(d.xv());
    const mi::renyi e(traced(1.01, mi::trace_method::lanczos, 1.0, 7));
    mi::set_num_threads(1);
    const mi::plane_point one = e.point(d.tv(), s);
    const double h1 = e.entropy(d.tv());
    mi::set_num_threads(2);
    const mi::plane_point two = e.point(d.tv(), s);
    CHECK(e.entropy(d.tv()) == h1);
    mi::set_num_threads(0);
    CHECK(one.ixt == two.ixt);
    CHECK(one.ity == two.ity);
    const double h2 = mi::renyi(traced(1.01, mi::trace_method::lanczos, 1.0, 8)).entropy(d.tv());
    CHECK(h2 != h1);
    CHECK(std::abs(h2 / h1 - 1.0) < 1e-3);
}

TEST_CASE("renyi lanczos: the block product sums every entry in column order, whatever the tile") {
    // detail::slq::block_matvec tiles rows and probe chunks by the target's registers and leaves
    // partial sums between column passes; every entry must still be the plain in-order fold of
    // fused multiply-adds, for sizes that leave every kind of remainder tile
    constexpr std::size_t w = mi::simd::width<double>;
    for (const std::size_t n : {1u, 5u, 63u, 64u, 65u, 130u, 1100u})
        for (std::size_t ld = w; ld <= 6 * w; ld += w) {
            std::vector<double> m(n * n), z(n * ld), out(n * ld, -1.0);
            for (std::size_t e = 0; e < m.size(); ++e) m[e] = std::sin(0.37 * static_cast<double>(e) + 0.1);
            for (std::size_t e = 0; e < z.size(); ++e) z[e] = std::cos(1.13 * static_cast<double>(e));
            mi::detail::slq::block_matvec(m.data(), n, z.data(), ld, out.data());
            std::size_t wrong = 0;
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t q = 0; q < ld; ++q) {
                    double acc = 0.0;
                    for (std::size_t j = 0; j < n; ++j) acc = mi::detail::mul_add(m[i * n + j], z[j * ld + q], acc);
                    wrong += out[i * ld + q] != acc;
                }
            INFO("n = " << n << ", ld = " << ld);
            CHECK(wrong == 0);
        }
}

TEST_CASE("renyi: the exact method keeps every value of the default below exact_below") {
    const auto ref = read_records("rest_renyi.txt");
    const auto t = ref.at("t").view();
    for (const double alpha : {1.01, 1.0}) {
        mi::renyi_options o = options(alpha);
        const double automatic = mi::renyi(o).entropy(t);
        o.trace = mi::trace_method::exact;
        CHECK(mi::renyi(o).entropy(t) == automatic);
    }
    mi::renyi_options o;
    o.trace = mi::trace_method::lanczos;
    o.probes = 16;
    o.seed = 3;
    CHECK(mi::renyi(o).parameters() ==
          "alpha=1.01;width=silverman(1);input_width=silverman(1);label_width=indicator;trace=lanczos;exact_below=1000;"
          "probes=16;lanczos_steps=40;tolerance=0.001;seed=3");
}

TEST_CASE("renyi: bad trace options raise mi::error") {
    mi::renyi_options o;
    o.trace = mi::trace_method::frobenius;
    CHECK_THROWS_WITH_AS(mi::renyi{o}, doctest::Contains("options.alpha = 1.01"), mi::error);
    o = mi::renyi_options{};
    o.probes = 3;
    CHECK_THROWS_WITH_AS(mi::renyi{o}, doctest::Contains("options.probes = 3"), mi::error);
    o = mi::renyi_options{};
    o.lanczos_steps = 2;
    CHECK_THROWS_WITH_AS(mi::renyi{o}, doctest::Contains("options.lanczos_steps = 2"), mi::error);
    o = mi::renyi_options{};
    o.tolerance = 0.0;
    CHECK_THROWS_WITH_AS(mi::renyi{o}, doctest::Contains("options.tolerance = 0"), mi::error);
    o.tolerance = std::nan("");
    CHECK_THROWS_AS(mi::renyi{o}, mi::error);
}

}  // namespace test_estimators_renyi
