// SPDX-License-Identifier: BSD-3-Clause
// Saxe et al. 2018 ("On the information bottleneck theory of deep learning",
// ICLR 2018), §2, Fig. 2C/D and Fig. 13: the minimal model. One hidden unit
// h = f(w x) with x ~ N(0, 1) and T = bin(h): T is a deterministic function of
// X, so the binned I(T;X) = H(T) (eq. 3), a sum of Gaussian masses (eq. 4).
// The claim: with tanh, H(T) rises with the weight and then FALLS, because
// saturation pushes the mass of h into the end bins (Fig. 2C); with ReLU it
// keeps rising (Fig. 2D). "Compression" under binning is a property of the
// nonlinearity, not of learning. Fig. 13: binning the NET INPUT u = w x
// instead of h removes the difference: the curve no longer depends on f, so
// tanh and ReLU behave alike.
//
// Protocol. The authors' repository (artemyk/ibsgd, branch iclr2018) holds
// only the SZT and MNIST notebooks; the minimal model is not in it, so the
// paper's §2 is the only source and is followed here:
// - exact curves (table exact): I(T;X) = H(T) in bits on a grid of w, computed
//   by mi::minimal_model (eq. 4, no sampling), for f = tanh and ReLU, binning
//   the output h (Fig. 2C/D) or the net input u = w x (Fig. 13).
// - bins: "30 bins evenly spaced between -1 and 1" (mi::uniform(30, -1, 1),
//   values outside clipped into the end bins), the paper's rule for the tanh
//   unit; and ibsgd's rule floor(h / 0.07) (simplebinmi.py,
//   bin_calc_information2, binsize 0.07 on SZT; mi::fixed_width(0.07)),
//   unbounded, which is what a ReLU unit needs: its values are not confined
//   to [-1, 1], and on a bounded range every value above the top edge shares
//   one bin, which would make ReLU "compress" for the same reason tanh does.
//   Both rules are computed for both units (and for the net input), so the
//   figure shows that the ReLU panel's monotone rise needs the unbounded rule
//   and that the tanh fall does not depend on the rule.
// - cross-check (table sampled): the plug-in binning estimator (mi::binning)
//   on N draws of x, beside the exact value, for a few w and several seeds.
// - the three-neuron network of Fig. 2A (x -> h = f(w x) -> y = v h). The paper
//   draws it and computes I(T;X) as a function of w; it shows no training run.
//   We add one so that the curve is traversed by learning: the student starts
//   at w = 0.1, v = 1 and learns the teacher y = f(8 x) (mean squared error,
//   full-batch Adam lr 0.05, as Adam is what the papers' SZT code trains with,
//   on 1024 inputs drawn as 512 +-x pairs, a sample as symmetric as N(0, 1)
//   itself), so w grows from 0.1 towards 8
//   (tanh), or w and v share the growth of v w (ReLU). The biases are frozen
//   at 0 (engine optimizer_config::train_biases = false): the paper's unit has
//   none, and a trained ReLU bias rises to ~0.9 while the teacher's mean is
//   fitted and then decays, which moves H(T) off the b = 0 curve. Every epoch
//   (state at the START of the epoch: epoch 0 is the initialisation) we
//   record h on the training inputs and give, against |w|, the exact H(T) and
//   the binned estimate on those inputs (tables training and plane).
//
// Output (--out): exact.csv, sampled.csv, training.csv, plane.csv (the
// training runs' binned trajectories, rp::plane_table), PNGs drawn by
// examples/plot/minimal_model.py. Seeds drive the sampled cross-check (draws)
// and the training runs (data), each from mi::derive_seed(seed, ...).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "engine/trainer.hpp"
#include "mi/core/random.hpp"
#include "mi/core/units.hpp"
#include "mi/estimators/binning.hpp"
#include "mi/estimators/minimal_model.hpp"
#include "mi/plane/information_plane.hpp"
#include "mi/plane/recording.hpp"
#include "mi/quantizers/bin_edges.hpp"
#include "mi/quantizers/fixed_width.hpp"
#include "mi/quantizers/uniform.hpp"
#include "reproduce/common.hpp"
#include "reproduce/suite.hpp"

namespace eng = mi_examples::engine;
namespace rp = mi_examples::reproduce;

