// SPDX-License-Identifier: BSD-3-Clause
// The quantizer interface, and the fitted type shared by every quantizer whose
// bins are intervals between sorted edges (uniform, the IDNNs convention,
// adaptive_uniform, global_uniform, equal_mass, distinct_value_quantiles,
// bin_edges). Binning, the minimal model and EDGE all consume quantizers through
// this one interface, so it is stated here once.
//
// A quantizer Q is a small value type holding its parameters:
//
//   template <class T> auto Q::fit(const mi::activation_view<const T>& layer) const;
//   std::string Q::name() const;         // e.g. "uniform"
//   std::string Q::parameters() const;   // e.g. "quantizer=uniform;bins=30;lo=-1;hi=1"
//
// fit looks at the layer (the pooled values of all its units at one epoch)
// when the rule needs data (adaptive_uniform, equal_mass, ...) and returns a
// fitted value type F (here F = mi::fitted_edges<T>) with
//
//   std::int32_t F::code(double x) const;                          // the bin of x
//   void F::encode(const T* x, std::size_t n, std::int32_t* codes) const;   // SIMD, == code lane by lane
//   std::vector<double> F::boundaries(double lo, double hi) const; // sorted points in (lo, hi) where code changes
//
// and optionally
//
//   std::size_t F::codes() const;   // every code lies in 0 .. codes()-1 (lets binning store 8/16-bit codes)
//
// Between two consecutive boundaries the code is constant, so they are the
// bin boundaries a Gaussian can be integrated between. Codes are
// non-decreasing in x, except under IDNNs' wrap (values below the first edge
// share the top code), so two intervals can carry the same code: sum their
// masses by code, not by position. x must be finite: code throws mi::error on NaN/Inf;
// encode never reads or writes out of bounds on NaN/Inf but its code for them
// is unspecified (estimators reject non-finite activations first).
//
// fitted_edges<T>: code(x) counts the distinct edges e_j <= x, exactly as
// numpy.digitize(x, edges) (side 'right') does, then applies one of two
// conventions: `count` (code = the count, so values below the first edge get
// code 0 and values >= the last edge get code m, m distinct edges), or
// `left_edge_wrap` (IDNNs' bins[digitize(x, bins) - 1]: code = count - 1, and a
// count of 0, i.e. x below the first edge, wraps to index -1, the last edge,
// the same code as values >= the last edge).
//
// The SIMD path is exact, not approximately equal: each edge is first rounded
// up to the activation type T, so that for every T value x, x >= e (in double)
// iff x >= round_up_T(e). Then one of three lookups, chosen at construction:
// * arithmetic (evenly spaced edges: uniform, IDNNs, adaptive/global uniform):
//   count = floor((x - e_0) / step) + 1, no table at all. A lane whose t lies
//   within a proven rounding margin of an interior edge index is recomputed by
//   code() (a few per million values); values below e_0 or at/above the last
//   edge are classified by direct comparison, so saturated units never are.
// * grid (uneven edges): a uniform grid gives every x a cell by a subtraction,
//   a multiplication and a truncation; that map is monotone in x, so edges in
//   lower cells are certainly <= x, edges in higher cells certainly > x, and
//   only the K edges sharing x's cell are compared, by gathers.
// * binary_search (edges too clustered for a grid): branchless, by gathers.
// Tails shorter than a SIMD batch reuse the last full batch (rewriting the
// same codes), so every lane goes through the same kernel.
#ifndef MI_QUANTIZERS_FITTED_EDGES_HPP
#define MI_QUANTIZERS_FITTED_EDGES_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/simd.hpp"

// GCC 12's AVX-512 intrinsics (_mm512_undefined_* in avx512fintrin.h, GCC bug 105593) make
// every xsimd floor/min/max/convert look like a use of an uninitialized value; silence that
// false positive for this header's kernels only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

