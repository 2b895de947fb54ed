// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "mi/core/error.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/random.hpp"
#include "mi/search/ties.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_search_ties {

TEST_CASE("jitter separates duplicates with noise relative to each column's scale") {
    const std::size_t n = 4000;
    std::vector<double> x(n * 3);
    for (std::size_t i = 0; i < n; ++i) {
        x[i * 3 + 0] = 0.0;                        // dead unit: constant 0 -> unit 1
        x[i * 3 + 1] = (i % 2 == 0) ? 1e3 : -1e3;  // std 1e3, mean|x| 1e3
        x[i * 3 + 2] = 5.0;                        // constant 5: scale max(1, 5) = 5
    }
    const auto t = mi::tie_policy::jitter(1e-6, 42);
    const auto p = mi::detail::prepare(mi::view(x, n, 3), t, 0, false);
    double s[3] = {0, 0, 0};
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < 3; ++j) {
            const double e = p.values[i * 3 + j] - x[i * 3 + j];
            s[j] += e * e;
        }
    // the noise sd is amplitude * scale; with 4000 draws the sample sd is
    // within 5% of it (relative sd of a sample sd ~ 1/sqrt(2n) = 1.1%)
    CHECK(std::sqrt(s[0] / n) == doctest::Approx(1e-6 * 1.0).epsilon(0.05));
    CHECK(std::sqrt(s[1] / n) == doctest::Approx(1e-6 * 1e3).epsilon(0.05));
    CHECK(std::sqrt(s[2] / n) == doctest::Approx(1e-6 * 5.0).epsilon(0.05));
    // same seed, same noise; other seed or stream, other noise
    const auto again = mi::detail::prepare(mi::view(x, n, 3), t, 0, false);
    CHECK(again.values == p.values);
    const auto other = mi::detail::prepare(mi::view(x, n, 3), t, 1, false);
    CHECK(other.values != p.values);
}

TEST_CASE("jitter adds gen.normal() in row-major order, whatever the number of threads") {
    // prepare draws the uniforms in sequence and transforms them on all cores; the serial
    // definition, with an odd number of values (the last pair's second value unused)
    const std::size_t n = 4099, d = 3;
    std::vector<double> x(n * d);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.37 * static_cast<double>(i)) * 4.0 + 1.0;
    const auto t = mi::tie_policy::jitter(1e-3, 7);
    std::vector<double> unit(d), mean_abs(d);
    for (std::size_t j = 0; j < d; ++j) {
        double s = 0.0, a = 0.0, ss = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            s += x[i * d + j];
            a += std::fabs(x[i * d + j]);
        }
        for (std::size_t i = 0; i < n; ++i) ss += (x[i * d + j] - s / n) * (x[i * d + j] - s / n);
        unit[j] = std::sqrt(ss / n);
        mean_abs[j] = a / n;
    }
    mi::rng gen(mi::derive_seed(7, 3));
    std::vector<double> expect(x);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < d; ++j) expect[i * d + j] += 1e-3 * std::max(unit[j], mean_abs[j]) * gen.normal();
    mi::set_num_threads(1);
    const auto one = mi::detail::prepare(mi::view(x, n, d), t, 3, false);
    for (std::size_t i = 0; i < x.size(); ++i) REQUIRE(one.values[i] == doctest::Approx(expect[i]).epsilon(1e-12));
    for (std::size_t threads : {2, 3}) {
        CAPTURE(threads);
        mi::set_num_threads(threads);
        CHECK(mi::detail::prepare(mi::view(x, n, d), t, 3, false).values == one.values);
    }
    mi::set_num_threads(0);
}

TEST_CASE("standardize divides each column by its standard deviation; none leaves values alone") {
    const std::vector<double> x = {1, 10, 3, 10, 5, 10, 7, 10};  // column 0 sd sqrt(5), column 1 constant
    const auto p = mi::detail::prepare(mi::view(x, 4, 2), mi::tie_policy::none(), 0, true);
    CHECK(p.values[0] == doctest::Approx(1.0 / std::sqrt(5.0)));
    CHECK(p.values[6] == doctest::Approx(7.0 / std::sqrt(5.0)));
    CHECK(p.values[1] == 10.0);
    const auto q = mi::detail::prepare(mi::view(x, 4, 2), mi::tie_policy::none(), 0, false);
    CHECK(std::equal(q.values.begin(), q.values.end(), x.begin(), x.end()));
}

TEST_CASE("tie_policy parameters and bad amplitude") {
    CHECK(mi::tie_policy().parameters() == "ties=jitter;jitter=1e-10;seed=0");
    CHECK(mi::tie_policy::none().parameters() == "ties=none");
    CHECK_THROWS_WITH_AS(mi::tie_policy::jitter(0.0), doctest::Contains("amplitude = 0"), mi::error);
    CHECK_THROWS_AS(mi::tie_policy::jitter(std::numeric_limits<double>::infinity()), mi::error);
}

}  // namespace test_search_ties
