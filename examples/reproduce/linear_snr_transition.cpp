// SPDX-License-Identifier: BSD-3-Clause
// Saxe et al. 2018 ("On the information bottleneck theory of deep learning",
// ICLR 2018), App. I and Fig. 21: the minimal model of the gradient
// signal-to-noise (SNR) phase transition. "We consider the student-teacher
// setting of Fig. 3 but with N_i = N_h = 1, such that the input and hidden
// layers have just a single neuron"; Fig. 21: "a three neuron linear network
// (architecture 1 - 1 - 1) learns to approximate a teacher. Other parameters
// are teacher SNR = 1, number of training samples P = 100, learning rate
// .001", trained with SGD (minibatch size 1, panels A/C) and with BGD (panels
// B/D, the SNR "averaging over all training samples (not minibatches)").
// The claims, quoted: "even in this simple setting, the SNR shows the phase
// transition but the weight norm increases over training"; "with just a
// single hidden neuron, clearly there can be no compression so long as the
// first layer weight increases over the course of training".
//
// The model is small enough to be written out: T = w1 X, Yhat = w2 T, loss
// (Yhat - Y)^2 per sample (mean squared error), so dL/dw1 = 2 r w2 x and
// dL/dw2 = 2 r w1 x with r = w2 w1 x - y. No biases (the paper's model has
// none).
// - teacher (§3 with N_i = 1): X ~ N(0, 1), Y = w_o X + eps, w_o ~ N(0,
//   sigma_w^2 = 1), eps ~ N(0, sigma_o^2 = 1): SNR = 1 (paper). P = 100
//   (paper); 1000 test samples (ours).
// - student: w1, w2 ~ N(0, 0.1^2) ("initialized to be small"; the scale is
//   ours). Learning rate 0.001 (paper).
// - SGD: one example per update, the training set reshuffled every epoch (100
//   updates per epoch); BGD: the mean gradient over the 100 samples, one
//   update per epoch.
// - gradient SNR (App. I, eq. 26-27): per layer, |mean g| / std g with g the
//   layer's gradient; for SGD over the epoch's minibatch gradients (as ibsgd's
//   loggingreporter and the engine), for BGD over the per-sample gradients of
//   all training samples at the epoch's weights, as the paper says.
// - information (§3, eq. 6, mi::linear_gaussian): T = w1 X + Z, Z ~ N(0,
//   sigma_MI^2 = 1.0) (paper), exact I(X;T) and I(T;Y) in bits for the hidden
//   neuron and the output.
// - epochs: 10000 for both (ours: the paper does not give them; BGD needs
//   about 3000 to fit at lr 0.001); ibsgd's record schedule (211 epochs), the
//   state at the end of the epoch. Seeds: 20 (--full 100); a seed fixes the
//   teacher, the data, the initialisation (shared by SGD and BGD) and the SGD
//   order.
//
// Verdicts (reproduce/verdict.hpp), from the tables as written, per procedure:
// - SNR transition: per seed and layer, the fall of the smoothed log10 SNR
//   after its peak, against max(3 sqrt 2 sigma, 0.5): a transition is a fall
//   by more than the course's noise and by at least half a decade (a factor
//   of about 3; the paper's transitions span orders of magnitude). The
//   network shows it when every layer does (one seed: excess > 0; several:
//   one-sided t-test of the excess at 0.05 / 2 layers).
// - weight norm increases: per seed, the rise of the smoothed |w1| from its
//   first to its final value, against max(3 sqrt 2 sigma, 2 % of the peak)
//   (verdict.hpp's floor); one-sided t-test over seeds at 0.05.
// - no compression: the fall of the smoothed I(X;T) of the hidden neuron after
//   its peak, against max(3 sqrt 2 sigma, 2 % of the peak), as the other
//   linear programs.
//
// Output (--out): curves.csv, plane.csv, verdicts.csv, out_of_range.csv, PNGs
// drawn by examples/plot/linear_snr_transition.py.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "engine/schedule.hpp"
#include "mi/core/random.hpp"
#include "mi/core/units.hpp"
#include "mi/estimators/linear_gaussian.hpp"
#include "mi/plane/trajectory.hpp"
#include "reproduce/common.hpp"
#include "reproduce/suite.hpp"
#include "reproduce/verdict.hpp"

namespace rp = mi_examples::reproduce;

