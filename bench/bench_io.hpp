// SPDX-License-Identifier: BSD-3-Clause
// What the bench programs share with their compare_*.py scripts: the .bin
// matrix format (two int64, rows and cols, then rows * cols float64,
// row-major; written by compare_knn.save), raw arrays of a known length
// (numpy's tofile: a float32 layer, uint8 labels), and the best-of-repeats
// timer.
#ifndef MI_BENCH_BENCH_IO_HPP
#define MI_BENCH_BENCH_IO_HPP

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace bench_io {

struct matrix {
    std::size_t rows = 0, cols = 0;
    std::vector<double> v;
};

inline matrix load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::int64_t shape[2] = {0, 0};
    in.read(reinterpret_cast<char*>(shape), sizeof(shape));
    if (!in || shape[0] < 0 || shape[1] < 0) throw std::runtime_error("bad header in " + path);
    matrix m;
    m.rows = static_cast<std::size_t>(shape[0]);
    m.cols = static_cast<std::size_t>(shape[1]);
    m.v.resize(m.rows * m.cols);
    in.read(reinterpret_cast<char*>(m.v.data()), static_cast<std::streamsize>(m.v.size() * sizeof(double)));
    if (!in) throw std::runtime_error("short file " + path);
    return m;
}

/// `count` values of T from a raw file (numpy's tofile), or std::runtime_error.
template <class T>
std::vector<T> read_raw(const std::string& path, std::size_t count) {
    std::vector<T> v(count);
    std::ifstream in(path, std::ios::binary);
    in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(count * sizeof(T)));
    if (!in) throw std::runtime_error("cannot read " + std::to_string(count) + " values from " + path);
    return v;
}

/// The shortest of `reps` timed calls of f (seconds); value holds f's last result.
template <class F>
double best_of(int reps, F&& f, double& value) {
    double best = 1e300;
    for (int r = 0; r < reps; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        value = f();
        const auto t1 = std::chrono::steady_clock::now();
        best = std::min(best, std::chrono::duration<double>(t1 - t0).count());
    }
    return best;
}

}  // namespace bench_io

#endif
