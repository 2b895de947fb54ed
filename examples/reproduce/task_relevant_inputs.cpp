// SPDX-License-Identifier: BSD-3-Clause
// Saxe et al. 2018 ("On the information bottleneck theory of deep learning"),
// §5 and Fig. 6: simultaneous fitting and compression. The input is made of
// a task-relevant part X_rel, which a linear teacher reads, and a
// task-irrelevant part X_irr, which it ignores. In a linear student network
// the hidden layer's information about the whole input, I(T;X), grows
// throughout training (no overall compression), its information about the
// relevant part, I(T;X_rel), grows as the task is fitted, and its information
// about the irrelevant part, I(T;X_irr), first rises and is then compressed,
// at the same time as the fitting and not in a later phase.
//
// Why it is exact: X is Gaussian and the network linear, so with measurement
// noise T = W_eff X + Z, Z ~ N(0, s2 I), every MI is a log-determinant
// (mi::linear_gaussian). The MI with a SUBSET of the inputs is not a function
// of mi::linear_gaussian itself, but it composes from its public functions:
// X_rel is the output of the noiseless "teacher" S_rel = [I 0] (it selects
// the relevant coordinates), so I(T;X_rel) = mutual_information(W_eff,
// Sigma_x, S_rel, 0), exact through its Schur-complement form; the same with
// S_irr = [0 I] gives I(T;X_irr). The program checks this against the chain
// rule I(T;X) = I(T;X_rel) + I(T;X_irr | X_rel), whose last term is
// mutual_information(W_irr, Sigma_irr), the I(T;X) of the irrelevant columns of W_eff (X_rel and X_irr
// are independent), and prints the largest difference.
//
// Protocol. The paper (§5, Fig. 6) states: 30 task-relevant and 70
// task-irrelevant inputs, a deep linear network, SGD with 5 samples per
// batch; and, as "a variant on the linear student-teacher setup of Section
// 3", that section's X ~ N(0, I/N_i) and measurement noise of variance
// sigma2_MI = 1.0 (§3, eq. 6). These are the defaults. Not stated for this
// figure, ours: teacher Y = W_o X_rel + eps, W_o ~ N(0, 3^2) (teacher output
// variance ~2.7), eps ~ N(0, 0.5^2); P = 300 training and 1000 test samples
// (datasets::relevant_irrelevant); student 100-100-1 (the hidden width of the
// paper's Fig. 3 and 4), linear, truncated normal 0.01/sqrt(fan_in) (the
// small initial weights of the paper's linear-network analysis, §3, so that
// I(T;X) starts near 0), squared error, plain SGD learning rate 0.02, 1000
// epochs. Recorded on IDNNs' log2 grid (dense where the fitting happens), at
// the end of each epoch (epoch 0 = after one epoch). MI in bits. Default 3
// seeds (teacher, data, initialisation and batch order all derived from the
// seed); --full: 10 seeds, 5000 epochs.
//
// Verdicts (reproduce/verdict.hpp), per seed on the hidden layer's course
// over the recorded epochs (running median of 5, threshold 3 sqrt(2) x the
// course's own epoch-to-epoch SGD jitter), tested over seeds with a one-sided
// t-test (p < 0.05; one seed: judged by the threshold alone): (A) I(T;X)
// shows no compression (its largest fall below its running maximum does not
// exceed the threshold); (B) I(T;X_rel) rises; (C) I(T;X_irr) rises and then
// falls (largest fall below its running maximum); (D) the fall is concurrent
// with the fitting: it starts before I(T;X_rel) has covered 90 % of its rise
// (log ratio of the two epochs > 0). The largest fall rather than peak -
// final value, because the claim is about a compression during the fitting,
// after which the information may grow again. Simulated flat courses of 20
// to 400 points (Gaussian and Student-t(3) noise; the default records 130)
// give a largest fall above the threshold in at most 0.9 % of draws up to
// 130 points (3.9 % at 400 points with t(3) noise).
//
// Output (--out): information.csv (seed, epoch, layer, I(T;X), I(T;X_rel),
// I(T;X_irr), I(T;Y), bits), curves.csv (train/test MSE, weight norms),
// PNGs drawn by examples/plot/task_relevant_inputs.py.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "datasets/synthetic.hpp"
#include "engine/schedule.hpp"
#include "engine/trainer.hpp"
#include "mi/core/units.hpp"
#include "mi/estimators/linear_gaussian.hpp"
#include "reproduce/common.hpp"
#include "reproduce/linear_maps.hpp"
#include "reproduce/suite.hpp"
#include "reproduce/verdict.hpp"

