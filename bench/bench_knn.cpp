// SPDX-License-Identifier: BSD-3-Clause
// Timings of mi's k-nearest-neighbour estimators (kl_entropy, ksg) and their
// search policies. Two modes:
//
//   bench_knn                         synthetic scaling run: KSG 1-D vs 1-D and
//                                     Kozachenko-Leonenko 2-D for N = 1k..65k,
//                                     the fitted exponent of time ~ N^a, and
//                                     brute_force vs kd_tree vs grid per
//                                     dimension (max-norm), and kd_tree vs
//                                     brute_force against the scanned
//                                     fraction (Euclidean).
//   bench_knn ksg X.bin Y.bin K REPS  one KSG estimate on the given data
//   bench_knn kl  X.bin K REPS [none] one Kozachenko-Leonenko estimate; "none"
//                                     runs it with tie_policy::none(), i.e.
//                                     without the default jitter: the
//                                     computation scipy's cKDTree KL does
//   bench_knn crowded                 grid vs kd_tree k-th distances (build
//                                     included, Euclidean, k = 2) on Gaussian
//                                     points of which a fraction are copies
//                                     of one or of sixteen rows: the data
//                                     behind automatic's use of the grid for
//                                     kth_distance on crowded cells
//
// The second form is what bench/compare_knn.py calls, so that mi and the
// peer tools (scikit-learn, scipy cKDTree) time the same arrays in the same
// run. A .bin file is two int64 (rows, cols) then rows*cols float64, row-major.
// It prints "seconds=<best of REPS> value=<nats> search=<policy>". Timings
// include everything the estimate needs (copy, jitter, standardisation,
// index builds, queries). Uses all cores (MI_NUM_THREADS to change).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_io.hpp"
#include "mi/core/random.hpp"
#include "mi/estimators/kl_entropy.hpp"
#include "mi/estimators/ksg.hpp"
#include "mi/search/automatic.hpp"
#include "mi/search/brute_force.hpp"
#include "mi/search/grid.hpp"
#include "mi/search/kd_tree.hpp"

