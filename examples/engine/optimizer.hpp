// SPDX-License-Identifier: BSD-3-Clause
// Optimizers of the reference training engine: plain (mini-batch) SGD, which
// with one batch per epoch is full-batch gradient descent (Saxe et al.'s GD
// vs SGD comparison), SGD with momentum (Wongso et al. 2023: lr 0.01,
// momentum 0.9), and Adam, which every SZT code actually used (IDNNs,
// ibsgd, adaptive_estimators, smoothMI: lr 4e-4, beta1 .9, beta2 .999).
//
// Momentum is PyTorch's form (torch.optim.SGD, dampening 0, not Nesterov;
// Sutskever et al. 2013's heavy ball with the learning rate outside):
//   b = g (first step), b = mu b + g (later steps),  w -= lr b,
// g including the weight decay term. The velocity b is kept where Adam keeps
// its first moment, so checkpoints save and restore it the same way.
//
// Adam is PyTorch's form (torch.optim.Adam, Kingma & Ba Algorithm 1):
//   m = b1 m + (1-b1) g,  v = b2 v + (1-b2) g^2,
//   w -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps).
// TensorFlow's AdamOptimizer (used by IDNNs/ibsgd) puts eps outside the bias
// correction ("epsilon hat"): w -= lr sqrt(1-b2^t)/(1-b1^t) * m/(sqrt(v) + eps),
// i.e. its eps equals PyTorch's eps * sqrt(1-b2^t). With eps = 1e-8 the two
// differ only while sqrt(v) is ~1e-8, which float32 gradients of these
// networks never are; we follow PyTorch so the tests can compare with it.
//
// Weight decay is a coupled L2 penalty (PyTorch's weight_decay, not AdamW):
// the loss gets + (lambda/2) sum w^2, i.e. the gradient gets + lambda w, over
// the weight matrices of every layer, optionally excluding the output layer
// (Chelombiev et al.: penalty * sum tf.nn.l2_loss(W) = penalty sum w^2 / 2
// over all but the output layer) and optionally including the biases.
// Note: Chelombiev's TF code adds the penalty to every example's loss and
// differentiates the SUM over the batch, i.e. batch times the gradient of a
// mean loss with lambda = penalty. Adam is invariant to that scale (up to
// eps), so with Adam lambda = penalty and the same lr reproduce it; plain SGD
// would need lr = batch * their lr.
#ifndef MI_EXAMPLES_ENGINE_OPTIMIZER_HPP
#define MI_EXAMPLES_ENGINE_OPTIMIZER_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "engine/network.hpp"
#include "mi/core/error.hpp"
#include "mi/core/mul_add.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/simd.hpp"

namespace mi_examples::engine {

enum class optimizer_kind { sgd, adam };

struct optimizer_config {
    optimizer_kind kind = optimizer_kind::adam;
    double learning_rate = 4e-4;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double epsilon = 1e-8;
    double momentum = 0.0;           ///< SGD only: mu of the velocity b = mu b + g (0: plain SGD)
    double weight_decay = 0.0;       ///< lambda of the L2 penalty (lambda/2) sum w^2
    bool decay_output_layer = true;  ///< false: Chelombiev's form (output layer not penalised)
    bool decay_biases = false;
    /// false: the biases keep their values (0 unless set_layer gave others), i.e. bias-free
    /// layers, as in the analytical models of Saxe et al. 2018 (the minimal model h = f(w x),
    /// deep linear students T = W X), whose exact information assumes no bias.
    bool train_biases = true;

