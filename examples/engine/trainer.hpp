// SPDX-License-Identifier: BSD-3-Clause
// The training loop of the reference engine, with the recording hooks the
// information-plane experiments need: at a chosen set of epochs, the output
// of every layer (all hidden layers, then the output layer's softmax / sigmoid
// / f(z)) on a chosen sample set goes to a recorder (mi::recording<T>, or
// anything with observe(epoch, layer, mi::activation_view<const T>)), and per
// epoch the trainer keeps train/test loss and accuracy, the Frobenius norm of
// every weight matrix and the norms of the mean and of the standard deviation
// of that epoch's mini-batch weight gradients (the gradient signal-to-noise
// ratio ||mean|| / ||std|| of Shwartz-Ziv & Tishby 2017 and Saxe et al. 2018
// App. I; ibsgd's loggingreporter computes the same from the batches of the
// recorded epoch).
//
// Conventions (the papers differ; both are options):
// - record_time::epoch_start (IDNNs, Chelombiev): epoch e is the state before
//   epoch e's updates, so e = 0 is the initialisation; epoch_end (ibsgd,
//   smoothMI): the state after epoch e's updates (e = 0 after one epoch).
//   Loss/accuracy rows use the same moment as the recording; the gradient
//   statistics of row e are always those of epoch e's mini-batches (gradients
//   of the data loss, without the weight-decay term). Recording epochs at or
//   beyond options.epochs are never reached and are ignored.
// - batch_order::shuffled reshuffles the training set every epoch (Keras fit,
//   PyTorch DataLoader(shuffle=True)); consecutive takes fixed slices of the
//   training set in its stored order (IDNNs, adaptive_estimators). Either way
//   the last partial batch is kept. batch_size = 0 is full-batch gradient
//   descent.
// - Noise (network_config::noise_std > 0) is on during training and during
//   recording, off when loss and accuracy are evaluated (Goldfeld et al.'s
//   train/eval modes).
// Randomness: epoch e's shuffle uses mi::derive_seed(seed, 2, e); the noise of
// batch i of epoch e derive_seed(seed, 3, e, i), that of the recording pass
// derive_seed(seed, 4, e). Nothing depends on the thread count: the engine is
// single-threaded apart from OpenBLAS inside the large products.
// Resuming: train_from() continues from a train_progress (epochs done, batch
// order, metrics, optimizer state) and hands one to a callback after every
// epoch; with the network's weights that is all a run's future depends on, so
// a run stopped and continued takes bit for bit the same steps.
#ifndef MI_EXAMPLES_ENGINE_TRAINER_HPP
#define MI_EXAMPLES_ENGINE_TRAINER_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/dataset.hpp"
#include "engine/network.hpp"
#include "engine/optimizer.hpp"
#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/random.hpp"

