// SPDX-License-Identifier: BSD-3-Clause
// The contract test: grid returns exactly what brute_force returns
// (neighbour indices, distances, strict and inclusive counts), per metric,
// on random data, on data full of ties and duplicate rows, with outliers far
// outside the percentile range of the cells, and with constant columns.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "mi/core/error.hpp"
#include "mi/core/parallel.hpp"
#include "mi/search/brute_force.hpp"
#include "mi/search/grid.hpp"
#include "search/search_testing.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_search_grid {

namespace {

template <class Metric>
void contract(const std::vector<double>& x, std::size_t n, std::size_t d, std::size_t k, double occupancy) {
    const mi::brute_force<Metric> bf(mi::view(x, n, d));
    const mi::grid<Metric> g(mi::view(x, n, d), occupancy);
    const auto a = bf.knn(k);
    const auto b = g.knn(k);
    REQUIRE(a.index == b.index);
    REQUIRE(a.distance == b.distance);
    // k-th distances alone (grid takes them cell by cell, one point per lane, up to k = 8):
    // k = 9 is past that path, k = N - 1 (N <= 600: its cost grows as N^3) leaves no point out
    for (std::size_t kk : {std::size_t(1), std::size_t(2), k, std::size_t(8), std::size_t(9), n <= 600 ? n - 1 : 1})
        if (kk < n) {
            CAPTURE(kk);
            REQUIRE(bf.kth_distance(kk) == g.kth_distance(kk));
        }
    // radii at the k-th distance (the KSG case: many points exactly at r),
    // between neighbours, far beyond them (whole cells inside), zero and negative
    std::vector<double> r(n), r2(n), r3(n), r4(n);
    for (std::size_t i = 0; i < n; ++i) {
        r[i] = a.distance(i, k - 1);
        r2[i] = 0.37 * a.distance(i, 0) + 1.3 * a.distance(i, k - 1);
        r3[i] = 6.0 * a.distance(i, k - 1) + 0.5;
        r4[i] = i % 7 == 0 ? -1.0 : (i % 7 == 1 ? 0.0 : a.distance(i, 0));
    }
    for (auto cmp : {mi::range::strict, mi::range::inclusive}) {
        REQUIRE(bf.count_within(r, cmp) == g.count_within(r, cmp));
        REQUIRE(bf.count_within(r2, cmp) == g.count_within(r2, cmp));
        REQUIRE(bf.count_within(r3, cmp) == g.count_within(r3, cmp));
        REQUIRE(bf.count_within(r4, cmp) == g.count_within(r4, cmp));
    }
}

template <class Metric>
void contract(std::size_t n, std::size_t d, std::size_t k, bool ties, double occupancy) {
    contract<Metric>(mi_test::points(n, d, ties, 11 * n + d), n, d, k, occupancy);
}

}  // namespace

TEST_CASE_TEMPLATE("grid equals brute_force exactly", Metric, mi::max_norm, mi::euclidean) {
    for (std::size_t d : {1, 2, 3, 4, 6})
        for (bool ties : {false, true})
            for (double occ : {0.0, 0.5, 3.0, 50.0}) {
                CAPTURE(d);
                CAPTURE(ties);
                CAPTURE(occ);
                for (std::size_t n : {150, 700}) {  // k = N - 1 at 150 only
                    CAPTURE(n);
                    contract<Metric>(n, d, 4, ties, occ);
                }
            }
    contract<Metric>(40, 3, 39, true, 1.0);  // k = N - 1
    contract<Metric>(2000, 2, 1, true, 0.0);
    contract<Metric>(3000, 1, 3, false, 0.0);
}

TEST_CASE_TEMPLATE("grid with outliers and constant columns equals brute_force", Metric, mi::max_norm, mi::euclidean) {
    const std::size_t n = 600, d = 3;
    auto x = mi_test::points(n, d, false, 5);
    for (std::size_t i = 0; i < n; i += 97) x[i * d] = 1e6 + static_cast<double>(i);  // far outliers in dim 0
    x[5 * d + 1] = -1e9;
    for (std::size_t i = 0; i < n; ++i) x[i * d + 2] = 0.25;  // a constant column
    contract<Metric>(x, n, d, 3, 0.0);
    // 95 % duplicates of one row (a dead unit): the percentile range is empty
    auto y = mi_test::points(n, 2, false, 6);
    for (std::size_t i = 0; i < n; ++i)
        if (i % 20 != 0) y[2 * i] = y[2 * i + 1] = i % 2 == 0 ? 0.0 : -0.0;  // +0 and -0 are the same point
    contract<Metric>(y, n, 2, 5, 0.0);
}

