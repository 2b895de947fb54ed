// SPDX-License-Identifier: BSD-3-Clause
// sliced<PerSlice>: sliced mutual information (Goldfeld & Greenewald,
// "Sliced Mutual Information: A Scalable Measure of Statistical Dependence",
// NeurIPS 2021, arXiv 2110.05279, Definition 1) and its k-dimensional
// generalisation k-SMI (Goldfeld, Greenewald, Nuradha & Reeves, "k-Sliced
// Mutual Information: A Quantitative Study of Scalability with Dimension",
// NeurIPS 2022, arXiv 2206.08526, the definition of k-SMI), estimated by
// averaging a per-slice estimator over random slices (the Monte Carlo
// integrator both papers analyse):
//
//   SI(X;T)   = E_{A ~ St(k, dx), B ~ St(k, dt)} I(A^T X; B^T T)
//   SI(T;Y)   = E_{B ~ St(k, dt)} I(B^T T; Y)          (labels are not projected)
//   estimate  = (1/M) sum_{s < M} Ihat(A_s^T X; B_s^T T)
//
// St(k, d) is the Stiefel manifold of orthonormal k-frames in R^d with its
// uniform (Haar) measure; for k = 1 it is the unit sphere S^{d-1} and
// SI is the SMI of the 2021 paper. A frame is drawn as the Q factor of the
// QR decomposition of a d x k matrix of independent standard normals with
// the diagonal of R made positive (modified Gram-Schmidt, done twice for
// orthogonality to rounding), which is Haar-distributed.
//
// Per-slice estimators (PerSlice):
//   ksg<Search>     KSG (algorithm and k from its ksg_options) between the
//                   projected X and T; I(T;Y) by its Ross (2014) form on the
//                   projected T (mi/estimators/ksg.hpp). The default.
//   gaussian_slice  the Gaussian MI of the sample correlation of the
//                   projections: k = 1: I = -1/2 log(1 - rho^2); k > 1:
//                   I = 1/2 (log det C_XX + log det C_TT - log det C), C the
//                   2k x 2k sample correlation matrix. Exact for jointly
//                   Gaussian (X, T), a lower bound on the slice's MI for any
//                   distribution with the same second moments. It has no
//                   I(T;Y) with class labels (a Gaussian class-conditional
//                   form is no standard estimator): sliced<gaussian_slice>
//                   refuses mutual_information(T, labels) and point() with
//                   mi::error; use mutual_information(T, X).
//   kde_slice<Noise>
//                   the Kolchinsky-Tracey pairwise-distance bounds of
//                   mi::kde (mi/estimators/kde.hpp; Kolchinsky & Tracey,
//                   Entropy 2017, eqs. 9-10) on the projected T plus
//                   Gaussian noise Z of the Noise policy's variance (in the
//                   projection's units; fixed_noise(0.1) by default):
//                     X-T: H(B^T T + Z) - H(Z), the noisy slice's information
//                          about the input when T is a deterministic function
//                          of X and every row is its own input (Saxe et al.
//                          2018's I(X;T) on the slice). X's projection is not
//                          used: the conditional entropy H(B^T T + Z | X) is
//                          H(Z) given the whole input, which A^T X is not, so
//                          sliced<kde_slice> estimates E_B I(X; B^T T + Z)
//                          (T sliced, X whole), not E_{A,B} I(A^T X; B^T T + Z).
//                     T-Y: H(B^T T + Z) - sum_l p_l H(B^T T + Z | Y = l), the
//                          class-conditional form of mi::kde.
//                   kde_bound::upper (the KL bound, what mi::kde plots; the
//                   default) or kde_bound::lower (Bhattacharyya) chooses the
//                   bound; the mixture entropy lies between the two.
//   binning_slice<Correction>
//                   the plug-in (or Miller-Madow) MI of equal-width bins on
//                   each projected coordinate over that coordinate's range
//                   [min, max] in this sample (mi::binning with mi::uniform
//                   on the coordinate rescaled to [0, 1]; bins = 30 by
//                   default, the count of Shwartz-Ziv & Tishby and Saxe et
//                   al.): X-T the MI of the binned A^T X and B^T T (the X
//                   bins serve as input ids: H(Q(B^T T)) - H(Q(B^T T) |
//                   Q(A^T X))), T-Y H(Q(B^T T)) - sum_l p_l H(Q(B^T T)|Y=l).
//                   Wongso, Ghosh & Motani (AISTATS 2023) estimate each slice
//                   with KSG (continuous-discrete, k = 3), not with bins; this
//                   policy is the binned plane of the information-bottleneck
//                   papers applied to slices.
// A per-slice policy provides name(), parameters() and
// mutual_information(activation_view<const double>, activation_view<const double>),
// and optionally mutual_information(activation_view<const double>, const labels&)
// and, when its X-T value depends on the projections only through their
// covariance, mutual_information_of_covariance(const double* cov, k, rows)
// (gaussian_slice): sliced<> then takes the slices' covariances from the joint
// covariance of (X, T) when that costs less than projecting the rows.
//
// Options (mi::sliced_options, named fields): slices = 128 (M), k = 1 (the
// dimension of the projections; k-SMI when k > 1, k <= every projected
// dimension), seed = 0. Slice s draws T's frame B_s and then X's frame A_s
// from the stream mi::rng(derive_seed(seed, s)), so the directions do not
// depend on the thread count, and the same B_s projects T for I(X;T) and for
// I(T;Y). Slices are projected 32 at a time (their frames side by side: one
// pass over the rows, vectorised over the slices, rows split over the cores;
// each slice's projections stored contiguously for its estimator), then
// estimated in parallel (mi::parallel_for; the per-slice estimator runs
// serially inside), and the slice estimates are summed in slice order:
// results are bit-identical for every thread count.
//
// Methods:
//   mutual_information(t, x)       SI(X;T) between the rows of two views
//   mutual_information(t, labels)  SI(T;Y)
//   point(t, samples)              SI(X;T) with X the samples' network input
//                                  (mi::samples::with_network_input;
//                                  ixt_kind = mutual_information) and SI(T;Y)
//   slice_estimates(t, x or labels), slice_points(t, samples)
//                                  the M per-slice values in slice order (the
//                                  methods above return their mean): their
//                                  spread gives the Monte Carlo standard error
//                                  of the average, sd / sqrt(M)
//   name() "sliced", parameters() "slices=128;k=1;seed=0;per_slice=ksg;" and
//   the per-slice estimator's parameters, each prefixed "per_slice.".
// Bootstrap: rows (X travels with the rows in mi::samples); interval centred
// on the estimate (mi::bias_correction::none: the per-slice kNN bias is not c/N).
// Cost: M per-slice estimates on N x k projections, plus O(N d k) per slice
// for the projections. sliced<gaussian_slice> (any per-slice policy with a
// covariance form) between variables of dx + dt <= M k columns takes no
// projections: each slice's covariance comes from the joint covariance of
// (X, T), O(N (dx + dt)^2) once (mi/estimators/detail/joint_moments.hpp; the
// same values up to rounding). Results in nats. Invariance: SI is unchanged
// by an orthogonal map of X or T (the slicing measure is rotation invariant);
// the estimate changes by Monte Carlo error only (other directions meet the
// data).
// Thread safety: const member functions may be called from several threads.
#ifndef MI_ESTIMATORS_SLICED_HPP
#define MI_ESTIMATORS_SLICED_HPP

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/finite.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/random.hpp"
#include "mi/core/resampling.hpp"
#include "mi/core/samples.hpp"
#include "mi/core/scratch.hpp"
#include "mi/core/stiefel_frame.hpp"
#include "mi/core/discrete.hpp"
#include "mi/core/input_ids.hpp"
#include "mi/core/mul_add.hpp"
#include "mi/estimators/binning.hpp"
#include "mi/estimators/concept.hpp"
#include "mi/estimators/detail/joint_moments.hpp"
#include "mi/estimators/kde.hpp"
#include "mi/estimators/ksg.hpp"
#include "mi/kernels/noise.hpp"
#include "mi/quantizers/uniform.hpp"

