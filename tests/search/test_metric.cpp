// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "mi/core/random.hpp"
#include "mi/search/metric.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_search_metric {

TEST_CASE("reduced_limit turns a radius into an exact threshold on the reduced distance") {
    // max-norm: reduced == distance; inclusive moves to the next double
    CHECK(mi::detail::reduced_limit<mi::max_norm>(0.5, mi::range::strict) == 0.5);
    CHECK(mi::detail::reduced_limit<mi::max_norm>(0.5, mi::range::inclusive) == std::nextafter(0.5, 1.0));
    CHECK(mi::detail::reduced_limit<mi::max_norm>(-1.0, mi::range::inclusive) < 0.0);
    // Euclidean: for many radii and reduced values near r^2, "s < tau" must
    // agree with comparing sqrt(s) (the reported distance) against r.
    mi::rng g(3);
    for (int t = 0; t < 2000; ++t) {
        const double r = std::exp(8.0 * g.uniform() - 4.0);
        for (auto cmp : {mi::range::strict, mi::range::inclusive}) {
            const double tau = mi::detail::reduced_limit<mi::euclidean>(r, cmp);
            double s = r * r;
            for (int step = 0; step < 4; ++step) s = std::nextafter(s, 0.0);
            for (int step = 0; step < 9; ++step, s = std::nextafter(s, 10.0 * s)) {
                const bool want = cmp == mi::range::strict ? std::sqrt(s) < r : std::sqrt(s) <= r;
                REQUIRE((s < tau) == want);
            }
        }
    }
}

TEST_CASE_TEMPLATE("float_filter_limit bounds the float reduced distance of every pair within the double one",
                   Metric, mi::max_norm, mi::euclidean) {
    // Pairs of points at scales where the float squares are normal, subnormal or zero, and pairs
    // close together on a large offset (cancellation), as floats (input error 0) and as doubles
    // that floats only approximate; the limit is the pair's own double reduced distance, the
    // hardest case for the pre-filter.
    using mi::detail::float_lanes;
    using mi::detail::lanes;
    mi::rng g(11);
    std::size_t tested = 0;
    for (const std::size_t d : {1, 3, 10, 64})
        for (const double scale : {1.0, 1e-3, 1e-20, 1e-23, 1e-42, 1e12})
            for (const bool near : {false, true})
                for (const bool floats : {true, false})
                    for (int t = 0; t < 200; ++t) {
                        std::vector<double> xd(d), y(d), both;
                        for (std::size_t j = 0; j < d; ++j) {
                            xd[j] = scale * (near ? 1.0 + 1e-7 * g.normal() : g.normal());
                            y[j] = scale * (near ? 1.0 + 1e-7 * g.normal() : g.normal());
                            if (floats) {
                                xd[j] = static_cast<float>(xd[j]);
                                y[j] = static_cast<float>(y[j]);
                            }
                            both.push_back(xd[j]);
                            both.push_back(y[j]);
                        }
                        const double input_error = mi::detail::float_filter_input_error(both);
                        if (scale <= 1e11) REQUIRE(input_error >= 0.0);
                        if (input_error < 0.0) continue;  // above 2^40: the pre-filter is not used
                        CHECK((input_error == 0.0) == floats);
                        std::vector<float> xf(d), yf(d * float_lanes);
                        std::vector<double> yd(d * lanes);
                        for (std::size_t j = 0; j < d; ++j) {
                            xf[j] = static_cast<float>(xd[j]);
                            for (std::size_t l = 0; l < float_lanes; ++l) yf[j * float_lanes + l] = static_cast<float>(y[j]);
                            for (std::size_t l = 0; l < lanes; ++l) yd[j * lanes + l] = y[j];
                        }
                        const float* qf[1] = {xf.data()};
                        const double* qd[1] = {xd.data()};
                        mi::detail::fbatch af[1], split[1];
                        mi::detail::dbatch ad[1];
                        mi::detail::block_reduced<Metric, 1>(yf.data(), d, qf, af);
                        mi::detail::block_reduced_split<Metric, 1>(yf.data(), d, qf, split);  // kd_tree's form
                        mi::detail::block_reduced<Metric, 1>(yd.data(), d, qd, ad);
                        const double exact = mi::simd::reduce_max(ad[0]);
                        const float rough = mi::simd::reduce_max(af[0]);
                        CAPTURE(d);
                        CAPTURE(scale);
                        CAPTURE(floats);
                        CAPTURE(exact);
                        CAPTURE(rough);
                        REQUIRE(rough <= mi::detail::float_filter_limit<Metric>(exact, d, input_error));
                        REQUIRE(mi::simd::reduce_max(split[0]) <= mi::detail::float_filter_limit<Metric>(exact, d, input_error));
                        ++tested;
                    }
    CHECK(tested > 4 * 5 * 2 * 2 * 200);  // at 1e12, the pairs within 2^40
    // the margin is a few float ulps per dimension, not more
    CHECK(mi::detail::float_filter_limit<Metric>(1.0, 10) < 1.0 + 64.0 * 0x1p-24);
    CHECK(mi::detail::float_filter_limit<Metric>(0.0, 10) < 1e-43f);
    CHECK(std::isinf(mi::detail::float_filter_limit<Metric>(std::numeric_limits<double>::infinity(), 3)));
    CHECK(std::isinf(mi::detail::float_filter_limit<Metric>(1e300, 3)));
    CHECK(mi::detail::float_filter_input_error({0.5, -3.0, 1e-30}) > 0.0);
    CHECK(mi::detail::float_filter_input_error({0.5, -3.0, 0x1p-30}) == 0.0);
    CHECK(mi::detail::float_filter_input_error({0.5, 0x1p41}) < 0.0);
}

