// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "mi/core/xtensor.hpp"
#include "mi/plane/recording.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_plane_recording {

namespace {

mi::samples four_samples() { return mi::samples(mi::labels(std::vector<int>{0, 1, 0, 1})); }

// 4 x cols matrix with entries base + 10 i + j.
std::vector<double> matrix(std::size_t cols, double base) {
    std::vector<double> v(4 * cols);
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t j = 0; j < cols; ++j) v[i * cols + j] = base + 10.0 * static_cast<double>(i) + static_cast<double>(j);
    return v;
}

}  // namespace

TEST_CASE("recording: observe copies, any order, epochs and layers sorted") {
    mi::recording<double> rec(four_samples());
    CHECK(rec.empty());
    std::vector<double> buffer = matrix(3, 100);
    rec.observe(1000, 1, mi::view(buffer, 4, 3));
    buffer = matrix(2, 200);  // the training loop overwrites its buffer
    rec.observe(0, 0, mi::view(buffer, 4, 2));
    buffer = matrix(3, 300);
    rec.observe(0, 1, mi::view(buffer, 4, 3));
    buffer = matrix(2, 400);
    rec.observe(17, 0, mi::view(buffer, 4, 2));

    CHECK(rec.size() == 4);
    CHECK(rec.rows() == 4);
    CHECK(rec.epochs() == std::vector<mi::epoch_t>{0, 17, 1000});
    CHECK(rec.layers() == std::vector<std::size_t>{0, 1});
    CHECK(rec.units(0) == 2);
    CHECK(rec.units(1) == 3);
    CHECK(!rec.complete());  // (17, 1) and (1000, 0) missing
    CHECK(rec.contains(1000, 1));
    CHECK(!rec.contains(1000, 0));
    CHECK(rec.contains_epoch(17));
    CHECK(!rec.contains_epoch(18));

    const auto v = rec.at(1000, 1);
    CHECK(v.rows() == 4);
    CHECK(v.cols() == 3);
    CHECK(v.contiguous());
    CHECK(v(2, 1) == 121.0);  // the copy made at observe time, not the overwritten buffer
    CHECK(rec.at(0, 0)(3, 1) == 231.0);

    CHECK(rec.epochs_of(0) == std::vector<mi::epoch_t>{0, 17});
    const auto history = rec.layer_history(0);
    REQUIRE(history.size() == 2);
    CHECK(history[0](0, 0) == 200.0);
    CHECK(history[1](0, 0) == 400.0);
    CHECK(rec.layer_history(1)[1](0, 0) == 100.0);
}

TEST_CASE("recording: re-observing an (epoch, layer) replaces it") {
    mi::recording<float> rec(four_samples());
    std::vector<float> a{1, 2, 3, 4}, b{5, 6, 7, 8}, wide{1, 2, 3, 4, 5, 6, 7, 8};
    rec.observe(3, 0, mi::view(a));
    rec.observe(3, 0, mi::view(b));
    CHECK(rec.size() == 1);
    CHECK(rec.at(3, 0)(2, 0) == 7.0f);
    // The only copy of a layer may change width when replaced ...
    rec.observe(3, 0, mi::view(wide, 4, 2));
    CHECK(rec.units(0) == 2);
    // ... but a layer with two epochs keeps its width.
    rec.observe(4, 0, mi::view(wide, 4, 2));
    CHECK_THROWS_AS(rec.observe(4, 0, mi::view(a)), mi::error);
    CHECK_THROWS_AS(rec.observe(5, 0, mi::view(a)), mi::error);
    CHECK(rec.complete());
}

TEST_CASE("recording: strided and xtensor sources are copied row by row") {
    xt::xtensor<double, 2> big = xt::zeros<double>({4, 5});
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t j = 0; j < 5; ++j) big(i, j) = static_cast<double>(10 * i + j);
    mi::recording<double> rec(four_samples());
    rec.observe(0, 0, big);                                              // container
    rec.observe(1, 0, xt::xtensor<double, 2>(xt::view(big, xt::all(), xt::range(0, 5))));
    rec.observe(0, 1, xt::view(big, xt::all(), xt::range(1, 3)));        // strided view, 2 of 5 columns
    const auto v = rec.at(0, 1);
    CHECK(v.cols() == 2);
    CHECK(v.row_stride() == 2);
    CHECK(v(3, 0) == 31.0);
    CHECK(v(3, 1) == 32.0);
    CHECK(rec.at(0, 0)(2, 4) == 24.0);
}

