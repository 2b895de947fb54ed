// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "mi/core/parallel.hpp"

TEST_CASE("parallel_for visits every item once, any thread count") {
    for (std::size_t threads : {1, 2, 3, 8}) {
        std::vector<int> hits(1000, 0);
        mi::parallel_for(hits.size(), [&](std::size_t i) { hits[i] += 1; }, threads, 7);
        for (int h : hits) CHECK(h == 1);
    }
}

TEST_CASE("nested parallel_for runs serially inside a worker") {
    std::atomic<int> total{0};
    mi::parallel_for(4, [&](std::size_t) {
        mi::parallel_for(10, [&](std::size_t) { total += 1; }, 2);
    }, 2);
    CHECK(total == 40);
}

TEST_CASE("the lowest failing item's exception is rethrown") {
    try {
        mi::parallel_for(100, [](std::size_t i) {
            if (i == 13 || i == 77) throw std::runtime_error(std::to_string(i));
        }, 2);
        FAIL("no throw");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()) == "13");
    }
}
