// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "mi/core/error.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_core_error {

TEST_CASE("to_text: shortest text that reads back to the same floating-point value") {
    CHECK(mi::detail::to_text(0.1) == "0.1");
    CHECK(mi::detail::to_text(1e-3) == "0.001");
    CHECK(mi::detail::to_text(0.05) == "0.05");
    CHECK(mi::detail::to_text(1.0 / 3.0) == "0.3333333333333333");  // needs 16 digits
    CHECK(std::stod(mi::detail::to_text(1.0 / 3.0)) == 1.0 / 3.0);
    CHECK(mi::detail::to_text(0.1f) == "0.1");                       // float: shortest as a float
    CHECK(mi::detail::to_text(-2.5) == "-2.5");
    CHECK(mi::detail::to_text(1e300) == "1e+300");
    CHECK(mi::detail::to_text(std::nan("")) == "nan");
    CHECK(mi::detail::to_text(std::numeric_limits<double>::infinity()) == "inf");
    CHECK(mi::detail::to_text(42) == "42");
    CHECK(mi::detail::to_text(std::string("tanh")) == "tanh");
}

TEST_CASE("fail: the message names where, the argument, the value and what was expected") {
    CHECK_THROWS_WITH_AS(mi::detail::fail("mi::thing", "bins", 0, "at least 1"),
                         "mi::thing: bins = 0, expected at least 1", mi::error);
    CHECK_THROWS_WITH_AS(mi::detail::require(false, "mi::thing", "width", -0.1, "> 0"),
                         "mi::thing: width = -0.1, expected > 0", mi::error);
    CHECK_NOTHROW(mi::detail::require(true, "mi::thing", "width", 0.5, "> 0"));
    try {
        mi::detail::fail("w", "a", 1, "e");
    } catch (const std::invalid_argument&) {  // mi::error is an std::invalid_argument
        return;
    }
    FAIL("mi::error is not an std::invalid_argument");
}

}  // namespace test_core_error
