// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "mi/core/error.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/samples.hpp"
#include "mi/estimators/binning.hpp"
#include "mi/estimators/minimal_model.hpp"
#include "mi/quantizers/concept.hpp"
#include "mi/quantizers/example_quantizer.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_quantizers_example_quantizer {

static_assert(mi::is_quantizer_v<mi::example_quantizer>, "the exemplar is a quantizer policy");

TEST_CASE("example_quantizer: the median splits the layer, encode equals code") {
    const std::vector<float> layer{0.5f, -1.0f, 2.0f, 0.25f, -0.5f, 3.0f};  // median (upper) 0.5
    const auto f = mi::example_quantizer().fit(mi::view(layer.data(), 3, 2));
    CHECK(f.threshold() == 0.5);
    std::vector<std::int32_t> codes(layer.size());
    f.encode(layer.data(), layer.size(), codes.data());
    CHECK(codes == std::vector<std::int32_t>{1, 0, 1, 0, 0, 1});
    for (std::size_t i = 0; i < layer.size(); ++i) CHECK(codes[i] == f.code(layer[i]));
    CHECK(f.boundaries(-1.0, 1.0) == std::vector<double>{0.5});
    CHECK(f.boundaries(0.5, 1.0).empty());
    CHECK_THROWS_AS(f.code(std::nan("")), mi::error);
}

TEST_CASE("example_quantizer in binning and in the minimal model") {
    // 8 rows x 2 units; per-unit codes by the pooled median 0: patterns (1,1), (0,0), (1,0), (0,1)
    // twice each -> H = log 4; labels equal to the first unit's code -> I(T;Y) = log 2.
    const std::vector<double> t{1, 1, -1, -1, 1, -1, -1, 1, 2, 2, -2, -2, 2, -2, -2, 2};
    std::vector<int> y;
    for (std::size_t i = 0; i < 8; ++i) y.push_back(t[2 * i] > 0 ? 1 : 0);
    const mi::binning<mi::example_quantizer> b{mi::example_quantizer()};
    const mi::plane_point p = b.point(mi::view(t, 8, 2), mi::samples(mi::labels(y, 2)));
    CHECK(p.ixt == doctest::Approx(std::log(4.0)).epsilon(1e-15));
    CHECK(p.ity == doctest::Approx(std::log(2.0)).epsilon(1e-15));
    CHECK(b.parameters() == "quantizer=example_quantizer;threshold=median;correction=plug_in");
    // tanh(w x), x ~ N(0, 1): the population median is 0, so two bins of mass 1/2
    const mi::minimal_model<mi::activation::tanh, mi::example_quantizer> m(mi::activation::tanh{},
                                                                           mi::example_quantizer(), 1001);
    CHECK(m.mutual_information(3.0) == doctest::Approx(std::log(2.0)).epsilon(1e-12));
}

}  // namespace test_quantizers_example_quantizer
