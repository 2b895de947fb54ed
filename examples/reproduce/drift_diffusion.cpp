// SPDX-License-Identifier: BSD-3-Clause
// Shwartz-Ziv, Painsky & Tishby 2019 ("Representation compression and
// generalization in deep neural networks"), with the experiments of
// Shwartz-Ziv & Tishby 2017 ("Opening the black box of deep neural networks
// via information") they build on:
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
//   since it began), which is continuous at t_s; s2_T = the mean per-unit
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
// Deviations: the 2019 paper's MNIST-scale experiments are not run (--full
// keeps the SZT network). The default trains 3000 epochs with 2 seeds instead
// of IDNNs' 8000 (--full: 8000 epochs, 5 seeds); the paper averages 50
// initialisations. Every (batch, depth, seed) is one run, initialised from
// mi::derive_seed(seed, 1, depth), so the batch sweep of one seed starts from
// the same weights (batches are fixed slices: nothing else is random).
//
// Output (--out): plane.csv, curves.csv (learning curves, weight norms,
// gradient SNR; every epoch for the full 5-layer net, the recorded epochs for
// the other depths), weights.csv (distance from initialisation per epoch, full
// net), bound.csv (eq. 9 per recorded epoch and layer), transitions.csv (t_s, t_c per
// run and layer), convergence.csv; PNGs by examples/plot/drift_diffusion.py.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
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
    "  (default 2 seeds; --full 5 seeds)\n";

const std::vector<std::size_t> widths_by_depth{10, 7, 5, 4, 3, 3};

