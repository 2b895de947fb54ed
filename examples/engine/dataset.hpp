// SPDX-License-Identifier: BSD-3-Clause
// The engine's in-memory dataset: n samples of d inputs (row-major), with
// class labels and/or dense regression targets. One small owning type, so the
// dataset readers (SZT, IDX, synthetic tasks) and the trainer agree on one
// shape without depending on each other. Examples only.
#ifndef MI_EXAMPLES_ENGINE_DATASET_HPP
#define MI_EXAMPLES_ENGINE_DATASET_HPP

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mi/core/error.hpp"

namespace mi_examples::engine {

template <class T = float>
struct dataset {
    std::vector<T> x;                    ///< n x d, row-major
    std::size_t n = 0;                   ///< samples
    std::size_t d = 0;                   ///< inputs per sample
    std::vector<std::uint32_t> labels;   ///< n class ids, or empty
    std::size_t classes = 0;             ///< number of classes when labels are given
    std::vector<T> targets;              ///< n x k dense targets, or empty
    std::size_t k = 0;                   ///< target width

    std::size_t size() const noexcept { return n; }
    bool has_labels() const noexcept { return !labels.empty(); }
    bool has_targets() const noexcept { return !targets.empty(); }

    /// Throws mi::error unless the sizes agree and every value is finite.
    void check(const char* where) const {
        if (n == 0 || d == 0) mi::detail::fail(where, "dataset shape", std::to_string(n) + "x" + std::to_string(d),
                                               "at least one sample and one input");
        if (x.size() != n * d) mi::detail::fail(where, "dataset x size", x.size(), "n * d = " + std::to_string(n * d));
        if (!labels.empty() && labels.size() != n)
            mi::detail::fail(where, "dataset labels size", labels.size(), "n = " + std::to_string(n));
        if (!targets.empty() && targets.size() != n * k)
            mi::detail::fail(where, "dataset targets size", targets.size(), "n * k = " + std::to_string(n * k));
        if (labels.empty() && targets.empty()) mi::detail::fail(where, "dataset targets", "none", "labels or targets");
        for (std::size_t i = 0; i < labels.size(); ++i)
            if (labels[i] >= classes)
                mi::detail::fail(where, ("dataset labels[" + std::to_string(i) + "]").c_str(), labels[i],
                                 "a class id below classes = " + std::to_string(classes));
        for (std::size_t i = 0; i < x.size(); ++i)
            if (!std::isfinite(x[i]))
                mi::detail::fail(where, ("dataset x[" + std::to_string(i) + "]").c_str(), x[i], "a finite value");
        for (std::size_t i = 0; i < targets.size(); ++i)
            if (!std::isfinite(targets[i]))
                mi::detail::fail(where, ("dataset targets[" + std::to_string(i) + "]").c_str(), targets[i],
                                 "a finite value");
    }

    /// The given rows, in the given order (repetition allowed).
    dataset subset(const std::vector<std::size_t>& rows) const {
        dataset out;
        out.n = rows.size();
        out.d = d;
        out.k = k;
        out.classes = classes;
        out.x.reserve(rows.size() * d);
        for (auto r : rows) {
            if (r >= n) mi::detail::fail("mi_examples::engine::dataset::subset", "row", r, "< n = " + std::to_string(n));
            out.x.insert(out.x.end(), x.begin() + static_cast<std::ptrdiff_t>(r * d),
                         x.begin() + static_cast<std::ptrdiff_t>((r + 1) * d));
            if (!labels.empty()) out.labels.push_back(labels[r]);
            if (!targets.empty())
                out.targets.insert(out.targets.end(), targets.begin() + static_cast<std::ptrdiff_t>(r * k),
                                   targets.begin() + static_cast<std::ptrdiff_t>((r + 1) * k));
        }
        return out;
    }
};

}  // namespace mi_examples::engine

#endif
