// SPDX-License-Identifier: BSD-3-Clause
// Saxe et al. 2018 ("On the information bottleneck theory of deep learning"),
// App. C, Fig. 14 and 15: the SZT tanh and ReLU networks of Fig. 1 measured
// with different binning rules. The binned I(X;T) of a deterministic network
// measures the bins as much as the network. The paper's claims:
// - Fig. 14: the tanh network of Fig. 1A with bin edges
//   b_i in tanh(linspace(-50, 50, N)) (bins evenly spaced in the net input on
//   [-50, 50], mapped through tanh): "there is no compression in most layers".
// - Fig. 15: binning at full machine precision (every distinct float its own
//   bin): "Information in most layers stays pinned to log2(P) = 12.
//   Compression is only observed in the highest and smallest layers near the
//   very end of training, when the saturation of tanh is strong enough to
//   saturate machine precision" (A: ReLU, B: tanh).
// Ours, beside them: the other rules of this and the later papers, to show
// how the compression picture moves with the bins.
//
// Protocol: the networks are trained exactly as in szt_tanh_vs_relu
// (artemyk/ibsgd, branch iclr2018, IBnet_SaveActivations.ipynb: Adam lr 4e-4,
// batch 256 reshuffled, one shuffled 80/20 split, ibsgd's record schedule at
// epoch end, all 4096 inputs; see reproduce/ibsgd_szt.hpp), with the same
// seeds, so seed s here is the same network as seed s there. The bin rules,
// all plug-in estimates in bits with I(X;T) = H(Q(T)) (distinct inputs):
// - Fig. 14 (tanh network only, as in the paper): edges
//   tanh(linspace(-50, 50, N)), N = 30 by default (--fig14-edges; the paper
//   does not state N), as mi::bin_edges (repeated edges merge). The recorded
//   activations are float32, as the paper's Keras networks' were: float32
//   tanh rounds to exactly +-1 beyond a net input of about 9, so the edges
//   beyond it separate nothing and every saturated value shares an end bin.
// - Fig. 15: machine precision, every distinct float32 value its own bin
//   (mi::machine_precision).
// - 30 edges on [-1, 1] with IDNNs' conventions (ravidziv/IDNNs,
//   idnns/information/information_process.py; Saxe Fig. 1A), 100 and 1000
//   equal bins on [-1, 1] (values outside clipped into the end bins; for
//   ReLU every value >= 1 shares the top bin);
// - fixed width 0.07 anchored at 0 without a range (ibsgd simplebinmi.py,
//   bin_calc_information2, the notebook's default binning);
// - 100 bins over the layer's range at each epoch (per-epoch adaptive) and
//   over its range across all recorded epochs (Saxe App. C, Fig. 1B);
// - 30 equal-mass bins (percentiles of the layer's values at each epoch);
// - Chelombiev et al. 2019's rule as their code runs it (30 quantiles of the
//   distinct values, low = -1.000001 for tanh, 0 for ReLU;
//   ivansche/adaptive_estimators, information_process.py, set_up_bins).
//
// Verdicts (reproduce/verdict.hpp, from the table as written): per run and
// layer, the course of I(X;T) over the recorded epochs is smoothed (running
// median of 5) and a layer "compresses" when its smoothed value falls after
// its peak by more than 3 sqrt(2) x its epoch-to-epoch noise (at least one
// input moving between bins, log2(4096)/4096 bits). Fig. 14: the fraction of
// the tanh network's layers that compress under the Fig. 14 rule is below
// one half (over several seeds: an exact binomial test of the count of
// compressing layer-runs against one half). Fig. 15: the fraction of layers
// whose smoothed course stays within that threshold of 12 bits at every
// epoch is above one half; and in the tanh network the layers that compress
// at machine precision are all among the two highest, smallest layers (T5
// and the output), each starting to fall later than it does under the 30
// IDNNs edges of Fig. 1A ("near the very end of training").
//
// Deviations: default 3000 epochs (the paper trains 10000, --full), 1 seed
// (--full: 5).
//
// Output (--out): plane.csv (tidy: activation, seed, strategy, then
// mi::write_csv's columns), curves.csv, verdicts.csv, out_of_range.csv, PNGs
// drawn by examples/plot/binning_strategies.py (rows = strategies, columns =
// tanh/ReLU; Fig. 14 and 15 per layer over epochs).
#include <algorithm>
#include <cmath>
#include <limits>
#include <cstdio>
#include <string>
#include <vector>

