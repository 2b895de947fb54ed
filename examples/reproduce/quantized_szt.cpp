// SPDX-License-Identifier: BSD-3-Clause
// Lorenzen, Igel & Nielsen, "Information Bottleneck: Exact Analysis of
// (Quantized) Neural Networks", ICLR 2022 (arXiv 2106.12912), §4.1 and the
// SYN-Tanh / SYN-ReLU 8-bit information planes of its main body. Abstract:
// "we observed a fitting phase for all layers and a compression phase for
// the output layer in all experiments; the compression in the hidden layers
// was dependent on the type of activation function."
//
// Protocol, from the authors' code (StephanLorenzen/ExactIBAnalysisInQNNs:
// experiment/helpers/quantize.py, IB/experiment.py, IB/models/models.py,
// IB/util/quantization.py, IB/util/estimator.py, IB/models/callbacks.py):
// - data: the SZT task (4096 12-bit patterns, var_u.mat), a stratified
//   80/20 split (sklearn train_test_split(test_size=0.2, stratify=y,
//   random_state=1000); ours: each class shuffled by mi::rng(--split-seed
//   1000) and cut at round(0.8 n_class): 3276 train / 820 test, as sklearn);
// - network 12-10-7-5-4-3-2, hidden tanh or ReLU, softmax output, Keras'
//   default initialisation (the SZT model is built without an initialiser:
//   Glorot uniform weights, zero biases);
// - k = 8 bit quantization-aware training (engine/quantization.hpp): tanh
//   layers' outputs on the batch's own range, float weights; ReLU layers and
//   the softmax output with 8-bit weights and moving-average output ranges;
//   straight-through gradients;
// - Adam, lr 1e-4, batch 256, categorical cross-entropy of the (quantized)
//   output, 8000 epochs; every layer recorded on all 4096 patterns after
//   every 5th epoch (epochs 0, 5, ...; state after the epoch);
// - MI computed exactly by counting distinct rows (mi::exact_counting, bits):
//   I(X;T) = H(T) (H(T|X) = 0 checked: the network is deterministic) and
//   I(T;Y); every layer is also checked to take at most 2^k values;
// - a repetition whose training accuracy is below 0.55 at a recorded epoch
//   >= 1000 is discarded and re-run with another seed (the authors'
//   auto_stop; runs of at most 1000 epochs are never discarded);
// - 50 repetitions per activation (quantize.py's default): --full; default 3.
//
// Verdicts (reproduce/verdict.hpp), from the plane table as written, per
// activation and layer on each run's smoothed course (running median of 5
// records). Exact counting has no estimator noise, so a course's scatter is
// the training's own; the threshold of a change is max(3 sqrt 2 sigma of
// the course's record-to-record differences, log2(N)/N bits (about one input
// changing its value of T, N = 4096), 2 % of the course's peak) (trend_of):
// - "fitting phase for all layers": per run and layer, the rise of the
//   smoothed I(T;Y) from the first record to its peak > threshold; agrees
//   when every (run, layer) with room to rise does (binomial_sf of the count
//   as p). A layer whose I(T;Y) starts within its threshold of H(Y) has no
//   room to rise (an injective layer holds all of H(Y) from the start: the
//   wide tanh layers at 12 bits) and is counted apart, neither fitting nor
//   failing;
// - "compression phase for the output layer in all experiments": per run,
//   the drop of the output layer's I(X;T) after its peak > threshold; the
//   count k of n runs, with binomial_sf(k, n) (the chance of k or more of n
//   under a coin); agrees when k = n;
// - "compression in the hidden layers was dependent on the type of
//   activation": per run, the largest drop of a hidden layer's smoothed
//   I(X;T) after its peak (bits); tanh against ReLU by Welch's t-test
//   (two-sided, 0.05). The statistic also gives where the largest drop is and
//   the mean number of hidden layers per run whose drop exceeds its
//   threshold (that count alone does not separate the activations: ReLU's
//   deep layers dip by 0.2-1 bit, above their 2 % floors, tanh's T5 by 2-4).
//
// Output (--out): plane.csv, curves.csv, verdicts.csv, out_of_range.csv, PNGs
// drawn by examples/plot/quantized_szt.py.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "datasets/szt.hpp"
#include "engine/network.hpp"
#include "engine/quantization.hpp"
#include "engine/trainer.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/random.hpp"
#include "mi/core/samples.hpp"
#include "mi/core/units.hpp"
#include "mi/estimators/exact_counting.hpp"
#include "reproduce/common.hpp"
#include "reproduce/suite.hpp"
#include "reproduce/verdict.hpp"

