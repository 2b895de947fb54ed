// SPDX-License-Identifier: BSD-3-Clause
// Saxe et al. 2018 ("On the information bottleneck theory of deep learning"),
// App. E, Fig. 16 and 17: the distribution of each layer's activations over
// training, for tanh and for ReLU hidden layers. The claims: in the tanh
// network "the final three layers eventually saturate in the top and bottom
// bins" (Fig. 16), which is what makes binned / KDE I(X;T) fall
// ("compression"); in the ReLU network "layers 1-5 have a roughly constant
// fraction of activities at zero", "the nonzero activities disperse over the
// course of training without bound", and "the sigmoid output layer 6
// converges to its saturation limits" (Fig. 17). App. I, Fig. 20: the
// gradient signal-to-noise ratio of every layer, ||mean|| / ||std|| of the
// epoch's mini-batch gradients, shows "a phase transition in every layer"
// (Shwartz-Ziv & Tishby 2017's high-SNR "drift" phase, then the low-SNR
// "diffusion" phase) in the tanh AND in the ReLU network, which does not
// compress, so the phases do not cause compression; and (App. D) the weight
// norms grow over training (the green lines of Fig. 20). Figures 9 and 10,
// fourth row, show the same SNR plots for the MNIST networks. (Fig. 21 is the
// 1-1-1 linear model of the SNR transition, another program's.)
//
// Protocol: the networks of Saxe et al.'s code (artemyk/ibsgd, branch
// iclr2018), as the Fig. 1 programs run them:
// - SZT (default; IBnet_SaveActivations.ipynb): 12-10-7-5-4-3-2, hidden
//   truncated normal sigma = 1/sqrt(fan_out), Glorot-uniform softmax output,
//   Adam lr 4e-4, batch 256 reshuffled every epoch, one shuffled 80/20 split,
//   ibsgd's record schedule at the end of each epoch, activations of all 4096
//   patterns (reproduce/ibsgd_szt.hpp, the same networks as szt_tanh_vs_relu).
// - MNIST scale (--network mnist, or --full; MNIST_SaveActivations.ipynb):
//   784-1024-20-20-20-10, Glorot uniform, plain SGD lr 0.001, batch 128, the
//   notebook's record schedule, activations of the test images
//   (reproduce/mnist.hpp, the same networks as mnist_tanh_vs_relu).
// - gradient statistics (loggingreporter.py): per layer, the Frobenius norms
//   of the mean and of the standard deviation over the epoch's mini-batches
//   of the weight gradients; SZT at every epoch, MNIST at the recorded epochs
//   (the notebook computes them only there).
//
// Histograms: per (epoch, layer), all values of the layer (every unit of
// every recorded input pooled, as the paper's histograms pool a layer's
// units), --bins equal bins over that epoch's [min, max] of the layer (a
// constant layer gets [v, v + 1]); the edges are written with the counts, so
// a figure can put every epoch on one value axis. Bins without values are
// not written. Every layer is described, the softmax output too (Fig. 17
// shows it as layer 6). The exact fractions the claims are about are in
// activity.csv: values at exactly 0, and saturated values, i.e. within 5 % of
// the activation's range from one of its limits (|h| >= 0.9 for a tanh
// layer, h <= 0.05 or h >= 0.95 for the softmax output; for a ReLU hidden
// layer, which has no upper limit, |h| >= 0.9 is written for comparison only).
//
// Verdicts (reproduce/verdict.hpp, from the tables as written), per network
// and per seed, on courses over the recorded epochs smoothed by a running
// median of 5 with a threshold of 3 sqrt(2) x their epoch-to-epoch noise (at
// least one value changing class for a fraction): (Fig. 16) the saturated
// fraction of each of the tanh network's last three layers rises; (Fig. 17)
// the spread (std) of each ReLU hidden layer rises, its fraction at exactly
// 0 changes by less than 0.1 (our tolerance for "roughly constant": the
// paper gives none), the ReLU network's output saturates; (Fig. 20) log10 of
// every layer's gradient SNR falls from its peak to its final value, in both
// networks; (App. D) every layer's weight norm rises. Over several seeds the
// per-seed excess over the threshold is tested with a one-sided t-test
// (p < 0.05); one seed is judged by the threshold.
//
// Deviations: the default is the SZT network at 3000 epochs, one seed (the
// paper averages 50 SZT networks for the SNR curves); --full trains both
// networks at the paper's 10,000 epochs (SZT 5 seeds, MNIST one network on the
// 60,000 training images). MNIST data as in mnist_tanh_vs_relu: Fashion-MNIST
// by default, --mnist DIR for MNIST.
//
// Output (--out): histograms.csv, activity.csv, curves.csv, verdicts.csv,
// PNGs by examples/plot/activation_histograms.py.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "engine/trainer.hpp"
#include "mi/core/activation_view.hpp"
#include "mi/plane/recording.hpp"
#include "reproduce/common.hpp"
#include "reproduce/ibsgd_szt.hpp"
#include "reproduce/mnist.hpp"
#include "reproduce/suite.hpp"
#include "reproduce/verdict.hpp"

