// SPDX-License-Identifier: BSD-3-Clause
// autoencoder: a projection policy (mi/projections/concept.hpp) that trains a
// small autoencoder on the rows it is given and compresses them with its
// encoder, the nonlinear compressor of Butakov, Tolmachev, Malanchuk,
// Neopryatnaya, Frolov & Andreev ("Information Bottleneck Analysis of Deep
// Neural Networks via Lossy Compression", ICLR 2024, arXiv 2305.08013): the
// mutual information of compressed representations, I(X_c; T_c), equals I(X;T)
// when the compressor is injective on the support of the data (their
// lossless-compression results), and for data on a low-dimensional manifold
// an autoencoder can be injective there where a linear projection cannot; the
// paper compresses the network input X by an autoencoder trained once, and the
// layers by PCA. Built on the example engine (network.hpp, optimizer.hpp,
// loss.hpp), so it lives in examples/, not in the library:
//
//   mi::compressed<autoencoder, mi::ksg<>> e(autoencoder(autoencoder_options{...}));
//
// Architecture: d -> h -> m (encoder) -> h -> d (decoder), fully connected.
//   encoder  x_std -> LeakyReLU(W1 x + b1) -> sigmoid(W2 . + b2) = y in (0,1)^m
//   decoder  y + sigma Z -> LeakyReLU(W3 . + b3) -> W4 . + b4 = x_hat (linear)
//   loss     mean over the batch and the d coordinates of (x_hat - x_std)^2
//            (PyTorch's MSELoss, engine/loss.hpp's mse output)
// x_std are the rows centred column by column and scaled: by default
// (scaling = global) every column is divided by one number, the root of the
// mean column variance, so the loss is in units of the average variance and
// keeps the columns' relative scales, as the paper's raw pixel intensities do
// (a per-column standardisation would give a pixel lit in one image of N the
// value sqrt(N) there, and as much weight in the loss as the busiest pixel);
// scaling = per_column divides each column by its own standard
// deviation (a constant column is only centred), weighing every coordinate
// alike whatever its units. Training: Adam, mini-batches of the rows
// reshuffled every epoch, Gaussian noise of standard deviation sigma on the
// code during training only (it keeps the codes of distinct inputs apart at
// a scale the estimator's small noise cannot blur), PyTorch's default
// initialisation.
//
// The paper's choices (their released code, VanessB/Information-v3,
// source/examples/misc/autoencoder.py, DenseEncoder / DenseDecoder /
// Autoencoder / train_autoencoder), and ours:
//   hidden nonlinearity   LeakyReLU (slope 0.01)                 same
//   code nonlinearity     sigmoid                                same
//   decoder output        linear                                 same
//   code noise in training  N(0, 0.1^2)                          same (latent_noise = 0.1)
//   optimizer             Adam, lr 1e-2 (train_autoencoder's default)  Adam, learning_rate = 1e-3: at 1e-2 our
//                                                                dense 784-128-4 encoder drives the sigmoid code
//                                                                into saturation on Fashion-MNIST (2,000 images,
//                                                                50 epochs: 99.4 % of the codes within 1e-3
//                                                                of 0 or 1, i.e. nearly a 4-bit code); at 1e-3,
//                                                                2.4 % (measured, code noise 0.1)
//   initialisation        PyTorch nn.Linear default              same
//   code dimension        4 (MNIST input)                        dimension = 4
//   hidden layers         dense: 24 and 16 each side;            one hidden layer of width h on each side
//                         MNIST: convolutions 8-16-32 + dense 128  (hidden = 128, the MNIST encoder's dense width)
//   dropout               0.1 on the encoder's inputs and hidden layers   none (the engine has no dropout)
//   epochs, batch size    train_autoencoder's default 10 epochs; batch not stated in the code
//                         ours: epochs = 50, batch_size = 128 (our sample sets are 10-30 times
//                         smaller than MNIST's 60,000 images, so more epochs give comparable step counts)
//   training data         a separate training set (MNIST train)  the rows handed to fit() (the
//                         MI sample itself; an autoencoder fitted on other data: fit it there and
//                         use the returned map)
//
// The fitted map (autoencoder_map) holds the standardisation, the encoder and
// the decoder, and the training record: apply(rows) -> N x m codes (doubles),
// reconstruct(rows) -> N x d in the rows' units, mean_squared_error(rows) the
// reconstruction error in the map's scaled units ((x - mean) / scale),
// unexplained_variance(rows) the error as a fraction of the rows' variance (the
// units-free number to set beside PCA's 1 - kept eigenvalues / trace), loss_per_epoch the mean training
// loss of every epoch. Networks are in double precision.
//
// Determinism: the encoder is initialised from derive_seed(seed, 0), the
// decoder from derive_seed(seed, 1), epoch e's shuffle from derive_seed(seed, 2, e),
// the code noise of batch b of epoch e from derive_seed(seed, 3, e, b): same rows
// and options, same map, whatever mi's thread count (the engine is
// single-threaded; OpenBLAS runs only the products of at least
// network_config::blas_threshold multiply-adds). fit() is const: one policy serves
// every thread. Bad input (fewer than two rows, NaN/Inf, dimension 0 or above
// the row width, hidden 0, epochs 0, batch 0, a non-finite or non-positive
// learning rate, a negative or non-finite noise) throws mi::error.
// Cost: a forward pass is 2 (d h + h m) multiply-adds per row, training about
// three times that per row and epoch (2,000 x 784 rows, h = 128, 50 epochs:
// 8-11 s on one loaded core; 2,000 x 50, h = 32: 0.45 s).
#ifndef MI_EXAMPLES_ENGINE_AUTOENCODER_HPP
#define MI_EXAMPLES_ENGINE_AUTOENCODER_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "engine/activations.hpp"
#include "engine/loss.hpp"
#include "engine/network.hpp"
#include "engine/optimizer.hpp"
#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/random.hpp"
#include "mi/projections/concept.hpp"

