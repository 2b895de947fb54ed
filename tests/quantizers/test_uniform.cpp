// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "mi/core/error.hpp"
#include "mi/quantizers/uniform.hpp"
#include "quantizers/common.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_quantizers_uniform {

TEST_CASE("uniform(bins, lo, hi): equal intervals, clipped ends, worked by hand") {
    const mi::uniform q(4, 0.0, 2.0);  // edges 0.5, 1, 1.5
    const std::vector<double> none;
    const auto f = q.fit(mi::view(none, 0, 1));  // uniform does not look at the data
    CHECK(f.edges() == std::vector<double>{0.5, 1.0, 1.5});
    CHECK(f.codes() == 4);
    CHECK(f.code(-3.0) == 0);  // clipped into the first interval
    CHECK(f.code(0.0) == 0);
    CHECK(f.code(0.5) == 1);   // on an edge: the upper interval
    CHECK(f.code(1.49) == 2);
    CHECK(f.code(2.0) == 3);   // hi is in the last interval
    CHECK(f.code(9.0) == 3);
    CHECK(f.boundaries(0.0, 2.0) == std::vector<double>{0.5, 1.0, 1.5});
    CHECK(f.boundaries(0.7, 1.2) == std::vector<double>{1.0});
    CHECK(q.name() == "uniform");
    CHECK(q.parameters() == "quantizer=uniform;bins=4;lo=0;hi=2");
    CHECK(mi::uniform(1, -1, 1).fitted<float>().codes() == 1);
}

TEST_CASE("uniform::idnns: 30 float32 edges, left-edge codes, top and below-lo share code 29") {
    const auto q = mi::uniform::idnns();
    CHECK(q.parameters() == "quantizer=uniform;convention=idnns;edges=30;lo=-1;hi=1");
    const auto f = q.fitted<float>();
    REQUIRE(f.edges().size() == 30);
    CHECK(f.codes() == 30);
    // Edges are float32(numpy.linspace(-1, 1, 30)): k * (2/29) - 1 rounded to float.
    for (int k = 0; k < 30; ++k) {
        const double step = 2.0 / 29.0;
        volatile double prod = k * step;
        const double expect = k == 29 ? 1.0 : static_cast<double>(static_cast<float>(prod + -1.0));
        CHECK(f.edges()[static_cast<std::size_t>(k)] == expect);
    }
    CHECK(f.code(-1.0) == 0);
    CHECK(f.code(-0.99) == 0);
    CHECK(f.code(0.0) == 14);    // [e_14, e_15) = [-1/29, 1/29)
    CHECK(f.code(0.999) == 28);
    CHECK(f.code(1.0) == 29);    // saturated tanh: own code
    CHECK(f.code(5.0) == 29);    // ReLU values >= 1 collapse
    CHECK(f.code(-1.0000001) == 29);  // below lo: digitize 0 - 1 = -1 wraps to the top edge
    CHECK(f.code(-7.0) == 29);
    // The code changes at every edge (including -1, where it leaves the wrapped code 29).
    CHECK(f.boundaries(-2, 2).size() == 30);
}

TEST_CASE("uniform: SIMD encode equals code (float and double, edges and neighbours)") {
    for (const auto& q : {mi::uniform::idnns(), mi::uniform(30, -1, 1), mi::uniform(100, 0.0, 7.3),
                          mi::uniform::idnns(12, -3, 3), mi::uniform(3, -1e-3, 1e-3)}) {
        const auto ff = q.fitted<float>();
        const auto fd = q.fitted<double>();
        mi_test::check_encode_matches_code(ff, mi_test::stress_values<float>(ff.edges(), q.lo() - 1, q.hi() + 1, 3000, 31));
        mi_test::check_encode_matches_code(fd, mi_test::stress_values<double>(fd.edges(), q.lo() - 1, q.hi() + 1, 3000, 32));
    }
}

TEST_CASE("uniform: bad parameters name the argument") {
    CHECK_THROWS_WITH_AS(mi::uniform(0, 0, 1), doctest::Contains("bins = 0"), mi::error);
    CHECK_THROWS_WITH_AS(mi::uniform(3, 1, 1), doctest::Contains("lo = 1, expected < hi = 1"), mi::error);
    CHECK_THROWS_WITH_AS(mi::uniform(3, 2, 1), doctest::Contains("lo = 2"), mi::error);
    CHECK_THROWS_WITH_AS(mi::uniform(3, NAN, 1), doctest::Contains("lo = nan"), mi::error);
    CHECK_THROWS_WITH_AS(mi::uniform(3, 0, INFINITY), doctest::Contains("hi = inf"), mi::error);
    CHECK_THROWS_WITH_AS(mi::uniform(3, -1e308, 1e308), doctest::Contains("hi - lo"), mi::error);
    CHECK_THROWS_WITH_AS(mi::uniform::idnns(1), doctest::Contains("edges = 1"), mi::error);
    CHECK_THROWS_WITH_AS(mi::uniform::idnns(30, 1, -1), doctest::Contains("lo = 1"), mi::error);
}

TEST_CASE("uniform::idnns: SIMD encode equals code on a sweep of float bit patterns over [-1.1, 1.1]") {
    // Every 1021st float from -1.1 to 1.1, plus the 64 floats on either side of every edge.
    const auto f = mi::uniform::idnns().fitted<float>();
    std::vector<float> v;
    const float top = 1.1f;
    std::uint32_t last;
    std::memcpy(&last, &top, sizeof last);
    for (std::uint32_t bits = 0; bits <= last; bits += 1021) {
        float x;
        std::memcpy(&x, &bits, sizeof x);
        v.push_back(x);
        v.push_back(-x);
    }
    for (double e : f.edges()) {
        float lo = static_cast<float>(e), hi = lo;
        for (int k = 0; k < 64; ++k) {
            lo = std::nextafter(lo, -2.0f);
            hi = std::nextafter(hi, 2.0f);
            v.push_back(lo);
            v.push_back(hi);
        }
    }
    REQUIRE(v.size() > 100000);
    mi_test::check_encode_matches_code(f, v);
}

// Issue 15: uniform(SIZE_MAX) ran for a minute and then threw std::bad_alloc.
TEST_CASE("uniform: bin counts beyond 2^24 are refused at once") {
    CHECK_THROWS_WITH_AS(mi::uniform(~std::size_t(0), -1.0, 1.0), doctest::Contains("at most 16777216"), mi::error);
    CHECK_THROWS_AS(mi::uniform(mi::detail::max_bins + 1, -1.0, 1.0), mi::error);
    CHECK(mi::uniform(mi::detail::max_bins, -1.0, 1.0).parameters().find("bins=16777216") != std::string::npos);
}

}  // namespace test_quantizers_uniform
