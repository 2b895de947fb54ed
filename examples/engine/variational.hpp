// SPDX-License-Identifier: BSD-3-Clause
// Variational lower bounds on mutual information, each maximised over a critic
// network trained on the reference engine (examples/engine/network.hpp,
// optimizer.hpp). They train a network, so they live in examples/ beside the
// engine, but they model the plane-estimator concept of
// include/mi/estimators/concept.hpp, so mi::information_plane and the CSV
// take them like any other estimator.
//
// The bounds (critic f, positive pairs (a_i, b_i) ~ p(a, b), negative pairs
// (a_i, b_j), j != i, of one batch of B rows standing for p(a) p(b)):
//
//   MINE (Belghazi et al., "Mutual Information Neural Estimation", ICML 2018,
//   arXiv:1801.04062): the Donsker-Varadhan representation (their Theorem 1)
//     I >= I_DV(f) = E_p[f] - log E_{p(a)p(b)}[e^f],
//   maximised by stochastic gradients. The gradient of the log term,
//   E_q[e^f grad f] / E_q[e^f], is biased when both expectations come from
//   the same batch; MINE (§3.2, "Correcting the bias from the stochastic
//   gradients", and Algorithm 1) divides by an exponential moving average
//   m_t = (1 - alpha) m_{t-1} + alpha * mean_batch(e^f) instead (m_1 = the
//   first batch's mean; alpha = options.moving_average, 0.01 as in the
//   authors' code). Kept in log space here so that large scores do not
//   overflow. The reported value is I_DV on the evaluation batches (no
//   moving average there: it only corrects the training gradient).
//
//   NWJ (Nguyen, Wainwright & Jordan, "Estimating divergence functionals and
//   the likelihood ratio by convex risk minimization", IEEE Trans. IT 2010;
//   the f-divergence (KL) bound in the form used by Poole et al., "On
//   Variational Bounds of Mutual Information", ICML 2019, arXiv:1905.06922,
//   §2.2, I_NWJ, called f-GAN KL / MINE-f there):
//     I >= I_NWJ(f) = E_p[f] - e^{-1} E_{p(a)p(b)}[e^f],
//   unbiased stochastic gradients, no moving average needed.
//
//   InfoNCE (van den Oord, Li & Vinyals, "Representation Learning with
//   Contrastive Predictive Coding", arXiv:1807.03748, §2.3, Eq. 4 (the loss
//   L_N) and I >= log N - L_N; Poole et al. §2.3, I_NCE):
//     I >= I_NCE(f) = (1/B) sum_i [ f(a_i, b_i) - log (1/B) sum_j e^{f(a_i, b_j)} ]
//                  = log B - L_B.
//   I_NCE <= log B for every critic (each term is at most log B), so the
//   estimate can never exceed log(batch): THE CEILING IS A PROPERTY OF THE
//   BOUND, not of the critic, and a true MI above log B shows as a value
//   pinned just below log B. parameters() says the batch, and the result
//   says the ceiling.
//
// Bias and variance (Poole et al. §2-3; McAllester & Stratos, "Formal limitations
// on the measurement of mutual information", AISTATS 2020; Song & Ermon,
// "Understanding the limitations of variational mutual information
// estimators", ICLR 2020): I_DV and I_NWJ are lower bounds in expectation
// only for the optimal critic; their batch estimates have a variance that
// grows like e^{I} / B (the e^f of the negative pairs is a heavy-tailed
// average), so at large MI they are noisy and can overshoot on one batch.
// I_NCE has low variance but is capped at log B (high bias when I > log B).
// All three under-estimate when the critic is under-trained. The estimates
// here average the bound over floor(N/B) disjoint evaluation batches, and
// `estimate.standard_error` is the spread of those batch values / sqrt(batches).
//
// Critics (options.critic; the three bounds, their gradients with respect to
// the score matrix S_ij = f(a_i, b_j) and the evaluation are the same for both,
// only the network that produces S differs):
//
//   separable (the default): f(a, b) = g(a)^T h(b) (Poole et al. §4,
//   "separable critic"). g and h are MLPs on the engine: the widths
//   options.hidden, the nonlinearity options.activation (ReLU, as Poole et
//   al.), a linear output of options.embedding units. Per step: 2 tower passes
//   on B rows each (2B network evaluations) and one B x B x k score product.
//
//   joint: f(a, b) = T([a ; b]), one MLP on the concatenation with a linear
//   scalar output: the statistics network T_theta(x, z) of Belghazi et al.
//   (§3, Algorithm 1, which feeds it the joint and the marginal samples
//   (x, z)), called the "concat critic" by Poole et al. §4, who compare it
//   with the separable one on correlated Gaussians. The widths options.hidden
//   and options.activation as for the towers; options.embedding is unused. It is
//   evaluated on all B^2 rows [a_i ; b_j] of a batch (pair p = i B + j), so
//   S_ij = T([a_i ; b_j]), and d(-bound)/dS_ij is back-propagated through the
//   same B^2 rows. The first layer is split (W [a ; b] = W_a a + W_b b), so it
//   costs two products of B rows and B^2 sums, not a product of B^2 rows
//   (joint_critic below). Per step: the other layers on B^2 rows forward and
//   backward (B = 128: 16384 rows, B/2 = 64 times the separable critic's
//   2B = 256; bench/variational.md has the measured times), in blocks of
//   pairs on mi's threads, and a workspace of
//   B^2 x (d_a + d_b + 3 x (sum of hidden widths + 1)) floats (each layer's
//   pre-activations, outputs and gradients, and an input the split first
//   layer leaves unused; 14 MB for B = 128, d_a + d_b = 22 and 32-32 hidden),
//   refused above 2^28 floats (1 GiB): the cost grows with B^2, and a batch
//   that needs more is better served by the separable critic.
//   When to prefer which: the joint critic can represent any f(a, b) (the
//   optimal critic of a bound is log p(a, b) / (p(a) p(b)) + const, which a
//   separable critic can only approximate through an inner product of
//   k-dimensional embeddings), so it is the reference for small inputs and
//   the form MINE was proposed with; the separable critic is 12-19x cheaper
//   per step at the same B and widths on 2 cores, 21-33x on one (bench/variational.md),
//   which is what a plane of many points needs; on correlated Gaussians the
//   tests here find both within the same tolerance of the closed form.
//
// Both are initialised as PyTorch's nn.Linear (W, b ~ U(+-1/sqrt(fan_in)))
// and trained by Adam (optimizer.hpp, PyTorch's form) at
// options.learning_rate. All pairs of a batch are used: B positive and
// B(B-1) negative pairs per step (Poole et al.'s implementation; Belghazi et
// al. draw one shuffled negative per row, which has more variance).
//
// The two quantities of a plane point:
//   I(X;T)  a = X, the samples' network input (mi::samples::with_network_input),
//           b = T, the layer.
//   I(T;Y)  a = T, b = one_hot(Y) into the h tower (so h(y) is a learned
//           embedding of each class; the joint critic sees [T ; one_hot(Y)];
//           the negatives are the other rows' labels, i.e. draws of the
//           empirical label marginal). I(T;Y) <= H(Y), and InfoNCE's
//           estimate is also <= log B.
// Inputs are standardised per column over the N rows (mean 0, variance 1; a
// constant column becomes 0) before entering the critic: MI is invariant to
// that map, and one learning rate then fits layers of every scale.
// By default the critic is trained and evaluated on the same N rows: the plane's
// convention is that the empirical distribution of the rows IS the
// distribution (for a deterministic network on N distinct inputs I(X;T) =
// H(T) <= log N), and a critic that memorises them measures exactly that.
// options.holdout > 0 evaluates on rows the critic never saw instead, which is
// what an estimate of a population MI (the Gaussian tests) needs.
//
// Determinism: everything is drawn from mi::rng streams derived from
// options.seed (tower g: derive_seed(seed, 1), tower h: derive_seed(seed, 2),
// training batches: derive_seed(seed, 3), held-out split: derive_seed(seed, 4), evaluation order:
// derive_seed(seed, 5), the joint critic: derive_seed(seed, 6) (a stream of its own, so the
// batches, split and order are the same draws for both critics);
// the I(T;Y) critic uses seed + 1 in place of seed), the engine's hand loops
// are used (blas_threshold = max). What runs on mi's threads is split so that
// no sum depends on it: the separable critic's two towers (one per thread),
// the score matrix's rows and the bound's rows (halves, their sums added in
// row order), the joint critic's blocks of pairs (gradients added in block
// order); so a point is bit-identical for any number of mi threads or
// OpenBLAS threads. The plane driver runs points in parallel (all of the
// above then runs serially in the point's thread); each point trains its own
// critics.
//
// Training: the bound's gradient with respect to each tower's output (separable)
// or to the B^2 scalar outputs (joint) is put in the network's workspace and
// back-propagated by network<T>::backward_from, the engine's own backward pass.
//
// Cost per training step: separable, 2 tower passes on B rows (forward +
// backward) and the B x B x k score product and its two gradients; joint, the
// split first layer and one pass of the other layers on B^2 rows (forward +
// backward). Results in nats.
#ifndef MI_EXAMPLES_ENGINE_VARIATIONAL_HPP
#define MI_EXAMPLES_ENGINE_VARIATIONAL_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "engine/activations.hpp"
#include "engine/network.hpp"
#include "engine/optimizer.hpp"
#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/finite.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/random.hpp"
#include "mi/core/resampling.hpp"
#include "mi/core/samples.hpp"
#include "mi/core/simd.hpp"
#include "mi/estimators/concept.hpp"