namespace eng = mi_examples::engine;
namespace rp = mi_examples::reproduce;

namespace {

const char* usage =
    "activation_histograms: Saxe et al. 2018 Fig. 16, 17 (activation histograms over training) and 20\n"
    "(gradient SNR per layer; MNIST: Fig. 9, 10 row 4), tanh vs ReLU, with mi's training engine.\n"
    "usage: activation_histograms [options]\n"
    "  --network N        szt, mnist or szt,mnist (default szt; --full and --smoke both)\n"
    "  --activations A,B  hidden activations (default tanh,relu)\n"
    "  --bins N           histogram bins per (epoch, layer) (default 50)\n"
    "  --epochs N         SZT epochs (default 3000; --full 10000; --smoke 30)\n"
    "  --mnist-epochs N   MNIST-scale epochs (default 20; --full 10000; --smoke 2)\n"
    "  --train N          first N MNIST training images (default 5000; --full all; --smoke 512)\n"
    "  --record-samples N first N MNIST test images recorded (default 2000; --full all 10000; --smoke 256)\n"
    "  --mnist DIR        MNIST IDX files; default Fashion-MNIST from /usr/share/datasets/fashion-mnist\n"
    "  (default 1 seed; --full 5 seeds for SZT, 1 for MNIST)\n";

// A value within this fraction of the activation's range from one of its limits counts as saturated:
// |h| >= 0.9 for tanh (tanh' there is 0.19, a fifth of its peak), h <= 0.05 or >= 0.95 for the softmax.
constexpr double saturation_margin = 0.05;

struct run {
    std::string network;
    std::string activation;
    std::uint64_t seed;
};

struct settings {
    std::vector<std::string> networks, activations;
    std::size_t bins = 0, szt_epochs = 0, mnist_epochs = 0, n_train = 0, n_record = 0, szt_seeds = 0,
                mnist_seeds = 0;
    std::string mnist_dir;
};

settings read_settings(rp::suite& s) {
    auto& cli = s.cli();
    settings o;
    const bool both = s.full() || s.smoke();
    o.networks = cli.list("network", both ? "szt,mnist" : "szt");
    o.activations = cli.list("activations", "tanh,relu");
    o.bins = cli.count("bins", 50);
    o.szt_epochs = cli.count("epochs", s.full() ? 10000 : s.smoke() ? 30 : 3000);
    o.mnist_epochs = cli.count("mnist-epochs", s.full() ? 10000 : s.smoke() ? 2 : 20);
    o.n_train = cli.count("train", s.full() ? 0 : s.smoke() ? 512 : 5000);
    o.n_record = cli.count("record-samples", s.full() ? 0 : s.smoke() ? 256 : 2000);
    o.mnist_dir = cli.text("mnist", "");
    const bool seeds_given = !cli.text("seeds", "").empty();
    o.szt_seeds = s.seeds(s.full() ? 5 : 1);
    o.mnist_seeds = seeds_given ? o.szt_seeds : 1;
    const char* where = "activation_histograms";
    if (o.bins == 0) mi::detail::fail(where, "--bins", o.bins, ">= 1");
    if (o.szt_epochs == 0) mi::detail::fail(where, "--epochs", o.szt_epochs, ">= 1");
    if (o.mnist_epochs == 0) mi::detail::fail(where, "--mnist-epochs", o.mnist_epochs, ">= 1");
    if (o.networks.empty()) mi::detail::fail(where, "--network", "(none)", "szt, mnist or szt,mnist");
    for (const auto& n : o.networks)
        if (n != "szt" && n != "mnist") mi::detail::fail(where, "--network", n, "szt or mnist");
    if (o.activations.empty()) mi::detail::fail(where, "--activations", "(none)", "at least one");
    for (const auto& a : o.activations) eng::activation::parse(a);  // reject unknown names before training
    return o;
}

std::vector<std::string> tags_of(const run& r) { return {r.network, r.activation, std::to_string(r.seed)}; }

std::vector<std::string> with_tags(const std::vector<std::string>& columns) {
    std::vector<std::string> c{"network", "activation", "seed"};
    c.insert(c.end(), columns.begin(), columns.end());
    return c;
}

std::vector<rp::cell> row_of(const run& r, std::vector<rp::cell> cells) {
    std::vector<rp::cell> out;
    for (const auto& t : tags_of(r)) out.emplace_back(t);
    out.insert(out.end(), cells.begin(), cells.end());
    return out;
}

// What activity.csv holds about one (epoch, layer), over all its values.
struct layer_summary {
    double values = 0, lo = 0, hi = 0, mean = 0, std = 0, frac_zero = 0, frac_saturated = 0;
};

// Whether h is saturated: `output` is the softmax layer (range [0, 1]), else the range of tanh, [-1, 1].
bool saturated(double h, bool output) {
    if (output) return h <= saturation_margin || h >= 1.0 - saturation_margin;
    return std::fabs(h) >= 1.0 - 2.0 * saturation_margin;
}

layer_summary summarise(const mi::activation_view<const float>& v, bool output) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo, sum = 0, sq = 0;
    std::size_t zero = 0, n_saturated = 0;
    for (std::size_t i = 0; i < v.rows(); ++i)
        for (std::size_t j = 0; j < v.cols(); ++j) {
            const double h = v(i, j);
            lo = std::min(lo, h);
            hi = std::max(hi, h);
            sum += h;
            sq += h * h;
            zero += h == 0.0;
            n_saturated += saturated(h, output);
        }
    layer_summary out;
    out.values = static_cast<double>(v.rows() * v.cols());
    out.lo = lo;
    out.hi = hi;
    out.mean = sum / out.values;
    out.std = std::sqrt(std::max(0.0, sq / out.values - out.mean * out.mean));
    out.frac_zero = static_cast<double>(zero) / out.values;
    out.frac_saturated = static_cast<double>(n_saturated) / out.values;
    return out;
}

