// SPDX-License-Identifier: BSD-3-Clause
// tie_policy: what the k-nearest-neighbour estimators do about duplicate
// points. Dead ReLU units and saturated tanh units make many rows identical;
// at a zero k-th-neighbour distance the Kozachenko-Leonenko estimator would
// take log(0), and KSG's counts become ill-defined. Kraskov et al. (2004,
// section IV) advise adding low-amplitude noise; scikit-learn does so for
// mutual_info_regression / mutual_info_classif.
//
//   tie_policy::jitter(amplitude = 1e-10, seed = 0)   (the default)
//     adds amplitude * max(s_j, mean_i |x_ij|) * z_ij, z_ij standard normal
//     from mi::rng, to every value of column j, where s_j is the column's
//     standard deviation (population, ddof = 0), or 1 for a constant column.
//     On standardised columns this is exactly scikit-learn 1.2's rule
//     1e-10 * max(1, mean|x|) * N(0, 1); in original units it keeps the noise
//     relative to the column's own scale, so it breaks exact ties without
//     moving any distance that is not a tie by more than ~1e-10 relative.
//     z is the Box-Muller pair of mi::rng's uniforms, as rng::normal() draws
//     them (row-major, both values of a pair used), with xsimd's logarithm,
//     sine and cosine on a SIMD batch of pairs in place of the C library's:
//     each z is within a few ulps of rng::normal()'s, which moves a jittered
//     value by about 1e-26 of itself (amplitude 1e-10), below its rounding.
//     The noise depends only on (seed, stream, row, column), not on threads.
//   tie_policy::none()
//     uses the values as given. KSG stays finite (its counts are >= 0 and
//     digamma is taken of counts + 1 or of counts that include a neighbour);
//     kl_entropy then needs its epsilon guard > 0 whenever a k-th-neighbour
//     distance is 0, and throws mi::error otherwise. Never a silent log(0).
#ifndef MI_SEARCH_TIES_HPP
#define MI_SEARCH_TIES_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/random.hpp"
#include "mi/core/rows.hpp"
#include "mi/core/scratch.hpp"
#include "mi/core/simd.hpp"

namespace mi {

class tie_policy {
public:
    enum class kind { jitter, none };

    /// The default: jitter with relative amplitude 1e-10 and seed 0.
    tie_policy() = default;

    /// Seeded Gaussian noise of relative amplitude `amplitude` (> 0, finite).
    static tie_policy jitter(double amplitude = 1e-10, std::uint64_t seed = 0) {
        if (!(amplitude > 0.0) || !std::isfinite(amplitude))
            detail::fail("mi::tie_policy::jitter", "amplitude", amplitude, "a finite value > 0");
        tie_policy t;
        t.kind_ = kind::jitter;
        t.amplitude_ = amplitude;
        t.seed_ = seed;
        return t;
    }
    /// No noise: duplicates stay duplicates.
    static tie_policy none() {
        tie_policy t;
        t.kind_ = kind::none;
        t.amplitude_ = 0.0;
        return t;
    }

    kind policy() const noexcept { return kind_; }
    double amplitude() const noexcept { return amplitude_; }
    std::uint64_t seed() const noexcept { return seed_; }