namespace mi_examples::variational {

namespace eng = mi_examples::engine;

/// Which lower bound the critic maximises (and which is reported).
enum class bound { mine, nwj, infonce };

inline const char* bound_name(bound b) noexcept {
    switch (b) {
        case bound::mine: return "mine";
        case bound::nwj: return "nwj";
        case bound::infonce: return "infonce";
    }
    return "unknown";
}

/// The critic's form (see the header comment): g(a)^T h(b), or one network on [a ; b].
enum class critic_kind { separable, joint };

inline const char* critic_name(critic_kind c) noexcept {
    switch (c) {
        case critic_kind::separable: return "separable";
        case critic_kind::joint: return "joint";
    }
    return "unknown";
}

/// Every hyper-parameter of the estimator (parameters() lists them all).
struct variational_options {
    bound objective = bound::infonce;
    critic_kind critic = critic_kind::separable;  ///< separable g(a)^T h(b), or joint T([a ; b])
    std::vector<std::size_t> hidden{64, 64};  ///< hidden widths of each critic tower (or of the joint critic)
    std::size_t embedding = 32;               ///< k, the output width of g and h (unused by the joint critic)
    eng::activation activation = eng::activation::relu();
    std::size_t batch = 128;       ///< B: rows per training and evaluation batch (InfoNCE <= log B)
    std::size_t steps = 1000;      ///< Adam steps
    double learning_rate = 5e-4;   ///< Adam (beta1 0.9, beta2 0.999, eps 1e-8), Poole et al.'s 5e-4
    double moving_average = 0.01;  ///< MINE's alpha, (0, 1]; unused by NWJ and InfoNCE
    /// Fraction of the rows held out of training and used alone for the evaluation, [0, 1). 0: train
    /// and evaluate on all rows (the plane's convention: the rows are the distribution). > 0: the
    /// estimate is that of a population MI from a critic that has not seen the evaluation rows (a
    /// critic that memorised its training rows would otherwise over-estimate; the tests use 0.5).
    double holdout = 0.0;
    std::uint64_t seed = 0;
};

/// One estimate: the bound averaged over the evaluation batches.
struct estimate {
    double value = 0.0;           ///< nats
    double standard_error = 0.0;  ///< sd of the batch values / sqrt(batches) (0 with one batch)
    std::size_t batches = 0;      ///< evaluation batches (floor(N / batch))
    std::size_t batch = 0;        ///< rows per batch actually used (min(options.batch, N))
    double ceiling = std::numeric_limits<double>::infinity();  ///< log(batch) for InfoNCE
    double final_training_value = 0.0;  ///< the bound on the last training batch
};

namespace variational_detail {

/// Rows of a view, standardised per column (double statistics), as a float matrix, row-major.
template <class T>
std::vector<float> standardise(const mi::activation_view<const T>& v) {
    const std::size_t n = v.rows(), d = v.cols();
    std::vector<double> mean(d, 0.0), var(d, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t c = 0; c < d; ++c) mean[c] += static_cast<double>(v(i, c));
    for (double& m : mean) m /= static_cast<double>(n);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t c = 0; c < d; ++c) {
            const double z = static_cast<double>(v(i, c)) - mean[c];
            var[c] += z * z;
        }
    std::vector<double> inv(d, 0.0);
    for (std::size_t c = 0; c < d; ++c) {
        const double sd = std::sqrt(var[c] / static_cast<double>(n));
        inv[c] = sd > 0.0 && std::isfinite(1.0 / sd) ? 1.0 / sd : 0.0;  // a constant column carries nothing
    }
    std::vector<float> out(n * d);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t c = 0; c < d; ++c)
            out[i * d + c] = static_cast<float>((static_cast<double>(v(i, c)) - mean[c]) * inv[c]);
    return out;
}