// Counts of the values in `bins` equal bins over [lo, hi] (the maximum falls in the last bin).
std::vector<std::size_t> histogram(const mi::activation_view<const float>& v, double lo, double hi,
                                   std::size_t bins) {
    const double width = (hi - lo) / static_cast<double>(bins);
    std::vector<std::size_t> count(bins, 0);
    for (std::size_t i = 0; i < v.rows(); ++i)
        for (std::size_t j = 0; j < v.cols(); ++j) {
            const auto b = static_cast<std::size_t>(std::floor((static_cast<double>(v(i, j)) - lo) / width));
            ++count[std::min(b, bins - 1)];
        }
    return count;
}

// activity.csv and histograms.csv rows of every layer of one recorded epoch (the softmax output too:
// Fig. 17 shows the output layer converging to its saturation limits).
void describe_epoch(const mi::recording<float>& rec, std::int64_t epoch, const run& r, std::size_t bins,
                    rp::suite& s) {
    auto& hist = s.result("histograms", with_tags({"epoch", "layer", "bin", "lo", "hi", "count", "density"}));
    auto& act = s.result("activity", with_tags({"epoch", "layer", "values", "min", "max", "mean", "std",
                                                "frac_zero", "frac_saturated"}));
    const auto layers = rec.layers();
    for (std::size_t k = 0; k < layers.size(); ++k) {
        const std::size_t layer = layers[k];
        const mi::activation_view<const float> v = rec.at(epoch, layer);
        const layer_summary a = summarise(v, k + 1 == layers.size());
        act.add(row_of(r, {epoch, layer, a.values, a.lo, a.hi, a.mean, a.std, a.frac_zero, a.frac_saturated}));
        const double lo = a.lo, hi = a.hi > a.lo ? a.hi : a.lo + 1.0;
        const double width = (hi - lo) / static_cast<double>(bins);
        const auto count = histogram(v, lo, hi, bins);
        for (std::size_t b = 0; b < bins; ++b) {
            if (count[b] == 0) continue;
            const double b_lo = lo + static_cast<double>(b) * width;
            const double b_hi = b + 1 == bins ? hi : lo + static_cast<double>(b + 1) * width;
            const double density = static_cast<double>(count[b]) / (a.values * (b_hi - b_lo));
            hist.add(row_of(r, {epoch, layer, b, b_lo, b_hi, count[b], density}));
        }
    }
}

