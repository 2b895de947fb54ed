// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cstddef>
#include <string>

#include "mi/core/activation_view.hpp"
#include "mi/kernels/concept.hpp"
#include "mi/kernels/example_kernel.hpp"
#include "mi/kernels/example_noise.hpp"
#include "mi/kernels/gaussian.hpp"
#include "mi/kernels/noise.hpp"
#include "mi/quantizers/uniform.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_kernels_concept {

namespace {

// A kernel whose log_kernel is written for double only: the engine also runs float and SIMD batches.
struct double_only_kernel {
    double log_kernel(double d2) const { return -d2; }
    double component_entropy(std::size_t) const { return 0.0; }
    double_only_kernel with_variance(double) const { return {}; }
    double_only_kernel bhattacharyya() const { return {}; }
    std::string name() const { return "double_only"; }
    std::string parameters() const { return ""; }
};
// A complete kernel without the lower-bound kernel.
struct no_bhattacharyya {
    template <class V>
    V log_kernel(const V& d2) const { return -d2; }
    double component_entropy(std::size_t) const { return 0.0; }
    no_bhattacharyya with_variance(double) const { return {}; }
    std::string name() const { return "no_bhattacharyya"; }
    std::string parameters() const { return ""; }
};
struct no_name_noise {
    template <class T>
    double variance(const mi::activation_view<const T>&) const { return 1.0; }
    std::string parameters() const { return ""; }
};
struct float_only_noise {
    double variance(const mi::activation_view<const float>&) const { return 1.0; }
    std::string name() const { return "float_only"; }
    std::string parameters() const { return ""; }
};

}  // namespace

TEST_CASE("mi's kernels and noise policies model their concepts") {
    CHECK(mi::is_kernel_v<mi::gaussian_kernel>);
    CHECK(mi::is_kernel_v<mi::example_kernel>);
    CHECK(mi::is_noise_v<mi::fixed_noise>);
    CHECK(mi::is_noise_v<mi::adaptive_noise>);
    CHECK(mi::is_noise_v<mi::example_noise>);
    CHECK(mi::gaussian_kernel(0.25).parameters() == "variance=0.25");
}

TEST_CASE("a type missing one requirement is not a kernel or noise policy") {
    CHECK_FALSE(mi::is_kernel_v<double_only_kernel>);
    CHECK_FALSE(mi::is_kernel_v<no_bhattacharyya>);
    CHECK_FALSE(mi::is_kernel_v<mi::fixed_noise>);
    CHECK_FALSE(mi::is_kernel_v<mi::uniform>);
    CHECK_FALSE(mi::is_noise_v<no_name_noise>);
    CHECK_FALSE(mi::is_noise_v<float_only_noise>);
    CHECK_FALSE(mi::is_noise_v<mi::gaussian_kernel>);
}

#if defined(__cpp_concepts) && __cpp_concepts >= 201907L
static_assert(mi::kernel_policy<mi::gaussian_kernel> && mi::noise_policy<mi::fixed_noise> &&
                  !mi::kernel_policy<no_bhattacharyya>,
              "the C++20 concepts are the traits");
#endif

}  // namespace test_kernels_concept
