// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "mi/core/error.hpp"
#include "mi/estimators/concept.hpp"
#include "mi/plane.hpp"
#include "default_threads.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_estimators_concept {

TEST_CASE("finite(bounds): both ends must be finite") {
    const mi::bounds b = mi::detail::finite(mi::bounds{-1.0, 2.0}, "mi::f", "bounds on H(T)");
    CHECK(b.lower == -1.0);
    CHECK(b.upper == 2.0);
    CHECK_THROWS_WITH_AS(mi::detail::finite(mi::bounds{0.5, std::numeric_limits<double>::infinity()}, "mi::kde::entropy",
                                            "bounds on H(T)"),
                         doctest::Contains("mi::kde::entropy: bounds on H(T) = [0.5, inf], expected a finite value"),
                         mi::error);
    CHECK_THROWS_AS(mi::detail::finite(mi::bounds{std::nan(""), 0.0}, "mi::f", "b"), mi::error);
}

TEST_CASE("finite(plane_point): every number of the point is checked, and named") {
    mi::plane_point p;
    p.ixt = 1.0;
    p.ity = 0.5;
    CHECK(mi::detail::finite(p, "mi::e::point").ixt == 1.0);

    mi::plane_point q = p;
    q.ity = std::nan("");
    CHECK_THROWS_WITH_AS(mi::detail::finite(q, "mi::e::point"), doctest::Contains("mi::e::point: I(T;Y) = nan"),
                         mi::error);
    q = p;
    q.ixt = -std::numeric_limits<double>::infinity();
    q.ixt_kind = mi::ixt_quantity::entropy;
    CHECK_THROWS_WITH_AS(mi::detail::finite(q, "mi::e::point"), doctest::Contains("mi::e::point: H(T) = -inf"),
                         mi::error);
    q = p;
    q.ity_bounds = mi::bounds{0.0, std::numeric_limits<double>::infinity()};
    CHECK_THROWS_WITH_AS(mi::detail::finite(q, "mi::e::point"), doctest::Contains("bounds on I(T;Y) = [0, inf]"),
                         mi::error);
    q = p;
    q.ixt_ci = mi::bounds{std::nan(""), 1.0};
    CHECK_THROWS_WITH_AS(mi::detail::finite(q, "mi::e::point"), doctest::Contains("interval on I(X;T)"), mi::error);
}

// ================================================================================================
// The contract of a plane estimator (issue 12, item 7). Every plane estimator of the library runs
// through the same properties; to give a new estimator the whole suite, add its type to
// `plane_estimators` below and, if it is not default-constructible with sensible defaults (or
// has options to set), one `contract<E>` specialisation with its `make(data)` factory. Every
// mi::samples carries the network input X; the rest of the data follows from the declared mi::resampling:
//   input_groups    2 rows per input, explicit (repeated) input ids    (binning, kde, decision rule, EDGE)
//   replica_groups  2 replicas per draw, replica groups by draw id     (sample propagation)
//   rows, none      one row per input, default (distinct) input ids    (KL, KSG, Renyi)
// Small seeded data (96 rows, 3 units, 3 classes), so the file runs in a few seconds.
// ================================================================================================

namespace contract_test {

using mi::activation_view;

enum class layout { distinct, repeated_inputs, replica_blocks };

template <class E>
constexpr layout layout_of() {
    constexpr mi::resampling r = mi::resampling_of_v<E>;
    return r == mi::resampling::input_groups     ? layout::repeated_inputs
           : r == mi::resampling::replica_groups ? layout::replica_blocks
                                                 : layout::distinct;
}

constexpr std::size_t n_units = 3, n_classes = 3, n_x = 2;

/// One seeded data set: the network input of every row, labels, input ids and a layer at two epochs.
struct data_set {
    layout kind = layout::distinct;
    std::size_t replicas = 1;  // rows per input (1 for distinct)
    std::size_t rows = 0;
    std::vector<double> x;                    // rows x n_x: row i is the network input behind layer row i
    std::vector<int> y;                       // rows
    std::vector<int> input;                   // rows: input id of each row
    std::array<std::vector<double>, 2> layer;  // rows x n_units, epochs 0 and 1

