// SPDX-License-Identifier: BSD-3-Clause
// minimal_model: the exact binned information of a single saturating (or
// not) unit, Saxe et al., "On the information bottleneck theory of deep
// learning", ICLR 2018, §2, eqs. 1-4: h = f(w x), x ~ N(0, 1), T = bin(h).
// T is a deterministic function of X, so I(T;X) = H(T) (eq. 3), and the
// probability of each bin is a Gaussian mass (eq. 4):
//
//   p_k = P(f(w x) in bin k) = sum over the x-intervals f^-1 maps bin k to of
//         Phi(u_hi / |w|) - Phi(u_lo / |w|),   u = w x ~ N(0, w^2)
//
// This is the paper's demonstration that binned "compression" is a property
// of the nonlinearity: for tanh, H(T) first rises with |w| and then falls as
// the unit saturates into the end bins; for ReLU it keeps rising.
//
// Any quantizer policy bins h (mi/quantizers/*.hpp): its fitted form's
// boundaries(lo, hi) gives the points where the code changes, f^-1 maps them
// to thresholds on u, and each u-interval's mass goes to the code of a point
// inside it, so bins that share a code (IDNNs' wrap-around convention) and
// flat parts of f (ReLU: all of u <= 0 maps to h = 0 and its mass goes to the
// code of 0) are handled exactly. Codes are right-continuous steps in mi, so
// an interval's code is the code at its left end (a boundary), never f of an
// interior point, which saturates in double (tanh(19) == 1.0). The u axis is cut at
// +-20 |w| (the mass beyond is Phi(-20) = 2.8e-89, below double rounding of
// the entropy). Data-dependent quantizers (equal_mass, adaptive_uniform) are
// fitted on the population: `fit_points` values f(w Phi^-1((k + 1/2) / M)),
// the deterministic quantiles of h; or pass an already fitted quantizer.
// Phi is mi::normal_cdf (std::erfc). Results in nats. Not a plane estimator:
// its input is a weight w, not activations (and the model has no labels).
//
// The activation policy: value(u), inverse(h) = inf{u : f(u) >= h} for h
// strictly inside f's range, name(), parameters(). f must be non-decreasing and continuous.
// mi::activation::{tanh, relu, linear, sigmoid, leaky_relu} are provided;
// mi::activation::monotone wraps two callables.
//
// API (nats): minimal_model(activation, quantizer, fit_points = 10000);
//   mutual_information(w)                   I(T;X) = H(T), quantizer fitted on the population
//   mutual_information_fitted(w, fitted)    the same with an already fitted quantizer
//   bin_probabilities(w, fitted), name(), parameters()
// There is no I(T;Y): the model has no labels.
#ifndef MI_ESTIMATORS_MINIMAL_MODEL_HPP
#define MI_ESTIMATORS_MINIMAL_MODEL_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/finite.hpp"
#include "mi/core/special.hpp"
#include "mi/quantizers/concept.hpp"

namespace mi {

namespace activation {

struct tanh {
    double value(double u) const noexcept { return std::tanh(u); }
    double inverse(double h) const noexcept { return std::atanh(h); }
    std::string name() const { return "tanh"; }
    std::string parameters() const { return "activation=tanh"; }
};

struct relu {
    double value(double u) const noexcept { return u > 0.0 ? u : 0.0; }
    double inverse(double h) const noexcept { return h; }  // called for h > 0 only
    std::string name() const { return "relu"; }
    std::string parameters() const { return "activation=relu"; }
};

struct linear {
    double value(double u) const noexcept { return u; }
    double inverse(double h) const noexcept { return h; }
    std::string name() const { return "linear"; }
    std::string parameters() const { return "activation=linear"; }
};

struct sigmoid {
    double value(double u) const noexcept { return 1.0 / (1.0 + std::exp(-u)); }
    double inverse(double h) const noexcept { return std::log(h) - std::log1p(-h); }
    std::string name() const { return "sigmoid"; }
    std::string parameters() const { return "activation=sigmoid"; }
};

class leaky_relu {
public:
    explicit leaky_relu(double slope = 0.01) : slope_(slope) {
        if (!(std::isfinite(slope) && slope > 0.0))
            detail::fail("mi::activation::leaky_relu", "slope", slope, "a finite value > 0 (an increasing f)");
    }
    double value(double u) const noexcept { return u > 0.0 ? u : slope_ * u; }
    double inverse(double h) const noexcept { return h > 0.0 ? h : h / slope_; }
    std::string name() const { return "leaky_relu(" + detail::to_text(slope_) + ")"; }
    std::string parameters() const { return "activation=leaky_relu;slope=" + detail::to_text(slope_); }

private:
    double slope_;
};

/// Any continuous non-decreasing f given as callables f(u) and f_inverse(h) = inf{u : f(u) >= h}.
class monotone {
public:
    monotone(std::function<double(double)> f, std::function<double(double)> f_inverse, std::string name)
        : f_(std::move(f)), inv_(std::move(f_inverse)), name_(std::move(name)) {
        if (!f_ || !inv_) detail::fail("mi::activation::monotone", "f", "empty callable", "a callable");
    }
    double value(double u) const { return f_(u); }
    double inverse(double h) const { return inv_(h); }
    std::string name() const { return name_; }
    std::string parameters() const { return "activation=" + name_; }

private:
    std::function<double(double)> f_, inv_;
    std::string name_;
};

}  // namespace activation

namespace detail {
/// True when F is an activation policy: double value(double), double inverse(double), name(), parameters().
template <class F, class = void>
struct is_activation_function : std::false_type {};
template <class F>
struct is_activation_function<F, std::void_t<decltype(std::declval<const F&>().value(0.0)),
                                             decltype(std::declval<const F&>().inverse(0.0)),
                                             decltype(std::string(std::declval<const F&>().name())),
                                             decltype(std::string(std::declval<const F&>().parameters()))>>
    : std::bool_constant<std::is_convertible_v<decltype(std::declval<const F&>().value(0.0)), double> &&
                         std::is_convertible_v<decltype(std::declval<const F&>().inverse(0.0)), double>> {};
}  // namespace detail

template <class Activation, class Quantizer>
class minimal_model {
    static_assert(detail::is_activation_function<Activation>::value,
                  "mi::minimal_model: Activation must be an activation policy (see mi/estimators/minimal_model.hpp): "
                  "it needs double value(double) const, double inverse(double) const, and std::string name() const, "
                  "parameters() const");
    static_assert(is_quantizer_v<Quantizer>, "mi::minimal_model: Quantizer must be a quantizer policy (see "
                                             "mi/quantizers/concept.hpp): " MI_QUANTIZER_REQUIREMENTS);

public:
    minimal_model(Activation f, Quantizer quantizer, std::size_t fit_points = 10000)
        : f_(std::move(f)), q_(std::move(quantizer)), fit_points_(fit_points) {
        if (fit_points < 2) detail::fail("mi::minimal_model", "fit_points", fit_points, ">= 2");
    }

