// SPDX-License-Identifier: BSD-3-Clause
// examples/engine/network.hpp: the gradient of the batch loss with respect to
// every weight and bias against central finite differences (double), for
// several activations, every loss, the hand-loop and the BLAS path; the
// initialisations' ranges and spreads; seeding; bad configurations.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "engine/network.hpp"
#include "mi/core/parallel.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_engine_network {

namespace eng = mi_examples::engine;

namespace {

struct problem {
    std::vector<double> x;  // inputs x batch (feature-major)
    std::vector<std::uint32_t> labels;
    std::vector<double> targets;  // outputs x batch
    std::size_t batch = 6;
};

problem make_problem(std::size_t inputs, std::size_t outputs, std::size_t batch) {
    problem p;
    p.batch = batch;
    p.x.resize(inputs * batch);
    for (std::size_t i = 0; i < p.x.size(); ++i) p.x[i] = std::sin(0.9 * static_cast<double>(i) + 0.2);
    for (std::size_t b = 0; b < batch; ++b) p.labels.push_back(static_cast<std::uint32_t>((b * 7 + 1) % outputs));
    p.targets.resize(outputs * batch);
    for (std::size_t i = 0; i < p.targets.size(); ++i) p.targets[i] = 0.5 * std::cos(1.1 * static_cast<double>(i));
    return p;
}

double batch_loss(const eng::network<double>& net, eng::workspace<double>& ws, const problem& p, bool dense) {
    std::copy(p.x.begin(), p.x.end(), ws.input.begin());
    net.forward(ws, p.batch);
    eng::batch_targets<double> y{dense ? nullptr : p.labels.data(), dense ? p.targets.data() : nullptr};
    return net.loss(ws, y, false) / static_cast<double>(p.batch);
}

void check_network_gradient(eng::network_config c, bool dense, std::size_t batch = 6) {
    eng::network<double> net(c, 7);
    const problem p = make_problem(c.inputs, c.outputs, batch);
    auto ws = net.make_workspace(p.batch);
    std::copy(p.x.begin(), p.x.end(), ws.input.begin());
    net.forward(ws, p.batch);
    eng::batch_targets<double> y{dense ? nullptr : p.labels.data(), dense ? p.targets.data() : nullptr};
    net.loss(ws, y, true);
    const auto grad_w = ws.grad_w;
    const auto grad_b = ws.grad_b;
    const double h = 1e-6;
    auto ws2 = net.make_workspace(p.batch);
    for (std::size_t l = 0; l < net.num_layers(); ++l) {
        for (int which = 0; which < 2; ++which) {
            auto& v = which == 0 ? net.at(l).w : net.at(l).b;
            for (std::size_t i = 0; i < v.size(); ++i) {
                const double keep = v[i];
                v[i] = keep + h;
                const double lp = batch_loss(net, ws2, p, dense);
                v[i] = keep - h;
                const double lm = batch_loss(net, ws2, p, dense);
                v[i] = keep;
                const double fd = (lp - lm) / (2 * h);
                const double an = which == 0 ? grad_w[l][i] : grad_b[l][i];
                CAPTURE(l);
                CAPTURE(which);
                CAPTURE(i);
                CHECK(an == doctest::Approx(fd).epsilon(1e-5).scale(1e-4));
            }
        }
    }
}

}  // namespace

TEST_CASE("network gradients match finite differences: every hidden activation, softmax output") {
    for (auto act : {eng::activation::tanh(), eng::activation::relu(), eng::activation::sigmoid(),
                     eng::activation::softsign(), eng::activation::softplus(), eng::activation::centered_softplus(),
                     eng::activation::leaky_relu(0.1), eng::activation::linear(), eng::activation::hardtanh(),
                     eng::activation::elu(1.0), eng::activation::swish()}) {
        eng::network_config c;
        c.inputs = 4;
        c.hidden = {5, 3};
        c.outputs = 3;
        c.hidden_activation = act;
        c.hidden_init = eng::init_spec::truncated_normal_fan_in(1.0);
        CAPTURE(act.name());
        check_network_gradient(c, false);
    }
}