    /// Everything an estimator may need: labels, input ids, the network input, replica groups.
    mi::samples samples() const {
        const mi::samples s = (kind == layout::distinct ? mi::samples(mi::labels(y, n_classes))
                                                        : mi::samples(mi::labels(y, n_classes), mi::input_ids(input)))
                                  .with_network_input(inputs());
        return kind == layout::replica_blocks ? s.with_replicas(mi::replica_groups(input)) : s;
    }
    template <class T>
    std::vector<T> values(std::size_t epoch = 0, int exponent = 0) const {
        std::vector<T> v(layer[epoch].size());
        for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<T>(std::ldexp(layer[epoch][i], exponent));
        return v;
    }
    activation_view<const double> inputs() const { return mi::view(x, rows, n_x); }
};

inline data_set make_data(layout kind, std::uint64_t seed = 2024) {
    data_set d;
    d.kind = kind;
    d.replicas = kind == layout::distinct ? 1 : 2;
    const std::size_t inputs = 96 / d.replicas;
    d.rows = inputs * d.replicas;
    mi::rng r(seed);
    const double w[n_units][n_x] = {{1.0, 0.4}, {-0.6, 0.9}, {0.3, -1.1}};
    for (std::size_t i = 0; i < inputs; ++i) {
        const double x0 = r.normal(), x1 = r.normal();
        const int label = (x0 > -0.43 ? 1 : 0) + (x0 > 0.43 ? 1 : 0);  // three classes of about a third each
        for (std::size_t k = 0; k < d.replicas; ++k) {
            d.x.push_back(x0);
            d.x.push_back(x1);
            d.y.push_back(label);
            d.input.push_back(static_cast<int>(i));
            for (std::size_t e = 0; e < 2; ++e)
                for (std::size_t u = 0; u < n_units; ++u) {
                    // a tanh layer that sharpens from epoch 0 to 1; replicas differ by upstream noise
                    const double pre = (1.0 + 0.5 * static_cast<double>(e)) * (w[u][0] * x0 + w[u][1] * x1) +
                                       0.2 * static_cast<double>(u);
                    d.layer[e].push_back(std::tanh(pre) + (d.replicas > 1 ? 0.05 * r.normal() : 0.0));
                }
        }
    }
    return d;
}

/// The data with its rows reordered: row i of the result is row order[i] of d (everything moves together).
inline data_set reordered(const data_set& d, const std::vector<std::size_t>& order) {
    data_set p = d;
    for (std::size_t i = 0; i < order.size(); ++i) {
        const std::size_t s = order[i];
        for (std::size_t c = 0; c < n_x; ++c) p.x[i * n_x + c] = d.x[s * n_x + c];
        p.y[i] = d.y[s];
        p.input[i] = d.input[s];
        for (std::size_t e = 0; e < 2; ++e)
            for (std::size_t u = 0; u < n_units; ++u) p.layer[e][i * n_units + u] = d.layer[e][s * n_units + u];
    }
    return p;
}

/// A seeded permutation of the rows; for replica blocks, of whole blocks (rows inside a block keep their order).
inline std::vector<std::size_t> permutation(const data_set& d, std::uint64_t seed) {
    const std::size_t g = d.kind == layout::replica_blocks ? d.replicas : 1, units = d.rows / g;
    std::vector<std::size_t> block(units);
    for (std::size_t k = 0; k < units; ++k) block[k] = k;
    mi::rng r(seed);
    for (std::size_t k = units; k > 1; --k) std::swap(block[k - 1], block[static_cast<std::size_t>(r.below(k))]);
    std::vector<std::size_t> order;
    for (const std::size_t b : block)
        for (std::size_t j = 0; j < g; ++j) order.push_back(b * g + j);
    return order;
}

/// How close point() must stay when the rows are permuted (see each rule's use in the permutation test).
enum class permutation_rule {
    rounding,     ///< equal up to the order of floating-point sums over rows, groups or classes
    row_jitter,   ///< tie-breaking jitter drawn per row INDEX moves with the permutation (Kozachenko-Leonenko)
    eigensolver,  ///< spectra of the permuted (similar) Gram matrices, equal up to the eigensolver's rounding
    monte_carlo   ///< Monte Carlo draws keyed by row index: permuting is re-drawing, equal in distribution only
};

struct contract_defaults {
    static constexpr permutation_rule permutation = permutation_rule::rounding;
    /// The argument name point()'s messages give the layer ("layer(5, 1) = nan").
    static constexpr const char* layer_argument = "layer";
    /// Distinctive words of the mi::error with which the estimator refuses a layer scaled by 2^exponent
    /// (a documented limit of parameters fixed in activation units), or nullptr: it must return a
    /// finite point. A refusal listed here is checked to happen, so the list cannot go stale silently.
    static const char* refusal_at_scale(int /*exponent*/, bool /*is_float*/) { return nullptr; }
};

/// Per-estimator construction and knobs; the primary template default-constructs E.
template <class E>
struct contract : contract_defaults {
    static E make(const data_set&) { return E{}; }
};

}  // namespace contract_test

// -------------------------------------------------------------------------------- the estimators
// THE list: every plane estimator of the library. Add a new one here (and, if needed, its contract).
using plane_estimators =
    std::tuple<mi::binning<mi::uniform>, mi::binning<mi::fixed_width>, mi::binning<mi::adaptive_uniform>,
               mi::binning<mi::equal_mass>, mi::binning<mi::distinct_value_quantiles>,
               mi::binning<mi::machine_precision>, mi::binning<mi::global_uniform>,
               mi::kde<mi::gaussian_kernel, mi::fixed_noise>, mi::kde<mi::gaussian_kernel, mi::adaptive_noise>,
               mi::kl_entropy<>, mi::ksg<>, mi::sliced<mi::ksg<>>, mi::weighted_kl<>,
               mi::compressed<mi::pca, mi::weighted_kl<>>, mi::compressed<mi::random_projection, mi::ksg<>>,
               mi::sample_propagation, mi::renyi, mi::decision_rule<>, mi::edge, mi::exact_counting>;

