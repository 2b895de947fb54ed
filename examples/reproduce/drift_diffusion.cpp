// SPDX-License-Identifier: BSD-3-Clause
// Shwartz-Ziv, Painsky & Tishby 2019 ("Representation compression and
// generalization in deep neural networks"), with the experiments of
// Shwartz-Ziv & Tishby 2017 ("Opening the black box of deep neural networks
// via information") they build on, on the SZT network and (Fig. 1a) on the
// MNIST-scale network:
// - Fig. 1a: over training, for one hidden layer of the SZT network, the
//   gradient signal-to-noise ratio ||mean|| / ||std|| of the mini-batch
//   gradients falls from the "drift" phase (SNR >> 1) to the "diffusion" phase
//   (SNR < 1); the weights keep moving away from their initialisation
//   (||W_l(t) - W_l(0)||_F grows) while the binned I(X;T) falls, and the
//   Gaussian-channel bound of the paper's eq. 9 (mi::gaussian_bound) falls with
//   it because the accumulated random weight change acts as channel noise.
// - Fig. 1b: the compression phase starts at the drift-to-diffusion
//   transition, for every mini-batch size.
// - Fig. 3: more hidden layers converge in fewer training iterations.
//
// Protocol (ravidziv/IDNNs, the code of the 2017 paper that the 2019 paper's
// SZT experiments reuse: idnns/networks/network_paramters.py, model.py,
// network.py, information_network.py, information/information_process.py):
// - data: all 4096 SZT patterns; train = rows 0..3276 of var_u.mat, test =
//   rows 3277..4095 (IDNNs' unshuffled 80 % split); MI on all 4096.
// - network: 12-10-7-5-4-3-2, tanh hidden layers, softmax output; every layer
//   (output too) truncated normal sigma = 1/sqrt(fan_in), biases 0.
// - training: Adam lr 4e-4, mean cross-entropy, fixed consecutive mini-batches
//   of the unshuffled training set every epoch (last partial batch kept),
//   batch 512 (IDNNs' default) for Fig. 1a and Fig. 3; Fig. 1b sweeps the
//   batch size over 64, 128, 256, 512, 1024.
// - recording: IDNNs' log2 grid unique(int(logspace(0, log2 E, 400, base 2)))
//   - 1 at the START of the epoch (epoch 0 = the initialisation), every layer
//   including the softmax output.
// - MI: IDNNs' binning, 30 edges linspace(-1, 1, 30), the left edge of the
//   interval as the code (values >= 1 get a 30th code), in bits.
//
// Definitions (the papers give none precise enough to compute):
// - SNR of layer l in epoch e: ||mean_b g_b|| / ||std_b g_b|| over the epoch's
//   mini-batch gradients of W_l (the trainer's curves). It is noisy from epoch
//   to epoch (with batch 1024 the std comes from 4 batches), so transitions are
//   read from the SNR averaged over a window of +-10 % around each epoch (a
//   fixed width on the log-epoch axis the figures use).
// - SNR transition t_s: the first epoch after the smoothed SNR's maximum at
//   which it falls below 1 (the norm of the mean gradient below that of its
//   fluctuations: diffusion dominates drift); none if it never exceeds 1 (the
//   first layers of the SZT net: their gradients are noise-dominated from the
//   start).
// - compression onset t_c: the recorded epoch at which the layer's binned
//   I(X;T) peaks (the start of its decrease). Fig. 1b compares t_c of the last
//   hidden layer T5 with t_s of the same layer.
// - Gaussian bound (eq. 9) at a recorded epoch t, layer l: the signal weights
//   W* and the accumulated weight change dW are W* = W_l(t), dW = 0 during the
//   drift (t <= t_s: the weights are not yet noise), and W* = W_l(t_s),
//   dW = W_l(t) - W_l(t_s) during the diffusion (the random walk accumulated
//   since it began); W* and dW are continuous at t_s, the bound need not be:
//   with dW = 0 eq. 9's basis is free and mi::gaussian_bound takes the
//   tightest (log-det) one, while a small dW fixes the eigenbasis of dW dW^T,
//   where the sum of per-direction terms is larger (Hadamard), so the bound
//   can jump up right after t_s before the noise grows; s2_T = the mean per-unit
//   variance of the layer's input at t over the 4096 patterns (the previous
//   layer's recorded output; 1/4 for the input bits); s2_z = (2/29)^2 / 12,
//   the variance of the uniform quantisation noise of the 30-edge binning, so
//   the bound has the binned estimate's resolution (without any noise a
//   noiseless continuous channel has infinite information).
// - convergence (Fig. 3): the first epoch whose training cross-entropy is at
//   most --loss-threshold nats (default 0.1); iterations = epochs x
//   mini-batches per epoch. Networks of 1..6 hidden layers take the first k
//   widths of 10-7-5-4-3-3 (the SZT widths; the sixth layer repeats the last
//   width, as IDNNs' net '11' repeats a width).
//
// Paper vs code: the papers say SGD; IDNNs runs Adam (model.py), followed here.
//
// MNIST-scale network (--network mnist, and --full; Fig. 1a only): the
// 784-1024-20-20-20-10 tanh network of reproduce/mnist.hpp, trained as Saxe
// et al.'s ibsgd MNIST_SaveActivations.ipynb trains it (plain SGD lr 0.001,
// batch 128 reshuffled every epoch, Glorot-uniform, softmax output; Fashion-
// MNIST by default, --mnist DIR for MNIST), initialised from
// mi::derive_seed(seed, 1) with batches from mi::derive_seed(seed, 2), i.e.
// the same weights and batches as mnist_tanh_vs_relu's tanh run of that seed.
// It is the MNIST-scale network of the information-plane literature as this
// project runs it elsewhere; it is not claimed to be the 2019 paper's exact
// MNIST architecture or optimiser.
// - recording: the notebook's schedule (every epoch < 20, every 5th < 100,
//   every 10th < 200, every 100th after), at the END of the epoch (epoch 0 =
//   after one epoch of updates, ibsgd's convention; the SZT part records at
//   the start), on the first --mnist-mi-samples test images, streamed by
//   reproduce::epoch_stream (each recorded epoch is measured and dropped).
// - measured with the SZT part's definitions: the gradient SNR of every epoch
//   and every layer (so loss/accuracy are evaluated every epoch too, where the
//   notebook evaluates them at the recorded epochs only: the SNR transition
//   needs the SNR of every epoch); ||W_l(t) - W_l(0)||_F of every layer and
//   epoch, against a copy of the initial weights kept for that; the binned
//   I(X;T) (30 edges on [-1, 1]) of every layer at the recorded epochs; t_s,
//   t_c and eq. 9 as defined above, with s2_T = the mean per-unit variance of
//   the layer's input on the MI images.
// - eq. 9 needs W(t) at the recorded epochs and W(t_s), and t_s is only known
//   after the run. W(t) is kept at the recorded epochs; W(t_s) is kept exactly
//   by transition_keeper below: the smoothed SNR of epoch e is final once
//   epoch e + floor(0.1 e) has been trained, and t_s is the first epoch after
//   the running maximum whose final value is below 1, so only the weights of
//   the epochs not yet final (the last ~9 % of the epochs so far) and of one
//   candidate are held. This is done for T2, T3, T4 and the output layer (1024 x 20 weights
//   and smaller: ~80 MB at --full); T1's 784 x 1024 matrix (3.2 MB per epoch,
//   460 MB for the 144 recorded epochs of --full, ~3 GB for the pending
//   window) is excluded from the bound. Its SNR, distance and I(X;T) are kept.
//
// Deviations: the SZT default trains 3000 epochs with 2 seeds instead of
// IDNNs' 8000 (--full: 8000 epochs, 5 seeds); the paper averages 50
// initialisations. Every (batch, depth, seed) is one run, initialised from
// mi::derive_seed(seed, 1, depth), so the batch sweep of one seed starts from
// the same weights (batches are fixed slices: nothing else is random). The
// MNIST-scale default is a 2-core run: the first 5000 training images, 100
// epochs (4000 SGD steps; the schedule truncated to them: 36 recorded), MI on
// the first 2000 test images, 1 seed (--full: 60,000 / 10,000 images, 10,000
// epochs; the paper's MNIST figure also averages over initialisations);
// Fashion-MNIST unless --mnist.
//
// Output (--out): plane.csv, curves.csv (learning curves, weight norms,
// gradient SNR; every epoch for the full 5-layer net, the recorded epochs for
// the other depths), weights.csv (distance from initialisation per epoch, full
// net), bound.csv (eq. 9 per recorded epoch and layer), transitions.csv (t_s, t_c per
// run and layer), convergence.csv; the MNIST-scale part writes mnist_plane,
// mnist_curves (every epoch), mnist_weights, mnist_bound and mnist_transitions
// (.csv; identified by seed; separate tables because network, data and epoch
// convention differ from the SZT runs'); PNGs by examples/plot/drift_diffusion.py.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "datasets/szt.hpp"
#include "engine/schedule.hpp"
#include "engine/trainer.hpp"
#include "mi/core/units.hpp"
#include "mi/estimators/binning.hpp"
#include "mi/estimators/gaussian_bound.hpp"
#include "mi/plane/information_plane.hpp"
#include "mi/plane/recording.hpp"
#include "mi/quantizers/uniform.hpp"
#include "reproduce/common.hpp"
#include "reproduce/mnist.hpp"
#include "reproduce/suite.hpp"

