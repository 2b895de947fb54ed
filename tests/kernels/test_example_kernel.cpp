// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "mi/core/labels.hpp"
#include "mi/core/random.hpp"
#include "mi/core/samples.hpp"
#include "mi/estimators/kde.hpp"
#include "mi/kernels/concept.hpp"
#include "mi/kernels/example_kernel.hpp"
#include "mi/kernels/gaussian.hpp"
#include "mi/kernels/noise.hpp"
#include "mi/kernels/pairwise.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_kernels_example_kernel {

static_assert(mi::is_kernel_v<mi::example_kernel>, "the exemplar is a kernel policy");

TEST_CASE("example_kernel: members") {
    const mi::example_kernel k(0.5);
    CHECK(k.log_kernel(2.0) == -2.0);
    CHECK(k.log_kernel(2.0f) == -2.0f);
    CHECK(k.bhattacharyya().log_kernel(8.0) == -2.0);
    CHECK(k.with_variance(2.0).log_kernel(4.0) == -1.0);
    CHECK(k.component_entropy(3) == doctest::Approx(1.5 * std::log(2.0 * mi::pi * std::exp(1.0) * 0.5)));
    CHECK(k.parameters() == "variance=0.5");
    CHECK_THROWS_AS(mi::example_kernel(0.0), mi::error);
}

TEST_CASE_TEMPLATE("example_kernel in kde: the Gaussian's numbers, bit for bit", T, float, double) {
    const std::size_t n = 300, d = 5;
    mi::rng g(3);
    std::vector<T> x(n * d);
    for (auto& v : x) v = static_cast<T>(std::tanh(g.normal()));
    std::vector<int> y(n);
    for (std::size_t i = 0; i < n; ++i) y[i] = static_cast<int>(i % 4);
    const mi::samples s(mi::labels(y, 4));
    const mi::plane_point a = mi::kde<mi::example_kernel, mi::fixed_noise>(mi::fixed_noise(0.01)).point(mi::view(x, n, d), s);
    const mi::plane_point b = mi::kde<mi::gaussian_kernel, mi::fixed_noise>(mi::fixed_noise(0.01)).point(mi::view(x, n, d), s);
    CHECK(a.ixt == b.ixt);
    CHECK(a.ity == b.ity);
    CHECK(a.ixt_bounds->lower == b.ixt_bounds->lower);
    CHECK(a.ity_bounds->lower == b.ity_bounds->lower);
    CHECK(a.ixt > 0.5);  // not a degenerate case
    CHECK(mi::kde<mi::example_kernel, mi::fixed_noise>().parameters() ==
          "kernel=example_kernel;noise=fixed;variance=0.001;ixt=upper;ity=upper");
}

}  // namespace test_kernels_example_kernel
