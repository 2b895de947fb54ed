// SPDX-License-Identifier: BSD-3-Clause
// Time per training epoch of the reference engine (examples/engine) on the two
// networks of Saxe et al. 2018: the SZT network 12-10-7-5-4-3-2 (tanh, Adam
// lr 4e-4, batch 256, 3277 training patterns, reshuffled every epoch) and
// 784-1024-20-20-20-10 (tanh, plain SGD lr 1e-3, batch 128, the 60,000
// Fashion-MNIST training images), no recording and no per-epoch evaluation,
// i.e. the loop PyTorch is timed on in bench/compare_engine.py.
//
// usage: bench_engine [--szt-epochs N] [--mnist-epochs N] [--mnist-dir DIR] [--skip-mnist]
// Prints one line per measurement: "engine,<case>,<threads>,<ms per epoch>"
// (the SZT case also with every product forced through BLAS, to show why the
// small layers use hand loops), then a human-readable summary. <threads> is
// mi's thread count for the MNIST-size network (the engine splits its large
// products over mi's threads; OpenBLAS runs single-threaded, engine/blas_threads.hpp);
// the SZT network trains on one thread (hand loops, no parallel region).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "datasets/idx.hpp"
#include "datasets/szt.hpp"
#include "engine/trainer.hpp"
#include "mi/core/parallel.hpp"

namespace eng = mi_examples::engine;
namespace ds = mi_examples::datasets;

namespace {

double ms_per_epoch(eng::network<float>& net, const eng::dataset<float>& train, eng::train_options o,
                    std::size_t epochs) {
    eng::null_recorder none;
    o.epochs = 1;  // warm-up (allocations, page faults, BLAS thread start)
    o.metrics_every_epoch = false;
    o.gradient_stats = false;
    eng::train(net, train, train, none, o);
    o.epochs = epochs;
    const auto t0 = std::chrono::steady_clock::now();
    eng::train(net, train, train, none, o);
    const auto t1 = std::chrono::steady_clock::now();
    return 1e3 * std::chrono::duration<double>(t1 - t0).count() / double(epochs);
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t szt_epochs = 2000, mnist_epochs = 2;
    std::string mnist_dir = "/usr/share/datasets/fashion-mnist";
    bool skip_mnist = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--szt-epochs" && i + 1 < argc) szt_epochs = std::strtoul(argv[++i], nullptr, 10);
        else if (a == "--mnist-epochs" && i + 1 < argc) mnist_epochs = std::strtoul(argv[++i], nullptr, 10);
        else if (a == "--mnist-dir" && i + 1 < argc) mnist_dir = argv[++i];
        else if (a == "--skip-mnist") skip_mnist = true;
        else {
            std::fprintf(stderr, "usage: bench_engine [--szt-epochs N] [--mnist-epochs N] [--mnist-dir DIR] [--skip-mnist]\n");
            return 2;
        }
    }

    // ---------------------------------------------------------------- SZT
    const auto szt = ds::szt<float>();
    eng::dataset<float> all;
    all.x = szt.x;
    all.n = ds::szt_patterns;
    all.d = ds::szt_bits;
    all.classes = 2;
    for (int y : szt.y) all.labels.push_back(static_cast<std::uint32_t>(y));
    const auto train = all.subset(ds::szt_shuffled_split(2017).train);
    eng::network_config szt_cfg;  // 12-10-7-5-4-3-2 tanh, softmax
    szt_cfg.hidden_init = eng::init_spec::truncated_normal_fan_out();
    szt_cfg.output_init = eng::init_spec::glorot_uniform();
    eng::train_options szt_opt;
    szt_opt.batch_size = 256;
    szt_opt.optimizer = eng::optimizer_config::adam(4e-4);
    {
        eng::network<float> net(szt_cfg, 1);
        const double ms = ms_per_epoch(net, train, szt_opt, szt_epochs);
        std::printf("engine,szt_adam_b256,1,%.5f\n", ms);
        auto blas_cfg = szt_cfg;
        blas_cfg.blas_threshold = 1;
        eng::network<float> bnet(blas_cfg, 1);
        const double bms = ms_per_epoch(bnet, train, szt_opt, szt_epochs / 4 + 1);
        std::printf("engine,szt_adam_b256_all_blas,1,%.5f\n", bms);
        std::fflush(stdout);
    }

    // ---------------------------------------------------------------- MNIST-size network
    if (!skip_mnist) {
        if (!std::ifstream(mnist_dir + "/train-images-idx3-ubyte.gz").good()) {
            std::fprintf(stderr, "no Fashion-MNIST in %s (install dataset-fashion-mnist or pass --mnist-dir)\n",
                         mnist_dir.c_str());
            return 1;
        }
        const auto t0 = std::chrono::steady_clock::now();
        const auto fm = ds::read_mnist_dir<float>(mnist_dir, true);
        const auto t1 = std::chrono::steady_clock::now();
        std::fprintf(stderr, "read %zu Fashion-MNIST images in %.2f s\n", fm.n,
                     std::chrono::duration<double>(t1 - t0).count());
        eng::network_config c;
        c.inputs = 784;
        c.hidden = {1024, 20, 20, 20};
        c.outputs = 10;
        c.hidden_activation = eng::activation::tanh();
        c.hidden_init = eng::init_spec::glorot_uniform();  // Keras default, as ibsgd's MNIST notebook
        eng::train_options o;
        o.batch_size = 128;
        o.optimizer = eng::optimizer_config::sgd(1e-3);
        for (int threads : {1, 2}) {
            mi::set_num_threads(static_cast<std::size_t>(threads));
            eng::network<float> net(c, 1);
            const double ms = ms_per_epoch(net, fm, o, mnist_epochs);
            std::printf("engine,mnist_784_1024_sgd_b128,%d,%.3f\n", threads, ms);
            std::fflush(stdout);
        }
        mi::set_num_threads(0);
    }
    return 0;
}