#include "mi/estimators/binning.hpp"
#include "mi/plane/information_plane.hpp"
#include "mi/quantizers/adaptive_uniform.hpp"
#include "mi/quantizers/bin_edges.hpp"
#include "mi/quantizers/distinct_value_quantiles.hpp"
#include "mi/quantizers/equal_mass.hpp"
#include "mi/quantizers/fitted_edges.hpp"
#include "mi/quantizers/fixed_width.hpp"
#include "mi/quantizers/global_uniform.hpp"
#include "mi/quantizers/machine_precision.hpp"
#include "mi/quantizers/uniform.hpp"
#include "reproduce/common.hpp"
#include "reproduce/ibsgd_szt.hpp"
#include "reproduce/suite.hpp"
#include "reproduce/verdict.hpp"

namespace rp = mi_examples::reproduce;

namespace {

const char* usage =
    "binning_strategies: Saxe et al. 2018 Fig. 14/15 (SZT tanh and ReLU under different binning rules) with mi.\n"
    "usage: binning_strategies [options]\n"
    "  --epochs N         training epochs (default 3000; --full 10000)\n"
    "  --split-seed S     seed of the 80/20 split (default 2017, as szt_tanh_vs_relu)\n"
    "  --fig14-edges N    N of Fig. 14's edges tanh(linspace(-50, 50, N)) (default 30)\n"
    "  (default 1 seed; --full 5 seeds)\n";

const std::vector<std::string> activations{"tanh", "relu"};
const char* machine_precision_strategy = "machine precision";
const char* idnns_strategy = "30 edges on [-1,1] (IDNNs)";
const char* fig14_strategy = "edges tanh(linspace(-50,50,N))";

struct run {
    std::string activation;
    std::uint64_t seed;
};

// One bin rule: its label in the tables and figures, and its information plane of a recording.
struct strategy {
    std::string label;
    mi::trajectory plane;
};

template <class Quantizer>
strategy measure(const std::string& label, const mi::recording<float>& rec, Quantizer q) {
    mi::plane_options po;
    po.output_unit = mi::unit::bits;
    return {label, mi::information_plane(rec, mi::binning<Quantizer>(q), po)};
}

/// Fig. 14's edges: tanh of linspace(-50, 50, n) as numpy computes it (in double: |e| > 19.1 gives +-1).
mi::bin_edges fig14_edges(std::size_t n) {
    std::vector<double> e(n);
    for (std::size_t i = 0; i < n; ++i) e[i] = std::tanh(mi::detail::linspace_point(-50.0, 50.0, n, i));
    return mi::bin_edges(e);
}

std::vector<strategy> all_strategies(const mi::recording<float>& rec, const std::string& activation,
                                     std::size_t fig14_edge_count) {
    const auto chelombiev = activation == "relu" ? mi::distinct_value_quantiles::for_relu(30)
                                                 : mi::distinct_value_quantiles::for_tanh(30);
    std::vector<strategy> s;
    if (activation == "tanh") s.push_back(measure(fig14_strategy, rec, fig14_edges(fig14_edge_count)));
    s.push_back(measure(idnns_strategy, rec, mi::uniform::idnns(30, -1.0, 1.0)));
    s.push_back(measure("100 bins on [-1,1]", rec, mi::uniform(100, -1.0, 1.0)));
    s.push_back(measure("1000 bins on [-1,1]", rec, mi::uniform(1000, -1.0, 1.0)));
    s.push_back(measure("width 0.07 (ibsgd)", rec, mi::fixed_width(0.07)));
    s.push_back(measure("100 bins, per-epoch range", rec, mi::adaptive_uniform(100)));
    s.push_back(measure("100 bins, range of all epochs", rec, mi::global_uniform(100)));
    s.push_back(measure("30 equal-mass bins", rec, mi::equal_mass(30)));
    s.push_back(measure("Chelombiev EBAB, 30 bins", rec, chelombiev));
    s.push_back(measure(machine_precision_strategy, rec, mi::machine_precision{}));
    return s;
}

std::string layer_name(std::size_t layer, std::size_t layers) {
    return layer + 1 < layers ? "T" + std::to_string(layer + 1) : "out";
}

// One input moving between bins changes a plug-in entropy of the 4096 SZT patterns by about this much.
const double one_input_bits = std::log2(4096.0) / 4096.0;

/// The course of one layer's I(X;T) in one table slice (one run, or a mean over runs) and its trend.
rp::trend layer_trend(const rp::table& t, std::size_t layer) {
    return rp::trend_of(rp::course_of(t.where({{"layer", std::to_string(layer)}}), "ixt"), one_input_bits);
}

std::vector<std::size_t> layers_in(const rp::table& t) {
    std::vector<std::size_t> out;
    for (const auto& l : t.distinct("layer")) out.push_back(static_cast<std::size_t>(std::stoul(l)));
    std::sort(out.begin(), out.end());
    return out;
}

void print_strategy_table(const rp::table& mean) {
    std::printf("\nI(X;T) in bits per layer, mean over seeds: smoothed peak -> final; compressing = falls after the "
                "peak by more than 3 sqrt(2) x its epoch-to-epoch noise\n");
    for (const auto& act : activations) {
        const rp::table a = mean.where({{"activation", act}});
        if (a.empty()) continue;
        const auto layers = layers_in(a);
        std::printf("\n%s\n  %-31s", act.c_str(), "strategy");
        for (std::size_t l = 0; l < layers.size(); ++l) std::printf(" %15s", layer_name(l, layers.size()).c_str());
        std::printf("  compressing layers\n");
        for (const auto& st : a.distinct("strategy")) {
            const rp::table one = a.where({{"strategy", st}});
            std::string compressing;
            std::printf("  %-31s", st.c_str());
            for (std::size_t l = 0; l < layers.size(); ++l) {
                const rp::trend t = layer_trend(one, layers[l]);
                std::printf("  %5.2f -> %5.2f", t.peak, t.final_value);
                if (t.falls()) compressing += (compressing.empty() ? "" : ",") + layer_name(l, layers.size());
            }
            std::printf("  %s\n", compressing.empty() ? "none" : compressing.c_str());
        }
    }
}

// The machine-precision rule on every (run, epoch, layer): how many points sit at H(X) = 12 bits.
void print_machine_precision(const rp::table& plane) {
    const rp::table mp = plane.where({{"strategy", machine_precision_strategy}});
    std::printf("\nmachine precision (every distinct float32 its own bin), all runs, epochs and layers:\n");
    for (const auto& act : activations) {
        const rp::table a = mp.where({{"activation", act}});
        if (a.empty()) continue;
        std::size_t at_ceiling = 0;
        double lowest = 1e300;
        std::string where_lowest;
        for (std::size_t i = 0; i < a.size(); ++i) {
            const double v = a.number(i, "ixt");
            if (v > 12.0 - 1e-9) ++at_ceiling;
            if (v < lowest) {
                lowest = v;
                where_lowest = "seed " + a.text(i, "seed") + ", epoch " + a.text(i, "epoch") + ", layer " +
                               a.text(i, "layer");
            }
        }
        std::printf("  %-5s %zu of %zu points at I(X;T) = 12 bits; lowest %.4f bits (%s)\n", act.c_str(), at_ceiling,
                    a.size(), lowest, where_lowest.c_str());
    }
    std::printf("  paper: 12 bits for every layer at every epoch with distinct activations (vacuous MI)\n");
}

// ---- verdicts, from the plane table as written -------------------------------------------------

/// The first epoch after the peak at which a smoothed course has fallen below peak - threshold (NaN if never).
double fall_onset(const rp::course& c, const rp::trend& t) {
    const auto v = rp::smooth(c.value);
    bool past_peak = false;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (c.epoch[i] == t.peak_epoch) past_peak = true;
        if (past_peak && v[i] < t.peak - t.threshold) return c.epoch[i];
    }
    return std::numeric_limits<double>::quiet_NaN();
}

