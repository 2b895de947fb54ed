// SPDX-License-Identifier: BSD-3-Clause
// Saxe et al. 2018 ("On the information bottleneck theory of deep learning"),
// Fig. 1A/B: the SZT network 12-10-7-5-4-3-2 trained with tanh and with ReLU
// hidden layers; with the binning estimator the tanh network's deeper layers
// first gain and then lose I(X;T) (the "compression phase" of Shwartz-Ziv &
// Tishby 2017), while the ReLU network's do not compress. The same runs are
// measured with the Kolchinsky-Tracey KDE bounds and the Kozachenko-Leonenko
// entropy (the paper's Fig. 8 and 12), and softsign and softplus networks are
// trained on request (--activations, Fig. 8C/D and 11).
//
// Protocol (artemyk/ibsgd, branch iclr2018, IBnet_SaveActivations.ipynb and
// IBnet_ComputeMI.ipynb):
// - data: all 4096 SZT patterns; ONE random 80/20 split (3277 train / 819
//   test) shared by every run (ibsgd caches one split file; its seed is not
//   published, ours is --split-seed); labels are class ids (y itself).
// - network: hidden 10-7-5-4-3, softmax output of 2 units; hidden weights
//   truncated normal sigma = 1/sqrt(fan_out) (this layer's width, ibsgd's
//   Keras TruncatedNormal(stddev=1/sqrt(n))), output layer Glorot uniform,
//   biases 0.
// - training: Adam lr 4e-4, batch 256 reshuffled every epoch (the last
//   partial batch of 205 kept), mean categorical cross-entropy, float32.
// - recording: ibsgd's schedule (every epoch < 20, every 5th < 100, every
//   20th < 2000, every 100th after), at the END of each epoch (epoch 0 =
//   after one epoch), every layer including the softmax output, on all 4096
//   inputs.
// - MI, in bits: binning with IDNNs' 30 edges on [-1, 1] (the Fig. 1A
//   estimator; for ReLU every value >= 1 falls in one bin), 100 bins over the
//   layer's range across all recorded epochs (the Fig. 1B estimator), the KDE
//   upper and lower bounds with noise variance 1e-3 (ibsgd's default plot),
//   and the Kozachenko-Leonenko entropy H(T) with k = 2 (App. B.3; the
//   I(X;T) axis is then H(T), I(X;T) up to a constant).
// - seeds: every (activation, seed) is one run (initialisation and batch
//   order derived from the seed); the summary and the figures average over
//   seeds, as the paper averages 50 networks.
//
// Output (--out): plane.csv (tidy: activation, seed, then mi::write_csv's
// columns), curves.csv (learning curves, weight norms, gradient SNR), PNGs
// drawn by examples/plot/szt_tanh_vs_relu.py.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/schedule.hpp"
#include "mi/estimators/binning.hpp"
#include "mi/estimators/kde.hpp"
#include "mi/estimators/kl_entropy.hpp"
#include "mi/kernels/gaussian.hpp"
#include "mi/kernels/noise.hpp"
#include "mi/plane/information_plane.hpp"
#include "mi/quantizers/global_uniform.hpp"
#include "mi/quantizers/uniform.hpp"
#include "reproduce/common.hpp"
#include "reproduce/ibsgd_szt.hpp"
#include "reproduce/suite.hpp"

namespace eng = mi_examples::engine;
namespace rp = mi_examples::reproduce;