namespace {

const char* usage =
    "minimal_model: Saxe et al. 2018 Fig. 2C/D and 13 (binned I(T;X) of one tanh / ReLU unit vs its weight) with mi.\n"
    "usage: minimal_model [options]\n"
    "  --w-max X          largest weight of the exact curves (default 10)\n"
    "  --w-step X         grid step of the exact curves (default 0.05; --full 0.01)\n"
    "  --sample-w A,B     weights of the sampled cross-check (default 0.5,1,2,4,8)\n"
    "  --draws N          draws of x per sampled estimate (default 10000; --full 100000)\n"
    "  --epochs N         training epochs of the three-neuron network (default 1500; --full 5000)\n"
    "  --train-samples N  training inputs, even (default 1024)\n"
    "  --teacher-w X      teacher weight w* of y = f(w* x) (default 8)\n"
    "  --w0 X             initial student weight (default 0.1)\n"
    "  --optimizer NAME   adam (default) or gd (full-batch gradient descent)\n"
    "  --lr X             learning rate (default 0.05)\n"
    "  (default 3 seeds; --full 10)\n";

const std::vector<std::string> activations{"tanh", "relu"};
const std::vector<std::string> targets{"output", "net_input"};
const std::vector<std::string> bin_rules{"uniform30", "width0.07"};

// The two bin rules (see the header comment); generic code takes the quantizer.
template <class Fn>
auto with_rule(const std::string& rule, Fn&& fn) {
    if (rule == "uniform30") return fn(mi::uniform(30, -1.0, 1.0));
    if (rule == "width0.07") return fn(mi::fixed_width(0.07));
    mi::detail::fail("minimal_model", "bin rule", rule, "uniform30 or width0.07");
}

// The function whose value is binned: f for the output, the identity for the net input.
template <class Fn>
auto with_binned_function(const std::string& activation, const std::string& target, Fn&& fn) {
    if (target == "net_input") return fn(mi::activation::linear{});
    if (activation == "tanh") return fn(mi::activation::tanh{});
    if (activation == "relu") return fn(mi::activation::relu{});
    mi::detail::fail("minimal_model", "activation", activation, "tanh or relu");
}

std::string rule_parameters(const std::string& rule) {
    return with_rule(rule, [](const auto& q) { return q.parameters(); });
}

// The bin rules do not look at the data, so one fit serves every weight.
template <class F, class Q>
double exact_bits(const F& f, const Q& q, double w) {
    const std::vector<double> probe{0.0, 1.0};
    const mi::minimal_model<F, Q> model(f, q);
    return mi::to_bits(model.mutual_information_fitted(w, q.fit(mi::view(probe))));
}

// floor(u / 0.07) as explicit edges k * 0.07 over +-(12 |w| + 1), i.e. beyond 12 sigma of u = w x
// (mass 4e-33, below double rounding of H). Needed because mi::fitted_fixed_width::boundaries(lo, hi)
// returns no boundary for a range across 0 as wide as (-2, 2) (its bisection takes the difference of
// the two doubles' ordered bit patterns in int64, which overflows), so the exact value of the net
// input would be 0; the sampled cross-check bins with mi::fixed_width itself and so checks this route.
mi::bin_edges width_edges(double width, double w) {
    const double reach = 12.0 * std::abs(w) + 1.0;
    const auto k = static_cast<long long>(std::ceil(reach / width));
    std::vector<double> e;
    for (long long j = -k; j <= k; ++j) e.push_back(static_cast<double>(j) * width);
    return mi::bin_edges(e);
}

double exact_bits(const std::string& activation, const std::string& target, const std::string& rule, double w) {
    if (target == "net_input" && rule == "width0.07")
        return exact_bits(mi::activation::linear{}, width_edges(0.07, w), w);
    return with_binned_function(activation, target, [&](const auto& f) {
        return with_rule(rule, [&](const auto& q) { return exact_bits(f, q, w); });
    });
}

std::vector<double> parse_numbers(const std::string& list, const char* option) {
    std::vector<double> out;
    std::size_t start = 0;
    while (start <= list.size()) {
        const auto comma = list.find(',', start);
        const std::string item = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!item.empty()) {
            char* end = nullptr;
            const double v = std::strtod(item.c_str(), &end);
            if (*end != '\0' || !std::isfinite(v) || v < 0.0)
                mi::detail::fail("minimal_model", option, item, "a comma-separated list of finite weights >= 0");
            out.push_back(v);
        }
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    if (out.empty()) mi::detail::fail("minimal_model", option, list, "at least one weight");
    return out;
}

struct settings {
    double w_max = 10.0, w_step = 0.05;
    std::vector<double> sample_w;
    std::size_t draws = 10000;
    std::size_t epochs = 1500, train_samples = 1024;
    double teacher_w = 8.0, w0 = 0.1, lr = 0.05;
    std::string optimizer = "adam";
};

void check(const settings& c) {
    if (!(c.w_max > 0.0)) mi::detail::fail("minimal_model", "--w-max", c.w_max, "a weight > 0");
    if (!(c.w_step > 0.0 && c.w_step <= c.w_max))
        mi::detail::fail("minimal_model", "--w-step", c.w_step, "a step in (0, w-max]");
    if (c.draws < 2) mi::detail::fail("minimal_model", "--draws", c.draws, ">= 2");
    if (c.epochs == 0) mi::detail::fail("minimal_model", "--epochs", c.epochs, ">= 1");
    if (c.train_samples < 2 || c.train_samples % 2 != 0)
        mi::detail::fail("minimal_model", "--train-samples", c.train_samples, "an even number >= 2 (+-x pairs)");
    if (!(c.teacher_w > 0.0)) mi::detail::fail("minimal_model", "--teacher-w", c.teacher_w, "a weight > 0");
    if (c.optimizer != "gd" && c.optimizer != "adam")
        mi::detail::fail("minimal_model", "--optimizer", c.optimizer, "gd or adam");
    if (!(c.lr > 0.0)) mi::detail::fail("minimal_model", "--lr", c.lr, "a learning rate > 0");
    if (!(c.w0 > 0.0)) mi::detail::fail("minimal_model", "--w0", c.w0, "a weight > 0");
}

// --- exact curves (Fig. 2C/D, 13) -------------------------------------------------------------

rp::table exact_table(const settings& c) {
    rp::table t({"activation", "target", "bins", "w", "ixt"});
    t.comment("exact binned I(T;X) = H(T) of T = bin(f(w x)) (target output) or bin(w x) (target net_input), "
              "x ~ N(0,1), bits (Saxe et al. 2018 eq. 4)");
    for (const auto& rule : bin_rules) t.comment("bins " + rule + ": " + rule_parameters(rule));
    const auto steps = static_cast<std::size_t>(std::floor(c.w_max / c.w_step + 1e-9));
    for (const auto& act : activations)
        for (const auto& target : targets)
            for (const auto& rule : bin_rules)
                for (std::size_t k = 0; k <= steps; ++k) {
                    const double w = static_cast<double>(k) * c.w_step;
                    t.add({act, target, rule, w, exact_bits(act, target, rule, w)});
                }
    return t;
}

// --- sampled cross-check ----------------------------------------------------------------------

std::vector<double> standard_normal_draws(std::size_t n, std::uint64_t seed) {
    mi::rng g(seed);
    std::vector<double> x(n);
    for (auto& v : x) v = g.normal();
    return x;
}

template <class F, class Q>
double sampled_bits(const F& f, const Q& q, double w, const std::vector<double>& x) {
    std::vector<double> h(x.size());
    std::vector<std::uint32_t> sign(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        h[i] = f.value(w * x[i]);
        sign[i] = x[i] > 0.0 ? 1u : 0u;
    }
    const mi::samples s(mi::labels(sign, 2));  // labels only feed I(T;Y), which the model has not
    return mi::to_bits(mi::binning<Q>(q).point(mi::view(h, h.size(), 1), s).ixt);
}

void add_sampled(rp::table& t, const settings& c, std::uint64_t seed) {
    for (const double w : c.sample_w) {
        // one set of draws per (seed, w), seeded by the value of w (not its place in --sample-w) and
        // shared by every curve, so that the curves differ by f and bins only
        std::uint64_t w_bits = 0;
        std::memcpy(&w_bits, &w, sizeof w_bits);
        const auto x = standard_normal_draws(c.draws, mi::derive_seed(seed, 10, w_bits));
        for (const auto& act : activations)
            for (const auto& target : targets)
                for (const auto& rule : bin_rules) {
                    const double sampled = with_binned_function(act, target, [&](const auto& f) {
                        return with_rule(rule, [&](const auto& q) { return sampled_bits(f, q, w, x); });
                    });
                    t.add({act, target, rule, seed, w, c.draws, sampled, exact_bits(act, target, rule, w)});
                }
    }
}

// --- the three-neuron network trained along the curve (Fig. 2A) -----------------------------

double teacher(const std::string& act, double u) { return act == "tanh" ? std::tanh(u) : std::max(u, 0.0); }

eng::dataset<float> teacher_data(const std::string& act, const settings& c, std::uint64_t seed) {
    eng::dataset<float> d;
    d.n = c.train_samples;
    d.d = 1;
    d.k = 1;
    mi::rng g(seed);
    for (std::size_t i = 0; i < c.train_samples / 2; ++i) {
        const double x = g.normal();
        for (const double xi : {x, -x}) {
            d.x.push_back(static_cast<float>(xi));
            d.targets.push_back(static_cast<float>(teacher(act, c.teacher_w * xi)));
        }
    }
    return d;
}

eng::network<float> three_neuron_network(const std::string& act, const settings& c) {
    eng::network_config cfg;
    cfg.inputs = 1;
    cfg.hidden = {1};
    cfg.outputs = 1;
    cfg.hidden_activation = eng::activation::parse(act);
    cfg.output = eng::output_spec::mse();
    cfg.hidden_init = eng::init_spec::zeros();
    eng::network<float> net(cfg, 0);
    net.set_layer(0, {static_cast<float>(c.w0)}, {0.0f});
    net.set_layer(1, {1.0f}, {0.0f});
    return net;
}

struct trained {
    std::vector<eng::epoch_metrics> history;
    std::vector<mi::trajectory> binned;  // one per bin rule, in bin_rules order
};

trained train_three_neuron(const std::string& act, const settings& c, std::uint64_t seed, rp::progress& bar) {
    const auto data = teacher_data(act, c, mi::derive_seed(seed, 20));
    auto net = three_neuron_network(act, c);
    eng::train_options o;
    o.epochs = c.epochs;
    o.batch_size = 0;
    o.optimizer = c.optimizer == "adam" ? eng::optimizer_config::adam(c.lr) : eng::optimizer_config::sgd(c.lr);
    o.optimizer.train_biases = false;  // the paper's unit h = f(w x) has none
    o.seed = mi::derive_seed(seed, 21);
    for (std::size_t e = 0; e < c.epochs; ++e) o.record_epochs.push_back(e);
    o.when = eng::record_time::epoch_start;
    o.gradient_stats = false;
    o.on_epoch = bar.hook();
    std::vector<std::uint32_t> sign;
    for (float x : data.x) sign.push_back(x > 0.0f ? 1u : 0u);
    mi::recording<float> rec(mi::samples(mi::labels(sign, 2)));
    trained out;
    out.history = eng::train(net, data, data, rec, o);
    mi::plane_options po;
    po.output_unit = mi::unit::bits;
    for (const auto& rule : bin_rules)
        out.binned.push_back(with_rule(rule, [&](const auto& q) {
            using Q = std::decay_t<decltype(q)>;
            return mi::information_plane(rec, mi::binning<Q>(q), po);
        }));
    return out;
}

// w is |w|, the hidden layer's weight norm: H(T) depends on |w| only (w x ~ N(0, w^2)).
void add_training(rp::table& t, const std::string& act, std::uint64_t seed, const trained& r) {
    for (std::size_t k = 0; k < bin_rules.size(); ++k)
        for (const auto& m : r.history) {
            const double w = m.weight_norm[0];
            const double binned = r.binned[k].at(static_cast<mi::epoch_t>(m.epoch), 0, mi::unit::bits).ixt;
            t.add({act, bin_rules[k], seed, m.epoch, w, m.weight_norm[1], m.train_loss,
                   exact_bits(act, "output", bin_rules[k], w), binned});
        }
}

// --- summary -----------------------------------------------------------------------------------

struct curve_shape {
    double peak = -1, peak_w = 0, last = 0, last_w = 0;
};

curve_shape shape(const rp::table& t) {
    curve_shape s;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const double w = t.number(i, "w"), v = t.number(i, "ixt");
        if (v > s.peak) s.peak = v, s.peak_w = w;
        if (w >= s.last_w) s.last = v, s.last_w = w;
    }
    return s;
}