namespace mi_examples::engine {

/// How fit() scales the centred rows before training (see the header comment).
enum class autoencoder_scaling {
    global,     ///< every column divided by one scale, the root mean column variance (keeps relative scales)
    per_column  ///< every column divided by its own standard deviation (a constant column only centred)
};

/// The options of the autoencoder policy (see the header comment). An aggregate: set fields by name.
struct autoencoder_options {
    std::size_t dimension = 4;     ///< m, the code width (the paper's 4)
    std::size_t hidden = 128;      ///< h, the width of the hidden layer on each side
    std::size_t epochs = 50;       ///< passes over the rows
    std::size_t batch_size = 128;  ///< rows per Adam step (the last batch of an epoch may be smaller)
    double learning_rate = 1e-3;   ///< Adam's (the paper's default 1e-2 saturates the code, see the header comment)
    double latent_noise = 0.1;     ///< sigma of the Gaussian noise on the code during training (the paper's)
    std::uint64_t seed = 0;        ///< initialisation, shuffles and code noise
    autoencoder_scaling scaling = autoencoder_scaling::global;  ///< how the centred rows are scaled
};

/// What autoencoder::fit returns: the standardisation, the trained encoder and decoder.
struct autoencoder_map {
    std::size_t in = 0;            ///< d
    std::size_t out = 0;           ///< m, the code width
    std::vector<double> mean;      ///< d column means of the fitted rows
    std::vector<double> scale;     ///< d column scales (see autoencoder_scaling)
    network<double> encoder;       ///< d -> h -> m, sigmoid code
    network<double> decoder;       ///< m -> h -> d, linear output
    std::vector<double> loss_per_epoch;  ///< mean training loss (with code noise) of every epoch, scaled units

    /// The codes of the rows: N x m doubles, row-major.
    template <class T>
    std::vector<double> apply(const mi::activation_view<const T>& x) const {
        std::vector<double> codes;
        run(x, "mi_examples::engine::autoencoder_map::apply", &codes, nullptr);
        return codes;
    }

