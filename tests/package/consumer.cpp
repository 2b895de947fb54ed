// Uses the installed mi through the umbrella header only.
#include <mi/plane.hpp>

#include <cmath>
#include <cstdio>
#include <vector>

int main() {
    // Four equiprobable distinct patterns: H = log 4.
    std::vector<int> codes{0, 0, 0, 1, 1, 0, 1, 1};
    const mi::grouping g = mi::group_rows(codes.data(), 4, 2);
    const double h = mi::entropy(g);
    std::printf("mi %d.%d.%d: H = %.6f nats (expected %.6f)\n", MI_VERSION_MAJOR, MI_VERSION_MINOR,
                MI_VERSION_PATCH, h, std::log(4.0));
    return std::fabs(h - std::log(4.0)) < 1e-12 ? 0 : 1;
}
