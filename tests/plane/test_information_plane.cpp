// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "datasets/szt.hpp"
#include "mi/core/discrete.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/random.hpp"
#include "mi/core/units.hpp"
#include "mi/estimators/binning.hpp"
#include "mi/estimators/ksg.hpp"
#include "mi/estimators/renyi.hpp"
#include "mi/estimators/sample_propagation.hpp"
#include "mi/plane/information_plane.hpp"
#include "mi/quantizers/fixed_width.hpp"
#include "mi/quantizers/global_uniform.hpp"
#include "mi/quantizers/uniform.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_plane_information_plane {

namespace {

// ---------------------------------------------------------------- test estimators

// Discrete plug-in on rounded activations: I(X;T) = H(T) - H(T|X) with X the
// input identities, I(T;Y) = H(T) - H(T|Y). Small enough to check by hand.
struct plugin_estimator {
    static constexpr mi::resampling resampling = mi::resampling::input_groups;
    template <class T>
    mi::plane_point point(const mi::activation_view<const T>& t, const mi::samples& s) const {
        std::vector<long> codes(t.rows() * t.cols());
        for (std::size_t i = 0; i < t.rows(); ++i)
            for (std::size_t j = 0; j < t.cols(); ++j) codes[i * t.cols() + j] = std::lround(t(i, j));
        const auto gt = mi::group_rows(codes.data(), t.rows(), t.cols());
        std::vector<std::uint32_t> x(t.rows());
        for (std::size_t i = 0; i < t.rows(); ++i) x[i] = s.inputs()[i];
        const auto gx = mi::group_values(x);
        const auto gy = mi::group_values(s.labels().ids());
        const double h = mi::entropy(gt);
        mi::plane_point p;
        p.ixt = h - mi::conditional_entropy(gt, gx);
        p.ity = h - mi::conditional_entropy(gt, gy);
        return p;
    }
    std::string name() const { return "plugin"; }
    std::string parameters() const { return "rounding=nearest"; }
};

// I(X;T) := mean of column 0, I(T;Y) := fraction of label-1 rows. A smooth
// statistic whose bootstrap interval has a closed form (normal approximation).
struct mean_estimator {
    static constexpr mi::resampling resampling = mi::resampling::rows;
    template <class T>
    mi::plane_point point(const mi::activation_view<const T>& t, const mi::samples& s) const {
        double sum = 0.0, ones = 0.0;
        for (std::size_t i = 0; i < t.rows(); ++i) {
            sum += t(i, 0);
            ones += s.labels()[i];
        }
        mi::plane_point p;
        p.ixt = sum / static_cast<double>(t.rows());
        p.ity = ones / static_cast<double>(t.rows());
        p.ixt_bounds = mi::bounds{p.ixt - 1.0, p.ixt + 1.0};
        p.ixt_kind = mi::ixt_quantity::entropy;
        return p;
    }
    std::string name() const { return "mean"; }
    std::string parameters() const { return ""; }
};

// Checks that resampled rows keep their activations, labels and input identity
// together, and that an input's rows stay together (all `per_input` of them);
// reports the number of distinct inputs.
struct identity_estimator {
    static constexpr mi::resampling resampling = mi::resampling::input_groups;
    std::size_t per_input = 1;
    template <class T>
    mi::plane_point point(const mi::activation_view<const T>& t, const mi::samples& s) const {
        std::vector<long> first_row(t.rows() * 4, -1);
        std::size_t distinct = 0;
        std::vector<std::size_t> rep(s.inputs().distinct_count(t.rows()), t.rows());
        for (std::size_t i = 0; i < t.rows(); ++i) {
            const std::uint32_t id = s.inputs()[i];
            if (rep[id] == t.rows()) {
                rep[id] = i;
                ++distinct;
            } else if (t(i, 0) != t(rep[id], 0) || s.labels()[i] != s.labels()[rep[id]]) {
                throw std::logic_error("rows of one input differ");
            }
        }
        if (t.rows() != distinct * per_input) throw std::logic_error("an input's rows were split");
        mi::plane_point p;
        p.ixt = static_cast<double>(distinct);
        return p;
    }
    std::string name() const { return "identity"; }
    std::string parameters() const { return ""; }
};

// Records what for_layer received: the configured copy knows how many epochs
// it saw and the (0, 0) entry of each.
struct history_estimator {
    static constexpr mi::resampling resampling = mi::resampling::rows;
    std::atomic<int>* calls = nullptr;
    std::vector<double> firsts;