void describe_recording(const mi::recording<float>& rec, const run& r, std::size_t bins, rp::suite& s) {
    for (const auto e : rec.epochs()) describe_epoch(rec, e, r, bins, s);
}

void add_history(const run& r, const std::vector<eng::epoch_metrics>& history, rp::suite& s) {
    rp::add_curves(s.result("curves", rp::curve_columns({"network", "activation", "seed"})), tags_of(r), history);
    std::printf("  %s %s seed %llu: final train acc %.3f, test acc %.3f\n", r.network.c_str(), r.activation.c_str(),
                static_cast<unsigned long long>(r.seed), history.back().train_accuracy, history.back().test_accuracy);
    std::fflush(stdout);
}

void train_szt(const run& r, const settings& o, const rp::ibsgd_szt_data& data, rp::suite& s) {
    rp::ibsgd_szt_settings st;
    st.epochs = o.szt_epochs;
    const auto trained = rp::train_ibsgd_szt(data, r.activation, r.seed, st, "szt " + r.activation + " seed " +
                                                                                 std::to_string(r.seed));
    describe_recording(trained.recording, r, o.bins, s);
    add_history(r, trained.history, s);
}

void train_mnist(const run& r, const settings& o, const rp::mnist_data& data, rp::suite& s) {
    eng::network<float> net(rp::mnist_network(eng::activation::parse(r.activation)), mi::derive_seed(r.seed, 1));
    auto opts = rp::mnist_train_options(o.mnist_epochs, 0.001, 128, mi::derive_seed(r.seed, 2));
    rp::progress bar("mnist " + r.activation + " seed " + std::to_string(r.seed), o.mnist_epochs);
    opts.on_epoch = bar.hook();
    rp::epoch_stream rec(rp::mnist_samples(data.mi), net.num_layers(), [&](const mi::recording<float>& epoch) {
        describe_recording(epoch, r, o.bins, s);
    });
    add_history(r, eng::train(net, data.train, &data.test, data.mi, rec, opts), s);
}

// --- summary, computed from the tables (also after --merge) ---

// Mean over seeds of a column of `t` at the first and at the last epoch of each layer.
struct first_last {
    double first_epoch = 0, last_epoch = 0, first = 0, last = 0;
};

first_last course(const rp::table& t, std::size_t layer, const std::string& column) {
    const rp::table l = t.where({{"layer", std::to_string(layer)}}).mean_by({"epoch"}, {column});
    first_last c;
    c.first_epoch = std::numeric_limits<double>::infinity();
    c.last_epoch = -c.first_epoch;
    for (std::size_t i = 0; i < l.size(); ++i) {
        const double e = l.number(i, "epoch");
        if (e < c.first_epoch) {
            c.first_epoch = e;
            c.first = l.number(i, column);
        }
        if (e > c.last_epoch) {
            c.last_epoch = e;
            c.last = l.number(i, column);
        }
    }
    return c;
}

std::vector<std::size_t> layers_of(const rp::table& t) {
    std::vector<std::size_t> out;
    for (const auto& l : t.distinct("layer")) out.push_back(static_cast<std::size_t>(std::stoul(l)));
    std::sort(out.begin(), out.end());
    return out;
}

