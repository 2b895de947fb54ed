// SPDX-License-Identifier: BSD-3-Clause
// Instantiates every estimator and policy the way users call them, for float
// and double, so that the strict-warnings check (tests/headers/warnings.cmake)
// sees the template code and not only the declarations. Compiled, never run.
#include <mi/kernels/example_kernel.hpp>
#include <mi/kernels/example_noise.hpp>
#include <mi/plane.hpp>
#include <mi/quantizers/example_quantizer.hpp>
#include <mi/search/example_search.hpp>

#include <vector>

namespace {

template <class T>
void every_plane_estimator() {
    const std::size_t n = 64, d = 3;
    std::vector<int> y(n);
    for (std::size_t i = 0; i < n; ++i) y[i] = static_cast<int>(i % 2);
    std::vector<T> a(n * d);
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<T>(i % 7) / T(7);
    const mi::activation_view<const T> x(a.data(), n, d);
    mi::recording<T> rec(
        mi::samples(mi::labels(y, 2)).with_network_input(x).with_replicas(mi::replica_groups::consecutive(4)));
    rec.observe(0, 0, mi::view(a.data(), n, d));
    mi::plane_options po;
    std::vector<mi::trajectory> ts;
    ts.push_back(mi::information_plane(rec, mi::binning<mi::uniform>(mi::uniform::idnns(30, -1.0, 1.0)), po));
    ts.push_back(mi::information_plane(rec, mi::binning<mi::fixed_width>(mi::fixed_width(0.07)), po));
    ts.push_back(mi::information_plane(rec, mi::binning<mi::adaptive_uniform>(mi::adaptive_uniform(30)), po));
    ts.push_back(mi::information_plane(rec, mi::binning<mi::global_uniform>(mi::global_uniform(100)), po));
    ts.push_back(mi::information_plane(rec, mi::binning<mi::equal_mass>(mi::equal_mass(30)), po));
    ts.push_back(mi::information_plane(
        rec, mi::binning<mi::distinct_value_quantiles>(mi::distinct_value_quantiles::for_tanh(30)), po));
    ts.push_back(mi::information_plane(rec, mi::binning<mi::bin_edges>(mi::bin_edges({-0.5, 0.0, 0.5})), po));
    mi::edge_options edge_options;
    edge_options.epsilon = 0.07;
    edge_options.scales = {1.0, 2.0, 4.0};
    edge_options.bias_terms = 1;
    ts.push_back(mi::information_plane(rec, mi::edge(edge_options), po));
    ts.push_back(mi::information_plane(rec, mi::kde<mi::gaussian_kernel, mi::fixed_noise>(mi::fixed_noise(1e-3)), po));
    ts.push_back(
        mi::information_plane(rec, mi::kde<mi::gaussian_kernel, mi::adaptive_noise>(mi::adaptive_noise(1e-3)), po));
    ts.push_back(mi::information_plane(rec, mi::kl_entropy<>(2), po));
    ts.push_back(mi::information_plane(rec, mi::kl_entropy<mi::brute_force<mi::euclidean>>(2), po));
    ts.push_back(mi::information_plane(rec, mi::kl_entropy<mi::kd_tree<mi::euclidean>>(2), po));
    ts.push_back(mi::information_plane(rec, mi::kl_entropy<mi::grid<mi::euclidean>>(2), po));
    ts.push_back(mi::information_plane(rec, mi::kl_entropy<mi::automatic<mi::max_norm>>(2), po));
    ts.push_back(mi::information_plane(rec, mi::kl_entropy(mi::kd_tree<mi::max_norm>(16), 2), po));
    ts.push_back(mi::information_plane(rec, mi::kl_entropy(mi::example_search<mi::euclidean>(), 2), po));
    ts.push_back(mi::information_plane(rec, mi::ksg(mi::ksg_options{}, mi::grid<mi::max_norm>(8.0)), po));
    ts.push_back(mi::information_plane(rec, mi::binning<mi::example_quantizer>(mi::example_quantizer()), po));
    ts.push_back(mi::information_plane(rec, mi::kde<mi::example_kernel, mi::example_noise>(mi::example_noise(1e-2)), po));
    ts.push_back(mi::information_plane(rec, mi::ksg<>(3), po));
    ts.push_back(mi::information_plane(rec, mi::ksg<mi::brute_force<>>(3), po));
    ts.push_back(mi::information_plane(rec, mi::sliced<>(), po));
    ts.push_back(mi::information_plane(rec, mi::sliced<mi::ksg<mi::brute_force<>>>(mi::sliced_options{16, 2, 1}), po));
    (void)mi::sliced<mi::gaussian_slice>().mutual_information(x, x);
    ts.push_back(mi::information_plane(rec, mi::decision_rule<>(), po));
    ts.push_back(mi::information_plane(rec, mi::sample_propagation(0.1), po));
#if __has_include(<xtensor-blas/xlinalg.hpp>)
    ts.push_back(mi::information_plane(rec, mi::renyi(), po));
    (void)mi::linear_gaussian(0.1).mutual_information(x);
    (void)mi::gaussian_bound(0.7, 0.05).bound(x, x);
#endif
    (void)mi::minimal_model<mi::activation::tanh, mi::uniform>(mi::activation::tanh{}, mi::uniform(30, -1.0, 1.0))
        .mutual_information(2.0);
    mi::write_csv(ts, "/dev/null");
}

}  // namespace

int main() {
    every_plane_estimator<float>();
    every_plane_estimator<double>();
    return 0;
}
