// SPDX-License-Identifier: BSD-3-Clause
// kde: the Kolchinsky-Tracey pairwise-distance bounds on the entropy of a
// mixture, used as the KDE estimator of the information plane by Saxe et al.
// (ICLR 2018, App. B.1 eqs. 7-12; artemyk/ibsgd kde.py) and, with a noise
// variance scaled to the layer's activity, by Chelombiev, Houghton & O'Donnell
// (ICLR 2019, "aKDE").
//
// Sources: A. Kolchinsky & B. D. Tracey, "Estimating mixture entropy with
// pairwise distances", Entropy 19(7):361, 2017 (eqs. 9-10, the KL upper and
// Bhattacharyya lower bound, and Sec. 4 for Gaussian components);
// A. Kolchinsky, B. D. Tracey & D. H. Wolpert, "Nonlinear information
// bottleneck", Entropy 21(12):1181, 2019 (the same bound used for I(X;T)).
//
// The layer plus noise, T = h + N(0, s I), s from the Noise policy, is the
// mixture (1/N) sum_i N(h_i, s I) over the N rows. With d units and
// L_i(s') = log sum_j exp(-|h_i - h_j|^2 / (2 s')) (mi::log_sum_kernel):
//
//   H_upper(T) = (d/2)(log 2 pi s + 1) - (1/N) sum_i [L_i(s)  - log N]   (KL, eq. 9)
//   H_lower(T) = (d/2)(log 2 pi s + 1) - (1/N) sum_i [L_i(4s) - log N]   (Bhattacharyya)
//   H(T|X)     = (d/2)(log 2 pi s + 1)                       (distinct inputs)
//   I(X;T)     = H(T) - H(T|X)              upper and lower from H_upper, H_lower
//   I(T;Y)     = H(T) - sum_l (N_l/N) H(T | Y = l)
//
// I(T;Y)'s class terms are the same bound on each class's rows, with the
// class prior N_l / N from the label counts (ibsgd uses the mean of the one-hot
// labels, the same number). Its "upper" and "lower" are, as in ibsgd, the
// difference of two upper (two lower) entropy bounds; they are not strict
// bounds on I(T;Y) and need not be ordered.
//
// Repeated inputs (mi::input_ids with repeats): H(T|X) = sum_x p(x) H(T|X=x)
// with p(x) = n_x / N, and T | X = x is the mixture over that input's rows, so
// each H(T|X=x) is the same bound (upper for upper, lower for lower) on the
// rows of input x. An input seen once, or whose rows are identical (a
// deterministic network), gives exactly the closed form (d/2)(log 2 pi s + 1);
// noisy replicas of an input give more. With distinct inputs (the default) the
// closed form is used directly.
//
// plane_point: ixt and ity are the UPPER values (KL bound), the measure
// Saxe et al. plot (ibsgd's infoplane_measure = 'upper'); both bounds are in
// ixt_bounds / ity_bounds. Results in nats (the papers print bits: to_bits).
// The cost is the pairwise engine's: O(N^2 d) on all cores, memory O(N d). Below 64 units
// point() and mutual_information(T, labels) make one pass over half the pairs for both bounds
// and every class (detail::pairwise::log_sum_kernel_split): H(T) and I(X;T) are those of
// entropy() bit for bit, and I(T;Y)'s class terms agree with separate passes over each class's
// rows to float rounding (at most 4e-8 nats over the SZT network's plane); 1.6x faster there.
//
// API (T the layer, an activation_view; every quantity in nats, as mi::bounds):
//   kde<Kernel, Noise>(noise, kernel = {})    kde<>(0.1): fixed_noise(0.1), variance 0.1
//   entropy(T)                                bounds on H(T + noise)
//   mutual_information(T, input_ids)          bounds on I(X;T); mutual_information(T): distinct inputs
//   mutual_information(T, labels)             "bounds" on I(T;Y) (see above)
//   point(T, samples)                         upper values, both bounds alongside
//   kernel_for(T), noise(), kernel(), name(), parameters()
#ifndef MI_ESTIMATORS_KDE_HPP
#define MI_ESTIMATORS_KDE_HPP

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/input_ids.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/resampling.hpp"
#include "mi/core/rows.hpp"
#include "mi/core/samples.hpp"
#include "mi/kernels/concept.hpp"
#include "mi/kernels/gaussian.hpp"
#include "mi/kernels/kernel_frame.hpp"
#include "mi/kernels/noise.hpp"
#include "mi/kernels/pairwise.hpp"
#include "mi/estimators/concept.hpp"

