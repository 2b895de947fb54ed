// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/discrete.hpp"
#include "mi/core/error.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/random.hpp"
#include "mi/core/samples.hpp"
#include "mi/estimators/binning.hpp"
#include "mi/estimators/concept.hpp"
#include "mi/quantizers/adaptive_uniform.hpp"
#include "mi/quantizers/bin_edges.hpp"
#include "mi/quantizers/distinct_value_quantiles.hpp"
#include "mi/quantizers/equal_mass.hpp"
#include "mi/quantizers/fixed_width.hpp"
#include "mi/quantizers/global_uniform.hpp"
#include "mi/quantizers/machine_precision.hpp"
#include "mi/quantizers/uniform.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_estimators_binning {

namespace {

double plogp(double p) { return p > 0 ? p * std::log(p) : 0.0; }

std::vector<float> seeded_layer(std::size_t n, std::size_t d, std::uint64_t seed) {
    mi::rng r(seed);
    std::vector<float> v(n * d);
    for (auto& x : v) x = static_cast<float>(std::tanh(1.5 * r.normal()));
    return v;
}

}  // namespace

TEST_CASE("binning: a small case worked by hand") {
    // 6 samples x 2 units, uniform(2, 0, 1): one interior edge at 0.5, code = (x >= 0.5).
    const std::vector<float> h{0.1f, 0.2f,   // (0,0)
                               0.7f, 0.1f,   // (1,0)
                               0.3f, 0.4f,   // (0,0)
                               0.5f, 0.9f,   // (1,1)  0.5 is on the edge: goes up
                               0.9f, 0.0f,   // (1,0)
                               0.2f, 0.45f}; // (0,0)
    const auto layer = mi::view(h, 6, 2);
    const mi::binning<mi::uniform> b(mi::uniform(2, 0.0, 1.0));
    const auto codes = b.codes(layer);
    const std::vector<std::int32_t> expect{0, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0};
    CHECK(std::vector<std::int32_t>(codes.data.get(), codes.data.get() + 12) == expect);
    // Patterns: (0,0) x3, (1,0) x2, (1,1) x1 -> H = -(1/2 log 1/2 + 1/3 log 1/3 + 1/6 log 1/6).
    const double h_t = -(plogp(0.5) + plogp(1.0 / 3) + plogp(1.0 / 6));
    CHECK(b.entropy(layer) == doctest::Approx(h_t).epsilon(1e-14));
    // Labels y = 0,0,0,1,1,1: class 0 has (0,0),(1,0),(0,0) -> H(2/3,1/3);
    // class 1 has (1,1),(1,0),(0,0) -> log 3.
    const mi::labels y(std::vector<int>{0, 0, 0, 1, 1, 1}, 2);
    const double h_ty = 0.5 * -(plogp(2.0 / 3) + plogp(1.0 / 3)) + 0.5 * std::log(3.0);
    const mi::samples s(y);
    CHECK(b.mutual_information(layer, s.labels()) == doctest::Approx(h_t - h_ty).epsilon(1e-14));
    // Distinct inputs: I(X;T) = H(T).
    CHECK(b.mutual_information(layer, s.inputs()) == doctest::Approx(h_t).epsilon(1e-14));
    // Inputs 0,0,1,1,2,2: H(T|X=0) = log 2 ((0,0),(1,0)), H(T|X=1) = log 2, H(T|X=2) = log 2.
    const mi::samples s2(y, mi::input_ids(std::vector<int>{0, 0, 1, 1, 2, 2}));
    CHECK(b.mutual_information(layer, s2.inputs()) == doctest::Approx(h_t - std::log(2.0)).epsilon(1e-14));
    const auto p = b.point(layer, s2);
    CHECK(p.ixt == doctest::Approx(h_t - std::log(2.0)).epsilon(1e-14));
    CHECK(p.ity == doctest::Approx(h_t - h_ty).epsilon(1e-14));
    CHECK(p.ixt_kind == mi::ixt_quantity::mutual_information);
    // The two overloads of mutual_information are told apart by the argument's type: a braced
    // (ids, classes) list can only be labels, and input_ids are never built implicitly.
    CHECK(b.mutual_information(layer, {std::vector<int>{0, 0, 0, 1, 1, 1}, 2}) == p.ity);
    CHECK(b.mutual_information(layer, mi::input_ids()) == doctest::Approx(h_t).epsilon(1e-14));
    static_assert(!std::is_convertible_v<std::vector<int>, mi::input_ids>, "input_ids only explicitly");
    static_assert(!std::is_convertible_v<std::vector<int>, mi::labels>, "labels from ids only explicitly");
    static_assert(!std::is_convertible_v<mi::labels, mi::input_ids> && !std::is_convertible_v<mi::input_ids, mi::labels>);
    // Miller-Madow adds (K-1)/(2N) = 2/12 to H(T).
    const mi::binning<mi::uniform, mi::miller_madow> bm(mi::uniform(2, 0.0, 1.0));
    CHECK(bm.entropy(layer) == doctest::Approx(h_t + 2.0 / 12).epsilon(1e-14));
    CHECK(bm.parameters() == "quantizer=uniform;bins=2;lo=0;hi=1;correction=miller_madow");
    CHECK(b.name() == "binning");
}

