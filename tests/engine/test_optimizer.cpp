// SPDX-License-Identifier: BSD-3-Clause
// examples/engine/optimizer.hpp (through trainer.hpp's batching): a few epochs
// of SGD, full-batch GD, SGD with momentum and Adam, with and without L2 weight decay, on small
// networks with softmax / sigmoid / mse outputs, against PyTorch run on the same
// weights and data (tests/data/engine_optimizer.txt, written by
// tests/reference/engine_reference.py; float64 on both sides).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "engine/optimizer.hpp"
#include "engine/trainer.hpp"
#include "mi/core/parallel.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_engine_optimizer {

namespace eng = mi_examples::engine;

namespace {

struct reference_case {
    std::string name;
    std::map<std::string, std::string> words;
    std::map<std::string, std::vector<double>> values;
};

std::vector<reference_case> read_cases() {
    std::ifstream f(std::string(MI_TEST_DATA_DIR) + "/engine_optimizer.txt");
    REQUIRE(f.good());
    std::vector<reference_case> out;
    std::string line;
    while (std::getline(f, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream s(line);
        std::string key;
        s >> key;
        if (key == "case") {
            out.emplace_back();
            s >> out.back().name;
        } else if (key == "end") {
            continue;
        } else if (key == "hidden" || key == "loss" || key == "out_act" || key == "optimizer") {
            s >> out.back().words[key];
        } else {
            std::size_t n = 0;
            s >> n;
            std::vector<double> v(n);
            for (auto& x : v) s >> x;
            out.back().values[key] = v;
        }
    }
    return out;
}

/// A network of one layer (inputs -> outputs), no hidden units.
eng::network_config one_layer(std::size_t inputs, std::size_t outputs) {
    eng::network_config cfg;
    cfg.inputs = inputs;
    cfg.hidden = {};
    cfg.outputs = outputs;
    return cfg;
}

}  // namespace

TEST_CASE("SGD, GD, momentum SGD and Adam steps match PyTorch") {
    const auto cases = read_cases();
    REQUIRE(cases.size() == 9);
    for (const auto& c : cases) {
        CAPTURE(c.name);
        const auto& widths = c.values.at("widths");
        eng::network_config cfg;
        cfg.inputs = static_cast<std::size_t>(widths.front());
        cfg.outputs = static_cast<std::size_t>(widths.back());
        cfg.hidden.clear();
        for (std::size_t i = 1; i + 1 < widths.size(); ++i) cfg.hidden.push_back(static_cast<std::size_t>(widths[i]));
        cfg.hidden_activation = eng::activation::parse(c.words.at("hidden"));
        const std::string loss = c.words.at("loss");
        cfg.output = loss == "softmax"   ? eng::output_spec::softmax()
                     : loss == "sigmoid" ? eng::output_spec::sigmoid()
                                         : eng::output_spec::mse(eng::activation::parse(c.words.at("out_act")));
        eng::network<double> net(cfg, 0);
        for (std::size_t l = 0; l < net.num_layers(); ++l)
            net.set_layer(l, c.values.at("w" + std::to_string(l)), c.values.at("b" + std::to_string(l)));

        eng::dataset<double> data;
        data.x = c.values.at("x");
        data.d = cfg.inputs;
        data.n = data.x.size() / data.d;
        const auto& target = c.values.at("target");
        if (loss == "softmax") {
            for (double t : target) data.labels.push_back(static_cast<std::uint32_t>(t));
            data.classes = cfg.outputs;
        } else {
            data.targets = target;
            data.k = cfg.outputs;
        }

        eng::train_options o;
        o.epochs = static_cast<std::size_t>(c.values.at("epochs")[0]);
        o.batch_size = static_cast<std::size_t>(c.values.at("batch")[0]);
        o.order = eng::batch_order::consecutive;
        const double lr = c.values.at("lr")[0];
        o.optimizer = c.words.at("optimizer") == "adam" ? eng::optimizer_config::adam(lr)
                                                        : eng::optimizer_config::sgd(lr, c.values.at("momentum")[0]);
        o.optimizer.weight_decay = c.values.at("weight_decay")[0];
        o.optimizer.decay_output_layer = c.values.at("decay_output")[0] != 0.0;
        o.metrics_every_epoch = false;
        o.gradient_stats = false;
        eng::null_recorder none;
        eng::train(net, data, data, none, o);

        for (std::size_t l = 0; l < net.num_layers(); ++l) {
            const auto& ew = c.values.at("final_w" + std::to_string(l));
            const auto& eb = c.values.at("final_b" + std::to_string(l));
            REQUIRE(ew.size() == net.at(l).w.size());
            for (std::size_t i = 0; i < ew.size(); ++i) CHECK(net.at(l).w[i] == doctest::Approx(ew[i]).epsilon(1e-10));
            for (std::size_t i = 0; i < eb.size(); ++i) CHECK(net.at(l).b[i] == doctest::Approx(eb[i]).epsilon(1e-10));
            // The weights moved: the comparison can fail.
            CHECK(net.at(l).w != c.values.at("w" + std::to_string(l)));
        }
    }
}

TEST_CASE("Adam's first step moves every weight by lr against the gradient's sign") {
    // With bias correction, step 1 is lr * g / (|g| + eps * ...) = lr * sign(g) for |g| >> eps.
    eng::network<double> net(one_layer(2, 2), 3);
    const auto w0 = net.at(0).w;
    auto ws = net.make_workspace(1);
    ws.input = {1.0, -2.0};
    net.forward(ws, 1);
    std::vector<std::uint32_t> label{1};
    net.loss(ws, {label.data(), nullptr}, true);
    eng::optimizer<double> opt(eng::optimizer_config::adam(0.01), net);
    opt.step(net, ws);
    for (std::size_t i = 0; i < w0.size(); ++i)
        CHECK(net.at(0).w[i] - w0[i] == doctest::Approx(ws.grad_w[0][i] > 0 ? -0.01 : 0.01).epsilon(1e-6));
    CHECK(opt.steps() == 1);
}

TEST_CASE("Adam with subnormal moments and zero gradients gives the float arithmetic's values") {
    // The bit-level path for idle weights (optimizer.hpp) against the update written out in float
    // here: bit for bit where it applies (no rounding there depends on FMA contraction), within
    // float rounding elsewhere; 100 weights, so a block with subnormals and one without.
    eng::network<float> net(one_layer(10, 10), 5);
    auto ws = net.make_workspace(1);
    const float lr = 4e-4f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
    eng::optimizer<float> opt(eng::optimizer_config::adam(lr, 0.9, 0.999, 1e-8), net);
    auto state = opt.get_state();
    state.steps = 5000;
    const auto sub = [](std::uint32_t units, bool negative) {
        const std::uint32_t bits = units | (negative ? 0x80000000u : 0u);
        float f;
        std::memcpy(&f, &bits, sizeof f);
        return f;
    };
    auto& m = state.m_w[0];
    auto& v = state.v_w[0];
    auto& g = ws.grad_w[0];
    auto& w = net.at(0).w;
    for (std::size_t i = 0; i < m.size(); ++i) {  // normal moments and gradients by default
        m[i] = 1e-3f * static_cast<float>(i % 7) - 2e-3f;
        v[i] = 1e-6f * static_cast<float>(1 + i % 5);
        g[i] = 1e-2f * static_cast<float>(i % 3) - 1e-2f;
    }
    // idle weights: zero gradient, subnormal or zero first moment, the second anything >= 0
    const std::vector<std::size_t> idle = {0, 1, 2, 3, 6, 7};
    g[0] = 0.0f, m[0] = sub(4, false), v[0] = sub(500, false);  // both stuck where they round back
    g[1] = 0.0f, m[1] = sub(4, true), v[1] = 1e-30f;             // v normal
    g[2] = -0.0f, m[2] = 0.0f, v[2] = sub(300, false);           // +0 + -0 = +0
    g[3] = -0.0f, m[3] = -0.0f, v[3] = sub(300, false), w[3] = -0.0f;  // m' = -0, w' = -0 - (-0) = +0
    g[4] = 0.0f, m[4] = sub(1u << 22, false), v[4] = sub(7, false);     // step * m' not below half a unit
    g[5] = 1e-3f, m[5] = sub(4, false), v[5] = sub(9, false);           // a gradient
    g[6] = 0.0f, m[6] = sub(1, false), v[6] = 0.0f;
    g[7] = 0.0f, m[7] = sub(123, true), v[7] = sub(8388607, false);     // largest subnormal v
    ws.grad_b[0].assign(ws.grad_b[0].size(), 0.0f);
    opt.restore(state);

    const double t = 5001.0;
    const float step_size = static_cast<float>(lr / (1.0 - std::pow(0.9, t)));
    const float inv_sqrt_bc2 = static_cast<float>(1.0 / std::sqrt(1.0 - std::pow(0.999, t)));
    std::vector<float> m2(m.size()), v2(m.size()), w2(m.size());
    for (std::size_t i = 0; i < m.size(); ++i) {
        const float gi = g[i];
        m2[i] = b1 * m[i] + (1.0f - b1) * gi;
        v2[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
        w2[i] = w[i] - step_size * m2[i] / (std::sqrt(v2[i]) * inv_sqrt_bc2 + eps);
    }
    opt.step(net, ws);
    const auto after = opt.get_state();
    const auto bits = [](float f) {
        std::uint32_t b;
        std::memcpy(&b, &f, sizeof b);
        return b;
    };
    for (const std::size_t i : idle) {
        CAPTURE(i);
        CHECK(bits(after.m_w[0][i]) == bits(m2[i]));
        CHECK(bits(after.v_w[0][i]) == bits(v2[i]));
        CHECK(bits(net.at(0).w[i]) == bits(w2[i]));
    }
    CHECK(bits(after.m_w[0][0]) == 4u);   // m = 4 units stays: 0.9 * 4 = 3.6 rounds to 4
    CHECK(bits(after.v_w[0][0]) == 500u);  // 0.999f * 500 = 499.500006 rounds to 500
    CHECK(bits(after.m_w[0][2]) == 0u);
    CHECK(bits(net.at(0).w[3]) == 0u);     // -0 became +0
    for (std::size_t i = 0; i < m.size(); ++i) {
        CAPTURE(i);
        CHECK(after.m_w[0][i] == doctest::Approx(m2[i]).epsilon(1e-6));
        CHECK(after.v_w[0][i] == doctest::Approx(v2[i]).epsilon(1e-6));
        CHECK(net.at(0).w[i] == doctest::Approx(w2[i]).epsilon(1e-6));
    }
}

TEST_CASE("Adam updates a weight to the same bits in a batch of lanes as alone") {
    // 130 weights: two 64-weight blocks of whole batches and a tail of 2 (13 biases: the scalar path
    // only). Each weight is then updated alone, as the single weight of a 1 x 1 layer (the scalar
    // path), from the same weight, gradient and moments: every bit must agree, with and without weight
    // decay (which skips the subnormal blocks), in float and in double; and the values must be Adam's
    // update, evaluated in long double here, to the type's rounding.
    const auto check = [](auto zero, double decay) {
        using T = decltype(zero);
        CAPTURE(sizeof(T));
        CAPTURE(decay);
        auto cfg = eng::optimizer_config::adam(4e-4, 0.9, 0.999, 1e-8);
        cfg.weight_decay = decay;
        eng::network<T> net(one_layer(10, 13), 7);
        auto ws = net.make_workspace(1);
        eng::optimizer<T> opt(cfg, net);
        auto state = opt.get_state();
        state.steps = 37;
        const std::size_t n = net.at(0).w.size();
        REQUIRE(n == 130);
        std::vector<T> w0(n), g0(n), m0(n), v0(n);
        for (std::size_t i = 0; i < n; ++i) {  // values whose products round differently fused and unfused
            w0[i] = static_cast<T>(0.3 * std::sin(1.7 * static_cast<double>(i) + 0.1));
            g0[i] = static_cast<T>(1e-2 * std::cos(0.9 * static_cast<double>(i)));
            m0[i] = static_cast<T>(3e-3 * std::sin(0.37 * static_cast<double>(i) + 1.0));
            v0[i] = static_cast<T>(1e-5 * (1.1 + std::sin(0.23 * static_cast<double>(i))));
        }
        net.at(0).w = w0;
        ws.grad_w[0] = g0;
        state.m_w[0] = m0;
        state.v_w[0] = v0;
        ws.grad_b[0].assign(ws.grad_b[0].size(), T(0));
        opt.restore(state);
        opt.step(net, ws);
        const auto after = opt.get_state();
        const long double t = 38, lr = 4e-4L, b1 = 0.9L, b2 = 0.999L;
        for (std::size_t i = 0; i < n; ++i) {
            eng::network<T> one(one_layer(1, 1), 1);
            auto ws1 = one.make_workspace(1);
            eng::optimizer<T> opt1(cfg, one);
            auto s1 = opt1.get_state();
            s1.steps = 37;
            one.at(0).w[0] = w0[i];
            ws1.grad_w[0][0] = g0[i];
            ws1.grad_b[0][0] = T(0);
            s1.m_w[0][0] = m0[i];
            s1.v_w[0][0] = v0[i];
            opt1.restore(s1);
            opt1.step(one, ws1);
            const auto a1 = opt1.get_state();
            CAPTURE(i);
            CHECK(std::memcmp(&one.at(0).w[0], &net.at(0).w[i], sizeof(T)) == 0);
            CHECK(std::memcmp(&a1.m_w[0][0], &after.m_w[0][i], sizeof(T)) == 0);
            CHECK(std::memcmp(&a1.v_w[0][0], &after.v_w[0][i], sizeof(T)) == 0);
            const long double gi = static_cast<long double>(g0[i]) + static_cast<long double>(decay) * w0[i];
            const long double m = b1 * m0[i] + (1 - b1) * gi, v = b2 * v0[i] + (1 - b2) * gi * gi;
            const long double w = w0[i] - lr / (1 - std::pow(b1, t)) * m /
                                              (std::sqrt(v) / std::sqrt(1 - std::pow(b2, t)) + 1e-8L);
            const double tol = sizeof(T) == 4 ? 1e-5 : 1e-12;
            CHECK(static_cast<double>(after.m_w[0][i]) == doctest::Approx(static_cast<double>(m)).epsilon(tol));
            CHECK(static_cast<double>(after.v_w[0][i]) == doctest::Approx(static_cast<double>(v)).epsilon(tol));
            CHECK(static_cast<double>(net.at(0).w[i]) == doctest::Approx(static_cast<double>(w)).epsilon(tol));
        }
    };
    check(0.0f, 0.0);
    check(0.0f, 1e-2);
    check(0.0, 0.0);
    check(0.0, 1e-2);
}

TEST_CASE("a large layer's update runs in ranges on mi's threads: every weight once, the same bits") {
    // 300 x 250 = 75,000 weights: above the size from which the update is split (two ranges of
    // 32,768), with a partial last range. SGD with dyadic values, where w - lr g is exact with or
    // without a fused multiply-add: every weight must be updated exactly once. Adam: the same bits on
    // 1, 2 and 3 threads, and at the ranges' edges the bits of the weight updated alone.
    const std::size_t in = 300, out = 250, n = in * out;
    std::vector<float> w0(n), g0(n);
    for (std::size_t i = 0; i < n; ++i) {
        w0[i] = static_cast<float>(static_cast<int>(i % 97) - 48) / 64.0f;
        g0[i] = static_cast<float>(static_cast<int>((i * 7) % 89) - 44) / 32.0f;
    }
    const std::size_t threads_before = mi::num_threads();
    auto run = [&](const eng::optimizer_config& cfg, std::size_t threads) {
        mi::set_num_threads(threads);
        eng::network<float> net(one_layer(in, out), 7);
        auto ws = net.make_workspace(1);
        eng::optimizer<float> opt(cfg, net);
        net.at(0).w = w0;
        ws.grad_w[0] = g0;
        ws.grad_b[0].assign(out, 0.0f);
        opt.step(net, ws);
        opt.step(net, ws);  // Adam's second step starts from non-zero moments
        return std::make_pair(net.at(0).w, opt.get_state());
    };
    for (std::size_t threads : {1u, 2u, 3u}) {
        CAPTURE(threads);
        const auto w = run(eng::optimizer_config::sgd(0.25), threads).first;
        std::size_t wrong = 0;
        for (std::size_t i = 0; i < n; ++i) wrong += w[i] != w0[i] - 0.5f * g0[i];
        CHECK(wrong == 0);
    }
    const auto adam = eng::optimizer_config::adam(4e-4, 0.9, 0.999, 1e-8);
    const auto one = run(adam, 1);
    for (std::size_t threads : {2u, 3u}) {
        CAPTURE(threads);
        const auto split = run(adam, threads);
        CHECK(std::memcmp(one.first.data(), split.first.data(), n * sizeof(float)) == 0);
        CHECK(std::memcmp(one.second.m_w[0].data(), split.second.m_w[0].data(), n * sizeof(float)) == 0);
        CHECK(std::memcmp(one.second.v_w[0].data(), split.second.v_w[0].data(), n * sizeof(float)) == 0);
    }
    mi::set_num_threads(threads_before);
    for (std::size_t i : {std::size_t(0), std::size_t(32767), std::size_t(32768), std::size_t(65535),
                          std::size_t(65536), n - 1}) {
        eng::network<float> alone(one_layer(1, 1), 1);
        auto ws1 = alone.make_workspace(1);
        eng::optimizer<float> opt1(adam, alone);
        alone.at(0).w[0] = w0[i];
        ws1.grad_w[0][0] = g0[i];
        ws1.grad_b[0][0] = 0.0f;
        opt1.step(alone, ws1);
        opt1.step(alone, ws1);
        CAPTURE(i);
        CHECK(std::memcmp(&alone.at(0).w[0], &one.first[i], sizeof(float)) == 0);
    }
}

TEST_CASE("train_biases = false keeps the biases and moves the weights as before") {
    eng::network_config cfg;
    cfg.inputs = 2;
    cfg.hidden = {3};
    cfg.outputs = 2;
    cfg.hidden_init = eng::init_spec::pytorch_default();  // nonzero biases, so keeping them is visible
    for (const bool adam : {false, true}) {
        eng::network<double> frozen(cfg, 5), trained(cfg, 5);
        auto ws = frozen.make_workspace(1);
        ws.input = {0.5, -1.5};
        frozen.forward(ws, 1);
        std::vector<std::uint32_t> label{0};
        frozen.loss(ws, {label.data(), nullptr}, true);
        auto c = adam ? eng::optimizer_config::adam(0.01) : eng::optimizer_config::sgd(0.1);
        eng::optimizer<double>(c, trained).step(trained, ws);
        c.train_biases = false;
        const auto b0 = frozen.at(0).b, b1 = frozen.at(1).b;
        eng::optimizer<double>(c, frozen).step(frozen, ws);
        CHECK(frozen.at(0).b == b0);
        CHECK(frozen.at(1).b == b1);
        CHECK(trained.at(0).b != b0);  // the same step with biases trained moves them
        for (std::size_t l = 0; l < 2; ++l) CHECK(frozen.at(l).w == trained.at(l).w);
    }
}

TEST_CASE("momentum SGD on a constant gradient: the velocity's geometric sum") {
    // With g fixed, b_t = g (1 - mu^t) / (1 - mu) and w_t = w_0 - lr sum_{s <= t} b_s.
    eng::network_config cfg;
    cfg.inputs = 3;
    cfg.hidden = {};
    cfg.outputs = 2;
    eng::network<double> net(cfg, 1);
    const auto w0 = net.at(0).w, b0 = net.at(0).b;
    auto ws = net.make_workspace(1);
    const std::vector<double> g{0.5, -1.25, 2.0, 0.0, -0.75, 3.0}, gb{1.0, -0.5};
    ws.grad_w[0] = g;
    ws.grad_b[0] = gb;
    const double lr = 0.1, mu = 0.9;
    eng::optimizer<double> opt(eng::optimizer_config::sgd(lr, mu), net);
    double travelled = 0.0;  // sum over steps of (1 - mu^s) / (1 - mu)
    for (int t = 1; t <= 25; ++t) {
        opt.step(net, ws);
        travelled += (1.0 - std::pow(mu, t)) / (1.0 - mu);
        CAPTURE(t);
        for (std::size_t i = 0; i < g.size(); ++i) CHECK(net.at(0).w[i] == doctest::Approx(w0[i] - lr * g[i] * travelled).epsilon(1e-12));
        for (std::size_t i = 0; i < gb.size(); ++i) CHECK(net.at(0).b[i] == doctest::Approx(b0[i] - lr * gb[i] * travelled).epsilon(1e-12));
        const auto state = opt.get_state();
        CHECK(state.m_w[0][1] == doctest::Approx(g[1] * (1.0 - std::pow(mu, t)) / (1.0 - mu)).epsilon(1e-12));
    }
    // (166.5 lr g after 25 steps, where plain SGD moves 25 lr g: a missing velocity fails every step from t = 2)
}

TEST_CASE("momentum SGD resumed from its saved state takes the same steps") {
    eng::network_config cfg;
    cfg.inputs = 3;
    cfg.hidden = {4};
    cfg.outputs = 2;
    eng::dataset<float> data;
    data.d = 3;
    data.n = 10;
    data.classes = 2;
    for (std::size_t i = 0; i < data.n; ++i) {
        for (std::size_t j = 0; j < 3; ++j) data.x.push_back(static_cast<float>(std::sin(1.0 + 3.0 * i + j)));
        data.labels.push_back(static_cast<std::uint32_t>(i % 2));
    }
    eng::train_options o;
    o.epochs = 4;
    o.batch_size = 3;
    o.optimizer = eng::optimizer_config::sgd(0.05, 0.9);
    o.metrics_every_epoch = false;
    o.gradient_stats = false;
    eng::null_recorder none;
    eng::network<float> straight(cfg, 3), resumed(cfg, 3);
    eng::train(straight, data, data, none, o);
    eng::train_progress<float> progress;
    const eng::dataset<float>* no_test = nullptr;
    const eng::epoch_boundary<float> stop_after_two = [](const eng::network<float>&, const eng::train_progress<float>& p) {
        return p.next_epoch == 2;
    };
    eng::train_from(resumed, data, no_test, data, none, o, progress, stop_after_two);
    REQUIRE(progress.next_epoch == 2);
    REQUIRE(progress.optimizer.m_w.size() == 2);  // the velocity is saved with the progress
    eng::train_from(resumed, data, no_test, data, none, o, progress);
    for (std::size_t l = 0; l < 2; ++l) CHECK(std::memcmp(straight.at(l).w.data(), resumed.at(l).w.data(),
                                                          straight.at(l).w.size() * sizeof(float)) == 0);
    // a plain SGD's state (no velocity) is refused by a momentum optimizer
    eng::optimizer<float> plain(eng::optimizer_config::sgd(0.05), straight);
    eng::optimizer<float> heavy(o.optimizer, straight);
    CHECK_THROWS_AS(heavy.restore(plain.get_state()), mi::error);
}

TEST_CASE("bad optimizer settings are rejected") {
    eng::network_config cfg;
    eng::network<float> net(cfg, 0);
    CHECK_THROWS_AS(eng::optimizer<float>(eng::optimizer_config::sgd(0.0), net), mi::error);
    CHECK_THROWS_AS(eng::optimizer<float>(eng::optimizer_config::adam(1e-3, 1.0), net), mi::error);
    CHECK_THROWS_AS(eng::optimizer<float>(eng::optimizer_config::adam(1e-3, 0.9, 0.999, 0.0), net), mi::error);
    auto c = eng::optimizer_config::sgd(0.1);
    c.weight_decay = -1;
    CHECK_THROWS_AS(eng::optimizer<float>(c, net), mi::error);
    for (const double mu : {-0.1, 1.0, std::nan("")})
        CHECK_THROWS_WITH_AS(eng::optimizer<float>(eng::optimizer_config::sgd(0.1, mu), net),
                             doctest::Contains("momentum"), mi::error);
    auto adam = eng::optimizer_config::adam(1e-3);
    adam.momentum = 0.5;
    CHECK_THROWS_WITH_AS(eng::optimizer<float>(adam, net), doctest::Contains("beta1"), mi::error);
}

}  // namespace test_engine_optimizer