namespace eng = mi_examples::engine;
namespace ds = mi_examples::datasets;
namespace rp = mi_examples::reproduce;

namespace {

const char* usage =
    "task_relevant_inputs: Saxe et al. 2018 Fig. 6 (compression of task-irrelevant inputs during fitting)\n"
    "usage: task_relevant_inputs [options]\n"
    "  --relevant N        task-relevant inputs (default 30)\n"
    "  --irrelevant N      task-irrelevant inputs (default 70)\n"
    "  --train N           training samples P (default 300)\n"
    "  --hidden N          hidden units (default 100)\n"
    "  --epochs N          training epochs (default 1000; --full 5000)\n"
    "  --batch N           SGD mini-batch size, 0 = full batch (default 5, the paper's)\n"
    "  --lr X              SGD learning rate (default 0.02)\n"
    "  --init X            initial weight scale c, sigma = c/sqrt(fan_in) (default 0.01)\n"
    "  --mi-noise X        variance of the measurement noise Z (default 1.0, the paper's sigma2_MI)\n"
    "  (default 3 seeds; --full 10 seeds)\n";

struct settings {
    std::size_t relevant = 30, irrelevant = 70, train = 300, test = 1000, hidden = 100;
    double teacher_std = 3.0, teacher_noise_std = 0.5;
    std::size_t epochs = 1000, batch = 5;
    double learning_rate = 0.02, init_scale = 0.01, mi_noise = 1.0;
    std::size_t inputs() const { return relevant + irrelevant; }
};

using matrix = std::vector<double>;  // row-major

// Columns [from, from + count) of an n-row matrix with `cols` columns.
matrix columns(const matrix& a, std::size_t n, std::size_t cols, std::size_t from, std::size_t count) {
    matrix out(n * count);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < count; ++j) out[i * count + j] = a[i * cols + from + j];
    return out;
}

// The noiseless "teacher" whose output is input coordinates [from, from + count): [0 I 0].
matrix selector(std::size_t inputs, std::size_t from, std::size_t count) {
    matrix s(count * inputs, 0.0);
    for (std::size_t j = 0; j < count; ++j) s[j * inputs + from + j] = 1.0;
    return s;
}

matrix scaled_identity(std::size_t n, double v) {
    matrix m(n * n, 0.0);
    for (std::size_t i = 0; i < n; ++i) m[i * n + i] = v;
    return m;
}

/// One layer at one epoch, in nats.
struct information {
    double all = 0, relevant = 0, irrelevant = 0, label = 0;
    double chain_rule_gap = 0;  ///< |I(T;X_rel) - (I(T;X) - I(T;X_irr | X_rel))|
};

// The exact information of T = W X + Z (W: units x N_i) about X, its parts and Y.
class exact_measure {
public:
    exact_measure(const settings& c, const ds::teacher_task<double>& task)
        : c_(c), lg_(c.mi_noise), sx_(scaled_identity(c.inputs(), 1.0 / static_cast<double>(c.inputs()))),
          s_irr_(scaled_identity(c.irrelevant, 1.0 / static_cast<double>(c.inputs()))),
          rel_(selector(c.inputs(), 0, c.relevant)), irr_(selector(c.inputs(), c.relevant, c.irrelevant)),
          teacher_(columns_to_inputs(task)), teacher_noise_(task.noise_std * task.noise_std) {}

