// SPDX-License-Identifier: BSD-3-Clause
// Exact I(X;T) and I(T;Y) of a quantized layer by counting distinct rows
// (mi::exact_counting, Lorenzen, Igel & Nielsen 2022), timed on a layer read
// from a file, so that bench/compare_exact.py can time the authors' algorithm
// re-computed in numpy on the very same data in the same run.
//
//   bench_exact <layer.f32> <labels.u8> <rows> <cols> [repeats]
//
// layer.f32: rows x cols float32, row-major, little-endian; labels.u8: one class id per row.
// Prints one line: rows cols threads best_seconds median_seconds ixt_nats ity_nats
// (best and median over `repeats` runs after one warm-up run).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "bench_io.hpp"
#include "mi/core/activation_view.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/samples.hpp"
#include "mi/estimators/exact_counting.hpp"

int main(int argc, char** argv) {
    if (argc < 5) {
        std::fprintf(stderr, "usage: %s layer.f32 labels.u8 rows cols [repeats]\n", argv[0]);
        return 2;
    }
    const std::size_t rows = std::strtoull(argv[3], nullptr, 10), cols = std::strtoull(argv[4], nullptr, 10);
    const int repeats = argc > 5 ? std::max(1, std::atoi(argv[5])) : 5;
    std::vector<float> layer;
    std::vector<unsigned char> y;
    try {
        layer = bench_io::read_raw<float>(argv[1], rows * cols);
        y = bench_io::read_raw<unsigned char>(argv[2], rows);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    const mi::samples s(mi::labels(std::vector<int>(y.begin(), y.end())));
    const mi::exact_counting estimator;
    const auto view = mi::view(layer, rows, cols);
    mi::plane_point p = estimator.point(view, s);  // warm-up
    std::vector<double> times;
    for (int r = 0; r < repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        p = estimator.point(view, s);
        const auto t1 = std::chrono::steady_clock::now();
        times.push_back(std::chrono::duration<double>(t1 - t0).count());
    }
    std::sort(times.begin(), times.end());
    std::printf("%zu %zu %zu %.6f %.6f %.15g %.15g\n", rows, cols, mi::num_threads(), times.front(),
                times[times.size() / 2], p.ixt, p.ity);
    return 0;
}