namespace contract_test {

template <>
struct contract<mi::binning<mi::uniform>> : contract_defaults {
    static mi::binning<mi::uniform> make(const data_set&) { return mi::binning<mi::uniform>(mi::uniform(30, -1, 1)); }
};
template <>
struct contract<mi::binning<mi::fixed_width>> : contract_defaults {
    static mi::binning<mi::fixed_width> make(const data_set&) {
        return mi::binning<mi::fixed_width>(mi::fixed_width(0.25));
    }
    // floor(h / 0.25) of a layer at 2^60 does not fit the int32 codes: refused by fixed_width::fit.
    static const char* refusal_at_scale(int exponent, bool) {
        return exponent > 0 ? "every code floor(h / width) of the layer fits in int32" : nullptr;
    }
};
template <>
struct contract<mi::binning<mi::adaptive_uniform>> : contract_defaults {
    static mi::binning<mi::adaptive_uniform> make(const data_set&) {
        return mi::binning<mi::adaptive_uniform>(mi::adaptive_uniform(30));
    }
};
template <>
struct contract<mi::binning<mi::equal_mass>> : contract_defaults {
    static mi::binning<mi::equal_mass> make(const data_set&) { return mi::binning<mi::equal_mass>(mi::equal_mass(8)); }
};
template <>
struct contract<mi::binning<mi::distinct_value_quantiles>> : contract_defaults {
    static mi::binning<mi::distinct_value_quantiles> make(const data_set&) {
        // low below every activation of the test layers (tanh plus replica noise)
        return mi::binning<mi::distinct_value_quantiles>(mi::distinct_value_quantiles(8, -2.0));
    }
    // low = -2 is in activation units: a layer at 2^60 lies below it, refused by the quantizer's fit.
    static const char* refusal_at_scale(int exponent, bool) {
        return exponent > 0 ? "expected <= the smallest activation" : nullptr;
    }
};
template <>
struct contract<mi::binning<mi::machine_precision>> : contract_defaults {
    static mi::binning<mi::machine_precision> make(const data_set&) {
        return mi::binning<mi::machine_precision>(mi::machine_precision());
    }
};
template <>
struct contract<mi::binning<mi::global_uniform>> : contract_defaults {
    // Unconfigured: the tests configure it with for_layer (the layer's epochs), as the plane driver does.
    static mi::binning<mi::global_uniform> make(const data_set&) {
        return mi::binning<mi::global_uniform>(mi::global_uniform(30));
    }
};
template <>
struct contract<mi::kde<mi::gaussian_kernel, mi::fixed_noise>> : contract_defaults {
    static mi::kde<mi::gaussian_kernel, mi::fixed_noise> make(const data_set&) {
        return mi::kde<mi::gaussian_kernel, mi::fixed_noise>(mi::fixed_noise(1e-2));
    }
};
template <>
struct contract<mi::kde<mi::gaussian_kernel, mi::adaptive_noise>> : contract_defaults {
    static mi::kde<mi::gaussian_kernel, mi::adaptive_noise> make(const data_set&) {
        return mi::kde<mi::gaussian_kernel, mi::adaptive_noise>(mi::adaptive_noise(1e-2));
    }
};
template <>
struct contract<mi::kl_entropy<>> : contract_defaults {
    static constexpr permutation_rule permutation = permutation_rule::row_jitter;
    static mi::kl_entropy<> make(const data_set&) { return mi::kl_entropy<>(); }
};
template <>
struct contract<mi::ksg<>> : contract_defaults {
    // KSG's estimate is a function of integer neighbour counts: the row-indexed jitter (1e-10 of the
    // column scale) cannot change a count unless two distances agree to ~1e-9, which continuous data
    // does not produce; so only the order of the digamma sums changes.
    static mi::ksg<> make(const data_set&) { return mi::ksg<>(); }
};
template <>
struct contract<mi::sliced<mi::ksg<>>> : contract_defaults {
    // The slices' directions depend on the seed and the slice index only, so a permuted row is projected
    // to the same numbers; each slice's KSG then sees permuted rows, which (see ksg above) changes only
    // the order of its digamma sums. The slice estimates are summed in slice order.
    static mi::sliced<mi::ksg<>> make(const data_set&) { return mi::sliced<mi::ksg<>>(); }
};
template <>
struct contract<mi::weighted_kl<>> : contract_defaults {
    // Kozachenko-Leonenko distances with the row-indexed tie jitter (as kl_entropy)
    static constexpr permutation_rule permutation = permutation_rule::row_jitter;
    static mi::weighted_kl<> make(const data_set&) { return mi::weighted_kl<>(); }
};
template <>
struct contract<mi::compressed<mi::pca, mi::weighted_kl<>>> : contract_defaults {
    // the compression noise is drawn per row index: permuting the rows re-draws it
    static constexpr permutation_rule permutation = permutation_rule::monte_carlo;
    static mi::compressed<mi::pca, mi::weighted_kl<>> make(const data_set&, std::uint64_t seed = 11) {
        mi::compressed_options o;
        o.seed = seed;
        return mi::compressed<mi::pca, mi::weighted_kl<>>(mi::pca(2), mi::weighted_kl<>(), o);
    }
};
template <>
struct contract<mi::compressed<mi::random_projection, mi::ksg<>>> : contract_defaults {
    static constexpr permutation_rule permutation = permutation_rule::monte_carlo;
    static mi::compressed<mi::random_projection, mi::ksg<>> make(const data_set&, std::uint64_t seed = 11) {
        mi::compressed_options o;
        o.seed = seed;
        return mi::compressed<mi::random_projection, mi::ksg<>>(mi::random_projection(2, 5), mi::ksg<>(), o);
    }
};
template <>
struct contract<mi::exact_counting> : contract_defaults {
    // The contract's repeated inputs carry upstream noise (an input's rows differ): count H(T|X).
    static mi::exact_counting make(const data_set&) {
        mi::exact_counting_options o;
        o.repeats = mi::repeated_inputs::counted;
        return mi::exact_counting(o);
    }
};
template <>
struct contract<mi::sample_propagation> : contract_defaults {
    static constexpr permutation_rule permutation = permutation_rule::monte_carlo;
    static mi::sample_propagation make(const data_set&, std::uint64_t seed = 11) {
        mi::sample_propagation_options o;
        o.sigma = 0.2;
        o.mc_samples = 8;
        o.seed = seed;
        return mi::sample_propagation(o);
    }
    // sigma = 0.2 (in activation units) is below 2^-(digits - 10) of activations at 2^60: refused by
    // design, in float and double (the draws c + sigma z would round to their centres c).
    static const char* refusal_at_scale(int exponent, bool) {
        return exponent > 0 ? "times the largest activation" : nullptr;
    }
};
template <>
struct contract<mi::renyi> : contract_defaults {
    static constexpr permutation_rule permutation = permutation_rule::eigensolver;
    static mi::renyi make(const data_set&) { return mi::renyi(); }
};
template <>
struct contract<mi::decision_rule<>> : contract_defaults {
    static constexpr const char* layer_argument = "output";
    static mi::decision_rule<> make(const data_set&) { return mi::decision_rule<>(); }
};
template <>
struct contract<mi::edge> : contract_defaults {
    static constexpr const char* layer_argument = "activations";
    static mi::edge make(const data_set&) {
        mi::edge_options o;
        o.epsilon = 0.5;
        o.scales = {1.0, 1.5};
        o.bias_terms = 1;
        return mi::edge(o);
    }
};

// ------------------------------------------------------------------------------------ helpers
// The checks below are written once per element type, not once per estimator: an estimator enters
// them as a type-erased point function (which keeps this file's compile time down; the estimators'
// own code is instantiated once per element type either way).

template <class E>
data_set data_for(std::uint64_t seed = 2024) {
    return make_data(layout_of<E>(), seed);
}

/// The estimator as it serves a layer: itself, or for estimators that need the layer's history
/// (binning<global_uniform>) configured on the given epochs, as mi::information_plane does.
template <class E, class T>
auto serving(const E& e, const std::vector<activation_view<const T>>& epochs) {
    if constexpr (mi::needs_layer_history_v<E, T>)
        return e.for_layer(epochs);
    else
        return e;
}

/// point(layer, samples, history): the estimator configured on `history` (if it needs one) estimating `layer`.
template <class T>
using point_function = std::function<mi::plane_point(const activation_view<const T>&, const mi::samples&,
                                                     const std::vector<activation_view<const T>>&)>;

template <class T, class E>
point_function<T> point_function_of(const E& e) {
    return [e](const activation_view<const T>& layer, const mi::samples& s,
               const std::vector<activation_view<const T>>& history) { return serving(e, history).point(layer, s); };
}

/// The point of a layer with the estimator configured on that layer alone.
template <class T>
mi::plane_point point_of(const point_function<T>& f, const activation_view<const T>& layer, const mi::samples& s) {
    return f(layer, s, {layer});
}

inline std::uint64_t bits_of(double v) {
    std::uint64_t b;
    std::memcpy(&b, &v, sizeof b);
    return b;
}

/// Every number of the point, in a fixed order (absent bounds and intervals contribute nothing).
inline std::vector<double> numbers(const mi::plane_point& p) {
    std::vector<double> v{p.ixt, p.ity};
    for (const auto* b : {&p.ixt_bounds, &p.ity_bounds, &p.ixt_ci, &p.ity_ci})
        if (*b) {
            v.push_back((*b)->lower);
            v.push_back((*b)->upper);
        }
    return v;
}

inline void check_bit_identical(const mi::plane_point& a, const mi::plane_point& b) {
    CHECK(a.ixt_kind == b.ixt_kind);
    CHECK(a.ixt_bounds.has_value() == b.ixt_bounds.has_value());
    CHECK(a.ity_bounds.has_value() == b.ity_bounds.has_value());
    const auto va = numbers(a), vb = numbers(b);
    REQUIRE(va.size() == vb.size());
    for (std::size_t i = 0; i < va.size(); ++i) {
        CAPTURE(i);
        CAPTURE(va[i]);
        CAPTURE(vb[i]);
        CHECK(bits_of(va[i]) == bits_of(vb[i]));
    }
}

inline bool all_finite(const mi::plane_point& p) {
    for (const double v : numbers(p))
        if (!std::isfinite(v)) return false;
    return true;
}

using mi_test::default_threads_on_exit;

template <class E>
std::string describe(const E& e) {
    return e.name() + " (" + e.parameters() + ")";
}

/// Rounding of reordered sums: about 100 per-row (per-group, per-class) terms of at most ~10 nats
/// are summed in index order (plug-in counts in order of first appearance, log-sum-exps, digammas);
/// reordering such a sum changes it by at most ~n eps sum|terms| = 100 * 2.2e-16 * 1e3 ~ 2e-11 in
/// the worst case and ~1e-15 in practice: 1e-12 relative to max(1, |value|).
inline double rounding_tolerance(double a, double b) {
    return 1e-12 * std::max({1.0, std::fabs(a), std::fabs(b)});
}

// ------------------------------------------------------------------------------------ checks

/// Tolerance of one coordinate under a permutation: (value a, value b, is I(T;Y)).
using tolerance_function = std::function<double(double, double, bool)>;

inline void check_permuted(const mi::plane_point& a, const mi::plane_point& b, const tolerance_function& tol) {
    const double ixt_difference = a.ixt - b.ixt, ity_difference = a.ity - b.ity;
    CAPTURE(a.ixt);
    CAPTURE(ixt_difference);
    CAPTURE(a.ity);
    CAPTURE(ity_difference);
    CHECK(a.ixt_kind == b.ixt_kind);
    REQUIRE(a.ixt_bounds.has_value() == b.ixt_bounds.has_value());
    REQUIRE(a.ity_bounds.has_value() == b.ity_bounds.has_value());
    const auto close = [&tol](double x, double y, bool is_ity) { return std::fabs(x - y) <= tol(x, y, is_ity); };
    CHECK(close(a.ixt, b.ixt, false));
    CHECK(close(a.ity, b.ity, true));
    if (a.ixt_bounds) {
        CHECK(close(a.ixt_bounds->lower, b.ixt_bounds->lower, false));
        CHECK(close(a.ixt_bounds->upper, b.ixt_bounds->upper, false));
    }
    if (a.ity_bounds) {
        CHECK(close(a.ity_bounds->lower, b.ity_bounds->lower, true));
        CHECK(close(a.ity_bounds->upper, b.ity_bounds->upper, true));
    }
}

/// Kozachenko-Leonenko with tie_policy::jitter: row i gets the i-th draw of one seeded stream, so a
/// permuted row gets another draw. Each value of column j moves by amplitude * scale_j * z with
/// scale_j = max(sd_j, mean|x_j|) <= max|x_j| and |z| <= 8 (an 8-sigma normal draw is not expected
/// among a few hundred), so every distance moves by at most delta = 2 * 8 * amplitude * ||(max|x_j|)_j||_2,
/// and every k-th-neighbour distance (>= r_min, the smallest distance between two rows, computed here
/// independently) by a factor within delta / (r_min - delta) of 1. H(T) = (d/N) sum_i log r_i + c
/// moves by at most d delta / (r_min - delta), I(T;Y) = H(T) - sum_l p_l H(T|Y=l) by twice that.
inline tolerance_function row_jitter_tolerance(const std::vector<double>& v, std::size_t rows, double amplitude) {
    double norm2 = 0.0, r_min = std::numeric_limits<double>::infinity();
    for (std::size_t u = 0; u < n_units; ++u) {
        double m = 0.0;
        for (std::size_t i = 0; i < rows; ++i) m = std::max(m, std::fabs(v[i * n_units + u]));
        norm2 += m * m;
    }
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = i + 1; j < rows; ++j) {
            double s = 0.0;
            for (std::size_t u = 0; u < n_units; ++u) {
                const double t = v[i * n_units + u] - v[j * n_units + u];
                s += t * t;
            }
            r_min = std::min(r_min, std::sqrt(s));
        }
    const double delta = 2.0 * 8.0 * amplitude * std::sqrt(norm2);
    REQUIRE(r_min > 2.0 * delta);
    const double bound = static_cast<double>(n_units) * delta / (r_min - delta);
    return [bound](double x, double y, bool is_ity) { return (is_ity ? 2.0 : 1.0) * bound + rounding_tolerance(x, y); };
}

