// SPDX-License-Identifier: BSD-3-Clause
// Chelombiev, Houghton & O'Donnell, ICLR 2019 ("Adaptive estimators show
// information compression in deep neural networks"): with estimators whose
// bins or noise adapt to the layer's activity, entropy-based adaptive binning
// (EBAB) and adaptive KDE (aKDE), compression is seen with non-saturating
// activations too; how much depends on the activation and varies a great deal
// between initialisations; L2 weight decay increases it; and across
// initialisations only the compression of the last (softmax) layer correlates
// with generalisation (test accuracy).
//
// Protocol (ivansche/adaptive_estimators, a fork of ravidziv/IDNNs:
// idnns/networks/network_paramters.py, model.py, network.py,
// information_network.py, idnns/information/information_process.py):
// - data: all 4096 SZT patterns; train = rows 0..3276 (unshuffled 80 %),
//   test = rows 3277..4095; MI on all 4096.
// - network: 12-5-5-5-5-5-2 (their default net '10'), hidden activation tanh,
//   ReLU, ELU, softplus, centered softplus or swish; linear output layer with
//   softmax cross-entropy (the recorded output is the softmax, as their code
//   applies it to the recorded logits); every layer truncated normal with
//   sigma = he / sqrt(fan_in), he = 1 for tanh and 2 otherwise (2/sqrt(fan_in),
//   not He's sqrt(2/fan_in)); biases 0.
// - training: Adam lr 4e-4, batch 256 as fixed consecutive slices (12 x 256 +
//   205), 8000 epochs; with L2: penalty 0.015 * sum w^2 / 2 over every weight
//   matrix except the output layer's. Their TF loss is the batch SUM of the
//   per-example losses each carrying the penalty; the engine's mean loss with
//   weight decay 0.015 is the same objective divided by the batch size, which
//   Adam's update does not see (it is invariant to the gradient's scale).
// - recording: IDNNs' log2 grid with 400 points at the START of the epoch
//   (274 epochs for 8000), every layer including the softmax output.
// - EBAB (their default estimator, set_up_bins with maxentropy=True,
//   per_layer_bins=True): mi::distinct_value_quantiles, 30 bins per layer and
//   epoch over the layer's distinct values, low = -1.000001 for tanh and ELU,
//   0 for ReLU and softplus; bits.
// - aKDE: the Kolchinsky-Tracey upper bound (mi::kde) with mi::adaptive_noise
//   (variance = base * max|h|^2 of the layer at that epoch, base 1e-3). Their
//   repository's KDE branch uses a FIXED variance of 0.01 on |h + noise|; the
//   adaptive scaling the paper describes is not in it, so this follows the
//   paper's description as mi implements it (include/mi/kernels/noise.hpp).
//
// Paper vs code: "SGD" in the paper is Adam in the code (model.py), followed here.
//
// Compression and generalisation (definitions of this program):
// - compression of layer l = max over recorded epochs of I(X;T_l) minus its
//   final value (the last recorded epoch), in bits, per run and estimator.
// - generalisation = test accuracy at the last recorded epoch.
// - correlation across initialisations: Pearson r per layer, per estimator,
//   per L2 setting, within each activation and pooled over activations after
//   centring both quantities within each activation (so differences between
//   activations do not make a correlation); p = two-sided permutation test
//   with 10000 permutations of the accuracies (seeded by the group's name,
//   so merged shards give the same p), (1 + #{|r_perm| >= |r|}) / (1 + 10000).
//
// Deviations: swish and centered softplus are not handled by their MI code;
// their EBAB low here is -1.000001 (both are bounded below by -log 2 and
// -0.28, so the rule "low below every value" of tanh/ELU applies). aKDE is
// computed on --kde-points of the recorded epochs (spread evenly over the log
// grid) because it costs O(N^2) per point. The default is a short version:
// 1500 epochs, activations tanh, relu, elu, softplus, centered_softplus,
// swish, 3 initialisations each, with and without L2 (36 runs), aKDE on 12
// epochs; --full is the paper's scale: 8000 epochs, 50 initialisations, aKDE
// on 40 epochs (run it in shards).
//
// Output (--out): plane.csv (tidy: activation, l2, seed, then mi::write_csv's
// columns; EBAB and aKDE), curves.csv, compression.csv (per run, estimator and
// layer, with the run's final accuracies), correlation.csv (written by the
// summary, from compression.csv); PNGs by examples/plot/adaptive_estimators.py.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "datasets/szt.hpp"
#include "engine/schedule.hpp"
#include "engine/trainer.hpp"
#include "mi/core/random.hpp"
#include "mi/estimators/binning.hpp"
#include "mi/estimators/kde.hpp"
#include "mi/kernels/gaussian.hpp"
#include "mi/kernels/noise.hpp"
#include "mi/plane/information_plane.hpp"
#include "mi/plane/recording.hpp"
#include "mi/quantizers/distinct_value_quantiles.hpp"
#include "reproduce/common.hpp"
#include "reproduce/suite.hpp"

