// SPDX-License-Identifier: BSD-3-Clause
// kl_entropy<Search, Metric>: the Kozachenko-Leonenko k-nearest-neighbour
// estimator of differential entropy (Kozachenko & Leonenko 1987; in the form
// of Kraskov, Stoegbauer & Grassberger 2004, eq. 20), as Saxe et al. (2018,
// App. B.3) use it for the information plane:
//
//   H(T) = (d/N) sum_i log(r_i + eps) + log c_d + psi(N) - psi(k)
//
// r_i is the distance (in the Metric) from row i to its k-th nearest other
// row, c_d the volume of the metric's unit ball (Metric::log_unit_ball_volume):
// pi^(d/2) / Gamma(d/2 + 1) for the Euclidean norm (the default, Saxe et
// al.'s choice), 2^d for the max-norm (Kraskov et al.'s eq. 20 with
// eps_i = 2 r_i and c_d = 1), psi the digamma function, eps a guard against
// r_i = 0 (default 0: with the default tie policy, jitter, no distance is 0;
// a zero distance with eps = 0 throws mi::error instead of returning -inf). Results in nats. Defaults:
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
// brute_force), instantiated with the Metric; all give identical numbers,
// automatic picks the fastest for the dimension (mi/search/automatic.hpp).
// The estimator holds a configured search instance, copied for every search
// it builds, so that the policy's knobs reach it:
//   mi::kl_entropy<mi::kd_tree> a(2);                              // default kd_tree<euclidean>
//   mi::kl_entropy b(mi::kd_tree<mi::max_norm>(16), 2);            // max-norm, leaf size 16
// (the second deduces kl_entropy<kd_tree, max_norm> from the instance).
// Thread safety: const member functions may be called from several threads.
#ifndef MI_ESTIMATORS_KL_ENTROPY_HPP
#define MI_ESTIMATORS_KL_ENTROPY_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/finite.hpp"
#include "mi/core/resampling.hpp"
#include "mi/core/samples.hpp"
#include "mi/core/special.hpp"
#include "mi/core/units.hpp"
#include "mi/estimators/concept.hpp"
#include "mi/search/automatic.hpp"
#include "mi/search/concept.hpp"
#include "mi/search/metric.hpp"
#include "mi/search/ties.hpp"

namespace mi {

template <template <class> class Search = automatic, class Metric = euclidean>
class kl_entropy {
    static_assert(is_metric_v<Metric>,
                  "mi::kl_entropy: Metric must be a metric policy (see mi/search/concept.hpp): " MI_METRIC_REQUIREMENTS);
    static_assert(is_search_v<Search<Metric>>,
                  "mi::kl_entropy: Search<Metric> must be a search policy (see mi/search/concept.hpp): " MI_SEARCH_REQUIREMENTS);

public:
    static constexpr mi::resampling resampling = mi::resampling::rows;  // bootstrap: input ids unused; half-samples repeat no row
    using search_type = Search<Metric>;
    using metric_type = Metric;

    /// k >= 1 neighbours, guard epsilon >= 0 added to every distance, tie policy; a default search.
    explicit kl_entropy(std::size_t k = 2, double epsilon = 0.0, tie_policy ties = tie_policy())
        : kl_entropy(search_type(), k, epsilon, ties) {}

    /// The same with a configured search (e.g. kd_tree<euclidean>(leaf_size)), copied for every search.
    explicit kl_entropy(search_type search, std::size_t k = 2, double epsilon = 0.0, tie_policy ties = tie_policy())
        : search_(std::move(search)), k_(k), epsilon_(epsilon), ties_(ties) {
        if (k < 1) detail::fail("mi::kl_entropy", "k", k, ">= 1");
        if (!(epsilon >= 0.0) || !std::isfinite(epsilon))
            detail::fail("mi::kl_entropy", "epsilon", epsilon, "a finite value >= 0");
    }

    std::size_t k() const noexcept { return k_; }
    double epsilon() const noexcept { return epsilon_; }
    const tie_policy& ties() const noexcept { return ties_; }
    /// The configured search every neighbour search starts from.
    const search_type& search() const noexcept { return search_; }

    std::string name() const { return "kl_entropy"; }
    std::string parameters() const {
        return "k=" + std::to_string(k_) + ";epsilon=" + detail::to_text(epsilon_) + ";" + ties_.parameters() + ";" +
               search_.parameters();
    }

    /// H(X) in nats of the rows of x (N > k rows, finite values).
    template <class T>
    double entropy(const activation_view<const T>& x) const {
        detail::check_activations(x, "mi::kl_entropy::entropy", "x");
        detail::check_k(k_, x.rows(), "mi::kl_entropy::entropy");
        return detail::finite(from_prepared(detail::prepare(x, ties_, 0, false), "mi::kl_entropy::entropy"),
                              "mi::kl_entropy::entropy", "H(X)");
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
        return detail::finite(p, where);
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
        search_type search = search_;
        search.build(e != 0 ? scaled.view() : p.view());
        const std::vector<double> r = search.kth_distance(k_);
        const double eps = std::ldexp(epsilon_, e);
        const double shift = -static_cast<double>(e) * ln2;
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
        const double d = static_cast<double>(p.d), n = static_cast<double>(p.n);
        return d * sum / n + Metric::log_unit_ball_volume(p.d) + detail::digamma(n) -
               detail::digamma(static_cast<double>(k_));
    }

    search_type search_;
    std::size_t k_ = 2;
    double epsilon_ = 0.0;
    tie_policy ties_;
};

}  // namespace mi

#endif
