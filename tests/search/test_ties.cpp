// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "mi/core/error.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/random.hpp"
#include "mi/core/simd.hpp"
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

TEST_CASE("jitter adds gen.normal(), to a few ulps, in row-major order, whatever the number of threads") {
    // prepare draws the uniforms in sequence and transforms them on all cores, a SIMD batch of
    // pairs at a time (box_muller_batch, within a few ulps of gen.normal(): the test below); the
    // serial definition, with an odd number of values (the last pair's second value unused)
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

TEST_CASE("box_muller_batch is rng::box_muller within 4 ulps, lane by lane") {
    // the C library's log, sin and cos (rng::box_muller) are the independent computation; the
    // uniforms sweep u1 from the smallest uniform (2^-53) to 1 and u2 over [0, 1), beside
    // random pairs
    using B = mi::simd::batch<double>;
    constexpr std::size_t w = B::size;
    std::vector<double> u1, u2;
    for (int e = 53; e >= 1; --e)
        for (double f : {1.0, 1.25, 1.5, 1.75}) {
            u1.push_back(std::min(1.0, std::ldexp(f, -e)));
            u2.push_back(std::fmod(0.618033988749895 * static_cast<double>(u1.size()), 1.0));
        }
    for (double v : {0.0, 0.25, 0.5, 0.75, 1.0 - 0x1p-53}) {
        u1.push_back(1.0 - 0x1p-53);
        u2.push_back(v);
    }
    mi::rng gen(11);
    for (int i = 0; i < 4096; ++i) {
        double a = 0.0, b = 0.0;
        gen.box_muller_uniforms(a, b);
        u1.push_back(a);
        u2.push_back(b);
    }
    while (u1.size() % w != 0) {
        u1.push_back(1.0);  // prepare's padding: r = 0, both values 0
        u2.push_back(0.0);
    }
    auto ulps = [](double got, double want) {
        if (got == want) return 0.0;
        const double unit = std::nextafter(std::fabs(want), std::numeric_limits<double>::infinity()) - std::fabs(want);
        return std::fabs(got - want) / unit;
    };
    double worst = 0.0;
    for (std::size_t t = 0; t < u1.size(); t += w) {
        B first, second;
        mi::detail::box_muller_batch(B::load_unaligned(u1.data() + t), B::load_unaligned(u2.data() + t), first, second);
        alignas(mi::simd::alignment) double f[w], s[w];
        first.store_aligned(f);
        second.store_aligned(s);
        for (std::size_t l = 0; l < w; ++l) {
            double want_first = 0.0, want_second = 0.0;
            mi::rng::box_muller(u1[t + l], u2[t + l], want_first, want_second);
            CAPTURE(u1[t + l]);
            CAPTURE(u2[t + l]);
            // an absolute floor where the value is a cancellation to near 0 (cos at pi / 2)
            REQUIRE((ulps(f[l], want_first) <= 4.0 || std::fabs(f[l] - want_first) <= 1e-15));
            REQUIRE((ulps(s[l], want_second) <= 4.0 || std::fabs(s[l] - want_second) <= 1e-15));
            if (std::fabs(want_first) > 1e-12) worst = std::max(worst, ulps(f[l], want_first));
        }
    }
    MESSAGE("largest difference from rng::box_muller: " << worst << " ulps");
    B first, second;  // the padding lanes: r = 0
    mi::detail::box_muller_batch(B(1.0), B(0.0), first, second);
    CHECK(mi::simd::reduce_max(xsimd::abs(first)) == 0.0);
    CHECK(mi::simd::reduce_max(xsimd::abs(second)) == 0.0);
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