/// Fig. 14: the tanh network under the tanh(linspace(-50, 50, N)) edges; compressing layer-runs counted.
rp::verdict fig14_verdict(const rp::table& plane) {
    const rp::table t = plane.where({{"activation", "tanh"}, {"strategy", fig14_strategy}});
    std::size_t compressing = 0, total = 0;
    const auto seeds = t.distinct("seed");
    for (const auto& seed : seeds) {
        const rp::table run = t.where({{"seed", seed}});
        for (const auto l : layers_in(run)) {
            ++total;
            compressing += layer_trend(run, l).falls();
        }
    }
    const double fraction = total ? static_cast<double>(compressing) / static_cast<double>(total) : 1.0;
    // P(X <= compressing) for X ~ Binomial(total, 1/2): the chance of so few compressing layers if half did
    const double p = total ? rp::binomial_sf(total - compressing, total, 0.5) : 1.0;
    const bool most_do_not = seeds.size() >= 2 ? p < 0.05 : fraction < 0.5;
    return {"Fig. 14: with edges tanh(linspace(-50,50,N)) the tanh network shows no compression in most layers",
            "fraction of the layers (all seeds' layer-runs: " + std::to_string(compressing) + " of " +
                std::to_string(total) + ") whose smoothed I(X;T) falls after its peak by more than its threshold",
            fraction, 0.5, seeds.size() >= 2 ? p : std::numeric_limits<double>::quiet_NaN(),
            "most layers do not compress",
            most_do_not        ? "most layers do not compress"
            : fraction > 0.5   ? "most layers compress"
            : fraction == 0.5  ? "half the layers compress"
                               : "fewer than half compress, not significant"};
}

