// SPDX-License-Identifier: BSD-3-Clause
// The MNIST-scale setup of Saxe et al. 2018 (Fig. 1C/D and the appendix
// figures on the same network), shared by the reproduction programs that
// train it (mnist_tanh_vs_relu, activation_histograms): the data, the
// 784-1024-20-20-20-10 network and its training options as artemyk/ibsgd
// (branch iclr2018) MNIST_SaveActivations.ipynb runs them, that notebook's
// record schedule, and a recorder that hands each recorded epoch to the
// program at once instead of keeping every epoch.
//
// Why a streaming recorder: one recorded epoch of this network on the 10,000
// test images is 10,000 x 1,084 floats (43 MB); ibsgd's schedule records 144
// epochs in 10,000, i.e. 6 GB for an mi::recording of the whole run. The
// estimators the MNIST notebooks use (KDE with a fixed noise variance, binning
// with a fixed bin width) need no other epoch, so each epoch is measured as
// soon as its last layer arrives and then dropped.
//
// Data: Fashion-MNIST from Debian's dataset-fashion-mnist by default (the
// same IDX layout, 28x28 grey images, 10 classes, 60,000 / 10,000), real MNIST
// from --mnist DIR (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz],
// t10k-...). Pixels / 255 as ibsgd's utils.get_mnist.
#ifndef MI_EXAMPLES_REPRODUCE_MNIST_HPP
#define MI_EXAMPLES_REPRODUCE_MNIST_HPP

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <numeric>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "datasets/idx.hpp"
#include "engine/dataset.hpp"
#include "engine/network.hpp"
#include "engine/trainer.hpp"
#include "mi/core/error.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/samples.hpp"
#include "mi/plane/recording.hpp"
#include "reproduce/checkpoint.hpp"
#include "reproduce/common.hpp"

