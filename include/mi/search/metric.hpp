// SPDX-License-Identifier: BSD-3-Clause
// Metric policies (max_norm for KSG, euclidean for Kozachenko-Leonenko) and
// the pieces every neighbour-search policy shares: the result type, the
// SIMD distance kernel, the sorted k-best list and the exact conversion of a
// radius into a threshold on the "reduced" distance.
//
// Why one shared kernel: the contract between search policies is that they
// return *identical* k-th-neighbour distances and range counts, not merely
// close ones, because KSG turns a one-ulp difference at a tie into a
// different count. Every policy therefore computes the distance of a pair
// with the same instruction sequence (detail::block_reduced, in dimension
// order, explicit fma for the Euclidean sum), and compares in the reduced
// domain (max |t_j| or sum t_j^2) against a threshold that is exact for the
// reported distance (detail::reduced_limit). For float inputs (converted to
// double when a policy copies the points) every Euclidean square is exact, so
// the distances are also identical across instruction sets; the max-norm is
// exact for every input type.
//
// A structure that prunes with bounding boxes must combine the per-dimension
// bounds the way its metric combines coordinates: max for the max-norm, sum
// of squares for the Euclidean norm (nanoflann's additive bound is wrong for
// the max-norm; DESIGN.md section 5).
#ifndef MI_SEARCH_METRIC_HPP
#define MI_SEARCH_METRIC_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/always_inline.hpp"
#include "mi/core/error.hpp"
#include "mi/core/scratch.hpp"
#include "mi/core/simd.hpp"
#include "mi/core/special.hpp"
#include "mi/core/units.hpp"
#include "mi/core/unrolled.hpp"
#include "mi/core/xtensor.hpp"

namespace mi {

/// Chebyshev (L-infinity) distance max_j |a_j - b_j|: the metric of the KSG
/// joint and marginal spaces (Kraskov et al. 2004, section II).
struct max_norm {
    static constexpr const char* name() noexcept { return "max_norm"; }
    static std::string parameters() { return "metric=max_norm"; }

    /// Folds one coordinate difference into the reduced distance.
    template <class V>
    static V accumulate(const V& acc, const V& t) noexcept {
        return simd::max(acc, xsimd::abs(t));
    }
    static double accumulate(double acc, double t) noexcept { return std::max(acc, std::fabs(t)); }
    /// Reduced distance -> distance.
    static double to_distance(double reduced) noexcept { return reduced; }
    /// Per-dimension gap -> reduced contribution (for box bounds).
    static double combine_bound(double acc, double gap) noexcept { return std::max(acc, gap); }
    /// Relative slack for box bounds: none, the max-norm bound is exact.
    static constexpr bool exact_bounds = true;
    /// log of the volume of the unit ball in d dimensions, the cube [-1, 1]^d: d log 2
    /// (Kraskov, Stoegbauer & Grassberger 2004, eq. 20 with the max-norm).
    static double log_unit_ball_volume(std::size_t d) noexcept { return static_cast<double>(d) * ln2; }
};

/// Euclidean distance sqrt(sum_j (a_j - b_j)^2): the metric of the
/// Kozachenko-Leonenko entropy estimator (unit-ball volume pi^(d/2)/Gamma(d/2+1)).
struct euclidean {
    static constexpr const char* name() noexcept { return "euclidean"; }
    static std::string parameters() { return "metric=euclidean"; }

    template <class V>
    static V accumulate(const V& acc, const V& t) noexcept {
        return simd::fma(t, t, acc);
    }
    static double accumulate(double acc, double t) noexcept { return acc + t * t; }
    static double to_distance(double reduced) noexcept { return std::sqrt(reduced); }
    static double combine_bound(double acc, double gap) noexcept { return acc + gap * gap; }
    static constexpr bool exact_bounds = false;
    /// log of the volume of the unit ball in d dimensions: (d/2) log pi - log Gamma(d/2 + 1).
    static double log_unit_ball_volume(std::size_t d) noexcept {
        return 0.5 * static_cast<double>(d) * detail::log_pi - detail::log_gamma_half_plus_one(d);
    }
};

/// How a range count compares: strictly closer (d < r, KSG algorithm 1) or
/// closer or equal (d <= r, KSG algorithm 2).
enum class range { strict, inclusive };

/// k nearest neighbours of every point (self excluded), ascending by distance,
/// ties broken by the smaller index. Row i holds the neighbours of point i.
struct neighbors {
    xt::xtensor<std::uint32_t, 2> index;
    xt::xtensor<double, 2> distance;

