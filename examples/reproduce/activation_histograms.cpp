// SPDX-License-Identifier: BSD-3-Clause
// Saxe et al. 2018 ("On the information bottleneck theory of deep learning"),
// Fig. 16 and 17: the distribution of each hidden layer's activations over
// training, for tanh and for ReLU hidden layers. The claim: tanh activations
// move into saturation (mass piles up at -1 and +1) as training proceeds,
// which is what makes binned / KDE I(X;T) fall ("compression"), while ReLU
// activations spread out over a growing range with a mass at exactly 0, so
// I(X;T) does not fall. Fig. 20 and 21: the gradient signal-to-noise ratio
// of every layer, ||mean|| / ||std|| of the epoch's mini-batch gradients
// (Shwartz-Ziv & Tishby 2017's "drift" phase, SNR high, followed by the
// "diffusion" phase, SNR low); the paper finds the same phases in ReLU
// networks, which do not compress, so the phases do not cause compression.
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
// not written. The exact fractions the claims are about (values at exactly 0,
// values with |h| >= 0.9) are in activity.csv.
//
// Deviations: the default is the SZT network at 3000 epochs, one seed (the
// paper averages 50 SZT networks for the SNR curves); --full trains both
// networks at the paper's 10,000 epochs (SZT 5 seeds, MNIST one network on the
// 60,000 training images). MNIST data as in mnist_tanh_vs_relu: Fashion-MNIST
// by default, --mnist DIR for MNIST.
//
// Output (--out): histograms.csv, activity.csv, curves.csv, PNGs by
// examples/plot/activation_histograms.py.
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

namespace eng = mi_examples::engine;
namespace rp = mi_examples::reproduce;

namespace {

const char* usage =
    "activation_histograms: Saxe et al. 2018 Fig. 16, 17 (activation histograms over training) and 20, 21\n"
    "(gradient SNR per layer), tanh vs ReLU, with mi's training engine.\n"
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

// |h| at or above this counts as saturated (tanh'(0.9 atanh) = 0.19: the gradient is a fifth of its peak).
constexpr double saturation_level = 0.9;

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

layer_summary summarise(const mi::activation_view<const float>& v) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo, sum = 0, sq = 0;
    std::size_t zero = 0, saturated = 0;
    for (std::size_t i = 0; i < v.rows(); ++i)
        for (std::size_t j = 0; j < v.cols(); ++j) {
            const double h = v(i, j);
            lo = std::min(lo, h);
            hi = std::max(hi, h);
            sum += h;
            sq += h * h;
            zero += h == 0.0;
            saturated += std::fabs(h) >= saturation_level;
        }
    layer_summary out;
    out.values = static_cast<double>(v.rows() * v.cols());
    out.lo = lo;
    out.hi = hi;
    out.mean = sum / out.values;
    out.std = std::sqrt(std::max(0.0, sq / out.values - out.mean * out.mean));
    out.frac_zero = static_cast<double>(zero) / out.values;
    out.frac_saturated = static_cast<double>(saturated) / out.values;
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

// activity.csv and histograms.csv rows of every hidden layer of one recorded epoch (the softmax
// output is a probability vector, not an activation distribution, and the paper's histograms omit it).
void describe_epoch(const mi::recording<float>& rec, std::int64_t epoch, const run& r, std::size_t bins,
                    rp::suite& s) {
    auto& hist = s.result("histograms", with_tags({"epoch", "layer", "bin", "lo", "hi", "count", "density"}));
    auto& act = s.result("activity", with_tags({"epoch", "layer", "values", "min", "max", "mean", "std",
                                                "frac_zero", "frac_saturated"}));
    const auto layers = rec.layers();
    for (std::size_t k = 0; k + 1 < layers.size(); ++k) {
        const std::size_t layer = layers[k];
        const mi::activation_view<const float> v = rec.at(epoch, layer);
        const layer_summary a = summarise(v);
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
    std::printf("  %-6s %24s %24s %22s\n", "layer", "|h| >= 0.9 (saturated)", "h == 0", "max h");
    for (const auto l : layers_of(t)) {
        const auto sat = course(t, l, "frac_saturated"), zero = course(t, l, "frac_zero"), hi = course(t, l, "max");
        std::printf("  T%-5zu %11.3f -> %-10.3f %11.3f -> %-10.3f %10.3g -> %-10.3g\n", l + 1, sat.first, sat.last,
                    zero.first, zero.last, hi.first, hi.last);
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
                "spread over a growing range with a mass at 0.\n");
    for (const auto& net : o.networks)
        for (const auto& act : o.activations) print_activity(results.at("activity"), net, act);
    std::printf("\nSaxe et al. Fig. 20/21 (after Shwartz-Ziv & Tishby 2017 Fig. 4): a high-SNR drift phase, then a "
                "low-SNR diffusion phase, for tanh AND ReLU.\n");
    for (const auto& net : o.networks)
        for (const auto& act : o.activations) print_snr(results.at("curves"), net, act);
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
        std::printf("\nwrote %s/histograms.csv, %s/activity.csv and %s/curves.csv\n", s.out().c_str(),
                    s.out().c_str(), s.out().c_str());
        s.plot("activation_histograms.py");
    } catch (const mi::error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
