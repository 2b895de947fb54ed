// SPDX-License-Identifier: BSD-3-Clause
// Synthetic tasks of the information-plane papers, generated from a seed
// through mi::rng (same seed, same data on every platform), as engine datasets:
//
// - linear_teacher (Saxe et al. 2018 §3, App. G): X ~ N(0, I/N_i),
//   Y = W_o X + eps, W_o entries N(0, teacher_std^2), eps ~ N(0, noise_std^2 I).
//   Regression targets (train with output_spec::mse()); the teacher is returned
//   so exact Gaussian MI can be computed.
// - relevant_irrelevant (Saxe et al. §5): the inputs are [X_rel, X_irr], both
//   N(0, I/N_i) with N_i the total input width, and the target is a linear
//   teacher of X_rel only, so I(X_irr; Y) = 0 by construction.
// - gaussian / gaussian_mixture (student reproduction of Goldfeld et al.,
//   train_mc_single_gaussian.py, train_mc_gaussian.py): x ~ N(0, 0.25) or
//   1/2 N(-1, 0.25) + 1/2 N(1, 0.25) (variance 0.25, std 0.5); y = sign(x):
//   label 1 iff x > 0, target +1 / -1.
// - discrete_four (Goldfeld et al.'s minimal example; student train.py): x
//   uniform on {-3, -1, 1, 3}, label 1 iff x = 3, target +1 / -1.
// - discrete_eight (student train_eight.py): x uniform on {1, ..., 8}, label 1
//   iff x > 4, target 0 (x <= 4) or 0.25 (x > 4), as that code regresses on.
// Every draw is independent (sampling with replacement), as in the papers.
#ifndef MI_EXAMPLES_DATASETS_SYNTHETIC_HPP
#define MI_EXAMPLES_DATASETS_SYNTHETIC_HPP

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/dataset.hpp"
#include "mi/core/error.hpp"
#include "mi/core/random.hpp"

namespace mi_examples::datasets {

/// A linear-teacher dataset and its teacher.
template <class T = float>
struct teacher_task {
    engine::dataset<T> data;
    std::vector<double> teacher;  ///< N_o x N_rel, row-major
    std::size_t relevant = 0;     ///< the teacher reads inputs 0..relevant-1
    double noise_std = 0.0;
};

namespace detail {
inline void require_positive(std::size_t v, const char* where, const char* argument) {
    if (v == 0) mi::detail::fail(where, argument, v, ">= 1");
}
inline void require_std(double v, const char* where, const char* argument) {
    if (!(v >= 0.0) || !std::isfinite(v)) mi::detail::fail(where, argument, v, "a finite value >= 0");
}
}  // namespace detail

/// Saxe et al. §5: n samples of [X_rel (relevant), X_irr (irrelevant)] and Y = W_o X_rel + eps.
template <class T = float>
teacher_task<T> relevant_irrelevant(std::size_t n, std::size_t relevant, std::size_t irrelevant, std::size_t outputs,
                                    double noise_std, std::uint64_t seed, double teacher_std = 1.0) {
    const char* where = "mi_examples::datasets::relevant_irrelevant";
    detail::require_positive(n, where, "n");
    detail::require_positive(relevant, where, "relevant");
    detail::require_positive(outputs, where, "outputs");
    detail::require_std(noise_std, where, "noise_std");
    detail::require_std(teacher_std, where, "teacher_std");
    const std::size_t d = relevant + irrelevant;
    teacher_task<T> t;
    t.relevant = relevant;
    t.noise_std = noise_std;
    mi::rng g_teacher(mi::derive_seed(seed, 1)), g_x(mi::derive_seed(seed, 2)), g_eps(mi::derive_seed(seed, 3));
    t.teacher.resize(outputs * relevant);
    for (auto& w : t.teacher) w = teacher_std * g_teacher.normal();
    auto& ds = t.data;
    ds.n = n;
    ds.d = d;
    ds.k = outputs;
    ds.x.resize(n * d);
    ds.targets.resize(n * outputs);
    const double sx = 1.0 / std::sqrt(static_cast<double>(d));
    std::vector<double> row(d);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < d; ++j) {
            row[j] = sx * g_x.normal();
            ds.x[i * d + j] = static_cast<T>(row[j]);
        }
        for (std::size_t o = 0; o < outputs; ++o) {
            double y = 0.0;
            for (std::size_t j = 0; j < relevant; ++j) y += t.teacher[o * relevant + j] * row[j];
            ds.targets[i * outputs + o] = static_cast<T>(y + noise_std * g_eps.normal());
        }
    }
    return t;
}