namespace mi {

/// Sliced MI's options, by name (C++20: mi::sliced_options{.slices = 512, .k = 2}).
struct sliced_options {
    std::size_t slices = 128;  ///< M, the number of random slices, >= 1
    std::size_t k = 1;         ///< dimension of each projection (k-SMI), >= 1 and <= every projected dimension
    std::uint64_t seed = 0;    ///< slice s uses the stream derive_seed(seed, s)
};

namespace detail {

/// Where column j of the projections of n rows (slices of k columns each) keeps row i: slice by
/// slice, each slice's n x k block row-major, so that a slice's estimator reads contiguous memory.
inline std::size_t projected_index(std::size_t i, std::size_t j, std::size_t n, std::size_t k) {
    return (j / k) * n * k + i * k + j % k;
}

/// The rows per register block of project_block, and its columns: one SIMD batch of doubles.
inline constexpr std::size_t project_rows_per_block = 12;
inline constexpr std::size_t project_columns_per_block = simd::width<double>;

/// Rows i .. i+11 of v projected on one batch of one-dimensional slices' frames, column j of them
/// at f[c * stride + j], into out (the layout of projected_index with k = 1, column 0 at out[0]):
/// out(i + r, j) = sum over c in increasing order of v(i + r, c) f(c, j), contracted as
/// mi::detail::mul_add, as project_rows' loop sums. Twelve accumulators of one batch each: per c,
/// one load of frames and twelve broadcasts feed twelve multiply-adds (measured on the 1024-unit
/// layer: 27 % faster than four rows by 32 columns, whose 16 accumulators were fed by four loads
/// and four broadcasts).
template <class T>
void project_block(const activation_view<const T>& v, const double* f, std::size_t stride, std::size_t d,
                   std::size_t i, double* out) {
    constexpr std::size_t rows = project_rows_per_block, w = project_columns_per_block;
    double acc[rows][w] = {};
    const T* r[rows];
    for (std::size_t q = 0; q < rows; ++q) r[q] = v.row(i + q);
    for (std::size_t c = 0; c < d; ++c) {
        const double* fc = f + c * stride;
        double x[rows];
        for (std::size_t q = 0; q < rows; ++q) x[q] = static_cast<double>(r[q][c]);
        for (std::size_t j = 0; j < w; ++j) {
            const double fj = fc[j];
            for (std::size_t q = 0; q < rows; ++q) acc[q][j] = mul_add(x[q], fj, acc[q][j]);
        }
    }
    const std::size_t n = v.rows();
    for (std::size_t j = 0; j < w; ++j)
        for (std::size_t q = 0; q < rows; ++q) out[j * n + i + q] = acc[q][j];
}

/// The rows of a tile of project_tile: three SIMD batches of doubles (24 with AVX-512).
inline constexpr std::size_t project_tile_rows = 3 * simd::width<double>;
/// Its columns: eight with AVX-512's 32 registers (24 accumulators), four with 16 registers.
inline constexpr std::size_t project_tile_columns = simd::width<double> >= 8 ? 8 : 4;

/// Rows i .. i + project_tile_rows - 1 of v, packed column by column (packed[c * rows + r] =
/// v(i + r, c) as a double), projected on the frames' columns q .. q + project_tile_columns - 1
/// (column j at f[c * stride + j]) into out (projected_index with k = 1, column q at out[q n]).
/// The sums are project_block's, the same order and the same mul_add in every lane; the rows are
/// the SIMD lanes instead of the columns, so that per c three loads of packed rows and eight
/// broadcasts of frame entries feed 24 multiply-adds, where project_block needs a conversion and
/// a broadcast of a row value for each of its multiply-adds.
inline void project_tile(const double* packed, const double* f, std::size_t stride, std::size_t d, std::size_t n,
                         std::size_t i, std::size_t q, double* out) {
    using B = simd::batch<double>;
    constexpr std::size_t w = B::size, R = project_tile_rows / w, J = project_tile_columns;
    B acc[R][J];
    for (std::size_t r = 0; r < R; ++r)
        for (std::size_t j = 0; j < J; ++j) acc[r][j] = B(0.0);
    for (std::size_t c = 0; c < d; ++c) {
        B p[R];
        for (std::size_t r = 0; r < R; ++r) p[r] = B::load_unaligned(packed + c * project_tile_rows + r * w);
        const double* fc = f + c * stride + q;
        for (std::size_t j = 0; j < J; ++j) {
            const B fj(fc[j]);
            for (std::size_t r = 0; r < R; ++r) acc[r][j] = mul_add(p[r], fj, acc[r][j]);
        }
    }
    for (std::size_t j = 0; j < J; ++j)
        for (std::size_t r = 0; r < R; ++r) acc[r][j].store_unaligned(out + (q + j) * n + i + r * w);
}

/// The rows of v projected on the frames f (row-major d x m, m = the columns of several slices'
/// frames side by side, k per slice) into out (n m doubles, every one written; layout
/// projected_index). Each output is the sum over c in increasing order of v(i, c) f(c, j), whatever
/// the thread count (rows are split in fixed blocks) and whichever kernel computes it; the inner
/// loop over the m columns is the one the compiler vectorises, and v is read once for all the
/// slices.
template <class T>
void project_rows(const activation_view<const T>& v, const std::vector<double>& f, std::size_t m, std::size_t k,
                  double* out) {
    const std::size_t n = v.rows(), d = v.cols();
    constexpr std::size_t rows = project_rows_per_block, width = project_columns_per_block;
    constexpr std::size_t tile_rows = project_tile_rows, tile_columns = project_tile_columns;
    constexpr std::size_t block = 4 * tile_rows;
    const std::size_t blocks = (n + block - 1) / block;
    // below about a million multiply-adds, starting threads costs more than it saves
    const std::size_t threads = n * d * m < (std::size_t(1) << 20) ? 1 : 0;
    // 1-D slices: whole tiles of columns by project_tile, then whole batches by project_block
    // (the same sums, in the same order, as the loop below)
    const std::size_t tile_end_column = k == 1 ? m / tile_columns * tile_columns : 0;
    const std::size_t kernel_columns = k == 1 ? m / width * width : 0;
    parallel_for(blocks, [&](std::size_t b) {
        const double* fr = f.data();
        const std::size_t begin = b * block, end = std::min(n, begin + block);
        const std::size_t tiles_end = tile_end_column > 0 ? begin + (end - begin) / tile_rows * tile_rows : begin;
        // a tile's rows are packed once for all the columns: v is read once for all the slices
        // (the buffer, 196 KB at d = 1024, from block_cache: no fresh pages per block)
        cached_vector<double> packed(tile_end_column > 0 ? d * tile_rows : 0);
        for (std::size_t i = begin; i < tiles_end; i += tile_rows) {
            // written in order, read from the tile's rows side by side (each row's cache line
            // serves the next few c)
            const T* row[tile_rows];
            for (std::size_t r = 0; r < tile_rows; ++r) row[r] = v.row(i + r);
            for (std::size_t c = 0; c < d; ++c)
                for (std::size_t r = 0; r < tile_rows; ++r) packed[c * tile_rows + r] = static_cast<double>(row[r][c]);
            for (std::size_t q = 0; q < tile_end_column; q += tile_columns)
                project_tile(packed.data(), fr, m, d, n, i, q, out);
        }
        // the rows after the tiles: whole batches of 1-D columns by project_block, then the loop
        // for what is left (on the tiles' rows, the columns after the last whole tile)
        const std::size_t kernel_end = kernel_columns > 0 ? end - (end - tiles_end) % rows : tiles_end;
        for (std::size_t q = 0; q < kernel_columns; q += width)
            for (std::size_t i = tiles_end; i < kernel_end; i += rows) project_block(v, fr + q, m, d, i, out + q * n);
        std::vector<double> o(m);
        for (std::size_t i = begin; i < end; ++i) {
            // the columns left to this loop
            const std::size_t j0 = i < tiles_end ? tile_end_column : i < kernel_end ? kernel_columns : 0;
            if (j0 == m) continue;
            const T* row = v.row(i);
            std::fill(o.begin() + static_cast<std::ptrdiff_t>(j0), o.end(), 0.0);
            for (std::size_t c = 0; c < d; ++c) {
                const double x = static_cast<double>(row[c]);
                const double* fc = fr + c * m;
                for (std::size_t j = j0; j < m; ++j) o[j] = mul_add(x, fc[j], o[j]);
            }
            for (std::size_t j = j0; j < m; ++j) out[projected_index(i, j, n, k)] = o[j];
        }
    }, threads);
}

template <class P, class = void>
struct has_label_mutual_information : std::false_type {};
template <class P>
struct has_label_mutual_information<
    P, std::void_t<decltype(std::declval<const P&>().mutual_information(std::declval<activation_view<const double>>(),
                                                                        std::declval<const labels&>()))>>
    : std::true_type {};

template <class P, class = void>
struct has_covariance_form : std::false_type {};
template <class P>
struct has_covariance_form<P, std::void_t<decltype(std::declval<const P&>().mutual_information_of_covariance(
                                  std::declval<const double*>(), std::size_t{}, std::size_t{}))>> : std::true_type {};

/// log det of a correlation matrix (unit diagonal, m x m, row-major) by Cholesky; false when it is
/// singular to working precision: a pivot at or below 1e-12 (far above the rounding of a sample
/// correlation, ~sqrt(N) 1e-16; a Gaussian MI above 13.8 nats per dimension).
inline bool cholesky_logdet(std::vector<double> a, std::size_t m, double& logdet) {
    logdet = 0.0;
    for (std::size_t j = 0; j < m; ++j) {
        double pivot = a[j * m + j];
        for (std::size_t p = 0; p < j; ++p) pivot -= a[j * m + p] * a[j * m + p];
        if (!(pivot > 1e-12)) return false;
        const double l = std::sqrt(pivot);
        a[j * m + j] = l;
        logdet += 2.0 * std::log(l);
        for (std::size_t i = j + 1; i < m; ++i) {
            double s = a[i * m + j];
            for (std::size_t p = 0; p < j; ++p) s -= a[i * m + p] * a[j * m + p];
            a[i * m + j] = s / l;
        }
    }
    return true;
}

/// 1/2 (log det C_aa + log det C_bb - log det C) of the correlation matrix C of an m x m covariance
/// (row-major, lower triangle read; any common scale), a's ka columns first: the Gaussian MI of
/// gaussian_slice, from its projections' covariance or from sliced's joint moments. Refuses a
/// singular C with mi::error, naming `where`.
inline double gaussian_mi_of_covariance(const double* cov, std::size_t ka, std::size_t m, const char* where) {
    // correlation matrix (scale-free: the layer's units do not matter)
    std::vector<double> sd(m);
    for (std::size_t c = 0; c < m; ++c) sd[c] = std::sqrt(cov[c * m + c]);
    std::vector<double> corr(m * m);
    for (std::size_t c = 0; c < m; ++c)
        for (std::size_t e = 0; e <= c; ++e)
            corr[c * m + e] = corr[e * m + c] = c == e ? 1.0 : cov[c * m + e] / (sd[c] * sd[e]);
    const std::size_t kb = m - ka;
    std::vector<double> caa(ka * ka), cbb(kb * kb);
    for (std::size_t c = 0; c < ka; ++c)
        for (std::size_t e = 0; e < ka; ++e) caa[c * ka + e] = corr[c * m + e];
    for (std::size_t c = 0; c < kb; ++c)
        for (std::size_t e = 0; e < kb; ++e) cbb[c * kb + e] = corr[(ka + c) * m + ka + e];
    double la = 0.0, lb = 0.0, lj = 0.0;
    if (!cholesky_logdet(caa, ka, la) || !cholesky_logdet(cbb, kb, lb))
        fail(where, "correlation matrix of a projection", "singular",
             "positive definite (the projected variable has fewer than k dimensions of variation)");
    if (!cholesky_logdet(corr, m, lj))
        fail(where, "joint correlation matrix of the projections", "singular",
             "positive definite (a deterministic linear relation: the Gaussian mutual information is infinite)");
    return finite(0.5 * (la + lb - lj), where, "I(a;b)");
}

}  // namespace detail

/// Per-slice policy: the Gaussian mutual information of the sample correlation of two projections.
class gaussian_slice {
public:
    std::string name() const { return "gaussian"; }
    std::string parameters() const { return "form=correlation"; }

