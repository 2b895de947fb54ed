// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <utility>
#include <string>
#include <vector>

#include "mi/core/error.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/random.hpp"
#include "mi/core/samples.hpp"
#include "mi/core/stiefel_frame.hpp"
#include "mi/estimators/ksg.hpp"
#include "mi/estimators/sliced.hpp"
#include "default_threads.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_estimators_sliced {

static_assert(mi::is_plane_estimator_v<mi::sliced<>, float>, "sliced<ksg> models the plane estimator");
static_assert(mi::is_plane_estimator_v<mi::sliced<mi::ksg<>>, double>, "sliced<ksg> models the plane estimator");
static_assert(mi::resampling_of_v<mi::sliced<>> == mi::resampling::rows, "sliced is bootstrapped by rows");
static_assert(mi::bias_correction_of_v<mi::sliced<>> == mi::bias_correction::none, "no half-sample reflection");
static_assert(mi::is_plane_estimator_v<mi::sliced<mi::kde_slice<>>, float>, "sliced<kde_slice> models the plane estimator");
static_assert(mi::is_plane_estimator_v<mi::sliced<mi::binning_slice<>>, double>,
              "sliced<binning_slice> models the plane estimator");

namespace {

using mat3 = std::array<double, 9>;  // row-major 3 x 3

mat3 mul(const mat3& a, const mat3& b) {
    mat3 c{};
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
            for (int k = 0; k < 3; ++k) c[3 * i + j] += a[3 * i + k] * b[3 * k + j];
    return c;
}
mat3 transpose(const mat3& a) {
    mat3 t{};
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) t[3 * j + i] = a[3 * i + j];
    return t;
}
mat3 add(const mat3& a, const mat3& b) {
    mat3 c{};
    for (int i = 0; i < 9; ++i) c[i] = a[i] + b[i];
    return c;
}
double quad(const double* u, const mat3& m, const double* v) {
    double s = 0.0;
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) s += u[i] * m[3 * i + j] * v[j];
    return s;
}

/// log det of a symmetric positive definite n x n matrix (row-major), by Gaussian elimination (the test's own).
double logdet(std::vector<double> a, std::size_t n) {
    double s = 0.0;
    for (std::size_t j = 0; j < n; ++j) {
        const double p = a[j * n + j];
        REQUIRE(p > 0.0);
        s += std::log(p);
        for (std::size_t i = j + 1; i < n; ++i) {
            const double f = a[i * n + j] / p;
            for (std::size_t c = j; c < n; ++c) a[i * n + c] -= f * a[j * n + c];
        }
    }
    return s;
}

// The model of tests (1) and (3): X = Lx z1, Y = W X + Ln z2 (z1, z2 standard normal in R^3), so
// Sigma_x = Lx Lx^T, Sigma_xy = Sigma_x W^T, Sigma_y = W Sigma_x W^T + Ln Ln^T.
const mat3 Lx{1.0, 0.0, 0.0, 0.5, 1.2, 0.0, -0.3, 0.4, 0.8};
const mat3 W{0.9, 0.0, 0.3, 0.0, -0.7, 0.5, 0.2, 0.4, 0.0};
const mat3 Ln{0.6, 0.0, 0.0, 0.0, 0.8, 0.0, 0.0, 0.0, 1.0};

struct gaussian_model {
    mat3 sx, sxy, sy;
    gaussian_model() {
        sx = mul(Lx, transpose(Lx));
        sxy = mul(sx, transpose(W));
        sy = add(mul(mul(W, sx), transpose(W)), mul(Ln, transpose(Ln)));
    }
    /// The exact I(X;Y) = 1/2 log(det Sx det Sy / det S).
    double exact_mi() const {
        std::vector<double> joint(36), a(9), b(9);
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j) {
                joint[6 * i + j] = a[3 * i + j] = sx[3 * i + j];
                joint[6 * (i + 3) + j + 3] = b[3 * i + j] = sy[3 * i + j];
                joint[6 * i + j + 3] = sxy[3 * i + j];
                joint[6 * (j + 3) + i] = sxy[3 * i + j];
            }
        return 0.5 * (logdet(a, 3) + logdet(b, 3) - logdet(joint, 6));
    }
};

struct xy_data {
    std::size_t n = 0;
    std::vector<double> x, y;  // n x 3 each
};

xy_data draw(std::size_t n, std::uint64_t seed, bool independent = false) {
    mi::rng g(seed);
    xy_data d;
    d.n = n;
    d.x.resize(3 * n);
    d.y.resize(3 * n);
    for (std::size_t r = 0; r < n; ++r) {
        double z1[3], z2[3], z3[3];
        for (int i = 0; i < 3; ++i) z1[i] = g.normal();
        for (int i = 0; i < 3; ++i) z2[i] = g.normal();
        for (int i = 0; i < 3; ++i) z3[i] = g.normal();
        double* x = &d.x[3 * r];
        double* y = &d.y[3 * r];
        for (int i = 0; i < 3; ++i) {
            x[i] = 0.0;
            for (int j = 0; j < 3; ++j) x[i] += Lx[3 * i + j] * z1[j];
        }
        // independent: Y's X-part from a fresh draw z3 (same marginal, independent of X)
        double xs[3];
        for (int i = 0; i < 3; ++i) {
            xs[i] = 0.0;
            for (int j = 0; j < 3; ++j) xs[i] += Lx[3 * i + j] * (independent ? z3[j] : z1[j]);
        }
        for (int i = 0; i < 3; ++i) {
            y[i] = 0.0;
            for (int j = 0; j < 3; ++j) y[i] += W[3 * i + j] * xs[j] + Ln[3 * i + j] * z2[j];
        }
    }
    return d;
}

/// A uniform direction on S^2 (normalised Gaussian vector), the reference's own.
void direction(mi::rng& g, double* u) {
    double s = 0.0;
    for (int i = 0; i < 3; ++i) {
        u[i] = g.normal();
        s += u[i] * u[i];
    }
    s = std::sqrt(s);
    for (int i = 0; i < 3; ++i) u[i] /= s;
}

/// The reference SI(X;Y) = E -1/2 log(1 - rho(theta, phi)^2) by Monte Carlo over `pairs` direction pairs.
struct reference {
    double mean = 0.0, sd = 0.0, rho_max = 0.0, rho_abs_mean = 0.0;
    std::size_t pairs = 0;
};
reference reference_si(const gaussian_model& m, std::size_t pairs, std::uint64_t seed) {
    mi::rng g(seed);
    double s = 0.0, ss = 0.0, rmax = 0.0, rabs = 0.0;
    for (std::size_t p = 0; p < pairs; ++p) {
        double th[3], ph[3];
        direction(g, th);
        direction(g, ph);
        const double rho = quad(th, m.sxy, ph) / std::sqrt(quad(th, m.sx, th) * quad(ph, m.sy, ph));
        const double f = -0.5 * std::log(1.0 - rho * rho);
        s += f;
        ss += f * f;
        rmax = std::max(rmax, std::fabs(rho));
        rabs += std::fabs(rho);
    }
    reference r;
    r.pairs = pairs;
    r.mean = s / static_cast<double>(pairs);
    r.sd = std::sqrt(ss / static_cast<double>(pairs) - r.mean * r.mean);
    r.rho_max = rmax;
    r.rho_abs_mean = rabs / static_cast<double>(pairs);
    return r;
}

mi::sliced_options opts(std::size_t slices, std::size_t k = 1, std::uint64_t seed = 0) {
    mi::sliced_options o;
    o.slices = slices;
    o.k = k;
    o.seed = seed;
    return o;
}

std::uint64_t bits_of(double v) {
    std::uint64_t b;
    std::memcpy(&b, &v, sizeof b);
    return b;
}

/// Rows x -> Q x of an n x 3 matrix.
std::vector<double> map_rows(const std::vector<double>& v, const mat3& q) {
    std::vector<double> out(v.size());
    for (std::size_t r = 0; r < v.size() / 3; ++r)
        for (int i = 0; i < 3; ++i) {
            double s = 0.0;
            for (int j = 0; j < 3; ++j) s += q[3 * i + j] * v[3 * r + j];
            out[3 * r + i] = s;
        }
    return out;
}

