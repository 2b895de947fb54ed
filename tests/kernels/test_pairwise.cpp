// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/random.hpp"
#include "mi/kernels/gaussian.hpp"
#include "mi/kernels/pairwise.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_kernels_pairwise {

namespace {

using mi::detail::pairwise::method;

template <class T>
std::vector<T> normal_rows(std::size_t n, std::size_t d, std::uint64_t seed, double scale = 1.0,
                           double offset = 0.0) {
    mi::rng g(seed);
    std::vector<T> x(n * d);
    for (auto& v : x) v = static_cast<T>(offset + scale * g.normal());
    return x;
}

/// The unblocked scalar definition, in double: log sum_j exp(-|q_i - c_j|^2 / (2 s)).
template <class T>
std::vector<double> definition(const mi::activation_view<const T>& q, const mi::activation_view<const T>& c,
                               double s) {
    std::vector<double> out(q.rows());
    std::vector<double> v(c.rows());
    for (std::size_t i = 0; i < q.rows(); ++i) {
        double m = -std::numeric_limits<double>::infinity();
        for (std::size_t j = 0; j < c.rows(); ++j) {
            double d2 = 0.0;
            for (std::size_t k = 0; k < q.cols(); ++k) {
                const double t = static_cast<double>(q(i, k)) - static_cast<double>(c(j, k));
                d2 += t * t;
            }
            v[j] = -d2 / (2.0 * s);
            m = std::max(m, v[j]);
        }
        double sum = 0.0;
        for (double a : v) sum += std::exp(a - m);
        out[i] = m + std::log(sum);
    }
    return out;
}

/// Largest |a - b| / max(1, |b|).
double max_rel_error(const std::vector<double>& a, const std::vector<double>& b) {
    REQUIRE(a.size() == b.size());
    double e = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i)
        e = std::max(e, std::fabs(a[i] - b[i]) / std::max(1.0, std::fabs(b[i])));
    return e;
}

template <class T>
constexpr double tolerance() {
    return std::is_same_v<T, float> ? 2e-6 : 1e-12;
}

template <class T>
void check_self(std::size_t n, std::size_t d, double s, method how, std::uint64_t seed) {
    const auto x = normal_rows<T>(n, d, seed);
    const auto v = mi::view(x, n, d);
    const mi::gaussian_kernel k(s);
    const auto got = mi::detail::pairwise::log_sum_kernel(v, v, k, true, how);
    const auto want = definition(v, v, s);
    INFO("n = " << n << ", d = " << d << ", s = " << s << ", method = " << static_cast<int>(how));
    CHECK(max_rel_error(got, want) < tolerance<T>());
}

}  // namespace

TEST_CASE_TEMPLATE("log_sum_kernel: blocked engine equals the scalar definition", T, float, double) {
    // n around the block sizes (48 rows, 128/256 columns) and SIMD widths, both distance methods.
    for (std::size_t n : {1, 2, 7, 47, 49, 97, 131, 257})
        for (std::size_t d : {1, 3, 12, 65})
            for (method how : {method::direct, method::dot_product})
                check_self<T>(n, d, 0.5 * static_cast<double>(d), how, 1000 + n * 7 + d);
    // K blocking of the distance tile (d > 192) and the automatic choice
    check_self<T>(61, 200, 50.0, method::automatic, 5);
    check_self<T>(61, 200, 50.0, method::direct, 5);
    check_self<T>(61, 200, 50.0, method::dot_product, 5);
    // more row blocks than work items of the symmetric self form (16 x 192 rows)
    check_self<T>(3301, 2, 0.05, method::automatic, 8);
    // a narrow kernel: only the self term counts
    check_self<T>(50, 12, 1e-3, method::direct, 6);
    check_self<T>(50, 70, 1e-3, method::dot_product, 6);
}

TEST_CASE_TEMPLATE("log_sum_kernel: one row gives log exp(0) = 0, identical rows log N", T, float, double) {
    const std::vector<T> one{T(0.3), T(-2), T(5)};
    const auto r = mi::log_sum_kernel(mi::view(one, 1, 3), mi::gaussian_kernel(1e-3));
    REQUIRE(r.size() == 1);
    CHECK(r[0] == 0.0);
    // 100 copies of one row with a large offset, d = 128: the dot-product path must not
    // leave a cancellation residue (|a|^2 ~ 1.3e6, variance 1e-6).
    std::vector<T> same;
    const auto row = normal_rows<T>(1, 128, 9, 1.0, 100.0);
    for (int i = 0; i < 100; ++i) same.insert(same.end(), row.begin(), row.end());
    for (method how : {method::direct, method::dot_product}) {
        const auto v = mi::view(same, 100, 128);
        const auto got = mi::detail::pairwise::log_sum_kernel(v, v, mi::gaussian_kernel(1e-6), true, how);
        for (double g : got) CHECK(g == doctest::Approx(std::log(100.0)).epsilon(1e-12));
    }
}