namespace eng = mi_examples::engine;
namespace ds = mi_examples::datasets;
namespace rp = mi_examples::reproduce;

namespace {

const char* usage =
    "drift_diffusion: Shwartz-Ziv, Painsky & Tishby 2019 Fig. 1a/b and 3 (SNR transition, compression,\n"
    "Gaussian bound, convergence vs depth) on the SZT task with mi.\n"
    "usage: drift_diffusion [options]\n"
    "  --epochs N          training epochs (default 3000; --full 8000)\n"
    "  --batches A,B       batch sizes of the Fig. 1b sweep (default 64,128,256,512,1024)\n"
    "  --batch N           batch size of Fig. 1a and Fig. 3 (default 512, IDNNs' default)\n"
    "  --depths A,B        hidden-layer counts of Fig. 3 (default 1,2,3,4,5,6)\n"
    "  --lr X              Adam learning rate (default 4e-4)\n"
    "  --loss-threshold X  training cross-entropy (nats) that counts as converged (default 0.1)\n"
    "  --layer K           hidden layer of the printed Fig. 1a/1b summary, 1-based (default 5: T5;\n"
    "                      the figures always show T5, the last hidden layer)\n"
    "  --network A,B       szt and/or mnist (default szt; --full and --smoke szt,mnist)\n"
    "  (default 2 seeds; --full 5 seeds)\n"
    "MNIST-scale network (784-1024-20-20-20-10 tanh, Fig. 1a):\n"
    "  --mnist DIR         MNIST IDX files (train-images-idx3-ubyte[.gz], ...); default Fashion-MNIST from\n"
    "                      /usr/share/datasets/fashion-mnist (Debian package dataset-fashion-mnist)\n"
    "  --mnist-epochs N    training epochs (default 100; --full 10000; --smoke 3)\n"
    "  --mnist-train N     first N training images (default 5000; --full all 60000; --smoke 512)\n"
    "  --mnist-mi-samples N  first N test images for MI (default 2000; --full all 10000; --smoke 256)\n"
    "  --mnist-lr X        SGD learning rate (default 0.001)\n"
    "  --mnist-batch N     mini-batch size (default 128)\n"
    "  --mnist-seeds N     seeds of the MNIST-scale run (default 1)\n";

const std::vector<std::size_t> widths_by_depth{10, 7, 5, 4, 3, 3};

struct run {
    std::size_t batch;
    std::size_t depth;
    std::uint64_t seed;
    bool mnist = false;  ///< the MNIST-scale network (batch and depth then unused)
};

std::vector<std::size_t> count_list(const std::vector<std::string>& items, const char* option) {
    std::vector<std::size_t> out;
    for (const auto& item : items) {
        char* end = nullptr;
        const unsigned long long v = std::strtoull(item.c_str(), &end, 10);
        if (*end != '\0' || item[0] == '-' || v == 0)
            mi::detail::fail("drift_diffusion", option, item, "a comma-separated list of positive integers");
        out.push_back(static_cast<std::size_t>(v));
    }
    return out;
}

std::string widths_text(std::size_t depth) {
    std::string s;
    for (std::size_t l = 0; l < depth; ++l) s += (l ? "-" : "") + std::to_string(widths_by_depth[l]);
    return s;
}

// The weights of every layer at the start of every epoch (epoch e = after e epochs of updates).
using weight_history = std::vector<std::vector<std::vector<float>>>;

std::vector<std::vector<float>> weights_of(const eng::network<float>& net) {
    std::vector<std::vector<float>> w;
    for (std::size_t l = 0; l < net.num_layers(); ++l) w.push_back(net.at(l).w);
    return w;
}

double frobenius_distance(const std::vector<float>& a, const std::vector<float>& b) {
    double s = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double d = static_cast<double>(a[i]) - static_cast<double>(b[i]);
        s += d * d;
    }
    return std::sqrt(s);
}