    /// Every point's distance to its farthest listed (the k-th) neighbour.
    std::vector<double> kth_distances() const {
        const std::size_t n = distance.shape()[0], k = distance.shape()[1];
        std::vector<double> r(n);
        for (std::size_t i = 0; i < n; ++i) r[i] = k == 0 ? 0.0 : distance(i, k - 1);
        return r;
    }
};

/// For every point: the distance to its k-th nearest other point (`all`) and to its k-th nearest
/// other point of its own group (`own`), as kth_distance_grouped returns them (kd_tree and grid:
/// one traversal per point; brute_force: a pass over all pairs and one per group; automatic: the
/// policy it chose). Kozachenko-Leonenko's H(T) and every H(T | Y = l) need exactly these; the
/// values are those of separate searches over all points and over each group.
struct grouped_kth {
    std::vector<double> all;
    std::vector<double> own;
};

namespace detail {

/// Lanes of the distance kernel.
inline constexpr std::size_t lanes = simd::width<double>;
using dbatch = simd::batch<double>;

/// The widening of the Euclidean box bounds of the grid and the kd-tree: s (1 - rel) - abs for a
/// lower bound, s (1 + rel) + abs for an upper one, with rel = 8 (d + 2) eps (a few ulps per
/// dimension) and abs = 4 (d + 2) denorm_min (room for squares that underflowed). No subnormal
/// enters the arithmetic unless s itself is below 2^-1000: subnormal operands take a microcode
/// assist of about a hundred cycles on Intel cores, and with abs in every bound the searches ran
/// 2.1-2.3x slower there (Kozachenko-Leonenko at d = 2 and 4 on an Intel Xeon, family 6 model 207,
/// bench/knn.md). From 2^-1000 up the relative term exceeds abs by a factor of 2^23 or more, so
/// abs is left out there and the bound stays conservative; the searches are exact, so they find
/// the same neighbours and distances either way.
struct bound_widening {
    double down = 1.0, up = 1.0, abs = 0.0;
    bound_widening() = default;
    explicit bound_widening(std::size_t d) noexcept
        : down(1.0 - 8.0 * (static_cast<double>(d) + 2.0) * std::numeric_limits<double>::epsilon()),
          up(1.0 + 8.0 * (static_cast<double>(d) + 2.0) * std::numeric_limits<double>::epsilon()),
          abs((static_cast<double>(d) + 2.0) * std::numeric_limits<double>::denorm_min() * 4.0) {}
    static constexpr double small = 0x1p-1000;
    MI_DETAIL_ALWAYS_INLINE double lower(double s) const noexcept {
        const double x = s * down;
        if (!(std::fabs(x) < small)) return x;  // also inf and NaN
        return x == 0.0 ? -abs : x - abs;
    }
    MI_DETAIL_ALWAYS_INLINE double upper(double s) const noexcept {
        const double x = s * up;
        if (!(std::fabs(x) < small)) return x;
        return x == 0.0 ? abs : x + abs;
    }
    /// lower() on every lane of a batch of non-negative bounds; the lanes below `small` (mostly
    /// zeros: queries inside the box) are finished one by one, which is rare or cheap.
    MI_DETAIL_ALWAYS_INLINE dbatch lower(const dbatch& s) const noexcept {
        dbatch x = s * dbatch(down);
        if (xsimd::any(x < dbatch(small))) {
            alignas(64) double v[lanes];
            x.store_unaligned(v);
            for (std::size_t l = 0; l < lanes; ++l)
                if (std::fabs(v[l]) < small) v[l] = v[l] == 0.0 ? -abs : v[l] - abs;
            x = dbatch::load_unaligned(v);
        }
        return x;
    }
};

/// Largest number of points a search policy indexes (indices are uint32).
inline constexpr std::size_t max_points = 0xFFFFFFFEu;

/// The threshold tau such that "distance(reduced) < r" (strict) or "<= r"
/// (inclusive) is exactly "reduced < tau". For the max-norm reduced ==
/// distance; for the Euclidean norm the threshold is found on the double
/// grid so that sqrt(reduced) compares exactly as the reported distance does.
template <class Metric>
double reduced_limit(double r, range cmp) noexcept {
    constexpr double inf = std::numeric_limits<double>::infinity();
    if (std::isnan(r) || r < 0.0) return -1.0;  // no distance qualifies
    if constexpr (Metric::exact_bounds) {
        return cmp == range::strict ? r : std::nextafter(r, inf);
    } else {
        if (r == inf) return inf;
        // smallest s with sqrt(s) >= r (strict) or sqrt(s) > r (inclusive)
        auto qualifies = [&](double s) { return cmp == range::strict ? std::sqrt(s) >= r : std::sqrt(s) > r; };
        double s = r * r;
        if (s == inf) s = std::numeric_limits<double>::max();
        while (s > 0.0 && qualifies(std::nextafter(s, 0.0))) s = std::nextafter(s, 0.0);
        while (!qualifies(s) && s < inf) s = std::nextafter(s, inf);
        return s;
    }
}

/// Reduced distances of Q query points to the `lanes` points of one block
/// stored dimension-major (block[j * lanes + l] = coordinate j of lane l).
/// Every search policy computes every pair through this function.
/// (The float pre-filter, float_filter_limit, uses block_reduced_split below.)
/// Always inlined: at -O2 GCC 12 kept it out of line in brute_force's loops, so the tile went
/// through memory (KSG 12-D 1.2x slower than at -O3, bench/compare_opt_levels.py).
template <class Metric, std::size_t Q, class T>
MI_DETAIL_ALWAYS_INLINE void block_reduced(const T* block, std::size_t d, const T* const* q, simd::batch<T>* acc) noexcept {
    using batch = simd::batch<T>;
    constexpr std::size_t width = simd::width<T>;
    unrolled<Q>([&](auto a) { acc[a] = batch(T(0)); });
    for (std::size_t j = 0; j < d; ++j) {
        const batch p = batch::load_unaligned(block + j * width);
        unrolled<Q>([&](auto a) { acc[a] = Metric::accumulate(acc[a], p - batch(q[a][j])); });
    }
}

/// block_reduced for the float pre-filter: each query's sum is split into two chains (even and
/// odd dimensions), added at the end, so that eight chains of fused multiply-adds are in flight
/// instead of four (a tile of four queries was bound by their latency). The float sums need not
/// be those of the double kernel: float_filter_limit bounds any order of the d additions.
template <class Metric, std::size_t Q, class T>
MI_DETAIL_ALWAYS_INLINE void block_reduced_split(const T* block, std::size_t d, const T* const* q, simd::batch<T>* acc) noexcept {
    using batch = simd::batch<T>;
    constexpr std::size_t width = simd::width<T>;
    batch odd[Q];
    unrolled<Q>([&](auto a) { acc[a] = odd[a] = batch(T(0)); });
    std::size_t j = 0;
    for (; j + 1 < d; j += 2) {
        const batch p0 = batch::load_unaligned(block + j * width), p1 = batch::load_unaligned(block + (j + 1) * width);
        unrolled<Q>([&](auto a) {
            acc[a] = Metric::accumulate(acc[a], p0 - batch(q[a][j]));
            odd[a] = Metric::accumulate(odd[a], p1 - batch(q[a][j + 1]));
        });
    }
    if (j < d) {
        const batch p = batch::load_unaligned(block + j * width);
        unrolled<Q>([&](auto a) { acc[a] = Metric::accumulate(acc[a], p - batch(q[a][j])); });
    }
    unrolled<Q>([&](auto a) { acc[a] = Metric::exact_bounds ? simd::max(acc[a], odd[a]) : acc[a] + odd[a]; });
}

/// Lanes of the float pre-filter; a float block spans two double blocks.
inline constexpr std::size_t float_lanes = simd::width<float>;
using fbatch = simd::batch<float>;
static_assert(float_lanes == 2 * lanes, "a float register holds twice the doubles");

/// The smallest float at least x (+inf beyond the float range).
inline float float_at_least(double x) noexcept {
    if (!(x < static_cast<double>(std::numeric_limits<float>::max()))) return std::numeric_limits<float>::infinity();
    float f = static_cast<float>(x);
    if (static_cast<double>(f) < x) {
        if (f >= 0.0f) {  // the next float up is the next bit pattern (std::nextafter is a library call)
            std::uint32_t bits = 0;
            std::memcpy(&bits, &f, sizeof bits);
            ++bits;
            std::memcpy(&f, &bits, sizeof f);
        } else {
            f = std::nextafter(f, std::numeric_limits<float>::infinity());
        }
    }
    return f;
}

/// The float pre-filter's input error: 0 when every value is a float, else 2^-23 M (1 + 2^-20)
/// for values of magnitude at most M, a bound on how far the difference of two values moves when
/// both are rounded to float; -1 when some magnitude exceeds 2^40, where float squares and their
/// sums could overflow and the pre-filter is not used.
template <class Values = std::vector<double>>
double float_filter_input_error(const Values& values) noexcept {
    double largest = 0.0;
    bool floats = true;
    for (const double v : values) {
        largest = std::max(largest, std::fabs(v));
        floats = floats && static_cast<double>(static_cast<float>(v)) == v;
    }
    if (!(largest <= 0x1p40)) return -1.0;
    return floats ? 0.0 : 0x1p-23 * largest * (1.0 + 0x1p-20);
}

/// The float threshold F such that a pair whose double reduced distance (block_reduced on the
/// doubles) is at most `limit` has a float reduced distance (block_reduced on the values rounded
/// to float) at most F: the pre-filter may pass pairs that the double comparison rejects, never
/// the reverse. With a = float_filter_input_error, each float difference is within
/// (|t| + a)(1 + u) of the exact difference t, u = 2^-24 (rounding of the inputs, then of the
/// difference); the Euclidean sum of d squares then adds a relative error below
/// (1 + u)^(d + 2) - 1 (one rounding per square and per sum: Higham, Accuracy and Stability of
/// Numerical Algorithms, 2nd ed., 3.1) and, from underflow, an absolute one below d 2^-150, and
/// by the triangle inequality the root of the sum of (|t_j| + a)^2 is at most sqrt(limit) +
/// a sqrt(d); the max-norm has only the differences' errors. The double form's own error is far
/// smaller. The factor 1 + 2 (d + 3) u covers the relative errors for d up to 2^20 with room
/// for the double rounding of this computation, and the result is rounded up to a float.
template <class Metric>
float float_filter_limit(double limit, std::size_t d, double input_error = 0.0) noexcept {
    const double dd = static_cast<double>(d);
    const double grow = 1.0 + 2.0 * (dd + 3.0) * 0x1p-24;
    double wide = 0.0;
    if constexpr (Metric::exact_bounds) {  // max-norm: the reduced distance is a distance
        wide = (limit + input_error) * grow;
    } else {
        const double root = std::sqrt(limit) + input_error * std::sqrt(dd);
        wide = (input_error > 0.0 ? root * root : limit) * grow + 2.0 * (dd + 1.0) * 0x1p-149;
    }
    return float_at_least(wide);
}

/// The largest float not above x (-inf below the float range).
inline float float_at_most(double x) noexcept { return -float_at_least(-x); }

/// The per-lane gap of box_reduced and box_reduced_queries in one dimension: 0 inside [lo, hi].
MI_DETAIL_ALWAYS_INLINE fbatch box_gap(const fbatch& lo, const fbatch& hi, const fbatch& x) noexcept {
    return simd::max(simd::max(lo - x, x - hi), fbatch(0.0f));
}

/// kd_tree's block boxes, the pre-filter's first stage: float lower bounds on the reduced
/// distances from Q queries (float rows) to the points of float_lanes blocks at once, each block
/// given by its bounding box rounded outwards to floats (lo[j * float_lanes + l] <= every
/// coordinate j of block l's points <= hi[j * float_lanes + l]): per dimension the gap
/// max(lo - q, q - hi, 0), combined the metric's way. A block holding a point p whose double
/// reduced distance from q is at most w has a value here at most float_filter_limit(w, d, a),
/// so comparing with the query's pre-filter limit skips no point the double kernel could offer:
/// each gap is either 0 or at most the float difference of a coordinate of p and q (lo <= p_j
/// <= hi exactly, and only q was rounded to float), the terms float_filter_limit bounds, and the
/// same roundings follow. Padding lanes (lo = +inf, hi = -inf) give +inf.
template <class Metric, std::size_t Q>
MI_DETAIL_ALWAYS_INLINE void box_reduced(const float* lo, const float* hi, std::size_t d, const float* const* q,
                                         fbatch* acc) noexcept {
    const fbatch zero(0.0f);
    fbatch odd[Q];
    unrolled<Q>([&](auto a) { acc[a] = odd[a] = zero; });
    auto gap = [&](const fbatch& l, const fbatch& h, float v) { return box_gap(l, h, fbatch(v)); };
    std::size_t j = 0;
    for (; j + 1 < d; j += 2) {
        const fbatch l0 = fbatch::load_unaligned(lo + j * float_lanes), h0 = fbatch::load_unaligned(hi + j * float_lanes);
        const fbatch l1 = fbatch::load_unaligned(lo + (j + 1) * float_lanes), h1 = fbatch::load_unaligned(hi + (j + 1) * float_lanes);
        unrolled<Q>([&](auto a) {
            acc[a] = Metric::accumulate(acc[a], gap(l0, h0, q[a][j]));
            odd[a] = Metric::accumulate(odd[a], gap(l1, h1, q[a][j + 1]));
        });
    }
    if (j < d) {
        const fbatch l0 = fbatch::load_unaligned(lo + j * float_lanes), h0 = fbatch::load_unaligned(hi + j * float_lanes);
        unrolled<Q>([&](auto a) { acc[a] = Metric::accumulate(acc[a], gap(l0, h0, q[a][j])); });
    }
    unrolled<Q>([&](auto a) { acc[a] = Metric::exact_bounds ? simd::max(acc[a], odd[a]) : acc[a] + odd[a]; });
}

/// box_reduced the other way round: one box (lo[j], hi[j], rounded outwards to floats) against
/// float_lanes queries stored dimension-major (coordinate j of query l at q[j * stride + l]),
/// each lane computed by the same operations in the same order as box_reduced's value for that
/// box and query, so the same bound holds (kd_tree's nodes, against a tile of queries).
template <class Metric>
MI_DETAIL_ALWAYS_INLINE fbatch box_reduced_queries(const float* lo, const float* hi, std::size_t d, const float* q,
                                                   std::size_t stride) noexcept {
    fbatch even(0.0f), odd(0.0f);
    auto gap = [&](std::size_t j) {
        return box_gap(fbatch(lo[j]), fbatch(hi[j]), fbatch::load_unaligned(q + j * stride));
    };
    std::size_t j = 0;
    for (; j + 1 < d; j += 2) {
        even = Metric::accumulate(even, gap(j));
        odd = Metric::accumulate(odd, gap(j + 1));
    }
    if (j < d) even = Metric::accumulate(even, gap(j));
    return Metric::exact_bounds ? simd::max(even, odd) : even + odd;
}

/// The lanes of a block's reduced distances that are at most `limit`, among its first
/// `count` lanes (a leaf's last block is padded with +inf, which would pass a limit of +inf),
/// as bits: lane l in bit l. Walking them (lowest_bit) visits the lanes in order, as a loop
/// over all of them would, so a k-best list that is offered only these gets the same offers
/// that can change it (a lane above the limit cannot enter a list whose k-th is the limit).
inline std::uint64_t lanes_within(const dbatch& acc, const dbatch& limit, std::size_t count) noexcept {
    const std::uint64_t pass = simd::bits(acc <= limit);
    return count >= lanes ? pass : pass & ((std::uint64_t(1) << count) - 1);
}
inline std::uint64_t lanes_within(const dbatch& acc, double limit, std::size_t count) noexcept {
    return lanes_within(acc, dbatch(limit), count);
}

/// Sum of the lanes of a batch of small integer counts (exact in double).
/// Stored and added in lane order; avoids xsimd 8's AVX-512 hadd, which
/// trips GCC 12's -Wuninitialized inside the intrinsics header.
inline double lane_sum(const dbatch& b) noexcept {
    alignas(64) double v[lanes];
    b.store_unaligned(v);
    double s = 0.0;
    for (std::size_t l = 0; l < lanes; ++l) s += v[l];
    return s;
}

/// Sorted list of the k best (reduced distance, index) pairs, ties by index.
class k_best {
public:
    k_best(double* rho, std::uint32_t* idx, std::size_t k) noexcept : rho_(rho), idx_(idx), k_(k) {
        for (std::size_t i = 0; i < k; ++i) {
            rho_[i] = std::numeric_limits<double>::infinity();
            idx_[i] = 0xFFFFFFFFu;
        }
    }
    double worst() const noexcept { return rho_[k_ - 1]; }
    std::uint32_t worst_index() const noexcept { return idx_[k_ - 1]; }
    /// True when (r, i) would enter the list.
    bool better(double r, std::uint32_t i) const noexcept {
        return r < rho_[k_ - 1] || (r == rho_[k_ - 1] && i < idx_[k_ - 1]);
    }
    void offer(double r, std::uint32_t i) noexcept {
        if (better(r, i)) insert(r, i);
    }

private:
    // Out of line (MI_DETAIL_NOINLINE): inlined into the kd-tree's leaf scan by GCC 12 at -O3,
    // it slowed that scan's loop over block distances (a d = 12 estimate took 1.4x as long).
    MI_DETAIL_NOINLINE void insert(double r, std::uint32_t i) noexcept {
        std::size_t p = k_ - 1;
        while (p > 0 && (rho_[p - 1] > r || (rho_[p - 1] == r && idx_[p - 1] > i))) {
            rho_[p] = rho_[p - 1];
            idx_[p] = idx_[p - 1];
            --p;
        }
        rho_[p] = r;
        idx_[p] = i;
    }