/// A fixed orthogonal map: rotations about z (0.7 rad) and then x (-1.1 rad), and a reflection of y.
mat3 orthogonal_map() {
    const double a = 0.7, b = -1.1;
    const mat3 rz{std::cos(a), -std::sin(a), 0.0, std::sin(a), std::cos(a), 0.0, 0.0, 0.0, 1.0};
    const mat3 rx{1.0, 0.0, 0.0, 0.0, std::cos(b), -std::sin(b), 0.0, std::sin(b), std::cos(b)};
    const mat3 f{1.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 1.0};
    return mul(f, mul(rx, rz));
}

using mi_test::default_threads_on_exit;

}  // namespace

TEST_CASE("(1) jointly Gaussian X, Y (3 + 3 dimensions): sliced estimates against the Monte Carlo reference SI") {
    const gaussian_model m;
    // reference: 200000 direction pairs (its own Monte Carlo sd is printed below, ~2e-4)
    const reference ref = reference_si(m, 200000, 424242);
    const std::size_t n = 20000;
    const xy_data d = draw(n, 2021);
    const auto x = mi::view(d.x, n, 3), y = mi::view(d.y, n, 3);
    const double root_n = std::sqrt(static_cast<double>(n));
    // Sampling error of the Gaussian per-slice estimate: by the delta method sd(rho_hat) = (1 - rho^2)/sqrt(N)
    // and d/drho [-1/2 log(1 - rho^2)] = rho / (1 - rho^2), so each slice has sd |rho|/sqrt(N); the slices share
    // the data, but by Minkowski's inequality the average's sd is at most the average sd, E|rho|/sqrt(N)
    // (E|rho| from the reference's directions). Its bias is O(1/N).
    const double sampling_sd = ref.rho_abs_mean / root_n;
    const double ref_mc_sd = ref.sd / std::sqrt(static_cast<double>(ref.pairs));
    MESSAGE("reference SI = " << ref.mean << " (MC sd " << ref_mc_sd << ", per-pair sd " << ref.sd
                              << ", max |rho| " << ref.rho_max << ", mean |rho| " << ref.rho_abs_mean
                              << "); I(X;Y) = " << m.exact_mi());

    SUBCASE("gaussian per slice, 4000 slices") {
        const std::size_t slices = 4000;
        const double est = mi::sliced<mi::gaussian_slice>(opts(slices, 1, 7)).mutual_information(y, x);
        const double mc_sd = ref.sd * std::sqrt(1.0 / static_cast<double>(slices) + 1.0 / static_cast<double>(ref.pairs));
        // directions and data are independent: the variances add; the bias is O(1/N)
        const double tol = 4.0 * std::sqrt(mc_sd * mc_sd + sampling_sd * sampling_sd) + 1.0 / static_cast<double>(n);
        MESSAGE("sliced<gaussian_slice> M=4000 N=20000: " << est << " vs reference " << ref.mean << ", difference "
                                                          << est - ref.mean << ", tolerance " << tol);
        CHECK(std::fabs(est - ref.mean) <= tol);
    }
    SUBCASE("ksg per slice, 256 slices; and slice by slice against the gaussian per slice") {
        const std::size_t slices = 256;
        const double est = mi::sliced<mi::ksg<>>(opts(slices, 1, 7)).mutual_information(y, x);
        const double gauss = mi::sliced<mi::gaussian_slice>(opts(slices, 1, 7)).mutual_information(y, x);
        const double mc_sd = ref.sd * std::sqrt(1.0 / static_cast<double>(slices) + 1.0 / static_cast<double>(ref.pairs));
        // KSG (k = 3) on 1-D Gaussian pairs (test_ksg.cpp's table, measured with an independent implementation):
        // sd 0.017 to 0.031 at N = 2000 for rho in [0, 0.99], i.e. at most 1.4/sqrt(N) per slice (the slice
        // average has at most that sd), and |bias| <= 0.011.
        const double ksg_sd = 1.4 / root_n, ksg_bias = 0.011;
        const double tol = 4.0 * std::sqrt(mc_sd * mc_sd + ksg_sd * ksg_sd) + ksg_bias;
        MESSAGE("sliced<ksg> M=256 N=20000: " << est << " vs reference " << ref.mean << ", difference " << est - ref.mean
                                              << ", tolerance " << tol << "; sliced<gaussian_slice> same directions: "
                                              << gauss << ", difference " << est - gauss);
        CHECK(std::fabs(est - ref.mean) <= tol);
        // the same seed gives both the same directions: the difference is KSG's error against the Gaussian
        // form on the same slices (no Monte Carlo error over directions): within KSG's error plus the
        // Gaussian form's sampling sd
        CHECK(std::fabs(est - gauss) <= 4.0 * (ksg_sd + sampling_sd) + ksg_bias);
    }
    SUBCASE("k-sliced with k = d = 3: every slice is the sample's full Gaussian MI (invariant to invertible maps)") {
        // the test's own sample Gaussian MI: 1/2 log(det S_x det S_y / det S), S the 6 x 6 sample covariance
        std::vector<double> mean(6, 0.0), cov(36, 0.0), a(9), b(9);
        for (std::size_t r = 0; r < n; ++r)
            for (int c = 0; c < 6; ++c) mean[c] += c < 3 ? d.x[3 * r + c] : d.y[3 * r + c - 3];
        for (double& v : mean) v /= static_cast<double>(n);
        for (std::size_t r = 0; r < n; ++r)
            for (int c = 0; c < 6; ++c)
                for (int e = 0; e < 6; ++e)
                    cov[6 * c + e] += ((c < 3 ? d.x[3 * r + c] : d.y[3 * r + c - 3]) - mean[c]) *
                                      ((e < 3 ? d.x[3 * r + e] : d.y[3 * r + e - 3]) - mean[e]);
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j) {
                a[3 * i + j] = cov[6 * i + j];
                b[3 * i + j] = cov[6 * (i + 3) + j + 3];
            }
        const double sample_mi = 0.5 * (logdet(a, 3) + logdet(b, 3) - logdet(cov, 6));
        const double est = mi::sliced<mi::gaussian_slice>(opts(16, 3, 3)).mutual_information(y, x);
        // sampling sd of the Gaussian MI estimate: sqrt(sum of squared canonical correlations / N) <= sqrt(3/N)
        const double tol_exact = 4.0 * std::sqrt(3.0) / root_n + 9.0 / (2.0 * static_cast<double>(n));
        MESSAGE("k=3: sliced<gaussian_slice> " << est << ", the sample's Gaussian MI " << sample_mi << ", exact I(X;Y) "
                                               << m.exact_mi());
        CHECK(std::fabs(est - sample_mi) <= 1e-10 * std::max(1.0, sample_mi));
        CHECK(std::fabs(est - m.exact_mi()) <= tol_exact);
        // and k = 2 lies between the 1-sliced and the full MI (projections lose information on average)
        const double k2 = mi::sliced<mi::gaussian_slice>(opts(2000, 2, 3)).mutual_information(y, x);
        CHECK(k2 > ref.mean);
        CHECK(k2 < m.exact_mi());
    }
}

