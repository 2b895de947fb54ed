// SPDX-License-Identifier: BSD-3-Clause
// Shwartz-Ziv, Painsky & Tishby 2019 ("Representation compression and
// generalization in deep neural networks"), §6 "Experiments", on the paper's
// MNIST network and on the SZT network of Shwartz-Ziv & Tishby 2017:
// - Fig. 1a (MNIST, 500-250-100-50-20 tanh): for one layer, the gradient SNR
//   (mean of the mini-batch gradients over their standard deviation) is high
//   in a "drift" phase and then "decrease[s] remarkably"; the weights move
//   away from their initialisation, almost linearly in the drift, "as a
//   diffusion process" after it; the binned I(X;T) and the Gaussian bound of
//   eq. 9 decrease after the transition.
// - Fig. 1b: for several mini-batch sizes, the iteration of the gradient
//   phase transition ("the iteration where the derivative of the SNR is
//   maximal") against the start of the information compression: "a clear
//   linear trend between the two".
// - Fig. 3 (MNIST and SZT): networks of 1..5 hidden layers; the converged
//   iteration falls with the number of layers K as K^(-1/alpha), where alpha
//   is the diffusion exponent of §2.3 (0 < alpha <= 0.5), so §5 and §7 claim
//   a boost of "at least a factor of K^2": the fitted exponent 1/alpha >= 2.
//
// Protocol. The paper states the MNIST network, tanh, and binning on [-1, 1]
// "as described by Shwartz-Ziv & Tishby (2017)"; everything else is the code
// of that paper, ravidziv/IDNNs, which the 2019 paper's experiments reuse
// (idnns/networks/network_paramters.py, model.py, network.py,
// information/information_process.py):
// - SZT: all 4096 patterns; train = rows 0..3276 of var_u.mat, test = rows
//   3277..4095 (IDNNs' unshuffled 80 % split); MI on all 4096. Network
//   12-10-7-5-4-3-2.
// - MNIST: 784-500-250-100-50-20-10. Fashion-MNIST by default (MNIST itself
//   is not packaged here; --mnist DIR reads MNIST's IDX files), pixels / 255;
//   the first --mnist-train training images; MI on the first
//   --mnist-mi-samples test images.
// - both: tanh hidden layers, softmax output, every layer truncated normal
//   sigma = 1/sqrt(fan_in), biases 0; Adam lr 4e-4 (IDNNs' model.py; the
//   paper says SGD), mean cross-entropy, fixed consecutive mini-batches of the
//   unshuffled training set (last partial batch kept), batch 512 (IDNNs'
//   default) for Fig. 1a and Fig. 3; Fig. 1b sweeps the batch size.
// - recording: IDNNs' log2 grid unique(int(logspace(0, log2 E, 400, base 2)))
//   - 1 at the START of the epoch (epoch 0 = the initialisation), every layer
//   including the softmax output. MI: IDNNs' binning, 30 edges
//   linspace(-1, 1, 30), the left edge of the interval as the code, in bits.
// - Fig. 3 depths: the first k widths of the network, k = 1..5 (IDNNs' nets
//   '5', '4', '3', '2', '1' are exactly these for SZT).
//
// Definitions (the paper gives none precise enough to compute):
// - SNR of layer l in epoch e: ||mean_b g_b|| / ||std_b g_b|| over the epoch's
//   mini-batch gradients of W_l (the trainer's curves), smoothed by averaging
//   over the epochs within +-10 % of e (a fixed width on the log-epoch axis of
//   the paper's log-log Fig. 1a).
// - SNR transition t_s: "the iteration where the derivative of the SNR is
//   maximal", read as the steepest fall of the smoothed SNR on the log-log
//   axes of Fig. 1a: the epoch after the smoothed SNR's maximum where
//   d log SNR / d log(epoch + 1) (central difference over +-max(1, 10 %) of
//   the epoch) is most negative. None when the maximum is the last epoch.
//   snr_below_one (the first epoch after the maximum >= 1 where the smoothed
//   SNR is below 1) is written next to it.
// - compression onset t_c ("the starting point of the information
//   compression"): the layer's binned I(X;T) is smoothed by a running median
//   of 5 recorded epochs (reproduce/verdict.hpp), so a one-epoch spike is not
//   an onset; t_c is the last recorded epoch of its peak's plateau: from the
//   first peak on, the last epoch before the smoothed course falls more than
//   one sample's move between bins (log2 N / N bits) below the peak. A layer
//   that starts at the ceiling log2 N (every sample its own bin) thus begins
//   compressing when it leaves the ceiling, not at epoch 0.
// - Gaussian bound (eq. 9) at a recorded epoch t, layer l: W* = W_l(t),
//   dW = 0 during the drift (t <= t*), and W* = W_l(t*), dW = W_l(t) - W_l(t*)
//   during the diffusion (the random walk accumulated since it began), with t*
//   = t_s for SZT (its weights are kept every epoch) and t* = the last recorded
//   epoch <= t_s for MNIST (only the recorded epochs' weights are kept; the
//   grid is 400 log-spaced points). s2_T = the mean per-unit variance of the
//   layer's input at t on the MI samples (the previous layer's recorded output;
//   for the first layer the inputs); s2_z = (2/29)^2 / 12, the variance of the
//   uniform quantisation noise of the 30-edge binning. The bound can jump UP
//   right after t*: with dW = 0 eq. 9's basis is free and mi::gaussian_bound
//   takes the tightest (log-det) one, while a small dW fixes the eigenbasis of
//   dW dW^T, where the sum of per-direction terms is larger (Hadamard). MNIST
//   T1 (784 x 500 weights, 1.5 MB per recorded epoch) has no bound.
// - convergence (Fig. 3): the first epoch whose training cross-entropy (before
//   that epoch's updates) is at most --loss-threshold nats (default 0.1);
//   iterations = epochs x mini-batches per epoch. The MNIST depth-sweep runs
//   stop there (they are measured for nothing else).
//
// Verdicts (reproduce/verdict.hpp; from the tables as written, per network):
// 1. Fig. 1a SNR: the smoothed log10 SNR of --layer (main batch, full depth)
//    falls from its peak to its end by more than its noise threshold.
// 2. Fig. 1a I(X;T): the smoothed binned I(X;T) (course from the last
//    recorded epoch <= t_s on) falls from t_s to the end by more than the
//    threshold (at least one sample's move between bins, log2(N)/N bits); a
//    rise after t_s that falls back does not count.
// 3. Fig. 1a bound: the smoothed eq. 9 bound falls from its first diffusion
//    epoch to the end.
// 4. Fig. 1a weights: the log-log slope of ||W(t) - W(0)|| after t_s is below
//    the slope before it (linear drift, then slower diffusion).
// 5. Fig. 1b: Pearson r of log10(t_s) and log10(t_c + 1) in iterations over
//    the batch sizes and seeds, one-sided p < 0.05 for r > 0.
// 6. Fig. 3: more layers converge in fewer iterations: slope b of
//    -log(iterations) on log K, one-sided p < 0.05 for b > 0.
// 7. Fig. 3 "at least K^2": the 95 % confidence interval of b = 1/alpha (OLS
//    with Student t) reaches 2 (b >= 2 is not excluded) or lies below it.
// With several seeds, 1-4 are judged by a one-sided t-test of the per-seed
// statistic against its threshold (seeds >= 3) or by every seed exceeding it.
//
// Deviations: SZT default 3000 epochs, 2 seeds (--full: 8000, IDNNs'
// default, 5 seeds; the paper averages 50 initialisations for Fig. 2, and
// does not say for Fig. 1/3). MNIST default: the first 2000 training images,
// 200 epochs, MI on the first 1000 test images, 1 seed, batches 128,256,512
// for Fig. 1b (--full: 60,000 / 10,000 images, 3000 epochs, 3 seeds, batches
// 64,128,256,512,1024,2048). The paper does not give its MNIST epochs, batch
// sizes or learning rate. The MNIST test loss/accuracy of the curves are on
// the MI images (an evaluation of all 10,000 test images every epoch would
// cost a third of the training; no claim uses them).
//
// Output (--out): for SZT plane.csv, curves.csv (every epoch for the full
// depth, the recorded epochs for the other depths), weights.csv (distance
// from initialisation per epoch, full depth), bound.csv (eq. 9 per recorded
// epoch and layer), transitions.csv (t_s, t_c per run and layer),
// convergence.csv; the same tables with the prefix mnist_ for MNIST (its plane
// also carries samples and h_y, the MI samples' label entropy in bits, for
// the out-of-range check); verdicts.csv, out_of_range.csv; PNGs by
// examples/plot/drift_diffusion.py.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
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
#include "reproduce/verdict.hpp"

