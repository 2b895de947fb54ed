# The consumer matrix: mi used by a separate project the ways its users use it.
# CTest runs one VARIANT per test; "install" is the fixture the others need.
#   install        install mi into a prefix, check that no installed file holds
#                  an absolute path (build, source or prefix), then move the
#                  tree elsewhere and delete the original: every later variant
#                  consumes the relocated copy
#   find           find_package(mi), mi::mi
#   find_linalg    find_package(mi COMPONENTS linalg), mi::linalg + mi::native
#   linalg_missing the same with xtensor-blas hidden: must fail and say so
#   pkgconfig      compile with `pkg-config --cflags --libs mi`
#   subdirectory   add_subdirectory(<mi source>), strict warnings
#   fetchcontent   FetchContent_Declare(mi SOURCE_DIR <mi source>), strict warnings
# Inputs: VARIANT, WORK_DIR, MI_SOURCE_DIR, GENERATOR, CXX, HAVE_LINALG, PKG_CONFIG.
cmake_minimum_required(VERSION 3.16)
set(prefix "${WORK_DIR}/prefix")
set(relocated "${WORK_DIR}/relocated")
set(consumer_src "${MI_SOURCE_DIR}/tests/package")
set(build "${WORK_DIR}/${VARIANT}")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

# Configures, builds and runs the consumer project with the extra arguments given.
function(consume)
  file(REMOVE_RECURSE "${build}")
  run(${CMAKE_COMMAND} -S "${consumer_src}" -B "${build}" -G "${GENERATOR}" -DCMAKE_CXX_COMPILER=${CXX}
      -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF ${ARGN})
  run(${CMAKE_COMMAND} --build "${build}")
  run("${build}/consumer")
  message(STATUS "${VARIANT}: ${run_output}")
endfunction()

if(VARIANT STREQUAL "install")
  file(REMOVE_RECURSE "${WORK_DIR}")
  run(${CMAKE_COMMAND} -S "${MI_SOURCE_DIR}" -B "${WORK_DIR}/mi-build" -G "${GENERATOR}"
      -DCMAKE_CXX_COMPILER=${CXX} -DMI_BUILD_TESTS=OFF -DMI_BUILD_EXAMPLES=OFF -DMI_BUILD_BENCH=OFF
      -DCMAKE_INSTALL_PREFIX=${prefix})
  run(${CMAKE_COMMAND} --install "${WORK_DIR}/mi-build")
  file(GLOB_RECURSE installed LIST_DIRECTORIES false RELATIVE "${prefix}" "${prefix}/*")
  set(absolute "")
  foreach(f IN LISTS installed)
    file(READ "${prefix}/${f}" text)
    foreach(path IN ITEMS "${prefix}" "${WORK_DIR}" "${MI_SOURCE_DIR}")
      string(FIND "${text}" "${path}" at)
      if(at GREATER -1)
        list(APPEND absolute "${f} (${path})")
      endif()
    endforeach()
  endforeach()
  if(absolute)
    message(FATAL_ERROR "installed files with absolute paths: ${absolute}")
  endif()
  foreach(f IN ITEMS include/mi/plane.hpp share/cmake/mi/miConfig.cmake share/cmake/mi/miTargets.cmake
                     share/pkgconfig/mi.pc share/licenses/mi/LICENSE)
    if(NOT f IN_LIST installed)
      message(FATAL_ERROR "not installed: ${f}")
    endif()
  endforeach()
  if(HAVE_LINALG AND NOT "share/cmake/mi/miLinalgTargets.cmake" IN_LIST installed)
    message(FATAL_ERROR "mi::linalg was built but not installed")
  endif()
  file(COPY "${prefix}/" DESTINATION "${relocated}")
  file(REMOVE_RECURSE "${prefix}" "${WORK_DIR}/mi-build")
  list(LENGTH installed n)
  message(STATUS "install: ${n} files, none with an absolute path; relocated to ${relocated}")
elseif(VARIANT STREQUAL "find")
  consume(-DCMAKE_PREFIX_PATH=${relocated})
elseif(VARIANT STREQUAL "find_linalg")
  consume(-DCMAKE_PREFIX_PATH=${relocated} -DMI_CONSUMER_LINALG=ON -DMI_CONSUMER_NATIVE=ON)
elseif(VARIANT STREQUAL "linalg_missing")
  file(REMOVE_RECURSE "${build}")
  execute_process(COMMAND ${CMAKE_COMMAND} -S "${consumer_src}" -B "${build}" -G "${GENERATOR}"
                    -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_PREFIX_PATH=${relocated} -DMI_CONSUMER_LINALG=ON
                    -DCMAKE_DISABLE_FIND_PACKAGE_xtensor-blas=ON
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(FIND "${err}" "missing: xtensor-blas" at)
  if(rc EQUAL 0 OR at EQUAL -1)
    message(FATAL_ERROR "find_package(mi COMPONENTS linalg) without xtensor-blas: expected a failure naming "
                        "xtensor-blas, got (${rc}):\n${out}\n${err}")
  endif()
  string(REGEX MATCH "mi component linalg[^\n]*" said "${err}")
  message(STATUS "linalg_missing: configure failed as it should: ${said}")
elseif(VARIANT STREQUAL "pkgconfig")
  set(ENV{PKG_CONFIG_PATH} "${relocated}/share/pkgconfig")
  run(${PKG_CONFIG} --cflags --libs mi)
  string(STRIP "${run_output}" flags)
  separate_arguments(flags UNIX_COMMAND "${flags}")
  if(NOT "-I${relocated}/share/pkgconfig/../../include" IN_LIST flags AND NOT "-I${relocated}/include" IN_LIST flags)
    message(FATAL_ERROR "pkg-config --cflags mi does not point into the relocated prefix: ${flags}")
  endif()
  file(MAKE_DIRECTORY "${build}")
  run(${CXX} -std=c++17 ${flags} "${consumer_src}/consumer.cpp" -o "${build}/consumer")
  run("${build}/consumer")
  message(STATUS "pkgconfig (${flags}): ${run_output}")
elseif(VARIANT STREQUAL "subdirectory" OR VARIANT STREQUAL "fetchcontent")
  consume(-DMI_CONSUME=${VARIANT} -DMI_SOURCE_DIR=${MI_SOURCE_DIR})
else()
  message(FATAL_ERROR "unknown VARIANT ${VARIANT}")
endif()