void print_activity(const rp::table& activity, const std::string& net, const std::string& act) {
    const rp::table t = activity.where({{"network", net}, {"activation", act}});
    if (t.empty()) return;
    std::printf("\n%s, %s hidden layers (mean over seeds): first -> last recorded epoch\n", net.c_str(), act.c_str());
    std::printf("  %-6s %24s %24s %22s\n", "layer", "saturated", "h == 0", "max h");
    const auto layers = layers_of(t);
    for (const auto l : layers) {
        const auto sat = course(t, l, "frac_saturated"), zero = course(t, l, "frac_zero"), hi = course(t, l, "max");
        const std::string name = l == layers.back() ? "out" : "T" + std::to_string(l + 1);
        std::printf("  %-6s %11.3f -> %-10.3f %11.3f -> %-10.3f %10.3g -> %-10.3g\n", name.c_str(), sat.first,
                    sat.last, zero.first, zero.last, hi.first, hi.last);
    }
    const auto c = course(t, layers_of(t).front(), "frac_saturated");
    std::printf("  (epochs %.0f -> %.0f)\n", c.first_epoch, c.last_epoch);
}

// SNR per layer at the recorded epochs (those at which ibsgd's loggingreporter computes it): early
// (epochs < 10), its peak, late (the last tenth of training), and the epoch from which it stays below 1
// (the diffusion phase of Shwartz-Ziv & Tishby: the batch-to-batch spread exceeds the mean gradient).
void print_snr(const rp::table& curves, const std::string& net, const std::string& act) {
    const rp::table t = curves.where({{"network", net}, {"activation", act}, {"recorded", "1"}});
    if (t.empty()) return;
    double last = 0;
    for (std::size_t i = 0; i < t.size(); ++i) last = std::max(last, t.number(i, "epoch"));
    std::printf("\n%s, %s: gradient SNR ||mean|| / ||std|| per weight layer at the recorded epochs (mean over "
                "seeds)\n",
                net.c_str(), act.c_str());
    std::printf("  %-6s %12s %12s %12s %12s %18s\n", "layer", "epochs < 10", "peak", "peak epoch", "last 10%",
                "stays < 1 from");
    const rp::table mean = t.mean_by({"epoch", "layer"}, {"snr"});
    for (const auto l : layers_of(t)) {
        const rp::table m = mean.where({{"layer", std::to_string(l)}});
        double early = 0, late = 0, peak = 0, peak_epoch = 0, first_after = -1;
        std::size_t n_early = 0, n_late = 0;
        for (std::size_t i = 0; i < m.size(); ++i) {
            const double e = m.number(i, "epoch"), snr = m.number(i, "snr");
            if (std::isnan(snr)) continue;
            if (e < 10) {
                early += snr;
                ++n_early;
            }
            if (e >= 0.9 * last) {
                late += snr;
                ++n_late;
            }
            if (snr > peak) {
                peak = snr;
                peak_epoch = e;
            }
            if (snr >= 1.0) {
                first_after = -1;
            } else if (first_after < 0) {
                first_after = e;
            }
        }
        const std::string name = "W" + std::to_string(l + 1);
        const std::string below = first_after < 0 ? "never" : std::to_string(static_cast<long>(first_after));
        std::printf("  %-6s %12.3g %12.3g %12.0f %12.3g %18s\n", name.c_str(), n_early ? early / n_early : std::nan(""),
                    peak, peak_epoch, n_late ? late / n_late : std::nan(""), below.c_str());
    }
}

void print_summary(const rp::tables& results, const settings& o) {
    std::printf("\nSaxe et al. Fig. 16/17: tanh activations saturate at +-1 as training proceeds; ReLU activations "
                "spread over a growing range with a mass at 0 (saturated: within 5 %% of the range from a limit, "
                "|h| >= 0.9 for tanh, h <= 0.05 or >= 0.95 for the softmax output).\n");
    for (const auto& net : o.networks)
        for (const auto& act : o.activations) print_activity(results.at("activity"), net, act);
    std::printf("\nSaxe et al. Fig. 20 (MNIST: Fig. 9, 10 row 4; after Shwartz-Ziv & Tishby 2017 Fig. 4): a high-SNR "
                "drift phase, then a low-SNR diffusion phase, for tanh AND ReLU.\n");
    for (const auto& net : o.networks)
        for (const auto& act : o.activations) print_snr(results.at("curves"), net, act);
}

