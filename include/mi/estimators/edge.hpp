// SPDX-License-Identifier: BSD-3-Clause
// edge: EDGE, the Ensemble Dependency Graph Estimator of Noshad, Zeng & Hero,
// "Scalable mutual information estimation using dependence graphs", ICASSP
// 2019 (arXiv:1801.09125), whose experiments include information planes of
// deep networks. It was made for large N: every point is hashed once, counts are kept per hash
// bucket, and the cost is O(N) whatever the dimension.
//
// One estimate, bin width eps (their §3, the dependence graph):
//   h1(z) = floor((z + b) / eps)     per unit, b ~ U[0, eps)^d a random shift
//   h2    : Z^d -> {0..F-1}          a random hash, F = ceil(hash_factor * N)
//   nodes  u = h2(h1(x_i)), v = h2(h1(t_i)); N_u, M_v, N_uv = counts of nodes
//          and edges over the N pairs; omega = N_u/N, omega' = M_v/N, w = N_uv/N
//   I_eps  = sum over edges (u,v) of w_uv g(w_uv / (omega_u omega'_v)), g = log
// With g = log this is exactly the plug-in mutual information of the two
// hashed variables, which is how it is computed (mi::entropy and
// mi::conditional_entropy on the bucket ids). Hash collisions (two cells in
// one bucket) are part of the method and are what bounds memory by F.
//
// Ensemble (their §4): estimates at widths eps_l = s_l * eps (the `scales`)
// are combined as I = sum_l w_l I_eps_l, with the minimum-norm weights that
// satisfy sum_l w_l = 1 and sum_l w_l s_l^i = 0 for i = 1..bias_terms, which
// cancels the first `bias_terms` powers of eps in the bias expansion. With
// bias_terms = 0 the weights are uniform (1/L); with bias_terms = L - 1 the
// solution is unique (extrapolation to eps -> 0). The combination can
// overshoot below 0 for independent variables; it is returned as is.
//
// For the plane: X is the input identity of mi::samples (discrete, not
// hashed: every distinct input is its own node, so with distinct inputs
// I(X;T) = H(h2(h1(T)))) and Y the class label; the layer T is hashed.
// Deterministic for a given seed (shifts and hash multipliers come from
// mi::rng streams derive_seed(seed, l, .)). Results in nats.
//
// Equation numbers are not cited because the paper's text could not be
// re-read while writing this; the quantities above are the paper's, the
// minimum-norm weight solve is mi's formulation of its ensemble step.
//
// Options (mi::edge_options, named fields): epsilon (required, > 0), scales
// = {1.0}, bias_terms = 0, hash_factor = 1.0, seed = 0; a bad one throws
// mi::error naming the field. Named edge, the estimator; the explicit-edge
// quantizer is mi::bin_edges (mi/quantizers/bin_edges.hpp).
//
// API (T the layer, an activation_view; every quantity in nats):
//   edge(options)   edge(epsilon)              e.g. mi::edge(0.07)
//   mutual_information(T, input_ids)           I(X;T)
//   mutual_information(T, labels)              I(T;Y)
//   mutual_information(A, B)                   I(A;B), two activation views, both hashed
//   point(T, samples)                          (I(X;T), I(T;Y))
//   buckets(T, member), weights(), ensemble_weights(s, k), name(), parameters()
// No entropy(T): the ensemble combines mutual informations (its bias
// cancellation is derived for them), not entropies.
#ifndef MI_ESTIMATORS_EDGE_HPP
#define MI_ESTIMATORS_EDGE_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/discrete.hpp"
#include "mi/core/error.hpp"
#include "mi/core/finite.hpp"
#include "mi/core/input_ids.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/random.hpp"
#include "mi/core/resampling.hpp"
#include "mi/core/samples.hpp"
#include "mi/estimators/concept.hpp"