namespace eng = mi_examples::engine;
namespace ds = mi_examples::datasets;
namespace rp = mi_examples::reproduce;

namespace {

const char* usage =
    "adaptive_estimators: Chelombiev, Houghton & O'Donnell 2019 (EBAB and aKDE on the SZT task across\n"
    "activations, initialisations and L2; compression vs generalisation) with mi.\n"
    "usage: adaptive_estimators [options]\n"
    "  --activations A,B  hidden activations (default tanh,relu,elu,softplus,centered_softplus,swish)\n"
    "  --epochs N         training epochs (default 1500; --full 8000)\n"
    "  --l2 LIST          off, on or off,on (default off,on)\n"
    "  --penalty X        L2 penalty (default 0.015)\n"
    "  --kde-points N     recorded epochs that aKDE is computed on (default 12; --full 40; 0: no aKDE)\n"
    "  --akde-base X      aKDE noise variance per squared max activation (default 1e-3)\n"
    "  --permutations N   permutations of the correlation test (default 10000)\n"
    "  (default 3 seeds; --full 50 seeds)\n";

struct run {
    std::string activation;
    bool l2;
    std::uint64_t seed;
};

// Their init's factor: 1 for tanh, 2 for the other activations (model.py).
double he_factor(const std::string& act) { return act == "tanh" ? 1.0 : 2.0; }

// EBAB's `low`: 0 for activations bounded below by 0, -1.000001 for those that go negative.
double ebab_low(const std::string& act) {
    return act == "relu" || act == "softplus" ? 0.0 : -1.000001;
}

std::vector<std::size_t> kde_subset(const std::vector<std::size_t>& recorded, std::size_t points) {
    std::vector<std::size_t> out;
    if (points == 0 || recorded.empty()) return out;
    if (points >= recorded.size()) return recorded;
    for (std::size_t k = 0; k < points; ++k) {
        const double pos = static_cast<double>(k) * static_cast<double>(recorded.size() - 1) /
                           static_cast<double>(points - 1);
        out.push_back(recorded[static_cast<std::size_t>(std::llround(pos))]);
    }
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

// The IDNNs split (rows 0..3276 train, the rest test) and the run settings.
struct context : rp::szt_sets {
    using rp::szt_sets::szt_sets;
    std::vector<std::size_t> record_epochs, kde_epochs;
    std::size_t epochs;
    double penalty;
    double akde_base;
};

struct trained {
    std::vector<eng::epoch_metrics> history;
    mi::recording<float> rec;
};

trained train_run(const run& r, const context& c) {
    eng::network_config cfg;
    cfg.inputs = 12;
    cfg.hidden = {5, 5, 5, 5, 5};
    cfg.outputs = 2;
    cfg.hidden_activation = eng::activation::parse(r.activation);
    cfg.output = eng::output_spec::softmax();
    cfg.hidden_init = eng::init_spec::truncated_normal_fan_in(he_factor(r.activation));
    // The initialisation depends on the seed only: the runs with and without L2 (and across
    // activations, up to the factor he) start from the same draws.
    eng::network<float> net(cfg, mi::derive_seed(r.seed, 1));

    eng::train_options o;
    o.epochs = c.epochs;
    o.batch_size = 256;
    o.order = eng::batch_order::consecutive;
    o.optimizer = eng::optimizer_config::adam(4e-4);
    if (r.l2) {
        o.optimizer.weight_decay = c.penalty;
        o.optimizer.decay_output_layer = false;
    }
    o.seed = mi::derive_seed(r.seed, 2);
    o.record_epochs = c.record_epochs;
    o.when = eng::record_time::epoch_start;
    o.metrics_every_epoch = false;
    rp::progress bar(r.activation + (r.l2 ? " L2" : "") + " seed " + std::to_string(r.seed), c.epochs);
    o.on_epoch = bar.hook();
    trained t{{}, mi::recording<float>(mi::samples(mi::labels(c.all.labels, 2)))};
    t.history = eng::train(net, c.train, &c.test, c.all, t.rec, o);
    return t;
}

mi::recording<float> subset_recording(const mi::recording<float>& rec, const std::vector<std::size_t>& epochs) {
    mi::recording<float> out(rec.samples());
    for (auto e : epochs)
        for (auto l : rec.layers()) out.observe(static_cast<std::int64_t>(e), l, rec.at(static_cast<std::int64_t>(e), l));
    return out;
}

std::vector<mi::trajectory> estimate(const trained& t, const run& r, const context& c) {
    mi::plane_options po;
    po.output_unit = mi::unit::bits;
    std::vector<mi::trajectory> ts;
    ts.push_back(mi::information_plane(
        t.rec, mi::binning<mi::distinct_value_quantiles>(mi::distinct_value_quantiles(30, ebab_low(r.activation))), po));
    if (!c.kde_epochs.empty())
        ts.push_back(mi::information_plane(subset_recording(t.rec, c.kde_epochs),
                                           mi::kde<mi::gaussian_kernel, mi::adaptive_noise>(mi::adaptive_noise(c.akde_base)),
                                           po));
    return ts;
}

// EBAB or aKDE, the names the tables and figures use.
std::string short_name(const mi::trajectory& t) { return t.estimator() == "binning" ? "EBAB" : "aKDE"; }

void add_compression_rows(rp::table& comp, const run& r, const std::vector<mi::trajectory>& ts,
                          const eng::epoch_metrics& last) {
    for (const auto& t : ts)
        for (auto l : t.layers()) {
            const auto path = t.layer_path(l);
            double peak = -1e300;
            std::int64_t peak_epoch = 0;
            for (const auto& p : path)
                if (p.point.ixt > peak) peak = p.point.ixt, peak_epoch = p.epoch;
            const double final_ixt = mi::to_bits(path.back().point.ixt);
            peak = mi::to_bits(peak);
            comp.add({r.activation, r.l2 ? "on" : "off", r.seed, short_name(t), l, peak, static_cast<long long>(peak_epoch),
                      final_ixt, peak - final_ixt, last.train_accuracy, last.test_accuracy, last.test_loss});
        }
}

// FNV-1a: a portable hash of a group's name for its permutation stream.
std::uint64_t name_hash(const std::string& s) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char ch : s) h = (h ^ ch) * 1099511628211ull;
    return h;
}

