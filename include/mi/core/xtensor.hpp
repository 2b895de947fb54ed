// SPDX-License-Identifier: BSD-3-Clause
// The one place mi includes xtensor. xtensor 0.26 moved its headers into
// subfolders (xtensor/containers/xtensor.hpp ...) without forwarding headers;
// Debian ships the flat 0.24 layout. Include this instead of xtensor directly.
// mi-provides: xt
#ifndef MI_CORE_XTENSOR_HPP
#define MI_CORE_XTENSOR_HPP

#if __has_include(<xtensor/containers/xtensor.hpp>)
#include <xtensor/containers/xadapt.hpp>
#include <xtensor/containers/xarray.hpp>
#include <xtensor/containers/xtensor.hpp>
#include <xtensor/core/xmath.hpp>
#include <xtensor/views/xview.hpp>
#else
#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>
#endif

#endif
