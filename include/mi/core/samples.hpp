// SPDX-License-Identifier: BSD-3-Clause
// mi::samples: what an estimator needs to know about the rows of a layer
// besides the activations themselves: the class label of each row (for
// I(T;Y)) and which input it came from (for I(X;T)).
#ifndef MI_CORE_SAMPLES_HPP
#define MI_CORE_SAMPLES_HPP

#include <cstddef>
#include <string>
#include <utility>

#include "mi/core/input_ids.hpp"
#include "mi/core/labels.hpp"

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

    /// Throws unless a layer with `rows` rows matches these samples.
    void check_rows(std::size_t rows, const char* where) const {
        if (rows != y_.size())
            detail::fail(where, "layer rows", rows,
                         "the number of labelled samples, " + std::to_string(y_.size()));
    }

    /// The given rows (with repetition), keeping each row's label and input identity.
    samples subset(const std::vector<std::size_t>& rows) const {
        return samples(y_.subset(rows), x_.subset(rows));
    }

private:
    mi::labels y_;
    mi::input_ids x_;
};

}  // namespace mi

#endif