namespace mi_examples::engine {

enum class batch_order { shuffled, consecutive };
enum class record_time { epoch_start, epoch_end };

struct epoch_metrics {
    std::size_t epoch = 0;
    bool recorded = false;  ///< activations were recorded at this epoch
    double train_loss = std::numeric_limits<double>::quiet_NaN();
    double train_accuracy = std::numeric_limits<double>::quiet_NaN();
    double test_loss = std::numeric_limits<double>::quiet_NaN();
    double test_accuracy = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> weight_norm;     ///< ||W_l||_F per layer
    std::vector<double> grad_mean_norm;  ///< ||mean over batches of dL/dW_l||_F
    std::vector<double> grad_std_norm;   ///< ||std over batches of dL/dW_l||_F (population std)
};

struct train_options {
    std::size_t epochs = 1000;
    std::size_t batch_size = 256;  ///< 0: full batch (gradient descent)
    batch_order order = batch_order::shuffled;
    optimizer_config optimizer = optimizer_config::adam();
    std::uint64_t seed = 0;  ///< batches and noise (the network's initialisation has its own seed)
    std::vector<std::size_t> record_epochs;  ///< epochs at which activations are recorded
    record_time when = record_time::epoch_end;
    bool metrics_every_epoch = true;  ///< false: loss/accuracy only at recorded epochs
    bool gradient_stats = true;
    std::size_t eval_chunk = 4096;  ///< samples per forward pass when evaluating / recording
    /// Called with each metrics row, always after that epoch's updates: with record_time::epoch_start
    /// the row describes the network before them, while the network the callback may inspect is after.
    std::function<void(const epoch_metrics&)> on_epoch;
};

/// A recorder that keeps nothing (training without recording).
struct null_recorder {
    template <class V>
    void observe(std::int64_t, std::size_t, const V&) {}
};

/// Loss (mean) and accuracy on a dataset, noise off.
struct evaluation {
    double loss = 0.0;
    double accuracy = std::numeric_limits<double>::quiet_NaN();
};

namespace detail {

/// ws.input (d x batch, feature-major) = rows idx[0..batch) of data.x.
template <class T>
void gather(const dataset<T>& data, const std::size_t* idx, std::size_t batch, workspace<T>& ws,
            std::vector<std::uint32_t>& labels, std::vector<T>& targets) {
    const std::size_t d = data.d;
    T* in = ws.input.data();
    // Sixteen samples at a time, so that each feature's row of the batch gets 16 adjacent values (a
    // cache line of floats) per pass. One sample at a time wrote one value per line, d lines a batch
    // apart: at batch 1024 and 784 pixels that is a 3 MB stride pattern, every store a cache miss
    // (18 % of compressed_mnist --full's time).
    constexpr std::size_t block = 16;
    for (std::size_t b0 = 0; b0 < batch; b0 += block) {
        const std::size_t nb = std::min(block, batch - b0);
        const T* rows[block];
        for (std::size_t t = 0; t < nb; ++t) rows[t] = data.x.data() + idx[b0 + t] * d;
        for (std::size_t i = 0; i < d; ++i) {
            T* out = in + i * batch + b0;
            for (std::size_t t = 0; t < nb; ++t) out[t] = rows[t][i];
        }
    }
    labels.resize(data.labels.empty() ? 0 : batch);
    for (std::size_t b = 0; b < labels.size(); ++b) labels[b] = data.labels[idx[b]];
    targets.resize(data.targets.empty() ? 0 : data.k * batch);
    if (!targets.empty())
        for (std::size_t b = 0; b < batch; ++b)
            for (std::size_t j = 0; j < data.k; ++j) targets[j * batch + b] = data.targets[idx[b] * data.k + j];
}

template <class T>
batch_targets<T> targets_of(const std::vector<std::uint32_t>& labels, const std::vector<T>& targets) {
    return {labels.empty() ? nullptr : labels.data(), targets.empty() ? nullptr : targets.data()};
}

template <class T>
void check_compatible(const network<T>& net, const dataset<T>& data, const char* where, const char* name) {
    data.check(where);
    if (data.d != net.inputs())
        mi::detail::fail(where, (std::string(name) + " inputs").c_str(), data.d,
                         "the network's inputs, " + std::to_string(net.inputs()));
    if (data.has_targets() && data.k != net.outputs())
        mi::detail::fail(where, (std::string(name) + " target width").c_str(), data.k,
                         "the network's outputs, " + std::to_string(net.outputs()));
    if (!data.has_targets() && net.config().output.loss != loss_kind::softmax_cross_entropy && net.outputs() > 1 &&
        data.classes > net.outputs())
        mi::detail::fail(where, (std::string(name) + " classes").c_str(), data.classes,
                         "at most the network's outputs, " + std::to_string(net.outputs()));
    if (!data.has_targets() && net.outputs() == 1 && data.classes > 2)
        mi::detail::fail(where, (std::string(name) + " classes").c_str(), data.classes,
                         "at most 2 for a network with one output unit");
    if (data.has_labels() && net.config().output.loss == loss_kind::softmax_cross_entropy &&
        data.classes > net.outputs())
        mi::detail::fail(where, (std::string(name) + " classes").c_str(), data.classes,
                         "at most the network's outputs, " + std::to_string(net.outputs()));
}

}  // namespace detail

/// evaluate() in a workspace of the caller's, of capacity >= min(chunk, data.n): the trainer
/// evaluates twice per epoch, and a fresh workspace each time (megabytes, zero-filled, mapped and
/// unmapped) cost more than the small SZT network's forward pass. Same chunks, same numbers.
template <class T>
evaluation evaluate_in(const network<T>& net, const dataset<T>& data, std::size_t chunk, workspace<T>& ws) {
    detail::check_compatible(net, data, "mi_examples::engine::evaluate", "data");
    chunk = std::max<std::size_t>(1, std::min(chunk, data.n));
    // gather writes a chunk into ws.input before forward() checks the batch: refuse a small workspace here
    if (ws.input.size() < net.inputs() * chunk || ws.z.size() != net.num_layers())
        mi::detail::fail("mi_examples::engine::evaluate_in", "workspace capacity",
                         ws.input.size() / std::max<std::size_t>(1, net.inputs()),
                         "at least the chunk, " + std::to_string(chunk) + " samples, of a workspace of this network");
    std::vector<std::size_t> idx(chunk);
    std::vector<std::uint32_t> labels;
    std::vector<T> targets;
    double total = 0.0;
    std::size_t correct = 0;
    for (std::size_t start = 0; start < data.n; start += chunk) {
        const std::size_t batch = std::min(chunk, data.n - start);
        std::iota(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(batch), start);
        detail::gather(data, idx.data(), batch, ws, labels, targets);
        net.forward(ws, batch, nullptr);
        total += net.loss(ws, detail::targets_of(labels, targets), false, data.has_labels() ? &correct : nullptr);
    }
    evaluation e;
    e.loss = total / static_cast<double>(data.n);
    if (data.has_labels()) e.accuracy = static_cast<double>(correct) / static_cast<double>(data.n);
    return e;
}

/// Mean loss and accuracy (if labelled) of `net` on `data`, noise off.
template <class T>
evaluation evaluate(const network<T>& net, const dataset<T>& data, std::size_t chunk = 4096) {
    auto ws = net.make_workspace(std::max<std::size_t>(1, std::min(chunk, data.n)));
    return evaluate_in(net, data, chunk, ws);
}

namespace detail {

// Every layer's output on `data`, samples x units, row-major. With before_noise, a noisy hidden
// layer gives its value before its own noise is added (ws.clean), still carrying the noise of
// the layers below it.
template <class T>
std::vector<std::vector<T>> collect_layer_outputs(const network<T>& net, const dataset<T>& data,
                                                  std::uint64_t noise_seed, std::size_t chunk, bool before_noise,
                                                  const char* where) {
    if (data.n == 0 || data.d != net.inputs())
        mi::detail::fail(where, "data inputs", data.d,
                         "the network's inputs, " + std::to_string(net.inputs()) + ", and at least one sample");
    chunk = std::max<std::size_t>(1, std::min(chunk, data.n));
    auto ws = net.make_workspace(chunk);
    mi::rng noise(noise_seed);
    const bool noisy = net.config().noise_std > 0.0;
    std::vector<std::vector<T>> out;
    for (std::size_t l = 0; l < net.num_layers(); ++l) out.emplace_back(data.n * net.at(l).out);
    std::vector<std::size_t> idx(chunk);
    std::vector<std::uint32_t> labels;
    std::vector<T> targets;
    for (std::size_t start = 0; start < data.n; start += chunk) {
        const std::size_t batch = std::min(chunk, data.n - start);
        std::iota(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(batch), start);
        gather(data, idx.data(), batch, ws, labels, targets);
        net.forward(ws, batch, noisy ? &noise : nullptr);
        for (std::size_t l = 0; l < net.num_layers(); ++l) {
            const std::size_t units = net.at(l).out;
            const bool hidden = l + 1 < net.num_layers();
            const T* a = before_noise && noisy && hidden ? ws.clean[l].data() : ws.a[l].data();
            T* dst = out[l].data() + start * units;
            for (std::size_t b = 0; b < batch; ++b)
                for (std::size_t j = 0; j < units; ++j) dst[b * units + j] = a[j * batch + b];
        }
    }
    return out;
}

}  // namespace detail

/// Every layer's output on `data` (samples x units, row-major), hidden layers
/// first; with noise_std > 0 the hidden layers carry noise drawn from `noise_seed`.
template <class T>
std::vector<std::vector<T>> layer_outputs(const network<T>& net, const dataset<T>& data, std::uint64_t noise_seed,
                                          std::size_t chunk = 4096) {
    return detail::collect_layer_outputs(net, data, noise_seed, chunk, false, "mi_examples::engine::layer_outputs");
}

/// The samples S_l that Goldfeld et al. 2019's sample-propagation estimator
/// needs from a noisy network (T_l = S_l + Z_l): each hidden layer's value
/// BEFORE its own noise is added, computed from the noisy layers below it
/// (noise drawn from `noise_seed`), and the output layer's outputs as in
/// layer_outputs. Repeat rows of `data` (dataset::subset) to get independent
/// noisy replicas of an input. Without noise it equals layer_outputs.
template <class T>
std::vector<std::vector<T>> pre_noise_layer_outputs(const network<T>& net, const dataset<T>& data,
                                                    std::uint64_t noise_seed, std::size_t chunk = 4096) {
    return detail::collect_layer_outputs(net, data, noise_seed, chunk, true,
                                         "mi_examples::engine::pre_noise_layer_outputs");
}

/// Where a training run stands between two epochs: together with the network's weights, everything
/// train_from() needs to continue it exactly as if it had not stopped (checkpoint and resume,
/// examples/reproduce/checkpoint.hpp). Each epoch's shuffle permutes the previous epoch's order, so the
/// order is state; the gradient statistics restart at every epoch and are not.
template <class T>
struct train_progress {
    std::size_t next_epoch = 0;          ///< epochs done
    std::vector<std::size_t> order;      ///< the training set's batch order (empty: not started)
    std::vector<epoch_metrics> history;  ///< the metrics rows so far
    typename optimizer<T>::state optimizer;
};

/// Called after every epoch with the network and the progress (both as they are after that epoch);
/// returns true to stop training there (the caller has saved what it needs to resume).
template <class T>
using epoch_boundary = std::function<bool(const network<T>&, const train_progress<T>&)>;

/// train() from `progress` (a fresh one: from the start), leaving the progress after the last epoch
/// done in it; stops early when `boundary` returns true (progress.next_epoch < options.epochs then).
template <class T, class Recorder = null_recorder>
void train_from(network<T>& net, const dataset<T>& train_set, const dataset<T>* test, const dataset<T>& record_on,
                Recorder& recorder, const train_options& options, train_progress<T>& progress,
                const epoch_boundary<T>& boundary = {}) {
    const char* where = "mi_examples::engine::train";
    detail::check_compatible(net, train_set, where, "train");
    if (test) detail::check_compatible(net, *test, where, "test");
    if (!options.record_epochs.empty() && (record_on.n == 0 || record_on.d != net.inputs()))
        mi::detail::fail(where, "record_on inputs", record_on.d,
                         "the network's inputs, " + std::to_string(net.inputs()) + ", and at least one sample");
    std::vector<std::size_t> record_epochs = options.record_epochs;
    std::sort(record_epochs.begin(), record_epochs.end());
    const std::size_t batch_size =
        options.batch_size == 0 ? train_set.n : std::min(options.batch_size, train_set.n);
    const std::size_t n_layers = net.num_layers();

    optimizer<T> opt(options.optimizer, net);
    if (progress.next_epoch > 0) opt.restore(progress.optimizer);
    auto ws = net.make_workspace(batch_size);
    std::vector<std::size_t>& order = progress.order;
    if (order.empty()) {
        order.resize(train_set.n);
        std::iota(order.begin(), order.end(), std::size_t(0));
    } else if (order.size() != train_set.n) {
        mi::detail::fail(where, "progress.order size", order.size(),
                         "the training set's size, " + std::to_string(train_set.n));
    } else {
        // A resumed order indexes the training rows: a permutation of them, or the batches would read
        // outside the set (a checkpoint's payload is checksummed, not trusted).
        std::vector<bool> seen(train_set.n, false);
        for (std::size_t i = 0; i < order.size(); ++i) {
            if (order[i] >= train_set.n || seen[order[i]])
                mi::detail::fail(where, ("progress.order[" + std::to_string(i) + "]").c_str(), order[i],
                                 "a permutation of the training rows 0.." + std::to_string(train_set.n - 1) +
                                     (order[i] < train_set.n ? " (this row appears twice)" : ""));
            seen[order[i]] = true;
        }
    }
    std::vector<std::uint32_t> labels;
    std::vector<T> targets;
    std::vector<std::vector<double>> g_sum(n_layers), g_sq(n_layers);
    for (std::size_t l = 0; l < n_layers; ++l) {
        if (options.gradient_stats) {
            g_sum[l].assign(net.at(l).w.size(), 0.0);
            g_sq[l].assign(net.at(l).w.size(), 0.0);
        }
    }
    std::vector<epoch_metrics>& history = progress.history;
    std::size_t next_record = 0;

    // one evaluation workspace for every snapshot, as large as the larger set's chunk
    std::optional<workspace<T>> eval_ws;
    auto snapshot = [&](std::size_t epoch, bool recorded) {
        epoch_metrics m;
        m.epoch = epoch;
        m.recorded = recorded;
        if (!eval_ws) {
            const std::size_t largest = std::max(train_set.n, test ? test->n : std::size_t(0));
            eval_ws = net.make_workspace(std::max<std::size_t>(1, std::min(options.eval_chunk, largest)));
        }
        const auto tr = evaluate_in(net, train_set, options.eval_chunk, *eval_ws);
        m.train_loss = tr.loss;
        m.train_accuracy = tr.accuracy;
        if (test) {
            const auto te = evaluate_in(net, *test, options.eval_chunk, *eval_ws);
            m.test_loss = te.loss;
            m.test_accuracy = te.accuracy;
        }
        for (std::size_t l = 0; l < n_layers; ++l) {
            double s = 0.0;
            for (T w : net.at(l).w) s += static_cast<double>(w) * static_cast<double>(w);
            m.weight_norm.push_back(std::sqrt(s));
        }
        if (recorded) {
            const auto outs = layer_outputs(net, record_on, mi::derive_seed(options.seed, 4, epoch), options.eval_chunk);
            for (std::size_t l = 0; l < n_layers; ++l)
                recorder.observe(static_cast<std::int64_t>(epoch), l,
                                 mi::activation_view<const T>(outs[l].data(), record_on.n, net.at(l).out));
        }
        history.push_back(std::move(m));
    };

    for (std::size_t epoch = progress.next_epoch; epoch < options.epochs; ++epoch) {
        bool recorded = false;
        while (next_record < record_epochs.size() && record_epochs[next_record] < epoch) ++next_record;
        if (next_record < record_epochs.size() && record_epochs[next_record] == epoch) recorded = true;
        const bool snap = recorded || options.metrics_every_epoch;
        if (snap && options.when == record_time::epoch_start) snapshot(epoch, recorded);

        if (options.order == batch_order::shuffled) {
            mi::rng g(mi::derive_seed(options.seed, 2, epoch));
            for (std::size_t i = train_set.n - 1; i > 0; --i) std::swap(order[i], order[g.below(i + 1)]);
        }
        std::size_t batches = 0;
        for (std::size_t start = 0; start < train_set.n; start += batch_size, ++batches) {
            const std::size_t batch = std::min(batch_size, train_set.n - start);
            detail::gather(train_set, order.data() + start, batch, ws, labels, targets);
            if (net.config().noise_std > 0.0) {
                mi::rng noise(mi::derive_seed(options.seed, 3, epoch, batches));
                net.forward(ws, batch, &noise);
            } else {
                net.forward(ws, batch, nullptr);
            }
            net.loss(ws, detail::targets_of(labels, targets), true);
            if (options.gradient_stats && snap)
                for (std::size_t l = 0; l < n_layers; ++l) {
                    const T* g = ws.grad_w[l].data();
                    double* s = g_sum[l].data();
                    double* q = g_sq[l].data();
                    for (std::size_t i = 0; i < g_sum[l].size(); ++i) {
                        const double v = static_cast<double>(g[i]);
                        s[i] += v;
                        q[i] += v * v;
                    }
                }
            opt.step(net, ws);
        }

        if (snap && options.when == record_time::epoch_end) snapshot(epoch, recorded);
        if (snap && options.gradient_stats) {
            auto& m = history.back();
            const double nb = static_cast<double>(batches);
            for (std::size_t l = 0; l < n_layers; ++l) {
                double mean2 = 0.0, var = 0.0;
                for (std::size_t i = 0; i < g_sum[l].size(); ++i) {
                    const double mean = g_sum[l][i] / nb;
                    mean2 += mean * mean;
                    var += std::max(0.0, g_sq[l][i] / nb - mean * mean);
                }
                m.grad_mean_norm.push_back(std::sqrt(mean2));
                m.grad_std_norm.push_back(std::sqrt(var));
            }
        }
        if (options.gradient_stats && snap)
            for (std::size_t l = 0; l < n_layers; ++l) {
                std::fill(g_sum[l].begin(), g_sum[l].end(), 0.0);
                std::fill(g_sq[l].begin(), g_sq[l].end(), 0.0);
            }
        if (snap && options.on_epoch) options.on_epoch(history.back());
        progress.next_epoch = epoch + 1;
        if (boundary) {
            progress.optimizer = opt.get_state();
            if (boundary(net, progress)) return;
        }
    }
}

/// Trains `net` on `train` for options.epochs epochs, recording every layer on
/// `record_on` at options.record_epochs into `recorder`. `test` may be null.
/// Returns one metrics row per epoch (or per recorded epoch when
/// metrics_every_epoch is false).
template <class T, class Recorder = null_recorder>
std::vector<epoch_metrics> train(network<T>& net, const dataset<T>& train_set, const dataset<T>* test,
                                 const dataset<T>& record_on, Recorder& recorder, const train_options& options) {
    train_progress<T> progress;
    train_from(net, train_set, test, record_on, recorder, options, progress);
    return std::move(progress.history);
}

/// train() without a test set.
template <class T, class Recorder = null_recorder>
std::vector<epoch_metrics> train(network<T>& net, const dataset<T>& train_set, const dataset<T>& record_on,
                                 Recorder& recorder, const train_options& options) {
    return train(net, train_set, static_cast<const dataset<T>*>(nullptr), record_on, recorder, options);
}

}  // namespace mi_examples::engine

#endif