    static optimizer_config sgd(double lr, double momentum = 0.0) {
        optimizer_config c;
        c.kind = optimizer_kind::sgd;
        c.learning_rate = lr;
        c.momentum = momentum;
        return c;
    }
    static optimizer_config adam(double lr = 4e-4, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8) {
        optimizer_config c;
        c.kind = optimizer_kind::adam;
        c.learning_rate = lr;
        c.beta1 = beta1;
        c.beta2 = beta2;
        c.epsilon = eps;
        return c;
    }
    std::string name() const {
        return kind == optimizer_kind::adam ? "adam" : momentum > 0.0 ? "sgd_momentum" : "sgd";
    }
};

template <class T>
class optimizer {
public:
    optimizer() = default;
    optimizer(const optimizer_config& config, const network<T>& net) : config_(config) {
        const char* where = "mi_examples::engine::optimizer";
        if (!(config.learning_rate > 0.0) || !std::isfinite(config.learning_rate))
            mi::detail::fail(where, "learning_rate", config.learning_rate, "a finite value > 0");
        if (!(config.weight_decay >= 0.0) || !std::isfinite(config.weight_decay))
            mi::detail::fail(where, "weight_decay", config.weight_decay, "a finite value >= 0");
        if (config.kind == optimizer_kind::adam) {
            if (!(config.beta1 >= 0.0 && config.beta1 < 1.0))
                mi::detail::fail(where, "beta1", config.beta1, "a value in [0, 1)");
            if (!(config.beta2 >= 0.0 && config.beta2 < 1.0))
                mi::detail::fail(where, "beta2", config.beta2, "a value in [0, 1)");
            if (!(config.epsilon > 0.0)) mi::detail::fail(where, "epsilon", config.epsilon, "> 0");
            if (config.momentum != 0.0)
                mi::detail::fail(where, "momentum", config.momentum, "0 with Adam (its beta1 is the momentum)");
        } else if (!(config.momentum >= 0.0 && config.momentum < 1.0)) {
            mi::detail::fail(where, "momentum", config.momentum, "a value in [0, 1)");
        }
        const bool adam = config.kind == optimizer_kind::adam;
        for (std::size_t l = 0; l < net.num_layers(); ++l) {
            const auto& L = net.at(l);
            if (adam || config.momentum > 0.0) {
                m_w_.emplace_back(L.w.size(), T(0));
                m_b_.emplace_back(L.b.size(), T(0));
            }
            if (adam) {
                v_w_.emplace_back(L.w.size(), T(0));
                v_b_.emplace_back(L.b.size(), T(0));
            }
        }
    }

    const optimizer_config& config() const noexcept { return config_; }
    std::size_t steps() const noexcept { return t_; }

    /// What an update depends on besides the gradients: the step count, Adam's moments or SGD's
    /// velocity (in m_w, m_b), none for plain SGD. Saved and restored by checkpoints, so a resumed
    /// run takes exactly the same steps.
    struct state {
        std::size_t steps = 0;
        std::vector<std::vector<T>> m_w, v_w, m_b, v_b;
    };
    state get_state() const { return {t_, m_w_, v_w_, m_b_, v_b_}; }
    /// Restores a state saved from an optimizer of the same kind on a network of the same shape.
    void restore(const state& s) {
        const char* where = "mi_examples::engine::optimizer::restore";
        auto same_shape = [](const std::vector<std::vector<T>>& a, const std::vector<std::vector<T>>& b) {
            if (a.size() != b.size()) return false;
            for (std::size_t i = 0; i < a.size(); ++i)
                if (a[i].size() != b[i].size()) return false;
            return true;
        };
        if (!same_shape(s.m_w, m_w_) || !same_shape(s.v_w, v_w_) || !same_shape(s.m_b, m_b_) ||
            !same_shape(s.v_b, v_b_))
            mi::detail::fail(where, "state", "moments of another shape",
                             "the moments of a " + config_.name() + " optimizer on this network");
        t_ = s.steps;
        m_w_ = s.m_w;
        v_w_ = s.v_w;
        m_b_ = s.m_b;
        v_b_ = s.v_b;
    }