TEST_CASE("network gradients match finite differences: sigmoid and mse outputs, mixed layers") {
    eng::network_config c;
    c.inputs = 3;
    c.hidden = {4, 4, 2};
    c.hidden_activations = {eng::activation::tanh(), eng::activation::elu(0.5), eng::activation::swish()};
    c.outputs = 2;
    c.output = eng::output_spec::sigmoid();
    check_network_gradient(c, false);
    check_network_gradient(c, true);
    c.output = eng::output_spec::mse(eng::activation::tanh());
    check_network_gradient(c, true);
    c.hidden = {};
    c.hidden_activations = {};
    check_network_gradient(c, true);  // no hidden layer: a linear model
}

TEST_CASE("network gradients match finite differences on the BLAS path") {
    eng::network_config c;
    c.inputs = 6;
    c.hidden = {5, 4};
    c.outputs = 3;
    c.blas_threshold = 1;  // every product through cblas_dgemm (if available)
    check_network_gradient(c, false, 9);
}

TEST_CASE("BLAS and hand-loop paths agree") {
    eng::network_config c;
    c.inputs = 12;
    c.hidden = {10, 7};
    c.outputs = 2;
    eng::network<double> a(c, 3);
    c.blas_threshold = 1;
    eng::network<double> b(c, 3);
    const problem p = make_problem(12, 2, 37);
    auto wa = a.make_workspace(37), wb = b.make_workspace(37);
    for (auto* w : {&wa, &wb}) std::copy(p.x.begin(), p.x.end(), w->input.begin());
    a.forward(wa, 37);
    b.forward(wb, 37);
    a.loss(wa, {p.labels.data(), nullptr}, true);
    b.loss(wb, {p.labels.data(), nullptr}, true);
    for (std::size_t l = 0; l < 3; ++l)
        for (std::size_t i = 0; i < wa.grad_w[l].size(); ++i)
            CHECK(wa.grad_w[l][i] == doctest::Approx(wb.grad_w[l][i]).epsilon(1e-12).scale(1e-12));
}

#if MI_ENGINE_USE_BLAS
TEST_CASE("BLAS products split over mi's threads: one call's bits for any thread count, on the MNIST layer's shapes") {
    // The three products of a 784 -> 1024 layer at batch 128 (forward, weight gradient, input
    // gradient), in float and as the engine calls them. Each is computed as one BLAS call (mi at one
    // thread), then split over 2 and 3 threads (parts start at multiples of 48 rows, 528 and 384 of
    // the 1024: OpenBLAS's Haswell/Zen SGEMM sums an element by its place in a 12-row tile, so parts
    // cut at 512 or 342 rows differed in the last bits there), then as one call inside a parallel
    // region (two side by side, as networks trained for the plane driver's points): every bit must
    // agree, and the one-call result must be the product, summed in double here, to float rounding
    // (which wrong offsets of a part would not be).
    // OpenBLAS runs single-threaded in every engine program (blas_threads.hpp).
    CHECK(eng::openblas_threads() <= 1);
    struct shape {
        CBLAS_TRANSPOSE ta, tb;
        int m, n, k;
    };
    const shape shapes[] = {{CblasNoTrans, CblasNoTrans, 1024, 128, 784},
                            {CblasNoTrans, CblasTrans, 1024, 784, 128},
                            {CblasTrans, CblasNoTrans, 784, 128, 1024}};
    const std::size_t threads_before = mi::num_threads();
    for (const shape& s : shapes) {
        CAPTURE(s.m);
        CAPTURE(s.n);
        CAPTURE(s.k);
        const int lda = s.ta == CblasNoTrans ? s.k : s.m, ldb = s.tb == CblasNoTrans ? s.n : s.k;
        std::vector<float> a(std::size_t(s.m) * std::size_t(s.k)), b(std::size_t(s.k) * std::size_t(s.n));
        for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(std::sin(0.37 * double(i) + 0.1));
        for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>(std::cos(0.71 * double(i)));
        auto product = [&](std::size_t threads) {
            mi::set_num_threads(threads);
            std::vector<float> c(std::size_t(s.m) * std::size_t(s.n), 0.5f);
            eng::detail::gemm(s.ta, s.tb, s.m, s.n, s.k, a.data(), lda, b.data(), ldb, 1.0f, c.data(), s.n);
            return c;
        };
        const auto one = product(1);
        for (std::size_t threads : {2u, 3u}) {
            CAPTURE(threads);
            const auto split = product(threads);
            CHECK(std::memcmp(one.data(), split.data(), one.size() * sizeof(float)) == 0);
        }
        mi::set_num_threads(2);
        std::vector<float> side[2];
        mi::parallel_for(2, [&](std::size_t i) {
            side[i].assign(one.size(), 0.5f);
            eng::detail::gemm(s.ta, s.tb, s.m, s.n, s.k, a.data(), lda, b.data(), ldb, 1.0f, side[i].data(), s.n);
        });
        for (const auto& c : side) CHECK(std::memcmp(one.data(), c.data(), one.size() * sizeof(float)) == 0);
        auto at_a = [&](int r, int i) { return double(s.ta == CblasNoTrans ? a[std::size_t(r) * lda + i] : a[std::size_t(i) * lda + r]); };
        auto at_b = [&](int i, int c) { return double(s.tb == CblasNoTrans ? b[std::size_t(i) * ldb + c] : b[std::size_t(c) * ldb + i]); };
        std::size_t off = 0;
        for (int r = 0; r < s.m; r += 37)
            for (int c = 0; c < s.n; c += 11) {
                double ref = 0.5, mag = 0.5;
                for (int i = 0; i < s.k; ++i) {
                    ref += at_a(r, i) * at_b(i, c);
                    mag += std::abs(at_a(r, i) * at_b(i, c));
                }
                off += std::abs(double(one[std::size_t(r) * s.n + c]) - ref) > 1e-5 * mag;
            }
        CHECK(off == 0);
    }
    mi::set_num_threads(threads_before);
}
#endif

