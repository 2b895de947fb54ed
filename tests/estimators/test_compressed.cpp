// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "mi/core/error.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/random.hpp"
#include "mi/core/samples.hpp"
#include "mi/estimators/compressed.hpp"
#include "mi/estimators/kde.hpp"
#include "mi/estimators/kl_entropy.hpp"
#include "mi/estimators/ksg.hpp"
#include "mi/estimators/weighted_kl.hpp"
#include "mi/kernels/gaussian.hpp"
#include "mi/kernels/noise.hpp"
#include "mi/plane/information_plane.hpp"
#include "mi/plane/recording.hpp"
#include "mi/projections/pca.hpp"
#include "mi/projections/random_projection.hpp"
#include "default_threads.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_estimators_compressed {

using pca_ksg = mi::compressed<mi::pca, mi::ksg<>>;
using pca_wkl = mi::compressed<mi::pca, mi::weighted_kl<>>;
static_assert(mi::is_plane_estimator_v<pca_ksg, float>, "compressed<pca, ksg> models the plane estimator");
static_assert(mi::is_plane_estimator_v<pca_wkl, double>, "compressed<pca, weighted_kl> models the plane estimator");
static_assert(mi::resampling_of_v<pca_ksg> == mi::resampling::rows, "inherits ksg's resampling");
static_assert(mi::bias_correction_of_v<pca_ksg> == mi::bias_correction::none, "inherits ksg's bias rule");
static_assert(mi::resampling_of_v<mi::compressed<mi::random_projection, mi::kde<mi::gaussian_kernel, mi::fixed_noise>>> ==
                  mi::resampling_of_v<mi::kde<mi::gaussian_kernel, mi::fixed_noise>>,
              "inherits KDE's resampling");
static_assert(mi::bias_correction_of_v<mi::compressed<mi::random_projection, mi::kde<mi::gaussian_kernel, mi::fixed_noise>>> ==
                  mi::bias_correction::half_sample,
              "inherits KDE's bias rule");

namespace {

/// The paper's synthetic construction (Butakov et al., synthetic experiments): latent Gaussian pairs (a_c, b_c), c < 2,
/// each with correlation rho, so I(A;B) = -log(1 - rho^2) nats exactly; A and B are carried into
/// dx and dt dimensions by fixed smooth injective maps x = M_x g(a), t = M_t g(b) with
/// g(u) = u + 0.5 tanh(u) per coordinate (strictly increasing) and M full-rank dx x 2 matrices of
/// smooth, non-orthogonal columns. Mutual information is invariant under injective maps, so
/// I(X;T) = I(A;B); the data lie on a 2-dimensional manifold (a linear span: PCA with m = 2 is lossless).
struct embedded_pair {
    std::size_t n = 0, dx = 0, dt = 0;
    std::vector<double> x, t;
    std::vector<int> y;
    double exact = 0.0;
};

embedded_pair embedded(std::size_t n, std::size_t dx, std::size_t dt, double rho, std::uint64_t seed) {
    embedded_pair e;
    e.n = n;
    e.dx = dx;
    e.dt = dt;
    e.exact = -2.0 * 0.5 * std::log(1.0 - rho * rho);
    const auto g = [](double u) { return u + 0.5 * std::tanh(u); };
    const auto column = [](std::size_t r, std::size_t c, std::size_t d) {
        const double s = static_cast<double>(r) / static_cast<double>(d);
        return c == 0 ? std::sin(3.0 * s + 0.2) + 0.3 : std::cos(5.0 * s) * (1.0 + s);
    };
    mi::rng r(seed);
    e.x.resize(n * dx);
    e.t.resize(n * dt);
    e.y.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        double a[2], b[2];
        for (int c = 0; c < 2; ++c) {
            a[c] = r.normal();
            b[c] = rho * a[c] + std::sqrt(1.0 - rho * rho) * r.normal();
        }
        for (std::size_t p = 0; p < dx; ++p) e.x[i * dx + p] = column(p, 0, dx) * g(a[0]) + column(p, 1, dx) * g(a[1]);
        for (std::size_t p = 0; p < dt; ++p)
            e.t[i * dt + p] = 2.0 * (column(p, 0, dt) * g(b[0]) + column(p, 1, dt) * g(b[1])) + 1.0;
        e.y[i] = b[0] > 0.0 ? 1 : 0;
    }
    return e;
}

mi::samples samples_of(const embedded_pair& e) {
    return mi::samples(mi::labels(e.y, 2)).with_network_input(mi::view(e.x, e.n, e.dx));
}

using mi_test::default_threads_on_exit;

}  // namespace

