// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "mi/core/error.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/random.hpp"
#include "mi/core/samples.hpp"
#include "mi/estimators/kde.hpp"
#include "mi/kernels/concept.hpp"
#include "mi/kernels/example_noise.hpp"
#include "mi/kernels/gaussian.hpp"
#include "mi/kernels/noise.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_kernels_example_noise {

static_assert(mi::is_noise_v<mi::example_noise>, "the exemplar is a noise policy");

TEST_CASE("example_noise: fraction * mean squared activation") {
    const std::vector<double> h{1.0, -3.0, 0.0, 2.0};  // mean h^2 = 14 / 4
    CHECK(mi::example_noise(0.1).variance(mi::view(h, 2, 2)) == doctest::Approx(0.35).epsilon(1e-15));
    const std::vector<float> zeros(4, 0.0f);
    CHECK(mi::example_noise(0.1).variance(mi::view(zeros, 2, 2)) == 0.1);
    CHECK(mi::example_noise().parameters() == "fraction=0.001;rule=fraction*mean(h^2)");
    CHECK_THROWS_WITH_AS(mi::example_noise(-1.0), doctest::Contains("fraction = -1"), mi::error);
}

TEST_CASE("example_noise in kde: the fixed noise of the same variance, and invariant to the layer's scale") {
    const std::size_t n = 200, d = 3;
    mi::rng g(9);
    std::vector<double> x(n * d);
    for (auto& v : x) v = g.normal();
    std::vector<int> y(n);
    for (std::size_t i = 0; i < n; ++i) y[i] = static_cast<int>(i % 2);
    const mi::samples s(mi::labels(y, 2));
    const mi::example_noise noise(0.05);
    const mi::kde<mi::gaussian_kernel, mi::example_noise> e(noise);
    const mi::plane_point p = e.point(mi::view(x, n, d), s);
    const double v = noise.variance(mi::view(x, n, d));
    const mi::plane_point q = mi::kde<>(mi::fixed_noise(v)).point(mi::view(x, n, d), s);
    CHECK(p.ixt == q.ixt);
    CHECK(p.ity == q.ity);
    std::vector<double> big(x);
    for (auto& b : big) b *= 1024.0;  // a power of two: exact
    CHECK(e.point(mi::view(big, n, d), s).ixt == doctest::Approx(p.ixt).epsilon(1e-12));
}

}  // namespace test_kernels_example_noise
