// SPDX-License-Identifier: BSD-3-Clause
// The one include users need: every estimator, every policy and the
// information-plane driver. Headers that need LAPACK are included only when
// xtensor-blas is available (link mi::linalg for them).
#ifndef MI_PLANE_HPP
#define MI_PLANE_HPP

#include "mi/version.hpp"

#include "mi/core/activation_view.hpp"
#include "mi/core/build_info.hpp"
#include "mi/core/discrete.hpp"
#include "mi/core/error.hpp"
#include "mi/core/input_ids.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/random.hpp"
#include "mi/core/samples.hpp"
#include "mi/core/simd.hpp"
#include "mi/core/units.hpp"

// quantizers and the binning estimator
#include "mi/quantizers/fitted_edges.hpp"
#include "mi/quantizers/uniform.hpp"
#include "mi/quantizers/fixed_width.hpp"
#include "mi/quantizers/adaptive_uniform.hpp"
#include "mi/quantizers/global_uniform.hpp"
#include "mi/quantizers/equal_mass.hpp"
#include "mi/quantizers/distinct_value_quantiles.hpp"
#include "mi/quantizers/bin_edges.hpp"
#include "mi/quantizers/machine_precision.hpp"
#include "mi/estimators/binning.hpp"

// kernel estimators (KDE) and their pairwise engine
#include "mi/kernels/gaussian.hpp"
#include "mi/kernels/noise.hpp"
#include "mi/kernels/pairwise.hpp"
#include "mi/estimators/kde.hpp"

// k-nearest-neighbour estimators (Kozachenko-Leonenko, KSG, Ross) and their search policies
#include "mi/search/metric.hpp"
#include "mi/search/ties.hpp"
#include "mi/search/brute_force.hpp"
#include "mi/search/kd_tree.hpp"
#include "mi/search/grid.hpp"
#include "mi/search/automatic.hpp"
#include "mi/estimators/kl_entropy.hpp"
#include "mi/estimators/ksg.hpp"
#include "mi/estimators/sliced.hpp"

// the remaining families: exact / closed-form, Monte Carlo, matrix-based, discrete
#include "mi/core/special.hpp"
#include "mi/estimators/minimal_model.hpp"
#include "mi/estimators/sample_propagation.hpp"
#include "mi/estimators/decision_rule.hpp"
#include "mi/estimators/edge.hpp"
#include "mi/estimators/exact_counting.hpp"
#include "mi/projections/concept.hpp"
#include "mi/projections/random_projection.hpp"
#include "mi/estimators/weighted_kl.hpp"
#include "mi/estimators/compressed.hpp"
#if __has_include(<xtensor-blas/xlinalg.hpp>)
#include "mi/estimators/linear_gaussian.hpp"
#include "mi/estimators/gaussian_bound.hpp"
#include "mi/estimators/renyi.hpp"
#include "mi/projections/pca.hpp"
#endif

#include "mi/estimators/concept.hpp"
#include "mi/plane/recording.hpp"
#include "mi/plane/trajectory.hpp"
#include "mi/plane/information_plane.hpp"
#include "mi/plane/csv.hpp"
#include "mi/plane/saved.hpp"

#endif
