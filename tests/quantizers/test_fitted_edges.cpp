// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "mi/core/error.hpp"
#include "mi/quantizers/fitted_edges.hpp"
#include "quantizers/common.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_quantizers_fitted_edges {

TEST_CASE("fitted_edges: count convention worked by hand") {
    const mi::fitted_edges<float> f({-1.0, 0.0, 0.5}, mi::edge_convention::count);
    CHECK(f.codes() == 4);
    CHECK(f.code(-2.0) == 0);
    CHECK(f.code(-1.0) == 1);  // on an edge: goes up, as numpy.digitize
    CHECK(f.code(-0.5) == 1);
    CHECK(f.code(0.0) == 2);
    CHECK(f.code(-0.0) == 2);
    CHECK(f.code(0.49) == 2);
    CHECK(f.code(0.5) == 3);
    CHECK(f.code(7.0) == 3);
    CHECK(f.boundaries(-5, 5) == std::vector<double>{-1.0, 0.0, 0.5});
    CHECK(f.boundaries(-1.0, 0.5) == std::vector<double>{0.0});  // open interval
}

TEST_CASE("fitted_edges: left_edge_wrap convention (IDNNs) worked by hand") {
    const mi::fitted_edges<double> f({-1.0, 0.0, 1.0}, mi::edge_convention::left_edge_wrap);
    CHECK(f.codes() == 3);
    CHECK(f.code(-1.0) == 0);
    CHECK(f.code(-0.3) == 0);
    CHECK(f.code(0.0) == 1);
    CHECK(f.code(1.0) == 2);   // >= top edge: own code
    CHECK(f.code(3.0) == 2);
    CHECK(f.code(-1.5) == 2);  // below lo: index -1 wraps to the top edge's code
    // The code changes at every edge, including the first (wrap code 2 -> 0).
    CHECK(f.boundaries(-2, 2) == std::vector<double>{-1.0, 0.0, 1.0});
}

TEST_CASE("fitted_edges: repeated edges merge") {
    const mi::fitted_edges<float> f({0.0, 1.0, 1.0, 1.0, 2.0}, mi::edge_convention::count);
    CHECK(f.edges() == std::vector<double>{0.0, 1.0, 2.0});
    CHECK(f.code(1.5) == 2);
    CHECK(f.code(2.0) == 3);
    const mi::fitted_edges<float> one({0.5}, mi::edge_convention::left_edge_wrap);
    CHECK(one.code(0.0) == 0);
    CHECK(one.code(1.0) == 0);
    CHECK(one.boundaries(-1, 1).empty());  // a single code: no boundary
}

TEST_CASE("fitted_edges: SIMD encode equals code on edges, neighbours and tails (arithmetic path)") {
    std::vector<double> e;
    for (int i = 0; i < 30; ++i) e.push_back(-1.0 + 2.0 * i / 29.0);
    for (auto conv : {mi::edge_convention::count, mi::edge_convention::left_edge_wrap}) {
        const mi::fitted_edges<float> ff(e, conv);
        CHECK(std::string(ff.lookup()) == "arithmetic");
        mi_test::check_encode_matches_code(ff, mi_test::stress_values<float>(e, -1.5, 1.5, 2000, 1));
        const mi::fitted_edges<double> fd(e, conv);
        mi_test::check_encode_matches_code(fd, mi_test::stress_values<double>(e, -1.5, 1.5, 2000, 2));
    }
}

TEST_CASE("fitted_edges: SIMD encode of huge and non-finite values is defined (arithmetic path)") {
    // Found by tests/fuzz/fuzz_estimators: where the target has no rounding instruction (SSE2
    // doubles) xsimd's floor converts each lane to a 64-bit integer, undefined for |t| >= 2^63
    // and NaN. Huge finite activations must get their codes; non-finite ones (binning encodes
    // before it reports them) must only not be undefined. Fails under clang's
    // -fsanitize=float-cast-overflow without -march=native.
    std::vector<double> e;
    for (int i = 0; i < 30; ++i) e.push_back(-1.0 + 2.0 * i / 29.0);
    const std::vector<double> huge{1e300, -1e300, 1e19, -1e19, 0.5, std::numeric_limits<double>::max(),
                                   -std::numeric_limits<double>::max(), 9.3e18, -9.3e18, 0.0};
    for (auto conv : {mi::edge_convention::count, mi::edge_convention::left_edge_wrap}) {
        const mi::fitted_edges<double> fd(e, conv);
        REQUIRE(std::string(fd.lookup()) == "arithmetic");
        mi_test::check_encode_matches_code(fd, huge);
        const mi::fitted_edges<float> ff(e, conv);
        std::vector<float> hf;
        for (double h : huge) hf.push_back(static_cast<float>(std::max(-3e38, std::min(3e38, h))));
        mi_test::check_encode_matches_code(ff, hf);
        std::vector<double> bad{std::nan(""), std::numeric_limits<double>::infinity(), 0.5,
                                -std::numeric_limits<double>::infinity(), std::nan(""), 0.25, 0.0, 0.1};
        std::vector<std::int32_t> codes(bad.size());
        fd.encode(bad.data(), bad.size(), codes.data());
        CHECK(codes[2] == fd.code(0.5));
        CHECK(codes[5] == fd.code(0.25));
    }
}

