// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "mi/core/error.hpp"
#include "mi/quantizers/global_uniform.hpp"
#include "mi/quantizers/uniform.hpp"
#include "quantizers/common.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_quantizers_global_uniform {

TEST_CASE("global_uniform: range over every epoch, then uniform with it") {
    const std::vector<float> e0{0.0f, 1.0f, 2.0f, 0.5f}, e1{0.0f, 4.0f, 3.0f, 0.0f}, e2{-1.0f, 0.0f, 0.0f, 0.0f};
    const std::vector<mi::activation_view<const float>> epochs{mi::view(e0, 2, 2), mi::view(e1, 2, 2),
                                                               mi::view(e2, 2, 2)};
    const auto g = mi::global_uniform(5).for_layer(epochs);
    CHECK(g.has_range());
    CHECK(g.lo() == -1.0);
    CHECK(g.hi() == 4.0);
    CHECK(g.parameters() == "quantizer=global_uniform;bins=5;lo=-1;hi=4");
    const auto f = g.fit(epochs[0]);
    CHECK(f.edges() == mi::uniform(5, -1.0, 4.0).fitted<float>().edges());  // edges 0, 1, 2, 3
    CHECK(f.code(0.5) == 1);
    CHECK(f.code(4.0) == 4);
    const auto ff = mi::global_uniform(100).with_range(-0.3, 2.7).fit(epochs[1]);
    mi_test::check_encode_matches_code(ff, mi_test::stress_values<float>(ff.edges(), -1, 3, 2000, 51));
}

TEST_CASE("global_uniform: without a range it refuses; degenerate range gives one code") {
    const std::vector<float> h{0.1f, 0.2f};
    const mi::global_uniform g(100);
    CHECK(g.parameters() == "quantizer=global_uniform;bins=100;range=unset");
    CHECK_THROWS_WITH_AS(g.fit(mi::view(h)), doctest::Contains("range = unset"), mi::error);
    CHECK_THROWS_WITH_AS(g.fit(mi::view(h)), doctest::Contains("for_layer"), mi::error);
    const std::vector<float> dead(6, 0.0f);
    const auto one = g.for_layer(std::vector<mi::activation_view<const float>>{mi::view(dead, 3, 2)});
    CHECK(one.fit(mi::view(dead, 3, 2)).codes() == 1);
}

TEST_CASE("global_uniform: bad input names the argument") {
    CHECK_THROWS_WITH_AS(mi::global_uniform(0), doctest::Contains("bins = 0"), mi::error);
    CHECK_THROWS_WITH_AS(mi::global_uniform(3).with_range(2, 1), doctest::Contains("lo = 2"), mi::error);
    CHECK_THROWS_WITH_AS(mi::global_uniform(3).with_range(0, NAN), doctest::Contains("hi = nan"), mi::error);
    CHECK_THROWS_WITH_AS(mi::global_uniform(3).for_layer(std::vector<mi::activation_view<const float>>{}),
                         doctest::Contains("epochs"), mi::error);
    const std::vector<float> ok{1.0f, 2.0f}, bad{1.0f, INFINITY};
    CHECK_THROWS_WITH_AS(mi::global_uniform(3).for_layer(std::vector<mi::activation_view<const float>>{
                             mi::view(ok), mi::view(bad)}),
                         doctest::Contains("epochs[1](1, 0) = inf"), mi::error);
}

}  // namespace test_quantizers_global_uniform