// Two-sided permutation p-value of Pearson's r: permutes y (Fisher-Yates from mi::rng).
double permutation_p(const std::vector<double>& x, std::vector<double> y, double r, std::size_t permutations,
                     std::uint64_t seed) {
    if (std::isnan(r) || permutations == 0) return std::nan("");
    mi::rng g(seed);
    std::size_t extreme = 0;
    for (std::size_t k = 0; k < permutations; ++k) {
        for (std::size_t i = y.size() - 1; i > 0; --i) std::swap(y[i], y[g.below(i + 1)]);
        const double rp = rp::pearson(x, y);
        if (!std::isnan(rp) && std::fabs(rp) >= std::fabs(r) - 1e-12) ++extreme;
    }
    return (1.0 + static_cast<double>(extreme)) / (1.0 + static_cast<double>(permutations));
}

// x and y centred within each activation (the pooled, within-activation correlation).
void centre_within(const rp::table& t, std::vector<double>& x, std::vector<double>& y) {
    std::map<std::string, std::pair<double, double>> sum;
    std::map<std::string, double> n;
    for (std::size_t i = 0; i < t.size(); ++i) {
        auto& s = sum[t.text(i, "activation")];
        s.first += x[i];
        s.second += y[i];
        n[t.text(i, "activation")] += 1;
    }
    for (std::size_t i = 0; i < t.size(); ++i) {
        const std::string& a = t.text(i, "activation");
        x[i] -= sum[a].first / n[a];
        y[i] -= sum[a].second / n[a];
    }
}

