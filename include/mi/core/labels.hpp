// SPDX-License-Identifier: BSD-3-Clause
// mi::labels: one class id in 0..C-1 per sample. C is stated (or inferred as
// max + 1) so that empty classes are still counted in H(Y) bookkeeping and a
// label outside the declared range is caught at construction, not as a wrong
// number later.
#ifndef MI_CORE_LABELS_HPP
#define MI_CORE_LABELS_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/whole_id.hpp"

namespace mi {

class labels {
public:
    /// The largest number of classes: ids are stored in 32 bits, and estimators keep
    /// per-class counts and row lists, so a wrapped or absurd id is refused up front.
    static constexpr std::size_t max_classes = std::size_t(1) << 24;

    labels() = default;

    /// Class ids with an explicit number of classes; every id must lie in 0..classes-1.
    /// Floating-point ids are accepted when they hold whole numbers (0.0, 1.0, ...).
    template <class Int>
    labels(const std::vector<Int>& ids, std::size_t classes) : classes_(classes) {
        if (classes == 0) detail::fail("mi::labels", "classes", classes, ">= 1");
        if (classes > max_classes)
            detail::fail("mi::labels", "classes", classes,
                         "at most " + std::to_string(max_classes) + " (one count per class is kept)");
        ids_.reserve(ids.size());
        for (std::size_t i = 0; i < ids.size(); ++i) {
            const std::uint64_t v = detail::whole_id(ids[i], "mi::labels", "labels", i);
            if (v >= classes)
                detail::fail("mi::labels", ("labels[" + std::to_string(i) + "]").c_str(), v,
                             "a class id in 0.." + std::to_string(classes - 1));
            ids_.push_back(static_cast<std::uint32_t>(v));
        }
    }

    /// Class ids; the number of classes is max + 1.
    template <class Int>
    explicit labels(const std::vector<Int>& ids) : labels(ids, infer_classes(ids)) {}

    /// One-hot (or probability) rows: the class is the arg max of each row, the
    /// number of classes is the number of columns.
    template <class T>
    static labels from_one_hot(const activation_view<T>& rows) {
        detail::check_activations(rows, "mi::labels::from_one_hot", "one_hot");
        std::vector<std::uint32_t> ids(rows.rows());
        for (std::size_t i = 0; i < rows.rows(); ++i) {
            std::size_t best = 0;
            for (std::size_t j = 1; j < rows.cols(); ++j)
                if (rows(i, j) > rows(i, best)) best = j;
            ids[i] = static_cast<std::uint32_t>(best);
        }
        return labels(ids, rows.cols());
    }

    std::size_t size() const noexcept { return ids_.size(); }
    bool empty() const noexcept { return ids_.empty(); }
    std::size_t classes() const noexcept { return classes_; }
    std::uint32_t operator[](std::size_t i) const noexcept { return ids_[i]; }
    const std::vector<std::uint32_t>& ids() const noexcept { return ids_; }

    /// N_l for l = 0..C-1.
    std::vector<std::size_t> counts() const {
        std::vector<std::size_t> c(classes_, 0);
        for (auto v : ids_) ++c[v];
        return c;
    }

    /// Row indices of each class, in increasing order.
    std::vector<std::vector<std::size_t>> rows_by_class() const {
        std::vector<std::vector<std::size_t>> r(classes_);
        for (std::size_t i = 0; i < ids_.size(); ++i) r[ids_[i]].push_back(i);
        return r;
    }

    /// The labels of the given rows (used by bootstrap resampling and splits).
    labels subset(const std::vector<std::size_t>& rows) const {
        labels out;
        out.classes_ = classes_;
        out.ids_.reserve(rows.size());
        for (auto r : rows) out.ids_.push_back(ids_.at(r));
        return out;
    }

private:
    template <class Int>
    static std::size_t infer_classes(const std::vector<Int>& ids) {
        std::uint64_t mx = 0;
        for (std::size_t i = 0; i < ids.size(); ++i) {
            const std::uint64_t v = detail::whole_id(ids[i], "mi::labels", "labels", i);
            if (v >= max_classes)
                detail::fail("mi::labels", ("labels[" + std::to_string(i) + "]").c_str(), v,
                             "a class id below " + std::to_string(max_classes));
            mx = v > mx ? v : mx;
        }
        return static_cast<std::size_t>(mx + 1);
    }

    std::vector<std::uint32_t> ids_;
    std::size_t classes_ = 0;
};

}  // namespace mi

#endif