namespace {

const char* usage =
    "linear_snr_transition: Saxe et al. 2018 Fig. 21 (the 1-1-1 linear network: gradient SNR transition without "
    "compression, single-example SGD vs batch gradient descent)\n"
    "usage: linear_snr_transition [options]\n"
    "  --samples N         training samples P (default 100, paper)\n"
    "  --test-samples N    test samples (default 1000)\n"
    "  --teacher-noise X   variance sigma_o^2 of the teacher's noise, SNR = 1 / X (default 1, paper)\n"
    "  --lr X              learning rate (default 0.001, paper)\n"
    "  --init-std X        initial weights N(0, X^2) (default 0.1)\n"
    "  --epochs N          epochs of both procedures (default 10000)\n"
    "  --mi-noise X        sigma_MI^2 of the measurement noise (default 1.0, paper)\n"
    "  (default 20 seeds; --full 100)\n";

const std::vector<std::string> trainings{"sgd", "gd"};
const std::vector<std::string> layer_ids{"0", "1"};  // 0: w1 (input -> hidden), 1: w2 (hidden -> output)
constexpr double alpha = 0.05;

struct settings {
    std::size_t samples = 100, test_samples = 1000, epochs = 10000;
    double teacher_noise = 1.0, lr = 0.001, init_std = 0.1, mi_noise = 1.0;
};

struct task {
    double w_teacher = 0;
    std::vector<double> x, y, x_test, y_test;
};

task make_task(std::uint64_t seed, const settings& c) {
    mi::rng gen(mi::derive_seed(seed, 1));
    task t;
    t.w_teacher = gen.normal();
    const double noise_std = std::sqrt(c.teacher_noise);
    auto draw = [&](std::size_t n, std::vector<double>& x, std::vector<double>& y) {
        for (std::size_t i = 0; i < n; ++i) {
            const double xi = gen.normal();
            x.push_back(xi);
            y.push_back(t.w_teacher * xi + noise_std * gen.normal());
        }
    };
    draw(c.samples, t.x, t.y);
    draw(c.test_samples, t.x_test, t.y_test);
    return t;
}

double mse(double w1, double w2, const std::vector<double>& x, const std::vector<double>& y) {
    double s = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double r = w2 * w1 * x[i] - y[i];
        s += r * r;
    }
    return s / static_cast<double>(x.size());
}

/// Mean and population standard deviation of per-sample (or per-minibatch) gradients, per layer.
struct gradient_moments {
    double sum[2] = {0, 0}, sum2[2] = {0, 0};
    std::size_t n = 0;
    void add(double g1, double g2) {
        sum[0] += g1, sum[1] += g2;
        sum2[0] += g1 * g1, sum2[1] += g2 * g2;
        ++n;
    }
    double mean(int l) const { return sum[l] / static_cast<double>(n); }
    double sd(int l) const {
        const double m = mean(l);
        return std::sqrt(std::max(0.0, sum2[l] / static_cast<double>(n) - m * m));
    }
};

struct recorded {
    std::size_t epoch;
    double w[2];
    double grad_mean[2], grad_std[2];
    double train_loss, test_loss;
};

/// Trains one network; records at the ibsgd epochs (state at the end of the epoch).
std::vector<recorded> train(const task& t, const settings& c, const std::string& training, std::uint64_t seed,
                            rp::progress& bar) {
    mi::rng init(mi::derive_seed(seed, 2));
    double w1 = c.init_std * init.normal(), w2 = c.init_std * init.normal();
    mi::rng order_gen(mi::derive_seed(seed, 3));
    const auto schedule = mi_examples::engine::ibsgd_epochs(c.epochs);
    std::size_t next = 0;
    std::vector<recorded> out;
    std::vector<std::size_t> order(t.x.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    const double n = static_cast<double>(t.x.size());
    for (std::size_t e = 0; e < c.epochs; ++e) {
        const bool record = next < schedule.size() && schedule[next] == e;
        gradient_moments moments;
        if (training == "sgd") {
            for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[static_cast<std::size_t>(order_gen.below(i))]);
            for (std::size_t k : order) {
                const double r = w2 * w1 * t.x[k] - t.y[k];
                const double g1 = 2 * r * w2 * t.x[k], g2 = 2 * r * w1 * t.x[k];
                if (record) moments.add(g1, g2);  // the epoch's minibatch gradients
                w1 -= c.lr * g1;
                w2 -= c.lr * g2;
            }
        } else {
            double g1 = 0, g2 = 0;
            for (std::size_t k = 0; k < t.x.size(); ++k) {
                const double r = w2 * w1 * t.x[k] - t.y[k];
                g1 += 2 * r * w2 * t.x[k] / n;
                g2 += 2 * r * w1 * t.x[k] / n;
            }
            w1 -= c.lr * g1;
            w2 -= c.lr * g2;
        }
        if (!record) continue;
        ++next;
        bar(e);
        if (training == "gd")  // all training samples at the epoch's (final) weights, not minibatches
            for (std::size_t k = 0; k < t.x.size(); ++k) {
                const double r = w2 * w1 * t.x[k] - t.y[k];
                moments.add(2 * r * w2 * t.x[k], 2 * r * w1 * t.x[k]);
            }
        recorded rec{};
        rec.epoch = e;
        rec.w[0] = w1, rec.w[1] = w2;
        for (int l = 0; l < 2; ++l) rec.grad_mean[l] = moments.mean(l), rec.grad_std[l] = moments.sd(l);
        rec.train_loss = mse(w1, w2, t.x, t.y);
        rec.test_loss = mse(w1, w2, t.x_test, t.y_test);
        out.push_back(rec);
    }
    return out;
}

