// SPDX-License-Identifier: BSD-3-Clause
// mi::minimal_model (Saxe et al. 2018 eqs. 1-4) against scipy
// (tests/reference/rest_minimal_model.py), the paper's qualitative result
// (tanh: up then down with w; ReLU: up), and cases worked by hand.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "estimators/reference_records.hpp"
#include "mi/core/special.hpp"
#include "mi/estimators/minimal_model.hpp"
#include "mi/quantizers/bin_edges.hpp"
#include "mi/quantizers/equal_mass.hpp"
#include "mi/quantizers/fixed_width.hpp"
#include "mi/quantizers/uniform.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_estimators_minimal_model {

namespace {

// The reference values as flat vectors (these records are all 1 x n).
std::map<std::string, std::vector<double>> read_vectors(const std::string& file) {
    std::map<std::string, std::vector<double>> m;
    for (const auto& [name, r] : mi_tests::read_records(file)) m[name] = r.v;
    return m;
}

}  // namespace

TEST_CASE("minimal_model: H(T) equals scipy's per-bin Gaussian masses") {
    const auto d = read_vectors("rest_minimal_model.txt");
    const auto& ws = d.at("w");
    const mi::minimal_model<mi::activation::tanh, mi::uniform> tanh30(mi::activation::tanh{}, mi::uniform(30, -1.0, 1.0));
    const mi::minimal_model<mi::activation::tanh, mi::bin_edges> tanh_saxe(mi::activation::tanh{}, mi::bin_edges(d.at("saxe_edges_1000")));
    const mi::minimal_model<mi::activation::relu, mi::fixed_width> relu(mi::activation::relu{}, mi::fixed_width(0.1));
    for (std::size_t k = 0; k < ws.size(); ++k) {
        CAPTURE(ws[k]);
        CHECK(tanh30.mutual_information(ws[k]) == doctest::Approx(d.at("tanh_uniform30")[k]).epsilon(1e-10));
        CHECK(tanh_saxe.mutual_information(ws[k]) == doctest::Approx(d.at("tanh_saxe_edges")[k]).epsilon(1e-10));
        CHECK(relu.mutual_information(ws[k]) == doctest::Approx(d.at("relu_fixed01")[k]).epsilon(1e-10));
        // x ~ N(0,1) is symmetric: -w gives the same information
        CHECK(tanh30.mutual_information(-ws[k]) == doctest::Approx(d.at("tanh_uniform30")[k]).epsilon(1e-10));
    }
}

TEST_CASE("minimal_model: tanh information rises then falls with w, ReLU's keeps rising (Saxe et al. Fig. 2)") {
    const mi::minimal_model<mi::activation::tanh, mi::uniform> t(mi::activation::tanh{}, mi::uniform(30, -1.0, 1.0));
    const mi::minimal_model<mi::activation::relu, mi::fixed_width> r(mi::activation::relu{}, mi::fixed_width(0.1));
    std::vector<double> ht, hr;
    for (double w = 0.1; w <= 40.0; w *= 1.25) {
        ht.push_back(t.mutual_information(w));
        hr.push_back(r.mutual_information(w));
    }
    std::size_t peak = 0;
    for (std::size_t k = 1; k < ht.size(); ++k)
        if (ht[k] > ht[peak]) peak = k;
    CHECK(peak > 2);
    CHECK(peak + 3 < ht.size());
    for (std::size_t k = 1; k <= peak; ++k) CHECK(ht[k] > ht[k - 1]);
    for (std::size_t k = peak + 1; k < ht.size(); ++k) CHECK(ht[k] < ht[k - 1]);
    for (std::size_t k = 1; k < hr.size(); ++k) CHECK(hr[k] > hr[k - 1]);
    // saturated tanh: almost all mass in the two end bins -> H -> ln 2
    CHECK(t.mutual_information(1e6) == doctest::Approx(std::log(2.0)).epsilon(1e-4));
}

