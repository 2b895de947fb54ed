// SPDX-License-Identifier: BSD-3-Clause
// k-bit quantization-aware training for the reference engine (examples only,
// never included by include/mi): the "fake" quantizer of Lorenzen, Igel &
// Nielsen, "Information Bottleneck: Exact Analysis of (Quantized) Neural
// Networks", ICLR 2022 (arXiv 2106.12912), whose networks are trained and
// recorded with every layer's output on a grid of 2^k values, so that I(X;T)
// and I(T;Y) are finite counts (mi/estimators/exact_counting.hpp).
//
// Their networks are built with TensorFlow's quantization-aware training
// (tensorflow_model_optimization, the authors' code StephanLorenzen/
// ExactIBAnalysisInQNNs, IB/util/quantization.py and IB/models/models.py);
// this file re-states that scheme:
//
// Quantizer (TensorFlow fake_quant_with_min_max_vars, narrow_range = false):
//   a range [lo, hi] is first nudged so that 0 is a grid point:
//     scale = (hi - lo) / (2^k - 1),  zp = clamp(round(-lo / scale), 0, 2^k - 1),
//     lo' = -zp * scale,  hi' = (2^k - 1 - zp) * scale
//   (for lo <= 0 <= hi this is lo' = scale * round(lo / scale), hi' = hi + lo' - lo);
//   then q(x) = lo' + scale * round((clamp(x, lo', hi') - lo') / scale).
//   Backward (straight-through estimator, as TensorFlow's gradient of that op):
//   dq/dx = 1 for lo' <= x <= hi', 0 outside.
// Where the quantizer sits, per layer (the authors' configs):
//   - tanh hidden layers (Tanh8BitConfig): the activation tanh(z) is quantized
//     with [lo, hi] = the min and max of the current batch's tanh outputs
//     (every value in the batch, all units); weights are NOT quantized.
//   - every other layer, including the softmax output (Default8BitConfig):
//     the weight matrix is quantized on the range [min(W, 0), max(W, 0)] of its
//     current values (TF LastValueQuantizer, per tensor), with the
//     straight-through gradient onto the float weights; the layer's output is
//     quantized on a moving-average range (TF MovingAverageQuantizer):
//     lo, hi start at -6, 6 and move toward min(batch min, 0), max(batch max, 0)
//     with decay 0.999 at every training step; evaluation uses the stored range.
//   Biases are not quantized (neither are they there).
// The softmax output is quantized, so the loss is Keras' categorical
// cross-entropy of the quantized probabilities q: q / sum(q), clipped to
// [1e-7, 1 - 1e-7], -log of the true class (quantized_softmax_loss below).
//
// Deviations, stated: (1) TF updates the moving average before it quantizes
// a training batch; here the update happens in the backward pass, so a
// training batch is quantized with the range after the previous batch (the
// difference is 0.001 of the distance between the stored range and this
// batch's). (2) The authors' model also fake-quantizes its input layer; the
// SZT inputs are 0/1 and we leave them exact. (3) No checkpointing of the
// moving averages (a quantized run is not resumable mid-way).
#ifndef MI_EXAMPLES_ENGINE_QUANTIZATION_HPP
#define MI_EXAMPLES_ENGINE_QUANTIZATION_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/activations.hpp"
#include "mi/core/error.hpp"

namespace mi_examples::engine {

/// How a layer's output range is chosen.
enum class range_rule {
    batch_min_max,   ///< min and max of the batch being quantized (the authors' tanh quantizer)
    moving_average   ///< TF MovingAverageQuantizer: EMA of min(batch min, 0), max(batch max, 0)
};

/// Quantization-aware training of a network (network_config::quantization). bits = 0: off.
struct quantization_config {
    unsigned bits = 0;          ///< k; 0 disables quantization (every existing program)
    double ema_decay = 0.999;   ///< TF MovingAverageQuantizer's decay
    double ema_initial_lo = -6.0, ema_initial_hi = 6.0;  ///< TF's initial moving-average range

    bool enabled() const noexcept { return bits > 0; }
    static quantization_config k_bit(unsigned k) { return {k, 0.999, -6.0, 6.0}; }

    void check(const char* where) const {
        if (bits != 0 && (bits < 2 || bits > 16)) mi::detail::fail(where, "quantization bits", bits, "0 (off) or 2..16");
        if (!(ema_decay >= 0.0 && ema_decay < 1.0))
            mi::detail::fail(where, "quantization ema_decay", ema_decay, "in [0, 1)");
        if (!(ema_initial_lo <= 0.0 && ema_initial_hi >= 0.0 && std::isfinite(ema_initial_lo) &&
              std::isfinite(ema_initial_hi)))
            mi::detail::fail(where, "quantization initial range", ema_initial_lo, "finite lo <= 0 <= hi");
    }
};

/// Where the quantizer sits in one layer (the authors' per-activation configs, see the header).
struct layer_quantization {
    range_rule output_range = range_rule::moving_average;
    bool weights = true;
};

/// tanh hidden layers: batch range, float weights; everything else (ReLU, the softmax output): quantized
/// weights and a moving-average output range.
inline layer_quantization quantization_of(const activation& act, bool output_layer) {
    if (!output_layer && act.kind == activation_kind::tanh) return {range_rule::batch_min_max, false};
    return {range_rule::moving_average, true};
}

/// A nudged k-bit grid: lo + scale * i, i = 0 .. 2^k - 1, with 0 on the grid.
template <class T>
struct quant_grid {
    T lo = T(0), hi = T(0), scale = T(0);

