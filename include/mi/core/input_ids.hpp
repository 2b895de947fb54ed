// SPDX-License-Identifier: BSD-3-Clause
// mi::input_ids: which input each sample row came from. The papers evaluate
// every layer on a set of distinct inputs (p(x) uniform on the rows), so that
// is the default; repeated inputs (bootstrap resamples, Goldfeld et al.'s
// sampling with replacement, noisy replicas) share an id, which is what makes
// H(T|X) non-zero in I(X;T) = H(T) - H(T|X).
#ifndef MI_CORE_INPUT_IDS_HPP
#define MI_CORE_INPUT_IDS_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/whole_id.hpp"

namespace mi {

class input_ids {
public:
    /// Every row is a distinct input (for any number of rows).
    input_ids() = default;

    /// Arbitrary identities, integers or floating-point whole numbers (see mi/core/whole_id.hpp);
    /// renumbered 0..K-1 in order of first appearance.
    template <class Int>
    explicit input_ids(const std::vector<Int>& ids) {
        ids_ = detail::renumbered_ids(ids, "mi::input_ids", distinct_);
        explicit_ = true;
    }

    static input_ids distinct() { return input_ids(); }

    /// Rows of `x` that are bitwise equal get the same id.
    template <class T>
    static input_ids from_rows(const activation_view<T>& x) {
        using V = std::remove_const_t<T>;
        std::unordered_map<std::string, std::uint32_t> seen;
        std::vector<std::uint32_t> ids(x.rows());
        std::string key(x.cols() * sizeof(V), '\0');
        for (std::size_t i = 0; i < x.rows(); ++i) {
            for (std::size_t j = 0; j < x.cols(); ++j) {
                V v = x(i, j);
                if (v == V(0)) v = V(0);  // -0 and +0 are the same input
                std::memcpy(&key[j * sizeof(V)], &v, sizeof(V));
            }
            ids[i] = seen.emplace(key, static_cast<std::uint32_t>(seen.size())).first->second;
        }
        return input_ids(ids);
    }

    /// True when no ids were given: every row its own input.
    bool all_distinct() const noexcept { return !explicit_ || distinct_ == ids_.size(); }
    bool is_default() const noexcept { return !explicit_; }
    /// Number of rows described; 0 for the default (any number of rows).
    std::size_t size() const noexcept { return ids_.size(); }
    std::size_t distinct_count(std::size_t rows) const noexcept { return explicit_ ? distinct_ : rows; }
    std::uint32_t operator[](std::size_t i) const noexcept {
        return explicit_ ? ids_[i] : static_cast<std::uint32_t>(i);
    }

    /// Throws unless these ids describe `rows` samples.
    void check_rows(std::size_t rows, const char* where) const {
        if (explicit_ && ids_.size() != rows)
            detail::fail(where, "input_ids size", ids_.size(),
                         "the number of samples, " + std::to_string(rows));
    }

    /// The ids of the given rows; resampled rows keep their input's identity.
    input_ids subset(const std::vector<std::size_t>& rows) const {
        std::vector<std::uint32_t> out(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) out[i] = (*this)[rows[i]];
        return input_ids(out);
    }

private:
    std::vector<std::uint32_t> ids_;
    std::size_t distinct_ = 0;
    bool explicit_ = false;
};

}  // namespace mi

#endif