/// Sample propagation draws around layer row j from the stream derive_seed(seed, j): permuting the
/// replica blocks pairs the centres with other draws, i.e. makes a fresh Monte Carlo draw, equal to the
/// original only in distribution. The difference must then be of the size of the Monte Carlo error:
/// within 4 standard deviations of the difference of two draws, sqrt(2) times the spread (sd) of the
/// estimate over 10 other seeds.
inline tolerance_function monte_carlo_tolerance(const std::vector<mi::plane_point>& other_seeds) {
    const auto sd = [&other_seeds](bool is_ity) {
        double m = 0.0, ss = 0.0;
        for (const auto& q : other_seeds) m += is_ity ? q.ity : q.ixt;
        m /= static_cast<double>(other_seeds.size());
        for (const auto& q : other_seeds) ss += ((is_ity ? q.ity : q.ixt) - m) * ((is_ity ? q.ity : q.ixt) - m);
        return std::sqrt(ss / static_cast<double>(other_seeds.size() - 1));
    };
    const double sx = sd(false), sy = sd(true);
    CAPTURE(sx);
    CAPTURE(sy);
    REQUIRE(sx > 0.0);
    REQUIRE(sy > 0.0);
    return [sx, sy](double, double, bool is_ity) { return 4.0 * std::sqrt(2.0) * (is_ity ? sy : sx); };
}