    information operator()(const matrix& w, std::size_t units) const {
        const std::size_t ni = c_.inputs();
        const auto wv = mi::view(w, units, ni);
        const auto sx = mi::view(sx_, ni, ni);
        information out;
        out.all = lg_.mutual_information(wv, sx);
        out.relevant = lg_.mutual_information(wv, sx, mi::view(rel_, c_.relevant, ni), 0.0);
        out.irrelevant = lg_.mutual_information(wv, sx, mi::view(irr_, c_.irrelevant, ni), 0.0);
        out.label = lg_.mutual_information(wv, sx, mi::view(teacher_, 1, ni), teacher_noise_);
        // I(T;X_irr | X_rel): given X_rel, T = W_irr X_irr + (known) + Z.
        const matrix w_irr = columns(w, units, ni, c_.relevant, c_.irrelevant);
        const double conditional = lg_.mutual_information(mi::view(w_irr, units, c_.irrelevant),
                                                          mi::view(s_irr_, c_.irrelevant, c_.irrelevant));
        out.chain_rule_gap = std::abs(out.relevant - (out.all - conditional));
        return out;
    }

private:
    // The teacher reads X_rel only: as a map of the whole input it is [W_o 0].
    static matrix columns_to_inputs(const ds::teacher_task<double>& task) {
        const std::size_t ni = task.data.d, no = task.teacher.size() / task.relevant;
        matrix t(no * ni, 0.0);
        for (std::size_t o = 0; o < no; ++o)
            for (std::size_t j = 0; j < task.relevant; ++j) t[o * ni + j] = task.teacher[o * task.relevant + j];
        return t;
    }

    settings c_;
    mi::linear_gaussian lg_;
    matrix sx_, s_irr_, rel_, irr_, teacher_;
    double teacher_noise_;
};

eng::network_config student(const settings& c) {
    eng::network_config cfg;
    cfg.inputs = c.inputs();
    cfg.hidden = {c.hidden};
    cfg.outputs = 1;
    cfg.hidden_activation = eng::activation::linear();
    cfg.output = eng::output_spec::mse();
    cfg.hidden_init = eng::init_spec::truncated_normal_fan_in(c.init_scale);
    return cfg;
}

std::vector<std::string> information_columns() {
    return {"seed", "epoch", "layer", "ixt", "ixt_relevant", "ixt_irrelevant", "ity", "chain_rule_gap", "unit"};
}

void run_one(rp::suite& s, const settings& c, std::uint64_t seed) {
    const std::string seed_text = std::to_string(seed);
    const auto task = ds::relevant_irrelevant<double>(c.train + c.test, c.relevant, c.irrelevant, 1,
                                                      c.teacher_noise_std, mi::derive_seed(seed, 3), c.teacher_std);
    std::vector<std::size_t> train_rows, test_rows;
    for (std::size_t i = 0; i < c.train + c.test; ++i) (i < c.train ? train_rows : test_rows).push_back(i);
    const auto train = task.data.subset(train_rows), test = task.data.subset(test_rows);
    eng::network<double> net(student(c), mi::derive_seed(seed, 1));
    const exact_measure measure(c, task);

    auto& info = s.result("information", information_columns());
    if (info.comments().empty()) {
        info.comment("exact MI of T = W_eff X + Z, Z ~ N(0, s2 I), s2 = " + mi::detail::to_text(c.mi_noise) +
                     ", in bits; layer 0 = hidden, 1 = output");
        info.comment("chain_rule_gap = |I(T;X_rel) - (I(T;X) - I(T;X_irr|X_rel))|, a check of the composition");
    }
    rp::progress bar("seed " + seed_text, c.epochs);
    eng::train_options o;
    o.epochs = c.epochs;
    o.batch_size = c.batch;
    o.order = eng::batch_order::shuffled;
    o.optimizer = eng::optimizer_config::sgd(c.learning_rate);
    o.seed = mi::derive_seed(seed, 2);
    o.record_epochs = eng::idnns_log2_epochs(c.epochs, 200);
    // on_epoch runs after the epoch's updates, when the weights are those of the epoch's end.
    o.when = eng::record_time::epoch_end;
    // Test losses every epoch would cost more than the training: metrics at the recorded epochs only.
    o.metrics_every_epoch = false;
    o.on_epoch = [&](const eng::epoch_metrics& m) {
        bar(m.epoch);
        const auto maps = rp::layer_maps(net);
        for (std::size_t l = 0; l < maps.size(); ++l) {
            const information i = measure(maps[l], net.at(l).out);
            info.add({seed_text, m.epoch, l, mi::to_bits(i.all), mi::to_bits(i.relevant), mi::to_bits(i.irrelevant),
                      mi::to_bits(i.label), mi::to_bits(i.chain_rule_gap), "bits"});
        }
    };
    eng::null_recorder none;
    const auto history = eng::train(net, train, &test, train, none, o);
    rp::add_curves(s.result("curves", rp::curve_columns({"seed"})), {seed_text}, history);
    std::printf("  seed %s: %.1f s; final train MSE %.4f, test MSE %.4f\n", seed_text.c_str(), bar.elapsed(),
                history.back().train_loss, history.back().test_loss);
    std::fflush(stdout);
}