/// One-hot rows of the labels (N x C, row-major).
inline std::vector<float> one_hot(const mi::labels& y) {
    const std::size_t c = y.classes();
    std::vector<float> out(y.size() * c, 0.0f);
    for (std::size_t i = 0; i < y.size(); ++i) out[i * c + y[i]] = 1.0f;
    return out;
}

/// MINE's moving average of mean(e^f) over the negative pairs, in log space.
struct moving_average {
    double log_value = 0.0;
    bool started = false;
};

/// Gradient entries below this are stored as 0 ("flushed"): the e^{S_ij - max} of a sharp critic
/// underflow into float denormals, whose arithmetic is ~100x slower on x86 and which change no update
/// (an entry of d(-bound)/dS below 1e-30 beside entries of size 1/B).
constexpr double flush_below = 1e-30;

/// The largest of the n floats x, or NaN if one of them is not finite (a diverged critic, which the
/// caller refuses): xsimd's max, as the instruction, drops a NaN operand.
inline double finite_max(const float* x, std::size_t n) {
    using fb = mi::simd::batch<float>;
    constexpr std::size_t w = fb::size;
    fb m(-std::numeric_limits<float>::infinity()), bad(0.0f);
    std::size_t j = 0;
    for (; j + w <= n; j += w) {
        const fb v = fb::load_unaligned(x + j);
        m = xsimd::max(m, v);
        bad += v - v;  // 0 for a finite lane, NaN for NaN or an infinity
    }
    float top = mi::simd::reduce_max(m), check = mi::simd::reduce_add(bad);
    for (; j < n; ++j) {
        top = std::max(top, x[j]);
        check += x[j] - x[j];
    }
    return check == 0.0f ? static_cast<double>(top) : std::numeric_limits<double>::quiet_NaN();
}

/// Sum over j < n, j != skip, of e^{x_j - shift}, in double; when out is not null, out[j] = that
/// exponential as a float, 0 below flush_below (out[skip] is left to the caller). The
/// exponentials are xsimd's, a batch of doubles at a time, summed lane by lane and the lanes at the
/// end: the same bits at any thread count, another rounding than a scalar loop of std::exp (which
/// took half of a separable critic's step).
inline double exp_sum(const float* x, std::size_t n, double shift, std::size_t skip, float* out) {
    using db = mi::simd::batch<double>;
    constexpr std::size_t w = db::size, chunk = 256;
    static_assert(chunk % w == 0, "whole batches per chunk");
    alignas(mi::simd::alignment) double buf[chunk];
    db acc(0.0);
    for (std::size_t j0 = 0; j0 < n; j0 += chunk) {
        const std::size_t len = std::min(chunk, n - j0), padded = (len + w - 1) / w * w;
        for (std::size_t j = 0; j < len; ++j) buf[j] = static_cast<double>(x[j0 + j]) - shift;
        // padding and the skipped entry: e^{-inf} = 0 (simd::exp clamps, so no conversion of -inf)
        for (std::size_t j = len; j < padded; ++j) buf[j] = -std::numeric_limits<double>::infinity();
        if (skip >= j0 && skip < j0 + len) buf[skip - j0] = -std::numeric_limits<double>::infinity();
        for (std::size_t j = 0; j < padded; j += w) {
            const db e = mi::simd::exp(db::load_aligned(buf + j));
            acc += e;
            xsimd::select(e < db(flush_below), db(0.0), e).store_aligned(buf + j);
        }
        if (out)
            for (std::size_t j = 0; j < len; ++j) out[j0 + j] = static_cast<float>(buf[j]);
    }
    // the lanes in order (not simd::reduce_add's pairwise order: the estimates keep their bits)
    acc.store_aligned(buf);
    double sum = 0.0;
    for (std::size_t j = 0; j < w; ++j) sum += buf[j];
    return sum;
}

/// x_j = x_j * factor (in double), 0 below flush_below, for the n non-negative floats x.
inline void scale_flushed(float* x, std::size_t n, double factor) {
    using db = mi::simd::batch<double>;
    constexpr std::size_t w = db::size, chunk = 256;
    alignas(mi::simd::alignment) double buf[chunk];
    for (std::size_t j0 = 0; j0 < n; j0 += chunk) {
        const std::size_t len = std::min(chunk, n - j0), padded = (len + w - 1) / w * w;
        for (std::size_t j = 0; j < len; ++j) buf[j] = static_cast<double>(x[j0 + j]);
        for (std::size_t j = len; j < padded; ++j) buf[j] = 0.0;
        for (std::size_t j = 0; j < padded; j += w) {
            const db v = db::load_aligned(buf + j) * db(factor);
            xsimd::select(v < db(flush_below), db(0.0), v).store_aligned(buf + j);
        }
        for (std::size_t j = 0; j < len; ++j) x[j0 + j] = static_cast<float>(buf[j]);
    }
}

/// Calls f(first, last) for the two halves of the rows [0, B) on two of mi's threads (one after the
/// other inside a parallel region). For per-row work whose results are combined in row order after
/// it: the same bits on one thread or two.
template <class F>
void in_row_halves(std::size_t B, F&& f) {
    mi::parallel_for_ranges(B, (B + 1) / 2, f);
}

