// SPDX-License-Identifier: BSD-3-Clause
// mi::exact_counting (Lorenzen, Igel & Nielsen 2022): exact I(X;T) and I(T;Y)
// of a finitely-valued layer by counting rows, on cases counted by hand, on a
// seeded quantized layer whose entropies were computed independently with
// numpy (np.unique(rows, axis=0, return_counts=True), script in the test
// case), against binning<machine_precision> (another code path of the
// library that also puts every distinct value in its own bin), and the
// H(T|X) policies and bad input.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "mi/core/random.hpp"
#include "mi/estimators/binning.hpp"
#include "mi/estimators/exact_counting.hpp"
#include "mi/plane/information_plane.hpp"
#include "mi/plane/recording.hpp"
#include "mi/quantizers/machine_precision.hpp"
#include "estimators/counts.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_estimators_exact_counting {

static_assert(mi::is_plane_estimator_v<mi::exact_counting, float>);
static_assert(mi::is_plane_estimator_v<mi::exact_counting, double>);
static_assert(mi::exact_counting::resampling == mi::resampling::input_groups);

using mi_test::h;

TEST_CASE("exact_counting: H(T), I(X;T) and I(T;Y) counted by hand") {
    // 8 rows x 2 units on an 8-bit-like grid; rows: A B A C A B D D (with -0 in one A)
    const float a0 = 0.0f, a1 = 0.5f, b0 = 0.25f, b1 = 0.5f, c0 = -0.75f, c1 = 0.125f, d0 = 1.0f, d1 = 1.0f;
    const std::vector<float> layer{a0, a1, b0, b1, -0.0f, a1, c0, c1, a0, a1, b0, b1, d0, d1, d0, d1};
    const auto v = mi::view(layer, 8, 2);
    const mi::exact_counting e;
    CHECK(e.patterns(v).groups() == 4);
    const double ht = h({3, 2, 1, 2});
    CHECK(e.entropy(v) == doctest::Approx(ht).epsilon(1e-15));
    // labels: A rows (0, 2, 4) -> 0, 0, 1; B rows (1, 5) -> 1, 1; C (3) -> 0; D (6, 7) -> 1, 1
    const std::vector<int> y{0, 1, 0, 0, 1, 1, 1, 1};
    const mi::samples s(mi::labels(y, 2));
    const mi::plane_point p = e.point(v, s);
    CHECK(p.ixt == doctest::Approx(ht).epsilon(1e-15));  // distinct inputs: I(X;T) = H(T)
    // H(T|Y=0): rows 0, 2, 3 -> A, A, C; H(T|Y=1): rows 1, 4, 5, 6, 7 -> B, A, B, D, D
    CHECK(p.ity == doctest::Approx(ht - 3.0 / 8.0 * h({2, 1}) - 5.0 / 8.0 * h({2, 1, 2})).epsilon(1e-15));
    CHECK(e.mutual_information(v, s.labels()) == doctest::Approx(p.ity));
    CHECK(e.mutual_information(v, s.inputs()) == doctest::Approx(ht));
    // a value one ulp away is another value of T
    std::vector<float> moved = layer;
    moved[0] = std::nextafter(a0, 1.0f);
    CHECK(e.patterns(mi::view(moved, 8, 2)).groups() == 5);
    // double rows count the same
    const std::vector<double> dl(layer.begin(), layer.end());
    CHECK(e.point(mi::view(dl, 8, 2), s).ity == doctest::Approx(p.ity).epsilon(1e-15));
}

TEST_CASE("exact_counting: H(T|X) = 0 is checked (must_agree) or counted") {
    // input ids 0 0 1 1 2 2 3 3; rows agree inside inputs 0, 1, 2 but not inside 3
    const std::vector<double> agree{1, 2, 1, 2, 3, 4, 3, 4, 5, 6, 5, 6, 7, 8, 7, 8};
    std::vector<double> differ = agree;
    differ[14] = 1;  // row 7 = (1, 8), row 6 = (7, 8)
    const std::vector<int> y{0, 0, 1, 1, 0, 0, 1, 1};
    const mi::samples s(mi::labels(y, 2), mi::input_ids(std::vector<int>{0, 0, 1, 1, 2, 2, 3, 3}));
    const mi::exact_counting strict;
    CHECK(strict.point(mi::view(agree, 8, 2), s).ixt == doctest::Approx(std::log(4.0)).epsilon(1e-15));
    CHECK(strict.conditional_entropy(mi::view(agree, 8, 2), s.inputs()) == 0.0);
    CHECK_THROWS_WITH_AS(strict.point(mi::view(differ, 8, 2), s), doctest::Contains("layer row 7 of input id = 3"),
                         mi::error);
    mi::exact_counting_options o;
    o.repeats = mi::repeated_inputs::counted;
    const mi::exact_counting counted(o);
    // H(T) over {A x2, B x2, C x2, D, E} = h(2,2,2,1,1); H(T|X) = (2/8) log 2 (input 3 splits 1:1)
    const double ht = h({2, 2, 2, 1, 1});
    const mi::plane_point p = counted.point(mi::view(differ, 8, 2), s);
    CHECK(p.ixt == doctest::Approx(ht - 0.25 * std::log(2.0)).epsilon(1e-15));
    CHECK(counted.parameters() == "repeated_inputs=counted;max_levels=0");
    CHECK(strict.parameters() == "repeated_inputs=must_agree;max_levels=0");
    CHECK(strict.name() == "exact_counting");
}