std::vector<std::string> curve_columns() {
    return {"training", "seed", "epoch", "layer", "weight", "weight_norm", "grad_mean", "grad_std", "snr",
            "log10_snr", "train_loss", "test_loss", "teacher_noise"};
}

// ---- verdicts (from the tables as written) ----------------------------------------------------

using population = rp::runs_judgement;

const char* procedure(const std::string& tr) { return tr == "sgd" ? "SGD, minibatch size 1" : "BGD"; }
const char* panel(const std::string& tr, bool snr) {
    return tr == "sgd" ? (snr ? "Fig. 21C" : "Fig. 21A") : (snr ? "Fig. 21D" : "Fig. 21B");
}

void add_verdicts(rp::verdicts& v, const rp::table& curves, const rp::table& plane) {
    for (const auto& tr : trainings) {
        const rp::table c = curves.where({{"training", tr}});
        if (c.empty()) continue;
        const auto seeds = c.distinct("seed");
        // SNR transition, in every layer.
        bool every = true;
        population weakest;
        double weakest_excess = std::numeric_limits<double>::infinity();
        std::string weakest_layer;
        for (const auto& layer : layer_ids) {
            std::vector<double> drops, thresholds;
            for (const auto& seed : seeds) {
                const std::vector<std::pair<std::string, std::string>> run_layer{{"seed", seed}, {"layer", layer}};
                const auto t = rp::trend_of(rp::course_of(c.where(run_layer), "log10_snr"), 0.5);
                drops.push_back(t.drop());
                thresholds.push_back(t.threshold);
            }
            const population p = rp::judge_runs(drops, thresholds, alpha / 2);
            every = every && p.exceeds;
            if (p.value - p.threshold < weakest_excess) {
                weakest_excess = p.value - p.threshold;
                weakest = p;
                if (!std::isnan(weakest.p_value)) weakest.p_value = std::min(1.0, 2 * weakest.p_value);
                weakest_layer = layer == "0" ? "w1" : "w2";
            }
        }
        v.add({std::string(panel(tr, true)) + " (" + procedure(tr) + "): \"the SNR shows the phase transition\" (high to low)",
               "fall of the smoothed log10 gradient SNR after its peak, decades, layer " + weakest_layer +
                   " (the smaller excess of the two), mean of " + std::to_string(seeds.size()) + " seed(s)",
               weakest.value, weakest.threshold, weakest.p_value, "transition", every ? "transition" : "no transition"});
        // The first layer's weight grows.
        std::vector<double> rises, thresholds;
        for (const auto& seed : seeds) {
            const auto course = rp::course_of(c.where({{"seed", seed}, {"layer", "0"}}), "weight_norm");
            const auto t = rp::trend_of(course);  // threshold at least 2 % of the peak |w1|
            rises.push_back(t.final_value - t.first);
            thresholds.push_back(t.threshold);
        }
        const population w = rp::judge_runs(rises, thresholds, alpha);
        v.add({std::string(panel(tr, false)) + " (" + procedure(tr) + "): \"the weight norm increases over training\"",
               "rise of the smoothed |w1| from its first to its final value, mean of " + std::to_string(seeds.size()) +
                   " seed(s)",
               w.value, w.threshold, w.p_value, "increases", w.exceeds ? "increases" : "does not increase"});
        // No compression of the hidden neuron.
        const rp::table h = plane.where({{"training", tr}, {"layer", "0"}});
        std::vector<double> drops, drop_thresholds;
        for (const auto& seed : seeds) {
            const auto course = rp::course_of(h.where({{"seed", seed}}), "ixt");
            const auto t = rp::trend_of(course);  // exact: at least 2 % of the peak decides
            drops.push_back(t.drop());
            drop_thresholds.push_back(t.threshold);
        }
        const population d = rp::judge_runs(drops, drop_thresholds, alpha);
        v.add({std::string("App. I, Fig. 21 (") + procedure(tr) + "): \"there can be no compression so long as the first "
                   "layer weight increases\"",
               "drop of the smoothed I(X;T) of the hidden neuron after its peak, bits, mean of " +
                   std::to_string(seeds.size()) + " seed(s)",
               d.value, d.threshold, d.p_value, "no compression", d.exceeds ? "compresses" : "no compression"});
    }
}