TEST_CASE("binning: IDNNs convention worked by hand") {
    // 30 edges on [-1, 1]: 0.0 is not an edge (29 intervals, edge 14 = -1/29, edge 15 = 1/29).
    const std::vector<float> h{-1.0f, 0.0f, 1.0f, 0.99f, -1.5f, 2.0f};
    const mi::binning<mi::uniform> b(mi::uniform::idnns());
    const auto c = b.codes(mi::view(h, 6, 1));
    CHECK(std::vector<std::int32_t>(c.data.get(), c.data.get() + 6) == std::vector<std::int32_t>{0, 14, 29, 28, 29, 29});
    // -1.5, 1.0 and 2.0 share code 29: 4 patterns with counts 1,1,3,1.
    CHECK(b.entropy(mi::view(h, 6, 1)) ==
          doctest::Approx(-(3 * plogp(1.0 / 6) + plogp(0.5))).epsilon(1e-14));
}

TEST_CASE("binning: closed forms") {
    SUBCASE("K equiprobable distinct patterns give log K") {
        // 8 patterns of 3 binary units, each repeated 5 times.
        std::vector<double> h;
        for (int r = 0; r < 5; ++r)
            for (int k = 0; k < 8; ++k)
                for (int u = 0; u < 3; ++u) h.push_back(((k >> u) & 1) ? 0.75 : 0.25);
        const mi::binning<mi::uniform> b(mi::uniform(2, 0.0, 1.0));
        CHECK(b.entropy(mi::view(h, 40, 3)) == doctest::Approx(std::log(8.0)).epsilon(1e-14));
    }
    SUBCASE("machine_precision on distinct rows gives log N") {
        const auto h = seeded_layer(500, 4, 11);
        const mi::binning<mi::machine_precision> b{mi::machine_precision{}};
        CHECK(b.entropy(mi::view(h, 500, 4)) == doctest::Approx(std::log(500.0)).epsilon(1e-14));
    }
    SUBCASE("duplicated inputs: I(X;T) = H(T) - H(T|X) exactly") {
        const std::size_t n = 600, d = 3;
        auto h = seeded_layer(n, d, 12);
        std::vector<int> ids(n);
        for (std::size_t i = 0; i < n; ++i) ids[i] = static_cast<int>(i % 150);
        const mi::binning<mi::uniform> b(mi::uniform(4, -1.0, 1.0));
        const auto layer = mi::view(h, n, d);
        // H(T|X) by brute force: group the (input, pattern) pairs.
        const auto g = b.patterns(layer);
        std::map<std::pair<int, std::uint32_t>, int> joint;
        std::map<int, int> per_input;
        for (std::size_t i = 0; i < n; ++i) {
            ++joint[{ids[i], g.ids[i]}];
            ++per_input[ids[i]];
        }
        double h_tx = 0.0;
        for (const auto& kv : joint) {
            const double p_joint = kv.second / double(n), p_x = per_input[kv.first.first] / double(n);
            h_tx -= p_joint * std::log(p_joint / p_x);
        }
        const double h_t = b.entropy(layer);
        const mi::samples s(mi::labels(std::vector<int>(n, 0), 1), mi::input_ids(ids));
        CHECK(h_tx > 0.1);
        CHECK(b.mutual_information(layer, s.inputs()) == doctest::Approx(h_t - h_tx).epsilon(1e-12));
        // Explicit ids that are all distinct give the shortcut value H(T).
        std::vector<int> distinct(n);
        for (std::size_t i = 0; i < n; ++i) distinct[i] = static_cast<int>(n - i);
        CHECK(b.mutual_information(layer, mi::input_ids(distinct)) == doctest::Approx(h_t).epsilon(1e-14));
    }
    SUBCASE("I(T;Y) <= min(H(T), H(Y)), invariant to row permutations and class relabelling") {
        const std::size_t n = 1000, d = 4;
        const auto h = seeded_layer(n, d, 13);
        std::vector<int> y(n);
        mi::rng r(14);
        for (auto& v : y) v = static_cast<int>(r.below(3));
        const mi::binning<mi::uniform> b(mi::uniform::idnns());
        const auto layer = mi::view(h, n, d);
        const mi::samples s(mi::labels(y, 3));
        const auto p = b.point(layer, s);
        std::vector<std::uint32_t> yu(y.begin(), y.end());
        const double h_y = mi::entropy(mi::group_values(yu));
        CHECK(p.ity <= std::min(p.ixt, h_y) + 1e-12);
        CHECK(p.ity > 0.0);
        // Permute rows (and labels with them).
        std::vector<std::size_t> perm(n);
        for (std::size_t i = 0; i < n; ++i) perm[i] = (i * 389 + 17) % n;  // 389 coprime with 1000
        std::vector<float> hp(n * d);
        std::vector<int> yp(n), yrel(n);
        for (std::size_t i = 0; i < n; ++i) {
            std::copy(h.begin() + perm[i] * d, h.begin() + (perm[i] + 1) * d, hp.begin() + i * d);
            yp[i] = y[perm[i]];
        }
        const auto pp = b.point(mi::view(hp, n, d), mi::samples(mi::labels(yp, 3)));
        CHECK(pp.ixt == doctest::Approx(p.ixt).epsilon(1e-13));
        CHECK(pp.ity == doctest::Approx(p.ity).epsilon(1e-13));
        for (std::size_t i = 0; i < n; ++i) yrel[i] = (y[i] + 2) % 3;
        const auto pr = b.point(layer, mi::samples(mi::labels(yrel, 3)));
        CHECK(pr.ity == doctest::Approx(p.ity).epsilon(1e-13));
    }
    SUBCASE("global_uniform equals uniform with the recorded range") {
        const std::vector<float> e0 = seeded_layer(300, 5, 15), e1 = seeded_layer(300, 5, 16);
        auto e2 = seeded_layer(300, 5, 17);
        for (auto& v : e2) v *= 0.5f;
        const auto& e2c = e2;
        const std::vector<mi::activation_view<const float>> epochs{mi::view(e0, 300, 5), mi::view(e1, 300, 5),
                                                                   mi::view(e2, 300, 5)};
        double lo = 1e9, hi = -1e9;
        for (const auto* e : {&e0, &e1, &e2c})
            for (float v : *e) {
                lo = std::min(lo, double(v));
                hi = std::max(hi, double(v));
            }
        static_assert(mi::needs_layer_history_v<mi::binning<mi::global_uniform>, float>);
        static_assert(!mi::needs_layer_history_v<mi::binning<mi::uniform>, float>);
        static_assert(mi::is_plane_estimator_v<mi::binning<mi::global_uniform>, float>);
        static_assert(mi::is_plane_estimator_v<mi::binning<mi::uniform, mi::miller_madow>, double>);
        static_assert(mi::is_plane_estimator_v<mi::binning<mi::machine_precision>, double>);
        const mi::binning<mi::global_uniform> g(mi::global_uniform(100));
        const auto configured = g.for_layer(epochs);
        CHECK(configured.quantizer().lo() == lo);
        CHECK(configured.quantizer().hi() == hi);
        const mi::binning<mi::uniform> u(mi::uniform(100, lo, hi));
        for (const auto& e : epochs) CHECK(configured.entropy(e) == u.entropy(e));
        CHECK(configured.parameters() == "quantizer=global_uniform;bins=100;lo=" + mi::detail::to_text(lo) +
                                             ";hi=" + mi::detail::to_text(hi) + ";correction=plug_in");
        CHECK_THROWS_WITH_AS(g.entropy(epochs[0]), doctest::Contains("range = unset"), mi::error);
    }
}

