// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/xtensor.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_core_activation_view {

TEST_CASE("view from std::vector with a shape reads row-major") {
    std::vector<float> v{1, 2, 3, 4, 5, 6};
    auto a = mi::view(v, 2, 3);
    CHECK(a.rows() == 2);
    CHECK(a.cols() == 3);
    CHECK(a(1, 0) == 4.0f);
    CHECK(a(0, 2) == 3.0f);
    CHECK(a.contiguous());
    CHECK_THROWS_AS(mi::view(v, 4, 2), mi::error);
}

TEST_CASE("a 1-D source is one unit") {
    std::vector<double> v{1, 2, 3};
    auto a = mi::view(v);
    CHECK(a.rows() == 3);
    CHECK(a.cols() == 1);
    CHECK(a(2, 0) == 3.0);
}

TEST_CASE("raw pointer with a row stride skips padding") {
    const double buf[] = {1, 2, -1, 3, 4, -1};
    auto a = mi::view(buf, 2, 2, 3);
    CHECK(a(1, 1) == 4.0);
    CHECK_FALSE(a.contiguous());
    CHECK_THROWS_AS(mi::view(buf, 2, 3, 2), mi::error);
}

TEST_CASE("view from xtensor containers, adapt and strided views") {
    xt::xtensor<float, 2> x = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}};
    auto a = mi::view(x);
    CHECK(a.rows() == 3);
    CHECK(a(2, 1) == 8.0f);

    std::vector<double> mem{1, 2, 3, 4};
    auto ad = xt::adapt(mem.data(), mem.size(), xt::no_ownership(), std::vector<std::size_t>{2, 2});
    auto b = mi::view(ad);
    CHECK(b(1, 0) == 3.0);

    // A block of rows and columns: offset and row stride carried over.
    auto block = xt::view(x, xt::range(1, 3), xt::range(1, 3));
    auto c = mi::view(block);
    CHECK(c.rows() == 2);
    CHECK(c.cols() == 2);
    CHECK(c(0, 0) == 5.0f);
    CHECK(c(1, 1) == 9.0f);

    // A column is a 1-D strided source: one unit.
    auto col = xt::view(x, xt::all(), 2);
    auto d = mi::view(col);
    CHECK(d.cols() == 1);
    CHECK(d(2, 0) == 9.0f);

    // A single row (stride 0 on a length-1 axis in xtensor) still reads right.
    xt::xtensor<double, 2> one = {{1.5, 2.5}};
    auto e = mi::view(one);
    CHECK(e.rows() == 1);
    CHECK(e(0, 1) == 2.5);

    xt::xtensor<float, 3> cube = xt::zeros<float>({2, 2, 2});
    CHECK_THROWS_AS(mi::view(cube), mi::error);

    // Column-major data would be read transposed: refused.
    xt::xtensor<float, 2, xt::layout_type::column_major> cm = {{1, 2}, {3, 4}};
    CHECK_THROWS_AS(mi::view(cm), mi::error);
}

TEST_CASE("check_activations names the argument and the bad entry") {
    std::vector<float> v{0, 1, std::numeric_limits<float>::quiet_NaN(), 2};
    try {
        mi::detail::check_activations(mi::view(v, 2, 2), "mi::test", "layer");
        FAIL("no throw");
    } catch (const mi::error& e) {
        const std::string m = e.what();
        CHECK(m.find("layer(1, 0)") != std::string::npos);
        CHECK(m.find("nan") != std::string::npos);
        CHECK(m.find("finite") != std::string::npos);
    }
    std::vector<float> inf{std::numeric_limits<float>::infinity()};
    CHECK_THROWS_AS(mi::detail::check_activations(mi::view(inf), "mi::test", "x"), mi::error);
    std::vector<float> empty;
    CHECK_THROWS_AS(mi::detail::check_activations(mi::view(empty), "mi::test", "x"), mi::error);
    CHECK_NOTHROW(mi::detail::check_activations(mi::view(v.data(), 1, 2), "mi::test", "x"));
}

TEST_CASE("check_activations of a large view (read in blocks on all cores) names the first bad entry") {
    // 700 x 1000 values: above the size from which the blocks go to several threads, and
    // rows_per_block = 65 rows per block, so the bad entries fall in different blocks
    const std::size_t n = 700, d = 1000;
    for (const std::size_t threads : {1u, 2u, 4u}) {
        CAPTURE(threads);
        mi::set_num_threads(threads);
        std::vector<double> x(n * d, 0.5);
        CHECK_NOTHROW(mi::detail::check_activations(mi::view(x, n, d), "mi::test", "big"));
        x[640 * d + 3] = std::numeric_limits<double>::infinity();  // a later block
        x[451 * d + 999] = std::numeric_limits<double>::quiet_NaN();  // the first bad entry
        x[452 * d + 0] = -std::numeric_limits<double>::infinity();  // same block, after it
        try {
            mi::detail::check_activations(mi::view(x, n, d), "mi::test", "big");
            FAIL("no throw");
        } catch (const mi::error& e) {
            CHECK(std::string(e.what()).find("big(451, 999)") != std::string::npos);
        }
    }
    mi::set_num_threads(0);
}

