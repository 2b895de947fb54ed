// SPDX-License-Identifier: BSD-3-Clause
// Output layers and losses of the reference training engine. The SZT papers
// train a softmax output with categorical cross-entropy (IDNNs, ibsgd,
// adaptive_estimators, smoothMI: all of them a mean over the batch); Saxe et
// al.'s "two sigmoidal neurons" and Keras' binary_crossentropy need a sigmoid
// output; the student reproduction of Goldfeld et al. and the linear
// teacher-student task of Saxe et al. regress with a squared error.
//
// Per-sample losses (k output units, logits z, targets y):
//   softmax_cross_entropy  -log softmax(z)[label]          (log-sum-exp, no clipping)
//   sigmoid_cross_entropy  (1/k) sum_j BCE(sigmoid(z_j), y_j)  (Keras: mean over units)
//   mse                    (1/k) sum_j (f(z_j) - y_j)^2        (PyTorch MSELoss: mean over elements)
// The batch loss is the mean over the batch of the per-sample loss; the
// gradient returned is that of the batch loss. f is the output activation
// (linear unless set), used by mse only. What the engine records as the
// output layer is what the papers dump: softmax probabilities, sigmoid
// outputs, or f(z).
//
// Layout: every array is feature-major, unit j of sample b at [j * batch + b]
// (see network.hpp for why).
#ifndef MI_EXAMPLES_ENGINE_LOSS_HPP
#define MI_EXAMPLES_ENGINE_LOSS_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/activations.hpp"
#include "mi/core/error.hpp"

namespace mi_examples::engine {

enum class loss_kind { softmax_cross_entropy, sigmoid_cross_entropy, mse };

struct output_spec {
    loss_kind loss = loss_kind::softmax_cross_entropy;
    activation act = activation::linear();  ///< output nonlinearity, mse only
    double decision_threshold = 0.5;        ///< one-unit outputs: class 1 iff output > threshold

