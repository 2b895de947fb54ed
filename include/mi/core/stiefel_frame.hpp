// SPDX-License-Identifier: BSD-3-Clause
// stiefel_frame: a random orthonormal k-frame of R^d drawn from the uniform
// (Haar) measure on the Stiefel manifold St(k, d): the Q factor of the QR
// decomposition of a d x k matrix of independent standard normals, with the
// diagonal of R positive (Mezzadri, "How to generate random matrices from
// the classical compact groups", Notices AMS 54(5), 2007, sec. 5). The
// directions of sliced mutual information (mi/estimators/sliced.hpp) and the
// random_projection policy (mi/projections/random_projection.hpp) draw their
// frames here, so the same stream gives the same frame in both.
#ifndef MI_CORE_STIEFEL_FRAME_HPP
#define MI_CORE_STIEFEL_FRAME_HPP

#include <cmath>
#include <cstddef>
#include <vector>

#include "mi/core/random.hpp"

namespace mi::detail {

/// A Haar-distributed orthonormal k-frame of R^d, row-major d x k (column j is the j-th
/// direction): modified Gram-Schmidt (twice) on a d x k standard normal matrix, i.e. the
/// Q of its QR decomposition with a positive diagonal of R. Requires 1 <= k <= d.
inline std::vector<double> stiefel_frame(std::size_t d, std::size_t k, rng& r) {
    std::vector<double> q(d * k);
    for (double& v : q) v = r.normal();
    for (std::size_t j = 0; j < k; ++j) {
        for (int pass = 0; pass < 2; ++pass)
            for (std::size_t m = 0; m < j; ++m) {
                double dot = 0.0;
                for (std::size_t i = 0; i < d; ++i) dot += q[i * k + m] * q[i * k + j];
                for (std::size_t i = 0; i < d; ++i) q[i * k + j] -= dot * q[i * k + m];
            }
        double norm = 0.0;
        for (std::size_t i = 0; i < d; ++i) norm += q[i * k + j] * q[i * k + j];
        norm = std::sqrt(norm);
        // a Gaussian column in the span of the previous ones has probability 0; redraw it if rounding says so
        if (!(norm > 1e-8)) {
            for (std::size_t i = 0; i < d; ++i) q[i * k + j] = r.normal();
            --j;  // j is unsigned, but the loop's ++j brings it back to the same column
            continue;
        }
        for (std::size_t i = 0; i < d; ++i) q[i * k + j] /= norm;
    }
    return q;
}

}  // namespace mi::detail

#endif
