// SPDX-License-Identifier: BSD-3-Clause
// What every policy of every kind has (quantizers, kernels, noise, metrics,
// searches, corrections): a name and a parameter string, which the
// estimators fold into their own parameters() so that a plane's CSV says how
// each point was computed. The kind-specific concepts
// (mi/quantizers/concept.hpp, mi/kernels/concept.hpp, mi/search/concept.hpp,
// mi/core/discrete.hpp's corrections) build on this trait.
#ifndef MI_CORE_POLICY_HPP
#define MI_CORE_POLICY_HPP

#include <string>
#include <type_traits>
#include <utility>

namespace mi::detail {

/// True when P has std::string-convertible name() and parameters() callable on a const P.
template <class P, class = void>
struct has_name_and_parameters : std::false_type {};
template <class P>
struct has_name_and_parameters<P, std::void_t<decltype(std::string(std::declval<const P&>().name())),
                                              decltype(std::string(std::declval<const P&>().parameters()))>>
    : std::true_type {};

}  // namespace mi::detail

#endif