// Half-width of the smoothing window of epoch e: the epochs within +-10 % of it.
std::size_t window_half(std::size_t e) { return static_cast<std::size_t>(std::floor(0.1 * static_cast<double>(e))); }

// The mean of v over epoch e's window, clipped to the prefix.size() - 1 values summed in prefix
// (prefix[i] = v[0] + ... + v[i - 1]). Shared by smoothed() and transition_keeper, so the online
// and the offline transition are the same numbers.
double window_mean(const std::vector<double>& prefix, std::size_t e) {
    const std::size_t half = window_half(e), n = prefix.size() - 1;
    const std::size_t lo = e >= half ? e - half : 0, hi = std::min(n - 1, e + half);
    return (prefix[hi + 1] - prefix[lo]) / static_cast<double>(hi - lo + 1);
}

// SNR of every epoch averaged over the epochs within +-10 % of it (at least the epoch itself).
std::vector<double> smoothed(const std::vector<double>& v) {
    std::vector<double> prefix(v.size() + 1, 0.0);
    for (std::size_t i = 0; i < v.size(); ++i) prefix[i + 1] = prefix[i] + v[i];
    std::vector<double> out(v.size());
    for (std::size_t e = 0; e < v.size(); ++e) out[e] = window_mean(prefix, e);
    return out;
}

struct snr_phases {
    std::size_t max_epoch = 0;
    double max_value = 0.0;
    std::size_t transition = 0;
    bool found = false;  ///< the smoothed SNR fell below 1 after its maximum
};

snr_phases snr_transition(const std::vector<double>& snr) {
    const auto s = smoothed(snr);
    snr_phases p;
    p.max_epoch = static_cast<std::size_t>(std::max_element(s.begin(), s.end()) - s.begin());
    p.max_value = s[p.max_epoch];
    if (p.max_value < 1.0) return p;  // never in a drift phase, so no transition out of one
    for (std::size_t e = p.max_epoch; e < s.size(); ++e)
        if (s[e] < 1.0) {
            p.transition = e;
            p.found = true;
            break;
        }
    return p;
}

// Keeps W_l(t_s) of one layer while it trains, so that eq. 9 can be computed after the run without
// storing W_l at every epoch (see the header comment). Fed the SNR and the weights of every epoch in
// order; finish() returns W_l(t_s) exactly as snr_transition() of the whole SNR course defines t_s
// (the same window_mean on the same prefix sums), or nullptr when there is no transition.
class transition_keeper {
public:
    void push(double snr, const std::vector<float>& w) {
        prefix_.push_back(prefix_.back() + snr);
        pending_.push_back(w);
        // Epoch e's smoothed value is final once epoch e + half(e) is in.
        while (next_ + window_half(next_) + 1 < prefix_.size()) settle();
    }
    const std::vector<float>* finish() {
        while (next_ + 1 < prefix_.size()) settle();
        return found_ ? &candidate_ : nullptr;
    }
    std::size_t transition() const noexcept { return candidate_epoch_; }

private:
    void settle() {
        const double v = window_mean(prefix_, next_);
        if (next_ == 0 || v > max_) {  // a new maximum (the first one on ties, as max_element)
            max_ = v;
            found_ = false;
        } else if (max_ >= 1.0 && !found_ && v < 1.0) {
            candidate_ = std::move(pending_.front());
            candidate_epoch_ = next_;
            found_ = true;
        }
        pending_.pop_front();
        ++next_;
    }
    std::vector<double> prefix_{0.0};
    std::deque<std::vector<float>> pending_;  ///< weights of epochs next_, next_ + 1, ...
    std::size_t next_ = 0;                    ///< first epoch whose smoothed SNR is not final
    double max_ = 0.0;
    bool found_ = false;
    std::vector<float> candidate_;
    std::size_t candidate_epoch_ = 0;
};

// Mean over units of the per-unit variance of a samples x units matrix.
double mean_unit_variance(const mi::activation_view<const float>& a) {
    double total = 0.0;
    for (std::size_t j = 0; j < a.cols(); ++j) {
        double mean = 0.0;
        for (std::size_t i = 0; i < a.rows(); ++i) mean += a(i, j);
        mean /= static_cast<double>(a.rows());
        double var = 0.0;
        for (std::size_t i = 0; i < a.rows(); ++i) var += (a(i, j) - mean) * (a(i, j) - mean);
        total += var / static_cast<double>(a.rows());
    }
    return total / static_cast<double>(a.cols());
}

// The variance of the uniform quantisation noise of IDNNs' 30 edges on [-1, 1] (bin width 2/29).
constexpr double binning_noise_variance = (2.0 / 29.0) * (2.0 / 29.0) / 12.0;

// Eq. 9 for a layer whose weights at recorded epoch t are w_t (see the header comment for W*, dW,
// s2_T, s2_z), nats. w_transition = W(t_s) when t is in the diffusion phase (t > t_s), else nullptr.
double channel_bound(const std::vector<float>& w_t, const std::vector<float>* w_transition, double layer_variance,
                     std::size_t n_out, std::size_t n_in) {
    const std::vector<float>& w_star = w_transition ? *w_transition : w_t;
    std::vector<float> delta(w_star.size(), 0.0f);
    if (w_transition)
        for (std::size_t i = 0; i < delta.size(); ++i) delta[i] = w_t[i] - w_star[i];
    const mi::gaussian_bound bound(layer_variance, binning_noise_variance);
    return bound.bound(mi::activation_view<const float>(w_star.data(), n_out, n_in),
                       mi::activation_view<const float>(delta.data(), n_out, n_in));
}

struct run_result {
    std::vector<eng::epoch_metrics> history;
    weight_history weights;
    mi::recording<float> rec;
};

// The IDNNs split (rows 0..3276 train, the rest test) and the run settings.
struct context : rp::szt_sets {
    using rp::szt_sets::szt_sets;
    std::vector<std::size_t> record_epochs;
    std::size_t epochs;
    double lr;
    double loss_threshold;
};