TEST_CASE("compressed: I(X;T) of Gaussians embedded in 64 and 100 dimensions, against the known value") {
    const auto e = embedded(2000, 64, 100, 0.8, 7);  // I = -log(0.36) = 1.0217 nats
    const pca_ksg with_ksg(mi::pca(2));
    const double i_ksg = with_ksg.mutual_information(mi::view(e.t, e.n, e.dt), mi::view(e.x, e.n, e.dx));
    CHECK(std::fabs(i_ksg - e.exact) < 0.1);
    mi::weighted_kl_options o;
    o.k = 10;
    const pca_wkl with_wkl(mi::pca(2), mi::weighted_kl<>(o));
    const double i_wkl = with_wkl.mutual_information(mi::view(e.t, e.n, e.dt), mi::view(e.x, e.n, e.dx));
    CHECK(std::fabs(i_wkl - e.exact) < 0.15);
    // point(): the same numbers, X taken from the samples' network input
    const mi::plane_point p = with_ksg.point(mi::view(e.t, e.n, e.dt), samples_of(e));
    CHECK(p.ixt_kind == mi::ixt_quantity::mutual_information);
    CHECK(p.ixt == doctest::Approx(i_ksg).epsilon(1e-12));
    CHECK(p.ity == doctest::Approx(with_ksg.mutual_information(mi::view(e.t, e.n, e.dt), mi::labels(e.y, 2))).epsilon(1e-12));
    // a second layer on the same samples reuses the memoised X_c: same answer as a fresh sample set
    const mi::samples shared = samples_of(e);
    const double first = with_wkl.point(mi::view(e.t, e.n, e.dt), shared).ixt;
    CHECK(with_wkl.point(mi::view(e.t, e.n, e.dt), shared).ixt == first);
    CHECK(first == doctest::Approx(i_wkl).epsilon(1e-12));
}

TEST_CASE("compressed: a lossy compressor cannot exceed the information (data processing)") {
    const auto e = embedded(2000, 64, 100, 0.8, 11);
    // one principal direction of each side keeps at most one latent pair's 0.51 nats (+ estimator error)
    const pca_ksg one(mi::pca(1));
    const double i_one = one.mutual_information(mi::view(e.t, e.n, e.dt), mi::view(e.x, e.n, e.dx));
    CHECK(i_one < e.exact - 0.3);
    CHECK(i_one > 0.0);
    // a random 2-frame of R^64 sees the whole span only by chance; it never adds information
    const mi::compressed<mi::random_projection, mi::ksg<>> random(mi::random_projection(2, 3));
    CHECK(random.mutual_information(mi::view(e.t, e.n, e.dt), mi::view(e.x, e.n, e.dx)) < e.exact + 0.1);
}

TEST_CASE("compressed: I(T;Y) through the compression; the noise scale is relative") {
    const std::size_t n = 2000, d = 40;
    mi::rng r(5);
    std::vector<double> t(n * d);
    std::vector<int> y(n);
    for (std::size_t i = 0; i < n; ++i) {
        y[i] = static_cast<int>(i % 2);
        const double a = r.normal() + 30.0 * y[i], b = r.normal();
        for (std::size_t p = 0; p < d; ++p) t[i * d + p] = 1e-3 * (a * std::cos(0.1 * p) + b * std::sin(0.3 * p + 1.0));
    }
    // the layer is at 1e-3 scale: relative noise 1e-3 of each compressed column keeps the classes apart
    const pca_ksg e(mi::pca(2));
    CHECK(e.mutual_information(mi::view(t, n, d), mi::labels(y, 2)) == doctest::Approx(std::log(2.0)).epsilon(0.03));
    // absolute noise in layer units: sigma = 1 is ~8 times the class gap (~0.13 after projection),
    // so I(T_c;Y) collapses towards 0 (a Gaussian channel bound gives ~0.002 nats)
    mi::compressed_options o;
    o.relative_noise = false;
    o.noise = 1.0;
    const pca_ksg drowned(mi::pca(2), mi::ksg<>(), o);
    CHECK(drowned.mutual_information(mi::view(t, n, d), mi::labels(y, 2)) < 0.05);
}

TEST_CASE("compressed: inner estimators without X (kl_entropy) get the compressed layer only") {
    const auto e = embedded(800, 30, 30, 0.5, 2);
    const mi::compressed<mi::random_projection, mi::kl_entropy<>> c(mi::random_projection(2, 1));
    const mi::plane_point p = c.point(mi::view(e.t, e.n, e.dt), mi::samples(mi::labels(e.y, 2)));
    CHECK(p.ixt_kind == mi::ixt_quantity::entropy);
    std::size_t m = 0;
    const std::vector<double> tc = c.compress(mi::view(e.t, e.n, e.dt), m);
    REQUIRE(m == 2);
    CHECK(p.ixt == doctest::Approx(mi::kl_entropy<>().entropy(mi::view(tc, e.n, m))).epsilon(1e-12));
}

