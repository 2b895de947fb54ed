// SPDX-License-Identifier: BSD-3-Clause
// decision_rule: the information of a network's decision, Balda, Behboodi &
// Mathar, "An information theoretic view on learning of artificial neural
// networks", ICSPCS 2018. Instead of a hidden representation, they follow the
// discrete decision L = arg max_k of the output layer, whose entropies are
// plug-in counts over at most C values, so no binning or density estimate is
// involved:
//
//   I(X;L) = H(L) - H(L|X)      (= H(L) for distinct inputs: L is a function of X)
//   I(Y;L) = H(L) - sum_l (N_l / N) H(L | Y = l)
//
// p(x) is the empirical distribution over mi::samples' input ids (repeated
// inputs with different outputs, e.g. noisy replicas, make H(L|X) > 0). Ties
// in the arg max go to the lowest unit index (the first maximum, as
// numpy.argmax). The output layer needs >= 2 units: a single sigmoid unit has
// no arg max, pass [p, 1 - p]. The entropy correction is a policy
// (mi::plug_in by default, mi::miller_madow). Results in nats.
//
// API (output: the output layer, an activation_view):
//   decision_rule<Correction>(correction = {})
//   decisions(output)                         L of every row
//   entropy(output)                           H(L)
//   mutual_information(output, input_ids)     I(X;L)
//   mutual_information(output, labels)        I(Y;L)
//   point(output, samples)                    (I(X;L), I(Y;L))
//   name(), parameters()
#ifndef MI_ESTIMATORS_DECISION_RULE_HPP
#define MI_ESTIMATORS_DECISION_RULE_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/discrete.hpp"
#include "mi/core/error.hpp"
#include "mi/core/resampling.hpp"
#include "mi/core/samples.hpp"
#include "mi/estimators/concept.hpp"

namespace mi {

template <class Correction = plug_in>
class decision_rule {
    static_assert(is_correction_v<Correction>, "mi::decision_rule: Correction must be a correction policy (see "
                                               "mi/core/discrete.hpp): " MI_CORRECTION_REQUIREMENTS);

public:
    static constexpr mi::resampling resampling = mi::resampling::input_groups;  // bootstrap: plug-in counts; an input's rows stay together
    explicit decision_rule(Correction correction = Correction()) : correction_(correction) {}

    /// The decision of every row: arg max over the units, first maximum on ties.
    template <class T>
    static std::vector<std::uint32_t> decisions(const activation_view<const T>& output) {
        const char* where = "mi::decision_rule";
        detail::check_activations(output, where, "output");
        if (output.cols() < 2)
            detail::fail(where, "output units", output.cols(),
                         ">= 2 (the arg max of one unit is constant; pass [p, 1 - p] for a sigmoid output)");
        std::vector<std::uint32_t> l(output.rows());
        for (std::size_t i = 0; i < output.rows(); ++i) {
            const T* r = output.row(i);
            std::size_t best = 0;
            for (std::size_t j = 1; j < output.cols(); ++j)
                if (r[j] > r[best]) best = j;
            l[i] = static_cast<std::uint32_t>(best);
        }
        return l;
    }

    /// H(L), nats.
    template <class T>
    double entropy(const activation_view<const T>& output) const {
        return mi::entropy(group_values(decisions(output)), correction_);
    }

    /// I(X;L) = H(L) - H(L|X), nats.
    template <class T>
    double mutual_information(const activation_view<const T>& output, const input_ids& x) const {
        x.check_rows(output.rows(), "mi::decision_rule::mutual_information");
        const grouping l = group_values(decisions(output));
        return mi::entropy(l, correction_) - conditional_on_inputs(l, x);
    }

    /// I(Y;L) = H(L) - H(L|Y), nats.
    template <class T>
    double mutual_information(const activation_view<const T>& output, const labels& y) const {
        detail::check_same_rows(y.size(), output.rows(), "mi::decision_rule::mutual_information", "labels size");
        const grouping l = group_values(decisions(output));
        return mi::entropy(l, correction_) -
               conditional_entropy_given_labels(l, y, correction_, "mi::decision_rule::mutual_information");
    }

    /// Plane point of the output layer: (I(X;L), I(Y;L)), nats.
    template <class T>
    plane_point point(const activation_view<const T>& output, const samples& s) const {
        s.check_rows(output.rows(), "mi::decision_rule::point");
        const grouping l = group_values(decisions(output));
        const double h = mi::entropy(l, correction_);
        plane_point p;
        p.ixt = h - conditional_on_inputs(l, s.inputs());
        p.ity = h - conditional_entropy_given_labels(l, s.labels(), correction_, "mi::decision_rule::point");
        p.ixt_kind = ixt_quantity::mutual_information;
        return detail::finite(p, "mi::decision_rule::point");
    }

    std::string name() const { return "decision_rule"; }
    std::string parameters() const { return "correction=" + std::string(Correction::name()); }

private:
    double conditional_on_inputs(const grouping& l, const input_ids& x) const {
        return conditional_entropy_given_inputs(l, x, correction_, "mi::decision_rule");
    }

    Correction correction_;
};

}  // namespace mi

#endif
