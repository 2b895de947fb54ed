// SPDX-License-Identifier: BSD-3-Clause
// examples/engine/quantization.hpp and the quantized path of network.hpp:
// TensorFlow's nudged k-bit grid against hand-worked ranges (and the formula
// of TF's documentation: for min <= 0 <= max, min_adj = scale round(min /
// scale), max_adj = max + min_adj - min), the straight-through mask, the
// moving-average range after one step, Keras' cross-entropy of quantized
// probabilities (closed form: with q = p and every unit passing, the gradient
// on the logits is (p - onehot) / batch), the network's outputs on at most
// 2^k values, the straight-through gradient converging to the float
// network's gradient as k grows, and bad configurations.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>
#include <vector>

#include "engine/network.hpp"
#include "engine/quantization.hpp"
#include "mi/core/error.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_engine_quantization {

namespace eng = mi_examples::engine;

TEST_CASE("nudged grid: 8 bits on [-1, 1] (hand-worked)") {
    // scale = 2/255; -min/scale = 127.5 rounds (half away from zero) to 128:
    // lo = -128 * 2/255, hi = 127 * 2/255.
    const auto g = eng::quant_grid<double>::nudged(-1.0, 1.0, 8);
    CHECK(g.scale == doctest::Approx(2.0 / 255.0));
    CHECK(g.lo == doctest::Approx(-256.0 / 255.0));
    CHECK(g.hi == doctest::Approx(254.0 / 255.0));
    // TF documentation's form of the same nudging
    CHECK(g.lo == doctest::Approx(g.scale * std::round(-1.0 / g.scale)));
    CHECK(g.hi == doctest::Approx(1.0 + g.lo - (-1.0)));
    CHECK(g(0.0) == 0.0);  // zero is a grid point
    CHECK(g(1.0) == doctest::Approx(254.0 / 255.0));  // clamped to hi
    CHECK(g(-2.0) == doctest::Approx(-256.0 / 255.0));
    CHECK(g(0.3) == doctest::Approx(2.0 / 255.0 * 38.0));  // 0.3 / (2/255) = 38.25 -> 38
    CHECK(g.passes(0.5));
    CHECK_FALSE(g.passes(0.999));  // above hi: the gradient stops
    CHECK_FALSE(g.passes(-1.01));
}

TEST_CASE("nudged grid: ranges that exclude zero are shifted to include it") {
    // 0 < min < max: TF's documentation gives min_adj = 0, max_adj = max - min.
    const auto g = eng::quant_grid<float>::nudged(0.5f, 2.5f, 4);
    CHECK(g.lo == doctest::Approx(0.0));
    CHECK(g.hi == doctest::Approx(2.0));
    CHECK(g.scale == doctest::Approx(2.0 / 15.0));
    // min < max < 0: min_adj = min - max, max_adj = 0
    const auto h = eng::quant_grid<float>::nudged(-3.0f, -1.0f, 4);
    CHECK(h.lo == doctest::Approx(-2.0));
    CHECK(h.hi == doctest::Approx(0.0));
    // a constant layer: the one-point grid
    const auto c = eng::quant_grid<float>::nudged(0.25f, 0.25f, 8);
    CHECK(c(7.0f) == 0.25f);
}

TEST_CASE("fake_quantize: at most 2^k values, each within scale/2 of its input inside the range") {
    std::vector<float> x(5000), q(5000);
    std::vector<std::uint8_t> pass(5000);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::tanh(0.002f * static_cast<float>(i) - 5.0f);
    const auto mm = eng::min_max(x.data(), x.size());
    for (unsigned bits : {2u, 4u, 8u}) {
        const auto g = eng::quant_grid<float>::nudged(mm.first, mm.second, bits);
        eng::fake_quantize(g, x.data(), q.data(), pass.data(), x.size());
        std::set<float> values(q.begin(), q.end());
        CHECK(values.size() <= (std::size_t(1) << bits));
        CHECK(values.size() >= (std::size_t(1) << bits) - 1);  // the data span the range
        for (std::size_t i = 0; i < x.size(); ++i)
            if (pass[i]) CHECK(std::abs(q[i] - x[i]) <= 0.5f * g.scale * 1.0001f);
    }
}

TEST_CASE("moving range: one step of TF's moving average") {
    eng::moving_range r;  // starts at [-6, 6]
    r.update(0.2, 0.9, 0.999);  // min(0.2, 0) = 0 and max(0.9, 0) = 0.9
    CHECK(r.lo == doctest::Approx(-6.0 + 0.001 * 6.0));
    CHECK(r.hi == doctest::Approx(6.0 - 0.001 * (6.0 - 0.9)));
}