// ---- summary, from the tables -------------------------------------------------------------------

// Per-epoch means over seeds of one layer, in epoch order.
struct course {
    std::vector<double> epoch, all, relevant, irrelevant, label;
};

course mean_course(const rp::table& info, std::size_t layer) {
    const rp::table m = info.where({{"layer", std::to_string(layer)}})
                            .mean_by({"epoch"}, {"ixt", "ixt_relevant", "ixt_irrelevant", "ity"});
    std::vector<std::size_t> order(m.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return m.number(a, "epoch") < m.number(b, "epoch"); });
    course c;
    for (auto i : order) {
        c.epoch.push_back(m.number(i, "epoch"));
        c.all.push_back(m.number(i, "ixt"));
        c.relevant.push_back(m.number(i, "ixt_relevant"));
        c.irrelevant.push_back(m.number(i, "ixt_irrelevant"));
        c.label.push_back(m.number(i, "ity"));
    }
    return c;
}

std::size_t argmax(const std::vector<double>& v) {
    return static_cast<std::size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

// The first index at which v has covered `fraction` of its rise from v[0] to its maximum.
std::size_t rise_index(const std::vector<double>& v, double fraction) {
    const double top = v[argmax(v)], target = v[0] + fraction * (top - v[0]);
    for (std::size_t i = 0; i < v.size(); ++i)
        if (v[i] >= target) return i;
    return v.size() - 1;
}

/// The largest fall of a smoothed course below its running maximum (its deepest "compression"), with the
/// epochs of that maximum and of the trough.
struct drawdown {
    double depth = 0, peak_epoch = 0, trough_epoch = 0;
};

drawdown largest_fall(const rp::course& c) {
    const auto v = rp::smooth(c.value);
    drawdown d;
    std::size_t top = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] > v[top]) top = i;
        if (v[top] - v[i] > d.depth) d = {v[top] - v[i], c.epoch[top], c.epoch[i]};
    }
    return d;
}

void print_summary(const rp::table& info) {
    double gap = 0;
    for (std::size_t i = 0; i < info.size(); ++i) gap = std::max(gap, info.number(i, "chain_rule_gap"));
    const auto hidden = mean_course(info, 0);
    const std::size_t last = hidden.epoch.size() - 1;
    const std::size_t rel_10 = rise_index(hidden.relevant, 0.1), rel_90 = rise_index(hidden.relevant, 0.9);
    const std::size_t all_peak = argmax(hidden.all);
    rp::course irr;
    irr.epoch = hidden.epoch;
    irr.value = hidden.irrelevant;
    const drawdown fall = largest_fall(irr);
    const auto index_of = [&](double epoch) {
        const auto at = std::find(hidden.epoch.begin(), hidden.epoch.end(), epoch);
        return static_cast<std::size_t>(at - hidden.epoch.begin());
    };
    const std::size_t fall_start = index_of(fall.peak_epoch), fall_end = index_of(fall.trough_epoch);
    std::printf("\nhidden layer, exact MI in bits (mean over %zu seed(s)):\n", info.distinct("seed").size());
    std::printf("  %-40s %9s %9s %9s %9s\n", "epoch", "I(T;X)", "I(T;Xrel)", "I(T;Xirr)", "I(T;Y)");
    const std::vector<std::pair<std::size_t, const char*>> rows{{0, "first"},
                                                                {rel_10, "I(T;X_rel) at 10 % of its rise"},
                                                                {fall_start, "largest fall of I(T;X_irr) starts"},
                                                                {fall_end, "... and ends"},
                                                                {rel_90, "I(T;X_rel) at 90 % of its rise"},
                                                                {last, "last"}};
    for (const auto& [i, what] : rows) {
        char label[64];
        std::snprintf(label, sizeof label, "%.0f (%s)", hidden.epoch[i], what);
        std::printf("  %-40s %9.4f %9.4f %9.4f %9.4f\n", label, hidden.all[i], hidden.relevant[i],
                    hidden.irrelevant[i], hidden.label[i]);
    }
    std::printf("  smoothed I(T;X_irr): largest fall %.4f bits, from epoch %.0f to epoch %.0f; final %.4f bits\n",
                fall.depth, fall.peak_epoch, fall.trough_epoch, rp::smooth(hidden.irrelevant).back());
    std::printf("  I(T;X) rises from %.3f to %.3f bits (peak %.3f at epoch %.0f)\n", hidden.all[0], hidden.all[last],
                hidden.all[all_peak], hidden.epoch[all_peak]);
    std::printf("  chain rule check: max |I(T;X_rel) - (I(T;X) - I(T;X_irr|X_rel))| = %.2e bits\n", gap);
}

