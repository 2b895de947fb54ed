// SPDX-License-Identifier: BSD-3-Clause
// A fully connected network of any widths, with the initialisations of the
// information-plane papers, forward and backward passes, and optional
// Gaussian noise after every hidden nonlinearity (Goldfeld et al. 2019's
// noisy networks). Part of the reference training engine under examples/:
// the library never includes it.
//
// Why feature-major: the SZT network is 12-10-7-5-4-3-2, so a samples x units
// layout would vectorise over 2..12 units; storing each layer as units x batch
// (unit j of sample b at [j * batch + b]) makes every inner loop run over the
// batch (256), which the compiler vectorises, and the elementwise
// nonlinearities run over one flat buffer. Weights are out x in, row-major,
// like PyTorch's nn.Linear. Large products (the 784-1024 MNIST layer) go to
// BLAS (cblas_sgemm / cblas_dgemm, OpenBLAS through mi::linalg); products below
// `blas_threshold` multiply-adds use the hand loops, which are faster there
// (bench/engine.md). Both paths are deterministic; the choice depends only on
// the layer and batch sizes, never on mi's thread count. BLAS is used when a
// CBLAS header is available (the example, test and bench targets link
// mi::linalg, i.e. OpenBLAS); define MI_ENGINE_USE_BLAS=0 to build with the
// hand loops only. The CBLAS declarations are taken from xtensor-blas' copy
// (xflens/cxxblas/drivers/cblas.h) when it is installed, because mi's LAPACK
// estimators include that copy and a second, differently spelled <cblas.h>
// in the same program would not compile; both declare the same C ABI
// (int sizes, the reference enum values) that OpenBLAS implements.
// The engine splits a large product's output rows over mi's threads itself and
// runs OpenBLAS single-threaded (detail::gemm; including the engine sets
// OpenBLAS to one thread for the process, blas_threads.hpp): the values are
// then the same for any thread count (with OpenBLAS' own threads they were not:
// a 784-1024 network's losses differed in their last bits between
// OPENBLAS_NUM_THREADS=1 and 2).
//
// Initialisations (W is out x in; fan_in = in, fan_out = out):
//   truncated_normal_fan_in(c)   N(0, (c/sqrt(fan_in))^2), redraw beyond 2 sigma
//                                (TF truncated_normal; IDNNs c = 1, Chelombiev c = 1 or 2)
//   truncated_normal_fan_out(c)  same with sigma = c/sqrt(fan_out) (ibsgd hidden layers)
//   glorot_uniform               U(+-sqrt(6/(fan_in+fan_out))) (Keras default; ibsgd output)
//   he_normal                    N(0, 2/fan_in), untruncated (He et al. 2015)
//   pytorch_default              W and b ~ U(+-1/sqrt(fan_in)) (nn.Linear; smoothMI)
//   zeros                        W = 0
// Biases are 0 except for pytorch_default. Explicit values: set_layer().
#ifndef MI_EXAMPLES_ENGINE_NETWORK_HPP
#define MI_EXAMPLES_ENGINE_NETWORK_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/activations.hpp"
#include "engine/blas_threads.hpp"
#include "engine/loss.hpp"
#include "engine/quantization.hpp"
#include "mi/core/error.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/random.hpp"
#include "mi/core/simd.hpp"

#if !defined(MI_ENGINE_USE_BLAS)
#if __has_include(<xflens/cxxblas/drivers/cblas.h>) || __has_include(<cblas.h>)
#define MI_ENGINE_USE_BLAS 1
#else
#define MI_ENGINE_USE_BLAS 0
#endif
#endif
#if MI_ENGINE_USE_BLAS
#if __has_include(<xflens/cxxblas/drivers/cblas.h>)
#include <xflens/cxxblas/drivers/cblas.h>
#else
#include <cblas.h>
#endif
#endif

namespace mi_examples::engine {

enum class init_kind {
    truncated_normal_fan_in,
    truncated_normal_fan_out,
    glorot_uniform,
    he_normal,
    pytorch_default,
    zeros
};

struct init_spec {
    init_kind kind = init_kind::truncated_normal_fan_in;
    double scale = 1.0;  ///< c of the truncated normals

