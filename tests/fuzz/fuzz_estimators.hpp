// SPDX-License-Identifier: BSD-3-Clause
// What fuzz_estimators' translation units share: the check of an estimate, and the cases
// compiled apart from the dispatch in fuzz_estimators.cpp, so that the target builds on
// several cores: the k-nearest-neighbour estimators with each search policy
// (fuzz_estimators_knn.cpp) and the families of issue 17 (fuzz_estimators_families.cpp).
#ifndef MI_TESTS_FUZZ_ESTIMATORS_HPP
#define MI_TESTS_FUZZ_ESTIMATORS_HPP

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "mi/plane.hpp"

namespace mi_fuzz {

[[noreturn]] inline void finding(const std::string& what) {
    std::fprintf(stderr, "finding: %s\n", what.c_str());
    std::abort();
}

inline void check_finite(const mi::plane_point& p, const std::string& name) {
    bool ok = std::isfinite(p.ixt) && std::isfinite(p.ity);
    for (const auto* b : {&p.ixt_bounds, &p.ity_bounds})
        if (*b) ok = ok && std::isfinite((*b)->lower) && std::isfinite((*b)->upper);
    if (!ok)
        finding(name + " returned a non-finite value: ixt = " + mi::detail::to_text(p.ixt) +
                ", ity = " + mi::detail::to_text(p.ity));
}

template <class E, class T>
void run(const E& e, const mi::activation_view<const T>& layer, const mi::samples& s) {
    check_finite(e.point(layer, s), e.name() + " " + e.parameters());
}

// Kozachenko-Leonenko (which = 0..3) or KSG (4..7) with the search policy automatic,
// kd_tree, grid or brute_force (which % 4). Defined in fuzz_estimators_knn.cpp.
template <class T>
void knn_case(unsigned which, std::size_t k, bool jitter, bool alg2, const mi::activation_view<const T>& layer,
              const mi::samples& s);
extern template void knn_case<float>(unsigned, std::size_t, bool, bool, const mi::activation_view<const float>&,
                                     const mi::samples&);
extern template void knn_case<double>(unsigned, std::size_t, bool, bool, const mi::activation_view<const double>&,
                                      const mi::samples&);

// Sliced MI with KSG, Gaussian, KDE and binning slices (which = 0..3), compressed KSG after a
// random projection (4), weighted Kozachenko-Leonenko (5), exact counting with inputs that must
// agree (6) or are counted (7), compressed weighted KL after PCA (8, with mi::linalg). Defined in
// fuzz_estimators_families.cpp.
template <class T>
void family_case(unsigned which, std::uint8_t flags, std::uint8_t q, double scale,
                 const mi::activation_view<const T>& layer, const mi::samples& s);
extern template void family_case<float>(unsigned, std::uint8_t, std::uint8_t, double,
                                        const mi::activation_view<const float>&, const mi::samples&);
extern template void family_case<double>(unsigned, std::uint8_t, std::uint8_t, double,
                                         const mi::activation_view<const double>&, const mi::samples&);

}  // namespace mi_fuzz

#endif
