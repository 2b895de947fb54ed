// SPDX-License-Identifier: BSD-3-Clause
// mi::resampling: what an estimator may be resampled by, declared by the
// estimator itself, so that the plane driver's bootstrap (mi/plane/bootstrap.hpp)
// either resamples the right units or refuses. The units come from
// mi::samples: its input ids (input_groups) or replica groups (replica_groups;
// without groups, every row is its own unit). Whatever the scheme, the
// half-sample's mi::samples keeps its network input and groups row-aligned.
//
//   struct my_estimator {
//       static constexpr mi::resampling resampling = mi::resampling::rows;
//       ...
//   };
//
// or, for a type that cannot be edited, a specialisation of
// mi::resampling_of<E> with `declared = true` and `value`.
//
// Why the estimator declares it: only it knows whether its point() depends on
// anything but the rows and the mi::samples it is given. An estimator that
// holds data of its own, row-aligned with the layer, or that reads a row
// layout, is silently wrong when the rows are shuffled or subset behind its
// back. So an estimator that declares nothing
// is refused, not resampled by rows: the safe default for user-defined
// estimators, whose authors get an mi::error saying which line to add.
// Everything mi's own estimators need travels in mi::samples, so none of them
// declares none.
#ifndef MI_CORE_RESAMPLING_HPP
#define MI_CORE_RESAMPLING_HPP

#include <type_traits>

namespace mi {

enum class resampling {
    none,            ///< refused: the estimator holds row-aligned data of its own
    rows,            ///< any subset of rows is a valid sample (rows are i.i.d. draws)
    input_groups,    ///< the inputs of mi::samples (input ids), each with all its rows
    replica_groups   ///< the replica groups of mi::samples, each draw with all its rows
};

inline const char* resampling_name(resampling r) noexcept {
    switch (r) {
        case resampling::rows: return "rows";
        case resampling::input_groups: return "input_groups";
        case resampling::replica_groups: return "replica_groups";
        default: return "none";
    }
}

/// What E declares (E::resampling); `declared` is false, and `value` none, when it declares nothing.
template <class E, class = void>
struct resampling_of {
    static constexpr bool declared = false;
    static constexpr resampling value = resampling::none;
};
template <class E>
struct resampling_of<E, std::enable_if_t<std::is_same_v<std::decay_t<decltype(E::resampling)>, resampling>>> {
    static constexpr bool declared = true;
    static constexpr resampling value = E::resampling;
};

template <class E>
inline constexpr resampling resampling_of_v = resampling_of<E>::value;

/// How the plane driver's interval treats the shift of the half-sample estimates
/// (mi/plane/bootstrap.hpp), declared by the estimator next to its resampling:
///
///   static constexpr mi::bias_correction bias_correction = mi::bias_correction::none;
///
/// half_sample (the default): the estimator's bias is c/N to first order (plug-in
///   entropies: binning, the decision rule, EDGE, the KDE bounds' self-term), so a
///   half-sample's bias is twice the full sample's and the basic interval's
///   reflection removes it.
/// none: the bias does not scale as 1/N (k-nearest-neighbour estimators, Monte
///   Carlo mixture entropies, the Renyi functional), so reflecting would
///   over-correct; the interval is the half-samples' spread centred on the
///   estimate. Measured coverage of both: tests/plane/test_bootstrap.cpp.
enum class bias_correction { half_sample, none };

inline const char* bias_correction_name(bias_correction c) noexcept {
    return c == bias_correction::none ? "none" : "half_sample";
}

/// What E declares (E::bias_correction), half_sample when it declares nothing.
template <class E, class = void>
struct bias_correction_of {
    static constexpr bias_correction value = bias_correction::half_sample;
};
template <class E>
struct bias_correction_of<E, std::enable_if_t<std::is_same_v<std::decay_t<decltype(E::bias_correction)>, bias_correction>>> {
    static constexpr bias_correction value = E::bias_correction;
};

template <class E>
inline constexpr bias_correction bias_correction_of_v = bias_correction_of<E>::value;

}  // namespace mi

#endif