namespace {

const char* usage =
    "szt_tanh_vs_relu: Saxe et al. 2018 Fig. 1A/B, 8, 11, 12 (SZT task, tanh vs ReLU, ...) with mi.\n"
    "usage: szt_tanh_vs_relu [options]\n"
    "  --activations A,B  hidden activations (default tanh,relu; --full: tanh,relu,softsign,softplus)\n"
    "  --epochs N         training epochs (default 3000; --full 10000)\n"
    "  --split-seed S     seed of the 80/20 split (default 2017)\n"
    "  --lr X             Adam learning rate (default 4e-4)\n"
    "  --batch N          mini-batch size (default 256)\n"
    "  --no-knn           skip the Kozachenko-Leonenko estimate\n"
    "  (default 1 seed; --full 5 seeds)\n";

struct run {
    std::string activation;
    std::uint64_t seed;
};

// The estimator shown for an activation in the paper's binning panel: IDNNs' bins for the
// saturating activations (Fig. 1A), the 100 bins over the recorded range otherwise (Fig. 1B).
bool saturating(const std::string& act) { return act == "tanh" || act == "softsign"; }

void print_summary(const rp::table& plane, const std::vector<std::string>& activations) {
    const rp::table mean = plane.mean_by({"activation", "estimator", "parameters", "epoch", "layer"},
                                         {"ixt", "ity", "ixt_lower", "ixt_upper"});
    std::printf("\nI(X;T) in bits (Kozachenko-Leonenko: H(T) in bits), averaged over seeds; drop = peak - final\n");
    for (const auto& act : activations) {
        const rp::table a = mean.where({{"activation", act}});
        for (const auto& params : a.distinct("parameters")) {
            const rp::table t = a.where({{"parameters", params}});
            std::printf("\n%s, %s: %s\n", act.c_str(), t.text(0, "estimator").c_str(), params.c_str());
            std::printf("  %-6s %10s %11s %10s %10s %10s\n", "layer", "peak", "peak epoch", "final", "drop",
                        "final ity");
            const auto ity = rp::layer_courses(t, "ity");
            const auto courses = rp::layer_courses(t, "ixt");
            for (std::size_t l = 0; l < courses.size(); ++l) {
                const auto& c = courses[l];
                const std::string name = l + 1 < courses.size() ? "T" + std::to_string(l + 1) : "out";
                std::printf("  %-6s %10.3f %11.0f %10.3f %10.3f %10.3f\n", name.c_str(), c.peak, c.peak_epoch,
                            c.final_value, c.drop(), ity[l].final_value);
            }
        }
    }
    // The paper's claim, tested on the panel estimator of each activation: saturating
    // activations compress in the last hidden layer, the others do not.
    std::printf("\nSaxe et al. Fig. 1: compression (I(X;T) falls after its peak) in the last hidden layer T5\n");
    for (const auto& act : activations) {
        const std::string params =
            saturating(act) ? "quantizer=uniform;convention=idnns;edges=30;lo=-1;hi=1" : "quantizer=global_uniform;bins=100";
        const rp::table t = mean.where({{"activation", act}, {"estimator", "binning"}});
        for (const auto& p : t.distinct("parameters")) {
            if (p.rfind(params, 0) != 0) continue;
            const auto c = rp::layer_courses(t.where({{"parameters", p}}), "ixt");
            const auto& t5 = c.at(c.size() - 2);
            const bool compresses = t5.drop() > 0.5;
            std::printf("  %-9s T5 peak %.2f bits at epoch %.0f, final %.2f: %s (paper: %s)\n", act.c_str(), t5.peak,
                        t5.peak_epoch, t5.final_value, compresses ? "compresses" : "no compression",
                        saturating(act) ? "compresses" : "no compression");
        }
    }
}

void print_accuracy(const rp::table& curves, const std::vector<std::string>& activations) {
    std::printf("\nfinal accuracy (mean over seeds)\n");
    for (const auto& act : activations) {
        const rp::table a = curves.where({{"activation", act}, {"layer", "0"}});
        double last = -1;
        for (std::size_t i = 0; i < a.size(); ++i) last = std::max(last, a.number(i, "epoch"));
        const rp::table m = a.where({{"epoch", rp::cell(static_cast<std::size_t>(last)).text()}})
                                .mean_by({"activation"}, {"train_accuracy", "test_accuracy"});
        std::printf("  %-9s train %.3f, test %.3f (seeds: %s)\n", act.c_str(), m.number(0, "train_accuracy"),
                    m.number(0, "test_accuracy"), m.text(0, "n").c_str());
    }
}

}  // namespace

