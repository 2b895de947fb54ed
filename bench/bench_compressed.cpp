// SPDX-License-Identifier: BSD-3-Clause
// Timings of mi::compressed<mi::pca, mi::weighted_kl<>> (Butakov et al., ICLR
// 2024: PCA to 4 dimensions, relative noise 1e-3, weighted Kozachenko-Leonenko
// entropies, I = H(X) + H(T) - H(X,T)) on the arrays bench/compare_compressed.py
// writes, which times its numpy / scikit-learn re-computation of the same
// algorithm on the same arrays in the same run (bench/compressed.md).
//
//   bench_compressed X.bin T.bin Y.bin DIM K REPS
//
// X.bin, T.bin: int64 rows, int64 cols, then float64 row-major; Y.bin: int64 n, then int64 labels.
// Prints "input_seconds=... point_seconds=... ixt=... ity=..." where input_seconds is the best of REPS
// compressions of X alone (mi::pca(DIM) fitted to X and applied to it, what the peer's
// PCA.fit_transform does), and point_seconds the best of REPS point() calls with X_c memoised (one plane
// point of one layer at one epoch: PCA of the layer, noise, H(T), H(X,T), the class entropies for
// I(T;Y)). A first point() call, untimed, compresses X and warms the caches and BLAS's threads.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "bench_io.hpp"
#include "mi/core/error.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/samples.hpp"
#include "mi/estimators/compressed.hpp"
#include "mi/estimators/weighted_kl.hpp"
#include "mi/projections/pca.hpp"

namespace {

using bench_io::matrix;

std::vector<int> read_labels(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::int64_t n = 0;
    f.read(reinterpret_cast<char*>(&n), sizeof n);
    std::vector<std::int64_t> raw(static_cast<std::size_t>(n));
    f.read(reinterpret_cast<char*>(raw.data()), static_cast<std::streamsize>(raw.size() * sizeof(std::int64_t)));
    if (!f) mi::detail::fail("bench_compressed", "file", path, "int64 n, int64 labels");
    return std::vector<int>(raw.begin(), raw.end());
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
    try {
        if (argc != 7) {
            std::fprintf(stderr, "usage: bench_compressed X.bin T.bin Y.bin DIM K REPS\n");
            return 2;
        }
        const matrix x = bench_io::load(argv[1]), t = bench_io::load(argv[2]);
        const std::vector<int> y = read_labels(argv[3]);
        const std::size_t dim = std::strtoul(argv[4], nullptr, 10), k = std::strtoul(argv[5], nullptr, 10);
        const std::size_t reps = std::max<std::size_t>(1, std::strtoul(argv[6], nullptr, 10));
        int classes = 0;
        for (const int v : y) classes = std::max(classes, v + 1);
        mi::weighted_kl_options w;
        w.k = k;
        const mi::compressed<mi::pca, mi::weighted_kl<>> e{mi::pca(dim), mi::weighted_kl<>(w)};
        const auto tv = mi::view(t.v, t.rows, t.cols);
        const mi::samples s = mi::samples(mi::labels(y, static_cast<std::size_t>(classes)))
                                  .with_network_input(mi::view(x.v, x.rows, x.cols));
        mi::plane_point p = e.point(tv, s);
        const auto xv = mi::view(x.v, x.rows, x.cols);
        double input = 1e300, best = 1e300;
        std::size_t sink = 0;
        for (std::size_t r = 0; r < reps; ++r) {
            auto t0 = std::chrono::steady_clock::now();
            sink += mi::pca(dim).fit(xv).apply(xv).size();
            input = std::min(input, seconds_since(t0));
            t0 = std::chrono::steady_clock::now();
            p = e.point(tv, s);
            best = std::min(best, seconds_since(t0));
        }
        std::printf("input_seconds=%.6f point_seconds=%.6f ixt=%.10f ity=%.10f compressed_values=%zu\n", input, best,
                    p.ixt, p.ity, sink / reps);
    } catch (const mi::error& err) {
        std::fprintf(stderr, "bench_compressed: %s\n", err.what());
        return 1;
    }
    return 0;
}
