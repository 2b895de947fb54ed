// SPDX-License-Identifier: BSD-3-Clause
// The SZT task of Shwartz-Ziv & Tishby 2017 ("Opening the black box of deep
// neural networks via information", var_u.mat in ravidziv/IDNNs), generated
// instead of read, so that examples need no data download:
//
// - inputs: all 4096 patterns of 12 bits, in binary-counting order with x0 the
//   most significant bit (row r has r = sum_i x_i 2^(11-i)), as in var_u.mat;
// - label: the 12 bits are the vertices of a regular icosahedron and
//       f(x) = 23 k + n_adj - 5 n_sec - 8 n_anti,   y = [f(x) >= 99],
//   with k the number of set bits and n_adj / n_sec / n_anti the numbers of
//   set pairs that are icosahedron edges / second neighbours / antipodes.
//   The paper only says "spherically symmetric f, threshold for p(y=1) ~ 0.5";
//   this rule was reconstructed from var_u.mat and reproduces all 4096 of its
//   labels (2118 ones, H(Y) = 0.999157 bits); tests/datasets/test_szt.cpp
//   checks it against a committed copy of the file.
// - splits, because the papers differ: IDNNs (and Chelombiev et al.) take the
//   first 3277 rows unshuffled, so their test set is the top of the counting
//   order (p(y=1) = 0.836); ibsgd shuffles once with an unrecorded seed (here:
//   a seeded mi::rng shuffle); smoothMI (Goldfeld et al.) commits its
//   permutation, read here from a copy of it (ib_data_npz_split.csv).
//
// Header-only, examples only (namespace mi_examples::datasets, not installed).
#ifndef MI_EXAMPLES_DATASETS_SZT_HPP
#define MI_EXAMPLES_DATASETS_SZT_HPP

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <istream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "mi/core/error.hpp"
#include "mi/core/random.hpp"

