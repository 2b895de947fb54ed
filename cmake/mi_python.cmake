# SPDX-License-Identifier: BSD-3-Clause
# The Python package mi (python/): the pybind11 extension mi._mi_<isa> built into
# ${CMAKE_BINARY_DIR}/python/mi/ next to copies of every python/mi/*.py, so that
# PYTHONPATH=${CMAKE_BINARY_DIR}/python imports it, and the ctest python_tests
# (pytest over python/tests with Debian's python3). setup.py builds the same
# module for pip.
#
# Included when MI_BUILD_PYTHON (CMakeLists.txt: on by default when pybind11 (CONFIG) and
# the Python 3 development files are found; ON with either missing is a configure error).
if(NOT pybind11_FOUND)  # MI_BUILD_PYTHON=ON asked for where the default did not look
  if(NOT DEFINED Python3_EXECUTABLE AND EXISTS /usr/bin/python3)
    set(Python3_EXECUTABLE /usr/bin/python3)
  endif()
  find_package(Python3 COMPONENTS Interpreter Development.Module QUIET)
  find_package(pybind11 CONFIG QUIET)
endif()
if(NOT pybind11_FOUND OR NOT Python3_Development.Module_FOUND)
  message(FATAL_ERROR "MI_BUILD_PYTHON=ON needs pybind11 (CONFIG) and the Python 3 development files")
endif()
if(NOT TARGET mi::linalg)
  message(FATAL_ERROR "MI_BUILD_PYTHON=ON needs mi::linalg (xtensor-blas, BLAS, LAPACK) for mi.renyi")
endif()
set(_mi_py_out ${CMAKE_BINARY_DIR}/python/mi)
# One extension module per SIMD instruction set, from the same sources (mi is header-only:
# the -m flags fix xsimd's width): mi._mi_sse2 (the baseline, no extra flags; always built,
# target mi_python), mi._mi_avx2 and mi._mi_avx512 (targets mi_python_avx2, mi_python_avx512,
# built with mi_python when listed in MI_PYTHON_ISAS). python/mi/__init__.py imports the best
# one the CPU supports. Only the baseline by default, so that CI compiles the module once.
# Keep the flags in step with setup.py (ISA_FLAGS) and python/mi/__init__.py (_ISA_REQUIRES);
# -ffp-contract=off keeps scalar rounding as in the baseline (binning bit-identical across variants).
set(MI_PYTHON_ISAS "sse2" CACHE STRING
    "SIMD variants of the Python extension to build (a list of sse2, avx2, avx512; sse2 is always built)")
set(_mi_py_flags_sse2 "")
set(_mi_py_flags_avx2 -mavx2 -mfma -mbmi -mbmi2 -ffp-contract=off)
set(_mi_py_flags_avx512 -mavx512f -mavx512cd -mavx512bw -mavx512dq -mavx512vl -mavx2 -mfma -mbmi -mbmi2
    -ffp-contract=off)
foreach(_isa IN LISTS MI_PYTHON_ISAS)
  if(NOT _isa MATCHES "^(sse2|avx2|avx512)$")
    message(FATAL_ERROR "MI_PYTHON_ISAS: unknown instruction set '${_isa}' (expected sse2, avx2, avx512)")
  endif()
  if(NOT _isa STREQUAL "sse2" AND NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    message(FATAL_ERROR "MI_PYTHON_ISAS: the ${_isa} variant needs GCC or Clang (-m flags)")
  endif()
endforeach()

function(_mi_python_variant target isa)
  pybind11_add_module(${target} MODULE NO_EXTRAS
    ${CMAKE_CURRENT_SOURCE_DIR}/python/src/module.cpp
    ${CMAKE_CURRENT_SOURCE_DIR}/python/src/estimators.cpp)
  target_link_libraries(${target} PRIVATE mi::mi mi::linalg)
  # Portable like every other mi program unless MI_NATIVE; no debug info (the module is large).
  if(MI_NATIVE)
    target_link_libraries(${target} PRIVATE mi_native)
  endif()
  target_compile_definitions(${target} PRIVATE MI_PY_MODULE_NAME=_mi_${isa} MI_PY_ISA=${isa})
  target_compile_options(${target} PRIVATE $<$<CONFIG:>:-O2> -g0 ${_mi_py_flags_${isa}})
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME _mi_${isa}
    LIBRARY_OUTPUT_DIRECTORY ${_mi_py_out}
    LIBRARY_OUTPUT_DIRECTORY_RELEASE ${_mi_py_out}
    LIBRARY_OUTPUT_DIRECTORY_DEBUG ${_mi_py_out}
    LIBRARY_OUTPUT_DIRECTORY_RELWITHDEBINFO ${_mi_py_out}
    LIBRARY_OUTPUT_DIRECTORY_MINSIZEREL ${_mi_py_out})
endfunction()

_mi_python_variant(mi_python sse2)
foreach(_isa avx2 avx512)
  if(_isa IN_LIST MI_PYTHON_ISAS)
    _mi_python_variant(mi_python_${_isa} ${_isa})
    add_dependencies(mi_python mi_python_${_isa})
  endif()
endforeach()
# A module of an earlier layout (mi._mi, one variant) left in the build tree is never imported.
file(GLOB _mi_py_stale ${_mi_py_out}/_mi.*)
if(_mi_py_stale)
  file(REMOVE ${_mi_py_stale})
endif()
# Every python/mi/*.py, copied on every build (a target that is always out of date, and
# cheap), so that an edited or new file reaches the build tree without re-running CMake or
# relinking the extension.
add_custom_target(mi_python_sources ALL
  COMMAND ${CMAKE_COMMAND} -DSRC=${CMAKE_CURRENT_SOURCE_DIR}/python/mi -DDST=${_mi_py_out}
          -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/mi_python_copy.cmake
  VERBATIM)
foreach(_target mi_python mi_python_avx2 mi_python_avx512)
  if(TARGET ${_target})
    add_dependencies(${_target} mi_python_sources)
  endif()
endforeach()

if(NOT DEFINED MI_SYSTEM_PYTHON)
  find_program(MI_SYSTEM_PYTHON NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
  find_program(MI_SYSTEM_PYTHON NAMES python3)
endif()
if(MI_SYSTEM_PYTHON)
  enable_testing()
  add_test(NAME python_tests
    COMMAND ${MI_SYSTEM_PYTHON} -m pytest -q -p no:cacheprovider ${CMAKE_CURRENT_SOURCE_DIR}/python/tests
    WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
  set_tests_properties(python_tests PROPERTIES
    ENVIRONMENT "PYTHONPATH=${CMAKE_BINARY_DIR}/python;MI_TEST_DATA_DIR=${CMAKE_CURRENT_SOURCE_DIR}/tests/data"
    TIMEOUT 900)
endif()