TEST_CASE("(1b) SI(T;Y) with labels: two Gaussian classes, against a quadrature-and-Monte-Carlo reference") {
    // T | Y = +-1 ~ N(+-mu, I_3), classes equiprobable: theta^T T | Y ~ N(+-a, 1), a = |theta^T mu|, and
    // I(theta^T T; Y) = h(mixture of N(-a,1), N(a,1)) - 1/2 log(2 pi e), by the trapezoid rule on [-a-12, a+12].
    const double mu[3] = {1.2, -0.6, 0.3};
    constexpr double pi = 3.14159265358979323846;
    const auto slice_mi = [](double a) {
        const double h = 0.002, lo = -a - 12.0, hi = a + 12.0, c = 1.0 / std::sqrt(2.0 * pi);
        double s = 0.0;
        for (double z = lo; z <= hi; z += h) {
            const double p = 0.5 * c * (std::exp(-0.5 * (z - a) * (z - a)) + std::exp(-0.5 * (z + a) * (z + a)));
            if (p > 0.0) s -= p * std::log(p) * h;
        }
        return s - 0.5 * std::log(2.0 * pi * std::exp(1.0));
    };
    mi::rng g(5150);
    const std::size_t dirs = 4000;
    double sum = 0.0, ss = 0.0;
    for (std::size_t i = 0; i < dirs; ++i) {
        double th[3];
        direction(g, th);
        const double f = slice_mi(std::fabs(th[0] * mu[0] + th[1] * mu[1] + th[2] * mu[2]));
        sum += f;
        ss += f * f;
    }
    const double ref = sum / static_cast<double>(dirs);
    const double sd = std::sqrt(ss / static_cast<double>(dirs) - ref * ref);

    const std::size_t n = 20000, slices = 256;
    std::vector<double> t(3 * n);
    std::vector<int> y(n);
    mi::rng data(77);
    for (std::size_t r = 0; r < n; ++r) {
        y[r] = static_cast<int>(r % 2);
        const double sign = y[r] == 1 ? 1.0 : -1.0;
        for (int i = 0; i < 3; ++i) t[3 * r + static_cast<std::size_t>(i)] = sign * mu[i] + data.normal();
    }
    const double est = mi::sliced<mi::ksg<>>(opts(slices, 1, 11)).mutual_information(mi::view(t, n, 3), mi::labels(y, 2));
    // Monte Carlo of both averages, plus Ross's error, taken as KSG's in test (1): sd 1.4/sqrt(N), bias 0.011
    const double mc = sd * std::sqrt(1.0 / static_cast<double>(slices) + 1.0 / static_cast<double>(dirs));
    const double ross_sd = 1.4 / std::sqrt(static_cast<double>(n));
    const double tol = 4.0 * std::sqrt(mc * mc + ross_sd * ross_sd) + 0.011;
    MESSAGE("SI(T;Y) reference " << ref << " (per-direction sd " << sd << "), sliced<ksg> " << est << ", difference "
                                 << est - ref << ", tolerance " << tol);
    CHECK(std::fabs(est - ref) <= tol);
}

TEST_CASE("(2) independent X and Y: the estimate is within the null spread of 0") {
    const std::size_t n = 2000;
    const xy_data d = draw(n, 99, true);
    const auto x = mi::view(d.x, n, 3), y = mi::view(d.y, n, 3);
    SUBCASE("gaussian per slice: N rho_hat^2 ~ chi^2_1, so each slice is chi^2_1 / (2N): mean 1/(2N), sd sqrt(2)/(2N)") {
        const double est = mi::sliced<mi::gaussian_slice>(opts(128)).mutual_information(y, x);
        const double mean = 1.0 / (2.0 * static_cast<double>(n - 1)), sd = std::sqrt(2.0) / (2.0 * static_cast<double>(n));
        MESSAGE("independent, sliced<gaussian_slice>: " << est << ", null mean " << mean << ", null sd " << sd);
        CHECK(est >= 0.0);
        CHECK(std::fabs(est - mean) <= 4.0 * sd);
    }
    SUBCASE("ksg per slice: the null spread of 1-D KSG measured on 20 independent pairs") {
        double s = 0.0, ss = 0.0;
        const int reps = 20;
        for (int r = 0; r < reps; ++r) {
            mi::rng g(1000 + static_cast<std::uint64_t>(r));
            std::vector<double> a(n), b(n);
            for (std::size_t i = 0; i < n; ++i) {
                a[i] = g.normal();
                b[i] = g.normal();
            }
            const double v = mi::ksg<>().mutual_information(mi::view(a), mi::view(b));
            s += v;
            ss += v * v;
        }
        const double null_mean = s / reps, null_sd = std::sqrt((ss - s * s / reps) / (reps - 1));
        // each slice estimate has the null's mean and sd; the average of correlated slices has at most that sd
        const double est = mi::sliced<mi::ksg<>>(opts(64)).mutual_information(y, x);
        MESSAGE("independent, sliced<ksg>: " << est << ", 1-D KSG null mean " << null_mean << ", sd " << null_sd);
        CHECK(std::fabs(est) <= std::fabs(null_mean) + 4.0 * null_sd);
        // and the dependent data of test (1)'s model is far outside it
        const xy_data dep = draw(n, 99);
        const double dependent =
            mi::sliced<mi::ksg<>>(opts(256)).mutual_information(mi::view(dep.y, n, 3), mi::view(dep.x, n, 3));
        MESSAGE("dependent (SI = 0.109): " << dependent);
        CHECK(dependent > std::fabs(null_mean) + 4.0 * null_sd);
    }
}

TEST_CASE("(3) a fixed orthogonal map of X leaves SI unchanged up to Monte Carlo and sampling error") {
    const gaussian_model m;
    const reference ref = reference_si(m, 100000, 31337);
    const mat3 q = orthogonal_map();
    // q is orthogonal
    const mat3 qqt = mul(q, transpose(q));
    for (int i = 0; i < 9; ++i) CHECK(std::fabs(qqt[i] - (i % 4 == 0 ? 1.0 : 0.0)) < 1e-15);
    const mat3 stretch{3.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.3};  // not orthogonal: SI changes

    SUBCASE("gaussian per slice, N = 20000, 4000 slices") {
        const std::size_t n = 20000, slices = 4000;
        const xy_data d = draw(n, 7);
        const std::vector<double> qx = map_rows(d.x, q), sx = map_rows(d.x, stretch);
        const mi::sliced<mi::gaussian_slice> e(opts(slices, 1, 1));
        const auto y = mi::view(d.y, n, 3);
        const double a = e.mutual_information(y, mi::view(d.x, n, 3)), b = e.mutual_information(y, mi::view(qx, n, 3));
        const double c = e.mutual_information(y, mi::view(sx, n, 3));
        // two Monte Carlo averages over other directions (variance sd_f^2 / M each) and two sampling errors
        // (variance <= (E|rho|)^2 / N each, see test (1)); the O(1/N) biases are the same for both
        const double mc = ref.sd / std::sqrt(static_cast<double>(slices));
        const double sampling = ref.rho_abs_mean / std::sqrt(static_cast<double>(n));
        const double tol = 4.0 * std::sqrt(2.0 * (mc * mc + sampling * sampling));
        MESSAGE("orthogonal map, gaussian: " << a << " vs " << b << " (difference " << a - b << ", tolerance " << tol
                                             << "); stretched: " << c);
        CHECK(std::fabs(a - b) <= tol);
        CHECK(std::fabs(a - c) > tol);  // the test can tell a non-orthogonal map
    }
    SUBCASE("ksg per slice, N = 20000, 128 slices") {
        const std::size_t n = 20000, slices = 128;
        const xy_data d = draw(n, 8);
        const std::vector<double> qx = map_rows(d.x, q);
        const mi::sliced<mi::ksg<>> e(opts(slices, 1, 1));
        const auto y = mi::view(d.y, n, 3);
        const double a = e.mutual_information(y, mi::view(d.x, n, 3)), b = e.mutual_information(y, mi::view(qx, n, 3));
        // as above with KSG's sampling sd (1.4/sqrt(N), test (1)); its bias is the same on both sides
        const double mc = ref.sd / std::sqrt(static_cast<double>(slices)), sampling = 1.4 / std::sqrt(static_cast<double>(n));
        const double tol = 4.0 * std::sqrt(2.0 * (mc * mc + sampling * sampling));
        MESSAGE("orthogonal map, ksg: " << a << " vs " << b << " (difference " << a - b << ", tolerance " << tol << ")");
        CHECK(std::fabs(a - b) <= tol);
    }
}

