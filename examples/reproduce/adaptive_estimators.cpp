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
// Compression and generalisation (definitions of this program), computed after
// the run from the tables as written (plane.csv, curves.csv):
// - the course of I(X;T_l) over the recorded epochs, per run, estimator and
//   layer, smoothed by a running median of 5 (reproduce/verdict.hpp), so that
//   a one-epoch spike is neither a peak nor a final value;
// - compression of layer l = smoothed peak - smoothed final value, in bits;
//   "compresses" = compression > max(3 sqrt(2) x the course's epoch-to-epoch
//   noise, the estimator's resolution: log2(4096)/4096 bits for EBAB);
// - generalisation = test accuracy at the last recorded epoch.
// - correlation across initialisations: Pearson r per layer, per estimator,
//   per L2 setting, within each activation and pooled over activations after
//   centring both quantities within each activation (so differences between
//   activations do not make a correlation); p = two-sided permutation test
//   with 10000 permutations of the accuracies (seeded by the group's name,
//   so merged shards give the same p), (1 + #{|r_perm| >= |r|}) / (1 + 10000).
//
// Verdicts (verdicts.csv), one per claim:
// - ReLU can compress (per estimator, no L2): the number k of n
//   initialisations with a compressing hidden layer against the rate a flat
//   noisy course gives (< 1 % per layer, so 5 % for five layers): exact
//   binomial tail P(K >= k), p < 0.05. "Not necessarily, depending on the
//   initialisation": 0 < k < n.
// - softplus vs centered softplus differ (EBAB, no L2): per initialisation the
//   mean compression of the hidden layers; two-sided Welch test, p < 0.05;
//   the threshold printed is the smallest significant |difference|.
// - weight decay increases compression (ReLU, EBAB): the same statistic, L2
//   on vs off, one-sided Welch test.
// - only the softmax layer's compression correlates with generalisation
//   (EBAB, no L2, pooled): r > 0 with permutation p < 0.05 for the output
//   layer; no hidden layer with p < 0.05 / 5 (Bonferroni).

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
// layer, with the run's final accuracies) and correlation.csv (both written by
// the summary, from plane.csv and curves.csv), verdicts.csv, out_of_range.csv;
// PNGs by examples/plot/adaptive_estimators.py.
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
#include "reproduce/verdict.hpp"

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


// One sample moving between two bins changes a plug-in entropy of N = 4096 samples by at most
// about log2(N) / N bits: the smallest change EBAB can resolve. aKDE's estimate moves continuously.
double resolution_of(const std::string& estimator) { return estimator == "EBAB" ? std::log2(4096.0) / 4096.0 : 0.0; }