template <class T>
void check_thread_counts(const point_function<T>& f, const data_set& d) {
    const std::vector<T> v = d.values<T>();
    const auto layer = mi::view(v, d.rows, n_units);
    const mi::samples s = d.samples();
    const default_threads_on_exit restore;
    mi::set_num_threads(1);
    const mi::plane_point one = point_of(f, layer, s);
    for (const std::size_t threads : {2, 3}) {
        mi::set_num_threads(threads);
        CAPTURE(threads);
        check_bit_identical(one, point_of(f, layer, s));
    }
}

/// `arg`: how the estimator's messages name the layer; `name`: its name(), which its messages give as mi::name.
template <class T>
void check_bad_input(const point_function<T>& f, const data_set& d, const std::string& arg, const std::string& name) {
    const std::vector<T> clean = d.values<T>();
    const auto clean_view = mi::view(clean, d.rows, n_units);
    // a history estimator (global binning) is configured on the clean layer, so that point() meets the bad input
    const std::vector<activation_view<const T>> history{clean_view};
    const mi::samples s = d.samples();

    SUBCASE("NaN and +Inf in the layer: mi::error naming the entry") {
        for (const T bad : {std::numeric_limits<T>::quiet_NaN(), std::numeric_limits<T>::infinity()}) {
            std::vector<T> v = clean;
            v[5 * n_units + 1] = bad;
            const std::string what = arg + "(5, 1) = " + (std::isnan(bad) ? "nan" : "inf");
            CAPTURE(what);
            CHECK_THROWS_WITH_AS(f(mi::view(v, d.rows, n_units), s, history), doctest::Contains(what.c_str()),
                                 mi::error);
        }
    }
    SUBCASE("zero rows: mi::error asking for at least one sample") {
        const mi::samples none{mi::labels(std::vector<int>{}, n_classes)};
        const activation_view<const T> empty(nullptr, 0, n_units);
        const std::string what = arg + " = 0x3 view, expected at least one sample";
        CHECK_THROWS_WITH_AS(f(empty, none, history), doctest::Contains(what.c_str()), mi::error);
    }
    SUBCASE("zero columns: mi::error asking for at least one unit") {
        const activation_view<const T> narrow(clean.data(), d.rows, 0, n_units);
        const std::string what =
            arg + " = " + std::to_string(d.rows) + "x0 view, expected at least one sample and one unit";
        CHECK_THROWS_WITH_AS(f(narrow, s, history), doctest::Contains(what.c_str()), mi::error);
    }
    SUBCASE("labels of another length than the rows: mi::error naming the layer rows and the labelled samples") {
        for (const std::size_t n : {d.rows - 1, d.rows + 1}) {
            std::vector<int> y = d.y;
            y.resize(n, 0);
            const mi::samples other{mi::labels(y, n_classes)};
            const std::string what = "mi::" + name + "::point: layer rows = " + std::to_string(d.rows) +
                                     ", expected the number of labelled samples, " + std::to_string(n);
            CAPTURE(what);
            CHECK_THROWS_WITH_AS(f(clean_view, other, history), doctest::Contains(what.c_str()), mi::error);
        }
    }
}