TEST_CASE("quantized_softmax_loss: with q = p and every unit passing it is softmax cross-entropy") {
    // p: 3 classes x 2 samples (feature-major); labels 2 and 0.
    const std::size_t k = 3, batch = 2;
    const std::vector<double> p{0.2, 0.5, 0.3, 0.1, 0.5, 0.4};  // sample 0: .2 .3 .5; sample 1: .5 .1 .4
    const std::vector<std::uint8_t> pass(k * batch, 1);
    const std::uint32_t labels[] = {2, 0};
    std::vector<double> dz(k * batch);
    std::size_t correct = 0;
    const double loss = eng::quantized_softmax_loss(p.data(), p.data(), pass.data(), dz.data(), k, batch, labels, &correct);
    CHECK(loss == doctest::Approx(-std::log(0.5) - std::log(0.5)));
    CHECK(correct == 2);
    const double onehot[] = {0, 1, 0, 0, 1, 0};  // [class * batch + b]
    for (std::size_t i = 0; i < k * batch; ++i) CHECK(dz[i] == doctest::Approx((p[i] - onehot[i]) / 2.0));
    // a unit whose quantizer clamped passes no gradient through itself
    std::vector<std::uint8_t> blocked = pass;
    blocked[2 * batch + 0] = 0;  // class 2 of sample 0 (the true class)
    eng::quantized_softmax_loss(p.data(), p.data(), blocked.data(), dz.data(), k, batch, labels, nullptr);
    // by hand: S = 1, dL/dq = (1, 1, 1 - 1/p_y) through the normalisation, the blocked unit's set to 0:
    // g = (1, 1, 0); dz_i = p_i (g_i - sum_j p_j g_j) / batch with p = (.2, .3, .5), sum = .5
    CHECK(dz[0 * batch] == doctest::Approx(0.2 * 0.5 / 2));
    CHECK(dz[1 * batch] == doctest::Approx(0.3 * 0.5 / 2));
    CHECK(dz[2 * batch] == doctest::Approx(0.5 * -0.5 / 2));
    // a true-class probability quantized to 0 is clipped at 1e-7 (Keras), with no gradient
    const std::vector<double> q0{0.0, 0.5, 0.5, 0.1, 0.5, 0.4};
    const std::uint32_t first[] = {0, 0};
    const double l0 = eng::quantized_softmax_loss(p.data(), q0.data(), pass.data(), dz.data(), k, batch, first, nullptr);
    CHECK(l0 == doctest::Approx(-std::log(1e-7) - std::log(0.5)));
}

namespace {

eng::network_config small_tanh(unsigned bits) {
    eng::network_config c;
    c.inputs = 4;
    c.hidden = {5, 3};
    c.outputs = 2;
    c.hidden_activation = eng::activation::tanh();
    c.hidden_init = eng::init_spec::glorot_uniform();
    c.quantization = eng::quantization_config::k_bit(bits);
    return c;
}

void fill(eng::workspace<double>& ws, std::size_t inputs, std::size_t batch) {
    for (std::size_t i = 0; i < inputs * batch; ++i) ws.input[i] = std::sin(1.3 * static_cast<double>(i) + 0.4);
}

}  // namespace

TEST_CASE("quantized network: every layer's output takes at most 2^k values; weights of tanh layers stay float") {
    for (const char* act : {"tanh", "relu"}) {
        auto c = small_tanh(4);
        c.hidden_activation = eng::activation::parse(act);
        eng::network<double> net(c, 3);
        const std::size_t batch = 64;
        auto ws = net.make_workspace(batch);
        fill(ws, c.inputs, batch);
        net.forward(ws, batch);
        for (std::size_t l = 0; l < net.num_layers(); ++l) {
            std::set<double> values(ws.a[l].begin(), ws.a[l].begin() + static_cast<std::ptrdiff_t>(net.at(l).out * batch));
            CHECK(values.size() <= 16);
            CHECK(values.size() >= 2);
        }
        // layer 0's pre-activations: float weights in a tanh layer, weights on their own 4-bit grid
        // [min(W, 0), max(W, 0)] in a ReLU layer (computed here from the layer's float weights)
        const auto& L = net.at(0);
        const auto wmm = eng::min_max(L.w.data(), L.w.size());
        const auto wg = eng::quant_grid<double>::nudged(std::min(wmm.first, 0.0), std::max(wmm.second, 0.0), 4);
        const bool float_weights = std::string(act) == "tanh";
        for (std::size_t j = 0; j < L.out; ++j)
            for (std::size_t b = 0; b < batch; ++b) {
                double z = L.b[j];
                for (std::size_t i = 0; i < L.in; ++i)
                    z += (float_weights ? L.w[j * L.in + i] : wg(L.w[j * L.in + i])) * ws.input[i * batch + b];
                CHECK(ws.z[0][j * batch + b] == doctest::Approx(z).epsilon(1e-12));
            }
        // the tanh layers' quantizer uses the batch's own range: its extremes are grid ends
        if (std::string(act) == "tanh") {
            const auto mm = eng::min_max(ws.pre_quant[0].data(), net.at(0).out * batch);
            const auto g = eng::quant_grid<double>::nudged(mm.first, mm.second, 4);
            for (std::size_t i = 0; i < net.at(0).out * batch; ++i) CHECK(ws.a[0][i] == g(ws.pre_quant[0][i]));
        }
    }
}

