// SPDX-License-Identifier: BSD-3-Clause
// Saxe et al. 2018 ("On the information bottleneck theory of deep learning"),
// Fig. 5 and Fig. 19: stochastic mini-batch training against full-batch
// gradient descent. The claim: the compression phase does not come from the
// noise of stochastic gradients. The SZT tanh network compresses (its deeper
// layers lose I(X;T) after fitting) with mini-batches AND with the full batch;
// the ReLU network compresses with neither (Fig. 5, binning as in Fig. 1 and
// the KDE estimator); and deep linear student-teacher networks, whose MI is
// exact, show no compression under either (Fig. 19).
//
// Optimiser: the paper describes the two procedures as stochastic
// (mini-batch) gradient descent and batch gradient descent on the full
// training set; its public code (artemyk/ibsgd, branch iclr2018) has no run
// of this experiment, so the paper is the only source, and we could not find
// the optimiser of the comparison stated there (its Fig. 1 networks, which it
// calls "SGD"-trained, run Adam in that code). We therefore keep ibsgd's optimiser
// and change only the batch: Adam (lr 4e-4) with batch 256 reshuffled every
// epoch ("SGD") vs Adam with the whole training set as one batch ("GD"), so
// the only difference between the two runs of a seed is the stochasticity of
// the gradient (same initialisation, same data, same number of epochs; GD
// makes 1 update per epoch, SGD 13). The deep linear networks follow the paper's
// linear-network section (§3, App. G: gradient descent on the squared error),
// plain SGD (batch 10) vs plain GD, same learning rate.
//
// SZT protocol (ibsgd, as szt_tanh_vs_relu; reproduce/ibsgd_szt.hpp):
// 12-10-7-5-4-3-2, hidden truncated normal 1/sqrt(fan_out), Glorot softmax
// output, one shuffled 80/20 split, ibsgd's record schedule at epoch end, all
// 4096 inputs. MI in bits: 30 IDNNs edges on [-1, 1] (Fig. 1A, the tanh
// panel), 100 bins over the layer's range across all epochs (Fig. 1B, the
// ReLU panel), KDE upper/lower bounds with noise variance 1e-3 (ibsgd's
// IBnet_ComputeMI.ipynb).
//
// Linear protocol (Saxe §3, App. G; sizes are ours, the paper's are not in
// public code): teacher Y = W_o X + eps, X ~ N(0, I/N_i), N_i = 100, one
// output, W_o ~ N(0, 1), eps ~ N(0, 0.3^2); P = 100 training samples
// (P = N_i, where the paper's linear networks overfit) and 1000 test
// samples; student 100-100-100-100-1, linear, truncated normal
// 0.5/sqrt(fan_in) (small weights, so that the deeper layers start near
// I(X;T) = 0), learning rate 0.05 (with 0.1, full-batch GD diverged in our
// runs once the weights had grown). Each layer's I(X;T)
// and I(T;Y) are exact (mi::linear_gaussian) for T = W_eff X + Z,
// Z ~ N(0, 0.01 I), W_eff the product of the weights up to that layer: the
// noise is added for the measurement only, as in the paper.
//
// Defaults: 3000 SZT epochs (paper 10000: --full), 2000 linear epochs
// (--full 5000), 1 seed (--full 5). Output (--out): plane.csv + curves.csv (SZT: activation,
// training, seed, ...), linear_plane.csv + linear_curves.csv (training,
// seed, ...), PNGs drawn by examples/plot/sgd_vs_gd.py.

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "datasets/synthetic.hpp"
#include "engine/schedule.hpp"
#include "engine/trainer.hpp"
#include "mi/estimators/binning.hpp"
#include "mi/estimators/kde.hpp"
#include "mi/estimators/linear_gaussian.hpp"
#include "mi/kernels/gaussian.hpp"
#include "mi/kernels/noise.hpp"
#include "mi/plane/information_plane.hpp"
#include "mi/plane/trajectory.hpp"
#include "mi/quantizers/global_uniform.hpp"
#include "mi/quantizers/uniform.hpp"
#include "reproduce/common.hpp"
#include "reproduce/linear_maps.hpp"
#include "reproduce/ibsgd_szt.hpp"
#include "reproduce/suite.hpp"

namespace eng = mi_examples::engine;
namespace ds = mi_examples::datasets;
namespace rp = mi_examples::reproduce;

