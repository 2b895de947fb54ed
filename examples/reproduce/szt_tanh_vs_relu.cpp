// SPDX-License-Identifier: BSD-3-Clause
// Saxe et al. 2018 ("On the information bottleneck theory of deep learning"),
// Fig. 1A/B: the SZT network 12-10-7-5-4-3-2 trained with tanh and with ReLU
// hidden layers; with the binning estimator the tanh network's deeper layers
// first gain and then lose I(X;T) (the "compression phase" of Shwartz-Ziv &
// Tishby 2017), while the ReLU network's do not compress.
//
// Protocol (artemyk/ibsgd, branch iclr2018, IBnet_SaveActivations.ipynb, see
// the shared protocol notes §2a):
// - data: all 4096 SZT patterns; ONE random 80/20 split (3277 train / 819
//   test) shared by every run (ibsgd caches one split file; its seed is not
//   published, ours is --split-seed); labels are class ids (y itself).
// - network: hidden 10-7-5-4-3 tanh or ReLU, softmax output of 2 units;
//   hidden weights truncated normal sigma = 1/sqrt(fan_out) (this layer's
//   width, ibsgd's Keras TruncatedNormal(stddev=1/sqrt(n))), output layer
//   Glorot uniform, biases 0.
// - training: Adam lr 4e-4 (PyTorch form, see engine/optimizer.hpp), batch
//   256 reshuffled every epoch (last partial batch of 205 kept), mean
//   categorical cross-entropy, float32.
// - recording: ibsgd's schedule (every epoch < 20, every 5th < 100, every
//   20th < 2000, every 100th after), at the END of each epoch (epoch 0 =
//   after one epoch), every layer including the softmax output, on all 4096
//   inputs.
// - MI, in bits: binning with IDNNs' 30 edges on [-1, 1] (uniform::idnns, the
//   Fig. 1A estimator; for ReLU every value >= 1 falls in one bin) and
//   Saxe et al.'s 100 bins over the layer's range across all recorded epochs
//   (global_uniform(100), the Fig. 1B estimator), both for both networks; plus
//   the Kolchinsky-Tracey KDE upper and lower bounds with noise variance 1e-3
//   (ibsgd's default plot) when mi/estimators/kde.hpp is available.
// - seeds: --seeds N trains N networks (initialisation and batch order from
//   seed, seed+1, ...) and averages the MI per (estimator, epoch, layer), as
//   the paper averages 50.
//
// Output (--out, default szt_tanh_vs_relu_out): plane_tanh.csv and
// plane_relu.csv (mi::write_csv, tidy, bits), curves.csv (learning curves,
// weight norms, gradient SNR), then examples/plot/plot_plane.py draws them.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "datasets/szt.hpp"
#include "engine/schedule.hpp"
#include "engine/trainer.hpp"
#include "mi/core/units.hpp"
#include "mi/estimators/binning.hpp"
#include "mi/plane/csv.hpp"
#include "mi/plane/information_plane.hpp"
#include "mi/plane/recording.hpp"
#include "mi/quantizers/global_uniform.hpp"
#include "mi/quantizers/uniform.hpp"
#include "reproduce/common.hpp"
#if __has_include("mi/estimators/kde.hpp")
#include "mi/estimators/kde.hpp"
#include "mi/kernels/gaussian.hpp"
#include "mi/kernels/noise.hpp"
#define SZT_HAVE_KDE 1
#else
#define SZT_HAVE_KDE 0
#endif

namespace eng = mi_examples::engine;
namespace ds = mi_examples::datasets;
namespace rp = mi_examples::reproduce;

