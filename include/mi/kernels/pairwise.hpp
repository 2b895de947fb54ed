// SPDX-License-Identifier: BSD-3-Clause
// The pairwise engine of the kernel estimators: for rows h_1..h_N it computes
//   L_i = log sum_j exp(k.log_kernel(|h_i - h_j|^2))        (j includes i)
// and the cross form over a query set against a centre set (sample
// propagation, Goldfeld et al., call that one); beside these reductions, the
// dense form kernel_matrix writes every exp(k.log_kernel(|h_i - h_j|^2)) into
// an N x N matrix (the Gram matrices of the matrix-based Renyi entropy). It is the whole cost of the
// KDE bounds (N^2 distances and exponentials), so it is written for speed
// without giving up exactness where it matters:
//
// * Never N x N: rows are packed once (O(N d), 64-byte aligned, zero padded)
//   into panels of MR = 6 query rows and NR = 2 SIMD widths of centre rows,
//   unit-major. Distances are formed in tiles that stay in L2 and are reduced
//   straight away: the self form in 192 x 192 tiles, the cross form in
//   48 x 8NR tiles with an online (running-max) log-sum-exp per row.
// * Distances, two register-blocked MR x NR micro-kernels (12 accumulators,
//   one broadcast of A and two vector loads of B per unit, K blocked by 192
//   so the B micro-panel stays in L1):
//   - direct (d < 64): C += (b - a)^2, a subtraction and an FMA per pair and
//     unit. No cancellation; identical rows give exactly 0.
//   - dot product (d >= 64): C += a b, then d2 = |a|^2 + |b|^2 - 2 a.b on rows
//     centred on the centres' mean (distances do not change, the norms and
//     so the cancellation shrink), clamped at 0. With the rounding bound
//     e = (d/2 + 3) eps (|a|^2 + |b|^2), a pair whose largest possible term
//     log_kernel(max(d2 - e, 0)) lies within 50 of (a lower bound on) the
//     row's maximum could matter: its whole micro-tile is recomputed by the
//     direct kernel. Terms further down weigh < e^-50 each and keep the fast
//     value. So tight clusters are exact (the self pair always is), and pairs
//     far apart cost nothing extra. On Zen 4 both kernels run at the same
//     rate (the subtraction goes to the separate FP add pipes); where adds and
//     FMAs share ports (Intel) the dot product is twice as fast.
// * Exponentials: xsimd::exp (through simd::exp) on T batches (16 floats with AVX-512); the
//   self forms, whose near-duplicate rows give arguments so small that xsimd's exp would form
//   subnormal numbers, through simd::exp_tiny_at_zero (same values). Sums of
//   terms are kept per lane in T over at most 16 terms, then in double.
// * Self form: the distances are symmetric, so only tiles (a, b), a <= b, are
//   computed; a tile adds its row sums to the rows of a and its column sums
//   to the rows of b (half the distances and half the exponentials). The
//   kernel is non-increasing in d2 (a requirement of the Kernel policy), so
//   the largest term of row i is its own, log_kernel(0): the running maximum
//   is known before the first tile and never moves, and every term is
//   exp(v - log_kernel(0)) <= 1.
// * Split form (log_sum_kernel_split, the KDE bounds with classes): several kernels over one
//   distance tile, each row also summing its own class's terms; its `all` sums are the self
//   form's bit for bit.
// * Accuracy: float input gives float-accurate distances (relative
//   ~sqrt(d) 2^-24) and float exponentials (xsimd, ~1 ulp); sums in double.
//   Measured against the double-precision definition: relative error of L_i
//   below 2e-6 (float) and 1e-12 (double) in tests/kernels/test_pairwise.cpp,
//   tight clusters at |h| ~ 1000 included.
// * All cores through mi::parallel_for over work items whose blocking never
//   depends on the thread count: the cross form over blocks of 48 query rows,
//   each row reduced by one item in a fixed order; the self form over 16
//   fixed items (row blocks dealt round-robin), each owning its rows' row
//   sums and one column-sum vector (16 N doubles in all), added in index
//   order at the end. Results are bit-identical for any number of threads.
#ifndef MI_KERNELS_PAIRWISE_HPP
#define MI_KERNELS_PAIRWISE_HPP

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <new>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <xsimd/xsimd.hpp>

#include "mi/core/activation_view.hpp"
#include "mi/core/always_inline.hpp"
#include "mi/core/build_info.hpp"
#include "mi/core/error.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/simd.hpp"