    template <class T>
    history_estimator for_layer(const std::vector<mi::activation_view<const T>>& epochs) const {
        ++*calls;
        history_estimator configured{calls, {}};
        for (const auto& v : epochs) configured.firsts.push_back(v(0, 0));
        return configured;
    }
    template <class T>
    mi::plane_point point(const mi::activation_view<const T>& t, const mi::samples&) const {
        if (firsts.empty()) throw std::logic_error("point() before for_layer()");
        mi::plane_point p;
        p.ixt = static_cast<double>(firsts.size());
        double code = 0.0;  // the seen (0, 0) entries as digits: 1st * 100 + 2nd * 10 + 3rd
        for (double f : firsts) code = 10.0 * code + f;
        p.ity = code + t(0, 0) / 1000.0;
        return p;
    }
    std::string name() const { return "history"; }
    std::string parameters() const { return ""; }
};

struct nan_estimator {
    mi::plane_point point(const mi::activation_view<const double>&, const mi::samples&) const {
        mi::plane_point p;
        p.ity = std::numeric_limits<double>::quiet_NaN();
        return p;
    }
    std::string name() const { return "nan"; }
    std::string parameters() const { return ""; }
};

struct throwing_estimator {
    mi::plane_point point(const mi::activation_view<const double>&, const mi::samples&) const {
        throw std::logic_error("estimator failed");
    }
    std::string name() const { return "throws"; }
    std::string parameters() const { return ""; }
};

struct not_an_estimator {
    double point(const mi::activation_view<const double>&) const { return 0.0; }
};

static_assert(mi::is_plane_estimator_v<plugin_estimator, float>);
static_assert(mi::is_plane_estimator_v<plugin_estimator, double>);
static_assert(!mi::is_plane_estimator_v<not_an_estimator, double>);
static_assert(mi::needs_layer_history_v<history_estimator, double>);
static_assert(!mi::needs_layer_history_v<plugin_estimator, double>);

// A recording of random activations: `epochs` epochs x 3 layers of widths 1, 2, 3,
// small integers so the plug-in estimator sees repeated patterns.
mi::recording<double> random_recording(std::size_t n, std::size_t epochs, std::uint64_t seed) {
    mi::rng r(seed);
    std::vector<int> y(n);
    for (auto& v : y) v = static_cast<int>(r.below(3));
    mi::recording<double> rec(mi::samples(mi::labels(y, 3)));
    for (std::size_t e = 0; e < epochs; ++e)
        for (std::size_t l = 0; l < 3; ++l) {
            std::vector<double> a(n * (l + 1));
            for (auto& v : a) v = static_cast<double>(r.below(2 + e));
            rec.observe(static_cast<mi::epoch_t>(e * e), l, mi::view(a, n, l + 1));
        }
    return rec;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }
bool same_bits(const std::optional<mi::bounds>& a, const std::optional<mi::bounds>& b) {
    if (a.has_value() != b.has_value()) return false;
    return !a || (same_bits(a->lower, b->lower) && same_bits(a->upper, b->upper));
}
bool identical(const mi::trajectory& a, const mi::trajectory& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto &p = a.rows()[i].point, &q = b.rows()[i].point;
        if (a.rows()[i].epoch != b.rows()[i].epoch || a.rows()[i].layer != b.rows()[i].layer) return false;
        if (!same_bits(p.ixt, q.ixt) || !same_bits(p.ity, q.ity) || !same_bits(p.ixt_ci, q.ixt_ci) ||
            !same_bits(p.ity_ci, q.ity_ci) || !same_bits(p.ixt_bounds, q.ixt_bounds))
            return false;
    }
    return true;
}

}  // namespace

TEST_CASE("information_plane with a hand-checkable plug-in estimator") {
    // Layer 0: T = {0,0,0,1}, Y = {0,1,0,1}. H(T) = H(3/4, 1/4); H(T|Y=0) = 0, H(T|Y=1) = 1 bit,
    // so I(T;Y) = H(3/4, 1/4) - 1/2 bits = 0.311278 bits; I(X;T) = H(T) = 0.811278 bits.
    // Layer 1: T = {0,1,2,3}: I(X;T) = 2 bits, I(T;Y) = 1 bit.
    const std::vector<double> l0{0, 0, 0, 1}, l1{0, 1, 2, 3};
    mi::recording<double> rec(mi::samples(mi::labels(std::vector<int>{0, 1, 0, 1})));
    rec.observe(10, 0, mi::view(l0));
    rec.observe(10, 1, mi::view(l1));
    const auto t = mi::information_plane(rec, plugin_estimator{});
    CHECK(t.estimator() == "plugin");
    CHECK(t.parameters() == "rounding=nearest");
    CHECK(t.output_unit() == mi::unit::bits);
    REQUIRE(t.size() == 2);
    const double h34 = -(0.75 * std::log2(0.75) + 0.25 * std::log2(0.25));
    CHECK(t.at(10, 0, mi::unit::bits).ixt == doctest::Approx(h34).epsilon(1e-14));
    CHECK(t.at(10, 0, mi::unit::bits).ity == doctest::Approx(h34 - 0.5).epsilon(1e-14));
    CHECK(t.at(10, 0).ixt == doctest::Approx(h34).epsilon(1e-14));  // read in the output unit, bits
    CHECK(t.at(10, 0, mi::unit::nats).ixt == doctest::Approx(h34 * std::log(2.0)).epsilon(1e-14));
    CHECK(t.rows()[0].point.ixt == doctest::Approx(h34 * std::log(2.0)).epsilon(1e-14));  // stored in nats
    CHECK(t.at(10, 1, mi::unit::bits).ixt == doctest::Approx(2.0).epsilon(1e-14));
    CHECK(t.at(10, 1, mi::unit::bits).ity == doctest::Approx(1.0).epsilon(1e-14));
    CHECK(!t.at(10, 1).ixt_ci);
    CHECK(t.bootstrap().resamples == 0);
}

