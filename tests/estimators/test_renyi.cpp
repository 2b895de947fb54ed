// SPDX-License-Identifier: BSD-3-Clause
// mi::renyi against a numpy re-computation with full Gram matrices
// (tests/reference/rest_renyi.py), and closed forms: K identical clusters give
// log K, alpha -> 1 gives the Shannon entropy of the cluster proportions.
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