TEST_CASE("initialisations: ranges, spreads and seeding") {
    eng::network_config c;
    c.inputs = 400;
    c.hidden = {100};
    c.outputs = 50;
    auto stats = [](const std::vector<float>& v) {
        double m = 0, s = 0, mx = 0;
        for (float x : v) {
            m += x;
            mx = std::max(mx, std::abs(double(x)));
        }
        m /= double(v.size());
        for (float x : v) s += (x - m) * (x - m);
        return std::make_pair(std::sqrt(s / double(v.size())), mx);
    };
    // Truncated normal: |w| <= 2 sigma; std of N(0,1) truncated at 2 is 0.8796.
    c.hidden_init = eng::init_spec::truncated_normal_fan_in(1.0);
    {
        eng::network<float> n(c, 1);
        const double sigma = 1.0 / std::sqrt(400.0);
        auto [sd, mx] = stats(n.at(0).w);
        CHECK(mx <= 2 * sigma * (1 + 1e-6));
        CHECK(sd == doctest::Approx(0.8796 * sigma).epsilon(0.03));
        CHECK(std::all_of(n.at(0).b.begin(), n.at(0).b.end(), [](float b) { return b == 0.0f; }));
    }
    c.hidden_init = eng::init_spec::truncated_normal_fan_out(1.0);
    {
        eng::network<float> n(c, 1);
        auto [sd, mx] = stats(n.at(0).w);
        CHECK(mx <= 2 * 0.1 * (1 + 1e-6));
        CHECK(sd == doctest::Approx(0.8796 * 0.1).epsilon(0.03));
    }
    c.hidden_init = eng::init_spec::glorot_uniform();
    {
        eng::network<float> n(c, 1);
        const double lim = std::sqrt(6.0 / 500.0);
        auto [sd, mx] = stats(n.at(0).w);
        CHECK(mx <= lim);
        CHECK(sd == doctest::Approx(lim / std::sqrt(3.0)).epsilon(0.03));
    }
    c.hidden_init = eng::init_spec::he_normal();
    {
        eng::network<float> n(c, 1);
        CHECK(stats(n.at(0).w).first == doctest::Approx(std::sqrt(2.0 / 400.0)).epsilon(0.03));
    }
    c.hidden_init = eng::init_spec::pytorch_default();
    {
        eng::network<float> n(c, 1);
        const double lim = 1.0 / 20.0;
        CHECK(stats(n.at(0).w).second <= lim);
        CHECK(stats(n.at(0).b).second <= lim);
        CHECK(stats(n.at(0).b).first > 0.0);
        CHECK(stats(n.at(0).w).first == doctest::Approx(lim / std::sqrt(3.0)).epsilon(0.03));
        // output layer: fan_in = 100
        CHECK(stats(n.at(1).w).second <= 0.1);
    }
    c.hidden_init = eng::init_spec::truncated_normal_fan_out(1.0);
    c.output_init = eng::init_spec::zeros();
    {
        eng::network<float> a(c, 5), b(c, 5), d(c, 6);
        CHECK(a.at(0).w == b.at(0).w);
        CHECK(a.at(0).w != d.at(0).w);
        CHECK(std::all_of(a.at(1).w.begin(), a.at(1).w.end(), [](float w) { return w == 0.0f; }));
        a.initialize(6);
        CHECK(a.at(0).w == d.at(0).w);
    }
}