TEST_CASE("minimal_model: worked cases") {
    // w = 0: T = f(0) is constant
    const mi::minimal_model<mi::activation::tanh, mi::uniform> t(mi::activation::tanh{}, mi::uniform(30, -1.0, 1.0));
    CHECK(t.mutual_information(0.0) == 0.0);
    // two bins split at 0: one bit (ln 2) for every w != 0 and every increasing f
    const mi::minimal_model<mi::activation::sigmoid, mi::bin_edges> s(mi::activation::sigmoid{}, mi::bin_edges({0.5}));
    CHECK(s.mutual_information(0.3) == doctest::Approx(std::log(2.0)).epsilon(1e-14));
    // ReLU, one edge at 1: P(code 1) = P(w x >= 1) = Phi(-1/w)
    const mi::minimal_model<mi::activation::relu, mi::bin_edges> r(mi::activation::relu{}, mi::bin_edges({1.0}));
    const double q = mi::normal_cdf(-1.0 / 2.0);
    CHECK(r.mutual_information(2.0) == doctest::Approx(-q * std::log(q) - (1 - q) * std::log(1 - q)).epsilon(1e-13));
    const auto p = r.bin_probabilities(2.0, mi::bin_edges({1.0}).fitted<double>());
    REQUIRE(p.size() == 2);
    CHECK(p.at(0) == doctest::Approx(1 - q).epsilon(1e-14));  // includes the x <= 0 mass at h = 0
    // ReLU with an edge at 0: h = 0 (x <= 0) has code 1 like h > 0 (x >= e goes up), so H = 0
    const mi::minimal_model<mi::activation::relu, mi::bin_edges> r0(mi::activation::relu{}, mi::bin_edges({0.0}));
    CHECK(r0.mutual_information(1.5) == 0.0);
    // IDNNs' wrap-around convention: values below -1 share the top code with values >= 1
    const mi::minimal_model<mi::activation::linear, mi::uniform> lin(mi::activation::linear{}, mi::uniform::idnns(30, -1.0, 1.0));
    const auto pl = lin.bin_probabilities(1.0, mi::uniform::idnns(30, -1.0, 1.0).fitted<double>());
    CHECK(pl.size() == 30);  // codes 0..28 inside [-1, 1), 29 for |x| >= 1
    CHECK(pl.at(29) == doctest::Approx(2.0 * mi::normal_cdf(-1.0)).epsilon(1e-12));
    // equal-mass bins fitted on the population: M equally likely bins -> H = ln M
    const mi::minimal_model<mi::activation::tanh, mi::equal_mass> em(mi::activation::tanh{}, mi::equal_mass(8), 80000);
    CHECK(em.mutual_information(3.0) == doctest::Approx(std::log(8.0)).epsilon(1e-3));
    // a callable activation (leaky ReLU by hand) equals the built-in one
    const mi::activation::monotone f([](double u) { return u > 0 ? u : 0.1 * u; },
                                     [](double h) { return h > 0 ? h : h / 0.1; }, "leaky");
    const mi::minimal_model<mi::activation::monotone, mi::uniform> mf(f, mi::uniform(40, -0.5, 3.0));
    const mi::minimal_model<mi::activation::leaky_relu, mi::uniform> ml(mi::activation::leaky_relu(0.1), mi::uniform(40, -0.5, 3.0));
    CHECK(mf.mutual_information(1.7) == doctest::Approx(ml.mutual_information(1.7)).epsilon(1e-14));
    CHECK(t.parameters() == "activation=tanh;quantizer=uniform;bins=30;lo=-1;hi=1;fit_points=10000");
}

TEST_CASE("minimal_model: bad input raises mi::error") {
    const mi::minimal_model<mi::activation::tanh, mi::uniform> t(mi::activation::tanh{}, mi::uniform(30, -1.0, 1.0));
    CHECK_THROWS_AS(t.mutual_information(std::nan("")), mi::error);
    CHECK_THROWS_AS(t.mutual_information(INFINITY), mi::error);
    CHECK_THROWS_AS((mi::minimal_model<mi::activation::tanh, mi::uniform>(mi::activation::tanh{}, mi::uniform(30, -1.0, 1.0), 1)),
                    mi::error);
    CHECK_THROWS_AS(mi::activation::leaky_relu(0.0), mi::error);
    // an "inverse" that is not one (returns NaN inside the range)
    const mi::activation::monotone bad([](double u) { return u; }, [](double) { return std::nan(""); }, "bad");
    const mi::minimal_model<mi::activation::monotone, mi::uniform> mb(bad, mi::uniform(4, -1.0, 1.0));
    CHECK_THROWS_AS(mb.mutual_information(1.0), mi::error);
}

TEST_CASE("activation policies name themselves and their parameters") {
    CHECK(mi::activation::tanh{}.parameters() == "activation=tanh");
    CHECK(mi::activation::relu{}.parameters() == "activation=relu");
    CHECK(mi::activation::leaky_relu(0.5).parameters() == "activation=leaky_relu;slope=0.5");
    const mi::activation::monotone cube([](double u) { return u * u * u; }, [](double h) { return std::cbrt(h); }, "cube");
    CHECK(cube.parameters() == "activation=cube");
}

}  // namespace test_estimators_minimal_model
