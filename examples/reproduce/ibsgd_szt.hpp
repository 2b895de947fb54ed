// SPDX-License-Identifier: BSD-3-Clause
// One SZT network trained as Saxe et al. 2018's code trains it (artemyk/ibsgd,
// branch iclr2018, IBnet_SaveActivations.ipynb), recorded on all 4096 inputs,
// for the reproduction programs that re-run the Fig. 1 networks under another
// condition (sgd_vs_gd: full-batch training; binning_strategies: other bin
// rules). Kept in one place so that "the Fig. 1 network" means the same thing
// in every program that says so; szt_tanh_vs_relu.cpp states the protocol.
//
// Protocol: 12-10-7-5-4-3-2, hidden truncated normal sigma = 1/sqrt(fan_out),
// Glorot-uniform softmax output, biases 0; Adam (lr 4e-4), mean categorical
// cross-entropy, batches reshuffled every epoch (batch 0 = the whole training
// set, i.e. full-batch training); ibsgd's record schedule at the end of each
// epoch, every layer including the softmax output. The initialisation is
// drawn from mi::derive_seed(seed, 1) and the batch order from
// mi::derive_seed(seed, 2), as in szt_tanh_vs_relu, so a seed gives the same
// initial network whatever the activation or the batch size (paired runs).
#ifndef MI_EXAMPLES_REPRODUCE_IBSGD_SZT_HPP
#define MI_EXAMPLES_REPRODUCE_IBSGD_SZT_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "datasets/szt.hpp"
#include "engine/schedule.hpp"
#include "engine/trainer.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/random.hpp"
#include "mi/core/samples.hpp"
#include "mi/plane/recording.hpp"
#include "reproduce/common.hpp"
#include "reproduce/suite.hpp"

namespace mi_examples::reproduce {

/// The training-side settings a program may vary (defaults: ibsgd's).
struct ibsgd_szt_settings {
    std::size_t epochs = 10000;
    std::size_t batch = 256;  ///< 0: full batch
    double learning_rate = 4e-4;
    std::size_t split_seed = 2017;
    bool metrics_every_epoch = true;  ///< false: loss and accuracy only at the recorded epochs
};

/// The SZT data as every ibsgd run sees it: all patterns (recorded on), and one shuffled 80/20 split.
struct ibsgd_szt_data : szt_sets {
    explicit ibsgd_szt_data(std::size_t split_seed) : szt_sets(datasets::szt_shuffled_split(split_seed)) {}
};

inline engine::network_config ibsgd_szt_network(const engine::activation& hidden) {
    engine::network_config cfg;
    cfg.inputs = datasets::szt_bits;
    cfg.hidden = {10, 7, 5, 4, 3};
    cfg.outputs = 2;
    cfg.hidden_activation = hidden;
    cfg.output = engine::output_spec::softmax();
    cfg.hidden_init = engine::init_spec::truncated_normal_fan_out(1.0);
    cfg.output_init = engine::init_spec::glorot_uniform();
    return cfg;
}

struct ibsgd_szt_run {
    mi::recording<float> recording;
    std::vector<engine::epoch_metrics> history;
    double train_seconds = 0.0;
};

/// Trains one network (activation name as engine::activation::parse reads it) and records it; through
/// `checkpointed` (suite::train: checkpoints and resume) when given, as a program's one training per run.
inline ibsgd_szt_run train_ibsgd_szt(const szt_sets& data, const std::string& activation, std::uint64_t seed,
                                     const ibsgd_szt_settings& settings, const std::string& label,
                                     suite* checkpointed = nullptr) {
    engine::network<float> net(ibsgd_szt_network(engine::activation::parse(activation)), mi::derive_seed(seed, 1));
    progress bar(label, settings.epochs);
    engine::train_options o;
    o.epochs = settings.epochs;
    o.batch_size = settings.batch;
    o.order = engine::batch_order::shuffled;
    o.optimizer = engine::optimizer_config::adam(settings.learning_rate);
    o.seed = mi::derive_seed(seed, 2);
    o.record_epochs = engine::ibsgd_epochs(settings.epochs);
    o.when = engine::record_time::epoch_end;
    o.metrics_every_epoch = settings.metrics_every_epoch;
    o.on_epoch = bar.hook();
    ibsgd_szt_run run{mi::recording<float>(mi::samples(mi::labels(data.all.labels, 2))), {}, 0.0};
    run.history = checkpointed ? checkpointed->train(net, data.train, &data.test, data.all, run.recording, o)
                               : engine::train(net, data.train, &data.test, data.all, run.recording, o);
    run.train_seconds = bar.elapsed();
    return run;
}

}  // namespace mi_examples::reproduce

#endif