namespace mi {

/// The options of mi::edge. An aggregate: set the fields by name (C++20: designated initialisers).
struct edge_options {
    double epsilon = 0.0;                ///< base bin width in activation units; required, finite and > 0
    std::vector<double> scales = {1.0};  ///< the ensemble's width multipliers: finite, > 0, distinct
    std::size_t bias_terms = 0;          ///< powers of epsilon the ensemble weights cancel, < scales.size()
    double hash_factor = 1.0;            ///< F = ceil(hash_factor * N) hash buckets, finite and > 0
    std::uint64_t seed = 0;              ///< shifts and hash multipliers
};

class edge {
public:
    static constexpr mi::resampling resampling = mi::resampling::input_groups;  // bootstrap: plug-in on hashed cells; an input's rows stay together
    /// The options by name (see mi::edge_options); each is validated, a bad one throws mi::error
    /// naming the field.
    explicit edge(edge_options options)
        : eps_(options.epsilon), scales_(std::move(options.scales)), bias_terms_(options.bias_terms),
          hash_factor_(options.hash_factor), seed_(options.seed) {
        const char* where = "mi::edge";
        if (!(std::isfinite(eps_) && eps_ > 0.0)) detail::fail(where, "options.epsilon", eps_, "a finite value > 0");
        if (scales_.empty()) detail::fail(where, "options.scales", "{}", "at least one width multiplier");
        for (std::size_t l = 0; l < scales_.size(); ++l) {
            if (!(std::isfinite(scales_[l]) && scales_[l] > 0.0))
                detail::fail(where, ("options.scales[" + std::to_string(l) + "]").c_str(), scales_[l], "a finite value > 0");
            for (std::size_t m = 0; m < l; ++m)
                if (scales_[m] == scales_[l])
                    detail::fail(where, ("options.scales[" + std::to_string(l) + "]").c_str(), scales_[l],
                                 "distinct multipliers (equals options.scales[" + std::to_string(m) + "])");
        }
        if (bias_terms_ >= scales_.size())
            detail::fail(where, "options.bias_terms", bias_terms_,
                         "< the number of options.scales, " + std::to_string(scales_.size()));
        if (!(std::isfinite(hash_factor_) && hash_factor_ > 0.0))
            detail::fail(where, "options.hash_factor", hash_factor_, "a finite value > 0");
        weights_ = ensemble_weights(scales_, bias_terms_);
    }

    /// The common case: one estimate at bin width epsilon, the other options at their defaults.
    explicit edge(double epsilon) : edge(options_with_epsilon(epsilon)) {}

    double epsilon() const noexcept { return eps_; }
    const std::vector<double>& scales() const noexcept { return scales_; }
    std::size_t bias_terms() const noexcept { return bias_terms_; }
    double hash_factor() const noexcept { return hash_factor_; }
    std::uint64_t seed() const noexcept { return seed_; }

    /// The ensemble weights w_l (sum 1).
    const std::vector<double>& weights() const noexcept { return weights_; }

    /// Hash bucket of every row for ensemble member l (0-based).
    template <class T>
    std::vector<std::uint32_t> buckets(const activation_view<const T>& z, std::size_t member,
                                       std::uint64_t stream = 0) const {
        const char* where = "mi::edge";
        detail::check_activations(z, where, "activations");
        if (member >= scales_.size()) detail::fail(where, "member", member, "< the number of scales");
        const std::size_t n = z.rows(), d = z.cols();
        const double width = eps_ * scales_[member];
        rng r(derive_seed(seed_, member, stream));
        std::vector<double> shift(d);
        std::vector<std::uint64_t> mult(d);
        for (std::size_t j = 0; j < d; ++j) {
            shift[j] = r.uniform() * width;
            mult[j] = r() | 1u;
        }
        const double fb = std::ceil(hash_factor_ * static_cast<double>(n));
        const std::uint64_t buckets_count =
            static_cast<std::uint64_t>(std::min(std::max(fb, 1.0), 4294967295.0));
        std::vector<std::uint32_t> out(n);
        parallel_for_ranges(n, 1024, [&](std::size_t first, std::size_t last) {
            for (std::size_t i = first; i < last; ++i) {
                const T* row = z.row(i);
                std::uint64_t h = 0;
                for (std::size_t j = 0; j < d; ++j) {
                    const double c = std::floor((static_cast<double>(row[j]) + shift[j]) / width);
                    if (!(std::abs(c) < 9.0e18))
                        detail::fail(where, "epsilon", eps_, "a width for which every cell index fits in int64");
                    h += static_cast<std::uint64_t>(static_cast<std::int64_t>(c)) * mult[j];
                }
                out[i] = static_cast<std::uint32_t>(detail::finalize_hash(h ^ d) % buckets_count);
            }
        });
        return out;
    }

    /// I(A;B) of two continuous variables (rows paired), both hashed. Nats.
    template <class T, class U>
    double mutual_information(const activation_view<const T>& a, const activation_view<const U>& b) const {
        detail::check_same_rows(b.rows(), a.rows(), "mi::edge::mutual_information", "b rows");
        double s = 0.0;
        for (std::size_t l = 0; l < scales_.size(); ++l) {
            const grouping ga = group_values(buckets(a, l, 0));
            const grouping gb = group_values(buckets(b, l, 1));
            s += weights_[l] * (mi::entropy(ga) - conditional_entropy(ga, gb));
        }
        return detail::finite(s, "mi::edge::mutual_information", "I(A;B)");
    }

    /// I(X;T) with X the input ids (each input its own node, not hashed), T hashed. Nats.
    template <class T>
    double mutual_information(const activation_view<const T>& layer, const input_ids& x) const {
        const char* where = "mi::edge::mutual_information";
        x.check_rows(layer.rows(), where);
        double s = 0.0;
        for (std::size_t l = 0; l < scales_.size(); ++l) {
            const grouping gt = group_values(buckets(layer, l, 0));
            s += weights_[l] * (mi::entropy(gt) - conditional_entropy_given_inputs(gt, x, plug_in{}, where));
        }
        return detail::finite(s, where, "I(X;T)");
    }