// ---- verdicts, from the table as written ----------------------------------------------------------

/// Per-seed excesses over their thresholds (already subtracted), judged over the seeds by verdict.hpp's
/// judge_runs: with two or more seeds a one-sided t-test of mean > 0 at 0.05, with one seed its sign.
rp::runs_judgement test_over_seeds(const std::vector<double>& per_seed) {
    if (per_seed.empty()) return {};
    return rp::judge_runs(per_seed, std::vector<double>(per_seed.size(), 0.0));
}

/// The first epoch at which the smoothed course has covered `fraction` of its rise to its peak.
double rise_epoch(const rp::course& c, double fraction) {
    const auto v = rp::smooth(c.value);
    const double top = *std::max_element(v.begin(), v.end()), target = v.front() + fraction * (top - v.front());
    for (std::size_t i = 0; i < v.size(); ++i)
        if (v[i] >= target) return c.epoch[i];
    return c.epoch.back();
}

rp::verdicts judge(const rp::table& info) {
    std::vector<double> all_excess, rel_excess, irr_rise_excess, irr_fall_excess, order;
    for (const auto& seed : info.distinct("seed")) {
        const rp::table hidden = info.where({{"seed", seed}, {"layer", "0"}});
        const rp::course all = rp::course_of(hidden, "ixt"), rel = rp::course_of(hidden, "ixt_relevant"),
                         irr = rp::course_of(hidden, "ixt_irrelevant");
        const rp::trend ta = rp::trend_of(all), tr = rp::trend_of(rel), ti = rp::trend_of(irr);
        const drawdown fall_all = largest_fall(all), fall_irr = largest_fall(irr);
        all_excess.push_back(fall_all.depth - ta.threshold);
        rel_excess.push_back(tr.rise() - tr.threshold);
        irr_rise_excess.push_back(ti.rise() - ti.threshold);
        irr_fall_excess.push_back(fall_irr.depth - ti.threshold);
        // log10 of (1 + epoch at which I(T;X_rel) covers 90 % of its rise) / (1 + epoch at which the largest fall
        // of I(T;X_irr) starts)
        order.push_back(std::log10((1.0 + rise_epoch(rel, 0.9)) / (1.0 + fall_irr.peak_epoch)));
    }
    rp::verdicts v;
    const std::string per_seed =
        " per seed (smoothed course, threshold 3 sqrt(2) x its epoch-to-epoch noise), mean over seeds, bits";
    {
        const auto o = test_over_seeds(all_excess);
        v.add({"Fig. 6A: the hidden layer's overall I(T;X) shows no compression",
               "largest fall of I(T;X) below its running maximum - threshold" + per_seed, o.value, 0.0, o.p_value,
               "no compression", o.exceeds ? "compresses" : "no compression"});
    }
    {
        const auto o = test_over_seeds(rel_excess);
        v.add({"Fig. 6B: the information about the task-relevant inputs I(T;X_rel) increases over training",
               "rise of I(T;X_rel) to its peak - threshold" + per_seed, o.value, 0.0, o.p_value, "rises",
               o.exceeds ? "rises" : "does not rise"});
    }
    {
        const auto rise = test_over_seeds(irr_rise_excess), fall = test_over_seeds(irr_fall_excess);
        char rise_text[64];
        std::snprintf(rise_text, sizeof rise_text, " (rise - threshold: %.4g)", rise.value);
        v.add({"Fig. 6C: the information about the task-irrelevant inputs I(T;X_irr) grows, then compresses",
               "largest fall of I(T;X_irr) below its running maximum - threshold" + per_seed + rise_text, fall.value,
               0.0, fall.p_value, "rises then falls",
               rise.exceeds && fall.exceeds ? "rises then falls" : rise.exceeds ? "rises, no compression" : "does not rise"});
    }
    {
        const auto o = test_over_seeds(order);
        v.add({"Sec. 5: the compression of I(T;X_irr) happens at the same time as the fitting, not in a later phase",
               "log10((1 + epoch I(T;X_rel) reaches 90 % of its rise) / (1 + epoch the largest fall of I(T;X_irr) "
               "starts)), mean over seeds",
               o.value, 0.0, o.p_value, "during fitting", o.exceeds ? "during fitting" : "after fitting"});
    }
    return v;
}