    double* rho_;
    std::uint32_t* idx_;
    std::size_t k_;
};

/// Points copied out of a view into row-major doubles (the queries) and,
/// optionally, dimension-major blocks of `lanes` points (the kernel's input).
struct point_copy {
    std::size_t n = 0;
    std::size_t d = 0;
    cached_vector<double> rows;
};

template <class T>
point_copy copy_points(const activation_view<const T>& v, const char* where) {
    check_activations(v, where, "points");
    if (v.rows() > max_points)
        fail(where, "points", v.rows(), "at most 4294967294 rows");
    point_copy c;
    c.n = v.rows();
    c.d = v.cols();
    c.rows.resize(c.n * c.d);
    for (std::size_t i = 0; i < c.n; ++i) {
        const T* r = v.row(i);
        for (std::size_t j = 0; j < c.d; ++j) c.rows[i * c.d + j] = static_cast<double>(r[j]);
    }
    return c;
}

/// Writes points [order[b], ...] (count m) as dimension-major blocks of
/// `lanes` lanes; missing lanes are +inf (and are always masked by callers).
inline void write_blocks(const double* rows, std::size_t d, const std::uint32_t* order, std::size_t m,
                         double* out) {
    const std::size_t nb = (m + lanes - 1) / lanes;
    for (std::size_t b = 0; b < nb; ++b)
        for (std::size_t j = 0; j < d; ++j)
            for (std::size_t l = 0; l < lanes; ++l) {
                const std::size_t p = b * lanes + l;
                out[(b * d + j) * lanes + l] =
                    p < m ? rows[static_cast<std::size_t>(order[p]) * d + j]
                          : std::numeric_limits<double>::infinity();
            }
}

inline void check_k(std::size_t k, std::size_t n, const char* where) {
    if (k < 1 || k >= n)
        fail(where, "k", k, "1 <= k < number of points (" + std::to_string(n) + ")");
}

/// Checks one group id per point and more than k points in every group that has any; returns
/// the ids that occur, ascending.
inline std::vector<std::uint32_t> check_groups(const std::vector<std::uint32_t>& group, std::size_t n, std::size_t k,
                                               const char* where) {
    if (group.size() != n)
        fail(where, "group size", group.size(), "one group id per point (" + std::to_string(n) + ")");
    std::vector<std::uint32_t> sorted(group);  // ids are any 32-bit values: count them by sorting
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::uint32_t> ids;
    for (std::size_t a = 0, b = 0; a < sorted.size(); a = b) {
        while (b < sorted.size() && sorted[b] == sorted[a]) ++b;
        if (b - a <= k)
            fail(where, ("points in group " + std::to_string(sorted[a])).c_str(), b - a,
                 "more than k = " + std::to_string(k) + " in every group that has any");
        ids.push_back(sorted[a]);
    }
    return ids;
}

inline std::vector<double> limits_of(const std::vector<double>& radius, std::size_t n, range cmp,
                                     const char* where, double (*lim)(double, range)) {
    if (radius.size() != n)
        fail(where, "radius size", radius.size(), "one radius per point (" + std::to_string(n) + ")");
    std::vector<double> tau(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (std::isnan(radius[i]))
            fail(where, ("radius[" + std::to_string(i) + "]").c_str(), radius[i], "a number");
        tau[i] = lim(radius[i], cmp);
    }
    return tau;
}

}  // namespace detail
}  // namespace mi

#endif