TEST_CASE("(4) bit-identical for 1, 2 and 3 threads; the seed changes the directions") {
    const std::size_t n = 300;
    const xy_data d = draw(n, 4);
    const auto x = mi::view(d.x, n, 3), y = mi::view(d.y, n, 3);
    std::vector<int> labels(n);
    for (std::size_t i = 0; i < n; ++i) labels[i] = d.x[3 * i] > 0.0 ? 1 : 0;
    const mi::samples s = mi::samples(mi::labels(labels, 2)).with_network_input(x);
    const default_threads_on_exit restore;
    for (const std::size_t k : {1, 2}) {
        CAPTURE(k);
        const mi::sliced<> e(opts(37, k, 5));
        mi::set_num_threads(1);
        const double one_xt = e.mutual_information(y, x), one_ty = e.mutual_information(y, mi::labels(labels, 2));
        const mi::plane_point one = e.point(y, s);
        // point() is the two methods: the same frames of T serve both coordinates
        CHECK(bits_of(one.ixt) == bits_of(one_xt));
        CHECK(bits_of(one.ity) == bits_of(one_ty));
        CHECK(one.ixt_kind == mi::ixt_quantity::mutual_information);
        for (const std::size_t threads : {2, 3}) {
            CAPTURE(threads);
            mi::set_num_threads(threads);
            CHECK(bits_of(e.mutual_information(y, x)) == bits_of(one_xt));
            CHECK(bits_of(e.mutual_information(y, mi::labels(labels, 2))) == bits_of(one_ty));
            const mi::plane_point p = e.point(y, s);
            CHECK(bits_of(p.ixt) == bits_of(one.ixt));
            CHECK(bits_of(p.ity) == bits_of(one.ity));
        }
        mi::set_num_threads(0);
        const mi::sliced<> other(opts(37, k, 6));
        CHECK(other.mutual_information(y, x) != one_xt);
        CHECK(other.mutual_information(y, mi::labels(labels, 2)) != one_ty);
        CHECK(bits_of(mi::sliced<>(opts(37, k, 5)).mutual_information(y, x)) == bits_of(one_xt));
    }
    // the average is over the slices' own estimates: slice s is ksg on the projections drawn from derive_seed(seed, s)
    {
        const std::size_t slices = 5;
        double sum = 0.0;
        for (std::size_t sl = 0; sl < slices; ++sl) {
            mi::rng r(mi::derive_seed(5, sl));
            const std::vector<double> ft = mi::detail::stiefel_frame(3, 1, r), fx = mi::detail::stiefel_frame(3, 1, r);
            std::vector<double> pt(n), px(n);
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t c = 0; c < 3; ++c) {
                    pt[i] += d.y[3 * i + c] * ft[c];
                    px[i] += d.x[3 * i + c] * fx[c];
                }
            sum += mi::ksg<>().mutual_information(mi::view(px), mi::view(pt));
        }
        CHECK(mi::sliced<>(opts(slices, 1, 5)).mutual_information(y, x) == doctest::Approx(sum / 5.0).epsilon(1e-14));
    }
}

TEST_CASE("(4b) projections: every value the same whatever the slices projected together, and near a wider sum") {
    // 70 rows: tiles of project_tile_rows (24 with AVX-512, 6 in the SSE2 build of the tests), then
    // register blocks of 12 rows, then the plain loop
    const std::size_t n = 70, d = 37;
    mi::rng r(41);
    std::vector<double> v(n * d);
    for (double& a : v) a = r.normal();
    const auto view = mi::view(v, n, d);
    // columns of frames side by side, m of them; `part` takes columns [j0, j0 + w) as its own frames
    const auto frames = [&](std::size_t m) {
        std::vector<double> f(d * m);
        for (double& a : f) a = r.normal();
        return f;
    };
    const auto part = [&](const std::vector<double>& f, std::size_t m, std::size_t j0, std::size_t w) {
        std::vector<double> g(d * w);
        for (std::size_t c = 0; c < d; ++c)
            for (std::size_t j = 0; j < w; ++j) g[c * w + j] = f[c * m + j0 + j];
        return g;
    };
    // 1-D slices: 128 columns (whole SIMD batches) and 100 (its last 4 columns, a pass of its own
    // below, narrower than a batch of 8, so the plain loop's), against passes of 32
    for (const std::size_t m : {128u, 100u}) {
        CAPTURE(m);
        const std::vector<double> f = frames(m);
        std::vector<double> all(n * m);
        mi::detail::project_rows(view, f, m, 1, all.data());
        std::size_t mismatches = 0;
        double worst = 0.0;
        for (std::size_t j0 = 0; j0 < m; j0 += 32) {
            const std::size_t w = std::min<std::size_t>(32, m - j0);
            std::vector<double> some(n * w);
            mi::detail::project_rows(view, part(f, m, j0, w), w, 1, some.data());
            for (std::size_t j = 0; j < w; ++j)
                for (std::size_t i = 0; i < n; ++i) {
                    mismatches += all[(j0 + j) * n + i] != some[j * n + i];
                    long double exact = 0.0L;
                    for (std::size_t c = 0; c < d; ++c) exact += static_cast<long double>(v[i * d + c]) * f[c * m + j0 + j];
                    worst = std::max(worst, static_cast<double>(std::fabs(all[(j0 + j) * n + i] - exact)));
                }
        }
        CHECK(mismatches == 0);
        CHECK(worst < 1e-13);
        // one column at a time is the plain loop's sum: the tiles and the blocks give its bits
        std::size_t loop_mismatches = 0;
        for (std::size_t j = 0; j < m; ++j) {
            std::vector<double> one(n);
            mi::detail::project_rows(view, part(f, m, j, 1), 1, 1, one.data());
            for (std::size_t i = 0; i < n; ++i) loop_mismatches += all[j * n + i] != one[i];
        }
        CHECK(loop_mismatches == 0);
    }
    // 2-D slices (k = 2): four slices at once against one at a time
    const std::size_t m = 8;
    const std::vector<double> f = frames(m);
    std::vector<double> all(n * m);
    mi::detail::project_rows(view, f, m, 2, all.data());
    std::size_t mismatches = 0;
    for (std::size_t s = 0; s < 4; ++s) {
        std::vector<double> one(n * 2);
        mi::detail::project_rows(view, part(f, m, 2 * s, 2), 2, 2, one.data());
        for (std::size_t i = 0; i < n * 2; ++i) mismatches += all[s * n * 2 + i] != one[i];
    }
    CHECK(mismatches == 0);
}

