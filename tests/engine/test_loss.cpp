// SPDX-License-Identifier: BSD-3-Clause
// examples/engine/loss.hpp: loss values of worked cases and the gradient of
// every loss against central finite differences (double), plus bad targets.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "engine/loss.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_engine_loss {

namespace eng = mi_examples::engine;

namespace {
// Mean loss of a k x batch logit matrix.
double mean_loss(const eng::output_spec& s, const std::vector<double>& z, std::size_t k, std::size_t batch,
                 const eng::batch_targets<double>& y) {
    std::vector<double> out(z.size());
    return eng::output_loss<double>(s, z.data(), out.data(), nullptr, k, batch, y) / static_cast<double>(batch);
}

void check_gradient(const eng::output_spec& s, std::size_t k, std::size_t batch, const eng::batch_targets<double>& y) {
    std::vector<double> z(k * batch), out(k * batch), dz(k * batch);
    for (std::size_t i = 0; i < z.size(); ++i) z[i] = std::sin(1.3 * static_cast<double>(i) + 0.4) * 2.0;
    eng::output_loss<double>(s, z.data(), out.data(), dz.data(), k, batch, y);
    const double h = 1e-6;
    for (std::size_t i = 0; i < z.size(); ++i) {
        auto zp = z, zm = z;
        zp[i] += h;
        zm[i] -= h;
        const double fd = (mean_loss(s, zp, k, batch, y) - mean_loss(s, zm, k, batch, y)) / (2 * h);
        CAPTURE(s.name());
        CAPTURE(i);
        CHECK(dz[i] == doctest::Approx(fd).epsilon(1e-6).scale(1e-3));
    }
}
}  // namespace

TEST_CASE("softmax cross-entropy: worked values") {
    // Equal logits: loss = log k; probabilities 1/k.
    std::vector<double> z{0.3, 0.3, 0.3}, out(3);
    std::vector<std::uint32_t> labels{1};
    std::size_t correct = 0;
    const double l = eng::output_loss<double>(eng::output_spec::softmax(), z.data(), out.data(), nullptr, 3, 1,
                                              {labels.data(), nullptr}, &correct);
    CHECK(l == doctest::Approx(std::log(3.0)));
    CHECK(out[2] == doctest::Approx(1.0 / 3));
    // Logits (2, 0) for label 0: log(1 + e^-2).
    std::vector<double> z2{2.0, 0.0}, out2(2);
    std::vector<std::uint32_t> lab2{0};
    CHECK(eng::output_loss<double>(eng::output_spec::softmax(), z2.data(), out2.data(), nullptr, 2, 1,
                                   {lab2.data(), nullptr}, &correct) == doctest::Approx(std::log1p(std::exp(-2.0))));
    CHECK(correct == 1);
    // Huge logits do not overflow.
    std::vector<double> z3{1000.0, -1000.0};
    std::vector<std::uint32_t> lab3{1};
    CHECK(eng::output_loss<double>(eng::output_spec::softmax(), z3.data(), out2.data(), nullptr, 2, 1,
                                   {lab3.data(), nullptr}) == doctest::Approx(2000.0));
}

TEST_CASE("sigmoid cross-entropy and mse: worked values") {
    std::vector<double> z{0.0, 1.0}, out(2), t{1.0, 0.0};
    // one sample, k = 2: mean over units of BCE = (log 2 + log(1 + e)) / 2
    const double l = eng::output_loss<double>(eng::output_spec::sigmoid(), z.data(), out.data(), nullptr, 2, 1,
                                              {nullptr, t.data()});
    CHECK(l == doctest::Approx((std::log(2.0) + std::log1p(std::exp(1.0))) / 2));
    // mse, linear: ((0-1)^2 + (1-0)^2) / 2 = 1
    CHECK(eng::output_loss<double>(eng::output_spec::mse(), z.data(), out.data(), nullptr, 2, 1, {nullptr, t.data()}) ==
          doctest::Approx(1.0));
}

TEST_CASE("loss gradients match central finite differences") {
    const std::size_t batch = 5;
    std::vector<std::uint32_t> labels{0, 2, 1, 2, 0}, binary{1, 0, 0, 1, 1};
    std::vector<double> targets(3 * batch);
    for (std::size_t i = 0; i < targets.size(); ++i) targets[i] = std::cos(0.7 * static_cast<double>(i));
    check_gradient(eng::output_spec::softmax(), 3, batch, {labels.data(), nullptr});
    check_gradient(eng::output_spec::sigmoid(), 3, batch, {labels.data(), nullptr});
    check_gradient(eng::output_spec::sigmoid(), 1, batch, {binary.data(), nullptr});
    check_gradient(eng::output_spec::sigmoid(), 3, batch, {nullptr, targets.data()});
    check_gradient(eng::output_spec::mse(), 3, batch, {nullptr, targets.data()});
    check_gradient(eng::output_spec::mse(eng::activation::tanh()), 3, batch, {nullptr, targets.data()});
    check_gradient(eng::output_spec::mse(eng::activation::sigmoid()), 3, batch, {labels.data(), nullptr});
}

TEST_CASE("output_transform equals the outputs output_loss writes") {
    std::vector<double> z{0.1, -2.0, 1.5, 0.4, 0.0, 3.0}, a(6), b(6);
    std::vector<std::uint32_t> labels{0, 1};
    for (auto s : {eng::output_spec::softmax(), eng::output_spec::sigmoid(), eng::output_spec::mse(eng::activation::tanh())}) {
        eng::output_transform<double>(s, z.data(), a.data(), 3, 2);
        eng::output_loss<double>(s, z.data(), b.data(), nullptr, 3, 2, {labels.data(), nullptr});
        CHECK(a == b);
    }
}

TEST_CASE("bad targets are rejected") {
    std::vector<double> z{0.0, 1.0}, out(2);
    std::vector<std::uint32_t> bad{2};
    CHECK_THROWS_AS(eng::output_loss<double>(eng::output_spec::softmax(), z.data(), out.data(), nullptr, 2, 1,
                                             {bad.data(), nullptr}),
                    mi::error);
    CHECK_THROWS_AS(eng::output_loss<double>(eng::output_spec::softmax(), z.data(), out.data(), nullptr, 2, 1,
                                             {nullptr, nullptr}),
                    mi::error);
    std::vector<double> t{1.0, 0.0};
    CHECK_THROWS_AS(eng::output_loss<double>(eng::output_spec::softmax(), z.data(), out.data(), nullptr, 2, 1,
                                             {nullptr, t.data()}),
                    mi::error);
    std::vector<std::uint32_t> one{0};
    CHECK_THROWS_AS(eng::output_loss<double>(eng::output_spec::softmax(), z.data(), out.data(), nullptr, 1, 1,
                                             {one.data(), nullptr}),
                    mi::error);
}

}  // namespace test_engine_loss