    /// 1/2 (log det C_aa + log det C_bb - log det C) of the sample correlation matrix C of (a, b);
    /// k = 1: -1/2 log(1 - rho^2). 0 when every row of a (or of b) is the same.
    template <class T, class U>
    double mutual_information(const activation_view<const T>& a, const activation_view<const U>& b) const {
        const char* where = "mi::gaussian_slice::mutual_information";
        if (a.empty() || b.empty() || b.rows() != a.rows()) {  // refused in this order, with these messages
            detail::check_activations(a, where, "a");
            detail::check_activations(b, where, "b");
            detail::check_same_rows(b.rows(), a.rows(), where, "b rows");
        }
        // one slice of sliced<> (k = 1) is two columns: a fixed-size pass the compiler keeps in registers
        if (a.cols() == 1 && b.cols() == 1) return correlation_mi<2>(a, b, where);
        return correlation_mi<0>(a, b, where);
    }

    /// The same value from the 2k x 2k covariance of the two k-column projections of `rows` rows
    /// (row-major, the lower triangle read, any common scale; a's columns first): what sliced<>
    /// uses when it takes the slices' covariances from the joint moments of X and T. 0 when one
    /// side's variances are all exactly 0 (its rows all the same).
    double mutual_information_of_covariance(const double* cov, std::size_t k, std::size_t rows) const {
        const char* where = "mi::gaussian_slice::mutual_information";
        const std::size_t m = 2 * k;
        check_rows(rows, m, where);
        bool a_constant = true, b_constant = true;
        for (std::size_t c = 0; c < m; ++c)
            if (cov[c * m + c] != 0.0) (c < k ? a_constant : b_constant) = false;
        if (a_constant || b_constant) return 0.0;
        return detail::gaussian_mi_of_covariance(cov, k, m, where);
    }

private:
    static void check_rows(std::size_t n, std::size_t m, const char* where) {
        if (n <= m)
            detail::fail(where, "rows", n, "more than the " + std::to_string(m) + " columns of the two projections");
    }

