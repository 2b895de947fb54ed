// SPDX-License-Identifier: BSD-3-Clause
// Stochastic Lanczos quadrature (SLQ) of tr f(M) for a symmetric positive
// semi-definite matrix M, with control variates: the fast path of mi::renyi
// (include/mi/estimators/renyi.hpp), which needs tr(A^alpha) of N x N Gram
// matrices but not their spectra.
//
// Ubaru, Chen & Saad, "Fast estimation of tr(f(A)) via stochastic Lanczos
// quadrature", SIAM J. Matrix Anal. Appl. 38(4), 2017:
//   tr f(M) = E[z^T f(M) z]                  (Hutchinson; z Rademacher)
//   z^T f(M) z ~ |z|^2 sum_k tau_k^2 f(theta_k)   (Gauss quadrature, eq. 2.3-2.5)
// with theta_k the eigenvalues of the m x m Lanczos tridiagonal T_m started
// at z / |z| and tau_k the first components of its eigenvectors. Gauss
// quadrature with m nodes is exact for polynomials of degree <= 2m - 1.
//
// Hutchinson's variance alone (2 sum_{i != j} f(M)_ij^2) is far too large for
// a 1e-3 relative error on S_alpha at alpha = 1.01, where the entropy is
// log tr(A^alpha) / (1 - alpha): a 1e-3 error on S needs a ~1e-5 relative
// error on the trace. mi's own addition is a control variate of two terms
// whose traces are known exactly and cheaply: g1(x) = x (tr M, O(N)) and
// g2(x) = x^2 (tr M^2 = sum_ij M_ij^2, O(N^2)). Each probe's quadrature
// gives z^T M z and z^T M^2 z exactly (degree <= 2 < 2m - 1), so the
// estimator is the regression (control-variate) estimator
//   Y_q = Q_q(f), X_q = (Q_q(g1), Q_q(g2)), mu = (tr M, tr M^2)
//   estimate = mean(Y) - beta^T (mean(X) - mu),  beta = least squares of Y on X
// (Rubinstein & Marcus 1985; Glasserman, "Monte Carlo methods in financial
// engineering", 2003, sect. 4.1.2). It removes the part of f(M)'s
// off-diagonal mass that a quadratic in M explains; what remains is
// estimated from the residuals: variance = RSS / (P - 1 - k) / P with k the
// regressors used. That standard error is what renyi's automatic mode checks
// against its tolerance before it trusts the estimate.
//
// Matrix-vector products: P probes at once (N x P block, row-major) over the
// stored matrix, row blocks on all cores (mi::parallel_for, fixed blocking,
// each output entry summed in one fixed order: bit-identical for any number
// of threads). Lanczos with full reorthogonalisation (classical Gram-Schmidt,
// twice); a probe stops when its Gauss and Gauss-Radau (node at 0) quadratures
// of f agree to 1e-8 relative, when its Krylov space is invariant, or after the
// step limit; its value is the Gauss-Radau one, and |Radau - Gauss| (they
// bracket the integral for the f of renyi) bounds its quadrature error.
#ifndef MI_ESTIMATORS_DETAIL_LANCZOS_HPP
#define MI_ESTIMATORS_DETAIL_LANCZOS_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mi/core/always_inline.hpp"
#include "mi/core/mul_add.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/random.hpp"
#include "mi/core/simd.hpp"
#include "mi/core/unrolled.hpp"
#include "mi/estimators/detail/linalg.hpp"

