// SPDX-License-Identifier: BSD-3-Clause
// global_uniform: `bins` equal-width intervals on the range of a layer over
// ALL recorded epochs, Saxe et al. 2018's rule for ReLU layers (App. B: 100
// bins spanning the activity observed over the whole of training), so
// that one binning is shared by every epoch and codes mean the same thing
// along the trajectory. The range needs the whole recording, so the
// quantizer starts without one: for_layer(epochs) (called by
// binning<global_uniform>::for_layer, the plane driver's hook) or
// with_range(lo, hi) returns a configured copy, and fitting one without a
// range raises mi::error. Once configured it is uniform(bins, lo, hi) (values
// outside the range clipped into the end intervals); a range with lo == hi
// (a layer that never changes) gives a single code, 0.
#ifndef MI_QUANTIZERS_GLOBAL_UNIFORM_HPP
#define MI_QUANTIZERS_GLOBAL_UNIFORM_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/quantizers/fitted_edges.hpp"
#include "mi/quantizers/uniform.hpp"

namespace mi {

class global_uniform {
public:
    explicit global_uniform(std::size_t bins) : bins_(bins) {
        detail::check_bins(bins, "mi::global_uniform");
    }

    /// A copy configured with the recorded range [lo, hi] (lo <= hi).
    global_uniform with_range(double lo, double hi) const {
        if (!std::isfinite(lo)) detail::fail("mi::global_uniform::with_range", "lo", lo, "a finite value");
        if (!std::isfinite(hi)) detail::fail("mi::global_uniform::with_range", "hi", hi, "a finite value");
        if (lo > hi) detail::fail("mi::global_uniform::with_range", "lo", lo, "<= hi = " + detail::to_text(hi));
        if (lo < hi) uniform(bins_, lo, hi);  // validates the range
        global_uniform g = *this;
        g.lo_ = lo;
        g.hi_ = hi;
        g.has_range_ = true;
        return g;
    }

    /// A copy configured with the range of the layer over every recorded epoch.
    template <class T>
    global_uniform for_layer(const std::vector<activation_view<const T>>& epochs) const {
        if (epochs.empty())
            detail::fail("mi::global_uniform::for_layer", "epochs", "{}", "at least one recorded epoch");
        double lo = 0.0, hi = 0.0;
        for (std::size_t e = 0; e < epochs.size(); ++e) {
            const std::string arg = "epochs[" + std::to_string(e) + "]";
            const auto r = detail::layer_range(epochs[e], "mi::global_uniform::for_layer", arg.c_str());
            lo = e == 0 ? r.first : std::min(lo, r.first);
            hi = e == 0 ? r.second : std::max(hi, r.second);
        }
        return with_range(lo, hi);
    }

    template <class T>
    fitted_edges<T> fit(const activation_view<const T>& /*layer*/) const {
        if (!has_range_)
            detail::fail("mi::global_uniform::fit", "range", "unset",
                         "the layer's range over all recorded epochs: configure the quantizer with "
                         "binning<global_uniform>::for_layer(epochs), global_uniform::for_layer(epochs) "
                         "or global_uniform::with_range(lo, hi) first");
        if (!(lo_ < hi_)) return fitted_edges<T>(std::vector<double>{}, edge_convention::count);
        return uniform(bins_, lo_, hi_).fitted<T>();
    }

    std::string name() const { return "global_uniform"; }
    std::string parameters() const {
        std::string p = "quantizer=global_uniform;bins=" + std::to_string(bins_);
        if (!has_range_) return p + ";range=unset";
        return p + ";lo=" + detail::to_text(lo_) + ";hi=" + detail::to_text(hi_);
    }

    std::size_t bins() const noexcept { return bins_; }
    bool has_range() const noexcept { return has_range_; }
    double lo() const noexcept { return lo_; }
    double hi() const noexcept { return hi_; }

private:
    std::size_t bins_;
    double lo_ = 0.0, hi_ = 0.0;
    bool has_range_ = false;
};

}  // namespace mi

#endif