    // Two passes over the rows (a sliced estimate spends most of its time here: one call per slice).
    // The first sums each column and finds its range; the finiteness check rides along and only a
    // failure goes back to check_activations for its message. The centred values are divided by
    // each column's largest deviation rounded down to a power of two (exact, so that the products
    // neither overflow nor underflow at any scale of the layer); since fl(x - mean) is monotone in
    // x, that deviation is the larger of |lo - mean| and |hi - mean|. A power-of-two reciprocal is
    // exact when the scale is normal, so the division becomes a product without changing a bit.
    // M = 2: a and b have one column each; M = 0: any number.
    template <std::size_t M, class T, class U>
    static double correlation_mi(const activation_view<const T>& a, const activation_view<const U>& b, const char* where) {
        constexpr std::size_t fixed = M > 0 ? M : 1;
        const std::size_t n = a.rows(), ka = M == 2 ? 1 : a.cols(), m = M > 0 ? M : a.cols() + b.cols();
        std::array<double, 7 * fixed + fixed * fixed> fixed_store{};
        std::vector<double> store(M > 0 ? 0 : 7 * m + m * m, 0.0);
        double* const base = M > 0 ? fixed_store.data() : store.data();
        double *const x = base, *const sum = base + m, *const lo = base + 2 * m, *const hi = base + 3 * m,
                      *const mean = base + 4 * m, *const scale = base + 5 * m, *const recip = base + 6 * m,
                      *const cov = base + 7 * m;
        const auto load = [&](std::size_t i) {
            const T* ra = a.row(i);
            const U* rb = b.row(i);
            for (std::size_t c = 0; c < ka; ++c) x[c] = static_cast<double>(ra[c]);
            for (std::size_t c = ka; c < m; ++c) x[c] = static_cast<double>(rb[c - ka]);
        };
        for (std::size_t c = 0; c < m; ++c) {
            lo[c] = std::numeric_limits<double>::infinity();
            hi[c] = -std::numeric_limits<double>::infinity();
        }
        for (std::size_t i = 0; i < n; ++i) {
            load(i);
            for (std::size_t c = 0; c < m; ++c) {
                sum[c] += x[c];
                lo[c] = std::min(lo[c], x[c]);
                hi[c] = std::max(hi[c], x[c]);
            }
        }
        // a NaN or an infinity makes its column's sum non-finite (so may an overflow of finite values,
        // which then fails below as it always did)
        bool finite = true;
        for (std::size_t c = 0; c < m; ++c) finite &= std::isfinite(sum[c]);
        if (!finite) {
            detail::check_activations(a, where, "a");
            detail::check_activations(b, where, "b");
        }
        check_rows(n, m, where);
        // a side whose values are all equal (exactly: a centred sum can leave rounding) carries no information;
        // a constant column beside varying ones makes a singular correlation matrix, refused below
        bool a_constant = true, b_constant = true;
        for (std::size_t c = 0; c < m; ++c)
            if (lo[c] != hi[c]) (c < ka ? a_constant : b_constant) = false;
        if (a_constant || b_constant) return 0.0;
        bool normal = true;  // every scale a normal number, so every 1 / scale exact
        for (std::size_t c = 0; c < m; ++c) {
            mean[c] = sum[c] / static_cast<double>(n);
            scale[c] = detail::centring_scale(lo[c], hi[c], mean[c]);
            recip[c] = 1.0 / scale[c];
            normal &= scale[c] >= std::numeric_limits<double>::min();
        }
        const auto accumulate = [&](auto by_reciprocal) {
            const auto centred = [&](std::size_t c) {
                return by_reciprocal ? (x[c] - mean[c]) * recip[c] : (x[c] - mean[c]) / scale[c];
            };
            if constexpr (M == 2) {
                // The three sums in registers, contracted as the general loop's `cov += z * z` is.
                using detail::mul_add;
                double c00 = 0.0, c10 = 0.0, c11 = 0.0;
                for (std::size_t i = 0; i < n; ++i) {
                    load(i);
                    const double z0 = centred(0), z1 = centred(1);
                    c00 = mul_add(z0, z0, c00);
                    c10 = mul_add(z1, z0, c10);
                    c11 = mul_add(z1, z1, c11);
                }
                cov[0] = c00;
                cov[2] = c10;
                cov[3] = c11;
            } else {
                for (std::size_t i = 0; i < n; ++i) {
                    load(i);
                    for (std::size_t c = 0; c < m; ++c) x[c] = centred(c);
                    for (std::size_t c = 0; c < m; ++c)
                        for (std::size_t e = 0; e <= c; ++e) cov[c * m + e] += x[c] * x[e];
                }
            }
        };
        if (normal) accumulate(std::true_type{});
        else accumulate(std::false_type{});
        return detail::gaussian_mi_of_covariance(cov, ka, m, where);
    }
};

/// Which of the Kolchinsky-Tracey bounds kde_slice reports.
enum class kde_bound { upper, lower };

/// Per-slice policy: mi::kde's bounds on the projected T plus noise (see the header comment).
template <class Noise = fixed_noise>
class kde_slice {
public:
    /// Noise variance 0.1 (Saxe et al.'s MNIST value), the upper (KL) bound.
    kde_slice() : kde_(Noise(0.1)) {}
    explicit kde_slice(Noise noise, kde_bound which = kde_bound::upper) : kde_(std::move(noise)), bound_(which) {}
    /// Noise(parameter), e.g. kde_slice<>(0.05): fixed noise variance 0.05.
    template <class N = Noise, std::enable_if_t<std::is_constructible_v<N, double>, int> = 0>
    explicit kde_slice(double noise_parameter, kde_bound which = kde_bound::upper)
        : kde_(Noise(noise_parameter)), bound_(which) {}