TEST_CASE("exact_counting: the k-bit grid check (max_levels)") {
    const std::vector<float> three{0.f, 0.5f, 1.f, 0.5f, 0.f, 1.f};
    mi::exact_counting_options o;
    o.max_levels = 3;
    CHECK(mi::exact_counting(o).entropy(mi::view(three, 3, 2)) == doctest::Approx(std::log(3.0)));
    o.max_levels = 2;
    CHECK_THROWS_WITH_AS(mi::exact_counting(o).entropy(mi::view(three, 3, 2)),
                         doctest::Contains("distinct values of the layer = 3"), mi::error);
}

TEST_CASE("exact_counting: a seeded 4096 x 4 quantized layer against numpy, and against binning<machine_precision>") {
    // Layer: unit j of row i is q((i * 37 + j * 101) mod 4096) with q(m) = round(tanh((m - 2048) / 700) * 3) / 3
    // (7 levels); labels y_i = ((i * 37 + 500) mod 4096 >= 2048). numpy (python3, numpy 1.24.2):
    //   i = np.arange(4096); m = (i[:, None] * 37 + np.arange(4)[None, :] * 101) % 4096
    //   T = np.round(np.tanh((m - 2048) / 700) * 3) / 3; y = ((i * 37 + 500) % 4096 >= 2048)
    //   def H(r): _, c = np.unique(r, axis=0, return_counts=True); p = c / c.sum(); return -(p * np.log(p)).sum()
    //   H(T) = 2.773237828480667; I(T;Y) = H(T) - sum_l p_l H(T[y == l]) = 0.5670211740026874
    const std::size_t n = 4096, d = 4;
    std::vector<double> layer(n * d);
    std::vector<int> y(n);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < d; ++j) {
            const double m = static_cast<double>((i * 37 + j * 101) % 4096);
            layer[i * d + j] = std::round(std::tanh((m - 2048.0) / 700.0) * 3.0) / 3.0;
        }
        y[i] = (i * 37 + 500) % 4096 >= 2048 ? 1 : 0;
    }
    const mi::samples s(mi::labels(y, 2));
    const auto v = mi::view(layer, n, d);
    const mi::plane_point p = mi::exact_counting().point(v, s);
    CHECK(p.ixt == doctest::Approx(2.773237828480667).epsilon(1e-12));
    CHECK(p.ity == doctest::Approx(0.5670211740026874).epsilon(1e-12));
    const mi::plane_point b = mi::binning<mi::machine_precision>(mi::machine_precision{}).point(v, s);
    CHECK(p.ixt == doctest::Approx(b.ixt).epsilon(1e-12));
    CHECK(p.ity == doctest::Approx(b.ity).epsilon(1e-12));
}

TEST_CASE("exact_counting: through the plane driver, with a bootstrap interval over input groups") {
    // Two epochs of a 2-unit layer on 8 inputs (2 rows each); epoch 1 merges inputs pairwise.
    const std::vector<int> ids{0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7};
    const std::vector<int> y{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1};
    std::vector<double> e0, e1;
    for (int id : ids) {
        e0.push_back(id);
        e0.push_back(-id);
        e1.push_back(id / 2);
        e1.push_back(0.5);
    }
    mi::recording<double> rec(mi::samples(mi::labels(y, 2), mi::input_ids(ids)));
    rec.observe(0, 0, mi::view(e0, 16, 2));
    rec.observe(1, 0, mi::view(e1, 16, 2));
    mi::plane_options o;
    o.output_unit = mi::unit::bits;
    const mi::exact_counting e;
    const auto t = mi::information_plane(rec, e, o);
    CHECK(t.at(0, 0).ixt == doctest::Approx(3.0));  // 8 equally likely values
    CHECK(t.at(0, 0).ity == doctest::Approx(1.0));
    CHECK(t.at(1, 0).ixt == doctest::Approx(2.0));  // 4 values
    CHECK(t.at(1, 0).ity == doctest::Approx(1.0));  // the label is still a function of T
    o.bootstrap = 20;
    o.seed = 5;
    const auto b = mi::information_plane(rec, e, o);
    REQUIRE(b.at(1, 0).ixt_ci);
    CHECK(b.at(1, 0).ixt_ci->lower <= 2.0 + 1e-12);
    CHECK(b.at(1, 0).ixt_ci->upper >= b.at(1, 0).ixt_ci->lower);
}

TEST_CASE("exact_counting: bad input") {
    const mi::exact_counting e;
    std::vector<float> layer{0.f, 1.f, 0.5f, 0.25f};
    const mi::samples s(mi::labels(std::vector<int>{0, 1, 1, 0}, 2));
    layer[2] = std::nanf("");
    CHECK_THROWS_WITH_AS(e.point(mi::view(layer, 4, 1), s), doctest::Contains("layer(2, 0) = nan"), mi::error);
    layer[2] = 0.5f;
    const mi::samples three(mi::labels(std::vector<int>{0, 1, 1}, 2));
    CHECK_THROWS_AS(e.point(mi::view(layer, 4, 1), three), mi::error);
    const std::vector<float> empty;
    CHECK_THROWS_AS(e.entropy(mi::view(empty, 0, 1)), mi::error);
}

}  // namespace test_estimators_exact_counting