TEST_CASE("compressed: the plane driver and its bootstrap (the inner estimator's resampling)") {
    const auto e = embedded(600, 20, 24, 0.8, 9);
    mi::recording<double> rec(samples_of(e));
    rec.observe(0, 0, mi::view(e.t, e.n, e.dt));
    mi::plane_options po;
    po.bootstrap = 20;
    po.seed = 3;
    po.output_unit = mi::unit::nats;
    const mi::compressed<mi::random_projection, mi::ksg<>> c(mi::random_projection(2, 4));
    const mi::plane_point p = mi::information_plane(rec, c, po).at(0, 0);
    // the point is the estimator's own on all rows; the interval comes from half-samples
    CHECK(p.ixt == doctest::Approx(c.point(mi::view(e.t, e.n, e.dt), samples_of(e)).ixt).epsilon(1e-12));
    REQUIRE(p.ixt_ci);
    REQUIRE(p.ity_ci);
    CHECK(p.ixt_ci->lower < p.ixt_ci->upper);
    CHECK(p.ixt_ci->lower <= p.ixt);
    CHECK(p.ixt <= p.ixt_ci->upper);
}

TEST_CASE("compressed: name, parameters, seed and thread count") {
    const pca_ksg e(mi::pca(4));
    CHECK(e.name() == "compressed_ksg");
    const std::string p = e.parameters();
    CHECK(p.rfind("projection=pca;projection.dimension=4;input_projection=pca;input_projection.dimension=4;noise=0.001;"
                  "relative_noise=1;compress_input=1;seed=0;estimator=ksg;estimator.k=3;",
                  0) == 0);
    const auto d = embedded(600, 20, 24, 0.7, 3);
    const default_threads_on_exit restore;
    mi::set_num_threads(1);
    const mi::plane_point one = e.point(mi::view(d.t, d.n, d.dt), samples_of(d));
    mi::set_num_threads(3);
    const mi::plane_point three = e.point(mi::view(d.t, d.n, d.dt), samples_of(d));
    CHECK(one.ixt == three.ixt);
    CHECK(one.ity == three.ity);
    mi::compressed_options o;
    o.seed = 99;
    const pca_ksg other(mi::pca(4), mi::ksg<>(), o);
    CHECK(other.point(mi::view(d.t, d.n, d.dt), samples_of(d)).ixt != one.ixt);
    // without noise the seed does not matter
    o.noise = 0.0;
    mi::compressed_options o2 = o;
    o2.seed = 5;
    CHECK(pca_ksg(mi::pca(4), mi::ksg<>(), o).point(mi::view(d.t, d.n, d.dt), samples_of(d)).ixt ==
          pca_ksg(mi::pca(4), mi::ksg<>(), o2).point(mi::view(d.t, d.n, d.dt), samples_of(d)).ixt);
}

TEST_CASE("compressed: bad input raises mi::error") {
    mi::compressed_options o;
    o.noise = -1.0;
    CHECK_THROWS_AS(pca_ksg(mi::pca(2), mi::ksg<>(), o), mi::error);
    o.noise = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_AS(pca_ksg(mi::pca(2), mi::ksg<>(), o), mi::error);
    auto d = embedded(100, 10, 10, 0.5, 1);
    const pca_ksg e(mi::pca(2));
    CHECK_THROWS_AS(e.mutual_information(mi::view(d.t, d.n, d.dt), mi::view(d.x.data(), 50, d.dx)), mi::error);
    CHECK_THROWS_AS(e.point(mi::view(d.t.data(), 50, d.dt), samples_of(d)), mi::error);
    // the inner estimator's requirement: ksg needs X
    CHECK_THROWS_AS(e.point(mi::view(d.t, d.n, d.dt), mi::samples(mi::labels(d.y, 2))), mi::error);
    d.t[3] = std::numeric_limits<double>::infinity();
    try {
        (void)e.point(mi::view(d.t, d.n, d.dt), samples_of(d));
        FAIL("expected mi::error");
    } catch (const mi::error& err) {
        CHECK(std::string(err.what()).find("layer") != std::string::npos);
    }
}