    const kde<gaussian_kernel, Noise>& estimator() const noexcept { return kde_; }
    kde_bound which_bound() const noexcept { return bound_; }

    std::string name() const { return "kde"; }
    std::string parameters() const {
        return "kernel=" + std::string(kde_.kernel().name()) + ";noise=" + std::string(kde_.noise().name()) + ";" +
               kde_.noise().parameters() + ";bound=" + (bound_ == kde_bound::upper ? "upper" : "lower");
    }

    /// H(b + Z) - H(Z): the noisy slice b of a deterministic function of the input, every row its own
    /// input; a (the projection of X) only has to match b's rows (see the header comment).
    template <class T, class U>
    double mutual_information(const activation_view<const T>& a, const activation_view<const U>& b) const {
        const char* where = "mi::kde_slice::mutual_information";
        detail::check_activations(a, where, "a");
        detail::check_same_rows(b.rows(), a.rows(), where, "b rows");
        return pick(kde_.mutual_information(b));
    }

    /// H(t + Z) - sum_l p_l H(t + Z | Y = l), mi::kde's class-conditional form on the slice.
    template <class T>
    double mutual_information(const activation_view<const T>& t, const labels& y) const {
        return pick(kde_.mutual_information(t, y));
    }

private:
    double pick(const bounds& b) const { return bound_ == kde_bound::upper ? b.upper : b.lower; }