namespace mi {

namespace detail::pairwise {

// 64-byte aligned storage whose resize() leaves new elements uninitialised: every packed
// panel and every tile entry is written before it is read, and zeroing them first cost as
// much as the arithmetic for N ~ 1000.
template <class T>
struct uninitialized_aligned_allocator : xsimd::aligned_allocator<T, 64> {
    template <class U>
    struct rebind {
        using other = uninitialized_aligned_allocator<U>;
    };
    uninitialized_aligned_allocator() = default;
    template <class U>
    uninitialized_aligned_allocator(const uninitialized_aligned_allocator<U>&) noexcept {}
    template <class U>
    void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
        ::new (static_cast<void*>(p)) U;
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
};

template <class T>
using aligned_vector = std::vector<T, uninitialized_aligned_allocator<T>>;

// A tile buffer of at least n elements, reused by the calling thread across calls: a fresh
// tile per work item meant a fresh mapping (glibc maps blocks this large) and a page fault
// per 4 KiB, which on a virtual machine cost more than the tile's arithmetic for N ~ 1000.
template <class T>
T* thread_tile(std::size_t n) {
    thread_local aligned_vector<T> tile;
    if (tile.size() < n) tile.resize(n);
    return tile.data();
}

/// Query rows per micro-tile.
inline constexpr std::size_t mr = 6;
/// Centre rows per micro-tile (two SIMD registers).
template <class T>
inline constexpr std::size_t nr = 2 * simd::width<T>;
/// Micro-tiles per block in each direction: a block is MB x NB pairs.
inline constexpr std::size_t row_panels = 8;
inline constexpr std::size_t col_panels = 8;
/// K block of the matrix-product path (NR x KC of B stays in L1).
inline constexpr std::size_t k_block = 192;
/// From this many units on, distances go through the matrix product.
inline constexpr std::size_t gemm_min_dims = 64;
/// Terms more than this far (in log units) below the row maximum keep their fast value.
inline constexpr double relevance_cut = 50.0;

// The packed copies are rebuilt on every call. Their buffers go back to a small per-thread
// store when a call ends and the next call of the thread takes them, because a fresh buffer
// is fresh pages: for N ~ 1000 their first-touch faults took a quarter of the time. Only
// buffers up to 16 MiB are kept (at most four per thread), so a large call leaves nothing
// behind; there the N^2 arithmetic dwarfs the faults anyway.
template <class T>
class recycled_buffers {
public:
    aligned_vector<T> take(std::size_t n) {
        for (auto& b : spare_)
            if (b.capacity() >= n) {
                aligned_vector<T> out;
                out.swap(b);
                out.resize(n);
                return out;
            }
        return aligned_vector<T>(n);
    }
    void give(aligned_vector<T>& b) {
        if (b.capacity() == 0 || b.capacity() * sizeof(T) > max_bytes) return;
        for (auto& s : spare_)
            if (s.capacity() == 0) {
                s.swap(b);
                return;
            }
    }

private:
    static constexpr std::size_t max_bytes = std::size_t(16) << 20;
    aligned_vector<T> spare_[4];
};

template <class T>
recycled_buffers<T>& thread_buffers() {
    thread_local recycled_buffers<T> buffers;
    return buffers;
}

/// Rows packed in panels of `width` rows, unit-major inside a panel:
/// value (panel p, unit k, lane r) at data[(p * dims + k) * width + r]. Padding rows are 0.
template <class T>
struct packed {
    aligned_vector<T> data;
    aligned_vector<T> norms;  ///< squared norms (rounded from double), 0 for padding
    std::size_t rows = 0, dims = 0, width = 0, panels = 0;
    const T* panel(std::size_t p) const noexcept { return data.data() + p * dims * width; }