/// Fig. 15: machine precision; the fraction of layer-runs pinned at log2(P) = 12 bits at every epoch.
rp::verdict fig15_pinned_verdict(const rp::table& plane, const std::string& act, double hx) {
    const rp::table t = plane.where({{"activation", act}, {"strategy", machine_precision_strategy}});
    std::size_t pinned = 0, total = 0;
    const auto seeds = t.distinct("seed");
    for (const auto& seed : seeds) {
        const rp::table run = t.where({{"seed", seed}});
        for (const auto l : layers_in(run)) {
            const rp::course c = rp::course_of(run.where({{"layer", std::to_string(l)}}), "ixt");
            const rp::trend tr = rp::trend_of(c, one_input_bits);
            const auto v = rp::smooth(c.value);
            ++total;
            pinned += hx - *std::min_element(v.begin(), v.end()) <= tr.threshold;
        }
    }
    const double fraction = total ? static_cast<double>(pinned) / static_cast<double>(total) : 0.0;
    // P(X >= pinned) for X ~ Binomial(total, 1/2)
    const double p = total ? rp::binomial_sf(pinned, total, 0.5) : 1.0;
    const bool most = seeds.size() >= 2 ? p < 0.05 : fraction > 0.5;
    return {"Fig. 15" + std::string(act == "tanh" ? "B" : "A") + ": at machine precision the " + act +
                " network's I(X;T) stays pinned to log2(P) = 12 bits in most layers",
            "fraction of the layers (" + std::to_string(pinned) + " of " + std::to_string(total) +
                " layer-runs) whose smoothed I(X;T) stays within its threshold of 12 bits at every recorded epoch",
            fraction, 0.5, seeds.size() >= 2 ? p : std::numeric_limits<double>::quiet_NaN(), "most layers at 12 bits",
            most ? "most layers at 12 bits" : "most layers below 12 bits"};
}

