// SPDX-License-Identifier: BSD-3-Clause
// plane_point and the plane-estimator concept. Every estimator that yields a
// point of the information plane models the same small interface, so the
// driver (information_plane) is written once:
//
//   plane_point p = e.point(layer_view, samples);   // nats
//   std::string  e.name();                          // e.g. "binning"
//   std::string  e.parameters();                    // e.g. "quantizer=uniform;bins=30;lo=-1;hi=1"
//
// Optionally, an estimator that needs every recorded epoch of a layer before
// it can estimate any of them (Saxe et al.'s global ReLU binning) provides
//
//   E e.for_layer(const std::vector<activation_view<const T>>& epochs) const;
//
// which returns the estimator configured for that layer.
//
// For bootstrap intervals (plane_options::bootstrap > 0) it also declares
// what may be resampled (mi/core/resampling.hpp):
//
//   static constexpr mi::resampling resampling = mi::resampling::rows;
#ifndef MI_ESTIMATORS_CONCEPT_HPP
#define MI_ESTIMATORS_CONCEPT_HPP

#include <cmath>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/finite.hpp"
#include "mi/core/samples.hpp"

namespace mi {

struct bounds {
    double lower = 0.0;
    double upper = 0.0;
};

/// What the I(X;T) coordinate of a point is.
enum class ixt_quantity {
    mutual_information,  ///< I(X;T) itself
    entropy              ///< H(T): I(X;T) up to an additive constant (Saxe et al. App. B.3, kNN)
};

inline const char* quantity_name(ixt_quantity q) noexcept {
    return q == ixt_quantity::entropy ? "H(T)" : "I(X;T)";
}

struct plane_point {
    double ixt = 0.0;  ///< I(X;T) (or H(T), see ixt_kind), nats
    double ity = 0.0;  ///< I(T;Y), nats
    std::optional<bounds> ixt_bounds;  ///< the estimator's own lower/upper bounds (KDE)
    std::optional<bounds> ity_bounds;
    std::optional<bounds> ixt_ci;      ///< bootstrap interval (filled by the plane driver, mi/plane/bootstrap.hpp)
    std::optional<bounds> ity_ci;
    ixt_quantity ixt_kind = ixt_quantity::mutual_information;
};

namespace detail {

/// Both bounds finite, or mi::error (mi/core/finite.hpp).
inline bounds finite(const bounds& b, const char* where, const char* quantity) {
    if (!std::isfinite(b.lower) || !std::isfinite(b.upper))
        fail(where, quantity, "[" + to_text(b.lower) + ", " + to_text(b.upper) + "]", finite_expected);
    return b;
}

/// Every number of a plane point finite, or mi::error (mi/core/finite.hpp).
inline plane_point finite(const plane_point& p, const char* where) {
    finite(p.ixt, where, quantity_name(p.ixt_kind));
    finite(p.ity, where, "I(T;Y)");
    if (p.ixt_bounds) finite(*p.ixt_bounds, where, "bounds on I(X;T)");
    if (p.ity_bounds) finite(*p.ity_bounds, where, "bounds on I(T;Y)");
    if (p.ixt_ci) finite(*p.ixt_ci, where, "interval on I(X;T)");
    if (p.ity_ci) finite(*p.ity_ci, where, "interval on I(T;Y)");
    return p;
}

template <class E, class T, class = void>
struct is_plane_estimator : std::false_type {};
template <class E, class T>
struct is_plane_estimator<
    E, T,
    std::void_t<decltype(std::declval<const E&>().point(std::declval<activation_view<const T>>(),
                                                        std::declval<const samples&>())),
                decltype(std::string(std::declval<const E&>().name())),
                decltype(std::string(std::declval<const E&>().parameters()))>>
    : std::is_same<decltype(std::declval<const E&>().point(std::declval<activation_view<const T>>(),
                                                           std::declval<const samples&>())),
                   plane_point> {};

template <class E, class T, class = void>
struct needs_layer_history : std::false_type {};
template <class E, class T>
struct needs_layer_history<
    E, T,
    std::void_t<decltype(std::declval<const E&>().for_layer(
        std::declval<const std::vector<activation_view<const T>>&>()))>> : std::true_type {};

}  // namespace detail

/// True when E yields plane points for activations of type T.
template <class E, class T>
inline constexpr bool is_plane_estimator_v = detail::is_plane_estimator<E, T>::value;

/// True when E must see every epoch of a layer first (E::for_layer).
template <class E, class T>
inline constexpr bool needs_layer_history_v = detail::needs_layer_history<E, T>::value;

}  // namespace mi

#endif