TEST_CASE("(5) bad input raises mi::error naming the argument") {
    const std::size_t n = 40;
    const xy_data d = draw(n, 3);
    const auto x = mi::view(d.x, n, 3), y = mi::view(d.y, n, 3);
    std::vector<int> labels(n, 0);
    for (std::size_t i = 0; i < n; i += 2) labels[i] = 1;
    CHECK_THROWS_WITH_AS(mi::sliced<>(opts(0)), doctest::Contains("mi::sliced: options.slices = 0, expected >= 1"),
                         mi::error);
    CHECK_THROWS_WITH_AS(mi::sliced<>(opts(8, 0)), doctest::Contains("mi::sliced: options.k = 0, expected >= 1"), mi::error);
    const mi::sliced<> four(opts(8, 4));
    CHECK_THROWS_WITH_AS(four.mutual_information(y, x), doctest::Contains("options.k = 4, expected <= the 3 columns of t"),
                         mi::error);
    const std::vector<double> x2(d.x.begin(), d.x.begin() + static_cast<std::ptrdiff_t>(2 * n));
    CHECK_THROWS_WITH_AS(mi::sliced<>(opts(8, 3)).mutual_information(y, mi::view(x2, n, 2)),
                         doctest::Contains("options.k = 3, expected <= the 2 columns of x"), mi::error);
    CHECK_THROWS_WITH_AS(four.mutual_information(y, mi::labels(labels, 2)), doctest::Contains("options.k = 4"), mi::error);
    CHECK_THROWS_WITH_AS(four.point(y, mi::samples(mi::labels(labels, 2)).with_network_input(x)),
                         doctest::Contains("mi::sliced::point: options.k = 4, expected <= the 3 columns of layer"),
                         mi::error);

    const mi::sliced<> e(opts(8));
    std::vector<double> bad = d.x;
    bad[5 * 3 + 1] = std::nan("");
    CHECK_THROWS_WITH_AS(e.mutual_information(y, mi::view(bad, n, 3)),
                         doctest::Contains("mi::sliced::mutual_information: x(5, 1) = nan"), mi::error);
    CHECK_THROWS_WITH_AS(e.mutual_information(mi::view(bad, n, 3), x), doctest::Contains("t(5, 1) = nan"), mi::error);
    CHECK_THROWS_WITH_AS(e.mutual_information(mi::view(bad, n, 3), mi::labels(labels, 2)),
                         doctest::Contains("t(5, 1) = nan"), mi::error);
    CHECK_THROWS_WITH_AS(e.point(mi::view(bad, n, 3), mi::samples(mi::labels(labels, 2)).with_network_input(x)),
                         doctest::Contains("mi::sliced::point: layer(5, 1) = nan"), mi::error);
    CHECK_THROWS_WITH_AS(e.mutual_information(y, mi::view(d.x.data(), n - 1, 3)),
                         doctest::Contains("x rows = 39, expected the number of samples, 40"), mi::error);

    // point() without the network input
    CHECK_THROWS_WITH_AS(e.point(y, mi::samples(mi::labels(labels, 2))),
                         doctest::Contains("mi::sliced::point: samples.network_input() = none"), mi::error);

    // the Gaussian per-slice form has no I(T;Y) with labels: refused, naming it
    const mi::sliced<mi::gaussian_slice> g(opts(8));
    CHECK_THROWS_WITH_AS(g.mutual_information(y, mi::labels(labels, 2)),
                         doctest::Contains("per-slice estimator = gaussian, expected one with an I(T;Y) for class labels"),
                         mi::error);
    CHECK_THROWS_WITH_AS(g.point(y, mi::samples(mi::labels(labels, 2)).with_network_input(x)),
                         doctest::Contains("mi::sliced::point: per-slice estimator = gaussian"), mi::error);
    // a deterministic linear relation (one column, projected to +-itself): the Gaussian MI is infinite, refused
    const mi::activation_view<const double> x0(d.x.data(), n, 1, 3);
    CHECK_THROWS_WITH_AS(g.mutual_information(x0, x0), doctest::Contains("joint correlation matrix of the projections"),
                         mi::error);
    // a constant variable carries no information
    const std::vector<double> flat(3 * n, 0.25);
    CHECK(g.mutual_information(mi::view(flat, n, 3), x) == 0.0);
}

TEST_CASE("sliced: name and parameters include the per-slice estimator's") {
    const mi::sliced<> e(opts(64, 2, 9));
    CHECK(e.name() == "sliced");
    const std::string p = e.parameters();
    CAPTURE(p);
    CHECK(p.rfind("slices=64;k=2;seed=9;per_slice=ksg;per_slice.k=3;per_slice.algorithm=1;", 0) == 0);
    CHECK(p.find("per_slice.ties=jitter") != std::string::npos);
    CHECK(mi::sliced<mi::gaussian_slice>().parameters() == "slices=128;k=1;seed=0;per_slice=gaussian;per_slice.form=correlation");
}

TEST_CASE("gaussian_slice on one column each: -1/2 log(1 - r^2) of the test's own Pearson r, at every scale") {
    // The one-column case has its own pass (one per slice of sliced<>): its value against a plain
    // two-pass Pearson correlation in long double, over scales whose power-of-two normalisation takes the
    // exact-reciprocal branch (2^-300, 1, 2^700) and one whose scale is subnormal, where it divides (2^-1060).
    const std::size_t n = 300;
    mi::rng r(41);
    std::vector<double> a(n), b(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double z = r.normal();
        a[i] = 5.0 + z + 0.8 * r.normal();
        b[i] = -2.0 + 0.6 * z + r.normal();
    }
    const auto pearson_mi = [&](const std::vector<double>& u, const std::vector<double>& v) {
        long double mu = 0, mv = 0;
        for (std::size_t i = 0; i < n; ++i) {
            mu += u[i];
            mv += v[i];
        }
        mu /= n;
        mv /= n;
        long double suv = 0, suu = 0, svv = 0;
        for (std::size_t i = 0; i < n; ++i) {
            suv += (u[i] - mu) * (v[i] - mv);
            suu += (u[i] - mu) * (u[i] - mu);
            svv += (v[i] - mv) * (v[i] - mv);
        }
        const long double rho = suv / std::sqrt(suu * svv);
        return static_cast<double>(-0.5L * std::log1p(-rho * rho));
    };
    const double expected = pearson_mi(a, b);
    REQUIRE(expected > 0.05);  // rho about 0.4: -1/2 log(1 - 0.16)
    for (const int e : {-300, 0, 700, -1060}) {
        CAPTURE(e);
        std::vector<double> sa = a;
        for (double& v : sa) v = std::ldexp(v, e);
        const double got = mi::gaussian_slice().mutual_information(mi::view(sa, n, 1), mi::view(b, n, 1));
        // at 2^-1060 the values themselves are subnormal (about 2^-1060 * 8: 10 to 12 significant bits)
        const double tol = e == -1060 ? 2e-2 : 1e-12;
        CHECK(got == doctest::Approx(expected).epsilon(tol));
    }
    // float views: the same formula on the float values
    std::vector<float> fa(a.begin(), a.end()), fb(b.begin(), b.end());
    const std::vector<double> da(fa.begin(), fa.end()), db(fb.begin(), fb.end());
    CHECK(mi::gaussian_slice().mutual_information(mi::view(fa, n, 1), mi::view(fb, n, 1)) ==
          doctest::Approx(pearson_mi(da, db)).epsilon(1e-12));
    // a constant side carries no information
    const std::vector<double> flat(n, 3.25);
    CHECK(mi::gaussian_slice().mutual_information(mi::view(flat, n, 1), mi::view(b, n, 1)) == 0.0);
    // bad input names the argument and the entry, in the order a, then b
    std::vector<double> bad_a = a, bad_b = b;
    bad_a[7] = std::numeric_limits<double>::quiet_NaN();
    bad_b[9] = std::numeric_limits<double>::infinity();
    const auto message = [](const std::vector<double>& u, std::size_t nu, const std::vector<double>& v, std::size_t nv) {
        try {
            (void)mi::gaussian_slice().mutual_information(mi::view(u.data(), nu, 1), mi::view(v.data(), nv, 1));
        } catch (const mi::error& err) {
            return std::string(err.what());
        }
        return std::string("no error");
    };
    CHECK(message(bad_a, n, bad_b, n).find("a(7, 0) = nan") != std::string::npos);
    CHECK(message(a, n, bad_b, n).find("b(9, 0) = inf") != std::string::npos);
    CHECK(message(a, n, b, n - 1).find("b rows = 299") != std::string::npos);
    CHECK(message(a, 2, b, 2).find("rows = 2, expected more than the 2 columns") != std::string::npos);
}

TEST_CASE("sliced<gaussian_slice> is scale-free: layers at 2^-500 and 2^500 give the unscaled estimate") {
    const std::size_t n = 200;
    const xy_data d = draw(n, 12);
    const mi::sliced<mi::gaussian_slice> g(opts(16, 2, 4));
    const double base = g.mutual_information(mi::view(d.y, n, 3), mi::view(d.x, n, 3));
    for (const int e : {-500, 500}) {
        CAPTURE(e);
        std::vector<double> scaled = d.y;
        for (double& v : scaled) v = std::ldexp(v, e);
        // power-of-two scaling is exact in every projection, mean and centred value; the per-column power-of-two
        // normalisation undoes it exactly
        CHECK(g.mutual_information(mi::view(scaled, n, 3), mi::view(d.x, n, 3)) == base);
    }
}

