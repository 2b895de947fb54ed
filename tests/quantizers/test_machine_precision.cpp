// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "mi/core/error.hpp"
#include "mi/quantizers/machine_precision.hpp"
#include "quantizers/common.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_quantizers_machine_precision {

TEST_CASE("machine_precision: ranks of the distinct values, worked by hand") {
    const std::vector<float> h{0.5f, -0.0f, 0.0f, 0.5f, 2.0f, -1.0f};
    const auto f = mi::machine_precision{}.fit(mi::view(h, 3, 2));
    CHECK(f.values() == std::vector<float>{-1.0f, 0.0f, 0.5f, 2.0f});  // -0 and +0 are one value
    CHECK(f.code(-1.0) == 1);
    CHECK(f.code(0.0) == 3);
    CHECK(f.code(-0.0) == 3);
    CHECK(f.code(0.5) == 5);
    CHECK(f.code(2.0) == 7);
    CHECK(f.code(-5.0) == 0);  // unseen values: the even code of their gap
    CHECK(f.code(0.25) == 4);
    CHECK(f.code(9.0) == 8);
    CHECK(f.code(std::nextafter(0.5, 1.0)) == 6);  // the next double is another value
    std::vector<std::int32_t> c(6);
    f.encode(h.data(), 6, c.data());
    CHECK(c == std::vector<std::int32_t>{5, 3, 3, 5, 7, 1});
    CHECK(mi::machine_precision{}.parameters() == "quantizer=machine_precision");
}

TEST_CASE("machine_precision: every distinct value its own code; encode equals code") {
    std::vector<double> h;
    mi::rng r(91);
    for (int i = 0; i < 2000; ++i) h.push_back(std::round(r.normal() * 100) / 100);  // many repeats
    const auto f = mi::machine_precision{}.fit(mi::view(h));
    mi_test::check_encode_matches_code(f, h);
    for (std::size_t i = 0; i < h.size(); ++i)
        for (std::size_t j = i + 1; j < std::min(h.size(), i + 50); ++j) CHECK((f.code(h[i]) == f.code(h[j])) == (h[i] == h[j]));
    const auto b = f.boundaries(-1, 1);
    for (double p : b) CHECK(f.code(p) != f.code(std::nextafter(p, -2.0)));
}

TEST_CASE("machine_precision: bad input") {
    const std::vector<float> bad{1.0f, NAN};
    CHECK_THROWS_WITH_AS(mi::machine_precision{}.fit(mi::view(bad, 1, 2)), doctest::Contains("layer(0, 1) = nan"),
                         mi::error);
    const auto f = mi::machine_precision{}.fit(mi::view(std::vector<float>{1.0f}));
    CHECK_THROWS_WITH_AS(f.code(NAN), doctest::Contains("x = nan"), mi::error);
}

}  // namespace test_quantizers_machine_precision
