// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/kernels/gaussian.hpp"
#include "mi/quantizers/adaptive_uniform.hpp"
#include "mi/quantizers/bin_edges.hpp"
#include "mi/quantizers/concept.hpp"
#include "mi/quantizers/distinct_value_quantiles.hpp"
#include "mi/quantizers/equal_mass.hpp"
#include "mi/quantizers/example_quantizer.hpp"
#include "mi/quantizers/fixed_width.hpp"
#include "mi/quantizers/global_uniform.hpp"
#include "mi/quantizers/machine_precision.hpp"
#include "mi/quantizers/uniform.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_quantizers_concept {

namespace {

// A complete quantizer, then the same with one requirement missing each.
struct fitted_ok {
    std::int32_t code(double) const { return 0; }
    template <class T>
    void encode(const T*, std::size_t, std::int32_t*) const {}
    std::vector<double> boundaries(double, double) const { return {}; }
};
struct complete {
    template <class T>
    fitted_ok fit(const mi::activation_view<const T>&) const { return {}; }
    std::string name() const { return "complete"; }
    std::string parameters() const { return ""; }
};
struct no_parameters {
    template <class T>
    fitted_ok fit(const mi::activation_view<const T>&) const { return {}; }
    std::string name() const { return "no_parameters"; }
};
struct fitted_without_encode {
    std::int32_t code(double) const { return 0; }
    std::vector<double> boundaries(double, double) const { return {}; }
};
struct no_encode {
    template <class T>
    fitted_without_encode fit(const mi::activation_view<const T>&) const { return {}; }
    std::string name() const { return "no_encode"; }
    std::string parameters() const { return ""; }
};
struct fitted_wrong_code {
    double code(double) const { return 0.0; }  // codes are int32
    template <class T>
    void encode(const T*, std::size_t, std::int32_t*) const {}
    std::vector<double> boundaries(double, double) const { return {}; }
};
struct wrong_code {
    template <class T>
    fitted_wrong_code fit(const mi::activation_view<const T>&) const { return {}; }
    std::string name() const { return "wrong_code"; }
    std::string parameters() const { return ""; }
};
struct double_only {  // binning runs float layers too
    fitted_ok fit(const mi::activation_view<const double>&) const { return {}; }
    std::string name() const { return "double_only"; }
    std::string parameters() const { return ""; }
};

}  // namespace

TEST_CASE("every quantizer of mi is a quantizer policy") {
    CHECK(mi::is_quantizer_v<mi::uniform>);
    CHECK(mi::is_quantizer_v<mi::fixed_width>);
    CHECK(mi::is_quantizer_v<mi::adaptive_uniform>);
    CHECK(mi::is_quantizer_v<mi::global_uniform>);
    CHECK(mi::is_quantizer_v<mi::equal_mass>);
    CHECK(mi::is_quantizer_v<mi::distinct_value_quantiles>);
    CHECK(mi::is_quantizer_v<mi::bin_edges>);
    CHECK(mi::is_quantizer_v<mi::machine_precision>);
    CHECK(mi::is_quantizer_v<mi::example_quantizer>);
    CHECK(mi::is_quantizer_v<complete>);
}

TEST_CASE("a type missing one requirement is not a quantizer policy") {
    CHECK_FALSE(mi::is_quantizer_v<no_parameters>);
    CHECK_FALSE(mi::is_quantizer_v<no_encode>);
    CHECK_FALSE(mi::is_quantizer_v<wrong_code>);
    CHECK_FALSE(mi::is_quantizer_v<double_only>);
    CHECK_FALSE(mi::is_quantizer_v<mi::gaussian_kernel>);
    CHECK_FALSE(mi::is_quantizer_v<int>);
}

#if defined(__cpp_concepts) && __cpp_concepts >= 201907L
static_assert(mi::quantizer_policy<mi::uniform> && !mi::quantizer_policy<no_encode>, "the C++20 concept is the trait");
#endif

}  // namespace test_quantizers_concept
