// SPDX-License-Identifier: BSD-3-Clause
// random_projection: a projection policy (mi/projections/concept.hpp) onto a
// seeded, Haar-distributed orthonormal m-frame of R^d, the data-blind
// compressor: y = (x - mean) Q, Q the Q factor of a d x m matrix of standard
// normals (modified Gram-Schmidt, twice, diagonal of R positive), drawn from
// mi::rng(derive_seed(seed, d)), so the frame depends only on the seed and
// the width of the rows. It is the smallest complete policy (copy it to write
// one) and needs no LAPACK.
//
// Why it is useful beside PCA: Butakov et al. (ICLR 2024, arXiv 2305.08013,
// Algorithm 1) bound the information lost by a compression; a random frame loses
// whatever does not happen to lie in it, PCA keeps the directions of largest
// variance, so the two bracket how much the choice of compressor matters.
//
//   mi::random_projection p(4, 7);     // 4 dimensions, seed 7
//   mi::linear_projection f = p.fit(mi::view(layer));
#ifndef MI_PROJECTIONS_RANDOM_PROJECTION_HPP
#define MI_PROJECTIONS_RANDOM_PROJECTION_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mi/core/activation_view.hpp"
#include "mi/core/error.hpp"
#include "mi/core/random.hpp"
#include "mi/core/stiefel_frame.hpp"
#include "mi/projections/concept.hpp"

namespace mi {

class random_projection {
public:
    /// m >= 1 target dimensions; the frame is drawn from derive_seed(seed, d).
    explicit random_projection(std::size_t dimension = 4, std::uint64_t seed = 0) : m_(dimension), seed_(seed) {
        if (dimension < 1) detail::fail("mi::random_projection", "dimension", dimension, ">= 1");
    }

    std::size_t dimension() const noexcept { return m_; }
    std::uint64_t seed() const noexcept { return seed_; }
    std::string name() const { return "random_projection"; }
    std::string parameters() const { return "dimension=" + std::to_string(m_) + ";seed=" + std::to_string(seed_); }

    /// The centring of the rows and a Haar-random orthonormal frame of min(m, d) columns.
    template <class T>
    linear_projection fit(const activation_view<const T>& rows) const {
        detail::check_activations(rows, "mi::random_projection::fit", "rows");
        linear_projection p;
        p.in = rows.cols();
        p.out = std::min(m_, p.in);
        p.mean = detail::column_means(rows);
        p.basis = frame(p.in, p.out);
        return p;
    }

private:
    std::vector<double> frame(std::size_t d, std::size_t k) const {
        rng r(derive_seed(seed_, d));
        return detail::stiefel_frame(d, k, r);
    }

    std::size_t m_;
    std::uint64_t seed_;
};

}  // namespace mi

#endif
