// SPDX-License-Identifier: BSD-3-Clause
// The type-erased estimator behind mi._mi.Estimator: one virtual interface,
// implemented once (holder<E>) for every estimator type the module builds.
// Every method runs without the GIL (the caller releases it) and creates no
// Python object; a method an estimator does not have throws mi::error.
// Each holder<E> instantiates E's methods for float and double views only.
#ifndef MI_PYTHON_ESTIMATOR_HPP
#define MI_PYTHON_ESTIMATOR_HPP

#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <mi/plane.hpp>

namespace mipy {

using view_f = mi::activation_view<const float>;
using view_d = mi::activation_view<const double>;
using any_view = std::variant<view_f, view_d>;
/// A scalar estimate or the (lower, upper) bounds of one (kde).
using value = std::variant<double, mi::bounds>;

class estimator {
public:
    virtual ~estimator() = default;
    virtual std::string name() const = 0;
    virtual std::string parameters() const = 0;
    virtual value entropy(const any_view& t) const = 0;
    virtual value mi_labels(const any_view& t, const mi::labels& y) const = 0;
    virtual value mi_inputs(const any_view& t, const mi::input_ids& x) const = 0;
    virtual value mi_x(const any_view& t, const any_view& x) const = 0;
    virtual value mi_replicas(const any_view& t, const mi::replica_groups& g) const = 0;
    virtual mi::plane_point point(const any_view& t, const mi::samples& s) const = 0;
    virtual mi::trajectory plane(const mi::recording<float>& r, const mi::plane_options& o) const = 0;
    virtual mi::trajectory plane(const mi::recording<double>& r, const mi::plane_options& o) const = 0;
};

namespace detail {

template <class T>
using cview = mi::activation_view<const T>;

template <class E, class T, class = void>
struct has_entropy : std::false_type {};
template <class E, class T>
struct has_entropy<E, T, std::void_t<decltype(std::declval<const E&>().entropy(std::declval<cview<T>>()))>>
    : std::true_type {};

template <class E, class T, class A, class = void>
struct has_mi : std::false_type {};
template <class E, class T, class A>
struct has_mi<E, T, A,
              std::void_t<decltype(std::declval<const E&>().mutual_information(std::declval<cview<T>>(),
                                                                                std::declval<const A&>()))>>
    : std::true_type {};

inline value wrap(double v) { return v; }
inline value wrap(const mi::bounds& b) { return b; }

}  // namespace detail

template <class E>
class holder final : public estimator {
public:
    explicit holder(E e) : e_(std::move(e)) {}

    std::string name() const override { return e_.name(); }
    std::string parameters() const override { return e_.parameters(); }

    value entropy(const any_view& t) const override {
        return std::visit(
            [&](const auto& v) -> value {
                using T = typename std::decay_t<decltype(v)>::value_type;
                if constexpr (detail::has_entropy<E, T>::value)
                    return detail::wrap(configured(v).entropy(v));
                else
                    unsupported("entropy(t)");
            },
            t);
    }
    value mi_labels(const any_view& t, const mi::labels& y) const override { return with<mi::labels>(t, y, "labels"); }
    value mi_inputs(const any_view& t, const mi::input_ids& x) const override {
        return with<mi::input_ids>(t, x, "input_ids");
    }
    value mi_replicas(const any_view& t, const mi::replica_groups& g) const override {
        return with<mi::replica_groups>(t, g, "replicas");
    }
    value mi_x(const any_view& t, const any_view& x) const override {
        return std::visit(
            [&](const auto& v) -> value {
                using T = typename std::decay_t<decltype(v)>::value_type;
                if constexpr (detail::has_mi<E, T, detail::cview<T>>::value) {
                    const auto* xv = std::get_if<detail::cview<T>>(&x);
                    if (!xv) throw mi::error("mi." + e_.name() + ".mutual_information: x has another element type than t");
                    return detail::wrap(configured(v).mutual_information(v, *xv));
                } else {
                    unsupported("mutual_information(t, x)");
                }
            },
            t);
    }
    mi::plane_point point(const any_view& t, const mi::samples& s) const override {
        return std::visit([&](const auto& v) { return configured(v).point(v, s); }, t);
    }
    mi::trajectory plane(const mi::recording<float>& r, const mi::plane_options& o) const override {
        return mi::information_plane(r, e_, o);
    }
    mi::trajectory plane(const mi::recording<double>& r, const mi::plane_options& o) const override {
        return mi::information_plane(r, e_, o);
    }

private:
    // An estimator that needs every epoch of a layer (global_uniform binning) is, for a
    // direct call on one array, configured by that array alone: its history is one epoch.
    template <class T>
    E configured(const detail::cview<T>& v) const {
        if constexpr (mi::needs_layer_history_v<E, T>)
            return e_.for_layer(std::vector<detail::cview<T>>{v});
        else
            return e_;
    }

    template <class A>
    value with(const any_view& t, const A& a, const char* what) const {
        return std::visit(
            [&](const auto& v) -> value {
                using T = typename std::decay_t<decltype(v)>::value_type;
                if constexpr (detail::has_mi<E, T, A>::value)
                    return detail::wrap(configured(v).mutual_information(v, a));
                else
                    unsupported((std::string("mutual_information(t, ") + what + "=...)").c_str());
            },
            t);
    }

    [[noreturn]] void unsupported(const char* what) const {
        throw mi::error("mi." + e_.name() + ": " + what + " is not defined for this estimator (see the table in "
                        "README.md, section Estimators)");
    }

    E e_;
};

template <class E>
std::shared_ptr<estimator> make(E e) {
    return std::make_shared<holder<E>>(std::move(e));
}

// Factories of the binning and nearest-neighbour families, defined in estimators.cpp (the
// second translation unit, so that the two halves compile in parallel).
using quantizer = std::variant<mi::uniform, mi::fixed_width, mi::adaptive_uniform, mi::global_uniform, mi::equal_mass,
                               mi::distinct_value_quantiles, mi::bin_edges, mi::machine_precision>;
std::shared_ptr<estimator> make_binning(const quantizer& q, bool miller_madow);

enum class search_kind { automatic, kd_tree, grid, brute_force };
/// leaf_size 0: the search's default.
std::shared_ptr<estimator> make_kl_entropy(const mi::kl_entropy_options& o, search_kind s, bool euclidean,
                                           std::size_t leaf_size);
std::shared_ptr<estimator> make_ksg(const mi::ksg_options& o, search_kind s, std::size_t leaf_size);

}  // namespace mipy

#endif
