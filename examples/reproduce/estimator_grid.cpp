// SPDX-License-Identifier: BSD-3-Clause
// Geiger 2020 ("On information plane analyses of neural network classifiers
// - a review", IEEE TNNLS 2021, arXiv:2003.09671), the review's central
// point, made with one pair of networks: whether an information plane shows
// "compression" is decided by the estimator, not by the network. ONE SZT tanh
// network and ONE SZT ReLU network are trained once (Saxe et al. 2018's ibsgd
// protocol, as szt_tanh_vs_relu runs it), and every recorded epoch is
// measured by every estimator mi has that yields a plane point; the figure
// puts them side by side (rows = estimators, columns = tanh / ReLU), and a
// table says, per estimator, whether the last hidden layer T5 compresses
// (its smoothed I(X;T5) falls after its peak by more than its noise allows)
// for tanh and for ReLU.
//
// Training protocol (artemyk/ibsgd, branch iclr2018, IBnet_SaveActivations.ipynb;
// identical to examples/reproduce/szt_tanh_vs_relu.cpp): all 4096 SZT
// patterns, one random 80/20 split (3277 / 819, --split-seed), 12-10-7-5-4-3
// hidden + softmax(2); hidden weights truncated normal sigma = 1/sqrt(fan_out),
// output Glorot uniform, biases 0; Adam lr 4e-4, batch 256 reshuffled every
// epoch; recording at the end of the epochs of ibsgd's do_report schedule,
// every layer including the softmax output, on all 4096 inputs. 10000 epochs
// in ibsgd; 3000 by default here (the tanh binning compression of Saxe et al.
// Fig. 1A is under way by then), 10000 with --full.
//
// The estimators (each header in include/mi/estimators says its source):
// - binning, I(X;T) = H(Q(T)) for distinct inputs, with the quantizers
//   IDNNs' 30 edges on [-1, 1] (ravidziv/IDNNs), fixed width 0.07 anchored at 0
//   (ibsgd simplebinmi.py), 30 equal-width bins on this layer's range at this
//   epoch (adaptive_uniform), 100 bins on the layer's range over all epochs
//   (global_uniform, Saxe et al. App. B for ReLU), 30 equal-mass bins
//   (equal_mass), and Chelombiev et al. 2019's distinct-value rule with 30 bins
//   (ivansche/adaptive_estimators information_process.py; low = -1.000001 for
//   tanh, 0 for ReLU, as their code);
// - KDE (Kolchinsky-Tracey upper bound; ibsgd kde.py) with the fixed noise
//   variance 1e-3 of ibsgd, and with Chelombiev's adaptive noise (variance
//   1e-3 * max|h|^2 per layer and epoch);
// - Kozachenko-Leonenko, k = 2 (Saxe et al. App. B.3): its x axis is H(T),
//   I(X;T) up to an additive constant (ixt_quantity = H(T)), so only its
//   shape along training compares with the others;
// - KSG (Kraskov et al. 2004, k = 3) between the 12 input bits and T, with
//   Ross 2014 for I(T;Y); it yields a point, but X is discrete, which KSG does
//   not model (ties are broken by 1e-10 jitter), so its I(X;T) is a nearest-
//   neighbour statistic of discrete X more than a mutual information;
// - matrix-based Renyi alpha = 1.01 with the Silverman-rule kernel width
//   (Yu et al. 2018/2020, Wickstrom et al. 2019);
// - EDGE (Noshad et al. 2019), base width 0.07 (the ibsgd bin width), an
//   ensemble over widths 0.07 x {1, 2, 4} cancelling the first bias term;
// - the decision rule (Balda et al. 2018) on the output layer only: the
//   information of the network's arg max decision;
// - the variational lower bounds MINE (Belghazi et al. 2018, Donsker-Varadhan
//   with the moving-average gradient correction), NWJ (Nguyen et al. 2010, as
//   Poole et al. 2019 use it) and InfoNCE (van den Oord et al. 2018), each a
//   separable critic (two ReLU MLPs 32-32, embedding 16) trained by Adam 1e-3
//   for --variational-steps (500) batches of 128 rows on the engine
//   (examples/engine/variational.hpp), X = the 12 input bits, Y one-hot into
//   the critic, trained and evaluated on the same 4096 rows (the empirical
//   distribution, as every other estimator here). I(X;T) of a deterministic
//   network on 4096 distinct inputs is H(T) <= log 4096 = 12 bits; InfoNCE
//   cannot exceed log2(128) = 7 bits (its ceiling, printed and judged).
//   They see --variational-epochs (12) epochs on every layer (--smoke: 2
//   epochs, 20 steps, layer T5 only). --variational-critic joint replaces the
//   separable critic by the joint (concat) critic of Belghazi et al., one MLP
//   32-32 on [a ; b] evaluated on the 128^2 pairs of a batch: 21-33x
//   the time per step where, as here, each point runs on one thread
//   (bench/variational.md), and ";critic=joint" in the
//   sampling column; the default (separable) output is unchanged.
// Not applicable here, and therefore absent: sample_propagation (Goldfeld et
// al. 2019) measures a NOISY network, T = S + Z; these networks are
// deterministic and have no sigma (adding noise only at measurement time is
// the KDE estimator). linear_gaussian (Saxe et al. §3) is exact only for
// linear layers with Gaussian input; the SZT inputs are binary and the layers
// nonlinear. gaussian_bound (Shwartz-Ziv et al. 2019) and minimal_model (Saxe
// et al. §2) take weights, not activations: they yield no plane point.
//
// Costs at N = 4096 and what is done about them (printed, and in the
// "sampling" column of plane.csv): binning, EDGE and the decision rule are
// O(N) and see every recorded epoch; KDE (O(N^2 d)), KL and KSG (O(N log N) but
// with large constants) see --dense-epochs of them (default 24, evenly spread
// over the recorded list, first and last included); Renyi is O(N^3) (three
// N x N eigenproblems per point) and sees --renyi-epochs (12) epochs on
// --renyi-rows (512) rows drawn once without replacement (the same rows for
// both networks). The variational bounds train two critics per point and see
// --variational-epochs (12). --full measures every epoch with every estimator
// except Renyi (40 epochs on all 4096 rows) and the variational bounds (40
// epochs, 2000 steps).
//
// Compression and verdicts, computed from plane.csv as written: per estimator,
// network and seed, the course of I(X;T5) (the output for the decision rule)
// smoothed by a running median of 5 recorded epochs (reproduce/verdict.hpp);
// drop = peak - final, rise = peak - first; the threshold is max(3 sqrt(2) x
// the course's epoch-to-epoch noise, the resolution of a count over 4096
// samples, log2(4096)/4096 bits, for binning and the decision rule). The
// review's claims judged (verdicts.csv): whether compression shows depends on
// the estimator (per network, the fraction of the 12 non-variational
// estimators whose T5 falls is strictly between 0 and 1: the variational rows
// were added later and are judged by their own claims below); with fixed bins (IDNNs' 30 edges, ibsgd's width
// 0.07) tanh compresses and ReLU does not; with width 0.07 ReLU's I(X;T)
// rises; the decision's H(Yhat) does not compress; Geiger §III-C on MINE
// ([15]'s plane violates the data processing inequality, I(X;L) < I(Y;L)):
// per network, the fraction of MINE points with I(X;T) < I(T;Y); and
// InfoNCE's ceiling (van den Oord et al. §2.3): its largest I(X;T) <= log2 B.
// With several seeds, a one-sided one-sample t-test of the per-seed statistic
// - threshold.
//
// MI in bits (as ibsgd). Output (--out): plane.csv (activation, seed, panel,
// sampling, then mi::write_csv's columns), curves.csv, compression.csv (the
// summary table), verdicts.csv, out_of_range.csv, PNGs by
// examples/plot/estimator_grid.py.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "datasets/szt.hpp"
#include "engine/schedule.hpp"
#include "engine/trainer.hpp"
#include "engine/variational.hpp"
#include "mi/core/random.hpp"
#include "mi/estimators/binning.hpp"
#include "mi/estimators/decision_rule.hpp"
#include "mi/estimators/edge.hpp"
#include "mi/estimators/kde.hpp"
#include "mi/estimators/kl_entropy.hpp"
#include "mi/estimators/ksg.hpp"
#include "mi/estimators/renyi.hpp"
#include "mi/kernels/gaussian.hpp"
#include "mi/kernels/noise.hpp"
#include "mi/plane/information_plane.hpp"
#include "mi/plane/recording.hpp"
#include "mi/quantizers/adaptive_uniform.hpp"
#include "mi/quantizers/distinct_value_quantiles.hpp"
#include "mi/quantizers/equal_mass.hpp"
#include "mi/quantizers/fixed_width.hpp"
#include "mi/quantizers/global_uniform.hpp"
#include "mi/quantizers/uniform.hpp"
#include "reproduce/common.hpp"
#include "reproduce/ibsgd_szt.hpp"
#include "reproduce/suite.hpp"
#include "reproduce/verdict.hpp"

