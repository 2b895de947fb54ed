// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/mul_add.hpp"
#include "mi/core/random.hpp"
#include "mi/projections/concept.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_projections_concept {

namespace {

mi::linear_projection random_map(std::size_t in, std::size_t out, mi::rng& r) {
    mi::linear_projection p;
    p.in = in;
    p.out = out;
    for (std::size_t c = 0; c < in; ++c) p.mean.push_back(r.normal());
    for (std::size_t c = 0; c < in * out; ++c) p.basis.push_back(r.normal());
    return p;
}

// y(i, j) one row and one column at a time: the definition apply() has to keep
template <class T>
double one_value(const mi::linear_projection& p, const std::vector<T>& x, std::size_t i, std::size_t j) {
    double acc = 0.0;
    for (std::size_t c = 0; c < p.in; ++c)
        acc = mi::detail::mul_add(static_cast<double>(x[i * p.in + c]) - p.mean[c], p.basis[c * p.out + j], acc);
    return acc;
}

}  // namespace

TEST_CASE("linear_projection::apply: blocks of rows give each value of the row-by-row sum") {
    mi::rng r(5);
    // widths 1..8 take the register-blocked path, 9 and 13 the general one; row counts around the block of 8
    for (const std::size_t out : {1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 13u})
        for (const std::size_t n : {1u, 7u, 8u, 9u, 17u})
            for (const std::size_t extra : {0u, 5u, 250u}) {
                const std::size_t in = out + extra;
                CAPTURE(out);
                CAPTURE(n);
                CAPTURE(in);
                const mi::linear_projection p = random_map(in, out, r);
                std::vector<double> x(n * in);
                for (double& v : x) v = 100.0 * r.normal();
                const std::vector<float> xf(x.begin(), x.end());
                const std::vector<double> y = p.apply(mi::view(x, n, in)), yf = p.apply(mi::view(xf, n, in));
                REQUIRE(y.size() == n * out);
                REQUIRE(yf.size() == n * out);
                std::size_t mismatches = 0;
                double worst = 0.0;
                for (std::size_t i = 0; i < n; ++i)
                    for (std::size_t j = 0; j < out; ++j) {
                        mismatches += y[i * out + j] != one_value(p, x, i, j);
                        mismatches += yf[i * out + j] != one_value(p, xf, i, j);
                        long double exact = 0.0L;  // and against a wider sum, independently of the rounding
                        for (std::size_t c = 0; c < in; ++c)
                            exact += (static_cast<long double>(x[i * in + c]) - p.mean[c]) * p.basis[c * out + j];
                        worst = std::max(worst, static_cast<double>(std::fabs(y[i * out + j] - exact)));
                    }
                CHECK(mismatches == 0);
                CHECK(worst < 1e-10 * static_cast<double>(in) * 100.0);
            }
}

TEST_CASE("linear_projection::apply: rows of the wrong width raise mi::error") {
    mi::rng r(6);
    const mi::linear_projection p = random_map(5, 2, r);
    const std::vector<double> x(12, 0.0);
    CHECK_THROWS_AS(p.apply(mi::view(x, 3, 4)), mi::error);
}

}  // namespace test_projections_concept