namespace {

/// The test's own plug-in MI (nats) of two discrete codings of the same rows.
double plug_in_mi(const std::vector<long>& a, const std::vector<long>& b) {
    std::map<long, double> pa, pb;
    std::map<std::pair<long, long>, double> pab;
    const double n = static_cast<double>(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        pa[a[i]] += 1.0 / n;
        pb[b[i]] += 1.0 / n;
        pab[{a[i], b[i]}] += 1.0 / n;
    }
    double mi = 0.0;
    for (const auto& e : pab) mi += e.second * std::log(e.second / (pa[e.first.first] * pb[e.first.second]));
    return mi;
}

/// The test's own equal-width binning of an n x k projection, each column on its own [min, max]:
/// code = min(bins - 1, floor((v - min) / (max - min) * bins)), the row's pattern as one integer.
std::vector<long> own_bins(const std::vector<double>& p, std::size_t n, std::size_t k, std::size_t bins) {
    std::vector<long> code(n, 0);
    for (std::size_t c = 0; c < k; ++c) {
        double lo = p[c], hi = p[c];
        for (std::size_t i = 0; i < n; ++i) {
            lo = std::min(lo, p[i * k + c]);
            hi = std::max(hi, p[i * k + c]);
        }
        for (std::size_t i = 0; i < n; ++i) {
            const long b = std::min(static_cast<long>(bins) - 1,
                                    static_cast<long>(std::floor((p[i * k + c] - lo) / (hi - lo) * static_cast<double>(bins))));
            code[i] = code[i] * static_cast<long>(bins) + b;
        }
    }
    return code;
}

/// Rows of an n x d matrix times a row-major d x k frame.
std::vector<double> project(const std::vector<double>& v, std::size_t n, std::size_t d, const std::vector<double>& f,
                            std::size_t k) {
    std::vector<double> out(n * k, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t c = 0; c < d; ++c)
            for (std::size_t j = 0; j < k; ++j) out[i * k + j] += v[i * d + c] * f[c * k + j];
    return out;
}

double entropy2(double p) { return -p * std::log(p) - (1.0 - p) * std::log(1.0 - p); }

}  // namespace

TEST_CASE("(6) binning_slice: a 1-D variable's slice is +-itself, so SI is the hand-counted plug-in MI of its bins") {
    // d = 1: every frame is +1 or -1, and equal-width bins on the range give the same partition either way
    // (no value sits on an edge). 2 bins:
    //   x = 0 0 1 1 2 2 3 3   range [0, 3], edge 1.5      -> bins 0 0 0 0 1 1 1 1
    //   t = 5 5 6 9 9 8 5 9   range [5, 9], edge 7        -> bins 0 0 0 1 1 1 0 1
    //   y = 0 1 0 0 1 1 1 1
    // X-T table: x-bin 0 has t-bins {0,0,0,1}, x-bin 1 has {1,1,0,1}: I = H(T) - H(T|X) = ln 2 - H(1/4)
    // T-Y table: t-bin 0 (rows 1,2,3,7) has y {0,1,0,1}, t-bin 1 (rows 4,5,6,8) has y {0,1,1,1}:
    //   I = H(Y) - H(Y|T) = H(3/8) - (1/2) ln 2 - (1/2) H(1/4)
    const std::vector<double> x{0, 0, 1, 1, 2, 2, 3, 3}, t{5, 5, 6, 9, 9, 8, 5, 9};
    const std::vector<int> y{0, 1, 0, 0, 1, 1, 1, 1};
    const double ixt = std::log(2.0) - entropy2(0.25);
    const double ity = entropy2(3.0 / 8.0) - 0.5 * std::log(2.0) - 0.5 * entropy2(0.25);
    const mi::sliced<mi::binning_slice<>> e(opts(9, 1, 3), mi::binning_slice<>(2));
    const auto vx = mi::view(x), vt = mi::view(t);
    MESSAGE("binning_slice hand count: SI(X;T) " << e.mutual_information(vt, vx) << " (hand " << ixt << "), SI(T;Y) "
                                                 << e.mutual_information(vt, mi::labels(y, 2)) << " (hand " << ity << ")");
    CHECK(e.mutual_information(vt, vx) == doctest::Approx(ixt).epsilon(1e-14));
    CHECK(e.mutual_information(vt, mi::labels(y, 2)) == doctest::Approx(ity).epsilon(1e-14));
    const mi::plane_point p = e.point(vt, mi::samples(mi::labels(y, 2)).with_network_input(vx));
    CHECK(p.ixt == doctest::Approx(ixt).epsilon(1e-14));
    CHECK(p.ity == doctest::Approx(ity).epsilon(1e-14));
    // 1 bin: nothing is told apart, SI = 0 exactly
    const mi::sliced<mi::binning_slice<>> one(opts(3), mi::binning_slice<>(1));
    CHECK(one.mutual_information(vt, vx) == 0.0);
    CHECK(one.mutual_information(vt, mi::labels(y, 2)) == 0.0);
}

TEST_CASE("(7) binning_slice on random 3-D slices, k = 1 and 2: slice by slice the test's own binning and counts") {
    const std::size_t n = 500, bins = 8;
    const xy_data d = draw(n, 21);
    std::vector<int> labels(n);
    for (std::size_t i = 0; i < n; ++i) labels[i] = static_cast<int>(i % 3);
    const std::vector<long> y(labels.begin(), labels.end());
    for (const std::size_t k : {1, 2}) {
        CAPTURE(k);
        const std::size_t slices = 6;
        double sum_xt = 0.0, sum_ty = 0.0;
        for (std::size_t sl = 0; sl < slices; ++sl) {
            // slice s draws T's frame, then X's, from derive_seed(seed, s) (the frames' law is tested above)
            mi::rng r(mi::derive_seed(13, sl));
            const std::vector<double> ft = mi::detail::stiefel_frame(3, k, r), fx = mi::detail::stiefel_frame(3, k, r);
            const std::vector<long> bt = own_bins(project(d.y, n, 3, ft, k), n, k, bins);
            const std::vector<long> bx = own_bins(project(d.x, n, 3, fx, k), n, k, bins);
            sum_xt += plug_in_mi(bx, bt);
            sum_ty += plug_in_mi(bt, y);
        }
        const mi::sliced<mi::binning_slice<>> e(opts(slices, k, 13), mi::binning_slice<>(bins));
        const auto vy = mi::view(d.y, n, 3), vx = mi::view(d.x, n, 3);
        CHECK(e.mutual_information(vy, vx) == doctest::Approx(sum_xt / slices).epsilon(1e-12));
        CHECK(e.mutual_information(vy, mi::labels(labels, 3)) == doctest::Approx(sum_ty / slices).epsilon(1e-12));
    }
}

