// SPDX-License-Identifier: BSD-3-Clause
// mi::information_plane: runs one plane estimator over every recorded
// (epoch, layer) of a recording and returns the trajectory, optionally with a
// bootstrap interval for both coordinates (mi/plane/bootstrap.hpp).
//
// Why it is written once, for any estimator: every estimator models the
// concept of mi/estimators/concept.hpp (point(view, samples), name(), parameters()),
// so the bookkeeping that information-plane studies repeat by hand (loop over
// epochs and layers, keep labels and inputs aligned, resample, convert units,
// write tidy output) lives here and nowhere else.
//
// Parallelism and determinism: the work items are the (epoch, layer) pairs
// times (1 + B) replicates (replicate 0 is the full data). They run through
// mi::parallel_for, each writes its own slot, and the intervals are computed
// afterwards in index order. Replicate b of (epoch #i, layer l) draws its rows
// from mi::rng(mi::derive_seed(seed, i, l, b)), where i is the position of the
// epoch in recording.epochs(); so the numbers do not depend on the thread
// count or on the order in which items run. An estimator's own parallel loops
// run serially inside an item (parallel_for nesting), so cores are not
// oversubscribed.
//
// Bootstrap: each replicate is a half-sample of the resampling units the
// estimator declares (mi::resampling: rows, inputs with all their rows, or
// replica groups; mi/core/resampling.hpp), and the interval is the basic
// interval on those half-samples, widened to contain the estimate; why, and
// the references, in mi/plane/bootstrap.hpp. Drawn rows keep their label and
// input identity, their network input rows and replica groups
// (mi::samples::subset). An estimator that declares mi::resampling::none (it
// holds row-aligned data of its own), or declares nothing (a user-defined
// estimator), is refused with mi::error before anything runs.
//
// Estimators that need every epoch of a layer first (needs_layer_history_v,
// e.g. global binning) are configured once per layer with
// estimator.for_layer(all recorded epochs of that layer, in epoch order); the
// configured estimator then serves that layer's points and its bootstrap
// replicates (the configuration is part of the estimator, not re-fitted per
// resample).
#ifndef MI_PLANE_INFORMATION_PLANE_HPP
#define MI_PLANE_INFORMATION_PLANE_HPP

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/random.hpp"
#include "mi/core/resampling.hpp"
#include "mi/core/rows.hpp"
#include "mi/core/samples.hpp"
#include "mi/core/units.hpp"
#include "mi/plane/bootstrap.hpp"
#include "mi/estimators/concept.hpp"
#include "mi/plane/recording.hpp"
#include "mi/plane/trajectory.hpp"

namespace mi {

struct plane_options {
    /// Threads for the (epoch, layer, replicate) items; 0 = mi::num_threads() (all cores).
    std::size_t threads = 0;
    /// The unit the trajectory reports (trajectory::at(e, l), CSV). Values are kept in nats.
    /// Bits by default, the unit of the information-plane figures in the literature.
    unit output_unit = unit::bits;
    /// Bootstrap half-samples B per (epoch, layer); 0 = no interval, otherwise at least 2
    /// (mi/plane/bootstrap.hpp; the estimator must declare its mi::resampling).
    std::size_t bootstrap = 0;
    /// Seed of the bootstrap resampling.
    std::uint64_t seed = 0;
    /// Coverage of the interval, in (0, 1).
    double confidence = 0.95;
    /// Called after each estimate (a point or one of its bootstrap replicates) as
    /// progress(done, total), from whichever thread finished it, never two calls at once.
    /// Returning false cancels: estimates not yet started are skipped and information_plane
    /// throws mi::cancelled once the running ones finish. Empty: no calls.
    std::function<bool(std::size_t done, std::size_t total)> progress;
};

namespace detail {

/// The most bootstrap resamples per point, and the most replicate estimates per plane
/// (each is kept until its point's interval is computed: 16 bytes, so 2 GiB at the cap).
inline constexpr std::size_t max_bootstrap = 100000;
inline constexpr std::size_t max_replicates = std::size_t(1) << 27;

inline void check_plane_options(const plane_options& opt) {
    constexpr const char* where = "mi::information_plane";
    if (opt.bootstrap == 1)
        fail(where, "options.bootstrap", opt.bootstrap, "0 (off) or at least 2 resamples (hundreds in practice)");
    if (opt.bootstrap > max_bootstrap)
        fail(where, "options.bootstrap", opt.bootstrap,
             "at most " + std::to_string(max_bootstrap) + " resamples (a 95% interval is stable at 1000-2000)");
    if (!(opt.confidence > 0.0 && opt.confidence < 1.0))
        fail(where, "options.confidence", opt.confidence, "a level in (0, 1), e.g. 0.95");
}

inline void check_point(const plane_point& p, const std::string& estimator, epoch_t epoch, std::size_t layer) {
    if (std::isfinite(p.ixt) && std::isfinite(p.ity)) return;
    fail("mi::information_plane", ("estimator " + estimator + " result at (epoch " + std::to_string(epoch) +
                                   ", layer " + std::to_string(layer) + ")")
                                      .c_str(),
         "(" + to_text(p.ixt) + ", " + to_text(p.ity) + ")", "finite I(X;T) and I(T;Y)");
}

template <class E, class T>
using layer_estimator_t =
    std::decay_t<decltype(std::declval<const E&>().for_layer(std::declval<const std::vector<activation_view<const T>>&>()))>;

// The estimator each layer is served by: E itself, or what E::for_layer returned.
template <class E, class T, bool History = needs_layer_history_v<E, T>>
struct layer_estimators {
    using served = E;
    const E& e;
    layer_estimators(const E& est, const recording<T>&, const std::vector<std::size_t>&, std::size_t) : e(est) {}
    const E& operator[](std::size_t) const noexcept { return e; }
};

template <class E, class T>
struct layer_estimators<E, T, true> {
    using configured = layer_estimator_t<E, T>;
    using served = configured;
    static_assert(is_plane_estimator_v<configured, T>,
                  "mi::information_plane: E::for_layer(epochs) must return a plane estimator "
                  "(point(activation_view<const T>, samples) -> plane_point, name(), parameters())");
    std::vector<std::optional<configured>> per_layer;  // indexed by position in recording.layers()