namespace {

const char* usage =
    "sgd_vs_gd: Saxe et al. 2018 Fig. 5 and 19 (mini-batch vs full-batch training; SZT tanh/ReLU, deep linear)\n"
    "usage: sgd_vs_gd [options]\n"
    "  --epochs N          SZT training epochs, both procedures (default 3000; --full 10000)\n"
    "  --gd-epochs N       SZT full-batch epochs (default: --epochs)\n"
    "  --batch N           SZT mini-batch size (default 256)\n"
    "  --lr X              SZT Adam learning rate (default 4e-4)\n"
    "  --split-seed S      seed of the SZT 80/20 split (default 2017)\n"
    "  --linear-epochs N   deep linear training epochs (default 2000; --full 5000)\n"
    "  --linear-batch N    deep linear mini-batch size (default 10)\n"
    "  --linear-lr X       deep linear learning rate, plain SGD and GD (default 0.05)\n"
    "  --linear-init C     deep linear initial weights, truncated normal C/sqrt(fan_in) (default 0.5)\n"
    "  --mi-noise X        variance of the measurement noise of the linear layers (default 0.01)\n"
    "  (default 1 seed; --full 5 seeds)\n";

const std::vector<std::string> activations{"tanh", "relu"};
const std::vector<std::string> trainings{"sgd", "gd"};

// A layer compresses when its I(X;T) ends at least this far below its peak (bits), as in szt_tanh_vs_relu.
constexpr double compression_bits = 0.5;

struct run {
    std::string network;   ///< tanh, relu (SZT) or linear
    std::string training;  ///< sgd or gd
    std::uint64_t seed;
};

struct linear_settings {
    std::size_t inputs = 100, train = 100, test = 1000;
    std::vector<std::size_t> hidden{100, 100, 100};
    double teacher_noise_std = 0.3, init_scale = 0.5;
    std::size_t epochs = 2000, batch = 10;
    double learning_rate = 0.05, mi_noise = 0.01;
};

// ---- SZT (Fig. 5) ----------------------------------------------------------------------------

// The estimator of an activation's binning panel: IDNNs' bins for tanh (Fig. 1A), 100 bins
// over the recorded range for ReLU (Fig. 1B).
std::string panel_binning(const std::string& activation) {
    return activation == "tanh" ? "quantizer=uniform;convention=idnns;edges=30;lo=-1;hi=1"
                                : "quantizer=global_uniform;bins=100";
}

void run_szt(rp::suite& s, const rp::ibsgd_szt_data& data, const run& r, rp::ibsgd_szt_settings settings) {
    const std::string seed = std::to_string(r.seed);
    if (r.training == "gd") settings.batch = 0;
    const auto trained =
        rp::train_ibsgd_szt(data, r.network, r.seed, settings, r.network + " " + r.training + " seed " + seed);
    rp::add_curves(s.result("curves", rp::curve_columns({"activation", "training", "seed"})),
                   {r.network, r.training, seed}, trained.history);
    rp::progress clock("MI", 1);
    mi::plane_options po;
    po.output_unit = mi::unit::bits;
    std::vector<mi::trajectory> ts;
    ts.push_back(mi::information_plane(trained.recording, mi::binning<mi::uniform>(mi::uniform::idnns(30, -1.0, 1.0)), po));
    ts.push_back(mi::information_plane(trained.recording, mi::binning<mi::global_uniform>(mi::global_uniform(100)), po));
    ts.push_back(mi::information_plane(trained.recording,
                                       mi::kde<mi::gaussian_kernel, mi::fixed_noise>(mi::fixed_noise(1e-3)), po));
    s.result("plane", {}).append(
        rp::plane_table(ts, {{"activation", r.network}, {"training", r.training}, {"seed", seed}}));
    std::printf("  %s %s seed %s: training %.1f s (%zu epochs), MI %.1f s; final train acc %.3f, test acc %.3f\n",
                r.network.c_str(), r.training.c_str(), seed.c_str(), trained.train_seconds, settings.epochs,
                clock.elapsed(), trained.history.back().train_accuracy, trained.history.back().test_accuracy);
    std::fflush(stdout);
}

// ---- deep linear (Fig. 19) -------------------------------------------------------------------

// Exact plane points of every layer: T = W_eff X + Z, X ~ N(0, I/N_i), Z ~ N(0, mi_noise I).
std::vector<mi::trajectory_row> exact_points(const eng::network<double>& net, const ds::teacher_task<double>& task,
                                             const mi::linear_gaussian& lg, std::size_t epoch) {
    const std::size_t ni = net.inputs();
    std::vector<double> sx(ni * ni, 0.0);
    for (std::size_t i = 0; i < ni; ++i) sx[i * ni + i] = 1.0 / static_cast<double>(ni);
    const std::size_t no = task.teacher.size() / ni;
    const double teacher_noise = task.noise_std * task.noise_std;
    std::vector<mi::trajectory_row> rows;
    const auto maps = rp::layer_maps(net);
    for (std::size_t l = 0; l < maps.size(); ++l) {
        const std::size_t units = net.at(l).out;
        mi::trajectory_row row;
        row.epoch = static_cast<mi::epoch_t>(epoch);
        row.layer = l;
        row.point.ixt = lg.mutual_information(mi::view(maps[l], units, ni), mi::view(sx, ni, ni));
        row.point.ity = lg.mutual_information(mi::view(maps[l], units, ni), mi::view(sx, ni, ni),
                                              mi::view(task.teacher, no, ni), teacher_noise);
        rows.push_back(row);
    }
    return rows;
}

eng::network_config linear_network(const linear_settings& ls) {
    eng::network_config cfg;
    cfg.inputs = ls.inputs;
    cfg.hidden = ls.hidden;
    cfg.outputs = 1;
    cfg.hidden_activation = eng::activation::linear();
    cfg.output = eng::output_spec::mse();
    cfg.hidden_init = eng::init_spec::truncated_normal_fan_in(ls.init_scale);
    return cfg;
}

void run_linear(rp::suite& s, const run& r, const linear_settings& ls) {
    const std::string seed = std::to_string(r.seed);
    // The teacher, the data and the initialisation depend on the seed only, so SGD and GD of a
    // seed start from the same network on the same data.
    const auto task = ds::linear_teacher<double>(ls.train + ls.test, ls.inputs, 1, ls.teacher_noise_std,
                                                 mi::derive_seed(r.seed, 3));
    std::vector<std::size_t> train_rows, test_rows;
    for (std::size_t i = 0; i < ls.train + ls.test; ++i) (i < ls.train ? train_rows : test_rows).push_back(i);
    const auto train = task.data.subset(train_rows), test = task.data.subset(test_rows);
    eng::network<double> net(linear_network(ls), mi::derive_seed(r.seed, 1));

    const mi::linear_gaussian lg(ls.mi_noise);
    const auto record = eng::ibsgd_epochs(ls.epochs);
    std::vector<mi::trajectory_row> rows;
    rp::progress bar("linear " + r.training + " seed " + seed, ls.epochs);
    eng::train_options o;
    o.epochs = ls.epochs;
    o.batch_size = r.training == "gd" ? 0 : ls.batch;
    o.order = eng::batch_order::shuffled;
    o.optimizer = eng::optimizer_config::sgd(ls.learning_rate);
    o.seed = mi::derive_seed(r.seed, 2);
    o.when = eng::record_time::epoch_end;
    // Losses on the 1000 test samples every epoch would cost more than the training itself:
    // metrics (and this callback) only at the recorded epochs.
    o.record_epochs = record;
    o.metrics_every_epoch = false;
    o.on_epoch = [&](const eng::epoch_metrics& m) {
        bar(m.epoch);
        const auto points = exact_points(net, task, lg, m.epoch);
        rows.insert(rows.end(), points.begin(), points.end());
    };
    eng::null_recorder none;
    const auto history = eng::train(net, train, &test, train, none, o);
    rp::add_curves(s.result("linear_curves", rp::curve_columns({"training", "seed"})), {r.training, seed}, history);
    const mi::trajectory t(lg.name(), lg.parameters(), rows, mi::unit::bits);
    s.result("linear_plane", {}).append(rp::plane_table({t}, {{"training", r.training}, {"seed", seed}}));
    std::printf("  linear %s seed %s: %.1f s; final train loss %.4f, test loss %.4f\n", r.training.c_str(),
                seed.c_str(), bar.elapsed(), history.back().train_loss, history.back().test_loss);
    std::fflush(stdout);
}

// ---- summaries (from the tables, so that --merge prints the same) ---------------------------

std::string layer_name(std::size_t layer, std::size_t layers) {
    return layer + 1 < layers ? "T" + std::to_string(layer + 1) : "out";
}

void print_szt_summary(const rp::table& plane) {
    const rp::table mean = plane.mean_by({"activation", "training", "parameters", "epoch", "layer"}, {"ixt", "ity"});
    std::printf("\nSZT: I(X;T) of the last hidden layer T5 in bits, mean over seeds (drop = peak - final)\n");
    std::printf("  %-5s %-4s %-34s %7s %7s %7s %7s  %s\n", "act", "opt", "estimator", "peak", "at", "final", "drop",
                "verdict (paper)");
    std::size_t agree = 0, total = 0;
    for (const auto& act : activations)
        for (const auto& tr : trainings)
            for (const auto& params : {panel_binning(act), std::string("noise=fixed;variance=0.001")}) {
                const rp::table t = mean.where({{"activation", act}, {"training", tr}});
                std::string match;
                for (const auto& p : t.distinct("parameters"))
                    if (p.find(params) != std::string::npos) match = p;
                if (match.empty()) continue;
                const auto c = rp::layer_courses(t.where({{"parameters", match}}), "ixt");
                const auto& t5 = c.at(c.size() - 2);
                const bool compresses = t5.drop() > compression_bits;
                const bool expected = act == "tanh";
                agree += compresses == expected;
                ++total;
                const char* label = params.rfind("noise", 0) == 0 ? "KDE upper, noise variance 1e-3"
                                    : act == "tanh"                ? "binning, 30 IDNNs edges on [-1,1]"
                                                                   : "binning, 100 bins, all-epoch range";
                std::printf("  %-5s %-4s %-34s %7.2f %7.0f %7.2f %7.2f  %s (%s)\n", act.c_str(), tr.c_str(), label, t5.peak,
                            t5.peak_epoch, t5.final_value, t5.drop(), compresses ? "compresses" : "no compression",
                            expected ? "compresses" : "no compression");
            }
    std::printf("  %zu of %zu (activation, training, estimator) cases as the paper\n", agree, total);
}

void print_linear_summary(const rp::table& plane, const rp::table& curves) {
    const rp::table mean = plane.mean_by({"training", "epoch", "layer"}, {"ixt", "ity"});
    std::printf("\ndeep linear network (exact MI, bits, mean over seeds): I(X;T) first -> peak -> final; "
                "I(T;Y) peak -> final\n");
    for (const auto& tr : trainings) {
        const rp::table t = mean.where({{"training", tr}});
        if (t.empty()) continue;
        const auto ixt = rp::layer_courses(t, "ixt"), ity = rp::layer_courses(t, "ity");
        std::size_t compressing = 0;
        for (std::size_t l = 0; l < ixt.size(); ++l) {
            std::printf("  %-3s %-4s I(X;T) %6.2f -> %6.2f -> %6.2f   I(T;Y) %5.3f -> %5.3f\n", tr.c_str(),
                        layer_name(l, ixt.size()).c_str(), ixt[l].first, ixt[l].peak, ixt[l].final_value, ity[l].peak,
                        ity[l].final_value);
            compressing += ixt[l].drop() > compression_bits;
        }
        const rp::table first = curves.where({{"training", tr}, {"layer", "0"}});
        double last = -1;
        for (std::size_t i = 0; i < first.size(); ++i) last = std::max(last, first.number(i, "epoch"));
        const rp::table end = first.where({{"epoch", rp::cell(static_cast<std::size_t>(last)).text()}})
                                  .mean_by({"training"}, {"train_loss", "test_loss"});
        std::printf("  %-3s epoch %.0f: train MSE %.4f, test MSE %.4f; %zu of %zu layers compress (paper: none)\n",
                    tr.c_str(), last, end.number(0, "train_loss"), end.number(0, "test_loss"), compressing, ixt.size());
    }
}

void print_accuracy(const rp::table& curves) {
    std::printf("\nSZT final accuracy (mean over seeds)\n");
    for (const auto& act : activations)
        for (const auto& tr : trainings) {
            const rp::table a = curves.where({{"activation", act}, {"training", tr}, {"layer", "0"}});
            if (a.empty()) continue;
            double last = -1;
            for (std::size_t i = 0; i < a.size(); ++i) last = std::max(last, a.number(i, "epoch"));
            const rp::table m = a.where({{"epoch", rp::cell(static_cast<std::size_t>(last)).text()}})
                                    .mean_by({"activation"}, {"train_accuracy", "test_accuracy"});
            std::printf("  %-5s %-3s epoch %.0f: train %.3f, test %.3f (%s seeds)\n", act.c_str(), tr.c_str(), last,
                        m.number(0, "train_accuracy"), m.number(0, "test_accuracy"), m.text(0, "n").c_str());
        }
}

}  // namespace