/// `refusal(exponent, is_float)`: see contract_defaults::refusal_at_scale.
template <class T>
void check_scales(const point_function<T>& f, const data_set& d, const char* (*refusal)(int, bool)) {
    const mi::samples s = d.samples();
    for (const int exponent : {-60, 0, 60}) {
        CAPTURE(exponent);
        const std::vector<T> v = d.values<T>(0, exponent);
        const auto layer = mi::view(v, d.rows, n_units);
        if (const char* word = refusal(exponent, std::is_same_v<T, float>)) {
            CHECK_THROWS_WITH_AS(point_of(f, layer, s), doctest::Contains(word), mi::error);
            continue;
        }
        const mi::plane_point p = point_of(f, layer, s);
        for (const double x : numbers(p)) {
            CAPTURE(x);
            CHECK(std::isfinite(x));
        }
    }
}

/// A recording of the data set's layer at epochs 0 and 1 (one layer, index 0).
inline mi::recording<double> two_epochs(const data_set& d) {
    mi::recording<double> rec(d.samples());
    const std::vector<double> v0 = d.values<double>(0), v1 = d.values<double>(1);
    rec.observe(0, 0, mi::view(v0, d.rows, n_units));
    rec.observe(1, 0, mi::view(v1, d.rows, n_units));
    return rec;
}

