// Conan test_package: one binned plane point through mi::mi and, with the
// linalg component, a matrix-based Renyi entropy through mi::linalg (LAPACK).
#include <mi/plane.hpp>

#include <cmath>
#include <cstdio>
#include <vector>

int main() {
    const std::size_t n = 8;
    std::vector<int> y(n);
    std::vector<float> t(n);
    for (std::size_t i = 0; i < n; ++i) {
        y[i] = static_cast<int>(i % 2);
        t[i] = y[i] ? 0.5f : -0.5f;
    }
    mi::recording<float> rec(mi::samples(mi::labels(y, 2)));
    rec.observe(0, 0, mi::view(t.data(), n, 1));
    const auto plane = mi::information_plane(rec, mi::binning<mi::uniform>(mi::uniform::idnns(30, -1, 1)));
    const double ity = plane.at(0, 0).ity;  // the unit is the label: I(T;Y) = log 2
    std::printf("mi %d.%d.%d: I(T;Y) = %.6f nats\n", MI_VERSION_MAJOR, MI_VERSION_MINOR, MI_VERSION_PATCH, ity);
    bool ok = std::fabs(ity - std::log(2.0)) < 1e-12;
#ifdef MI_TEST_LINALG
    const double h = mi::renyi::entropy(mi::activation_view<const float>(t.data(), n, 1), 1.01,
                                        mi::kernel_width::silverman());
    std::printf("mi::linalg: Renyi entropy = %.6f nats\n", h);
    ok = ok && h > 0.0 && h <= std::log(2.0) + 1e-9;
#endif
    return ok ? 0 : 1;
}
