// SPDX-License-Identifier: BSD-3-Clause
// How a reproduction decides whether it agrees with its paper: from the
// table it wrote (suite::complete() reads the tables back from disk), by a
// statistic on the smoothed course of a quantity over epochs, against a
// threshold derived from that course's own epoch-to-epoch noise, and, where
// the claim is about a population of runs (seeds, initialisations), by a
// one-sided test with its p-value.
//
// Smoothing and noise. A course v_1..v_n (one layer, one run, ordered by
// epoch) is smoothed by a running median of `window` points, centred inside
// and the first/last `window` points at the ends, so that a single-epoch
// spike neither makes a peak, a start nor a final value. Its noise is the
// estimator's own scatter from one recorded epoch to the next, measured
// robustly on the first differences d_i = v_{i+1} - v_i:
// sigma = 1.4826 * median |d - median d| / sqrt(2) (a slow trend shifts the
// differences' median, not their spread).
//
// Threshold. A change between two smoothed points (peak and final value) is
// called real when it exceeds z * sqrt(2) * sigma with z = 3, and never less
// than the estimator's resolution (e.g. one sample moving between bins) nor
// than 2 % of the course's peak magnitude. The last floor is for the
// deterministic estimators (KDE, Kozachenko-Leonenko on fixed samples): their
// courses can be smooth to 1e-4 bits, so a network that barely learns (Adam
// at lr 1e-7) drifts by 0.005-0.02 bits and would otherwise be called
// compressing; 2 % of 12 bits is 0.24 bits, about what the papers' figures
// can show.
// The peak of a flat noisy course is biased upwards by the maximum over
// epochs; simulated flat courses of 20 to 1000 epochs (Gaussian and
// Student-t(3) noise) give peak - final above 4.24 sigma in fewer than 1 %
// of draws (the 99 % quantile is 2.7 to 3.8 sigma), and
// tests/reproduce/test_verdict.cpp checks this rate, and that a course that
// rises and falls by 10 sigma over 60 or more epochs is called falling in at
// least 99 % of draws (over 20 epochs in about 80 %: a steep trend inflates
// the differences' spread).
//
// Populations. Per-run statistics (e.g. the drop of each seed) are tested
// with a one-sided one-sample t-test (H1: mean > mu0), two conditions with
// Welch's t-test, and counts with the exact binomial tail; p < alpha = 0.05
// is the criterion unless a program says otherwise. Student's t tail is
// computed from the regularised incomplete beta function (continued
// fraction, Numerical Recipes 3rd ed. §6.4); its values are checked against
// scipy.stats in the tests.
#ifndef MI_EXAMPLES_REPRODUCE_VERDICT_HPP
#define MI_EXAMPLES_REPRODUCE_VERDICT_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "mi/core/error.hpp"
#include "reproduce/table.hpp"

namespace mi_examples::reproduce {

/// A quantity over epochs, ordered by epoch, empty cells left out.
struct course {
    std::vector<double> epoch, value;
    std::size_t size() const noexcept { return value.size(); }
};

/// The rows of `t` (one layer of one run, or an average over runs) as a course of `column`.
inline course course_of(const table& t, const std::string& column, const std::string& epoch_column = "epoch") {
    std::vector<std::pair<double, double>> rows;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const double v = t.number(i, column);
        if (!std::isnan(v)) rows.emplace_back(t.number(i, epoch_column), v);
    }
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    course c;
    for (const auto& [e, v] : rows) {
        c.epoch.push_back(e);
        c.value.push_back(v);
    }
    return c;
}

namespace detail {
inline double median(std::vector<double> v) {
    if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
    const std::size_t m = v.size() / 2;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(m), v.end());
    const double hi = v[m];
    if (v.size() % 2 == 1) return hi;
    return 0.5 * (hi + *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(m)));
}
}  // namespace detail