TEST_CASE("quantized network: the straight-through gradient tends to the float gradient as k grows") {
    // With 16 bits the quantizers move values by < 1e-4 (output range [-6, 6]: scale 12 / 65535), so the
    // straight-through gradient must agree with the unquantized network's exact gradient, except that
    // the extreme element of a batch-range grid (and the extreme weight) can fall just outside the
    // nudged grid and pass no gradient (as in TensorFlow): over a batch of 256 that is a small part.
    for (const char* act : {"tanh", "relu"}) {
        auto qc = small_tanh(16);
        qc.hidden_activation = eng::activation::parse(act);
        auto fc = qc;
        fc.quantization = eng::quantization_config{};
        eng::network<double> qnet(qc, 11), fnet(fc, 11);
        const std::size_t batch = 256;
        auto qws = qnet.make_workspace(batch), fws = fnet.make_workspace(batch);
        fill(qws, qc.inputs, batch);
        fill(fws, fc.inputs, batch);
        std::vector<std::uint32_t> labels(batch);
        for (std::size_t b = 0; b < batch; ++b) labels[b] = static_cast<std::uint32_t>(b % 2);
        eng::batch_targets<double> y{labels.data(), nullptr};
        qnet.forward(qws, batch);
        fnet.forward(fws, batch);
        const double ql = qnet.loss(qws, y, true), fl = fnet.loss(fws, y, true);
        CHECK(ql == doctest::Approx(fl).epsilon(1e-3));
        double diff2 = 0.0, norm2 = 0.0;
        for (std::size_t l = 0; l < qnet.num_layers(); ++l)
            for (std::size_t i = 0; i < qws.grad_w[l].size(); ++i) {
                if (!qws.w_pass[l][i]) {  // the weight fell outside the nudged grid: no gradient reaches it
                    CHECK(qws.grad_w[l][i] == 0.0);
                    continue;
                }
                diff2 += (qws.grad_w[l][i] - fws.grad_w[l][i]) * (qws.grad_w[l][i] - fws.grad_w[l][i]);
                norm2 += fws.grad_w[l][i] * fws.grad_w[l][i];
            }
        CHECK(std::sqrt(diff2 / norm2) < 0.01);
        // and with 4 bits the gradient is visibly another one (the check above can fail)
        auto coarse = qc;
        coarse.quantization.bits = 4;
        eng::network<double> cnet(coarse, 11);
        auto cws = cnet.make_workspace(batch);
        fill(cws, qc.inputs, batch);
        cnet.forward(cws, batch);
        cnet.loss(cws, y, true);
        double cdiff2 = 0.0;
        for (std::size_t l = 0; l < cnet.num_layers(); ++l)
            for (std::size_t i = 0; i < cws.grad_w[l].size(); ++i)
                if (qws.w_pass[l][i] && cws.w_pass[l][i])
                    cdiff2 += (cws.grad_w[l][i] - fws.grad_w[l][i]) * (cws.grad_w[l][i] - fws.grad_w[l][i]);
        CHECK(cdiff2 > diff2);
        // one training step moved the output layer's moving-average range toward [0, max p]
        const auto& r = qnet.quantization_ranges();
        REQUIRE(r.size() == qnet.num_layers());
        CHECK(r.back().lo == doctest::Approx(-6.0 * 0.999));
        CHECK(r.back().hi < 6.0);
    }
}

TEST_CASE("quantized network: bad configurations") {
    auto c = small_tanh(1);
    CHECK_THROWS_AS(eng::network<double>(c, 1), mi::error);
    c = small_tanh(8);
    c.noise_std = 0.1;
    CHECK_THROWS_AS(eng::network<double>(c, 1), mi::error);
    c = small_tanh(8);
    c.output = eng::output_spec::sigmoid();
    c.outputs = 1;
    CHECK_THROWS_AS(eng::network<double>(c, 1), mi::error);
    c = small_tanh(8);
    c.quantization.ema_decay = 1.0;
    CHECK_THROWS_AS(eng::network<double>(c, 1), mi::error);
}

}  // namespace test_engine_quantization