/// The bound on one batch from the B x B score matrix S (S[i * B + j] = f(a_i, b_j)); when dS is not
/// null, also d(-bound)/dS (MINE: the moving-average corrected gradient, ma updated). A score matrix
/// with a NaN or an infinity gives a non-finite bound, which the caller refuses. The rows' maxima,
/// exponentials and gradient entries run on two threads; their sums are added in row order.
inline double batch_bound(bound objective, const float* S, std::size_t B, float* dS, moving_average* ma,
                          double alpha) {
    constexpr std::size_t none = std::numeric_limits<std::size_t>::max();
    const double inv_b = 1.0 / static_cast<double>(B);
    double diag = 0.0;
    for (std::size_t i = 0; i < B; ++i) diag += static_cast<double>(S[i * B + i]);
    diag *= inv_b;
    std::vector<double> per_row(B);
    if (objective == bound::infonce) {
        in_row_halves(B, [&](std::size_t first, std::size_t last) {
            for (std::size_t i = first; i < last; ++i) {
                const float* row = S + i * B;
                const double m = finite_max(row, B);
                if (std::isnan(m)) {
                    per_row[i] = m;
                    continue;
                }
                const double sum = exp_sum(row, B, m, none, dS ? dS + i * B : nullptr);
                per_row[i] = m + std::log(sum);  // log-sum-exp of the row
                if (dS) {  // d(-bound)/dS_ij = (softmax_ij - [i == j]) / B
                    const float scale = static_cast<float>(inv_b / sum);
                    for (std::size_t j = 0; j < B; ++j) dS[i * B + j] *= scale;
                    dS[i * B + i] -= static_cast<float>(inv_b);
                }
            }
        });
        double total = 0.0;
        for (std::size_t i = 0; i < B; ++i) {
            if (std::isnan(per_row[i])) return per_row[i];
            total += static_cast<double>(S[i * B + i]) - per_row[i];
        }
        return total * inv_b + std::log(static_cast<double>(B));
    }
    // MINE and NWJ: the negative pairs are the B (B - 1) off-diagonal entries
    const double inv_m = 1.0 / (static_cast<double>(B) * static_cast<double>(B - 1));
    constexpr double lowest = -std::numeric_limits<double>::infinity();
    in_row_halves(B, [&](std::size_t first, std::size_t last) {
        for (std::size_t i = first; i < last; ++i) {  // each row's largest off-diagonal score
            const float* row = S + i * B;
            const double left = i > 0 ? finite_max(row, i) : lowest;
            const double right = i + 1 < B ? finite_max(row + i + 1, B - i - 1) : lowest;
            per_row[i] = std::isnan(left) || std::isnan(right) ? std::numeric_limits<double>::quiet_NaN()
                                                               : std::max(left, right);
        }
    });
    double m = lowest;
    for (std::size_t i = 0; i < B; ++i) {
        if (std::isnan(per_row[i])) return per_row[i];
        m = std::max(m, per_row[i]);
    }
    in_row_halves(B, [&](std::size_t first, std::size_t last) {
        for (std::size_t i = first; i < last; ++i) per_row[i] = exp_sum(S + i * B, B, m, i, dS ? dS + i * B : nullptr);
    });
    double sum = 0.0;
    for (std::size_t i = 0; i < B; ++i) sum += per_row[i];
    const double log_mean = m + std::log(sum * inv_m);  // log of mean over negatives of e^f
    double value = 0.0;
    double log_scale = 0.0;  // d(-bound)/dS_ij = inv_m * exp(S_ij - log_scale) off the diagonal
    if (objective == bound::nwj) {
        value = diag - std::exp(log_mean - 1.0);
        log_scale = 1.0;
    } else {
        value = diag - log_mean;
        if (dS) {
            if (!ma->started) {
                ma->log_value = log_mean;
                ma->started = true;
            } else {  // log((1 - alpha) e^{ma} + alpha e^{log_mean})
                const double a = std::log1p(-alpha) + ma->log_value, b = std::log(alpha) + log_mean;
                const double hi = std::max(a, b);
                ma->log_value = alpha >= 1.0 ? log_mean : hi + std::log(std::exp(a - hi) + std::exp(b - hi));
            }
            log_scale = ma->log_value;
        }
    }
    if (dS) {  // dS_ij holds e^{S_ij - m}; d(-bound)/dS_ij = inv_m e^{S_ij - log_scale} off the diagonal
        const double factor = inv_m * std::exp(m - log_scale);
        // dS_ij <= 1 here, so a factor within float's range keeps every entry a finite float; a larger
        // one (scores ~100 nats above MINE's moving average) is a diverged critic, refused by the caller
        if (!(factor <= static_cast<double>(std::numeric_limits<float>::max())))
            return std::numeric_limits<double>::infinity();
        in_row_halves(B, [&](std::size_t first, std::size_t last) {
            scale_flushed(dS + first * B, (last - first) * B, factor);
        });
        for (std::size_t i = 0; i < B; ++i) dS[i * B + i] = static_cast<float>(-inv_b);
    }
    return value;
}

/// The engine network of a critic: `inputs` -> options.hidden (options.activation) -> `outputs`, linear
/// output, nn.Linear's initialisation, hand loops.
inline eng::network_config critic_network(std::size_t inputs, std::size_t outputs, const variational_options& o) {
    eng::network_config c;
    c.inputs = inputs;
    c.hidden = o.hidden;
    c.outputs = outputs;
    c.hidden_activation = o.activation;
    c.output = eng::output_spec::mse(eng::activation::linear());
    c.hidden_init = eng::init_spec::pytorch_default();
    c.noise_std = 0.0;
    c.blas_threshold = std::numeric_limits<std::size_t>::max();  // hand loops: the same bits for any BLAS threads
    // one running sum per weight-gradient entry (network.hpp, weight_gradient::streamed): 1.3-2.8x
    // faster than the trainer's paired sums on the joint critic's blocks, 4-15 % on 128-row batches
    c.gradient_products = eng::weight_gradient::streamed;
    return c;
}

/// A separable critic g(a)^T h(b), its two towers and their Adam optimizers.
class separable_critic {
public:
    separable_critic(std::size_t da, std::size_t db, std::size_t capacity, const variational_options& o,
                     std::uint64_t seed)
        : k_(o.embedding), g_(critic_network(da, o.embedding, o), mi::derive_seed(seed, 1)),
          h_(critic_network(db, o.embedding, o), mi::derive_seed(seed, 2)),
          opt_g_(eng::optimizer_config::adam(o.learning_rate), g_), opt_h_(eng::optimizer_config::adam(o.learning_rate), h_),
          wg_(g_.make_workspace(capacity)), wh_(h_.make_workspace(capacity)) {}

