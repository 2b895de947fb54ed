// SPDX-License-Identifier: BSD-3-Clause
// Every plane estimator, through the umbrella header, at the extreme scales of its input type
// (issue 15): each returns finite numbers or raises mi::error, never NaN/Inf or another
// exception; and where the estimator is scale-free (adaptive binning and noise, KSG, Renyi with
// Silverman's width, the decision rule) the numbers equal those of the same layer at scale 1,
// Kozachenko-Leonenko's H(T) moving by exactly d ln(scale). Scales are powers of two, so the
// scaled layers are the unscaled ones bit for bit apart from the exponent.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "mi/plane.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_plane {

namespace {

constexpr std::size_t rows = 48, units = 3;

template <class T>
std::vector<T> layer_at(int exponent) {
    mi::rng r(7);
    std::vector<T> v(rows * units);
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t k = 0; k < units; ++k)
            v[i * units + k] = static_cast<T>(std::ldexp(std::tanh(r.normal() + 0.3 * static_cast<double>(i % 4)) +
                                                             0.25 * static_cast<double>(k),
                                                         exponent));
    return v;
}

std::vector<int> class_ids() {
    std::vector<int> y(rows);
    for (std::size_t i = 0; i < rows; ++i) y[i] = static_cast<int>(i % 4 < 2 ? 0 : 1);
    return y;
}

// One named estimate of a layer; `scale_free`: equal at every scale; `entropy_x`: ixt is H(T).
template <class T>
struct entry {
    std::string name;
    std::function<mi::plane_point(const mi::activation_view<const T>&, const mi::samples&)> point;
    bool scale_free;
    bool entropy_x = false;
};

template <class T>
std::vector<entry<T>> estimators() {
    std::vector<entry<T>> e;
    auto add = [&](std::string name, auto est, bool scale_free, bool entropy_x = false) {
        e.push_back({std::move(name), [est](const mi::activation_view<const T>& v, const mi::samples& s) {
                         return est.point(v, s);
                     }, scale_free, entropy_x});
    };
    add("binning<uniform>", mi::binning<mi::uniform>(mi::uniform(30, -1, 1)), false);
    add("binning<fixed_width>", mi::binning<mi::fixed_width>(mi::fixed_width(0.5)), false);
    add("binning<adaptive_uniform>", mi::binning<mi::adaptive_uniform>(mi::adaptive_uniform(30)), true);
    add("binning<equal_mass>", mi::binning<mi::equal_mass>(mi::equal_mass(8)), true);
    add("binning<distinct_value_quantiles>",
        mi::binning<mi::distinct_value_quantiles>(mi::distinct_value_quantiles(8, -2.0)), false);
    add("binning<machine_precision>", mi::binning<mi::machine_precision>(mi::machine_precision()), true);
    add("kde<fixed>", mi::kde<>(mi::fixed_noise(1e-3)), false);
    add("kde<adaptive>", mi::kde<mi::gaussian_kernel, mi::adaptive_noise>(mi::adaptive_noise(1e-2)), true);
    add("kl_entropy", mi::kl_entropy<>(), true, true);
    add("ksg", mi::ksg<>(), true);
    add("sample_propagation", mi::sample_propagation(0.1), false);
    add("renyi", mi::renyi(), true);
    add("decision_rule", mi::decision_rule<>(), true);
    add("edge", mi::edge(0.5), false);
    return e;
}

template <class T>
void check_scales(const std::vector<int>& exponents) {
    std::vector<double> inputs(rows * 2);
    for (std::size_t i = 0; i < inputs.size(); ++i) inputs[i] = static_cast<double>((i * 7919) % 101) / 50.0;
    // the network input for KSG and Renyi, replica pairs for sample propagation
    const mi::samples s = mi::samples(mi::labels(class_ids()))
                              .with_network_input(mi::view(inputs, rows, 2))
                              .with_replicas(mi::replica_groups::consecutive(2));
    const std::vector<T> unit = layer_at<T>(0);
    for (const auto& est : estimators<T>()) {
        const mi::plane_point reference = est.point(mi::view(unit, rows, units), s);
        for (const int e : exponents) {
            const std::vector<T> v = layer_at<T>(e);
            CAPTURE(est.name);
            CAPTURE(e);
            try {
                const mi::plane_point p = est.point(mi::view(v, rows, units), s);
                CHECK(std::isfinite(p.ixt));
                CHECK(std::isfinite(p.ity));
                for (const auto* b : {&p.ixt_bounds, &p.ity_bounds})
                    if (*b) CHECK((std::isfinite((*b)->lower) && std::isfinite((*b)->upper)));
                if (est.scale_free) {
                    const double shift = est.entropy_x ? static_cast<double>(units) * e * std::log(2.0) : 0.0;
                    CHECK(p.ixt == doctest::Approx(reference.ixt + shift).epsilon(1e-9).scale(1.0));
                    CHECK(p.ity == doctest::Approx(reference.ity).epsilon(1e-9).scale(1.0));
                }
            } catch (const mi::error&) {
                CHECK_FALSE(est.scale_free);  // a scale-free estimator has no reason to refuse
            }
        }
    }
}

}  // namespace

TEST_CASE("every plane estimator at 2^-996 and 2^996 in double: finite, scale-free ones unchanged") {
    check_scales<double>({-996, 996});
}

TEST_CASE("every plane estimator at 2^-100 and 2^120 in float: finite, scale-free ones unchanged") {
    check_scales<float>({-100, 120});
}

}  // namespace test_plane