/// Saxe et al. §3: X ~ N(0, I/N_i) (N_i = inputs), Y = W_o X + eps.
template <class T = float>
teacher_task<T> linear_teacher(std::size_t n, std::size_t inputs, std::size_t outputs, double noise_std,
                               std::uint64_t seed, double teacher_std = 1.0) {
    return relevant_irrelevant<T>(n, inputs, 0, outputs, noise_std, seed, teacher_std);
}

namespace detail {
template <class T>
engine::dataset<T> scalar_task(std::size_t n, const char* where) {
    require_positive(n, where, "n");
    engine::dataset<T> ds;
    ds.n = n;
    ds.d = 1;
    ds.k = 1;
    ds.classes = 2;
    ds.x.resize(n);
    ds.labels.resize(n);
    ds.targets.resize(n);
    return ds;
}
template <class T>
void sign_labels(engine::dataset<T>& ds) {
    for (std::size_t i = 0; i < ds.n; ++i) {
        ds.labels[i] = ds.x[i] > T(0) ? 1u : 0u;
        ds.targets[i] = ds.x[i] > T(0) ? T(1) : T(-1);
    }
}
}  // namespace detail

/// x ~ N(mean, std^2) (student repo: N(0, 0.25), std 0.5); y = sign(x).
template <class T = float>
engine::dataset<T> gaussian(std::size_t n, std::uint64_t seed, double mean = 0.0, double std = 0.5) {
    auto ds = detail::scalar_task<T>(n, "mi_examples::datasets::gaussian");
    detail::require_std(std, "mi_examples::datasets::gaussian", "std");
    mi::rng g(seed);
    for (auto& x : ds.x) x = static_cast<T>(mean + std * g.normal());
    detail::sign_labels(ds);
    return ds;
}

/// x ~ 1/2 N(-center, std^2) + 1/2 N(center, std^2) (student repo: center 1, std 0.5); y = sign(x).
template <class T = float>
engine::dataset<T> gaussian_mixture(std::size_t n, std::uint64_t seed, double center = 1.0, double std = 0.5) {
    auto ds = detail::scalar_task<T>(n, "mi_examples::datasets::gaussian_mixture");
    detail::require_std(std, "mi_examples::datasets::gaussian_mixture", "std");
    mi::rng g(seed);
    for (auto& x : ds.x) {
        const double c = g.below(2) == 0 ? -center : center;
        x = static_cast<T>(c + std * g.normal());
    }
    detail::sign_labels(ds);
    return ds;
}

/// x uniform on {-3, -1, 1, 3}; label 1 iff x = 3; target +1 / -1 (Goldfeld et al.'s minimal example).
template <class T = float>
engine::dataset<T> discrete_four(std::size_t n, std::uint64_t seed) {
    auto ds = detail::scalar_task<T>(n, "mi_examples::datasets::discrete_four");
    mi::rng g(seed);
    for (std::size_t i = 0; i < n; ++i) {
        const int v = 2 * static_cast<int>(g.below(4)) - 3;
        ds.x[i] = static_cast<T>(v);
        ds.labels[i] = v == 3 ? 1u : 0u;
        ds.targets[i] = v == 3 ? T(1) : T(-1);
    }
    return ds;
}

/// x uniform on {1, ..., 8}; label 1 iff x > 4; target 0 or 0.25 (student train_eight.py).
template <class T = float>
engine::dataset<T> discrete_eight(std::size_t n, std::uint64_t seed) {
    auto ds = detail::scalar_task<T>(n, "mi_examples::datasets::discrete_eight");
    mi::rng g(seed);
    for (std::size_t i = 0; i < n; ++i) {
        const int v = 1 + static_cast<int>(g.below(8));
        ds.x[i] = static_cast<T>(v);
        ds.labels[i] = v > 4 ? 1u : 0u;
        ds.targets[i] = v > 4 ? T(0.25) : T(0);
    }
    return ds;
}

}  // namespace mi_examples::datasets

#endif