void print_summary(const rp::table& curves, const rp::table& plane) {
    std::printf("\nmean over seeds: first recorded epoch -> last\n");
    for (const auto& tr : trainings) {
        const rp::table c = curves.where({{"training", tr}}).mean_by({"epoch", "layer"},
                                                                    {"weight_norm", "log10_snr", "train_loss", "test_loss"});
        if (c.empty()) continue;
        const rp::table p = plane.where({{"training", tr}, {"layer", "0"}}).mean_by({"epoch"}, {"ixt", "ity"});
        for (const auto& layer : layer_ids) {
            const auto snr = rp::course_of(c.where({{"layer", layer}}), "log10_snr");
            const auto norm = rp::course_of(c.where({{"layer", layer}}), "weight_norm");
            const auto ts = rp::trend_of(snr);
            std::printf("  %-3s w%s: |w| %.3f -> %.3f; log10 SNR %.2f -> peak %.2f (epoch %.0f) -> %.2f\n", tr.c_str(),
                        layer == "0" ? "1" : "2", norm.value.front(), norm.value.back(), snr.value.front(), ts.peak,
                        ts.peak_epoch, snr.value.back());
        }
        const auto train = rp::course_of(c.where({{"layer", "0"}}), "train_loss");
        const auto test = rp::course_of(c.where({{"layer", "0"}}), "test_loss");
        const auto ixt = rp::course_of(p, "ixt");
        std::printf("  %-3s train MSE %.3f -> %.3f, test MSE %.3f -> %.3f; I(X;T) hidden %.4f -> %.4f bits\n", tr.c_str(),
                    train.value.front(), train.value.back(), test.value.front(), test.value.back(), ixt.value.front(),
                    ixt.value.back());
    }
}

}  // namespace