TEST_CASE("binning: wide layers, rows not a multiple of the SIMD width, thread-count determinism") {
    const std::size_t n = 1100, d = 1023;  // > 2^20 values: the parallel path
    const auto h = seeded_layer(n, d, 21);
    std::vector<int> y(n);
    for (std::size_t i = 0; i < n; ++i) y[i] = static_cast<int>((i * 7) % 10);
    const mi::samples s(mi::labels(y, 10));
    const mi::binning<mi::uniform> b(mi::uniform::idnns());
    mi::set_num_threads(1);
    const auto c1 = b.codes(mi::view(h, n, d));
    const auto p1 = b.point(mi::view(h, n, d), s);
    mi::set_num_threads(2);
    const auto c2 = b.codes(mi::view(h, n, d));
    const auto p2 = b.point(mi::view(h, n, d), s);
    mi::set_num_threads(0);
    CHECK(std::equal(c1.data.get(), c1.data.get() + n * d, c2.data.get()));
    CHECK(p1.ixt == p2.ixt);
    CHECK(p1.ity == p2.ity);
    // Every code equals the scalar rule on the same values.
    const auto f = mi::uniform::idnns().fitted<float>();
    std::size_t wrong = 0;
    for (std::size_t k = 0; k < n * d; ++k) wrong += c1.data[k] != f.code(h[k]);
    CHECK(wrong == 0);
    CHECK(p1.ixt == doctest::Approx(std::log(double(n))).epsilon(1e-14));  // wide rows: all distinct
    // A strided view (row stride > cols) gives the same numbers as the packed copy.
    std::vector<float> padded(n * (d + 5), 9.0f);
    for (std::size_t i = 0; i < n; ++i) std::copy(h.begin() + i * d, h.begin() + (i + 1) * d, padded.begin() + i * (d + 5));
    const auto ps = b.point(mi::view(padded.data(), n, d, d + 5), s);
    CHECK(ps.ity == p1.ity);
}