TEST_CASE_TEMPLATE("log_sum_kernel: tight clusters far from the origin are exact", T, float, double) {
    // 3 clusters of 40 rows, spread 1e-2 around centres at |c| ~ 100 * sqrt(96): the
    // decomposition |a|^2 + |b|^2 - 2ab loses everything here; the engine recomputes.
    const std::size_t d = 96, per = 40;
    std::vector<T> x;
    mi::rng g(77);
    for (int c = 0; c < 3; ++c) {
        std::vector<double> centre(d);
        for (auto& v : centre) v = 100.0 + 5.0 * g.normal();
        for (std::size_t i = 0; i < per; ++i)
            for (std::size_t k = 0; k < d; ++k) x.push_back(static_cast<T>(centre[k] + 1e-2 * g.normal()));
    }
    const auto v = mi::view(x, 3 * per, d);
    for (double s : {1e-4, 1e-3, 1e-2}) {
        const auto want = definition(v, v, s);
        const auto got = mi::detail::pairwise::log_sum_kernel(v, v, mi::gaussian_kernel(s), true,
                                                              method::dot_product);
        INFO("variance " << s);
        CHECK(max_rel_error(got, want) < (std::is_same_v<T, float> ? 2e-4 : 1e-9));
    }
}

TEST_CASE_TEMPLATE("log_sum_kernel: cross form", T, float, double) {
    for (std::size_t d : {2, 13, 80}) {
        for (const auto& sizes : {std::pair<std::size_t, std::size_t>{1, 1}, {5, 300}, {301, 3}, {70, 129}}) {
            // (not a structured binding: C++17 lambdas, such as INFO's, cannot capture one; clang rejects it)
            const std::size_t nq = sizes.first, nc = sizes.second;
            const auto q = normal_rows<T>(nq, d, 11 + d + nq);
            const auto c = normal_rows<T>(nc, d, 13 + d + nc, 1.2, 0.3);
            const double s = 0.3 * static_cast<double>(d);
            const auto got = mi::log_sum_kernel(mi::view(q, nq, d), mi::view(c, nc, d), mi::gaussian_kernel(s));
            const auto want = definition(mi::view(q, nq, d), mi::view(c, nc, d), s);
            INFO("nq = " << nq << ", nc = " << nc << ", d = " << d);
            CHECK(max_rel_error(got, want) < tolerance<T>());
        }
    }
    // a query far from every centre: the maximum is far below 0 and the result still exact
    const std::vector<T> q{T(40), T(0)}, c{T(0), T(0), T(1), T(0)};
    const auto r = mi::log_sum_kernel(mi::view(q, 1, 2), mi::view(c, 2, 2), mi::gaussian_kernel(0.5));
    CHECK(r[0] == doctest::Approx(std::log(std::exp(-1600.0 + 1521.0) + 1.0) - 1521.0).epsilon(1e-6));
}

TEST_CASE("log_sum_kernel: strided views read only their rows") {
    const std::size_t n = 53, d = 5, stride = 9;
    auto wide = normal_rows<double>(n, stride, 3);
    std::vector<double> packed;
    for (std::size_t i = 0; i < n; ++i) packed.insert(packed.end(), wide.begin() + i * stride, wide.begin() + i * stride + d);
    const auto a = mi::log_sum_kernel(mi::view(wide.data(), n, d, stride), mi::gaussian_kernel(0.7));
    const auto b = mi::log_sum_kernel(mi::view(packed, n, d), mi::gaussian_kernel(0.7));
    CHECK(a == b);
}

