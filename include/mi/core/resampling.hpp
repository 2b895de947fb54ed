// SPDX-License-Identifier: BSD-3-Clause
// mi::resampling: what an estimator may be resampled by, declared by the
// estimator itself, so that the plane driver's bootstrap (mi/plane/bootstrap.hpp)
// either resamples the right units or refuses:
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
// holds data of its own, row-aligned with the layer (ksg after with_inputs,
// renyi with the network input), or that reads a row layout (sample
// propagation's consecutive replicas), is silently wrong when the rows are
// shuffled or subset behind its back. So an estimator that declares nothing
// is refused, not resampled by rows: the safe default for user-defined
// estimators, whose authors get an mi::error saying which line to add.
#ifndef MI_CORE_RESAMPLING_HPP
#define MI_CORE_RESAMPLING_HPP

#include <type_traits>

namespace mi {

enum class resampling {
    none,            ///< refused: the estimator holds row-aligned data of its own
    rows,            ///< any subset of rows is a valid sample (rows are i.i.d. draws)
    input_groups,    ///< the inputs of mi::samples (input ids), each with all its rows
    replica_groups   ///< consecutive groups of replicas() rows, kept together and in order
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

}  // namespace mi

#endif
