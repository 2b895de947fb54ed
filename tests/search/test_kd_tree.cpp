// SPDX-License-Identifier: BSD-3-Clause
// The contract test: kd_tree returns exactly what brute_force returns
// (neighbour indices, distances, strict and inclusive counts), per metric,
// on random data and on data full of ties and duplicate rows. A tree that
// combined max-norm bounds additively (nanoflann) fails this test.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "mi/core/error.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/random.hpp"
#include "mi/search/brute_force.hpp"
#include "mi/search/kd_tree.hpp"
#include "search/search_testing.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_search_kd_tree {

namespace {

template <class Metric>
void contract(std::size_t n, std::size_t d, std::size_t k, bool ties, std::size_t leaf) {
    const auto x = mi_test::points(n, d, ties, 7 * n + d);
    const mi::brute_force<Metric> bf(mi::view(x, n, d));
    const mi::kd_tree<Metric> kd(mi::view(x, n, d), leaf);
    const auto a = bf.knn(k);
    const auto b = kd.knn(k);
    REQUIRE(a.index == b.index);
    REQUIRE(a.distance == b.distance);
    // radii at the k-th distance (the KSG case: many points exactly at r),
    // halfway to the next one, and per-point scaled ones
    std::vector<double> r(n), r2(n);
    for (std::size_t i = 0; i < n; ++i) {
        r[i] = a.distance(i, k - 1);
        r2[i] = 0.37 * a.distance(i, 0) + 1.3 * a.distance(i, k - 1);
    }
    for (auto cmp : {mi::range::strict, mi::range::inclusive}) {
        REQUIRE(bf.count_within(r, cmp) == kd.count_within(r, cmp));
        REQUIRE(bf.count_within(r2, cmp) == kd.count_within(r2, cmp));
    }
}

}  // namespace

TEST_CASE("select_kth partitions as std::nth_element does, for every kth") {
    // distinct keys (a value with many ties, broken by a second field), sizes from 1 to 300,
    // sorted, reversed and shuffled inputs: keys[kth] is the kth smallest, nothing larger
    // before it, nothing smaller after, and the keys are the same multiset
    struct key {
        double v;
        std::uint32_t id;
    };
    auto less = [](const key& a, const key& b) { return a.v < b.v || (a.v == b.v && a.id < b.id); };
    mi::rng g(29);
    std::size_t tested = 0;
    for (const std::size_t m : {1, 2, 3, 5, 16, 17, 64, 255, 300})
        for (int order = 0; order < 3; ++order)
            for (std::size_t kth = 0; kth < m; kth += (m > 20 ? 7 : 1)) {
                std::vector<key> keys(m), spare(m);
                for (std::size_t i = 0; i < m; ++i)
                    keys[i] = key{std::floor(4.0 * g.uniform()), static_cast<std::uint32_t>(i)};
                if (order == 0) std::sort(keys.begin(), keys.end(), less);
                if (order == 1) std::sort(keys.begin(), keys.end(), [&](const key& a, const key& b) { return less(b, a); });
                std::vector<key> sorted = keys;
                std::sort(sorted.begin(), sorted.end(), less);
                mi::detail::select_kth(keys.data(), m, kth, spare.data(), less);
                CAPTURE(m);
                CAPTURE(kth);
                REQUIRE(keys[kth].id == sorted[kth].id);
                for (std::size_t i = 0; i < kth; ++i) REQUIRE(!less(keys[kth], keys[i]));
                for (std::size_t i = kth + 1; i < m; ++i) REQUIRE(!less(keys[i], keys[kth]));
                std::vector<key> after = keys;
                std::sort(after.begin(), after.end(), less);
                for (std::size_t i = 0; i < m; ++i) REQUIRE(after[i].id == sorted[i].id);
                ++tested;
            }
    CHECK(tested > 300);
}

TEST_CASE_TEMPLATE("kd_tree equals brute_force exactly", Metric, mi::max_norm, mi::euclidean) {
    for (std::size_t d : {1, 2, 3, 5, 9})
        for (bool ties : {false, true})
            for (std::size_t leaf : {0, 1, 8}) {
                CAPTURE(d);
                CAPTURE(ties);
                CAPTURE(leaf);
                contract<Metric>(400, d, 4, ties, leaf);
            }
    contract<Metric>(40, 3, 39, true, 4);  // k = N - 1
    contract<Metric>(1000, 2, 1, true, 16);
    // deeper trees, leaves whose size is not a multiple of the SIMD width
    contract<Metric>(2500, 6, 3, true, 37);
    contract<Metric>(2500, 4, 2, false, 0);
}

