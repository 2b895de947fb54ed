// SPDX-License-Identifier: BSD-3-Clause
// examples/engine/trainer.hpp: the SZT network learns the SZT task; recordings
// are bit-identical for the same seed (and any mi thread count) and differ for
// another; record-time conventions, metrics rows, gradient statistics, noise
// on while recording and off while evaluating; bad input.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "datasets/szt.hpp"
#include "engine/schedule.hpp"
#include "engine/trainer.hpp"
#include "mi/core/parallel.hpp"
#include "mi/plane/recording.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_engine_trainer {

namespace eng = mi_examples::engine;
namespace ds = mi_examples::datasets;

namespace {

eng::dataset<float> szt_all() {
    const auto d = ds::szt<float>();
    eng::dataset<float> out;
    out.x = d.x;
    out.n = ds::szt_patterns;
    out.d = ds::szt_bits;
    out.classes = 2;
    for (int y : d.y) out.labels.push_back(static_cast<std::uint32_t>(y));
    return out;
}

eng::network_config szt_network(eng::activation act) {
    eng::network_config c;  // 12-10-7-5-4-3-2, softmax
    c.hidden_activation = act;
    c.hidden_init = eng::init_spec::truncated_normal_fan_out(1.0);  // ibsgd hidden layers
    c.output_init = eng::init_spec::glorot_uniform();               // ibsgd output layer
    return c;
}

// Keeps every observed view (copied) by (epoch, layer).
struct copy_recorder {
    std::map<std::pair<std::int64_t, std::size_t>, std::vector<float>> seen;
    void observe(std::int64_t epoch, std::size_t layer, const mi::activation_view<const float>& v) {
        auto& dst = seen[{epoch, layer}];
        for (std::size_t i = 0; i < v.rows(); ++i) dst.insert(dst.end(), v.row(i), v.row(i) + v.cols());
    }
};

}  // namespace

TEST_CASE("the SZT network fits the SZT training set") {
    // Fast setup (not the papers' lr 4e-4): Adam lr 0.01, batch 256, 150 epochs.
    const auto all = szt_all();
    const auto split = ds::szt_idnns_split();
    const auto train = all.subset(split.train), test = all.subset(split.test);
    eng::network<float> net(szt_network(eng::activation::tanh()), 1);
    eng::train_options o;
    o.epochs = 150;
    o.batch_size = 256;
    o.optimizer = eng::optimizer_config::adam(0.01);
    o.seed = 1;
    o.metrics_every_epoch = false;
    o.record_epochs = {0, 149};
    o.when = eng::record_time::epoch_end;
    eng::null_recorder none;
    const auto h = eng::train(net, train, &test, all, none, o);
    REQUIRE(h.size() == 2);
    MESSAGE("train accuracy after 150 epochs: " << h.back().train_accuracy);
    CHECK(h.front().train_accuracy < 0.9);
    CHECK(h.back().train_accuracy >= 0.9);
    CHECK(h.back().train_loss < h.front().train_loss);
    CHECK(std::isfinite(h.back().test_loss));
}

TEST_CASE("same seed, bit-identical recordings and metrics; another seed differs") {
    const auto all = szt_all();
    const auto split = ds::szt_shuffled_split(3);
    const auto train = all.subset(split.train);
    eng::train_options o;
    o.epochs = 6;
    o.batch_size = 256;
    o.seed = 11;
    o.record_epochs = eng::ibsgd_epochs(6);
    auto run = [&](std::uint64_t net_seed, std::uint64_t seed, std::size_t threads, double noise) {
        mi::set_num_threads(threads);
        auto cfg = szt_network(eng::activation::relu());
        cfg.noise_std = noise;
        eng::network<float> net(cfg, net_seed);
        auto opts = o;
        opts.seed = seed;
        copy_recorder r;
        const auto h = eng::train(net, train, all, r, opts);
        mi::set_num_threads(0);
        return std::make_pair(r.seen, h);
    };
    const auto a = run(5, 11, 1, 0.0), b = run(5, 11, 2, 0.0);
    CHECK(a.first.size() == 6 * 6);
    CHECK(a.first == b.first);
    for (std::size_t e = 0; e < a.second.size(); ++e) {
        CHECK(a.second[e].train_loss == b.second[e].train_loss);
        CHECK(a.second[e].grad_std_norm == b.second[e].grad_std_norm);
    }
    const auto c = run(5, 12, 1, 0.0);  // other batch order
    const auto d = run(6, 11, 1, 0.0);  // other initialisation
    CHECK(a.first != c.first);
    CHECK(a.first != d.first);
    const auto n1 = run(5, 11, 1, 0.1), n2 = run(5, 11, 2, 0.1);  // noisy network
    CHECK(n1.first == n2.first);
    CHECK(n1.first != a.first);
}

