// SPDX-License-Identifier: BSD-3-Clause
// mi::replica_groups: which rows of a noisy network's layer are replicas of
// one input draw (R forward passes of the same input, fresh noise in each),
// for sample propagation's h(T|X) (Goldfeld et al., ICML 2019). It travels in
// mi::samples, so the plane driver's bootstrap resamples whole groups and the
// estimator needs no row-layout convention.
//
// Why not mi::input_ids: two draws of the same input (Goldfeld et al. sample
// inputs with replacement) are separate draws, each with its own replicas,
// and h(T|X) averages over draws; input ids would merge them.
//
//   mi::replica_groups::consecutive(R)   rows i R .. i R + R - 1 are draw i
//   mi::replica_groups(ids)              row j belongs to draw ids[j]
#ifndef MI_CORE_REPLICA_GROUPS_HPP
#define MI_CORE_REPLICA_GROUPS_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mi/core/error.hpp"
#include "mi/core/whole_id.hpp"

namespace mi {

class replica_groups {
public:
    /// No replica structure (a deterministic network, or a first noisy layer).
    replica_groups() = default;

    /// Groups of `replicas` consecutive rows (for any multiple of `replicas` rows).
    static replica_groups consecutive(std::size_t replicas) {
        if (replicas == 0) detail::fail("mi::replica_groups::consecutive", "replicas", replicas, ">= 1");
        replica_groups g;
        g.period_ = replicas;
        return g;
    }

    /// The draw of each row: integers or floating-point whole numbers, renumbered in order of first appearance.
    template <class Int>
    explicit replica_groups(const std::vector<Int>& ids) {
        ids_ = detail::renumbered_ids(ids, "mi::replica_groups", count_);
        if (ids_.empty()) detail::fail("mi::replica_groups", "ids", "an empty list", "one draw id per row");
    }

    bool empty() const noexcept { return period_ == 0 && ids_.empty(); }

    /// Throws unless these groups describe a layer of `rows` rows.
    void check_rows(std::size_t rows, const char* where) const {
        if (empty())
            detail::fail(where, "samples.replicas()", "none",
                         "replica groups (mi::replica_groups::consecutive(R) or per-row draw ids)");
        if (period_ != 0 && rows % period_ != 0)
            detail::fail(where, "layer rows", rows,
                         "a multiple of " + std::to_string(period_) + " (consecutive groups of that many replicas)");
        if (period_ == 0 && ids_.size() != rows)
            detail::fail(where, "replica group ids", ids_.size(), "one per layer row, " + std::to_string(rows));
    }

    /// The rows of each group, groups in order of first appearance, rows in increasing order.
    std::vector<std::vector<std::size_t>> groups(std::size_t rows, const char* where) const {
        check_rows(rows, where);
        std::vector<std::vector<std::size_t>> out(period_ != 0 ? rows / period_ : count_);
        for (std::size_t i = 0; i < rows; ++i) out[period_ != 0 ? i / period_ : ids_[i]].push_back(i);
        return out;
    }

    /// The groups of the given rows: a row keeps its draw.
    replica_groups subset(const std::vector<std::size_t>& rows) const {
        if (empty()) return {};
        std::vector<std::uint64_t> ids(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            if (period_ == 0 && rows[i] >= ids_.size())
                detail::fail("mi::replica_groups::subset", "row", rows[i], "< " + std::to_string(ids_.size()));
            ids[i] = period_ != 0 ? rows[i] / period_ : ids_[rows[i]];
        }
        return rows.empty() ? replica_groups() : replica_groups(ids);
    }

private:
    std::size_t period_ = 0;            // consecutive groups of this many rows; 0: explicit ids
    std::vector<std::uint32_t> ids_;    // explicit: the draw of each row, 0..count_-1
    std::size_t count_ = 0;
};

}  // namespace mi

#endif