/// Running median of `window` (odd, >= 1) points: centred, and over the first/last `window`
/// points near the ends (all points when there are fewer).
inline std::vector<double> smooth(const std::vector<double>& v, std::size_t window = 5) {
    if (window == 0 || window % 2 == 0)
        mi::detail::fail("reproduce::smooth", "window", window, "an odd number of points >= 1");
    const std::size_t n = v.size(), w = std::min(window, n), half = window / 2;
    std::vector<double> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t lo = std::min(i > half ? i - half : 0, n - w);
        out[i] = detail::median(std::vector<double>(v.begin() + static_cast<std::ptrdiff_t>(lo),
                                                    v.begin() + static_cast<std::ptrdiff_t>(lo + w)));
    }
    return out;
}

/// The epoch-to-epoch noise of a course: 1.4826 x the median absolute deviation of its first
/// differences, over sqrt(2) (the standard deviation of one value, for Gaussian noise).
inline double noise_sd(const std::vector<double>& v) {
    if (v.size() < 3) return 0.0;
    std::vector<double> d(v.size() - 1);
    for (std::size_t i = 0; i + 1 < v.size(); ++i) d[i] = v[i + 1] - v[i];
    const double m = detail::median(d);
    for (auto& x : d) x = std::abs(x - m);
    return 1.4826 * detail::median(d) / std::sqrt(2.0);
}

/// The smallest change between two smoothed points that is called real: z sqrt(2) sigma, at least `resolution`.
inline double change_threshold(double sigma, double resolution = 0.0, double z = 3.0) {
    return std::max(z * std::sqrt(2.0) * sigma, resolution);
}

/// A course's shape on its smoothed values.
struct trend {
    double first = std::numeric_limits<double>::quiet_NaN();
    /// The raw value at the first epoch: a claim about the initial network compares with this one,
    /// since the smoothed first point is the median of the first `window` epochs.
    double initial = std::numeric_limits<double>::quiet_NaN();
    double peak = std::numeric_limits<double>::quiet_NaN();
    double peak_epoch = std::numeric_limits<double>::quiet_NaN();
    double final_value = std::numeric_limits<double>::quiet_NaN();
    double noise = 0;      ///< noise_sd of the raw course
    double threshold = 0;  ///< change_threshold(noise, resolution), at least relative_floor x |peak|
    double rise() const { return peak - first; }
    /// The rise from the initial network's raw value: for claims about learning from initialization.
    double rise_from_initial() const { return peak - initial; }
    double drop() const { return peak - final_value; }
    /// The course falls after its peak by more than its noise allows.
    bool falls() const { return drop() > threshold; }
    /// The course rises from its start to its peak by more than its noise allows.
    bool rises() const { return rise() > threshold; }
};

inline trend trend_of(const course& c, double resolution = 0.0, double relative_floor = 0.02, std::size_t window = 5) {
    if (c.size() == 0) mi::detail::fail("reproduce::trend_of", "course", "no values", "at least one epoch");
    const auto s = smooth(c.value, window);
    trend t;
    t.first = s.front();
    t.initial = c.value.front();
    t.final_value = s.back();
    const auto peak = std::max_element(s.begin(), s.end());
    t.peak = *peak;
    t.peak_epoch = c.epoch[static_cast<std::size_t>(peak - s.begin())];
    t.noise = noise_sd(c.value);
    t.threshold = std::max(change_threshold(t.noise, resolution), relative_floor * std::abs(t.peak));
    return t;
}

// ---- tests on populations of runs ----