    packed() = default;
    packed(packed&&) noexcept = default;
    packed& operator=(packed&&) noexcept = default;
    packed(const packed&) = delete;
    packed& operator=(const packed&) = delete;
    ~packed() {
        thread_buffers<T>().give(data);
        thread_buffers<T>().give(norms);
    }
};

template <class T>
packed<T> pack(const activation_view<const T>& x, std::size_t width, const std::vector<double>* centre) {
    const bool norms = centre != nullptr;
    packed<T> p;
    p.rows = x.rows();
    p.dims = x.cols();
    p.width = width;
    p.panels = (p.rows + width - 1) / width;
    p.data = thread_buffers<T>().take(p.panels * width * p.dims);
    if (norms) {
        p.norms = thread_buffers<T>().take(p.panels * width);
        std::fill(p.norms.begin(), p.norms.end(), T(0));
    }
    // one panel per item, written contiguously (pure copies: thread count does not matter)
    parallel_for(p.panels, [&](std::size_t q) {
        T* dst = p.data.data() + q * p.dims * width;
        const std::size_t r_end = std::min(width, p.rows - q * width);
        for (std::size_t r = 0; r < width; ++r) {
            if (r >= r_end) {
                for (std::size_t k = 0; k < p.dims; ++k) dst[k * width + r] = T(0);
                continue;
            }
            const T* src = x.row(q * width + r);
            if (norms) {
                double s = 0.0;
                for (std::size_t k = 0; k < p.dims; ++k) {
                    const T v = static_cast<T>(static_cast<double>(src[k]) - (*centre)[k]);
                    dst[k * width + r] = v;
                    s += static_cast<double>(v) * static_cast<double>(v);
                }
                p.norms[q * width + r] = static_cast<T>(s);
            } else {
                for (std::size_t k = 0; k < p.dims; ++k) dst[k * width + r] = src[k];
            }
        }
    });
    return p;
}

/// MR x NR micro-kernel over kc units. Direct: C += (b - a)^2; otherwise C += a * b.
/// a: packed query panel (mr lanes per unit), b: packed centre panel (nr lanes per unit),
/// c: the tile (row stride ldc, aligned). accumulate = false starts from 0.
template <bool Direct, class T>
MI_DETAIL_ALWAYS_INLINE void micro_kernel(const T* a, const T* b, std::size_t kc, T* c, std::size_t ldc,
                                          bool accumulate) noexcept {
    using B = simd::batch<T>;
    constexpr std::size_t w = simd::width<T>;
    B c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
    if (accumulate) {
        c00 = B::load_aligned(c + 0 * ldc); c01 = B::load_aligned(c + 0 * ldc + w);
        c10 = B::load_aligned(c + 1 * ldc); c11 = B::load_aligned(c + 1 * ldc + w);
        c20 = B::load_aligned(c + 2 * ldc); c21 = B::load_aligned(c + 2 * ldc + w);
        c30 = B::load_aligned(c + 3 * ldc); c31 = B::load_aligned(c + 3 * ldc + w);
        c40 = B::load_aligned(c + 4 * ldc); c41 = B::load_aligned(c + 4 * ldc + w);
        c50 = B::load_aligned(c + 5 * ldc); c51 = B::load_aligned(c + 5 * ldc + w);
    } else {
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = B(T(0));
    }
    for (std::size_t k = 0; k < kc; ++k) {
        const B b0 = B::load_aligned(b + k * 2 * w);
        const B b1 = B::load_aligned(b + k * 2 * w + w);
        const T* ak = a + k * mr;
#define MI_PAIRWISE_ROW(r, x0, x1)                       \
    {                                                    \
        const B av(ak[r]);                               \
        if constexpr (Direct) {                          \
            const B t0 = b0 - av, t1 = b1 - av;          \
            x0 = simd::fma(t0, t0, x0);                  \
            x1 = simd::fma(t1, t1, x1);                  \
        } else {                                         \
            x0 = simd::fma(av, b0, x0);                  \
            x1 = simd::fma(av, b1, x1);                  \
        }                                                \
    }
        MI_PAIRWISE_ROW(0, c00, c01)
        MI_PAIRWISE_ROW(1, c10, c11)
        MI_PAIRWISE_ROW(2, c20, c21)
        MI_PAIRWISE_ROW(3, c30, c31)
        MI_PAIRWISE_ROW(4, c40, c41)
        MI_PAIRWISE_ROW(5, c50, c51)
#undef MI_PAIRWISE_ROW
    }
    c00.store_aligned(c + 0 * ldc); c01.store_aligned(c + 0 * ldc + w);
    c10.store_aligned(c + 1 * ldc); c11.store_aligned(c + 1 * ldc + w);
    c20.store_aligned(c + 2 * ldc); c21.store_aligned(c + 2 * ldc + w);
    c30.store_aligned(c + 3 * ldc); c31.store_aligned(c + 3 * ldc + w);
    c40.store_aligned(c + 4 * ldc); c41.store_aligned(c + 4 * ldc + w);
    c50.store_aligned(c + 5 * ldc); c51.store_aligned(c + 5 * ldc + w);
}

/// One tile of squared distances (direct) or dot products (gemm): query panels
/// [i0 / mr, + ipanels) against centre panels [j0 / nr, + jpanels), K-blocked,
/// into `tile` with row stride ldc. Shared by the cross and the self form.
template <class T>
inline void fill_tile(const packed<T>& qp, const packed<T>& cp, std::size_t i0, std::size_t j0,
                      std::size_t ipanels, std::size_t jpanels, bool gemm, T* tile, std::size_t ldc) noexcept {
    constexpr std::size_t nrt = nr<T>;
    const std::size_t d = qp.dims;
    for (std::size_t k0 = 0; k0 < d; k0 += k_block) {
        const std::size_t kc = std::min(k_block, d - k0);
        for (std::size_t jp = 0; jp < jpanels; ++jp) {
            const T* bpan = cp.panel(j0 / nrt + jp) + k0 * nrt;
            for (std::size_t ip = 0; ip < ipanels; ++ip) {
                const T* apan = qp.panel(i0 / mr + ip) + k0 * mr;
                T* c = tile + ip * mr * ldc + jp * nrt;
                if (gemm)
                    micro_kernel<false>(apan, bpan, kc, c, ldc, k0 > 0);
                else
                    micro_kernel<true>(apan, bpan, kc, c, ldc, k0 > 0);
            }
        }
    }
}

/// Dot-product path: whether a pair among columns j .. jend of a tile row (squared distances
/// row[], query norm nai, centre norms norms[]) could have a term within relevance of the row's
/// maximum, i.e. log_kernel of its rounding-widened lower bound reaching `cut`. lo holds those
/// lower bounds for the SIMD chunk at j; the lanes are then checked one by one.
template <class Kernel, class T>
bool may_matter(const Kernel& kernel, const simd::batch<T>& lo, const T* row, const T* norms, std::size_t j,
                std::size_t jend, T nai, T gamma, T cut) {
    if (!xsimd::any(kernel.log_kernel(lo) >= simd::batch<T>(cut))) return false;
    for (std::size_t l = j; l < jend; ++l)
        if (kernel.log_kernel(std::max(row[l] - gamma * (nai + norms[l]), T(0))) >= cut) return true;
    return false;
}

/// Recomputes by differences (exact near pairs) the micro-tiles of a tile (row stride ld) that
/// may_matter flagged.
template <class T, std::size_t RP, std::size_t CP>
void redo_flagged(const bool (&redo)[RP][CP], const packed<T>& qp, const packed<T>& cp, std::size_t i0, std::size_t j0,
                  std::size_t ipanels, std::size_t jpanels, T* tile, std::size_t ld) noexcept {
    constexpr std::size_t nrt = nr<T>;
    for (std::size_t ip = 0; ip < ipanels; ++ip)
        for (std::size_t jp = 0; jp < jpanels; ++jp)
            if (redo[ip][jp])
                micro_kernel<true>(qp.panel(i0 / mr + ip), cp.panel(j0 / nrt + jp), qp.dims, tile + ip * mr * ld + jp * nrt,
                                   ld, false);
}

/// The cross form: blocks of MB query rows against every centre block, online
/// log-sum-exp per row. qp/cp: the packed queries and centres.
template <class Kernel, class T>
std::vector<double> run_cross(const packed<T>& qp, const packed<T>& cp, bool gemm, const Kernel& kernel) {
    using B = simd::batch<T>;
    constexpr std::size_t w = simd::width<T>;
    constexpr std::size_t nrt = nr<T>;
    constexpr std::size_t mb = mr * row_panels;
    constexpr std::size_t nb = nrt * col_panels;
    const std::size_t nq = qp.rows, nc = cp.rows, d = qp.dims;
    const std::size_t row_blocks = (nq + mb - 1) / mb;
    const std::size_t col_blocks = (nc + nb - 1) / nb;
    // Rounding bound of |a|^2 + |b|^2 - 2 a.b relative to |a|^2 + |b|^2.
    const T gamma = static_cast<T>((0.5 * static_cast<double>(d) + 3.0) *
                                   static_cast<double>(std::numeric_limits<T>::epsilon()));
    const T minus_inf = -std::numeric_limits<T>::infinity();
    std::vector<double> out(nq);

    parallel_for(row_blocks, [&](std::size_t ib) {
        T* const tile = thread_tile<T>(mb * nb);
        double run_max[mb], run_sum[mb];
        for (std::size_t r = 0; r < mb; ++r) {
            run_max[r] = -std::numeric_limits<double>::infinity();
            run_sum[r] = 0.0;
        }
        const std::size_t i0 = ib * mb;
        const std::size_t rows_here = std::min(mb, nq - i0);
        const std::size_t ipanels = (rows_here + mr - 1) / mr;
        for (std::size_t jb = 0; jb < col_blocks; ++jb) {
            const std::size_t j0 = jb * nb;
            const std::size_t cols_here = std::min(nb, nc - j0);
            const std::size_t jpanels = (cols_here + nrt - 1) / nrt;
            const std::size_t cols_padded = jpanels * nrt;
            // 1. the distance (or dot-product) tile
            fill_tile(qp, cp, i0, j0, ipanels, jpanels, gemm, tile, nb);
            // 2. matrix-product path: d2 = |a|^2 + |b|^2 - 2 a.b clamped at 0, then every
            //    micro-tile holding a pair whose term could matter is recomputed by differences.
            if (gemm) {
                bool redo[row_panels][col_panels] = {};
                const B two(T(2)), zero(T(0)), g(gamma);
                const std::size_t cols_full = cols_here / w * w;
                for (std::size_t r = 0; r < rows_here; ++r) {
                    T* row = tile + r * nb;
                    const T nai = qp.norms[i0 + r];
                    const B na(nai);
                    B hi_min(std::numeric_limits<T>::infinity());
                    for (std::size_t j = 0; j < cols_padded; j += w) {
                        const B nbv = B::load_aligned(cp.norms.data() + j0 + j);
                        const B d2 = simd::max(simd::fnma(two, B::load_aligned(row + j), na + nbv), zero);
                        d2.store_aligned(row + j);
                        if (j < cols_full) hi_min = simd::min(hi_min, simd::fma(g, na + nbv, d2));
                    }
                    T hmin = simd::reduce_min(hi_min);
                    for (std::size_t j = cols_full; j < cols_here; ++j)
                        hmin = std::min(hmin, row[j] + gamma * (nai + cp.norms[j0 + j]));
                    // A lower bound on the row's maximum after this block; terms whose
                    // largest possible value lies relevance_cut below it cannot matter.
                    const double m_lb = std::max(run_max[r], static_cast<double>(kernel.log_kernel(hmin)));
                    const T cut = static_cast<T>(m_lb - relevance_cut);
                    for (std::size_t j = 0; j < cols_padded; j += w) {
                        bool& flag = redo[r / mr][j / nrt];
                        if (flag) continue;
                        const B nbv = B::load_aligned(cp.norms.data() + j0 + j);
                        const B lo = simd::max(simd::fnma(g, na + nbv, B::load_aligned(row + j)), zero);
                        flag = may_matter(kernel, lo, row, cp.norms.data() + j0, j, std::min(j + w, cols_here), nai, gamma, cut);
                    }
                }
                redo_flagged(redo, qp, cp, i0, j0, ipanels, jpanels, tile, nb);
            }
            // 3. per row: kernel, online log-sum-exp
            for (std::size_t r = 0; r < rows_here; ++r) {
                T* row = tile + r * nb;
                for (std::size_t j = 0; j < cols_padded; j += w)
                    kernel.log_kernel(B::load_aligned(row + j)).store_aligned(row + j);
                for (std::size_t j = cols_here; j < cols_padded; ++j) row[j] = minus_inf;
                B vmax(minus_inf);
                for (std::size_t j = 0; j < cols_padded; j += w)
                    vmax = simd::max(vmax, B::load_aligned(row + j));
                const T block_max = simd::reduce_max(vmax);
                const double m_new = std::max(run_max[r], static_cast<double>(block_max));
                if (m_new == -std::numeric_limits<double>::infinity()) continue;
                // m_new is a value of type T (or a previous one), so the shift is exact.
                const B shift(static_cast<T>(m_new));
                B acc(T(0));
                for (std::size_t j = 0; j < cols_padded; j += w)
                    acc += simd::exp(B::load_aligned(row + j) - shift);
                const double block_sum = static_cast<double>(simd::reduce_add(acc));
                run_sum[r] = run_sum[r] * std::exp(run_max[r] - m_new) + block_sum;
                run_max[r] = m_new;
            }
        }
        for (std::size_t r = 0; r < rows_here; ++r)
            out[i0 + r] = run_sum[r] > 0.0 ? run_max[r] + std::log(run_sum[r])
                                           : -std::numeric_limits<double>::infinity();
    });
    return out;
}

/// The self form, using the symmetry of the distances: only the blocks (a, b)
/// with a <= b of square blocks of `self_block` rows are computed; block
/// (a, b) adds its row sums to the rows of a and its column sums to the rows
/// of b. For a non-increasing kernel the largest term of row i is its own,
/// log_kernel(0), so the log-sum-exp's maximum is known before the first block
/// and every term is exp(v - log_kernel(0)) <= 1 (no rescaling, no overflow).
/// Determinism: the blocks are dealt to a fixed number of work items (never
/// the thread count); item s owns the row sums of its row blocks and one
/// column-sum vector, and the final sum over items runs in index order.
inline constexpr std::size_t self_block = 192;
inline constexpr std::size_t self_items = 16;

/// One block pair (a, b), a <= b, of the self form: rows i0 .. i0 + rows against columns
/// j0 .. j0 + cols, in ipanels and jpanels micro-panels (cols_padded columns).
struct self_tile {
    std::size_t a, b, i0, j0, rows, cols, ipanels, jpanels, cols_padded;
};

/// Calls f(tile) for the block pairs of work item s of the self form over n rows: row blocks
/// a = s, s + items, ... (the work is triangular), each against blocks b = a, a + 1, ...
template <class T, class F>
void for_self_tiles(std::size_t n, std::size_t s, std::size_t items, F&& f) {
    constexpr std::size_t pb = self_block, nrt = nr<T>;
    const std::size_t blocks = (n + pb - 1) / pb;
    for (std::size_t a = s; a < blocks; a += items) {
        const std::size_t i0 = a * pb, rows = std::min(pb, n - i0);
        for (std::size_t b = a; b < blocks; ++b) {
            const std::size_t j0 = b * pb, cols = std::min(pb, n - j0), jpanels = (cols + nrt - 1) / nrt;
            f(self_tile{a, b, i0, j0, rows, cols, (rows + mr - 1) / mr, jpanels, jpanels * nrt});
        }
    }
}

template <class Kernel, class T>
std::vector<double> run_self(const packed<T>& qp, const packed<T>& cp, bool gemm, const Kernel& kernel) {
    using B = simd::batch<T>;
    constexpr std::size_t w = simd::width<T>;
    constexpr std::size_t nrt = nr<T>;
    constexpr std::size_t pb = self_block;
    static_assert(pb % mr == 0 && pb % nr<T> == 0, "self_block must hold whole micro-panels");
    const std::size_t n = qp.rows, d = qp.dims;
    const std::size_t blocks = (n + pb - 1) / pb;
    const std::size_t items = std::min(blocks, self_items);
    const T m0 = kernel.log_kernel(T(0));
    const T gamma = static_cast<T>((0.5 * static_cast<double>(d) + 3.0) *
                                   static_cast<double>(std::numeric_limits<T>::epsilon()));
    const T cut = static_cast<T>(static_cast<double>(m0) - relevance_cut);
    std::vector<double> row_sum(n, 0.0), col_sum(items * n, 0.0);
    alignas(64) T lanes[w];
    for (std::size_t l = 0; l < w; ++l) lanes[l] = static_cast<T>(l);
    const B lane = B::load_aligned(lanes);

    parallel_for(items, [&](std::size_t s) {
        T* const tile = thread_tile<T>(pb * pb);
        aligned_vector<T> part(pb);
        double* cs = col_sum.data() + s * n;
        for_self_tiles<T>(n, s, items, [&](const self_tile& t) {
            const std::size_t a = t.a, b = t.b, i0 = t.i0, j0 = t.j0, rows_here = t.rows, cols_here = t.cols;
            const std::size_t ipanels = t.ipanels, jpanels = t.jpanels, cols_padded = t.cols_padded;
            // 1. distances (direct) or dot products, K-blocked
            fill_tile(qp, cp, i0, j0, ipanels, jpanels, gemm, tile, pb);
            // 2. dot-product path: d2 clamped at 0; micro-tiles holding a pair whose
            //    term could be within relevance_cut of the maximum are redone by differences.
            if (gemm) {
                bool redo[pb / mr][pb / nr<T>] = {};
                const B two(T(2)), zero(T(0)), g(gamma);
                for (std::size_t r = 0; r < rows_here; ++r) {
                    T* row = tile + r * pb;
                    const T nai = qp.norms[i0 + r];
                    const B na(nai);
                    for (std::size_t j = 0; j < cols_padded; j += w) {
                        const B nbv = B::load_aligned(cp.norms.data() + j0 + j);
                        const B d2 = simd::max(simd::fnma(two, B::load_aligned(row + j), na + nbv), zero);
                        d2.store_aligned(row + j);
                        bool& flag = redo[r / mr][j / nrt];
                        if (flag) continue;
                        const B lo = simd::max(simd::fnma(g, na + nbv, d2), zero);
                        flag = may_matter(kernel, lo, row, cp.norms.data() + j0, j, std::min(j + w, cols_here), nai, gamma, cut);
                    }
                }
                redo_flagged(redo, qp, cp, i0, j0, ipanels, jpanels, tile, pb);
            }
            // 3. terms exp(log_kernel(d2) - log_kernel(0)), row sums (and column sums off the diagonal)
            const B shift(m0), zero(T(0));
            // padding columns hold real-looking values: the last chunk is masked
            const std::size_t full = cols_here / w * w;
            const B end(static_cast<T>(cols_here));
            for (std::size_t r = 0; r < rows_here; ++r) {
                T* row = tile + r * pb;
                B acc(T(0));
                for (std::size_t j = 0; j < full; j += w) {
                    const B v = simd::exp_tiny_at_zero(kernel.log_kernel(B::load_aligned(row + j)) - shift);
                    v.store_aligned(row + j);
                    acc += v;
                }
                for (std::size_t j = full; j < cols_padded; j += w) {
                    const auto valid = (lane + B(static_cast<T>(j))) < end;
                    const B v = xsimd::select(valid, simd::exp_tiny_at_zero(kernel.log_kernel(B::load_aligned(row + j)) - shift), zero);
                    v.store_aligned(row + j);
                    acc += v;
                }
                row_sum[i0 + r] += static_cast<double>(simd::reduce_add(acc));
            }
            if (b == a) return;
            // column sums in float over runs of 16 rows, flushed to double
            for (std::size_t r0 = 0; r0 < rows_here; r0 += 16) {
                const std::size_t r1 = std::min(rows_here, r0 + 16);
                for (std::size_t j = 0; j < cols_padded; j += w) {
                    B acc(T(0));
                    for (std::size_t r = r0; r < r1; ++r) acc += B::load_aligned(tile + r * pb + j);
                    acc.store_aligned(part.data() + j);
                }
                for (std::size_t j = 0; j < cols_here; ++j) cs[j0 + j] += static_cast<double>(part[j]);
            }
        });
    });
    std::vector<double> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        double t = row_sum[i];
        for (std::size_t s = 0; s < items; ++s) t += col_sum[s * n + i];
        out[i] = static_cast<double>(m0) + std::log(t);
    }
    return out;
}

/// L_i of run_self for one kernel, over all rows (`all`) and over the rows of i's own class
/// (`own`).
struct split_sums {
    std::vector<double> all, own;
};

/// The self form for several kernels at once, each row also summing the terms of the rows of
/// its own class (cls[i], in row order; the classes of I(T;Y)): each tile's distances (direct
/// form) are formed once and serve every kernel, so the KDE bounds on H(T) and on every
/// H(T | Y = l), upper and lower, come from one pass over half the pairs instead of four passes
/// over them and over each class's pairs. `all` is run_self's result bit for bit (same tiles,
/// work items and sum order, terms written to a second tile instead of in place); `own` groups
/// its terms differently from a separate run_self over the class's rows, so it agrees with that
/// to float rounding (tests/kernels/test_pairwise.cpp), not bit for bit. Thread count never
/// matters.
template <class Kernel, class T, std::size_t K>
std::array<split_sums, K> run_self_split(const packed<T>& qp, const packed<T>& cp, const std::array<Kernel, K>& kernels,
                                         const std::vector<std::uint32_t>& cls) {
    using B = simd::batch<T>;
    constexpr std::size_t w = simd::width<T>;
    constexpr std::size_t nrt = nr<T>;
    constexpr std::size_t pb = self_block;
    const std::size_t n = qp.rows;
    const std::size_t blocks = (n + pb - 1) / pb;
    const std::size_t items = std::min(blocks, self_items);
    // the class of every column as a T lane value (padding: -1, no row's class)
    aligned_vector<T> col_class(blocks * pb + nrt, T(-1));
    for (std::size_t i = 0; i < n; ++i) col_class[i] = static_cast<T>(cls[i]);
    std::array<T, K> m0;
    for (std::size_t q = 0; q < K; ++q) m0[q] = kernels[q].log_kernel(T(0));
    // per kernel q: all then own row sums (2 n), and all then own column sums (items x n each)
    std::vector<double> row_sum(2 * K * n, 0.0), col_sum(2 * K * items * n, 0.0);
    alignas(64) T lanes[w];
    for (std::size_t l = 0; l < w; ++l) lanes[l] = static_cast<T>(l);
    const B lane = B::load_aligned(lanes);

    parallel_for(items, [&](std::size_t s) {
        T* const tile = thread_tile<T>(2 * pb * pb);
        T* const terms = tile + pb * pb;
        aligned_vector<T> part(pb), part_own(pb);
        for_self_tiles<T>(n, s, items, [&](const self_tile& t) {
            const std::size_t a = t.a, b = t.b, i0 = t.i0, j0 = t.j0, rows_here = t.rows, cols_here = t.cols;
            const std::size_t ipanels = t.ipanels, jpanels = t.jpanels, cols_padded = t.cols_padded;
            fill_tile(qp, cp, i0, j0, ipanels, jpanels, false, tile, pb);
            const std::size_t full = cols_here / w * w;
            const B end(static_cast<T>(cols_here)), zero(T(0));
            const T* cc = col_class.data() + j0;
            for (std::size_t q = 0; q < K; ++q) {
                const Kernel& kernel = kernels[q];
                const B shift(m0[q]);
                double* rs = row_sum.data() + 2 * q * n;
                double* rs_own = rs + n;
                double* cs = col_sum.data() + (2 * q * items + s) * n;
                double* cs_own = col_sum.data() + ((2 * q + 1) * items + s) * n;
                for (std::size_t r = 0; r < rows_here; ++r) {
                    const T* dist = tile + r * pb;
                    T* row = terms + r * pb;
                    const B mine(static_cast<T>(cls[i0 + r]));
                    B acc(T(0)), own(T(0));
                    for (std::size_t j = 0; j < full; j += w) {
                        const B v = simd::exp_tiny_at_zero(kernel.log_kernel(B::load_aligned(dist + j)) - shift);
                        v.store_aligned(row + j);
                        acc += v;
                        own += xsimd::select(B::load_unaligned(cc + j) == mine, v, zero);
                    }
                    for (std::size_t j = full; j < cols_padded; j += w) {
                        const auto valid = (lane + B(static_cast<T>(j))) < end;
                        const B v =
                            xsimd::select(valid, simd::exp_tiny_at_zero(kernel.log_kernel(B::load_aligned(dist + j)) - shift), zero);
                        v.store_aligned(row + j);
                        acc += v;
                        own += xsimd::select(B::load_unaligned(cc + j) == mine, v, zero);
                    }
                    rs[i0 + r] += static_cast<double>(simd::reduce_add(acc));
                    rs_own[i0 + r] += static_cast<double>(simd::reduce_add(own));
                }
                if (b == a) continue;
                // column sums in float over runs of 16 rows, flushed to double (all and own)
                for (std::size_t r0 = 0; r0 < rows_here; r0 += 16) {
                    const std::size_t r1 = std::min(rows_here, r0 + 16);
                    for (std::size_t j = 0; j < cols_padded; j += w) {
                        const B theirs = B::load_unaligned(cc + j);
                        B acc(T(0)), own(T(0));
                        for (std::size_t r = r0; r < r1; ++r) {
                            const B v = B::load_aligned(terms + r * pb + j);
                            acc += v;
                            own += xsimd::select(theirs == B(static_cast<T>(cls[i0 + r])), v, zero);
                        }
                        acc.store_aligned(part.data() + j);
                        own.store_aligned(part_own.data() + j);
                    }
                    for (std::size_t j = 0; j < cols_here; ++j) {
                        cs[j0 + j] += static_cast<double>(part[j]);
                        cs_own[j0 + j] += static_cast<double>(part_own[j]);
                    }
                }
            }
        });
    });
    std::array<split_sums, K> out;
    for (std::size_t q = 0; q < K; ++q)
        for (std::size_t own = 0; own < 2; ++own) {
            std::vector<double>& dst = own ? out[q].own : out[q].all;
            dst.resize(n);
            const double* rs = row_sum.data() + (2 * q + own) * n;
            for (std::size_t i = 0; i < n; ++i) {
                double t = rs[i];
                for (std::size_t it = 0; it < items; ++it) t += col_sum[((2 * q + own) * items + it) * n + i];
                dst[i] = static_cast<double>(m0[q]) + std::log(t);
            }
        }
    return out;
}

/// The dense form: every pair's kernel value exp(log_kernel(d2)) written to out[i * ld + j].
/// Tiles (a, b), a <= b, of the direct (difference) distances, so that near pairs (the entries
/// close to exp(log_kernel(0)), which carry a Gram matrix's spectrum) have no cancellation;
/// each tile is written to (a, b) and mirrored to (b, a). Work item a writes the rows of block
/// a from column a * self_block on and, mirrored, columns of block a in rows of later blocks:
/// every entry is written by one item, so the matrix does not depend on the thread count.
template <class Kernel, class T>
void run_dense(const packed<T>& qp, const packed<T>& cp, const Kernel& kernel, double* out, std::size_t ld) {
    using B = simd::batch<T>;
    constexpr std::size_t w = simd::width<T>;
    constexpr std::size_t nrt = nr<T>;
    constexpr std::size_t pb = self_block;
    const std::size_t n = qp.rows;
    const std::size_t blocks = (n + pb - 1) / pb;
    parallel_for(blocks, [&](std::size_t a) {
        T* const tile = thread_tile<T>(pb * pb);
        const std::size_t i0 = a * pb, rows_here = std::min(pb, n - i0);
        const std::size_t ipanels = (rows_here + mr - 1) / mr;
        for (std::size_t b = a; b < blocks; ++b) {
            const std::size_t j0 = b * pb, cols_here = std::min(pb, n - j0);
            const std::size_t jpanels = (cols_here + nrt - 1) / nrt, cols_padded = jpanels * nrt;
            fill_tile(qp, cp, i0, j0, ipanels, jpanels, false, tile, pb);
            for (std::size_t r = 0; r < rows_here; ++r) {
                T* row = tile + r * pb;
                for (std::size_t j = 0; j < cols_padded; j += w)
                    simd::exp(kernel.log_kernel(B::load_aligned(row + j))).store_aligned(row + j);
                double* dst = out + (i0 + r) * ld + j0;
                for (std::size_t j = 0; j < cols_here; ++j) dst[j] = static_cast<double>(row[j]);
                if (b != a)
                    for (std::size_t j = 0; j < cols_here; ++j) out[(j0 + j) * ld + i0 + r] = static_cast<double>(row[j]);
            }
        }
    });
}

/// How the squared distances are formed (automatic: by the number of units).
enum class method { automatic, direct, dot_product };

template <class Kernel, class T>
std::vector<double> log_sum_kernel(const activation_view<const T>& queries,
                                   const activation_view<const T>& centres, const Kernel& kernel,
                                   bool self, method how = method::automatic) {
    note_if_narrow_simd(static_cast<double>(queries.rows()) * static_cast<double>(centres.rows()) *
                        static_cast<double>(queries.cols()));
    const bool gemm = how == method::automatic ? queries.cols() >= gemm_min_dims : how == method::dot_product;
    // The matrix-product path works on rows centred on the centres' mean:
    // distances do not change, the norms (and the cancellation) shrink.
    std::vector<double> mean;
    if (gemm) {
        mean.assign(centres.cols(), 0.0);
        for (std::size_t j = 0; j < centres.rows(); ++j)
            for (std::size_t k = 0; k < centres.cols(); ++k) mean[k] += static_cast<double>(centres(j, k));
        for (auto& v : mean) v /= static_cast<double>(centres.rows());
    }
    const std::vector<double>* c = gemm ? &mean : nullptr;
    const packed<T> qp = pack(queries, mr, c);
    if (self) return run_self(qp, pack(queries, nr<T>, c), gemm, kernel);
    return run_cross(qp, pack(centres, nr<T>, c), gemm, kernel);
}

/// run_self_split over the rows with their classes cls (direct distances: fewer than
/// gemm_min_dims units; classes below 2^24, exact as float lane values).
template <class Kernel, class T, std::size_t K>
std::array<split_sums, K> log_sum_kernel_split(const activation_view<const T>& rows, const std::array<Kernel, K>& kernels,
                                               const std::vector<std::uint32_t>& cls) {
    note_if_narrow_simd(static_cast<double>(rows.rows()) * static_cast<double>(rows.rows()) *
                        static_cast<double>(rows.cols()));
    return run_self_split(pack(rows, mr, nullptr), pack(rows, nr<T>, nullptr), kernels, cls);
}

}  // namespace detail::pairwise