TEST_CASE("input identities reach the estimator: repeated inputs give H(T|X)") {
    // Inputs {a, a, b, c}, T = {0, 1, 2, 2}: H(T) = 1.5 bits, H(T|X) = 1/2 * 1 bit, I(X;T) = 1 bit.
    const std::vector<double> t{0, 1, 2, 2};
    mi::recording<double> rec(
        mi::samples(mi::labels(std::vector<int>{0, 0, 1, 1}), mi::input_ids(std::vector<int>{7, 7, 8, 9})));
    rec.observe(0, 0, mi::view(t));
    const auto tr = mi::information_plane(rec, plugin_estimator{});
    CHECK(tr.at(0, 0, mi::unit::bits).ixt == doctest::Approx(1.0).epsilon(1e-14));
    // I(T;Y): H(T) - H(T|Y) = 1.5 - 1/2 (1 + 0) = 1 bit.
    CHECK(tr.at(0, 0, mi::unit::bits).ity == doctest::Approx(1.0).epsilon(1e-14));
}

TEST_CASE("information_plane equals direct calls, for every recorded pair, float and double") {
    const auto rec = random_recording(200, 4, 3);
    const auto t = mi::information_plane(rec, plugin_estimator{}, {});
    CHECK(t.size() == 12);
    CHECK(t.epochs() == std::vector<mi::epoch_t>{0, 1, 4, 9});
    for (auto e : rec.epochs())
        for (auto l : rec.layers()) {
            const auto direct = plugin_estimator{}.point(rec.at(e, l), rec.samples());
            CHECK(t.at(e, l, mi::unit::nats).ixt == direct.ixt);
            CHECK(t.at(e, l, mi::unit::nats).ity == direct.ity);
        }

    mi::recording<float> recf(mi::samples(mi::labels(std::vector<int>{0, 1})));
    const std::vector<float> v{0.25f, 1.75f};
    recf.observe(2, 0, mi::view(v));
    mi::plane_options in_nats;
    in_nats.output_unit = mi::unit::nats;
    const auto tf = mi::information_plane(recf, mean_estimator{}, in_nats);
    CHECK(tf.at(2, 0).ixt == doctest::Approx(1.0));
    CHECK(tf.at(2, 0).ixt_kind == mi::ixt_quantity::entropy);
    REQUIRE(tf.at(2, 0).ixt_bounds);
    CHECK(tf.at(2, 0).ixt_bounds->upper == doctest::Approx(2.0));
}

TEST_CASE("trajectory is bit-identical with 1 and 2 threads, with and without bootstrap") {
    const auto rec = random_recording(300, 5, 11);
    for (std::size_t b : {std::size_t(0), std::size_t(20)}) {
        mi::plane_options one, two, all;
        one.threads = 1;
        two.threads = 2;
        one.bootstrap = two.bootstrap = all.bootstrap = b;
        one.seed = two.seed = all.seed = 99;
        const auto t1 = mi::information_plane(rec, plugin_estimator{}, one);
        const auto t2 = mi::information_plane(rec, plugin_estimator{}, two);
        mi::set_num_threads(2);
        const auto t0 = mi::information_plane(rec, plugin_estimator{}, all);
        mi::set_num_threads(0);
        CHECK(identical(t1, t2));
        CHECK(identical(t1, t0));
        CHECK(t1.at(9, 2).ixt_ci.has_value() == (b > 0));
    }
    // A different seed gives different intervals (the seed is used).
    mi::plane_options a, b;
    a.bootstrap = b.bootstrap = 20;
    a.seed = 1;
    b.seed = 2;
    CHECK(!identical(mi::information_plane(rec, plugin_estimator{}, a), mi::information_plane(rec, plugin_estimator{}, b)));
}