rp::table correlations(const rp::table& comp, std::size_t permutations) {
    rp::table out({"estimator", "l2", "activation", "layer", "n", "pearson_r", "p_value"});
    out.comment("Pearson r across initialisations between compression (max - final I(X;T), bits) and test accuracy");
    out.comment("activation = all: pooled over activations after centring both within each activation");
    out.comment("p_value: two-sided permutation test, " + std::to_string(permutations) + " permutations");
    for (const auto& est : comp.distinct("estimator"))
        for (const auto& l2 : comp.distinct("l2")) {
            const rp::table g = comp.where({{"estimator", est}, {"l2", l2}});
            std::vector<std::string> groups = g.distinct("activation");
            groups.push_back("all");
            for (const auto& act : groups)
                for (const auto& layer : g.distinct("layer")) {
                    const rp::table t = act == "all" ? g.where({{"layer", layer}})
                                                     : g.where({{"activation", act}, {"layer", layer}});
                    std::vector<double> x, y;
                    for (std::size_t i = 0; i < t.size(); ++i) {
                        x.push_back(t.number(i, "compression"));
                        y.push_back(t.number(i, "test_accuracy"));
                    }
                    if (act == "all") centre_within(t, x, y);
                    const double r = x.size() >= 3 ? rp::pearson(x, y) : std::nan("");
                    const std::string name = est + "/" + l2 + "/" + act + "/" + layer;
                    const double p = permutation_p(x, y, r, permutations, mi::derive_seed(2019, name_hash(name)));
                    out.add({est, l2, act, layer, x.size(), r, p});
                }
        }
    return out;
}

std::string layer_label(std::size_t l, std::size_t n) { return l + 1 < n ? "T" + std::to_string(l + 1) : "out"; }

void print_compression(const rp::table& comp) {
    const rp::table m = comp.mean_by({"estimator", "l2", "activation", "layer"},
                                     {"peak", "final", "compression", "test_accuracy"});
    for (const auto& est : m.distinct("estimator")) {
        std::printf("\n%s: compression = max - final I(X;T) [bits], mean over initialisations (final I(X;T) in ())\n",
                    est.c_str());
        const auto layers = m.where({{"estimator", est}}).distinct("layer");
        std::printf("  %-18s %-4s", "activation", "L2");
        for (std::size_t l = 0; l < layers.size(); ++l) std::printf(" %14s", layer_label(l, layers.size()).c_str());
        std::printf(" %9s\n", "test acc");
        for (const auto& act : m.distinct("activation"))
            for (const auto& l2 : m.distinct("l2")) {
                const rp::table t = m.where({{"estimator", est}, {"activation", act}, {"l2", l2}});
                if (t.empty()) continue;
                std::printf("  %-18s %-4s", act.c_str(), l2.c_str());
                for (std::size_t i = 0; i < t.size(); ++i)
                    std::printf("  %5.2f (%5.2f)", t.number(i, "compression"), t.number(i, "final"));
                std::printf(" %9.3f\n", t.number(0, "test_accuracy"));
            }
    }
}

void print_l2_effect(const rp::table& comp) {
    const rp::table m = comp.mean_by({"estimator", "l2"}, {"compression"});
    std::printf("\nL2 and compression (mean over activations, layers and initialisations) [bits]:");
    for (std::size_t i = 0; i < m.size(); ++i)
        std::printf("  %s L2 %s: %.2f", m.text(i, "estimator").c_str(), m.text(i, "l2").c_str(),
                    m.number(i, "compression"));
    std::printf("\n  paper: L2 strongly increases compression\n");
}

void print_correlations(const rp::table& corr) {
    const rp::table pooled = corr.where({{"activation", "all"}});
    std::printf("\ncorrelation of compression with test accuracy across initialisations (pooled within activations)\n");
    std::printf("  %-5s %-4s %-6s %5s %9s %9s\n", "est", "L2", "layer", "n", "r", "p");
    for (const auto& est : pooled.distinct("estimator"))
        for (const auto& l2 : pooled.distinct("l2")) {
            const rp::table t = pooled.where({{"estimator", est}, {"l2", l2}});
            for (std::size_t i = 0; i < t.size(); ++i)
                std::printf("  %-5s %-4s %-6s %5s %9.3f %9.4f%s\n", est.c_str(), l2.c_str(),
                            layer_label(i, t.size()).c_str(), t.text(i, "n").c_str(), t.number(i, "pearson_r"),
                            t.number(i, "p_value"), t.number(i, "p_value") < 0.05 ? "  *" : "");
        }
    std::printf("  paper: only the last (softmax) layer's compression correlates (positively) with generalisation\n");
}

}  // namespace