    kde<gaussian_kernel, Noise> kde_;
    kde_bound bound_ = kde_bound::upper;
};

/// Per-slice policy: equal-width bins on each projected coordinate's range, plug-in MI (see the header comment).
template <class Correction = plug_in>
class binning_slice {
public:
    explicit binning_slice(std::size_t bins = 30, Correction correction = Correction())
        : bins_(bins), binning_(make(bins, correction)) {}

    std::size_t bins() const noexcept { return bins_; }
    std::string name() const { return "binning"; }
    std::string parameters() const {
        return "bins=" + std::to_string(bins_) + ";range=projection;correction=" + std::string(Correction::name());
    }

    /// The MI of the binned a and b, nats.
    template <class T, class U>
    double mutual_information(const activation_view<const T>& a, const activation_view<const U>& b) const {
        const char* where = "mi::binning_slice::mutual_information";
        detail::check_same_rows(b.rows(), a.rows(), where, "b rows");
        const std::vector<double> ua = unit_range(a, where, "a"), ub = unit_range(b, where, "b");
        const activation_view<const double> va(ua.data(), a.rows(), a.cols(), a.cols());
        const activation_view<const double> vb(ub.data(), b.rows(), b.cols(), b.cols());
        // a's bin patterns are the inputs that b's bins are conditioned on
        const input_ids a_bins(binning_.patterns(va).ids);
        return binning_.mutual_information(vb, a_bins);
    }

    /// The MI of the binned t and the labels, nats.
    template <class T>
    double mutual_information(const activation_view<const T>& t, const labels& y) const {
        const char* where = "mi::binning_slice::mutual_information";
        detail::check_same_rows(y.size(), t.rows(), where, "labels size");
        const std::vector<double> ut = unit_range(t, where, "t");
        return binning_.mutual_information(activation_view<const double>(ut.data(), t.rows(), t.cols(), t.cols()), y);
    }

private:
    static binning<uniform, Correction> make(std::size_t bins, const Correction& correction) {
        if (bins < 1) detail::fail("mi::binning_slice", "bins", bins, ">= 1");
        return binning<uniform, Correction>(uniform(bins, 0.0, 1.0), correction);
    }

    // every column mapped affinely onto [0, 1] by its own minimum and maximum (a constant column to 0),
    // so that uniform(bins, 0, 1) puts equal-width bins on each coordinate's range
    template <class T>
    static std::vector<double> unit_range(const activation_view<const T>& v, const char* where, const char* argument) {
        detail::check_activations(v, where, argument);
        const std::size_t n = v.rows(), d = v.cols();
        std::vector<double> lo(d), hi(d), out(n * d);
        for (std::size_t c = 0; c < d; ++c) lo[c] = hi[c] = static_cast<double>(v(0, c));
        for (std::size_t i = 1; i < n; ++i)
            for (std::size_t c = 0; c < d; ++c) {
                const double x = static_cast<double>(v(i, c));
                lo[c] = std::min(lo[c], x);
                hi[c] = std::max(hi[c], x);
            }
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t c = 0; c < d; ++c) {
                const double width = hi[c] - lo[c];
                // the width of a finite column can overflow (values near +-DBL_MAX): then halve both
                const double x = static_cast<double>(v(i, c));
                out[i * d + c] = !(width > 0.0) ? 0.0
                                 : std::isfinite(width) ? (x - lo[c]) / width
                                                        : (0.5 * x - 0.5 * lo[c]) / (0.5 * hi[c] - 0.5 * lo[c]);
            }
        return out;
    }

    std::size_t bins_;
    binning<uniform, Correction> binning_;
};

template <class PerSlice = ksg<>>
class sliced {
public:
    static constexpr mi::resampling resampling = mi::resampling::rows;  // bootstrap: X comes with the rows in mi::samples
    static constexpr mi::bias_correction bias_correction = mi::bias_correction::none;  // per-slice kNN bias is not c/N
    using per_slice_type = PerSlice;

    explicit sliced(sliced_options options = {}, per_slice_type per_slice = per_slice_type())
        : per_(std::move(per_slice)), o_(options) {
        if (o_.slices < 1) detail::fail("mi::sliced", "options.slices", o_.slices, ">= 1");
        if (o_.k < 1) detail::fail("mi::sliced", "options.k", o_.k, ">= 1");
    }

