// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "mi/core/random.hpp"
#include "mi/search/metric.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_search_metric {

TEST_CASE("reduced_limit turns a radius into an exact threshold on the reduced distance") {
    // max-norm: reduced == distance; inclusive moves to the next double
    CHECK(mi::detail::reduced_limit<mi::max_norm>(0.5, mi::range::strict) == 0.5);
    CHECK(mi::detail::reduced_limit<mi::max_norm>(0.5, mi::range::inclusive) == std::nextafter(0.5, 1.0));
    CHECK(mi::detail::reduced_limit<mi::max_norm>(-1.0, mi::range::inclusive) < 0.0);
    // Euclidean: for many radii and reduced values near r^2, "s < tau" must
    // agree with comparing sqrt(s) (the reported distance) against r.
    mi::rng g(3);
    for (int t = 0; t < 2000; ++t) {
        const double r = std::exp(8.0 * g.uniform() - 4.0);
        for (auto cmp : {mi::range::strict, mi::range::inclusive}) {
            const double tau = mi::detail::reduced_limit<mi::euclidean>(r, cmp);
            double s = r * r;
            for (int step = 0; step < 4; ++step) s = std::nextafter(s, 0.0);
            for (int step = 0; step < 9; ++step, s = std::nextafter(s, 10.0 * s)) {
                const bool want = cmp == mi::range::strict ? std::sqrt(s) < r : std::sqrt(s) <= r;
                REQUIRE((s < tau) == want);
            }
        }
    }
}

TEST_CASE("k_best keeps the k smallest (distance, index) pairs, ties by index") {
    double rho[3];
    std::uint32_t idx[3];
    mi::detail::k_best b(rho, idx, 3);
    b.offer(2.0, 7);
    b.offer(1.0, 9);
    b.offer(2.0, 3);  // same distance as 7, smaller index: goes first
    b.offer(2.0, 5);  // ties the worst (2.0, 7) with a smaller index: replaces it
    b.offer(2.0, 8);  // ties but larger index: rejected
    b.offer(3.0, 0);  // farther: rejected
    CHECK(rho[0] == 1.0);
    CHECK(idx[0] == 9);
    CHECK(rho[1] == 2.0);
    CHECK(idx[1] == 3);
    CHECK(rho[2] == 2.0);
    CHECK(idx[2] == 5);
}

TEST_CASE("neighbors::kth_distances is the last column of the distances") {
    mi::neighbors nb;
    nb.index = xt::xtensor<std::uint32_t, 2>({2, 3});
    nb.distance = xt::xtensor<double, 2>({2, 3});
    const double d[2][3] = {{0.5, 1.0, 2.5}, {0.0, 0.25, 0.75}};
    for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t j = 0; j < 3; ++j) nb.distance(i, j) = d[i][j];
    CHECK(nb.kth_distances() == std::vector<double>{2.5, 0.75});
}

}  // namespace test_search_metric