/// Regularised incomplete beta I_x(a, b), by its continued fraction (Lentz's method).
inline double incomplete_beta(double a, double b, double x) {
    if (!(a > 0) || !(b > 0)) mi::detail::fail("reproduce::incomplete_beta", "a, b", std::to_string(a) + ", " + std::to_string(b), "positive");
    if (!(x >= 0 && x <= 1)) mi::detail::fail("reproduce::incomplete_beta", "x", x, "a number in [0, 1]");
    if (x == 0 || x == 1) return x;
    if (x > (a + 1) / (a + b + 2)) return 1.0 - incomplete_beta(b, a, 1.0 - x);
    const double log_front = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
    const double tiny = 1e-300;
    double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0);
    if (std::abs(d) < tiny) d = tiny;
    d = 1.0 / d;
    double f = d;
    for (int m = 1; m <= 1000; ++m) {
        const double m2 = 2.0 * m;
        double num = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
        d = 1.0 + num * d;
        d = std::abs(d) < tiny ? 1.0 / tiny : 1.0 / d;
        c = 1.0 + num / c;
        if (std::abs(c) < tiny) c = tiny;
        f *= d * c;
        num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
        d = 1.0 + num * d;
        d = std::abs(d) < tiny ? 1.0 / tiny : 1.0 / d;
        c = 1.0 + num / c;
        if (std::abs(c) < tiny) c = tiny;
        const double delta = d * c;
        f *= delta;
        if (std::abs(delta - 1.0) < 1e-15) break;
    }
    return std::exp(log_front) * f / a;
}

/// P(T > t) for Student's t with `df` degrees of freedom.
inline double student_t_sf(double t, double df) {
    if (!(df > 0)) mi::detail::fail("reproduce::student_t_sf", "df", df, "positive degrees of freedom");
    if (std::isinf(t)) return t > 0 ? 0.0 : 1.0;
    const double tail = 0.5 * incomplete_beta(0.5 * df, 0.5, df / (df + t * t));
    return t > 0 ? tail : 1.0 - tail;
}

struct test_result {
    double statistic = std::numeric_limits<double>::quiet_NaN();
    double p_value = std::numeric_limits<double>::quiet_NaN();  ///< one-sided
    double df = std::numeric_limits<double>::quiet_NaN();
    std::size_t n = 0;
};

namespace detail {
inline std::pair<double, double> mean_var(const std::vector<double>& x) {
    double m = 0;
    for (double v : x) m += v;
    m /= static_cast<double>(x.size());
    double s = 0;
    for (double v : x) s += (v - m) * (v - m);
    return {m, x.size() > 1 ? s / static_cast<double>(x.size() - 1) : 0.0};
}
}  // namespace detail

/// One-sided one-sample t-test, H1: mean(x) > mu0. Fewer than two runs: statistic and p-value NaN
/// (a single run is judged by its threshold alone); zero spread: p = 0 or 1 by the sign of mean - mu0.
inline test_result one_sample_t(const std::vector<double>& x, double mu0 = 0.0) {
    test_result r;
    r.n = x.size();
    if (x.size() < 2) return r;
    const auto [m, v] = detail::mean_var(x);
    r.df = static_cast<double>(x.size() - 1);
    if (v == 0) {
        r.statistic = m > mu0 ? std::numeric_limits<double>::infinity() : m < mu0 ? -std::numeric_limits<double>::infinity() : 0.0;
        r.p_value = m > mu0 ? 0.0 : 1.0;
        return r;
    }
    r.statistic = (m - mu0) / std::sqrt(v / static_cast<double>(x.size()));
    r.p_value = student_t_sf(r.statistic, r.df);
    return r;
}

/// One-sided Welch t-test, H1: mean(a) > mean(b) (Welch-Satterthwaite degrees of freedom).
inline test_result welch_t(const std::vector<double>& a, const std::vector<double>& b) {
    test_result r;
    r.n = a.size() + b.size();
    if (a.size() < 2 || b.size() < 2) return r;
    const auto [ma, va] = detail::mean_var(a);
    const auto [mb, vb] = detail::mean_var(b);
    const double sa = va / static_cast<double>(a.size()), sb = vb / static_cast<double>(b.size());
    if (sa + sb == 0) {
        r.statistic = ma > mb ? std::numeric_limits<double>::infinity() : ma < mb ? -std::numeric_limits<double>::infinity() : 0.0;
        r.p_value = ma > mb ? 0.0 : 1.0;
        return r;
    }
    r.statistic = (ma - mb) / std::sqrt(sa + sb);
    r.df = (sa + sb) * (sa + sb) /
           (sa * sa / static_cast<double>(a.size() - 1) + sb * sb / static_cast<double>(b.size() - 1));
    r.p_value = student_t_sf(r.statistic, r.df);
    return r;
}

