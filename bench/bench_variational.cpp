// SPDX-License-Identifier: BSD-3-Clause
// Times the variational MI estimators of examples/engine/variational.hpp (MINE, NWJ, InfoNCE with a
// separable critic g(a)^T h(b), or the joint critic T([a ; b]) on the B^2 concatenated pairs of a
// batch, trained by Adam on the engine): milliseconds per training step and per whole
// estimate (training + evaluation on every row), on the sizes of their reproduction
// (examples/reproduce/estimator_grid.cpp: X = the 4096 SZT input patterns, 12 bits; T = a layer of
// width 10 (T1) or 3 (T5); critic 32-32, embedding 16, batch 128, 500 steps) and of the 20-dimensional
// Gaussian test (tests/engine/test_variational.cpp: default critic 64-64, embedding 32, batch 128).
// bench/compare_variational.py runs the same algorithm in PyTorch on the same data in the same run.
//
// Data (reproduced by compare_variational.py): row r of X is the 12 bits of r, most significant
// first; T = tanh(X W) with W[i][j] = sin(7 i + 3 j + 1) (i < 12 inputs, j < width); the Gaussian
// case uses X = the first 20 columns of a fixed grid of sin values and T = 0.4 X + 0.9 cos(...),
// which is enough for timing (the values do not change the work).
//
// The joint critic uses the same hidden widths, batch and steps (its output is the scalar score, so
// the embedding is unused): B^2 = 16384 network rows per step against the separable critic's 2B = 256,
// which is what the comparison shows.
//
// Output: CSV lines "variational,<bound>,<case>,<steps>,<ms per step>,<ms per estimate>,<critic>".
// --critic separable|joint|all (default all) selects the critics.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "engine/variational.hpp"

namespace var = mi_examples::variational;

namespace {

struct data {
    std::size_t n, dx, dt;
    std::vector<float> x, t;
};

data szt_layer(std::size_t width) {
    data d{4096, 12, width, std::vector<float>(4096 * 12), std::vector<float>(4096 * width)};
    for (std::size_t r = 0; r < d.n; ++r)
        for (std::size_t i = 0; i < 12; ++i) d.x[r * 12 + i] = static_cast<float>((r >> (11 - i)) & 1u);
    for (std::size_t r = 0; r < d.n; ++r)
        for (std::size_t j = 0; j < width; ++j) {
            double s = 0.0;
            for (std::size_t i = 0; i < 12; ++i) s += d.x[r * 12 + i] * std::sin(7.0 * i + 3.0 * j + 1.0);
            d.t[r * width + j] = static_cast<float>(std::tanh(s));
        }
    return d;
}

data gaussian_like(std::size_t n, std::size_t dim) {
    data d{n, dim, dim, std::vector<float>(n * dim), std::vector<float>(n * dim)};
    for (std::size_t r = 0; r < n; ++r)
        for (std::size_t c = 0; c < dim; ++c) {
            const double a = std::sin(0.37 * r + 1.3 * c);
            d.x[r * dim + c] = static_cast<float>(a);
            d.t[r * dim + c] = static_cast<float>(0.4 * a + 0.9 * std::cos(0.91 * r + 0.7 * c));
        }
    return d;
}

double ms_since(std::chrono::steady_clock::time_point t0) {
    return 1e3 * std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t steps = 500, repeats = 3;
    std::string critics = "all";
    const auto usage = [] {
        std::fprintf(stderr, "usage: bench_variational [--steps N >= 2] [--repeats N >= 1] [--critic separable|joint|all]\n");
        return 2;
    };
    if (argc % 2 == 0) return usage();
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--steps") steps = std::strtoul(argv[i + 1], nullptr, 10);
        else if (a == "--repeats") repeats = std::strtoul(argv[i + 1], nullptr, 10);
        else if (a == "--critic") critics = argv[i + 1];
        else return usage();
    }
    // per step divides by steps - 1 (see below)
    if (steps < 2 || repeats < 1 || (critics != "separable" && critics != "joint" && critics != "all")) return usage();
    std::vector<var::critic_kind> kinds;
    if (critics != "joint") kinds.push_back(var::critic_kind::separable);
    if (critics != "separable") kinds.push_back(var::critic_kind::joint);
    struct bench_case {
        std::string name;
        data d;
        std::vector<std::size_t> hidden;
        std::size_t embedding;
    };
    const std::vector<bench_case> cases = {
        {"szt_x12_t10_c32x32e16", szt_layer(10), {32, 32}, 16},
        {"szt_x12_t3_c32x32e16", szt_layer(3), {32, 32}, 16},
        {"gauss_d20_c64x64e32", gaussian_like(4096, 20), {64, 64}, 32},
    };
    for (const auto kind : kinds)
        for (const auto& c : cases)
            for (const auto b : {var::bound::mine, var::bound::nwj, var::bound::infonce}) {
                var::variational_options o;
                o.critic = kind;
                o.objective = b;
                o.hidden = c.hidden;
                o.embedding = c.embedding;
                o.batch = 128;
                o.learning_rate = 1e-3;
                const mi::activation_view<const float> x(c.d.x.data(), c.d.n, c.d.dx, c.d.dx);
                const mi::activation_view<const float> t(c.d.t.data(), c.d.n, c.d.dt, c.d.dt);
                double best_step = 1e300, best_estimate = 1e300, value = 0.0;
                for (std::size_t r = 0; r < repeats; ++r) {
                    // per step: the difference between `steps` and 1 step isolates training from the evaluation
                    o.steps = 1;
                    auto t0 = std::chrono::steady_clock::now();
                    (void)var::variational_estimator(o).estimate_between(x, t);
                    const double one = ms_since(t0);
                    o.steps = steps;
                    t0 = std::chrono::steady_clock::now();
                    value = var::variational_estimator(o).estimate_between(x, t).value;
                    const double all = ms_since(t0);
                    best_estimate = std::min(best_estimate, all);
                    best_step = std::min(best_step, (all - one) / static_cast<double>(steps - 1));
                }
                std::printf("variational,%s,%s,%zu,%.5f,%.3f,%s\n", var::bound_name(b), c.name.c_str(), steps, best_step,
                            best_estimate, var::critic_name(kind));
                std::fflush(stdout);
                std::fprintf(stderr, "  %s %s %s: estimate %.4f nats\n", var::critic_name(kind), var::bound_name(b),
                             c.name.c_str(), value);
            }
    return 0;
}