TEST_CASE("recording into mi::recording: every layer, record-time conventions") {
    const auto all = szt_all();
    const auto train = all.subset(ds::szt_idnns_split().train);
    mi::recording<float> rec(mi::samples(mi::labels(all.labels, 2)));
    eng::network<float> net(szt_network(eng::activation::tanh()), 2);
    const auto w0 = net.at(0).w;
    eng::train_options o;
    o.epochs = 4;
    o.order = eng::batch_order::consecutive;
    o.batch_size = 512;
    o.record_epochs = {0, 3};
    o.when = eng::record_time::epoch_start;
    o.metrics_every_epoch = false;
    const auto h = eng::train(net, train, all, rec, o);
    CHECK(rec.epochs() == std::vector<mi::epoch_t>{0, 3});
    CHECK(rec.layers().size() == 6);
    CHECK(rec.units(0) == 10);
    CHECK(rec.units(5) == 2);
    REQUIRE(h.size() == 2);
    CHECK(h[0].epoch == 0);
    CHECK(h[1].epoch == 3);
    // Epoch 0 at the start is the initialisation: layer 0 = tanh(W0 x).
    const auto v = rec.at(0, 0);
    const std::size_t row = 1234;
    double z = 0;
    for (std::size_t i = 0; i < 12; ++i) z += double(w0[0 * 12 + i]) * double(all.x[row * 12 + i]);
    CHECK(v(row, 0) == doctest::Approx(std::tanh(z)).epsilon(1e-5));
    // The output layer holds softmax probabilities.
    const auto out = rec.at(3, 5);
    for (std::size_t i = 0; i < out.rows(); i += 97) CHECK(out(i, 0) + out(i, 1) == doctest::Approx(1.0).epsilon(1e-6));
    // 3277 = 6 * 512 + 205: 7 steps per epoch, 4 epochs.
    CHECK(h[1].grad_mean_norm.size() == 6);
}

TEST_CASE("metrics: every epoch, weight norms, gradient statistics; full batch has zero gradient spread") {
    const auto all = szt_all();
    const auto train = all.subset(ds::szt_idnns_split().train);
    eng::network<float> net(szt_network(eng::activation::tanh()), 4);
    eng::train_options o;
    o.epochs = 3;
    o.batch_size = 0;  // full-batch gradient descent
    o.optimizer = eng::optimizer_config::sgd(0.1);
    eng::null_recorder none;
    const auto h = eng::train(net, train, all, none, o);
    REQUIRE(h.size() == 3);
    for (const auto& m : h) {
        REQUIRE(m.grad_std_norm.size() == 6);
        for (std::size_t l = 0; l < 6; ++l) {
            CHECK(m.grad_std_norm[l] == doctest::Approx(0.0).scale(1e-9));
            CHECK(m.grad_mean_norm[l] > 0.0);
            CHECK(m.weight_norm[l] > 0.0);
        }
        CHECK(std::isnan(m.test_loss));
        CHECK(!m.recorded);
    }
    // Mini-batches: a non-zero spread.
    o.batch_size = 64;
    o.epochs = 1;
    const auto h2 = eng::train(net, train, all, none, o);
    CHECK(h2[0].grad_std_norm[0] > 0.0);
    // The last weight norm equals ||W|| of the trained network.
    double s = 0;
    for (float w : net.at(2).w) s += double(w) * double(w);
    CHECK(h2[0].weight_norm[2] == doctest::Approx(std::sqrt(s)));
}

TEST_CASE("noise: on in recording, off in evaluation") {
    const auto all = szt_all();
    auto cfg = szt_network(eng::activation::tanh());
    cfg.noise_std = 0.2;
    eng::network<float> net(cfg, 1);
    auto clean_cfg = cfg;
    clean_cfg.noise_std = 0.0;
    eng::network<float> clean(clean_cfg, 1);
    const auto e1 = eng::evaluate(net, all), e2 = eng::evaluate(clean, all);
    CHECK(e1.loss == e2.loss);
    const auto a = eng::layer_outputs(net, all, 1), b = eng::layer_outputs(clean, all, 1);
    CHECK(a[0] != b[0]);
    double diff = 0;
    for (std::size_t i = 0; i < a[0].size(); ++i) diff += (a[0][i] - b[0][i]) * (a[0][i] - b[0][i]);
    CHECK(std::sqrt(diff / double(a[0].size())) == doctest::Approx(0.2).epsilon(0.02));
}