namespace mi {

template <class Kernel = gaussian_kernel, class Noise = fixed_noise>
class kde {
    static_assert(is_kernel_v<Kernel>, "mi::kde: Kernel must be a kernel policy (see mi/kernels/concept.hpp): " MI_KERNEL_REQUIREMENTS);
    static_assert(is_noise_v<Noise>, "mi::kde: Noise must be a noise policy (see mi/kernels/concept.hpp): " MI_NOISE_REQUIREMENTS);

public:
    static constexpr mi::resampling resampling = mi::resampling::input_groups;  // bootstrap: an input's rows stay together for H(T|X)
    kde() = default;
    explicit kde(Noise noise, Kernel kernel = Kernel{}) : noise_(std::move(noise)), kernel_(std::move(kernel)) {}
    /// The common case in one number: Noise(parameter), e.g. mi::kde<>(0.1) is fixed_noise(0.1),
    /// the noise variance 0.1 (adaptive_noise: its base). For noise policies built from a double.
    template <class N = Noise, std::enable_if_t<std::is_constructible_v<N, double>, int> = 0>
    explicit kde(double noise_parameter) : noise_(noise_parameter) {}

    const Noise& noise() const noexcept { return noise_; }
    const Kernel& kernel() const noexcept { return kernel_; }

    /// The component kernel for this layer (its variance from the noise policy).
    template <class T>
    Kernel kernel_for(const activation_view<const T>& layer) const {
        return kernel_.with_variance(noise_.variance(layer));
    }

    /// Lower (Bhattacharyya) and upper (KL) bounds on H(T + noise), nats.
    template <class T>
    bounds entropy(const activation_view<const T>& layer) const {
        detail::check_activations(layer, "mi::kde::entropy", "layer");
        const frame<T> f(*this, layer, "mi::kde::entropy");
        const bounds h = entropy_with(f.view(), f.kernel);
        const double shift = f.entropy_shift(layer.cols());
        return detail::finite(bounds{h.lower + shift, h.upper + shift}, "mi::kde::entropy", "bounds on H(T)");
    }

    /// Lower and upper bounds on I(X;T) = H(T) - H(T|X), nats (see the header for repeated inputs).
    /// Without input ids every row is its own input.
    template <class T>
    bounds mutual_information(const activation_view<const T>& layer, const input_ids& x) const {
        detail::check_activations(layer, "mi::kde::mutual_information", "layer");
        x.check_rows(layer.rows(), "mi::kde::mutual_information");
        const frame<T> f(*this, layer, "mi::kde::mutual_information");
        return detail::finite(ixt(f.view(), x, f.kernel, entropy_with(f.view(), f.kernel)),
                              "mi::kde::mutual_information", "bounds on I(X;T)");
    }

    template <class T>
    bounds mutual_information(const activation_view<const T>& layer) const {
        return mutual_information(layer, input_ids());
    }

    /// "Lower" and "upper" I(T;Y) = H(T) - sum_l p_l H(T|Y=l), nats.
    template <class T>
    bounds mutual_information(const activation_view<const T>& layer, const labels& y) const {
        detail::check_activations(layer, "mi::kde::mutual_information", "layer");
        detail::check_same_rows(y.size(), layer.rows(), "mi::kde::mutual_information", "labels size");
        const frame<T> f(*this, layer, "mi::kde::mutual_information");
        const auto [h, conditional] = entropy_and_conditional(f.view(), y, f.kernel);
        return detail::finite(bounds{h.lower - conditional.lower, h.upper - conditional.upper},
                              "mi::kde::mutual_information", "bounds on I(T;Y)");
    }

    /// The plane point: ixt / ity are the upper values, both bounds alongside.
    template <class T>
    plane_point point(const activation_view<const T>& layer, const samples& s) const {
        detail::check_activations(layer, "mi::kde::point", "layer");
        s.check_rows(layer.rows(), "mi::kde::point");
        s.inputs().check_rows(layer.rows(), "mi::kde::point");
        const frame<T> f(*this, layer, "mi::kde::point");
        const auto [h, conditional] = entropy_and_conditional(f.view(), s.labels(), f.kernel);
        plane_point p;
        p.ixt_bounds = ixt(f.view(), s.inputs(), f.kernel, h);
        p.ity_bounds = bounds{h.lower - conditional.lower, h.upper - conditional.upper};
        p.ixt = p.ixt_bounds->upper;
        p.ity = p.ity_bounds->upper;
        p.ixt_kind = ixt_quantity::mutual_information;
        return detail::finite(p, "mi::kde::point");
    }

    std::string name() const { return "kde"; }
    std::string parameters() const {
        return "kernel=" + std::string(kernel_.name()) + ";noise=" + std::string(noise_.name()) + ";" +
               noise_.parameters() + ";ixt=upper;ity=upper";
    }

private:
    // The layer and its kernel in units where T's arithmetic is safe (mi/kernels/kernel_frame.hpp).
    template <class T>
    struct frame : detail::kernel_frame<T> {
        Kernel kernel;
        frame(const kde& e, const activation_view<const T>& layer, const char* where)
            : detail::kernel_frame<T>(
                  layer, [&e](const activation_view<const T>& v) { return e.noise_.variance(v); },
                  detail::scales_with_layer_v<Noise>, where),
              kernel(e.kernel_.with_variance(this->variance())) {}
    };