TEST_CASE("bootstrap: percentile interval contains the estimate and shrinks like 1/sqrt(N)") {
    const auto interval_for = [](std::size_t n) {
        mi::rng r(5);
        std::vector<double> a(n);
        std::vector<int> y(n);
        for (std::size_t i = 0; i < n; ++i) {
            a[i] = r.normal();
            y[i] = static_cast<int>(r.below(2));
        }
        mi::recording<double> rec(mi::samples(mi::labels(y, 2)));
        rec.observe(0, 0, mi::view(a));
        mi::plane_options o;
        o.bootstrap = 400;
        o.seed = 17;
        o.output_unit = mi::unit::nats;
        return mi::information_plane(rec, mean_estimator{}, o).at(0, 0);
    };
    const auto small = interval_for(100), large = interval_for(1600);
    for (const auto& p : {small, large}) {
        REQUIRE(p.ixt_ci);
        REQUIRE(p.ity_ci);
        CHECK(p.ixt_ci->lower < p.ixt);
        CHECK(p.ixt < p.ixt_ci->upper);
        CHECK(p.ity_ci->lower < p.ity);
        CHECK(p.ity < p.ity_ci->upper);
    }
    const double w_small = small.ixt_ci->upper - small.ixt_ci->lower;
    const double w_large = large.ixt_ci->upper - large.ixt_ci->lower;
    CHECK(w_large < 0.5 * w_small);
    // Mean of N standard normals: 95 % interval width ~ 2 * 1.96 / sqrt(N) = 0.098 for N = 1600.
    CHECK(w_large == doctest::Approx(2 * 1.959964 / 40.0).epsilon(0.25));
    // The estimator's own bounds pass through untouched.
    REQUIRE(large.ixt_bounds);
    CHECK(large.ixt_bounds->lower == doctest::Approx(large.ixt - 1.0));
}

TEST_CASE("bootstrap half-samples keep each input's rows, labels and identity together") {
    // 250 inputs of 2 rows each (identical activations, one label per input).
    const std::size_t n = 500;
    std::vector<double> a(n);
    std::vector<int> y(n), ids(n);
    for (std::size_t i = 0; i < n; ++i) {
        a[i] = static_cast<double>(i / 2);
        y[i] = static_cast<int>((i / 2) % 2);
        ids[i] = static_cast<int>(i / 2);
    }
    mi::recording<double> rec(mi::samples(mi::labels(y, 2), mi::input_ids(ids)));
    rec.observe(0, 0, mi::view(a));
    mi::plane_options o;
    o.bootstrap = 50;
    o.output_unit = mi::unit::nats;
    const auto p = mi::information_plane(rec, identity_estimator{2}, o).at(0, 0);
    CHECK(p.ixt == 250.0);  // the full data: 250 distinct inputs
    REQUIRE(p.ixt_ci);
    // Every half-sample holds 125 whole inputs, so D = -125 always; the basic interval
    // 250 - (-125) = 375 is widened down to the estimate.
    CHECK(p.ixt_ci->lower == 250.0);
    CHECK(p.ixt_ci->upper == 375.0);
}

TEST_CASE("percentile interval by hand") {
    // Values 1..5, 50 % interval: quantiles 0.25 and 0.75 of (1, 2, 3, 4, 5) are 2 and 4.
    const auto b = mi::detail::percentile_interval({5, 1, 4, 2, 3}, 0.5);
    CHECK(b.lower == 2.0);
    CHECK(b.upper == 4.0);
    // 90 %: q(0.05) = 1 + 0.2 * 1 = 1.2, q(0.95) = 4.8.
    const auto c = mi::detail::percentile_interval({1, 2, 3, 4, 5}, 0.9);
    CHECK(c.lower == doctest::Approx(1.2).epsilon(1e-14));
    CHECK(c.upper == doctest::Approx(4.8).epsilon(1e-14));
}

TEST_CASE("for_layer gets every recorded epoch of the layer, in epoch order, once per layer") {
    mi::recording<double> rec(mi::samples(mi::labels(std::vector<int>{0, 1})));
    // Layer l at epoch e has (0, 0) entry = digit; epochs observed out of order.
    const auto put = [&](mi::epoch_t e, std::size_t l, double first) {
        const std::vector<double> v{first, 0.0};
        rec.observe(e, l, mi::view(v));
    };
    put(100, 0, 3);
    put(0, 0, 1);
    put(10, 0, 2);
    put(0, 1, 4);
    put(100, 1, 6);  // layer 1 not recorded at epoch 10
    std::atomic<int> calls{0};
    for (std::size_t threads : {1u, 2u}) {
        calls = 0;
        mi::plane_options o;
        o.threads = threads;
        o.bootstrap = 3;
        o.output_unit = mi::unit::nats;
        const auto t = mi::information_plane(rec, history_estimator{&calls, {}}, o);
        CHECK(calls == 2);
        CHECK(t.size() == 5);
        CHECK(t.at(10, 0).ixt == 3.0);  // three epochs for layer 0
        CHECK(t.at(10, 0).ity == doctest::Approx(123.002));
        CHECK(t.at(100, 1).ixt == 2.0);
        CHECK(t.at(100, 1).ity == doctest::Approx(46.006));
        CHECK(!t.contains(10, 1));
    }
}

