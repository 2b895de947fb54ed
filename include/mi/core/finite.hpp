// SPDX-License-Identifier: BSD-3-Clause
// The finiteness guarantee: every public function that returns an estimate passes it through
// detail::finite before returning, so a value that overflowed despite the estimators' own
// rescaling (kernel frames, power-of-two standardisation) reaches the caller as an mi::error
// that names the function and the quantity, never as NaN or Inf. The plane driver checks every
// point again (mi/plane/information_plane.hpp); plane_point and bounds have overloads in
// mi/estimators/concept.hpp.
#ifndef MI_CORE_FINITE_HPP
#define MI_CORE_FINITE_HPP

#include <cmath>

#include "mi/core/error.hpp"

namespace mi {
namespace detail {

inline constexpr const char* finite_expected =
    "a finite value (the computation overflowed at this input's scale; rescale the input)";

inline double finite(double value, const char* where, const char* quantity) {
    if (!std::isfinite(value)) fail(where, quantity, value, finite_expected);
    return value;
}

}  // namespace detail
}  // namespace mi

#endif
