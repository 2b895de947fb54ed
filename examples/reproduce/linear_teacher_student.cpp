// SPDX-License-Identifier: BSD-3-Clause
// Saxe et al. 2018 ("On the information bottleneck theory of deep learning",
// ICLR 2018), §3, Fig. 3, 4 and 18: deep LINEAR student networks trained on a
// linear teacher, where the mutual information of every layer is exact. The
// claims: (Fig. 3) a linear network trained by SGD shows no compression: the
// I(X;T) of every layer rises and does not fall; (Fig. 4, Fig. 18 for a deeper student)
// when the number of samples P is close to the input dimension N_i the student
// overtrains, its test error rising while the train error keeps falling, and
// nothing of this is visible in the information plane: generalisation and
// compression are not linked.
//
// Protocol. These experiments have no code in the authors' repository
// (artemyk/ibsgd holds only the SZT and MNIST notebooks), so the paper's §3
// and App. G are the only source; where the paper leaves a value open it is
// ours and marked so:
// - teacher (§3): Y = W_o X + eps_o, X ~ N(0, I / N_i), W_o (1 x N_i) with
//   N(0, 1) entries, eps_o ~ N(0, s2_o); N_i = 100 inputs, one output
//   (examples/datasets/synthetic.hpp linear_teacher). N_i = 100 and the
//   student below follow the Fig. 4 setting as we recall its caption (N_i =
//   P = 100, 100 hidden units, batch 5); the paper text was not at hand while
//   this was written. s2_o = 1 is ours: the overtraining needs noisy targets,
//   and the paper's signal-to-noise ratio was not available to us; here
//   ||W_o||^2 / N_i / s2_o is about 1.
// - student: linear hidden layers of N_h = 100 units (1 hidden layer for
//   Fig. 3/4; 3 for the deeper network of Fig. 18, a depth of our choosing),
//   one linear output, NO biases (the teacher and the exact formulas have
//   none; engine optimizer_config::train_biases = false). Small random
//   initial weights, truncated normal sigma = 0.5 / sqrt(fan_in) (ours: at
//   0.1 the 3-hidden-layer student at P = N_i stays on its initial plateau
//   for the whole default run). Mean squared error, plain SGD, batch 5, lr
//   0.01 (the rate is ours). P in {N_i, 4 N_i} by default: P = N_i is the
//   overtraining regime, P = 4 N_i the regime where train and test error
//   fall together. The test set is 1000 draws of the same teacher.
// - information (App. G, mi::linear_gaussian): T_l = W_l ... W_1 X + Z_l with
//   Z_l ~ N(0, s2_MI I) added to each layer for the measurement only (the
//   network is deterministic), s2_MI = 1e-2 (ours; it sets the scale of the
//   axes):
//   I(X;T_l) = 1/2 log|W Sigma_x W^T + s2_MI I| / |s2_MI I| and I(T_l;Y) with
//   Y the noisy teacher output, exact, in bits, every layer and the output.
// - errors: train error = mean squared error on the P samples; test error =
//   the same on the test set; generalisation error = its expectation, eq. 5:
//   tr((W_o - W_tot) Sigma_x (W_o - W_tot)^T) + s2_o (mi::generalization_error
//   with Sigma_x = I / N_i).
// - recording: ibsgd's schedule (every epoch < 20, every 5th < 100, every 20th
//   < 2000, every 100th after), the state at the END of each epoch.
// - seeds: a seed fixes the teacher, the test set and the pool the training
//   samples are drawn from (P samples are the first P of the pool, so a
//   larger P extends a smaller one), the initialisation and the batch order.
//
// Output (--out): plane.csv (hidden_layers, inputs, samples, seed, then
// mi::write_csv's columns), errors.csv (train, test and generalisation
// error), curves.csv (loss, weight norms, gradient SNR at the recorded
// epochs), PNGs drawn by examples/plot/linear_teacher_student.py.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "datasets/synthetic.hpp"
#include "engine/schedule.hpp"
#include "engine/trainer.hpp"
#include "mi/core/units.hpp"
#include "mi/estimators/linear_gaussian.hpp"
#include "mi/plane/trajectory.hpp"
#include "reproduce/common.hpp"
#include "reproduce/linear_maps.hpp"
#include "reproduce/suite.hpp"