TEST_CASE("explicit weights and bad configurations") {
    eng::network_config c;
    c.inputs = 2;
    c.hidden = {2};
    c.outputs = 2;
    eng::network<double> n(c, 0);
    n.set_layer(0, {1, 2, 3, 4}, {0.5, -0.5});
    auto ws = n.make_workspace(1);
    ws.input = {1.0, -1.0};
    n.forward(ws, 1);
    CHECK(ws.z[0][0] == doctest::Approx(-0.5));   // 1*1 + 2*(-1) + 0.5
    CHECK(ws.z[0][1] == doctest::Approx(-1.5));   // 3 - 4 - 0.5
    CHECK(ws.a[0][0] == doctest::Approx(std::tanh(-0.5)));
    CHECK(ws.a[1][0] + ws.a[1][1] == doctest::Approx(1.0));  // softmax probabilities
    CHECK_THROWS_AS(n.set_layer(0, {1, 2, 3}, {0, 0}), mi::error);
    CHECK_THROWS_AS(n.set_layer(0, {1, 2, 3, 4}, {0}), mi::error);
    CHECK_THROWS_AS(n.set_layer(2, {1, 2, 3, 4}, {0, 0}), mi::error);
    CHECK_THROWS_AS(n.forward(ws, 2), mi::error);
    CHECK_THROWS_AS(n.forward(ws, 0), mi::error);
    auto bad = c;
    bad.hidden = {3, 0};
    CHECK_THROWS_AS(eng::network<double>(bad, 0), mi::error);
    bad = c;
    bad.noise_std = -1;
    CHECK_THROWS_AS(eng::network<double>(bad, 0), mi::error);
    bad = c;
    bad.hidden_activations = {eng::activation::relu(), eng::activation::relu()};
    CHECK_THROWS_AS(eng::network<double>(bad, 0), mi::error);
    bad = c;
    bad.inputs = 0;
    CHECK_THROWS_AS(eng::network<double>(bad, 0), mi::error);
}

TEST_CASE("noise after the hidden nonlinearity: seeded, absent without an rng") {
    eng::network_config c;
    c.inputs = 3;
    c.hidden = {4};
    c.outputs = 2;
    c.noise_std = 0.5;
    eng::network<double> n(c, 1);
    auto ws = n.make_workspace(5);
    for (std::size_t i = 0; i < 15; ++i) ws.input[i] = 0.1 * double(i);
    n.forward(ws, 5);
    CHECK(ws.a[0] == ws.clean[0]);
    mi::rng g1(9), g2(9);
    n.forward(ws, 5, &g1);
    const auto noisy = ws.a[0];
    double diff = 0;
    for (std::size_t i = 0; i < 20; ++i) diff += std::abs(noisy[i] - ws.clean[0][i]);
    CHECK(diff > 0.5);
    n.forward(ws, 5, &g2);
    CHECK(ws.a[0] == noisy);
    // The gradient uses the derivative at the clean output: FD with the same noise draws.
    std::vector<std::uint32_t> labels{0, 1, 1, 0, 1};
    mi::rng g3(4);
    n.forward(ws, 5, &g3);
    n.loss(ws, {labels.data(), nullptr}, true);
    const double an = ws.grad_w[0][2];
    const double h = 1e-6;
    auto loss_at = [&](double delta) {
        n.at(0).w[2] += delta;
        mi::rng g(4);
        auto w2 = n.make_workspace(5);
        w2.input = ws.input;
        n.forward(w2, 5, &g);
        const double l = n.loss(w2, {labels.data(), nullptr}, false) / 5.0;
        n.at(0).w[2] -= delta;
        return l;
    };
    CHECK(an == doctest::Approx((loss_at(h) - loss_at(-h)) / (2 * h)).epsilon(1e-5));
}