namespace eng = mi_examples::engine;
namespace ds = mi_examples::datasets;
namespace rp = mi_examples::reproduce;
namespace var = mi_examples::variational;

namespace {

const char* usage =
    "estimator_grid: one SZT tanh and one ReLU network, every recorded epoch under every mi estimator\n"
    "(Geiger 2020's review: the estimator decides the information plane).\n"
    "usage: estimator_grid [options]\n"
    "  --epochs N         training epochs (default 3000; --full 10000)\n"
    "  --split-seed S     seed of the 80/20 split (default 2017)\n"
    "  --dense-epochs N   epochs measured by KDE, KL and KSG (default 24; --full all; 0 = all)\n"
    "  --renyi-epochs N   epochs measured by Renyi (default 12; --full 40)\n"
    "  --renyi-rows N     rows (of 4096) Renyi uses (default 512; --full 4096)\n"
    "  --variational-epochs N  epochs measured by MINE, NWJ, InfoNCE (default 12; --full 40; --smoke 2)\n"
    "  --variational-steps N   Adam steps per critic (default 500; --full 2000; --smoke 20)\n"
    "  --variational-critic separable|joint  the critic of MINE, NWJ, InfoNCE (default separable;\n"
    "                          joint: one MLP on [a ; b] over all B^2 pairs, 21-33x slower)\n"
    "  (default 1 seed per activation)\n";

const std::vector<std::string> activations = {"tanh", "relu"};

struct run {
    std::string activation;
    std::uint64_t seed;
};

struct sizes {
    std::size_t dense_epochs, renyi_epochs, renyi_rows;
    std::size_t variational_epochs = 12, variational_steps = 500;
    bool variational_last_hidden_only = false;  ///< --smoke: T5 only
    var::critic_kind variational_critic = var::critic_kind::separable;
};

/// The batch of the variational critics; InfoNCE's ceiling is log(variational_batch).
constexpr std::size_t variational_batch = 128;

bool is_variational(const std::string& panel) { return panel.find("(variational)") != std::string::npos; }

/// `count` entries of `all` evenly spread over its positions, first and last kept (all of them
/// when count is 0 or at least all.size()).
std::vector<mi::epoch_t> spread(const std::vector<mi::epoch_t>& all, std::size_t count) {
    if (count == 0 || count >= all.size()) return all;
    if (count == 1) return {all.back()};
    std::vector<mi::epoch_t> out;
    for (std::size_t k = 0; k < count; ++k) {
        const std::size_t i = (k * (all.size() - 1) + (count - 1) / 2) / (count - 1);
        if (out.empty() || out.back() != all[i]) out.push_back(all[i]);
    }
    return out;
}

/// The given epochs and layers of `rec`, restricted to `rows` (all rows when empty), described by
/// `samples` (rec's samples, or those with more attached, e.g. the network input).
mi::recording<float> sub_recording(const mi::recording<float>& rec, const std::vector<mi::epoch_t>& epochs,
                                   const std::vector<std::size_t>& layers, const std::vector<std::size_t>& rows,
                                   const mi::samples& samples) {
    mi::recording<float> out(rows.empty() ? samples : samples.subset(rows));
    std::vector<float> buffer;
    for (const auto e : epochs)
        for (const auto l : layers) {
            const auto v = rec.at(e, l);
            if (rows.empty()) {
                out.observe(e, l, v);
                continue;
            }
            buffer.resize(rows.size() * v.cols());
            for (std::size_t i = 0; i < rows.size(); ++i)
                for (std::size_t u = 0; u < v.cols(); ++u) buffer[i * v.cols() + u] = v(rows[i], u);
            out.observe(e, l, mi::activation_view<const float>(buffer.data(), rows.size(), v.cols()));
        }
    return out;
}

/// `count` distinct rows of 0..n-1 (sorted), the same for every run: a partial Fisher-Yates shuffle.
std::vector<std::size_t> row_sample(std::size_t n, std::size_t count, std::uint64_t seed) {
    std::vector<std::size_t> idx(n);
    for (std::size_t i = 0; i < n; ++i) idx[i] = i;
    if (count >= n) return idx;
    mi::rng g(seed);
    for (std::size_t i = 0; i < count; ++i) std::swap(idx[i], idx[i + g.below(n - i)]);
    idx.resize(count);
    std::sort(idx.begin(), idx.end());
    return idx;
}

/// One panel of the grid: a short name shared by the tanh and ReLU columns, and the trajectory.
struct panel {
    std::string name, sampling;
    mi::trajectory trajectory;
};

std::string sampling_text(std::size_t epochs, std::size_t all_epochs, std::size_t rows) {
    return "epochs=" + std::to_string(epochs) + "/" + std::to_string(all_epochs) + ";rows=" + std::to_string(rows);
}

std::vector<panel> measure(const mi::recording<float>& rec, const eng::dataset<float>& all, const std::string& act,
                           const sizes& sz, std::uint64_t row_seed) {
    mi::plane_options po;
    po.output_unit = mi::unit::bits;
    const auto epochs = rec.epochs();
    const std::size_t n = all.n;
    const std::vector<std::size_t> every = rec.layers();
    const std::size_t output = every.back();
    const std::string full = sampling_text(epochs.size(), epochs.size(), n);
    std::vector<panel> out;
    auto last = std::chrono::steady_clock::now();
    // Each estimator's cost is printed because choosing the sampling tiers depends on it.
    auto add = [&](const std::string& name, const std::string& sampling, mi::trajectory t) {
        const auto now = std::chrono::steady_clock::now();
        std::printf("    %-28s %-26s %6.1f s\n", name.c_str(), sampling.c_str(),
                    std::chrono::duration<double>(now - last).count());
        std::fflush(stdout);
        last = now;
        out.push_back({name, sampling, std::move(t)});
    };

    add("binning IDNNs 30 edges", full, mi::information_plane(rec, mi::binning<mi::uniform>(mi::uniform::idnns(30, -1.0, 1.0)), po));
    add("binning fixed width 0.07", full, mi::information_plane(rec, mi::binning<mi::fixed_width>(mi::fixed_width(0.07)), po));
    add("binning adaptive 30", full, mi::information_plane(rec, mi::binning<mi::adaptive_uniform>(mi::adaptive_uniform(30)), po));
    add("binning global 100", full, mi::information_plane(rec, mi::binning<mi::global_uniform>(mi::global_uniform(100)), po));
    add("binning equal mass 30", full, mi::information_plane(rec, mi::binning<mi::equal_mass>(mi::equal_mass(30)), po));
    const auto ebab = act == "tanh" ? mi::distinct_value_quantiles::for_tanh(30) : mi::distinct_value_quantiles::for_relu(30);
    add("binning Chelombiev EBAB 30", full, mi::information_plane(rec, mi::binning<mi::distinct_value_quantiles>(ebab), po));
    mi::edge_options edge_options;
    edge_options.epsilon = 0.07;
    edge_options.scales = {1.0, 2.0, 4.0};
    edge_options.bias_terms = 1;
    add("EDGE 0.07 x 1/2/4", full, mi::information_plane(rec, mi::edge(edge_options), po));

    const auto dense_epochs = spread(epochs, sz.dense_epochs);
    const std::string dense = sampling_text(dense_epochs.size(), epochs.size(), n);
    // KSG and Renyi take the network input X from the samples
    const mi::samples with_x =
        rec.samples().with_network_input(mi::activation_view<const float>(all.x.data(), n, all.d));
    const auto dense_rec = sub_recording(rec, dense_epochs, every, {}, with_x);
    add("KDE fixed 1e-3", dense,
        mi::information_plane(dense_rec, mi::kde<mi::gaussian_kernel, mi::fixed_noise>(mi::fixed_noise(1e-3)), po));
    add("KDE adaptive 1e-3", dense,
        mi::information_plane(dense_rec, mi::kde<mi::gaussian_kernel, mi::adaptive_noise>(mi::adaptive_noise(1e-3)), po));
    add("Kozachenko-Leonenko k=2", dense, mi::information_plane(dense_rec, mi::kl_entropy<>(2), po));
    add("KSG k=3", dense, mi::information_plane(dense_rec, mi::ksg<>(3), po));

    const auto renyi_epochs = spread(epochs, sz.renyi_epochs);
    const auto rows = row_sample(n, sz.renyi_rows, row_seed);
    // the row subset of the samples carries X's matching rows
    const auto renyi_rec = sub_recording(rec, renyi_epochs, every, rows.size() == n ? std::vector<std::size_t>{} : rows, with_x);
    add("Renyi alpha=1.01", sampling_text(renyi_epochs.size(), epochs.size(), rows.size()),
        mi::information_plane(renyi_rec, mi::renyi(), po));

    const auto output_rec = sub_recording(rec, epochs, {output}, {}, rec.samples());
    add("decision rule (output)", full, mi::information_plane(output_rec, mi::decision_rule<>(), po));

    // the variational bounds: two critics per point (I(X;T) and I(T;Y)), the same seed for every point
    const auto var_epochs = spread(epochs, sz.variational_epochs);
    const std::vector<std::size_t> var_layers =
        sz.variational_last_hidden_only ? std::vector<std::size_t>{every[every.size() - 2]} : every;
    const auto var_rec = sub_recording(rec, var_epochs, var_layers, {}, with_x);
    std::string var_sampling = sampling_text(var_epochs.size(), epochs.size(), n) + ";layers=" +
                               std::to_string(var_layers.size()) + "/" + std::to_string(every.size());
    // named only when not the default, so that the default output is unchanged
    if (sz.variational_critic != var::critic_kind::separable)
        var_sampling += ";critic=" + std::string(var::critic_name(sz.variational_critic));
    var::variational_options vo;
    vo.critic = sz.variational_critic;
    vo.hidden = {32, 32};
    vo.embedding = 16;
    vo.batch = variational_batch;
    vo.steps = sz.variational_steps;
    vo.learning_rate = 1e-3;
    add("MINE (variational)", var_sampling, mi::information_plane(var_rec, var::mine(vo), po));
    add("NWJ (variational)", var_sampling, mi::information_plane(var_rec, var::nwj(vo), po));
    add("InfoNCE (variational)", var_sampling, mi::information_plane(var_rec, var::infonce(vo), po));
    return out;
}

// ---- compression per estimator, and the verdicts ----

/// The smallest change a plug-in entropy of N = 4096 samples can show (one sample moving between
/// bins: about log2(N) / N bits), for the estimators that count samples in cells; the others move
/// continuously.
double resolution_of(const std::string& panel) {
    const bool counts = panel.rfind("binning", 0) == 0 || panel.rfind("decision rule", 0) == 0;
    return counts ? std::log2(4096.0) / 4096.0 : 0.0;
}

bool is_decision_rule(const std::string& panel) { return panel.rfind("decision rule", 0) == 0; }

/// Per estimator (panel), network and seed, the trend of I(X;T) (H(T) for Kozachenko-Leonenko)
/// of the last hidden layer T5 (the output layer for the decision rule, which measures only it),
/// from the plane table as written: smoothed first, peak and final value, drop = peak - final,
/// rise = peak - first, the threshold from the course's own noise (reproduce/verdict.hpp).
rp::table compression_table(const rp::table& plane) {
    rp::table out({"panel", "activation", "seed", "layer", "ixt_quantity", "first", "peak", "peak_epoch", "final", "drop",
                   "rise", "noise", "threshold", "compresses", "rises"});
    out.comment("per estimator (panel), network and seed: I(X;T) (H(T) for Kozachenko-Leonenko) of the last hidden layer");
    out.comment("T5 (the output layer for the decision rule), bits, smoothed by a running median of 5 recorded epochs;");
    out.comment("drop = peak - final, rise = peak - first; threshold = max(3 sqrt(2) x epoch-to-epoch noise, resolution);");
    out.comment("compresses = drop > threshold, rises = rise > threshold");
    for (const auto& p : plane.distinct("panel"))
        for (const auto& act : activations) {
            const rp::table t = plane.where({{"panel", p}, {"activation", act}});
            if (t.empty()) continue;
            std::size_t top = 0;
            for (const auto& l : t.distinct("layer")) top = std::max<std::size_t>(top, std::stoul(l));
            const std::string layer = is_decision_rule(p) ? std::to_string(top) : "4";
            for (const auto& seed : t.distinct("seed")) {
                const rp::table c = t.where({{"seed", seed}, {"layer", layer}});
                if (c.empty()) mi::detail::fail("estimator_grid", "plane.csv", p + "/" + act, "rows of layer " + layer);
                const auto tr = rp::trend_of(rp::course_of(c, "ixt"), resolution_of(p));
                out.add({p, act, seed, layer, c.text(0, "ixt_quantity"), tr.first, tr.peak, tr.peak_epoch, tr.final_value,
                         tr.drop(), tr.rise(), tr.noise, tr.threshold, tr.falls(), tr.rises()});
            }
        }
    return out;
}

/// The rows of one panel and network in the compression table.
rp::table rows_of(const rp::table& comp, const std::string& panel, const std::string& act) {
    return comp.where({{"panel", panel}, {"activation", act}});
}

/// A claim about one panel and network: `column` (drop or rise) against the threshold, in each seed.
/// One seed: judged by the threshold. Several: one-sided one-sample t-test of column - threshold
/// (H1: mean > 0), p < 0.05. `holds` is the outcome when the statistic exceeds its threshold.
rp::verdict threshold_verdict(const rp::table& comp, const std::string& claim, const std::string& panel,
                              const std::string& act, const std::string& column, const std::string& paper,
                              const std::string& holds, const std::string& fails) {
    const rp::table r = rows_of(comp, panel, act);
    if (r.empty()) mi::detail::fail("estimator_grid", "verdict", panel + "/" + act, "rows in the compression table");
    std::vector<double> margins;
    double v = 0, th = 0;
    for (std::size_t i = 0; i < r.size(); ++i) {
        v += r.number(i, column), th += r.number(i, "threshold");
        margins.push_back(r.number(i, column) - r.number(i, "threshold"));
    }
    const double n = static_cast<double>(r.size());
    rp::verdict out;
    out.claim = claim;
    out.statistic = "smoothed " + std::string(column == "drop" ? "peak - final" : "peak - first") + " of " +
                    r.text(0, "ixt_quantity") + " [bits], " + act + ", " + panel +
                    (r.size() > 1 ? " (mean of " + std::to_string(r.size()) + " seeds; t-test)" : " (1 seed)");
    out.value = v / n;
    out.threshold = th / n;
    out.paper = paper;
    const auto judged = rp::judge_runs(margins, std::vector<double>(margins.size(), 0.0));
    out.p_value = judged.p_value;
    out.measured = judged.exceeds ? holds : fails;
    return out;
}

void judge(const rp::table& comp, rp::verdicts& v) {
    const auto has = [&](const std::string& panel, const std::string& act) { return !rows_of(comp, panel, act).empty(); };
    // Geiger §II/§III-A: whether an information plane shows compression is decided by the
    // estimator; the clearest case is ReLU, with no compression under fixed bins (Saxe et al.) and
    // compression under adaptive estimators (Chelombiev et al.). Per network: the fraction of
    // estimators whose T5 course falls by more than its threshold (in the majority of seeds).
    for (const auto& act : activations) {
        std::size_t k = 0, m = 0;
        for (const auto& p : comp.distinct("panel")) {
            const rp::table r = rows_of(comp, p, act);
            if (r.empty() || is_decision_rule(p) || is_variational(p)) continue;
            std::size_t falls = 0;
            for (std::size_t i = 0; i < r.size(); ++i) falls += r.number(i, "compresses") > 0 ? 1 : 0;
            ++m, k += 2 * falls > r.size() ? 1 : 0;
        }
        if (m < 2) continue;
        rp::verdict x;
        x.claim = "Geiger 2020 §II-III: whether the " + act + " network's information plane shows compression depends on the estimator";
        x.statistic = "fraction of " + std::to_string(m) + " estimators whose smoothed T5 course falls by more than its threshold "
                      "(depends: strictly between 0 and 1)";
        x.value = static_cast<double>(k) / static_cast<double>(m);
        x.threshold = 0.0;
        x.paper = "depends on the estimator";
        x.measured = k > 0 && k < m ? "depends on the estimator" : k == m ? "all compress" : "none compresses";
        v.add(x);
    }
    // Geiger §III-A: with fixed bins, tanh layers compress (saturation; [3], [4], [7]) and ReLU
    // layers do not, their I(X;T) rising as the activations' range grows ([4], [7]).
    for (const std::string panel : {"binning IDNNs 30 edges", "binning fixed width 0.07"}) {
        if (has(panel, "tanh"))
            v.add(threshold_verdict(comp, "Geiger §III-A ([3], [4], [7]): with fixed bins the tanh network compresses", panel,
                                    "tanh", "drop", "compresses", "compresses", "no compression"));
        if (has(panel, "relu"))
            v.add(threshold_verdict(comp, "Geiger §III-A ([4], [7]): with fixed bins the ReLU network does not compress", panel,
                                    "relu", "drop", "no compression", "compresses", "no compression"));
    }
    if (has("binning fixed width 0.07", "relu"))
        v.add(threshold_verdict(comp, "Geiger §III-A ([7], Fig. 5): with a fixed bin size, ReLU I(X;T) increases as the "
                                      "activations' range grows", "binning fixed width 0.07", "relu", "rise", "rises",
                                "rises", "does not rise"));
    // Geiger §III-E ([8], [9]): I(X;Yhat) = H(Yhat) of the network's decision rises strongly and
    // never compresses.
    for (const auto& act : activations)
        if (has("decision rule (output)", act))
            v.add(threshold_verdict(comp, "Geiger §III-E ([8], [9]): the decision's H(Yhat) does not compress (" + act + ")",
                                    "decision rule (output)", act, "drop", "no compression", "compresses",
                                    "no compression"));
}

/// Verdicts on the variational rows, from the plane table: Geiger §III-C's remark that [15]'s MINE
/// plane violates the data processing inequality (I(X;L) < I(Y;L)), per network; and InfoNCE's
/// ceiling log2(B) bits on every I(X;T) it reports.
void judge_variational(const rp::table& plane, rp::verdicts& v) {
    for (const auto& act : activations) {
        const rp::table m = plane.where({{"panel", "MINE (variational)"}, {"activation", act}});
        if (!m.empty()) {
            std::size_t below = 0;
            for (std::size_t i = 0; i < m.size(); ++i) below += m.number(i, "ixt") < m.number(i, "ity") ? 1 : 0;
            rp::verdict x;
            x.claim = "Geiger §III-C ([15]): MINE's information plane can violate the data processing inequality, "
                      "I(X;L) < I(Y;L) (" + act + ")";
            x.statistic = "fraction of " + std::to_string(m.size()) + " MINE points (epochs x layers) with I(X;T) < I(T;Y)";
            x.value = static_cast<double>(below) / static_cast<double>(m.size());
            x.threshold = 0.0;
            x.paper = "violates";
            x.measured = below > 0 ? "violates" : "respects";
            v.add(x);
        }
        const rp::table c = plane.where({{"panel", "InfoNCE (variational)"}, {"activation", act}});
        if (!c.empty()) {
            double top = -1e300;
            for (std::size_t i = 0; i < c.size(); ++i) top = std::max(top, c.number(i, "ixt"));
            rp::verdict x;
            x.claim = "van den Oord et al. 2018 §2.3: InfoNCE's estimate is at most log B (" + act + ")";
            x.statistic = "largest InfoNCE I(X;T) over " + std::to_string(c.size()) + " points [bits], B = " +
                          std::to_string(variational_batch);
            x.value = top;
            x.threshold = std::log2(static_cast<double>(variational_batch));
            x.paper = "at most log B";
            x.measured = top <= x.threshold + 1e-9 ? "at most log B" : "above log B";
            v.add(x);
        }
    }
}

void print_summary(const rp::table& comp) {
    std::printf("\nLast hidden layer T5 (decision rule: output), bits, smoothed; drop = peak - final, threshold from the\n"
                "course's own noise (first seed shown; all seeds in compression.csv)\n\n");
    std::printf("%-28s | %7s %7s %7s %-4s | %7s %7s %7s %-4s\n", "estimator", "tanh pk", "drop", "thresh", "cmp",
                "relu pk", "drop", "thresh", "cmp");
    for (const auto& p : comp.distinct("panel")) {
        std::printf("%-28s", p.c_str());
        for (const auto& act : activations) {
            const rp::table r = rows_of(comp, p, act);
            if (r.empty()) {
                std::printf(" | %31s", "-");
                continue;
            }
            std::printf(" | %7.3f %7.3f %7.3f %-4s", r.number(0, "peak"), r.number(0, "drop"), r.number(0, "threshold"),
                        r.number(0, "compresses") > 0 ? "yes" : "no");
        }
        std::printf("\n");
    }
}

void print_accuracy(const rp::table& curves) {
    std::printf("\nfinal accuracy (mean over seeds)\n");
    const rp::table m = curves.where({{"layer", "0"}}).mean_by({"activation", "epoch"}, {"train_accuracy", "test_accuracy"});
    for (const auto& act : activations) {
        const rp::table a = m.where({{"activation", act}});
        if (a.empty()) continue;
        const std::size_t last = a.size() - 1;  // rows follow the training order, so the last is the final epoch
        std::printf("  %-5s epoch %.0f: train %.3f, test %.3f\n", act.c_str(), a.number(last, "epoch"),
                    a.number(last, "train_accuracy"), a.number(last, "test_accuracy"));
    }
}

}  // namespace