// --- verdicts, computed from the tables as written ---

/// Per-run excesses over their thresholds (already subtracted), judged over the runs by verdict.hpp's
/// judge_runs: with two or more runs a one-sided t-test of mean > 0 at 0.05, with one run its sign.
rp::runs_judgement test_over_runs(const std::vector<double>& per_run) {
    if (per_run.empty()) return {};
    return rp::judge_runs(per_run, std::vector<double>(per_run.size(), 0.0));
}

/// How far a layer's smoothed course ends above its start, beyond the course's own threshold (> 0: it rose).
double rise_excess(const rp::course& c, double resolution) {
    const rp::trend t = rp::trend_of(c, resolution);
    return t.final_value - t.first - t.threshold;
}

/// Per seed, the smallest rise_excess over the given layers of one (network, activation); layers absent from the
/// table are skipped. `fraction`: the column is a fraction of the layer's values, resolved to one value.
std::vector<double> smallest_excess_per_seed(const rp::table& t, const std::vector<std::size_t>& layers,
                                             const std::string& column, bool fraction) {
    std::vector<double> out;
    for (const auto& seed : t.distinct("seed")) {
        const rp::table one = t.where({{"seed", seed}});
        double least = std::numeric_limits<double>::infinity();
        for (const auto l : layers) {
            const rp::table rows = one.where({{"layer", std::to_string(l)}});
            if (rows.empty()) continue;
            const rp::course c = rp::course_of(rows, column);
            if (c.size() == 0) continue;
            // a fraction moves by at least one value of the layer changing class
            const double resolution = fraction ? 1.0 / rows.number(0, "values") : 0.0;
            least = std::min(least, rise_excess(c, resolution));
        }
        if (std::isfinite(least)) out.push_back(least);
    }
    return out;
}

/// Per seed, the largest |final - first| of the smoothed course of `column` over the given layers.
std::vector<double> largest_change_per_seed(const rp::table& t, const std::vector<std::size_t>& layers,
                                            const std::string& column) {
    std::vector<double> out;
    for (const auto& seed : t.distinct("seed")) {
        const rp::table one = t.where({{"seed", seed}});
        double largest = 0;
        for (const auto l : layers) {
            const rp::table rows = one.where({{"layer", std::to_string(l)}});
            if (rows.empty()) continue;
            const rp::trend tr = rp::trend_of(rp::course_of(rows, column));
            largest = std::max(largest, std::abs(tr.final_value - tr.first));
        }
        out.push_back(largest);
    }
    return out;
}

std::string runs_text(std::size_t n) { return std::to_string(n) + (n == 1 ? " run" : " runs"); }

/// A verdict on a per-seed excess over a threshold (> 0 means the course does what `yes` says).
rp::verdict excess_verdict(const std::string& claim, const std::string& statistic, const std::vector<double>& per_seed,
                           const std::string& yes, const std::string& no, const std::string& paper) {
    const auto o = test_over_runs(per_seed);
    return {claim, statistic + " (mean over " + runs_text(per_seed.size()) + ")", o.value, 0.0, o.p_value, paper,
            per_seed.empty() ? "no data" : o.exceeds ? yes : no};
}

