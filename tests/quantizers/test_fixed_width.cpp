// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "mi/core/error.hpp"
#include "mi/quantizers/fixed_width.hpp"
#include "quantizers/common.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_quantizers_fixed_width {

TEST_CASE("fixed_width: floor(h / w), anchored at 0, unbounded, worked by hand") {
    const std::vector<double> h{0.0, 0.069, 0.07, 0.14, -0.01, -0.07, 10.0};
    const mi::fixed_width q(0.07);
    const auto f = q.fit(mi::view(h));
    CHECK(f.code(0.0) == 0);
    CHECK(f.code(0.069) == 0);
    CHECK(f.code(0.07) == 1);
    CHECK(f.code(-0.01) == -1);
    CHECK(f.code(-0.07) == -1);
    CHECK(f.code(10.0) == static_cast<int>(std::floor(10.0 / 0.07)));
    CHECK(q.parameters() == "quantizer=fixed_width;width=0.07");
    CHECK(q.name() == "fixed_width");
}

TEST_CASE("fixed_width: float32 division as numpy does it for float32 activity") {
    // In float32, 0.35f / 0.07f is exactly 5 (the float quotient rounds up), in double 4.99999...
    const float x = 0.35f;
    const auto ff = mi::fixed_width(0.07).fit(mi::view(std::vector<float>{x}));
    CHECK(ff.code(x) == static_cast<int>(std::floor(x / 0.07f)));
    const auto fd = mi::fixed_width(0.07).fit(mi::view(std::vector<double>{0.35}));
    CHECK(fd.code(0.35) == static_cast<int>(std::floor(0.35 / 0.07)));
}

TEST_CASE("fixed_width: SIMD encode equals code on multiples of w and their neighbours") {
    std::vector<double> mult;
    for (int k = -40; k <= 40; ++k) mult.push_back(0.07 * k);
    const std::vector<float> any{0.0f};
    const auto ff = mi::fixed_width(0.07).fit(mi::view(any));
    mi_test::check_encode_matches_code(ff, mi_test::stress_values<float>(mult, -3, 3, 3000, 81));
    const std::vector<double> anyd{0.0};
    const auto fd = mi::fixed_width(0.5).fit(mi::view(anyd));
    mi_test::check_encode_matches_code(fd, mi_test::stress_values<double>(mult, -30, 30, 3000, 82));
    // Saturation far outside the fitted range is the same in both paths.
    const std::vector<float> far{3e38f, -3e38f, 1e10f, -1e10f};
    mi_test::check_encode_matches_code(ff, std::vector<float>(far.begin(), far.end()));
}

TEST_CASE("fixed_width: SIMD encode of huge and non-finite values is defined") {
    // Where the target has no rounding instruction (SSE2 doubles) xsimd's floor converts each
    // lane to a 64-bit integer, undefined for |h / w| >= 2^63 and NaN; binning encodes before it
    // reports non-finite activations. Huge values clamp to the int32 codes as code() does.
    // Fails under clang's -fsanitize=float-cast-overflow without -march=native.
    const std::vector<double> any{0.0, 1.0};
    const auto fd = mi::fixed_width(0.07).fit(mi::view(any));
    mi_test::check_encode_matches_code(
        fd, std::vector<double>{1e300, -1e300, 1e19, -1e19, 0.5, std::numeric_limits<double>::max(),
                                -std::numeric_limits<double>::max(), 7e17, -7e17, 0.0});
    std::vector<double> bad{std::nan(""), std::numeric_limits<double>::infinity(), 0.5,
                            -std::numeric_limits<double>::infinity(), std::nan(""), 0.25, 0.0, 0.1};
    std::vector<std::int32_t> codes(bad.size());
    fd.encode(bad.data(), bad.size(), codes.data());
    CHECK(codes[2] == fd.code(0.5));
    CHECK(codes[5] == fd.code(0.25));
}

TEST_CASE("fixed_width: boundaries are where the code changes") {
    const auto f = mi::fixed_width(0.25).fit(mi::view(std::vector<double>{0.0}));
    const auto b = f.boundaries(-0.6, 0.6);
    CHECK(b == std::vector<double>{-0.5, -0.25, 0.0, 0.25, 0.5});
    for (double p : b) CHECK(f.code(p) == f.code(std::nextafter(p, -1.0)) + 1);
    const auto g = mi::fixed_width(0.07).fit(mi::view(std::vector<float>{0.0f}));
    for (double p : g.boundaries(-1, 1)) CHECK(g.code(p) == g.code(std::nextafter(p, -2.0)) + 1);
    CHECK(g.boundaries(-1, 1).size() == 29);  // codes -15 .. 14
}

TEST_CASE("fixed_width: boundaries of ranges that straddle 0 widely (the bisection spans both signs)") {
    // A range from -2 to 2 puts the bisection's end points 2^63 apart in the ordered integer image
    // of the doubles; the boundaries must still be the multiples of the width inside the range.
    const auto f = mi::fixed_width(0.5).fit(mi::view(std::vector<double>{0.0}));
    CHECK(f.boundaries(-2.0, 2.0) == std::vector<double>{-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5});
    CHECK(f.boundaries(-2.1, 2.1) == std::vector<double>{-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0});
    const auto wide = f.boundaries(-1e6, 1e6);
    REQUIRE(wide.size() == 3999999);
    CHECK(wide.front() == -999999.5);
    CHECK(wide.back() == 999999.5);
    const auto g = mi::fixed_width(0.07).fit(mi::view(std::vector<float>{0.0f}));
    const auto b = g.boundaries(-10.0, 10.0);
    CHECK(b.size() == 285);  // codes floor(-10 / 0.07) = -143 .. floor(10 / 0.07) = 142
    for (double p : b) CHECK(g.code(p) == g.code(std::nextafter(p, -20.0)) + 1);
}

TEST_CASE("fixed_width: bad input names the argument") {
    CHECK_THROWS_WITH_AS(mi::fixed_width(0.0), doctest::Contains("width = 0"), mi::error);
    CHECK_THROWS_WITH_AS(mi::fixed_width(-0.1), doctest::Contains("width = -0.1"), mi::error);
    CHECK_THROWS_WITH_AS(mi::fixed_width(NAN), doctest::Contains("width = nan"), mi::error);
    CHECK_THROWS_WITH_AS(mi::fixed_width(1e-60), doctest::Contains("in float32"), mi::error);  // 0 in float32
    CHECK_THROWS_WITH_AS(mi::fixed_width(1e300), doctest::Contains("in float32"), mi::error);  // inf in float32
    const std::vector<float> huge{1e30f};
    CHECK_THROWS_WITH_AS(mi::fixed_width(0.07).fit(mi::view(huge)), doctest::Contains("fits in int32"), mi::error);
    const std::vector<float> bad{0.0f, NAN};
    CHECK_THROWS_WITH_AS(mi::fixed_width(0.07).fit(mi::view(bad)), doctest::Contains("layer(1, 0) = nan"), mi::error);
}

}  // namespace test_quantizers_fixed_width
