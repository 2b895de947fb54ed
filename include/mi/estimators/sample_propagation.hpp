// SPDX-License-Identifier: BSD-3-Clause
// sample_propagation: the sample-propagation (SP) estimator of Goldfeld, van
// den Berg, Greenewald, Melnyk, Nguyen, Kingsbury & Polyanskiy, "Estimating
// information flow in deep neural networks", ICML 2019, as their code
// (kgreenewald/smoothMI, MIestimation.py) runs it. In a noisy network
// T = S + Z, Z ~ N(0, sigma^2 I), the law of T is the law of S smoothed by
// the Gaussian phi_sigma, so its entropy is that of a Gaussian mixture with
// the propagated samples as centres, which Monte Carlo integrates well in any
// dimension; I(X;T) is then finite and meaningful, unlike for a deterministic
// network.
//
//   h(T)      = h(p_S * phi_sigma),  p_S the empirical law of all N R samples
//   h(T|X=x)  = h(p_S|x * phi_sigma), p_S|x the law of the R replicas of input x
//   I(X;T)    = max(h(T) - (1/N) sum_x h(T|X=x), 0)      (the max as in their code)
//   h(mixture) = -(1/(K M)) sum_k sum_m log p(c_k + sigma eps_km),  eps ~ N(0, I)
//   p(t)      = (1/K) sum_j phi_sigma(t - c_j)
//
// For a deterministic first layer S = f(x) the conditional term has the
// closed form h(T|X) = (d/2) ln(2 pi e sigma^2) (conditional::deterministic).
// For I(T;Y) (not computed by Goldfeld et al.; the same construction):
// I(T;Y) = max(h(T) - sum_l (N_l / N) h(p_S|Y=l * phi_sigma), 0). The class
// mixtures reuse h(T)'s pairs: a query's log-density under class l's mixture
// is part of its log-density under the whole one, so point() and I(T;Y)
// compute the per-class sums once and cost what h(T) alone costs.
//
// The layer: each row the noise-free pre-noise value S of the layer
// (Goldfeld's stored S_l = f_l(T_{l-1})) of one noisy forward pass; the
// replica groups (mi::replica_groups in mi::samples, e.g.
// replica_groups::consecutive(R) for rows i R .. i R + R - 1) say which rows
// are the R passes (fresh upstream noise each) of one input draw. Goldfeld's
// draws with replacement are separate draws, so groups, not input ids, define
// h(T|X); mi::samples' input ids are not used. Labels are per row (replicas
// of one draw share it). With groups of unequal sizes h(T|X) weights each
// group by its share of the rows.
//
// Options (mi::sample_propagation_options, named fields): sigma = the noise
// standard deviation (Goldfeld's beta; the SZT run uses 0.005; required),
// mc_samples M draws per centre (their num_MC_samples, 1000 in the run,
// costly: N R M queries against N R centres; default 1), seed (0), and the
// conditional mode (replicas). The draws around layer row j come from the mi::rng stream
// derive_seed(seed, j) in every mixture that contains row j (common random
// numbers: the Monte Carlo errors of h(T) and h(T|X) largely cancel in their
// difference), so results do not depend on the thread count or the blocking;
// mixture log-densities come from the pairwise engine
// (mi::log_sum_kernel with mi::gaussian_kernel(sigma^2)). Results in nats.
//
// Methods: entropy(t) = h(T); conditional_entropy(t, groups) = h(T|X);
// mutual_information(t, groups) = I(X;T); mutual_information(t, labels) =
// I(T;Y); point(t, samples) with the samples' replica groups. Bootstrap:
// replica groups (a half-sample of the draws, each with all its replicas),
// interval centred on the estimate (mi::bias_correction::none).
#ifndef MI_ESTIMATORS_SAMPLE_PROPAGATION_HPP
#define MI_ESTIMATORS_SAMPLE_PROPAGATION_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/finite.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/random.hpp"
#include "mi/core/replica_groups.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/resampling.hpp"
#include "mi/core/rows.hpp"
#include "mi/core/samples.hpp"
#include "mi/core/special.hpp"
#include "mi/kernels/gaussian.hpp"
#include "mi/kernels/kernel_frame.hpp"
#include "mi/kernels/pairwise.hpp"
#include "mi/estimators/concept.hpp"