TEST_CASE("float_at_least is the smallest float not below its argument") {
    mi::rng g(23);
    const float inf = std::numeric_limits<float>::infinity();
    for (int t = 0; t < 20000; ++t) {
        const double x = (t % 2 ? -1.0 : 1.0) * std::exp(200.0 * g.uniform() - 150.0) * (1.0 + g.uniform());
        const float f = mi::detail::float_at_least(x);
        CAPTURE(x);
        REQUIRE(static_cast<double>(f) >= x);
        REQUIRE(static_cast<double>(std::nextafter(f, -inf)) < x);
    }
    CHECK(mi::detail::float_at_least(0.0) == 0.0f);
    CHECK(mi::detail::float_at_least(1e-300) == std::numeric_limits<float>::denorm_min());
    CHECK(mi::detail::float_at_least(-1e-300) == 0.0f);
    CHECK(mi::detail::float_at_least(0.5) == 0.5f);
    CHECK(std::isinf(mi::detail::float_at_least(1e39)));
}

TEST_CASE("float_at_most is the largest float not above its argument") {
    mi::rng g(29);
    const float inf = std::numeric_limits<float>::infinity();
    for (int t = 0; t < 20000; ++t) {
        const double x = (t % 2 ? -1.0 : 1.0) * std::exp(200.0 * g.uniform() - 150.0) * (1.0 + g.uniform());
        const float f = mi::detail::float_at_most(x);
        CAPTURE(x);
        REQUIRE(static_cast<double>(f) <= x);
        REQUIRE(static_cast<double>(std::nextafter(f, inf)) > x);
    }
    CHECK(mi::detail::float_at_most(0.5) == 0.5f);
    CHECK(mi::detail::float_at_most(1e-300) == 0.0f);
    CHECK(mi::detail::float_at_most(-1e-300) == -std::numeric_limits<float>::denorm_min());
    CHECK(mi::detail::float_at_most(-1e39) == -inf);
}