TEST_CASE("backward_from: the gradients of any objective of the output pre-activations, by finite differences") {
    // a variational critic's tower (examples/engine/variational.hpp): tanh hidden layers, linear output
    eng::network_config c;
    c.inputs = 2;
    c.hidden = {5, 4};
    c.outputs = 3;
    c.hidden_activation = eng::activation::tanh();
    c.output = eng::output_spec::mse(eng::activation::linear());
    c.hidden_init = eng::init_spec::pytorch_default();
    eng::network<float> net(c, 3);
    const std::size_t B = 4;
    auto ws = net.make_workspace(B);
    const std::vector<float> input = {0.3f, -1.2f, 0.7f, 2.0f, -0.4f, 0.1f, 1.5f, -0.9f};
    const std::vector<float> weight = {0.2f, -0.7f, 1.1f, 0.4f, -0.3f, 0.9f, 0.5f, -1.3f, 0.8f, 0.6f, -0.2f, 0.1f};
    // loss = sum_{c,b} weight[c*B+b] * z_out[c*B+b], so d loss / d z_out = weight
    const auto loss = [&](eng::network<float>& n) {
        auto w = n.make_workspace(B);
        std::copy(input.begin(), input.end(), w.input.begin());
        n.forward(w, B);
        double s = 0.0;
        for (std::size_t q = 0; q < weight.size(); ++q) s += static_cast<double>(weight[q]) * w.z.back()[q];
        return s;
    };
    std::copy(input.begin(), input.end(), ws.input.begin());
    net.forward(ws, B);
    std::copy(weight.begin(), weight.end(), ws.dz.back().begin());
    net.backward_from(ws);
    for (std::size_t l = 0; l < net.num_layers(); ++l)
        for (std::size_t q = 0; q < net.at(l).w.size(); ++q) {
            auto up = net, down = net;
            up.at(l).w[q] += 1e-2f;
            down.at(l).w[q] -= 1e-2f;
            const double numeric = (loss(up) - loss(down)) / 2e-2;
            CAPTURE(l);
            CAPTURE(q);
            CHECK(ws.grad_w[l][q] == doctest::Approx(numeric).epsilon(2e-2).scale(1.0));
        }
    for (std::size_t l = 0; l < net.num_layers(); ++l)
        for (std::size_t q = 0; q < net.at(l).b.size(); ++q) {
            auto up = net, down = net;
            up.at(l).b[q] += 1e-2f;
            down.at(l).b[q] -= 1e-2f;
            CHECK(ws.grad_b[l][q] == doctest::Approx((loss(up) - loss(down)) / 2e-2).epsilon(2e-2).scale(1.0));
        }
}

