// SPDX-License-Identifier: BSD-3-Clause
// uniform: equal-width intervals on a fixed range [lo, hi], the binning of
// Shwartz-Ziv & Tishby 2017 and of Saxe et al. 2018 (App. B) for bounded
// (tanh) layers. Two conventions, because the papers' code does not do what
// "30 equal bins on [-1, 1]" suggests and results depend on it:
//
// * uniform(bins, lo, hi): `bins` intervals of width (hi - lo) / bins. The
//   interior edges are numpy.linspace(lo, hi, bins + 1)[1:-1]; an interval is
//   [e_k, e_k+1) (a value exactly on an edge goes up, as numpy.digitize does),
//   codes are 0 .. bins-1, and values outside [lo, hi] are clipped into the
//   first / last interval (hi itself is in the last one).
//
// * uniform::idnns(edges = 30, lo = -1, hi = 1): IDNNs' rule exactly
//   (ravidziv/IDNNs information_process.py: bins = linspace(-1, 1, 30) cast to
//   float32, then bins[digitize(a, bins) - 1]). 30 EDGES, i.e. 29 intervals:
//   code k (0..28) for [e_k, e_k+1), code 29 for a >= 1 (saturated tanh and
//   every ReLU value >= 1 share it), and a < -1 has digitize index 0, so
//   bins[-1] wraps to the last edge: the same code 29 as a >= 1. The edges are
//   the float32 roundings of numpy's float64 linspace, as in IDNNs.
//
// The fitted type is mi::fitted_edges<T> (see fitted_edges.hpp for the
// quantizer interface). fit does not look at the data.
#ifndef MI_QUANTIZERS_UNIFORM_HPP
#define MI_QUANTIZERS_UNIFORM_HPP

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/quantizers/fitted_edges.hpp"

namespace mi {

class uniform {
public:
    /// `bins` equal intervals on [lo, hi]; values outside are clipped into the end intervals.
    uniform(std::size_t bins, double lo, double hi) : uniform(bins, lo, hi, false, "mi::uniform") {}

    /// IDNNs' convention: `edges` float32 edges numpy.linspace(lo, hi, edges), code = index of
    /// the left edge, values >= the top edge and values < lo share the last code (edges - 1).
    static uniform idnns(std::size_t edges = 30, double lo = -1.0, double hi = 1.0) {
        if (edges < 2) detail::fail("mi::uniform::idnns", "edges", edges, ">= 2");
        return uniform(edges, lo, hi, true, "mi::uniform::idnns");
    }

    template <class T>
    fitted_edges<T> fit(const activation_view<const T>& /*layer*/) const {
        return fitted<T>();
    }

    /// The fitted quantizer (uniform does not depend on the data).
    template <class T>
    fitted_edges<T> fitted() const {
        std::vector<double> e;
        if (idnns_) {
            for (std::size_t i = 0; i < count_; ++i)
                e.push_back(static_cast<double>(detail::to_type<float>(detail::linspace_point(lo_, hi_, count_, i))));
            return fitted_edges<T>(std::move(e), edge_convention::left_edge_wrap);
        }
        for (std::size_t i = 1; i < count_; ++i) e.push_back(detail::linspace_point(lo_, hi_, count_ + 1, i));
        return fitted_edges<T>(std::move(e), edge_convention::count);
    }

    std::string name() const { return "uniform"; }
    std::string parameters() const {
        if (idnns_)
            return "quantizer=uniform;convention=idnns;edges=" + std::to_string(count_) +
                   ";lo=" + detail::to_text(lo_) + ";hi=" + detail::to_text(hi_);
        return "quantizer=uniform;bins=" + std::to_string(count_) + ";lo=" + detail::to_text(lo_) +
               ";hi=" + detail::to_text(hi_);
    }

    /// Number of intervals (clip convention) or of edges (IDNNs convention).
    std::size_t count() const noexcept { return count_; }
    double lo() const noexcept { return lo_; }
    double hi() const noexcept { return hi_; }
    bool is_idnns() const noexcept { return idnns_; }

private:
    uniform(std::size_t count, double lo, double hi, bool idnns, const char* where)
        : count_(count), lo_(lo), hi_(hi), idnns_(idnns) {
        detail::check_bins(count, where);
        if (!std::isfinite(lo)) detail::fail(where, "lo", lo, "a finite value");
        if (!std::isfinite(hi)) detail::fail(where, "hi", hi, "a finite value");
        if (!(lo < hi)) detail::fail(where, "lo", lo, "< hi = " + detail::to_text(hi));
        if (!std::isfinite(hi - lo))
            detail::fail(where, "hi - lo", hi - lo, "a finite range");
    }

    std::size_t count_;
    double lo_, hi_;
    bool idnns_;
};

}  // namespace mi

#endif