namespace mi {

namespace detail {

/// The most bins a quantizer accepts. Each bin costs an edge (and per-bin work when fitting);
/// 2^24 bins resolve 6e-8 of the range, the precision of a float, so a larger request is a
/// mistake (e.g. a wrapped negative count) that would otherwise run for minutes and then fail
/// to allocate. For every distinct value in its own bin use mi::machine_precision.
inline constexpr std::size_t max_bins = std::size_t(1) << 24;

inline void check_bins(std::size_t bins, const char* where) {
    if (bins < 1) fail(where, "bins", bins, ">= 1");
    if (bins > max_bins)
        fail(where, "bins", bins,
             "at most " + std::to_string(max_bins) + " (for one bin per distinct value use mi::machine_precision)");
}

}  // namespace detail

/// How the count of edges <= x becomes a code.
enum class edge_convention {
    count,          ///< code = number of edges <= x (0 below the first edge, m at or above the last)
    left_edge_wrap  ///< IDNNs: code = count - 1, and count 0 wraps to m - 1 (the code of values >= last edge)
};

namespace detail {

/// numpy.linspace(lo, hi, count)[i] as numpy computes it: i * step + lo, the
/// product rounded on its own (no fused multiply-add), the last point = hi.
inline double linspace_point(double lo, double hi, std::size_t count, std::size_t i) {
    if (count > 1 && i == count - 1) return hi;
    const double step = (hi - lo) / static_cast<double>(count - 1);
    volatile double product = static_cast<double>(i) * step;  // keeps the compiler from fusing
    return product + lo;
}

/// double -> T rounded to nearest, overflowing to +-inf as the hardware (and numpy's
/// astype(float32)) does, without the undefined behaviour of an out-of-range static_cast.
template <class T>
T to_type(double e) noexcept {
    if constexpr (std::is_same_v<T, double>) {
        return e;
    } else {
        constexpr double overflow = 0x1.ffffffp127;  // 2^128 - 2^103: rounds to infinity from here
        if (e >= overflow) return std::numeric_limits<float>::infinity();
        if (e <= -overflow) return -std::numeric_limits<float>::infinity();
        return static_cast<float>(e);
    }
}

/// The smallest T value that is >= e (as doubles); +inf when e is beyond the largest T.
template <class T>
T round_up_to(double e) {
    T r = to_type<T>(e);
    if (static_cast<double>(r) < e) r = std::nextafter(r, std::numeric_limits<T>::infinity());
    return r;
}

/// Smallest and largest value of a layer, rejecting NaN/Inf with the standard message.
template <class T>
std::pair<double, double> layer_range(const activation_view<const T>& v, const char* where,
                                      const char* argument) {
    if (v.empty()) check_activations(v, where, argument);
    using batch = simd::batch<T>;
    constexpr std::size_t w = simd::width<T>;
    batch lo(std::numeric_limits<T>::infinity()), hi(-std::numeric_limits<T>::infinity());
    batch bad(T(0));
    T slo = std::numeric_limits<T>::infinity(), shi = -std::numeric_limits<T>::infinity();
    bool sbad = false;
    for (std::size_t i = 0; i < v.rows(); ++i) {
        const T* r = v.row(i);
        std::size_t j = 0;
        for (; j + w <= v.cols(); j += w) {
            const batch x = batch::load_unaligned(r + j);
            lo = simd::min(lo, x);
            hi = simd::max(hi, x);
            bad = bad + (x - x);  // NaN for NaN or +-Inf, stays NaN
        }
        for (; j < v.cols(); ++j) {
            const T x = r[j];
            sbad |= !std::isfinite(x);
            slo = std::min(slo, x);
            shi = std::max(shi, x);
        }
    }
    if (sbad || !std::isfinite(simd::reduce_add(bad))) check_activations(v, where, argument);
    const double a = std::min<double>(slo, simd::reduce_min(lo));
    const double b = std::max<double>(shi, simd::reduce_max(hi));
    return {a, b};
}

/// Rejects NaN/Inf in a code() argument.
inline void check_code_argument(double x, const char* where) {
    if (!std::isfinite(x)) fail(where, "x", x, "a finite value");
}

}  // namespace detail

/// Fitted quantizer for bins between sorted edges (see the header comment).
template <class T>
class fitted_edges {
    static_assert(std::is_floating_point_v<T>, "mi::fitted_edges: T must be float or double");

public:
    using value_type = T;
    using index_type = std::conditional_t<sizeof(T) == 4, std::int32_t, std::int64_t>;