namespace {

using bench_io::best_of;
using bench_io::load;
using bench_io::matrix;

double fit_exponent(const std::vector<double>& n, const std::vector<double>& t) {
    double mx = 0, my = 0;
    for (std::size_t i = 0; i < n.size(); ++i) {
        mx += std::log(n[i]);
        my += std::log(t[i]);
    }
    mx /= static_cast<double>(n.size());
    my /= static_cast<double>(n.size());
    double sxy = 0, sxx = 0;
    for (std::size_t i = 0; i < n.size(); ++i) {
        sxy += (std::log(n[i]) - mx) * (std::log(t[i]) - my);
        sxx += (std::log(n[i]) - mx) * (std::log(n[i]) - mx);
    }
    return sxy / sxx;
}

std::vector<double> gaussian(std::size_t n, std::uint64_t seed) {
    mi::rng g(seed);
    std::vector<double> v(n);
    for (auto& x : v) x = g.normal();
    return v;
}

// "grid<max_norm>" -> "grid"
std::string short_name(const std::string& policy) { return policy.substr(0, policy.find('<')); }

// The policy automatic picks for the joint space of a KSG estimate (the
// marginal spaces may get another one).
std::string joint_policy(const matrix& x, const matrix& y) {
    std::vector<double> z(x.rows * (x.cols + y.cols));
    for (std::size_t i = 0; i < x.rows; ++i) {
        for (std::size_t j = 0; j < x.cols; ++j) z[i * (x.cols + y.cols) + j] = x.v[i * x.cols + j];
        for (std::size_t j = 0; j < y.cols; ++j) z[i * (x.cols + y.cols) + x.cols + j] = y.v[i * y.cols + j];
    }
    const mi::automatic<mi::max_norm> a(mi::view(z, x.rows, x.cols + y.cols));
    return short_name(a.chosen());
}

// One crossover table of automatic<Metric>: kd_tree against brute_force on Gaussian data.
template <class Metric>
void crossover(const char* title, std::size_t k, std::initializer_list<std::size_t> dims, std::uint64_t seed) {
    std::printf("\n%s, Gaussian data: kd_tree vs brute_force (seconds, build included; f = scanned fraction)\n\n", title);
    std::printf("| N | d | brute_force | kd_tree | kd_tree / brute_force | f | probe threshold | automatic picks |\n"
                "|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (std::size_t n : {512, 1024, 2048, 4096, 16384, 65536})
        for (std::size_t d : dims) {
            mi::rng g(d + n + seed);
            std::vector<double> p(n * d);
            for (auto& v : p) v = g.normal();
            double v = 0;
            const double bf = best_of(2, [&] { return mi::brute_force<Metric>(mi::view(p, n, d)).kth_distance(k)[0]; }, v);
            const double kd = best_of(2, [&] { return mi::kd_tree<Metric>(mi::view(p, n, d)).kth_distance(k)[0]; }, v);
            const mi::kd_tree<Metric> tree(mi::view(p, n, d));
            const mi::automatic<Metric> pick(mi::view(p, n, d));
            std::printf("| %zu | %zu | %.4f | %.4f | %.2f | %.2f | %.2f | %s |\n", n, d, bf, kd, kd / bf,
                        tree.scanned_fraction(64, k), mi::automatic<Metric>::probe_threshold(n),
                        short_name(pick.chosen()).c_str());
        }
}

int synthetic() {
    std::printf("threads: %zu, SIMD lanes (double): %zu\n\n", mi::num_threads(), mi::detail::lanes);
    std::printf("| estimator | N | seconds | N log N / time (rel.) |\n|---|---:|---:|---:|\n");
    std::vector<double> ns, tk, tl;
    for (std::size_t n : {1024, 4096, 16384, 65536, 262144}) {
        const auto x = gaussian(n, 1), e = gaussian(n, 2);
        std::vector<double> y(n);
        for (std::size_t i = 0; i < n; ++i) y[i] = 0.8 * x[i] + 0.6 * e[i];
        double v = 0;
        const double a = best_of(3, [&] { return mi::ksg<>().mutual_information(mi::view(x), mi::view(y)); }, v);
        std::vector<double> xy(2 * n);
        for (std::size_t i = 0; i < n; ++i) {
            xy[2 * i] = x[i];
            xy[2 * i + 1] = e[i];
        }
        const double b = best_of(3, [&] { return mi::kl_entropy<>().entropy(mi::view(xy, n, 2)); }, v);
        ns.push_back(static_cast<double>(n));
        tk.push_back(a);
        tl.push_back(b);
        std::printf("| ksg 1-D vs 1-D | %zu | %.5f | %.3g |\n", n, a, n * std::log2(double(n)) / a / 1e6);
        std::printf("| kl_entropy 2-D | %zu | %.5f | %.3g |\n", n, b, n * std::log2(double(n)) / b / 1e6);
    }
    std::printf("\nfitted exponent a in time ~ N^a: ksg 1-D %.3f, kl 2-D %.3f (N log N over this range: %.3f)\n",
                fit_exponent(ns, tk), fit_exponent(ns, tl),
                [&] {
                    std::vector<double> nl;
                    for (double n : ns) nl.push_back(n * std::log(n));
                    return fit_exponent(ns, nl);
                }());
    std::printf("\nall-points 3-NN, max-norm, N = 16384: brute_force vs kd_tree vs grid (seconds, build included)\n\n");
    std::printf("| d | brute_force | kd_tree | grid | automatic picks |\n|---:|---:|---:|---:|---|\n");
    for (std::size_t d : {1, 2, 3, 4, 6, 8, 10, 12, 16, 24}) {
        const std::size_t n = 16384;
        mi::rng g(d);
        std::vector<double> p(n * d);
        for (auto& v : p) v = g.normal();
        double v = 0;
        const double bf = best_of(2, [&] { return mi::brute_force<mi::max_norm>(mi::view(p, n, d)).kth_distance(3)[0]; }, v);
        const double kd = best_of(2, [&] { return mi::kd_tree<mi::max_norm>(mi::view(p, n, d)).kth_distance(3)[0]; }, v);
        const double gr = best_of(2, [&] { return mi::grid<mi::max_norm>(mi::view(p, n, d)).kth_distance(3)[0]; }, v);
        const mi::automatic<mi::max_norm> pick(mi::view(p, n, d));
        std::printf("| %zu | %.4f | %.4f | %.4f | %s |\n", d, bf, kd, gr, short_name(pick.chosen()).c_str());
    }
    // Where automatic hands over from kd_tree to brute_force (its dimension rule and probe
    // threshold, mi/search/automatic.hpp): the time ratio against the fraction of the points a
    // query scans (kd_tree::scanned_fraction, 64 queries). Euclidean k = 2 (Kozachenko-Leonenko),
    // max-norm k = 3 (KSG's joint space).
    crossover<mi::euclidean>("all-points 2-NN, Euclidean (Kozachenko-Leonenko)", 2, {6, 8, 10, 12, 16, 20}, 0);
    crossover<mi::max_norm>("all-points 3-NN, max-norm (KSG)", 3, {8, 12, 16, 24}, 1);
    return 0;
}

// Grid against kd_tree for kth_distance as exact copies crowd the cells (automatic.hpp keeps
// the grid for kth_distance however crowded; this is the table behind that rule).
int crowded() {
    std::printf("| d | N | copied rows | copied from | crowding / target | grid ms | kd_tree ms | grid / kd_tree |\n");
    std::printf("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (const std::size_t d : {2, 3, 4})
        for (const std::size_t n : {4096, 16384})
            for (const double fraction : {0.0, 0.05, 0.1, 0.2, 0.4})
                for (const std::size_t sources : {1, 16}) {
                    std::vector<double> x = gaussian(n * d, 100 + d);
                    const auto copies = static_cast<std::size_t>(fraction * static_cast<double>(n));
                    for (std::size_t i = 0; i < copies; ++i)
                        for (std::size_t j = 0; j < d; ++j) x[i * d + j] = x[(n - 1 - i % sources) * d + j];
                    const mi::activation_view<const double> v(x.data(), n, d);
                    mi::grid<mi::euclidean> g;
                    mi::kd_tree<mi::euclidean> t;
                    double unused = 0;
                    const double tg = best_of(5, [&] {
                        g.build(v);
                        return g.kth_distance(2)[0];
                    }, unused);
                    const double tt = best_of(5, [&] {
                        t.build(v);
                        return t.kth_distance(2)[0];
                    }, unused);
                    std::printf("| %zu | %zu | %.0f %% | %zu | %.1f | %.2f | %.2f | %.2f |\n", d, n, 100.0 * fraction, sources,
                                g.crowding() / g.target_occupancy(), 1e3 * tg, 1e3 * tt, tg / tt);
                }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        if (argc == 1) return synthetic();
        const std::string what = argv[1];
        if (what == "ksg" && argc == 6) {
            const matrix x = load(argv[2]), y = load(argv[3]);
            const std::size_t k = std::stoul(argv[4]);
            const int reps = std::stoi(argv[5]);
            double v = 0;
            const double s = best_of(reps, [&] {
                return mi::ksg<>(k).mutual_information(mi::view(x.v, x.rows, x.cols), mi::view(y.v, y.rows, y.cols));
            }, v);
            std::printf("seconds=%.6f value=%.10f search=%s\n", s, v, joint_policy(x, y).c_str());
            return 0;
        }
        if (what == "crowded" && argc == 2) return crowded();
        if (what == "kl" && (argc == 5 || (argc == 6 && std::string(argv[5]) == "none"))) {
            const matrix x = load(argv[2]);
            mi::kl_entropy_options options;
            options.k = std::stoul(argv[3]);
            if (argc == 6) options.ties = mi::tie_policy::none();
            const int reps = std::stoi(argv[4]);
            double v = 0;
            const mi::kl_entropy<> estimator(options);
            const double s = best_of(reps, [&] { return estimator.entropy(mi::view(x.v, x.rows, x.cols)); }, v);
            const mi::automatic<mi::euclidean> a(mi::view(x.v, x.rows, x.cols));
            std::printf("seconds=%.6f value=%.10f search=%s\n", s, v, short_name(a.chosen_for_kth()).c_str());
            return 0;
        }
        std::fprintf(stderr, "usage: bench_knn | bench_knn ksg X.bin Y.bin K REPS | bench_knn kl X.bin K REPS [none] | bench_knn crowded\n");
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_knn: %s\n", e.what());
        return 1;
    }
}
