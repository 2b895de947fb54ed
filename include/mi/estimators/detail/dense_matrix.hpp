// SPDX-License-Identifier: BSD-3-Clause
// dense_matrix: the double matrices of the estimators' linear algebra (covariances, Gram matrices,
// eigenvectors). Row-major doubles whose storage comes from page_friendly_allocator
// (mi/core/scratch.hpp): the matrix-based Renyi estimator allocates N x N Gram matrices afresh for
// every point (512 MB each at N = 8000), and on virtual machines the first touch of each 4 KiB page
// costs microseconds: measured with perf on a 2-core AMD Zen 5 VM (2026-12-07), the faults were a
// third of a Renyi point's time at N = 8000, which fell from 3.8-3.9 s to 1.4-1.8 s with the
// matrices on transparent huge pages (the same values).
#ifndef MI_ESTIMATORS_DETAIL_DENSE_MATRIX_HPP
#define MI_ESTIMATORS_DETAIL_DENSE_MATRIX_HPP

#include "mi/core/scratch.hpp"
#include "mi/core/xtensor.hpp"

namespace mi::detail {

using dense_matrix = xt::xtensor<double, 2, xt::layout_type::row_major, page_friendly_allocator<double>>;

}  // namespace mi::detail

#endif