namespace {

template <class Q>
void check_packed_grouping(const Q& q, const std::vector<float>& h, std::size_t n, std::size_t d) {
    const mi::binning<Q> b(q);
    const auto layer = mi::view(h, n, d);
    const auto c = b.codes(layer);
    const auto direct = mi::group_rows(c.data.get(), n, d);
    const auto packed = b.patterns(layer);
    CHECK(packed.ids == direct.ids);
    CHECK(packed.counts == direct.counts);
    // A strided view of the same values (rows encoded one by one) gives the same patterns.
    std::vector<float> padded(n * (d + 3), -0.5f);
    for (std::size_t i = 0; i < n; ++i) std::copy(h.begin() + i * d, h.begin() + (i + 1) * d, padded.begin() + i * (d + 3));
    const auto strided = b.patterns(mi::view(padded.data(), n, d, d + 3));
    CHECK(strided.ids == direct.ids);
}

}  // namespace

TEST_CASE("binning: narrowed, packed codes group exactly like the int32 codes") {
    for (std::size_t d : {1u, 3u, 7u, 8u, 9u, 33u}) {
        CAPTURE(d);
        const std::size_t n = 2000;
        auto h = seeded_layer(n, d, 30 + d);
        for (auto& v : h) v = std::round(v * 4) / 4;  // coarse values: many repeated patterns
        check_packed_grouping(mi::uniform::idnns(), h, n, d);          // 30 codes: 8 bits
        check_packed_grouping(mi::uniform(1000, -1, 1), h, n, d);      // 1000 codes: 16 bits
        check_packed_grouping(mi::fixed_width(0.07), h, n, d);         // no code count: 32 bits
        check_packed_grouping(mi::machine_precision{}, h, n, d);
        const auto g = mi::binning<mi::uniform>(mi::uniform::idnns()).patterns(mi::view(h, n, d));
        if (d <= 3) CHECK(g.groups() < n);  // repeated patterns do occur
    }
}

