// SPDX-License-Identifier: BSD-3-Clause
// stiefel_frame against the moments of the Haar measure on St(k, d).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "mi/core/random.hpp"
#include "mi/core/stiefel_frame.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_core_stiefel_frame {

TEST_CASE("stiefel_frame: orthonormal k-frames whose projector averages to (k/d) I (Haar measure)") {
    // E[Q Q^T] = (k/d) I for Q uniform on St(k, d): 4000 frames, each entry's Monte Carlo sd <= 1/sqrt(4000)
    // (entries of Q Q^T are bounded by 1), so 4 sd = 0.064: catches a wrong scale or a non-orthonormal frame.
    for (const std::size_t k : {1, 2, 3}) {
        CAPTURE(k);
        const std::size_t d = 5, draws = 4000;
        std::vector<double> p(d * d, 0.0);
        double worst = 0.0;
        for (std::size_t s = 0; s < draws; ++s) {
            mi::rng r(mi::derive_seed(9, s));
            const std::vector<double> q = mi::detail::stiefel_frame(d, k, r);
            for (std::size_t a = 0; a < k; ++a)
                for (std::size_t b = 0; b < k; ++b) {
                    double dot = 0.0;
                    for (std::size_t i = 0; i < d; ++i) dot += q[i * k + a] * q[i * k + b];
                    worst = std::max(worst, std::fabs(dot - (a == b ? 1.0 : 0.0)));
                }
            for (std::size_t i = 0; i < d; ++i)
                for (std::size_t j = 0; j < d; ++j)
                    for (std::size_t a = 0; a < k; ++a) p[i * d + j] += q[i * k + a] * q[j * k + a];
        }
        CHECK(worst < 1e-13);
        for (std::size_t i = 0; i < d; ++i)
            for (std::size_t j = 0; j < d; ++j) {
                const double mean = p[i * d + j] / static_cast<double>(draws);
                CAPTURE(i);
                CAPTURE(j);
                CAPTURE(mean);
                CHECK(std::fabs(mean - (i == j ? static_cast<double>(k) / static_cast<double>(d) : 0.0)) < 0.064);
            }
    }
    // the fourth moment tells the sphere from other distributions with the same second moments (e.g. normalised
    // cube samples): E theta_1^4 = 3 / (d (d + 2)) on S^{d-1} (3/35 for d = 5); one draw's variance is
    // E theta_1^8 - (E theta_1^4)^2 = 105 / (5 7 9 11) - (3/35)^2 = 0.0230, sd 0.152 < 0.16
    {
        const std::size_t d = 5, draws = 20000;
        double m4 = 0.0;
        for (std::size_t s = 0; s < draws; ++s) {
            mi::rng r(mi::derive_seed(10, s));
            const double t = mi::detail::stiefel_frame(d, 1, r)[0];
            m4 += t * t * t * t;
        }
        m4 /= static_cast<double>(draws);
        CAPTURE(m4);
        CHECK(std::fabs(m4 - 3.0 / 35.0) < 4.0 * 0.16 / std::sqrt(static_cast<double>(draws)));
    }
}

}  // namespace test_core_stiefel_frame
