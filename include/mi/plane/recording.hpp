// SPDX-License-Identifier: BSD-3-Clause
// mi::recording<T>: the activations of every layer at every recorded epoch,
// copied while the network trains, plus the one mi::samples (labels and input
// identities) that all of them share.
//
// Why a copy: a training loop overwrites its activation buffers at the next
// step, and an estimator that needs the whole history of a layer (global
// binning over all epochs) can only run after the last epoch. So observe()
// copies each (epoch, layer) into its own contiguous buffer, which the
// recording owns; views handed out stay valid until that same (epoch, layer)
// is observed again or the recording is destroyed.
//
// Bookkeeping rules, chosen so that a mistake deep in a training loop is
// caught at the observe() call that makes it, not as a wrong number later:
// - epochs are arbitrary non-negative integers (a log-spaced grid, every 20th
//   epoch, ...), stored in increasing order whatever the order of observe();
// - layers are indices 0..L-1 (any subset may be recorded);
// - every view has the same number of rows, equal to samples().size() once the
//   samples are set (set once, before or after the first observe());
// - a layer keeps its number of units across epochs;
// - observing an (epoch, layer) again replaces it (re-running an epoch);
// - empty views and NaN/Inf are rejected.
#ifndef MI_PLANE_RECORDING_HPP
#define MI_PLANE_RECORDING_HPP

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/rows.hpp"
#include "mi/core/samples.hpp"

namespace mi {

/// Epoch numbers: signed so that a negative value is caught, not wrapped.
using epoch_t = std::int64_t;

template <class T>
class recording {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                  "mi::recording<T>: T must be float or double");

public:
    using value_type = T;
    using view_type = activation_view<const T>;

    /// Layer indices above this are rejected (a negative int passed as a layer wraps to a huge value).
    static constexpr std::size_t max_layers = 1u << 16;

    /// An empty recording; set the samples with set_samples() before or after observing.
    recording() = default;

    /// An empty recording whose rows are described by `s`.
    explicit recording(mi::samples s) { set_samples(std::move(s)); }

    /// A recording of stored activations: activations[i][l] is layer l at epochs[i].
    recording(mi::samples s, const std::vector<epoch_t>& epochs,
              const std::vector<std::vector<view_type>>& activations) {
        set_samples(std::move(s));
        if (epochs.size() != activations.size())
            detail::fail("mi::recording", "activations.size()", activations.size(),
                         "one list of layers per epoch, " + std::to_string(epochs.size()));
        for (std::size_t i = 0; i < epochs.size(); ++i) {
            if (contains_epoch(epochs[i]))
                detail::fail("mi::recording", "epochs", epochs[i], "distinct epochs");
            for (std::size_t l = 0; l < activations[i].size(); ++l) observe(epochs[i], l, activations[i][l]);
        }
    }

    // ------------------------------------------------------------ filling

    /// Sets the labels and input identities every layer's rows share. Once only.
    void set_samples(mi::samples s) {
        constexpr const char* where = "mi::recording::set_samples";
        if (samples_) detail::fail(where, "samples", "already set", "samples to be set once per recording");
        if (s.size() == 0) detail::fail(where, "samples.size()", 0, "at least one labelled sample");
        if (rows_) s.check_rows(*rows_, where);
        samples_ = std::move(s);
        rows_ = samples_->size();
    }

    /// Copies the activations of `layer` at `epoch` (samples x units); replaces an earlier copy.
    void observe(epoch_t epoch, std::size_t layer, const view_type& activations) {
        constexpr const char* where = "mi::recording::observe";
        if (epoch < 0) detail::fail(where, "epoch", epoch, "a non-negative integer");
        if (layer >= max_layers)
            detail::fail(where, "layer", layer, "a layer index below " + std::to_string(max_layers));
        detail::check_activations(activations, where, "activations");
        if (samples_)
            samples_->check_rows(activations.rows(), where);
        else if (rows_)
            detail::check_same_rows(activations.rows(), *rows_, where, "activations rows");
        const auto w = widths_.find(layer);
        if (w != widths_.end() && w->second.cols != activations.cols()) {
            // Replacing the only copy of a layer may change its width; otherwise it is fixed.
            const bool only_copy = w->second.copies == 1 && entries_.count({epoch, layer}) == 1;
            if (!only_copy)
                detail::fail(where, "activations cols", activations.cols(),
                             "the width of layer " + std::to_string(layer) + " at its other epochs, " +
                                 std::to_string(w->second.cols));
        }

        entry e;
        e.rows = activations.rows();
        e.cols = activations.cols();
        e.data = detail::pooled_values(activations);
        const auto key = std::make_pair(epoch, layer);
        const bool replacing = entries_.count(key) == 1;
        entries_[key] = std::move(e);
        auto& width = widths_[layer];
        width.cols = activations.cols();
        if (!replacing) ++width.copies;
        if (!rows_) rows_ = activations.rows();
    }

    /// Any source mi::view() adapts (xtensor containers, xt::adapt-ed memory, ...).
    template <class Source,
              class = std::enable_if_t<!std::is_convertible_v<const Source&, view_type>>>
    void observe(epoch_t epoch, std::size_t layer, const Source& activations) {
        const auto v = mi::view(activations);
        static_assert(std::is_same_v<typename decltype(v)::value_type, T>,
                      "mi::recording<T>::observe: the activations' element type must be T "
                      "(use recording<float> for float activations, recording<double> for double)");
        observe(epoch, layer, view_type(v));
    }

