// SPDX-License-Identifier: BSD-3-Clause
// Timings of the pairwise log-sum-kernel engine behind the KDE bounds
// (mi/kernels/pairwise.hpp), for bench/compare_kde.py, which runs this program
// on the very data it times numpy and PyTorch on and prints the table.
//
//   bench_kde time <file.f32> N d variance reps  one line of timings (min over reps)
//   bench_kde once N d variance                  one self-form pass on seeded data
//                                                (for /usr/bin/time -v max RSS)
//
// "time" prints: auto (the library's choice of distance method), direct
// (squared differences), dot (|a|^2 + |b|^2 - 2ab micro-kernel), base (the
// same N with d = 1 through each method: everything that does not scale
// with d: the exponentials, the log-sum-exp, the per-pair passes), and a
// checksum of the result. The distance part of a method is its time minus
// its base.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/random.hpp"
#include "mi/kernels/gaussian.hpp"
#include "mi/kernels/pairwise.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
using mi::detail::pairwise::method;

template <class F>
double min_seconds(int reps, F&& f) {
    double best = 1e300;
    for (int r = 0; r < reps; ++r) {
        const auto t0 = clock_type::now();
        f();
        const double s = std::chrono::duration<double>(clock_type::now() - t0).count();
        best = s < best ? s : best;
    }
    return best;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "time" && argc == 7) {
        const std::size_t n = std::strtoul(argv[3], nullptr, 10), d = std::strtoul(argv[4], nullptr, 10);
        const double var = std::strtod(argv[5], nullptr);
        const int reps = std::atoi(argv[6]);
        std::vector<float> x(n * d);
        std::ifstream f(argv[2], std::ios::binary);
        f.read(reinterpret_cast<char*>(x.data()), static_cast<std::streamsize>(x.size() * sizeof(float)));
        if (!f) {
            std::fprintf(stderr, "bench_kde: cannot read %zu floats from %s\n", x.size(), argv[2]);
            return 1;
        }
        const mi::gaussian_kernel k(var);
        const auto v = mi::view(x, n, d);
        std::vector<double> out;
        auto timed = [&](const mi::activation_view<const float>& rows, method how) {
            return min_seconds(reps, [&] { out = mi::detail::pairwise::log_sum_kernel(rows, rows, k, true, how); });
        };
        const double t_auto = min_seconds(reps, [&] { out = mi::log_sum_kernel(v, k); });
        double checksum = 0.0;
        for (double o : out) checksum += o;
        const double t_direct = timed(v, method::direct);
        const double t_dot = timed(v, method::dot_product);
        // d = 1: the first column only (a strided view), same N, same kernel
        const auto v1 = mi::view(x.data(), n, 1, d);
        const double b_direct = timed(v1, method::direct);
        const double b_dot = timed(v1, method::dot_product);
        const bool gemm = d >= mi::detail::pairwise::gemm_min_dims;
        std::printf("mi n=%zu d=%zu auto=%.6g direct=%.6g dot=%.6g base_direct=%.6g base_dot=%.6g "
                    "auto_method=%s checksum=%.10g\n",
                    n, d, t_auto, t_direct, t_dot, b_direct, b_dot, gemm ? "dot" : "direct", checksum);
        return 0;
    }
    if (mode == "once" && argc == 5) {
        const std::size_t n = std::strtoul(argv[2], nullptr, 10), d = std::strtoul(argv[3], nullptr, 10);
        const double var = std::strtod(argv[4], nullptr);
        std::vector<float> x(n * d);
        mi::rng g(1);
        for (auto& a : x) a = static_cast<float>(std::tanh(g.normal()));
        const auto t0 = clock_type::now();
        const auto out = mi::log_sum_kernel(mi::view(x, n, d), mi::gaussian_kernel(var));
        const double s = std::chrono::duration<double>(clock_type::now() - t0).count();
        double checksum = 0.0;
        for (double o : out) checksum += o;
        std::printf("once n=%zu d=%zu seconds=%.4g input_MB=%.1f checksum=%.10g\n", n, d, s,
                    static_cast<double>(x.size() * sizeof(float)) / 1e6, checksum);
        return 0;
    }
    std::fprintf(stderr,
                 "usage: bench_kde time <file.f32> N d variance reps | once N d variance\n");
    return 2;
}