namespace mi_examples::reproduce {

inline constexpr const char* fashion_mnist_dir = "/usr/share/datasets/fashion-mnist";
inline constexpr std::size_t mnist_classes = 10;

/// The IDX file `stem` in `dir`, gzip-compressed or raw; an mi::error telling how to get the data otherwise.
inline std::string mnist_file(const std::string& dir, const std::string& stem, bool is_default_dir) {
    for (const std::string& name : {stem + ".gz", stem})
        if (std::filesystem::exists(dir + "/" + name)) return dir + "/" + name;
    const std::string hint = is_default_dir
                                 ? "the Fashion-MNIST files of Debian's dataset-fashion-mnist "
                                   "(sudo apt-get install dataset-fashion-mnist), or --mnist DIR with MNIST's IDX files"
                                 : "MNIST's IDX files (" + stem + "[.gz] as distributed by LeCun et al.)";
    mi::detail::fail("mi_examples::reproduce::mnist_file", "file", dir + "/" + stem + "[.gz]", hint);
}

/// The training (60,000) or test (10,000) images of an MNIST-layout directory, pixels / 255.
inline engine::dataset<float> read_mnist(const std::string& dir, bool train, bool is_default_dir) {
    const std::string prefix = train ? "train" : "t10k";
    const std::string images = mnist_file(dir, prefix + "-images-idx3-ubyte", is_default_dir);
    const std::string labels = mnist_file(dir, prefix + "-labels-idx1-ubyte", is_default_dir);
    auto d = datasets::read_idx_dataset<float>(images, labels);
    if (d.d != 784 || d.classes > mnist_classes)
        mi::detail::fail("mi_examples::reproduce::read_mnist", "images", dir,
                         "28x28 images with labels 0..9 (MNIST / Fashion-MNIST)");
    d.classes = mnist_classes;
    return d;
}

/// The first n rows of a dataset (all of them when n is 0 or at least its size).
inline engine::dataset<float> first_rows(const engine::dataset<float>& d, std::size_t n) {
    if (n == 0 || n >= d.n) return d;
    std::vector<std::size_t> rows(n);
    std::iota(rows.begin(), rows.end(), std::size_t(0));
    return d.subset(rows);
}

/// What the MNIST programs train on and measure.
struct mnist_data {
    std::string source;           ///< "Fashion-MNIST (...)" or "MNIST (DIR)"
    engine::dataset<float> train; ///< the (first n of the) 60,000 training images
    engine::dataset<float> test;  ///< the 10,000 test images: test loss/accuracy
    engine::dataset<float> mi;    ///< the (first n of the) test images: recorded and measured (ibsgd: all 10,000)
};

/// mnist_dir empty: Fashion-MNIST from the Debian package. n_train / n_mi = 0: all.
inline mnist_data load_mnist_data(const std::string& mnist_dir, std::size_t n_train, std::size_t n_mi) {
    const bool fashion = mnist_dir.empty();
    const std::string dir = fashion ? fashion_mnist_dir : mnist_dir;
    mnist_data out;
    out.source = (fashion ? "Fashion-MNIST (" : "MNIST (") + dir + ")";
    out.train = first_rows(read_mnist(dir, true, fashion), n_train);
    out.test = read_mnist(dir, false, fashion);
    out.mi = first_rows(out.test, n_mi);
    return out;
}

/// The network of MNIST_SaveActivations.ipynb: 784-1024-20-20-20-10, softmax output, Keras'
/// default glorot_uniform for every layer, zero biases.
inline engine::network_config mnist_network(const engine::activation& hidden) {
    engine::network_config cfg;
    cfg.inputs = 784;
    cfg.hidden = {1024, 20, 20, 20};
    cfg.outputs = mnist_classes;
    cfg.hidden_activation = hidden;
    cfg.output = engine::output_spec::softmax();
    cfg.hidden_init = engine::init_spec::glorot_uniform();
    cfg.output_init = engine::init_spec::glorot_uniform();
    return cfg;
}

/// MNIST_SaveActivations.ipynb's do_report: every epoch < 20, every 5th < 100, every 10th < 200,
/// every 100th after (144 epochs in 0..9999), recorded at the end of the epoch.
inline std::vector<std::size_t> mnist_record_epochs(std::size_t epochs) {
    std::vector<std::size_t> out;
    for (std::size_t e = 0; e < epochs; ++e)
        if (e < 20 || (e < 100 && e % 5 == 0) || (e < 200 && e % 10 == 0) || e % 100 == 0) out.push_back(e);
    return out;
}

/// The notebook's training: plain SGD (lr 0.001 there), batch 128 reshuffled every epoch (Keras fit),
/// end-of-epoch recording. Metrics and gradient statistics only at the recorded epochs, as ibsgd's
/// loggingreporter computes them (and a full pass over 60,000 images per epoch would cost a third of
/// the training).
inline engine::train_options mnist_train_options(std::size_t epochs, double lr, std::size_t batch,
                                                 std::uint64_t seed) {
    engine::train_options o;
    o.epochs = epochs;
    o.batch_size = batch;
    o.order = engine::batch_order::shuffled;
    o.optimizer = engine::optimizer_config::sgd(lr);
    o.seed = seed;
    o.record_epochs = mnist_record_epochs(epochs);
    o.when = engine::record_time::epoch_end;
    o.metrics_every_epoch = false;
    return o;
}

/// Labels of the measured images as mi samples (10 classes even if a small subset lacks one).
inline mi::samples mnist_samples(const engine::dataset<float>& d) {
    return mi::samples(mi::labels(d.labels, mnist_classes));
}

/// A trainer recorder that collects one epoch's layers in an mi::recording and hands it to
/// `measure` once the epoch's last layer has arrived, then drops it (memory: one epoch).
class epoch_stream {
public:
    using measure_fn = std::function<void(const mi::recording<float>&)>;
    epoch_stream(mi::samples samples, std::size_t layers, measure_fn measure)
        : samples_(std::move(samples)), layers_(layers), measure_(std::move(measure)) {
        if (layers_ == 0) mi::detail::fail("mi_examples::reproduce::epoch_stream", "layers", layers_, ">= 1");
    }

    void observe(std::int64_t epoch, std::size_t layer, const mi::activation_view<const float>& v) {
        if (!current_) current_.emplace(samples_);
        current_->observe(epoch, layer, v);
        if (layer + 1 < layers_) return;
        measure_(*current_);
        current_.reset();
    }

    /// Between epochs it holds nothing (each epoch was measured when its last layer arrived), so a
    /// checkpoint has nothing to save for it; these check that.
    friend void save(byte_writer&, const epoch_stream& s) {
        if (s.current_)
            mi::detail::fail("mi_examples::reproduce::epoch_stream", "checkpoint", "an epoch half recorded",
                             "a checkpoint between epochs");
    }
    friend void load(byte_reader&, epoch_stream&) {}

private:
    mi::samples samples_;
    std::size_t layers_;
    measure_fn measure_;
    std::optional<mi::recording<float>> current_;
};

}  // namespace mi_examples::reproduce

#endif