const char* paper_shape(const std::string& act, const std::string& target, const std::string& rule) {
    if (target == "net_input") return "same for tanh and ReLU (Fig. 13)";
    if (act == "tanh") return "rises then falls (Fig. 2C)";
    return rule == "width0.07" ? "keeps rising (Fig. 2D)" : "not in the paper (bounded bins)";
}

void print_exact(const rp::table& exact) {
    std::printf("\nexact I(T;X) = H(T) in bits, x ~ N(0,1); falls = final value below the peak by > 0.1 bit\n");
    std::printf("  %-5s %-10s %-10s %8s %8s %9s %8s  %-12s %s\n", "f", "binned", "bins", "peak", "at w", "final",
                "at w", "shape", "paper");
    for (const auto& act : activations)
        for (const auto& target : targets)
            for (const auto& rule : bin_rules) {
                const auto s = shape(exact.where({{"activation", act}, {"target", target}, {"bins", rule}}));
                const bool falls = s.peak - s.last > 0.1;
                std::printf("  %-5s %-10s %-10s %8.3f %8.2f %9.3f %8.2f  %-12s %s\n", act.c_str(), target.c_str(),
                            rule.c_str(), s.peak, s.peak_w, s.last, s.last_w,
                            falls ? "rise, fall" : "keeps rising", paper_shape(act, target, rule));
            }
    double largest = 0;
    for (const auto& rule : bin_rules) {
        const auto a = exact.where({{"activation", "tanh"}, {"target", "net_input"}, {"bins", rule}});
        const auto b = exact.where({{"activation", "relu"}, {"target", "net_input"}, {"bins", rule}});
        for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
            largest = std::max(largest, std::abs(a.number(i, "ixt") - b.number(i, "ixt")));
    }
    std::printf("  net input binned: largest |tanh - ReLU| difference %.3g bits (Fig. 13: they behave alike)\n",
                largest);
}