namespace {

struct reference_row {
    int layer;
    std::string kind, rule;
    std::size_t width;
    double h, ixt, ity, ixt_ids;
};

std::vector<reference_row> read_expected() {
    std::ifstream f(std::string(MI_TEST_DATA_DIR) + "/binning_expected.csv");
    REQUIRE(f.good());
    std::string line;
    std::getline(f, line);
    std::vector<reference_row> rows;
    while (std::getline(f, line)) {
        if (line.empty()) continue;
        std::stringstream ss(line);
        std::string cell;
        std::vector<std::string> c;
        while (std::getline(ss, cell, ',')) c.push_back(cell);
        REQUIRE(c.size() == 8);
        rows.push_back({std::stoi(c[0]), c[1], c[3], std::stoul(c[2]), std::stod(c[4]), std::stod(c[5]),
                        std::stod(c[6]), std::stod(c[7])});
    }
    return rows;
}

template <class Q>
void check_against(const Q& q, const mi::activation_view<const float>& layer, const mi::samples& s,
                   const mi::samples& s_ids, const reference_row& r) {
    CAPTURE(r.layer);
    CAPTURE(r.rule);
    const mi::binning<Q> b(q);
    const auto p = b.point(layer, s);
    CHECK(b.entropy(layer) == doctest::Approx(r.h).epsilon(1e-12));
    CHECK(p.ixt == doctest::Approx(r.ixt).epsilon(1e-12));
    CHECK(p.ity == doctest::Approx(r.ity).epsilon(1e-10));
    CHECK(b.mutual_information(layer, s_ids.inputs()) == doctest::Approx(r.ixt_ids).epsilon(1e-12));
}

}  // namespace

TEST_CASE("binning: equals a numpy re-computation of IDNNs, ibsgd, Chelombiev et al. (tests/reference)") {
    const std::size_t n = 4096;
    const auto expected = read_expected();
    REQUIRE(expected.size() == 40);
    std::ifstream lf(std::string(MI_TEST_DATA_DIR) + "/binning_labels.u8", std::ios::binary);
    std::vector<unsigned char> yb(n);
    lf.read(reinterpret_cast<char*>(yb.data()), static_cast<std::streamsize>(n));
    REQUIRE(lf.good());
    const mi::labels y(std::vector<int>(yb.begin(), yb.end()), 2);
    std::vector<int> ids(n);
    for (std::size_t i = 0; i < n; ++i) ids[i] = static_cast<int>(i % 1024);
    const mi::samples s(y), s_ids(y, mi::input_ids(ids));

    std::ifstream af(std::string(MI_TEST_DATA_DIR) + "/binning_layers.f32", std::ios::binary);
    std::map<int, std::vector<float>> layers;
    std::map<int, std::size_t> widths;
    for (const auto& r : expected) {
        if (layers.count(r.layer)) continue;
        std::vector<float> a(n * r.width);
        af.read(reinterpret_cast<char*>(a.data()), static_cast<std::streamsize>(a.size() * sizeof(float)));
        REQUIRE(af.good());
        layers[r.layer] = std::move(a);
        widths[r.layer] = r.width;
    }
    for (const auto& r : expected) {
        const auto layer = mi::view(layers[r.layer], n, widths[r.layer]);
        if (r.rule == "idnns")
            check_against(mi::uniform::idnns(), layer, s, s_ids, r);
        else if (r.rule == "ibsgd")
            check_against(mi::fixed_width(0.07), layer, s, s_ids, r);
        else if (r.rule == "ebab")
            check_against(r.kind == "tanh" ? mi::distinct_value_quantiles::for_tanh(30)
                                           : mi::distinct_value_quantiles::for_relu(30),
                          layer, s, s_ids, r);
        else if (r.rule == "equal_mass")
            check_against(mi::equal_mass(30), layer, s, s_ids, r);
        else if (r.rule == "adaptive")
            check_against(mi::adaptive_uniform(30), layer, s, s_ids, r);
        else
            FAIL("unknown rule " << r.rule);
    }
}