TEST_CASE("pre_noise_layer_outputs: each hidden layer before its own noise, after the noise below") {
    const auto all = szt_all();
    auto cfg = szt_network(eng::activation::tanh());
    cfg.noise_std = 0.2;
    eng::network<float> net(cfg, 1);
    auto clean_cfg = cfg;
    clean_cfg.noise_std = 0.0;
    eng::network<float> clean(clean_cfg, 1);
    const auto pre = eng::pre_noise_layer_outputs(net, all, 7), noisy = eng::layer_outputs(net, all, 7);
    REQUIRE(pre.size() == net.num_layers());
    // The first layer sees no noise below it; the output layer has no noise of its own.
    CHECK(pre[0] == eng::layer_outputs(clean, all, 7)[0]);
    CHECK(pre.back() == noisy.back());
    // Layer 1 by hand from the noisy layer 0 (the same noise stream): tanh(W1 t0 + b1).
    const auto& L1 = net.at(1);
    double worst = 0.0;
    for (std::size_t i = 0; i < all.n; ++i)
        for (std::size_t j = 0; j < L1.out; ++j) {
            double z = L1.b[j];
            for (std::size_t k = 0; k < L1.in; ++k) z += double(L1.w[j * L1.in + k]) * noisy[0][i * L1.in + k];
            worst = std::max(worst, std::abs(std::tanh(z) - double(pre[1][i * L1.out + j])));
        }
    CHECK(worst < 1e-5);
    // What separates a hidden layer from its pre-noise value is the noise, std 0.2.
    double sq = 0.0;
    for (std::size_t i = 0; i < pre[2].size(); ++i) sq += (noisy[2][i] - pre[2][i]) * (noisy[2][i] - pre[2][i]);
    CHECK(std::sqrt(sq / double(pre[2].size())) == doctest::Approx(0.2).epsilon(0.03));
    // Without noise there is nothing to remove.
    CHECK(eng::pre_noise_layer_outputs(clean, all, 7) == eng::layer_outputs(clean, all, 7));
    eng::dataset<float> wrong = all;
    wrong.d = 3;
    CHECK_THROWS_AS(eng::pre_noise_layer_outputs(net, wrong, 7), mi::error);
}

TEST_CASE("evaluate_in: evaluate()'s numbers in the caller's workspace, which must hold a chunk") {
    const auto all = szt_all();
    eng::network<float> net(szt_network(eng::activation::tanh()), 3);
    auto ws = net.make_workspace(1000);
    for (const std::size_t chunk : {std::size_t(1000), std::size_t(333), std::size_t(1)}) {
        CAPTURE(chunk);
        const auto a = eng::evaluate(net, all, chunk), b = eng::evaluate_in(net, all, chunk, ws);
        CHECK(a.loss == b.loss);
        CHECK(a.accuracy == b.accuracy);
    }
    // a chunk above the workspace's capacity, or another network's workspace, is refused before any write
    CHECK_THROWS_WITH_AS(eng::evaluate_in(net, all, 1001, ws), doctest::Contains("workspace capacity = 1000"), mi::error);
    auto other_cfg = szt_network(eng::activation::tanh());
    other_cfg.hidden = {10, 7};
    eng::network<float> other(other_cfg, 3);
    auto other_ws = other.make_workspace(4096);
    CHECK_THROWS_AS(eng::evaluate_in(net, all, 1000, other_ws), mi::error);
}

TEST_CASE("bad input to the trainer") {
    const auto all = szt_all();
    eng::network<float> net(szt_network(eng::activation::tanh()), 1);
    eng::train_options o;
    o.epochs = 1;
    eng::null_recorder none;
    auto wrong = all;
    wrong.d = 6;
    wrong.x.resize(all.n * 6);
    CHECK_THROWS_AS(eng::train(net, wrong, all, none, o), mi::error);
    auto nan = all;
    nan.x[5] = std::nanf("");
    CHECK_THROWS_AS(eng::train(net, nan, all, none, o), mi::error);
    auto bad_label = all;
    bad_label.labels[0] = 2;
    CHECK_THROWS_AS(eng::train(net, bad_label, all, none, o), mi::error);
    auto three = all;
    three.classes = 3;
    CHECK_THROWS_AS(eng::train(net, three, all, none, o), mi::error);
    eng::dataset<float> empty;
    CHECK_THROWS_AS(eng::evaluate(net, empty), mi::error);
    o.record_epochs = {0};
    CHECK_THROWS_AS(eng::train(net, all, wrong, none, o), mi::error);
}

TEST_CASE("a resumed batch order must be a permutation of the training rows") {
    const auto all = szt_all();
    eng::network<float> net(szt_network(eng::activation::tanh()), 1);
    eng::train_options o;
    o.epochs = 1;
    o.batch_size = 256;
    eng::null_recorder none;
    auto resumed = [&](std::vector<std::size_t> order) {
        eng::train_progress<float> p;
        p.order = std::move(order);
        eng::train_from(net, all, &all, all, none, o, p);
    };
    std::vector<std::size_t> order(all.n);
    for (std::size_t i = 0; i < all.n; ++i) order[i] = all.n - 1 - i;
    CHECK_NOTHROW(resumed(order));
    auto outside = order;
    outside[7] = all.n;  // one past the last row
    CHECK_THROWS_WITH_AS(resumed(outside), doctest::Contains("progress.order[7]"), mi::error);
    auto twice = order;
    twice[3] = twice[4];
    CHECK_THROWS_WITH_AS(resumed(twice), doctest::Contains("appears twice"), mi::error);
}

}  // namespace test_engine_trainer