/// For each row i: log sum_j exp(k.log_kernel(|h_i - h_j|^2)), j over all rows (i included).
template <class Kernel, class T>
std::vector<double> log_sum_kernel(const activation_view<const T>& rows, const Kernel& k) {
    detail::check_activations(rows, "mi::log_sum_kernel", "rows");
    return detail::pairwise::log_sum_kernel(rows, rows, k, true);
}

/// The dense kernel matrix of the rows: out[i * ld + j] = exp(k.log_kernel(|h_i - h_j|^2)) for
/// every pair, computed in T (double input: double throughout) with SIMD on all cores;
/// symmetric, bit-identical for any thread count. ld >= rows.rows(); out holds rows x ld doubles.
template <class Kernel, class T>
void kernel_matrix(const activation_view<const T>& rows, const Kernel& k, double* out, std::size_t ld) {
    detail::check_activations(rows, "mi::kernel_matrix", "rows");
    if (ld < rows.rows())
        detail::fail("mi::kernel_matrix", "ld", ld, "at least the number of rows, " + std::to_string(rows.rows()));
    detail::note_if_narrow_simd(static_cast<double>(rows.rows()) * static_cast<double>(rows.rows()) *
                                static_cast<double>(rows.cols()));
    const detail::pairwise::packed<T> qp = detail::pairwise::pack(rows, detail::pairwise::mr, nullptr);
    const detail::pairwise::packed<T> cp = detail::pairwise::pack(rows, detail::pairwise::nr<T>, nullptr);
    detail::pairwise::run_dense(qp, cp, k, out, ld);
}

/// For each query row i: log sum_j exp(k.log_kernel(|q_i - c_j|^2)), j over the centre rows.
template <class Kernel, class T>
std::vector<double> log_sum_kernel(const activation_view<const T>& queries,
                                   const activation_view<const T>& centers, const Kernel& k) {
    detail::check_activations(queries, "mi::log_sum_kernel", "queries");
    detail::check_activations(centers, "mi::log_sum_kernel", "centers");
    if (centers.cols() != queries.cols())
        detail::fail("mi::log_sum_kernel", "centers.cols()", centers.cols(),
                     "the number of query units, " + std::to_string(queries.cols()));
    return detail::pairwise::log_sum_kernel(queries, centers, k, false);
}

}  // namespace mi

#endif