run_result train_run(const run& r, const context& c) {
    eng::network_config cfg;
    cfg.inputs = 12;
    cfg.hidden.assign(widths_by_depth.begin(), widths_by_depth.begin() + static_cast<std::ptrdiff_t>(r.depth));
    cfg.outputs = 2;
    cfg.hidden_activation = eng::activation::tanh();
    cfg.output = eng::output_spec::softmax();
    cfg.hidden_init = eng::init_spec::truncated_normal_fan_in(1.0);
    eng::network<float> net(cfg, mi::derive_seed(r.seed, 1, r.depth));

    run_result out{{}, {}, mi::recording<float>(mi::samples(mi::labels(c.all.labels, 2)))};
    out.weights.push_back(weights_of(net));
    rp::progress bar("batch " + std::to_string(r.batch) + " depth " + std::to_string(r.depth) + " seed " +
                         std::to_string(r.seed),
                     c.epochs);
    eng::train_options o;
    o.epochs = c.epochs;
    o.batch_size = r.batch;
    o.order = eng::batch_order::consecutive;
    o.optimizer = eng::optimizer_config::adam(c.lr);
    o.seed = mi::derive_seed(r.seed, 2, r.depth, r.batch);
    o.record_epochs = c.record_epochs;
    o.when = eng::record_time::epoch_start;
    // Called after epoch e's updates: the weights are those at the start of epoch e + 1.
    o.on_epoch = [&](const eng::epoch_metrics& m) {
        bar(m.epoch);
        if (m.epoch + 1 < c.epochs) out.weights.push_back(weights_of(net));
    };
    out.history = eng::train(net, c.train, &c.test, c.all, out.rec, o);
    return out;
}

// The depth sweep only needs the loss curve: its rows at the (log-spaced) recorded epochs keep the
// tables small; the convergence epoch is found on every epoch before this.
std::vector<eng::epoch_metrics> at_recorded_epochs(const std::vector<eng::epoch_metrics>& h) {
    std::vector<eng::epoch_metrics> out;
    for (const auto& m : h)
        if (m.recorded) out.push_back(m);
    return out;
}

// The weights table (tags, then epoch, layer, distance_from_init), with its comment.
// `moment`: when in the epoch the weights are taken (the network's recording convention).
rp::table& weights_table(rp::suite& s, const std::string& name, std::vector<std::string> tags, const std::string& moment) {
    for (const char* c : {"epoch", "layer", "distance_from_init"}) tags.emplace_back(c);
    auto& t = s.result(name, tags);
    if (t.comments().empty()) t.comment("distance_from_init = ||W_l(epoch) - W_l(0)||_F " + moment);
    return t;
}

void add_distance_row(rp::table& t, const std::vector<rp::cell>& tags, std::size_t epoch, std::size_t layer,
                      double distance) {
    std::vector<rp::cell> row = tags;
    for (rp::cell x : {rp::cell(epoch), rp::cell(layer), rp::cell(distance)}) row.push_back(x);
    t.add(std::move(row));
}

void add_weight_rows(rp::table& t, const std::vector<rp::cell>& tags, const weight_history& w) {
    for (std::size_t e = 0; e < w.size(); ++e)
        for (std::size_t l = 0; l < w[e].size(); ++l) add_distance_row(t, tags, e, l, frobenius_distance(w[e][l], w[0][l]));
}

double snr_of(const eng::epoch_metrics& m, std::size_t l) {
    const double gs = m.grad_std_norm.at(l);
    return gs > 0 ? m.grad_mean_norm.at(l) / gs : 0.0;
}

std::vector<double> snr_course(const std::vector<eng::epoch_metrics>& h, std::size_t l) {
    std::vector<double> s;
    for (const auto& m : h) s.push_back(snr_of(m, l));
    return s;
}

// The transitions and bound tables of one network (name prefix "" for SZT, "mnist_"), tags first.
struct fig1a_tables {
    rp::table& trans;
    rp::table& bound;
};

fig1a_tables analysis_tables(rp::suite& s, const std::string& prefix, const std::vector<std::string>& tags) {
    auto with = [&](std::initializer_list<const char*> more) {
        std::vector<std::string> c = tags;
        for (const char* m : more) c.emplace_back(m);
        return c;
    };
    auto& bound = s.result(prefix + "bound", with({"epoch", "layer", "diffusing", "ixt", "bound", "layer_variance",
                                                   "noise_variance", "delta_norm"}));
    auto& trans = s.result(prefix + "transitions", with({"layer", "snr_max_epoch", "snr_max", "snr_transition",
                                                         "compression_onset", "ixt_peak", "ixt_final"}));
    if (bound.comments().empty()) {
        bound.comment("eq. 9 of Shwartz-Ziv, Painsky & Tishby 2019 (mi::gaussian_bound), bits; ixt = binned I(X;T), bits");
        bound.comment("W* = W(t), dW = 0 for t <= snr_transition; W* = W(t_s), dW = W(t) - W(t_s) after it");
        trans.comment("snr_transition: first epoch after the smoothed SNR's maximum (>= 1) below 1 (empty: none)");
        trans.comment("compression_onset: recorded epoch of the peak of the binned I(X;T) (bits)");
    }
    return {trans, bound};
}

// What eq. 9 needs of one layer: W_l at a recorded epoch, W_l(t_s) (when p.found) and s2_T at a
// recorded epoch.
struct bound_inputs {
    std::function<const std::vector<float>&(std::size_t)> weights;
    const std::vector<float>* at_transition = nullptr;
    std::function<double(std::size_t)> input_variance;
    std::size_t n_out = 0, n_in = 0;
};

// One layer's transitions row (SNR phases p, compression onset from its binned path) and, when
// `b` is given, its eq. 9 rows at the recorded epochs of the path.
void add_layer_analysis(const fig1a_tables& t, const std::vector<rp::cell>& tags, std::size_t l,
                        const snr_phases& p, const std::vector<mi::trajectory_row>& path, const bound_inputs* b) {
    const auto peak = std::max_element(path.begin(), path.end(),
                                       [](const auto& x, const auto& y) { return x.point.ixt < y.point.ixt; });
    std::vector<rp::cell> row = tags;
    for (rp::cell x : {rp::cell(l), rp::cell(p.max_epoch), rp::cell(p.max_value),
                       p.found ? rp::cell(p.transition) : rp::cell(""), rp::cell(static_cast<long long>(peak->epoch)),
                       rp::cell(mi::to_bits(peak->point.ixt)), rp::cell(mi::to_bits(path.back().point.ixt))})
        row.push_back(x);
    t.trans.add(std::move(row));
    if (!b) return;
    for (const auto& pt : path) {
        const auto e = static_cast<std::size_t>(pt.epoch);
        const double s2t = b->input_variance(e);
        const bool diffusing = p.found && e > p.transition;
        const std::vector<float>& w = b->weights(e);
        const double bound = channel_bound(w, diffusing ? b->at_transition : nullptr, s2t, b->n_out, b->n_in);
        const double delta = diffusing ? frobenius_distance(w, *b->at_transition) : 0.0;
        std::vector<rp::cell> brow = tags;
        for (rp::cell x : {rp::cell(e), rp::cell(l), rp::cell(diffusing), rp::cell(mi::to_bits(pt.point.ixt)),
                           rp::cell(mi::to_bits(bound)), rp::cell(s2t), rp::cell(binning_noise_variance),
                           rp::cell(delta)})
            brow.push_back(x);
        t.bound.add(std::move(brow));
    }
}

