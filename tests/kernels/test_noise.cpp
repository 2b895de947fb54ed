// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/kernels/noise.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_kernels_noise {

TEST_CASE("fixed_noise: one variance for every layer") {
    const std::vector<float> h{0.f, 1.f, -3.f, 2.f};
    CHECK(mi::fixed_noise().variance(mi::view(h, 2, 2)) == 1e-3);
    const mi::fixed_noise n(0.1);
    CHECK(n.variance(mi::view(h, 2, 2)) == 0.1);
    CHECK(n.value() == 0.1);
    CHECK(n.parameters() == "variance=0.1");
    CHECK(mi::fixed_noise::name() == "fixed");
}

TEST_CASE("adaptive_noise: base * max|h|^2") {
    const std::vector<double> h{0.5, -3.0, 2.0, 1.0, 0.0, -0.25};
    const mi::adaptive_noise n(1e-2);
    CHECK(n.variance(mi::view(h, 3, 2)) == doctest::Approx(1e-2 * 9.0).epsilon(1e-15));
    // strided view: the -3 is outside the view
    const auto v = mi::view(h.data() + 2, 2, 2, 2);  // rows {2, 1}, {0, -0.25}
    CHECK(n.variance(v) == doctest::Approx(1e-2 * 4.0).epsilon(1e-15));
    const std::vector<float> zeros(6, 0.f);
    CHECK(n.variance(mi::view(zeros, 3, 2)) == 1e-2);
    CHECK(mi::adaptive_noise().base() == 1e-3);
    CHECK(n.parameters() == "base=0.01;rule=base*max|h|^2");
}

TEST_CASE("noise policies: bad input") {
    CHECK_THROWS_AS(mi::fixed_noise{0.0}, mi::error);
    CHECK_THROWS_AS(mi::fixed_noise{-0.1}, mi::error);
    CHECK_THROWS_AS(mi::fixed_noise{std::nan("")}, mi::error);
    CHECK_THROWS_AS(mi::fixed_noise{std::numeric_limits<double>::infinity()}, mi::error);
    CHECK_THROWS_AS(mi::adaptive_noise{0.0}, mi::error);
    CHECK_THROWS_AS(mi::adaptive_noise{-1.0}, mi::error);
    const std::vector<double> bad{1.0, std::nan("")};
    CHECK_THROWS_AS(mi::adaptive_noise(1.0).variance(mi::view(bad, 1, 2)), mi::error);
    const std::vector<double> huge{1e200, 0.0};
    CHECK_THROWS_WITH_AS(mi::adaptive_noise(1.0).variance(mi::view(huge, 1, 2)),
                         doctest::Contains("base * max|h|^2"), mi::error);
}

}  // namespace test_kernels_noise