    fitted_edges() : fitted_edges(std::vector<double>{}, edge_convention::count) {}

    /// `edges` must be finite and non-decreasing; repeated edges merge (an empty bin has no code).
    fitted_edges(std::vector<double> edges, edge_convention convention) : convention_(convention) {
        for (std::size_t j = 0; j < edges.size(); ++j) {
            if (!std::isfinite(edges[j]))
                detail::fail("mi::fitted_edges", ("edges[" + std::to_string(j) + "]").c_str(), edges[j],
                             "a finite value");
            if (j > 0 && edges[j] < edges[j - 1])
                detail::fail("mi::fitted_edges", ("edges[" + std::to_string(j) + "]").c_str(), edges[j],
                             ">= edges[" + std::to_string(j - 1) + "] = " + detail::to_text(edges[j - 1]) +
                                 " (sorted edges)");
        }
        edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
        if (convention == edge_convention::left_edge_wrap && edges.empty())
            detail::fail("mi::fitted_edges", "edges", "{}", "at least one edge for the left_edge_wrap convention");
        if (edges.size() >= (std::size_t(1) << 24))
            detail::fail("mi::fitted_edges", "edges size", edges.size(),
                         "fewer than 2^24 distinct edges (counts are exact in float)");
        edges_ = std::move(edges);
        build_accelerator();
    }

    /// The distinct edges, sorted.
    const std::vector<double>& edges() const noexcept { return edges_; }
    edge_convention convention() const noexcept { return convention_; }
    /// Number of codes in use: 0 .. codes()-1.
    std::size_t codes() const noexcept {
        return convention_ == edge_convention::count ? edges_.size() + 1 : edges_.size();
    }

    /// Which exact SIMD lookup encode uses: "arithmetic" (evenly spaced edges, no gathers),
    /// "grid" (1 + K gathers) or "binary_search" (log2 m gathers).
    const char* lookup() const noexcept {
        switch (mode_) {
            case mode::arithmetic: return "arithmetic";
            case mode::grid: return "grid";
            default: return "binary_search";
        }
    }

    std::int32_t code(double x) const {
        detail::check_code_argument(x, "mi::fitted_edges::code");
        const auto c = static_cast<std::int64_t>(std::upper_bound(edges_.begin(), edges_.end(), x) - edges_.begin());
        return map(c);
    }

    void encode(const T* x, std::size_t n, std::int32_t* codes) const {
        switch (mode_) {
            case mode::arithmetic: {
                const arithmetic_kernel k(*this);
                run(x, n, codes, k);
                break;
            }
            case mode::grid: {
                const grid_kernel k(*this);
                run(x, n, codes, k);
                break;
            }
            default: {
                const search_kernel k(*this);
                run(x, n, codes, k);
                break;
            }
        }
    }

    std::vector<double> boundaries(double lo, double hi) const {
        std::vector<double> out;
        for (std::size_t j = 0; j < edges_.size(); ++j) {
            const double e = edges_[j];
            if (e > lo && e < hi && map(static_cast<std::int64_t>(j)) != map(static_cast<std::int64_t>(j + 1)))
                out.push_back(e);
        }
        return out;
    }

private:
    using batch_t = simd::batch<T>;
    using ibatch_t = simd::batch<index_type>;
    static_assert(batch_t::size == ibatch_t::size, "mi::fitted_edges: index and value batches must match");

    std::int32_t map(std::int64_t count) const noexcept {
        if (convention_ == edge_convention::count) return static_cast<std::int32_t>(count);
        return static_cast<std::int32_t>(count == 0 ? static_cast<std::int64_t>(edges_.size()) - 1 : count - 1);
    }

    index_type cell_of(T x) const noexcept {
        T t = (x - base_) * scale_;
        if (!(t >= T(0))) t = T(0);
        if (t > cell_max_) t = cell_max_;
        return static_cast<index_type>(t);
    }