    layer_estimators(const E& est, const recording<T>& rec, const std::vector<std::size_t>& layers,
                     std::size_t threads)
        : per_layer(layers.size()) {
        parallel_for(
            layers.size(), [&](std::size_t k) { per_layer[k].emplace(est.for_layer(rec.layer_history(layers[k]))); },
            threads);
    }
    const configured& operator[](std::size_t k) const noexcept { return *per_layer[k]; }
};

/// Refuses a bootstrap for an estimator without a valid resampling scheme (see mi/core/resampling.hpp).
template <class S>
void check_resampling(const plane_options& opt, const std::string& estimator) {
    if (opt.bootstrap == 0) return;
    if (!resampling_of<S>::declared)
        fail("mi::information_plane", "options.bootstrap", opt.bootstrap,
             "0 for estimator " + estimator +
                 ", which declares no resampling scheme; if its point() depends only on the rows and "
                 "mi::samples it is given, declare `static constexpr mi::resampling resampling = "
                 "mi::resampling::rows;` (or input_groups, replica_groups) in it, or specialise "
                 "mi::resampling_of");
    if (resampling_of_v<S> == resampling::none)
        fail("mi::information_plane", "options.bootstrap", opt.bootstrap,
             "0 for estimator " + estimator +
                 ", which declares mi::resampling::none: it holds data of its own row-aligned with the "
                 "layer (e.g. the network input X), which a resample of the layer's rows would misalign");
}

/// The resampling units of one layer under its estimator's declaration.
template <class S>
resampling_units units_for(const samples& s, const std::string& estimator) {
    return units_of(resampling_of_v<S>, s, s.size(), estimator);
}

template <class T, class E>
trajectory run_information_plane(const recording<T>& rec, const E& estimator, const plane_options& options) {
    constexpr const char* where = "mi::information_plane";
    detail::check_plane_options(options);
    if (rec.empty()) detail::fail(where, "recording", "empty", "at least one observed (epoch, layer)");
    const mi::samples& s = rec.samples();
    const std::string name = estimator.name();

    const std::vector<epoch_t> epochs = rec.epochs();
    const std::vector<std::size_t> layers = rec.layers();
    struct item {
        std::size_t epoch_index;
        std::size_t layer_index;
    };
    std::vector<item> items;
    items.reserve(rec.size());
    for (std::size_t i = 0; i < epochs.size(); ++i)
        for (std::size_t k = 0; k < layers.size(); ++k)
            if (rec.contains(epochs[i], layers[k])) items.push_back({i, k});

    using served = typename detail::layer_estimators<E, T>::served;
    check_resampling<served>(options, name);
    const detail::layer_estimators<E, T> per_layer(estimator, rec, layers, options.threads);
    // The resampling units (the same for every layer: they come from the samples), only when resampling.
    const resampling_units units = options.bootstrap > 0 ? units_for<served>(s, name) : resampling_units();

    const std::size_t reps = 1 + options.bootstrap;
    if (options.bootstrap > 0 && items.size() > max_replicates / options.bootstrap)
        detail::fail(where, "options.bootstrap", options.bootstrap,
                     "fewer resamples for " + std::to_string(items.size()) + " points (at most " +
                         std::to_string(max_replicates) + " replicate estimates per plane)");
    // The full-data point of each item, and only (ixt, ity) of each replicate.
    std::vector<plane_point> results(items.size());
    std::vector<double> replicates(2 * items.size() * options.bootstrap);
    const std::size_t jobs = items.size() * reps;
    std::mutex progress_mutex;
    std::size_t done = 0;
    std::atomic<bool> stop{false};
    parallel_for(
        jobs,
        [&](std::size_t job) {
            if (stop.load(std::memory_order_relaxed)) return;
            const item& it = items[job / reps];
            const std::size_t b = job % reps;
            const epoch_t epoch = epochs[it.epoch_index];
            const std::size_t layer = layers[it.layer_index];
            const auto& est = per_layer[it.layer_index];
            const activation_view<const T> v = rec.at(epoch, layer);
            plane_point p;
            if (b == 0) {
                p = est.point(v, s);
            } else {
                rng r(derive_seed(options.seed, it.epoch_index, layer, b));
                const std::vector<std::size_t> rows = half_sample(units, r);
                std::vector<T> buffer;
                const auto resampled = detail::gather_rows(v, rows, buffer);
                p = est.point(resampled, s.subset(rows));
            }
            detail::check_point(p, name, epoch, layer);
            if (b == 0) {
                results[job / reps] = p;
            } else {
                const std::size_t slot = (job / reps) * options.bootstrap + (b - 1);
                replicates[2 * slot] = p.ixt;
                replicates[2 * slot + 1] = p.ity;
            }
            if (options.progress) {
                std::lock_guard<std::mutex> lock(progress_mutex);
                if (!stop.load(std::memory_order_relaxed) && !options.progress(++done, jobs))
                    stop.store(true, std::memory_order_relaxed);
            }
        },
        options.threads);
    if (stop.load())
        throw cancelled("mi::information_plane: cancelled by the progress callback after " + std::to_string(done) +
                        " of " + std::to_string(jobs) + " estimates (estimator " + name + ")");

    std::vector<trajectory_row> rows;
    rows.reserve(items.size());
    std::vector<double> ixt(options.bootstrap), ity(options.bootstrap);
    for (std::size_t i = 0; i < items.size(); ++i) {
        trajectory_row row{epochs[items[i].epoch_index], layers[items[i].layer_index], results[i]};
        if (options.bootstrap > 0) {
            for (std::size_t b = 0; b < options.bootstrap; ++b) {
                ixt[b] = replicates[2 * (i * options.bootstrap + b)];
                ity[b] = replicates[2 * (i * options.bootstrap + b) + 1];
            }
            const resampling_units& u = units;
            constexpr bias_correction correction = bias_correction_of_v<served>;
            row.point.ixt_ci = interval_for(correction, ixt, row.point.ixt, u.half(), u.count(), options.confidence);
            row.point.ity_ci = interval_for(correction, ity, row.point.ity, u.half(), u.count(), options.confidence);
        }
        rows.push_back(std::move(row));
    }
    return trajectory(name, estimator.parameters(), std::move(rows), options.output_unit,
                      bootstrap_settings{options.bootstrap, options.confidence, options.seed,
                                         options.bootstrap > 0 ? resampling_of_v<served> : resampling::none,
                                         bias_correction_of_v<served>});
}

}  // namespace detail

/// The information plane of every recorded (epoch, layer) under `estimator`.
template <class T, class E>
trajectory information_plane(const recording<T>& rec, const E& estimator, const plane_options& options = {}) {
    static_assert(is_plane_estimator_v<E, T>,
                  "mi::information_plane: the estimator does not model the plane-estimator concept for this "
                  "recording's element type: it needs `mi::plane_point point(const mi::activation_view<const T>&, "
                  "const mi::samples&) const`, `std::string name() const` and `std::string parameters() const` "
                  "(see mi/estimators/concept.hpp)");
    if constexpr (is_plane_estimator_v<E, T>)
        return detail::run_information_plane(rec, estimator, options);
    else
        return trajectory();  // unreachable: the static_assert above stops the build
}

/// The planes of several estimators on the same recording, one trajectory each, in argument order.
template <class T, class... E>
std::vector<trajectory> information_planes(const recording<T>& rec, const plane_options& options,
                                           const E&... estimators) {
    static_assert(sizeof...(E) > 0, "mi::information_planes: give at least one estimator");
    return {information_plane(rec, estimators, options)...};
}

}  // namespace mi

#endif
