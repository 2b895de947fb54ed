// SPDX-License-Identifier: BSD-3-Clause
// examples/engine/activations.hpp: every nonlinearity's derivative against a
// central finite difference (double), the SIMD array path against the scalar
// closed forms (including tails shorter than one SIMD batch), and the names.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "engine/activations.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_engine_activations {

namespace eng = mi_examples::engine;

namespace {
std::vector<eng::activation> all_activations() {
    return {eng::activation::tanh(),     eng::activation::relu(),     eng::activation::sigmoid(),
            eng::activation::softsign(), eng::activation::softplus(), eng::activation::centered_softplus(),
            eng::activation::leaky_relu(0.2), eng::activation::linear(), eng::activation::hardtanh(),
            eng::activation::elu(0.7),   eng::activation::swish()};
}
}  // namespace

TEST_CASE("activation derivatives match central finite differences") {
    const double h = 1e-6;
    // Points away from the kinks of ReLU (0), hardtanh (+-1).
    const std::vector<double> zs{-7.5, -2.3, -1.3, -0.7, -0.2, 0.15, 0.6, 0.95, 1.7, 4.2, 30.0, -30.0};
    for (const auto& f : all_activations()) {
        for (double z : zs) {
            const double fd = (eng::value(f, z + h) - eng::value(f, z - h)) / (2 * h);
            const double an = eng::derivative(f, z);
            CAPTURE(f.name());
            CAPTURE(z);
            CHECK(an == doctest::Approx(fd).epsilon(1e-7).scale(1.0));
        }
    }
}

TEST_CASE("activation values match their closed forms") {
    const double z = 0.8, zn = -1.4;
    CHECK(eng::value(eng::activation::tanh(), z) == doctest::Approx(std::tanh(z)).epsilon(1e-15));
    CHECK(eng::value(eng::activation::sigmoid(), zn) == doctest::Approx(1 / (1 + std::exp(1.4))).epsilon(1e-15));
    CHECK(eng::value(eng::activation::relu(), zn) == 0.0);
    CHECK(eng::value(eng::activation::relu(), z) == z);
    CHECK(eng::value(eng::activation::softsign(), zn) == doctest::Approx(-1.4 / 2.4));
    CHECK(eng::value(eng::activation::softplus(), z) == doctest::Approx(std::log(1 + std::exp(z))));
    CHECK(eng::value(eng::activation::centered_softplus(), 0.0) == doctest::Approx(0.0).scale(1.0));
    CHECK(eng::value(eng::activation::centered_softplus(), z) ==
          doctest::Approx(std::log(1 + std::exp(z)) - std::log(2.0)));
    CHECK(eng::value(eng::activation::leaky_relu(0.2), zn) == doctest::Approx(-0.28));
    CHECK(eng::value(eng::activation::hardtanh(), -3.0) == -1.0);
    CHECK(eng::value(eng::activation::hardtanh(), 0.3) == 0.3);
    CHECK(eng::value(eng::activation::elu(0.7), zn) == doctest::Approx(0.7 * (std::exp(-1.4) - 1)));
    CHECK(eng::value(eng::activation::swish(), z) == doctest::Approx(z / (1 + std::exp(-z))));
    // Saturated regions stay finite.
    CHECK(eng::value(eng::activation::softplus(), 800.0) == doctest::Approx(800.0));
    CHECK(eng::value(eng::activation::sigmoid(), -800.0) >= 0.0);
    // Subgradients at the kinks: left derivative, as PyTorch.
    CHECK(eng::derivative(eng::activation::relu(), 0.0) == 0.0);
    CHECK(eng::derivative(eng::activation::hardtanh(), 1.0) == 0.0);
}

TEST_CASE("array path equals the element-by-element path, for every length") {
    for (const auto& f : all_activations()) {
        for (std::size_t n : {1u, 3u, 7u, 8u, 9u, 17u, 33u}) {
            std::vector<float> z(n), out(n), g(n, 1.0f);
            for (std::size_t i = 0; i < n; ++i) z[i] = -3.0f + 0.37f * static_cast<float>(i);
            eng::apply(f, z.data(), out.data(), n);
            eng::multiply_derivative(f, z.data(), out.data(), g.data(), n);
            for (std::size_t i = 0; i < n; ++i) {
                CAPTURE(f.name());
                CHECK(out[i] == eng::value(f, z[i]));
                CHECK(g[i] == eng::derivative(f, z[i]));
                CHECK(out[i] == doctest::Approx(eng::detail::scalar_value<double>(f, z[i])).epsilon(1e-6).scale(1.0));
            }
        }
    }
}

TEST_CASE("activation names round-trip and unknown names are rejected") {
    for (const auto& f : all_activations()) CHECK(eng::activation::parse(f.name()).kind == f.kind);
    CHECK(eng::activation::parse("leaky_relu").parameter == 0.01);
    CHECK_THROWS_AS(eng::activation::parse("gelu"), mi::error);
}

}  // namespace test_engine_activations