    /// Scores S (B x B) of the rows `rows` of a (N x da) and b (N x db).
    void scores(const std::vector<float>& a, std::size_t da, const std::vector<float>& b, std::size_t db,
                const std::size_t* rows, std::size_t B, std::vector<float>& S) {
        towers([&](bool first) {
            if (first) {
                load(wg_, a, da, rows, B);
                g_.forward(wg_, B);
            } else {
                load(wh_, b, db, rows, B);
                h_.forward(wh_, B);
            }
        });
        const float* G = wg_.z.back().data();
        const float* H = wh_.z.back().data();
        // S_ij = sum_c G_ci H_cj in order of c: the engine's register-tiled row products, half the rows
        // on each thread
        S.resize(B * B);
        in_row_halves(B, [&](std::size_t first, std::size_t last) {
            eng::detail::accumulate_rows(S.data() + first * B, last - first, k_, G + first, std::size_t(1), B,
                                         static_cast<const float*>(nullptr), H, B);
        });
    }

    /// One Adam step of both towers from d(-bound)/dS, after scores() on the same batch.
    void step(const std::vector<float>& dS, std::size_t B) {
        const float* G = wg_.z.back().data();
        const float* H = wh_.z.back().data();
        float* dG = wg_.dz.back().data();
        float* dH = wh_.dz.back().data();
        // dG_ci = H_c . dS_i (one running sum per entry over j, in order), dH_cj = sum_i G_ci dS_ij in
        // order of i
        towers([&](bool first) {
            if (first) {
                eng::detail::streamed_products(H, k_, dS.data(), B, B, dG, B, scratch_);
                g_.backward_from(wg_);
                opt_g_.step(g_, wg_);
            } else {
                eng::detail::accumulate_rows(dH, k_, B, G, B, std::size_t(1), static_cast<const float*>(nullptr),
                                             dS.data(), B);
                h_.backward_from(wh_);
                opt_h_.step(h_, wh_);
            }
        });
    }

private:
    // f(true) for the tower g, f(false) for h, on two of mi's threads: the towers share no
    // memory but their inputs, so each has the same bits on either thread, or both on one (inside
    // the plane driver's parallel points, or with one thread).
    template <class F>
    static void towers(F&& f) {
        mi::parallel_for(2, [&](std::size_t i) { f(i == 0); });
    }

    static void load(eng::workspace<float>& ws, const std::vector<float>& x, std::size_t d, const std::size_t* rows,
                     std::size_t B) {
        for (std::size_t c = 0; c < d; ++c) {
            float* dst = ws.input.data() + c * B;
            for (std::size_t i = 0; i < B; ++i) dst[i] = x[rows[i] * d + c];
        }
    }

    std::size_t k_;
    std::vector<float> scratch_;  // streamed_products' transposed chunks
    eng::network<float> g_, h_;
    eng::optimizer<float> opt_g_, opt_h_;
    eng::workspace<float> wg_, wh_;
};

/// Floats of the joint critic's workspace for batches of B (B^2 rows): the input, and each layer's
/// pre-activations, outputs and gradients (network<T>::make_workspace), as a double so that a huge B
/// cannot wrap around.
inline double joint_workspace_floats(std::size_t d, std::size_t B, const variational_options& o) {
    double per_row = static_cast<double>(d) + 3.0;  // input + the scalar output layer's z, a, dz
    for (const std::size_t h : o.hidden) per_row += 3.0 * static_cast<double>(h);
    return static_cast<double>(B) * static_cast<double>(B) * per_row;
}

/// The largest joint-critic workspace accepted: 2^28 floats, 1 GiB.
constexpr double joint_workspace_limit = 268435456.0;

/// A joint critic T([a ; b]) -> scalar on the B^2 concatenated rows of a batch, and its Adam optimizer.
///
/// The first layer is not multiplied out on the B^2 rows: on [a_i ; b_j] it is
/// W_a a_i + W_b b_j + bias, so it takes U = W_a A + bias and V = W_b B (two products of B rows) and
/// the B^2 sums U_ri + V_rj; its weight gradient is W_a's sum over i of (sum over j of dz_r,ij) a_i
/// and W_b's sum over j of (sum over i of dz_r,ij) b_j. That removes the (d_a + d_b) x h_1 part of
/// the B^2 rows' work forward and backward (a third of a step at the SZT and 20 + 20 sizes).
/// The other layers run on the engine (network::forward_from, backward_to) in blocks of
/// `pairs_per_block` consecutive pairs, each block its own workspace: a block's activations stay in
/// the core's cache while a layer's product runs over them, and blocks run on mi's threads. The
/// gradient is the sum of the blocks' gradients in block order, so a step has the same bits for any
/// thread count.
class joint_critic {
public:
    /// Pairs per block: about a thousand, so that a block's layer (64 units: 266 KB) stays in the
    /// core's L2 cache while the next layer's product reads it, and a batch of 128 makes 16 blocks
    /// for the threads (528 pairs measured slower, 1024-4160 the same: bench/variational.md); 1040
    /// rather than 1024 keeps the units' rows from starting a multiple of 4 KB apart, where they
    /// would share L1 sets.
    static constexpr std::size_t pairs_per_block = 1040;

    joint_critic(std::size_t da, std::size_t db, std::size_t capacity, const variational_options& o,
                 std::uint64_t seed)
        : da_(da), db_(db), capacity_(capacity), net_(critic_network(da + db, 1, o), mi::derive_seed(seed, 6)),
          opt_(eng::optimizer_config::adam(o.learning_rate), net_), grads_(net_.make_workspace(1)) {
        if (o.hidden.empty())
            mi::detail::fail("variational joint critic", "options.hidden size", 0, ">= 1 hidden layer");
    }