TEST_CASE("recording from stored activations") {
    const std::vector<double> l0e0 = matrix(2, 0), l1e0 = matrix(1, 1), l0e5 = matrix(2, 2), l1e5 = matrix(1, 3);
    mi::recording<double> rec(four_samples(), {0, 5},
                              {{mi::view(l0e0, 4, 2), mi::view(l1e0, 4, 1)}, {mi::view(l0e5, 4, 2), mi::view(l1e5, 4, 1)}});
    CHECK(rec.size() == 4);
    CHECK(rec.complete());
    CHECK(rec.at(5, 1)(1, 0) == 13.0);
    CHECK(rec.samples().labels()[1] == 1);
    using views = std::vector<std::vector<mi::activation_view<const double>>>;
    CHECK_THROWS_AS(mi::recording<double>(four_samples(), {0, 5}, views{{mi::view(l0e0, 4, 2)}}), mi::error);
    CHECK_THROWS_AS(mi::recording<double>(four_samples(), {5, 5}, views{{mi::view(l0e0, 4, 2)}, {mi::view(l0e5, 4, 2)}}),
                    mi::error);
}

TEST_CASE("recording: samples set once, before or after observing, rows validated") {
    const std::vector<double> four = matrix(1, 0), three{1, 2, 3};
    SUBCASE("after") {
        mi::recording<double> rec;
        CHECK(!rec.has_samples());
        CHECK_THROWS_AS(rec.samples(), mi::error);
        rec.observe(0, 0, mi::view(four));
        CHECK_THROWS_AS(rec.observe(1, 0, mi::view(three)), mi::error);  // rows differ from earlier views
        CHECK_THROWS_AS(rec.set_samples(mi::samples(mi::labels(std::vector<int>{0, 1, 1}))), mi::error);
        rec.set_samples(four_samples());
        CHECK(rec.has_samples());
        CHECK_THROWS_AS(rec.set_samples(four_samples()), mi::error);  // once
    }
    SUBCASE("before") {
        mi::recording<double> rec(four_samples());
        CHECK_THROWS_AS(rec.observe(0, 0, mi::view(three)), mi::error);
        rec.observe(0, 0, mi::view(four));
        CHECK(rec.size() == 1);
    }
    SUBCASE("empty samples") {
        CHECK_THROWS_AS(mi::recording<double>{mi::samples{}}, mi::error);
    }
    SUBCASE("input ids must describe the rows") {
        mi::recording<double> rec(mi::samples(mi::labels(std::vector<int>{0, 1, 0, 1}), mi::input_ids(std::vector<int>{0, 0, 1, 1})));
        rec.observe(0, 0, mi::view(four));
        CHECK(rec.samples().inputs()[1] == 0);
    }
}

TEST_CASE("recording: bad input raises mi::error naming the problem") {
    mi::recording<double> rec(four_samples());
    std::vector<double> v = matrix(2, 0);
    rec.observe(0, 0, mi::view(v, 4, 2));

    v[5] = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH_AS(rec.observe(1, 0, mi::view(v, 4, 2)), doctest::Contains("activations(2, 1)"), mi::error);
    v[5] = std::numeric_limits<double>::infinity();
    CHECK_THROWS_AS(rec.observe(1, 0, mi::view(v, 4, 2)), mi::error);
    CHECK(rec.size() == 1);  // nothing was stored

    v = matrix(2, 0);
    CHECK_THROWS_WITH_AS(rec.observe(-1, 0, mi::view(v, 4, 2)), doctest::Contains("epoch = -1"), mi::error);
    CHECK_THROWS_AS(rec.observe(1, static_cast<std::size_t>(-1), mi::view(v, 4, 2)), mi::error);
    const std::vector<double> empty;
    CHECK_THROWS_AS(rec.observe(1, 1, mi::view(empty)), mi::error);

    CHECK_THROWS_WITH_AS(rec.at(7, 0), doctest::Contains("epoch = 7"), mi::error);
    CHECK_THROWS_WITH_AS(rec.at(0, 3), doctest::Contains("layer = 3"), mi::error);
    CHECK_THROWS_AS(rec.layer_history(3), mi::error);
    CHECK_THROWS_AS(rec.epochs_of(3), mi::error);
    CHECK_THROWS_AS(rec.units(3), mi::error);
}

}  // namespace test_plane_recording