    /// I(T;Y) with Y the labels, T hashed. Nats.
    template <class T>
    double mutual_information(const activation_view<const T>& layer, const labels& y) const {
        const char* where = "mi::edge::mutual_information";
        detail::check_same_rows(y.size(), layer.rows(), where, "labels size");
        double s = 0.0;
        for (std::size_t l = 0; l < scales_.size(); ++l) {
            const grouping gt = group_values(buckets(layer, l, 0));
            s += weights_[l] * (mi::entropy(gt) - conditional_entropy_given_labels(gt, y, plug_in{}, where));
        }
        return detail::finite(s, where, "I(T;Y)");
    }

    /// Plane point: I(X;T) with X the input ids, I(T;Y) with Y the labels. Nats.
    template <class T>
    plane_point point(const activation_view<const T>& layer, const samples& s) const {
        const char* where = "mi::edge::point";
        s.check_rows(layer.rows(), where);
        plane_point p;
        for (std::size_t l = 0; l < scales_.size(); ++l) {
            const grouping gt = group_values(buckets(layer, l, 0));
            const double h = mi::entropy(gt);
            p.ixt += weights_[l] * (h - conditional_entropy_given_inputs(gt, s.inputs(), plug_in{}, where));
            p.ity += weights_[l] * (h - conditional_entropy_given_labels(gt, s.labels(), plug_in{}, where));
        }
        p.ixt_kind = ixt_quantity::mutual_information;
        return detail::finite(p, "mi::edge::point");
    }

    std::string name() const { return "edge"; }
    std::string parameters() const {
        std::string sc;
        for (std::size_t l = 0; l < scales_.size(); ++l) sc += (l ? "," : "") + detail::to_text(scales_[l]);
        return "epsilon=" + detail::to_text(eps_) + ";scales=" + sc + ";bias_terms=" +
               std::to_string(bias_terms_) + ";hash_factor=" + detail::to_text(hash_factor_) +
               ";seed=" + std::to_string(seed_);
    }

    /// Minimum-norm w with sum w = 1 and sum w s^i = 0, i = 1..k: w = B^T (B B^T)^-1 e_1.
    static std::vector<double> ensemble_weights(const std::vector<double>& s, std::size_t k) {
        const std::size_t L = s.size(), m = k + 1;
        std::vector<double> b(m * L);
        for (std::size_t i = 0; i < m; ++i)
            for (std::size_t l = 0; l < L; ++l) b[i * L + l] = std::pow(s[l], static_cast<double>(i));
        // G = B B^T (m x m), solve G z = e_1 by Gaussian elimination with partial pivoting.
        std::vector<double> g(m * (m + 1), 0.0);
        for (std::size_t i = 0; i < m; ++i) {
            for (std::size_t j = 0; j < m; ++j)
                for (std::size_t l = 0; l < L; ++l) g[i * (m + 1) + j] += b[i * L + l] * b[j * L + l];
            g[i * (m + 1) + m] = i == 0 ? 1.0 : 0.0;
        }
        for (std::size_t c = 0; c < m; ++c) {
            std::size_t piv = c;
            for (std::size_t r = c + 1; r < m; ++r)
                if (std::abs(g[r * (m + 1) + c]) > std::abs(g[piv * (m + 1) + c])) piv = r;
            if (!(std::abs(g[piv * (m + 1) + c]) > 0.0))
                detail::fail("mi::edge", "scales", "degenerate", "multipliers giving solvable ensemble weights");
            for (std::size_t j = 0; j <= m; ++j) std::swap(g[c * (m + 1) + j], g[piv * (m + 1) + j]);
            for (std::size_t r = 0; r < m; ++r) {
                if (r == c) continue;
                const double f = g[r * (m + 1) + c] / g[c * (m + 1) + c];
                for (std::size_t j = c; j <= m; ++j) g[r * (m + 1) + j] -= f * g[c * (m + 1) + j];
            }
        }
        std::vector<double> z(m), w(L, 0.0);
        for (std::size_t i = 0; i < m; ++i) z[i] = g[i * (m + 1) + m] / g[i * (m + 1) + i];
        for (std::size_t l = 0; l < L; ++l)
            for (std::size_t i = 0; i < m; ++i) w[l] += b[i * L + l] * z[i];
        return w;
    }

private:
    static edge_options options_with_epsilon(double epsilon) {
        if (!(std::isfinite(epsilon) && epsilon > 0.0)) detail::fail("mi::edge", "epsilon", epsilon, "a finite value > 0");
        edge_options o;
        o.epsilon = epsilon;
        return o;
    }

    double eps_;
    std::vector<double> scales_;
    std::size_t bias_terms_;
    double hash_factor_;
    std::uint64_t seed_;
    std::vector<double> weights_;
};

}  // namespace mi

#endif