void print_sampled(const rp::table& sampled) {
    const rp::table m = sampled.mean_by({"activation", "target", "bins", "w"}, {"ixt_sampled", "ixt_exact"});
    std::printf("\nplug-in binning on %s draws (mean over %s seeds) vs exact, bits\n",
                sampled.empty() ? "?" : sampled.text(0, "n").c_str(), m.empty() ? "0" : m.text(0, "n").c_str());
    std::printf("  %-5s %-10s %-10s %6s %9s %9s %8s\n", "f", "binned", "bins", "w", "sampled", "exact", "diff");
    double worst = 0;
    for (std::size_t i = 0; i < m.size(); ++i) {
        const double d = m.number(i, "ixt_sampled") - m.number(i, "ixt_exact");
        worst = std::max(worst, std::abs(d));
        if (m.text(i, "target") != "output") continue;
        std::printf("  %-5s %-10s %-10s %6.2f %9.3f %9.3f %+8.3f\n", m.text(i, "activation").c_str(),
                    m.text(i, "target").c_str(), m.text(i, "bins").c_str(), m.number(i, "w"),
                    m.number(i, "ixt_sampled"), m.number(i, "ixt_exact"), d);
    }
    std::printf("  largest |sampled - exact| over every curve (net input too): %.3f bits "
                "(plug-in bias, about -(bins used - 1) / (2 N ln 2))\n",
                worst);
}