TEST_CASE("bias gradients: each row's sum over the batch in order from the first sample, bit for bit") {
    // The trainer's bits depend on this order (the engine sums eight rows side by side for speed): 19
    // output rows (two groups of eight and a rest of three), a batch of 37, values of mixed sign and
    // scale, so that another order would round differently. The gradient at the output is set
    // directly through backward_from.
    eng::network_config c;
    c.inputs = 3;
    c.hidden = {};
    c.outputs = 19;
    c.output = eng::output_spec::mse(eng::activation::linear());
    eng::network<float> net(c, 4);
    const std::size_t B = 37;
    auto ws = net.make_workspace(B);
    for (std::size_t q = 0; q < 3 * B; ++q) ws.input[q] = 0.01f * static_cast<float>(q % 11);
    net.forward(ws, B);
    std::vector<float>& dz = ws.dz.back();
    for (std::size_t q = 0; q < 19 * B; ++q)
        dz[q] = static_cast<float>(std::sin(0.7 * static_cast<double>(q)) * std::pow(10.0, static_cast<double>(q % 7) - 3.0));
    const std::vector<float> given = dz;
    net.backward_from(ws);
    for (std::size_t j = 0; j < 19; ++j) {
        float s = 0.0f;
        for (std::size_t b = 0; b < B; ++b) s += given[j * B + b];
        CAPTURE(j);
        CHECK(ws.grad_b[0][j] == s);
    }
    // the same sums in reverse order differ from the forward ones in at least one row: the check above
    // can tell the orders apart
    std::size_t differ = 0;
    for (std::size_t j = 0; j < 19; ++j) {
        float r = 0.0f;
        for (std::size_t b = B; b-- > 0;) r += given[j * B + b];
        differ += r != ws.grad_b[0][j];
    }
    CHECK(differ > 0);
}

TEST_CASE("forward_from and backward_to: the full pass's numbers from a first layer computed by the caller") {
    // the joint critic of variational.hpp computes its first layer itself; the other layers' pass from
    // there must be the full pass's, bit for bit (the full pass is checked by finite differences above)
    eng::network_config c;
    c.inputs = 3;
    c.hidden = {6, 5, 4};
    c.outputs = 2;
    c.hidden_activation = eng::activation::relu();
    c.output = eng::output_spec::mse(eng::activation::linear());
    c.hidden_init = eng::init_spec::pytorch_default();
    const eng::network<float> net(c, 11);
    const std::size_t B = 37;  // not a multiple of any SIMD width: the kernels' edges too
    mi::rng r(5);
    auto full = net.make_workspace(B);
    for (auto& x : full.input) x = static_cast<float>(r.normal());
    net.forward(full, B);
    std::vector<float> dz_out(full.dz.back().size());
    for (auto& x : dz_out) x = static_cast<float>(r.normal());
    std::copy(dz_out.begin(), dz_out.end(), full.dz.back().begin());
    net.backward_from(full);
    for (std::size_t first = 1; first < net.num_layers(); ++first) {
        CAPTURE(first);
        auto ws = net.make_workspace(B);  // its input stays 0: only a[first - 1] may be read
        ws.a[first - 1] = full.a[first - 1];
        ws.z[first - 1] = full.z[first - 1];
        net.forward_from(ws, B, first);
        CHECK(ws.z.back() == full.z.back());
        std::copy(dz_out.begin(), dz_out.end(), ws.dz.back().begin());
        for (std::size_t l = 0; l < first; ++l) {  // what backward_to must leave alone
            std::fill(ws.grad_w[l].begin(), ws.grad_w[l].end(), 7.0f);
            if (l + 1 < first) std::fill(ws.dz[l].begin(), ws.dz[l].end(), 7.0f);
        }
        net.backward_to(ws, first);
        for (std::size_t l = first; l < net.num_layers(); ++l) {
            CHECK(ws.grad_w[l] == full.grad_w[l]);
            CHECK(ws.grad_b[l] == full.grad_b[l]);
        }
        CHECK(ws.dz[first - 1] == full.dz[first - 1]);
        for (std::size_t l = 0; l < first; ++l) {
            CHECK(ws.grad_w[l] == std::vector<float>(net.at(l).w.size(), 7.0f));
            if (l + 1 < first) CHECK(ws.dz[l] == std::vector<float>(ws.dz[l].size(), 7.0f));
        }
    }
    auto ws = net.make_workspace(B);
    CHECK_THROWS_AS(net.forward_from(ws, B, net.num_layers()), mi::error);
    CHECK_THROWS_AS(net.backward_to(ws, 0), mi::error);
    CHECK_THROWS_AS(net.backward_to(ws, net.num_layers()), mi::error);
}