namespace mi {

/// How sample propagation obtains h(T|X).
enum class sp_conditional {
    replicas,      ///< mixture of each draw's replicas (deeper layers); needs replica groups
    deterministic  ///< (d/2) ln(2 pi e sigma^2): the first hidden layer, S = f(x)
};

/// Sample propagation's options, by name (C++20: mi::sample_propagation_options{.sigma = 0.1, .mc_samples = 10}).
struct sample_propagation_options {
    double sigma = 0.0;                                ///< noise standard deviation, > 0 (required)
    std::size_t mc_samples = 1;                        ///< Monte Carlo draws per mixture centre, >= 1
    std::uint64_t seed = 0;                            ///< seed of the Monte Carlo draws
    sp_conditional conditional = sp_conditional::replicas;
};

class sample_propagation {
public:
    static constexpr mi::resampling resampling = mi::resampling::replica_groups;  // bootstrap: a draw keeps all its replicas
    static constexpr mi::bias_correction bias_correction = mi::bias_correction::none;  // Monte Carlo entropy: bias not c/N
    using conditional = sp_conditional;

    explicit sample_propagation(sample_propagation_options options) : o_(options) {
        const char* where = "mi::sample_propagation";
        if (!(std::isfinite(o_.sigma) && o_.sigma > 0.0)) detail::fail(where, "options.sigma", o_.sigma, "a finite noise std > 0");
        if (o_.mc_samples == 0) detail::fail(where, "options.mc_samples", o_.mc_samples, ">= 1");
    }
    /// Noise std sigma, every other option at its default.
    explicit sample_propagation(double sigma) : sample_propagation(with_sigma(sigma)) {}

    /// h(p * phi_sigma) for the mixture with the rows of `centres` as centres, by Monte Carlo
    /// with mc_samples draws per centre; centre j draws from the stream derive_seed(seed, j). Nats.
    template <class T>
    static double mixture_entropy(const activation_view<const T>& centres, double sigma, std::size_t mc_samples,
                                  std::uint64_t seed) {
        const char* where = "mi::sample_propagation::mixture_entropy";
        detail::check_activations(centres, where, "centres");
        if (!(std::isfinite(sigma) && sigma > 0.0)) detail::fail(where, "sigma", sigma, "a finite noise std > 0");
        if (mc_samples == 0) detail::fail(where, "mc_samples", mc_samples, ">= 1");
        const frame<T> f(centres, sigma, where);
        return detail::finite(mixture(f.view(), f.sigma, mc_samples, seed, [](std::size_t j) { return j; }) +
                                  f.entropy_shift(centres.cols()),
                              where, "h(T)");
    }

    /// h(T): the mixture of all rows. Nats.
    template <class T>
    double entropy(const activation_view<const T>& layer) const {
        const char* where = "mi::sample_propagation::entropy";
        detail::check_activations(layer, where, "layer");
        const frame<T> f(layer, o_.sigma, where);
        return detail::finite(whole_mixture(f.view(), f.sigma) + f.entropy_shift(layer.cols()), where, "h(T)");
    }

    /// h(T|X): each replica group's mixture entropy, weighted by its share of the rows. Nats.
    template <class T>
    double conditional_entropy(const activation_view<const T>& layer, const replica_groups& groups) const {
        const char* where = "mi::sample_propagation::conditional_entropy";
        const auto g = groups_of(layer, groups, where);
        const frame<T> f(layer, o_.sigma, where);
        return detail::finite(conditional_on_inputs(f.view(), f.sigma, g) + f.entropy_shift(layer.cols()), where, "h(T|X)");
    }

    /// I(X;T) = max(h(T) - h(T|X), 0), the replica groups telling the draws apart. Nats.
    template <class T>
    double mutual_information(const activation_view<const T>& layer, const replica_groups& groups) const {
        const char* where = "mi::sample_propagation::mutual_information";
        const auto g = groups_of(layer, groups, where);
        const frame<T> f(layer, o_.sigma, where);
        return detail::finite(std::max(whole_mixture(f.view(), f.sigma) - conditional_on_inputs(f.view(), f.sigma, g), 0.0),
                              where, "I(X;T)");
    }