    /// "jitter" or "none".
    std::string name() const { return kind_ == kind::none ? "none" : "jitter"; }
    /// "ties=jitter;jitter=1e-10;seed=0" or "ties=none".
    std::string parameters() const {
        if (kind_ == kind::none) return "ties=none";
        return "ties=jitter;jitter=" + detail::to_text(amplitude_) + ";seed=" + std::to_string(seed_);
    }

private:
    kind kind_ = kind::jitter;
    double amplitude_ = 1e-10;
    std::uint64_t seed_ = 0;
};

namespace detail {

/// rng::box_muller on a batch of uniform pairs (u1 in (0, 1], u2 in [0, 1)): first = r cos a,
/// second = r sin a, r = sqrt(-2 log u1), a = 2 pi u2 (Box & Muller 1958), by the same expressions
/// as the scalar form, with xsimd's log, sin and cos (within a few ulps of the C library's).
template <class B>
void box_muller_batch(const B& u1, const B& u2, B& first, B& second) noexcept {
    const B r = xsimd::sqrt(B(-2.0) * simd::log(u1));
    const auto sc = xsimd::sincos(B(6.283185307179586476925286766559) * u2);
    second = r * sc.first;
    first = r * sc.second;
}

/// A row-major double copy of a view, with optional per-column division by
/// the standard deviation (KSG's rescaling) and the tie policy applied.
/// `stream` separates the noise of different variables of one estimate.
struct prepared {
    std::size_t n = 0;
    std::size_t d = 0;
    cached_vector<double> values;
    activation_view<const double> view() const { return {values.data(), n, d, d}; }
};

template <class T>
prepared prepare(const activation_view<const T>& v, const tie_policy& ties, std::uint64_t stream, bool standardize) {
    prepared p;
    p.n = v.rows();
    p.d = v.cols();
    p.values.resize(p.n * p.d);
    for (std::size_t i = 0; i < p.n; ++i)
        for (std::size_t j = 0; j < p.d; ++j) p.values[i * p.d + j] = static_cast<double>(v(i, j));
    if (!standardize && ties.policy() == tie_policy::kind::none) return p;
    const double dn = static_cast<double>(p.n);
    std::vector<double> unit(p.d), mean_abs(p.d);
    auto statistics = [&] {
        for (std::size_t j = 0; j < p.d; ++j) {
            // The sums run on the column scaled by a power of two that puts its largest magnitude
            // in [1, 2): exact, so the statistics are bit for bit those of the unscaled sums
            // wherever those do not overflow (|x| ~ 1e154 squares past the double range).
            double m = 0.0;
            for (std::size_t i = 0; i < p.n; ++i) m = std::max(m, std::fabs(p.values[i * p.d + j]));
            const int e = m > 0.0 ? -std::ilogb(m) : 0;
            // x * 2^e rounds exactly as ldexp(x, e) does (both are the correctly rounded x 2^e),
            // without a library call per value, while 2^e is a normal double
            const bool by_product = e >= -1022 && e <= 1022;
            const double two_e = by_product ? std::ldexp(1.0, e) : 1.0;
            auto scaled = [&](double x) { return by_product ? x * two_e : std::ldexp(x, e); };
            double s = 0.0, a = 0.0;
            for (std::size_t i = 0; i < p.n; ++i) {
                const double x = scaled(p.values[i * p.d + j]);
                s += x;
                a += std::fabs(x);
            }
            const double mean = s / dn;
            double ss = 0.0;
            for (std::size_t i = 0; i < p.n; ++i) {
                const double t = scaled(p.values[i * p.d + j]) - mean;
                ss += t * t;
            }
            const double sd = std::ldexp(std::sqrt(ss / dn), -e);
            unit[j] = sd > 0.0 ? sd : 1.0;
            mean_abs[j] = std::ldexp(a / dn, -e);
        }
        if (standardize)
            for (std::size_t j = 0; j < p.d; ++j) {
                for (std::size_t i = 0; i < p.n; ++i) p.values[i * p.d + j] /= unit[j];
                mean_abs[j] /= unit[j];
                unit[j] = 1.0;
            }
    };
    if (ties.policy() != tie_policy::kind::jitter) {
        statistics();
        return p;
    }
    // gen's Box-Muller pairs in row-major order: the uniforms are drawn in sequence (u1 of pair t
    // at u[t], u2 at u[pairs + t]), and the logarithms and sines, most of the cost, are taken on
    // all cores, a SIMD batch of pairs at a time (box_muller_batch; the last batch padded, so
    // every pair goes through the same expressions and the noise does not depend on the thread
    // count). The draws and the column statistics do not depend on each other, so two threads
    // take them side by side.
    const std::size_t total = p.n * p.d, pairs = (total + 1) / 2;
    cached_vector<double> u(2 * pairs);
    auto uniforms = [&] {
        rng gen(derive_seed(ties.seed(), stream));
        for (std::size_t t = 0; t < pairs; ++t) gen.box_muller_uniforms(u[t], u[pairs + t]);
    };
    parallel_for(2, [&](std::size_t task) {
        if (task == 0) statistics();
        else uniforms();
    });
    std::vector<double> scale(p.d);
    for (std::size_t j = 0; j < p.d; ++j) scale[j] = ties.amplitude() * std::max(unit[j], mean_abs[j]);
    parallel_for_ranges(pairs, 2048, [&](std::size_t begin, std::size_t end) {
        using B = simd::batch<double>;
        constexpr std::size_t w = B::size;
        alignas(simd::alignment) double u1[w], u2[w], first[w], second[w];
        std::size_t j = (2 * begin) % p.d;  // the column of value 2t, kept without a division per value
        auto next_column = [&] { j = j + 1 == p.d ? 0 : j + 1; };
        for (std::size_t t0 = begin; t0 < end; t0 += w) {
            const std::size_t len = std::min(w, end - t0);
            for (std::size_t l = 0; l < w; ++l) {
                u1[l] = l < len ? u[t0 + l] : 1.0;  // padding: r = 0
                u2[l] = l < len ? u[pairs + t0 + l] : 0.0;
            }
            B z1, z2;
            box_muller_batch(B::load_aligned(u1), B::load_aligned(u2), z1, z2);
            z1.store_aligned(first);
            z2.store_aligned(second);
            for (std::size_t l = 0; l < len; ++l) {
                const std::size_t t = t0 + l;
                p.values[2 * t] += scale[j] * first[l];
                next_column();
                if (2 * t + 1 < total) p.values[2 * t + 1] += scale[j] * second[l];
                next_column();
            }
        }
    });
    return p;
}

/// Rows [rows...] of a prepared matrix.
inline prepared subset_rows(const prepared& p, const std::vector<std::size_t>& rows) {
    prepared s;
    s.n = rows.size();
    s.d = p.d;
    gather_rows(p.view(), rows, s.values);
    return s;
}

/// Columns of a and b side by side (the joint space of KSG).
inline prepared join_columns(const prepared& a, const prepared& b) {
    prepared z;
    z.n = a.n;
    z.d = a.d + b.d;
    z.values.resize(z.n * z.d);
    for (std::size_t i = 0; i < z.n; ++i) {
        for (std::size_t j = 0; j < a.d; ++j) z.values[i * z.d + j] = a.values[i * a.d + j];
        for (std::size_t j = 0; j < b.d; ++j) z.values[i * z.d + a.d + j] = b.values[i * b.d + j];
    }
    return z;
}

}  // namespace detail
}  // namespace mi

#endif