namespace eng = mi_examples::engine;
namespace ds = mi_examples::datasets;
namespace rp = mi_examples::reproduce;

namespace {

const char* usage =
    "linear_teacher_student: Saxe et al. 2018 Fig. 3, 4, 18 (deep linear students of a linear teacher, exact MI) "
    "with mi.\n"
    "usage: linear_teacher_student [options]\n"
    "  --inputs N           input dimension N_i (default 100)\n"
    "  --hidden-units N     units per hidden layer N_h (default 100)\n"
    "  --depths A,B         hidden layers per student (default 1,3)\n"
    "  --samples A,B        training samples P (default 100,400; --full 50,100,200,400)\n"
    "  --test-samples N     test set size (default 1000)\n"
    "  --teacher-noise X    variance s2_o of the teacher's output noise (default 1)\n"
    "  --mi-noise X         variance s2_MI of the measurement noise of every layer (default 1e-2)\n"
    "  --init-scale C       initial weights truncated normal C / sqrt(fan_in) (default 0.5)\n"
    "  --lr X               SGD learning rate (default 0.01)\n"
    "  --batch N            mini-batch size, 0 = full batch (default 5)\n"
    "  --epochs N           epochs (default 1000; --full 5000)\n"
    "  (default 1 seed; --full 5)\n";

struct settings {
    std::size_t inputs = 100, hidden_units = 100, test_samples = 1000, batch = 5, epochs = 1000;
    std::vector<std::size_t> depths, samples;
    double teacher_noise = 1.0, mi_noise = 1e-2, init_scale = 0.5, lr = 0.01;
};

std::vector<std::size_t> parse_counts(const std::string& list, const char* option) {
    std::vector<std::size_t> out;
    std::size_t start = 0;
    while (start <= list.size()) {
        const auto comma = list.find(',', start);
        const std::string item = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!item.empty()) {
            char* end = nullptr;
            const unsigned long long v = std::strtoull(item.c_str(), &end, 10);
            if (*end != '\0' || item[0] == '-' || v == 0)
                mi::detail::fail("linear_teacher_student", option, item, "a comma-separated list of integers >= 1");
            out.push_back(static_cast<std::size_t>(v));
        }
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    if (out.empty()) mi::detail::fail("linear_teacher_student", option, list, "at least one value");
    return out;
}

void check(const settings& c) {
    const char* where = "linear_teacher_student";
    if (c.inputs == 0) mi::detail::fail(where, "--inputs", c.inputs, ">= 1");
    if (c.hidden_units == 0) mi::detail::fail(where, "--hidden-units", c.hidden_units, ">= 1");
    if (c.test_samples == 0) mi::detail::fail(where, "--test-samples", c.test_samples, ">= 1");
    if (c.epochs == 0) mi::detail::fail(where, "--epochs", c.epochs, ">= 1");
    if (!(c.teacher_noise >= 0.0)) mi::detail::fail(where, "--teacher-noise", c.teacher_noise, "a variance >= 0");
    if (!(c.mi_noise > 0.0)) mi::detail::fail(where, "--mi-noise", c.mi_noise, "a variance > 0 (else I(X;T) is infinite)");
    if (!(c.init_scale > 0.0)) mi::detail::fail(where, "--init-scale", c.init_scale, "a scale > 0");
    if (!(c.lr > 0.0)) mi::detail::fail(where, "--lr", c.lr, "a learning rate > 0");
}

/// Row-major matrix with its shape, in double (the products and the estimator work in double).
struct matrix {
    std::size_t rows = 0, cols = 0;
    std::vector<double> v;
};

/// What the information needs of the teacher: W_o, Sigma_x = I / N_i and s2_o.
struct teacher_model {
    matrix w;
    std::vector<double> input_covariance;
    double noise_variance = 0;
};

teacher_model make_teacher_model(const ds::teacher_task<float>& task, std::size_t inputs, double noise_variance) {
    teacher_model t;
    t.w = {task.teacher.size() / inputs, inputs, task.teacher};
    t.input_covariance.assign(inputs * inputs, 0.0);
    for (std::size_t i = 0; i < inputs; ++i) t.input_covariance[i * inputs + i] = 1.0 / static_cast<double>(inputs);
    t.noise_variance = noise_variance;
    return t;
}

struct run {
    std::size_t hidden_layers, samples;
    std::uint64_t seed;
};

std::vector<std::pair<std::string, std::string>> tags(const run& r, const settings& c) {
    return {{"hidden_layers", std::to_string(r.hidden_layers)},
            {"inputs", std::to_string(c.inputs)},
            {"samples", std::to_string(r.samples)},
            {"seed", std::to_string(r.seed)}};
}

std::vector<std::string> tag_names() { return {"hidden_layers", "inputs", "samples", "seed"}; }

std::vector<std::string> tag_values(const run& r, const settings& c) {
    std::vector<std::string> v;
    for (const auto& kv : tags(r, c)) v.push_back(kv.second);
    return v;
}

// Test set first, then the training pool: for one seed every condition shares the teacher and the
// test set, and the P training samples are the first P of the pool.
struct split_task {
    ds::teacher_task<float> all;
    eng::dataset<float> train, test;
};

split_task make_task(const run& r, const settings& c) {
    split_task t;
    t.all = ds::linear_teacher<float>(c.test_samples + r.samples, c.inputs, 1, std::sqrt(c.teacher_noise),
                                      mi::derive_seed(r.seed, 1));
    std::vector<std::size_t> test_rows, train_rows;
    for (std::size_t i = 0; i < c.test_samples; ++i) test_rows.push_back(i);
    for (std::size_t i = 0; i < r.samples; ++i) train_rows.push_back(c.test_samples + i);
    t.test = t.all.data.subset(test_rows);
    t.train = t.all.data.subset(train_rows);
    return t;
}

eng::network<float> linear_student(const run& r, const settings& c) {
    eng::network_config cfg;
    cfg.inputs = c.inputs;
    cfg.hidden.assign(r.hidden_layers, c.hidden_units);
    cfg.outputs = 1;
    cfg.hidden_activation = eng::activation::linear();
    cfg.output = eng::output_spec::mse();
    cfg.hidden_init = eng::init_spec::truncated_normal_fan_in(c.init_scale);
    return eng::network<float>(cfg, mi::derive_seed(r.seed, 2, r.hidden_layers));
}

/// The exact plane point of every layer and the generalisation error of the current weights.
struct exact_state {
    std::vector<mi::plane_point> layers;
    double generalization_error = 0;
};

exact_state measure(const eng::network<float>& net, const teacher_model& t, const mi::linear_gaussian& est) {
    exact_state s;
    const auto sx = mi::view(t.input_covariance, t.w.cols, t.w.cols);
    const auto wo = mi::view(t.w.v, t.w.rows, t.w.cols);
    const auto maps = rp::layer_maps(net);
    for (std::size_t l = 0; l < maps.size(); ++l) {
        const auto w = mi::view(maps[l], net.at(l).out, net.inputs());
        mi::plane_point p;
        p.ixt = est.mutual_information(w, sx);
        p.ity = est.mutual_information(w, sx, wo, t.noise_variance);
        s.layers.push_back(p);
    }
    s.generalization_error =
        mi::generalization_error(wo, mi::view(maps.back(), net.outputs(), net.inputs()), sx, t.noise_variance);
    return s;
}

struct run_result {
    std::vector<eng::epoch_metrics> history;
    std::vector<std::size_t> epochs;  // recorded
    std::vector<exact_state> states;  // per recorded epoch
    mi::trajectory plane;
};

run_result train_student(const run& r, const settings& c, const split_task& task, rp::progress& bar) {
    const teacher_model teacher = make_teacher_model(task.all, c.inputs, c.teacher_noise);
    const mi::linear_gaussian est(c.mi_noise);
    auto net = linear_student(r, c);
    const auto schedule = eng::ibsgd_epochs(c.epochs);
    run_result out;
    eng::train_options o;
    o.epochs = c.epochs;
    o.batch_size = c.batch;
    o.order = eng::batch_order::shuffled;
    o.optimizer = eng::optimizer_config::sgd(c.lr);
    o.optimizer.train_biases = false;
    o.seed = mi::derive_seed(r.seed, 3, r.hidden_layers, r.samples);
    o.when = eng::record_time::epoch_end;
    // Metrics (train and test error) only at the recorded epochs: evaluating 1000 test
    // samples every epoch would cost more than the training itself.
    o.record_epochs = schedule;
    o.metrics_every_epoch = false;
    // called after a recorded epoch's updates: the weights its epoch_end row describes
    o.on_epoch = [&](const eng::epoch_metrics& m) {
        bar(m.epoch);
        out.epochs.push_back(m.epoch);
        out.states.push_back(measure(net, teacher, est));
    };
    eng::null_recorder none;  // the information comes from the weights, not from activations
    out.history = eng::train(net, task.train, &task.test, task.train, none, o);
    std::vector<mi::trajectory_row> rows;
    for (std::size_t i = 0; i < out.epochs.size(); ++i)
        for (std::size_t l = 0; l < out.states[i].layers.size(); ++l)
            rows.push_back({static_cast<mi::epoch_t>(out.epochs[i]), l, out.states[i].layers[l]});
    out.plane = mi::trajectory(est.name(), est.parameters(), std::move(rows), mi::unit::bits);
    return out;
}

void add_errors(rp::table& errors, const run& r, const settings& c, const run_result& res) {
    for (std::size_t i = 0; i < res.epochs.size(); ++i) {
        const auto& m = res.history.at(i);
        std::vector<rp::cell> row;
        for (const auto& v : tag_values(r, c)) row.emplace_back(v);
        for (rp::cell x : {rp::cell(m.epoch), rp::cell(m.train_loss), rp::cell(m.test_loss),
                           rp::cell(res.states[i].generalization_error), rp::cell(c.teacher_noise)})
            row.push_back(x);
        errors.add(std::move(row));
    }
}

// --- summary -----------------------------------------------------------------------------------

struct error_course {
    double train_final = 0, eg_min = std::numeric_limits<double>::infinity(), eg_min_epoch = 0,
           eg_final = 0, test_final = 0;
    double overtraining() const { return eg_final - eg_min; }
};

error_course error_summary(const rp::table& t) {
    error_course e;
    double last = -1;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const double epoch = t.number(i, "epoch"), eg = t.number(i, "generalization_error");
        if (eg < e.eg_min) e.eg_min = eg, e.eg_min_epoch = epoch;
        if (epoch > last) {
            last = epoch;
            e.eg_final = eg;
            e.train_final = t.number(i, "train_error");
            e.test_final = t.number(i, "test_error");
        }
    }
    return e;
}

