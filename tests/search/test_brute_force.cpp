// SPDX-License-Identifier: BSD-3-Clause
// brute_force against a scalar oracle (plain loops in the test), per metric.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "mi/core/error.hpp"
#include "mi/core/parallel.hpp"
#include "mi/search/brute_force.hpp"
#include "search/search_testing.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_search_brute_force {

namespace {

template <class Metric>
void check_against_oracle(std::size_t n, std::size_t d, std::size_t k, bool ties) {
    const auto x = mi_test::points(n, d, ties, 100 * n + d);
    const mi::brute_force<Metric> s(mi::view(x, n, d));
    const mi::neighbors nb = s.knn(k);
    const bool exact = std::is_same<Metric, mi::max_norm>::value;
    std::vector<double> r(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto sorted = mi_test::oracle_sorted<Metric>(x, n, d, i);
        for (std::size_t m = 0; m < k; ++m) {
            const std::size_t j = nb.index(i, m);
            REQUIRE(j != i);
            REQUIRE(j < n);
            // the reported distance is the distance of the reported neighbour
            const double dj = mi_test::oracle_distance<Metric>(&x[i * d], &x[j * d], d);
            if (exact) REQUIRE(nb.distance(i, m) == dj);
            else REQUIRE(nb.distance(i, m) == doctest::Approx(dj).epsilon(1e-13));
            // and the m-th smallest of all distances
            if (exact) REQUIRE(nb.distance(i, m) == sorted[m]);
            else REQUIRE(nb.distance(i, m) == doctest::Approx(sorted[m]).epsilon(1e-13));
            if (m > 0) {  // ascending, ties by index
                REQUIRE(nb.distance(i, m - 1) <= nb.distance(i, m));
                if (nb.distance(i, m - 1) == nb.distance(i, m)) REQUIRE(nb.index(i, m - 1) < nb.index(i, m));
            }
        }
        if (exact && k < n - 1) {
            // ties at the k-th distance are broken by index: no farther-listed
            // point with the same distance has a smaller index than the k-th
            for (std::size_t j = 0; j < n; ++j) {
                if (j == i) continue;
                const double dj = mi_test::oracle_distance<Metric>(&x[i * d], &x[j * d], d);
                if (dj == nb.distance(i, k - 1)) {
                    bool listed = false;
                    for (std::size_t m = 0; m < k; ++m) listed |= nb.index(i, m) == j;
                    if (!listed) REQUIRE(j > nb.index(i, k - 1));
                }
            }
        }
        r[i] = nb.distance(i, k - 1);
    }
    for (auto cmp : {mi::range::strict, mi::range::inclusive}) {
        const auto c = s.count_within(r, cmp);
        for (std::size_t i = 0; i < n; ++i) {
            std::size_t lo = 0, hi = 0;
            for (std::size_t j = 0; j < n; ++j) {
                if (j == i) continue;
                const double dj = mi_test::oracle_distance<Metric>(&x[i * d], &x[j * d], d);
                const double slack = exact ? 0.0 : 1e-12 * r[i];
                if (cmp == mi::range::strict) {
                    lo += dj < r[i] - slack;
                    hi += dj < r[i] + slack;
                } else {
                    lo += dj <= r[i] - slack;
                    hi += dj <= r[i] + slack;
                }
            }
            REQUIRE(c[i] >= lo);
            REQUIRE(c[i] <= hi);
        }
    }
}

}  // namespace

TEST_CASE_TEMPLATE("brute_force matches the scalar oracle", Metric, mi::max_norm, mi::euclidean) {
    for (std::size_t d : {1, 2, 3, 7, 17})
        for (bool ties : {false, true}) {
            CAPTURE(d);
            CAPTURE(ties);
            check_against_oracle<Metric>(203, d, 5, ties);
        }
    check_against_oracle<Metric>(9, 2, 8, true);  // k = N - 1: every other point
}

TEST_CASE_TEMPLATE("brute_force over several row blocks matches the oracle for every thread count", Metric, mi::max_norm,
                   mi::euclidean) {
    // 517 points: 5 row blocks of the symmetric pass (the last one partial, and not a whole
    // number of SIMD lanes), so pairs meet on both the row and the column side; 1, 2 and 3
    // threads split the blocks into 2, 4 and 5 work items.
    for (std::size_t threads : {1, 2, 3}) {
        CAPTURE(threads);
        mi::set_num_threads(threads);
        check_against_oracle<Metric>(517, 3, 4, true);
        check_against_oracle<Metric>(517, 2, 1, false);
    }
    mi::set_num_threads(0);
}

TEST_CASE("brute_force owns its points and reads float views") {
    std::vector<float> xf(300 * 3);
    {
        const auto x = mi_test::points(300, 3, false, 5);
        for (std::size_t i = 0; i < x.size(); ++i) xf[i] = static_cast<float>(x[i]);
    }
    mi::brute_force<mi::max_norm> s(mi::view(xf, 300, 3));
    const auto before = s.kth_distance(4);
    for (auto& v : xf) v = 0.0f;  // the caller's memory changes; the index does not
    CHECK(s.kth_distance(4) == before);
    CHECK(s.size() == 300);
    CHECK(s.dims() == 3);
}

TEST_CASE("brute_force gives the same results with 1 and 2 threads") {
    const auto x = mi_test::points(1000, 4, true, 9);
    const mi::brute_force<mi::euclidean> s(mi::view(x, 1000, 4));
    mi::set_num_threads(1);
    const auto a = s.knn(3);
    const auto ca = s.count_within(s.kth_distance(3));
    mi::set_num_threads(2);
    const auto b = s.knn(3);
    const auto cb = s.count_within(s.kth_distance(3));
    mi::set_num_threads(0);
    CHECK(a.index == b.index);
    CHECK(a.distance == b.distance);
    CHECK(ca == cb);
}

TEST_CASE("brute_force rejects bad input with mi::error naming the argument") {
    const auto x = mi_test::points(10, 2, false, 1);
    const mi::brute_force<mi::max_norm> s(mi::view(x, 10, 2));
    CHECK_THROWS_WITH_AS(s.knn(0), doctest::Contains("k = 0"), mi::error);
    CHECK_THROWS_WITH_AS(s.knn(10), doctest::Contains("k = 10"), mi::error);
    CHECK_THROWS_WITH_AS(s.count_within(std::vector<double>(3, 1.0)), doctest::Contains("radius size"), mi::error);
    std::vector<double> r(10, 1.0);
    r[4] = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH_AS(s.count_within(r), doctest::Contains("radius[4]"), mi::error);
    auto bad = x;
    bad[7] = std::numeric_limits<double>::infinity();
    mi::brute_force<mi::max_norm> t;
    CHECK_THROWS_WITH_AS(t.build(mi::view(bad, 10, 2)), doctest::Contains("points(3, 1)"), mi::error);
}

TEST_CASE("brute_force: k-th distances within groups equal separate searches") {
    mi_test::check_grouped<mi::brute_force>(700, {1, 5, 12});
}

}  // namespace test_search_brute_force