namespace eng = mi_examples::engine;
namespace ds = mi_examples::datasets;
namespace rp = mi_examples::reproduce;

namespace {

const char* usage =
    "drift_diffusion: Shwartz-Ziv, Painsky & Tishby 2019 Fig. 1a/b and 3 (SNR transition, compression,\n"
    "Gaussian bound, convergence vs depth) on the paper's MNIST network and on SZT, with mi.\n"
    "usage: drift_diffusion [options]\n"
    "  --network A,B       mnist and/or szt (default mnist,szt)\n"
    "  --layer K           hidden layer judged for Fig. 1a/1b, 1-based (default 5: the last hidden layer)\n"
    "  --loss-threshold X  training cross-entropy (nats) that counts as converged (default 0.1)\n"
    "SZT (12-10-7-5-4-3-2 tanh):\n"
    "  --epochs N          training epochs (default 3000; --full 8000; --smoke 40)\n"
    "  --batches A,B       batch sizes of the Fig. 1b sweep (default 64,128,256,512,1024)\n"
    "  --batch N           batch size of Fig. 1a and Fig. 3 (default 512, IDNNs' default)\n"
    "  --depths A,B        hidden-layer counts of Fig. 3 (default 1,2,3,4,5)\n"
    "  --lr X              Adam learning rate (default 4e-4)\n"
    "  (default 2 seeds; --full 5 seeds)\n"
    "MNIST (784-500-250-100-50-20-10 tanh, the paper's Fig. 1 network):\n"
    "  --mnist DIR         MNIST IDX files (train-images-idx3-ubyte[.gz], ...); default Fashion-MNIST from\n"
    "                      /usr/share/datasets/fashion-mnist (Debian package dataset-fashion-mnist)\n"
    "  --mnist-epochs N    training epochs (default 200; --full 3000; --smoke 12)\n"
    "  --mnist-train N     first N training images (default 2000; --full all 60000; --smoke 600)\n"
    "  --mnist-mi-samples N  first N test images for MI (default 1000; --full all 10000; --smoke 300)\n"
    "  --mnist-lr X        Adam learning rate (default 4e-4)\n"
    "  --mnist-batch N     batch size of Fig. 1a and Fig. 3 (default 512; --smoke 300)\n"
    "  --mnist-batches A,B batch sizes of Fig. 1b (default 128,256,512; --full 64,128,256,512,1024,2048;\n"
    "                      --smoke 100,300)\n"
    "  --mnist-depths A,B  hidden-layer counts of Fig. 3 (default 1,2,3,4,5; --smoke 1,5)\n"
    "  --mnist-seeds N     seeds (default 1; --full 3)\n";

const std::vector<std::size_t> szt_widths{10, 7, 5, 4, 3};
const std::vector<std::size_t> mnist_widths{500, 250, 100, 50, 20};
constexpr std::size_t full_depth = 5;

enum class net_kind { szt, mnist };

struct run {
    net_kind net;
    std::size_t batch;
    std::size_t depth;
    std::uint64_t seed;
    bool record;  ///< measure MI, SNR, weights (else: train to convergence only; MNIST depth sweep)
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

std::string widths_text(const std::vector<std::size_t>& widths, std::size_t depth) {
    std::string s;
    for (std::size_t l = 0; l < depth; ++l) s += (l ? "-" : "") + std::to_string(widths[l]);
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

// SNR of every epoch averaged over the epochs within +-10 % of it (clipped to the course).
std::vector<double> smoothed(const std::vector<double>& v) {
    std::vector<double> prefix(v.size() + 1, 0.0);
    for (std::size_t i = 0; i < v.size(); ++i) prefix[i + 1] = prefix[i] + v[i];
    std::vector<double> out(v.size());
    for (std::size_t e = 0; e < v.size(); ++e) {
        const std::size_t half = window_half(e), lo = e >= half ? e - half : 0, hi = std::min(v.size() - 1, e + half);
        out[e] = (prefix[hi + 1] - prefix[lo]) / static_cast<double>(hi - lo + 1);
    }
    return out;
}

struct snr_phases {
    std::size_t max_epoch = 0;
    double max_value = 0.0;
    bool found = false;          ///< a steepest fall after the maximum exists
    std::size_t transition = 0;  ///< t_s: steepest fall of log SNR against log(epoch + 1)
    double slope = 0.0;          ///< d log SNR / d log(epoch + 1) at t_s
    std::optional<std::size_t> below_one;  ///< first epoch after a maximum >= 1 with smoothed SNR < 1
};

snr_phases snr_transition(const std::vector<double>& snr) {
    const auto s = smoothed(snr);
    const std::size_t n = s.size();
    snr_phases p;
    p.max_epoch = static_cast<std::size_t>(std::max_element(s.begin(), s.end()) - s.begin());
    p.max_value = s[p.max_epoch];
    // An SNR of 0 (no gradient) has no logarithm: floor it far below any measured value.
    const auto log_s = [&](std::size_t e) { return std::log(std::max(s[e], 1e-30)); };
    for (std::size_t e = p.max_epoch + 1; e < n; ++e) {
        const std::size_t d = std::max<std::size_t>(1, window_half(e));
        const std::size_t a = std::max(p.max_epoch, e >= d ? e - d : 0), b = std::min(n - 1, e + d);
        if (b <= a) continue;
        const double slope = (log_s(b) - log_s(a)) /
                             (std::log(static_cast<double>(b + 1)) - std::log(static_cast<double>(a + 1)));
        if (!p.found || slope < p.slope) {
            p.found = true;
            p.transition = e;
            p.slope = slope;
        }
    }
    if (p.max_value >= 1.0)
        for (std::size_t e = p.max_epoch; e < n; ++e)
            if (s[e] < 1.0) {
                p.below_one = e;
                break;
            }
    return p;
}

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
// s2_T, s2_z), nats. w_transition = W(t*) when t is in the diffusion phase (t > t*), else nullptr.
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

mi::binning<mi::uniform> idnns_binning() { return mi::binning<mi::uniform>(mi::uniform::idnns(30, -1.0, 1.0)); }

double snr_of(const eng::epoch_metrics& m, std::size_t l) {
    const double gs = m.grad_std_norm.at(l);
    return gs > 0 ? m.grad_mean_norm.at(l) / gs : 0.0;
}

std::vector<double> snr_course(const std::vector<eng::epoch_metrics>& h, std::size_t l) {
    std::vector<double> s;
    for (const auto& m : h) s.push_back(snr_of(m, l));
    return s;
}

// The depth sweep of SZT only needs the loss curve: its rows at the (log-spaced) recorded epochs keep
// the tables small; the convergence epoch is found on every epoch before this.
std::vector<eng::epoch_metrics> at_recorded_epochs(const std::vector<eng::epoch_metrics>& h) {
    std::vector<eng::epoch_metrics> out;
    for (const auto& m : h)
        if (m.recorded) out.push_back(m);
    return out;
}

const std::vector<std::string> run_tags{"batch", "depth", "seed"};

std::vector<std::string> with_tags(std::initializer_list<const char*> more) {
    std::vector<std::string> c = run_tags;
    for (const char* m : more) c.emplace_back(m);
    return c;
}

// The weights table (tags, then epoch, layer, distance_from_init).
rp::table& weights_table(rp::suite& s, const std::string& prefix) {
    auto& t = s.result(prefix + "weights", with_tags({"epoch", "layer", "distance_from_init"}));
    if (t.comments().empty()) t.comment("distance_from_init = ||W_l(epoch) - W_l(0)||_F at the start of the epoch");
    return t;
}

void add_distance_row(rp::table& t, const std::vector<rp::cell>& tags, std::size_t epoch, std::size_t layer,
                      double distance) {
    std::vector<rp::cell> row = tags;
    for (rp::cell x : {rp::cell(epoch), rp::cell(layer), rp::cell(distance)}) row.push_back(x);
    t.add(std::move(row));
}

struct fig1a_tables {
    rp::table& trans;
    rp::table& bound;
};

fig1a_tables analysis_tables(rp::suite& s, const std::string& prefix) {
    auto& bound = s.result(prefix + "bound", with_tags({"epoch", "layer", "diffusing", "ixt", "bound",
                                                        "layer_variance", "noise_variance", "delta_norm"}));
    auto& trans = s.result(prefix + "transitions",
                           with_tags({"layer", "batches_per_epoch", "snr_max_epoch", "snr_max", "snr_transition",
                                      "snr_slope", "snr_below_one", "compression_onset", "ixt_peak", "ixt_final"}));
    if (bound.comments().empty()) {
        bound.comment("eq. 9 of Shwartz-Ziv, Painsky & Tishby 2019 (mi::gaussian_bound), bits; ixt = binned I(X;T), bits");
        bound.comment("W* = W(t), dW = 0 for t <= t*; W* = W(t*), dW = W(t) - W(t*) after it (diffusing = 1)");
        trans.comment("snr_transition t_s: epoch after the smoothed SNR's maximum of the steepest fall of "
                      "log SNR vs log(epoch + 1) (empty: none); snr_slope: that derivative");
        trans.comment("snr_below_one: first epoch after a maximum >= 1 with smoothed SNR < 1 (empty: none)");
        trans.comment("compression_onset t_c: last recorded epoch of the peak plateau (within log2 N / N bits) of the "
                      "binned I(X;T) smoothed by a running median of 5; ixt_peak, ixt_final: smoothed, bits");
    }
    return {trans, bound};
}

// What eq. 9 needs of one layer.
struct bound_inputs {
    std::function<const std::vector<float>&(std::size_t)> weights;  ///< W_l at a recorded epoch
    const std::vector<float>* at_transition = nullptr;               ///< W_l(t*) (nullptr: no transition)
    std::size_t transition_epoch = 0;                                ///< t*
    std::function<double(std::size_t)> input_variance;               ///< s2_T at a recorded epoch
    std::size_t n_out = 0, n_in = 0;
};

// One layer's transitions row (SNR phases p, compression onset from its binned path) and, when
// `b` is given, its eq. 9 rows at the recorded epochs of the path.
void add_layer_analysis(const fig1a_tables& t, const std::vector<rp::cell>& tags, std::size_t l,
                        std::size_t batches_per_epoch, std::size_t samples, const snr_phases& p,
                        const std::vector<mi::trajectory_row>& path, const bound_inputs* b) {
    rp::course ixt;
    for (const auto& pt : path) {
        ixt.epoch.push_back(static_cast<double>(pt.epoch));
        ixt.value.push_back(mi::to_bits(pt.point.ixt));
    }
    const rp::trend tr = rp::trend_of(ixt);
    // The onset is the end of the peak's plateau: the last recorded epoch, from the (first) peak on,
    // before the smoothed course first falls more than one sample's move (log2 N / N bits) below the
    // peak. A layer that starts at the ceiling log2 N begins to compress when it leaves it, not at 0.
    const auto sm = rp::smooth(ixt.value);
    const double resolution = std::log2(static_cast<double>(samples)) / static_cast<double>(samples);
    std::size_t onset = static_cast<std::size_t>(std::max_element(sm.begin(), sm.end()) - sm.begin());
    while (onset + 1 < sm.size() && sm[onset + 1] >= tr.peak - resolution) ++onset;
    std::vector<rp::cell> row = tags;
    for (rp::cell x : {rp::cell(l), rp::cell(batches_per_epoch), rp::cell(p.max_epoch), rp::cell(p.max_value),
                       p.found ? rp::cell(p.transition) : rp::cell(""), p.found ? rp::cell(p.slope) : rp::cell(""),
                       p.below_one ? rp::cell(*p.below_one) : rp::cell(""), rp::cell(ixt.epoch[onset]),
                       rp::cell(tr.peak), rp::cell(tr.final_value)})
        row.push_back(x);
    t.trans.add(std::move(row));
    if (!b) return;
    for (const auto& pt : path) {
        const auto e = static_cast<std::size_t>(pt.epoch);
        const double s2t = b->input_variance(e);
        const bool diffusing = b->at_transition && e > b->transition_epoch;
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

std::size_t batches_per_epoch(std::size_t n, std::size_t batch) { return (n + batch - 1) / std::min(batch, n); }

void add_convergence_row(rp::suite& s, const std::string& prefix, const std::vector<rp::cell>& tags,
                         const std::string& widths, std::size_t per_epoch, double loss_threshold,
                         const std::vector<eng::epoch_metrics>& h) {
    auto& conv = s.result(prefix + "convergence",
                          with_tags({"widths", "batches_per_epoch", "loss_threshold", "converged", "convergence_epoch",
                                     "iterations", "final_train_loss", "final_train_accuracy", "final_test_accuracy"}));
    if (conv.comments().empty())
        conv.comment("converged: training cross-entropy (at the start of an epoch) <= loss_threshold nats; "
                     "iterations = convergence_epoch x batches_per_epoch (empty: not reached)");
    const auto hit = std::find_if(h.begin(), h.end(), [&](const auto& m) { return m.train_loss <= loss_threshold; });
    const bool ok = hit != h.end();
    std::vector<rp::cell> row = tags;
    for (rp::cell x : {rp::cell(widths), rp::cell(per_epoch), rp::cell(loss_threshold), rp::cell(ok),
                       ok ? rp::cell(hit->epoch) : rp::cell(""), ok ? rp::cell(hit->epoch * per_epoch) : rp::cell(""),
                       rp::cell(h.back().train_loss), rp::cell(h.back().train_accuracy),
                       rp::cell(h.back().test_accuracy)})
        row.push_back(x);
    conv.add(std::move(row));
}

// ---- SZT ----

struct szt_context : rp::szt_sets {
    using rp::szt_sets::szt_sets;
    std::vector<std::size_t> record_epochs;
    std::size_t epochs = 0;
    double lr = 0, loss_threshold = 0;
};

struct szt_result {
    std::vector<eng::epoch_metrics> history;
    weight_history weights;
    mi::recording<float> rec;
};

szt_result szt_train(const run& r, const szt_context& c) {
    eng::network_config cfg;
    cfg.inputs = 12;
    cfg.hidden.assign(szt_widths.begin(), szt_widths.begin() + static_cast<std::ptrdiff_t>(r.depth));
    cfg.outputs = 2;
    cfg.hidden_activation = eng::activation::tanh();
    cfg.output = eng::output_spec::softmax();
    cfg.hidden_init = eng::init_spec::truncated_normal_fan_in(1.0);
    eng::network<float> net(cfg, mi::derive_seed(r.seed, 1, r.depth));

    szt_result out{{}, {}, mi::recording<float>(mi::samples(mi::labels(c.all.labels, 2)))};
    out.weights.push_back(weights_of(net));
    rp::progress bar("SZT batch " + std::to_string(r.batch) + " depth " + std::to_string(r.depth) + " seed " +
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

void szt_run(const run& r, const szt_context& c, rp::suite& s) {
    auto& curves = s.result("curves", rp::curve_columns(run_tags));
    const std::vector<rp::cell> tags{rp::cell(r.batch), rp::cell(r.depth), rp::cell(r.seed)};
    const std::vector<std::string> tag_text{std::to_string(r.batch), std::to_string(r.depth), std::to_string(r.seed)};
    rp::progress clock("", 1);
    const szt_result res = szt_train(r, c);
    if (r.depth == full_depth) {
        rp::add_curves(curves, tag_text, res.history);
        auto& weights = weights_table(s, "");
        for (std::size_t e = 0; e < res.weights.size(); ++e)
            for (std::size_t l = 0; l < res.weights[e].size(); ++l)
                add_distance_row(weights, tags, e, l, frobenius_distance(res.weights[e][l], res.weights[0][l]));
    } else {
        rp::add_curves(curves, tag_text, at_recorded_epochs(res.history));
    }
    mi::plane_options po;
    po.output_unit = mi::unit::bits;
    const auto binned = mi::information_plane(res.rec, idnns_binning(), po);
    s.result("plane", {}).append(
        rp::plane_table({binned}, {{"batch", tag_text[0]}, {"depth", tag_text[1]}, {"seed", tag_text[2]}}));

    const std::size_t per_epoch = batches_per_epoch(c.train.n, r.batch);
    const fig1a_tables t = analysis_tables(s, "");
    const double pixel_variance = mean_unit_variance(mi::activation_view<const float>(c.all.x.data(), c.all.n, c.all.d));
    const std::size_t n_layers = res.weights.front().size();
    for (std::size_t l = 0; l < n_layers; ++l) {
        const snr_phases p = snr_transition(snr_course(res.history, l));
        bound_inputs b;
        b.weights = [&](std::size_t e) -> const std::vector<float>& { return res.weights[e][l]; };
        b.at_transition = p.found ? &res.weights[p.transition][l] : nullptr;
        b.transition_epoch = p.transition;
        b.input_variance = [&](std::size_t e) {
            return l == 0 ? pixel_variance : mean_unit_variance(res.rec.at(static_cast<mi::epoch_t>(e), l - 1));
        };
        b.n_out = res.rec.units(l);
        b.n_in = l == 0 ? c.all.d : res.rec.units(l - 1);
        add_layer_analysis(t, tags, l, per_epoch, c.all.n, p, binned.layer_path(l), &b);
    }
    add_convergence_row(s, "", tags, widths_text(szt_widths, r.depth), per_epoch, c.loss_threshold, res.history);
    std::printf("  SZT batch %zu, %zu hidden layers, seed %llu: %.1f s; final train loss %.4f, test acc %.3f\n", r.batch,
                r.depth, static_cast<unsigned long long>(r.seed), clock.elapsed(), res.history.back().train_loss,
                res.history.back().test_accuracy);
    std::fflush(stdout);
}

// ---- MNIST ----

struct mnist_settings {
    std::string dir;
    std::size_t epochs = 0, n_train = 0, n_mi = 0, batch = 0, seeds = 0;
    double lr = 0, loss_threshold = 0;
};

// Layers of the MNIST net with an eq. 9 bound: all but T1 (see the header comment).
constexpr std::size_t mnist_first_bound_layer = 1;

void mnist_run(const run& r, const mnist_settings& o, const rp::mnist_data& data, rp::suite& s) {
    eng::network_config cfg;
    cfg.inputs = 784;
    cfg.hidden.assign(mnist_widths.begin(), mnist_widths.begin() + static_cast<std::ptrdiff_t>(r.depth));
    cfg.outputs = rp::mnist_classes;
    cfg.hidden_activation = eng::activation::tanh();
    cfg.output = eng::output_spec::softmax();
    cfg.hidden_init = eng::init_spec::truncated_normal_fan_in(1.0);
    // The same initial weights for every batch size of a seed and depth (the Fig. 1b sweep).
    eng::network<float> net(cfg, mi::derive_seed(r.seed, 1, r.depth));
    const std::size_t n_layers = net.num_layers();
    const std::size_t per_epoch = batches_per_epoch(data.train.n, r.batch);
    const std::vector<rp::cell> tags{rp::cell(r.batch), rp::cell(r.depth), rp::cell(r.seed)};
    const std::vector<std::string> tag_text{std::to_string(r.batch), std::to_string(r.depth), std::to_string(r.seed)};

    eng::train_options opts;
    opts.epochs = o.epochs;
    opts.batch_size = r.batch;
    opts.order = eng::batch_order::consecutive;
    opts.optimizer = eng::optimizer_config::adam(o.lr);
    opts.seed = mi::derive_seed(r.seed, 2, r.depth, r.batch);
    opts.when = eng::record_time::epoch_start;
    opts.metrics_every_epoch = true;
    rp::progress bar("MNIST batch " + std::to_string(r.batch) + " depth " + std::to_string(r.depth) + " seed " +
                         std::to_string(r.seed),
                     o.epochs);

    if (!r.record) {
        // Fig. 3 only: train until the loss threshold is reached (the metrics row of an epoch is the
        // network before its updates, so the run stops one epoch after the converged one).
        eng::null_recorder none;
        eng::train_progress<float> progress;
        opts.on_epoch = bar.hook();
        eng::train_from(net, data.train, &data.mi, data.train, none, opts, progress,
                        eng::epoch_boundary<float>([&](const eng::network<float>&, const eng::train_progress<float>& p) {
                            return p.history.back().train_loss <= o.loss_threshold;
                        }));
        rp::add_curves(s.result("mnist_curves", rp::curve_columns(run_tags)), tag_text, progress.history);
        add_convergence_row(s, "mnist_", tags, widths_text(mnist_widths, r.depth), per_epoch, o.loss_threshold,
                            progress.history);
        std::printf("  MNIST batch %zu, %zu hidden layers, seed %llu: %.1f s, %zu epochs; train loss %.4f\n", r.batch,
                    r.depth, static_cast<unsigned long long>(r.seed), bar.elapsed(), progress.history.size(),
                    progress.history.back().train_loss);
        std::fflush(stdout);
        return;
    }

    const auto record_epochs = eng::idnns_log2_epochs(o.epochs, 400);
    const std::set<std::size_t> recorded_set(record_epochs.begin(), record_epochs.end());
    opts.record_epochs = record_epochs;
    auto& weights = weights_table(s, "mnist_");
    auto& plane = s.result("mnist_plane", {});
    const double h_y = rp::label_entropy_bits(data.mi.labels);

    const auto initial = weights_of(net);
    std::map<std::size_t, std::vector<std::vector<float>>> kept;  // recorded epoch -> W_l (empty below bound layers)
    const auto keep = [&](std::size_t epoch) {
        auto& w = kept[epoch];
        w.resize(n_layers);
        for (std::size_t l = mnist_first_bound_layer; l < n_layers; ++l) w[l] = net.at(l).w;
    };
    if (recorded_set.count(0)) keep(0);
    for (std::size_t l = 0; l < n_layers; ++l) add_distance_row(weights, tags, 0, l, 0.0);
    std::map<std::pair<std::size_t, std::size_t>, double> input_variance;  // (epoch, layer) -> s2_T
    std::vector<std::vector<mi::trajectory_row>> paths(n_layers);
    const double pixel_variance =
        mean_unit_variance(mi::activation_view<const float>(data.mi.x.data(), data.mi.n, data.mi.d));

    double mi_seconds = 0;
    rp::epoch_stream stream(rp::mnist_samples(data.mi), n_layers, [&](const mi::recording<float>& epoch) {
        const double t0 = bar.elapsed();
        mi::plane_options po;
        po.output_unit = mi::unit::bits;
        const auto binned = mi::information_plane(epoch, idnns_binning(), po);
        plane.append(rp::plane_table({binned}, {{"batch", tag_text[0]},
                                                {"depth", tag_text[1]},
                                                {"seed", tag_text[2]},
                                                {"samples", std::to_string(data.mi.n)},
                                                {"h_y", rp::cell(h_y).text()}}));
        const mi::epoch_t e = epoch.epochs().front();
        for (std::size_t l = 0; l < n_layers; ++l) {
            for (const auto& row : binned.layer_path(l)) paths[l].push_back(row);
            if (l >= mnist_first_bound_layer)
                input_variance[{static_cast<std::size_t>(e), l}] = mean_unit_variance(epoch.at(e, l - 1));
        }
        mi_seconds += bar.elapsed() - t0;
    });
    // After epoch e's updates: the weights are W(e + 1), those at the start of the next epoch.
    opts.on_epoch = [&](const eng::epoch_metrics& m) {
        bar(m.epoch);
        const std::size_t next = m.epoch + 1;
        if (next >= o.epochs) return;
        for (std::size_t l = 0; l < n_layers; ++l)
            add_distance_row(weights, tags, next, l, frobenius_distance(net.at(l).w, initial[l]));
        if (recorded_set.count(next)) keep(next);
    };
    const auto history = eng::train(net, data.train, &data.mi, data.mi, stream, opts);
    rp::add_curves(s.result("mnist_curves", rp::curve_columns(run_tags)), tag_text, history);

    const fig1a_tables t = analysis_tables(s, "mnist_");
    for (std::size_t l = 0; l < n_layers; ++l) {
        const snr_phases p = snr_transition(snr_course(history, l));
        if (l < mnist_first_bound_layer) {
            add_layer_analysis(t, tags, l, per_epoch, data.mi.n, p, paths[l], nullptr);
            continue;
        }
        bound_inputs b;
        b.weights = [&](std::size_t e) -> const std::vector<float>& { return kept.at(e)[l]; };
        if (p.found) {
            // t* = the last recorded epoch <= t_s (the grid starts at epoch 0, so there is one).
            const auto it = std::upper_bound(record_epochs.begin(), record_epochs.end(), p.transition);
            b.transition_epoch = *std::prev(it);
            b.at_transition = &kept.at(b.transition_epoch)[l];
        }
        b.input_variance = [&](std::size_t e) {
            return l == 0 ? pixel_variance : input_variance.at({e, l});
        };
        b.n_out = net.at(l).out;
        b.n_in = net.at(l).in;
        add_layer_analysis(t, tags, l, per_epoch, data.mi.n, p, paths[l], &b);
    }
    add_convergence_row(s, "mnist_", tags, widths_text(mnist_widths, r.depth), per_epoch, o.loss_threshold, history);
    std::printf("  MNIST batch %zu, %zu hidden layers, seed %llu: %.1f s (MI %.1f s); final train acc %.3f, test acc "
                "%.3f\n",
                r.batch, r.depth, static_cast<unsigned long long>(r.seed), bar.elapsed(), mi_seconds,
                history.back().train_accuracy, history.back().test_accuracy);
    std::fflush(stdout);
}

// ---- summaries and verdicts, from the tables as written ----

using filter = std::vector<std::pair<std::string, std::string>>;

double mean_of(const std::vector<double>& v) {
    double m = 0;
    for (double x : v) m += x / static_cast<double>(v.size());
    return m;
}

// The t quantile q (0.5 < q < 1) with df degrees of freedom, by bisection on student_t_sf.
double student_t_quantile(double q, double df) {
    double lo = 0, hi = 1e3;
    for (int i = 0; i < 200; ++i) {
        const double mid = 0.5 * (lo + hi);
        (rp::student_t_sf(mid, df) > 1.0 - q ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

// Per-run statistics against per-run thresholds (a claim about every run): value and threshold are
// the means; with >= 3 runs the one-sided t-test of (statistic - threshold) > 0 decides at 0.05, with
// fewer every run must exceed its threshold (the p-value is reported from 2 runs on).
struct population {
    std::vector<double> values, thresholds;
    bool empty() const { return values.empty(); }
    double value() const { return mean_of(values); }
    double threshold() const { return mean_of(thresholds); }
    double p_value() const {
        std::vector<double> d;
        for (std::size_t i = 0; i < values.size(); ++i) d.push_back(values[i] - thresholds[i]);
        return rp::one_sample_t(d).p_value;
    }
    bool holds() const {
        if (values.size() >= 3) return p_value() < 0.05;
        for (std::size_t i = 0; i < values.size(); ++i)
            if (!(values[i] > thresholds[i])) return false;
        return true;
    }
    std::string runs() const { return std::to_string(values.size()) + (values.size() == 1 ? " run" : " runs"); }
};

// Least-squares slope of y on x with its standard error (n >= 3, x not constant).
struct fit {
    double slope = std::nan(""), se = std::nan(""), df = 0;
};
fit least_squares(const std::vector<double>& x, const std::vector<double>& y) {
    fit f;
    const std::size_t n = x.size();
    if (n < 3) return f;
    const double mx = mean_of(x), my = mean_of(y);
    double sxx = 0, sxy = 0;
    for (std::size_t i = 0; i < n; ++i) sxx += (x[i] - mx) * (x[i] - mx), sxy += (x[i] - mx) * (y[i] - my);
    if (!(sxx > 0)) return f;
    f.slope = sxy / sxx;
    double rss = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double r = y[i] - my - f.slope * (x[i] - mx);
        rss += r * r;
    }
    f.df = static_cast<double>(n - 2);
    f.se = std::sqrt(rss / f.df / sxx);
    return f;
}

struct judge_settings {
    std::size_t main_batch = 0;
    std::size_t layer = 0;  ///< 0-based
};

std::string net_label(const std::string& prefix) { return prefix.empty() ? "SZT" : "MNIST"; }

// Verdicts 1-4 (Fig. 1a) of one network: per seed of the main run (main batch, full depth).
void judge_fig1a(const rp::tables& t, const std::string& prefix, const judge_settings& j, rp::verdicts& v) {
    const std::string net = net_label(prefix), layer = std::to_string(j.layer);
    const std::string lname = "T" + std::to_string(j.layer + 1);
    if (!t.count(prefix + "transitions")) return;
    const filter main{{"batch", std::to_string(j.main_batch)}, {"depth", std::to_string(full_depth)}};
    const rp::table trans = t.at(prefix + "transitions").where(main).where({{"layer", layer}});
    if (trans.empty()) {
        std::printf("  %s: no run at batch %zu, depth %zu, layer %s: Fig. 1a not judged\n", net.c_str(), j.main_batch,
                    full_depth, lname.c_str());
        return;
    }
    const rp::table plane = t.at(prefix + "plane").where(main).where({{"layer", layer}});
    const rp::table curves = t.at(prefix + "curves").where(main).where({{"layer", layer}});
    const rp::table bound = t.at(prefix + "bound").where(main).where({{"layer", layer}});
    const rp::table weights = t.at(prefix + "weights").where(main).where({{"layer", layer}});
    population snr, ixt, bnd, wts;
    for (std::size_t i = 0; i < trans.size(); ++i) {
        const std::string seed = trans.text(i, "seed");
        const filter by_seed{{"seed", seed}};
        rp::course c = rp::course_of(curves.where(by_seed), "snr");
        rp::course lc;
        for (std::size_t k = 0; k < c.size(); ++k)
            if (c.value[k] > 0) lc.epoch.push_back(c.epoch[k]), lc.value.push_back(std::log10(c.value[k]));
        if (lc.size() >= 3) {
            const rp::trend tr = rp::trend_of(lc);
            snr.values.push_back(tr.drop());
            snr.thresholds.push_back(tr.threshold);
        }
        const double ts = trans.number(i, "snr_transition");
        if (std::isnan(ts)) continue;
        // I(X;T) from t_s on (the recorded epochs >= t_s; one before it when none is recorded at t_s).
        const rp::table p = plane.where(by_seed);
        const rp::course all = rp::course_of(p, "ixt");
        rp::course after;
        for (std::size_t k = 0; k < all.size(); ++k)
            if (all.epoch[k] >= ts || (k + 1 < all.size() && all.epoch[k + 1] > ts)) {
                after.epoch.push_back(all.epoch[k]);
                after.value.push_back(all.value[k]);
            }
        if (after.size() >= 3 && !p.empty()) {
            const double n = prefix.empty() ? 4096.0 : p.number(0, "samples");
            const rp::trend tr = rp::trend_of(after, std::log2(n) / n);
            ixt.values.push_back(tr.first - tr.final_value);
            ixt.thresholds.push_back(tr.threshold);
        }
        const rp::course diff = rp::course_of(bound.where(by_seed).where({{"diffusing", "1"}}), "bound");
        if (diff.size() >= 3) {
            const rp::trend tr = rp::trend_of(diff);
            bnd.values.push_back(tr.first - tr.final_value);
            bnd.thresholds.push_back(tr.threshold);
        }
        // Log-log slopes of the distance from initialisation before and after t_s (epoch >= 1).
        const rp::course w = rp::course_of(weights.where(by_seed), "distance_from_init");
        std::vector<double> xb, yb, xa, ya;
        for (std::size_t k = 0; k < w.size(); ++k) {
            if (w.epoch[k] < 1 || !(w.value[k] > 0)) continue;
            (w.epoch[k] <= ts ? xb : xa).push_back(std::log(w.epoch[k]));
            (w.epoch[k] <= ts ? yb : ya).push_back(std::log(w.value[k]));
        }
        const fit before = least_squares(xb, yb), after_fit = least_squares(xa, ya);
        if (!std::isnan(before.slope) && !std::isnan(after_fit.slope)) {
            // "slows": the slope after t_s is below the slope before (statistic = before - after > 0).
            wts.values.push_back(before.slope - after_fit.slope);
            wts.thresholds.push_back(0.0);
        }
    }
    const std::string where = net + " " + lname + ", batch " + std::to_string(j.main_batch);
    if (!snr.empty())
        v.add({"Fig. 1a (" + where + "): the gradient SNR is high in the drift phase and then decreases remarkably",
               "drop of smoothed log10 SNR from its peak to its end (" + snr.runs() + ")", snr.value(), snr.threshold(),
               snr.p_value(), "falls", snr.holds() ? "falls" : "does not fall"});
    else
        std::printf("  %s: no SNR course: the SNR verdict is left out\n", net.c_str());
    if (!ixt.empty())
        v.add({"Fig. 1a (" + where + "): after the transition the MI I(X;T) decreases remarkably",
               "fall of smoothed binned I(X;T) from t_s to the end [bits] (" + ixt.runs() + ")", ixt.value(),
               ixt.threshold(), ixt.p_value(), "compresses", ixt.holds() ? "compresses" : "no compression"});
    else
        std::printf("  %s: no run with an SNR transition and 3 recorded epochs after it: I(X;T) not judged\n",
                    net.c_str());
    if (!bnd.empty())
        v.add({"Fig. 1a (" + where + "): in the diffusion phase there is a clear-cut reduction of the Gaussian bound",
               "fall of the smoothed eq. 9 bound from t* to the end [bits] (" + bnd.runs() + ")", bnd.value(),
               bnd.threshold(), bnd.p_value(), "falls", bnd.holds() ? "falls" : "does not fall"});
    else
        std::printf("  %s: no bound rows in the diffusion phase: the bound verdict is left out\n", net.c_str());
    if (!wts.empty())
        v.add({"Fig. 1a (" + where + "): the weights grow almost linearly in the drift, then behave as a diffusion",
               "log-log slope of ||W(t) - W(0)|| before t_s minus after t_s (" + wts.runs() + ")", wts.value(),
               wts.threshold(), wts.p_value(), "slows after t_s", wts.holds() ? "slows after t_s" : "does not slow"});
}

// Verdict 5 (Fig. 1b): t_s against t_c in iterations over the batch sizes and seeds (full depth).
void judge_fig1b(const rp::tables& t, const std::string& prefix, const judge_settings& j, rp::verdicts& v) {
    if (!t.count(prefix + "transitions")) return;
    const std::string net = net_label(prefix);
    const rp::table trans =
        t.at(prefix + "transitions").where({{"depth", std::to_string(full_depth)}, {"layer", std::to_string(j.layer)}});
    std::vector<double> xs, ys;
    std::set<std::string> batches;
    for (std::size_t i = 0; i < trans.size(); ++i) {
        const double ts = trans.number(i, "snr_transition"), tc = trans.number(i, "compression_onset");
        if (std::isnan(ts)) continue;
        const double per = trans.number(i, "batches_per_epoch");
        xs.push_back(std::log10(ts * per));
        ys.push_back(std::log10(tc * per + 1.0));
        batches.insert(trans.text(i, "batch"));
    }
    if (xs.size() < 3 || batches.size() < 2) {
        std::printf("  %s: %zu runs with a transition over %zu batch sizes: Fig. 1b needs 3 runs over 2 batch sizes\n",
                    net.c_str(), xs.size(), batches.size());
        return;
    }
    // A constant t_c (e.g. a binned I(X;T) pinned at its ceiling peaks at epoch 0) has no linear trend: r = 0.
    double r = rp::pearson(xs, ys);
    if (std::isnan(r)) r = 0.0;
    const double df = static_cast<double>(xs.size() - 2);
    const double tstat = r >= 1.0 ? std::numeric_limits<double>::infinity() : r * std::sqrt(df / (1.0 - r * r));
    const double p = rp::student_t_sf(tstat, df);
    const double tq = student_t_quantile(0.95, df);
    const double r_critical = tq / std::sqrt(df + tq * tq);
    v.add({"Fig. 1b (" + net + " T" + std::to_string(j.layer + 1) +
               "): the gradient phase transition and the start of compression have a clear linear trend",
           "Pearson r of log10 t_s and log10(t_c + 1), iterations, " + std::to_string(xs.size()) + " runs over " +
               std::to_string(batches.size()) + " batch sizes (threshold: r at one-sided p = 0.05)",
           r, r_critical, p, "correlated", p < 0.05 ? "correlated" : "not correlated"});
}

// Verdicts 6 and 7 (Fig. 3): iterations to convergence against the number of hidden layers K.
void judge_fig3(const rp::tables& t, const std::string& prefix, const judge_settings& j, rp::verdicts& v) {
    if (!t.count(prefix + "convergence")) return;
    const std::string net = net_label(prefix);
    const rp::table conv = t.at(prefix + "convergence").where({{"batch", std::to_string(j.main_batch)}});
    std::vector<double> x, y;
    std::set<std::string> depths;
    std::size_t missed = 0;
    for (std::size_t i = 0; i < conv.size(); ++i) {
        const double it = conv.number(i, "iterations");
        if (std::isnan(it) || !(it > 0)) {
            ++missed;
            continue;
        }
        x.push_back(std::log(conv.number(i, "depth")));
        y.push_back(-std::log(it));
        depths.insert(conv.text(i, "depth"));
    }
    if (missed) std::printf("  %s Fig. 3: %zu run(s) did not converge and are left out of the fit\n", net.c_str(), missed);
    const fit f = least_squares(x, y);
    if (depths.size() < 2 || std::isnan(f.slope) || !(f.se >= 0)) {
        std::printf("  %s Fig. 3: %zu converged runs over %zu depths: no fit\n", net.c_str(), x.size(), depths.size());
        return;
    }
    const double tq = student_t_quantile(0.975, f.df);
    const double lo = f.slope - tq * f.se, hi = f.slope + tq * f.se;
    const auto sf = [&](double z) {
        return f.se > 0 ? rp::student_t_sf(z / f.se, f.df) : (z > 0 ? 0.0 : 1.0);
    };
    char ci[160];
    std::snprintf(ci, sizeof ci, "95%% CI [%.3g, %.3g]; alpha = 1/b", lo, hi);
    const std::string runs = std::to_string(x.size()) + " converged runs, " + std::to_string(depths.size()) + " depths";
    v.add({"Fig. 3 (" + net + ", batch " + std::to_string(j.main_batch) +
               "): as the number of layers increases, the convergence time decreases",
           "b = -slope of log(iterations) on log K (" + runs + "); one-sided test b > 0", f.slope, 0.0, sf(f.slope),
           "fewer iterations", sf(f.slope) < 0.05 ? "fewer iterations" : "not fewer"});
    v.add({"Fig. 3 / §5 (" + net + "): the hidden layers boost the convergence time by at least a factor K^2 "
               "(1/alpha >= 2 since alpha <= 0.5)",
           "b = 1/alpha, " + std::string(ci) + " (" + runs + "); p: one-sided test b < 2", f.slope, 2.0,
           sf(2.0 - f.slope), "at least K^2", hi >= 2.0 ? "at least K^2" : "less than K^2"});
    std::printf("  %s Fig. 3: iterations ~ K^-b, b = %.3f, %s (alpha = %.3g)\n", net.c_str(), f.slope, ci,
                1.0 / f.slope);
}

// A compact per-network summary of the Fig. 1a run (every layer) and of Fig. 3.
void print_summary(const rp::tables& t, const std::string& prefix, const judge_settings& j) {
    if (!t.count(prefix + "transitions")) return;
    const std::string net = net_label(prefix);
    const rp::table trans = t.at(prefix + "transitions").where({{"depth", std::to_string(full_depth)}});
    std::printf("\n%s, depth %zu: per run and layer (epochs at the start of the epoch; smoothed values)\n", net.c_str(),
                full_depth);
    std::printf("  %-6s %-5s %-6s %14s %8s %10s %8s %8s %20s\n", "batch", "seed", "layer", "SNR max @ep", "t_s",
                "slope", "SNR<1", "t_c", "I(X;T) peak->final");
    for (std::size_t i = 0; i < trans.size(); ++i) {
        char snr[40], ixt[40];
        std::snprintf(snr, sizeof snr, "%.2f @%.0f", trans.number(i, "snr_max"), trans.number(i, "snr_max_epoch"));
        std::snprintf(ixt, sizeof ixt, "%.2f -> %.2f", trans.number(i, "ixt_peak"), trans.number(i, "ixt_final"));
        const std::string ts = trans.text(i, "snr_transition"), b1 = trans.text(i, "snr_below_one");
        std::printf("  %-6s %-5s %-6s %14s %8s %10.3g %8s %8.0f %20s\n", trans.text(i, "batch").c_str(),
                    trans.text(i, "seed").c_str(), trans.text(i, "layer").c_str(), snr, ts.empty() ? "none" : ts.c_str(),
                    trans.number(i, "snr_slope"), b1.empty() ? "none" : b1.c_str(), trans.number(i, "compression_onset"),
                    ixt);
    }
    if (!t.count(prefix + "convergence")) return;
    const rp::table m = t.at(prefix + "convergence")
                            .where({{"batch", std::to_string(j.main_batch)}})
                            .mean_by({"depth", "widths"}, {"converged", "iterations", "final_train_loss"});
    std::printf("\n%s Fig. 3: iterations to train loss <= threshold (batch %zu, mean over converged seeds)\n",
                net.c_str(), j.main_batch);
    std::printf("  %-6s %-20s %10s %12s\n", "layers", "widths", "converged", "iterations");
    for (std::size_t i = 0; i < m.size(); ++i)
        std::printf("  %-6s %-20s %10.2f %12.0f\n", m.text(i, "depth").c_str(), m.text(i, "widths").c_str(),
                    m.number(i, "converged"), m.number(i, "iterations"));
}

// Impossible values of both planes, with the network in front.
rp::table out_of_range_report(const rp::tables& t, double szt_hy) {
    rp::table report({"network", "estimator", "parameters", "quantity", "checked", "below_zero", "above_bound", "bound"});
    const auto add = [&](const std::string& net, const rp::table& r) {
        for (std::size_t i = 0; i < r.size(); ++i) {
            std::vector<rp::cell> row{rp::cell(net)};
            for (const auto& c : r.row(i)) row.emplace_back(c);
            report.add(std::move(row));
        }
    };
    if (t.count("plane")) add("szt", rp::out_of_range(t.at("plane"), 12.0, szt_hy));
    if (t.count("mnist_plane")) {
        const rp::table& p = t.at("mnist_plane");
        // One MI sample set per run of a program invocation; checked per distinct (samples, h_y).
        std::set<std::pair<std::string, std::string>> sets;
        for (std::size_t i = 0; i < p.size(); ++i) sets.insert({p.text(i, "samples"), p.text(i, "h_y")});
        for (const auto& [n, hy] : sets) {
            const rp::table part = p.where({{"samples", n}, {"h_y", hy}});
            add("mnist", rp::out_of_range(part, std::log2(part.number(0, "samples")), part.number(0, "h_y")));
        }
    }
    return report;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        rp::suite s(argc, argv, "drift_diffusion", usage);
        auto& cli = s.cli();
        const auto networks = cli.list("network", "mnist,szt");
        const std::size_t layer_1based = cli.count("layer", 5);
        const double loss_threshold = cli.number("loss-threshold", 0.1);
        const std::size_t epochs = cli.count("epochs", s.full() ? 8000 : s.smoke() ? 40 : 3000);
        const auto batches = count_list(cli.list("batches", s.smoke() ? "256,1024" : "64,128,256,512,1024"), "--batches");
        const std::size_t main_batch = cli.count("batch", 512);
        const auto depths = count_list(cli.list("depths", s.smoke() ? "1,5" : "1,2,3,4,5"), "--depths");
        const double lr = cli.number("lr", 4e-4);
        const std::size_t seeds = s.seeds(s.smoke() ? 1 : s.full() ? 5 : 2);
        mnist_settings mo;
        mo.dir = cli.text("mnist", "");
        mo.epochs = cli.count("mnist-epochs", s.full() ? 3000 : s.smoke() ? 12 : 200);
        mo.n_train = cli.count("mnist-train", s.full() ? 0 : s.smoke() ? 600 : 2000);
        mo.n_mi = cli.count("mnist-mi-samples", s.full() ? 0 : s.smoke() ? 300 : 1000);
        mo.lr = cli.number("mnist-lr", 4e-4);
        mo.batch = cli.count("mnist-batch", s.smoke() ? 300 : 512);
        const auto mnist_batches = count_list(
            cli.list("mnist-batches", s.full() ? "64,128,256,512,1024,2048" : s.smoke() ? "100,300" : "128,256,512"),
            "--mnist-batches");
        const auto mnist_depths = count_list(cli.list("mnist-depths", s.smoke() ? "1,5" : "1,2,3,4,5"), "--mnist-depths");
        mo.seeds = cli.count("mnist-seeds", s.full() ? 3 : 1);
        mo.loss_threshold = loss_threshold;
        s.begin();
        bool szt = false, mnist = false;
        for (const auto& n : networks) {
            if (n != "szt" && n != "mnist") mi::detail::fail("drift_diffusion", "--network", n, "szt or mnist");
            (n == "szt" ? szt : mnist) = true;
        }
        for (auto d : depths)
            if (d > szt_widths.size())
                mi::detail::fail("drift_diffusion", "--depths", d, "1 .. " + std::to_string(szt_widths.size()));
        for (auto d : mnist_depths)
            if (d > mnist_widths.size())
                mi::detail::fail("drift_diffusion", "--mnist-depths", d, "1 .. " + std::to_string(mnist_widths.size()));
        if (layer_1based < 1 || layer_1based > full_depth)
            mi::detail::fail("drift_diffusion", "--layer", layer_1based, "1 .. 5");
        if (main_batch == 0) mi::detail::fail("drift_diffusion", "--batch", main_batch, ">= 1");
        if (!(lr > 0)) mi::detail::fail("drift_diffusion", "--lr", lr, "> 0");
        if (!(loss_threshold > 0)) mi::detail::fail("drift_diffusion", "--loss-threshold", loss_threshold, "> 0");
        if (epochs < 2) mi::detail::fail("drift_diffusion", "--epochs", epochs, ">= 2");
        if (mo.epochs < 2) mi::detail::fail("drift_diffusion", "--mnist-epochs", mo.epochs, ">= 2");
        if (!(mo.lr > 0)) mi::detail::fail("drift_diffusion", "--mnist-lr", mo.lr, "> 0");
        if (mo.batch == 0) mi::detail::fail("drift_diffusion", "--mnist-batch", mo.batch, ">= 1");
        if (mo.seeds == 0) mi::detail::fail("drift_diffusion", "--mnist-seeds", mo.seeds, ">= 1");

        szt_context c(ds::szt_idnns_split());
        c.epochs = epochs;
        c.lr = lr;
        c.loss_threshold = loss_threshold;
        c.record_epochs = eng::idnns_log2_epochs(epochs, 400);

        // Per seed: the batch sweep at full depth, and the depth sweep at the main batch; the run they
        // share (full depth, main batch) is trained once. MNIST first (the paper's Fig. 1), then SZT.
        std::vector<run> runs;
        if (mnist)
            for (auto seed : s.seed_list(mo.seeds)) {
                for (auto b : mnist_batches) runs.push_back({net_kind::mnist, b, full_depth, seed, true});
                const bool shared = std::find(mnist_batches.begin(), mnist_batches.end(), mo.batch) != mnist_batches.end();
                for (auto d : mnist_depths)
                    if (d != full_depth) runs.push_back({net_kind::mnist, mo.batch, d, seed, false});
                    else if (!shared) runs.push_back({net_kind::mnist, mo.batch, d, seed, true});
            }
        if (szt)
            for (auto seed : s.seed_list(seeds)) {
                for (auto b : batches) runs.push_back({net_kind::szt, b, full_depth, seed, true});
                for (auto d : depths)
                    if (d != full_depth || std::find(batches.begin(), batches.end(), main_batch) == batches.end())
                        runs.push_back({net_kind::szt, main_batch, d, seed, true});
            }

        const auto mine = s.mine(runs);
        std::optional<rp::mnist_data> mnist_data;
        if (std::any_of(mine.begin(), mine.end(), [](const run& r) { return r.net == net_kind::mnist; })) {
            mnist_data = rp::load_mnist_data(mo.dir, mo.n_train, mo.n_mi);
            std::printf("%s: 784-500-250-100-50-20-10 tanh, Adam lr %g, batches %zu (Fig. 1a/3) and sweep, %zu epochs, "
                        "%zu recorded, train %zu, MI on %zu test images, %zu seed(s)\n",
                        mnist_data->source.c_str(), mo.lr, mo.batch, mo.epochs,
                        eng::idnns_log2_epochs(mo.epochs, 400).size(), mnist_data->train.n, mnist_data->mi.n, mo.seeds);
        }
        if (std::any_of(mine.begin(), mine.end(), [](const run& r) { return r.net == net_kind::szt; }))
            std::printf("SZT 12-10-7-5-4-3-2 tanh, Adam lr %g, IDNNs split (train %zu / test %zu), %zu epochs, %zu "
                        "recorded, %zu seed(s)\n",
                        lr, c.train.n, c.test.n, epochs, c.record_epochs.size(), seeds);
        std::fflush(stdout);
        for (const auto& r : mine) {
            if (r.net == net_kind::mnist) mnist_run(r, mo, *mnist_data, s);
            else szt_run(r, c, s);
        }
        if (!s.complete()) return 0;
        const auto& t = s.results();
        std::string written;
        for (const auto& kv : t) written += (written.empty() ? "" : ", ") + kv.first;

        rp::verdicts v;
        for (const std::string prefix : {"mnist_", ""}) {
            const judge_settings j{prefix.empty() ? main_batch : mo.batch, layer_1based - 1};
            print_summary(t, prefix, j);
            judge_fig1a(t, prefix, j, v);
            judge_fig1b(t, prefix, j, v);
            judge_fig3(t, prefix, j, v);
        }
        v.print();
        s.report("verdicts", v.as_table());
        double szt_hy = 0;
        {
            std::size_t ones = 0;
            for (auto y : c.all.labels) ones += y;
            const double p1 = static_cast<double>(ones) / static_cast<double>(c.all.n);
            szt_hy = -p1 * std::log2(p1) - (1 - p1) * std::log2(1 - p1);
        }
        const rp::table range = out_of_range_report(t, szt_hy);
        rp::print_out_of_range(range);
        s.report("out_of_range", range);
        std::printf("\nwrote %s (.csv) to %s\n", written.c_str(), s.out().c_str());
        s.plot("drift_diffusion.py");
    } catch (const mi::error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