TEST_CASE("log_sum_kernel: the independent numpy values (tests/data/kde_expected.txt)") {
    std::ifstream f(std::string(MI_TEST_DATA_DIR) + "/kde_expected.txt");
    REQUIRE(f.good());
    std::string line;
    std::vector<std::pair<std::string, std::vector<std::string>>> meta;
    int checked = 0;
    while (std::getline(f, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream ls(line);
        std::vector<std::string> tok;
        for (std::string t; ls >> t;) tok.push_back(t);
        if (tok[0] != "lse") {
            meta.emplace_back(tok[0], tok);
            continue;
        }
        const auto it = std::find_if(meta.begin(), meta.end(), [&](const auto& m) { return m.first == tok[1]; });
        REQUIRE(it != meta.end());
        const auto& m = it->second;
        const std::size_t n = std::stoul(m[2]), d = std::stoul(m[3]);
        const double s = std::stod(m[4]);
        std::ifstream bin(std::string(MI_TEST_DATA_DIR) + "/kde_" + tok[1] + ".bin", std::ios::binary);
        REQUIRE(bin.good());
        std::vector<double> want;
        for (std::size_t i = 2; i < tok.size(); ++i) want.push_back(std::stod(tok[i]));
        REQUIRE(want.size() == n);
        INFO(tok[1]);
        if (m[1] == "f32") {
            std::vector<float> x(n * d);
            bin.read(reinterpret_cast<char*>(x.data()), static_cast<std::streamsize>(x.size() * sizeof(float)));
            CHECK(max_rel_error(mi::log_sum_kernel(mi::view(x, n, d), mi::gaussian_kernel(s)), want) < 2e-6);
        } else {
            std::vector<double> x(n * d);
            bin.read(reinterpret_cast<char*>(x.data()), static_cast<std::streamsize>(x.size() * sizeof(double)));
            CHECK(max_rel_error(mi::log_sum_kernel(mi::view(x, n, d), mi::gaussian_kernel(s)), want) < 1e-12);
        }
        ++checked;
    }
    CHECK(checked == 7);
}

TEST_CASE_TEMPLATE("log_sum_kernel: bit-identical for 1 and 2 threads", T, float, double) {
    for (std::size_t d : {7, 150}) {
        const std::size_t n = 700;
        const auto x = normal_rows<T>(n, d, 21 + d);
        const auto c = normal_rows<T>(333, d, 22 + d);
        const mi::gaussian_kernel k(0.2 * static_cast<double>(d));
        mi::set_num_threads(1);
        const auto a = mi::log_sum_kernel(mi::view(x, n, d), k);
        const auto ac = mi::log_sum_kernel(mi::view(x, n, d), mi::view(c, 333, d), k);
        mi::set_num_threads(2);
        const auto b = mi::log_sum_kernel(mi::view(x, n, d), k);
        const auto bc = mi::log_sum_kernel(mi::view(x, n, d), mi::view(c, 333, d), k);
        mi::set_num_threads(0);
        CHECK(a == b);
        CHECK(ac == bc);
    }
}

TEST_CASE_TEMPLATE("log_sum_kernel_split: every kernel over all rows and over each row's class", T, float, double) {
    // The one-pass form of the KDE bounds with classes: `all` is log_sum_kernel's result bit for
    // bit, and `own` the scalar definition on each class's rows alone. Classes interleaved, of
    // odd sizes, one of a single row, one empty, and (n = 1000) more than one 192-row block.
    for (const std::size_t n : {9, 131, 1000}) {
        for (const std::size_t d : {1, 5, 12}) {
            const auto x = normal_rows<T>(n, d, 300 + n + d);
            const auto v = mi::view(x, n, d);
            std::vector<std::uint32_t> cls(n);
            for (std::size_t i = 0; i < n; ++i) cls[i] = i == n / 2 ? 3u : static_cast<std::uint32_t>((i * 7 + i / 5) % 3);
            const std::array<mi::gaussian_kernel, 2> k{mi::gaussian_kernel(0.3 * static_cast<double>(d)),
                                                       mi::gaussian_kernel(1.2 * static_cast<double>(d))};
            const auto got = mi::detail::pairwise::log_sum_kernel_split(v, k, cls);
            INFO("n = " << n << ", d = " << d);
            for (std::size_t q = 0; q < 2; ++q) {
                const double s = q == 0 ? 0.3 * static_cast<double>(d) : 1.2 * static_cast<double>(d);
                CHECK(got[q].all == mi::log_sum_kernel(v, k[q]));
                CHECK(max_rel_error(got[q].all, definition(v, v, s)) < tolerance<T>());
                for (std::uint32_t c = 0; c < 5; ++c) {  // class 4 is empty
                    std::vector<T> rows;
                    std::vector<double> own;
                    for (std::size_t i = 0; i < n; ++i)
                        if (cls[i] == c) {
                            rows.insert(rows.end(), x.begin() + static_cast<std::ptrdiff_t>(i * d),
                                        x.begin() + static_cast<std::ptrdiff_t>((i + 1) * d));
                            own.push_back(got[q].own[i]);
                        }
                    if (own.empty()) continue;
                    const auto part = mi::view(rows, own.size(), d);
                    CHECK(max_rel_error(own, definition(part, part, s)) < tolerance<T>());
                }
            }
        }
    }
}

TEST_CASE_TEMPLATE("log_sum_kernel_split: bit-identical for 1 and 2 threads", T, float, double) {
    const std::size_t n = 900, d = 6;
    const auto x = normal_rows<T>(n, d, 77);
    std::vector<std::uint32_t> cls(n);
    for (std::size_t i = 0; i < n; ++i) cls[i] = static_cast<std::uint32_t>(i % 2);
    const std::array<mi::gaussian_kernel, 2> k{mi::gaussian_kernel(1.0), mi::gaussian_kernel(4.0)};
    mi::set_num_threads(1);
    const auto a = mi::detail::pairwise::log_sum_kernel_split(mi::view(x, n, d), k, cls);
    mi::set_num_threads(2);
    const auto b = mi::detail::pairwise::log_sum_kernel_split(mi::view(x, n, d), k, cls);
    mi::set_num_threads(0);
    for (std::size_t q = 0; q < 2; ++q) {
        CHECK(a[q].all == b[q].all);
        CHECK(a[q].own == b[q].own);
    }
}

TEST_CASE("log_sum_kernel: bad input") {
    const mi::gaussian_kernel k(1.0);
    std::vector<double> x{0.0, 1.0, 2.0, 3.0};
    CHECK_THROWS_AS(mi::log_sum_kernel(mi::view(x.data(), 0, 2), k), mi::error);
    CHECK_THROWS_AS(mi::log_sum_kernel(mi::view(x.data(), 2, 0), k), mi::error);
    x[3] = std::nan("");
    CHECK_THROWS_WITH_AS(mi::log_sum_kernel(mi::view(x, 2, 2), k), doctest::Contains("rows(1, 1)"), mi::error);
    x[3] = std::numeric_limits<double>::infinity();
    CHECK_THROWS_AS(mi::log_sum_kernel(mi::view(x, 2, 2), k), mi::error);
    const std::vector<float> q{1.f, 2.f, 3.f}, c{1.f, 2.f, 3.f, 4.f};
    CHECK_THROWS_WITH_AS(mi::log_sum_kernel(mi::view(q, 1, 3), mi::view(c, 2, 2), k),
                         doctest::Contains("centers.cols() = 2"), mi::error);
    const std::vector<float> bad{1.f, -std::numeric_limits<float>::infinity()};
    CHECK_THROWS_AS(mi::log_sum_kernel(mi::view(q, 1, 3), mi::view(bad, 1, 2), k), mi::error);
}

// The dense form: every entry against the double-precision definition exp(-|h_i - h_j|^2 / (2 s)),
// the matrix symmetric with a unit diagonal, and identical for 1 and 2 threads. Sizes cross the
// 192-row blocks (mirrored tiles) and the SIMD tails; d = 100 takes the same direct distances.
TEST_CASE_TEMPLATE("kernel_matrix: the dense Gram matrix of the engine", T, float, double) {
    for (const std::size_t n : {1u, 7u, 200u, 401u})
        for (const std::size_t d : {1u, 5u, 100u}) {
            CAPTURE(n);
            CAPTURE(d);
            mi::rng g(n * 131 + d);
            std::vector<T> x(n * d);
            for (auto& v : x) v = static_cast<T>(g.normal());
            const double s = 0.5 * static_cast<double>(d);
            const mi::gaussian_kernel k(s);
            std::vector<double> m(n * (n + 3), -1.0);  // ld = n + 3: the padding is left alone
            mi::kernel_matrix(mi::view(x, n, d), k, m.data(), n + 3);
            // float: distances to ~sqrt(d) 2^-24 relative, so the exponent to that times its size
            const double tol = std::is_same_v<T, float> ? 4e-6 : 1e-13;
            for (std::size_t i = 0; i < n; ++i) {
                CHECK(m[i * (n + 3) + i] == 1.0);
                for (std::size_t j = 0; j < n; ++j) {
                    double d2 = 0.0;
                    for (std::size_t c = 0; c < d; ++c) {
                        const double e = static_cast<double>(x[i * d + c]) - static_cast<double>(x[j * d + c]);
                        d2 += e * e;
                    }
                    const double want = std::exp(-d2 / (2.0 * s));
                    REQUIRE(std::fabs(m[i * (n + 3) + j] - want) <= tol * want * (1.0 + d2 / (2.0 * s)) + 1e-300);
                    REQUIRE(m[i * (n + 3) + j] == m[j * (n + 3) + i]);
                }
                for (std::size_t j = n; j < n + 3; ++j) REQUIRE(m[i * (n + 3) + j] == -1.0);
            }
            mi::set_num_threads(1);
            std::vector<double> one(n * n);
            mi::kernel_matrix(mi::view(x, n, d), k, one.data(), n);
            mi::set_num_threads(2);
            std::vector<double> two(n * n);
            mi::kernel_matrix(mi::view(x, n, d), k, two.data(), n);
            mi::set_num_threads(0);
            CHECK(one == two);
        }
    const std::vector<T> x(6, T(1));
    std::vector<double> m(9);
    CHECK_THROWS_WITH_AS(mi::kernel_matrix(mi::view(x, 3, 2), mi::gaussian_kernel(1.0), m.data(), 2),
                         doctest::Contains("ld = 2"), mi::error);
}

}  // namespace test_kernels_pairwise