int main(int argc, char** argv) {
    try {
        rp::suite s(argc, argv, "adaptive_estimators", usage);
        auto& cli = s.cli();
        const auto activations = cli.list(
            "activations", s.smoke() ? "relu" : "tanh,relu,elu,softplus,centered_softplus,swish");
        const std::size_t epochs = cli.count("epochs", s.full() ? 8000 : s.smoke() ? 30 : 1500);
        const auto l2_list = cli.list("l2", "off,on");
        const double penalty = cli.number("penalty", 0.015);
        const std::size_t kde_points = cli.count("kde-points", s.full() ? 40 : s.smoke() ? 2 : 12);
        const double akde_base = cli.number("akde-base", 1e-3);
        const std::size_t permutations = cli.count("permutations", s.smoke() ? 200 : 10000);
        const std::size_t seeds = s.seeds(s.full() ? 50 : 3);
        s.begin();
        for (const auto& a : activations) eng::activation::parse(a);  // reject unknown names before training
        for (const auto& l : l2_list)
            if (l != "off" && l != "on") mi::detail::fail("adaptive_estimators", "--l2", l, "off, on or off,on");
        if (activations.empty()) mi::detail::fail("adaptive_estimators", "--activations", "", "at least one name");
        if (epochs < 2) mi::detail::fail("adaptive_estimators", "--epochs", epochs, ">= 2");
        if (!(penalty >= 0)) mi::detail::fail("adaptive_estimators", "--penalty", penalty, ">= 0");
        if (!(akde_base > 0)) mi::detail::fail("adaptive_estimators", "--akde-base", akde_base, "> 0");

        context c(ds::szt_idnns_split());
        c.epochs = epochs;
        c.penalty = penalty;
        c.akde_base = akde_base;
        c.record_epochs = eng::idnns_log2_epochs(epochs, 400);
        c.kde_epochs = kde_subset(c.record_epochs, kde_points);
        std::printf("SZT 12-5-5-5-5-5-2, Adam 4e-4, batch 256 fixed slices, %zu epochs, %zu recorded (aKDE on %zu), "
                    "%zu seed(s), L2 penalty %g\n",
                    epochs, c.record_epochs.size(), c.kde_epochs.size(), seeds, penalty);

        std::vector<run> runs;
        for (const auto& a : activations)
            for (const auto& l2 : l2_list)
                for (auto seed : s.seed_list(seeds)) runs.push_back({a, l2 == "on", seed});

        auto& curves = s.result("curves", rp::curve_columns({"activation", "l2", "seed"}));
        auto& comp = s.result("compression", {"activation", "l2", "seed", "estimator", "layer", "peak", "peak_epoch",
                                              "final", "compression", "train_accuracy", "test_accuracy", "test_loss"});
        if (comp.comments().empty())
            comp.comment("I(X;T) in bits: peak = max over recorded epochs, final = last recorded epoch, "
                         "compression = peak - final; accuracies at the last recorded epoch");
        for (const auto& r : s.mine(runs)) {
            rp::progress clock("", 1);
            const trained t = train_run(r, c);
            const double train_seconds = clock.elapsed();
            const std::string l2 = r.l2 ? "on" : "off";
            rp::add_curves(curves, {r.activation, l2, std::to_string(r.seed)}, t.history);
            const auto ts = estimate(t, r, c);
            s.result("plane", {}).append(
                rp::plane_table(ts, {{"activation", r.activation}, {"l2", l2}, {"seed", std::to_string(r.seed)}}));
            add_compression_rows(comp, r, ts, t.history.back());
            std::printf("  %s, L2 %s, seed %llu: training %.1f s, MI %.1f s; train acc %.3f, test acc %.3f\n",
                        r.activation.c_str(), l2.c_str(), static_cast<unsigned long long>(r.seed), train_seconds,
                        clock.elapsed() - train_seconds, t.history.back().train_accuracy,
                        t.history.back().test_accuracy);
            std::fflush(stdout);
        }
        if (!s.complete()) return 0;
        const rp::table& all_comp = s.results().at("compression");
        const rp::table corr = correlations(all_comp, permutations);
        corr.write(s.out() + "/correlation.csv");
        print_compression(all_comp);
        print_l2_effect(all_comp);
        print_correlations(corr);
        std::printf("\nwrote plane, curves, compression, correlation (.csv) to %s\n", s.out().c_str());
        s.plot("adaptive_estimators.py");
    } catch (const mi::error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