/// Fig. 15B: in the tanh network, the layers that compress at machine precision are among the two highest,
/// smallest layers (T5 and the output), and start to fall later than under the 30 IDNNs edges of Fig. 1A.
rp::verdict fig15_where_verdict(const rp::table& plane) {
    const rp::table t = plane.where({{"activation", "tanh"}});
    std::size_t compressing = 0, misplaced = 0;
    std::string detail;
    for (const auto& seed : t.distinct("seed")) {
        const rp::table mp = t.where({{"seed", seed}, {"strategy", machine_precision_strategy}});
        const rp::table binned = t.where({{"seed", seed}, {"strategy", idnns_strategy}});
        const auto layers = layers_in(mp);
        for (std::size_t k = 0; k < layers.size(); ++k) {
            const std::string layer = std::to_string(layers[k]);
            const rp::course c = rp::course_of(mp.where({{"layer", layer}}), "ixt");
            const rp::trend tr = rp::trend_of(c, one_input_bits);
            if (!tr.falls()) continue;
            ++compressing;
            const bool top_two = k + 2 >= layers.size();
            const rp::course cb = rp::course_of(binned.where({{"layer", layer}}), "ixt");
            const rp::trend tb = rp::trend_of(cb, one_input_bits);
            const double onset = fall_onset(c, tr), binned_onset = tb.falls() ? fall_onset(cb, tb) : std::nan("");
            const bool late = !std::isnan(binned_onset) && onset > binned_onset;
            if (!(top_two && late)) ++misplaced;
            char text[160];
            std::snprintf(text, sizeof text, "%sseed %s %s from epoch %.0f (30 edges: %.0f)",
                          detail.empty() ? "" : "; ",
                          seed.c_str(), layer_name(k, layers.size()).c_str(), onset, binned_onset);
            detail += text;
        }
    }
    return {"Fig. 15B: at machine precision compression is only observed in the highest and smallest layers near the "
            "very end of training",
            "number of compressing layer-runs outside T5/output or starting no later than under 30 IDNNs edges (" +
                (detail.empty() ? std::string("none compress") : detail) + ")",
            static_cast<double>(misplaced), 0.0, std::numeric_limits<double>::quiet_NaN(),
            "only the highest layers, late",
            compressing == 0 ? "no compression" : misplaced == 0 ? "only the highest layers, late"
                                                                 : "also lower layers or early"};
}

void print_accuracy(const rp::table& curves) {
    std::printf("\nfinal accuracy (mean over seeds)\n");
    for (const auto& act : activations) {
        const rp::table a = curves.where({{"activation", act}, {"layer", "0"}});
        if (a.empty()) continue;
        double last = -1;
        for (std::size_t i = 0; i < a.size(); ++i) last = std::max(last, a.number(i, "epoch"));
        const rp::table m = a.where({{"epoch", rp::cell(static_cast<std::size_t>(last)).text()}})
                                .mean_by({"activation"}, {"train_accuracy", "test_accuracy"});
        std::printf("  %-5s epoch %.0f: train %.3f, test %.3f (%s seeds)\n", act.c_str(), last,
                    m.number(0, "train_accuracy"), m.number(0, "test_accuracy"), m.text(0, "n").c_str());
    }
}

}  // namespace