namespace mi_examples::datasets {

inline constexpr std::size_t szt_bits = 12;
inline constexpr std::size_t szt_patterns = 4096;
/// rint(0.8 * 4096): the training-set size of all four papers' code.
inline constexpr std::size_t szt_train_size = 3277;

/// The 30 icosahedron edges between bits (szt/README, "How the label depends on the input").
inline constexpr std::array<std::array<int, 2>, 30> szt_edges{{
    {0, 1}, {0, 3}, {0, 5}, {0, 10}, {0, 11}, {1, 2}, {1, 3}, {1, 4}, {1, 11}, {2, 3},
    {2, 4}, {2, 8}, {2, 9}, {3, 8},  {3, 10}, {4, 6}, {4, 9}, {4, 11}, {5, 6}, {5, 7},
    {5, 10}, {5, 11}, {6, 7}, {6, 9}, {6, 11}, {7, 8}, {7, 9}, {7, 10}, {8, 9}, {8, 10}}};

/// The 6 antipodal pairs.
inline constexpr std::array<std::array<int, 2>, 6> szt_antipodes{{{0, 9}, {1, 7}, {2, 5}, {3, 6}, {4, 10}, {8, 11}}};

/// Bit i (x_i) of pattern `row` in binary-counting order, x0 the most significant.
constexpr int szt_bit(std::size_t row, std::size_t i) noexcept {
    return static_cast<int>((row >> (szt_bits - 1 - i)) & 1u);
}

/// f(x) = 23 k + n_adj - 5 n_sec - 8 n_anti of pattern `row`.
constexpr int szt_score(std::size_t row) noexcept {
    int k = 0;
    for (std::size_t i = 0; i < szt_bits; ++i) k += szt_bit(row, i);
    int adj = 0, anti = 0;
    for (const auto& e : szt_edges) adj += szt_bit(row, e[0]) & szt_bit(row, e[1]);
    for (const auto& a : szt_antipodes) anti += szt_bit(row, a[0]) & szt_bit(row, a[1]);
    const int sec = k * (k - 1) / 2 - adj - anti;
    return 23 * k + adj - 5 * sec - 8 * anti;
}

/// The label of pattern `row`: 1 iff f(x) >= 99.
constexpr int szt_label(std::size_t row) noexcept { return szt_score(row) >= 99 ? 1 : 0; }

/// All 4096 patterns: x is 4096 x 12 row-major (values 0 / 1), y the labels.
template <class T = float>
struct szt_data {
    std::vector<T> x;
    std::vector<int> y;
    static constexpr std::size_t rows = szt_patterns;
    static constexpr std::size_t cols = szt_bits;
};

template <class T = float>
szt_data<T> szt() {
    szt_data<T> d;
    d.x.resize(szt_patterns * szt_bits);
    d.y.resize(szt_patterns);
    for (std::size_t r = 0; r < szt_patterns; ++r) {
        for (std::size_t i = 0; i < szt_bits; ++i) d.x[r * szt_bits + i] = static_cast<T>(szt_bit(r, i));
        d.y[r] = szt_label(r);
    }
    return d;
}

/// Row indices (into the 4096 patterns) of a train / test split.
struct szt_split {
    std::vector<std::size_t> train;
    std::vector<std::size_t> test;
};

/// IDNNs / adaptive_estimators: rows 0..3276 train, 3277..4095 test, unshuffled.
inline szt_split szt_idnns_split() {
    szt_split s;
    for (std::size_t r = 0; r < szt_patterns; ++r) (r < szt_train_size ? s.train : s.test).push_back(r);
    return s;
}

/// A random permutation (Fisher-Yates with mi::rng(seed)) cut at rint(fraction * 4096), as ibsgd does.
inline szt_split szt_shuffled_split(std::uint64_t seed, double train_fraction = 0.8) {
    if (!(train_fraction > 0.0 && train_fraction < 1.0))
        mi::detail::fail("szt_shuffled_split", "train_fraction", train_fraction, "a fraction in (0, 1)");
    std::vector<std::size_t> perm(szt_patterns);
    for (std::size_t r = 0; r < szt_patterns; ++r) perm[r] = r;
    mi::rng g(seed);
    for (std::size_t i = szt_patterns - 1; i > 0; --i) std::swap(perm[i], perm[g.below(i + 1)]);
    const auto n_train = static_cast<std::size_t>(std::nearbyint(train_fraction * szt_patterns));
    szt_split s;
    s.train.assign(perm.begin(), perm.begin() + static_cast<std::ptrdiff_t>(n_train));
    s.test.assign(perm.begin() + static_cast<std::ptrdiff_t>(n_train), perm.end());
    return s;
}

/// smoothMI's committed split (datasets/IB_data.npz) from its CSV form
/// `position,szt_row,split`: position 0..4095 in order, szt_row a permutation of
/// 0..4095, split "train" for a first block of rows and "test" for the rest.
inline szt_split read_szt_split(std::istream& in, const std::string& source = "stream") {
    constexpr const char* where = "read_szt_split";
    const auto bad = [&](std::size_t line, const std::string& text, const std::string& expected) {
        mi::detail::fail(where, (source + " line " + std::to_string(line)).c_str(), "\"" + text + "\"", expected);
    };
    std::string line;
    std::size_t line_no = 0;
    const auto next = [&]() -> bool {
        if (!std::getline(in, line)) return false;
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return true;
    };
    if (!next() || line != "position,szt_row,split") bad(1, line, "the header \"position,szt_row,split\"");
    std::vector<bool> seen(szt_patterns, false);
    szt_split s;
    std::size_t position = 0;
    while (next()) {
        if (line.empty()) {
            // Only trailing blank lines are allowed.
            while (next())
                if (!line.empty()) bad(line_no, line, "no rows after a blank line");
            break;
        }
        std::vector<std::string> f;
        std::stringstream ss(line);
        for (std::string cell; std::getline(ss, cell, ',');) f.push_back(cell);
        if (f.size() != 3) bad(line_no, line, "3 fields: position,szt_row,split");
        const auto integer = [&](const std::string& t, std::size_t& v) {
            if (t.empty() || t.size() > 6 || t.find_first_not_of("0123456789") != std::string::npos) return false;
            v = static_cast<std::size_t>(std::stoul(t));
            return true;
        };
        std::size_t pos = 0, row = 0;
        if (!integer(f[0], pos) || pos != position)
            bad(line_no, line, "position " + std::to_string(position) + " (rows in order)");
        if (!integer(f[1], row) || row >= szt_patterns) bad(line_no, line, "szt_row in 0..4095");
        if (seen[row]) bad(line_no, line, "each szt_row once (a permutation)");
        seen[row] = true;
        if (f[2] == "train") {
            if (!s.test.empty()) bad(line_no, line, "all train rows before the test rows");
            s.train.push_back(row);
        } else if (f[2] == "test") {
            s.test.push_back(row);
        } else {
            bad(line_no, line, "split \"train\" or \"test\"");
        }
        ++position;
    }
    if (position != szt_patterns)
        mi::detail::fail(where, (source + " rows").c_str(), position, "4096 (every pattern once)");
    if (s.train.empty() || s.test.empty())
        mi::detail::fail(where, (source + " train rows").c_str(), s.train.size(), "a non-empty train and test set");
    return s;
}

inline szt_split read_szt_split(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) mi::detail::fail("read_szt_split", "path", path, "a readable file");
    return read_szt_split(f, path);
}

#ifdef MI_EXAMPLES_DIR
/// The copy of smoothMI's split committed with the examples.
inline szt_split szt_smoothmi_split() {
    return read_szt_split(std::string(MI_EXAMPLES_DIR) + "/datasets/data/ib_data_npz_split.csv");
}
#endif

}  // namespace mi_examples::datasets

#endif
