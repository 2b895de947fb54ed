// SPDX-License-Identifier: BSD-3-Clause
// Wongso, Ghosh & Motani, "Using Sliced Mutual Information to Study
// Memorization and Generalization in Deep Neural Networks" (AISTATS 2023,
// PMLR 206:11608-11629): the sliced information plane, SI(X;T) and SI(T;Y)
// of every layer at every measured epoch, estimated as the average over
// random one-dimensional projections of the MI of the projections
// (mi::sliced, Goldfeld & Greenewald 2021), here for the SZT network of Saxe
// et al. and for an MNIST-scale MLP (the paper's 784-1024x4-10, or Saxe et
// al.'s 784-1024-20-20-20-10), whose 1024-unit layers are out of reach of
// the classic estimators (binning's patterns are all distinct, KDE and KSG
// in 1024 dimensions measure the sample size, not the layer).
//
// The paper's claims (its experiment figures; shelvia-w/SMI-DNN's project page
// states them in these words):
// - "SMI is low at initialization and increases more strongly in deeper
//   layers as training progresses" (layer-wise training dynamics, 5-layer
//   MLP on MNIST).
// - "In the presence of label noise, all the hidden layers experience an
//   increase in SMI first before decreasing ... the SMI of deeper layers drop
//   more compared to the earlier layers when the network is memorizing"
//   (label noise, 5-layer MLP on MNIST).
// - "larger SMI values are associated with smaller generalization gaps"
//   (SI(T;Y) of the penultimate layer against the gap, over networks trained
//   with more or less label noise).
//
// Protocol of the paper's code (shelvia-w/SMI-DNN, experiments/ and
// estimators/smi_estimator.py): SI(T;Y) by compute_smi(method='ksg_cd'):
// 1000 projections (500 in its README's examples) of the layer on uniform
// directions of the sphere, per projection KSG-style MI between the
// projection and the labels (k = 3), on up to 10,000 training images, against
// the labels the network is trained on (the noisy ones under label noise);
// symmetric label noise flips a label to one of the other classes with
// probability p (0.4 in the README's label-noise run); SGD lr 0.01, momentum
// 0.9, batch 32, MLP 784-1024x4-10 ReLU, 50 epochs, every epoch measured.
//
// This program (and its deviations):
// - the per-slice estimator is mi::ksg<> (KSG algorithm 1, k = 3) for
//   SI(X;T) with X the network input, and Ross 2014's KSG form for SI(T;Y)
//   (the paper's ksg_cd is the entropy decomposition H(p) - sum_y p_y H(p|y)
//   with Kozachenko-Leonenko entropies; both estimate I(theta^T T; Y)).
//   --slices M (default 128; --full 1000, the paper's default).
// - MNIST-scale network: the paper's MLP 784-1024x4-10 ReLU (--mnist-network
//   paper; Glorot-uniform weights and zero biases, Keras's defaults), or
//   Saxe et al.'s 784-1024-20-20-20-10 with ReLU (--mnist-network saxe, as
//   mnist_tanh_vs_relu: after the paper's 50 epochs it fits only 61 % of 40 %
//   noisy labels), trained with the paper's SGD lr 0.01, momentum 0.9
//   (--optimizer adam: Adam lr 1e-3), batch 32, measured at the
//   start of every epoch (epoch 0: the initial network), trained with the
//   clean labels and with symmetric label noise --label-noise p (default 0.4),
//   MI on the first --mi-samples training images (their labels as trained, and
//   SI(T;Y) against the true labels in the column ity_true). Data:
//   Fashion-MNIST from Debian's dataset-fashion-mnist (MNIST is not packaged;
//   --mnist DIR reads MNIST's IDX files).
// - SZT network: Saxe et al.'s 12-10-7-5-4-3-2 tanh, trained as ibsgd does
//   (reproduce/ibsgd_szt.hpp), sliced plane on all 4096 patterns at (at most
//   --szt-points of) ibsgd's recorded epochs.
// - default sized for 2 cores: 3000 training images, 30 epochs, 1000 MI
//   images, 128 slices, 1000 SZT epochs; --full: 60,000 images, 50 epochs,
//   10,000 MI images, 1000 slices, 10,000 SZT epochs.
//
// Monte Carlo noise: every value is written with its standard error over the
// slices, se = sd over the M slice estimates / sqrt(M) (mi::sliced::
// slice_points). A change between two smoothed values is called real when it
// exceeds both the epoch-to-epoch threshold of reproduce/verdict.hpp's trend
// and 3 sqrt(se_a^2 + se_b^2) (z = 3 on the difference of two averages).
//
// Verdicts (from plane.csv and curves.csv as written; several seeds: one-sided
// t-test of the per-seed excesses at 0.05):
// 1. clean MNIST: SI(T;Y) of the last hidden layer rises from epoch 0 (the
//    initial network, unsmoothed) to its smoothed peak by more than its
//    threshold (layer_stats::rise says why epoch 0 is not smoothed).
// 2. clean MNIST: the rise of the last hidden layer minus the rise of the
//    first exceeds 3 sqrt(2 se_last^2 + 2 se_first^2) ("more strongly in
//    deeper layers").
// 3. noisy MNIST: every hidden layer's SI(T;Y) (labels as trained) rises (from
//    epoch 0) and then falls (from its smoothed peak); the weakest layer's
//    excess is reported.
// 4. noisy MNIST: the fall of the last hidden layer minus the fall of the
//    first exceeds its threshold ("deeper layers drop more").
// 5. MNIST: the final SI(T;Y) of the last hidden layer is larger for the clean
//    network than for the noisy one, whose generalisation gap (final train -
//    test accuracy) is larger ("larger SMI, smaller gap"); when the noisy
//    network's gap is not the larger one (mean over seeds) the run cannot
//    test the pairing and says so ("noisy gap not larger").
// 6. SZT: SI(T;Y) of the last hidden layer rises during training (the same
//    claim as 1 on the Fig. 1 network).
//
// Output (--out): plane.csv, curves.csv, verdicts.csv, out_of_range.csv, PNGs
// by examples/plot/sliced_plane.py.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "datasets/szt.hpp"
#include "engine/schedule.hpp"
#include "engine/trainer.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/random.hpp"
#include "mi/core/samples.hpp"
#include "mi/estimators/ksg.hpp"
#include "mi/estimators/sliced.hpp"
#include "mi/plane/recording.hpp"
#include "reproduce/common.hpp"
#include "reproduce/ibsgd_szt.hpp"
#include "reproduce/mnist.hpp"
#include "reproduce/suite.hpp"
#include "reproduce/verdict.hpp"