    // ------------------------------------------------------------ reading

    bool has_samples() const noexcept { return samples_.has_value(); }

    /// The labels and input identities of the rows; throws if they were never set.
    const mi::samples& samples() const {
        if (!samples_)
            detail::fail("mi::recording::samples", "samples", "not set",
                         "set_samples() (or the samples constructor) before estimating");
        return *samples_;
    }

    /// Number of rows of every view (0 before anything is known).
    std::size_t rows() const noexcept { return rows_ ? *rows_ : 0; }

    /// Number of recorded (epoch, layer) pairs.
    std::size_t size() const noexcept { return entries_.size(); }
    bool empty() const noexcept { return entries_.empty(); }

    /// The recorded epochs, increasing.
    std::vector<epoch_t> epochs() const {
        std::vector<epoch_t> out;
        for (const auto& kv : entries_)
            if (out.empty() || out.back() != kv.first.first) out.push_back(kv.first.first);
        return out;
    }

    /// The recorded layer indices, increasing.
    std::vector<std::size_t> layers() const {
        std::vector<std::size_t> out;
        for (const auto& kv : widths_) out.push_back(kv.first);
        return out;
    }

    /// Number of units of a recorded layer.
    std::size_t units(std::size_t layer) const {
        const auto w = widths_.find(layer);
        if (w == widths_.end()) unknown("mi::recording::units", "layer", layer);
        return w->second.cols;
    }

    bool contains(epoch_t epoch, std::size_t layer) const { return entries_.count({epoch, layer}) == 1; }
    bool contains_epoch(epoch_t epoch) const {
        const auto it = entries_.lower_bound({epoch, 0});
        return it != entries_.end() && it->first.first == epoch;
    }

    /// True when every recorded epoch holds every recorded layer.
    bool complete() const noexcept { return entries_.size() == count_epochs() * widths_.size(); }

    /// The activations of `layer` at `epoch`; throws mi::error if that pair was not recorded.
    view_type at(epoch_t epoch, std::size_t layer) const {
        const auto it = entries_.find({epoch, layer});
        if (it == entries_.end()) {
            if (!contains_epoch(epoch)) unknown("mi::recording::at", "epoch", epoch);
            std::string there;
            for (auto e = entries_.lower_bound({epoch, 0}); e != entries_.end() && e->first.first == epoch; ++e)
                there += (there.empty() ? "" : ", ") + std::to_string(e->first.second);
            detail::fail("mi::recording::at", "layer", layer,
                         "a layer recorded at epoch " + std::to_string(epoch) + " (recorded there: " + there + ")");
        }
        return view_of(it->second);
    }

    /// The epochs at which `layer` was recorded, increasing.
    std::vector<epoch_t> epochs_of(std::size_t layer) const {
        std::vector<epoch_t> out;
        for (const auto& kv : entries_)
            if (kv.first.second == layer) out.push_back(kv.first.first);
        if (out.empty()) unknown("mi::recording::epochs_of", "layer", layer);
        return out;
    }

    /// Every recorded epoch of one layer, in epoch order (what for_layer estimators take).
    std::vector<view_type> layer_history(std::size_t layer) const {
        std::vector<view_type> out;
        for (const auto& kv : entries_)
            if (kv.first.second == layer) out.push_back(view_of(kv.second));
        if (out.empty()) unknown("mi::recording::layer_history", "layer", layer);
        return out;
    }

private:
    struct entry {
        std::vector<T> data;
        std::size_t rows = 0;
        std::size_t cols = 0;
    };
    struct width_info {
        std::size_t cols = 0;
        std::size_t copies = 0;
    };

    static view_type view_of(const entry& e) { return view_type(e.data.data(), e.rows, e.cols, e.cols); }

    std::size_t count_epochs() const noexcept {
        std::size_t n = 0;
        bool first = true;
        epoch_t last = 0;
        for (const auto& kv : entries_) {
            if (first || kv.first.first != last) ++n;
            first = false;
            last = kv.first.first;
        }
        return n;
    }

    template <class V>
    [[noreturn]] void unknown(const char* where, const char* argument, const V& value) const {
        std::string recorded;
        if (std::string(argument) == "epoch") {
            for (auto e : epochs()) recorded += (recorded.empty() ? "" : ", ") + std::to_string(e);
        } else {
            for (auto l : layers()) recorded += (recorded.empty() ? "" : ", ") + std::to_string(l);
        }
        if (recorded.size() > 200) recorded = recorded.substr(0, 200) + ", ...";
        detail::fail(where, argument, value,
                     std::string("a recorded ") + argument + " (recorded: " +
                         (recorded.empty() ? std::string("none") : recorded) + ")");
    }

    std::map<std::pair<epoch_t, std::size_t>, entry> entries_;
    std::map<std::size_t, width_info> widths_;
    std::optional<mi::samples> samples_;
    std::optional<std::size_t> rows_;
};

}  // namespace mi

#endif
