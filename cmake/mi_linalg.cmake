# SPDX-License-Identifier: BSD-3-Clause
# mi::linalg: the LAPACK-backed estimators (linear_gaussian, gaussian_bound,
# renyi) need xtensor-blas and a BLAS/LAPACK; this target carries those
# requirements so that mi::mi does not. It links the imported targets
# BLAS::BLAS and LAPACK::LAPACK (CMake >= 3.18), never library paths, so the
# installed package finds the consumer's own BLAS/LAPACK (cmake/miConfig.cmake.in).
#
# MI_WITH_LINALG: AUTO provides mi::linalg when everything is found, ON makes
# a missing piece a configure error, OFF skips the search. Sets MI_HAVE_LINALG.
set(MI_HAVE_LINALG OFF)
string(TOUPPER "${MI_WITH_LINALG}" _mi_linalg_mode)
if(_mi_linalg_mode STREQUAL "AUTO" OR MI_WITH_LINALG)
  find_package(xtensor-blas CONFIG QUIET)
  find_package(BLAS QUIET)
  find_package(LAPACK QUIET)
  set(_mi_linalg_missing "")
  if(NOT xtensor-blas_FOUND)
    list(APPEND _mi_linalg_missing "xtensor-blas")
  endif()
  if(CMAKE_VERSION VERSION_LESS 3.18)
    list(APPEND _mi_linalg_missing "CMake >= 3.18 (BLAS::BLAS, LAPACK::LAPACK targets)")
  endif()
  if(NOT TARGET BLAS::BLAS)
    list(APPEND _mi_linalg_missing "BLAS")
  endif()
  if(NOT TARGET LAPACK::LAPACK)
    list(APPEND _mi_linalg_missing "LAPACK")
  endif()
  if(_mi_linalg_missing)
    list(JOIN _mi_linalg_missing ", " _mi_linalg_missing)
    if(_mi_linalg_mode STREQUAL "AUTO")
      message(STATUS "mi: mi::linalg not available (missing ${_mi_linalg_missing})")
    else()
      message(FATAL_ERROR "mi: MI_WITH_LINALG=${MI_WITH_LINALG} but ${_mi_linalg_missing} not found")
    endif()
  else()
    add_library(mi_linalg INTERFACE)
    add_library(mi::linalg ALIAS mi_linalg)
    set_target_properties(mi_linalg PROPERTIES EXPORT_NAME linalg)
    target_link_libraries(mi_linalg INTERFACE mi xtensor-blas LAPACK::LAPACK BLAS::BLAS)
    set(MI_HAVE_LINALG ON)
  endif()
endif()