namespace nonlinear_map {

// A nonlinear projection policy, to check that compressed<> uses any fitted map, not only the affine
// linear_projection: the first m columns, centred and cubed (injective, so no information is lost).
struct centred_cube_map {
    std::size_t in = 0, out = 0;
    std::vector<double> mean;
    bool wrong_size = false;  // a faulty map that returns one value too few
    template <class T>
    std::vector<double> apply(const mi::activation_view<const T>& x) const {
        std::vector<double> y;
        for (std::size_t i = 0; i < x.rows(); ++i)
            for (std::size_t j = 0; j < out; ++j) {
                const double c = static_cast<double>(x(i, j)) - mean[j];
                y.push_back(c * c * c);
            }
        if (wrong_size) y.pop_back();
        return y;
    }
};

struct centred_cube {
    std::size_t m = 2;
    bool wrong_size = false;
    std::size_t dimension() const { return m; }
    std::string name() const { return "centred_cube"; }
    std::string parameters() const { return "dimension=" + std::to_string(m); }
    template <class T>
    centred_cube_map fit(const mi::activation_view<const T>& rows) const {
        centred_cube_map f;
        f.in = rows.cols();
        f.out = std::min(m, rows.cols());
        f.mean = mi::detail::column_means(rows);
        f.wrong_size = wrong_size;
        return f;
    }
};

// fit() returning a map without `out`: not a projection policy
struct map_without_out {
    template <class T>
    std::vector<double> apply(const mi::activation_view<const T>&) const { return {}; }
};
struct policy_without_out {
    std::size_t dimension() const { return 1; }
    std::string name() const { return "x"; }
    std::string parameters() const { return ""; }
    template <class T>
    map_without_out fit(const mi::activation_view<const T>&) const { return {}; }
};

static_assert(mi::is_fitted_map_v<centred_cube_map>, "a nonlinear map with out and apply is a fitted map");
static_assert(mi::is_projection_v<centred_cube>, "a policy returning a nonlinear fitted map is a projection policy");
static_assert(!mi::is_fitted_map_v<map_without_out>, "a map without out is no fitted map");
static_assert(!mi::is_projection_v<policy_without_out>, "a policy whose map has no out is no projection policy");

TEST_CASE("compressed: a nonlinear fitted map is applied as fitted (no noise: exactly ksg on the mapped rows)") {
    // its own data (this namespace does not lean on the file's other helpers): 800 rows, X 12 wide, T 16 wide
    struct {
        std::size_t n = 800, dx = 12, dt = 16;
        std::vector<double> x, t;
    } e;
    mi::rng r(5);
    for (std::size_t i = 0; i < e.n; ++i) {
        const double a = r.normal(), b = 0.8 * a + 0.6 * r.normal();
        for (std::size_t j = 0; j < e.dx; ++j) e.x.push_back(std::sin(0.3 * static_cast<double>(j) + a) + 0.1 * r.normal());
        for (std::size_t j = 0; j < e.dt; ++j) e.t.push_back(std::cos(0.2 * static_cast<double>(j)) * b + 0.1 * r.normal());
    }
    mi::compressed_options o;
    o.noise = 0.0;
    const mi::compressed<centred_cube, mi::ksg<>> est(centred_cube{2, false}, mi::ksg<>(), o);
    const double through = est.mutual_information(mi::view(e.t, e.n, e.dt), mi::view(e.x, e.n, e.dx));
    // the same map by hand: the first two columns of each side, centred, cubed
    const auto by_hand = [](const std::vector<double>& rows, std::size_t n, std::size_t d) {
        double mean[2] = {0.0, 0.0};
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < 2; ++j) mean[j] += rows[i * d + j] / static_cast<double>(n);
        std::vector<double> y(n * 2);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < 2; ++j) y[i * 2 + j] = std::pow(rows[i * d + j] - mean[j], 3.0);
        return y;
    };
    const std::vector<double> xc = by_hand(e.x, e.n, e.dx), tc = by_hand(e.t, e.n, e.dt);
    const double direct = mi::ksg<>().mutual_information(mi::view(xc, e.n, 2), mi::view(tc, e.n, 2));
    CHECK(through == doctest::Approx(direct).epsilon(1e-9));
    std::size_t columns = 0;
    const std::vector<double> compressed_t = est.compress(mi::view(e.t, e.n, e.dt), columns);
    CHECK(columns == 2);
    CHECK(compressed_t.size() == e.n * 2);
    // a map whose apply() returns the wrong number of values is caught
    const mi::compressed<centred_cube, mi::ksg<>> faulty(centred_cube{2, true}, mi::ksg<>(), o);
    CHECK_THROWS_AS(faulty.mutual_information(mi::view(e.t, e.n, e.dt), mi::view(e.x, e.n, e.dx)), mi::error);
}

}  // namespace nonlinear_map

}  // namespace test_estimators_compressed