    /// One update from the gradients in ws (those of the mean batch loss).
    void step(network<T>& net, const workspace<T>& ws) {
        ++t_;
        const std::size_t n_layers = net.num_layers();
        for (std::size_t l = 0; l < n_layers; ++l) {
            auto& L = net.at(l);
            const bool decay = config_.weight_decay > 0.0 && (config_.decay_output_layer || l + 1 < n_layers);
            const T wd_w = decay ? static_cast<T>(config_.weight_decay) : T(0);
            const T wd_b = decay && config_.decay_biases ? static_cast<T>(config_.weight_decay) : T(0);
            if (config_.kind == optimizer_kind::sgd && config_.momentum > 0.0) {
                in_ranges(L.w.size(), [&](std::size_t s, std::size_t e) {
                    sgd_momentum(L.w.data() + s, ws.grad_w[l].data() + s, m_w_[l].data() + s, e - s, wd_w);
                });
                if (config_.train_biases)
                    sgd_momentum(L.b.data(), ws.grad_b[l].data(), m_b_[l].data(), L.b.size(), wd_b);
            } else if (config_.kind == optimizer_kind::sgd) {
                in_ranges(L.w.size(), [&](std::size_t s, std::size_t e) {
                    sgd(L.w.data() + s, ws.grad_w[l].data() + s, e - s, wd_w);
                });
                if (config_.train_biases) sgd(L.b.data(), ws.grad_b[l].data(), L.b.size(), wd_b);
            } else {
                in_ranges(L.w.size(), [&](std::size_t s, std::size_t e) {
                    adam(L.w.data() + s, ws.grad_w[l].data() + s, m_w_[l].data() + s, v_w_[l].data() + s, e - s, wd_w);
                });
                if (config_.train_biases)
                    adam(L.b.data(), ws.grad_b[l].data(), m_b_[l].data(), v_b_[l].data(), L.b.size(), wd_b);
            }
        }
    }

private:
    // Calls f(begin, end) over [0, n): a large layer's weights in ranges of 32,768 on mi's threads.
    // The updates are elementwise and every range starts at a multiple of 64 (the Adam blocks'
    // size), so a weight gets the same bits whichever thread updates it. The MNIST layer's SGD
    // update (800k weights, 9.6 MB read and written per step) was a tenth of its epoch on one core
    // while the other waited.
    template <class F>
    static void in_ranges(std::size_t n, F&& f) {
        constexpr std::size_t range = std::size_t(1) << 15;
        if (n < 2 * range) {
            f(std::size_t(0), n);
            return;
        }
        mi::parallel_for_ranges(n, range, f);
    }

    void sgd(T* w, const T* g, std::size_t n, T wd) const {
        const T lr = static_cast<T>(config_.learning_rate);
        if (wd != T(0))
            for (std::size_t i = 0; i < n; ++i) w[i] -= lr * (g[i] + wd * w[i]);
        else
            for (std::size_t i = 0; i < n; ++i) w[i] -= lr * g[i];
    }

    // PyTorch's order of operations: the decayed gradient g + wd w, the velocity mu b + g (b = g
    // on the first step: a zero b would give the same but for the sign of a zero), then w - lr b,
    // with the multiply-adds fused where the target has FMA (mi::detail::mul_add), as GCC
    // contracts the plain SGD update.
    void sgd_momentum(T* w, const T* g, T* b, std::size_t n, T wd) const {
        const T lr = static_cast<T>(config_.learning_rate), mu = static_cast<T>(config_.momentum);
        const bool first = t_ == 1;
        for (std::size_t i = 0; i < n; ++i) {
            const T gi = wd != T(0) ? mi::detail::mul_add(wd, w[i], g[i]) : g[i];
            b[i] = first ? gi : mi::detail::mul_add(mu, b[i], gi);
            w[i] = mi::detail::mul_add(-lr, b[i], w[i]);
        }
    }