int main(int argc, char** argv) {
    try {
        rp::suite s(argc, argv, "estimator_grid", usage);
        auto& cli = s.cli();
        const std::size_t epochs = cli.count("epochs", s.full() ? 10000 : s.smoke() ? 8 : 3000);
        const std::size_t split_seed = cli.count("split-seed", 2017);
        sizes sz;
        sz.dense_epochs = cli.count("dense-epochs", s.full() ? 0 : s.smoke() ? 2 : 24);
        sz.renyi_epochs = cli.count("renyi-epochs", s.full() ? 40 : s.smoke() ? 2 : 12);
        sz.renyi_rows = cli.count("renyi-rows", s.full() ? 4096 : s.smoke() ? 128 : 512);
        sz.variational_epochs = cli.count("variational-epochs", s.full() ? 40 : s.smoke() ? 2 : 12);
        sz.variational_steps = cli.count("variational-steps", s.full() ? 2000 : s.smoke() ? 20 : 500);
        sz.variational_last_hidden_only = s.smoke();
        const std::string critic = cli.text("variational-critic", "separable");
        const std::size_t seeds = s.seeds(1);
        s.begin();
        if (epochs < 2) mi::detail::fail("estimator_grid", "--epochs", epochs, ">= 2");
        if (sz.renyi_epochs == 0) mi::detail::fail("estimator_grid", "--renyi-epochs", 0, ">= 1");
        if (sz.variational_epochs == 0) mi::detail::fail("estimator_grid", "--variational-epochs", 0, ">= 1");
        if (sz.variational_steps == 0) mi::detail::fail("estimator_grid", "--variational-steps", 0, ">= 1");
        if (critic == "joint") sz.variational_critic = var::critic_kind::joint;
        else if (critic != "separable")
            mi::detail::fail("estimator_grid", "--variational-critic", critic, "separable or joint");
        if (sz.renyi_rows < 16 || sz.renyi_rows > ds::szt_patterns)
            mi::detail::fail("estimator_grid", "--renyi-rows", sz.renyi_rows, "16 .. 4096");

        rp::ibsgd_szt_settings settings;
        settings.epochs = epochs;
        settings.split_seed = split_seed;
        const rp::ibsgd_szt_data data(split_seed);
        const auto& all = data.all;
        const auto record_epochs = eng::ibsgd_epochs(epochs);
        std::printf("SZT 12-10-7-5-4-3-2, Adam 4e-4, batch 256, %zu epochs, %zu recorded; KDE/KL/KSG on %zu epochs, "
                    "Renyi on %zu epochs x %zu rows\n",
                    epochs, record_epochs.size(), sz.dense_epochs == 0 ? record_epochs.size() : sz.dense_epochs,
                    sz.renyi_epochs, sz.renyi_rows);

        std::vector<run> runs;
        for (const auto& a : activations)
            for (auto seed : s.seed_list(seeds)) runs.push_back({a, seed});
        auto& curves = s.result("curves", rp::curve_columns({"activation", "seed"}));
        for (const auto& r : s.mine(runs)) {
            const auto trained =
                rp::train_ibsgd_szt(data, r.activation, r.seed, settings, r.activation + " seed " + std::to_string(r.seed));
            const auto& rec = trained.recording;
            const double train_seconds = trained.train_seconds;
            const auto t0 = std::chrono::steady_clock::now();
            rp::add_curves(curves, {r.activation, std::to_string(r.seed)}, trained.history);
            std::printf("  %s seed %llu: trained in %.1f s; measuring\n", r.activation.c_str(),
                        static_cast<unsigned long long>(r.seed), train_seconds);
            const auto panels = measure(rec, all, r.activation, sz, mi::derive_seed(split_seed, 7));
            auto& plane = s.result("plane", {});
            for (const auto& p : panels)
                plane.append(rp::plane_table({p.trajectory}, {{"activation", r.activation},
                                                              {"seed", std::to_string(r.seed)},
                                                              {"panel", p.name},
                                                              {"sampling", p.sampling}}));
            std::printf("  %s seed %llu: MI %.1f s\n", r.activation.c_str(), static_cast<unsigned long long>(r.seed),
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
            std::fflush(stdout);
        }
        if (!s.complete()) return 0;
        // Computed from the tables as written (suite::complete reads them back).
        const rp::table& plane = s.results().at("plane");
        const rp::table comp = compression_table(plane);
        comp.write(s.out() + "/compression.csv");
        print_summary(comp);
        print_accuracy(s.results().at("curves"));
        rp::verdicts v;
        judge(comp, v);
        judge_variational(plane, v);
        v.print();
        s.report("verdicts", v.as_table());
        // H(X) = log2 4096 = 12 bits (4096 distinct patterns); H(Y) of the SZT labels. Rows whose
        // x axis is H(T) (Kozachenko-Leonenko) are left out of the I(X;T) check by out_of_range.
        double ones = 0;
        for (auto y : all.labels) ones += y;
        const double p1 = ones / static_cast<double>(all.n), hy = -(p1 * std::log2(p1) + (1 - p1) * std::log2(1 - p1));
        const rp::table range = rp::out_of_range(plane, std::log2(static_cast<double>(all.n)), hy);
        rp::print_out_of_range(range);
        s.report("out_of_range", range);
        std::printf("\nwrote %s/plane.csv, curves.csv, compression.csv, verdicts.csv, out_of_range.csv\n", s.out().c_str());
        s.plot("estimator_grid.py");
    } catch (const mi::error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
