// SPDX-License-Identifier: BSD-3-Clause
// bin_edges: bins given by an explicit sorted list of edges, for binnings that are
// not equal-width, e.g. Saxe et al. 2018's minimal-model bins
// tanh(linspace(-50, 50, N)), or bins copied from another tool. The code of x
// is the number of edges <= x (numpy.digitize, side 'right'): values below the
// first edge get code 0, [e_j, e_j+1) gets j + 1, and values >= the last edge
// get code m (m distinct edges). Nothing wraps. Repeated edges are allowed
// (tanh of a wide linspace saturates to +-1.0 in double) and merge; decreasing
// or non-finite edges raise mi::error.
//
// Named bin_edges (formerly mi::edges) so that the quantizer is not one
// letter from mi::edge, the EDGE estimator. Its fitted form is
// mi::fitted_edges<T>, the type every edge-based quantizer fits to
// (mi/quantizers/fitted_edges.hpp).
#ifndef MI_QUANTIZERS_BIN_EDGES_HPP
#define MI_QUANTIZERS_BIN_EDGES_HPP

#include <cmath>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/quantizers/fitted_edges.hpp"

namespace mi {

class bin_edges {
public:
    explicit bin_edges(std::vector<double> values) : values_(std::move(values)) {
        if (values_.empty()) detail::fail("mi::bin_edges", "edges", "{}", "at least one edge");
        for (std::size_t j = 0; j < values_.size(); ++j) {
            const std::string arg = "edges[" + std::to_string(j) + "]";
            if (!std::isfinite(values_[j])) detail::fail("mi::bin_edges", arg.c_str(), values_[j], "a finite value");
            if (j > 0 && values_[j] < values_[j - 1])
                detail::fail("mi::bin_edges", arg.c_str(), values_[j],
                             ">= edges[" + std::to_string(j - 1) + "] = " + detail::to_text(values_[j - 1]) +
                                 " (edges sorted in increasing order)");
        }
    }

    template <class T>
    fitted_edges<T> fit(const activation_view<const T>& /*layer*/) const {
        return fitted<T>();
    }
    template <class T>
    fitted_edges<T> fitted() const {
        return fitted_edges<T>(values_, edge_convention::count);
    }

    std::string name() const { return "bin_edges"; }
    std::string parameters() const {
        return "quantizer=bin_edges;count=" + std::to_string(values_.size()) + ";first=" +
               detail::to_text(values_.front()) + ";last=" + detail::to_text(values_.back());
    }
    const std::vector<double>& values() const noexcept { return values_; }

private:
    std::vector<double> values_;
};

}  // namespace mi

#endif