    /// The decoder's reconstruction of the rows, in the rows' own units: N x d doubles, row-major.
    template <class T>
    std::vector<double> reconstruct(const mi::activation_view<const T>& x) const {
        std::vector<double> rec;
        run(x, "mi_examples::engine::autoencoder_map::reconstruct", nullptr, &rec);
        for (std::size_t i = 0; i < x.rows(); ++i)
            for (std::size_t c = 0; c < in; ++c) rec[i * in + c] = rec[i * in + c] * scale[c] + mean[c];
        return rec;
    }

    /// Mean over rows and coordinates of the squared reconstruction error in scaled units, (x - mean) / scale
    /// (the training loss without code noise; 1 - 1/N is what predicting the mean scores on the fitted rows).
    template <class T>
    double mean_squared_error(const mi::activation_view<const T>& x) const {
        const std::vector<double> rec = reconstruct(x);
        double s = 0.0;
        for (std::size_t i = 0; i < x.rows(); ++i)
            for (std::size_t c = 0; c < in; ++c) {
                const double e = (rec[i * in + c] - static_cast<double>(x(i, c))) / scale[c];
                s += e * e;
            }
        return s / static_cast<double>(x.rows() * in);
    }

    /// Sum of squared reconstruction errors over the sum of squared deviations of the rows from their own
    /// column means (the fraction of variance the code leaves unexplained; 0 for a perfect reconstruction).
    template <class T>
    double unexplained_variance(const mi::activation_view<const T>& x) const {
        const std::vector<double> rec = reconstruct(x);
        const std::vector<double> centre = mi::detail::column_means(x);
        double error = 0.0, spread = 0.0;
        for (std::size_t i = 0; i < x.rows(); ++i)
            for (std::size_t c = 0; c < in; ++c) {
                const double v = static_cast<double>(x(i, c));
                error += (rec[i * in + c] - v) * (rec[i * in + c] - v);
                spread += (v - centre[c]) * (v - centre[c]);
            }
        if (!(spread > 0.0))
            mi::detail::fail("mi_examples::engine::autoencoder_map::unexplained_variance", "x variance", spread,
                             "> 0 (rows that are not all equal)");
        return error / spread;
    }

private:
    // Feeds the scaled rows through the encoder (and the decoder when `rec` is set) in chunks.
    template <class T>
    void run(const mi::activation_view<const T>& x, const char* where, std::vector<double>* codes,
             std::vector<double>* rec) const {
        mi::detail::check_activations(x, where, "x");
        if (x.cols() != in)
            mi::detail::fail(where, "x columns", x.cols(),
                             "the " + std::to_string(in) + " columns the autoencoder was fitted on");
        const std::size_t n = x.rows(), chunk = std::min<std::size_t>(n, 512);
        if (codes) codes->assign(n * out, 0.0);
        if (rec) rec->assign(n * in, 0.0);
        workspace<double> enc_ws = encoder.make_workspace(chunk);
        workspace<double> dec_ws = rec ? decoder.make_workspace(chunk) : workspace<double>{};
        for (std::size_t start = 0; start < n; start += chunk) {
            const std::size_t b = std::min(chunk, n - start);
            for (std::size_t c = 0; c < in; ++c)
                for (std::size_t r = 0; r < b; ++r)
                    enc_ws.input[c * b + r] = (static_cast<double>(x(start + r, c)) - mean[c]) / scale[c];
            encoder.forward(enc_ws, b);
            const std::vector<double>& code = enc_ws.a.back();  // m x b, feature-major
            if (codes)
                for (std::size_t r = 0; r < b; ++r)
                    for (std::size_t j = 0; j < out; ++j) (*codes)[(start + r) * out + j] = code[j * b + r];
            if (rec) {
                std::copy(code.begin(), code.begin() + static_cast<std::ptrdiff_t>(out * b), dec_ws.input.begin());
                decoder.forward(dec_ws, b);
                const std::vector<double>& y = dec_ws.a.back();  // d x b
                for (std::size_t r = 0; r < b; ++r)
                    for (std::size_t c = 0; c < in; ++c) (*rec)[(start + r) * in + c] = y[c * b + r];
            }
        }
    }
};

/// The projection policy: fit() trains an autoencoder on the rows and returns its encoder.
class autoencoder {
public:
    explicit autoencoder(autoencoder_options options = {}) : o_(options) {
        const char* where = "mi_examples::engine::autoencoder";
        if (o_.dimension < 1) mi::detail::fail(where, "dimension", o_.dimension, ">= 1");
        if (o_.hidden < 1) mi::detail::fail(where, "hidden", o_.hidden, ">= 1");
        if (o_.epochs < 1) mi::detail::fail(where, "epochs", o_.epochs, ">= 1");
        if (o_.batch_size < 1) mi::detail::fail(where, "batch_size", o_.batch_size, ">= 1");
        if (!std::isfinite(o_.learning_rate) || !(o_.learning_rate > 0.0))
            mi::detail::fail(where, "learning_rate", o_.learning_rate, "a finite value > 0");
        if (!std::isfinite(o_.latent_noise) || o_.latent_noise < 0.0)
            mi::detail::fail(where, "latent_noise", o_.latent_noise, "a finite value >= 0");
    }
    /// m code dimensions, the other options at their defaults.
    explicit autoencoder(std::size_t dimension) : autoencoder(with_dimension(dimension)) {}

