// SPDX-License-Identifier: BSD-3-Clause
// The one include users need: every estimator, every policy and the
// information-plane driver. Headers that need LAPACK are included only when
// xtensor-blas is available (link mi::linalg for them).
#ifndef MI_PLANE_HPP
#define MI_PLANE_HPP

#include "mi/version.hpp"

#include "mi/core/activation_view.hpp"
#include "mi/core/discrete.hpp"
#include "mi/core/error.hpp"
#include "mi/core/input_ids.hpp"
#include "mi/core/labels.hpp"
#include "mi/core/parallel.hpp"
#include "mi/core/random.hpp"
#include "mi/core/samples.hpp"
#include "mi/core/simd.hpp"
#include "mi/core/units.hpp"

#include "mi/plane/point.hpp"

#endif