    void build_accelerator() {
        const std::size_t m = edges_.size();
        rounded_.resize(m);
        for (std::size_t j = 0; j < m; ++j) rounded_[j] = detail::round_up_to<T>(edges_[j]);
        if (build_arithmetic()) return;
        // Grid over the finite range of the rounded edges.
        base_ = m > 0 ? rounded_[0] : T(0);
        T top = base_;
        for (std::size_t j = m; j-- > 0;)
            if (std::isfinite(rounded_[j])) {
                top = rounded_[j];
                break;
            }
        std::size_t best_k = m;  // the K of a one-cell grid
        std::size_t cells = 1;
        T best_scale = T(0);
        const std::size_t max_cells = std::size_t(1) << 14;
        for (std::size_t g = 16; m > 1 && g <= max_cells; g <<= 1) {
            const T range = top - base_;
            if (!(range > T(0)) || !std::isfinite(range)) break;
            const T scale = static_cast<T>(g) / range;
            if (!std::isfinite(scale)) break;
            scale_ = scale;
            cell_max_ = static_cast<T>(g - 1);
            std::size_t k = 0, run = 0;
            index_type prev = -1;
            for (std::size_t j = 0; j < m; ++j) {
                const index_type c = cell_of(rounded_[j]);
                run = c == prev ? run + 1 : 1;
                prev = c;
                k = std::max(k, run);
            }
            if (k < best_k) {
                best_k = k;
                cells = g;
                best_scale = scale;
            }
            if (best_k <= 1 || g >= 8 * m) break;
        }
        std::size_t levels = 0;
        while ((std::size_t(1) << levels) < m + 1) ++levels;
        mode_ = best_k > 2 && levels < best_k ? mode::binary_search : mode::grid;
        const T inf = std::numeric_limits<T>::infinity();
        if (mode_ == mode::binary_search) {
            levels_ = levels;
            table_.assign(std::size_t(1) << levels, inf);
            std::copy(rounded_.begin(), rounded_.end(), table_.begin());
            return;
        }
        scale_ = best_scale;
        cell_max_ = static_cast<T>(cells - 1);
        uncertain_ = best_k;
        start_.assign(cells, 0);
        // start[c] = number of edges whose cell is below c.
        std::vector<index_type> per_cell(cells, 0);
        for (std::size_t j = 0; j < m; ++j) ++per_cell[static_cast<std::size_t>(cell_of(rounded_[j]))];
        index_type acc = 0;
        for (std::size_t c = 0; c < cells; ++c) {
            start_[c] = acc;
            acc += per_cell[c];
        }
        table_ = rounded_;
        table_.resize(m + uncertain_ + 1, inf);
    }

    // Evenly spaced edges (uniform, IDNNs, adaptive, global): the count is floor(t) + 1 with
    // t = (x - e_0) / step, computed without any table. It is exact whenever t is farther than
    // margin from an interior edge index; margin bounds the rounding of t (a few units of T's
    // precision per cell) plus how far the rounded edges stray from the even grid. The rare
    // lanes closer than that are recomputed by code(). Values below e_0 / at or above e_m-1
    // are classified by comparing with those edges directly, so saturated units (tanh at
    // exactly +-1) never need the fix-up.
    bool build_arithmetic() {
        const std::size_t m = rounded_.size();
        if (m < 3 || m > (std::size_t(1) << 22)) return false;
        const double e0 = static_cast<double>(rounded_.front()), e1 = static_cast<double>(rounded_.back());
        if (!std::isfinite(e0) || !std::isfinite(e1) || !(e1 > e0)) return false;
        const double step = (e1 - e0) / static_cast<double>(m - 1);
        // dev: how far (in cells) an edge lies from its index on the grid t = (x - e_0) / step.
        double dev = 0.0;
        for (std::size_t j = 0; j < m; ++j) {
            const double position = (static_cast<double>(rounded_[j]) - e0) / step;
            dev = std::max(dev, std::abs(position - static_cast<double>(j)));
        }
        // t is computed in T from x - e_0 (one rounding), 1/step rounded to T and one product:
        // |t - t_exact| <= 3 units of roundoff of T times |t| <= m; 4 (m + 1) epsilon(T) covers
        // that and the double rounding of dev itself.
        const double eps = std::numeric_limits<T>::epsilon();  // 2 units of roundoff
        const double margin = dev * (1.0 + 1e-9) + 4.0 * static_cast<double>(m + 1) * eps;
        const T inv = detail::to_type<T>(1.0 / step);
        if (!(margin < 0.01) || !std::isfinite(inv) || !(inv > T(0))) return false;
        mode_ = mode::arithmetic;
        base_ = rounded_.front();
        inv_ = inv;
        margin_ = static_cast<T>(margin);
        first_ = rounded_.front();
        last_ = rounded_.back();
        return true;
    }