void print_training(const rp::table& training) {
    std::printf("\nthree-neuron network x -> f(w x) -> v h trained on y = f(w* x) (mean over seeds), bits\n");
    std::printf("  %-5s %-10s %7s %7s %10s %8s %10s %8s %9s\n", "f", "bins", "w first", "w last", "peak exact",
                "at w", "final exact", "binned", "max diff");
    const rp::table m = training.mean_by({"activation", "bins", "epoch"}, {"w", "ixt_exact", "ixt_binned"});
    for (const auto& act : activations)
        for (const auto& rule : bin_rules) {
            const rp::table t = m.where({{"activation", act}, {"bins", rule}});
            if (t.empty()) continue;
            double peak = -1, peak_w = 0, worst = 0;
            for (std::size_t i = 0; i < t.size(); ++i) {
                const double v = t.number(i, "ixt_exact");
                if (v > peak) peak = v, peak_w = t.number(i, "w");
                worst = std::max(worst, std::abs(v - t.number(i, "ixt_binned")));
            }
            const std::size_t last = t.size() - 1;
            std::printf("  %-5s %-10s %7.2f %7.2f %10.3f %8.2f %10.3f %8.3f %9.3f\n", act.c_str(), rule.c_str(),
                        t.number(0, "w"), t.number(last, "w"), peak, peak_w, t.number(last, "ixt_exact"),
                        t.number(last, "ixt_binned"), worst);
        }
}

}  // namespace