mi::binning<mi::uniform> idnns_binning() { return mi::binning<mi::uniform>(mi::uniform::idnns(30, -1.0, 1.0)); }

void add_analysis_rows(rp::suite& s, const std::vector<rp::cell>& tags, const run_result& res,
                       const mi::trajectory& binned, const context& c) {
    const fig1a_tables t = analysis_tables(s, "", {"batch", "depth", "seed"});
    const double pixel_variance = mean_unit_variance(mi::activation_view<const float>(c.all.x.data(), c.all.n, c.all.d));
    const std::size_t n_layers = res.weights.front().size();
    for (std::size_t l = 0; l < n_layers; ++l) {
        const snr_phases p = snr_transition(snr_course(res.history, l));
        bound_inputs b;
        b.weights = [&](std::size_t e) -> const std::vector<float>& { return res.weights[e][l]; };
        b.at_transition = p.found ? &res.weights[p.transition][l] : nullptr;
        b.input_variance = [&](std::size_t e) {
            return l == 0 ? pixel_variance : mean_unit_variance(res.rec.at(static_cast<mi::epoch_t>(e), l - 1));
        };
        b.n_out = res.rec.units(l);
        b.n_in = l == 0 ? c.all.d : res.rec.units(l - 1);
        add_layer_analysis(t, tags, l, p, binned.layer_path(l), &b);
    }
}

void add_convergence_row(rp::suite& s, const std::vector<rp::cell>& tags, const run& r,
                         const std::vector<eng::epoch_metrics>& h, const context& c) {
    auto& conv = s.result("convergence", {"batch", "depth", "seed", "widths", "batches_per_epoch", "loss_threshold",
                                          "converged", "convergence_epoch", "iterations", "final_train_loss",
                                          "final_train_accuracy", "final_test_accuracy"});
    if (conv.comments().empty())
        conv.comment("converged: training cross-entropy <= " + rp::cell(c.loss_threshold).text() +
                     " nats; iterations = convergence_epoch x batches_per_epoch (empty: not reached)");
    const std::size_t per_epoch = (c.train.n + r.batch - 1) / std::min(r.batch, c.train.n);
    const auto hit = std::find_if(h.begin(), h.end(), [&](const auto& m) { return m.train_loss <= c.loss_threshold; });
    const bool ok = hit != h.end();
    std::vector<rp::cell> row = tags;
    for (rp::cell x : {rp::cell(widths_text(r.depth)), rp::cell(per_epoch), rp::cell(c.loss_threshold), rp::cell(ok),
                       ok ? rp::cell(hit->epoch) : rp::cell(""), ok ? rp::cell(hit->epoch * per_epoch) : rp::cell(""),
                       rp::cell(h.back().train_loss), rp::cell(h.back().train_accuracy),
                       rp::cell(h.back().test_accuracy)})
        row.push_back(x);
    conv.add(std::move(row));
}

struct mnist_settings {
    std::string dir;
    std::size_t epochs = 0, n_train = 0, n_mi = 0, batch = 0, seeds = 0;
    double lr = 0;
};

// Layers of the MNIST-scale net with an eq. 9 bound: all but T1 (see the header comment).
constexpr std::size_t mnist_first_bound_layer = 1;

// One MNIST-scale Fig. 1a run: trains, streams the recorded epochs through the binning, keeps what
// eq. 9 needs (transition_keeper, W at the recorded epochs) and writes the mnist_* tables.
void mnist_run(const run& r, const mnist_settings& o, const rp::mnist_data& data, rp::suite& s) {
    eng::network<float> net(rp::mnist_network(eng::activation::tanh()), mi::derive_seed(r.seed, 1));
    auto opts = rp::mnist_train_options(o.epochs, o.lr, o.batch, mi::derive_seed(r.seed, 2));
    opts.metrics_every_epoch = true;  // the SNR of every epoch (header comment)
    const std::size_t n_layers = net.num_layers();
    const std::vector<rp::cell> tags{rp::cell(r.seed)};
    auto& weights = weights_table(s, "mnist_weights", {"seed"}, "after the epoch's updates");
    auto& plane = s.result("mnist_plane", {});

    const auto initial = weights_of(net);
    std::vector<transition_keeper> keepers(n_layers);
    std::map<std::size_t, std::vector<std::vector<float>>> recorded;  // epoch -> W_l (empty below the bound layers)
    std::map<std::pair<std::size_t, std::size_t>, double> input_variance;  // (epoch, layer) -> s2_T
    std::vector<std::vector<mi::trajectory_row>> paths(n_layers);

    rp::progress bar("MNIST-scale seed " + std::to_string(r.seed), o.epochs);
    double mi_seconds = 0;
    rp::epoch_stream stream(rp::mnist_samples(data.mi), n_layers, [&](const mi::recording<float>& epoch) {
        const double t0 = bar.elapsed();
        mi::plane_options po;
        po.output_unit = mi::unit::bits;
        const auto binned = mi::information_plane(epoch, idnns_binning(), po);
        plane.append(rp::plane_table({binned}, {{"seed", std::to_string(r.seed)}}));
        const mi::epoch_t e = epoch.epochs().front();
        for (std::size_t l = 0; l < n_layers; ++l) {
            for (const auto& row : binned.layer_path(l)) paths[l].push_back(row);
            // s2_T of a bound layer: its input is the previous layer's recorded output.
            if (l >= mnist_first_bound_layer)
                input_variance[{static_cast<std::size_t>(e), l}] = mean_unit_variance(epoch.at(e, l - 1));
        }
        mi_seconds += bar.elapsed() - t0;
    });
    // After epoch e's updates: the weights are W(e) in the end-of-epoch convention of the recording.
    opts.on_epoch = [&](const eng::epoch_metrics& m) {
        bar(m.epoch);
        for (std::size_t l = 0; l < n_layers; ++l)
            add_distance_row(weights, tags, m.epoch, l, frobenius_distance(net.at(l).w, initial[l]));
        for (std::size_t l = mnist_first_bound_layer; l < n_layers; ++l) keepers[l].push(snr_of(m, l), net.at(l).w);
        if (m.recorded) {
            auto& w = recorded[m.epoch];
            w.resize(n_layers);
            for (std::size_t l = mnist_first_bound_layer; l < n_layers; ++l) w[l] = net.at(l).w;
        }
    };
    const auto history = eng::train(net, data.train, &data.test, data.mi, stream, opts);
    rp::add_curves(s.result("mnist_curves", rp::curve_columns({"seed"})), {std::to_string(r.seed)}, history);

    const fig1a_tables t = analysis_tables(s, "mnist_", {"seed"});
    for (std::size_t l = 0; l < n_layers; ++l) {
        const snr_phases p = snr_transition(snr_course(history, l));
        if (l < mnist_first_bound_layer) {
            add_layer_analysis(t, tags, l, p, paths[l], nullptr);
            continue;
        }
        const std::vector<float>* at_ts = keepers[l].finish();
        // The keeper decides online what snr_transition() decides on the whole course; they must agree.
        if ((at_ts != nullptr) != p.found || (p.found && keepers[l].transition() != p.transition))
            mi::detail::fail("drift_diffusion::mnist_run", "transition_keeper epoch",
                             "layer " + std::to_string(l) + ": " + (at_ts ? std::to_string(keepers[l].transition()) : "none"),
                             "the epoch snr_transition() finds");
        bound_inputs b;
        b.weights = [&](std::size_t e) -> const std::vector<float>& { return recorded.at(e)[l]; };
        b.at_transition = at_ts;
        b.input_variance = [&](std::size_t e) { return input_variance.at({e, l}); };
        b.n_out = net.at(l).out;
        b.n_in = net.at(l).in;
        add_layer_analysis(t, tags, l, p, paths[l], &b);
    }
    std::printf("  MNIST-scale seed %llu: %.1f s (MI %.1f s); final train acc %.3f, test acc %.3f\n",
                static_cast<unsigned long long>(r.seed), bar.elapsed(), mi_seconds, history.back().train_accuracy,
                history.back().test_accuracy);
    std::fflush(stdout);
}