TEST_CASE("information_plane: bad input and estimator failures raise") {
    const auto rec = random_recording(20, 2, 1);
    mi::plane_options o;
    o.bootstrap = 1;
    CHECK_THROWS_AS(mi::information_plane(rec, plugin_estimator{}, o), mi::error);
    o.bootstrap = 10;
    o.confidence = 1.0;
    CHECK_THROWS_AS(mi::information_plane(rec, plugin_estimator{}, o), mi::error);
    o.confidence = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_AS(mi::information_plane(rec, plugin_estimator{}, o), mi::error);
    // Issue 15: B = 10^9 ended in std::bad_alloc, B = SIZE_MAX in std::length_error.
    o.confidence = 0.95;
    for (const std::size_t b : {std::size_t(1000000000), ~std::size_t(0), mi::detail::max_bootstrap + 1}) {
        o.bootstrap = b;
        CHECK_THROWS_WITH_AS(mi::information_plane(rec, plugin_estimator{}, o),
                             doctest::Contains(("options.bootstrap = " + std::to_string(b)).c_str()), mi::error);
    }

    CHECK_THROWS_AS(mi::information_plane(mi::recording<double>(mi::samples(mi::labels(std::vector<int>{0}))),
                                          plugin_estimator{}),
                    mi::error);  // empty
    mi::recording<double> no_samples;
    const std::vector<double> v{1, 2};
    no_samples.observe(0, 0, mi::view(v));
    CHECK_THROWS_AS(mi::information_plane(no_samples, plugin_estimator{}), mi::error);

    CHECK_THROWS_WITH_AS(mi::information_plane(rec, nan_estimator{}), doctest::Contains("estimator nan"), mi::error);
    mi::plane_options two;
    two.threads = 2;
    CHECK_THROWS_AS(mi::information_plane(rec, throwing_estimator{}, two), std::logic_error);
}

TEST_CASE("information_planes: several estimators, one trajectory each") {
    const auto rec = random_recording(50, 2, 4);
    const auto ts = mi::information_planes(rec, mi::plane_options{}, plugin_estimator{}, mean_estimator{});
    REQUIRE(ts.size() == 2);
    CHECK(ts[0].estimator() == "plugin");
    CHECK(ts[1].estimator() == "mean");
    CHECK(ts[1].size() == 6);
}

namespace {

// The quickstart's setting: a random 12-10-7-5-4-3-2 tanh network on the 4096
// SZT inputs, weights scaled by 1, 4 and 16 ("epochs" 0, 1, 2), float32 layers.
mi::recording<float> szt_network_recording() {
    namespace ds = mi_examples::datasets;
    const auto data = ds::szt<float>();
    const std::vector<std::size_t> widths{12, 10, 7, 5, 4, 3, 2};
    mi::rng r(2017);
    std::vector<std::vector<double>> w;
    for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
        w.emplace_back(widths[l] * widths[l + 1]);
        for (auto& v : w.back()) v = r.normal() / std::sqrt(static_cast<double>(widths[l]));
    }
    mi::recording<float> rec(mi::samples(mi::labels(data.y, 2)));
    const std::size_t n = ds::szt_patterns;
    const double scales[] = {1.0, 4.0, 16.0};
    for (std::size_t s = 0; s < 3; ++s) {
        std::vector<double> a(data.x.begin(), data.x.end());
        for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
            const std::size_t din = widths[l], dout = widths[l + 1];
            std::vector<double> z(n * dout, 0.0);
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t k = 0; k < din; ++k)
                    for (std::size_t j = 0; j < dout; ++j) z[i * dout + j] += a[i * din + k] * scales[s] * w[l][k * dout + j];
            for (auto& v : z) v = std::tanh(v);
            const std::vector<float> f(z.begin(), z.end());
            rec.observe(static_cast<mi::epoch_t>(s), l, mi::view(f, n, dout));
            a = std::move(z);
        }
    }
    return rec;
}

}  // namespace