/// The information table as rows of a plane table, for rp::out_of_range: every exact MI must be >= 0;
/// X and Y are continuous, so there is no finite upper bound (H(X) = H(Y) = infinity, given as NaN).
rp::table as_plane_rows(const rp::table& info) {
    rp::table t({"estimator", "parameters", "ixt", "ity"});
    for (std::size_t i = 0; i < info.size(); ++i) {
        t.add({"linear_gaussian", "I(T;X), I(T;Y)", info.number(i, "ixt"), info.number(i, "ity")});
        t.add({"linear_gaussian", "I(T;X_rel)", info.number(i, "ixt_relevant"), std::nan("")});
        t.add({"linear_gaussian", "I(T;X_irr)", info.number(i, "ixt_irrelevant"), std::nan("")});
    }
    return t;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        rp::suite s(argc, argv, "task_relevant_inputs", usage);
        auto& cli = s.cli();
        settings c;
        c.relevant = cli.count("relevant", c.relevant);
        c.irrelevant = cli.count("irrelevant", c.irrelevant);
        c.train = cli.count("train", c.train);
        c.hidden = cli.count("hidden", c.hidden);
        c.epochs = cli.count("epochs", s.full() ? 5000 : s.smoke() ? 8 : c.epochs);
        c.batch = cli.count("batch", c.batch);
        c.learning_rate = cli.number("lr", c.learning_rate);
        c.init_scale = cli.number("init", c.init_scale);
        c.mi_noise = cli.number("mi-noise", c.mi_noise);
        if (s.smoke()) c.test = 100;
        const std::size_t seeds = s.seeds(s.full() ? 10 : s.smoke() ? 1 : 3);
        s.begin();
        const char* where = "task_relevant_inputs";
        if (c.relevant == 0) mi::detail::fail(where, "--relevant", 0, ">= 1");
        if (c.irrelevant == 0) mi::detail::fail(where, "--irrelevant", 0, ">= 1 (the experiment is about them)");
        if (c.train == 0) mi::detail::fail(where, "--train", 0, ">= 1");
        if (c.hidden == 0) mi::detail::fail(where, "--hidden", 0, ">= 1");
        if (c.epochs < 2) mi::detail::fail(where, "--epochs", c.epochs, ">= 2");
        if (!(c.learning_rate > 0.0)) mi::detail::fail(where, "--lr", c.learning_rate, "> 0");
        if (!(c.init_scale >= 0.0)) mi::detail::fail(where, "--init", c.init_scale, ">= 0");
        if (!(c.mi_noise > 0.0)) mi::detail::fail(where, "--mi-noise", c.mi_noise, "a variance > 0");

        std::printf("linear student %zu-%zu-1 on %zu relevant + %zu irrelevant Gaussian inputs, P = %zu; plain SGD "
                    "lr %g, batch %zu, %zu epochs; measurement noise %g; %zu seed(s)\n",
                    c.inputs(), c.hidden, c.relevant, c.irrelevant, c.train, c.learning_rate, c.batch, c.epochs,
                    c.mi_noise, seeds);
        for (auto seed : s.mine(s.seed_list(seeds))) run_one(s, c, seed);
        if (!s.complete()) return 0;
        const rp::table& info = s.results().at("information");
        print_summary(info);
        const rp::verdicts v = judge(info);
        v.print();
        s.report("verdicts", v.as_table());
        // X and Y are continuous: no finite upper bound; NaN leaves the bound empty and checks only I >= 0
        const double unbounded = std::numeric_limits<double>::quiet_NaN();
        const auto range = rp::out_of_range(as_plane_rows(info), unbounded, unbounded);
        rp::print_out_of_range(range);
        s.report("out_of_range", range);
        std::printf("\nwrote %s/information.csv and %s/curves.csv\n", s.out().c_str(), s.out().c_str());
        s.plot("task_relevant_inputs.py");
    } catch (const mi::error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