    /// I(T;X) = H(T) for weight w, the quantizer fitted on the population quantiles of h. Nats.
    double mutual_information(double w) const {
        check_weight(w, "mi::minimal_model::mutual_information");
        const double s = std::abs(w);
        std::vector<double> h(fit_points_);
        for (std::size_t k = 0; k < fit_points_; ++k)
            h[k] = f_.value(s * normal_quantile((static_cast<double>(k) + 0.5) / static_cast<double>(fit_points_)));
        const auto fitted = q_.fit(view(h));
        return mutual_information_fitted(w, fitted);
    }

    /// I(T;X) = H(T) for weight w with an already fitted quantizer (fitted.code, fitted.boundaries). Nats.
    template <class Fitted>
    double mutual_information_fitted(double w, const Fitted& fitted) const {
        check_weight(w, "mi::minimal_model::mutual_information");
        const auto p = bin_probabilities(w, fitted);
        double hsum = 0.0;
        for (const auto& kv : p)
            if (kv.second > 0.0) hsum -= kv.second * std::log(kv.second);
        return detail::finite(hsum, "mi::minimal_model::mutual_information", "H(T)");
    }

    /// p(code) for weight w: the distribution of T (codes with zero mass omitted).
    template <class Fitted>
    std::map<std::int32_t, double> bin_probabilities(double w, const Fitted& fitted) const {
        const char* where = "mi::minimal_model::bin_probabilities";
        check_weight(w, where);
        std::map<std::int32_t, double> p;
        const double s = std::abs(w);  // w x ~ N(0, w^2) for either sign of w
        if (s == 0.0) {
            p[fitted.code(f_.value(0.0))] = 1.0;
            return p;
        }
        const double ulo = -cut * s, uhi = cut * s;
        const double hlo = f_.value(ulo), hhi = f_.value(uhi);
        // Interval k starts at u[k]; its code is the code at its left end in h, which is
        // constant up to the next boundary (codes are right-continuous steps). Codes are
        // taken at the boundaries, never at f of an interior point: f saturates in double
        // (tanh(19) == 1.0) and would merge distinct bins.
        std::vector<double> u{ulo};
        std::vector<std::int32_t> code{fitted.code(hlo)};
        if (hlo < hhi)
            for (const double b : fitted.boundaries(hlo, hhi)) {
                const double t = f_.inverse(b);
                if (std::isnan(t))
                    detail::fail(where, "f_inverse(boundary)", t, "a number for a boundary inside f's range");
                u.push_back(std::min(std::max(t, u.back()), uhi));
                code.push_back(fitted.code(b));
            }
        u.push_back(uhi);
        for (std::size_t k = 0; k + 1 < u.size(); ++k) {
            if (!(u[k] < u[k + 1])) continue;
            // the end intervals carry the tails beyond +-cut (mass Phi(-20))
            const double a = k == 0 ? -std::numeric_limits<double>::infinity() : u[k] / s;
            const double b = k + 2 == u.size() ? std::numeric_limits<double>::infinity() : u[k + 1] / s;
            p[code[k]] += normal_interval(a, b);
        }
        return p;
    }

    const Activation& activation() const noexcept { return f_; }
    const Quantizer& quantizer() const noexcept { return q_; }
    std::string name() const { return "minimal_model"; }
    std::string parameters() const {
        return "activation=" + f_.name() + ";" + q_.parameters() + ";fit_points=" + std::to_string(fit_points_);
    }

private:
    static constexpr double cut = 20.0;
    static void check_weight(double w, const char* where) {
        if (!std::isfinite(w)) detail::fail(where, "w", w, "a finite weight");
    }

    Activation f_;
    Quantizer q_;
    std::size_t fit_points_;
};

}  // namespace mi

#endif
