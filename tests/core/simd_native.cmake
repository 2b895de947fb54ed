# tests/core/test_simd.cpp built for this machine's instruction set (-march=native) by one
# compiler, and run. The unit tests are built for the baseline (SSE2), where xsimd has no fused
# multiply-add to get wrong; xsimd 8's AVX-512 fma was two roundings in a clang build
# (mi/core/simd.hpp), which only a native build of the test can see. Then the headers'
# instantiation check, natively (below). CTest runs it once per compiler (g++, clang++).
# Inputs: CXX, MI_INCLUDE_DIR, TESTS_DIR (tests/), WORK_DIR.
file(MAKE_DIRECTORY "${WORK_DIR}")
set(flags -std=c++17 -O2 -march=native -pthread)
string(JOIN " " shown ${CXX} ${flags})
execute_process(COMMAND ${CXX} ${flags} -I${MI_INCLUDE_DIR} -I${TESTS_DIR}
                        "${TESTS_DIR}/main.cpp" "${TESTS_DIR}/core/test_simd.cpp" -o "${WORK_DIR}/test_simd_native"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${shown}: test_simd.cpp does not build\n${out}\n${err}")
endif()
execute_process(COMMAND "${WORK_DIR}/test_simd_native" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "test_simd.cpp built with ${shown} fails\n${out}\n${err}")
endif()
message(STATUS "test_simd.cpp passes built with ${shown}")
# Every public header's templates instantiated for this machine's instruction set, without
# optimisation (-fsyntax-only): GCC's AVX-512 intrinsics are macros then, and xsimd 8 kernels
# that compile at -O2 can fail there (its AVX-512BW log did, mi/core/simd.hpp). The header
# checks compile for the baseline, where those kernels are never instantiated.
set(strict -std=c++17 -fsyntax-only -march=native -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Werror)
execute_process(COMMAND ${CXX} ${strict} -I${MI_INCLUDE_DIR} "${TESTS_DIR}/headers/instantiate.cpp"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  string(JOIN " " shown_strict ${CXX} ${strict})
  message(FATAL_ERROR "${shown_strict}: tests/headers/instantiate.cpp does not compile\n${out}\n${err}")
endif()
message(STATUS "tests/headers/instantiate.cpp compiles for -march=native without optimisation")