int main(int argc, char** argv) {
    try {
        rp::suite s(argc, argv, "binning_strategies", usage);
        auto& cli = s.cli();
        rp::ibsgd_szt_settings settings;
        settings.epochs = cli.count("epochs", s.full() ? 10000 : s.smoke() ? 6 : 3000);
        settings.split_seed = cli.count("split-seed", 2017);
        const std::size_t fig14_edge_count = cli.count("fig14-edges", 30);
        const std::size_t seeds = s.seeds(s.full() ? 5 : 1);
        s.begin();
        if (settings.epochs == 0) mi::detail::fail("binning_strategies", "--epochs", 0, ">= 1");
        if (fig14_edge_count < 2) mi::detail::fail("binning_strategies", "--fig14-edges", fig14_edge_count, ">= 2");

        const rp::ibsgd_szt_data data(settings.split_seed);
        std::printf("SZT 12-10-7-5-4-3-2 (ibsgd protocol), Adam lr %g, batch %zu, %zu epochs, %zu seed(s), "
                    "%zu recorded epochs; 9 binning rules per network, and Fig. 14's edges "
                    "tanh(linspace(-50, 50, %zu)) for tanh\n",
                    settings.learning_rate, settings.batch, settings.epochs, seeds,
                    mi_examples::engine::ibsgd_epochs(settings.epochs).size(), fig14_edge_count);

        std::vector<run> runs;
        for (const auto& a : activations)
            for (auto seed : s.seed_list(seeds)) runs.push_back({a, seed});

        auto& curves = s.result("curves", rp::curve_columns({"activation", "seed"}));
        for (const auto& r : s.mine(runs)) {
            const std::string seed = std::to_string(r.seed);
            const auto trained = rp::train_ibsgd_szt(data, r.activation, r.seed, settings, r.activation + " seed " + seed);
            rp::add_curves(curves, {r.activation, seed}, trained.history);
            rp::progress clock("MI", 1);
            for (const auto& st : all_strategies(trained.recording, r.activation, fig14_edge_count))
                s.result("plane", {}).append(
                    rp::plane_table({st.plane}, {{"activation", r.activation}, {"seed", seed}, {"strategy", st.label}}));
            std::printf("  %s seed %s: training %.1f s, MI %.1f s; final train acc %.3f, test acc %.3f\n",
                        r.activation.c_str(), seed.c_str(), trained.train_seconds, clock.elapsed(),
                        trained.history.back().train_accuracy, trained.history.back().test_accuracy);
            std::fflush(stdout);
        }
        if (!s.complete()) return 0;
        const rp::table& plane = s.results().at("plane");
        const rp::table mean = plane.mean_by({"activation", "strategy", "epoch", "layer"}, {"ixt", "ity"});
        print_strategy_table(mean);
        print_machine_precision(plane);
        print_accuracy(s.results().at("curves"));
        // H(X) = log2 of the 4096 distinct patterns; H(Y) of the SZT labels (2118 ones of 4096).
        const double hx = std::log2(4096.0);
        double hy = 0;
        {
            std::size_t ones = 0;
            for (const auto y : data.all.labels) ones += y == 1;
            const double q = static_cast<double>(ones) / static_cast<double>(data.all.labels.size());
            hy = -(q * std::log2(q) + (1 - q) * std::log2(1 - q));
        }
        rp::verdicts v;
        if (!plane.where({{"strategy", fig14_strategy}}).empty()) v.add(fig14_verdict(plane));
        for (const auto& act : activations)
            if (!plane.where({{"activation", act}, {"strategy", machine_precision_strategy}}).empty())
                v.add(fig15_pinned_verdict(plane, act, hx));
        if (!plane.where({{"activation", "tanh"}, {"strategy", machine_precision_strategy}}).empty())
            v.add(fig15_where_verdict(plane));
        v.print();
        s.report("verdicts", v.as_table());
        const auto range = rp::out_of_range(plane, hx, hy);
        rp::print_out_of_range(range);
        s.report("out_of_range", range);
        std::printf("\nwrote %s/plane.csv, curves.csv, verdicts.csv and out_of_range.csv\n", s.out().c_str());
        s.plot("binning_strategies.py");
    } catch (const mi::error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