// The largest fall of a layer's I(X;T) below its running maximum: compression, if > 0.
double largest_fall(const rp::table& t, std::size_t layer, const char* column) {
    double best = -std::numeric_limits<double>::infinity(), fall = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (static_cast<std::size_t>(t.number(i, "layer")) != layer) continue;
        const double v = t.number(i, column);
        best = std::max(best, v);
        fall = std::max(fall, best - v);
    }
    return fall;
}

void print_summary(const rp::table& plane, const rp::table& errors, const settings& c) {
    const rp::table em = errors.mean_by({"hidden_layers", "samples", "epoch"},
                                        {"train_error", "test_error", "generalization_error"});
    const rp::table pm = plane.mean_by({"hidden_layers", "samples", "epoch", "layer"}, {"ixt", "ity"});
    std::printf("\nerrors (mean over seeds; generalisation error = eq. 5, its floor is s2_o = %g)\n", c.teacher_noise);
    std::printf("  %-7s %6s %10s %10s %10s %9s %10s %12s  %s\n", "hidden", "P", "train end", "test end", "E_g min",
                "at epoch", "E_g end", "overtraining", "paper");
    for (const auto& depth : em.distinct("hidden_layers"))
        for (const auto& p : em.where({{"hidden_layers", depth}}).distinct("samples")) {
            const auto e = error_summary(em.where({{"hidden_layers", depth}, {"samples", p}}));
            const double ratio = std::stod(p) / static_cast<double>(c.inputs);
            // overtraining: the final excess error (above the noise floor) 1.5 times its minimum or more
            const bool overtrains = e.eg_final - c.teacher_noise > 1.5 * (e.eg_min - c.teacher_noise);
            std::printf("  %-7s %6s %10.4f %10.4f %10.4f %9.0f %10.4f %12.4f  %s (%s)\n", depth.c_str(), p.c_str(),
                        e.train_final, e.test_final, e.eg_min, e.eg_min_epoch, e.eg_final, e.overtraining(),
                        overtrains ? "overtrains" : "no overtraining",
                        ratio <= 1.5 ? "paper, P ~ N_i: overtrains" : "paper, P >> N_i: errors fall together");
        }
    std::printf("\ninformation plane, bits (mean over seeds): final values and the largest fall of each curve below "
                "its running maximum (compression if > 0; paper: none)\n");
    std::printf("  %-7s %6s %-6s %10s %10s %10s %10s\n", "hidden", "P", "layer", "I(X;T)", "fall", "I(T;Y)", "fall");
    double worst = 0, worst_relative = 0;
    for (const auto& depth : pm.distinct("hidden_layers"))
        for (const auto& p : pm.where({{"hidden_layers", depth}}).distinct("samples")) {
            const rp::table t = pm.where({{"hidden_layers", depth}, {"samples", p}});
            const auto ixt = rp::layer_courses(t, "ixt"), ity = rp::layer_courses(t, "ity");
            for (std::size_t l = 0; l < ixt.size(); ++l) {
                const double fx = largest_fall(t, ixt[l].layer, "ixt"), fy = largest_fall(t, ity[l].layer, "ity");
                if (fx > worst) worst = fx, worst_relative = fx / ixt[l].peak;
                const std::string name = l + 1 < ixt.size() ? "T" + std::to_string(l + 1) : "out";
                std::printf("  %-7s %6s %-6s %10.3f %10.4f %10.3f %10.4f\n", depth.c_str(), p.c_str(), name.c_str(),
                            ixt[l].final_value, fx, ity[l].final_value, fy);
            }
        }
    std::printf("  largest fall of I(X;T) below its running maximum: %.4f bits, %.1f%% of that maximum (Saxe et al. "
                "Fig. 3/4/18: no compression in linear networks; %s)\n",
                worst, 100.0 * worst_relative, worst_relative < 0.1 ? "agrees: no compression phase" : "a fall: see the figure");
    std::printf("\noutput layer I(T;Y) against overtraining (paper: the information plane does not show it)\n");
    for (const auto& depth : pm.distinct("hidden_layers"))
        for (const auto& p : pm.where({{"hidden_layers", depth}}).distinct("samples")) {
            const rp::table t = pm.where({{"hidden_layers", depth}, {"samples", p}});
            const auto ity = rp::layer_courses(t, "ity");
            const auto& out = ity.back();
            const auto e = error_summary(em.where({{"hidden_layers", depth}, {"samples", p}}));
            std::printf("  %s hidden, P %s: I(T;Y) peak %.3f bits at epoch %.0f, final %.3f; E_g minimum at epoch "
                        "%.0f, E_g end / min %.2f\n",
                        depth.c_str(), p.c_str(), out.peak, out.peak_epoch, out.final_value, e.eg_min_epoch,
                        e.eg_final / e.eg_min);
        }
}

}  // namespace

