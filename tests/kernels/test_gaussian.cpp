// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "mi/core/error.hpp"
#include "mi/core/simd.hpp"
#include "mi/kernels/gaussian.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_kernels_gaussian {

namespace {
constexpr double pi = 3.14159265358979323846264338327950288;
}

TEST_CASE("gaussian_kernel: log kernel is -d2 / (2 variance), scalar and SIMD") {
    const mi::gaussian_kernel k(0.25);
    CHECK(k.variance() == 0.25);
    CHECK(k.log_kernel(0.0) == 0.0);
    CHECK(k.log_kernel(1.0) == doctest::Approx(-2.0).epsilon(1e-15));
    CHECK(k.log_kernel(3.0f) == doctest::Approx(-6.0f));
    const mi::simd::batch<float> d2(0.5f);
    const auto v = k.log_kernel(d2);
    CHECK(mi::simd::reduce_max(v) == doctest::Approx(-1.0f));
    CHECK(mi::simd::reduce_min(v) == doctest::Approx(-1.0f));
    const mi::simd::batch<double> d2d(2.0);
    CHECK(mi::simd::reduce_min(k.log_kernel(d2d)) == doctest::Approx(-4.0));
}

TEST_CASE("gaussian_kernel: component entropy and the Bhattacharyya kernel") {
    const mi::gaussian_kernel k(1e-3);
    // (d/2)(log 2 pi s + 1), worked for d = 3
    CHECK(k.component_entropy(3) == doctest::Approx(1.5 * (std::log(2.0 * pi * 1e-3) + 1.0)).epsilon(1e-14));
    CHECK(k.component_entropy(0) == 0.0);
    const auto b = k.bhattacharyya();
    CHECK(b.variance() == doctest::Approx(4e-3).epsilon(1e-15));
    // exp(-BD) between N(a, s) and N(b, s) is exp(-|a - b|^2 / (8 s))
    CHECK(b.log_kernel(1.0) == doctest::Approx(-1.0 / (8.0 * 1e-3)).epsilon(1e-14));
    CHECK(k.with_variance(2.0).variance() == 2.0);
    CHECK(mi::gaussian_kernel::name() == "gaussian");
}

TEST_CASE("gaussian_kernel: bad variance") {
    const double inf = std::numeric_limits<double>::infinity();
    CHECK_THROWS_AS(mi::gaussian_kernel{0.0}, mi::error);
    CHECK_THROWS_AS(mi::gaussian_kernel{-1.0}, mi::error);
    CHECK_THROWS_AS(mi::gaussian_kernel{inf}, mi::error);
    CHECK_THROWS_AS(mi::gaussian_kernel(std::nan("")), mi::error);
    CHECK_THROWS_WITH_AS(mi::gaussian_kernel{-2.0}, doctest::Contains("variance = -2"), mi::error);
    CHECK_THROWS_AS(mi::gaussian_kernel(1.0).with_variance(0.0), mi::error);
}

}  // namespace test_kernels_gaussian