    /// Scores S (B x B) of the rows `rows` of a (N x da) and b (N x db): S_ij = T([a_i ; b_j]).
    void scores(const std::vector<float>& a, std::size_t da, const std::vector<float>& b, std::size_t db,
                const std::size_t* rows, std::size_t B, std::vector<float>& S) {
        if (da != da_ || db != db_ || B == 0 || B > capacity_)
            mi::detail::fail("variational joint critic", "batch", B,
                             "1 .. " + std::to_string(capacity_) + " rows of " + std::to_string(da_) + " + " +
                                 std::to_string(db_) + " columns");
        gather(a, b, rows, B);
        const auto& L0 = net_.at(0);
        const std::size_t h1 = L0.out, P = B * B, n_blocks = (P + pairs_per_block - 1) / pairs_per_block;
        // U = W_a A + bias and V = W_b B (h1 x B each), each entry summed in order of its column
        U_.resize(h1 * B);
        V_.resize(h1 * B);
        for (std::size_t r = 0; r < h1; ++r) {
            const float* w = L0.w.data() + r * (da_ + db_);
            for (std::size_t i = 0; i < B; ++i) {
                float u = L0.b[r], v = 0.0f;
                for (std::size_t c = 0; c < da_; ++c) u += w[c] * A_[i * da_ + c];
                for (std::size_t c = 0; c < db_; ++c) v += w[da_ + c] * B_[i * db_ + c];
                U_[r * B + i] = u;
                V_[r * B + i] = v;
            }
        }
        while (blocks_.size() < n_blocks) blocks_.push_back(net_.make_workspace(std::min(pairs_per_block, capacity_ * capacity_)));
        S.resize(P);
        mi::parallel_for(n_blocks, [&](std::size_t k) {
            const std::size_t p0 = k * pairs_per_block, n = std::min(P, p0 + pairs_per_block) - p0;
            eng::workspace<float>& ws = blocks_[k];
            float* z = ws.z[0].data();  // feature-major: unit r of pair p0 + q at [r n + q]
            for (std::size_t r = 0; r < h1; ++r) {
                for_pairs(p0, n, B, [&](std::size_t q, std::size_t i, std::size_t j0, std::size_t len) {
                    const float u = U_[r * B + i];
                    const float* v = V_.data() + r * B + j0;
                    float* zr = z + r * n + q;
                    for (std::size_t t = 0; t < len; ++t) zr[t] = u + v[t];
                });
                eng::apply(L0.act, z + r * n, ws.a[0].data() + r * n, n);  // while the row is in L1
            }
            net_.forward_from(ws, n, 1);
            const float* s = ws.z.back().data();  // the linear scalar output
            std::copy(s, s + n, S.data() + p0);
        });
        B_rows_ = B;
    }

    /// One Adam step from d(-bound)/dS, after scores() on the same batch: dS_ij is the gradient of the
    /// output of pair i B + j.
    void step(const std::vector<float>& dS, std::size_t B) {
        gradient(dS, B);
        opt_.step(net_, grads_);
    }

    /// The gradients of the parameters (workspace().grad_w, grad_b) from d(-bound)/dS, after scores() on
    /// the same batch, without the Adam step.
    void gradient(const std::vector<float>& dS, std::size_t B) {
        if (B != B_rows_ || dS.size() < B * B)
            mi::detail::fail("variational joint critic", "batch", B,
                             "the batch of the last scores() (" + std::to_string(B_rows_) + " rows)");
        const std::size_t h1 = net_.at(0).out, P = B * B, n_blocks = (P + pairs_per_block - 1) / pairs_per_block;
        // per block: its sums of dz over j (row_sums, by i) and over i (col_sums, by j) for the first layer
        row_sums_.assign(n_blocks * h1 * B, 0.0f);
        col_sums_.assign(n_blocks * h1 * B, 0.0f);
        mi::parallel_for(n_blocks, [&](std::size_t k) {
            const std::size_t p0 = k * pairs_per_block, n = std::min(P, p0 + pairs_per_block) - p0;
            eng::workspace<float>& ws = blocks_[k];
            std::copy(dS.begin() + static_cast<std::ptrdiff_t>(p0), dS.begin() + static_cast<std::ptrdiff_t>(p0 + n),
                      ws.dz.back().begin());
            net_.backward_to(ws, 1);
            const float* dz = ws.dz[0].data();
            float* rs = row_sums_.data() + k * h1 * B;
            float* cs = col_sums_.data() + k * h1 * B;
            for (std::size_t r = 0; r < h1; ++r)
                for_pairs(p0, n, B, [&](std::size_t q, std::size_t i, std::size_t j0, std::size_t len) {
                    // the sum over j in SIMD lanes, then their reduction, then the tail: one fixed order
                    using V = mi::simd::batch<float>;
                    const float* d = dz + r * n + q;
                    float* c = cs + r * B + j0;
                    V acc(0.0f);
                    std::size_t t = 0;
                    for (; t + V::size <= len; t += V::size) {
                        const V x = V::load_unaligned(d + t);
                        acc += x;
                        (V::load_unaligned(c + t) + x).store_unaligned(c + t);
                    }
                    float sum = mi::simd::reduce_add(acc);
                    for (; t < len; ++t) {
                        sum += d[t];
                        c[t] += d[t];
                    }
                    rs[r * B + i] += sum;
                });
        });
        // the blocks' sums in block order
        for (std::size_t l = 1; l < net_.num_layers(); ++l) {
            std::vector<float>& gw = grads_.grad_w[l];
            std::vector<float>& gb = grads_.grad_b[l];
            std::copy(blocks_[0].grad_w[l].begin(), blocks_[0].grad_w[l].end(), gw.begin());
            std::copy(blocks_[0].grad_b[l].begin(), blocks_[0].grad_b[l].end(), gb.begin());
            for (std::size_t k = 1; k < n_blocks; ++k) {
                for (std::size_t e = 0; e < gw.size(); ++e) gw[e] += blocks_[k].grad_w[l][e];
                for (std::size_t e = 0; e < gb.size(); ++e) gb[e] += blocks_[k].grad_b[l][e];
            }
        }
        for (std::size_t k = 1; k < n_blocks; ++k)
            for (std::size_t e = 0; e < h1 * B; ++e) {
                row_sums_[e] += row_sums_[k * h1 * B + e];
                col_sums_[e] += col_sums_[k * h1 * B + e];
            }
        // the first layer: dW_a = R A, dW_b = C B, dbias = R 1 (R, C: h1 x B; A, B: the batch's rows)
        float* gw = grads_.grad_w[0].data();
        float* gb = grads_.grad_b[0].data();
        for (std::size_t r = 0; r < h1; ++r) {
            float* g = gw + r * (da_ + db_);
            std::fill(g, g + da_ + db_, 0.0f);
            float bias = 0.0f;
            for (std::size_t i = 0; i < B; ++i) {
                const float ri = row_sums_[r * B + i], ci = col_sums_[r * B + i];
                bias += ri;
                for (std::size_t c = 0; c < da_; ++c) g[c] += ri * A_[i * da_ + c];
                for (std::size_t c = 0; c < db_; ++c) g[da_ + c] += ci * B_[i * db_ + c];
            }
            gb[r] = bias;
        }
    }