TEST_CASE("(8) kde_slice on a Gaussian T: both Kolchinsky-Tracey bounds against their large-N closed forms") {
    // T ~ N(0, Sigma_x) in R^3 (test (1)'s X), noise Z ~ N(0, s). On the slice theta, T_theta ~ N(0, v),
    // v = theta^T Sigma_x theta, and the true I(X; T_theta + Z) = H(T_theta + Z) - H(Z) = 1/2 log(1 + v/s).
    // The KL bound is h0 - mean_i log((1/N) sum_j exp(-(t_i - t_j)^2 / (2s))), i.e. 1/2 plus the
    // resubstitution entropy -mean log p_s(t_i) of the kernel density p_s = N(0, v + s) (N -> infinity):
    //   upper - H(Z) = 1/2 log(1 + v/s) + v / (2 (v + s))
    // and the Bhattacharyya bound, with the kernel of variance 4s and h0 unchanged:
    //   lower - H(Z) = 1/2 log(1 + v/(4s)) + v / (2 (v + 4s))
    // so lower < the true value < upper for every v > 0 (the gap is the bound's known looseness).
    // Finite N: the mean over N rows of log p(t_i) has sd <= sqrt(1/2)/sqrt(N) per slice (a chi^2_1 / 2 term
    // scaled by v/(v+s) <= 1); the average of correlated slices has at most that sd. The kernel estimate's own
    // error (self term 1/(N sqrt(2 pi s)) against p >= 0.05 over the bulk, and Var p_hat / (2 p^2)) is < 0.01.
    const std::size_t n = 2000, slices = 48;
    const double s = 0.1;
    const gaussian_model m;
    const xy_data d = draw(n, 606);
    const auto t = mi::view(d.x, n, 3);
    double truth = 0.0, upper_ref = 0.0, lower_ref = 0.0;
    for (std::size_t sl = 0; sl < slices; ++sl) {
        mi::rng r(mi::derive_seed(17, sl));
        const std::vector<double> f = mi::detail::stiefel_frame(3, 1, r);
        const double v = quad(f.data(), m.sx, f.data());
        truth += 0.5 * std::log(1.0 + v / s);
        upper_ref += 0.5 * std::log(1.0 + v / s) + v / (2.0 * (v + s));
        lower_ref += 0.5 * std::log(1.0 + v / (4.0 * s)) + v / (2.0 * (v + 4.0 * s));
    }
    truth /= slices;
    upper_ref /= slices;
    lower_ref /= slices;
    const double upper = mi::sliced<mi::kde_slice<>>(opts(slices, 1, 17), mi::kde_slice<>(s)).mutual_information(t, t);
    const double lower = mi::sliced<mi::kde_slice<>>(opts(slices, 1, 17), mi::kde_slice<>(s, mi::kde_bound::lower))
                             .mutual_information(t, t);
    const double tol = 4.0 * std::sqrt(0.5 / static_cast<double>(n)) + 0.01;
    MESSAGE("kde_slice s=" << s << " N=" << n << " M=" << slices << ": upper " << upper << " (closed form " << upper_ref
                           << "), lower " << lower << " (closed form " << lower_ref << "), true SI " << truth
                           << ", tolerance " << tol);
    CHECK(std::fabs(upper - upper_ref) <= tol);
    CHECK(std::fabs(lower - lower_ref) <= tol);
    CHECK(lower < truth);
    CHECK(truth < upper);
    // X's projection plays no part in the X-T form (T is a deterministic function of the rows' inputs)
    const auto x_other = mi::view(d.y, n, 3);
    CHECK(mi::sliced<mi::kde_slice<>>(opts(slices, 1, 17), mi::kde_slice<>(s)).mutual_information(t, x_other) == upper);
}

TEST_CASE("(9) kde_slice and binning_slice: bit-identical for 1, 2 and 3 threads; parameters; bad input") {
    const std::size_t n = 300;
    const xy_data d = draw(n, 4);
    const auto x = mi::view(d.x, n, 3), y = mi::view(d.y, n, 3);
    std::vector<int> labels(n);
    for (std::size_t i = 0; i < n; ++i) labels[i] = d.x[3 * i] > 0.0 ? 1 : 0;
    const mi::samples smp = mi::samples(mi::labels(labels, 2)).with_network_input(x);
    const default_threads_on_exit restore;
    const auto same_for_threads = [&](const auto& e) {
        mi::set_num_threads(1);
        const mi::plane_point one = e.point(y, smp);
        CHECK(bits_of(one.ixt) == bits_of(e.mutual_information(y, x)));
        CHECK(bits_of(one.ity) == bits_of(e.mutual_information(y, mi::labels(labels, 2))));
        CHECK(one.ity > 0.0);
        for (const std::size_t threads : {2, 3}) {
            CAPTURE(threads);
            mi::set_num_threads(threads);
            const mi::plane_point p = e.point(y, smp);
            CHECK(bits_of(p.ixt) == bits_of(one.ixt));
            CHECK(bits_of(p.ity) == bits_of(one.ity));
        }
        mi::set_num_threads(0);
    };
    for (const std::size_t k : {1, 2}) {
        CAPTURE(k);
        same_for_threads(mi::sliced<mi::kde_slice<>>(opts(23, k, 5), mi::kde_slice<>(0.2)));
        same_for_threads(mi::sliced<mi::binning_slice<>>(opts(23, k, 5), mi::binning_slice<>(10)));
        same_for_threads(mi::sliced<mi::binning_slice<mi::miller_madow>>(opts(23, k, 5)));
    }

    // the per-slice values: M of them, in slice order, whose mean is the estimate (bit for bit)
    {
        const mi::sliced<> e(opts(11, 1, 5));
        const std::vector<double> xt = e.slice_estimates(y, x), ty = e.slice_estimates(y, mi::labels(labels, 2));
        const auto both = e.slice_points(y, smp);
        REQUIRE(xt.size() == 11);
        REQUIRE(ty.size() == 11);
        double a = 0.0, b = 0.0;
        for (std::size_t i = 0; i < 11; ++i) {
            a += xt[i];
            b += ty[i];
            CHECK(bits_of(both.first[i]) == bits_of(xt[i]));
            CHECK(bits_of(both.second[i]) == bits_of(ty[i]));
        }
        CHECK(bits_of(a / 11.0) == bits_of(e.mutual_information(y, x)));
        CHECK(bits_of(b / 11.0) == bits_of(e.mutual_information(y, mi::labels(labels, 2))));
        CHECK(*std::max_element(xt.begin(), xt.end()) > *std::min_element(xt.begin(), xt.end()));  // slices differ
    }

    CHECK(mi::sliced<mi::kde_slice<>>(opts(8)).parameters() ==
          "slices=8;k=1;seed=0;per_slice=kde;per_slice.kernel=gaussian;per_slice.noise=fixed;per_slice.variance=0.1;"
          "per_slice.bound=upper");
    CHECK(mi::sliced<mi::binning_slice<>>(opts(8), mi::binning_slice<>(12)).parameters() ==
          "slices=8;k=1;seed=0;per_slice=binning;per_slice.bins=12;per_slice.range=projection;per_slice.correction=plug_in");
    CHECK(mi::kde_slice<>(0.3, mi::kde_bound::lower).parameters().find("bound=lower") != std::string::npos);

    CHECK_THROWS_WITH_AS(mi::binning_slice<>(0), doctest::Contains("mi::binning_slice: bins = 0, expected >= 1"), mi::error);
    CHECK_THROWS_WITH_AS(mi::kde_slice<>(-0.5), doctest::Contains("mi::fixed_noise: variance = -0.5, expected a finite variance > 0"),
                         mi::error);
    CHECK_THROWS_WITH_AS(mi::kde_slice<>(0.0), doctest::Contains("variance = 0"), mi::error);
    std::vector<double> bad = d.x;
    bad[7 * 3 + 2] = std::numeric_limits<double>::infinity();
    const mi::binning_slice<> b(4);
    CHECK_THROWS_WITH_AS(b.mutual_information(mi::view(bad, n, 3), x),
                         doctest::Contains("mi::binning_slice::mutual_information: a(7, 2) = inf"), mi::error);
    CHECK_THROWS_WITH_AS(b.mutual_information(x, mi::view(bad, n, 3)), doctest::Contains("b(7, 2) = inf"), mi::error);
    CHECK_THROWS_WITH_AS(b.mutual_information(mi::view(bad, n, 3), mi::labels(labels, 2)), doctest::Contains("t(7, 2) = inf"),
                         mi::error);
    CHECK_THROWS_WITH_AS(b.mutual_information(x, mi::view(d.y.data(), n - 1, 3)),
                         doctest::Contains("mi::binning_slice::mutual_information: b rows = 299"), mi::error);
    CHECK_THROWS_WITH_AS(b.mutual_information(mi::view(d.y.data(), n - 1, 3), mi::labels(labels, 2)),
                         doctest::Contains("labels size = 300"), mi::error);
    const mi::kde_slice<> kd(0.1);
    CHECK_THROWS_WITH_AS(kd.mutual_information(mi::view(bad, n, 3), x), doctest::Contains("mi::kde_slice::mutual_information: a(7, 2) = inf"),
                         mi::error);
    CHECK_THROWS_WITH_AS(kd.mutual_information(x, mi::view(bad, n, 3)), doctest::Contains("(7, 2) = inf"), mi::error);
    CHECK_THROWS_WITH_AS(kd.mutual_information(x, mi::view(d.y.data(), n - 1, 3)), doctest::Contains("b rows = 299"),
                         mi::error);
    CHECK_THROWS_WITH_AS(kd.mutual_information(x, mi::labels(std::vector<int>(n - 1, 0), 2)), doctest::Contains("labels size"),
                         mi::error);
    // through sliced: the sliced estimator's own checks come first and name its arguments
    CHECK_THROWS_WITH_AS(mi::sliced<mi::binning_slice<>>(opts(4)).mutual_information(mi::view(bad, n, 3), x),
                         doctest::Contains("mi::sliced::mutual_information: t(7, 2) = inf"), mi::error);
    CHECK_THROWS_WITH_AS(mi::sliced<mi::kde_slice<>>(opts(4, 4)).mutual_information(y, x),
                         doctest::Contains("options.k = 4, expected <= the 3 columns of t"), mi::error);
    std::vector<int> out_of_range = labels;
    out_of_range[3] = 5;
    CHECK_THROWS_AS(mi::sliced<mi::binning_slice<>>(opts(4)).mutual_information(y, mi::labels(out_of_range, 2)), mi::error);
}