struct run {
    std::size_t batch;
    std::size_t depth;
    std::uint64_t seed;
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

// SNR of every epoch averaged over the epochs within +-10 % of it (at least the epoch itself).
std::vector<double> smoothed(const std::vector<double>& v) {
    std::vector<double> prefix(v.size() + 1, 0.0);
    for (std::size_t i = 0; i < v.size(); ++i) prefix[i + 1] = prefix[i] + v[i];
    std::vector<double> out(v.size());
    for (std::size_t e = 0; e < v.size(); ++e) {
        const auto half = static_cast<std::size_t>(std::floor(0.1 * static_cast<double>(e)));
        const std::size_t lo = e >= half ? e - half : 0, hi = std::min(v.size() - 1, e + half);
        out[e] = (prefix[hi + 1] - prefix[lo]) / static_cast<double>(hi - lo + 1);
    }
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

// Eq. 9 for layer l at recorded epoch t (see the header comment for W*, dW, s2_T, s2_z), nats.
double channel_bound(const weight_history& w, std::size_t t, std::size_t l, std::size_t diffusion_start,
                     bool diffusing, double layer_variance, std::size_t n_out, std::size_t n_in) {
    const bool noisy = diffusing && t > diffusion_start;
    const std::vector<float>& w_star = noisy ? w[diffusion_start][l] : w[t][l];
    std::vector<float> delta(w_star.size(), 0.0f);
    if (noisy)
        for (std::size_t i = 0; i < delta.size(); ++i) delta[i] = w[t][l][i] - w_star[i];
    const mi::gaussian_bound bound(layer_variance, binning_noise_variance);
    return bound.bound(mi::activation_view<const float>(w_star.data(), n_out, n_in),
                       mi::activation_view<const float>(delta.data(), n_out, n_in));
}

struct run_result {
    std::vector<eng::epoch_metrics> history;
    weight_history weights;
    mi::recording<float> rec;
};

struct context {
    eng::dataset<float> all, train, test;
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

void add_weight_rows(rp::table& t, const std::vector<rp::cell>& tags, const weight_history& w) {
    for (std::size_t e = 0; e < w.size(); ++e)
        for (std::size_t l = 0; l < w[e].size(); ++l) {
            std::vector<rp::cell> row = tags;
            for (rp::cell x : {rp::cell(e), rp::cell(l), rp::cell(frobenius_distance(w[e][l], w[0][l]))})
                row.push_back(x);
            t.add(std::move(row));
        }
}

std::vector<double> snr_course(const std::vector<eng::epoch_metrics>& h, std::size_t l) {
    std::vector<double> s;
    for (const auto& m : h) {
        const double gs = m.grad_std_norm.at(l);
        s.push_back(gs > 0 ? m.grad_mean_norm.at(l) / gs : 0.0);
    }
    return s;
}

void add_analysis_rows(rp::suite& s, const std::vector<rp::cell>& tags, const run_result& res,
                       const mi::trajectory& binned, const context& c) {
    auto& bound = s.result("bound", {"batch", "depth", "seed", "epoch", "layer", "diffusing", "ixt", "bound",
                                     "layer_variance", "noise_variance", "delta_norm"});
    auto& trans = s.result("transitions", {"batch", "depth", "seed", "layer", "snr_max_epoch", "snr_max",
                                           "snr_transition", "compression_onset", "ixt_peak", "ixt_final"});
    if (bound.comments().empty()) {
        bound.comment("eq. 9 of Shwartz-Ziv, Painsky & Tishby 2019 (mi::gaussian_bound), bits; ixt = binned I(X;T), bits");
        bound.comment("W* = W(t), dW = 0 for t <= snr_transition; W* = W(t_s), dW = W(t) - W(t_s) after it");
        trans.comment("snr_transition: first epoch after the smoothed SNR's maximum (>= 1) below 1 (empty: none)");
        trans.comment("compression_onset: recorded epoch of the peak of the binned I(X;T) (bits)");
    }
    const std::size_t n_layers = res.weights.front().size();
    for (std::size_t l = 0; l < n_layers; ++l) {
        const snr_phases p = snr_transition(snr_course(res.history, l));
        const auto path = binned.layer_path(l);
        const auto peak = std::max_element(path.begin(), path.end(), [](const auto& a, const auto& b) {
            return a.point.ixt < b.point.ixt;
        });
        std::vector<rp::cell> row = tags;
        for (rp::cell x : {rp::cell(l), rp::cell(p.max_epoch), rp::cell(p.max_value),
                           p.found ? rp::cell(p.transition) : rp::cell(""), rp::cell(static_cast<long long>(peak->epoch)),
                           rp::cell(mi::to_bits(peak->point.ixt)), rp::cell(mi::to_bits(path.back().point.ixt))})
            row.push_back(x);
        trans.add(std::move(row));

        const std::size_t n_out = res.rec.units(l), n_in = l == 0 ? c.all.d : res.rec.units(l - 1);
        for (const auto& pt : path) {
            const auto t = static_cast<std::size_t>(pt.epoch);
            const double s2t = l == 0 ? mean_unit_variance(mi::activation_view<const float>(c.all.x.data(), c.all.n, c.all.d))
                                      : mean_unit_variance(res.rec.at(pt.epoch, l - 1));
            const bool diffusing = p.found && t > p.transition;
            const double b = channel_bound(res.weights, t, l, p.transition, p.found, s2t, n_out, n_in);
            const double delta = diffusing ? frobenius_distance(res.weights[t][l], res.weights[p.transition][l]) : 0.0;
            std::vector<rp::cell> brow = tags;
            for (rp::cell x : {rp::cell(t), rp::cell(l), rp::cell(diffusing), rp::cell(mi::to_bits(pt.point.ixt)),
                               rp::cell(mi::to_bits(b)), rp::cell(s2t), rp::cell(binning_noise_variance),
                               rp::cell(delta)})
                brow.push_back(x);
            bound.add(std::move(brow));
        }
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

// Pearson correlation of two equally long series (NaN when either is constant).
void print_fig1a(const rp::table& trans, const rp::table& bound, const rp::table& weights, std::size_t batch,
                 std::size_t layer, std::uint64_t seed) {
    const std::string b = std::to_string(batch), l = std::to_string(layer), sd = std::to_string(seed);
    const rp::table t = trans.where({{"batch", b}, {"depth", "5"}, {"seed", sd}, {"layer", l}});
    if (t.empty()) return;
    std::printf("\nFig. 1a (batch %zu, layer T%zu, seed %s)\n", batch, layer + 1, sd.c_str());
    std::printf("  smoothed SNR peaks at %.2f in epoch %.0f; ", t.number(0, "snr_max"), t.number(0, "snr_max_epoch"));
    const double ts = t.number(0, "snr_transition");
    if (std::isnan(ts)) std::printf("it never falls below 1 (no diffusion phase within the run)\n");
    else std::printf("it falls below 1 at epoch %.0f (drift -> diffusion)\n", ts);
    std::printf("  binned I(X;T): peak %.2f bits at epoch %.0f, final %.2f bits\n", t.number(0, "ixt_peak"),
                t.number(0, "compression_onset"), t.number(0, "ixt_final"));
    const rp::table bl = bound.where({{"batch", b}, {"depth", "5"}, {"seed", sd}, {"layer", l}});
    const rp::table wl = weights.where({{"batch", b}, {"depth", "5"}, {"seed", sd}, {"layer", l}});
    auto value_at = [](const rp::table& x, double epoch, const char* col) {
        double best = std::nan(""), dist = std::numeric_limits<double>::infinity();
        for (std::size_t i = 0; i < x.size(); ++i) {
            const double d = std::fabs(x.number(i, "epoch") - epoch);
            if (d < dist) dist = d, best = x.number(i, col);
        }
        return best;
    };
    const double last = bl.number(bl.size() - 1, "epoch");
    std::printf("  %-28s %10s %10s %10s\n", "", "epoch 0", std::isnan(ts) ? "-" : "t_s", "final");
    auto line = [&](const char* name, const rp::table& x, const char* col) {
        std::printf("  %-28s %10.3f %10.3f %10.3f\n", name, value_at(x, 0, col),
                    std::isnan(ts) ? std::nan("") : value_at(x, ts, col), value_at(x, last, col));
    };
    line("binned I(X;T) [bits]", bl, "ixt");
    line("Gaussian bound eq. 9 [bits]", bl, "bound");
    line("||W(t) - W(0)||_F", wl, "distance_from_init");
    std::printf("  paper: SNR high then < 1 after a few hundred epochs; the weights keep diffusing away from the\n"
                "  initialisation while I(X;T) and the bound decrease during the diffusion phase\n");
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
        s.begin();
        for (auto d : depths)
            if (d > widths_by_depth.size())
                mi::detail::fail("drift_diffusion", "--depths", d, "1 .. " + std::to_string(widths_by_depth.size()));
        if (layer_1based < 1 || layer_1based > 5) mi::detail::fail("drift_diffusion", "--layer", layer_1based, "1 .. 5");
        if (main_batch == 0) mi::detail::fail("drift_diffusion", "--batch", main_batch, ">= 1");
        if (!(lr > 0)) mi::detail::fail("drift_diffusion", "--lr", lr, "> 0");
        if (epochs < 2) mi::detail::fail("drift_diffusion", "--epochs", epochs, ">= 2");
        const std::size_t layer = layer_1based - 1;

        context c;
        c.all = rp::szt_dataset<float>();
        const auto split = ds::szt_idnns_split();
        c.train = c.all.subset(split.train);
        c.test = c.all.subset(split.test);
        c.epochs = epochs;
        c.lr = lr;
        c.loss_threshold = loss_threshold;
        c.record_epochs = eng::idnns_log2_epochs(epochs, 400);
        std::printf("SZT, tanh, Adam lr %g, IDNNs split (train %zu / test %zu), %zu epochs, %zu recorded epochs, "
                    "%zu seed(s)\n",
                    lr, c.train.n, c.test.n, epochs, c.record_epochs.size(), seeds);

        // The batch sweep on the full SZT net, and the depth sweep at the main batch size;
        // the run they share (depth 5, main batch) is trained once.
        std::vector<run> runs;
        for (auto seed : s.seed_list(seeds)) {
            for (auto b : batches) runs.push_back({b, 5, seed});
            for (auto d : depths)
                if (d != 5 || std::find(batches.begin(), batches.end(), main_batch) == batches.end())
                    runs.push_back({main_batch, d, seed});
        }

        auto& curves = s.result("curves", rp::curve_columns({"batch", "depth", "seed"}));
        auto& weights = s.result("weights", {"batch", "depth", "seed", "epoch", "layer", "distance_from_init"});
        if (weights.comments().empty()) weights.comment("distance_from_init = ||W_l(epoch) - W_l(0)||_F at the start of the epoch");
        for (const auto& r : s.mine(runs)) {
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
            const auto binned =
                mi::information_plane(res.rec, mi::binning<mi::uniform>(mi::uniform::idnns(30, -1.0, 1.0)), po);
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
        print_fig1a(t.at("transitions"), t.at("bound"), t.at("weights"), main_batch, layer, s.first_seed());
        print_fig1b(t.at("transitions"), layer);
        print_fig3(t.at("convergence"), main_batch);
        std::printf("\nwrote plane, curves, weights, bound, transitions, convergence (.csv) to %s\n", s.out().c_str());
        s.plot("drift_diffusion.py");
    } catch (const mi::error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