    void adam(T* w, const T* g, T* m, T* v, std::size_t n, T wd) const {
        const T b1 = static_cast<T>(config_.beta1), b2 = static_cast<T>(config_.beta2);
        const T one_b1 = static_cast<T>(1.0 - config_.beta1), one_b2 = static_cast<T>(1.0 - config_.beta2);
        const double t = static_cast<double>(t_);
        const double bc1 = 1.0 - std::pow(config_.beta1, t);
        const double bc2 = 1.0 - std::pow(config_.beta2, t);
        const T step_size = static_cast<T>(config_.learning_rate / bc1);
        const T inv_sqrt_bc2 = static_cast<T>(1.0 / std::sqrt(bc2));
        const T eps = static_cast<T>(config_.epsilon);
        const adam_factors<T> f{b1, b2, one_b1, one_b2, inv_sqrt_bc2, eps, step_size, wd};
        auto update = [&](std::size_t i) { adam_update(w[i], g[i], m[i], v[i], f); };
        if constexpr (std::is_same_v<T, float>) {
            // wd = 0: the gradient term is then g + (+-0), zero exactly when g is. The factors' ranges
            // are those idle_update's rounding argument needs. A block is checked just before its
            // update, so the check reads what the update is about to load.
            if (wd == 0.0f && b1 >= 0.5f && b1 < 1.0f && b2 >= 0.0f && b2 < 1.0f && step_size > 0.0f) {
                constexpr std::size_t block = 64;  // blocks without subnormals keep the vector loop
                static_assert(block % mi::simd::width<float> == 0, "whole batches per block");
                for (std::size_t s = 0; s < n; s += block) {
                    const std::size_t e = std::min(n, s + block);
                    if (any_subnormal(m + s, e - s) || any_subnormal(v + s, e - s)) {
                        for (std::size_t i = s; i < e; ++i)
                            if (!idle_update(w[i], g[i] + wd * w[i], m[i], v[i], b1, b2, step_size)) update(i);
                    } else if (e - s == block) {
                        adam_batches(w + s, g + s, m + s, v + s, block, f);
                    } else {
                        for (std::size_t i = s; i < e; ++i) update(i);
                    }
                }
                return;
            }
        }
        const std::size_t whole = n / mi::simd::width<T> * mi::simd::width<T>;
        adam_batches(w, g, m, v, whole, f);
        for (std::size_t i = whole; i < n; ++i) update(i);
    }

    template <class V>
    struct adam_factors {
        V b1, b2, one_b1, one_b2, inv_sqrt_bc2, eps, step_size, wd;
    };

    // One Adam update of a weight (V = T) or of a batch of weights (V = a batch of T): the same
    // operations lane by lane. sqrt of a batch is the same correctly rounded square root as
    // std::sqrt, which GCC cannot vectorise while it must set errno for negative arguments. The
    // multiply-adds (mi::detail::mul_add: fused where the target has FMA, for a scalar and a batch
    // alike) are where GCC's contraction had fused the scalar expressions before the update was
    // written out, so trained networks kept their bits.
    template <class V, class F>
    static void adam_update(V& w, V g, V& m, V& v, const F& f) noexcept {
        const V gi = mi::detail::mul_add(f.wd, w, g);
        m = mi::detail::mul_add(f.b1, m, f.one_b1 * gi);
        v = mi::detail::mul_add(f.b2, v, f.one_b2 * gi * gi);
        using std::sqrt;
        const V denom = mi::detail::mul_add(sqrt(v), f.inv_sqrt_bc2, f.eps);
        w = w - f.step_size * m / denom;
    }

    // adam_update over the first n weights, n a multiple of the batch width.
    static void adam_batches(T* w, const T* g, T* m, T* v, std::size_t n, const adam_factors<T>& s) noexcept {
        using B = mi::simd::batch<T>;
        const adam_factors<B> f{B(s.b1), B(s.b2), B(s.one_b1), B(s.one_b2), B(s.inv_sqrt_bc2), B(s.eps), B(s.step_size), B(s.wd)};
        for (std::size_t i = 0; i < n; i += B::size) {
            B wb = B::load_unaligned(w + i), mb = B::load_unaligned(m + i), vb = B::load_unaligned(v + i);
            adam_update(wb, B::load_unaligned(g + i), mb, vb, f);
            wb.store_unaligned(w + i);
            mb.store_unaligned(m + i);
            vb.store_unaligned(v + i);
        }
    }