/// Fig. 20: per run and weight layer, log10 of the gradient SNR in a window from the peak of its smoothed
/// course in the first tenth of training (the drift phase: max(3, n/100) points) against the last tenth of
/// training (the diffusion phase), by Welch's one-sided t-test on the epochs' values. The per-epoch SNR of
/// ~13 mini-batches scatters by a factor of several from one epoch to the next, so the two phases are
/// compared by their means against that scatter rather than by two smoothed points. value = the smallest
/// difference of means over the layer-runs (log10), p = the largest p-value; a transition in every layer
/// when that p < 0.05.
rp::verdict snr_verdict(const rp::table& curves, const std::vector<std::size_t>& layers, const std::string& claim) {
    double least_difference = std::numeric_limits<double>::infinity(), largest_p = 0;
    std::size_t tested = 0;
    for (const auto& seed : curves.distinct("seed")) {
        const rp::table one = curves.where({{"seed", seed}});
        for (const auto l : layers) {
            const rp::course c = rp::course_of(one.where({{"layer", std::to_string(l)}}), "snr");
            std::vector<double> logs, epochs;
            for (std::size_t i = 0; i < c.size(); ++i)
                if (c.value[i] > 0) {
                    logs.push_back(std::log10(c.value[i]));
                    epochs.push_back(c.epoch[i]);
                }
            if (logs.size() < 2) continue;
            // the drift phase is early: its peak is looked for in the first tenth of training (at least 3
            // points), so that a late spike (the tanh output layer's SNR rises again under Adam) is not taken for it
            const auto smoothed = rp::smooth(logs);
            std::size_t searched = 0;
            while (searched < logs.size() && (searched < 3 || epochs[searched] <= 0.1 * epochs.back())) ++searched;
            const auto peak = static_cast<std::size_t>(
                std::max_element(smoothed.begin(), smoothed.begin() + static_cast<std::ptrdiff_t>(searched)) -
                smoothed.begin());
            const std::size_t n = logs.size(), early_n = std::max<std::size_t>(3, n / 100),
                              late_n = std::max<std::size_t>(3, n / 10);
            const std::vector<double> early(logs.begin() + static_cast<std::ptrdiff_t>(peak),
                                            logs.begin() + static_cast<std::ptrdiff_t>(std::min(n, peak + early_n)));
            const std::vector<double> late(logs.end() - static_cast<std::ptrdiff_t>(std::min(n, late_n)), logs.end());
            double me = 0, ml = 0;
            for (double x : early) me += x / static_cast<double>(early.size());
            for (double x : late) ml += x / static_cast<double>(late.size());
            const auto t = rp::welch_t(early, late);
            ++tested;
            least_difference = std::min(least_difference, me - ml);
            // too few epochs for a test (e.g. --smoke): p = 1, no transition shown
            largest_p = std::max(largest_p, std::isnan(t.p_value) ? 1.0 : t.p_value);
        }
    }
    const bool every = tested > 0 && largest_p < 0.05 && least_difference > 0;
    return {claim,
            "smallest over " + std::to_string(tested) +
                " layer-runs of mean log10 SNR in the drift window (from the smoothed peak in the first tenth of "
                "training) - in the last tenth of training; p = largest one-sided Welch p-value",
            tested ? least_difference : 0.0, 0.0, tested ? largest_p : 1.0, "transition in every layer",
            every ? "transition in every layer" : "not in every layer"};
}