    /// I(T;Y) = max(h(T) - sum_l p_l h(T|Y=l), 0). Nats.
    template <class T>
    double mutual_information(const activation_view<const T>& layer, const labels& y) const {
        const char* where = "mi::sample_propagation::mutual_information";
        detail::check_activations(layer, where, "layer");
        detail::check_same_rows(y.size(), layer.rows(), where, "labels size");
        const frame<T> f(layer, o_.sigma, where);
        const whole_and_classes h = by_class(f.view(), f.sigma, y);
        return detail::finite(std::max(h.whole - h.given_labels, 0.0), where, "I(T;Y)");
    }

    /// Plane point: (I(X;T), I(T;Y)), one h(T) for both, the samples' replica groups for h(T|X). Nats.
    template <class T>
    plane_point point(const activation_view<const T>& layer, const samples& s) const {
        const char* where = "mi::sample_propagation::point";
        s.check_rows(layer.rows(), where);
        const auto g = groups_of(layer, s.replicas(), where);
        const frame<T> f(layer, o_.sigma, where);
        const activation_view<const T>& t = f.view();
        const whole_and_classes h = by_class(t, f.sigma, s.labels());
        plane_point p;
        p.ixt = std::max(h.whole - conditional_on_inputs(t, f.sigma, g), 0.0);
        p.ity = std::max(h.whole - h.given_labels, 0.0);
        p.ixt_kind = ixt_quantity::mutual_information;
        return detail::finite(p, where);
    }

    const sample_propagation_options& options() const noexcept { return o_; }
    double sigma() const noexcept { return o_.sigma; }
    std::size_t mc_samples() const noexcept { return o_.mc_samples; }
    std::string name() const { return "sample_propagation"; }
    std::string parameters() const {
        return "sigma=" + detail::to_text(o_.sigma) + ";mc_samples=" + std::to_string(o_.mc_samples) +
               ";seed=" + std::to_string(o_.seed) + ";conditional=" +
               (o_.conditional == conditional::replicas ? "replicas" : "deterministic");
    }

private:
    static sample_propagation_options with_sigma(double sigma) {
        sample_propagation_options o;
        o.sigma = sigma;
        return o;
    }

    template <class T>
    double whole_mixture(const activation_view<const T>& t, double sigma) const {
        return mixture(t, sigma, o_.mc_samples, o_.seed, [](std::size_t j) { return j; });
    }

    struct whole_and_classes {
        double whole = 0.0;         // h(T)
        double given_labels = 0.0;  // sum_l p_l h(T|Y=l)
    };