TEST_CASE("binning: bad input names the argument") {
    const mi::binning<mi::uniform> b(mi::uniform::idnns());
    std::vector<float> h{0.1f, 0.2f, 0.3f, 0.4f};
    const mi::samples s(mi::labels(std::vector<int>{0, 1}, 2));
    h[3] = NAN;
    CHECK_THROWS_WITH_AS(b.point(mi::view(h, 2, 2), s), doctest::Contains("layer(1, 1)"), mi::error);
    h[3] = INFINITY;
    CHECK_THROWS_WITH_AS(b.entropy(mi::view(h, 2, 2)), doctest::Contains("layer(1, 1) = inf"), mi::error);
    h[3] = 0.4f;
    const std::vector<float> none;
    CHECK_THROWS_WITH_AS(b.entropy(mi::view(none, 0, 3)), doctest::Contains("layer = 0x3 view"), mi::error);
    const mi::samples s3(mi::labels(std::vector<int>{0, 1, 1}, 2));
    CHECK_THROWS_WITH_AS(b.point(mi::view(h, 2, 2), s3), doctest::Contains("layer rows = 2"), mi::error);
    CHECK_THROWS_WITH_AS(b.mutual_information(mi::view(h, 2, 2), mi::labels(std::vector<int>{0}, 2)),
                         doctest::Contains("labels size = 1"), mi::error);
    CHECK_THROWS_WITH_AS(b.mutual_information(mi::view(h, 2, 2), mi::input_ids(std::vector<int>{0, 1, 2})),
                         doctest::Contains("input_ids size = 3"), mi::error);
    CHECK_THROWS_WITH_AS(mi::labels(std::vector<int>{0, 2}, 2), doctest::Contains("labels[1] = 2"), mi::error);
    CHECK_THROWS_WITH_AS(mi::binning<mi::uniform>(mi::uniform(0, 0, 1)), doctest::Contains("bins = 0"), mi::error);
    CHECK_THROWS_WITH_AS(mi::binning<mi::uniform>(mi::uniform(3, 1, 1)), doctest::Contains("lo = 1"), mi::error);
    CHECK_THROWS_WITH_AS(mi::binning<mi::fixed_width>(mi::fixed_width(0.0)), doctest::Contains("width = 0"),
                         mi::error);
    // Non-finite values are caught by the fitting pass of data-dependent quantizers too.
    h[0] = NAN;
    CHECK_THROWS_WITH_AS(mi::binning<mi::equal_mass>(mi::equal_mass(3)).entropy(mi::view(h, 2, 2)),
                         doctest::Contains("layer(0, 0)"), mi::error);
    CHECK_THROWS_WITH_AS(mi::binning<mi::adaptive_uniform>(mi::adaptive_uniform(3)).entropy(mi::view(h, 2, 2)),
                         doctest::Contains("layer(0, 0)"), mi::error);
}

}  // namespace test_estimators_binning