    /// The network, and the workspace holding its last gradient (the tests set its weights and read
    /// its gradients).
    eng::network<float>& network() noexcept { return net_; }
    const eng::workspace<float>& workspace() const noexcept { return grads_; }

private:
    // The batch's rows of a and b, row-major (B x da, B x db).
    void gather(const std::vector<float>& a, const std::vector<float>& b, const std::size_t* rows, std::size_t B) {
        A_.resize(B * da_);
        B_.resize(B * db_);
        for (std::size_t i = 0; i < B; ++i) {
            std::copy_n(a.begin() + static_cast<std::ptrdiff_t>(rows[i] * da_), da_, A_.begin() + static_cast<std::ptrdiff_t>(i * da_));
            std::copy_n(b.begin() + static_cast<std::ptrdiff_t>(rows[i] * db_), db_, B_.begin() + static_cast<std::ptrdiff_t>(i * db_));
        }
    }

    // Calls f(q, i, j0, len) for the runs of pairs p0 + q .. p0 + q + len - 1 of one i (pair = i B + j,
    // j from j0) that make up the n pairs from p0.
    template <class F>
    static void for_pairs(std::size_t p0, std::size_t n, std::size_t B, F&& f) {
        for (std::size_t q = 0; q < n;) {
            const std::size_t p = p0 + q, i = p / B, j0 = p % B, len = std::min(B - j0, n - q);
            f(q, i, j0, len);
            q += len;
        }
    }

    std::size_t da_, db_, capacity_, B_rows_ = 0;
    eng::network<float> net_;
    eng::optimizer<float> opt_;
    eng::workspace<float> grads_;                // the step's gradient, the blocks' sum
    std::vector<eng::workspace<float>> blocks_;  // one per block of pairs_per_block pairs
    std::vector<float> A_, B_, U_, V_, row_sums_, col_sums_;
};

/// Trains `critic` on the first n_train entries of `rows` and evaluates the bound on disjoint batches of
/// the last n_eval, B rows each.
template <class Critic>
estimate train_and_evaluate_with(Critic& critic, const std::vector<float>& a, std::size_t da,
                                 const std::vector<float>& b, std::size_t db, const std::vector<std::size_t>& rows,
                                 std::size_t n_train, std::size_t n_eval, std::size_t B, const variational_options& o,
                                 std::uint64_t seed, const char* where) {
    std::vector<float> S, dS(B * B);
    std::vector<std::size_t> order(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(n_train));
    const std::size_t n_order = n_train;
    // training batches: consecutive slices of a permutation, reshuffled when used up (epochs)
    mi::rng batches(mi::derive_seed(seed, 3));
    std::size_t next = n_order;
    moving_average ma;
    estimate out;
    out.batch = B;
    for (std::size_t step = 0; step < o.steps; ++step) {
        if (next + B > n_order) {
            for (std::size_t i = n_order; i > 1; --i) std::swap(order[i - 1], order[batches.below(i)]);
            next = 0;
        }
        critic.scores(a, da, b, db, order.data() + next, B, S);
        next += B;
        const double v = batch_bound(o.objective, S.data(), B, dS.data(), &ma, o.moving_average);
        if (!std::isfinite(v))
            mi::detail::fail(where, ("training bound at step " + std::to_string(step)).c_str(), v,
                             "a finite value (the critic diverged: lower learning_rate, or use infonce)");
        out.final_training_value = v;
        critic.step(dS, B);
    }
    // evaluation: disjoint batches of the evaluation rows in a seeded order
    std::vector<std::size_t> eval(rows.end() - static_cast<std::ptrdiff_t>(n_eval), rows.end());
    mi::rng shuffle(mi::derive_seed(seed, 5));
    for (std::size_t i = n_eval; i > 1; --i) std::swap(eval[i - 1], eval[shuffle.below(i)]);
    const std::size_t m = n_eval / B;
    double sum = 0.0, sum2 = 0.0;
    for (std::size_t k = 0; k < m; ++k) {
        critic.scores(a, da, b, db, eval.data() + k * B, B, S);
        const double v = batch_bound(o.objective, S.data(), B, nullptr, nullptr, o.moving_average);
        sum += v;
        sum2 += v * v;
    }
    out.batches = m;
    out.value = mi::detail::finite(sum / static_cast<double>(m), where, "bound");
    if (m > 1) {
        const double md = static_cast<double>(m);
        const double var = std::max(0.0, (sum2 - sum * sum / md) / (md - 1.0));
        out.standard_error = std::sqrt(var / md);
    }
    if (o.objective == bound::infonce) out.ceiling = std::log(static_cast<double>(B));
    return out;
}

/// Trains a critic on (a_i, b_i), i < n, and evaluates the bound on disjoint batches.
inline estimate train_and_evaluate(const std::vector<float>& a, std::size_t da, const std::vector<float>& b,
                                   std::size_t db, std::size_t n, const variational_options& o, std::uint64_t seed,
                                   const char* where) {
    // rows: a seeded permutation; the first n_train train the critic, the last n_eval evaluate it
    std::vector<std::size_t> rows(n);
    for (std::size_t i = 0; i < n; ++i) rows[i] = i;
    std::size_t n_eval = n, n_train = n;
    if (o.holdout > 0.0) {
        mi::rng split(mi::derive_seed(seed, 4));
        for (std::size_t i = n; i > 1; --i) std::swap(rows[i - 1], rows[split.below(i)]);
        n_eval = static_cast<std::size_t>(std::floor(o.holdout * static_cast<double>(n)));
        n_train = n - n_eval;
        if (n_eval < 2 || n_train < 2)
            mi::detail::fail(where, "rows", n,
                             "enough for >= 2 training and >= 2 held-out rows with holdout = " + mi::detail::to_text(o.holdout));
    }
    const std::size_t B = std::min({o.batch, n_train, n_eval});
    if (o.critic == critic_kind::joint) {
        const double floats = joint_workspace_floats(da + db, B, o);
        if (floats > joint_workspace_limit)
            mi::detail::fail(where, B == o.batch ? "options.batch" : "batch (options.batch clipped to the rows)", B,
                             "a batch whose joint-critic workspace, B^2 x (inputs " + std::to_string(da + db) +
                                 " + 3 x (hidden units + 1)) = " + mi::detail::to_text(floats) +
                                 " floats, is at most 2^28 (1 GiB): a smaller batch or hidden widths, or the "
                                 "separable critic");
        joint_critic critic(da, db, B, o, seed);
        return train_and_evaluate_with(critic, a, da, b, db, rows, n_train, n_eval, B, o, seed, where);
    }
    separable_critic critic(da, db, B, o, seed);
    return train_and_evaluate_with(critic, a, da, b, db, rows, n_train, n_eval, B, o, seed, where);
}

}  // namespace variational_detail