TEST_CASE("information_plane with binning on the SZT network equals direct calls") {
    const auto rec = szt_network_recording();
    const mi::binning<mi::uniform> idnns(mi::uniform::idnns(30, -1.0, 1.0));
    const mi::binning<mi::fixed_width> saxe(mi::fixed_width(0.07));
    mi::plane_options two;
    two.threads = 2;
    const auto ts = mi::information_planes(rec, two, idnns, saxe);
    REQUIRE(ts[0].size() == 18);
    CHECK(ts[0].parameters() == idnns.parameters());
    for (auto e : rec.epochs())
        for (auto l : rec.layers()) {
            const auto a = idnns.point(rec.at(e, l), rec.samples());
            const auto b = saxe.point(rec.at(e, l), rec.samples());
            CHECK(ts[0].at(e, l, mi::unit::nats).ixt == a.ixt);
            CHECK(ts[0].at(e, l, mi::unit::nats).ity == a.ity);
            CHECK(ts[1].at(e, l, mi::unit::nats).ixt == b.ixt);
            CHECK(ts[1].at(e, l, mi::unit::nats).ity == b.ity);
        }
    // Sanity of the setting: the 10-unit first layer keeps every input apart at scale 1 (12 bits).
    CHECK(ts[0].at(0, 0, mi::unit::bits).ixt == doctest::Approx(12.0).epsilon(1e-12));
}

TEST_CASE("information_plane with global binning: for_layer over every epoch, then direct calls") {
    const auto rec = szt_network_recording();
    const mi::binning<mi::global_uniform> global(mi::global_uniform(30));
    static_assert(mi::needs_layer_history_v<mi::binning<mi::global_uniform>, float>);
    mi::plane_options one, two;
    one.threads = 1;
    two.threads = 2;
    one.bootstrap = two.bootstrap = 8;
    one.seed = two.seed = 4;
    const auto t1 = mi::information_plane(rec, global, one);
    const auto t2 = mi::information_plane(rec, global, two);
    CHECK(identical(t1, t2));
    for (auto l : rec.layers()) {
        const auto configured = global.for_layer(rec.layer_history(l));
        for (auto e : rec.epochs()) {
            const auto p = configured.point(rec.at(e, l), rec.samples());
            CHECK(t1.at(e, l, mi::unit::nats).ixt == p.ixt);
            CHECK(t1.at(e, l, mi::unit::nats).ity == p.ity);
        }
    }
    // Without the driver's for_layer call the unconfigured estimator refuses to run.
    CHECK_THROWS_AS(global.point(rec.at(0, 0), rec.samples()), mi::error);
}

// ---------------------------------------------------------------- issue 12: bootstrap right or refused

namespace {

// A noisy layer in sample propagation's layout: `inputs` inputs on a line (spacing 1),
// `replicas` consecutive rows each, scattered by upstream noise `jitter`.
std::vector<double> replica_layer(std::size_t inputs, std::size_t replicas, double jitter, std::uint64_t seed) {
    mi::rng r(seed);
    std::vector<double> a;
    for (std::size_t i = 0; i < inputs; ++i)
        for (std::size_t k = 0; k < replicas; ++k) a.push_back(static_cast<double>(i) + jitter * r.normal());
    return a;
}

// Rows (input i, replica k) carry (i, k): checks that a resample holds whole groups in order,
// and that the resampled samples' replica groups are those groups.
struct replica_checker {
    static constexpr mi::resampling resampling = mi::resampling::replica_groups;
    std::size_t r = 1;
    mi::plane_point point(const mi::activation_view<const double>& t, const mi::samples& s) const {
        if (t.rows() % r != 0) throw std::logic_error("rows not a multiple of the replicas");
        std::size_t groups = 0;
        for (std::size_t i = 0; i < t.rows(); i += r, ++groups)
            for (std::size_t k = 0; k < r; ++k)
                if (t(i + k, 0) != t(i, 0) || t(i + k, 1) != static_cast<double>(k))
                    throw std::logic_error("a replica group was split or reordered");
        const auto g = s.replicas().groups(t.rows(), "replica_checker");
        if (g.size() != groups) throw std::logic_error("the samples' replica groups are not the layer's");
        for (const auto& rows : g)
            for (const std::size_t i : rows)
                if (t(i, 0) != t(rows[0], 0)) throw std::logic_error("a replica group of the samples mixes draws");
        mi::plane_point p;
        p.ixt = static_cast<double>(groups);
        return p;
    }
    std::string name() const { return "replica_checker"; }
    std::string parameters() const { return ""; }
};

// The plug-in estimator without a resampling declaration (a user-defined estimator).
struct undeclared_estimator {
    mi::plane_point point(const mi::activation_view<const double>& t, const mi::samples& s) const {
        return plugin_estimator{}.point(t, s);
    }
    std::string name() const { return "undeclared"; }
    std::string parameters() const { return ""; }
};

bool inside(const mi::bounds& b, double v) { return b.lower <= v && v <= b.upper; }

}  // namespace