// Column `col` of the row of x whose epoch is nearest to `epoch` (NaN for an empty table).
double value_at(const rp::table& x, double epoch, const char* col) {
    double best = std::nan(""), dist = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double d = std::fabs(x.number(i, "epoch") - epoch);
        if (d < dist) dist = d, best = x.number(i, col);
    }
    return best;
}

// The Fig. 1a summary of one layer of one run (`run`: its identifying columns), from the tables.
// Returns false when the run has no such layer.
bool print_fig1a(const rp::table& trans, const rp::table& bound, const rp::table& weights,
                 std::vector<std::pair<std::string, std::string>> run, std::size_t layer, const std::string& heading) {
    run.emplace_back("layer", std::to_string(layer));
    const rp::table t = trans.where(run);
    if (t.empty()) return false;
    std::printf("\n%s\n", heading.c_str());
    std::printf("  smoothed SNR peaks at %.2f in epoch %.0f; ", t.number(0, "snr_max"), t.number(0, "snr_max_epoch"));
    const double ts = t.number(0, "snr_transition");
    if (std::isnan(ts)) std::printf("it never falls below 1 after a maximum >= 1 (no diffusion phase within the run)\n");
    else std::printf("it falls below 1 at epoch %.0f (drift -> diffusion)\n", ts);
    std::printf("  binned I(X;T): peak %.2f bits at epoch %.0f, final %.2f bits\n", t.number(0, "ixt_peak"),
                t.number(0, "compression_onset"), t.number(0, "ixt_final"));
    const rp::table bl = bound.where(run);
    const rp::table wl = weights.where(run);
    // The last recorded epoch (the bound's rows), or the last epoch of a layer without a bound.
    const rp::table& timeline = bl.empty() ? wl : bl;
    const double first = timeline.number(0, "epoch"), last = timeline.number(timeline.size() - 1, "epoch");
    std::printf("  %-28s %10s %10s %10s\n", "", ("epoch " + rp::cell(first).text()).c_str(), std::isnan(ts) ? "-" : "t_s",
                "final");
    auto line = [&](const char* name, const rp::table& x, const char* col) {
        std::printf("  %-28s %10.3f %10.3f %10.3f\n", name, value_at(x, first, col),
                    std::isnan(ts) ? std::nan("") : value_at(x, ts, col), value_at(x, last, col));
    };
    if (!bl.empty()) {
        line("binned I(X;T) [bits]", bl, "ixt");
        line("Gaussian bound eq. 9 [bits]", bl, "bound");
    }
    line("||W(t) - W(0)||_F", wl, "distance_from_init");
    return true;
}

void print_szt_fig1a(const rp::table& trans, const rp::table& bound, const rp::table& weights, std::size_t batch,
                     std::size_t layer, std::uint64_t seed) {
    const std::string sd = std::to_string(seed);
    if (!print_fig1a(trans, bound, weights, {{"batch", std::to_string(batch)}, {"depth", "5"}, {"seed", sd}}, layer,
                     "Fig. 1a (batch " + std::to_string(batch) + ", layer T" + std::to_string(layer + 1) + ", seed " +
                         sd + ")"))
        return;
    std::printf("  paper: SNR high then < 1 after a few hundred epochs; the weights keep diffusing away from the\n"
                "  initialisation while I(X;T) and the bound decrease during the diffusion phase\n");
}

std::string mnist_layer_name(std::size_t l, std::size_t layers) {
    return l + 1 < layers ? "T" + std::to_string(l + 1) : "output";
}

