// Uses the installed mi through the umbrella header only, the way the README's
// usage example does: record layers over epochs, estimate two planes, write CSV.
#include <mi/plane.hpp>

#include <cmath>
#include <cstdio>
#include <sstream>
#include <vector>

int main() {
    // 16 distinct inputs, two classes; "layer 0" keeps the 4 input bits (16 distinct patterns),
    // "layer 1" is one unit that is 1 for class 1 and -1 for class 0.
    const std::size_t n = 16;
    std::vector<int> y(n);
    for (std::size_t i = 0; i < n; ++i) y[i] = static_cast<int>(i % 2);
    mi::recording<float> rec(mi::samples(mi::labels(y, 2)));
    for (int epoch = 0; epoch < 2; ++epoch) {
        std::vector<float> bits(n * 4), decision(n);
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t b = 0; b < 4; ++b) bits[i * 4 + b] = ((i >> b) & 1u) ? 0.9f : -0.9f;
            decision[i] = y[i] ? 0.9f : -0.9f;
        }
        rec.observe(epoch, 0, mi::view(bits.data(), n, 4));
        rec.observe(epoch, 1, mi::view(decision.data(), n, 1));
    }
    mi::plane_options opt;
    opt.output_unit = mi::unit::bits;
    opt.bootstrap = 20;
    const auto binned = mi::information_plane(rec, mi::binning<mi::uniform>(mi::uniform::idnns(30, -1, 1)), opt);
    const auto kde = mi::information_plane(rec, mi::kde<mi::gaussian_kernel, mi::fixed_noise>(mi::fixed_noise(1e-3)), opt);
    std::ostringstream csv;
    mi::write_csv({binned, kde}, csv);

    // Layer 0: 16 equiprobable patterns, H = log 16; layer 1 carries exactly the label, I(T;Y) = log 2.
    const double want_ixt0 = std::log(16.0), want_ity1 = std::log(2.0);
    const auto p0 = binned.at(1, 0, mi::unit::nats), p1 = binned.at(1, 1, mi::unit::nats);
    std::printf("mi %d.%d.%d: I(X;T0) = %.6f nats (expected %.6f), I(T1;Y) = %.6f nats (expected %.6f), "
                "KDE upper I(X;T0) = %.6f, CSV %zu bytes\n",
                MI_VERSION_MAJOR, MI_VERSION_MINOR, MI_VERSION_PATCH, p0.ixt, want_ixt0, p1.ity, want_ity1,
                kde.at(1, 0, mi::unit::nats).ixt, csv.str().size());
    bool ok = std::fabs(p0.ixt - want_ixt0) < 1e-12 && std::fabs(p1.ity - want_ity1) < 1e-12 &&
              std::fabs(kde.at(1, 0, mi::unit::nats).ixt - want_ixt0) < 1e-6 && p0.ixt_ci.has_value() && csv.str().size() > 0;
#ifdef MI_CONSUMER_LINALG
    // mi::linalg: the matrix-based Renyi entropy runs on LAPACK (an eigendecomposition); the decision
    // unit splits the samples into two equal groups, so its entropy is positive and at most log 2.
    std::vector<float> decision(n);
    for (std::size_t i = 0; i < n; ++i) decision[i] = y[i] ? 0.9f : -0.9f;
    const double h = mi::renyi::entropy(mi::activation_view<const float>(decision.data(), n, 1), 1.01,
                                        mi::kernel_width::silverman());
    std::printf("mi::linalg: Renyi H(T1) = %.6f nats (at most %.6f)\n", h, want_ity1);
    ok = ok && h > 0.1 && h <= want_ity1 + 1e-9;
#endif
    return ok ? 0 : 1;
}
