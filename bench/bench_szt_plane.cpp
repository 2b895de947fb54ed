// SPDX-License-Identifier: BSD-3-Clause
// The README main job's estimation, timed estimator by estimator: one tanh and one ReLU SZT
// network (seed 0, Saxe et al. 2018's protocol, all 211 recorded epochs of 10,000, 6 layers), and
// on each the plane szt_tanh_vs_relu computes: binning with 30 bins on [-1, 1] and with 100 bins
// over the range (all 4096 inputs), the KDE upper bound (noise variance 0.1, the 819 test rows),
// Kozachenko-Leonenko H(T) (k = 2, epsilon 1e-16, no jitter, all inputs). Issue 18's goal is the
// whole of it in at most 5 s on 2 cores. Training is reported but not counted.
//
//   bench_szt_plane [EPOCHS] [--by-width]     (default 10000 epochs; fewer for a quick look)
//
// Prints one row per network and estimator and the total, in seconds (wall, all threads).
// --by-width then times Kozachenko-Leonenko H(T) again layer by layer (all recorded epochs of
// the layer, in parallel over epochs): where the kNN searches spend their time.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "mi/core/parallel.hpp"
#include "mi/estimators/binning.hpp"
#include "mi/estimators/kde.hpp"
#include "mi/estimators/kl_entropy.hpp"
#include "mi/plane/information_plane.hpp"
#include "mi/quantizers/global_uniform.hpp"
#include "mi/quantizers/uniform.hpp"
#include "reproduce/ibsgd_szt.hpp"
#include "reproduce/szt_plane.hpp"

namespace {

namespace rp = mi_examples::reproduce;

template <class F>
double seconds(F&& f) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
    try {
        rp::ibsgd_szt_settings settings;
        bool by_width = false;
        for (int a = 1; a < argc; ++a) {
            if (std::string(argv[a]) == "--by-width") by_width = true;
            else settings.epochs = std::strtoul(argv[a], nullptr, 10);
        }
        if (settings.epochs == 0) {
            std::fprintf(stderr, "usage: bench_szt_plane [EPOCHS >= 1] [--by-width]\n");
            return 2;
        }
        std::vector<std::string> widths;
        const rp::ibsgd_szt_data data(settings.split_seed);
        const auto test_rows = mi_examples::datasets::szt_shuffled_split(settings.split_seed).test;
        std::printf("threads: %zu, epochs: %zu\n\n", mi::num_threads(), settings.epochs);
        std::printf("| network | training s | points | binning 30 s | binning 100 s | KDE s | Kozachenko-Leonenko H(T) s | estimation s |\n");
        std::printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        double total = 0.0;
        for (const std::string activation : {"tanh", "relu"}) {
            const auto trained = rp::train_ibsgd_szt(data, activation, 0, settings, activation);
            const auto& rec = trained.recording;
            mi::plane_options po;
            po.output_unit = mi::unit::bits;
            std::size_t points = 0;
            const double b30 = seconds([&] {
                points = mi::information_plane(rec, mi::binning<mi::uniform>(mi::uniform::idnns(30, -1.0, 1.0)), po).size();
            });
            const double b100 =
                seconds([&] { mi::information_plane(rec, mi::binning<mi::global_uniform>(mi::global_uniform(100)), po); });
            const mi::kde<mi::gaussian_kernel, mi::fixed_noise> kde{mi::fixed_noise(0.1)};
            const double k = seconds([&] { mi::information_plane(rp::rows_of(rec, test_rows, data.test.labels), kde, po); });
            mi::kl_entropy_options kl;
            kl.k = 2;
            kl.epsilon = 1e-16;
            kl.ties = mi::tie_policy::none();
            const double h = seconds([&] { mi::information_plane(rec, rp::kl_entropy_of_t{mi::kl_entropy<>(kl)}, po); });
            const double sum = b30 + b100 + k + h;
            total += sum;
            std::printf("| %s | %.2f | %zu | %.3f | %.3f | %.3f | %.3f | %.3f |\n", activation.c_str(), trained.train_seconds,
                        points, b30, b100, k, h, sum);
            if (!by_width) continue;
            const mi::kl_entropy<> estimator(kl);
            std::string row = "| " + activation + " |", head = "| network |", rule = "|---|";
            for (const std::size_t layer : rec.layers()) {
                const auto epochs = rec.epochs_of(layer);
                const double t = seconds([&] {
                    mi::parallel_for(epochs.size(), [&](std::size_t e) { (void)estimator.entropy(rec.at(epochs[e], layer)); });
                });
                char cell[64];
                std::snprintf(cell, sizeof cell, " %.3f |", t);
                row += cell;
                head += " " + std::to_string(rec.units(layer)) + " units |";
                rule += "---:|";
            }
            if (widths.empty()) widths = {head, rule};
            widths.push_back(row);
        }
        std::printf("\nestimation, both networks: %.2f s (goal: at most 5 s)\n", total);
        if (by_width) {
            std::printf("\nKozachenko-Leonenko H(T) by layer: seconds over all recorded epochs (wall, in parallel over epochs)\n\n");
            for (const auto& row : widths) std::printf("%s\n", row.c_str());
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_szt_plane: %s\n", e.what());
        return 1;
    }
}