    // h(T) and sum_l p_l h(mixture of class l's rows) in one pass over the (query, centre)
    // pairs: the draws around row j are the same in both mixtures (common random numbers),
    // so query q of class a needs log sum over class a's centres for h(T|Y=a), and the
    // log-sum over all centres for h(T) is the log-sum-exp of its per-class sums. The
    // pairs are those of h(T) alone, where separate mixtures would add sum_l N_l^2 more.
    // Each class's partial sums are added in a fixed order, so any thread count gives the
    // same bits; h(T) differs from entropy()'s single sum only by that regrouping (a few ulps).
    template <class T>
    whole_and_classes by_class(const activation_view<const T>& t, double sigma, const labels& y) const {
        using V = std::remove_const_t<T>;
        const auto rows = y.rows_by_class();
        const std::size_t d = t.cols(), mc = o_.mc_samples;
        std::vector<std::vector<V>> centres(rows.size());
        for (std::size_t l = 0; l < rows.size(); ++l)
            if (!rows[l].empty()) detail::gather_rows(t, rows[l], centres[l]);
        const auto centres_of = [&](std::size_t l) {
            return activation_view<const V>(centres[l].data(), rows[l].size(), d);
        };
        const gaussian_kernel kernel(sigma * sigma);
        const double log_norm = 0.5 * static_cast<double>(d) * std::log(2.0 * pi * sigma * sigma);
        const std::size_t per_block = std::max<std::size_t>(1, (std::size_t(1) << 18) / mc);
        double whole_sum = 0.0, given = 0.0;
        std::vector<V> q;
        std::vector<std::vector<double>> ls(rows.size());
        for (std::size_t a = 0; a < rows.size(); ++a) {
            const std::size_t k = rows[a].size();
            if (k == 0) continue;
            double own_sum = 0.0;
            for (std::size_t c0 = 0; c0 < k; c0 += per_block) {
                const std::size_t c1 = std::min(k, c0 + per_block);
                draw(centres_of(a), c0, c1, sigma, mc, o_.seed, [&](std::size_t j) { return rows[a][j]; }, q);
                const activation_view<const V> queries(q.data(), (c1 - c0) * mc, d);
                for (std::size_t b = 0; b < rows.size(); ++b)
                    if (!rows[b].empty()) ls[b] = log_sum_kernel(queries, centres_of(b), kernel);
                for (std::size_t i = 0; i < queries.rows(); ++i) {
                    double top = -std::numeric_limits<double>::infinity();
                    for (std::size_t b = 0; b < rows.size(); ++b)
                        if (!rows[b].empty()) top = std::max(top, ls[b][i]);
                    double s = 0.0;
                    for (std::size_t b = 0; b < rows.size(); ++b)
                        if (!rows[b].empty()) s += std::exp(ls[b][i] - top);
                    whole_sum += top + std::log(s);
                    own_sum += ls[a][i];
                }
            }
            const double h_a = std::log(static_cast<double>(k)) + log_norm - own_sum / static_cast<double>(k * mc);
            given += static_cast<double>(k) / static_cast<double>(t.rows()) * h_a;
        }
        whole_and_classes h;
        h.whole = std::log(static_cast<double>(t.rows())) + log_norm - whole_sum / static_cast<double>(t.rows() * mc);
        h.given_labels = given;
        return h;
    }

    // The checked layer's replica groups (none needed for the deterministic conditional).
    template <class T>
    std::vector<std::vector<std::size_t>> groups_of(const activation_view<const T>& layer, const replica_groups& groups,
                                                    const char* where) const {
        detail::check_activations(layer, where, "layer");
        if (o_.conditional == conditional::deterministic) return {};
        auto g = groups.groups(layer.rows(), where);
        for (std::size_t i = 0; i < g.size(); ++i)
            if (g[i].size() < 2)
                detail::fail(where, ("replica group " + std::to_string(i)).c_str(), std::to_string(g[i].size()) + " row",
                             ">= 2 replicas per draw for conditional::replicas (conditional::deterministic for a first layer)");
        return g;
    }

    // Monte Carlo entropy of the mixture of `centres`; centre j draws from stream
    // derive_seed(seed, id(j)), id(j) its row in the layer. The mixtures of h(T), h(T|X=x)
    // and h(T|Y=l) therefore use the same draws around the same row (common random
    // numbers), so their differences, I(X;T) and I(T;Y), carry much less Monte Carlo
    // noise than the entropies; each entropy alone is Goldfeld et al.'s estimator.
    template <class T, class Id>
    static double mixture(const activation_view<const T>& centres, double sigma, std::size_t mc_samples,
                          std::uint64_t seed, Id&& id) {
        using V = std::remove_const_t<T>;
        const std::size_t k = centres.rows(), d = centres.cols();
        const gaussian_kernel kernel(sigma * sigma);
        // log p(t) = logsumexp_j(-|t - c_j|^2 / (2 s2)) - log K - (d/2) log(2 pi s2)
        const double offset = std::log(static_cast<double>(k)) +
                              0.5 * static_cast<double>(d) * std::log(2.0 * pi * sigma * sigma);
        const std::size_t per_block = std::max<std::size_t>(1, (std::size_t(1) << 18) / mc_samples);
        const std::size_t blocks = (k + per_block - 1) / per_block;
        std::vector<double> block_sum(blocks, 0.0);
        std::vector<V> q;
        for (std::size_t b = 0; b < blocks; ++b) {
            const std::size_t c0 = b * per_block, c1 = std::min(k, c0 + per_block);
            draw(centres, c0, c1, sigma, mc_samples, seed, id, q);
            const activation_view<const V> queries(q.data(), (c1 - c0) * mc_samples, d);
            const std::vector<double> ls = log_sum_kernel(queries, activation_view<const V>(centres), kernel);
            double s = 0.0;
            for (const double v : ls) s += v;
            block_sum[b] = s;
        }
        double total = 0.0;
        for (const double s : block_sum) total += s;
        return offset - total / static_cast<double>(k * mc_samples);
    }