TEST_CASE("fitted_edges: evenly spaced edges far from 0 and many bins (arithmetic path)") {
    // Large offset: x - e_0 loses precision, the margin must cover it.
    std::vector<double> e;
    for (int i = 0; i < 1000; ++i) e.push_back(1000.0 + 0.01 * i);
    const mi::fitted_edges<float> ff(e, mi::edge_convention::count);
    CHECK(std::string(ff.lookup()) == "arithmetic");
    mi_test::check_encode_matches_code(ff, mi_test::stress_values<float>(e, 999.0, 1011.0, 20000, 21));
    const mi::fitted_edges<double> fd(e, mi::edge_convention::left_edge_wrap);
    mi_test::check_encode_matches_code(fd, mi_test::stress_values<double>(e, 999.0, 1011.0, 20000, 22));
}

TEST_CASE("fitted_edges: SIMD encode equals code for unevenly spaced edges (grid path)") {
    // Edges at roughly Gaussian quantiles: not even enough for arithmetic, spread enough for a grid.
    std::vector<double> e;
    for (int i = 1; i < 40; ++i) {
        const double p = i / 40.0;
        e.push_back(std::log(p / (1 - p)));  // logistic quantiles
    }
    for (auto conv : {mi::edge_convention::count, mi::edge_convention::left_edge_wrap}) {
        const mi::fitted_edges<float> ff(e, conv);
        CHECK(std::string(ff.lookup()) == "grid");
        mi_test::check_encode_matches_code(ff, mi_test::stress_values<float>(e, -5, 5, 4000, 23));
        const mi::fitted_edges<double> fd(e, conv);
        mi_test::check_encode_matches_code(fd, mi_test::stress_values<double>(e, -5, 5, 4000, 24));
    }
}

TEST_CASE("fitted_edges: SIMD encode equals code for clustered edges (binary-search path)") {
    // Edges packed near 0 plus far outliers: a uniform grid cannot separate them.
    std::vector<double> e{-1e6};
    for (int i = 0; i < 200; ++i) e.push_back(1e-7 * i);
    e.push_back(3e5);
    e.push_back(1e6);
    const mi::fitted_edges<float> ff(e, mi::edge_convention::count);
    CHECK(std::string(ff.lookup()) == "binary_search");
    mi_test::check_encode_matches_code(ff, mi_test::stress_values<float>(e, -1e-5, 3e-5, 3000, 3));
    mi_test::check_encode_matches_code(ff, mi_test::stress_values<float>(e, -2e6, 2e6, 500, 4));
    const mi::fitted_edges<double> fd(e, mi::edge_convention::left_edge_wrap);
    mi_test::check_encode_matches_code(fd, mi_test::stress_values<double>(e, -1e-5, 3e-5, 3000, 5));
}

TEST_CASE("fitted_edges: double edges between two floats are exact for float input") {
    // 0.1 is not a float: x >= 0.1 holds for the float just above 0.1, not for float(0.1) if it is below.
    const mi::fitted_edges<float> f({0.1, 0.2, 0.3}, mi::edge_convention::count);
    const float below = static_cast<float>(0.1) < 0.1 ? static_cast<float>(0.1) : std::nextafter(static_cast<float>(0.1), 0.0f);
    CHECK(f.code(below) == 0);
    CHECK(f.code(std::nextafter(below, 1.0f)) == 1);
    mi_test::check_encode_matches_code(f, mi_test::stress_values<float>({0.1, 0.2, 0.3}, 0, 0.4, 500, 6));
}

TEST_CASE("fitted_edges: no edges, huge edges, bad edges") {
    const mi::fitted_edges<float> none(std::vector<double>{}, mi::edge_convention::count);
    std::vector<float> v{-1e30f, 0.0f, 3.0f};
    std::vector<std::int32_t> c(3, 9);
    none.encode(v.data(), 3, c.data());
    CHECK(c == std::vector<std::int32_t>{0, 0, 0});
    const mi::fitted_edges<float> huge({-1e300, 0.0, 1e300}, mi::edge_convention::count);
    mi_test::check_encode_matches_code(huge, mi_test::stress_values<float>({0.0}, -3e38, 3e38, 200, 7));
    CHECK(huge.code(3e38) == 2);
    // Edges beyond the float range: +1e300 is never reached by a float, -1e300 always is.
    const mi::fitted_edges<float> beyond({-1e300, 1e300}, mi::edge_convention::count);
    mi_test::check_encode_matches_code(beyond, std::vector<float>{-3.4e38f, 0.0f, 3.4e38f});
    CHECK(beyond.code(3.4e38) == 1);
    CHECK_THROWS_WITH_AS(mi::fitted_edges<float>({0.0, -1.0}, mi::edge_convention::count),
                         doctest::Contains("edges[1]"), mi::error);
    CHECK_THROWS_WITH_AS(mi::fitted_edges<float>({0.0, NAN}, mi::edge_convention::count),
                         doctest::Contains("edges[1]"), mi::error);
    CHECK_THROWS_WITH_AS(huge.code(NAN), doctest::Contains("x = nan"), mi::error);
}

}  // namespace test_quantizers_fitted_edges