TEST_CASE_TEMPLATE("box_reduced never skips a block holding a point within the query's k-th distance",
                   Metric, mi::max_norm, mi::euclidean) {
    // A block of float_lanes points, its bounding box rounded outwards to floats (as kd_tree's
    // build_boxes takes it) and a query; the query's k-th distance w is the double reduced
    // distance to one of the points, the tightest value for which the block must be kept: the
    // box's value may not exceed float_filter_limit(w), the limit kd_tree compares it with. The
    // points are spread, nearly equal (cancellation), or one of them is the box's corner and the
    // query lies beyond it in every coordinate, where the box value is the exact distance and
    // only the rounding margins keep the block. Scales where the float squares are normal,
    // subnormal or zero, values as floats or as doubles that floats only approximate.
    using mi::detail::fbatch;
    using mi::detail::float_lanes;
    enum class shape { spread, near, corner };
    mi::rng g(19);
    std::size_t tested = 0, skippable = 0;
    for (const std::size_t d : {1, 3, 10, 64})
        for (const double scale : {1.0, 1e-3, 1e-20, 1e-42, 1e9})
            for (const shape form : {shape::spread, shape::near, shape::corner})
                for (const bool floats : {true, false})
                    for (int t = 0; t < 40; ++t) {
                        const double spread = form == shape::near ? 1e-7 : 1.0;
                        std::vector<double> q(d), points(float_lanes * d), all;
                        for (std::size_t j = 0; j < d; ++j) q[j] = scale * (1.0 + 3.0 * spread * g.normal());
                        for (std::size_t l = 0; l < float_lanes; ++l)
                            for (std::size_t j = 0; j < d; ++j) points[l * d + j] = scale * (1.0 + spread * g.normal());
                        if (form == shape::corner) {
                            // p0 = 1 is the box's lower corner and q = 1 - D |u| lies below it in every coordinate
                            const double beyond = std::exp(4.0 * g.uniform() - 2.0);
                            for (std::size_t j = 0; j < d; ++j) {
                                points[j] = scale;
                                for (std::size_t l = 1; l < float_lanes; ++l) points[l * d + j] = scale * (1.0 + std::fabs(g.normal()));
                                q[j] = scale * (1.0 - beyond * std::fabs(g.normal()));
                            }
                        }
                        for (double& v : q) v = floats ? static_cast<float>(v) : v;
                        for (double& v : points) v = floats ? static_cast<float>(v) : v;
                        all = points;
                        all.insert(all.end(), q.begin(), q.end());
                        const double input_error = mi::detail::float_filter_input_error(all);
                        REQUIRE(input_error >= 0.0);
                        // the block's box in lane 0, empty boxes in the others (a leaf's padding)
                        std::vector<float> lo(d * float_lanes, std::numeric_limits<float>::infinity()),
                            hi(d * float_lanes, -std::numeric_limits<float>::infinity()), qf(d);
                        for (std::size_t j = 0; j < d; ++j) {
                            double low = points[j], high = low;
                            for (std::size_t l = 1; l < float_lanes; ++l) {
                                low = std::min(low, points[l * d + j]);
                                high = std::max(high, points[l * d + j]);
                            }
                            lo[j * float_lanes] = mi::detail::float_at_most(low);
                            hi[j * float_lanes] = mi::detail::float_at_least(high);
                            qf[j] = static_cast<float>(q[j]);
                        }
                        // double reduced distances by the kernel's own loop (block_reduced's order)
                        auto reduced = [&](const double* x, const double* y) {
                            double r = 0.0;
                            for (std::size_t j = 0; j < d; ++j)
                                r = Metric::exact_bounds ? std::max(r, std::fabs(x[j] - y[j])) : std::fma(x[j] - y[j], x[j] - y[j], r);
                            return r;
                        };
                        const float* tile[1] = {qf.data()};
                        fbatch f[1];
                        mi::detail::box_reduced<Metric, 1>(lo.data(), hi.data(), d, tile, f);
                        std::vector<float> value(float_lanes);
                        f[0].store_unaligned(value.data());
                        for (std::size_t l = 1; l < float_lanes; ++l) REQUIRE(std::isinf(value[l]));
                        CAPTURE(d);
                        CAPTURE(scale);
                        CAPTURE(static_cast<int>(form));
                        CAPTURE(floats);
                        for (std::size_t l = 0; l < float_lanes; ++l) {
                            const double w = reduced(q.data(), points.data() + l * d);
                            REQUIRE(value[0] <= mi::detail::float_filter_limit<Metric>(w, d, input_error));
                            ++tested;
                        }
                        // at the corner the bound is the distance itself, up to the margins: the
                        // distance between what the kernel reads, the float query and the float box
                        // corner (each may be rounded by a float ulp, which is relative error 1e-4 and
                        // more when the query is within 1e-3 of the corner)
                        if (form == shape::corner && scale >= 1e-3) {
                            std::vector<double> qd(d), corner(d);
                            for (std::size_t j = 0; j < d; ++j) {
                                qd[j] = qf[j];
                                corner[j] = lo[j * float_lanes];
                            }
                            const double w0 = reduced(qd.data(), corner.data());
                            REQUIRE(static_cast<double>(value[0]) >= w0 * (1.0 - 1e-5));
                        }
                        // and a query far beyond the block's reach is skipped
                        const double w_small = 1e-4 * reduced(q.data(), points.data());
                        if (form != shape::near && scale >= 1e-3 &&
                            value[0] > mi::detail::float_filter_limit<Metric>(w_small, d, input_error))
                            ++skippable;
                    }
    CHECK(tested == 4 * 5 * 3 * 2 * 40 * float_lanes);
    CHECK(skippable > 0);
    // a query inside the box is at 0 from it
    std::vector<float> lo(float_lanes, 0.0f), hi(float_lanes, 2.0f), inside = {1.0f};
    const float* tile[1] = {inside.data()};
    fbatch f[1];
    mi::detail::box_reduced<Metric, 1>(lo.data(), hi.data(), 1, tile, f);
    CHECK(mi::simd::reduce_max(f[0]) == 0.0f);
}