/// `direct[e]`: point() at epoch e, by the estimator as the driver serves that layer.
inline void check_units(const mi::trajectory& nats, const mi::trajectory& bits,
                        const std::vector<mi::plane_point>& direct) {
    const double ln2 = std::log(2.0);  // the closed form, not mi::ln2
    for (std::size_t epoch = 0; epoch < direct.size(); ++epoch) {
        CAPTURE(epoch);
        const mi::plane_point& p = direct[epoch];
        const mi::plane_point n = nats.at(static_cast<mi::epoch_t>(epoch), 0);
        const mi::plane_point b = bits.at(static_cast<mi::epoch_t>(epoch), 0);
        CHECK(nats.output_unit() == mi::unit::nats);
        CHECK(bits.output_unit() == mi::unit::bits);
        CHECK(n.ixt == p.ixt);
        CHECK(n.ity == p.ity);
        CAPTURE(p.ixt);
        CAPTURE(b.ixt);
        CAPTURE(p.ity);
        CAPTURE(b.ity);
        CHECK(std::fabs(b.ixt - p.ixt / ln2) <= 1e-12 * std::fabs(p.ixt / ln2));
        CHECK(std::fabs(b.ity - p.ity / ln2) <= 1e-12 * std::fabs(p.ity / ln2));
        CHECK(b.ixt_kind == p.ixt_kind);
    }
}

inline void check_intervals(const mi::trajectory& t) {
    for (const mi::epoch_t epoch : {0, 1}) {
        CAPTURE(epoch);
        const mi::plane_point p = t.at(epoch, 0);
        REQUIRE(p.ixt_ci.has_value());
        REQUIRE(p.ity_ci.has_value());
        CAPTURE(p.ixt);
        CAPTURE(p.ixt_ci->lower);
        CAPTURE(p.ixt_ci->upper);
        CAPTURE(p.ity);
        CAPTURE(p.ity_ci->lower);
        CAPTURE(p.ity_ci->upper);
        CHECK(all_finite(p));
        CHECK(p.ixt_ci->lower <= p.ixt);
        CHECK(p.ixt <= p.ixt_ci->upper);
        CHECK(p.ity_ci->lower <= p.ity);
        CHECK(p.ity <= p.ity_ci->upper);
    }
}

inline mi::plane_options options(mi::unit u, std::size_t bootstrap = 0) {
    mi::plane_options o;
    o.output_unit = u;
    o.bootstrap = bootstrap;
    o.seed = 5;
    return o;
}

}  // namespace contract_test

// ------------------------------------------------------------------------------------ the suite

TEST_CASE_TEMPLATE_DEFINE("contract: a plane estimator for float and double that declares its resampling", E,
                          contract_concept) {
    static_assert(mi::is_plane_estimator_v<E, double> && mi::is_plane_estimator_v<E, float>,
                  "every plane estimator models the concept for both element types");
    static_assert(mi::resampling_of<E>::declared, "every plane estimator declares its mi::resampling");
    const E e = contract_test::contract<E>::make(contract_test::data_for<E>());
    CHECK(!e.name().empty());
    CHECK(!e.parameters().empty());
}

