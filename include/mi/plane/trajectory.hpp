// SPDX-License-Identifier: BSD-3-Clause
// mi::trajectory: the information-plane path of every layer of one network
// under one estimator, i.e. one plane_point per recorded (epoch, layer), plus
// what is needed to read it without guessing: the estimator's name and
// parameters, the unit the numbers are reported in, and how the bootstrap
// interval (if any) was made.
//
// Units, one rule: a value read from a trajectory is in the trajectory's
// output unit (plane_options::output_unit, bits by default) unless the call
// names another: at(epoch, layer) gives output_unit(), at(epoch, layer, u)
// gives u, write_csv writes output_unit(). Storage is nats, exactly as the
// estimator returned them, so converting is a presentation step applied once
// at read-out (never twice). rows() and layer_path() expose that storage, in
// nats, for code that processes whole paths; in_unit(point, u) converts.
#ifndef MI_PLANE_TRAJECTORY_HPP
#define MI_PLANE_TRAJECTORY_HPP

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mi/core/error.hpp"
#include "mi/core/resampling.hpp"
#include "mi/core/units.hpp"
#include "mi/estimators/concept.hpp"
#include "mi/plane/recording.hpp"

namespace mi {

/// One point of the plane: layer `layer` at epoch `epoch` (values in nats).
struct trajectory_row {
    epoch_t epoch = 0;
    std::size_t layer = 0;
    plane_point point;
};

/// How the bootstrap intervals of a trajectory were made (resamples == 0: none).
/// The interval kind is mi::interval_kind(correction) (mi/plane/bootstrap.hpp).
struct bootstrap_settings {
    std::size_t resamples = 0;
    double confidence = 0.95;
    std::uint64_t seed = 0;
    resampling units = resampling::rows;  ///< what the half-samples were drawn from
    bias_correction correction = bias_correction::half_sample;  ///< the estimator's declared bias model
};

/// A plane point with every value (coordinates, bounds, intervals) expressed in `u`.
inline plane_point in_unit(const plane_point& nats, unit u) {
    const auto conv = [u](const std::optional<bounds>& b) -> std::optional<bounds> {
        if (!b) return std::nullopt;
        return bounds{mi::in_unit(b->lower, u), mi::in_unit(b->upper, u)};
    };
    plane_point p = nats;
    p.ixt = mi::in_unit(nats.ixt, u);
    p.ity = mi::in_unit(nats.ity, u);
    p.ixt_bounds = conv(nats.ixt_bounds);
    p.ity_bounds = conv(nats.ity_bounds);
    p.ixt_ci = conv(nats.ixt_ci);
    p.ity_ci = conv(nats.ity_ci);
    return p;
}

class trajectory {
public:
    trajectory() = default;

    /// Rows in any order; they are kept sorted by (epoch, layer). Duplicate pairs are rejected.
    trajectory(std::string estimator, std::string parameters, std::vector<trajectory_row> rows,
               unit output_unit = unit::bits, bootstrap_settings bootstrap = {})
        : estimator_(std::move(estimator)),
          parameters_(std::move(parameters)),
          rows_(std::move(rows)),
          unit_(output_unit),
          bootstrap_(bootstrap) {
        std::stable_sort(rows_.begin(), rows_.end(), [](const trajectory_row& a, const trajectory_row& b) {
            return a.epoch != b.epoch ? a.epoch < b.epoch : a.layer < b.layer;
        });
        for (std::size_t i = 1; i < rows_.size(); ++i)
            if (rows_[i].epoch == rows_[i - 1].epoch && rows_[i].layer == rows_[i - 1].layer)
                detail::fail("mi::trajectory", "rows", "(epoch " + std::to_string(rows_[i].epoch) +
                                                           ", layer " + std::to_string(rows_[i].layer) + ") twice",
                             "one row per (epoch, layer)");
    }

    /// The estimator's name() and parameters() ("key=value;key=value").
    const std::string& estimator() const noexcept { return estimator_; }
    const std::string& parameters() const noexcept { return parameters_; }

    /// The unit values are reported in (at(epoch, layer), CSV output).
    unit output_unit() const noexcept { return unit_; }
    void set_output_unit(unit u) noexcept { unit_ = u; }

    const bootstrap_settings& bootstrap() const noexcept { return bootstrap_; }

    /// All rows, sorted by (epoch, layer); values in nats.
    const std::vector<trajectory_row>& rows() const noexcept { return rows_; }
    std::size_t size() const noexcept { return rows_.size(); }
    bool empty() const noexcept { return rows_.empty(); }

    std::vector<epoch_t> epochs() const {
        std::vector<epoch_t> out;
        for (const auto& r : rows_)
            if (out.empty() || out.back() != r.epoch) out.push_back(r.epoch);
        return out;
    }
    std::vector<std::size_t> layers() const {
        std::vector<std::size_t> out;
        for (const auto& r : rows_) out.push_back(r.layer);
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
    }

    /// The path of one layer through the plane: its rows in epoch order, in nats (empty if never recorded).
    std::vector<trajectory_row> layer_path(std::size_t layer) const {
        std::vector<trajectory_row> out;
        for (const auto& r : rows_)
            if (r.layer == layer) out.push_back(r);
        return out;
    }

    bool contains(epoch_t epoch, std::size_t layer) const noexcept { return find(epoch, layer) != nullptr; }

    /// The point of `layer` at `epoch`, in output_unit(); throws mi::error if there is none.
    plane_point at(epoch_t epoch, std::size_t layer) const { return at(epoch, layer, unit_); }

    /// The point of `layer` at `epoch`, in `u`.
    plane_point at(epoch_t epoch, std::size_t layer, unit u) const {
        if (const auto* p = find(epoch, layer)) return in_unit(*p, u);
        detail::fail("mi::trajectory::at", "(epoch, layer)",
                     "(" + std::to_string(epoch) + ", " + std::to_string(layer) + ")",
                     "a pair in the trajectory (" + std::to_string(rows_.size()) + " rows)");
    }

private:
    const plane_point* find(epoch_t epoch, std::size_t layer) const noexcept {
        const auto it = std::lower_bound(rows_.begin(), rows_.end(), std::make_pair(epoch, layer),
                                         [](const trajectory_row& r, const std::pair<epoch_t, std::size_t>& k) {
                                             return r.epoch != k.first ? r.epoch < k.first : r.layer < k.second;
                                         });
        if (it == rows_.end() || it->epoch != epoch || it->layer != layer) return nullptr;
        return &it->point;
    }

    std::string estimator_;
    std::string parameters_;
    std::vector<trajectory_row> rows_;
    unit unit_ = unit::bits;
    bootstrap_settings bootstrap_;
};

}  // namespace mi

#endif
