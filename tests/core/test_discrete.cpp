// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "mi/core/discrete.hpp"
#include "mi/core/random.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_core_discrete {

TEST_CASE("group_rows finds patterns in order of first appearance") {
    const std::vector<int> codes{1, 2, 3, 4, 1, 2, 5, 6, 3, 4};
    const auto g = mi::group_rows(codes.data(), 5, 2);
    CHECK(g.ids == std::vector<std::uint32_t>{0, 1, 0, 2, 1});
    CHECK(g.counts == std::vector<std::size_t>{2, 2, 1});
}

TEST_CASE("wide rows with one differing column are different patterns") {
    const std::size_t d = 1024, n = 300;
    std::vector<std::int32_t> codes(n * d, 7);
    for (std::size_t i = 0; i < n; ++i) codes[i * d + (i * 37) % d] = static_cast<std::int32_t>(i % 150);
    const auto g = mi::group_rows(codes.data(), n, d);
    // Brute-force count of distinct rows.
    std::size_t distinct = 0;
    for (std::size_t i = 0; i < n; ++i) {
        bool seen = false;
        for (std::size_t j = 0; j < i && !seen; ++j)
            seen = std::equal(codes.begin() + i * d, codes.begin() + (i + 1) * d, codes.begin() + j * d);
        distinct += seen ? 0 : 1;
    }
    CHECK(g.groups() == distinct);
}

TEST_CASE("plug-in entropy: K equiprobable patterns give log K; worked case") {
    std::vector<std::uint32_t> v;
    for (int r = 0; r < 3; ++r)
        for (std::uint32_t k = 0; k < 8; ++k) v.push_back(k);
    CHECK(mi::entropy(mi::group_values(v)) == doctest::Approx(std::log(8.0)).epsilon(1e-14));
    // counts 2,1,1 of 4: H = -(1/2 log 1/2 + 2 * 1/4 log 1/4) = 1.5 log 2
    const std::vector<std::uint32_t> w{5, 5, 6, 7};
    CHECK(mi::entropy(mi::group_values(w)) == doctest::Approx(1.5 * std::log(2.0)).epsilon(1e-14));
    // Miller-Madow adds (K-1)/(2N) = 2/8
    CHECK(mi::entropy(mi::group_values(w), mi::miller_madow{}) ==
          doctest::Approx(1.5 * std::log(2.0) + 0.25).epsilon(1e-14));
}

TEST_CASE("conditional entropy by hand") {
    // T = {0,0,1,1,2,2}, Y = {0,0,0,1,1,1}: H(T|Y=0) on {0,0,1} = H(2/3,1/3); H(T|Y=1) on {1,2,2} the same.
    const std::vector<std::uint32_t> t{0, 0, 1, 1, 2, 2}, y{0, 0, 0, 1, 1, 1};
    const double h = -(2.0 / 3 * std::log(2.0 / 3) + 1.0 / 3 * std::log(1.0 / 3));
    CHECK(mi::conditional_entropy(mi::group_values(t), mi::group_values(y)) == doctest::Approx(h).epsilon(1e-14));
    // Miller-Madow per slice: each slice K=2, N=3 adds 1/6.
    CHECK(mi::conditional_entropy(mi::group_values(t), mi::group_values(y), mi::miller_madow{}) ==
          doctest::Approx(h + 1.0 / 6).epsilon(1e-14));
}

TEST_CASE("rng: same seed same stream, unbiased ranges, normal moments") {
    mi::rng a(42), b(42), c(43);
    for (int i = 0; i < 10; ++i) CHECK(a() == b());
    CHECK(a() != c());
    mi::rng r(1);
    double s = 0, s2 = 0;
    const int n = 200000;
    for (int i = 0; i < n; ++i) {
        const double z = r.normal();
        s += z;
        s2 += z * z;
    }
    CHECK(std::fabs(s / n) < 0.01);
    CHECK(std::fabs(s2 / n - 1.0) < 0.02);
    for (int i = 0; i < 1000; ++i) CHECK(r.below(7) < 7u);
    CHECK(mi::derive_seed(1, 2, 3) != mi::derive_seed(1, 3, 2));
    CHECK(mi::derive_seed(1, 2, 3) == mi::derive_seed(1, 2, 3));
}

}  // namespace test_core_discrete