TEST_CASE_TEMPLATE("kd_tree's float pre-filter changes no result", Metric, mi::max_norm, mi::euclidean) {
    // Float coordinates (activations), where the pre-filter's bound is tightest; the scales put
    // the float sums of squares in the normal range, near and below its bottom (subnormal and
    // zero squares), and near 2^40; `near` rows differ from each other by a few float ulps of a
    // large offset, so their double distances are distinct where the float ones collide. (The
    // contract test above runs it on doubles.)
    for (const double scale : {1.0, 1e-21, 1e-30, 1e11}) {
        for (const bool near : {false, true}) {
            for (const std::size_t d : {3, 5, 10}) {
                CAPTURE(scale);
                CAPTURE(near);
                CAPTURE(d);
                const std::size_t n = 1500;
                auto x = mi_test::points(n, d, false, 31 * d + (near ? 1 : 0));
                for (auto& v : x)
                    v = near ? static_cast<double>(static_cast<float>(scale * (1.0 + 1e-7 * v)))
                             : static_cast<double>(static_cast<float>(scale * v));
                const mi::brute_force<Metric> bf(mi::view(x, n, d));
                const mi::kd_tree<Metric> kd(mi::view(x, n, d), 16);
                REQUIRE(kd.float_prefilter());
                const auto a = bf.knn(3);
                const auto b = kd.knn(3);
                CHECK(a.index == b.index);
                CHECK(a.distance == b.distance);
                std::vector<std::uint32_t> group(n);
                for (std::size_t i = 0; i < n; ++i) group[i] = static_cast<std::uint32_t>((i * 7) % 3);
                const auto ga = bf.kth_distance_grouped(3, group);
                const auto gb = kd.kth_distance_grouped(3, group);
                CHECK(ga.all == gb.all);
                CHECK(ga.own == gb.own);
            }
        }
    }
    // where it does not apply: magnitudes above 2^40, two dimensions
    const auto g = mi_test::points(300, 4, false, 5);
    CHECK(mi::kd_tree<Metric>(mi::view(g, 300, 4)).float_prefilter());  // doubles, not floats: it applies
    auto big = mi_test::points(300, 4, true, 5);
    big[17] = 0x1p41;
    CHECK_FALSE(mi::kd_tree<Metric>(mi::view(big, 300, 4)).float_prefilter());
    const auto flat = mi_test::points(300, 2, true, 5);
    CHECK_FALSE(mi::kd_tree<Metric>(mi::view(flat, 300, 2)).float_prefilter());
}

TEST_CASE("kd_tree on all-identical rows: every distance 0, lowest indices first") {
    const std::vector<double> x(500 * 3, 1.25);
    const mi::kd_tree<mi::max_norm> kd(mi::view(x, 500, 3), 8);
    const auto nb = kd.knn(3);
    CHECK(nb.index(0, 0) == 1);
    CHECK(nb.index(0, 2) == 3);
    CHECK(nb.index(499, 0) == 0);
    CHECK(nb.index(499, 2) == 2);
    CHECK(nb.distance(250, 2) == 0.0);
    const auto c = kd.count_within(std::vector<double>(500, 0.0), mi::range::inclusive);
    CHECK(c[17] == 499);
    const auto s = kd.count_within(std::vector<double>(500, 0.0), mi::range::strict);
    CHECK(s[17] == 0);
}

TEST_CASE("kd_tree gives the same results with 1 and 2 threads") {
    const auto x = mi_test::points(3000, 3, true, 4);
    const mi::kd_tree<mi::max_norm> kd(mi::view(x, 3000, 3));
    mi::set_num_threads(1);
    const auto a = kd.knn(5);
    const auto ca = kd.count_within(kd.kth_distance(5), mi::range::inclusive);
    mi::set_num_threads(2);
    const auto b = kd.knn(5);
    const auto cb = kd.count_within(kd.kth_distance(5), mi::range::inclusive);
    mi::set_num_threads(0);
    CHECK(a.index == b.index);
    CHECK(a.distance == b.distance);
    CHECK(ca == cb);
}

TEST_CASE("kd_tree rejects bad input with mi::error naming the argument") {
    CHECK_THROWS_WITH_AS(mi::kd_tree<mi::max_norm>(5000), doctest::Contains("leaf_size = 5000"), mi::error);
    const auto x = mi_test::points(20, 2, false, 1);
    const mi::kd_tree<mi::euclidean> kd(mi::view(x, 20, 2));
    CHECK_THROWS_WITH_AS(kd.knn(20), doctest::Contains("k = 20"), mi::error);
    CHECK_THROWS_AS(kd.count_within(std::vector<double>(19, 1.0)), mi::error);
    const std::vector<double> empty;
    mi::kd_tree<mi::euclidean> t;
    CHECK_THROWS_WITH_AS(t.build(mi::view(empty.data(), 0, 2)), doctest::Contains("points"), mi::error);
}

TEST_CASE("kd_tree: k-th distances within groups from one traversal equal separate searches") {
    mi_test::check_grouped<mi::kd_tree>(900, {1, 3, 6});
}

TEST_CASE("kth_distance_grouped rejects groups it cannot serve, naming them") {
    const auto x = mi_test::points(20, 2, false, 1);
    const mi::kd_tree<mi::euclidean> kd(mi::view(x, 20, 2));
    std::vector<std::uint32_t> g(20, 0);
    CHECK_THROWS_WITH_AS(kd.kth_distance_grouped(2, std::vector<std::uint32_t>(19, 0)),
                         doctest::Contains("group size = 19"), mi::error);
    g[7] = 1;  // a group of one point: no k-th neighbour within it
    CHECK_THROWS_WITH_AS(kd.kth_distance_grouped(2, g), doctest::Contains("points in group 1 = 1"), mi::error);
    g[7] = 4000000000u;  // any id names a group
    CHECK_THROWS_WITH_AS(kd.kth_distance_grouped(2, g), doctest::Contains("points in group 4000000000 = 1"), mi::error);
    g[7] = 0;
    CHECK_THROWS_WITH_AS(kd.kth_distance_grouped(20, g), doctest::Contains("k = 20"), mi::error);
}

}  // namespace test_search_kd_tree