namespace eng = mi_examples::engine;
namespace ds = mi_examples::datasets;
namespace rp = mi_examples::reproduce;

namespace {

const char* usage =
    "quantized_szt: Lorenzen, Igel & Nielsen 2022 (exact information planes of 8-bit quantized SZT networks, tanh "
    "and ReLU)\n"
    "usage: quantized_szt [options]\n"
    "  --bits K            quantization bits (default 8, paper)\n"
    "  --epochs N          training epochs (default 8000, paper)\n"
    "  --record-every N    record every N-th epoch (default 5, the authors' code for 8000 epochs)\n"
    "  --batch N           batch size (default 256)\n"
    "  --lr X              Adam learning rate (default 1e-4)\n"
    "  --activations LIST  comma-separated hidden activations (default tanh,relu)\n"
    "  --split-seed S      seed of the stratified 80/20 split (default 1000)\n"
    "  (default 3 repetitions per activation; --full 50, quantize.py's default)\n";

constexpr double alpha = 0.05;
constexpr std::size_t hidden_layers = 5;
constexpr double stuck_accuracy = 0.55;  // the authors' auto_stop threshold (IB/models/callbacks.py)
constexpr std::size_t stuck_after = 1000;
constexpr std::size_t max_restarts = 3;

struct settings {
    unsigned bits = 8;
    std::size_t epochs = 8000, record_every = 5, batch = 256, split_seed = 1000;
    double lr = 1e-4;
    std::vector<std::string> activations{"tanh", "relu"};
};

std::vector<std::string> split_list(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        const std::size_t comma = s.find(',', start);
        const std::string item = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!item.empty()) out.push_back(item);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

/// A stratified split: each class's rows shuffled (Fisher-Yates, mi::rng(seed)) and cut at round(0.8 n_class).
ds::szt_split stratified_split(const eng::dataset<float>& all, std::uint64_t seed) {
    ds::szt_split s;
    mi::rng g(seed);
    for (std::uint32_t c = 0; c < 2; ++c) {
        std::vector<std::size_t> rows;
        for (std::size_t i = 0; i < all.n; ++i)
            if (all.labels[i] == c) rows.push_back(i);
        for (std::size_t i = rows.size() - 1; i > 0; --i) std::swap(rows[i], rows[g.below(i + 1)]);
        const auto n_train = static_cast<std::size_t>(std::nearbyint(0.8 * static_cast<double>(rows.size())));
        s.train.insert(s.train.end(), rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(n_train));
        s.test.insert(s.test.end(), rows.begin() + static_cast<std::ptrdiff_t>(n_train), rows.end());
    }
    std::sort(s.train.begin(), s.train.end());
    std::sort(s.test.begin(), s.test.end());
    return s;
}

eng::network_config quantized_szt_network(const std::string& activation, unsigned bits) {
    eng::network_config cfg;
    cfg.inputs = ds::szt_bits;
    cfg.hidden = {10, 7, 5, 4, 3};
    cfg.outputs = 2;
    cfg.hidden_activation = eng::activation::parse(activation);
    cfg.output = eng::output_spec::softmax();
    cfg.hidden_init = eng::init_spec::glorot_uniform();
    cfg.output_init = eng::init_spec::glorot_uniform();
    cfg.quantization = eng::quantization_config::k_bit(bits);
    return cfg;
}

/// Computes each recorded layer's exact plane point at once (the layer's rows are not kept: 1600
/// records of 4096 x 31 floats would be 0.8 GB per run).
struct counting_recorder {
    const mi::samples* samples = nullptr;
    mi::exact_counting estimator;
    struct row {
        std::int64_t epoch;
        std::size_t layer;
        double ixt, ity, distinct;
    };
    std::vector<row> rows;
    void observe(std::int64_t epoch, std::size_t layer, const mi::activation_view<const float>& v) {
        const mi::plane_point p = estimator.point(v, *samples);
        rows.push_back({epoch, layer, mi::to_bits(p.ixt), mi::to_bits(p.ity),
                        static_cast<double>(estimator.patterns(v).groups())});
    }
};

struct run_result {
    std::vector<counting_recorder::row> plane;
    std::vector<eng::epoch_metrics> history;
    std::uint64_t training_seed = 0;
    std::size_t restarts = 0;
    double seconds = 0;
    std::string estimator, parameters;
};

bool stuck(const std::vector<eng::epoch_metrics>& history, std::size_t epochs) {
    if (epochs <= stuck_after) return false;
    for (const auto& m : history)
        if (m.epoch >= stuck_after && m.train_accuracy < stuck_accuracy) return true;
    return false;
}

run_result train_one(const rp::szt_sets& data, const mi::samples& samples, const settings& c,
                     const std::string& activation, std::uint64_t seed) {
    run_result r;
    for (std::size_t attempt = 0;; ++attempt) {
        r.training_seed = attempt == 0 ? seed : mi::derive_seed(seed, 9, attempt);
        eng::network<float> net(quantized_szt_network(activation, c.bits), mi::derive_seed(r.training_seed, 1));
        rp::progress bar(activation + " seed " + std::to_string(seed) + (attempt ? " restart " + std::to_string(attempt) : ""),
                         c.epochs);
        eng::train_options o;
        o.epochs = c.epochs;
        o.batch_size = c.batch;
        o.order = eng::batch_order::shuffled;
        o.optimizer = eng::optimizer_config::adam(c.lr);
        o.seed = mi::derive_seed(r.training_seed, 2);
        for (std::size_t e = 0; e < c.epochs; e += c.record_every) o.record_epochs.push_back(e);
        o.when = eng::record_time::epoch_end;
        o.metrics_every_epoch = false;
        o.gradient_stats = false;
        o.on_epoch = bar.hook();
        counting_recorder rec;
        rec.samples = &samples;
        mi::exact_counting_options eo;
        eo.max_levels = std::size_t(1) << c.bits;  // per-tensor k-bit grids: at most 2^k values per layer
        rec.estimator = mi::exact_counting(eo);
        r.history = eng::train(net, data.train, &data.test, data.all, rec, o);
        r.plane = std::move(rec.rows);
        r.estimator = rec.estimator.name();
        r.parameters = rec.estimator.parameters();
        r.seconds = bar.elapsed();
        r.restarts = attempt;
        if (!stuck(r.history, c.epochs) || attempt == max_restarts) break;
        std::printf("  %s seed %llu: training accuracy below %.2f after epoch %zu; restarting (authors' auto_stop)\n",
                    activation.c_str(), static_cast<unsigned long long>(seed), stuck_accuracy, stuck_after);
    }
    std::printf("  %s seed %llu: %.1f s, %zu restart(s); final train acc %.3f, test acc %.3f\n", activation.c_str(),
                static_cast<unsigned long long>(seed), r.seconds, r.restarts, r.history.back().train_accuracy,
                r.history.back().test_accuracy);
    std::fflush(stdout);
    return r;
}

// ---- verdicts (from the tables as written) ----------------------------------------------------

std::string layer_name(std::size_t l) { return l < hidden_layers ? "T" + std::to_string(l + 1) : "out"; }

struct activation_runs {
    std::vector<std::string> seeds;
    std::size_t layers = 0;
};

void add_verdicts(rp::verdicts& v, const rp::table& plane, double n_all, double h_y_bits) {
    const double resolution = std::log2(n_all) / n_all;
    const auto activations = plane.distinct("activation");
    // Fitting: I(T;Y) rises in every layer of every run that has room to rise.
    {
        std::size_t with_room = 0, fitting = 0, at_bound = 0;
        double worst_excess = std::numeric_limits<double>::infinity(), worst_rise = 0, worst_threshold = 0;
        std::string worst_name = "none", not_fitting;
        for (const auto& a : activations) {
            const rp::table pa = plane.where({{"activation", a}});
            for (const auto& layer : pa.distinct("layer")) {
                const std::string name = a + " " + layer_name(static_cast<std::size_t>(std::stoul(layer)));
                std::size_t flat = 0;
                for (const auto& seed : pa.distinct("seed")) {
                    const auto t = rp::trend_of(rp::course_of(pa.where({{"seed", seed}, {"layer", layer}}), "ity"), resolution);
                    if (t.first > h_y_bits - t.threshold) {  // no room to rise by the threshold
                        ++at_bound;
                        continue;
                    }
                    ++with_room;
                    if (t.rises()) ++fitting;
                    else ++flat;
                    if (t.rise() - t.threshold < worst_excess) {
                        worst_excess = t.rise() - t.threshold;
                        worst_rise = t.rise();
                        worst_threshold = t.threshold;
                        worst_name = name + " seed " + seed;
                    }
                }
                if (flat > 0) not_fitting += (not_fitting.empty() ? "" : ",") + name + " (" + std::to_string(flat) + ")";
            }
        }
        const double p = with_room > 0 ? rp::binomial_sf(fitting, with_room, 0.5) : std::numeric_limits<double>::quiet_NaN();
        v.add({"Abstract, §4: \"we observed a fitting phase for all layers\" (I(T;Y) rises)",
               "(run, layer) whose smoothed I(T;Y) rises from the first record to its peak by more than the threshold: " +
                   std::to_string(fitting) + " of " + std::to_string(with_room) + " with room to rise (" +
                   std::to_string(at_bound) + " start within the threshold of H(Y)); value, threshold: the smallest "
                   "rise (" + worst_name + "), bits; p: binomial tail; not fitting (runs): " +
                   (not_fitting.empty() ? "none" : not_fitting),
               worst_rise, worst_threshold, p, "fits in all layers",
               not_fitting.empty() ? "fits in all layers" : "not in all layers"});
    }
    // Output layer compression in every run.
    {
        std::size_t runs = 0, compressing = 0;
        double drop_sum = 0, threshold_sum = 0;
        for (const auto& a : activations) {
            const rp::table pa = plane.where({{"activation", a}});
            const std::string out_layer = std::to_string(hidden_layers);
            for (const auto& seed : pa.distinct("seed")) {
                const auto t = rp::trend_of(rp::course_of(pa.where({{"seed", seed}, {"layer", out_layer}}), "ixt"), resolution);
                ++runs;
                if (t.falls()) ++compressing;
                drop_sum += t.drop();
                threshold_sum += t.threshold;
            }
        }
        const double p = rp::binomial_sf(compressing, runs, 0.5);
        v.add({"Abstract: \"a compression phase for the output layer in all experiments\"",
               "runs whose output-layer I(X;T) drops after its peak by more than the threshold: " +
                   std::to_string(compressing) + " of " + std::to_string(runs) +
                   " (value, threshold: mean drop and mean threshold, bits; p: binomial tail P(>= k of n | 1/2))",
               drop_sum / static_cast<double>(runs), threshold_sum / static_cast<double>(runs), p,
               "compresses in every run",
               compressing == runs ? "compresses in every run"
                                   : "in " + std::to_string(compressing) + " of " + std::to_string(runs) + " runs"});
    }
    // Hidden-layer compression depends on the activation.
    {
        std::map<std::string, std::vector<double>> largest, counts;
        std::map<std::string, std::string> where_largest;
        for (const auto& a : activations) {
            const rp::table pa = plane.where({{"activation", a}});
            std::map<std::string, std::size_t> layer_of_largest;
            for (const auto& seed : pa.distinct("seed")) {
                double best = 0, n = 0;
                std::size_t best_layer = 0;
                for (std::size_t l = 0; l < hidden_layers; ++l) {
                    const auto t = rp::trend_of(
                        rp::course_of(pa.where({{"seed", seed}, {"layer", std::to_string(l)}}), "ixt"), resolution);
                    if (t.falls()) n += 1;
                    if (t.drop() > best) {
                        best = t.drop();
                        best_layer = l;
                    }
                }
                largest[a].push_back(best);
                counts[a].push_back(n);
                ++layer_of_largest[layer_name(best_layer)];
            }
            for (const auto& [name, k] : layer_of_largest)
                where_largest[a] += (where_largest[a].empty() ? "" : ",") + name + " x" + std::to_string(k);
        }
        if (largest.count("tanh") && largest.count("relu")) {
            const auto& t = largest["tanh"];
            const auto& r = largest["relu"];
            const auto mt = rp::detail::mean_var(t), mr = rp::detail::mean_var(r);
            const double ct = rp::detail::mean_var(counts["tanh"]).first, cr = rp::detail::mean_var(counts["relu"]).first;
            double p;
            if (t.size() < 2 || r.size() < 2) p = std::numeric_limits<double>::quiet_NaN();
            else if (mt.second + mr.second == 0.0) p = mt.first == mr.first ? 1.0 : 0.0;  // no spread: exact
            else p = std::min(1.0, 2.0 * std::min(rp::welch_t(t, r).p_value, rp::welch_t(r, t).p_value));
            const bool differs = std::isnan(p) ? (mt.first != mr.first) : p < alpha;
            char counts_text[160];
            std::snprintf(counts_text, sizeof counts_text, "%.2f (tanh) and %.2f (ReLU)", ct, cr);
            v.add({"Abstract: \"the compression in the hidden layers was dependent on the type of activation function\"",
                   "largest drop of a hidden layer's smoothed I(X;T) after its peak, per run, mean tanh - mean ReLU, bits "
                   "(Welch two-sided p); largest in: tanh " + where_largest["tanh"] + ", ReLU " + where_largest["relu"] +
                   "; hidden layers per run whose drop exceeds its threshold: " + counts_text,
                   mt.first - mr.first, 0.0, p, "depends on the activation",
                   differs ? "depends on the activation" : "same for tanh and ReLU"});
        }
    }
}

void print_summary(const rp::table& plane, const rp::table& curves) {
    for (const auto& a : plane.distinct("activation")) {
        const rp::table acc = curves.where({{"activation", a}, {"layer", "0"}}).mean_by({"epoch"}, {"train_accuracy", "test_accuracy"});
        const auto train = rp::trend_of(rp::course_of(acc, "train_accuracy")), test = rp::trend_of(rp::course_of(acc, "test_accuracy"));
        std::printf("\n%s: accuracy (mean over runs, smoothed) train %.4f, test %.4f at the end\n", a.c_str(),
                    train.final_value, test.final_value);
        const rp::table m = plane.where({{"activation", a}}).mean_by({"epoch", "layer"}, {"ixt", "ity"});
        std::printf("  I(X;T), bits (mean over runs, raw): first -> peak (epoch) -> final; I(T;Y) first -> final\n");
        const auto ixt = rp::layer_courses(m, "ixt"), ity = rp::layer_courses(m, "ity");
        for (std::size_t l = 0; l < ixt.size(); ++l)
            std::printf("  %-4s %6.3f -> %6.3f (%5.0f) -> %6.3f   I(T;Y) %.3f -> %.3f\n", layer_name(l).c_str(),
                        ixt[l].first, ixt[l].peak, ixt[l].peak_epoch, ixt[l].final_value, ity[l].first, ity[l].final_value);
    }
}

}  // namespace