rp::verdicts judge(const rp::tables& results) {
    const rp::table& activity = results.at("activity");
    const rp::table& curves = results.at("curves");
    rp::verdicts v;
    for (const auto& net : activity.distinct("network")) {
        const std::string where = net == "szt" ? "SZT" : "MNIST-scale";
        for (const auto& act : activity.where({{"network", net}}).distinct("activation")) {
            const rp::table a = activity.where({{"network", net}, {"activation", act}});
            const auto layers = layers_of(a);
            const std::size_t output = layers.back();
            std::vector<std::size_t> hidden(layers.begin(), layers.end() - 1);
            const std::string prefix = where + " " + act + ": ";
            if (act == "tanh") {
                const std::vector<std::size_t> last_three(layers.end() - std::min<std::size_t>(3, layers.size()),
                                                          layers.end());
                v.add(excess_verdict(prefix + "Fig. 16: the final three layers eventually saturate at the limits of "
                                              "their range",
                                     "smallest over the last three layers of (final - first smoothed saturated "
                                     "fraction - threshold)",
                                     smallest_excess_per_seed(a, last_three, "frac_saturated", true),
                                     "saturate", "do not saturate", "saturate"));
            }
            if (act == "relu") {
                v.add(excess_verdict(prefix + "Fig. 17: the activities of hidden layers 1-5 disperse over training",
                                     "smallest over the hidden layers of (final - first smoothed std of the values - "
                                     "threshold)",
                                     smallest_excess_per_seed(a, hidden, "std", false),
                                     "disperse", "do not disperse", "disperse"));
                const std::vector<double> zero = largest_change_per_seed(a, hidden, "frac_zero");
                double mean_zero = 0;
                for (double z : zero) mean_zero += z / static_cast<double>(std::max<std::size_t>(zero.size(), 1));
                constexpr double roughly_constant = 0.1;  // ours: the paper gives no tolerance
                v.add({prefix + "Fig. 17: hidden layers 1-5 keep a roughly constant fraction of activities at zero",
                       "largest |final - first| smoothed fraction of values at exactly 0 over the hidden layers (mean "
                       "over " + runs_text(zero.size()) + "; tolerance ours)",
                       mean_zero, roughly_constant, std::numeric_limits<double>::quiet_NaN(), "roughly constant",
                       mean_zero < roughly_constant ? "roughly constant" : "changes"});
                v.add(excess_verdict(prefix + "Fig. 17: the sigmoid output layer converges to its saturation limits",
                                     "final - first smoothed saturated fraction of the output - threshold",
                                     smallest_excess_per_seed(a, {output}, "frac_saturated", true),
                                     "saturates", "does not saturate", "saturates"));
            }
            const rp::table c = curves.where({{"network", net}, {"activation", act}});
            std::vector<std::size_t> weight_layers;
            for (const auto& l : c.distinct("layer")) weight_layers.push_back(static_cast<std::size_t>(std::stoul(l)));
            std::sort(weight_layers.begin(), weight_layers.end());
            v.add(snr_verdict(c, weight_layers,
                              prefix + (net == "szt" ? "Fig. 20" : "Fig. 9/10 row 4") +
                                  ": the gradient SNR shows a transition to a lower value in every layer"));
            v.add(excess_verdict(prefix + "App. D / Fig. 20: the weight norms grow over training",
                                 "smallest over the weight layers of (final - first smoothed weight norm - threshold)",
                                 smallest_excess_per_seed(c, weight_layers, "weight_norm", false),
                                 "grow", "do not grow", "grow"));
        }
    }
    return v;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        rp::suite s(argc, argv, "activation_histograms", usage);
        const settings o = read_settings(s);
        s.begin();

        std::vector<run> runs;
        for (const auto& net : o.networks)
            for (const auto& a : o.activations)
                for (auto seed : s.seed_list(net == "szt" ? o.szt_seeds : o.mnist_seeds)) runs.push_back({net, a, seed});
        const auto mine = s.mine(runs);
        const bool szt = std::any_of(mine.begin(), mine.end(), [](const run& r) { return r.network == "szt"; });
        const bool mnist = std::any_of(mine.begin(), mine.end(), [](const run& r) { return r.network == "mnist"; });
        if (szt) {
            const rp::ibsgd_szt_data data(rp::ibsgd_szt_settings{}.split_seed);
            std::printf("SZT 12-10-7-5-4-3-2, Adam 4e-4, batch 256, %zu epochs (%zu recorded), %zu bins\n",
                        o.szt_epochs, eng::ibsgd_epochs(o.szt_epochs).size(), o.bins);
            std::fflush(stdout);
            for (const auto& r : mine)
                if (r.network == "szt") train_szt(r, o, data, s);
        }
        if (mnist) {
            const auto data = rp::load_mnist_data(o.mnist_dir, o.n_train, o.n_record);
            std::printf("%s: 784-1024-20-20-20-10, SGD 0.001, batch 128, %zu epochs (%zu recorded), train %zu, "
                        "recorded on %zu test images, %zu bins\n",
                        data.source.c_str(), o.mnist_epochs, rp::mnist_record_epochs(o.mnist_epochs).size(),
                        data.train.n, data.mi.n, o.bins);
            std::fflush(stdout);
            for (const auto& r : mine)
                if (r.network == "mnist") train_mnist(r, o, data, s);
        }
        if (!s.complete()) return 0;
        print_summary(s.results(), o);
        const rp::verdicts v = judge(s.results());
        v.print();
        s.report("verdicts", v.as_table());
        std::printf("\nwrote %s/histograms.csv, %s/activity.csv and %s/curves.csv\n", s.out().c_str(),
                    s.out().c_str(), s.out().c_str());
        s.plot("activation_histograms.py");
    } catch (const mi::error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
