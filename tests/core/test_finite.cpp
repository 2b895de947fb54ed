// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "mi/core/error.hpp"
#include "mi/core/finite.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_core_finite {

TEST_CASE("finite: a finite value passes through unchanged") {
    CHECK(mi::detail::finite(0.0, "mi::f", "H(T)") == 0.0);
    CHECK(mi::detail::finite(-2.5, "mi::f", "H(T)") == -2.5);
    CHECK(mi::detail::finite(std::numeric_limits<double>::max(), "mi::f", "H(T)") ==
          std::numeric_limits<double>::max());
    CHECK(mi::detail::finite(std::numeric_limits<double>::denorm_min(), "mi::f", "H(T)") ==
          std::numeric_limits<double>::denorm_min());
}

TEST_CASE("finite: NaN and both infinities raise mi::error naming the function, the quantity and the value") {
    const double inf = std::numeric_limits<double>::infinity();
    CHECK_THROWS_WITH_AS(mi::detail::finite(std::nan(""), "mi::kde::entropy", "H(T)"),
                         doctest::Contains("mi::kde::entropy: H(T) = nan, expected a finite value"), mi::error);
    CHECK_THROWS_WITH_AS(mi::detail::finite(inf, "mi::ksg::point", "I(X;T)"),
                         doctest::Contains("mi::ksg::point: I(X;T) = inf, expected a finite value"), mi::error);
    CHECK_THROWS_WITH_AS(mi::detail::finite(-inf, "mi::renyi::entropy", "S_alpha(T)"),
                         doctest::Contains("mi::renyi::entropy: S_alpha(T) = -inf"), mi::error);
}

}  // namespace test_core_finite