namespace {

const char* usage =
    "szt_tanh_vs_relu: Saxe et al. 2018 Fig. 1A/B (SZT task, tanh vs ReLU) with mi.\n"
    "usage: szt_tanh_vs_relu [options]\n"
    "  --epochs N      training epochs (default 3000)\n"
    "  --full          the paper's length, 10000 epochs\n"
    "  --seeds N       networks per activation, MI averaged over them (default 1)\n"
    "  --seed S        first seed (default 0)\n"
    "  --split-seed S  seed of the 80/20 split (default 2017)\n"
    "  --lr X          Adam learning rate (default 4e-4)\n"
    "  --batch N       mini-batch size (default 256)\n"
    "  --no-kde        skip the KDE estimates\n"
    "  --out DIR       output directory (default szt_tanh_vs_relu_out)\n";

struct run_result {
    std::vector<mi::trajectory> trajectories;  // one per estimator, averaged over seeds
};

}  // namespace

int main(int argc, char** argv) {
    rp::command_line cli(argc, argv, usage);
    const bool full = cli.flag("full");
    const std::size_t epochs = cli.count("epochs", full ? 10000 : 3000);
    const std::size_t seeds = std::max<std::size_t>(1, cli.count("seeds", 1));
    const std::size_t first_seed = cli.count("seed", 0);
    const std::size_t split_seed = cli.count("split-seed", 2017);
    const double lr = cli.number("lr", 4e-4);
    const std::size_t batch = cli.count("batch", 256);
    const bool kde = !cli.flag("no-kde");
    const std::string out_dir = cli.text("out", "szt_tanh_vs_relu_out");
    cli.finish();
    try {
        rp::make_directory(out_dir);
        const auto all = rp::szt_dataset<float>();
        const auto split = ds::szt_shuffled_split(split_seed);
        const auto train = all.subset(split.train), test = all.subset(split.test);
        const auto record_epochs = eng::ibsgd_epochs(epochs);
        rp::curves_csv curves(out_dir + "/curves.csv");
        std::printf("SZT 12-10-7-5-4-3-2, Adam lr %g, batch %zu, %zu epochs, %zu seed(s), %zu recorded epochs, "
                    "train %zu / test %zu\n",
                    lr, batch, epochs, seeds, record_epochs.size(), train.n, test.n);
        if (kde && !SZT_HAVE_KDE) std::printf("(KDE estimator not available in this build: binning only)\n");

        struct summary_row {
            std::string act, estimator;
            std::vector<double> peak, peak_epoch, final_value;
            double train_acc = 0, test_acc = 0;
        };
        std::vector<summary_row> summary;

        for (const std::string act_name : {"tanh", "relu"}) {
            eng::network_config cfg;
            cfg.inputs = 12;
            cfg.hidden = {10, 7, 5, 4, 3};
            cfg.outputs = 2;
            cfg.hidden_activation = eng::activation::parse(act_name);
            cfg.output = eng::output_spec::softmax();
            cfg.hidden_init = eng::init_spec::truncated_normal_fan_out(1.0);
            cfg.output_init = eng::init_spec::glorot_uniform();

            std::vector<std::vector<mi::trajectory>> per_estimator;
            double train_acc = 0, test_acc = 0;
            for (std::size_t s = 0; s < seeds; ++s) {
                const std::uint64_t seed = first_seed + s;
                eng::network<float> net(cfg, mi::derive_seed(seed, 1));
                eng::train_options o;
                o.epochs = epochs;
                o.batch_size = batch;
                o.order = eng::batch_order::shuffled;
                o.optimizer = eng::optimizer_config::adam(lr);
                o.seed = mi::derive_seed(seed, 2);
                o.record_epochs = record_epochs;
                o.when = eng::record_time::epoch_end;
                o.metrics_every_epoch = true;
                mi::recording<float> rec(mi::samples(mi::labels(all.labels, 2)));
                const auto t0 = std::chrono::steady_clock::now();
                const auto history = eng::train(net, train, &test, all, rec, o);
                const auto t1 = std::chrono::steady_clock::now();
                curves.add(act_name, seed, history);
                train_acc += history.back().train_accuracy / double(seeds);
                test_acc += history.back().test_accuracy / double(seeds);

                std::vector<mi::trajectory> ts;
                mi::plane_options po;
                po.output_unit = mi::unit::bits;
                ts.push_back(mi::information_plane(rec, mi::binning<mi::uniform>(mi::uniform::idnns(30, -1.0, 1.0)), po));
                ts.push_back(mi::information_plane(rec, mi::binning<mi::global_uniform>(mi::global_uniform(100)), po));
#if SZT_HAVE_KDE
                if (kde) {
                    ts.push_back(mi::information_plane(
                        rec, mi::kde<mi::gaussian_kernel, mi::fixed_noise>(mi::fixed_noise(1e-3)), po));
                }
#endif
                const auto t2 = std::chrono::steady_clock::now();
                std::printf("  %s seed %llu: training %.1f s (%.3f ms/epoch incl. per-epoch evaluation), MI %.1f s; "
                            "final train acc %.3f, test acc %.3f\n",
                            act_name.c_str(), static_cast<unsigned long long>(seed),
                            std::chrono::duration<double>(t1 - t0).count(),
                            1e3 * std::chrono::duration<double>(t1 - t0).count() / double(epochs),
                            std::chrono::duration<double>(t2 - t1).count(), history.back().train_accuracy,
                            history.back().test_accuracy);
                std::fflush(stdout);
                if (per_estimator.empty()) per_estimator.resize(ts.size());
                for (std::size_t k = 0; k < ts.size(); ++k) per_estimator[k].push_back(std::move(ts[k]));
            }
            std::vector<mi::trajectory> averaged;
            for (const auto& runs : per_estimator) averaged.push_back(rp::average(runs));
            mi::write_csv(averaged, out_dir + "/plane_" + act_name + ".csv");

            // Summary: the estimator of the paper's panel (IDNNs bins for tanh, Fig. 1A; global 100 bins
            // for ReLU, Fig. 1B) and, when computed, the KDE upper bound (ibsgd's default plot).
            std::vector<std::pair<std::string, std::size_t>> shown{
                {act_name == "tanh" ? "binning, 30 edges on [-1,1]" : "binning, 100 bins over all epochs",
                 act_name == "tanh" ? std::size_t(0) : std::size_t(1)}};
            if (averaged.size() > 2) shown.push_back({"KDE upper, noise variance 1e-3", 2});
            for (const auto& [label, k] : shown) {
                summary_row row;
                row.act = act_name;
                row.estimator = label;
                row.train_acc = train_acc;
                row.test_acc = test_acc;
                for (std::size_t l = 0; l < 6; ++l) {
                    const auto path = averaged[k].layer_path(l);
                    double peak = -1e300, peak_epoch = 0;
                    for (const auto& r : path)
                        if (mi::to_bits(r.point.ixt) > peak) {
                            peak = mi::to_bits(r.point.ixt);
                            peak_epoch = double(r.epoch);
                        }
                    row.peak.push_back(peak);
                    row.peak_epoch.push_back(peak_epoch);
                    row.final_value.push_back(mi::to_bits(path.back().point.ixt));
                }
                summary.push_back(row);
            }
        }

        std::printf("\nI(X;T) in bits%s; drop = peak - final (compression after the peak)\n",
                    seeds > 1 ? ", averaged over seeds" : "");
        std::string last_act;
        for (const auto& r : summary) {
            std::printf("\n%s, %s\n", r.act.c_str(), r.estimator.c_str());
            std::printf("  %-6s %10s %11s %10s %10s\n", "layer", "peak", "peak epoch", "final", "drop");
            for (std::size_t l = 0; l < r.peak.size(); ++l)
                std::printf("  %-6s %10.3f %11.0f %10.3f %10.3f\n",
                            l + 1 < r.peak.size() ? ("T" + std::to_string(l + 1)).c_str() : "out", r.peak[l],
                            r.peak_epoch[l], r.final_value[l], r.peak[l] - r.final_value[l]);
            if (r.act != last_act)
                std::printf("  final train accuracy %.3f, test accuracy %.3f\n", r.train_acc, r.test_acc);
            last_act = r.act;
        }
        std::printf("\nwrote %s/plane_tanh.csv, %s/plane_relu.csv, %s/curves.csv\n", out_dir.c_str(), out_dir.c_str(),
                    out_dir.c_str());
    } catch (const mi::error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