    // Runs a kernel over x[0..n): whole batches, then the last w values again (overlapping the
    // previous batch: the codes rewritten are the same), or a padded batch when n < w.
    template <class Kernel>
    void run(const T* x, std::size_t n, std::int32_t* codes, const Kernel& kernel) const {
        constexpr std::size_t w = batch_t::size;
        std::size_t i = 0;
        for (; i + w <= n; i += w) kernel(batch_t::load_unaligned(x + i), codes + i);
        if (i == n) return;
        if (n >= w) {
            kernel(batch_t::load_unaligned(x + n - w), codes + n - w);
            return;
        }
        alignas(simd::alignment) T in[w];
        alignas(simd::alignment) std::int32_t out[w];
        for (std::size_t k = 0; k < w; ++k) in[k] = x[k < n ? k : n - 1];
        kernel(batch_t::load_aligned(in), out);
        std::memcpy(codes, out, n * sizeof(std::int32_t));
    }

    // count (edges <= x, held exactly in T) -> code, stored to out[0..w). Counts stay in the
    // floating-point domain until the store because xsimd 8.1's integer select does not
    // compile for AVX-512 at -O0.
    struct finisher {
        explicit finisher(const fitted_edges& f)
            : wrap(f.convention_ == edge_convention::left_edge_wrap), m(static_cast<T>(f.edges_.size())) {}
        void operator()(batch_t count, std::int32_t* out) const {
            if (wrap) {
                const batch_t one(T(1));
                count = xsimd::select(count < one, m, count) - one;  // count 0 wraps to m - 1
            }
            const ibatch_t c = xsimd::batch_cast<index_type>(count);
            if constexpr (std::is_same_v<index_type, std::int32_t>) {
                c.store_unaligned(out);
            } else {
                alignas(simd::alignment) index_type lane[ibatch_t::size];
                c.store_aligned(lane);
                for (std::size_t k = 0; k < ibatch_t::size; ++k) out[k] = static_cast<std::int32_t>(lane[k]);
            }
        }
        bool wrap;
        batch_t m;
    };