    // The mc draws around centres c0 .. c1 - 1 into q ((c1 - c0) mc rows): centre j draws from
    // the stream derive_seed(seed, id(j)), the same in every mixture that contains its row.
    template <class T, class Id>
    static void draw(const activation_view<const T>& centres, std::size_t c0, std::size_t c1, double sigma,
                     std::size_t mc, std::uint64_t seed, Id&& id, std::vector<std::remove_const_t<T>>& q) {
        using V = std::remove_const_t<T>;
        const std::size_t d = centres.cols();
        q.resize((c1 - c0) * mc * d);
        parallel_for(c1 - c0, [&](std::size_t c) {
            rng r(derive_seed(seed, id(c0 + c)));
            const T* centre = centres.row(c0 + c);
            V* out = q.data() + c * mc * d;
            for (std::size_t m = 0; m < mc; ++m)
                for (std::size_t u = 0; u < d; ++u)
                    out[m * d + u] = static_cast<V>(static_cast<double>(centre[u]) + sigma * r.normal());
        }, 0, 64);
    }

    // The layer in units where its noise variance is safe for T's arithmetic (mi/kernels/kernel_frame.hpp),
    // and the noise standard deviation in those units.
    // The draws c + sigma z are rounded to T: below 2^-(digits - 10) of the largest activation
    // z keeps fewer than 10 bits and the Monte Carlo estimate degrades into a count of
    // coincident centres, so such a noise is refused rather than estimated wrongly.
    template <class T>
    struct frame : detail::kernel_frame<std::remove_const_t<T>> {
        double sigma;
        frame(const activation_view<const T>& layer, double s, const char* where)
            : detail::kernel_frame<std::remove_const_t<T>>(
                  layer, [s](const activation_view<const T>&) { return s * s; }, false, where),
              sigma(this->to_frame(s)) {
            constexpr int bits = std::numeric_limits<std::remove_const_t<T>>::digits - 10;
            if (sigma < std::ldexp(this->max_abs(), -bits))
                detail::fail(where, "sigma", s,
                             "at least 2^-" + std::to_string(bits) + " times the largest activation (" +
                                 detail::to_text(std::ldexp(this->max_abs(), -bits) / this->to_frame(1.0)) +
                                 "): smaller noise draws round to their centres in " +
                                 (sizeof(T) == 4 ? "float" : "double"));
        }
    };

    template <class T>
    double conditional_on_inputs(const activation_view<const T>& layer, double sigma,
                                 const std::vector<std::vector<std::size_t>>& groups) const {
        using V = std::remove_const_t<T>;
        const std::size_t d = layer.cols();
        if (o_.conditional == conditional::deterministic) return gaussian_entropy(static_cast<double>(d), sigma * sigma);
        const std::size_t n = groups.size();
        std::vector<double> h(n);
        bool equal = true;
        // One small mixture per draw, in parallel over draws (the engine runs serially inside).
        parallel_for(n, [&](std::size_t i) {
            const auto& rows = groups[i];
            std::vector<V> c;
            h[i] = mixture(detail::gather_rows(layer, rows, c), sigma, o_.mc_samples, o_.seed,
                           [&rows](std::size_t j) { return rows[j]; });
        });
        for (const auto& g : groups) equal &= g.size() == groups[0].size();
        double s = 0.0;
        if (equal) {
            for (const double v : h) s += v;
            return s / static_cast<double>(n);
        }
        for (std::size_t i = 0; i < n; ++i) s += static_cast<double>(groups[i].size()) * h[i];
        return s / static_cast<double>(layer.rows());
    }

    sample_propagation_options o_;
};

}  // namespace mi

#endif
