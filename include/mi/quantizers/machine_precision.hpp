// SPDX-License-Identifier: BSD-3-Clause
// machine_precision: every distinct activation value is its own bin, the
// "no binning" limit in which a deterministic network's I(X;T) equals H(X)
// for injective layers (Saxe et al. 2018, Goldfeld et al. 2019 make this
// point: binned MI of a continuous deterministic map measures the binning).
//
// Codes must fit in int32, and a double does not, so codes are RANKS among the
// distinct values the fit saw (-0 and +0 are one value): the j-th smallest
// seen value v_j gets code 2j + 1, and a value not seen by fit gets the even
// code 2j of the gap it falls in (v_j-1 < x < v_j; 0 below the smallest, 2M
// above the largest of M values). So codes are non-decreasing in x, a seen
// value never shares a code with another value, and unseen values in the same
// gap share one. At most 2^30 - 1 distinct values (int32 codes).
//
// encode is a scalar binary search per value (the task of this quantizer is
// exactness, not speed).
#ifndef MI_QUANTIZERS_MACHINE_PRECISION_HPP
#define MI_QUANTIZERS_MACHINE_PRECISION_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/rows.hpp"
#include "mi/quantizers/fitted_edges.hpp"

namespace mi {

template <class T>
class fitted_machine_precision {
public:
    using value_type = T;
    /// `values`: finite; sorted and deduplicated here.
    explicit fitted_machine_precision(std::vector<T> values) : values_(std::move(values)) {
        for (std::size_t j = 0; j < values_.size(); ++j)
            if (!std::isfinite(values_[j]))
                detail::fail("mi::fitted_machine_precision", ("values[" + std::to_string(j) + "]").c_str(),
                             values_[j], "a finite value");
        for (auto& v : values_)
            if (v == T(0)) v = T(0);  // -0 -> +0
        std::sort(values_.begin(), values_.end());
        values_.erase(std::unique(values_.begin(), values_.end()), values_.end());
        if (values_.size() >= (std::size_t(1) << 30))
            detail::fail("mi::machine_precision::fit", "distinct values", values_.size(),
                         "fewer than 2^30 (int32 codes)");
    }

    std::int32_t code(double x) const {
        detail::check_code_argument(x, "mi::fitted_machine_precision::code");
        const auto it = std::lower_bound(values_.begin(), values_.end(), x,
                                         [](T v, double y) { return static_cast<double>(v) < y; });
        const auto j = static_cast<std::int32_t>(it - values_.begin());
        const bool seen = it != values_.end() && static_cast<double>(*it) == x;
        return 2 * j + (seen ? 1 : 0);
    }

    void encode(const T* x, std::size_t n, std::int32_t* codes) const {
        for (std::size_t i = 0; i < n; ++i) {
            const T v = x[i];
            const auto it = std::lower_bound(values_.begin(), values_.end(), v);
            const auto j = static_cast<std::int32_t>(it - values_.begin());
            codes[i] = 2 * j + (it != values_.end() && *it == v ? 1 : 0);
        }
    }

    /// Each seen value v in (lo, hi) starts its own code at v and ends it at the next double.
    std::vector<double> boundaries(double lo, double hi) const {
        std::vector<double> out;
        for (const T v : values_) {
            const double a = static_cast<double>(v);
            const double b = std::nextafter(a, std::numeric_limits<double>::infinity());
            if (a > lo && a < hi) out.push_back(a);
            if (b > lo && b < hi) out.push_back(b);
        }
        return out;
    }

    /// The distinct values seen by fit, sorted.
    const std::vector<T>& values() const noexcept { return values_; }

private:
    std::vector<T> values_;
};

struct machine_precision {
    template <class T>
    fitted_machine_precision<T> fit(const activation_view<const T>& layer) const {
        detail::check_activations(layer, "mi::machine_precision::fit", "layer");
        std::vector<T> v = detail::pooled_values(layer);
        return fitted_machine_precision<T>(std::move(v));
    }
    std::string name() const { return "machine_precision"; }
    std::string parameters() const { return "quantizer=machine_precision"; }
};

}  // namespace mi

#endif