int main(int argc, char** argv) {
    try {
        rp::suite s(argc, argv, "quantized_szt", usage);
        auto& cli = s.cli();
        settings c;
        c.bits = static_cast<unsigned>(cli.count("bits", 8));
        c.epochs = cli.count("epochs", s.smoke() ? 30 : 8000);
        c.record_every = cli.count("record-every", s.smoke() ? 2 : 5);
        c.batch = cli.count("batch", 256);
        c.lr = cli.number("lr", 1e-4);
        c.split_seed = cli.count("split-seed", 1000);
        c.activations = split_list(cli.text("activations", "tanh,relu"));
        const std::size_t seeds = s.seeds(s.full() ? 50 : s.smoke() ? 2 : 3);
        s.begin();
        const char* where = "quantized_szt";
        if (c.bits < 2 || c.bits > 16) mi::detail::fail(where, "--bits", c.bits, "2..16");
        if (c.epochs < 2) mi::detail::fail(where, "--epochs", c.epochs, ">= 2");
        if (c.record_every == 0) mi::detail::fail(where, "--record-every", c.record_every, ">= 1");
        if (c.batch == 0) mi::detail::fail(where, "--batch", c.batch, ">= 1");
        if (!(c.lr > 0)) mi::detail::fail(where, "--lr", c.lr, "> 0");
        if (c.activations.empty()) mi::detail::fail(where, "--activations", "empty", "at least one activation");
        for (const auto& a : c.activations) eng::activation::parse(a);  // rejects unknown names before training

        const auto all = rp::szt_dataset<float>();
        const rp::szt_sets data(stratified_split(all, c.split_seed));
        const mi::samples samples(mi::labels(data.all.labels, 2));
        std::printf("SZT 12-10-7-5-4-3-2, %u-bit quantization-aware training (engine/quantization.hpp), %s; "
                    "%zu train / %zu test (stratified); Adam lr %g, batch %zu, %zu epochs, recorded every %zu; "
                    "exact counting on all %zu patterns; %zu run(s) per activation\n",
                    c.bits, cli.text("activations", "tanh,relu").c_str(), data.train.n, data.test.n, c.lr, c.batch,
                    c.epochs, c.record_every, data.all.n, seeds);

        const std::vector<std::string> tag_names{"activation", "seed", "training_seed", "restarts"};
        auto& curves = s.result("curves", rp::curve_columns(tag_names));
        std::vector<std::string> plane_columns = tag_names;
        for (const char* col : {"estimator", "parameters", "epoch", "layer", "ixt", "ity", "distinct"}) plane_columns.push_back(col);
        auto& plane = s.result("plane", plane_columns);
        struct job {
            std::string activation;
            std::uint64_t seed;
        };
        std::vector<job> jobs;
        for (const auto& a : c.activations)
            for (const auto seed : s.seed_list(seeds)) jobs.push_back({a, seed});
        for (const auto& j : s.mine(jobs)) {
            const auto r = train_one(data, samples, c, j.activation, j.seed);
            const std::vector<std::string> tags{j.activation, std::to_string(j.seed), std::to_string(r.training_seed),
                                                std::to_string(r.restarts)};
            rp::add_curves(curves, tags, r.history);
            for (const auto& row : r.plane)
                plane.add({tags[0], tags[1], tags[2], tags[3], r.estimator, r.parameters, static_cast<double>(row.epoch),
                           static_cast<double>(row.layer), row.ixt, row.ity, row.distinct});
        }
        if (!s.complete()) return 0;
        const rp::table& pt = s.results().at("plane");
        const rp::table& cv = s.results().at("curves");
        print_summary(pt, cv);
        rp::verdicts v;
        const double h_y = rp::label_entropy_bits(data.all.labels);
        add_verdicts(v, pt, static_cast<double>(data.all.n), h_y);
        v.print();
        s.report("verdicts", v.as_table());
        const rp::table range = rp::out_of_range(pt, std::log2(static_cast<double>(data.all.n)), h_y);
        rp::print_out_of_range(range);
        s.report("out_of_range", range);
        std::printf("\nwrote plane.csv, curves.csv, verdicts.csv, out_of_range.csv to %s\n", s.out().c_str());
        s.plot("quantized_szt.py");
    } catch (const mi::error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