TEST_CASE_TEMPLATE_DEFINE("contract: permuting the rows (with labels, input ids, network input) leaves point() unchanged",
                          E, contract_permutation) {
    using namespace contract_test;
    const data_set d = data_for<E>();
    const data_set p = reordered(d, permutation(d, 77));
    const E e = contract<E>::make(d), ep = contract<E>::make(p);  // ep holds the permuted network input, if any
    CAPTURE(describe(e));
    const std::vector<double> v = d.values<double>(), vp = p.values<double>();
    const auto layer = mi::view(v, d.rows, n_units);
    const mi::plane_point a = point_of(point_function_of<double>(e), layer, d.samples());
    const mi::plane_point b = point_of(point_function_of<double>(ep), mi::view(vp, p.rows, n_units), p.samples());
    constexpr permutation_rule rule = contract<E>::permutation;
    if constexpr (rule == permutation_rule::rounding) {
        check_permuted(a, b, [](double x, double y, bool) { return rounding_tolerance(x, y); });
    } else if constexpr (rule == permutation_rule::row_jitter) {
        check_permuted(a, b, row_jitter_tolerance(v, d.rows, e.ties().amplitude()));
    } else if constexpr (rule == permutation_rule::eigensolver) {
        // P A P^T has A's spectrum; a backward-stable symmetric eigensolver returns each eigenvalue of a
        // trace-one PSD matrix (||A||_2 <= 1) to within c n eps, c ~ 10: 96 * 10 * 2.2e-16 ~ 2e-13.
        // S_a = log(sum l^a) / (1 - a), a = 1.01: |d sum l^a| <= a sum l^(a-1) |dl| <= 1.01 n |dl| ~ 2e-11
        // and sum l^a >= n^(1-a) ~ 0.95, so |dS| <= 100 * 2e-11 / 0.95 ~ 2e-9 per entropy; three
        // entropies per coordinate: 1e-8 (the Gram matrices' own rounding is far smaller).
        check_permuted(a, b, [](double x, double y, bool) { return 1e-8 + rounding_tolerance(x, y); });
    } else {
        static_assert(rule == permutation_rule::monte_carlo);
        std::vector<mi::plane_point> other_seeds;
        for (std::uint64_t seed = 101; seed < 111; ++seed)
            other_seeds.push_back(point_of(point_function_of<double>(contract<E>::make(d, seed)), layer, d.samples()));
        check_permuted(a, b, monte_carlo_tolerance(other_seeds));
    }
}

TEST_CASE_TEMPLATE_DEFINE("contract: point() is bit-identical with 1, 2 and 3 threads", E, contract_threads) {
    using namespace contract_test;
    const data_set d = data_for<E>();
    const E e = contract<E>::make(d);
    CAPTURE(describe(e));
    check_thread_counts(point_function_of<double>(e), d);
    check_thread_counts(point_function_of<float>(e), d);
}

TEST_CASE_TEMPLATE_DEFINE("contract: bad input raises mi::error naming the argument", E, contract_bad_input) {
    using namespace contract_test;
    const data_set d = data_for<E>();
    const E e = contract<E>::make(d);
    CAPTURE(describe(e));
    SUBCASE("double") { check_bad_input(point_function_of<double>(e), d, contract<E>::layer_argument, e.name()); }
    SUBCASE("float") { check_bad_input(point_function_of<float>(e), d, contract<E>::layer_argument, e.name()); }
}

TEST_CASE_TEMPLATE_DEFINE("contract: mi::information_plane reports nats as point() gives them, bits as nats / ln 2",
                          E, contract_units) {
    using namespace contract_test;
    const data_set d = data_for<E>();
    const E e = contract<E>::make(d);
    CAPTURE(describe(e));
    const mi::recording<double> rec = two_epochs(d);
    const auto f = point_function_of<double>(e);
    const auto history = rec.layer_history(0);  // what the driver configures a history estimator with
    const std::vector<mi::plane_point> direct{f(rec.at(0, 0), d.samples(), history), f(rec.at(1, 0), d.samples(), history)};
    check_units(mi::information_plane(rec, e, options(mi::unit::nats)),
                mi::information_plane(rec, e, options(mi::unit::bits)), direct);
}

TEST_CASE_TEMPLATE_DEFINE("contract: bootstrap intervals are finite and contain the estimate, or are refused", E,
                          contract_bootstrap) {
    using namespace contract_test;
    const data_set d = data_for<E>();
    const E e = contract<E>::make(d);
    CAPTURE(describe(e));
    const mi::recording<double> rec = two_epochs(d);
    if constexpr (mi::resampling_of_v<E> == mi::resampling::none) {
        const std::string what =
            "options.bootstrap = 20, expected 0 for estimator " + e.name() + ", which declares mi::resampling::none";
        CHECK_THROWS_WITH_AS(mi::information_plane(rec, e, options(mi::unit::nats, 20)), doctest::Contains(what.c_str()),
                             mi::error);
    } else {
        check_intervals(mi::information_plane(rec, e, options(mi::unit::nats, 20)));
    }
}

TEST_CASE_TEMPLATE_DEFINE("contract: every number of the point is finite, also at layers scaled by 2^-60 and 2^60",
                          E, contract_finite) {
    using namespace contract_test;
    const data_set d = data_for<E>();
    const E e = contract<E>::make(d);
    CAPTURE(describe(e));
    check_scales(point_function_of<double>(e), d, &contract<E>::refusal_at_scale);
    check_scales(point_function_of<float>(e), d, &contract<E>::refusal_at_scale);
}

TEST_CASE_TEMPLATE_APPLY(contract_concept, plane_estimators);
TEST_CASE_TEMPLATE_APPLY(contract_permutation, plane_estimators);
TEST_CASE_TEMPLATE_APPLY(contract_threads, plane_estimators);
TEST_CASE_TEMPLATE_APPLY(contract_bad_input, plane_estimators);
TEST_CASE_TEMPLATE_APPLY(contract_units, plane_estimators);
TEST_CASE_TEMPLATE_APPLY(contract_bootstrap, plane_estimators);
TEST_CASE_TEMPLATE_APPLY(contract_finite, plane_estimators);

}  // namespace test_estimators_concept