TEST_CASE("sliced<gaussian_slice> from the joint moments: slice by slice the Gaussian form of the test's own projections") {
    // narrow variables (dx + dt <= M k) take every slice's covariance from the joint covariance of
    // (X, T) instead of projecting the rows; the projections' values, up to rounding. 11,001 rows
    // are three chunks of the Gram product's strips (5461 rows each at 22 + 2 padding columns),
    // the last one not a whole block of the centring buffer
    for (const std::size_t n : {std::size_t(1500), std::size_t(11001)}) {
        CAPTURE(n);
        const std::size_t dx = 12, dt = 10;
        mi::rng g(91);
        std::vector<double> x(n * dx), t(n * dt);
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t c = 0; c < dx; ++c) x[i * dx + c] = c == 5 ? -3.0 : g.normal();  // a constant input column
            for (std::size_t c = 0; c < dt; ++c)
                t[i * dt + c] = c == 2 ? 0.25  // a dead unit
                                       : std::tanh(0.8 * x[i * dx + c] - 0.5 * x[i * dx + (c + 4) % dx] + 0.4 * g.normal());
        }
        const auto vx = mi::view(x, n, dx), vt = mi::view(t, n, dt);
        const default_threads_on_exit restore;
        for (const std::size_t k : {1, 2}) {
            CAPTURE(k);
            const std::size_t slices = 48;
            const std::uint64_t seed = 17;
            mi::set_num_threads(1);
            const std::vector<double> got = mi::sliced<mi::gaussian_slice>(opts(slices, k, seed)).slice_estimates(vt, vx);
            mi::set_num_threads(3);
            CHECK(mi::sliced<mi::gaussian_slice>(opts(slices, k, seed)).slice_estimates(vt, vx) == got);
            REQUIRE(got.size() == slices);
            double worst = 0.0;
            for (std::size_t s = 0; s < slices; ++s) {
                mi::rng r(mi::derive_seed(seed, s));  // T's frame, then X's (the header's stream order)
                const std::vector<double> ft = mi::detail::stiefel_frame(dt, k, r), fx = mi::detail::stiefel_frame(dx, k, r);
                const std::vector<double> pt = project(t, n, dt, ft, k), px = project(x, n, dx, fx, k);
                const double want = mi::gaussian_slice().mutual_information(mi::view(px, n, k), mi::view(pt, n, k));
                worst = std::max(worst, std::fabs(got[s] - want) / want);
                CHECK(std::fabs(got[s] - want) <= 1e-9 * want);
            }
            MESSAGE("n = " << n << ", k = " << k << ": largest relative difference from the projections " << worst);
        }
    }
}

TEST_CASE("sliced<gaussian_slice> from the joint moments: a slice whose direction cancels every row is projected") {
    // X's rows all lie on the line orthogonal to slice 0's direction of X: that slice's projected
    // variance is rounding, which the joint covariance cannot resolve; sliced projects the rows for it,
    // so slice 0 is exactly gaussian_slice on detail::project_rows's projections
    const std::size_t n = 800, dt = 3, slices = 12;
    const std::uint64_t seed = 23;
    mi::rng r0(mi::derive_seed(seed, 0));
    (void)mi::detail::stiefel_frame(dt, 1, r0);
    const std::vector<double> theta = mi::detail::stiefel_frame(2, 1, r0);
    mi::rng g(5);
    std::vector<double> x(n * 2), t(n * dt);
    for (std::size_t i = 0; i < n; ++i) {
        const double s = g.normal();
        x[2 * i] = -theta[1] * s;
        x[2 * i + 1] = theta[0] * s;
        for (std::size_t c = 0; c < dt; ++c) t[i * dt + c] = s * static_cast<double>(c + 1) + g.normal();
    }
    const auto vx = mi::view(x, n, 2), vt = mi::view(t, n, dt);
    const std::vector<double> got = mi::sliced<mi::gaussian_slice>(opts(slices, 1, seed)).slice_estimates(vt, vx);
    mi::rng r(mi::derive_seed(seed, 0));
    const std::vector<double> ft = mi::detail::stiefel_frame(dt, 1, r), fx = mi::detail::stiefel_frame(2, 1, r);
    std::vector<double> pt(n), px(n);
    mi::detail::project_rows(vt, ft, 1, 1, pt.data());
    mi::detail::project_rows(vx, fx, 1, 1, px.data());
    CHECK(got[0] == mi::gaussian_slice().mutual_information(mi::view(px, n, 1), mi::view(pt, n, 1)));
    // the other slices see the line: the Gaussian form of the test's own projections
    for (std::size_t s = 1; s < slices; ++s) {
        CAPTURE(s);
        mi::rng rs(mi::derive_seed(seed, s));
        const std::vector<double> fts = mi::detail::stiefel_frame(dt, 1, rs), fxs = mi::detail::stiefel_frame(2, 1, rs);
        const double want = mi::gaussian_slice().mutual_information(mi::view(project(x, n, 2, fxs, 1), n, 1),
                                                                    mi::view(project(t, n, dt, fts, 1), n, 1));
        CHECK(std::fabs(got[s] - want) <= 1e-9 * want);
    }
}


TEST_CASE("gaussian_slice::mutual_information_of_covariance: worked by hand") {
    // var(a) = 4, var(b) = 9, cov(a, b) = 2: rho = 1/3, I = -1/2 log(8/9); the upper triangle is not read
    const auto want = doctest::Approx(-0.5 * std::log(8.0 / 9.0)).epsilon(1e-15);
    const double c1[4] = {4.0, -99.0, 2.0, 9.0};
    CHECK(mi::gaussian_slice().mutual_information_of_covariance(c1, 1, 10) == want);
    // any common scale
    const double c2[4] = {4e-200, 0.0, 2e-200, 9e-200};
    CHECK(mi::gaussian_slice().mutual_information_of_covariance(c2, 1, 10) == want);
    // k = 2, independent blocks: C = diag(C_aa, C_bb) gives 0; a's variances exactly 0 (constant side) gives 0
    const double c3[16] = {2, 0, 0, 0, 1, 3, 0, 0, 0, 0, 5, 0, 0, 0, 1, 4};
    CHECK(std::fabs(mi::gaussian_slice().mutual_information_of_covariance(c3, 2, 10)) <= 1e-15);
    const double c4[4] = {0.0, 0.0, 0.0, 9.0};
    CHECK(mi::gaussian_slice().mutual_information_of_covariance(c4, 1, 10) == 0.0);
    // as mutual_information: more rows than the 2k columns, and no deterministic linear relation
    CHECK_THROWS_WITH_AS((void)mi::gaussian_slice().mutual_information_of_covariance(c1, 1, 2),
                         doctest::Contains("rows = 2, expected more than the 2 columns"), mi::error);
    const double c5[4] = {1.0, 0.0, 1.0, 1.0};
    CHECK_THROWS_WITH_AS((void)mi::gaussian_slice().mutual_information_of_covariance(c5, 1, 10),
                         doctest::Contains("joint correlation matrix of the projections = singular"), mi::error);
}

}  // namespace test_estimators_sliced