template <class T>
void check_all_finite_against_isfinite() {
    using lim = std::numeric_limits<T>;
    // every class of value: zeros of both signs, subnormals, the extremes of the normal range, the
    // largest finite values just below the exponent that means Inf/NaN, and the non-finite ones
    const std::vector<T> finite{T(0), -T(0), lim::denorm_min(), -lim::denorm_min(), lim::min(), T(1), T(-2.5),
                                lim::max(), -lim::max(), std::nextafter(lim::max(), T(0)), lim::epsilon()};
    const std::vector<T> bad{lim::infinity(), -lim::infinity(), lim::quiet_NaN(), -lim::quiet_NaN(),
                             lim::signaling_NaN()};
    for (const T b : bad) CHECK_FALSE(std::isfinite(b));
    // lengths around the SIMD widths (scalar tails and vector bodies), the bad value at every position
    for (std::size_t n = 1; n <= 67; ++n) {
        std::vector<T> v(n);
        for (std::size_t i = 0; i < n; ++i) v[i] = finite[i % finite.size()];
        CHECK(mi::detail::all_finite(v.data(), n));
        for (std::size_t at = 0; at < n; ++at)
            for (const T b : bad) {
                const T keep = v[at];
                v[at] = b;
                CHECK_FALSE(mi::detail::all_finite(v.data(), n));
                v[at] = keep;
            }
    }
    CHECK(mi::detail::all_finite(static_cast<const T*>(nullptr), 0));
}

TEST_CASE("all_finite agrees with std::isfinite on every class of value, float and double") {
    check_all_finite_against_isfinite<float>();
    check_all_finite_against_isfinite<double>();
}

TEST_CASE("check_activations of a strided view reads the rows, not the padding between them") {
    // 3 rows of 2 units in rows of 4: the padding holds NaN and must not be read
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> x{1, 2, nan, nan, 3, 4, nan, nan, 5, 6, nan, nan};
    CHECK_NOTHROW(mi::detail::check_activations(mi::activation_view<const double>(x.data(), 3, 2, 4), "mi::test", "x"));
    x[9] = std::numeric_limits<double>::infinity();
    try {
        mi::detail::check_activations(mi::activation_view<const double>(x.data(), 3, 2, 4), "mi::test", "x");
        FAIL("no throw");
    } catch (const mi::error& e) {
        CHECK(std::string(e.what()).find("x(2, 1)") != std::string::npos);
    }
}

// Issue 15: rows x cols that wraps size_t was accepted and the first estimate read past the buffer.
TEST_CASE("shapes whose extent wraps or exceeds memory are refused") {
    const std::vector<float> four(4, 1.0f);
    const std::size_t wraps = (std::size_t(1) << 62) + 1;  // wraps * 4 = 4 (mod 2^64)
    CHECK_THROWS_WITH_AS(mi::view(four, wraps, 4), doctest::Contains("rows * cols"), mi::error);
    CHECK_THROWS_WITH_AS(mi::view(four.data(), wraps, 4), doctest::Contains("rows = "), mi::error);
    CHECK_THROWS_AS(mi::view(four.data(), 2, 4, ~std::size_t(0) / 2), mi::error);
    CHECK_THROWS_AS(mi::view(four.data(), 1, ~std::size_t(0)), mi::error);
    CHECK_THROWS_WITH_AS(mi::view(static_cast<const float*>(nullptr), 2, 2), doctest::Contains("nullptr"), mi::error);
    // the largest legitimate shapes still pass (no allocation: a view only)
    CHECK(mi::view(four.data(), 1, 4).size() == 4);
    CHECK(mi::view(static_cast<const float*>(nullptr), 0, 4).empty());
}

namespace {
// The shape of every estimator method: a read-only view of any element type T.
template <class T>
std::size_t rows_of(const mi::activation_view<const T>& v) {
    return v.rows() + (std::is_same_v<T, float> ? 1000 : 0);
}
}  // namespace

TEST_CASE("a mutable view is a read-only view: estimator signatures deduce T from it (issue 12)") {
    std::vector<float> a{1, 2, 3, 4, 5, 6};
    const mi::activation_view<float> m(a.data(), 3, 2);
    CHECK(rows_of(m) == 1003);  // T = float deduced through the base class
    m(2, 1) = 7.0f;             // and it still writes
    CHECK(a[5] == 7.0f);
    const mi::activation_view<const float> r = m;
    CHECK(r(2, 1) == 7.0f);
    CHECK(r.data() == a.data());
    static_assert(std::is_same_v<decltype(m.row(0)), float*>);
    static_assert(std::is_same_v<decltype(r.row(0)), const float*>);
}

}  // namespace test_core_activation_view
