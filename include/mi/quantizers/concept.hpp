// SPDX-License-Identifier: BSD-3-Clause
// The quantizer policy concept: exactly the members binning, the minimal
// model and the plane driver use, as a trait (C++17) and, where the compiler
// has them, a C++20 concept. The semantics (monotone codes, the SIMD encode
// equal to code lane by lane, ...) are stated in mi/quantizers/fitted_edges.hpp;
// mi/quantizers/example_quantizer.hpp is a documented minimal quantizer.
//
// Quantizer Q, for T = float and double:
//
//   F Q::fit(const activation_view<const T>& layer) const      the fitted quantizer for this layer
//   std::string Q::name() const, Q::parameters() const         "uniform", "quantizer=uniform;bins=30;..."
//
// Fitted quantizer F:
//
//   std::int32_t F::code(double x) const                            the bin of x (minimal model)
//   void F::encode(const T* x, std::size_t n, std::int32_t* codes) const   every code of a run (binning)
//   std::vector<double> F::boundaries(double lo, double hi) const   where the code changes in (lo, hi)
//
// Optional: std::size_t F::codes() (every code < codes(): binning stores
// narrower codes) and Q Q::for_layer(const std::vector<activation_view<const
// T>>& epochs) (a quantizer that needs every epoch, e.g. global_uniform).
#ifndef MI_QUANTIZERS_CONCEPT_HPP
#define MI_QUANTIZERS_CONCEPT_HPP

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/policy.hpp"

/// The requirements in one line, for the estimators' static_assert messages.
#define MI_QUANTIZER_REQUIREMENTS                                                                          \
    "it needs F fit(const mi::activation_view<const T>&) const for T = float and double, returning F with " \
    "std::int32_t code(double) const, void encode(const T*, std::size_t, std::int32_t*) const and "         \
    "std::vector<double> boundaries(double, double) const, and std::string name() const, parameters() const"

namespace mi {

namespace detail {

template <class F, class T, class = void>
struct is_fitted_quantizer : std::false_type {};
template <class F, class T>
struct is_fitted_quantizer<
    F, T,
    std::void_t<decltype(std::declval<const F&>().code(0.0)),
                decltype(std::declval<const F&>().encode(std::declval<const T*>(), std::size_t(0),
                                                         std::declval<std::int32_t*>())),
                decltype(std::declval<const F&>().boundaries(0.0, 0.0))>>
    : std::bool_constant<std::is_same_v<decltype(std::declval<const F&>().code(0.0)), std::int32_t> &&
                         std::is_same_v<decltype(std::declval<const F&>().boundaries(0.0, 0.0)), std::vector<double>>> {};

template <class Q, class T, class = void>
struct fits_layers_of : std::false_type {};
template <class Q, class T>
struct fits_layers_of<Q, T, std::void_t<decltype(std::declval<const Q&>().fit(std::declval<const activation_view<const T>&>()))>>
    : is_fitted_quantizer<std::decay_t<decltype(std::declval<const Q&>().fit(std::declval<const activation_view<const T>&>()))>,
                          T> {};

}  // namespace detail

/// True when Q is a quantizer policy (see the list at the top of this header).
template <class Q>
inline constexpr bool is_quantizer_v = detail::fits_layers_of<Q, float>::value &&
                                       detail::fits_layers_of<Q, double>::value &&
                                       detail::has_name_and_parameters<Q>::value;

#if defined(__cpp_concepts) && __cpp_concepts >= 201907L
template <class Q>
concept quantizer_policy = is_quantizer_v<Q>;
#endif

}  // namespace mi

#endif