int main(int argc, char** argv) {
    try {
        rp::suite s(argc, argv, "linear_snr_transition", usage);
        auto& cli = s.cli();
        settings c;
        c.samples = cli.count("samples", 100);
        c.test_samples = cli.count("test-samples", s.smoke() ? 100 : 1000);
        c.teacher_noise = cli.number("teacher-noise", 1.0);
        c.lr = cli.number("lr", 0.001);
        c.init_std = cli.number("init-std", 0.1);
        c.epochs = cli.count("epochs", s.smoke() ? 300 : 10000);
        c.mi_noise = cli.number("mi-noise", 1.0);
        const std::size_t seeds = s.seeds(s.full() ? 100 : s.smoke() ? 3 : 20);
        s.begin();
        const char* where = "linear_snr_transition";
        if (c.samples < 2) mi::detail::fail(where, "--samples", c.samples, ">= 2");
        if (c.test_samples == 0) mi::detail::fail(where, "--test-samples", c.test_samples, ">= 1");
        if (c.epochs < 2) mi::detail::fail(where, "--epochs", c.epochs, ">= 2");
        if (!(c.teacher_noise >= 0.0)) mi::detail::fail(where, "--teacher-noise", c.teacher_noise, "a variance >= 0");
        if (!(c.lr > 0.0)) mi::detail::fail(where, "--lr", c.lr, "> 0");
        if (!(c.init_std > 0.0)) mi::detail::fail(where, "--init-std", c.init_std, "> 0");
        if (!(c.mi_noise > 0.0)) mi::detail::fail(where, "--mi-noise", c.mi_noise, "a variance > 0");
        std::printf("1-1-1 linear network, teacher w_o ~ N(0,1), sigma_o^2 = %g, P = %zu; lr %g, init N(0, %g^2); "
                    "SGD (batch 1) and BGD, %zu epochs; sigma_MI^2 = %g; %zu seed(s)\n",
                    c.teacher_noise, c.samples, c.lr, c.init_std, c.epochs, c.mi_noise, seeds);

        struct run {
            std::string training;
            std::uint64_t seed;
        };
        std::vector<run> runs;
        for (const auto& tr : trainings)
            for (auto seed : s.seed_list(seeds)) runs.push_back({tr, seed});
        auto& curves = s.result("curves", curve_columns());
        curves.comment("per recorded epoch (state at its end) and layer (0: w1, input -> hidden; 1: w2, hidden -> output)");
        curves.comment("snr = |grad_mean| / grad_std: SGD over the epoch's single-example gradients, BGD over all "
                       "training samples at the epoch's weights (Saxe et al. App. I); losses are mean squared errors");
        const mi::linear_gaussian lg(c.mi_noise);
        for (const auto& r : s.mine(runs)) {
            const task t = make_task(r.seed, c);
            rp::progress bar(r.training + " seed " + std::to_string(r.seed), c.epochs);
            const auto recs = train(t, c, r.training, r.seed, bar);
            std::vector<mi::trajectory_row> rows;
            const std::vector<double> sx{1.0}, wo{t.w_teacher};
            for (const auto& rec : recs) {
                for (int l = 0; l < 2; ++l) {
                    const double snr = rec.grad_std[l] > 0 ? std::abs(rec.grad_mean[l]) / rec.grad_std[l]
                                                           : std::numeric_limits<double>::quiet_NaN();
                    curves.add({r.training, r.seed, rec.epoch, l, rec.w[l], std::abs(rec.w[l]), rec.grad_mean[l],
                                rec.grad_std[l], snr, snr > 0 ? std::log10(snr) : std::numeric_limits<double>::quiet_NaN(),
                                rec.train_loss, rec.test_loss, c.teacher_noise});
                }
                // the maps from X to the hidden neuron (w1) and to the output (w2 w1)
                const std::vector<double> maps[2] = {{rec.w[0]}, {rec.w[1] * rec.w[0]}};
                for (std::size_t l = 0; l < 2; ++l) {
                    mi::plane_point p;
                    p.ixt = lg.mutual_information(mi::view(maps[l], 1, 1), mi::view(sx, 1, 1));
                    p.ity = c.teacher_noise > 0 ? lg.mutual_information(mi::view(maps[l], 1, 1), mi::view(sx, 1, 1),
                                                                         mi::view(wo, 1, 1), c.teacher_noise)
                                                : std::numeric_limits<double>::quiet_NaN();
                    rows.push_back({static_cast<mi::epoch_t>(rec.epoch), l, p});
                }
            }
            const mi::trajectory traj(lg.name(), lg.parameters(), rows, mi::unit::bits);
            const double ixy = c.teacher_noise > 0
                                   ? 0.5 * std::log2(1.0 + t.w_teacher * t.w_teacher / c.teacher_noise)
                                   : std::numeric_limits<double>::infinity();
            s.result("plane", {}).append(rp::plane_table(
                {traj}, {{"training", r.training}, {"seed", std::to_string(r.seed)}, {"teacher_ixy_bits", rp::cell(ixy).text()}}));
            std::printf("  %s seed %llu: w_o %.3f, w2 w1 %.3f; train MSE %.3f, test MSE %.3f\n", r.training.c_str(),
                        static_cast<unsigned long long>(r.seed), t.w_teacher, recs.back().w[1] * recs.back().w[0],
                        recs.back().train_loss, recs.back().test_loss);
        }
        if (!s.complete()) return 0;
        const rp::table& cv = s.results().at("curves");
        const rp::table& plane = s.results().at("plane");
        print_summary(cv, plane);
        rp::verdicts v;
        add_verdicts(v, cv, plane);
        v.print();
        s.report("verdicts", v.as_table());
        rp::table range;
        for (const auto& bound : plane.distinct("teacher_ixy_bits"))
            range.append(rp::out_of_range(plane.where({{"teacher_ixy_bits", bound}}),
                                          std::numeric_limits<double>::infinity(), std::stod(bound)));
        rp::print_out_of_range(range);
        s.report("out_of_range", range);
        std::printf("\nwrote curves.csv, plane.csv, verdicts.csv, out_of_range.csv to %s\n", s.out().c_str());
        s.plot("linear_snr_transition.py");
    } catch (const mi::error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
