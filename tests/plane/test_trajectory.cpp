// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "mi/core/units.hpp"
#include "mi/plane/trajectory.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_plane_trajectory {

namespace {

mi::trajectory_row row(mi::epoch_t e, std::size_t l, double ixt, double ity) {
    mi::trajectory_row r;
    r.epoch = e;
    r.layer = l;
    r.point.ixt = ixt;
    r.point.ity = ity;
    return r;
}

}  // namespace

TEST_CASE("trajectory: rows sorted by (epoch, layer), lookup, epochs and layers") {
    const mi::trajectory t("est", "a=1;b=2",
                           {row(100, 1, 4, 0.4), row(0, 1, 2, 0.2), row(100, 0, 3, 0.3), row(0, 0, 1, 0.1)});
    CHECK(t.estimator() == "est");
    CHECK(t.parameters() == "a=1;b=2");
    CHECK(t.output_unit() == mi::unit::bits);
    REQUIRE(t.size() == 4);
    CHECK(t.rows()[0].epoch == 0);
    CHECK(t.rows()[0].layer == 0);
    CHECK(t.rows()[1].layer == 1);
    CHECK(t.rows()[3].epoch == 100);
    CHECK(t.rows()[3].layer == 1);
    CHECK(t.epochs() == std::vector<mi::epoch_t>{0, 100});
    CHECK(t.layers() == std::vector<std::size_t>{0, 1});
    CHECK(t.at(100, 0, mi::unit::nats).ixt == 3.0);
    CHECK(t.at(0, 1, mi::unit::nats).ity == 0.2);
    const auto path = t.layer_path(1);
    REQUIRE(path.size() == 2);
    CHECK(path[0].epoch == 0);
    CHECK(path[1].epoch == 100);
    CHECK(path[1].point.ixt == 4.0);
    CHECK(t.layer_path(5).empty());
    CHECK(t.contains(0, 1));
    CHECK(!t.contains(1, 1));
    CHECK(!t.contains(100, 2));
    CHECK_THROWS_WITH_AS(t.at(50, 0), doctest::Contains("(50, 0)"), mi::error);
    CHECK_THROWS_AS(t.at(100, 2), mi::error);
}

TEST_CASE("trajectory: duplicate (epoch, layer) rejected") {
    CHECK_THROWS_AS(mi::trajectory("e", "", {row(1, 0, 1, 1), row(1, 0, 2, 2)}), mi::error);
}

TEST_CASE("trajectory: values are stored in nats and read in the output unit unless a unit is named") {
    auto r = row(3, 2, std::log(8.0), std::log(2.0));
    r.point.ixt_bounds = mi::bounds{std::log(4.0), std::log(16.0)};
    r.point.ity_ci = mi::bounds{0.0, std::log(4.0)};
    r.point.ixt_kind = mi::ixt_quantity::entropy;
    mi::trajectory t("e", "", {r}, mi::unit::nats, mi::bootstrap_settings{100, 0.9, 5});
    CHECK(t.output_unit() == mi::unit::nats);
    CHECK(t.bootstrap().resamples == 100);
    CHECK(t.bootstrap().confidence == 0.9);
    CHECK(t.bootstrap().seed == 5);

    CHECK(t.at(3, 2).ixt == std::log(8.0));
    const auto b = t.at(3, 2, mi::unit::bits);
    CHECK(b.ixt == doctest::Approx(3.0).epsilon(1e-15));
    CHECK(b.ity == doctest::Approx(1.0).epsilon(1e-15));
    REQUIRE(b.ixt_bounds);
    CHECK(b.ixt_bounds->lower == doctest::Approx(2.0).epsilon(1e-15));
    CHECK(b.ixt_bounds->upper == doctest::Approx(4.0).epsilon(1e-15));
    CHECK(!b.ity_bounds);
    CHECK(!b.ixt_ci);
    REQUIRE(b.ity_ci);
    CHECK(b.ity_ci->upper == doctest::Approx(2.0).epsilon(1e-15));
    CHECK(b.ixt_kind == mi::ixt_quantity::entropy);
    // Reading in nats returns the stored values unchanged; the output unit is a setting.
    CHECK(t.at(3, 2, mi::unit::nats).ixt == std::log(8.0));
    t.set_output_unit(mi::unit::bits);
    CHECK(t.output_unit() == mi::unit::bits);
    // at(epoch, layer) reads in the output unit, every value of the point; storage stays nats.
    CHECK(t.at(3, 2).ixt == doctest::Approx(3.0).epsilon(1e-15));
    CHECK(t.at(3, 2).ity_ci->upper == doctest::Approx(2.0).epsilon(1e-15));
    CHECK(t.at(3, 2, mi::unit::nats).ixt == std::log(8.0));
    CHECK(t.rows()[0].point.ixt == std::log(8.0));
}

TEST_CASE("empty trajectory") {
    const mi::trajectory t;
    CHECK(t.empty());
    CHECK(t.epochs().empty());
    CHECK_THROWS_AS(t.at(0, 0), mi::error);
}

}  // namespace test_plane_trajectory