    const sliced_options& options() const noexcept { return o_; }
    const per_slice_type& per_slice() const noexcept { return per_; }

    std::string name() const { return "sliced"; }
    std::string parameters() const {
        std::string p = "slices=" + std::to_string(o_.slices) + ";k=" + std::to_string(o_.k) +
                        ";seed=" + std::to_string(o_.seed) + ";per_slice=" + per_.name();
        const std::string inner = per_.parameters();
        std::size_t begin = 0;
        while (begin < inner.size()) {
            std::size_t end = inner.find(';', begin);
            if (end == std::string::npos) end = inner.size();
            if (end > begin) p += ";per_slice." + inner.substr(begin, end - begin);
            begin = end + 1;
        }
        return p;
    }

    /// SI(X;T) in nats between the rows of t and x (same number of rows).
    template <class T, class U>
    double mutual_information(const activation_view<const T>& t, const activation_view<const U>& x) const {
        return detail::finite(mean_of(slice_estimates(t, x)), "mi::sliced::mutual_information", "SI(X;T)");
    }

    /// SI(T;Y) in nats between the rows of t and class labels (only T is projected).
    template <class T>
    double mutual_information(const activation_view<const T>& t, const labels& y) const {
        return detail::finite(mean_of(slice_estimates(t, y)), "mi::sliced::mutual_information", "SI(T;Y)");
    }

    /// ixt = SI(X;T) with X the samples' network input, ity = SI(T;Y); one frame of T per slice serves both.
    template <class T>
    plane_point point(const activation_view<const T>& layer, const samples& s) const {
        const auto both = slice_points(layer, s);
        plane_point p;
        p.ixt_kind = ixt_quantity::mutual_information;
        p.ixt = mean_of(both.first);
        p.ity = mean_of(both.second);
        return detail::finite(p, "mi::sliced::point");
    }

    /// The M per-slice estimates of SI(X;T), in slice order (mutual_information(t, x) is their mean):
    /// their spread over the slices gives the Monte Carlo standard error sd / sqrt(M) of the average.
    template <class T, class U>
    std::vector<double> slice_estimates(const activation_view<const T>& t, const activation_view<const U>& x) const {
        const char* where = "mi::sliced::mutual_information";
        detail::check_activations(t, where, "t");
        detail::check_activations(x, where, "x");
        detail::check_same_rows(x.rows(), t.rows(), where, "x rows");
        check_dimension(t.cols(), where, "t");
        check_dimension(x.cols(), where, "x");
        if constexpr (detail::has_covariance_form<per_slice_type>::value) {
            std::vector<double> values;
            if (slices_from_moments(t, x, values)) return values;
        }
        return run_slices(t, &x, [&](const activation_view<const double>& px, const activation_view<const double>& pt,
                                     double& value, double&) { value = per_.mutual_information(px, pt); })
            .first;
    }

    /// The M per-slice estimates of SI(T;Y), in slice order.
    template <class T>
    std::vector<double> slice_estimates(const activation_view<const T>& t, const labels& y) const {
        const char* where = "mi::sliced::mutual_information";
        require_labels(where);
        detail::check_activations(t, where, "t");
        detail::check_same_rows(y.size(), t.rows(), where, "labels size");
        check_dimension(t.cols(), where, "t");
        return run_slices(t, static_cast<const activation_view<const T>*>(nullptr),
                          [&](const activation_view<const double>&, const activation_view<const double>& pt, double& value,
                              double&) { value = label_mi(pt, y); })
            .first;
    }

    /// point()'s coordinates slice by slice: {SI(X;T) per slice, SI(T;Y) per slice}, in slice order.
    template <class T>
    std::pair<std::vector<double>, std::vector<double>> slice_points(const activation_view<const T>& layer,
                                                                     const samples& s) const {
        const char* where = "mi::sliced::point";
        detail::check_activations(layer, where, "layer");
        s.check_rows(layer.rows(), where);
        s.network_input().require(layer.rows(), where);
        require_labels(where);
        check_dimension(layer.cols(), where, "layer");
        check_dimension(s.network_input().cols(), where, "network input");
        return s.network_input().visit([&](const auto& x) {
            return run_slices(layer, &x, [&](const activation_view<const double>& px,
                                             const activation_view<const double>& pt, double& ixt, double& ity) {
                ixt = per_.mutual_information(px, pt);
                ity = label_mi(pt, s.labels());
            });
        });
    }

private:
    // Slices are projected in chunks of `chunk`: the chunk's frames side by side (slice s draws T's
    // frame, then X's, from the stream derive_seed(seed, s)), one pass over the rows for all of them,
    // then the chunk's per-slice estimates in parallel, each writing only its own entries. A slice's
    // frame and every projected value are the same whatever the chunk size and the thread count.
    // 128 slices per pass: with 32, the 1024-unit layer's 10,000 rows were read from memory four
    // times per 128 slices.
    static constexpr std::size_t chunk = 128;

