// SPDX-License-Identifier: BSD-3-Clause
// example_kernel: the smallest complete kernel policy of the KDE estimator,
// documented member by member (as mlpack's example_kernel.hpp), to copy when
// writing a new one. It is the isotropic Gaussian component written plainly,
// so its estimates equal mi::gaussian_kernel's (tested), which makes it a
// checked template rather than prose.
//
// What a new kernel needs: this header, nothing else in mi: mi::kde<K, Noise>
// accepts any K for which mi::is_kernel_v<K> holds (mi/kernels/concept.hpp),
// and the pairwise engine (mi::log_sum_kernel) calls only log_kernel.
#ifndef MI_KERNELS_EXAMPLE_KERNEL_HPP
#define MI_KERNELS_EXAMPLE_KERNEL_HPP

#include <cmath>
#include <cstddef>
#include <string>

#include "mi/core/error.hpp"
#include "mi/core/simd.hpp"
#include "mi/core/special.hpp"

namespace mi {

class example_kernel {
public:
    /// Default-constructible (kde holds one and replaces its variance per layer).
    example_kernel() = default;
    explicit example_kernel(double variance) : variance_(variance) {
        if (!(std::isfinite(variance) && variance > 0.0))
            detail::fail("mi::example_kernel", "variance", variance, "a finite variance > 0");
    }

    /// log k(d2) of a squared distance d2, for V = float, double and xsimd
    /// batches of them (one template: only arithmetic that xsimd overloads).
    /// Must be non-increasing in d2: the engine takes log_kernel(0) as every
    /// row's largest term. Normalisation constants cancel in the bounds and
    /// belong in component_entropy instead.
    template <class V>
    V log_kernel(const V& d2) const noexcept {
        using S = detail::scalar_of_t<V>;  // float or double, also for a batch
        return d2 * V(static_cast<S>(-0.5 / variance_));
    }

    /// The differential entropy of one mixture component in `dims` dimensions, nats.
    double component_entropy(std::size_t dims) const noexcept {
        return gaussian_entropy(static_cast<double>(dims), variance_);
    }

    /// The same component shape with another noise variance (kde calls it
    /// with its Noise policy's variance for each layer).
    example_kernel with_variance(double variance) const { return example_kernel(variance); }

    /// The kernel exp(-Bhattacharyya distance) of two components, for the
    /// lower bound (for Gaussians: the same shape at four times the variance).
    example_kernel bhattacharyya() const { return example_kernel(4.0 * variance_); }

    std::string name() const { return "example_kernel"; }
    std::string parameters() const { return "variance=" + detail::to_text(variance_); }

private:
    double variance_ = 1.0;
};

}  // namespace mi

#endif
