// SPDX-License-Identifier: BSD-3-Clause
// kl_entropy<Search>: the Kozachenko-Leonenko k-nearest-neighbour estimator
// of differential entropy (Kozachenko & Leonenko 1987; in the form of
// Kraskov, Stoegbauer & Grassberger 2004, eq. 20, with the Euclidean unit
// ball), as Saxe et al. (2018, App. B.3) use it for the information plane:
//
//   H(T) = (d/N) sum_i log(r_i + eps) + (d/2) log(pi) - log Gamma(d/2 + 1)
//          + psi(N) - psi(k)
//
// r_i is the Euclidean distance from row i to its k-th nearest other row,
// psi the digamma function, eps a guard against r_i = 0 (default 0: with the
// default tie policy, jitter, no distance is 0; a zero distance with eps = 0
// throws mi::error instead of returning -inf). Results in nats. Defaults:
// k = 2 (Saxe et al. App. B.3), eps = 0, tie_policy::jitter(1e-10, 0).
//
// Plane point (ixt_kind = ixt_quantity::entropy): for a deterministic network
// I(X;T) = H(T) - H(T|X) with H(T|X) a constant (-infinity for continuous T),
// so, as Saxe et al. argue, H(T) is I(X;T) up to that constant:
//   ixt = H(T),   ity = H(T) - sum_l (N_l / N) H(T | Y = l),
// every entropy by this estimator on the rows concerned (the mixed
// discrete-continuous decomposition). Each non-empty class needs more than k
// rows; otherwise mi::error names the class.
//
// Search is a neighbour-search policy template (automatic, grid, kd_tree,
// brute_force), instantiated with the euclidean metric; all give identical
// numbers, automatic picks the fastest for the dimension (mi/search/automatic.hpp).
// Thread safety: const member functions may be called from several threads.
#ifndef MI_ESTIMATORS_KL_ENTROPY_HPP
#define MI_ESTIMATORS_KL_ENTROPY_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/samples.hpp"
#include "mi/plane/point.hpp"
#include "mi/search/automatic.hpp"
#include "mi/search/metric.hpp"
#include "mi/search/ties.hpp"

namespace mi {

namespace detail {

/// Digamma psi(x) for x > 0 (the k-NN estimators only need positive
/// arguments): recurrence psi(x) = psi(x + 1) - 1/x up to x >= 10, then the
/// asymptotic series ln x - 1/(2x) - sum B_2n / (2n x^2n); absolute error
/// below 1e-15 over the whole range (tested against closed forms).
inline double digamma(double x) {
    if (!(x > 0.0) || !std::isfinite(x)) fail("mi::detail::digamma", "x", x, "a finite value > 0");
    double shift = 0.0;
    while (x < 10.0) {
        shift -= 1.0 / x;
        x += 1.0;
    }
    const double r = 1.0 / (x * x);
    const double series =
        r * (1.0 / 12 - r * (1.0 / 120 - r * (1.0 / 252 - r * (1.0 / 240 - r * (1.0 / 132 - r * (691.0 / 32760))))));
    return shift + std::log(x) - 0.5 / x - series;
}

/// log Gamma(d/2 + 1) by the recurrence Gamma(x + 1) = x Gamma(x) from
/// Gamma(1) = 1 or Gamma(1/2) = sqrt(pi) (thread-safe, unlike std::lgamma's signgam).
inline double log_gamma_half_plus_one(std::size_t d) {
    constexpr double log_pi = 1.1447298858494001741434273513530587;
    double g = 0.0;
    if (d % 2 == 0) {
        for (std::size_t i = 1; i <= d / 2; ++i) g += std::log(static_cast<double>(i));
    } else {
        g = 0.5 * log_pi;
        for (std::size_t i = 0; i <= d / 2; ++i) g += std::log(static_cast<double>(i) + 0.5);
    }
    return g;
}

}  // namespace detail

template <template <class> class Search = automatic>
class kl_entropy {
public:
    using search_type = Search<euclidean>;

    /// k >= 1 neighbours, guard epsilon >= 0 added to every distance, tie policy.
    explicit kl_entropy(std::size_t k = 2, double epsilon = 0.0, tie_policy ties = tie_policy())
        : k_(k), epsilon_(epsilon), ties_(ties) {
        if (k < 1) detail::fail("mi::kl_entropy", "k", k, ">= 1");
        if (!(epsilon >= 0.0) || !std::isfinite(epsilon))
            detail::fail("mi::kl_entropy", "epsilon", epsilon, "a finite value >= 0");
    }