TEST_CASE("bootstrap: binning's 12-bit point gets an interval that contains it (was [11.15, 11.20])") {
    const auto rec = szt_network_recording();
    mi::plane_options o;
    o.bootstrap = 20;
    o.threads = 2;
    const auto t = mi::information_plane(rec, mi::binning<mi::uniform>(mi::uniform::idnns(30, -1.0, 1.0)), o);
    const auto p = t.at(0, 0);  // bits, the output unit
    CHECK(p.ixt == doctest::Approx(12.0).epsilon(1e-12));
    REQUIRE(p.ixt_ci);
    MESSAGE("binning I(X;T) = " << p.ixt << " bits, interval [" << p.ixt_ci->lower << ", " << p.ixt_ci->upper << "]");
    CHECK(inside(*p.ixt_ci, p.ixt));
    for (const auto& row : t.rows()) {
        CHECK(inside(*row.point.ixt_ci, row.point.ixt));
        CHECK(inside(*row.point.ity_ci, row.point.ity));
    }
    CHECK(t.bootstrap().units == mi::resampling::input_groups);
}

TEST_CASE("bootstrap: replica groups are resampled whole and in order") {
    const std::size_t inputs = 40, r = 5;
    std::vector<double> a;
    for (std::size_t i = 0; i < inputs; ++i)
        for (std::size_t k = 0; k < r; ++k) {
            a.push_back(static_cast<double>(i));
            a.push_back(static_cast<double>(k));
        }
    mi::recording<double> rec(
        mi::samples(mi::labels(std::vector<int>(inputs * r, 0))).with_replicas(mi::replica_groups::consecutive(r)));
    rec.observe(0, 0, mi::view(a, inputs * r, 2));
    mi::plane_options o;
    o.bootstrap = 30;
    o.output_unit = mi::unit::nats;
    const auto p = mi::information_plane(rec, replica_checker{r}, o).at(0, 0);
    CHECK(p.ixt == 40.0);
    REQUIRE(p.ixt_ci);
    CHECK(p.ixt_ci->upper == 60.0);  // every half-sample holds 20 whole groups: 40 - (20 - 40)
    CHECK(mi::information_plane(rec, replica_checker{r}, o).bootstrap().units == mi::resampling::replica_groups);
    // Rows that are not whole groups are refused when the groups are attached.
    CHECK_THROWS_WITH_AS(
        mi::samples(mi::labels(std::vector<int>(7, 0))).with_replicas(mi::replica_groups::consecutive(r)),
        doctest::Contains("layer rows = 7, expected a multiple of 5"), mi::error);
}

TEST_CASE("bootstrap: sample propagation's interval contains its estimate (was 3.302 in [1.870, 1.977])") {
    const std::size_t inputs = 32, r = 8;
    const auto a = replica_layer(inputs, r, 0.4, 3);  // overlapping inputs: I(X;T) well below log 32
    std::vector<int> y(inputs * r);
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = static_cast<int>((i / r) % 2);
    mi::recording<double> rec(mi::samples(mi::labels(y, 2)).with_replicas(mi::replica_groups::consecutive(r)));
    rec.observe(0, 0, mi::view(a, inputs * r, 1));
    mi::plane_options o;
    o.bootstrap = 20;
    o.threads = 2;
    mi::sample_propagation_options spo;
    spo.sigma = 0.3;
    spo.mc_samples = 4;
    spo.seed = 7;
    const mi::sample_propagation sp(spo);
    const auto p = mi::information_plane(rec, sp, o).at(0, 0);
    REQUIRE(p.ixt_ci);
    MESSAGE("sample_propagation I(X;T) = " << p.ixt << " bits, interval [" << p.ixt_ci->lower << ", "
                                           << p.ixt_ci->upper << "]");
    CHECK(inside(*p.ixt_ci, p.ixt));
    CHECK(inside(*p.ity_ci, p.ity));
    CHECK(p.ixt_ci->lower < p.ixt_ci->upper);
}

TEST_CASE("bootstrap: an estimator declaring nothing is refused") {
    const auto rec = random_recording(60, 1, 5);
    mi::plane_options o;
    o.bootstrap = 20;
    CHECK_THROWS_WITH_AS(mi::information_plane(rec, undeclared_estimator{}, o),
                         doctest::Contains("estimator undeclared, which declares no resampling scheme"), mi::error);
    o.bootstrap = 0;
    CHECK_NOTHROW(mi::information_plane(rec, undeclared_estimator{}, o));
}