TEST_CASE_TEMPLATE("grid with huge coordinates and infinite radii equals brute_force", Metric, mi::max_norm, mi::euclidean) {
    // the column range overflows to infinity, so the cell scale is 0
    std::vector<double> x = mi_test::points(300, 2, false, 12);
    for (std::size_t i = 0; i < 6; ++i) x[2 * i] = i % 2 == 0 ? 1.5e308 : -1.5e308;  // beyond the percentiles too
    const mi::brute_force<Metric> bf(mi::view(x, 300, 2));
    const mi::grid<Metric> g(mi::view(x, 300, 2));
    CHECK(bf.knn(3).index == g.knn(3).index);
    const std::vector<double> r(300, std::numeric_limits<double>::infinity());
    CHECK(bf.count_within(r, mi::range::strict) == g.count_within(r, mi::range::strict));
    const auto r3 = bf.kth_distance(3);
    CHECK(bf.count_within(r3, mi::range::inclusive) == g.count_within(r3, mi::range::inclusive));
}

TEST_CASE("grid on all-identical rows: every distance 0, lowest indices first") {
    const std::vector<double> x(300 * 2, 1.25);
    const mi::grid<mi::max_norm> g(mi::view(x, 300, 2));
    CHECK(g.largest_cell() == 300);
    CHECK(g.crowding() == 300.0);
    const auto nb = g.knn(3);
    CHECK(nb.index(0, 0) == 1);
    CHECK(nb.index(0, 2) == 3);
    CHECK(nb.index(299, 0) == 0);
    CHECK(nb.index(299, 2) == 2);
    CHECK(nb.distance(150, 2) == 0.0);
    CHECK(g.kth_distance(7) == std::vector<double>(300, 0.0));
    CHECK(g.count_within(std::vector<double>(300, 0.0), mi::range::inclusive)[17] == 299);
    CHECK(g.count_within(std::vector<double>(300, 0.0), mi::range::strict)[17] == 0);
}

TEST_CASE("grid cells hold about `occupancy` points on spread data") {
    const auto x = mi_test::points(4096, 2, false, 9);
    const mi::grid<mi::euclidean> g(mi::view(x, 4096, 2), 2.0);
    CHECK(g.largest_cell() >= 2);
    CHECK(g.largest_cell() < 40);
    CHECK(g.crowding() >= 1.0);
    CHECK(g.crowding() < 6.0);
    // strongly correlated columns fill a thin diagonal of the box: the cells
    // are refined until a point shares its cell with few others again
    std::vector<double> c(2 * 4096);
    for (std::size_t i = 0; i < 4096; ++i) {
        c[2 * i] = x[2 * i];
        c[2 * i + 1] = x[2 * i] + 0.2 * x[2 * i + 1];
    }
    const mi::grid<mi::euclidean> h(mi::view(c, 4096, 2), 2.0);
    CHECK(h.crowding() < 6.0);
    contract<mi::euclidean>(c, 4096, 2, 3, 2.0);
    CHECK(g.size() == 4096);
    CHECK(g.dims() == 2);
}

TEST_CASE_TEMPLATE("grid gives one cell to a column whose bulk is one value, and equals brute_force", Metric,
                   mi::max_norm, mi::euclidean) {
    // A ReLU unit dead on all inputs but three (the SZT network's fifth layer): column 0 is 0
    // except three small outliers, column 1 spreads. The old layout cut column 0 into m thin
    // cells with the bulk in the first, so crowding was about N / m (32 here after the
    // refinement), and every query walked rings across the thin cells. One cell along column
    // 0 leaves a 1-D grid of about N / occupancy cells on column 1.
    const std::size_t n = 4096;
    const auto spread = mi_test::points(n, 1, false, 21);
    std::vector<double> x(2 * n);
    for (std::size_t i = 0; i < n; ++i) {
        x[2 * i] = i == 5 || i == 900 || i == 3000 ? 1e-3 * static_cast<double>(i % 7 + 1) : 0.0;
        x[2 * i + 1] = spread[i];
    }
    const mi::grid<Metric> g(mi::view(x, n, 2), 2.0);
    CHECK(g.crowding() < 6.0);
    contract<Metric>(x, n, 2, 2, 2.0);
    contract<Metric>(x, n, 2, 5, 0.0);
    // the same with a third, spread column: the spread ones share the cells
    const auto more = mi_test::points(n, 1, false, 22);
    std::vector<double> y(3 * n);
    for (std::size_t i = 0; i < n; ++i) {
        y[3 * i] = x[2 * i + 1];
        y[3 * i + 1] = x[2 * i];
        y[3 * i + 2] = more[i];
    }
    const mi::grid<Metric> h(mi::view(y, n, 3), 2.0);
    CHECK(h.crowding() < 6.0);
    contract<Metric>(y, n, 3, 2, 0.0);
}