TEST_CASE_TEMPLATE("box_reduced_queries gives box_reduced's values, a query to a lane", Metric, mi::max_norm,
                   mi::euclidean) {
    // The node test of kd_tree (one box, float_lanes queries) relies on box_reduced's bound: each
    // lane must be bit for bit box_reduced's value for that box and query. Queries inside, on and
    // beyond the box, at scales where the float squares are normal, subnormal or overflow.
    using mi::detail::fbatch;
    using mi::detail::float_lanes;
    mi::rng g(23);
    std::size_t inside = 0;
    for (const std::size_t d : {1, 2, 5, 6, 17})
        for (const double scale : {1.0, 1e-21, 1e-42, 1e20})
            for (int t = 0; t < 50; ++t) {
                std::vector<float> lo(d), hi(d), q(d * float_lanes);  // q dimension-major
                for (std::size_t j = 0; j < d; ++j) {
                    const double a = scale * g.normal(), b = scale * g.normal();
                    lo[j] = mi::detail::float_at_most(std::min(a, b));
                    hi[j] = mi::detail::float_at_least(std::max(a, b));
                    for (std::size_t l = 0; l < float_lanes; ++l) {
                        const double u = g.uniform();
                        // a quarter of the coordinates exactly on a face
                        q[j * float_lanes + l] = u < 0.125 ? lo[j] : u < 0.25 ? hi[j] : static_cast<float>(1.5 * scale * g.normal());
                    }
                }
                std::vector<float> got(float_lanes);
                mi::detail::box_reduced_queries<Metric>(lo.data(), hi.data(), d, q.data(), float_lanes).store_unaligned(got.data());
                // box_reduced takes the box in lane 0 of a group (empty boxes in the others)
                std::vector<float> glo(d * float_lanes, std::numeric_limits<float>::infinity()),
                    ghi(d * float_lanes, -std::numeric_limits<float>::infinity());
                for (std::size_t j = 0; j < d; ++j) {
                    glo[j * float_lanes] = lo[j];
                    ghi[j * float_lanes] = hi[j];
                }
                for (std::size_t l = 0; l < float_lanes; ++l) {
                    std::vector<float> row(d), want(float_lanes);
                    for (std::size_t j = 0; j < d; ++j) row[j] = q[j * float_lanes + l];
                    const float* tile[1] = {row.data()};
                    fbatch f[1];
                    mi::detail::box_reduced<Metric, 1>(glo.data(), ghi.data(), d, tile, f);
                    f[0].store_unaligned(want.data());
                    CAPTURE(d);
                    CAPTURE(scale);
                    CHECK(got[l] == want[0]);
                    bool in = true;
                    for (std::size_t j = 0; j < d; ++j) in = in && lo[j] <= row[j] && row[j] <= hi[j];
                    if (in) {
                        CHECK(got[l] == 0.0f);
                        ++inside;
                    } else if (scale == 1.0) {
                        CHECK(got[l] > 0.0f);
                    }
                }
            }
    CHECK(inside > 0);
}

