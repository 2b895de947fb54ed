// SPDX-License-Identifier: BSD-3-Clause
// exact_counting: the information plane of a layer whose activations take
// finitely many values, computed exactly by counting, with no estimator:
// Lorenzen, Igel & Nielsen, "Information Bottleneck: Exact Analysis of
// (Quantized) Neural Networks", ICLR 2022 (arXiv 2106.12912), §3. In a
// quantized network every layer's output T lies on a k-bit grid, so over a
// finite data set D the joint distribution of (X, T, Y) is the empirical one
// and the mutual informations are finite sums (their eqs. for the discrete
// entropy and MI):
//
//   H(T)   = - sum_t p(t) log p(t),  p(t) = #{i : T_i = t} / N
//   I(X;T) = H(T) - H(T|X)           (= H(T): a deterministic network gives each input one T)
//   I(T;Y) = H(T) - sum_y (N_y / N) H(T | Y = y)
//
// "t" is a whole row of the layer: two rows are the same value of T exactly
// when they are equal element by element (bit for bit, with -0 = +0), so no
// bin width, grid or range enters; the authors re-map the grid values to
// integers before counting rows, which gives the same partition of the rows.
// Rows are grouped with mi::group_rows (hash of the rows' bit patterns,
// confirmed by comparison), O(N d).
//
// H(T|X) = 0 is checked, not assumed. The inputs are mi::samples' input ids
// (default: every row its own input). Policy (exact_counting_options::repeats):
//   repeated_inputs::must_agree (default) — rows of the same input id must be
//     equal; otherwise mi::error naming the input id: a deterministic network
//     cannot give one input two outputs, so this means the ids are wrong or
//     the layer is stochastic (dropout, noise) and I(X;T) is not H(T).
//   repeated_inputs::counted — H(T|X) = sum_x p(x) H(T | X = x) is counted
//     exactly from the rows (noisy replicas of an input), I(X;T) = H(T) - H(T|X).
// Optionally (max_levels > 0) the layer is checked to take at most max_levels
// distinct values over all its units (2^k for the per-tensor k-bit grids of a
// quantized network): the check that the activations really are quantized,
// which the counting itself does not need.
//
// Results in nats (plug-in counts are the exact entropies of the empirical
// distribution; no bias correction applies). Bootstrap: input_groups (an
// input's rows stay together), as the other counting estimators.
//
// API (layer: an activation_view of float or double):
//   exact_counting(exact_counting_options = {})
//   patterns(layer)                        the grouping of the rows (distinct values of T)
//   entropy(layer)                         H(T)
//   conditional_entropy(layer, input_ids)  H(T|X) (policy above)
//   mutual_information(layer, input_ids)   I(X;T)
//   mutual_information(layer, labels)      I(T;Y)
//   point(layer, samples)                  (I(X;T), I(T;Y))
//   name(), parameters()
#ifndef MI_ESTIMATORS_EXACT_COUNTING_HPP
#define MI_ESTIMATORS_EXACT_COUNTING_HPP

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/discrete.hpp"
#include "mi/core/error.hpp"
#include "mi/core/resampling.hpp"
#include "mi/core/samples.hpp"
#include "mi/core/scratch.hpp"
#include "mi/estimators/concept.hpp"

namespace mi {

/// What exact_counting does when rows of the same input id differ (see the header).
enum class repeated_inputs {
    must_agree,  ///< mi::error: H(T|X) must be 0 (a deterministic network)
    counted      ///< H(T|X) counted exactly from the rows
};

struct exact_counting_options {
    repeated_inputs repeats = repeated_inputs::must_agree;
    std::size_t max_levels = 0;  ///< > 0: the layer may take at most this many distinct values (e.g. 2^k)
};

class exact_counting {
public:
    static constexpr mi::resampling resampling = mi::resampling::input_groups;  // plug-in counts; an input's rows stay together

    explicit exact_counting(exact_counting_options options = {}) : options_(options) {}