int main(int argc, char** argv) {
    try {
        rp::suite s(argc, argv, "szt_tanh_vs_relu", usage);
        auto& cli = s.cli();
        const auto activations =
            cli.list("activations", s.full() ? "tanh,relu,softsign,softplus" : "tanh,relu");
        const std::size_t epochs = cli.count("epochs", s.full() ? 10000 : s.smoke() ? 8 : 3000);
        const std::size_t seeds = s.seeds(s.full() ? 5 : 1);
        const std::size_t split_seed = cli.count("split-seed", 2017);
        const double lr = cli.number("lr", 4e-4);
        const std::size_t batch = cli.count("batch", 256);
        const bool knn = !cli.flag("no-knn");
        s.enable_checkpoints();
        s.begin();
        for (const auto& a : activations) eng::activation::parse(a);  // reject unknown names before training

        rp::ibsgd_szt_settings settings;
        settings.epochs = epochs;
        settings.batch = batch;
        settings.learning_rate = lr;
        settings.split_seed = split_seed;
        const rp::ibsgd_szt_data data(split_seed);
        const auto record_epochs = eng::ibsgd_epochs(epochs);
        std::printf("SZT 12-10-7-5-4-3-2, Adam lr %g, batch %zu, %zu epochs, %zu seed(s), %zu recorded epochs, "
                    "train %zu / test %zu\n",
                    lr, batch, epochs, seeds, record_epochs.size(), data.train.n, data.test.n);

        std::vector<run> runs;
        for (const auto& a : activations)
            for (auto seed : s.seed_list(seeds)) runs.push_back({a, seed});

        auto& curves = s.result("curves", rp::curve_columns({"activation", "seed"}));
        for (const auto& r : s.mine(runs)) {
            const auto trained = rp::train_ibsgd_szt(data, r.activation, r.seed, settings,
                                                     r.activation + " seed " + std::to_string(r.seed), &s);
            const auto& history = trained.history;
            const auto& rec = trained.recording;
            const auto t0 = std::chrono::steady_clock::now();
            rp::add_curves(curves, {r.activation, std::to_string(r.seed)}, history);

            mi::plane_options po;
            po.output_unit = mi::unit::bits;
            std::vector<mi::trajectory> ts;
            ts.push_back(mi::information_plane(rec, mi::binning<mi::uniform>(mi::uniform::idnns(30, -1.0, 1.0)), po));
            ts.push_back(mi::information_plane(rec, mi::binning<mi::global_uniform>(mi::global_uniform(100)), po));
            ts.push_back(mi::information_plane(rec, mi::kde<mi::gaussian_kernel, mi::fixed_noise>(mi::fixed_noise(1e-3)), po));
            if (knn) ts.push_back(mi::information_plane(rec, mi::kl_entropy<>(2), po));
            s.result("plane", {}).append(rp::plane_table(ts, {{"activation", r.activation},
                                                              {"seed", std::to_string(r.seed)}}));
            std::printf("  %s seed %llu: training %.1f s, MI %.1f s; final train acc %.3f, test acc %.3f\n",
                        r.activation.c_str(), static_cast<unsigned long long>(r.seed), trained.train_seconds,
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                        history.back().train_accuracy, history.back().test_accuracy);
            std::fflush(stdout);
            s.run_done();
        }
        if (!s.complete()) return 0;
        print_summary(s.results().at("plane"), activations);
        print_accuracy(s.results().at("curves"), activations);
        std::printf("\nwrote %s/plane.csv and %s/curves.csv\n", s.out().c_str(), s.out().c_str());
        s.plot("szt_tanh_vs_relu.py");
    } catch (const mi::error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