    /// -(1/N) sum_i (L_i - log N), summed in index order.
    static double mean_neg_log_density(const std::vector<double>& lse) {
        const double log_n = std::log(static_cast<double>(lse.size()));
        double s = 0.0;
        for (double v : lse) s += v - log_n;
        return -s / static_cast<double>(lse.size());
    }

    template <class T>
    static bounds entropy_with(const activation_view<const T>& rows, const Kernel& k) {
        const double h0 = k.component_entropy(rows.cols());
        bounds b;
        b.upper = h0 + mean_neg_log_density(log_sum_kernel(rows, k));
        b.lower = h0 + mean_neg_log_density(log_sum_kernel(rows, k.bhattacharyya()));
        return b;
    }

    template <class T>
    static bounds ixt(const activation_view<const T>& layer, const input_ids& x, const Kernel& k,
                      const bounds& h) {
        const double h0 = k.component_entropy(layer.cols());
        const std::size_t n = layer.rows();
        bounds cond{h0, h0};
        if (!x.all_distinct()) {
            // Group the rows by input (counting sort), then the bound on each group of >= 2 rows.
            const std::size_t groups = x.distinct_count(n);
            std::vector<std::size_t> start(groups + 1, 0), order(n);
            for (std::size_t i = 0; i < n; ++i) ++start[x[i] + 1];
            for (std::size_t g = 0; g < groups; ++g) start[g + 1] += start[g];
            std::vector<std::size_t> fill(start.begin(), start.end() - 1);
            for (std::size_t i = 0; i < n; ++i) order[fill[x[i]]++] = i;
            std::vector<bounds> hg(groups, bounds{h0, h0});
            parallel_for(groups, [&](std::size_t g) {
                const std::size_t m = start[g + 1] - start[g];
                if (m < 2) return;
                std::vector<T> rows;
                hg[g] = entropy_with(detail::gather_rows(layer, order.data() + start[g], m, rows), k);
            });
            cond = bounds{0.0, 0.0};
            for (std::size_t g = 0; g < groups; ++g) {
                const double p = static_cast<double>(start[g + 1] - start[g]) / static_cast<double>(n);
                cond.lower += p * hg[g].lower;
                cond.upper += p * hg[g].upper;
            }
        }
        return bounds{h.lower - cond.lower, h.upper - cond.upper};
    }

    /// (H(T), sum_l (N_l / N) H(T | Y = l)), both as (lower, upper) bounds, every entropy the
    /// bound on its rows. With fewer than gemm_min_dims units (distances formed directly) one pass
    /// gives all of them (detail::pairwise::log_sum_kernel_split: the upper and lower kernels
    /// share each tile's distances, and each row also sums its own class's terms); H(T) is then
    /// entropy_with's bit for bit, and each class term differs from a separate pass over the
    /// class's rows by float rounding only. Wider layers take the separate passes.
    template <class T>
    static std::pair<bounds, bounds> entropy_and_conditional(const activation_view<const T>& layer, const labels& y,
                                                             const Kernel& k) {
        const std::size_t n = layer.rows();
        const auto by_class = y.rows_by_class();
        const double h0 = k.component_entropy(layer.cols());
        bounds h, conditional{0.0, 0.0};
        // (the split form carries class ids as float lane values: exact below 2^24 classes)
        if (layer.cols() >= detail::pairwise::gemm_min_dims || y.classes() > (std::size_t(1) << 24)) {
            h = entropy_with(layer, k);
            for (const auto& rows_l : by_class) {
                if (rows_l.empty()) continue;
                const double p = static_cast<double>(rows_l.size()) / static_cast<double>(n);
                std::vector<std::remove_const_t<T>> rows;
                const bounds hl = entropy_with(detail::gather_rows(layer, rows_l, rows), k);
                conditional.lower += p * hl.lower;
                conditional.upper += p * hl.upper;
            }
            return {h, conditional};
        }
        std::vector<std::uint32_t> cls(n);
        for (std::size_t i = 0; i < n; ++i) cls[i] = static_cast<std::uint32_t>(y[i]);
        const auto sums = detail::pairwise::log_sum_kernel_split(layer, std::array<Kernel, 2>{k, k.bhattacharyya()}, cls);
        h.upper = h0 + mean_neg_log_density(sums[0].all);
        h.lower = h0 + mean_neg_log_density(sums[1].all);
        std::vector<double> upper, lower;
        for (const auto& rows_l : by_class) {
            if (rows_l.empty()) continue;
            const double p = static_cast<double>(rows_l.size()) / static_cast<double>(n);
            upper.clear();
            lower.clear();
            for (const std::size_t i : rows_l) {
                upper.push_back(sums[0].own[i]);
                lower.push_back(sums[1].own[i]);
            }
            conditional.upper += p * (h0 + mean_neg_log_density(upper));
            conditional.lower += p * (h0 + mean_neg_log_density(lower));
        }
        return {h, conditional};
    }

    Noise noise_{};
    Kernel kernel_{};
};

}  // namespace mi

#endif