/// A variational MI estimator (MINE, NWJ or InfoNCE) with a separable or joint critic on the engine.
class variational_estimator {
public:
    static constexpr mi::resampling resampling = mi::resampling::rows;  // X and Y travel with the rows in mi::samples

    explicit variational_estimator(variational_options options = {}) : o_(std::move(options)) {
        const char* where = "mi_examples::variational::variational_estimator";
        if (o_.hidden.empty()) mi::detail::fail(where, "options.hidden", "no layers", "at least one hidden width");
        for (std::size_t i = 0; i < o_.hidden.size(); ++i)
            if (o_.hidden[i] == 0)
                mi::detail::fail(where, ("options.hidden[" + std::to_string(i) + "]").c_str(), 0, ">= 1");
        if (o_.critic != critic_kind::separable && o_.critic != critic_kind::joint)
            mi::detail::fail(where, "options.critic", static_cast<int>(o_.critic), "separable (0) or joint (1)");
        // the joint critic's output is the scalar score: it has no embedding to check
        if (o_.critic == critic_kind::separable && o_.embedding == 0)
            mi::detail::fail(where, "options.embedding", o_.embedding, ">= 1");
        if (o_.batch < 2) mi::detail::fail(where, "options.batch", o_.batch, ">= 2 (one positive and one negative pair)");
        if (o_.steps == 0) mi::detail::fail(where, "options.steps", o_.steps, ">= 1");
        if (!(o_.learning_rate > 0.0) || !std::isfinite(o_.learning_rate))
            mi::detail::fail(where, "options.learning_rate", o_.learning_rate, "a finite value > 0");
        if (!(o_.moving_average > 0.0 && o_.moving_average <= 1.0))
            mi::detail::fail(where, "options.moving_average", o_.moving_average, "a value in (0, 1]");
        if (!(o_.holdout >= 0.0 && o_.holdout < 1.0))
            mi::detail::fail(where, "options.holdout", o_.holdout, "a value in [0, 1)");
    }

    const variational_options& options() const noexcept { return o_; }

    std::string name() const { return bound_name(o_.objective); }

    std::string parameters() const {
        std::string widths;
        for (std::size_t i = 0; i < o_.hidden.size(); ++i) widths += (i ? "x" : "") + std::to_string(o_.hidden[i]);
        std::string p = "bound=" + std::string(bound_name(o_.objective)) + ";critic=" + critic_name(o_.critic) +
                        ";hidden=" + widths;
        if (o_.critic == critic_kind::separable) p += ";embedding=" + std::to_string(o_.embedding);
        p += ";activation=" + o_.activation.name() + ";batch=" + std::to_string(o_.batch) +
             ";steps=" + std::to_string(o_.steps) + ";optimizer=adam;learning_rate=" + mi::detail::to_text(o_.learning_rate);
        if (o_.objective == bound::mine) p += ";moving_average=" + mi::detail::to_text(o_.moving_average);
        p += ";holdout=" + mi::detail::to_text(o_.holdout) + ";seed=" + std::to_string(o_.seed);
        return p;
    }

    /// The bound on I(A;B) between the rows of a and b (same number of rows, >= 2), with its spread.
    template <class T, class U>
    estimate estimate_between(const mi::activation_view<const T>& a, const mi::activation_view<const U>& b) const {
        const char* where = "mi_examples::variational::variational_estimator::estimate_between";
        mi::detail::check_activations(a, where, "a");
        mi::detail::check_activations(b, where, "b");
        mi::detail::check_same_rows(b.rows(), a.rows(), where, "b rows");
        check_rows(a.rows(), where);
        return variational_detail::train_and_evaluate(variational_detail::standardise(a), a.cols(),
                                                      variational_detail::standardise(b), b.cols(), a.rows(), o_,
                                                      o_.seed, where);
    }

    /// The bound on I(T;Y) between the rows of t and their class labels (one-hot into the critic).
    template <class T>
    estimate estimate_between(const mi::activation_view<const T>& t, const mi::labels& y) const {
        const char* where = "mi_examples::variational::variational_estimator::estimate_between";
        mi::detail::check_activations(t, where, "t");
        mi::detail::check_same_rows(y.size(), t.rows(), where, "labels size");
        check_rows(t.rows(), where);
        return variational_detail::train_and_evaluate(variational_detail::standardise(t), t.cols(),
                                                      variational_detail::one_hot(y), y.classes(), t.rows(), o_,
                                                      o_.seed + 1, where);
    }

    /// I(X;T) in nats (X first, as the plane's I(X;T)).
    template <class T, class U>
    double mutual_information(const mi::activation_view<const T>& x, const mi::activation_view<const U>& t) const {
        return estimate_between(x, t).value;
    }
    template <class T>
    double mutual_information(const mi::activation_view<const T>& t, const mi::labels& y) const {
        return estimate_between(t, y).value;
    }

    /// ixt = the bound on I(X;T), X the samples' network input; ity = the bound on I(T;Y).
    template <class T>
    mi::plane_point point(const mi::activation_view<const T>& layer, const mi::samples& s) const {
        const char* where = "mi_examples::variational::variational_estimator::point";
        mi::detail::check_activations(layer, where, "layer");
        s.check_rows(layer.rows(), where);
        s.network_input().require(layer.rows(), where);
        mi::plane_point p;
        p.ixt_kind = mi::ixt_quantity::mutual_information;
        p.ixt = s.network_input().visit([&](const auto& x) { return estimate_between(x, layer).value; });
        p.ity = estimate_between(layer, s.labels()).value;
        return mi::detail::finite(p, where);
    }

private:
    static void check_rows(std::size_t n, const char* where) {
        if (n < 2) mi::detail::fail(where, "rows", n, ">= 2 (a batch needs a negative pair)");
    }

    variational_options o_;
};

/// The three estimators with the same critic (options.critic) and schedule.
inline variational_estimator mine(variational_options o = {}) {
    o.objective = bound::mine;
    return variational_estimator(std::move(o));
}
inline variational_estimator nwj(variational_options o = {}) {
    o.objective = bound::nwj;
    return variational_estimator(std::move(o));
}
inline variational_estimator infonce(variational_options o = {}) {
    o.objective = bound::infonce;
    return variational_estimator(std::move(o));
}

}  // namespace mi_examples::variational

#endif