    static output_spec softmax() { return {loss_kind::softmax_cross_entropy, activation::linear(), 0.5}; }
    static output_spec sigmoid() { return {loss_kind::sigmoid_cross_entropy, activation::linear(), 0.5}; }
    static output_spec mse(activation f = activation::linear(), double threshold = 0.5) {
        return {loss_kind::mse, f, threshold};
    }
    std::string name() const {
        switch (loss) {
            case loss_kind::softmax_cross_entropy: return "softmax_cross_entropy";
            case loss_kind::sigmoid_cross_entropy: return "sigmoid_cross_entropy";
            case loss_kind::mse: return "mse(" + act.name() + ")";
        }
        return "unknown";
    }
};

/// Targets of one batch, feature-major. Either class labels (`labels`, one per
/// sample) or dense targets (`values`, k x batch); dense targets win when both
/// are given. With labels, sigmoid and mse targets are the one-hot rows (k > 1)
/// or the label itself (k = 1).
template <class T>
struct batch_targets {
    const std::uint32_t* labels = nullptr;
    const T* values = nullptr;
};

namespace detail {

template <class T>
T target_value(const batch_targets<T>& y, std::size_t j, std::size_t b, std::size_t k, std::size_t batch) {
    if (y.values) return y.values[j * batch + b];
    if (k == 1) return static_cast<T>(y.labels[b]);
    return y.labels[b] == j ? T(1) : T(0);
}

}  // namespace detail

/// The outputs the papers record for the output layer: softmax probabilities,
/// sigmoid outputs, or f(z) for mse.
template <class T>
void output_transform(const output_spec& spec, const T* z, T* out, std::size_t k, std::size_t batch) {
    if (spec.loss == loss_kind::softmax_cross_entropy) {
        for (std::size_t b = 0; b < batch; ++b) {
            T m = z[b];
            for (std::size_t j = 1; j < k; ++j) m = std::max(m, z[j * batch + b]);
            T s = T(0);
            for (std::size_t j = 0; j < k; ++j) {
                out[j * batch + b] = std::exp(z[j * batch + b] - m);
                s += out[j * batch + b];
            }
            const T inv_s = T(1) / s;
            for (std::size_t j = 0; j < k; ++j) out[j * batch + b] *= inv_s;
        }
    } else if (spec.loss == loss_kind::sigmoid_cross_entropy) {
        for (std::size_t i = 0; i < k * batch; ++i) out[i] = detail::stable_sigmoid(z[i]);
    } else {
        apply(spec.act, z, out, k * batch);
    }
}

/// Computes the outputs `out` (k x batch) from the logits `z`, returns the SUM
/// over the batch of the per-sample losses (double), and, if `dz` is not null,
/// writes the gradient of the MEAN loss with respect to z. Optionally counts
/// correct predictions (needs labels).
template <class T>
double output_loss(const output_spec& spec, const T* z, T* out, T* dz, std::size_t k, std::size_t batch,
                   const batch_targets<T>& y, std::size_t* correct = nullptr) {
    const char* where = "mi_examples::engine::output_loss";
    if (!y.labels && !y.values) mi::detail::fail(where, "targets", "none", "labels or target values");
    if (spec.loss == loss_kind::softmax_cross_entropy && !y.labels)
        mi::detail::fail(where, "labels", "none", "class labels for softmax cross-entropy");
    if (spec.loss == loss_kind::softmax_cross_entropy && k < 2)
        mi::detail::fail(where, "output units", k, ">= 2 for softmax cross-entropy");
    double total = 0.0;
    const T inv_b = T(1) / static_cast<T>(batch);
    const T inv_bk = T(1) / static_cast<T>(batch * k);
    if (spec.loss == loss_kind::softmax_cross_entropy) {
        for (std::size_t b = 0; b < batch; ++b) {
            const std::uint32_t label = y.labels[b];
            if (label >= k) mi::detail::fail(where, "label", label, "a class id below the number of outputs");
            T m = z[b];
            for (std::size_t j = 1; j < k; ++j) m = std::max(m, z[j * batch + b]);
            T s = T(0);
            for (std::size_t j = 0; j < k; ++j) {
                const T e = std::exp(z[j * batch + b] - m);
                out[j * batch + b] = e;
                s += e;
            }
            const T log_s = std::log(s);
            const T inv_s = T(1) / s;
            std::size_t best = 0;
            for (std::size_t j = 0; j < k; ++j) {
                out[j * batch + b] *= inv_s;
                if (out[j * batch + b] > out[best * batch + b]) best = j;
            }
            total += static_cast<double>(log_s + m - z[label * batch + b]);
            if (dz)
                for (std::size_t j = 0; j < k; ++j)
                    dz[j * batch + b] = (out[j * batch + b] - (j == label ? T(1) : T(0))) * inv_b;
            if (correct && best == label) ++*correct;
        }
        return total;
    }
    if (spec.loss == loss_kind::sigmoid_cross_entropy) {
        for (std::size_t b = 0; b < batch; ++b) {
            double sample = 0.0;
            for (std::size_t j = 0; j < k; ++j) {
                const T zz = z[j * batch + b];
                const T t = detail::target_value(y, j, b, k, batch);
                const T p = detail::stable_sigmoid(zz);
                out[j * batch + b] = p;
                // BCE(sigmoid(z), t) = softplus(z) - t z, stable for any z.
                sample += static_cast<double>(detail::stable_softplus(zz) - t * zz);
                if (dz) dz[j * batch + b] = (p - t) * inv_bk;
            }
            total += sample / static_cast<double>(k);
        }
    } else {
        apply(spec.act, z, out, k * batch);
        for (std::size_t b = 0; b < batch; ++b) {
            double sample = 0.0;
            for (std::size_t j = 0; j < k; ++j) {
                const T t = detail::target_value(y, j, b, k, batch);
                const T d = out[j * batch + b] - t;
                sample += static_cast<double>(d) * static_cast<double>(d);
                if (dz) dz[j * batch + b] = T(2) * d * inv_bk;
            }
            total += sample / static_cast<double>(k);
        }
        if (dz) multiply_derivative(spec.act, z, out, dz, k * batch);
    }
    if (correct && y.labels) {
        for (std::size_t b = 0; b < batch; ++b) {
            std::size_t predicted = 0;
            if (k == 1) {
                predicted = out[b] > static_cast<T>(spec.decision_threshold) ? 1 : 0;
            } else {
                for (std::size_t j = 1; j < k; ++j)
                    if (out[j * batch + b] > out[predicted * batch + b]) predicted = j;
            }
            if (predicted == y.labels[b]) ++*correct;
        }
    }
    return total;
}

}  // namespace mi_examples::engine

#endif
