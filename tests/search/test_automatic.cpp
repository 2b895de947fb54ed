// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "mi/search/automatic.hpp"
#include "mi/search/brute_force.hpp"
#include "search/search_testing.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_search_automatic {

TEST_CASE("automatic picks a grid in low, a tree in middle and brute force in high dimension") {
    CHECK(mi::automatic<mi::max_norm>::prefers_grid(100, 1));
    CHECK(mi::automatic<mi::max_norm>::prefers_grid(100000, 4));
    CHECK_FALSE(mi::automatic<mi::max_norm>::prefers_grid(100000, 5));
    CHECK(mi::automatic<mi::max_norm>::prefers_tree(100, 1));
    CHECK(mi::automatic<mi::max_norm>::prefers_tree(100000, 6));
    CHECK_FALSE(mi::automatic<mi::max_norm>::prefers_tree(1000, 6));
    CHECK_FALSE(mi::automatic<mi::max_norm>::prefers_tree(100000, 24));
    // the boundary d <= c + log2(N) / 2: c = 4 for the max-norm, 12 for the Euclidean norm
    CHECK(mi::automatic<mi::max_norm>::prefers_tree(4096, 10));
    CHECK_FALSE(mi::automatic<mi::max_norm>::prefers_tree(4096, 11));
    CHECK(mi::automatic<mi::euclidean>::prefers_tree(4096, 18));
    CHECK_FALSE(mi::automatic<mi::euclidean>::prefers_tree(4096, 19));
    CHECK(mi::automatic<mi::euclidean>::prefers_tree(16384, 19));
    CHECK_FALSE(mi::automatic<mi::euclidean>::prefers_tree(16384, 20));
    const auto lo = mi_test::points(500, 2, false, 1);
    mi::automatic<mi::euclidean> a(mi::view(lo, 500, 2));
    CHECK(a.chosen() == "grid<euclidean>");
    const auto mid = mi_test::points(5000, 6, false, 3);
    mi::automatic<mi::euclidean> m(mi::view(mid, 5000, 6));
    CHECK(m.chosen() == "kd_tree<euclidean>");
    const auto hi = mi_test::points(500, 12, false, 2);
    mi::automatic<mi::euclidean> b(mi::view(hi, 500, 12));
    CHECK(b.chosen() == "brute_force<euclidean>");
}

TEST_CASE_TEMPLATE("automatic: duplicates crowding one cell take the kd_tree for knn, the grid for kth_distance", Metric,
                   mi::max_norm, mi::euclidean) {
    // a dead unit without jitter: 70 % of 1000 rows the same point (2-D), and 40 % of 4096 rows
    // one row (2-D and 4-D). crowding() is hundreds of times the target: the grid's batched
    // k-th distances still answer (the repeated rows' k-th distance is 0), and both policies
    // equal brute force
    struct crowd {
        std::size_t n, d, copies;
    };
    for (const crowd c : {crowd{1000, 2, 700}, crowd{4096, 2, 4096 * 2 / 5}, crowd{4096, 4, 4096 * 2 / 5}}) {
        CAPTURE(c.n);
        CAPTURE(c.d);
        auto x = mi_test::points(c.n, c.d, false, c.n == 1000 ? 4 : 40 + c.d);
        for (std::size_t i = 0; i < c.copies; ++i)
            for (std::size_t j = 0; j < c.d; ++j) x[i * c.d + j] = c.n == 1000 ? 0.0 : x[(c.n - 1) * c.d + j];
        const mi::automatic<Metric> a(mi::view(x, c.n, c.d));
        CHECK(a.chosen() == std::string("kd_tree<") + Metric::name() + ">");
        CHECK(a.chosen_for_kth() == std::string("grid<") + Metric::name() + ">");
        // told that only kth_distance will be asked, the build keeps the grid alone
        mi::automatic<Metric> kth_only;
        kth_only.build(mi::view(x, c.n, c.d), mi::automatic<Metric>::queries::kth_distance);
        CHECK(kth_only.chosen() == std::string("grid<") + Metric::name() + ">");
        CHECK(kth_only.chosen_for_kth() == kth_only.chosen());
        const mi::brute_force<Metric> b(mi::view(x, c.n, c.d));
        for (const std::size_t k : {1, 3, 4}) {
            CAPTURE(k);
            CHECK(a.kth_distance(k) == b.kth_distance(k));
            CHECK(kth_only.kth_distance(k) == b.kth_distance(k));
            const auto na = a.knn(k), nb = b.knn(k), nk = kth_only.knn(k);
            CHECK(na.index == nb.index);
            CHECK(na.distance == nb.distance);
            CHECK(nk.index == nb.index);
            CHECK(nk.distance == nb.distance);
        }
    }
}