/// P(X >= k) for X ~ Binomial(n, p): the exact one-sided tail of a count.
inline double binomial_sf(std::size_t k, std::size_t n, double p = 0.5) {
    if (k > n) mi::detail::fail("reproduce::binomial_sf", "k", k, "at most n = " + std::to_string(n));
    if (!(p > 0 && p < 1)) mi::detail::fail("reproduce::binomial_sf", "p", p, "a probability in (0, 1)");
    double s = 0;
    for (std::size_t j = k; j <= n; ++j) {
        const double dj = static_cast<double>(j), dn = static_cast<double>(n);
        s += std::exp(std::lgamma(dn + 1) - std::lgamma(dj + 1) - std::lgamma(dn - dj + 1) + dj * std::log(p) +
                      (dn - dj) * std::log1p(-p));
    }
    return std::min(1.0, s);
}

/// A per-run statistic against its per-run threshold, over the runs (seeds) of one condition.
struct runs_judgement {
    double value = 0, threshold = 0;  ///< means over the runs
    double p_value = std::numeric_limits<double>::quiet_NaN();  ///< one-sided t-test of the excesses; NaN for one run
    bool exceeds = false;             ///< one run: value > threshold; several: p < level
};

/// One run is judged by its threshold; several by a one-sided t-test that value - threshold > 0 on
/// average, at `level` (pass alpha / m for m comparisons).
inline runs_judgement judge_runs(const std::vector<double>& values, const std::vector<double>& thresholds,
                                 double level = 0.05) {
    if (values.empty() || values.size() != thresholds.size())
        mi::detail::fail("reproduce::judge_runs", "values, thresholds",
                         std::to_string(values.size()) + ", " + std::to_string(thresholds.size()),
                         "one threshold per value, at least one run");
    runs_judgement j;
    std::vector<double> excess;
    for (std::size_t i = 0; i < values.size(); ++i) {
        j.value += values[i] / static_cast<double>(values.size());
        j.threshold += thresholds[i] / static_cast<double>(values.size());
        excess.push_back(values[i] - thresholds[i]);
    }
    if (values.size() == 1) {
        j.exceeds = excess[0] > 0;
        return j;
    }
    j.p_value = one_sample_t(excess, 0.0).p_value;
    j.exceeds = j.p_value < level;
    return j;
}

// ---- what a program reports ----

/// One claim of the paper against what the program measured.
struct verdict {
    std::string claim;       ///< the paper's claim, with its figure
    std::string statistic;   ///< what was computed, with its unit
    double value = std::numeric_limits<double>::quiet_NaN();
    double threshold = std::numeric_limits<double>::quiet_NaN();
    double p_value = std::numeric_limits<double>::quiet_NaN();  ///< NaN when the claim is about one run
    std::string paper;       ///< the outcome the paper reports
    std::string measured;    ///< the outcome this run's data give
    bool agrees() const { return paper == measured; }
};

inline const std::vector<std::string>& verdict_columns() {
    static const std::vector<std::string> c{"claim", "statistic", "value", "threshold", "p_value", "paper", "measured", "agrees"};
    return c;
}

/// A program's verdicts: printed and written to OUT/verdicts.csv.
class verdicts {
public:
    void add(verdict v) { list_.push_back(std::move(v)); }
    const std::vector<verdict>& list() const noexcept { return list_; }
    std::size_t agreeing() const {
        return static_cast<std::size_t>(std::count_if(list_.begin(), list_.end(), [](const verdict& v) { return v.agrees(); }));
    }
    table as_table() const {
        table t(verdict_columns());
        for (const auto& v : list_)
            t.add({v.claim, v.statistic, v.value, v.threshold, v.p_value, v.paper, v.measured, v.agrees()});
        return t;
    }
    void print() const {
        std::printf("\nverdicts (%zu of %zu as the paper)\n", agreeing(), list_.size());
        for (const auto& v : list_) {
            std::printf("  %s\n    %s = %.4g (threshold %.4g", v.claim.c_str(), v.statistic.c_str(), v.value, v.threshold);
            if (!std::isnan(v.p_value)) std::printf(", p = %.3g", v.p_value);
            std::printf("): %s; paper: %s -> %s\n", v.measured.c_str(), v.paper.c_str(), v.agrees() ? "agrees" : "DISAGREES");
        }
        std::fflush(stdout);
    }
    void write(const std::string& path) const { as_table().write(path); }

private:
    std::vector<verdict> list_;
};

