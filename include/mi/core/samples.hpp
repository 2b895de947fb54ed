// SPDX-License-Identifier: BSD-3-Clause
// mi::samples: what an estimator needs to know about the rows of a layer
// besides the activations themselves:
//   labels()         the class of each row, for I(T;Y)
//   inputs()         which input each row came from (mi::input_ids), for the
//                    I(X;T) = H(T) - H(T|X) of binning and KDE
//   network_input()  the input X itself, row-aligned with the layer, for the
//                    estimators of I(X;T) that need it (KSG, Renyi)
//   replicas()       the replica groups of a noisy network, for sample
//                    propagation's h(T|X)
// One object carries them all, so the plane driver's resampling
// (mi::samples::subset) keeps every one aligned with the rows it keeps:
//
//   mi::samples s = mi::samples(mi::labels(y, 10))
//                       .with_network_input(mi::view(x))
//                       .with_replicas(mi::replica_groups::consecutive(4));
#ifndef MI_CORE_SAMPLES_HPP
#define MI_CORE_SAMPLES_HPP

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/input_ids.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/network_input.hpp"
#include "mi/core/replica_groups.hpp"

namespace mi {

class samples {
public:
    samples() = default;
    explicit samples(mi::labels y, mi::input_ids x = mi::input_ids())
        : y_(std::move(y)), x_(std::move(x)) {
        x_.check_rows(y_.size(), "mi::samples");
    }

    std::size_t size() const noexcept { return y_.size(); }
    const mi::labels& labels() const noexcept { return y_; }
    const mi::input_ids& inputs() const noexcept { return x_; }
    const mi::network_input& network_input() const noexcept { return input_; }
    const mi::replica_groups& replicas() const noexcept { return replicas_; }

    /// A copy carrying the network input X (copied), row i the input of row i of every layer.
    template <class T>
    samples with_network_input(const activation_view<T>& x) const {
        return with_network_input(mi::network_input(x));
    }
    samples with_network_input(mi::network_input x) const {
        if (!x.empty() && x.rows() != size())
            detail::fail("mi::samples::with_network_input", "network input rows", x.rows(),
                         "the number of labelled samples, " + std::to_string(size()));
        samples out = *this;
        out.input_ = std::move(x);
        return out;
    }

    /// A copy carrying replica groups (checked against the rows when an estimator uses them).
    samples with_replicas(mi::replica_groups r) const {
        if (!r.empty()) r.check_rows(size(), "mi::samples::with_replicas");
        samples out = *this;
        out.replicas_ = std::move(r);
        return out;
    }

    /// Throws unless a layer with `rows` rows matches these samples.
    void check_rows(std::size_t rows, const char* where) const {
        if (rows != y_.size())
            detail::fail(where, "layer rows", rows,
                         "the number of labelled samples, " + std::to_string(y_.size()));
    }

    /// The given rows (with repetition), keeping each row's label, input identity, network
    /// input and replica group.
    samples subset(const std::vector<std::size_t>& rows) const {
        samples out(y_.subset(rows), x_.subset(rows));
        out.input_ = input_.subset(rows);
        out.replicas_ = replicas_.subset(rows);
        return out;
    }

private:
    mi::labels y_;
    mi::input_ids x_;
    mi::network_input input_;
    mi::replica_groups replicas_;
};

}  // namespace mi

#endif