    // Subnormal moments. A weight whose gradient stays exactly zero (one into a unit that a ReLU
    // network has killed) has Adam moments that decay by beta1 and beta2 a step into the subnormal
    // range and stay there: m * 0.9 rounds back to m at 4 units in the last place, v * 0.999 below
    // 500. Arithmetic on subnormal floats takes a microcode assist on Intel cores (about a hundred
    // cycles): the README's ReLU SZT networks trained 1.9x slower than with flush-to-zero on an
    // Intel Xeon (bench/engine.md); this path saves 0.8-1.0 s of the 12.6-13.1 s. Such an update
    // is done here on the moments' bits, with the same result as the float arithmetic of
    // `update`: m' = round(beta1 m), v' = round(beta2 v) (the zero gradient terms add +-0, the
    // product is exact in double and rounded once, half to even, in units of the smallest
    // subnormal), and w' = w - (+-0) because step_size * m' is below half the smallest subnormal
    // and rounds to a zero of m''s sign, which the positive denominator keeps. Any other case
    // returns false and takes `update`.
    static bool any_subnormal(const float* x, std::size_t n) noexcept {
        std::uint32_t any = 0;
        for (std::size_t i = 0; i < n; ++i) {
            std::uint32_t b;
            std::memcpy(&b, x + i, sizeof b);
            any |= static_cast<std::uint32_t>((b & 0x7F800000u) == 0u && (b & 0x7FFFFFFFu) != 0u);
        }
        return any != 0u;
    }

    // For 0.5 <= b1 < 1, 0 <= b2 < 1 and step_size > 0 (checked by the caller).
    static bool idle_update(float& w, float gi, float& m, float& v, float b1, float b2, float step_size) noexcept {
        std::uint32_t mb, vb;
        std::memcpy(&mb, &m, sizeof mb);
        std::memcpy(&vb, &v, sizeof vb);
        const std::uint32_t mk = mb & 0x7FFFFFFFu;  // |m| in units of 2^-149 when subnormal
        if (gi != 0.0f || (mb & 0x7F800000u) != 0u || (vb & 0x80000000u) != 0u || (vb & 0x7F800000u) == 0x7F800000u)
            return false;  // a gradient, a normal first moment, or a second moment that is not finite and >= 0
        const double m_units = std::nearbyint(static_cast<double>(mk) * static_cast<double>(b1));
        const bool v_subnormal = (vb & 0x7F800000u) == 0u;
        // step_size * m' in units of 2^-149; from half a unit on it would not round to zero
        if (m_units * static_cast<double>(step_size) >= 0.5) return false;
        const std::uint32_t sign = mb & 0x80000000u;
        std::uint32_t m_new = sign | static_cast<std::uint32_t>(m_units);
        // m' = 0 only from m = +-0 (b1 >= 0.5 keeps a subnormal nonzero): beta1 m + one_b1 gi is a sum
        // of two zeros, negative only if both are
        std::uint32_t g_bits;
        std::memcpy(&g_bits, &gi, sizeof g_bits);
        if (m_units == 0.0) m_new = sign & g_bits & 0x80000000u;
        std::memcpy(&m, &m_new, sizeof m_new);
        if (v_subnormal) {
            const auto v_new = static_cast<std::uint32_t>(std::nearbyint(static_cast<double>(vb) * static_cast<double>(b2)));
            std::memcpy(&v, &v_new, sizeof v_new);
        } else {
            v = b2 * v;  // normal: the float product, as b2 * v + (+0)
        }
        const float zero_of_m = (m_new & 0x80000000u) != 0u ? -0.0f : 0.0f;
        w = w - zero_of_m;
        return true;
    }

    optimizer_config config_;
    std::vector<std::vector<T>> m_w_, v_w_, m_b_, v_b_;
    std::size_t t_ = 0;
};

}  // namespace mi_examples::engine

#endif