TEST_CASE("bootstrap: Renyi and KSG take X from the samples, so half-samples carry X's rows (was 2.793 in [1.615, 1.733])") {
    const auto x = replica_layer(60, 1, 0.0, 1);
    const auto t = replica_layer(60, 1, 0.3, 2);
    const mi::samples s = mi::samples(mi::labels(std::vector<int>(60, 0)));
    mi::recording<double> with_x(s.with_network_input(mi::view(x, 60, 1)));
    with_x.observe(0, 0, mi::view(t));
    mi::plane_options o;
    o.bootstrap = 20;
    o.threads = 2;
    o.output_unit = mi::unit::nats;
    const mi::renyi renyi;
    const mi::ksg<> ksg;
    for (const auto& tr : {mi::information_plane(with_x, renyi, o), mi::information_plane(with_x, ksg, o)}) {
        const auto p = tr.at(0, 0);
        CAPTURE(tr.estimator());
        REQUIRE(p.ixt_ci);
        MESSAGE(tr.estimator() << " I(X;T) = " << p.ixt << " nats, interval [" << p.ixt_ci->lower << ", "
                               << p.ixt_ci->upper << "]");
        CHECK(inside(*p.ixt_ci, p.ixt));
        CHECK(p.ixt_ci->lower < p.ixt_ci->upper);
        CHECK(tr.bootstrap().units == mi::resampling::rows);
    }
    // The point is that of the estimator on the same X given directly.
    const auto direct = renyi.mutual_information(mi::view(t), mi::view(x, 60, 1));
    CHECK(mi::information_plane(with_x, renyi, o).at(0, 0).ixt == doctest::Approx(direct).epsilon(1e-12));
    // Without X: mi::error naming what is missing, before or without a bootstrap.
    mi::recording<double> without(s);
    without.observe(0, 0, mi::view(t));
    for (const std::size_t b : {std::size_t(0), std::size_t(20)}) {
        o.bootstrap = b;
        CHECK_THROWS_WITH_AS(mi::information_plane(without, renyi, o),
                             doctest::Contains("samples.network_input() = none, expected the network input X"), mi::error);
        CHECK_THROWS_WITH_AS(mi::information_plane(without, ksg, o),
                             doctest::Contains("samples.network_input() = none, expected the network input X"), mi::error);
    }
}

TEST_CASE("units: at(epoch, layer) reads in plane_options.output_unit") {
    const auto rec = random_recording(100, 1, 8);
    mi::plane_options bits, nats;
    nats.output_unit = mi::unit::nats;
    const auto tb = mi::information_plane(rec, plugin_estimator{}, bits);
    const auto tn = mi::information_plane(rec, plugin_estimator{}, nats);
    const auto direct = plugin_estimator{}.point(rec.at(0, 2), rec.samples());  // nats
    REQUIRE(direct.ixt > 0.5);
    CHECK(tb.at(0, 2).ixt == doctest::Approx(direct.ixt / std::log(2.0)).epsilon(1e-14));
    CHECK(tn.at(0, 2).ixt == direct.ixt);
    CHECK(tb.at(0, 2, mi::unit::nats).ixt == direct.ixt);
    CHECK(tn.at(0, 2, mi::unit::bits).ity == doctest::Approx(direct.ity / std::log(2.0)).epsilon(1e-14));
}

TEST_CASE("progress: called once per estimate with (done, total); false cancels with mi::cancelled") {
    const auto rec = random_recording(80, 3, 4);  // 3 epochs x 3 layers
    mi::plane_options o;
    o.threads = 2;
    o.bootstrap = 4;
    const auto plain = mi::information_plane(rec, plugin_estimator{}, o);
    std::vector<std::size_t> seen;
    std::size_t total = 0;
    o.progress = [&](std::size_t done, std::size_t all) {
        seen.push_back(done);
        total = all;
        return true;
    };
    const auto watched = mi::information_plane(rec, plugin_estimator{}, o);
    CHECK(total == 9 * 5);  // 9 points, each with 4 replicates
    REQUIRE(seen.size() == total);
    for (std::size_t i = 0; i < seen.size(); ++i) CHECK(seen[i] == i + 1);  // serialised, in order
    for (std::size_t i = 0; i < plain.rows().size(); ++i) {
        CHECK(watched.rows()[i].point.ixt == plain.rows()[i].point.ixt);
        CHECK(watched.rows()[i].point.ixt_ci->lower == plain.rows()[i].point.ixt_ci->lower);
    }
    std::size_t calls = 0;
    o.progress = [&](std::size_t done, std::size_t) {
        ++calls;
        return done < 3;
    };
    CHECK_THROWS_WITH_AS(mi::information_plane(rec, plugin_estimator{}, o),
                         doctest::Contains("cancelled by the progress callback after 3 of 45 estimates"), mi::cancelled);
    CHECK(calls == 3);  // no call after the one that cancelled
    // a cancellation is an mi::error too
    CHECK_THROWS_AS(mi::information_plane(rec, plugin_estimator{}, o), mi::error);
}

}  // namespace test_plane_information_plane