namespace eng = mi_examples::engine;
namespace ds = mi_examples::datasets;
namespace rp = mi_examples::reproduce;

namespace {

const char* usage =
    "sliced_plane: Wongso, Ghosh & Motani 2023 (sliced MI of hidden layers: learning, label noise, generalisation)\n"
    "usage: sliced_plane [options]\n"
    "  --mnist DIR        MNIST IDX files; default Fashion-MNIST from /usr/share/datasets/fashion-mnist\n"
    "  --networks A,B     szt and/or mnist (default szt,mnist)\n"
    "  --mnist-network N  paper (784-1024x4-10, the paper's MLP) or saxe (784-1024-20-20-20-10); default paper\n"
    "  --slices M         random directions per estimate (default 128; --full 1000; --smoke 6)\n"
    "  --label-noise P    probability that a training label is flipped to another class (default 0.4)\n"
    "  --epochs N         MNIST training epochs (default 30; --full 50; --smoke 2)\n"
    "  --train N          first N training images (default 3000; --full all 60000; --smoke 200)\n"
    "  --mi-samples N     first N training images measured (default 1000; --full 10000; --smoke 100)\n"
    "  --optimizer NAME   sgd (with momentum, the paper's) or adam, for the MNIST network (default sgd)\n"
    "  --lr X             its learning rate (default 0.01 for sgd, the paper's; 1e-3 for adam)\n"
    "  --momentum X       sgd's momentum (default 0.9, the paper's)\n"
    "  --batch N          MNIST mini-batch (default 32, the paper's)\n"
    "  --szt-epochs N     SZT training epochs (default 1000; --full 10000; --smoke 30)\n"
    "  --szt-points N     SZT epochs measured, spread over ibsgd's schedule (default 25; --smoke 4)\n"
    "  (default 1 seed)\n";

constexpr double alpha = 0.05;
constexpr double z = 3.0;

struct settings {
    std::vector<std::string> networks;
    std::string mnist_dir;
    std::size_t slices = 0, epochs = 0, n_train = 0, n_mi = 0, batch = 0, szt_epochs = 0, szt_points = 0, seeds = 0;
    std::string optimizer, mnist_network;
    double label_noise = 0, lr = 0, momentum = 0;
};

mi::sliced_options estimator_options(std::size_t slices, std::uint64_t seed) {
    mi::sliced_options so;
    so.slices = slices;
    so.seed = seed;
    return so;
}

settings read_settings(rp::suite& s) {
    auto& cli = s.cli();
    settings o;
    o.networks = cli.list("networks", "szt,mnist");
    o.mnist_dir = cli.text("mnist", "");
    o.slices = cli.count("slices", s.full() ? 1000 : s.smoke() ? 6 : 128);
    o.label_noise = cli.number("label-noise", 0.4);
    o.epochs = cli.count("epochs", s.full() ? 50 : s.smoke() ? 2 : 30);
    o.n_train = cli.count("train", s.full() ? 0 : s.smoke() ? 200 : 3000);
    o.n_mi = cli.count("mi-samples", s.full() ? 10000 : s.smoke() ? 100 : 1000);
    o.mnist_network = cli.text("mnist-network", "paper");
    o.optimizer = cli.text("optimizer", "sgd");
    const bool adam = o.optimizer == "adam";
    o.lr = cli.number("lr", adam ? 1e-3 : 0.01);
    o.momentum = cli.number("momentum", adam ? 0.0 : 0.9);
    o.batch = cli.count("batch", 32);
    o.szt_epochs = cli.count("szt-epochs", s.full() ? 10000 : s.smoke() ? 30 : 1000);
    o.szt_points = cli.count("szt-points", s.smoke() ? 4 : 25);
    o.seeds = s.seeds(1);
    const char* where = "sliced_plane";
    for (const auto& n : o.networks)
        if (n != "szt" && n != "mnist") mi::detail::fail(where, "--networks entry", n, "szt or mnist");
    if (o.networks.empty()) mi::detail::fail(where, "--networks", "(none)", "szt and/or mnist");
    if (!(o.label_noise >= 0.0 && o.label_noise <= 1.0)) mi::detail::fail(where, "--label-noise", o.label_noise, "in [0, 1]");
    if (o.epochs < 2) mi::detail::fail(where, "--epochs", o.epochs, ">= 2");
    if (o.szt_epochs < 2) mi::detail::fail(where, "--szt-epochs", o.szt_epochs, ">= 2");
    if (o.szt_points < 2) mi::detail::fail(where, "--szt-points", o.szt_points, ">= 2");
    if (o.batch == 0) mi::detail::fail(where, "--batch", o.batch, ">= 1");
    if (!(o.lr > 0)) mi::detail::fail(where, "--lr", o.lr, "> 0");
    if (o.mnist_network != "paper" && o.mnist_network != "saxe")
        mi::detail::fail(where, "--mnist-network", o.mnist_network, "paper or saxe");
    if (o.optimizer != "sgd" && !adam) mi::detail::fail(where, "--optimizer", o.optimizer, "sgd or adam");
    if (!(o.momentum >= 0 && o.momentum < 1)) mi::detail::fail(where, "--momentum", o.momentum, "in [0, 1)");
    if (adam && o.momentum != 0) mi::detail::fail(where, "--momentum", o.momentum, "0 with --optimizer adam");
    mi::sliced<>(estimator_options(o.slices, 0));  // rejects --slices 0 before any training
    return o;
}

struct run {
    std::string network, condition;  // szt: condition "clean"; mnist: "clean" or "noisy"
    std::uint64_t seed;
};

std::pair<double, double> mean_se(const std::vector<double>& v) {
    double m = 0.0;
    for (double x : v) m += x;
    m /= static_cast<double>(v.size());
    double ss = 0.0;
    for (double x : v) ss += (x - m) * (x - m);
    const double sd = v.size() > 1 ? std::sqrt(ss / static_cast<double>(v.size() - 1)) : 0.0;
    return {m, sd / std::sqrt(static_cast<double>(v.size()))};
}

const std::vector<std::string>& plane_columns() {
    static const std::vector<std::string> c{"network", "condition", "seed",   "estimator", "parameters",
                                            "samples", "slices",    "h_y",    "epoch",     "layer",
                                            "units",   "ixt",       "ixt_se", "ity",       "ity_se",
                                            "ity_true", "ity_true_se"};
    return c;
}

// One layer at one epoch: SI(X;T) and SI(T;Y) (labels as trained) slice by slice, and SI(T;Y) against
// the true labels on the same frames of T (slice s draws T's frame first from the same stream).
void measure(rp::table& plane, const run& r, const mi::sliced<>& e, const mi::samples& smp, const mi::labels& truth,
             std::int64_t epoch, std::size_t layer, const mi::activation_view<const float>& t, const std::string& h_y) {
    const auto both = e.slice_points(t, smp);
    const auto ixt = mean_se(both.first), ity = mean_se(both.second);
    const auto ity_true = mean_se(e.slice_estimates(t, truth));
    plane.add({r.network, r.condition, r.seed, e.name(), e.parameters(), smp.size(), e.options().slices, h_y, static_cast<long long>(epoch), layer,
               t.cols(), ixt.first, ixt.second, ity.first, ity.second, ity_true.first, ity_true.second});
}

double entropy_bits_as_nats(const std::vector<std::uint32_t>& labels) {
    return rp::label_entropy_bits(labels) * std::log(2.0);
}

// ---- SZT -----------------------------------------------------------------------------------------

void train_szt(const run& r, const settings& o, rp::suite& s) {
    const rp::ibsgd_szt_data data(2017);
    rp::ibsgd_szt_settings ts;
    ts.epochs = o.szt_epochs;
    ts.metrics_every_epoch = false;
    const auto out = rp::train_ibsgd_szt(data, "tanh", r.seed, ts, "szt seed " + std::to_string(r.seed), &s);
    rp::add_curves(s.result("curves", rp::curve_columns({"network", "condition", "seed"})),
                   {r.network, r.condition, std::to_string(r.seed)}, out.history);
    const mi::labels y(data.all.labels, 2);
    const mi::samples smp = mi::samples(y).with_network_input(mi::view(data.all.x, data.all.n, data.all.d));
    const mi::sliced<> e(estimator_options(o.slices, mi::derive_seed(r.seed, 7)));
    const std::string h_y = rp::cell(entropy_bits_as_nats(data.all.labels)).text();
    // at most szt_points epochs, evenly spread over the recorded ones (the first and the last included)
    const auto epochs = out.recording.epochs();
    std::vector<std::size_t> pick;
    for (std::size_t i = 0; i < o.szt_points && i < epochs.size(); ++i) {
        const std::size_t j = epochs.size() <= o.szt_points ? i : (i * (epochs.size() - 1)) / (o.szt_points - 1);
        if (pick.empty() || pick.back() != j) pick.push_back(j);
    }
    auto& plane = s.result("plane", plane_columns());
    rp::progress bar("szt sliced plane", pick.size());
    for (std::size_t p = 0; p < pick.size(); ++p) {
        for (const auto layer : out.recording.layers())
            measure(plane, r, e, smp, y, epochs[pick[p]], layer, out.recording.at(epochs[pick[p]], layer), h_y);
        bar(p);  // the index of the point just measured, as the trainer passes an epoch
    }
    std::printf("  szt seed %llu: trained %.1f s, sliced plane %.1f s; final train acc %.3f, test acc %.3f\n",
                static_cast<unsigned long long>(r.seed), out.train_seconds, bar.elapsed(),
                out.history.back().train_accuracy, out.history.back().test_accuracy);
    std::fflush(stdout);
}

// ---- MNIST-scale -----------------------------------------------------------------------------------

/// Symmetric label noise as the paper's code draws it: with probability p a label becomes one of the
/// other classes, uniformly.
std::vector<std::uint32_t> noisy_labels(const std::vector<std::uint32_t>& y, double p, std::uint64_t seed) {
    mi::rng g(seed);
    std::vector<std::uint32_t> out = y;
    for (auto& v : out)
        if (g.uniform() < p) {
            const auto other = static_cast<std::uint32_t>(g.below(rp::mnist_classes - 1));
            v = other >= v ? other + 1 : other;
        }
    return out;
}

// The paper's MLP (784-1024x4-10 ReLU, Keras's Glorot-uniform weights and zero biases) or Saxe et
// al.'s 784-1024-20-20-20-10 with ReLU.
eng::network_config mnist_network(const settings& o) {
    eng::network_config cfg = rp::mnist_network(eng::activation::parse("relu"));
    if (o.mnist_network == "paper") cfg.hidden = {1024, 1024, 1024, 1024};
    return cfg;
}

std::string widths(const eng::network_config& cfg) {
    std::string out = std::to_string(cfg.inputs);
    for (const std::size_t h : cfg.hidden) out += "-" + std::to_string(h);
    return out + "-" + std::to_string(cfg.outputs);
}

void train_mnist(const run& r, const settings& o, const rp::mnist_data& data, rp::suite& s) {
    eng::dataset<float> train = data.train;
    if (r.condition == "noisy") train.labels = noisy_labels(data.train.labels, o.label_noise, mi::derive_seed(r.seed, 3));
    const eng::dataset<float> measured = rp::first_rows(train, o.n_mi), measured_true = rp::first_rows(data.train, o.n_mi);
    eng::network<float> net(mnist_network(o), mi::derive_seed(r.seed, 1));
    eng::train_options opts;
    opts.epochs = o.epochs;
    opts.batch_size = o.batch;
    opts.order = eng::batch_order::shuffled;
    opts.optimizer =
        o.optimizer == "adam" ? eng::optimizer_config::adam(o.lr) : eng::optimizer_config::sgd(o.lr, o.momentum);
    opts.seed = mi::derive_seed(r.seed, 2);
    for (std::size_t e = 0; e < o.epochs; ++e) opts.record_epochs.push_back(e);
    // at the start of each epoch: epoch e is the network after e epochs, epoch 0 its initialisation
    // (the paper's "low at initialization")
    opts.when = eng::record_time::epoch_start;
    opts.metrics_every_epoch = true;
    rp::progress bar("mnist " + r.condition + " seed " + std::to_string(r.seed), o.epochs);
    opts.on_epoch = bar.hook();
    const mi::labels y(measured.labels, rp::mnist_classes), truth(measured_true.labels, rp::mnist_classes);
    const mi::samples smp = mi::samples(y).with_network_input(mi::view(measured.x, measured.n, measured.d));
    // the same directions for the clean and the noisy network of a seed (paired comparison)
    const mi::sliced<> e(estimator_options(o.slices, mi::derive_seed(r.seed, 7)));
    const std::string h_y = rp::cell(entropy_bits_as_nats(measured.labels)).text();
    auto& plane = s.result("plane", plane_columns());
    double mi_seconds = 0;
    rp::epoch_stream rec(smp, net.num_layers(), [&](const mi::recording<float>& epoch) {
        const double t0 = bar.elapsed();
        const auto ep = epoch.epochs().front();
        for (const auto layer : epoch.layers()) measure(plane, r, e, smp, truth, ep, layer, epoch.at(ep, layer), h_y);
        mi_seconds += bar.elapsed() - t0;
    });
    const auto history = s.train(net, train, &data.test, measured, rec, opts);
    rp::add_curves(s.result("curves", rp::curve_columns({"network", "condition", "seed"})),
                   {r.network, r.condition, std::to_string(r.seed)}, history);
    std::printf("  mnist %s seed %llu: %.1f s (sliced MI %.1f s); final train acc %.3f (labels as trained), test acc "
                "%.3f\n",
                r.condition.c_str(), static_cast<unsigned long long>(r.seed), bar.elapsed(), mi_seconds,
                history.back().train_accuracy, history.back().test_accuracy);
    std::fflush(stdout);
}

// ---- verdicts (from the tables as written) ------------------------------------------------------

// A rise "from initialization" starts at the untrained network's own value (epoch 0, unsmoothed:
// trend.initial): the running median's first point is the median of epochs 0-4, which drops
// epoch 0 as an outlier when SI(T;Y) jumps within the first epoch (1875 SGD steps at the paper's
// protocol), and the rise is then invisible. The peak stays smoothed; epoch 0's own noise is its
// slice standard error, which threshold() covers (z sqrt(2) se).
struct layer_stats {
    rp::trend trend;
    double se = 0;  ///< mean standard error over the slices along the course
    double threshold() const { return std::max(trend.threshold, z * std::sqrt(2.0) * se); }
    double rise() const { return trend.rise_from_initial(); }
};

layer_stats stats_of(const rp::table& run, const std::string& layer, const std::string& column) {
    const rp::table t = run.where({{"layer", layer}});
    layer_stats s;
    s.trend = rp::trend_of(rp::course_of(t, column));
    for (std::size_t i = 0; i < t.size(); ++i) s.se += t.number(i, column + "_se") / static_cast<double>(t.size());
    return s;
}

std::vector<std::string> sorted_layers(const rp::table& t) {
    auto layers = t.distinct("layer");
    std::sort(layers.begin(), layers.end(), [](const std::string& a, const std::string& b) { return std::stoul(a) < std::stoul(b); });
    return layers;
}

std::string name_of(const std::string& layer, std::size_t layers) {
    const std::size_t l = std::stoul(layer);
    return l + 1 < layers ? "T" + std::to_string(l + 1) : "out";
}

double final_accuracy(const rp::table& curves, const std::string& network, const std::string& condition,
                      const std::string& seed, const std::string& column) {
    const rp::course c = rp::course_of(curves.where({{"network", network}, {"condition", condition}, {"seed", seed}, {"layer", "0"}}),
                                       column);
    return c.size() ? rp::trend_of(c).final_value : std::nan("");
}

void add_verdicts(rp::verdicts& v, const rp::table& plane, const rp::table& curves) {
    const auto judge = [&](const std::string& claim, const std::string& statistic, const std::vector<double>& values,
                           const std::vector<double>& thresholds, const std::string& paper, const std::string& yes,
                           const std::string& no) {
        if (values.empty()) return;
        const auto j = rp::judge_runs(values, thresholds, alpha);
        v.add({claim, statistic + ", " + std::to_string(values.size()) + " seed(s)", j.value, j.threshold, j.p_value,
               paper, j.exceeds ? yes : no});
    };
    const rp::table mnist = plane.where({{"network", "mnist"}});
    const rp::table clean = mnist.where({{"condition", "clean"}}), noisy = mnist.where({{"condition", "noisy"}});
    // hidden layers: every layer but the output
    const auto hidden = [](const rp::table& t) {
        auto l = sorted_layers(t);
        if (!l.empty()) l.pop_back();
        return l;
    };
    if (clean.size()) {
        std::vector<double> rises, rise_thr, diffs, diff_thr;
        for (const auto& seed : clean.distinct("seed")) {
            const rp::table r = clean.where({{"seed", seed}});
            const auto h = hidden(r);
            const layer_stats last = stats_of(r, h.back(), "ity"), first = stats_of(r, h.front(), "ity");
            rises.push_back(last.rise());
            rise_thr.push_back(last.threshold());
            diffs.push_back(last.rise() - first.rise());
            diff_thr.push_back(std::max(z * std::sqrt(2.0 * last.se * last.se + 2.0 * first.se * first.se),
                                        0.5 * (last.threshold() + first.threshold())));
        }
        judge("Wongso et al., layer-wise dynamics: SI(T;Y) \"is low at initialization and increases\" as training progresses",
              "MNIST-scale ReLU, clean labels: rise of SI(T4;Y) from epoch 0 (the initial network) to its smoothed peak, nats",
              rises, rise_thr,
              "increases", "increases", "no increase");
        judge("Wongso et al., layer-wise dynamics: SI(T;Y) increases \"more strongly in deeper layers\"",
              "MNIST-scale ReLU, clean labels: rise of SI(T4;Y) - rise of SI(T1;Y), nats", diffs, diff_thr,
              "deeper rises more", "deeper rises more", "not deeper");
    }
    if (noisy.size()) {
        std::vector<double> weakest, weakest_thr, drop_diffs, drop_thr;
        for (const auto& seed : noisy.distinct("seed")) {
            const rp::table r = noisy.where({{"seed", seed}});
            const auto h = hidden(r);
            double margin = std::numeric_limits<double>::infinity(), value = 0, thr = 0;
            for (const auto& l : h) {
                const layer_stats st = stats_of(r, l, "ity");
                const double m = std::min(st.rise(), st.trend.drop()) - st.threshold();
                if (m < margin) {
                    margin = m;
                    value = std::min(st.rise(), st.trend.drop());
                    thr = st.threshold();
                }
            }
            weakest.push_back(value);
            weakest_thr.push_back(thr);
            const layer_stats last = stats_of(r, h.back(), "ity"), first = stats_of(r, h.front(), "ity");
            drop_diffs.push_back(last.trend.drop() - first.trend.drop());
            drop_thr.push_back(std::max(z * std::sqrt(2.0 * last.se * last.se + 2.0 * first.se * first.se),
                                        0.5 * (last.threshold() + first.threshold())));
        }
        judge("Wongso et al., label noise: \"all the hidden layers experience an increase in SMI first before decreasing\"",
              "MNIST-scale ReLU, noisy labels (SI against the labels as trained): the weakest hidden layer's "
              "min(rise from epoch 0, fall from the smoothed peak) of SI(T;Y), nats",
              weakest, weakest_thr, "all rise then fall", "all rise then fall", "not all rise then fall");
        judge("Wongso et al., label noise: \"the SMI of deeper layers drop more compared to the earlier layers\"",
              "MNIST-scale ReLU, noisy labels: fall of SI(T4;Y) after its peak - fall of SI(T1;Y), nats", drop_diffs,
              drop_thr, "deeper drops more", "deeper drops more", "not deeper");
    }
    if (clean.size() && noisy.size()) {
        std::vector<double> diffs, thr;
        std::string gaps;
        double gap_clean = 0, gap_noisy = 0;  // sums over seeds: compared, not reported
        for (const auto& seed : clean.distinct("seed")) {
            const rp::table c = clean.where({{"seed", seed}}), n = noisy.where({{"seed", seed}});
            if (!n.size()) continue;
            const auto h = hidden(c);
            const layer_stats sc = stats_of(c, h.back(), "ity"), sn = stats_of(n, h.back(), "ity");
            diffs.push_back(sc.trend.final_value - sn.trend.final_value);
            thr.push_back(std::max(z * std::sqrt(sc.se * sc.se + sn.se * sn.se), 0.5 * (sc.threshold() + sn.threshold())));
            const double gc = final_accuracy(curves, "mnist", "clean", seed, "train_accuracy") -
                              final_accuracy(curves, "mnist", "clean", seed, "test_accuracy");
            const double gn = final_accuracy(curves, "mnist", "noisy", seed, "train_accuracy") -
                              final_accuracy(curves, "mnist", "noisy", seed, "test_accuracy");
            gap_clean += gc;
            gap_noisy += gn;
            char buf[96];
            std::snprintf(buf, sizeof buf, "%sclean %.3f / noisy %.3f", gaps.empty() ? "" : "; ", gc, gn);
            gaps += buf;
        }
        if (!diffs.empty()) {
            // the claim pairs larger SI with a smaller gap: it is tested only where the noisy network's gap
            // is the larger one (mean over seeds); otherwise the pairing cannot be seen in this run
            const auto j = rp::judge_runs(diffs, thr, alpha);
            const std::string measured = !(gap_noisy > gap_clean) ? "noisy gap not larger"
                                         : j.exceeds             ? "larger SI, smaller gap"
                                                                 : "not larger";
            v.add({"Wongso et al., generalisation: \"larger SMI values are associated with smaller generalization gaps\"",
                   "final SI(T4;Y) of the clean network - of the noisy one, nats (generalisation gaps, train - test "
                   "accuracy on the labels as trained: " + gaps + "), " + std::to_string(diffs.size()) + " seed(s)",
                   j.value, j.threshold, j.p_value, "larger SI, smaller gap", measured});
        }
    }
    const rp::table szt = plane.where({{"network", "szt"}});
    if (szt.size()) {
        std::vector<double> rises, thr;
        for (const auto& seed : szt.distinct("seed")) {
            const rp::table r = szt.where({{"seed", seed}});
            const auto h = hidden(r);
            const layer_stats last = stats_of(r, h.back(), "ity");
            rises.push_back(last.rise());
            thr.push_back(last.threshold());
        }
        judge("Wongso et al.'s first claim on the SZT network (Saxe et al. Fig. 1): SI(T;Y) increases as training progresses",
              "SZT tanh: rise of SI(T5;Y) from epoch 0 (the initial network) to its smoothed peak, nats", rises, thr, "increases",
              "increases", "no increase");
    }
}

void print_summary(const rp::table& plane) {
    std::printf("\nsliced plane, nats (mean over seeds): first -> peak (epoch) -> final, +- mean se over slices\n");
    const auto keys = plane.mean_by({"network", "condition"}, {"ixt"});
    for (std::size_t k = 0; k < keys.size(); ++k) {
        const std::string net = keys.text(k, "network"), cond = keys.text(k, "condition");
        const rp::table t = plane.where({{"network", net}, {"condition", cond}})
                                .mean_by({"epoch", "layer"}, {"ixt", "ixt_se", "ity", "ity_se", "ity_true"});
        std::printf("%s, %s labels\n", net.c_str(), cond.c_str());
        const auto layers = sorted_layers(t);
        for (const auto& l : layers) {
            const rp::table r = t.where({{"layer", l}});
            const auto ixt = rp::trend_of(rp::course_of(r, "ixt")), ity = rp::trend_of(rp::course_of(r, "ity"));
            const auto ity_true = rp::trend_of(rp::course_of(r, "ity_true"));
            double se = 0;
            for (std::size_t i = 0; i < r.size(); ++i) se += r.number(i, "ity_se") / static_cast<double>(r.size());
            std::printf("  %-4s SI(X;T) %6.3f -> %6.3f   SI(T;Y) %6.3f -> %6.3f (%4.0f) -> %6.3f +- %.3f   "
                        "SI(T;Y_true) final %6.3f\n",
                        name_of(l, layers.size()).c_str(), ixt.first, ixt.final_value, ity.first, ity.peak,
                        ity.peak_epoch, ity.final_value, se, ity_true.final_value);
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    try {
        rp::suite s(argc, argv, "sliced_plane", usage);
        const settings o = read_settings(s);
        s.begin();
        std::vector<run> runs;
        for (auto seed : s.seed_list(o.seeds))
            for (const auto& n : o.networks) {
                runs.push_back({n, "clean", seed});
                if (n == "mnist") runs.push_back({n, "noisy", seed});
            }
        const auto mine = s.mine(runs);
        const bool any_mnist = std::any_of(mine.begin(), mine.end(), [](const run& r) { return r.network == "mnist"; });
        std::printf("sliced MI per layer and epoch: mi::sliced<ksg<>> (k = 3), %zu random directions; %zu seed(s)\n",
                    o.slices, o.seeds);
        std::optional<rp::mnist_data> data;
        if (any_mnist) {
            data = rp::load_mnist_data(o.mnist_dir, o.n_train, 0);
            std::printf("%s: %s ReLU, %s lr %g momentum %g, batch %zu, %zu epochs, train %zu, MI on the "
                        "first %zu training images, label noise %g\n",
                        data->source.c_str(), widths(mnist_network(o)).c_str(), o.optimizer.c_str(), o.lr, o.momentum,
                        o.batch, o.epochs, data->train.n, std::min(o.n_mi, data->train.n), o.label_noise);
        }
        std::fflush(stdout);
        for (const auto& r : mine) {
            if (r.network == "szt") train_szt(r, o, s);
            else train_mnist(r, o, *data, s);
            s.run_done();
        }
        if (!s.complete()) return 0;
        const rp::table& plane = s.results().at("plane");
        print_summary(plane);
        rp::verdicts v;
        add_verdicts(v, plane, s.results().at("curves"));
        v.print();
        s.report("verdicts", v.as_table());
        // SI is in nats: its ceilings are log(samples) for SI(X;T) (distinct inputs) and H(Y) for SI(T;Y)
        rp::table range;
        for (const auto& net : plane.distinct("network")) {
            rp::table p = plane.where({{"network", net}});
            for (std::size_t i = 0; i < p.size(); ++i) p.set(i, "estimator", "sliced (" + net + ")");
            const rp::table r = rp::out_of_range(p, std::log(p.number(0, "samples")), p.number(0, "h_y"));
            if (range.columns().empty()) range = r;
            else range.append(r);
        }
        rp::print_out_of_range(range);
        s.report("out_of_range", range);
        std::printf("\nwrote plane.csv, curves.csv, verdicts.csv, out_of_range.csv to %s\n", s.out().c_str());
        s.plot("sliced_plane.py");
    } catch (const mi::error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