/// Per run, estimator and layer, from the plane and curves tables as written: the smoothed course
/// of I(X;T) (reproduce/verdict.hpp: running median of 5 recorded epochs), its peak and final
/// value, compression = smoothed peak - smoothed final, the threshold from the course's own
/// epoch-to-epoch noise, and the run's accuracies at its last recorded epoch.
rp::table compression_table(const rp::table& plane, const rp::table& curves) {
    rp::table out({"activation", "l2", "seed", "estimator", "layer", "first", "peak", "peak_epoch", "final",
                   "compression", "threshold", "compresses", "train_accuracy", "test_accuracy", "test_loss"});
    out.comment("I(X;T) in bits, smoothed by a running median of 5 recorded epochs: peak = its maximum, final = its last");
    out.comment("value, compression = peak - final; threshold = max(3 sqrt(2) x epoch-to-epoch noise, resolution)");
    out.comment("(reproduce/verdict.hpp); compresses = compression > threshold; accuracies at the last recorded epoch");
    for (const auto& act : plane.distinct("activation"))
        for (const auto& l2 : plane.distinct("l2"))
            for (const auto& seed : plane.distinct("seed")) {
                const rp::table run = plane.where({{"activation", act}, {"l2", l2}, {"seed", seed}});
                if (run.empty()) continue;
                const rp::table c = curves.where({{"activation", act}, {"l2", l2}, {"seed", seed}, {"layer", "0"}});
                if (c.empty()) mi::detail::fail("adaptive_estimators", "curves.csv", act + "/" + l2 + "/" + seed, "the run's curves");
                std::size_t last = 0;
                for (std::size_t i = 1; i < c.size(); ++i)
                    if (c.number(i, "epoch") >= c.number(last, "epoch")) last = i;
                for (const auto& est : run.distinct("estimator")) {
                    const std::string name = est == "binning" ? "EBAB" : "aKDE";
                    const rp::table e = run.where({{"estimator", est}});
                    for (const auto& layer : e.distinct("layer")) {
                        const auto t = rp::trend_of(rp::course_of(e.where({{"layer", layer}}), "ixt"), resolution_of(name));
                        out.add({act, l2, seed, name, layer, t.first, t.peak, t.peak_epoch, t.final_value, t.drop(),
                                 t.threshold, t.falls(), c.number(last, "train_accuracy"),
                                 c.number(last, "test_accuracy"), c.number(last, "test_loss")});
                    }
                }
            }
    return out;
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
    out.comment("Pearson r across initialisations between compression (smoothed peak - final I(X;T), bits) and test accuracy");
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
        std::printf("\n%s: compression = smoothed peak - final I(X;T) [bits], mean over initialisations (smoothed final in ())\n",
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

// ---- verdicts ----

/// The t with P(T > t) = tail for Student's t with df degrees of freedom (bisection on the tail).
double t_quantile(double tail, double df) {
    double lo = 0.0, hi = 1e3;
    for (int i = 0; i < 200; ++i) {
        const double mid = 0.5 * (lo + hi);
        (rp::student_t_sf(mid, df) > tail ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

/// The output (softmax) layer: the highest layer index of the table.
std::string output_layer(const rp::table& comp) {
    std::size_t top = 0;
    for (const auto& l : comp.distinct("layer")) top = std::max<std::size_t>(top, std::stoul(l));
    return std::to_string(top);
}

/// Per initialisation (seed) of one activation, L2 setting and estimator: the mean compression of
/// the hidden layers (bits), in seed order.
std::vector<double> hidden_compression(const rp::table& comp, const std::string& act, const std::string& l2,
                                       const std::string& est) {
    const std::string out = output_layer(comp);
    std::vector<double> per_seed;
    const rp::table g = comp.where({{"activation", act}, {"l2", l2}, {"estimator", est}});
    for (const auto& seed : g.distinct("seed")) {
        const rp::table r = g.where({{"seed", seed}});
        double sum = 0;
        std::size_t n = 0;
        for (std::size_t i = 0; i < r.size(); ++i)
            if (r.text(i, "layer") != out) sum += r.number(i, "compression"), ++n;
        per_seed.push_back(sum / static_cast<double>(n));
    }
    return per_seed;
}

double mean_of(const std::vector<double>& x) {
    double m = 0;
    for (double v : x) m += v;
    return m / static_cast<double>(x.size());
}

/// Welch's test of mean(a) - mean(b): the difference, the smallest |difference| significant at
/// alpha (one- or two-sided), and the p-value.
struct welch_verdict_numbers {
    double difference, critical, p;
};
welch_verdict_numbers welch(const std::vector<double>& a, const std::vector<double>& b, bool two_sided, double alpha = 0.05) {
    const auto r = rp::welch_t(a, b);
    const double diff = mean_of(a) - mean_of(b);
    if (std::isnan(r.p_value)) return {diff, std::nan(""), std::nan("")};
    double va = 0, vb = 0;
    for (double x : a) va += (x - mean_of(a)) * (x - mean_of(a));
    for (double x : b) vb += (x - mean_of(b)) * (x - mean_of(b));
    const double se = std::sqrt(va / static_cast<double>(a.size() - 1) / static_cast<double>(a.size()) +
                                vb / static_cast<double>(b.size() - 1) / static_cast<double>(b.size()));
    const double df = std::isnan(r.df) ? static_cast<double>(a.size() + b.size() - 2) : r.df;
    const double critical = se * t_quantile(two_sided ? alpha / 2 : alpha, df);
    const double p = two_sided ? std::min(1.0, 2.0 * std::min(r.p_value, 1.0 - r.p_value)) : r.p_value;
    return {diff, critical, p};
}

/// |r| significant at alpha (two-sided) for n pairs: t / sqrt(n - 2 + t^2) with t = t_{alpha/2, n-2}.
double critical_r(std::size_t n, double alpha) {
    if (n < 3) return std::nan("");
    const double df = static_cast<double>(n - 2), t = t_quantile(alpha / 2, df);
    return t / std::sqrt(df + t * t);
}

void judge_correlation(const rp::table& comp, const rp::table& corr, rp::verdicts& v);

void judge(const rp::table& comp, const rp::table& corr, rp::verdicts& v) {
    const auto has = [&](const std::string& act, const std::string& l2) {
        return !comp.where({{"activation", act}, {"l2", l2}}).empty();
    };
    const std::string out = output_layer(comp);
    const std::size_t hidden = std::stoul(out);
    // The rate at which a flat noisy course is called falling is below 1 % per layer
    // (reproduce/verdict.hpp), so at most hidden x 1 % per initialisation for "some hidden layer".
    const double chance = std::min(0.5, 0.01 * static_cast<double>(hidden));
    for (const auto& est : comp.distinct("estimator")) {
        if (!has("relu", "off")) break;
        const rp::table g = comp.where({{"activation", "relu"}, {"l2", "off"}, {"estimator", est}});
        std::size_t n = 0, k = 0;
        for (const auto& seed : g.distinct("seed")) {
            const rp::table r = g.where({{"seed", seed}});
            bool any = false;
            for (std::size_t i = 0; i < r.size(); ++i) any = any || (r.text(i, "layer") != out && r.number(i, "compresses") > 0);
            ++n, k += any ? 1 : 0;
        }
        rp::verdict x;
        x.claim = "ReLU networks can compress under adaptive estimators (" + est + "; Chelombiev et al. information planes)";
        x.statistic = "fraction of " + std::to_string(n) + " initialisations with a hidden layer whose smoothed I(X;T) falls "
                      "by more than its threshold; threshold = the rate expected from noise alone; binomial test";
        x.value = static_cast<double>(k) / static_cast<double>(n);
        x.threshold = chance;
        x.p_value = rp::binomial_sf(k, n, chance);
        x.paper = "compresses";
        x.measured = x.p_value < 0.05 ? "compresses" : "no compression";
        v.add(x);
        rp::verdict y;
        y.claim = "ReLU networks do not necessarily compress: it depends on the initialisation (" + est + ")";
        y.statistic = "fraction of " + std::to_string(n) + " initialisations without a compressing hidden layer "
                      "(varies: strictly between 0 and 1)";
        y.value = 1.0 - x.value;
        y.threshold = 0.0;
        y.paper = "varies";
        y.measured = k > 0 && k < n ? "varies" : k == n ? "always compresses" : "never compresses";
        v.add(y);
    }
    if (has("softplus", "off") && has("centered_softplus", "off") &&
        (hidden_compression(comp, "softplus", "off", "EBAB").size() < 2 ||
         hidden_compression(comp, "centered_softplus", "off", "EBAB").size() < 2)) {
        std::printf("\nnot judged: softplus vs centered softplus needs at least 2 initialisations each\n");
    } else if (has("softplus", "off") && has("centered_softplus", "off")) {
        const auto a = hidden_compression(comp, "softplus", "off", "EBAB");
        const auto b = hidden_compression(comp, "centered_softplus", "off", "EBAB");
        const auto w = welch(a, b, true);
        rp::verdict x;
        x.claim = "softplus and centered softplus, seemingly similar, differ in compression (EBAB, mean over initialisations)";
        x.statistic = "mean hidden-layer compression, softplus - centered softplus [bits]; threshold = smallest "
                      "significant |difference| (Welch, two-sided 0.05)";
        x.value = w.difference;
        x.threshold = w.critical;
        x.p_value = w.p;
        x.paper = "differ";
        x.measured = w.p < 0.05 ? "differ" : "do not differ";
        v.add(x);
    }
    for (const std::string act : {"relu"}) {
        if (!has(act, "off") || !has(act, "on")) continue;
        const auto on = hidden_compression(comp, act, "on", "EBAB");
        const auto off = hidden_compression(comp, act, "off", "EBAB");
        if (on.size() < 2 || off.size() < 2) {
            std::printf("\nnot judged: L2 on vs off needs at least 2 initialisations each\n");
            continue;
        }
        const auto w = welch(on, off, false);
        rp::verdict x;
        x.claim = "weight decay (L2 on, --penalty) increases compression in ReLU networks (EBAB)";
        x.statistic = "mean hidden-layer compression, L2 on - off [bits]; threshold = smallest significant difference "
                      "(Welch, one-sided 0.05)";
        x.value = w.difference;
        x.threshold = w.critical;
        x.p_value = w.p;
        x.paper = "increases";
        x.measured = w.p < 0.05 && w.difference > 0 ? "increases" : "does not increase";
        v.add(x);
    }
    judge_correlation(comp, corr, v);
}

// Correlation with generalisation: EBAB, without L2, pooled over activations (centred within each).
void judge_correlation(const rp::table& comp, const rp::table& corr, rp::verdicts& v) {
    const std::string out = output_layer(comp);
    const std::size_t hidden = std::stoul(out);
    const rp::table pooled = corr.where({{"estimator", "EBAB"}, {"l2", "off"}, {"activation", "all"}});
    if (pooled.size() == hidden + 1) {
        const rp::table o = pooled.where({{"layer", out}});
        const auto n = static_cast<std::size_t>(o.number(0, "n"));
        rp::verdict x;
        x.claim = "compression of the last (softmax) layer correlates positively with generalisation (EBAB, no L2)";
        x.statistic = "Pearson r across initialisations, compression vs test accuracy, pooled within activations; "
                      "threshold = |r| significant at 0.05 (two-sided); p by permutation";
        // r is undefined when the compression (or the accuracy) does not vary across
        // initialisations: no association can be measured, counted as r = 0, p = 1.
        const bool defined = !std::isnan(o.number(0, "pearson_r"));
        x.value = defined ? o.number(0, "pearson_r") : 0.0;
        x.threshold = critical_r(n, 0.05);
        x.p_value = defined ? o.number(0, "p_value") : 1.0;
        x.paper = "correlates";
        x.measured = x.p_value < 0.05 && x.value > 0 ? "correlates" : "does not correlate";
        v.add(x);
        double min_p = 1.0;
        for (std::size_t i = 0; i < pooled.size(); ++i)
            if (pooled.text(i, "layer") != out && !std::isnan(pooled.number(i, "p_value")))
                min_p = std::min(min_p, pooled.number(i, "p_value"));
        rp::verdict y;
        y.claim = "compression of the hidden layers has no significant correlation with generalisation (EBAB, no L2)";
        y.statistic = "smallest permutation p over the " + std::to_string(hidden) + " hidden layers; threshold = 0.05 / " +
                      std::to_string(hidden) + " (Bonferroni)";
        y.value = min_p;
        y.threshold = 0.05 / static_cast<double>(hidden);
        y.paper = "no correlation";
        y.measured = min_p < y.threshold ? "a hidden layer correlates" : "no correlation";
        v.add(y);
    }
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
        for (const auto& r : s.mine(runs)) {
            rp::progress clock("", 1);
            const trained t = train_run(r, c);
            const double train_seconds = clock.elapsed();
            const std::string l2 = r.l2 ? "on" : "off";
            rp::add_curves(curves, {r.activation, l2, std::to_string(r.seed)}, t.history);
            const auto ts = estimate(t, r, c);
            s.result("plane", {}).append(
                rp::plane_table(ts, {{"activation", r.activation}, {"l2", l2}, {"seed", std::to_string(r.seed)}}));
            std::printf("  %s, L2 %s, seed %llu: training %.1f s, MI %.1f s; train acc %.3f, test acc %.3f\n",
                        r.activation.c_str(), l2.c_str(), static_cast<unsigned long long>(r.seed), train_seconds,
                        clock.elapsed() - train_seconds, t.history.back().train_accuracy,
                        t.history.back().test_accuracy);
            std::fflush(stdout);
        }
        if (!s.complete()) return 0;
        // Everything below is computed from the tables as written (suite::complete reads them back).
        const rp::table comp = compression_table(s.results().at("plane"), s.results().at("curves"));
        comp.write(s.out() + "/compression.csv");
        const rp::table corr = correlations(comp, permutations);
        corr.write(s.out() + "/correlation.csv");
        print_compression(comp);
        print_l2_effect(comp);
        print_correlations(corr);
        rp::verdicts v;
        judge(comp, corr, v);
        v.print();
        s.report("verdicts", v.as_table());
        // H(X) = log2 4096 = 12 bits (4096 distinct patterns); H(Y) of the SZT labels.
        double ones = 0;
        for (auto y : c.all.labels) ones += y;
        const double p1 = ones / static_cast<double>(c.all.n), hy = -(p1 * std::log2(p1) + (1 - p1) * std::log2(1 - p1));
        const rp::table range = rp::out_of_range(s.results().at("plane"), 12.0, hy);
        rp::print_out_of_range(range);
        s.report("out_of_range", range);
        std::printf("\nwrote plane, curves, compression, correlation (.csv) to %s\n", s.out().c_str());
        s.plot("adaptive_estimators.py");
    } catch (const mi::error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
