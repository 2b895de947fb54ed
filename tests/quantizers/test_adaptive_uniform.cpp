// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "mi/core/error.hpp"
#include "mi/quantizers/adaptive_uniform.hpp"
#include "mi/quantizers/uniform.hpp"
#include "quantizers/common.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_quantizers_adaptive_uniform {

TEST_CASE("adaptive_uniform: the layer's own range, worked by hand") {
    // Range [-2, 6], 4 bins: edges 0, 2, 4.
    const std::vector<float> h{-2.0f, 0.0f, 1.0f, 3.9f, 4.0f, 6.0f};
    const auto f = mi::adaptive_uniform(4).fit(mi::view(h, 3, 2));
    CHECK(f.edges() == std::vector<double>{0.0, 2.0, 4.0});
    std::vector<std::int32_t> c(6);
    f.encode(h.data(), 6, c.data());
    CHECK(c == std::vector<std::int32_t>{0, 1, 1, 2, 3, 3});  // the maximum is in the last bin
    CHECK(mi::adaptive_uniform(4).parameters() == "quantizer=adaptive_uniform;bins=4");
}

TEST_CASE("adaptive_uniform equals uniform on [min, max]; a constant layer has one code") {
    std::vector<double> h;
    mi::rng r(41);
    for (int i = 0; i < 1003; ++i) h.push_back(3.0 * r.normal() + 1.0);
    double lo = h[0], hi = h[0];
    for (double v : h) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    const auto f = mi::adaptive_uniform(17).fit(mi::view(h));
    CHECK(f.edges() == mi::uniform(17, lo, hi).fitted<double>().edges());
    mi_test::check_encode_matches_code(f, h);
    const std::vector<float> flat(10, 0.25f);
    const auto g = mi::adaptive_uniform(5).fit(mi::view(flat, 5, 2));
    CHECK(g.codes() == 1);
    CHECK(g.code(0.25) == 0);
}

TEST_CASE("adaptive_uniform: bad input") {
    CHECK_THROWS_WITH_AS(mi::adaptive_uniform(0), doctest::Contains("bins = 0"), mi::error);
    std::vector<float> h{1.0f, NAN};
    CHECK_THROWS_WITH_AS(mi::adaptive_uniform(3).fit(mi::view(h, 1, 2)), doctest::Contains("layer(0, 1) = nan"),
                         mi::error);
    const std::vector<float> none;
    CHECK_THROWS_WITH_AS(mi::adaptive_uniform(3).fit(mi::view(none, 0, 2)), doctest::Contains("layer = 0x2"),
                         mi::error);
}

}  // namespace test_quantizers_adaptive_uniform