int main(int argc, char** argv) {
    try {
        rp::suite s(argc, argv, "minimal_model", usage);
        auto& cli = s.cli();
        settings c;
        c.w_max = cli.number("w-max", 10.0);
        c.w_step = cli.number("w-step", s.full() ? 0.01 : s.smoke() ? 0.5 : 0.05);
        c.sample_w = parse_numbers(cli.text("sample-w", s.smoke() ? "1,4" : "0.5,1,2,4,8"), "--sample-w");
        c.draws = cli.count("draws", s.full() ? 100000 : s.smoke() ? 2000 : 10000);
        c.epochs = cli.count("epochs", s.full() ? 5000 : s.smoke() ? 60 : 1500);
        c.train_samples = cli.count("train-samples", s.smoke() ? 256 : 1024);
        c.teacher_w = cli.number("teacher-w", 8.0);
        c.w0 = cli.number("w0", 0.1);
        c.optimizer = cli.text("optimizer", "adam");
        c.lr = cli.number("lr", 0.05);
        const std::size_t seeds = s.seeds(s.full() ? 10 : s.smoke() ? 1 : 3);
        s.begin();
        check(c);
        std::printf("minimal model h = f(w x), x ~ N(0,1): exact curves w = 0..%g step %g; sampled check on %zu draws "
                    "at %zu weights; three-neuron network: %zu epochs, %zu inputs, teacher w* = %g, w0 = %g, "
                    "full-batch %s lr %g, biases frozen at 0; %zu seed(s)\n",
                    c.w_max, c.w_step, c.draws, c.sample_w.size(), c.epochs, c.train_samples, c.teacher_w, c.w0,
                    c.optimizer.c_str(), c.lr, seeds);

        struct run {
            std::string kind, activation;
            std::uint64_t seed;
        };
        std::vector<run> runs{{"exact", "", 0}};
        for (auto seed : s.seed_list(seeds)) {
            runs.push_back({"sampled", "", seed});
            for (const auto& act : activations) runs.push_back({"training", act, seed});
        }
        auto& sampled = s.result("sampled", {"activation", "target", "bins", "seed", "w", "n", "ixt_sampled",
                                             "ixt_exact"});
        auto& training = s.result("training", {"activation", "bins", "seed", "epoch", "w", "v", "train_loss",
                                               "ixt_exact", "ixt_binned"});
        s.result("exact", {"activation", "target", "bins", "w", "ixt"});
        for (const auto& r : s.mine(runs)) {
            if (r.kind == "exact") {
                s.result("exact", {}) = exact_table(c);
            } else if (r.kind == "sampled") {
                add_sampled(sampled, c, r.seed);
            } else {
                rp::progress bar(r.activation + " seed " + std::to_string(r.seed), c.epochs);
                const auto t = train_three_neuron(r.activation, c, r.seed, bar);
                add_training(training, r.activation, r.seed, t);
                s.result("plane", {}).append(rp::plane_table(t.binned, {{"activation", r.activation},
                                                                        {"seed", std::to_string(r.seed)}}));
                const auto& last = t.history.back();
                std::printf("  %s seed %llu: %.1f s; epoch %zu: |w| %.3f, |v| %.3f, loss %.3g\n", r.activation.c_str(),
                            static_cast<unsigned long long>(r.seed), bar.elapsed(), last.epoch, last.weight_norm[0],
                            last.weight_norm[1], last.train_loss);
                std::fflush(stdout);
            }
        }
        if (!s.complete()) return 0;
        const auto& res = s.results();
        std::printf("\nSaxe et al. 2018 Fig. 2C/D: binned I(T;X) of a tanh unit rises then falls with w; a ReLU "
                    "unit's keeps rising. Fig. 13: binning the net input, tanh and ReLU alike.\n");
        print_exact(res.at("exact"));
        print_sampled(res.at("sampled"));
        print_training(res.at("training"));
        std::printf("\nwrote exact.csv, sampled.csv, training.csv, plane.csv to %s\n", s.out().c_str());
        s.plot("minimal_model.py");
    } catch (const mi::error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