int main(int argc, char** argv) {
    try {
        rp::suite s(argc, argv, "sgd_vs_gd", usage);
        auto& cli = s.cli();
        rp::ibsgd_szt_settings szt;
        szt.epochs = cli.count("epochs", s.full() ? 10000 : s.smoke() ? 4 : 3000);
        const std::size_t gd_epochs = cli.count("gd-epochs", szt.epochs);
        szt.batch = cli.count("batch", 256);
        szt.learning_rate = cli.number("lr", 4e-4);
        szt.split_seed = cli.count("split-seed", 2017);
        linear_settings ls;
        ls.epochs = cli.count("linear-epochs", s.full() ? 5000 : s.smoke() ? 4 : 2000);
        ls.batch = cli.count("linear-batch", 10);
        ls.learning_rate = cli.number("linear-lr", ls.learning_rate);
        ls.mi_noise = cli.number("mi-noise", 0.01);
        ls.init_scale = cli.number("linear-init", ls.init_scale);
        const std::size_t seeds = s.seeds(s.full() ? 5 : 1);
        s.begin();
        const char* where = "sgd_vs_gd";
        if (szt.epochs == 0 || gd_epochs == 0) mi::detail::fail(where, "--epochs / --gd-epochs", 0, ">= 1");
        if (szt.batch == 0) mi::detail::fail(where, "--batch", 0, ">= 1 (full batch is the gd run)");
        if (ls.epochs == 0) mi::detail::fail(where, "--linear-epochs", 0, ">= 1");
        if (ls.batch == 0) mi::detail::fail(where, "--linear-batch", 0, ">= 1 (full batch is the gd run)");
        if (!(ls.learning_rate > 0.0)) mi::detail::fail(where, "--linear-lr", ls.learning_rate, "> 0");
        if (!(szt.learning_rate > 0.0)) mi::detail::fail(where, "--lr", szt.learning_rate, "> 0");
        if (!(ls.mi_noise > 0.0)) mi::detail::fail(where, "--mi-noise", ls.mi_noise, "a variance > 0");

        const rp::ibsgd_szt_data data(szt.split_seed);
        std::printf("SZT 12-10-7-5-4-3-2: Adam lr %g, batch %zu (sgd) vs %zu (gd), %zu / %zu epochs; deep linear "
                    "%zu-100-100-100-1: plain SGD lr %g, batch %zu vs %zu, %zu epochs; %zu seed(s)\n",
                    szt.learning_rate, szt.batch, data.train.n, szt.epochs, gd_epochs, ls.inputs, ls.learning_rate,
                    ls.batch, ls.train, ls.epochs, seeds);

        std::vector<run> runs;
        for (const auto& net : {"tanh", "relu", "linear"})
            for (const auto& tr : trainings)
                for (auto seed : s.seed_list(seeds)) runs.push_back({net, tr, seed});
        for (const auto& r : s.mine(runs)) {
            if (r.network == "linear") {
                run_linear(s, r, ls);
                continue;
            }
            rp::ibsgd_szt_settings settings = szt;
            if (r.training == "gd") settings.epochs = gd_epochs;
            run_szt(s, data, r, settings);
        }
        if (!s.complete()) return 0;
        const auto& res = s.results();
        print_szt_summary(res.at("plane"));
        print_accuracy(res.at("curves"));
        print_linear_summary(res.at("linear_plane"), res.at("linear_curves"));
        std::printf("\nwrote plane.csv, curves.csv, linear_plane.csv, linear_curves.csv in %s\n", s.out().c_str());
        s.plot("sgd_vs_gd.py");
    } catch (const mi::error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