// ---- impossible values ----

/// The entropy, in bits, of the class labels' empirical distribution: H(Y), the bound on I(T;Y).
inline double label_entropy_bits(const std::vector<std::uint32_t>& labels) {
    std::map<std::uint32_t, double> count;
    for (const auto y : labels) count[y] += 1.0;
    double h = 0;
    for (const auto& kv : count) {
        const double p = kv.second / static_cast<double>(labels.size());
        h -= p * std::log2(p);
    }
    return h;
}

/// Counts of estimates outside their possible range in a plane table (mi::write_csv's columns):
/// I < 0, I(X;T) > H(X), I(T;Y) > H(Y), per estimator and parameters. Rows whose ixt_quantity is
/// H(T) (entropy estimators) have their ixt column left out of the I(X;T) checks. `slack` absorbs
/// rounding (in the table's unit).
inline table out_of_range(const table& plane, double hx, double hy, double slack = 1e-9) {
    struct counts {
        std::size_t checked = 0, negative = 0, above = 0;
    };
    std::map<std::pair<std::string, std::string>, std::map<std::string, counts>> by;
    std::vector<std::pair<std::string, std::string>> order;
    for (std::size_t i = 0; i < plane.size(); ++i) {
        const std::pair<std::string, std::string> key{plane.text(i, "estimator"), plane.text(i, "parameters")};
        if (!by.count(key)) order.push_back(key);
        auto& m = by[key];
        const bool entropy_axis = plane.has("ixt_quantity") && plane.text(i, "ixt_quantity") == "H(T)";
        for (const char* col : {"ixt", "ity"}) {
            const std::string c = col;
            if (c == "ixt" && entropy_axis) continue;
            const double v = plane.number(i, c);
            if (std::isnan(v)) continue;
            auto& k = m[c];
            ++k.checked;
            if (v < -slack) ++k.negative;
            if (v > (c == "ixt" ? hx : hy) + slack) ++k.above;
        }
    }
    table t({"estimator", "parameters", "quantity", "checked", "below_zero", "above_bound", "bound"});
    for (const auto& key : order)
        for (const std::string c : {"ixt", "ity"}) {
            const auto it = by[key].find(c);
            if (it == by[key].end()) continue;
            const counts& k = it->second;
            t.add({key.first, key.second, c == "ixt" ? "I(X;T)" : "I(T;Y)", k.checked, k.negative, k.above,
                   c == "ixt" ? hx : hy});
        }
    return t;
}

/// Prints the rows of an out_of_range table that hold impossible values (or says there are none).
inline void print_out_of_range(const table& t) {
    std::size_t bad = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const double neg = t.number(i, "below_zero"), above = t.number(i, "above_bound");
        if (neg + above == 0) continue;
        ++bad;
        std::printf("  impossible values: %s (%s) %s: %.0f of %.0f below 0, %.0f above its bound %.4g\n",
                    t.text(i, "estimator").c_str(), t.text(i, "parameters").c_str(), t.text(i, "quantity").c_str(), neg,
                    t.number(i, "checked"), above, t.number(i, "bound"));
    }
    if (bad == 0) std::printf("\nno estimate outside its possible range (I >= 0, I(X;T) <= H(X), I(T;Y) <= H(Y))\n");
    std::fflush(stdout);
}

}  // namespace mi_examples::reproduce

#endif