TEST_CASE("automatic answers knn with a kd_tree and kth_distance with the grid when a partly dead unit crowds the cells") {
    // Like the SZT ReLU network's 3-unit layer early in training: unit 0 is dead on 75% of
    // the inputs, unit 1 on all, unit 2 on the inputs where unit 0 is alive. The grid's
    // crowding() is 28 here, 4.7 times the occupancy it aimed at (6), above `crowded` (4
    // times; spread data gives 1.2-1.6): the kd_tree answers knn, the grid kth_distance
    // (mi/search/automatic.hpp). Same neighbours either way.
    const std::size_t n = 3000;
    const auto g = mi_test::points(n, 2, false, 31);
    std::vector<double> x(3 * n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        if (i % 4 == 0) x[3 * i] = 0.05 * std::fabs(g[2 * i]);
        else x[3 * i + 2] = std::fabs(g[2 * i + 1]);
    }
    const mi::grid<mi::euclidean> cells(mi::view(x, n, 3));
    CHECK(cells.target_occupancy() == 6.0);
    CHECK(cells.crowding() > mi::automatic<mi::euclidean>::crowded * cells.target_occupancy());
    mi::automatic<mi::euclidean> a(mi::view(x, n, 3));
    CHECK(a.chosen() == "kd_tree<euclidean>");
    CHECK(a.chosen_for_kth() == "grid<euclidean>");
    const mi::brute_force<mi::euclidean> b(mi::view(x, n, 3));
    CHECK(a.knn(2).index == b.knn(2).index);
    CHECK(a.kth_distance(2) == b.kth_distance(2));
    CHECK(a.count_within(b.kth_distance(2)) == b.count_within(b.kth_distance(2)));
    // a new build forgets the crowded grid: spread 2-D points take the grid for everything,
    // 12-D points a structure without a grid
    const auto spread = mi_test::points(n, 2, false, 32);
    a.build(mi::view(spread, n, 2));
    CHECK(a.chosen() == "grid<euclidean>");
    CHECK(a.chosen_for_kth() == "grid<euclidean>");
    const auto wide = mi_test::points(n, 12, false, 33);
    a.build(mi::view(wide, n, 12));
    CHECK(a.chosen_for_kth() == a.chosen());
    CHECK(a.chosen() != "grid<euclidean>");
    CHECK(a.kth_distance(2) == mi::brute_force<mi::euclidean>(mi::view(wide, n, 12)).kth_distance(2));
}

TEST_CASE_TEMPLATE("automatic returns what brute_force returns", Metric, mi::max_norm, mi::euclidean) {
    for (std::size_t d : {1, 3, 12}) {
        const auto x = mi_test::points(700, d, true, d);
        const mi::automatic<Metric> a(mi::view(x, 700, d));
        const mi::brute_force<Metric> b(mi::view(x, 700, d));
        const auto na = a.knn(3), nb = b.knn(3);
        CHECK(na.index == nb.index);
        CHECK(na.distance == nb.distance);
        const auto r = b.kth_distance(3);
        CHECK(a.count_within(r, mi::range::strict) == b.count_within(r, mi::range::strict));
        CHECK(a.size() == 700);
        CHECK(a.dims() == d);
    }
}

TEST_CASE("automatic: k-th distances within groups from whichever policy it chose") {
    // grid (d = 2), kd_tree (d = 6 and 12, N >= 1024) and brute force (d = 40, beyond the probe)
    for (const std::size_t d : {2, 6, 12, 40}) {
        CAPTURE(d);
        CHECK(mi_test::grouped_mismatches<mi::automatic<mi::euclidean>>(2100, d, 2, false, d, 2) == 0);
    }
}

namespace {
// n points of a 2-D Gaussian embedded in d dimensions by a fixed linear map (low intrinsic dimension)
std::vector<double> embedded_plane(std::size_t n, std::size_t d, std::uint64_t seed) {
    const auto z = mi_test::points(n, 2, false, seed);
    const auto a = mi_test::points(2, d, false, seed + 1);
    std::vector<double> x(n * d);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < d; ++j) x[i * d + j] = z[i * 2] * a[j] + z[i * 2 + 1] * a[d + j];
    return x;
}
}  // namespace

