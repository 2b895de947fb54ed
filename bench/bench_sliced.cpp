// SPDX-License-Identifier: BSD-3-Clause
// Timings of mi::sliced (sliced mutual information, Goldfeld & Greenewald
// 2021) for bench/compare_sliced.py, which times the peers on the same arrays
// in the same run:
//
//   bench_sliced xt T.bin X.bin M PER REPS   SI(X;T) with M slices, PER = ksg | gaussian
//   bench_sliced ty T.bin Y.bin M REPS       SI(T;Y), Y a column of class ids (per slice: Ross's KSG form)
//
// A .bin file is two int64 (rows, cols) then rows*cols float64, row-major.
// Prints "seconds=<best of REPS> value=<nats>". The time includes everything
// the estimate needs (frames, projections, per-slice estimates). Uses all
// cores (MI_NUM_THREADS to change); the slice seed is 0.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_io.hpp"
#include "mi/core/labels.hpp"
#include "mi/estimators/ksg.hpp"
#include "mi/estimators/sliced.hpp"

namespace {

using bench_io::best_of;
using bench_io::load;
using bench_io::matrix;

mi::sliced_options options(std::size_t slices) {
    mi::sliced_options o;
    o.slices = slices;
    return o;
}

int usage() {
    std::fprintf(stderr,
                 "usage: bench_sliced xt T.bin X.bin M ksg|gaussian REPS\n"
                 "       bench_sliced ty T.bin Y.bin M REPS\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        if (argc < 2) return usage();
        const std::string mode = argv[1];
        double value = 0, seconds = 0;
        if (mode == "xt" && argc == 7) {
            const matrix t = load(argv[2]), x = load(argv[3]);
            const std::size_t m = std::stoul(argv[4]);
            const std::string per = argv[5];
            const int reps = std::stoi(argv[6]);
            const auto vt = mi::view(t.v, t.rows, t.cols), vx = mi::view(x.v, x.rows, x.cols);
            if (per == "ksg") {
                const mi::sliced<mi::ksg<>> e(options(m));
                seconds = best_of(reps, [&] { return e.mutual_information(vt, vx); }, value);
            } else if (per == "gaussian") {
                const mi::sliced<mi::gaussian_slice> e(options(m));
                seconds = best_of(reps, [&] { return e.mutual_information(vt, vx); }, value);
            } else {
                return usage();
            }
        } else if (mode == "ty" && argc == 6) {
            const matrix t = load(argv[2]), y = load(argv[3]);
            const std::size_t m = std::stoul(argv[4]);
            const int reps = std::stoi(argv[5]);
            std::vector<int> ids(y.rows);
            int classes = 0;
            for (std::size_t i = 0; i < y.rows; ++i) {
                ids[i] = static_cast<int>(y.v[i * y.cols]);
                classes = std::max(classes, ids[i] + 1);
            }
            const mi::labels labels(ids, static_cast<std::size_t>(classes));
            const mi::sliced<mi::ksg<>> e(options(m));
            const auto vt = mi::view(t.v, t.rows, t.cols);
            seconds = best_of(reps, [&] { return e.mutual_information(vt, labels); }, value);
        } else {
            return usage();
        }
        std::printf("seconds=%.6f value=%.6f\n", seconds, value);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