    /// The distinct rows of the layer: group id of every row and the count of each group.
    template <class T>
    grouping patterns(const activation_view<const T>& layer) const {
        static_assert(std::is_floating_point_v<T>, "mi::exact_counting: activations must be float or double");
        const char* where = "mi::exact_counting";
        detail::check_activations(layer, where, "layer");
        using Code = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
        static_assert(sizeof(Code) == sizeof(T), "mi::exact_counting: unexpected floating-point size");
        const std::size_t n = layer.rows(), d = layer.cols();
        detail::cached_vector<Code> codes(n * d);  // a temporary of every point (scratch.hpp)
        for (std::size_t i = 0; i < n; ++i) {
            const T* r = layer.row(i);
            Code* c = codes.data() + i * d;
            for (std::size_t j = 0; j < d; ++j) {
                const T v = r[j] == T(0) ? T(0) : r[j];  // -0 and +0 are the same value
                std::memcpy(c + j, &v, sizeof(T));
            }
        }
        if (options_.max_levels > 0) {
            const grouping levels = group_rows(codes.data(), n * d, 1);
            if (levels.groups() > options_.max_levels)
                detail::fail(where, "distinct values of the layer", levels.groups(),
                             "at most max_levels = " + std::to_string(options_.max_levels) +
                                 " (the layer is not on a grid of that many values)");
        }
        return group_rows(codes.data(), n, d);
    }

    /// H(T), nats.
    template <class T>
    double entropy(const activation_view<const T>& layer) const {
        return mi::entropy(patterns(layer), plug_in{});
    }

    /// H(T|X), nats: 0 checked (must_agree), or counted.
    template <class T>
    double conditional_entropy(const activation_view<const T>& layer, const input_ids& x) const {
        x.check_rows(layer.rows(), "mi::exact_counting::conditional_entropy");
        return conditional_on_inputs(patterns(layer), x);
    }

    /// I(X;T) = H(T) - H(T|X), nats.
    template <class T>
    double mutual_information(const activation_view<const T>& layer, const input_ids& x) const {
        x.check_rows(layer.rows(), "mi::exact_counting::mutual_information");
        const grouping t = patterns(layer);
        return mi::entropy(t, plug_in{}) - conditional_on_inputs(t, x);
    }

    /// I(T;Y) = H(T) - H(T|Y), nats.
    template <class T>
    double mutual_information(const activation_view<const T>& layer, const labels& y) const {
        detail::check_same_rows(y.size(), layer.rows(), "mi::exact_counting::mutual_information", "labels size");
        const grouping t = patterns(layer);
        return mi::entropy(t, plug_in{}) -
               conditional_entropy_given_labels(t, y, plug_in{}, "mi::exact_counting::mutual_information");
    }

    /// Plane point: (I(X;T), I(T;Y)), nats.
    template <class T>
    plane_point point(const activation_view<const T>& layer, const samples& s) const {
        s.check_rows(layer.rows(), "mi::exact_counting::point");
        const grouping t = patterns(layer);
        const double h = mi::entropy(t, plug_in{});
        plane_point p;
        p.ixt = h - conditional_on_inputs(t, s.inputs());
        p.ity = h - conditional_entropy_given_labels(t, s.labels(), plug_in{}, "mi::exact_counting::point");
        p.ixt_kind = ixt_quantity::mutual_information;
        return detail::finite(p, "mi::exact_counting::point");
    }

    std::string name() const { return "exact_counting"; }
    std::string parameters() const {
        return std::string("repeated_inputs=") +
               (options_.repeats == repeated_inputs::must_agree ? "must_agree" : "counted") +
               ";max_levels=" + std::to_string(options_.max_levels);
    }
    const exact_counting_options& options() const noexcept { return options_; }

private:
    double conditional_on_inputs(const grouping& t, const input_ids& x) const {
        const char* where = "mi::exact_counting";
        if (x.all_distinct()) return 0.0;
        if (options_.repeats == repeated_inputs::counted)
            return conditional_entropy_given_inputs(t, x, plug_in{}, where);
        // must_agree: every input's rows in one group, so H(T|X) = 0 exactly.
        constexpr std::uint32_t unseen = 0xFFFFFFFFu;
        std::vector<std::uint32_t> group_of_input(x.size(), unseen);
        for (std::size_t i = 0; i < t.ids.size(); ++i) {
            std::uint32_t& g = group_of_input[x[i]];
            if (g == unseen) g = t.ids[i];
            else if (g != t.ids[i])
                detail::fail(where, ("layer row " + std::to_string(i) + " of input id").c_str(), x[i],
                             "the same row as the input's other rows (H(T|X) = 0, a deterministic layer); "
                             "use repeated_inputs::counted for a stochastic layer");
        }
        return 0.0;
    }

    exact_counting_options options_;
};

}  // namespace mi

#endif