TEST_CASE("grid gives the same results with 1 and 2 threads") {
    const auto x = mi_test::points(3000, 2, true, 4);
    const mi::grid<mi::max_norm> g(mi::view(x, 3000, 2));
    mi::set_num_threads(1);
    const auto a = g.knn(5);
    const auto ca = g.count_within(g.kth_distance(5), mi::range::inclusive);
    mi::set_num_threads(2);
    const auto b = g.knn(5);
    const auto cb = g.count_within(g.kth_distance(5), mi::range::inclusive);
    mi::set_num_threads(0);
    CHECK(a.index == b.index);
    CHECK(a.distance == b.distance);
    CHECK(ca == cb);
}

TEST_CASE_TEMPLATE("grid builds the same grid on 1, 2 and 3 threads, equal to brute_force", Metric, mi::max_norm,
                   mi::euclidean) {
    // more than two of the build's blocks (4096 rows), ties, and +0 and -0 as a column's minimum
    const std::size_t n = 9000;
    auto x = mi_test::points(n, 2, true, 21);
    for (std::size_t i = 0; i < n; ++i) x[2 * i + 1] = i % 13 == 0 ? (i % 2 == 0 ? 0.0 : -0.0) : std::fabs(x[2 * i + 1]);
    std::vector<mi::neighbors> knn;
    std::vector<std::vector<double>> kth;
    std::vector<std::vector<std::uint32_t>> counts;
    std::vector<double> crowding;
    for (std::size_t threads : {1, 2, 3}) {
        mi::set_num_threads(threads);
        const mi::grid<Metric> g(mi::view(x, n, 2));
        knn.push_back(g.knn(4));
        kth.push_back(g.kth_distance(3));
        counts.push_back(g.count_within(kth.back(), mi::range::inclusive));
        crowding.push_back(g.crowding());
    }
    for (std::size_t t = 1; t < 3; ++t) {
        CAPTURE(t);
        CHECK(knn[t].index == knn[0].index);
        CHECK(knn[t].distance == knn[0].distance);
        CHECK(kth[t] == kth[0]);
        CHECK(counts[t] == counts[0]);
        CHECK(crowding[t] == crowding[0]);
    }
    contract<Metric>(x, n, 2, 4, 0.0);  // on 3 threads
    mi::set_num_threads(0);
}

TEST_CASE("grid rejects bad input with mi::error naming the argument") {
    CHECK_THROWS_WITH_AS(mi::grid<mi::max_norm>(-1.0), doctest::Contains("occupancy"), mi::error);
    const auto x = mi_test::points(20, 2, false, 1);
    const mi::grid<mi::euclidean> g(mi::view(x, 20, 2));
    CHECK_THROWS_WITH_AS(g.knn(20), doctest::Contains("k = 20"), mi::error);
    CHECK_THROWS_AS(g.count_within(std::vector<double>(19, 1.0)), mi::error);
    std::vector<double> bad(x);
    bad[3] = std::nan("");
    CHECK_THROWS_AS(mi::grid<mi::euclidean>(mi::view(bad, 20, 2)), mi::error);
    const std::vector<double> empty;
    mi::grid<mi::euclidean> t;
    CHECK_THROWS_WITH_AS(t.build(mi::view(empty.data(), 0, 2)), doctest::Contains("points"), mi::error);
}

TEST_CASE("grid: k-th distances within groups from one search equal separate searches") {
    mi_test::check_grouped<mi::grid>(900, {1, 2, 4});
}

}  // namespace test_search_grid