TEST_CASE("bound_widening: the old formula's slack where it matters, conservative everywhere") {
    const double eps = std::numeric_limits<double>::epsilon(), tiny = std::numeric_limits<double>::denorm_min();
    for (const std::size_t d : {1u, 4u, 12u, 1000u}) {
        CAPTURE(d);
        const mi::detail::bound_widening w(d);
        const double k = static_cast<double>(d) + 2.0;
        CHECK(w.abs == k * 4.0 * tiny);  // an integer number of denorm_min: exact
        CHECK(w.lower(0.0) == -w.abs);
        CHECK(w.upper(0.0) == w.abs);
        CHECK(w.lower(1.0) == 1.0 - 8.0 * k * eps);
        CHECK(w.upper(1.0) == 1.0 + 8.0 * k * eps);
        CHECK(std::isinf(w.lower(std::numeric_limits<double>::infinity())));
        CHECK(std::isnan(w.lower(std::numeric_limits<double>::quiet_NaN())));
        // below 2^-1000 the absolute term is applied as in s (1 - rel) - abs
        const double s = 3.0e-310;
        CHECK(w.lower(s) == s * w.down - w.abs);
        CHECK(w.upper(s) == s * w.up + w.abs);
        // every bound stays on its side of s, also next to the 2^-1000 switch
        mi::rng g(d);
        for (int t = 0; t < 2000; ++t) {
            const double v = std::ldexp(0.5 + g.uniform(), static_cast<int>(g.uniform() * 2090.0) - 1074);
            CHECK(w.lower(v) <= v);
            CHECK(w.upper(v) >= v);
            CHECK(w.lower(v) < v);
        }
        for (const double v : {0x1p-1000, std::nextafter(0x1p-1000, 0.0), std::nextafter(0x1p-1000, 1.0)}) {
            CHECK(w.lower(v) < v);
            CHECK(w.upper(v) > v);
        }
        // the batch form equals the scalar one lane by lane (zeros, subnormals, normal values)
        alignas(64) double in[mi::detail::lanes], out[mi::detail::lanes];
        for (std::size_t l = 0; l < mi::detail::lanes; ++l)
            in[l] = l % 3 == 0 ? 0.0 : l % 3 == 1 ? 1e-310 * static_cast<double>(l) : 0.25 * static_cast<double>(l);
        w.lower(mi::detail::dbatch::load_unaligned(in)).store_unaligned(out);
        for (std::size_t l = 0; l < mi::detail::lanes; ++l) CHECK(out[l] == w.lower(in[l]));
    }
}

TEST_CASE("k_best keeps the k smallest (distance, index) pairs, ties by index") {
    double rho[3];
    std::uint32_t idx[3];
    mi::detail::k_best b(rho, idx, 3);
    b.offer(2.0, 7);
    b.offer(1.0, 9);
    b.offer(2.0, 3);  // same distance as 7, smaller index: goes first
    b.offer(2.0, 5);  // ties the worst (2.0, 7) with a smaller index: replaces it
    b.offer(2.0, 8);  // ties but larger index: rejected
    b.offer(3.0, 0);  // farther: rejected
    CHECK(rho[0] == 1.0);
    CHECK(idx[0] == 9);
    CHECK(rho[1] == 2.0);
    CHECK(idx[1] == 3);
    CHECK(rho[2] == 2.0);
    CHECK(idx[2] == 5);
}

TEST_CASE("neighbors::kth_distances is the last column of the distances") {
    mi::neighbors nb;
    nb.index = xt::xtensor<std::uint32_t, 2>({2, 3});
    nb.distance = xt::xtensor<double, 2>({2, 3});
    const double d[2][3] = {{0.5, 1.0, 2.5}, {0.0, 0.25, 0.75}};
    for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t j = 0; j < 3; ++j) nb.distance(i, j) = d[i][j];
    CHECK(nb.kth_distances() == std::vector<double>{2.5, 0.75});
}

}  // namespace test_search_metric
