// SPDX-License-Identifier: BSD-3-Clause
// examples/datasets/synthetic.hpp: sizes, supports, label rules, the moments of
// the Gaussian inputs and the teacher relation (closed forms), seeding, bad input.
#include <doctest/doctest.h>

#include <cmath>
#include <set>
#include <vector>

#include "datasets/synthetic.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_datasets_synthetic {

namespace ds = mi_examples::datasets;

TEST_CASE("linear teacher: X ~ N(0, I/N_i), Y = W X + eps") {
    const std::size_t n = 20000, ni = 10, no = 3;
    const auto t = ds::linear_teacher<double>(n, ni, no, 0.0, 7);
    t.data.check("test");
    CHECK(t.data.d == ni);
    CHECK(t.data.k == no);
    double var = 0;
    for (double x : t.data.x) var += x * x;
    CHECK(var / double(n * ni) == doctest::Approx(1.0 / ni).epsilon(0.03));
    // Noise-free: the targets are exactly W x.
    for (std::size_t i = 0; i < 5; ++i)
        for (std::size_t o = 0; o < no; ++o) {
            double y = 0;
            for (std::size_t j = 0; j < ni; ++j) y += t.teacher[o * ni + j] * t.data.x[i * ni + j];
            CHECK(t.data.targets[i * no + o] == doctest::Approx(y).epsilon(1e-12));
        }
    // With noise, the residual has the noise variance.
    const auto u = ds::linear_teacher<double>(n, ni, no, 0.3, 7);
    CHECK(u.teacher == t.teacher);
    double r2 = 0;
    for (std::size_t i = 0; i < n * no; ++i) r2 += std::pow(u.data.targets[i] - t.data.targets[i], 2);
    CHECK(std::sqrt(r2 / double(n * no)) == doctest::Approx(0.3).epsilon(0.03));
}

TEST_CASE("relevant / irrelevant inputs: the target ignores the irrelevant ones") {
    const auto t = ds::relevant_irrelevant<double>(500, 3, 7, 2, 0.0, 1);
    CHECK(t.data.d == 10);
    CHECK(t.teacher.size() == 6);
    for (std::size_t i = 0; i < 10; ++i) {
        double y = 0;
        for (std::size_t j = 0; j < 3; ++j) y += t.teacher[j] * t.data.x[i * 10 + j];
        CHECK(t.data.targets[i * 2] == doctest::Approx(y).epsilon(1e-12));
    }
    double var = 0;
    for (double x : t.data.x) var += x * x;
    CHECK(var / 5000.0 == doctest::Approx(0.1).epsilon(0.1));
}

TEST_CASE("scalar tasks: supports, label rules, moments") {
    const auto four = ds::discrete_four<float>(4000, 3);
    std::set<float> support(four.x.begin(), four.x.end());
    CHECK(support == std::set<float>{-3, -1, 1, 3});
    std::size_t ones = 0;
    for (std::size_t i = 0; i < four.n; ++i) {
        CHECK(four.labels[i] == (four.x[i] == 3.0f ? 1u : 0u));
        CHECK(four.targets[i] == (four.x[i] == 3.0f ? 1.0f : -1.0f));
        ones += four.labels[i];
    }
    CHECK(double(ones) / 4000 == doctest::Approx(0.25).epsilon(0.1));
    const auto eight = ds::discrete_eight<float>(4000, 3);
    std::set<float> s8(eight.x.begin(), eight.x.end());
    CHECK(s8.size() == 8);
    CHECK(*s8.begin() == 1.0f);
    CHECK(*s8.rbegin() == 8.0f);
    for (std::size_t i = 0; i < eight.n; ++i) CHECK(eight.targets[i] == (eight.x[i] > 4 ? 0.25f : 0.0f));
    const auto g = ds::gaussian<double>(50000, 5);
    double m = 0, v = 0;
    for (double x : g.x) m += x;
    m /= 50000;
    for (double x : g.x) v += (x - m) * (x - m);
    CHECK(std::abs(m) < 0.01);  // 5 standard errors
    CHECK(v / 50000 == doctest::Approx(0.25).epsilon(0.02));
    for (std::size_t i = 0; i < 100; ++i) CHECK(g.labels[i] == (g.x[i] > 0 ? 1u : 0u));
    const auto mix = ds::gaussian_mixture<double>(50000, 5);
    double m2 = 0, ab = 0;
    for (double x : mix.x) {
        m2 += x * x;
        ab += std::abs(x);
    }
    CHECK(m2 / 50000 == doctest::Approx(1.25).epsilon(0.02));  // E x^2 = center^2 + std^2
    CHECK(ab / 50000 == doctest::Approx(1.0).epsilon(0.02));
}

TEST_CASE("seeding and bad input") {
    CHECK(ds::gaussian<float>(10, 1).x == ds::gaussian<float>(10, 1).x);
    CHECK(ds::gaussian<float>(10, 1).x != ds::gaussian<float>(10, 2).x);
    CHECK(ds::discrete_four<float>(10, 1).x == ds::discrete_four<float>(10, 1).x);
    CHECK_THROWS_AS(ds::gaussian<float>(0, 1), mi::error);
    CHECK_THROWS_AS(ds::gaussian<float>(10, 1, 0.0, -1.0), mi::error);
    CHECK_THROWS_AS(ds::linear_teacher<float>(10, 0, 1, 0.1, 1), mi::error);
    CHECK_THROWS_AS(ds::linear_teacher<float>(10, 3, 1, std::nan(""), 1), mi::error);
}

}  // namespace test_datasets_synthetic