    const autoencoder_options& options() const noexcept { return o_; }
    std::size_t dimension() const noexcept { return o_.dimension; }
    std::string name() const { return "autoencoder"; }
    std::string parameters() const {
        return "dimension=" + std::to_string(o_.dimension) + ";hidden=" + std::to_string(o_.hidden) +
               ";epochs=" + std::to_string(o_.epochs) + ";batch_size=" + std::to_string(o_.batch_size) +
               ";learning_rate=" + mi::detail::to_text(o_.learning_rate) +
               ";latent_noise=" + mi::detail::to_text(o_.latent_noise) + ";seed=" + std::to_string(o_.seed) +
               ";scaling=" + (o_.scaling == autoencoder_scaling::global ? "global" : "per_column");
    }

    /// Trains the autoencoder on the rows (N x d, d >= dimension) and returns the fitted map.
    template <class T>
    autoencoder_map fit(const mi::activation_view<const T>& rows) const {
        const char* where = "mi_examples::engine::autoencoder::fit";
        mi::detail::check_activations(rows, where, "rows");
        const std::size_t n = rows.rows(), d = rows.cols(), m = o_.dimension;
        if (n < 2) mi::detail::fail(where, "rows", n, ">= 2 (a standardisation)");
        if (m > d)
            mi::detail::fail(where, "dimension", m,
                             "at most the " + std::to_string(d) + " columns of the rows (a code no wider than the data)");
        autoencoder_map map;
        map.in = d;
        map.out = m;
        standardisation(rows, o_.scaling, map.mean, map.scale);
        std::vector<double> x(n * d);  // scaled rows, row-major
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t c = 0; c < d; ++c)
                x[i * d + c] = (static_cast<double>(rows(i, c)) - map.mean[c]) / map.scale[c];

        network_config enc;
        enc.inputs = d;
        enc.hidden = {o_.hidden};
        enc.outputs = m;
        enc.hidden_activation = activation::leaky_relu(0.01);
        enc.output = output_spec::mse(activation::sigmoid());  // the code is sigmoid(z); its "loss" is never used
        enc.hidden_init = init_spec::pytorch_default();
        network_config dec = enc;
        dec.inputs = m;
        dec.outputs = d;
        dec.output = output_spec::mse(activation::linear());
        map.encoder = network<double>(enc, mi::derive_seed(o_.seed, 0));
        map.decoder = network<double>(dec, mi::derive_seed(o_.seed, 1));

        const optimizer_config adam = optimizer_config::adam(o_.learning_rate);
        optimizer<double> enc_opt(adam, map.encoder), dec_opt(adam, map.decoder);
        const std::size_t capacity = std::min(o_.batch_size, n);
        workspace<double> enc_ws = map.encoder.make_workspace(capacity);
        workspace<double> dec_ws = map.decoder.make_workspace(capacity);
        std::vector<double> target(d * capacity), code_grad(m * capacity);
        std::vector<std::size_t> order(n);
        std::iota(order.begin(), order.end(), std::size_t(0));
        map.loss_per_epoch.reserve(o_.epochs);
        const auto& w_dec_in = map.decoder.at(0);  // h x m: the decoder's first weights, for d loss / d code

