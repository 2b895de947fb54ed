// SPDX-License-Identifier: BSD-3-Clause
// examples/engine/dataset.hpp: consistency checks and row subsets.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "engine/dataset.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_engine_dataset {

namespace eng = mi_examples::engine;

namespace {
eng::dataset<float> small() {
    eng::dataset<float> d;
    d.n = 3;
    d.d = 2;
    d.x = {0, 1, 2, 3, 4, 5};
    d.labels = {0, 2, 1};
    d.classes = 3;
    d.k = 1;
    d.targets = {0.5f, -0.5f, 1.5f};
    return d;
}
}  // namespace

TEST_CASE("subset keeps rows, labels and targets together, in the given order") {
    const auto d = small();
    d.check("test");
    const auto s = d.subset({2, 0, 2});
    CHECK(s.n == 3);
    CHECK(s.x == std::vector<float>{4, 5, 0, 1, 4, 5});
    CHECK(s.labels == std::vector<std::uint32_t>{1, 0, 1});
    CHECK(s.targets == std::vector<float>{1.5f, 0.5f, 1.5f});
    CHECK(s.classes == 3);
    CHECK_THROWS_AS(d.subset({3}), mi::error);
}

TEST_CASE("check rejects inconsistent datasets") {
    auto d = small();
    d.x.pop_back();
    CHECK_THROWS_AS(d.check("test"), mi::error);
    d = small();
    d.labels.push_back(0);
    CHECK_THROWS_AS(d.check("test"), mi::error);
    d = small();
    d.labels[1] = 3;
    CHECK_THROWS_AS(d.check("test"), mi::error);
    d = small();
    d.targets.push_back(1);
    CHECK_THROWS_AS(d.check("test"), mi::error);
    d = small();
    d.x[4] = std::nanf("");
    CHECK_THROWS_AS(d.check("test"), mi::error);
    d = small();
    d.targets[0] = INFINITY;
    CHECK_THROWS_AS(d.check("test"), mi::error);
    d = small();
    d.labels.clear();
    d.targets.clear();
    CHECK_THROWS_AS(d.check("test"), mi::error);
    eng::dataset<float> empty;
    CHECK_THROWS_AS(empty.check("test"), mi::error);
}

}  // namespace test_engine_dataset
