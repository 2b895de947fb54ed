// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/random.hpp"
#include "mi/projections/concept.hpp"
#include "mi/projections/random_projection.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_projections_random_projection {

static_assert(mi::is_projection_v<mi::random_projection>, "random_projection models the projection policy");
static_assert(!mi::is_projection_v<int>, "an int is no projection policy");

namespace {
std::vector<double> gaussian_rows(std::size_t n, std::size_t d, std::uint64_t seed) {
    mi::rng r(seed);
    std::vector<double> x(n * d);
    for (double& v : x) v = r.normal() + 1.5;
    return x;
}
}  // namespace

TEST_CASE("random_projection: orthonormal frame, centred rows, seeded and data-blind") {
    const std::size_t n = 50, d = 12;
    const auto x = gaussian_rows(n, d, 3);
    const mi::random_projection p(3, 9);
    const auto f = p.fit(mi::view(x, n, d));
    REQUIRE(f.out == 3);
    for (std::size_t a = 0; a < 3; ++a)
        for (std::size_t b = 0; b < 3; ++b) {
            double dot = 0.0;
            for (std::size_t c = 0; c < d; ++c) dot += f.basis[c * 3 + a] * f.basis[c * 3 + b];
            CHECK(dot == doctest::Approx(a == b ? 1.0 : 0.0).epsilon(1e-12));
        }
    // projected columns have mean 0 (the centring), and y = (x - mean) B by hand
    const auto y = f.apply(mi::view(x, n, d));
    for (std::size_t j = 0; j < 3; ++j) {
        double mean = 0.0;
        for (std::size_t i = 0; i < n; ++i) mean += y[i * 3 + j];
        CHECK(std::fabs(mean / n) < 1e-12);
        double by_hand = 0.0;
        for (std::size_t c = 0; c < d; ++c) by_hand += (x[7 * d + c] - f.mean[c]) * f.basis[c * 3 + j];
        CHECK(y[7 * 3 + j] == doctest::Approx(by_hand).epsilon(1e-13));
    }
    // the frame depends on the seed and the width only: other rows of the same width, same frame
    const auto g = p.fit(mi::view(gaussian_rows(20, d, 4), 20, d));
    CHECK(g.basis == f.basis);
    CHECK(mi::random_projection(3, 10).fit(mi::view(x, n, d)).basis != f.basis);
    CHECK(p.name() == "random_projection");
    CHECK(p.parameters() == "dimension=3;seed=9");
    CHECK(mi::random_projection(30).fit(mi::view(x, n, d)).out == d);
}

TEST_CASE("random_projection: bad input raises mi::error") {
    CHECK_THROWS_AS(mi::random_projection(0), mi::error);
    auto x = gaussian_rows(5, 3, 1);
    x[4] = std::numeric_limits<double>::infinity();
    CHECK_THROWS_AS(mi::random_projection(2).fit(mi::view(x, 5, 3)), mi::error);
    std::vector<double> none;
    CHECK_THROWS_AS(mi::random_projection(2).fit(mi::view(none.data(), 0, 3)), mi::error);
}

}  // namespace test_projections_random_projection