        for (std::size_t e = 0; e < o_.epochs; ++e) {
            mi::rng shuffle(mi::derive_seed(o_.seed, 2, e));
            for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[shuffle.below(i)]);
            double epoch_loss = 0.0;
            std::size_t batch_index = 0;
            for (std::size_t start = 0; start < n; start += capacity, ++batch_index) {
                const std::size_t b = std::min(capacity, n - start);
                for (std::size_t c = 0; c < d; ++c)
                    for (std::size_t r = 0; r < b; ++r) enc_ws.input[c * b + r] = x[order[start + r] * d + c];
                std::copy(enc_ws.input.begin(), enc_ws.input.begin() + static_cast<std::ptrdiff_t>(d * b),
                          target.begin());
                map.encoder.forward(enc_ws, b);
                const std::vector<double>& code = enc_ws.a.back();  // sigmoid(z), m x b
                mi::rng noise(mi::derive_seed(o_.seed, 3, e, batch_index));
                for (std::size_t i = 0; i < m * b; ++i) dec_ws.input[i] = code[i] + o_.latent_noise * noise.normal();
                map.decoder.forward(dec_ws, b);
                batch_targets<double> y;
                y.values = target.data();
                epoch_loss += map.decoder.loss(dec_ws, y, true);  // sum over the batch; gradients of the mean
                // d loss / d code = W3^T dz3 (the decoder's first layer), then through the sigmoid: s (1 - s)
                const std::vector<double>& dz = dec_ws.dz[0];  // h x b
                std::fill(code_grad.begin(), code_grad.begin() + static_cast<std::ptrdiff_t>(m * b), 0.0);
                for (std::size_t k = 0; k < w_dec_in.out; ++k)
                    for (std::size_t j = 0; j < m; ++j) {
                        const double w = w_dec_in.w[k * m + j];
                        for (std::size_t r = 0; r < b; ++r) code_grad[j * b + r] += w * dz[k * b + r];
                    }
                std::vector<double>& enc_dz = enc_ws.dz.back();
                for (std::size_t i = 0; i < m * b; ++i) enc_dz[i] = code_grad[i] * code[i] * (1.0 - code[i]);
                map.encoder.backward_from(enc_ws);
                dec_opt.step(map.decoder, dec_ws);
                enc_opt.step(map.encoder, enc_ws);
            }
            map.loss_per_epoch.push_back(epoch_loss / static_cast<double>(n));
        }
        return map;
    }

private:
    static autoencoder_options with_dimension(std::size_t dimension) {
        autoencoder_options o;
        o.dimension = dimension;
        return o;
    }

    template <class T>
    static void standardisation(const mi::activation_view<const T>& rows, autoencoder_scaling scaling,
                                std::vector<double>& mean, std::vector<double>& scale) {
        const std::size_t n = rows.rows(), d = rows.cols();
        mean = mi::detail::column_means(rows);
        scale.assign(d, 0.0);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t c = 0; c < d; ++c) {
                const double v = static_cast<double>(rows(i, c)) - mean[c];
                scale[c] += v * v;
            }
        if (scaling == autoencoder_scaling::global) {
            // one scale: the root of the mean column variance (1 when every column is constant)
            double total = 0.0;
            for (const double s : scale) total += s;
            const double root = std::sqrt(total / static_cast<double>((n - 1) * d));
            scale.assign(d, root > 0.0 ? root : 1.0);
            return;
        }
        for (double& s : scale) {
            s = std::sqrt(s / static_cast<double>(n - 1));
            if (!(s > 0.0)) s = 1.0;
        }
    }

    autoencoder_options o_;
};

static_assert(mi::is_fitted_map_v<autoencoder_map>, "autoencoder_map is a fitted map");
static_assert(mi::is_projection_v<autoencoder>, "autoencoder is a projection policy");

}  // namespace mi_examples::engine

#endif