TEST_CASE("automatic probes a kd-tree beyond its dimension rule and keeps it where the data prune") {
    const std::size_t n = 4096, d = 24;
    CHECK_FALSE(mi::automatic<mi::euclidean>::prefers_tree(n, d));
    CHECK(mi::automatic<mi::euclidean>::probes_tree(n, d));
    CHECK_FALSE(mi::automatic<mi::euclidean>::probes_tree(n, 33));
    CHECK_FALSE(mi::automatic<mi::euclidean>::probes_tree(1023, d));
    CHECK(mi::automatic<mi::euclidean>::prefers_tree(1024, 16));
    CHECK_FALSE(mi::automatic<mi::euclidean>::prefers_tree(1023, 16));
    CHECK_FALSE(mi::automatic<mi::max_norm>::prefers_tree(2047, 6));
    CHECK_FALSE(mi::automatic<mi::max_norm>::probes_tree(2047, 12));
    CHECK(mi::automatic<mi::max_norm>::probe_threshold(2048) == doctest::Approx(0.65));
    CHECK(mi::automatic<mi::max_norm>::probe_threshold(8192) == doctest::Approx(0.325));
    CHECK(mi::automatic<mi::euclidean>::probe_threshold(2048) == 0.95);
    CHECK(mi::automatic<mi::euclidean>::probe_threshold(65536) == 0.95);
    // a plane in 24-D: the tree scans a few per cent of the points and is kept
    const auto flat = embedded_plane(n, d, 11);
    const mi::kd_tree<mi::euclidean> t(mi::view(flat, n, d));
    CHECK(t.scanned_fraction(64, 2) < 0.1);
    const mi::automatic<mi::euclidean> a(mi::view(flat, n, d));
    CHECK(a.chosen() == "kd_tree<euclidean>");
    // a 24-D Gaussian of 16384 points: probed (its two-NN intrinsic dimension on 256 rows is
    // within reach), but the tree scans nearly every point, so brute force is used
    const std::size_t big = 16384;
    const auto wide = mi_test::points(big, d, false, 12);
    const mi::kd_tree<mi::euclidean> u(mi::view(wide, big, d));
    CHECK(u.scanned_fraction(64, 2) > mi::automatic<mi::euclidean>::probe_threshold(big));
    CHECK(mi::automatic<mi::euclidean>::intrinsic_dimension(mi::view(wide, big, d)) <
          mi::automatic<mi::euclidean>::tree_dims_offset + mi::automatic<mi::euclidean>::probe_slack + 7.0);
    const mi::automatic<mi::euclidean> b(mi::view(wide, big, d));
    CHECK(b.chosen() == "brute_force<euclidean>");
    const auto spread = mi_test::points(n, d, false, 12);
    // the two-NN intrinsic dimension that gates the probe: about 2 for the plane, about d
    // (a little below, as the estimator is on 256 rows) for Gaussians
    CHECK(mi::automatic<mi::euclidean>::intrinsic_dimension(mi::view(flat, n, d)) == doctest::Approx(2.0).epsilon(0.25));
    const auto five = mi_test::points(n, 5, false, 13);
    CHECK(mi::automatic<mi::euclidean>::intrinsic_dimension(mi::view(five, n, 5)) == doctest::Approx(5.0).epsilon(0.25));
    CHECK(mi::automatic<mi::max_norm>::intrinsic_dimension(mi::view(five, n, 5)) == doctest::Approx(5.0).epsilon(0.25));
    CHECK(mi::automatic<mi::euclidean>::intrinsic_dimension(mi::view(spread, n, d)) > 8.5);
    const std::vector<double> same(3000 * 4, 1.0);  // no spread: the dimension itself
    CHECK(mi::automatic<mi::euclidean>::intrinsic_dimension(mi::view(same, 3000, 4)) == 4.0);
    // either way the answers are brute force's
    const mi::brute_force<mi::euclidean> ref(mi::view(flat, n, d));
    CHECK(a.kth_distance(2) == ref.kth_distance(2));
    CHECK_THROWS_WITH_AS(t.scanned_fraction(8, n), doctest::Contains("k = 4096"), mi::error);
}

}  // namespace test_search_automatic