namespace mi::detail {

/// A trace estimate, the variance of its sampling error and a bound on its quadrature error
/// (both 0 for an exact value).
struct trace_estimate {
    double value = 0.0;
    double variance = 0.0;
    double quadrature_error = 0.0;
};

namespace slq {

/// Rows of the output per parallel work item (fixed: the result never depends on the threads).
inline constexpr std::size_t rows_per_item = 64;
/// A probe's quadrature has converged when Gauss and Gauss-Radau differ by at most this,
/// relative (they bracket the integral): at alpha = 1.01 a relative error e on tr(A^alpha) is
/// an error of 100 e on S_alpha, far below the probes' sampling error.
inline constexpr double converged_change = 1e-8;

/// Columns of M (rows of Z) per pass over a row block: Z's slice (cols x ld doubles, 64 KiB at
/// ld = 16) stays in the L1/L2 cache while every register tile of the block reads it. Without it
/// each tile streamed all of Z (1 MiB at n = 8000) from L3: 73 ms per product at n = 8000,
/// ld = 16 on one Zen 4 core, against 41 ms with it.
inline constexpr std::size_t columns_per_pass = 512;

// out rows [i0, i0 + R) += M rows [i0, i0 + R), columns [j0, j1), times Z rows [j0, j1), chunks
// [c0, c0 + C) of SIMD width. The accumulators start from out's partial sums (zero when
// j0 = 0), so every entry is summed over j = 0 .. n-1 in order, one fused multiply-add after
// another, exactly as one pass over all columns would: neither the column blocking nor the
// tile's shape changes a bit (the contraction is explicit, detail::mul_add: left to the
// compiler, some tile shapes were fused and others not). Unrolled by hand, so that -O2 keeps
// the tile in registers as -O3 does (at -O2 the loops over it went through memory: 2-3x slower).
template <std::size_t R, std::size_t C>
MI_DETAIL_ALWAYS_INLINE void matvec_tile(const double* m, std::size_t n, const double* z, std::size_t ld,
                                         std::size_t c0, double* out, std::size_t i0, std::size_t j0,
                                         std::size_t j1) {
    using B = simd::batch<double>;
    constexpr std::size_t w = simd::width<double>;
    B acc[R][C];
    unrolled<R>([&](auto r) {
        unrolled<C>([&](auto c) {
            acc[r][c] = j0 == 0 ? B(0.0) : B::load_unaligned(out + (i0 + r) * ld + (c0 + c) * w);
        });
    });
    const double* row = m + i0 * n;
    for (std::size_t j = j0; j < j1; ++j) {
        const double* zj = z + j * ld + c0 * w;
        B zc[C];
        unrolled<C>([&](auto c) { zc[c] = B::load_unaligned(zj + c * w); });
        unrolled<R>([&](auto r) {
            const B mr(row[r * n + j]);
            unrolled<C>([&](auto c) { acc[r][c] = mul_add(mr, zc[c], acc[r][c]); });
        });
    }
    unrolled<R>([&](auto r) {
        unrolled<C>([&](auto c) { acc[r][c].store_unaligned(out + (i0 + r) * ld + (c0 + c) * w); });
    });
}

/// Chunks of Z (SIMD-width columns) per register tile, and rows of M per tile: the R x C
/// accumulators, C chunks of Z and one broadcast entry of M must fit the registers. With
/// AVX2's 16, the former 4 x 4 tile spilled two accumulators to the stack every column, a
/// store-to-load chain on each FMA: 6 x 2 runs the product 1.3x faster at n = 8000, 1.5x at
/// n = 2000-4000 on a Zen 3 (bench/estimators.md). AVX-512 keeps its 8 x 2.
inline constexpr std::size_t tile_chunks = simd::registers >= 32 ? 4 : 2;
constexpr std::size_t tile_rows(std::size_t chunks) {
    return std::min<std::size_t>(8, (simd::registers - chunks - 1) / chunks);
}
/// Rows of the product per parallel work item, for tiles of `chunks` chunks: a multiple of the
/// tile's rows, so that no item ends in narrow remainder tiles (with 64 rows and 6-row tiles,
/// the 3- and 1-row tiles of the last four rows took 8 % of a Renyi point at n = 8000).
constexpr std::size_t matvec_item_rows(std::size_t chunks) {
    return rows_per_item / tile_rows(chunks) * tile_rows(chunks);
}

// Rows [i0, i1) of out += M Z over columns [j0, j1), chunks [c0, c0 + C): register tiles of
// tile_rows(C) rows, then tiles of half as many for the rows left.
template <std::size_t C, std::size_t R = tile_rows(C)>
void matvec_rows(const double* m, std::size_t n, const double* z, std::size_t ld, std::size_t c0, double* out,
                 std::size_t i0, std::size_t i1, std::size_t j0, std::size_t j1) {
    std::size_t i = i0;
    for (; i + R <= i1; i += R) matvec_tile<R, C>(m, n, z, ld, c0, out, i, j0, j1);
    if constexpr (R > 1) {
        if (i < i1) matvec_rows<C, R / 2>(m, n, z, ld, c0, out, i, i1, j0, j1);
    }
}

// matvec_rows with C = c, for any c in [1, C].
template <std::size_t C>
void matvec_chunks(std::size_t c, const double* m, std::size_t n, const double* z, std::size_t ld, std::size_t c0,
                   double* out, std::size_t i0, std::size_t i1, std::size_t j0, std::size_t j1) {
    if (c == C)
        matvec_rows<C>(m, n, z, ld, c0, out, i0, i1, j0, j1);
    else if constexpr (C > 1)
        matvec_chunks<C - 1>(c, m, n, z, ld, c0, out, i0, i1, j0, j1);
}

/// out = M Z for a row-major n x n matrix M and an n x ld block Z (ld a multiple of the SIMD width).
inline void block_matvec(const double* m, std::size_t n, const double* z, std::size_t ld, double* out) {
    constexpr std::size_t w = simd::width<double>, cmax = tile_chunks;
    const std::size_t chunks = ld / w, rows = matvec_item_rows(std::min(cmax, chunks));
    const std::size_t items = (n + rows - 1) / rows;
    parallel_for(items, [&](std::size_t item) {
        const std::size_t i0 = item * rows, i1 = std::min(n, i0 + rows);
        // the column pass outside the chunks: the block's slice of M (rows x
        // columns_per_pass, at most 256 KiB) is read from memory once and from the L2 cache by the
        // other chunks
        for (std::size_t j0 = 0; j0 < n; j0 += columns_per_pass) {
            const std::size_t j1 = std::min(n, j0 + columns_per_pass);
            for (std::size_t c0 = 0; c0 < chunks; c0 += cmax) {
                matvec_chunks<cmax>(std::min(cmax, chunks - c0), m, n, z, ld, c0, out, i0, i1, j0, j1);
            }
        }
    });
}

/// Accumulators of frobenius_squared per row block: independent chains, so the sum runs at the
/// memory's speed instead of one addition's latency per entry (one chain took 6 % of a Renyi
/// point at n = 8000).
inline constexpr std::size_t frobenius_lanes = 32;

/// sum_ij M_ij^2 of a row-major n x n matrix: in each fixed row block, entry e of the block
/// goes to lane e mod frobenius_lanes, the lanes are added in order, then the blocks in order
/// (the same sum for any number of threads and any SIMD width). Not finite if an entry is not.
inline double frobenius_squared(const double* m, std::size_t n) {
    const std::size_t items = (n + rows_per_item - 1) / rows_per_item;
    std::vector<double> part(items, 0.0);
    parallel_for(items, [&](std::size_t item) {
        const std::size_t i0 = item * rows_per_item, i1 = std::min(n, i0 + rows_per_item);
        const double* p = m + i0 * n;
        const std::size_t count = (i1 - i0) * n, whole = count / frobenius_lanes * frobenius_lanes;
        double lane[frobenius_lanes] = {};
        for (std::size_t e = 0; e < whole; e += frobenius_lanes)
            for (std::size_t l = 0; l < frobenius_lanes; ++l) lane[l] += p[e + l] * p[e + l];
        for (std::size_t e = whole; e < count; ++e) lane[e - whole] += p[e] * p[e];
        double s = 0.0;
        for (const double v : lane) s += v;
        part[item] = s;
    });
    double s = 0.0;
    for (const double v : part) s += v;
    return s;
}

/// |z|^2 sum_k tau_k^2 g(theta_k) for the tridiagonal (diag, off) of a Lanczos run; Ritz
/// values below 0 (rounding of a PSD matrix) count as 0.
template <class G>
double quadrature(const std::vector<double>& diag, const std::vector<double>& off, double norm2, G&& g) {
    const std::size_t k = diag.size();
    dense_matrix t = xt::zeros<double>({k, k});
    for (std::size_t i = 0; i < k; ++i) {
        t(i, i) = diag[i];
        if (i + 1 < k) t(i, i + 1) = t(i + 1, i) = off[i];
    }
    std::vector<double> theta;
    dense_matrix u;
    sym_eigen(t, theta, u, "mi::renyi (Lanczos)", "tridiagonal matrix");
    double s = 0.0;
    for (std::size_t i = 0; i < k; ++i) s += u(0, i) * u(0, i) * g(std::max(theta[i], 0.0));
    return norm2 * s;
}

/// Gauss-Radau quadrature with a node prescribed at 0, the lower end of a PSD spectrum
/// (Golub & Meurant, "Matrices, moments and quadrature with applications", 2010, sect. 6.2):
/// T_m extended by the next Lanczos coefficient `next` and a last diagonal entry
/// delta_m, from (T_m - 0 I) delta = next^2 e_m, that makes 0 a node. For f = x^alpha
/// (1 < alpha < 2) and f = -x log x, Gauss and Gauss-Radau bracket the integral (their errors
/// carry the signs of f^(2m) and -f^(2m+1)); the spectrum of a Gram matrix crowds at 0, where
/// those functions are least smooth, and the node there takes most of Gauss's error away
/// (measured: Radau's error 1/3 of Gauss's, opposite sign). NaN when T_m is numerically
/// singular (0 is already a Ritz value; the caller keeps Gauss).
template <class G>
double radau_quadrature(const std::vector<double>& diag, const std::vector<double>& off, double next, double norm2,
                        G&& g) {
    const std::size_t k = diag.size();
    // Thomas algorithm on the tridiagonal T_m: forward elimination, then the last unknown
    std::vector<double> d(k);
    double piv = diag[0];
    d[0] = k == 1 ? next * next : 0.0;
    for (std::size_t i = 1; i < k; ++i) {
        if (!(std::fabs(piv) > 0.0)) return std::nan("");
        const double l = off[i - 1] / piv;
        piv = diag[i] - l * off[i - 1];
        d[i] = (i + 1 == k ? next * next : 0.0) - l * d[i - 1];
    }
    const double delta = d[k - 1] / piv;
    if (!std::isfinite(delta)) return std::nan("");
    std::vector<double> ext = diag, eoff = off;
    ext.push_back(delta);
    eoff.push_back(next);
    return quadrature(ext, eoff, norm2, g);
}

/// The control-variate regression estimate from per-probe samples y (of tr f), x1 (of tr M),
/// x2 (of tr M^2) and the exact traces mu1, mu2.
inline trace_estimate control_variate(const std::vector<double>& y, const std::vector<double>& x1,
                                      const std::vector<double>& x2, double mu1, double mu2) {
    const std::size_t p = y.size();
    const double dp = static_cast<double>(p);
    double my = 0.0, m1 = 0.0, m2 = 0.0;
    for (std::size_t q = 0; q < p; ++q) {
        my += y[q];
        m1 += x1[q];
        m2 += x2[q];
    }
    my /= dp;
    m1 /= dp;
    m2 /= dp;
    double s11 = 0.0, s12 = 0.0, s22 = 0.0, s1y = 0.0, s2y = 0.0, syy = 0.0;
    for (std::size_t q = 0; q < p; ++q) {
        const double a = x1[q] - m1, b = x2[q] - m2, c = y[q] - my;
        s11 += a * a;
        s12 += a * b;
        s22 += b * b;
        s1y += a * c;
        s2y += b * c;
        syy += c * c;
    }
    // beta by the normal equations; a regressor with no spread (e.g. M = I / N gives every probe
    // the same z^T M z) or two collinear ones fall back to fewer regressors
    double b1 = 0.0, b2 = 0.0;
    std::size_t k = 0;
    const double det = s11 * s22 - s12 * s12;
    if (s11 > 0.0 && s22 > 0.0 && det > 1e-10 * s11 * s22) {
        b1 = (s22 * s1y - s12 * s2y) / det;
        b2 = (s11 * s2y - s12 * s1y) / det;
        k = 2;
    } else if (s22 > 0.0) {
        b2 = s2y / s22;
        k = 1;
    } else if (s11 > 0.0) {
        b1 = s1y / s11;
        k = 1;
    }
    double rss = 0.0;
    for (std::size_t q = 0; q < p; ++q) {
        const double r = (y[q] - my) - b1 * (x1[q] - m1) - b2 * (x2[q] - m2);
        rss += r * r;
    }
    (void)syy;
    trace_estimate e;
    e.value = my - b1 * (m1 - mu1) - b2 * (m2 - mu2);
    e.variance = p > k + 1 ? rss / static_cast<double>(p - 1 - k) / dp : 0.0;
    return e;
}

}  // namespace slq

/// SLQ estimate of tr g(M) with control variates x and x^2, for a row-major symmetric PSD
/// n x n matrix (n > 0) with finite entries whose sum of squares is `frobenius2`
/// (frobenius_squared: the caller computes it first, as its check that M is finite),
/// `probes` Rademacher probes from mi::rng(seed) and at most `steps` Lanczos steps per probe.
/// g must be finite on [0, lambda_max].
template <class G>
trace_estimate slq_trace(const double* m, std::size_t n, double frobenius2, G&& g, std::size_t probes,
                         std::size_t steps, std::uint64_t seed) {
    constexpr std::size_t w = simd::width<double>;
    const std::size_t ld = (probes + w - 1) / w * w;
    steps = std::min(steps, n);
    // the Lanczos basis: steps + 1 blocks of n x ld, probe q in column q
    std::vector<double> basis((steps + 1) * n * ld, 0.0);
    std::vector<double> work(n * ld, 0.0);
    auto block = [&](std::size_t j) { return basis.data() + j * n * ld; };
    {
        rng r(seed);
        const double v = 1.0 / std::sqrt(static_cast<double>(n));
        double* v0 = block(0);
        std::uint64_t bits = 0;
        std::size_t left = 0;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t q = 0; q < probes; ++q) {
                if (left == 0) {
                    bits = r();
                    left = 64;
                }
                v0[i * ld + q] = (bits & 1) ? v : -v;
                bits >>= 1;
                --left;
            }
    }
    const double norm2 = static_cast<double>(n);  // |z|^2 of a Rademacher probe
    std::vector<std::vector<double>> diag(probes), off(probes);
    std::vector<double> value(probes, 0.0), bracket(probes, 0.0);
    std::vector<bool> active(probes, true);
    std::vector<double> dots(ld), norms(ld);
    auto gauss = [&](std::size_t q) { return slq::quadrature(diag[q], off[q], norm2, g); };
    std::size_t running = probes;
    for (std::size_t j = 0; j < steps && running > 0; ++j) {
        slq::block_matvec(m, n, block(j), ld, work.data());
        const double* vj = block(j);
        // alpha_j = v_j . w, then w -= alpha_j v_j + beta_{j-1} v_{j-1}
        std::fill(dots.begin(), dots.end(), 0.0);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t q = 0; q < probes; ++q) dots[q] += vj[i * ld + q] * work[i * ld + q];
        for (std::size_t q = 0; q < probes; ++q)
            if (active[q]) diag[q].push_back(dots[q]);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t q = 0; q < probes; ++q) {
                double x = work[i * ld + q] - dots[q] * vj[i * ld + q];
                if (j > 0 && active[q]) x -= off[q][j - 1] * block(j - 1)[i * ld + q];
                work[i * ld + q] = active[q] ? x : 0.0;
            }
        // full reorthogonalisation against v_0 .. v_j, twice
        for (int pass = 0; pass < 2; ++pass)
            for (std::size_t k = 0; k <= j; ++k) {
                const double* vk = block(k);
                std::fill(dots.begin(), dots.end(), 0.0);
                for (std::size_t i = 0; i < n; ++i)
                    for (std::size_t q = 0; q < probes; ++q) dots[q] += vk[i * ld + q] * work[i * ld + q];
                for (std::size_t i = 0; i < n; ++i)
                    for (std::size_t q = 0; q < probes; ++q) work[i * ld + q] -= dots[q] * vk[i * ld + q];
            }
        std::fill(norms.begin(), norms.end(), 0.0);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t q = 0; q < probes; ++q) norms[q] += work[i * ld + q] * work[i * ld + q];
        double* next = block(j + 1);
        for (std::size_t q = 0; q < probes; ++q) {
            if (!active[q]) continue;
            const double beta = std::sqrt(norms[q]);
            double scale = 0.0;
            for (const double a : diag[q]) scale = std::max(scale, std::fabs(a));
            // stop: invariant Krylov space (Gauss is exact), or Gauss and Gauss-Radau agree
            const double gq = gauss(q);
            const bool invariant = !(beta > 1e-12 * scale);
            const double rq = invariant ? gq : slq::radau_quadrature(diag[q], off[q], beta, norm2, g);
            const double now = std::isfinite(rq) ? rq : gq;
            const bool converged = std::fabs(now - gq) <= slq::converged_change * std::fabs(now);
            if (invariant || converged || j + 1 == steps) {
                active[q] = false;
                value[q] = now;
                bracket[q] = std::fabs(now - gq);
                --running;
                continue;
            }
            off[q].push_back(beta);
            for (std::size_t i = 0; i < n; ++i) next[i * ld + q] = work[i * ld + q] / beta;
        }
    }
    std::vector<double> x1(probes), x2(probes);
    for (std::size_t q = 0; q < probes; ++q) {
        x1[q] = slq::quadrature(diag[q], off[q], norm2, [](double x) { return x; });
        x2[q] = slq::quadrature(diag[q], off[q], norm2, [](double x) { return x * x; });
    }
    double trace = 0.0;
    for (std::size_t i = 0; i < n; ++i) trace += m[i * n + i];
    trace_estimate e = slq::control_variate(value, x1, x2, trace, frobenius2);
    for (const double b : bracket) e.quadrature_error += b / static_cast<double>(probes);
    return e;
}

}  // namespace mi::detail

#endif