    struct arithmetic_kernel {
        explicit arithmetic_kernel(const fitted_edges& f)
            : self(f), finish(f), base(f.base_), inv(f.inv_), margin(f.margin_), one_minus_margin(T(1) - f.margin_),
              first(f.first_), last(f.last_), top(static_cast<T>(f.rounded_.size() - 2)),
              top_minus_one(static_cast<T>(f.rounded_.size()) - T(3)), m(static_cast<T>(f.rounded_.size())),
              t_max(static_cast<T>(f.rounded_.size())) {}
        void operator()(const batch_t& x, std::int32_t* out) const {
            const batch_t zero(T(0)), one(T(1)), minus_one(T(-1));
            batch_t t = (x - base) * inv;
            // t in [-1, top + 2] before floor: where the target has no rounding instruction
            // (SSE2 doubles) xsimd's floor converts lanes to int64, undefined for |t| >= 2^63
            // and NaN (huge activations; non-finite ones are encoded before binning reports
            // them). Such lanes are below / above anyway; NaN fails both compares and gets -1.
            t = xsimd::select(t >= minus_one, t, minus_one);
            t = xsimd::select(t <= t_max, t, t_max);
            const batch_t fl = xsimd::floor(t);
            const batch_t frac = t - fl;
            const auto below = x < first;
            const auto above = x >= last;
            batch_t c = simd::min(simd::max(fl, zero), top) + one;
            c = xsimd::select(below, zero, xsimd::select(above, m, c));
            finish(c, out);
            // Inside [e_0, e_m-1) t >= 0; edges 0 and m-1 never need a fix-up (the classification
            // next to them is exact), so only interior edge indices 1 .. m-2 are checked.
            const auto near_low = (frac < margin) & (fl >= one);
            const auto near_high = (frac > one_minus_margin) & (fl <= top_minus_one);
            const auto unsure = ~(below | above) & (near_low | near_high);
            if (xsimd::any(unsure)) {
                alignas(simd::alignment) T xs[batch_t::size];
                alignas(simd::alignment) T fs[batch_t::size];
                x.store_aligned(xs);
                xsimd::select(unsure, one, zero).store_aligned(fs);
                for (std::size_t k = 0; k < batch_t::size; ++k)
                    if (fs[k] != T(0)) out[k] = self.code(static_cast<double>(xs[k]));
            }
        }
        const fitted_edges& self;
        finisher finish;
        batch_t base, inv, margin, one_minus_margin, first, last, top, top_minus_one, m, t_max;
    };

    struct grid_kernel {
        explicit grid_kernel(const fitted_edges& f)
            : finish(f), table(f.table_.data()), start(f.start_.data()), uncertain(f.uncertain_), base(f.base_),
              scale(f.scale_), cell_max(f.cell_max_) {}
        void operator()(const batch_t& x, std::int32_t* out) const {
            const batch_t zero(T(0)), one(T(1));
            batch_t t = (x - base) * scale;
            t = xsimd::select(t >= zero, t, zero);
            t = simd::min(t, cell_max);
            const ibatch_t cell = xsimd::batch_cast<index_type>(t);
            const ibatch_t first = ibatch_t::gather(start, cell);
            batch_t count = xsimd::batch_cast<T>(first);
            for (std::size_t k = 0; k < uncertain; ++k) {
                const batch_t e = batch_t::gather(table, first + ibatch_t(static_cast<index_type>(k)));
                count = count + xsimd::select(x >= e, one, zero);
            }
            finish(count, out);
        }
        finisher finish;
        const T* table;
        const index_type* start;
        std::size_t uncertain;
        batch_t base, scale, cell_max;
    };

    struct search_kernel {
        explicit search_kernel(const fitted_edges& f) : finish(f), table(f.table_.data()), levels(f.levels_) {}
        void operator()(const batch_t& x, std::int32_t* out) const {
            const batch_t zero(T(0));
            ibatch_t position(index_type(0));
            for (std::size_t level = levels; level-- > 0;) {
                const index_type step = index_type(1) << level;
                const batch_t e = batch_t::gather(table, position + ibatch_t(step - 1));
                position = position + xsimd::batch_cast<index_type>(xsimd::select(x >= e, batch_t(static_cast<T>(step)), zero));
            }
            finish(xsimd::batch_cast<T>(position), out);
        }
        finisher finish;
        const T* table;
        std::size_t levels;
    };

    std::vector<double> edges_;
    edge_convention convention_ = edge_convention::count;
    std::vector<T> rounded_;
    // accelerator
    std::vector<T> table_;              // rounded edges padded with +inf
    std::vector<index_type> start_;     // grid: edges below each cell
    T base_ = T(0), scale_ = T(0), cell_max_ = T(0);
    std::size_t uncertain_ = 0;         // K: edges compared per lane
    enum class mode { arithmetic, grid, binary_search };
    mode mode_ = mode::grid;
    std::size_t levels_ = 0;
    // arithmetic mode: edge j of the rounded edges lies within `margin_` cells of j on the
    // grid t = (x - base_) * inv_
    T inv_ = T(0), margin_ = T(0), first_ = T(0), last_ = T(0);
};

}  // namespace mi

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#endif
