// SPDX-License-Identifier: BSD-3-Clause
// Time per information-plane point of the two costly "rest" estimators on data
// written by bench/compare_estimators.py (which times numpy on the same data in
// the same run):
//
//   bench_estimators sp    layer.f32 labels.u8 N R d mc_samples sigma [repeats]
//       mi::sample_propagation(sigma, R, mc_samples).point on an N R x d layer
//       (input-major replicas, float32), and I(X;T) alone (mutual_information with the
//       replica groups: h(T) and h(T|X), no class mixtures), the quantity smoothMI computes
//   bench_estimators renyi input.f32 layer.f32 labels.u8 N dx dt alpha [repeats [trace]]
//       mi::renyi(input, alpha, silverman, silverman).point on an N x dt layer,
//       trace = automatic (default), exact or lanczos (mi::trace_method); the
//       first point's extra time (input Gram matrix and its entropy, once per
//       sample set) is reported separately
//
// Prints one line: threads, best seconds per point, [construction seconds,]
// I(X;T), I(T;Y) (nats)[, best seconds for I(X;T) alone (sp)][, peak resident memory of
// the process in MiB (Renyi)].
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <sys/resource.h>

#include "mi/core/parallel.hpp"
#include "mi/estimators/renyi.hpp"
#include "mi/estimators/sample_propagation.hpp"

namespace {

template <class T>
std::vector<T> read_file(const char* path, std::size_t count) {
    std::vector<T> v(count);
    std::ifstream f(path, std::ios::binary);
    if (!f.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(count * sizeof(T)))) {
        std::fprintf(stderr, "cannot read %zu values from %s\n", count, path);
        std::exit(1);
    }
    return v;
}

// Peak resident memory of this process in MiB: VmHWM of /proc/self/status (reset by exec, unlike
// getrusage's ru_maxrss, which keeps the high-water mark of the Python parent that forked us).
double peak_resident_mib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);  // KiB on Linux
    return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 9 && std::strcmp(argv[1], "sp") == 0) {
        const std::size_t n = std::strtoull(argv[4], nullptr, 10), r = std::strtoull(argv[5], nullptr, 10),
                          d = std::strtoull(argv[6], nullptr, 10), mc = std::strtoull(argv[7], nullptr, 10);
        const double sigma = std::strtod(argv[8], nullptr);
        const int repeats = argc > 9 ? std::atoi(argv[9]) : 3;
        const auto layer = read_file<float>(argv[2], n * r * d);
        const auto y8 = read_file<std::uint8_t>(argv[3], n * r);
        const mi::samples s = mi::samples(mi::labels(std::vector<int>(y8.begin(), y8.end())))
                                  .with_replicas(mi::replica_groups::consecutive(r));
        mi::sample_propagation_options o;
        o.sigma = sigma;
        o.mc_samples = mc;
        o.seed = 1;
        const mi::sample_propagation e(o);
        std::vector<double> times;
        mi::plane_point p;
        for (int k = 0; k < repeats; ++k) {
            const auto t0 = std::chrono::steady_clock::now();
            p = e.point(mi::view(layer, n * r, d), s);
            times.push_back(seconds_since(t0));
        }
        std::vector<double> ixt_times;
        double ixt = 0.0;
        for (int k = 0; k < repeats; ++k) {
            const auto t0 = std::chrono::steady_clock::now();
            ixt = e.mutual_information(mi::view(layer, n * r, d), mi::replica_groups::consecutive(r));
            ixt_times.push_back(seconds_since(t0));
        }
        // The same mixtures and draws (point() only regroups h(T)'s sum by class): a larger
        // difference is a bug, not noise.
        if (std::abs(ixt - p.ixt) > 1e-12 * std::abs(p.ixt)) {
            std::fprintf(stderr, "I(X;T) alone %.17g differs from the point's %.17g\n", ixt, p.ixt);
            return 1;
        }
        std::printf("%zu %.6f %.12g %.12g %.6f\n", mi::num_threads(), *std::min_element(times.begin(), times.end()),
                    p.ixt, p.ity, *std::min_element(ixt_times.begin(), ixt_times.end()));
        return 0;
    }
    if (argc >= 10 && std::strcmp(argv[1], "renyi") == 0) {
        const std::size_t n = std::strtoull(argv[5], nullptr, 10), dx = std::strtoull(argv[6], nullptr, 10),
                          dt = std::strtoull(argv[7], nullptr, 10);
        const double alpha = std::strtod(argv[8], nullptr);
        const int repeats = argc > 9 ? std::atoi(argv[9]) : 3;
        const auto x = read_file<float>(argv[2], n * dx);
        const auto t = read_file<float>(argv[3], n * dt);
        const auto y8 = read_file<std::uint8_t>(argv[4], n);
        const mi::samples s = mi::samples(mi::labels(std::vector<int>(y8.begin(), y8.end())))
                                  .with_network_input(mi::view(x, n, dx));
        mi::renyi_options o;
        o.alpha = alpha;
        const std::string trace = argc > 10 ? argv[10] : "automatic";
        if (trace == "exact")
            o.trace = mi::trace_method::exact;
        else if (trace == "lanczos")
            o.trace = mi::trace_method::lanczos;
        else if (trace != "automatic") {
            std::fprintf(stderr, "trace: automatic, exact or lanczos, not %s\n", trace.c_str());
            return 2;
        }
        const mi::renyi e(o);
        // The first point also computes X's Gram matrix and entropy, once per sample set
        // (mi::network_input's memo); "construction" is that extra time.
        const auto t0 = std::chrono::steady_clock::now();
        mi::plane_point p = e.point(mi::view(t, n, dt), s);
        const double first = seconds_since(t0);
        std::vector<double> times;
        for (int k = 0; k < repeats; ++k) {
            const auto t1 = std::chrono::steady_clock::now();
            p = e.point(mi::view(t, n, dt), s);
            times.push_back(seconds_since(t1));
        }
        const double best = *std::min_element(times.begin(), times.end());
        std::printf("%zu %.6f %.6f %.12g %.12g %.1f\n", mi::num_threads(), best, std::max(first - best, 0.0), p.ixt,
                    p.ity, peak_resident_mib());
        return 0;
    }
    std::fprintf(stderr,
                 "usage: %s sp layer.f32 labels.u8 N R d mc_samples sigma [repeats]\n"
                 "       %s renyi input.f32 layer.f32 labels.u8 N dx dt alpha [repeats [automatic|exact|lanczos]]\n",
                 argv[0], argv[0]);
    return 2;
}
