// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "mi/core/error.hpp"
#include "mi/quantizers/distinct_value_quantiles.hpp"
#include "quantizers/common.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_quantizers_distinct_value_quantiles {

TEST_CASE("distinct_value_quantiles: Chelombiev et al.'s edges, worked by hand") {
    // ReLU layer, low = 0, B = 2. Distinct non-zero values U = {1, 2, 3, 4, 5} (|U| = 5):
    // edges = [0, U[int(0 * 2.5)], U[int(1 * 2.5)], U[4]] = [0, 1, 3, 5].
    const std::vector<float> h{0, 0, 0, 0, 1, 2, 2, 2, 2, 3, 4, 5};
    const auto q = mi::distinct_value_quantiles(2, 0.0);
    CHECK(q.edges_for(mi::view(h, 6, 2)) == std::vector<double>{0.0, 1.0, 3.0, 5.0});
    const auto f = q.fit(mi::view(h, 6, 2));
    CHECK(f.code(0.0) == 0);   // low has its own code (ReLU zeros)
    CHECK(f.code(0.5) == 0);
    CHECK(f.code(1.0) == 1);
    CHECK(f.code(2.0) == 1);
    CHECK(f.code(3.0) == 2);
    CHECK(f.code(4.0) == 2);
    CHECK(f.code(5.0) == 3);   // the maximum has its own code
    CHECK(f.code(-1.0) == 3);  // below low: digitize index 0 wraps to the last edge
    // Not equal mass: the bin [1, 3) holds 5 of the 12 values, [3, 5) 2 of them.
    CHECK(q.parameters() == "quantizer=distinct_value_quantiles;bins=2;low=0");
    CHECK(mi::distinct_value_quantiles::for_tanh().low() == -1.000001);
    CHECK(mi::distinct_value_quantiles::for_relu().bins() == 30);
}

TEST_CASE("distinct_value_quantiles: edges are float32, repeated edges merge, all-low is one code") {
    // tanh layer, low = -1.000001 -> float32 -1.00000095...
    const std::vector<double> h{-1.0, 0.1, 0.1, 0.2};
    const auto e = mi::distinct_value_quantiles::for_tanh(4).edges_for(mi::view(h));
    // U = {-1, 0.1, 0.2}, |U| = 3 < B = 4: indices int(k * 0.75) = 0, 0, 1, 2.
    CHECK(e == std::vector<double>{double(float(-1.000001)), -1.0, -1.0, double(0.1f), double(0.2f), double(0.2f)});
    const auto f = mi::distinct_value_quantiles::for_tanh(4).fit(mi::view(h));
    CHECK(f.codes() == 4);
    CHECK(f.code(double(0.1f)) == 2);
    // Double data against float32 edges, as numpy compares them: 0.1 is below float32(0.1).
    CHECK(f.code(0.1) == 1);
    const std::vector<float> zeros(8, 0.0f);
    const auto z = mi::distinct_value_quantiles::for_relu().fit(mi::view(zeros));
    CHECK(z.codes() == 1);
    CHECK(z.code(0.0) == 0);
}

TEST_CASE("distinct_value_quantiles: edges equal the numpy re-computation (tests/reference)") {
    std::ifstream f(std::string(MI_TEST_DATA_DIR) + "/binning_edges.csv");
    REQUIRE(f.good());
    std::map<int, std::vector<double>> expected;
    std::string line;
    std::getline(f, line);
    while (std::getline(f, line)) {
        std::stringstream ss(line);
        std::string layer, rule, k, edge;
        std::getline(ss, layer, ',');
        std::getline(ss, rule, ',');
        std::getline(ss, k, ',');
        std::getline(ss, edge, ',');
        if (rule == "ebab") expected[std::stoi(layer)].push_back(std::stod(edge));
    }
    REQUIRE(expected.size() == 8);
    const std::size_t widths[8] = {10, 7, 5, 4, 3, 10, 5, 3};
    std::ifstream af(std::string(MI_TEST_DATA_DIR) + "/binning_layers.f32", std::ios::binary);
    for (int layer = 0; layer < 8; ++layer) {
        std::vector<float> a(4096 * widths[layer]);
        af.read(reinterpret_cast<char*>(a.data()), static_cast<std::streamsize>(a.size() * sizeof(float)));
        REQUIRE(af.good());
        const auto q = layer < 5 ? mi::distinct_value_quantiles::for_tanh() : mi::distinct_value_quantiles::for_relu();
        CAPTURE(layer);
        CHECK(q.edges_for(mi::view(a, 4096, widths[layer])) == expected[layer]);
        const auto fit = q.fit(mi::view(a, 4096, widths[layer]));
        mi_test::check_encode_matches_code(fit, a);
    }
}

TEST_CASE("distinct_value_quantiles: bad input") {
    CHECK_THROWS_WITH_AS(mi::distinct_value_quantiles(0, 0.0), doctest::Contains("bins = 0"), mi::error);
    CHECK_THROWS_WITH_AS(mi::distinct_value_quantiles(3, NAN), doctest::Contains("low = nan"), mi::error);
    const std::vector<float> below{-2.0f, 1.0f};
    CHECK_THROWS_WITH_AS(mi::distinct_value_quantiles::for_relu().fit(mi::view(below)), doctest::Contains("low = 0"),
                         mi::error);
    const std::vector<float> bad{INFINITY};
    CHECK_THROWS_WITH_AS(mi::distinct_value_quantiles::for_relu().fit(mi::view(bad)),
                         doctest::Contains("layer(0, 0) = inf"), mi::error);
}

}  // namespace test_quantizers_distinct_value_quantiles
