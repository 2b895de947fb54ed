// SPDX-License-Identifier: BSD-3-Clause
// Discrete building blocks shared by every plug-in estimator (binning, the
// minimal model, EDGE, decision rule): grouping rows of integer codes into
// patterns, entropies of the resulting counts under a correction policy, and
// the conditional entropies given the inputs or the labels of mi::samples.
//
// Patterns are found with a hash table sized by the number of rows, never by
// the number of possible patterns (bins^units is astronomically large for a
// 1024-unit layer). The hash is a sum of per-column random multipliers, which
// vectorises; equal hashes are confirmed by comparing the codes, so a hash
// collision can never merge two different patterns.
#ifndef MI_CORE_DISCRETE_HPP
#define MI_CORE_DISCRETE_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/input_ids.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/policy.hpp"
#include "mi/core/random.hpp"
#include "mi/core/scratch.hpp"

namespace mi {

/// Group id of every row (0..groups-1, in order of first appearance) and the
/// number of rows in each group.
struct grouping {
    std::vector<std::uint32_t> ids;
    std::vector<std::size_t> counts;
    std::size_t groups() const noexcept { return counts.size(); }
};

namespace detail {

inline std::size_t table_capacity(std::size_t n) {
    std::size_t cap = 16;
    while (cap < 2 * n) cap <<= 1;
    return cap;
}

inline std::uint64_t finalize_hash(std::uint64_t h) noexcept {
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 33;
    return h;
}

// Open-addressing insertion shared by the row and pair groupers: `same(i, r)`
// says whether row i equals the representative row r. The hashes and the table
// are temporaries of every estimate: they come from the block cache
// (scratch.hpp), so a plane's points do not fault their pages in afresh.
template <class Same>
grouping group_by_hash(const cached_vector<std::uint64_t>& hashes, Same&& same) {
    const std::size_t n = hashes.size();
    grouping g;
    g.ids.resize(n);
    const std::size_t cap = table_capacity(n), mask = cap - 1;
    constexpr std::uint32_t empty = 0xFFFFFFFFu;
    cached_vector<std::uint32_t> slot_group(cap, empty);
    cached_vector<std::uint32_t> representative;
    for (std::size_t i = 0; i < n; ++i) {
        std::size_t s = hashes[i] & mask;
        for (;;) {
            const std::uint32_t grp = slot_group[s];
            if (grp == empty) {
                slot_group[s] = static_cast<std::uint32_t>(g.counts.size());
                g.ids[i] = static_cast<std::uint32_t>(g.counts.size());
                representative.push_back(static_cast<std::uint32_t>(i));
                g.counts.push_back(1);
                break;
            }
            const std::uint32_t r = representative[grp];
            if (hashes[r] == hashes[i] && same(i, r)) {
                g.ids[i] = grp;
                ++g.counts[grp];
                break;
            }
            s = (s + 1) & mask;
        }
    }
    return g;
}

}  // namespace detail

/// Groups the rows of an n x d row-major matrix of integer codes.
template <class Code>
grouping group_rows(const Code* codes, std::size_t n, std::size_t d) {
    static_assert(std::is_integral_v<Code>, "mi::group_rows: codes must be integers");
    std::vector<std::uint64_t> multipliers(d);
    std::uint64_t state = 0x6A09E667F3BCC909ull;
    for (auto& m : multipliers) m = splitmix64(state) | 1u;
    detail::cached_vector<std::uint64_t> hashes(n);
    for (std::size_t i = 0; i < n; ++i) {
        const Code* row = codes + i * d;
        std::uint64_t h = 0;
        for (std::size_t j = 0; j < d; ++j)
            h += static_cast<std::uint64_t>(static_cast<std::int64_t>(row[j])) * multipliers[j];
        hashes[i] = detail::finalize_hash(h + d);
    }
    return detail::group_by_hash(hashes, [&](std::size_t a, std::size_t b) {
        return std::memcmp(codes + a * d, codes + b * d, d * sizeof(Code)) == 0;
    });
}

/// Groups the pairs (a[i], b[i]).
inline grouping group_pairs(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
    const std::size_t n = std::min(a.size(), b.size());
    detail::cached_vector<std::uint64_t> hashes(n);
    for (std::size_t i = 0; i < n; ++i)
        hashes[i] = detail::finalize_hash((static_cast<std::uint64_t>(a[i]) << 32) | b[i]);
    return detail::group_by_hash(hashes, [&](std::size_t x, std::size_t y) {
        return a[x] == a[y] && b[x] == b[y];
    });
}

/// Groups single integer values.
inline grouping group_values(const std::vector<std::uint32_t>& a) {
    return group_rows(a.data(), a.size(), 1);
}

// ------------------------------------------------------------ corrections
// A correction policy turns the counts of one distribution into an entropy in
// nats: double operator()(const std::vector<std::size_t>& counts) const, with
// name() and parameters() like every policy (is_correction_v below).

/// The requirements in one line, for the estimators' static_assert messages.
#define MI_CORRECTION_REQUIREMENTS                                                                      \
    "it needs double operator()(const std::vector<std::size_t>& counts) const (the entropy of the "    \
    "counts, nats), and name() and parameters() convertible to std::string"

namespace detail {
template <class C, class = void>
struct is_correction : std::false_type {};
template <class C>
struct is_correction<C, std::void_t<decltype(std::declval<const C&>()(std::declval<const std::vector<std::size_t>&>()))>>
    : std::bool_constant<std::is_convertible_v<decltype(std::declval<const C&>()(
                                                   std::declval<const std::vector<std::size_t>&>())),
                                               double> &&
                         has_name_and_parameters<C>::value> {};
}  // namespace detail

/// True when C is an entropy-correction policy (plug_in, miller_madow).
template <class C>
inline constexpr bool is_correction_v = detail::is_correction<C>::value;

#if defined(__cpp_concepts) && __cpp_concepts >= 201907L
template <class C>
concept correction_policy = is_correction_v<C>;
#endif

/// Maximum-likelihood ("plug-in") entropy: -sum p log p with p = count / N.
/// This is what IDNNs, ibsgd and adaptive_estimators compute.
struct plug_in {
    static constexpr const char* name() noexcept { return "plug_in"; }
    static std::string parameters() { return "correction=plug_in"; }
    double operator()(const std::vector<std::size_t>& counts) const noexcept {
        std::size_t n = 0;
        double s = 0.0;
        for (auto c : counts)
            if (c > 0) {
                n += c;
                s += static_cast<double>(c) * std::log(static_cast<double>(c));
            }
        if (n == 0) return 0.0;
        const double dn = static_cast<double>(n);
        return std::log(dn) - s / dn;
    }
};

/// Miller-Madow bias correction (Miller 1955): plug-in + (K - 1) / (2N), K the
/// number of non-empty bins.
struct miller_madow {
    static constexpr const char* name() noexcept { return "miller_madow"; }
    static std::string parameters() { return "correction=miller_madow"; }
    double operator()(const std::vector<std::size_t>& counts) const noexcept {
        std::size_t n = 0, k = 0;
        for (auto c : counts)
            if (c > 0) {
                n += c;
                ++k;
            }
        if (n == 0) return 0.0;
        return plug_in{}(counts) + static_cast<double>(k - 1) / (2.0 * static_cast<double>(n));
    }
};

/// H(A) of a grouping.
template <class Correction = plug_in>
double entropy(const grouping& a, const Correction& correct = Correction{}) {
    return correct(a.counts);
}

/// H(A | B) = sum_b p(b) H(A | B = b), each conditional entropy corrected on its own slice.
template <class Correction = plug_in>
double conditional_entropy(const grouping& a, const grouping& b, const Correction& correct = Correction{}) {
    const std::size_t n = a.ids.size();
    if (n == 0) return 0.0;
    const grouping joint = group_pairs(b.ids, a.ids);
    // Counts of each joint group, sorted into the slice of its b value.
    std::vector<std::uint32_t> joint_b(joint.groups());
    for (std::size_t i = 0; i < n; ++i) joint_b[joint.ids[i]] = b.ids[i];
    std::vector<std::vector<std::size_t>> slices(b.groups());
    for (std::size_t g = 0; g < joint.groups(); ++g) slices[joint_b[g]].push_back(joint.counts[g]);
    double h = 0.0;
    for (std::size_t v = 0; v < b.groups(); ++v)
        h += static_cast<double>(b.counts[v]) / static_cast<double>(n) * correct(slices[v]);
    return h;
}

// ------------------------------------------- conditioning on the samples
// H(A | X) and H(A | Y) of a discrete variable A (binning's patterns, the
// decision rule's arg max, EDGE's hashed cells) given the inputs or the
// labels of mi::samples: the one place the plug-in estimators group by them.

/// H(A | X) = sum_x p(x) H(A | X = x) over the input ids; 0 when every row is its own input.
template <class Correction = plug_in>
double conditional_entropy_given_inputs(const grouping& a, const input_ids& x, const Correction& correct,
                                        const char* where) {
    x.check_rows(a.ids.size(), where);
    if (x.all_distinct()) return 0.0;  // one sample per input: H(A | X = x) = 0
    std::vector<std::uint32_t> ids(a.ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = x[i];
    return conditional_entropy(a, group_values(ids), correct);
}

/// H(A | Y) = sum_l (N_l/N) H(A | Y = l). With few values of A x classes the joint counts go
/// into a dense table (no hashing); otherwise through conditional_entropy.
template <class Correction = plug_in>
double conditional_entropy_given_labels(const grouping& a, const labels& y, const Correction& correct,
                                        const char* where) {
    const std::size_t n = a.ids.size(), classes = y.classes(), g = a.groups();
    detail::check_same_rows(y.size(), n, where, "labels size");
    if (n == 0) return 0.0;
    if (classes == 0 || g > (8 * n + 1024) / classes) return conditional_entropy(a, group_values(y.ids()), correct);
    std::vector<std::size_t> joint(g * classes, 0), per_class(classes, 0);
    for (std::size_t i = 0; i < n; ++i) {
        ++joint[static_cast<std::size_t>(y[i]) * g + a.ids[i]];
        ++per_class[y[i]];
    }
    double h = 0.0;
    std::vector<std::size_t> slice;
    for (std::size_t l = 0; l < classes; ++l) {
        if (per_class[l] == 0) continue;
        slice.clear();
        for (std::size_t k = 0; k < g; ++k)
            if (joint[l * g + k] > 0) slice.push_back(joint[l * g + k]);
        h += static_cast<double>(per_class[l]) / static_cast<double>(n) * correct(slice);
    }
    return h;
}

}  // namespace mi

#endif