    static init_spec truncated_normal_fan_in(double c = 1.0) { return {init_kind::truncated_normal_fan_in, c}; }
    static init_spec truncated_normal_fan_out(double c = 1.0) { return {init_kind::truncated_normal_fan_out, c}; }
    static init_spec glorot_uniform() { return {init_kind::glorot_uniform, 1.0}; }
    static init_spec he_normal() { return {init_kind::he_normal, 1.0}; }
    static init_spec pytorch_default() { return {init_kind::pytorch_default, 1.0}; }
    static init_spec zeros() { return {init_kind::zeros, 1.0}; }
};

/// How the hand loops of the backward pass form a layer's weight gradient dz a^T (out x in, a sum
/// over the batch per entry).
enum class weight_gradient {
    /// detail::dot_products: per entry two SIMD partial sums over the batch, reduced. The
    /// trainer's, whose bits the reproductions' recorded outputs are.
    paired_dots,
    /// detail::streamed_products: per entry one running sum over the batch in order, the batch
    /// streamed through L1 in transposed chunks. 1.3-2.8x faster from 32 x 32 layers and batches of
    /// a thousand rows (the joint critic's blocks of pairs, variational.hpp), a little on batches of
    /// 128 (the separable critic's towers); layers with fewer than 16 output rows keep paired_dots,
    /// which is faster there.
    streamed
};

/// The shape and conventions of a network.
struct network_config {
    std::size_t inputs = 12;
    std::vector<std::size_t> hidden{10, 7, 5, 4, 3};
    std::size_t outputs = 2;
    activation hidden_activation = activation::tanh();
    std::vector<activation> hidden_activations;  ///< per hidden layer; overrides hidden_activation if set
    output_spec output = output_spec::softmax();
    init_spec hidden_init = init_spec::truncated_normal_fan_in();
    std::optional<init_spec> output_init;  ///< defaults to hidden_init
    double noise_std = 0.0;  ///< std of N(0, s^2) added after each hidden nonlinearity (training + recording)
    std::size_t blas_threshold = std::size_t(1) << 17;  ///< out*in*batch multiply-adds from which BLAS is used
    quantization_config quantization{};  ///< k-bit quantization-aware training (engine/quantization.hpp); off by default
    weight_gradient gradient_products = weight_gradient::paired_dots;  ///< the hand loops' dz a^T
};

/// Per-layer buffers of one forward/backward pass for up to `capacity` samples.
template <class T>
struct workspace {
    std::size_t batch = 0;
    std::vector<T> input;                 ///< inputs x batch
    std::vector<std::vector<T>> z;        ///< pre-activations, out x batch
    std::vector<std::vector<T>> clean;    ///< f(z) without noise (hidden layers with noise only)
    std::vector<std::vector<T>> a;        ///< layer outputs (noisy hidden / softmax probabilities ...)
    std::vector<std::vector<T>> dz;       ///< d loss / d z
    std::vector<std::vector<T>> grad_w;   ///< d loss / d W, out x in
    std::vector<std::vector<T>> grad_b;
    // Quantized networks only (network_config::quantization; empty otherwise):
    std::vector<std::vector<T>> pre_quant;            ///< layer outputs before the quantizer, out x batch
    std::vector<std::vector<std::uint8_t>> pass;      ///< straight-through mask of the output quantizer
    std::vector<std::vector<T>> wq;                   ///< quantized weights used by this pass (layers that quantize them)
    std::vector<std::vector<std::uint8_t>> w_pass;    ///< straight-through mask of the weight quantizer
    std::vector<std::pair<double, double>> batch_range;  ///< min, max of each layer's output in this pass
    std::vector<T> gradient_scratch;  ///< weight_gradient::streamed's accumulators and transposed chunk
};

namespace detail {

// out[j * ld + i] = x row j . y row i for a tile of RJ x RI row pairs (rows of n values). Each pair
// has two SIMD accumulators taking alternate chunks, then their sum reduced, then the scalar tail:
// one fixed order for every n, whatever the tile (dot_products' tiles of 2 x 4 and their 1-wide
// edges give the same bits), while every loaded chunk of a row serves RI (or RJ) pairs.
template <class T, std::size_t RJ, std::size_t RI>
void dot_tile(const T* x, const T* y, std::size_t n, std::size_t j0, std::size_t i0, T* out, std::size_t ld) {
    using B = mi::simd::batch<T>;
    constexpr std::size_t w = B::size;
    B acc0[RJ][RI], acc1[RJ][RI];
    for (std::size_t r = 0; r < RJ; ++r)
        for (std::size_t q = 0; q < RI; ++q) acc0[r][q] = acc1[r][q] = B(T(0));
    std::size_t e = 0;
    for (; e + 2 * w <= n; e += 2 * w) {
        B y0[RI], y1[RI];
        for (std::size_t q = 0; q < RI; ++q) {
            y0[q] = B::load_unaligned(y + (i0 + q) * n + e);
            y1[q] = B::load_unaligned(y + (i0 + q) * n + e + w);
        }
        for (std::size_t r = 0; r < RJ; ++r) {
            const B x0 = B::load_unaligned(x + (j0 + r) * n + e), x1 = B::load_unaligned(x + (j0 + r) * n + e + w);
            for (std::size_t q = 0; q < RI; ++q) {
                acc0[r][q] = mi::simd::fma(x0, y0[q], acc0[r][q]);
                acc1[r][q] = mi::simd::fma(x1, y1[q], acc1[r][q]);
            }
        }
    }
    for (std::size_t r = 0; r < RJ; ++r)
        for (std::size_t q = 0; q < RI; ++q) {
            T s = mi::simd::reduce_add(acc0[r][q] + acc1[r][q]);
            const T* xr = x + (j0 + r) * n;
            const T* yq = y + (i0 + q) * n;
            for (std::size_t t = e; t < n; ++t) s += xr[t] * yq[t];
            out[(j0 + r) * ld + i0 + q] = s;
        }
}

// out[j * ld + i] = x row j . y row i (dot_tile's order) for j < rows_x, i < rows_y (the weight gradient
// dz a^T of the backward pass), in tiles of dot_tile.
template <class T>
void dot_products(const T* x, std::size_t rows_x, const T* y, std::size_t rows_y, std::size_t n, T* out,
                  std::size_t ld) {
    constexpr std::size_t RI = mi::simd::batch<T>::size * sizeof(T) >= 64 ? 4 : 2;
    std::size_t j = 0;
    for (; j + 2 <= rows_x; j += 2) {
        std::size_t i = 0;
        for (; i + RI <= rows_y; i += RI) dot_tile<T, 2, RI>(x, y, n, j, i, out, ld);
        for (; i < rows_y; ++i) dot_tile<T, 2, 1>(x, y, n, j, i, out, ld);
    }
    for (; j < rows_x; ++j) {
        std::size_t i = 0;
        for (; i + RI <= rows_y; i += RI) dot_tile<T, 1, RI>(x, y, n, j, i, out, ld);
        for (; i < rows_y; ++i) dot_tile<T, 1, 1>(x, y, n, j, i, out, ld);
    }
}

// The accumulators acc rows j0 .. j0+R-1, SIMD chunks c0 .. c0+C-1 (a row: ldp values), plus
// sum over e < ec of x[j][e0 + e] * yT[e][.]: R x C sums in registers while e runs.
template <class T, std::size_t R, std::size_t C>
void streamed_tile(T* acc, std::size_t ldp, std::size_t j0, std::size_t c0, const T* x, std::size_t n, std::size_t e0,
                   std::size_t ec, const T* yT) {
    using B = mi::simd::batch<T>;
    constexpr std::size_t w = B::size;
    B a[R][C];
    for (std::size_t r = 0; r < R; ++r)
        for (std::size_t c = 0; c < C; ++c) a[r][c] = B::load_unaligned(acc + (j0 + r) * ldp + (c0 + c) * w);
    for (std::size_t e = 0; e < ec; ++e) {
        B yv[C];
        for (std::size_t c = 0; c < C; ++c) yv[c] = B::load_unaligned(yT + e * ldp + (c0 + c) * w);
        for (std::size_t r = 0; r < R; ++r) {
            const B xv(x[(j0 + r) * n + e0 + e]);
            for (std::size_t c = 0; c < C; ++c) a[r][c] = mi::simd::fma(xv, yv[c], a[r][c]);
        }
    }
    for (std::size_t r = 0; r < R; ++r)
        for (std::size_t c = 0; c < C; ++c) a[r][c].store_unaligned(acc + (j0 + r) * ldp + (c0 + c) * w);
}

template <class T, std::size_t R, std::size_t CMax>
void streamed_rows(T* acc, std::size_t ldp, std::size_t j0, const T* x, std::size_t n, std::size_t e0, std::size_t ec,
                   const T* yT, std::size_t chunks) {
    std::size_t c = 0;
    if constexpr (CMax >= 4)
        for (; c + 4 <= chunks; c += 4) streamed_tile<T, R, 4>(acc, ldp, j0, c, x, n, e0, ec, yT);
    for (; c + 2 <= chunks; c += 2) streamed_tile<T, R, 2>(acc, ldp, j0, c, x, n, e0, ec, yT);
    for (; c < chunks; ++c) streamed_tile<T, R, 1>(acc, ldp, j0, c, x, n, e0, ec, yT);
}

// out[j * ld + i] = x row j . y row i (rows of n values) as one running sum over e = 0 .. n-1 in
// order (a fused multiply-add per term where the instruction set has one), the weight_gradient::
// streamed form of dot_products. y is copied transposed in chunks of E values of e (E x the
// padded row count, about 24 KB: it stays in L1), and every x row meets a chunk while it is there;
// the sums live in `scratch` between chunks. Each entry is the same sum in the same order whatever
// the register tile that computes it.
template <class T>
void streamed_products(const T* x, std::size_t rows_x, const T* y, std::size_t rows_y, std::size_t n, T* out,
                       std::size_t ld, std::vector<T>& scratch) {
    constexpr std::size_t w = mi::simd::batch<T>::size;
    const std::size_t chunks = (rows_y + w - 1) / w, ldp = chunks * w;
    // a chunk of E batch columns, about 24 KB, or the whole batch if that is smaller (the chunk size
    // does not change the sums: each runs over the batch in order across chunks)
    const std::size_t E = std::min(std::max<std::size_t>(1, n), std::max<std::size_t>(16, 24576 / sizeof(T) / ldp));
    scratch.assign(rows_x * ldp + E * ldp, T(0));  // the padding columns stay 0
    T* acc = scratch.data();
    T* yT = acc + rows_x * ldp;
    for (std::size_t e0 = 0; e0 < n; e0 += E) {
        const std::size_t ec = std::min(E, n - e0);
        for (std::size_t i = 0; i < rows_y; ++i)
            for (std::size_t e = 0; e < ec; ++e) yT[e * ldp + i] = y[i * n + e0 + e];
        std::size_t j = 0;
        if constexpr (w * sizeof(T) >= 64) {  // AVX-512's 32 registers: 16 sums, their loads and a broadcast
            if (chunks < 4)  // few chunks: more rows per tile keep as many sums in registers
                for (; j + 8 <= rows_x; j += 8) streamed_rows<T, 8, 2>(acc, ldp, j, x, n, e0, ec, yT, chunks);
            for (; j + 4 <= rows_x; j += 4) streamed_rows<T, 4, 4>(acc, ldp, j, x, n, e0, ec, yT, chunks);
        } else {  // 16 registers: 8 sums
            for (; j + 4 <= rows_x; j += 4) streamed_rows<T, 4, 2>(acc, ldp, j, x, n, e0, ec, yT, chunks);
        }
        for (; j < rows_x; ++j) streamed_rows<T, 1, 4>(acc, ldp, j, x, n, e0, ec, yT, chunks);
    }
    for (std::size_t j = 0; j < rows_x; ++j) std::copy(acc + j * ldp, acc + j * ldp + rows_y, out + j * ld);
}

// out row r (batch values, rows r = 0 .. rows-1) = init[r] (0 when init is null) + sum over
// i = 0 .. inner-1, in that order, of coef[r * row_stride + i * inner_stride] * src row i: the
// products of the forward pass (z = W a + b) and of the backward one (W^T dz). Register tiles of
// 4 rows by up to 4 SIMD chunks of the batch keep their partial sums in registers while the
// inner index runs, so each src chunk is loaded once per 4 rows and no partial sum goes through
// memory; the loop it replaces loaded and stored the output row for every (row, i). Every entry
// is still init, then one multiply-add per i in order, the same expression (out += c * s) the
// compiler contracts the same way, so the result is bit for bit the old loop's.
template <class T, std::size_t R, std::size_t C>
void accumulate_tile(T* out, std::size_t r0, std::size_t inner, const T* coef, std::size_t row_stride,
                     std::size_t inner_stride, const T* init, const T* src, std::size_t batch, std::size_t b0) {
    using B = mi::simd::batch<T>;
    constexpr std::size_t w = B::size;
    B acc[R][C];
    for (std::size_t r = 0; r < R; ++r)
        for (std::size_t c = 0; c < C; ++c) acc[r][c] = B(init ? init[r0 + r] : T(0));
    for (std::size_t i = 0; i < inner; ++i) {
        B s[C];
        for (std::size_t c = 0; c < C; ++c) s[c] = B::load_unaligned(src + i * batch + b0 + c * w);
        for (std::size_t r = 0; r < R; ++r) {
            const B k(coef[(r0 + r) * row_stride + i * inner_stride]);
            for (std::size_t c = 0; c < C; ++c) acc[r][c] += k * s[c];
        }
    }
    for (std::size_t r = 0; r < R; ++r)
        for (std::size_t c = 0; c < C; ++c) acc[r][c].store_unaligned(out + (r0 + r) * batch + b0 + c * w);
}

template <class T, std::size_t R>
void accumulate_row_block(T* out, std::size_t r0, std::size_t inner, const T* coef, std::size_t row_stride,
                          std::size_t inner_stride, const T* init, const T* src, std::size_t batch) {
    constexpr std::size_t w = mi::simd::batch<T>::size;
    // 4 chunks need 16 accumulators: only AVX-512's 32 registers hold them with the loads
    constexpr std::size_t C = w * sizeof(T) >= 64 ? 4 : 2;
    std::size_t b = 0;
    for (; b + C * w <= batch; b += C * w)
        accumulate_tile<T, R, C>(out, r0, inner, coef, row_stride, inner_stride, init, src, batch, b);
    for (; b + w <= batch; b += w)
        accumulate_tile<T, R, 1>(out, r0, inner, coef, row_stride, inner_stride, init, src, batch, b);
    for (std::size_t r = r0; r < r0 + R; ++r) {
        T* __restrict o = out + r * batch;
        for (std::size_t e = b; e < batch; ++e) o[e] = init ? init[r] : T(0);
        for (std::size_t i = 0; i < inner; ++i) {
            const T k = coef[r * row_stride + i * inner_stride];
            const T* __restrict si = src + i * batch;
            for (std::size_t e = b; e < batch; ++e) o[e] += k * si[e];
        }
    }
}

template <class T>
void accumulate_rows(T* out, std::size_t rows, std::size_t inner, const T* coef, std::size_t row_stride,
                     std::size_t inner_stride, const T* init, const T* src, std::size_t batch) {
    std::size_t r = 0;
    for (; r + 4 <= rows; r += 4)
        accumulate_row_block<T, 4>(out, r, inner, coef, row_stride, inner_stride, init, src, batch);
    switch (rows - r) {
        case 3: accumulate_row_block<T, 3>(out, r, inner, coef, row_stride, inner_stride, init, src, batch); break;
        case 2: accumulate_row_block<T, 2>(out, r, inner, coef, row_stride, inner_stride, init, src, batch); break;
        case 1: accumulate_row_block<T, 1>(out, r, inner, coef, row_stride, inner_stride, init, src, batch); break;
        default: break;
    }
}

#if MI_ENGINE_USE_BLAS
inline void blas_product(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, const float* a, int lda,
                         const float* b, int ldb, float beta, float* c, int ldc) {
    cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
}
inline void blas_product(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, const double* a, int lda,
                         const double* b, int ldb, double beta, double* c, int ldc) {
    cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, 1.0, a, lda, b, ldb, beta, c, ldc);
}

// Rows of the output each of mi's threads takes at least: below that a part's own packing of the
// shared operand costs more than the second core saves.
constexpr int rows_per_blas_part = 128;

// A part starts at a multiple of this many output rows. OpenBLAS's Haswell SGEMM kernel (which it
// also runs on AMD Zen) computes the row-major output in tiles of 12 rows and sums an element in an
// order that depends on its place in its tile: on a Zen 3 with OpenBLAS 0.3.21, cutting a
// 1024 x 784 x 128 product after row 512 changed 6754 of its 131,072 values in the last bits, after
// any multiple of 12 none. 48 is also a multiple of the power-of-two tiles of the other x86 kernels
// (SkylakeX's parts had agreed at the test's earlier cuts, 512 and 342 rows).
constexpr int blas_part_rows_multiple = 48;

// c (m x n, row-major) = op(a) op(b) + beta c, the output's rows split over mi's threads, each part
// one BLAS call, single-threaded in OpenBLAS (blas_threads.hpp). OpenBLAS' own threads ran the
// MNIST layer's 1024 x 784 x 128 products at 45 % of the two cores' FMA peak (157 GFLOP/s, numpy,
// same machine), two single-threaded calls on halves of the output at 75 %; and its idle threads,
// which wait for work in sched_yield loops, took cycles from the engine's own threads between the
// products (bench/engine.md). A part's sums are the whole product's: BLAS blocks the inner
// dimension the same way whatever the number of rows, and a part starting at a multiple of
// blas_part_rows_multiple keeps every element's place in the kernel's tiles, so the values do not
// depend on the number of threads or on whether the product runs inside a parallel region (one call there)
// (tests/engine/test_network.cpp checks both on the MNIST layer's shapes).
template <class T>
void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, const T* a, int lda, const T* b, int ldb,
          T beta, T* c, int ldc) {
    const int parts = static_cast<int>(std::min<std::size_t>(mi::num_threads(), std::size_t(m / rows_per_blas_part)));
    if (parts <= 1 || mi::detail::inside_parallel_region()) {
        blas_product(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    const int q = blas_part_rows_multiple, rows = ((m + parts - 1) / parts + q - 1) / q * q;
    mi::parallel_for(static_cast<std::size_t>((m + rows - 1) / rows), [&](std::size_t p) {
        const int r0 = static_cast<int>(p) * rows, r1 = std::min(m, r0 + rows);
        // op(a)'s rows r0.. are a's rows (no transpose) or its columns (transposed)
        const T* a_part = ta == CblasNoTrans ? a + std::size_t(r0) * std::size_t(lda) : a + r0;
        blas_product(ta, tb, r1 - r0, n, k, a_part, lda, b, ldb, beta, c + std::size_t(r0) * std::size_t(ldc), ldc);
    }, static_cast<std::size_t>(parts));
}
#endif

}  // namespace detail

template <class T = float>
class network {
public:
    struct layer {
        std::size_t in = 0, out = 0;
        std::vector<T> w;  ///< out x in, row-major
        std::vector<T> b;  ///< out
        activation act;    ///< hidden layers; the output layer uses the output_spec
    };

    network() = default;

    /// Builds the layers and initialises them from `seed` (layer l draws from
    /// the stream mi::derive_seed(seed, 1, l), so layers are independent of
    /// each other's sizes).
    network(const network_config& config, std::uint64_t seed) : config_(config) {
        const char* where = "mi_examples::engine::network";
        if (config.inputs == 0) mi::detail::fail(where, "inputs", config.inputs, ">= 1");
        if (config.outputs == 0) mi::detail::fail(where, "outputs", config.outputs, ">= 1");
        for (std::size_t i = 0; i < config.hidden.size(); ++i)
            if (config.hidden[i] == 0)
                mi::detail::fail(where, ("hidden[" + std::to_string(i) + "]").c_str(), 0, ">= 1");
        if (!config.hidden_activations.empty() && config.hidden_activations.size() != config.hidden.size())
            mi::detail::fail(where, "hidden_activations size", config.hidden_activations.size(),
                             "one per hidden layer (" + std::to_string(config.hidden.size()) + ")");
        if (!(config.noise_std >= 0.0) || !std::isfinite(config.noise_std))
            mi::detail::fail(where, "noise_std", config.noise_std, "a finite value >= 0");
        config.quantization.check(where);
        if (config.quantization.enabled() && config.noise_std > 0.0)
            mi::detail::fail(where, "noise_std", config.noise_std, "0 in a quantized network");
        if (config.quantization.enabled() && config.output.loss != loss_kind::softmax_cross_entropy)
            mi::detail::fail(where, "output", config.output.name(), "softmax_cross_entropy in a quantized network");
        std::size_t in = config.inputs;
        const std::size_t n_layers = config.hidden.size() + 1;
        for (std::size_t l = 0; l < n_layers; ++l) {
            layer L;
            L.in = in;
            L.out = l + 1 < n_layers ? config.hidden[l] : config.outputs;
            L.act = l + 1 < n_layers ? (config.hidden_activations.empty() ? config.hidden_activation
                                                                           : config.hidden_activations[l])
                                     : config.output.act;
            L.w.assign(L.out * L.in, T(0));
            L.b.assign(L.out, T(0));
            layers_.push_back(std::move(L));
            in = layers_.back().out;
        }
        if (config.quantization.enabled())
            ranges_.assign(n_layers, moving_range{config.quantization.ema_initial_lo, config.quantization.ema_initial_hi});
        initialize(seed);
    }

    /// Redraws every layer from `seed`.
    void initialize(std::uint64_t seed) {
        for (std::size_t l = 0; l < layers_.size(); ++l) {
            const bool is_output = l + 1 == layers_.size();
            const init_spec spec = is_output && config_.output_init ? *config_.output_init : config_.hidden_init;
            init_layer(layers_[l], spec, mi::derive_seed(seed, 1, l));
        }
    }

    /// Sets layer l's weights (out x in, row-major) and biases explicitly.
    void set_layer(std::size_t l, const std::vector<T>& w, const std::vector<T>& b) {
        const char* where = "mi_examples::engine::network::set_layer";
        if (l >= layers_.size()) mi::detail::fail(where, "layer", l, "< " + std::to_string(layers_.size()));
        if (w.size() != layers_[l].w.size())
            mi::detail::fail(where, "weights size", w.size(), "out * in = " + std::to_string(layers_[l].w.size()));
        if (b.size() != layers_[l].b.size())
            mi::detail::fail(where, "biases size", b.size(), "out = " + std::to_string(layers_[l].b.size()));
        layers_[l].w = w;
        layers_[l].b = b;
    }

    const network_config& config() const noexcept { return config_; }
    std::size_t num_layers() const noexcept { return layers_.size(); }
    const layer& at(std::size_t l) const { return layers_.at(l); }
    layer& at(std::size_t l) { return layers_.at(l); }
    std::size_t inputs() const noexcept { return config_.inputs; }
    std::size_t outputs() const noexcept { return config_.outputs; }

    /// The moving-average output ranges of a quantized network, one per layer (empty when not quantized).
    const std::vector<moving_range>& quantization_ranges() const noexcept { return ranges_; }

    std::size_t parameter_count() const noexcept {
        std::size_t n = 0;
        for (const auto& L : layers_) n += L.w.size() + L.b.size();
        return n;
    }

    /// Allocates a workspace for batches of up to `capacity` samples.
    workspace<T> make_workspace(std::size_t capacity) const {
        workspace<T> ws;
        ws.input.assign(config_.inputs * capacity, T(0));
        for (const auto& L : layers_) {
            ws.z.emplace_back(L.out * capacity, T(0));
            ws.clean.emplace_back(config_.noise_std > 0.0 ? L.out * capacity : 0, T(0));
            ws.a.emplace_back(L.out * capacity, T(0));
            ws.dz.emplace_back(L.out * capacity, T(0));
            ws.grad_w.emplace_back(L.w.size(), T(0));
            ws.grad_b.emplace_back(L.b.size(), T(0));
            if (config_.quantization.enabled()) {
                ws.pre_quant.emplace_back(L.out * capacity, T(0));
                ws.pass.emplace_back(L.out * capacity, std::uint8_t(0));
                ws.wq.emplace_back(L.w.size(), T(0));
                ws.w_pass.emplace_back(L.w.size(), std::uint8_t(1));
                ws.batch_range.emplace_back(0.0, 0.0);
            }
        }
        return ws;
    }

    /// Forward pass on ws.input (inputs x batch, feature-major). Hidden layers
    /// get N(0, noise_std^2) noise drawn from `noise` when it is not null.
    /// The logits are left in z.back() and the output_spec's outputs
    /// (softmax probabilities, sigmoid, f(z)) in a.back().
    void forward(workspace<T>& ws, std::size_t batch, mi::rng* noise = nullptr) const {
        forward_layers(ws, batch, noise, 0);
    }

    /// The forward pass of layers first, first + 1, ... on layer first - 1's output, which the
    /// caller has put in ws.a[first - 1]: a first layer computed another way (the joint critic's,
    /// examples/engine/variational.hpp, adds two products of B rows instead of multiplying B^2
    /// concatenated ones). forward_from(ws, batch, 0) is forward(ws, batch).
    void forward_from(workspace<T>& ws, std::size_t batch, std::size_t first) const {
        if (first >= layers_.size())
            mi::detail::fail("mi_examples::engine::network::forward_from", "first", first,
                             "< the number of layers (" + std::to_string(layers_.size()) + ")");
        forward_layers(ws, batch, nullptr, first);
    }

    /// Output-layer outputs and loss (sum over the batch) after forward();
    /// with `gradient`, also the gradients of the mean batch loss (ws.grad_w, ws.grad_b).
    double loss(workspace<T>& ws, const batch_targets<T>& y, bool gradient, std::size_t* correct = nullptr) const {
        const std::size_t batch = ws.batch;
        const std::size_t last = layers_.size() - 1;
        if (config_.quantization.enabled()) {
            // The loss of the quantized probabilities (engine/quantization.hpp); a training step
            // (gradient) also moves the moving-average ranges toward this batch's.
            const double q_total = quantized_softmax_loss(ws.pre_quant[last].data(), ws.a[last].data(),
                                                          ws.pass[last].data(), gradient ? ws.dz[last].data() : nullptr,
                                                          layers_[last].out, batch, y.labels, correct);
            if (gradient) {
                backward(ws);
                for (std::size_t l = 0; l < layers_.size(); ++l)
                    if (quantization_of(layers_[l].act, l == last).output_range == range_rule::moving_average)
                        ranges_[l].update(ws.batch_range[l].first, ws.batch_range[l].second,
                                          config_.quantization.ema_decay);
            }
            return q_total;
        }
        const double total = output_loss(config_.output, ws.z[last].data(), ws.a[last].data(),
                                         gradient ? ws.dz[last].data() : nullptr, layers_[last].out, batch, y,
                                         correct);
        if (gradient) backward(ws);
        return total;
    }

    /// Gradients (ws.grad_w, ws.grad_b) of any objective whose gradient with respect to the output
    /// layer's pre-activations the caller has put in ws.dz.back() after forward() (a variational
    /// critic's bound, examples/engine/variational.hpp), by the same backward pass as loss().
    void backward_from(workspace<T>& ws) const { backward(ws); }

    /// backward_from() down to layer `first` only: the gradients of layers first, first + 1, ...
    /// and, in ws.dz[first - 1], the objective's gradient with respect to layer first - 1's
    /// pre-activations, for the caller's own first layer (forward_from()).
    void backward_to(workspace<T>& ws, std::size_t first) const {
        if (first == 0 || first >= layers_.size())
            mi::detail::fail("mi_examples::engine::network::backward_to", "first", first,
                             "in [1, " + std::to_string(layers_.size()) + ")");
        backward(ws, first);
    }

private:
    void forward_layers(workspace<T>& ws, std::size_t batch, mi::rng* noise, std::size_t first) const {
        check_batch(ws, batch);
        ws.batch = batch;
        const T* in = first == 0 ? ws.input.data() : ws.a[first - 1].data();
        const bool quantized = config_.quantization.enabled();
        for (std::size_t l = first; l < layers_.size(); ++l) {
            const layer& L = layers_[l];
            T* z = ws.z[l].data();
            affine(L, quantized ? quantized_weights(l, ws) : L.w.data(), in, z, batch);
            if (l + 1 == layers_.size()) {
                output_transform(config_.output, z, ws.a[l].data(), L.out, batch);
                if (quantized) quantize_output(l, ws, batch);
                break;
            }
            const std::size_t n = L.out * batch;
            T* a = ws.a[l].data();
            apply(L.act, z, a, n);
            if (quantized) quantize_output(l, ws, batch);
            if (config_.noise_std > 0.0) {
                std::copy(a, a + n, ws.clean[l].data());
                if (noise) {
                    const double s = config_.noise_std;
                    for (std::size_t i = 0; i < n; ++i) a[i] += static_cast<T>(s * noise->normal());
                }
            }
            in = a;
        }
    }

    void check_batch(const workspace<T>& ws, std::size_t batch) const {
        if (batch == 0) mi::detail::fail("mi_examples::engine::network::forward", "batch", batch, ">= 1");
        if (ws.input.size() < config_.inputs * batch || ws.z.size() != layers_.size())
            mi::detail::fail("mi_examples::engine::network::forward", "batch", batch,
                             "at most the workspace capacity of this network");
    }

    bool use_blas(const layer& L, std::size_t batch) const noexcept {
#if MI_ENGINE_USE_BLAS
        return L.out * L.in * batch >= config_.blas_threshold;
#else
        (void)L;
        (void)batch;
        return false;
#endif
    }

    // The weights a quantized pass multiplies by: the layer's own, or their k-bit image in ws.wq[l].
    const T* quantized_weights(std::size_t l, workspace<T>& ws) const {
        const layer& L = layers_[l];
        if (!quantization_of(L.act, l + 1 == layers_.size()).weights) return L.w.data();
        const auto mm = min_max(L.w.data(), L.w.size());
        const auto g = quant_grid<T>::nudged(std::min(mm.first, T(0)), std::max(mm.second, T(0)),
                                             config_.quantization.bits);
        fake_quantize(g, L.w.data(), ws.wq[l].data(), ws.w_pass[l].data(), L.w.size());
        return ws.wq[l].data();
    }

    // Quantizes layer l's output ws.a[l] in place, keeping the value before it in ws.pre_quant[l].
    void quantize_output(std::size_t l, workspace<T>& ws, std::size_t batch) const {
        const std::size_t n = layers_[l].out * batch;
        T* a = ws.a[l].data();
        std::copy(a, a + n, ws.pre_quant[l].data());
        const auto mm = min_max(a, n);
        ws.batch_range[l] = {static_cast<double>(mm.first), static_cast<double>(mm.second)};
        const bool batch_rule =
            quantization_of(layers_[l].act, l + 1 == layers_.size()).output_range == range_rule::batch_min_max;
        const auto g = batch_rule ? quant_grid<T>::nudged(mm.first, mm.second, config_.quantization.bits)
                                  : quant_grid<T>::nudged(static_cast<T>(ranges_[l].lo), static_cast<T>(ranges_[l].hi),
                                                          config_.quantization.bits);
        fake_quantize(g, ws.pre_quant[l].data(), a, ws.pass[l].data(), n);
    }

    // z (out x batch) = W a + b
    void affine(const layer& L, const T* a, T* z, std::size_t batch) const { affine(L, L.w.data(), a, z, batch); }

    // z (out x batch) = W a + b with the weights w (out x in) in place of L.w.
    void affine(const layer& L, const T* w, const T* a, T* z, std::size_t batch) const {
#if MI_ENGINE_USE_BLAS
        if (use_blas(L, batch)) {
            for (std::size_t j = 0; j < L.out; ++j) std::fill(z + j * batch, z + (j + 1) * batch, L.b[j]);
            detail::gemm(CblasNoTrans, CblasNoTrans, int(L.out), int(batch), int(L.in), w, int(L.in), a,
                         int(batch), T(1), z, int(batch));
            return;
        }
#endif
        detail::accumulate_rows(z, L.out, L.in, w, L.in, std::size_t(1), L.b.data(), a, batch);
    }

    // gb[j] = sum over the batch of dz row j, each in order from 0 (the trainer's bits). Eight rows
    // run side by side: one row's sum is a chain of dependent additions, which left the joint
    // critic's backward pass waiting on the adder's latency.
    static void bias_sums(const T* dz, std::size_t rows, std::size_t batch, T* gb) noexcept {
        constexpr std::size_t R = 8;
        std::size_t j = 0;
        for (; j + R <= rows; j += R) {
            T s[R] = {};
            for (std::size_t b = 0; b < batch; ++b)
                for (std::size_t r = 0; r < R; ++r) s[r] += dz[(j + r) * batch + b];
            for (std::size_t r = 0; r < R; ++r) gb[j + r] = s[r];
        }
        for (; j < rows; ++j) {
            T s = T(0);
            for (std::size_t b = 0; b < batch; ++b) s += dz[j * batch + b];
            gb[j] = s;
        }
    }

    // Layers from the last down to `first`; for first > 0 it ends with d objective / d z of layer
    // first - 1 in ws.dz[first - 1].
    void backward(workspace<T>& ws, std::size_t first = 0) const {
        const std::size_t batch = ws.batch;
        const bool quantized = config_.quantization.enabled();
        for (std::size_t l = layers_.size(); l-- > first;) {
            const layer& L = layers_[l];
            // A quantized layer's forward pass multiplied by its quantized weights (if it quantizes them).
            const bool q_weights = quantized && quantization_of(L.act, l + 1 == layers_.size()).weights;
            const T* W = q_weights ? ws.wq[l].data() : L.w.data();
            const T* dz = ws.dz[l].data();
            const T* below = l == 0 ? ws.input.data() : ws.a[l - 1].data();
            T* gw = ws.grad_w[l].data();
            T* gb = ws.grad_b[l].data();
            bias_sums(dz, L.out, batch, gb);
#if MI_ENGINE_USE_BLAS
            if (use_blas(L, batch)) {
                detail::gemm(CblasNoTrans, CblasTrans, int(L.out), int(L.in), int(batch), dz, int(batch), below,
                             int(batch), T(0), gw, int(L.in));
            } else
#endif
            if (config_.gradient_products == weight_gradient::streamed && L.out >= 16) {
                detail::streamed_products(dz, L.out, below, L.in, batch, gw, L.in, ws.gradient_scratch);
            } else {
                detail::dot_products(dz, L.out, below, L.in, batch, gw, L.in);
            }
            if (q_weights)  // straight-through onto the float weights, zero where the quantizer clamped
                for (std::size_t i = 0; i < L.w.size(); ++i) gw[i] = ws.w_pass[l][i] ? gw[i] : T(0);
            if (l == 0) break;
            // d loss / d a_{l-1} = W^T dz, then through the nonlinearity of layer l-1.
            T* da = ws.dz[l - 1].data();
#if MI_ENGINE_USE_BLAS
            if (use_blas(L, batch)) {
                detail::gemm(CblasTrans, CblasNoTrans, int(L.in), int(batch), int(L.out), W, int(L.in), dz,
                             int(batch), T(0), da, int(batch));
            } else
#endif
            {
                detail::accumulate_rows(da, L.in, L.out, W, std::size_t(1), L.in, static_cast<const T*>(nullptr), dz,
                                        batch);
            }
            const layer& P = layers_[l - 1];
            if (quantized) {
                // straight-through: the quantizer's mask, then f' at the value before the quantizer
                const std::uint8_t* pass = ws.pass[l - 1].data();
                for (std::size_t i = 0; i < P.out * batch; ++i) da[i] = pass[i] ? da[i] : T(0);
                multiply_derivative(P.act, ws.z[l - 1].data(), ws.pre_quant[l - 1].data(), da, P.out * batch);
                continue;
            }
            const T* clean = config_.noise_std > 0.0 ? ws.clean[l - 1].data() : ws.a[l - 1].data();
            multiply_derivative(P.act, ws.z[l - 1].data(), clean, da, P.out * batch);
        }
    }

    static void init_layer(layer& L, const init_spec& spec, std::uint64_t seed) {
        mi::rng g(seed);
        const double fan_in = static_cast<double>(L.in), fan_out = static_cast<double>(L.out);
        auto truncated = [&](double sigma) {
            for (auto& w : L.w) {
                double v = g.normal();
                while (std::abs(v) > 2.0) v = g.normal();
                w = static_cast<T>(sigma * v);
            }
            std::fill(L.b.begin(), L.b.end(), T(0));
        };
        auto uniform = [&](std::vector<T>& v, double limit) {
            for (auto& x : v) x = static_cast<T>((2.0 * g.uniform() - 1.0) * limit);
        };
        switch (spec.kind) {
            case init_kind::truncated_normal_fan_in: truncated(spec.scale / std::sqrt(fan_in)); break;
            case init_kind::truncated_normal_fan_out: truncated(spec.scale / std::sqrt(fan_out)); break;
            case init_kind::glorot_uniform:
                uniform(L.w, std::sqrt(6.0 / (fan_in + fan_out)));
                std::fill(L.b.begin(), L.b.end(), T(0));
                break;
            case init_kind::he_normal:
                for (auto& w : L.w) w = static_cast<T>(std::sqrt(2.0 / fan_in) * g.normal());
                std::fill(L.b.begin(), L.b.end(), T(0));
                break;
            case init_kind::pytorch_default:
                uniform(L.w, 1.0 / std::sqrt(fan_in));
                uniform(L.b, 1.0 / std::sqrt(fan_in));
                break;
            case init_kind::zeros:
                std::fill(L.w.begin(), L.w.end(), T(0));
                std::fill(L.b.begin(), L.b.end(), T(0));
                break;
        }
    }

    network_config config_;
    std::vector<layer> layers_;
    // Moving-average output ranges of a quantized network (TF MovingAverageQuantizer state). Updated by
    // loss(..., gradient = true), i.e. by training steps only, which is why it is mutable: the engine is
    // single-threaded and evaluation never writes it.
    mutable std::vector<moving_range> ranges_;
};

}  // namespace mi_examples::engine

#endif