TEST_CASE("streamed_products: dz a^T as one running sum per entry, whatever the tile") {
    // shapes: tiles of 8 and 4 rows and single rows, 1-4 SIMD chunks with a padded last one, and
    // batches longer than one transposed chunk (E = 24 KB / padded row) with a partial last chunk
    struct shape {
        std::size_t rx, ry, n;
    };
    for (const shape sh : {shape{24, 30, 1000}, shape{19, 64, 777}, shape{3, 5, 40}, shape{16, 1, 300},
                           shape{33, 70, 2500}}) {
        CAPTURE(sh.rx);
        CAPTURE(sh.ry);
        CAPTURE(sh.n);
        std::vector<float> x(sh.rx * sh.n), y(sh.ry * sh.n), out(sh.rx * sh.ry), row(sh.ry), scratch;
        mi::rng r(sh.rx + 100 * sh.ry);
        for (auto& v : x) v = static_cast<float>(r.normal());
        for (auto& v : y) v = static_cast<float>(r.normal());
        eng::detail::streamed_products(x.data(), sh.rx, y.data(), sh.ry, sh.n, out.data(), sh.ry, scratch);
        std::size_t far = 0, other_bits = 0;
        for (std::size_t j = 0; j < sh.rx; ++j) {
            // the same row alone (a one-row tile): the same bits
            eng::detail::streamed_products(x.data() + j * sh.n, 1, y.data(), sh.ry, sh.n, row.data(), sh.ry, scratch);
            for (std::size_t i = 0; i < sh.ry; ++i) {
                double exact = 0.0, scale = 0.0;
                for (std::size_t e = 0; e < sh.n; ++e) {
                    exact += static_cast<double>(x[j * sh.n + e]) * y[i * sh.n + e];
                    scale += std::abs(static_cast<double>(x[j * sh.n + e]) * y[i * sh.n + e]);
                }
                // a float running sum: error below n ulps of the sum of magnitudes
                far += std::abs(out[j * sh.ry + i] - exact) > 1e-7 * static_cast<double>(sh.n) * scale;
                other_bits += out[j * sh.ry + i] != row[i];
            }
        }
        CHECK(far == 0);
        CHECK(other_bits == 0);
    }
}

TEST_CASE("weight_gradient::streamed: the paired sums' gradients to float rounding") {
    eng::network_config c;
    c.inputs = 20;
    c.hidden = {40, 18};  // 40 and 18 output rows take the streamed form, the 3-unit output layer not
    c.outputs = 3;
    c.hidden_activation = eng::activation::tanh();
    c.output = eng::output_spec::mse(eng::activation::linear());
    c.hidden_init = eng::init_spec::pytorch_default();
    const std::size_t B = 1100;
    std::vector<std::vector<float>> grads[2];
    mi::rng r(17);
    std::vector<float> input(c.inputs * B), dz_out(c.outputs * B);
    for (auto& v : input) v = static_cast<float>(r.normal());
    for (auto& v : dz_out) v = static_cast<float>(r.normal());
    for (const auto kind : {eng::weight_gradient::paired_dots, eng::weight_gradient::streamed}) {
        c.gradient_products = kind;
        const eng::network<float> net(c, 4);
        auto ws = net.make_workspace(B);
        std::copy(input.begin(), input.end(), ws.input.begin());
        net.forward(ws, B);
        std::copy(dz_out.begin(), dz_out.end(), ws.dz.back().begin());
        net.backward_from(ws);
        grads[kind == eng::weight_gradient::streamed] = ws.grad_w;
    }
    for (std::size_t l = 0; l < grads[0].size(); ++l) {
        CAPTURE(l);
        std::size_t off = 0, same = 0;
        for (std::size_t k = 0; k < grads[0][l].size(); ++k) {
            off += std::abs(grads[1][l][k] - grads[0][l][k]) > 1e-4f * (1.0f + std::abs(grads[0][l][k]));
            same += grads[1][l][k] == grads[0][l][k];
        }
        CHECK(off == 0);
        if (l + 1 == grads[0].size()) CHECK(same == grads[0][l].size());  // 3 rows: the paired sums themselves
    }
}

}  // namespace test_engine_network