    /// TF's nudging of [min, max] (fake_quant_with_min_max_vars, narrow_range = false). A range with
    /// max <= min (a constant layer) becomes the one-point grid {min}.
    static quant_grid nudged(T min, T max, unsigned bits) {
        quant_grid g;
        const T levels = static_cast<T>((std::uint32_t(1) << bits) - 1);
        if (!(max > min)) {
            g.lo = g.hi = min;
            g.scale = T(0);
            return g;
        }
        g.scale = (max - min) / levels;
        const T zero_from_min = -min / g.scale;
        T zp;
        if (zero_from_min < T(0)) zp = T(0);
        else if (zero_from_min > levels) zp = levels;
        else zp = std::round(zero_from_min);
        g.lo = -zp * g.scale;
        g.hi = (levels - zp) * g.scale;
        return g;
    }

    T operator()(T x) const {
        if (scale == T(0)) return lo;
        const T c = std::min(hi, std::max(lo, x));
        return lo + scale * std::floor((c - lo) / scale + T(0.5));
    }
    /// The straight-through mask: does the gradient pass at x?
    bool passes(T x) const { return x >= lo && x <= hi; }
};

/// out[i] = q(x[i]) and pass[i] = STE mask, for i < n (out may alias x).
template <class T>
void fake_quantize(const quant_grid<T>& g, const T* x, T* out, std::uint8_t* pass, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        const T v = x[i];
        if (pass) pass[i] = g.passes(v) ? 1 : 0;
        out[i] = g(v);
    }
}

/// min and max of x[0..n).
template <class T>
std::pair<T, T> min_max(const T* x, std::size_t n) {
    T lo = x[0], hi = x[0];
    for (std::size_t i = 1; i < n; ++i) {
        lo = std::min(lo, x[i]);
        hi = std::max(hi, x[i]);
    }
    return {lo, hi};
}

/// TF's moving-average range (MovingAverageQuantizer): lo += (1 - decay) (min(batch min, 0) - lo), same for hi.
struct moving_range {
    double lo = -6.0, hi = 6.0;
    void update(double batch_min, double batch_max, double decay) {
        lo -= (lo - std::min(batch_min, 0.0)) * (1.0 - decay);
        hi -= (hi - std::max(batch_max, 0.0)) * (1.0 - decay);
    }
};

/// Keras categorical cross-entropy of quantized softmax probabilities, and its gradient on the logits
/// through the straight-through estimator and the softmax Jacobian.
///   p = softmax(z) (k x batch, feature-major), q = fake-quantized p, pass = STE mask of q;
///   loss_b = -log clip(q_y / S, eps, 1 - eps), S = sum_j q_j (S = 0: every q_j = 0, loss -log eps);
///   dL/dq_j = -(m_y / r_y) (delta_jy / S - q_y / S^2), r = q / S, m_y = 1 unless r_y was clipped;
///   dL/dp_j = pass_j dL/dq_j;  dL/dz_i = p_i (dL/dp_i - sum_j p_j dL/dp_j); divided by the batch (mean loss).
/// Returns the summed loss; counts in `correct` the rows whose first arg max of q is the label.
template <class T>
double quantized_softmax_loss(const T* p, const T* q, const std::uint8_t* pass, T* dz, std::size_t k,
                              std::size_t batch, const std::uint32_t* labels, std::size_t* correct) {
    const char* where = "mi_examples::engine::quantized_softmax_loss";
    if (!labels) mi::detail::fail(where, "labels", "none", "class labels for softmax cross-entropy");
    constexpr double eps = 1e-7;
    double total = 0.0;
    std::vector<double> g(k);
    for (std::size_t b = 0; b < batch; ++b) {
        const std::uint32_t y = labels[b];
        if (y >= k) mi::detail::fail(where, "label", y, "a class id below the number of outputs");
        double s = 0.0;
        std::size_t best = 0;
        for (std::size_t j = 0; j < k; ++j) {
            s += static_cast<double>(q[j * batch + b]);
            if (q[j * batch + b] > q[best * batch + b]) best = j;
        }
        if (correct && best == y) ++*correct;
        const double qy = static_cast<double>(q[y * batch + b]);
        const double r = s > 0.0 ? qy / s : 0.0;
        const bool clipped = r < eps || r > 1.0 - eps;
        total += -std::log(std::min(1.0 - eps, std::max(eps, r)));
        if (!dz) continue;
        double dot = 0.0;
        for (std::size_t j = 0; j < k; ++j) {
            double d = 0.0;
            if (!clipped && s > 0.0) d = -(1.0 / r) * ((j == y ? 1.0 / s : 0.0) - qy / (s * s));
            g[j] = pass[j * batch + b] ? d : 0.0;
            dot += static_cast<double>(p[j * batch + b]) * g[j];
        }
        for (std::size_t j = 0; j < k; ++j)
            dz[j * batch + b] = static_cast<T>(static_cast<double>(p[j * batch + b]) * (g[j] - dot) /
                                               static_cast<double>(batch));
    }
    return total;
}

}  // namespace mi_examples::engine

#endif