// Every layer of the first seed's MNIST-scale run, then the claim.
void print_mnist_fig1a(const rp::tables& t, std::uint64_t seed) {
    const rp::table& trans = t.at("mnist_transitions");
    const std::string sd = std::to_string(seed);
    const std::size_t layers = trans.where({{"seed", sd}}).distinct("layer").size();
    std::printf("\nMNIST-scale Fig. 1a (784-1024-20-20-20-10 tanh, seed %s; epochs counted after their updates)\n",
                sd.c_str());
    for (std::size_t l = 0; l < layers; ++l)
        print_fig1a(trans, t.at("mnist_bound"), t.at("mnist_weights"), {{"seed", sd}}, l,
                    "layer " + mnist_layer_name(l, layers) +
                        (l < mnist_first_bound_layer ? " (no eq. 9 bound: its weights are too large to keep)" : ""));
    std::printf("\n  %-7s %12s %8s %10s %18s %18s\n", "layer", "SNR max", "t_s", "t_c", "I(X;T) peak->final",
                "bound t_s->final");
    const rp::table bound = t.at("mnist_bound").where({{"seed", sd}});
    for (std::size_t l = 0; l < layers; ++l) {
        const rp::table r = trans.where({{"seed", sd}, {"layer", std::to_string(l)}});
        const rp::table b = bound.where({{"layer", std::to_string(l)}});
        const double ts = r.number(0, "snr_transition");
        std::string bound_text = "-";
        if (!b.empty() && !std::isnan(ts)) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.2f -> %.2f", value_at(b, ts, "bound"), b.number(b.size() - 1, "bound"));
            bound_text = buf;
        }
        char ixt[64], snr[64];
        std::snprintf(ixt, sizeof ixt, "%.2f -> %.2f", r.number(0, "ixt_peak"), r.number(0, "ixt_final"));
        std::snprintf(snr, sizeof snr, "%.2f @%.0f", r.number(0, "snr_max"), r.number(0, "snr_max_epoch"));
        std::printf("  %-7s %12s %8s %10.0f %18s %18s\n", mnist_layer_name(l, layers).c_str(), snr,
                    std::isnan(ts) ? "none" : r.text(0, "snr_transition").c_str(), r.number(0, "compression_onset"),
                    ixt, bound_text.c_str());
    }
    std::printf("  paper: the MNIST-scale layers show the same phases: SNR >> 1 (drift), then < 1 (diffusion),\n"
                "  and I(X;T) compresses after the transition (t_c >= t_s), the bound falling with it\n");
    // The claim, layer by layer: which layers went through both phases, and for those whether the
    // bound and the binned I(X;T) fell after t_s.
    std::string phases, bound_falls, ixt_falls;
    for (std::size_t l = 0; l < layers; ++l) {
        const rp::table r = trans.where({{"seed", sd}, {"layer", std::to_string(l)}});
        const double ts = r.number(0, "snr_transition");
        const std::string name = " " + mnist_layer_name(l, layers);
        if (std::isnan(ts)) continue;
        phases += name;
        const rp::table b = bound.where({{"layer", std::to_string(l)}});
        if (!b.empty())
            bound_falls += name + (b.number(b.size() - 1, "bound") < value_at(b, ts, "bound") ? " yes" : " no");
        const bool compresses = r.number(0, "compression_onset") >= ts && r.number(0, "ixt_final") < r.number(0, "ixt_peak");
        ixt_falls += name + (compresses ? " yes" : " no");
    }
    std::printf("  mi: drift then diffusion in:%s (of %zu layers)\n", phases.empty() ? " none" : phases.c_str(), layers);
    if (!phases.empty())
        std::printf("  mi: bound lower at the end than at t_s:%s; binned I(X;T) peaks at/after t_s and falls:%s\n",
                    bound_falls.empty() ? " -" : bound_falls.c_str(), ixt_falls.c_str());
}

void print_fig1b(const rp::table& trans, std::size_t layer) {
    const rp::table t = trans.where({{"depth", "5"}, {"layer", std::to_string(layer)}});
    std::printf("\nFig. 1b: SNR transition t_s vs compression onset t_c (peak of binned I(X;T)), layer T%zu\n",
                layer + 1);
    std::printf("  %-6s %-5s %10s %10s %12s\n", "batch", "seed", "t_s", "t_c", "ixt drop");
    std::vector<double> xs, ys;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const double ts = t.number(i, "snr_transition"), tc = t.number(i, "compression_onset");
        std::printf("  %-6s %-5s %10s %10.0f %12.2f\n", t.text(i, "batch").c_str(), t.text(i, "seed").c_str(),
                    std::isnan(ts) ? "never" : t.text(i, "snr_transition").c_str(), tc,
                    t.number(i, "ixt_peak") - t.number(i, "ixt_final"));
        if (!std::isnan(ts)) xs.push_back(std::log10(ts + 1)), ys.push_back(std::log10(tc + 1));
    }
    if (xs.size() >= 3)
        std::printf("  Pearson r of log10(t_s + 1) and log10(t_c + 1) over %zu runs: %.2f\n", xs.size(), rp::pearson(xs, ys));
    std::printf("  paper: compression starts at the drift-to-diffusion transition (t_c close to t_s) for every batch size\n");
}

void print_fig3(const rp::table& conv, std::size_t batch) {
    const rp::table t = conv.where({{"batch", std::to_string(batch)}});
    const rp::table m = t.mean_by({"depth", "widths"}, {"convergence_epoch", "iterations", "converged", "final_train_loss",
                                                        "final_test_accuracy"});
    std::printf("\nFig. 3: training iterations to convergence vs hidden layers (batch %zu, mean over seeds that converged)\n",
                batch);
    std::printf("  %-6s %-14s %10s %12s %10s %12s %10s\n", "layers", "widths", "converged", "iterations", "epochs",
                "final loss", "test acc");
    std::vector<std::size_t> order(m.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return m.number(a, "depth") < m.number(b, "depth"); });
    std::vector<double> depth, iters;
    for (std::size_t i : order) {
        std::printf("  %-6s %-14s %10.2f %12.0f %10.0f %12.4f %10.3f\n", m.text(i, "depth").c_str(),
                    m.text(i, "widths").c_str(), m.number(i, "converged"), m.number(i, "iterations"),
                    m.number(i, "convergence_epoch"), m.number(i, "final_train_loss"), m.number(i, "final_test_accuracy"));
        if (!std::isnan(m.number(i, "iterations")))
            depth.push_back(m.number(i, "depth")), iters.push_back(m.number(i, "iterations"));
    }
    if (depth.size() >= 3)
        std::printf("  Pearson r of depth and iterations (converged depths): %.2f (paper: negative, more layers converge faster)\n",
                    rp::pearson(depth, iters));
}

}  // namespace

