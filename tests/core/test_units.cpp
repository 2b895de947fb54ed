// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>

#include "mi/core/units.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_core_units {

TEST_CASE("nats and bits") {
    CHECK(mi::to_bits(std::log(2.0)) == doctest::Approx(1.0).epsilon(1e-15));
    CHECK(mi::to_nats(12.0) == doctest::Approx(12.0 * std::log(2.0)).epsilon(1e-15));
    CHECK(mi::in_unit(std::log(4.0), mi::unit::bits) == doctest::Approx(2.0));
    CHECK(mi::in_unit(1.25, mi::unit::nats) == 1.25);
}

}  // namespace test_core_units