    template <class T, class U, class F>
    std::pair<std::vector<double>, std::vector<double>> run_slices(const activation_view<const T>& t,
                                                                   const activation_view<const U>* x,
                                                                   F&& per_slice_estimate) const {
        const std::size_t k = o_.k, n = t.rows();
        std::vector<double> first(o_.slices, 0.0), second(o_.slices, 0.0);
        // one chunk's projections, each slice's n x k block contiguous; reused by every chunk and
        // never zeroed (project_rows writes every entry)
        const std::size_t widest = std::min(chunk, o_.slices) * k;
        detail::scratch_array<double> pt(n * widest), px(x ? n * widest : 0);
        for (std::size_t c0 = 0; c0 < o_.slices; c0 += chunk) {
            const std::size_t cs = std::min(chunk, o_.slices - c0), m = cs * k;
            std::vector<double> ft(t.cols() * m), fx(x ? x->cols() * m : 0);
            for (std::size_t s = 0; s < cs; ++s) {
                const auto [fts, fxs] = frames(c0 + s, t.cols(), x ? x->cols() : 0);
                place(fts, ft, s, m);
                if (x) place(fxs, fx, s, m);
            }
            detail::project_rows(t, ft, m, k, pt.data());
            if (x) detail::project_rows(*x, fx, m, k, px.data());
            parallel_for(cs, [&](std::size_t s) {
                const activation_view<const double> vt(pt.data() + s * n * k, n, k, k);
                const activation_view<const double> vx(x ? px.data() + s * n * k : pt.data(), x ? n : 0, k, k);
                per_slice_estimate(vx, vt, first[c0 + s], second[c0 + s]);
            });
        }
        return {std::move(first), std::move(second)};
    }

    // A per-slice policy with a covariance form (gaussian_slice) on narrow variables: each slice's
    // covariance from the joint moments of (x, t) (detail/joint_moments.hpp), which cost n D^2 / 2
    // multiply-adds once, D = dx + dt, where the projections cost n M k D. Taken when D <= M k,
    // where the moments were faster (N = 10,000, k = 1, AMD Zen 3, bench/sliced.md: 1.5-2.4x at
    // D = M = 64, 128, 256; at D = 2M the projections were as fast or up to 1.25x faster). Wide
    // layers keep the projections (the 1024-unit layer and its 784 inputs: D = 1808 against 128).
    // The values differ from the projections' by rounding (tests/estimators/test_sliced.cpp: within
    // 1e-9 relative). A slice whose projected variance cancels to rounding is projected as before,
    // and every slice when a column sum overflows (false: the caller projects).
    template <class T, class U>
    bool slices_from_moments(const activation_view<const T>& t, const activation_view<const U>& x,
                             std::vector<double>& values) const {
        const std::size_t n = t.rows(), k = o_.k, m = 2 * k;
        if (x.cols() + t.cols() > o_.slices * k) return false;
        detail::joint_moments jm;
        if (!detail::joint_moments_of(x, t, jm)) return false;
        values.assign(o_.slices, 0.0);
        if (jm.a_constant || jm.b_constant) {
            // every slice's projection of that side is constant: its variances are exactly 0
            const std::vector<double> zero(m * m, 0.0);
            values.assign(o_.slices, per_.mutual_information_of_covariance(zero.data(), k, n));
            return true;
        }
        std::vector<char> cancelled(o_.slices, 0);
        parallel_for(o_.slices, [&](std::size_t s) {
            const auto [ft, fx] = frames(s, t.cols(), x.cols());
            std::vector<double> cov;
            if (detail::slice_covariance(jm, fx, ft, k, cov))
                values[s] = per_.mutual_information_of_covariance(cov.data(), k, n);
            else
                cancelled[s] = 1;
        });
        std::vector<double> pt(n * k), px(n * k);
        for (std::size_t s = 0; s < o_.slices; ++s) {
            if (!cancelled[s]) continue;
            const auto [ft, fx] = frames(s, t.cols(), x.cols());
            detail::project_rows(t, ft, k, k, pt.data());
            detail::project_rows(x, fx, k, k, px.data());
            values[s] = per_.mutual_information(activation_view<const double>(px.data(), n, k, k),
                                                activation_view<const double>(pt.data(), n, k, k));
        }
        return true;
    }

    // slice s's frames: T's (dt x k), then X's (dx x k; none when dx = 0), from the stream derive_seed(seed, s)
    std::pair<std::vector<double>, std::vector<double>> frames(std::size_t s, std::size_t dt, std::size_t dx) const {
        rng r(derive_seed(o_.seed, s));
        std::vector<double> ft = detail::stiefel_frame(dt, o_.k, r);
        return {std::move(ft), dx > 0 ? detail::stiefel_frame(dx, o_.k, r) : std::vector<double>()};
    }

    // a slice's d x k frame into columns [s k, s k + k) of the d x m frames of its chunk
    void place(const std::vector<double>& frame, std::vector<double>& frames, std::size_t s, std::size_t m) const {
        const std::size_t d = frame.size() / o_.k;
        for (std::size_t c = 0; c < d; ++c)
            for (std::size_t j = 0; j < o_.k; ++j) frames[c * m + s * o_.k + j] = frame[c * o_.k + j];
    }

    // summed in slice order: the same bits for every thread count
    static double mean_of(const std::vector<double>& v) {
        double a = 0.0;
        for (double x : v) a += x;
        return a / static_cast<double>(v.size());
    }

    double label_mi(const activation_view<const double>& t, const labels& y) const {
        if constexpr (detail::has_label_mutual_information<per_slice_type>::value) return per_.mutual_information(t, y);
        else return 0.0;  // unreachable: require_labels refused before any slice ran
    }

    void require_labels(const char* where) const {
        if constexpr (!detail::has_label_mutual_information<per_slice_type>::value)
            detail::fail(where, "per-slice estimator", per_.name(),
                         "one with an I(T;Y) for class labels (e.g. mi::sliced<mi::ksg<>>); for this one use "
                         "mutual_information(t, x)");
        else
            (void)where;
    }

    void check_dimension(std::size_t dim, const char* where, const char* argument) const {
        if (o_.k > dim)
            detail::fail(where, "options.k", o_.k,
                         std::string("<= the ") + std::to_string(dim) + " columns of " + argument +
                             " (k-dimensional projections of a " + std::to_string(dim) + "-dimensional variable)");
    }

    per_slice_type per_;
    sliced_options o_;
};

}  // namespace mi

#endif