int main(int argc, char** argv) {
    try {
        rp::suite s(argc, argv, "linear_teacher_student", usage);
        auto& cli = s.cli();
        settings c;
        c.inputs = cli.count("inputs", s.smoke() ? 20 : 100);
        c.hidden_units = cli.count("hidden-units", s.smoke() ? 20 : 100);
        c.depths = parse_counts(cli.text("depths", "1,3"), "--depths");
        c.samples = parse_counts(cli.text("samples", s.full() ? "50,100,200,400" : s.smoke() ? "20,80" : "100,400"),
                                 "--samples");
        c.test_samples = cli.count("test-samples", s.smoke() ? 200 : 1000);
        c.teacher_noise = cli.number("teacher-noise", 1.0);
        c.mi_noise = cli.number("mi-noise", 1e-2);
        c.init_scale = cli.number("init-scale", 0.5);
        c.lr = cli.number("lr", 0.01);
        c.batch = cli.count("batch", 5);
        c.epochs = cli.count("epochs", s.full() ? 5000 : s.smoke() ? 30 : 1000);
        const std::size_t seeds = s.seeds(s.full() ? 5 : 1);
        s.begin();
        check(c);
        std::printf("linear teacher N_i = %zu -> 1, s2_o = %g; linear students with %zu-unit hidden layers, SGD lr %g, "
                    "batch %zu, %zu epochs, no biases; exact MI with s2_MI = %g; %zu seed(s)\n",
                    c.inputs, c.teacher_noise, c.hidden_units, c.lr, c.batch, c.epochs, c.mi_noise, seeds);

        std::vector<run> runs;
        for (auto depth : c.depths)
            for (auto p : c.samples)
                for (auto seed : s.seed_list(seeds)) runs.push_back({depth, p, seed});
        auto& errors = s.result("errors", [] {
            auto cols = tag_names();
            for (const char* n : {"epoch", "train_error", "test_error", "generalization_error", "teacher_noise"})
                cols.emplace_back(n);
            return cols;
        }());
        errors.comment("mean squared errors; generalization_error = Saxe et al. eq. 5 with Sigma_x = I/N_i; "
                       "teacher_noise = s2_o, its floor");
        auto& curves = s.result("curves", rp::curve_columns(tag_names()));
        for (const auto& r : s.mine(runs)) {
            const auto task = make_task(r, c);
            const std::string label =
                std::to_string(r.hidden_layers) + " hidden, P " + std::to_string(r.samples) + ", seed " +
                std::to_string(r.seed);
            rp::progress bar(label, c.epochs);
            const auto res = train_student(r, c, task, bar);
            rp::add_curves(curves, tag_values(r, c), res.history);
            add_errors(errors, r, c, res);
            s.result("plane", {}).append(rp::plane_table({res.plane}, tags(r, c)));
            const auto& last = res.history.back();
            std::printf("  %s: %.1f s; train %.4f, test %.4f, E_g %.4f\n", label.c_str(), bar.elapsed(),
                        last.train_loss, last.test_loss, res.states.back().generalization_error);
            std::fflush(stdout);
        }
        if (!s.complete()) return 0;
        std::printf("\nSaxe et al. 2018 Fig. 3/4/18: linear students show no compression; at P ~ N_i they overtrain "
                    "(test error rises late) and the information plane does not show it.\n");
        print_summary(s.results().at("plane"), s.results().at("errors"), c);
        std::printf("\nwrote plane.csv, errors.csv, curves.csv to %s\n", s.out().c_str());
        s.plot("linear_teacher_student.py");
    } catch (const mi::error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