int main(int argc, char** argv) {
    try {
        rp::suite s(argc, argv, "drift_diffusion", usage);
        auto& cli = s.cli();
        const std::size_t epochs = cli.count("epochs", s.full() ? 8000 : s.smoke() ? 40 : 3000);
        const auto batches = count_list(cli.list("batches", s.smoke() ? "256,1024" : "64,128,256,512,1024"), "--batches");
        const std::size_t main_batch = cli.count("batch", 512);
        const auto depths = count_list(cli.list("depths", s.smoke() ? "1,5" : "1,2,3,4,5,6"), "--depths");
        const double lr = cli.number("lr", 4e-4);
        const double loss_threshold = cli.number("loss-threshold", 0.1);
        const std::size_t layer_1based = cli.count("layer", 5);
        const std::size_t seeds = s.seeds(s.smoke() ? 1 : s.full() ? 5 : 2);
        // --smoke checks both parts end to end (the MNIST part takes a few seconds at smoke size).
        const auto networks = cli.list("network", s.full() || s.smoke() ? "szt,mnist" : "szt");
        mnist_settings mo;
        mo.dir = cli.text("mnist", "");
        mo.epochs = cli.count("mnist-epochs", s.full() ? 10000 : s.smoke() ? 3 : 100);
        mo.n_train = cli.count("mnist-train", s.full() ? 0 : s.smoke() ? 512 : 5000);
        mo.n_mi = cli.count("mnist-mi-samples", s.full() ? 0 : s.smoke() ? 256 : 2000);
        mo.lr = cli.number("mnist-lr", 0.001);
        mo.batch = cli.count("mnist-batch", 128);
        mo.seeds = cli.count("mnist-seeds", 1);
        s.begin();
        bool szt = false, mnist = false;
        for (const auto& n : networks) {
            if (n != "szt" && n != "mnist") mi::detail::fail("drift_diffusion", "--network", n, "szt or mnist");
            (n == "szt" ? szt : mnist) = true;
        }
        for (auto d : depths)
            if (d > widths_by_depth.size())
                mi::detail::fail("drift_diffusion", "--depths", d, "1 .. " + std::to_string(widths_by_depth.size()));
        if (layer_1based < 1 || layer_1based > 5) mi::detail::fail("drift_diffusion", "--layer", layer_1based, "1 .. 5");
        if (main_batch == 0) mi::detail::fail("drift_diffusion", "--batch", main_batch, ">= 1");
        if (!(lr > 0)) mi::detail::fail("drift_diffusion", "--lr", lr, "> 0");
        if (epochs < 2) mi::detail::fail("drift_diffusion", "--epochs", epochs, ">= 2");
        if (mo.epochs < 2) mi::detail::fail("drift_diffusion", "--mnist-epochs", mo.epochs, ">= 2");
        if (!(mo.lr > 0)) mi::detail::fail("drift_diffusion", "--mnist-lr", mo.lr, "> 0");
        if (mo.batch == 0) mi::detail::fail("drift_diffusion", "--mnist-batch", mo.batch, ">= 1");
        if (mo.seeds == 0) mi::detail::fail("drift_diffusion", "--mnist-seeds", mo.seeds, ">= 1");
        const std::size_t layer = layer_1based - 1;

        context c(ds::szt_idnns_split());
        c.epochs = epochs;
        c.lr = lr;
        c.loss_threshold = loss_threshold;
        c.record_epochs = eng::idnns_log2_epochs(epochs, 400);
        if (szt)
            std::printf("SZT, tanh, Adam lr %g, IDNNs split (train %zu / test %zu), %zu epochs, %zu recorded epochs, "
                        "%zu seed(s)\n",
                        lr, c.train.n, c.test.n, epochs, c.record_epochs.size(), seeds);

        // The batch sweep on the full SZT net, and the depth sweep at the main batch size;
        // the run they share (depth 5, main batch) is trained once. Then the MNIST-scale runs.
        std::vector<run> runs;
        if (szt)
            for (auto seed : s.seed_list(seeds)) {
                for (auto b : batches) runs.push_back({b, 5, seed});
                for (auto d : depths)
                    if (d != 5 || std::find(batches.begin(), batches.end(), main_batch) == batches.end())
                        runs.push_back({main_batch, d, seed});
            }
        if (mnist)
            for (auto seed : s.seed_list(mo.seeds)) runs.push_back({mo.batch, 4, seed, true});

        const auto mine = s.mine(runs);
        std::optional<rp::mnist_data> mnist_data;
        if (std::any_of(mine.begin(), mine.end(), [](const run& r) { return r.mnist; })) {
            mnist_data = rp::load_mnist_data(mo.dir, mo.n_train, mo.n_mi);
            std::printf("%s: 784-1024-20-20-20-10 tanh, SGD lr %g, batch %zu, %zu epochs, %zu recorded, train %zu, "
                        "MI on %zu test images, %zu seed(s)\n",
                        mnist_data->source.c_str(), mo.lr, mo.batch, mo.epochs, rp::mnist_record_epochs(mo.epochs).size(),
                        mnist_data->train.n, mnist_data->mi.n, mo.seeds);
            std::fflush(stdout);
        }
        for (const auto& r : mine) {
            if (r.mnist) {
                mnist_run(r, mo, *mnist_data, s);
                continue;
            }
            auto& curves = s.result("curves", rp::curve_columns({"batch", "depth", "seed"}));
            auto& weights = weights_table(s, "weights", {"batch", "depth", "seed"}, "at the start of the epoch");
            const std::vector<rp::cell> tags{rp::cell(r.batch), rp::cell(r.depth), rp::cell(r.seed)};
            const std::vector<std::string> tag_text{std::to_string(r.batch), std::to_string(r.depth),
                                                    std::to_string(r.seed)};
            rp::progress clock("", 1);
            const run_result res = train_run(r, c);
            if (r.depth == 5) {
                rp::add_curves(curves, tag_text, res.history);
                add_weight_rows(weights, tags, res.weights);
            } else {
                rp::add_curves(curves, tag_text, at_recorded_epochs(res.history));
            }
            mi::plane_options po;
            po.output_unit = mi::unit::bits;
            const auto binned = mi::information_plane(res.rec, idnns_binning(), po);
            s.result("plane", {}).append(rp::plane_table({binned}, {{"batch", tag_text[0]},
                                                                    {"depth", tag_text[1]},
                                                                    {"seed", tag_text[2]}}));
            add_analysis_rows(s, tags, res, binned, c);
            add_convergence_row(s, tags, r, res.history, c);
            std::printf("  batch %zu, %zu hidden layers, seed %llu: %.1f s; final train loss %.4f, test acc %.3f\n",
                        r.batch, r.depth, static_cast<unsigned long long>(r.seed), clock.elapsed(),
                        res.history.back().train_loss, res.history.back().test_accuracy);
            std::fflush(stdout);
        }
        if (!s.complete()) return 0;
        const auto& t = s.results();
        std::string written;
        for (const auto& kv : t) written += (written.empty() ? "" : ", ") + kv.first;
        if (t.count("transitions")) {
            print_szt_fig1a(t.at("transitions"), t.at("bound"), t.at("weights"), main_batch, layer, s.first_seed());
            print_fig1b(t.at("transitions"), layer);
            print_fig3(t.at("convergence"), main_batch);
        }
        if (t.count("mnist_transitions")) print_mnist_fig1a(t, s.first_seed());
        std::printf("\nwrote %s (.csv) to %s\n", written.c_str(), s.out().c_str());
        s.plot("drift_diffusion.py");
    } catch (const mi::error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
