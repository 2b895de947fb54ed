// SPDX-License-Identifier: BSD-3-Clause
// The kernel and noise (bandwidth) policy concepts of the KDE estimators:
// exactly the members kde and the pairwise engine (mi/kernels/pairwise.hpp)
// use, as traits (C++17) and, where the compiler has them, C++20 concepts.
// mi/kernels/example_kernel.hpp and mi/kernels/example_noise.hpp are
// documented minimal policies.
//
// Kernel K, the mixture component (see mi/kernels/gaussian.hpp for the semantics):
//
//   V K::log_kernel(const V& d2) const        log k of a squared distance, V = float, double and
//                                             mi::simd::batch<float>, mi::simd::batch<double>;
//                                             non-increasing in d2 (the engine relies on it)
//   double K::component_entropy(std::size_t d) const   H of one component in d dimensions, nats
//   K K::with_variance(double v) const         the same shape with the noise variance v
//   K K::bhattacharyya() const                 the kernel exp(-BD) of the lower bound
//   std::string K::name() const, K::parameters() const
//
// Noise N, the variance of the noise added to a layer (see mi/kernels/noise.hpp):
//
//   double N::variance(const activation_view<const T>& layer) const   T = float and double; > 0
//   std::string N::name() const, N::parameters() const
//
// and optionally static constexpr bool N::scales_with_layer (variance(c h) =
// c^2 variance(h)), which lets kde rescale layers outside T's range.
#ifndef MI_KERNELS_CONCEPT_HPP
#define MI_KERNELS_CONCEPT_HPP

#include <cstddef>
#include <type_traits>
#include <utility>

#include "mi/core/activation_view.hpp"
#include "mi/core/policy.hpp"
#include "mi/core/simd.hpp"

/// The requirements in one line each, for the estimators' static_assert messages.
#define MI_KERNEL_REQUIREMENTS                                                                            \
    "it needs V log_kernel(const V&) const for V = float, double and their mi::simd::batch, double "      \
    "component_entropy(std::size_t) const, K with_variance(double) const, K bhattacharyya() const, and "  \
    "std::string name() const, parameters() const"
#define MI_NOISE_REQUIREMENTS                                                                             \
    "it needs double variance(const mi::activation_view<const T>&) const for T = float and double, and "  \
    "std::string name() const, parameters() const"

namespace mi {

namespace detail {

template <class K, class V, class = void>
struct has_log_kernel : std::false_type {};
template <class K, class V>
struct has_log_kernel<K, V, std::void_t<decltype(std::declval<const K&>().log_kernel(std::declval<const V&>()))>>
    : std::is_same<decltype(std::declval<const K&>().log_kernel(std::declval<const V&>())), V> {};

template <class K, class = void>
struct kernel_members : std::false_type {};
template <class K>
struct kernel_members<K, std::void_t<decltype(std::declval<const K&>().component_entropy(std::size_t(1))),
                                     decltype(std::declval<const K&>().with_variance(1.0)),
                                     decltype(std::declval<const K&>().bhattacharyya())>>
    : std::bool_constant<std::is_convertible_v<decltype(std::declval<const K&>().component_entropy(std::size_t(1))), double> &&
                         std::is_same_v<decltype(std::declval<const K&>().with_variance(1.0)), K> &&
                         std::is_same_v<decltype(std::declval<const K&>().bhattacharyya()), K>> {};

template <class N, class T, class = void>
struct has_variance_of : std::false_type {};
template <class N, class T>
struct has_variance_of<N, T, std::void_t<decltype(std::declval<const N&>().variance(std::declval<const activation_view<const T>&>()))>>
    : std::is_convertible<decltype(std::declval<const N&>().variance(std::declval<const activation_view<const T>&>())), double> {};

}  // namespace detail

/// True when K is a kernel policy (see the list at the top of this header).
template <class K>
inline constexpr bool is_kernel_v =
    detail::has_log_kernel<K, float>::value && detail::has_log_kernel<K, double>::value &&
    detail::has_log_kernel<K, simd::batch<float>>::value && detail::has_log_kernel<K, simd::batch<double>>::value &&
    detail::kernel_members<K>::value && detail::has_name_and_parameters<K>::value;

/// True when N is a noise (bandwidth) policy (see the list at the top of this header).
template <class N>
inline constexpr bool is_noise_v = detail::has_variance_of<N, float>::value && detail::has_variance_of<N, double>::value &&
                                   detail::has_name_and_parameters<N>::value;

#if defined(__cpp_concepts) && __cpp_concepts >= 201907L
template <class K>
concept kernel_policy = is_kernel_v<K>;
template <class N>
concept noise_policy = is_noise_v<N>;
#endif

}  // namespace mi

#endif
