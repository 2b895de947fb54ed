// SPDX-License-Identifier: BSD-3-Clause
// Shared helpers of the search tests: seeded point sets (with and without
// ties) and a scalar double-precision oracle written independently of the
// SIMD kernel (plain loops, std::sqrt of a plain sum of squares).
#ifndef MI_TESTS_SEARCH_TESTING_HPP
#define MI_TESTS_SEARCH_TESTING_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <fstream>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include "mi/core/random.hpp"
#include "mi/core/activation_view.hpp"
#include "mi/search/kd_tree.hpp"
#include "mi/search/metric.hpp"

namespace mi_test {

/// The number of leaves of every tree a logged_kd_tree built. Estimators build their trees on
/// the pool's threads, so recording takes a lock; the order of entries is not meaningful.
class build_log {
public:
    void record(std::size_t leaves) {
        const std::lock_guard<std::mutex> hold(mutex_);
        leaves_.push_back(leaves);
    }
    std::size_t size() const {
        const std::lock_guard<std::mutex> hold(mutex_);
        return leaves_.size();
    }
    std::size_t operator[](std::size_t i) const {
        const std::lock_guard<std::mutex> hold(mutex_);
        return leaves_.at(i);
    }
    std::size_t back() const {
        const std::lock_guard<std::mutex> hold(mutex_);
        return leaves_.back();
    }

private:
    mutable std::mutex mutex_;
    std::vector<std::size_t> leaves_;
};

/// A kd_tree that records the number of leaves of every tree it builds in a shared log: it
/// shows which configured instance each of an estimator's searches was copied from.
template <class Metric>
class logged_kd_tree : public mi::kd_tree<Metric> {
public:
    explicit logged_kd_tree(std::size_t leaf_size = 0, std::shared_ptr<build_log> log = {})
        : mi::kd_tree<Metric>(leaf_size), log_(std::move(log)) {}
    template <class T>
    void build(const mi::activation_view<const T>& points) {
        mi::kd_tree<Metric>::build(points);
        if (log_) log_->record(this->leaves());
    }

private:
    std::shared_ptr<build_log> log_;
};

/// n x d values: Gaussian, or (ties) small integers so that many distances
/// are equal and many rows are duplicates.
inline std::vector<double> points(std::size_t n, std::size_t d, bool ties, std::uint64_t seed) {
    mi::rng g(seed);
    std::vector<double> x(n * d);
    for (auto& v : x) v = ties ? std::floor(1.5 * g.normal()) : g.normal();
    return x;
}

template <class Metric>
double oracle_distance(const double* a, const double* b, std::size_t d) {
    double s = 0.0;
    for (std::size_t j = 0; j < d; ++j) {
        const double t = a[j] - b[j];
        if (std::is_same<Metric, mi::max_norm>::value) s = std::max(s, std::fabs(t));
        else s += t * t;
    }
    return std::is_same<Metric, mi::max_norm>::value ? s : std::sqrt(s);
}

/// Sorted distances from point i to every other point.
template <class Metric>
std::vector<double> oracle_sorted(const std::vector<double>& x, std::size_t n, std::size_t d, std::size_t i) {
    std::vector<double> r;
    for (std::size_t j = 0; j < n; ++j)
        if (j != i) r.push_back(oracle_distance<Metric>(&x[i * d], &x[j * d], d));
    std::sort(r.begin(), r.end());
    return r;
}

/// kth_distance_grouped of a search policy S on n x d points in `groups` groups (ids drawn at
/// random, every group well above k): `all` bit for bit S's kth_distance over all points, `own`
/// bit for bit S's kth_distance over each group's points alone, and both within 1e-12 of the
/// scalar oracle's k-th distance. Returns the number of mismatches.
template <class S>
std::size_t grouped_mismatches(std::size_t n, std::size_t d, std::size_t k, bool ties, std::uint64_t seed,
                               std::uint32_t groups) {
    using metric = typename S::metric_type;
    const std::vector<double> x = points(n, d, ties, seed);
    mi::rng gen(seed + 1);
    std::vector<std::uint32_t> group(n);
    for (auto& g : group) g = static_cast<std::uint32_t>(gen.uniform() * groups) % groups;
    S s;
    s.build(mi::activation_view<const double>(x.data(), n, d));
    const mi::grouped_kth r = s.kth_distance_grouped(k, group);
    std::size_t bad = r.all == s.kth_distance(k) ? 0 : 1;
    for (std::uint32_t g = 0; g < groups; ++g) {
        std::vector<double> sub;
        std::vector<std::size_t> rows;
        for (std::size_t i = 0; i < n; ++i)
            if (group[i] == g) {
                rows.push_back(i);
                sub.insert(sub.end(), x.begin() + static_cast<std::ptrdiff_t>(i * d), x.begin() + static_cast<std::ptrdiff_t>((i + 1) * d));
            }
        S t;
        t.build(mi::activation_view<const double>(sub.data(), rows.size(), d));
        const std::vector<double> own = t.kth_distance(k);
        for (std::size_t m = 0; m < rows.size(); ++m) {
            if (own[m] != r.own[rows[m]]) ++bad;
            const double want = oracle_sorted<metric>(sub, rows.size(), d, m)[k - 1];
            if (std::fabs(r.own[rows[m]] - want) > 1e-12 * (1.0 + want)) ++bad;
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        const double want = oracle_sorted<metric>(x, n, d, i)[k - 1];
        if (std::fabs(r.all[i] - want) > 1e-12 * (1.0 + want)) ++bad;
    }
    return bad;
}

/// grouped_mismatches of Policy<euclidean> (three groups) and Policy<max_norm> (two groups) on
/// n points in each of the dimensions `dims`, with and without ties, k = 1 and 3.
template <template <class> class Policy>
void check_grouped(std::size_t n, std::initializer_list<std::size_t> dims) {
    for (const bool ties : {false, true})
        for (const std::size_t d : dims)
            for (const std::size_t k : {1, 3}) {
                CAPTURE(ties);
                CAPTURE(d);
                CAPTURE(k);
                CHECK(grouped_mismatches<Policy<mi::euclidean>>(n, d, k, ties, 10 * d + k, 3) == 0);
                CHECK(grouped_mismatches<Policy<mi::max_norm>>(n, d, k, ties, 10 * d + k, 2) == 0);
            }
}

/// A reference file written by tests/reference/knn_reference.py: a
/// "# key=value ..." line, a "# columns=..." line, then rows of numbers.
struct reference_file {
    std::map<std::string, double> meta;
    std::size_t cols = 0;
    std::vector<double> values;  // row-major
    std::size_t rows() const { return cols == 0 ? 0 : values.size() / cols; }
    std::vector<double> column_block(std::size_t first, std::size_t count) const {
        std::vector<double> out;
        for (std::size_t i = 0; i < rows(); ++i)
            for (std::size_t j = first; j < first + count; ++j) out.push_back(values[i * cols + j]);
        return out;
    }
};

inline reference_file read_reference(const std::string& name) {
    reference_file f;
    std::ifstream in(std::string(MI_TEST_DATA_DIR) + "/" + name);
    if (!in) throw std::runtime_error("cannot open test data " + name);
    std::string line;
    std::getline(in, line);
    std::istringstream meta(line.substr(2));
    std::string kv;
    while (meta >> kv) {
        const auto eq = kv.find('=');
        f.meta[kv.substr(0, eq)] = std::stod(kv.substr(eq + 1));
    }
    std::getline(in, line);  // columns
    f.cols = static_cast<std::size_t>(std::count(line.begin(), line.end(), ',') + 1);
    double v;
    while (in >> v) f.values.push_back(v);
    return f;
}

}  // namespace mi_test

#endif