    std::size_t k() const noexcept { return k_; }
    double epsilon() const noexcept { return epsilon_; }
    const tie_policy& ties() const noexcept { return ties_; }

    std::string name() const { return "kl_entropy"; }
    std::string parameters() const {
        return "k=" + std::to_string(k_) + ";epsilon=" + detail::to_text(epsilon_) + ";" + ties_.parameters() +
               ";search=" + search_type::name();
    }

    /// H(X) in nats of the rows of x (N > k rows, finite values).
    template <class T>
    double entropy(const activation_view<const T>& x) const {
        detail::check_activations(x, "mi::kl_entropy::entropy", "x");
        detail::check_k(k_, x.rows(), "mi::kl_entropy::entropy");
        return from_prepared(detail::prepare(x, ties_, 0, false), "mi::kl_entropy::entropy");
    }

    /// ixt = H(T) (ixt_kind = entropy), ity = H(T) - sum_l p_l H(T | Y = l).
    template <class T>
    plane_point point(const activation_view<const T>& layer, const samples& s) const {
        const char* where = "mi::kl_entropy::point";
        detail::check_activations(layer, where, "layer");
        s.check_rows(layer.rows(), where);
        detail::check_k(k_, layer.rows(), where);
        const detail::prepared t = detail::prepare(layer, ties_, 0, false);
        plane_point p;
        p.ixt_kind = ixt_quantity::entropy;
        p.ixt = from_prepared(t, where);
        const auto by_class = s.labels().rows_by_class();
        const double n = static_cast<double>(layer.rows());
        double conditional = 0.0;
        for (std::size_t l = 0; l < by_class.size(); ++l) {
            const auto& rows = by_class[l];
            if (rows.empty()) continue;
            if (rows.size() <= k_)
                detail::fail(where, ("rows of class " + std::to_string(l)).c_str(), rows.size(),
                             "more than k = " + std::to_string(k_) + " rows in every non-empty class");
            conditional += static_cast<double>(rows.size()) / n * from_prepared(detail::subset_rows(t, rows), where);
        }
        p.ity = p.ixt - conditional;
        return p;
    }

private:
    double from_prepared(const detail::prepared& p, const char* where) const {
        // Squared Euclidean distances overflow (or underflow) double beyond |x| ~ 2^500 (2^-500):
        // such rows are searched at a power-of-two scale 2^e, where every distance is exactly
        // 2^e times the original, and e ln 2 per dimension is taken back out below.
        double m = 0.0;
        for (const double v : p.values) m = std::max(m, std::fabs(v));
        const int e = (m > 0.0 && (m > 0x1p450 || m < 0x1p-450)) ? -std::ilogb(m) : 0;
        detail::prepared scaled;
        if (e != 0) {
            scaled = p;
            for (double& v : scaled.values) v = std::ldexp(v, e);
        }
        search_type search;
        search.build(e != 0 ? scaled.view() : p.view());
        const std::vector<double> r = search.kth_distance(k_);
        const double eps = std::ldexp(epsilon_, e);
        const double shift = -static_cast<double>(e) * 0.69314718055994530941723212145817657;
        double sum = 0.0;
        for (std::size_t i = 0; i < r.size(); ++i) {
            const double v = r[i] + eps;
            if (!(v > 0.0))
                detail::fail(where, "epsilon", epsilon_,
                             "> 0, or tie_policy::jitter(): row " + std::to_string(i) +
                                 " has k-th-neighbour distance 0 (duplicate rows)");
            // eps beyond the double range at the search's scale: the distance is negligible against it.
            sum += std::isfinite(v) ? std::log(v) + shift : std::log(epsilon_);
        }
        constexpr double log_pi = 1.1447298858494001741434273513530587;
        const double d = static_cast<double>(p.d), n = static_cast<double>(p.n);
        return d * sum / n + 0.5 * d * log_pi - detail::log_gamma_half_plus_one(p.d) + detail::digamma(n) -
               detail::digamma(static_cast<double>(k_));
    }

    std::size_t k_ = 2;
    double epsilon_ = 0.0;
    tie_policy ties_;
};

}  // namespace mi

#endif
