# mi's headers must not warn in a strict consumer that includes them as a
# subproject (plain -I, so the compiler does not treat them as system headers):
# one C++17 translation unit that includes every public header and instantiates
# every estimator (tests/headers/instantiate.cpp), syntax only (templates are
# still instantiated), -Werror. CTest runs it once per compiler (g++, clang++).
# Inputs: CXX, MI_INCLUDE_DIR, INSTANTIATE (instantiate.cpp), WORK_DIR.
file(GLOB_RECURSE headers RELATIVE "${MI_INCLUDE_DIR}" "${MI_INCLUDE_DIR}/mi/*.hpp")
list(SORT headers)
set(tu "")
foreach(h IN LISTS headers)
  string(APPEND tu "#include <${h}>\n")
endforeach()
string(APPEND tu "#include \"${INSTANTIATE}\"\n")
file(MAKE_DIRECTORY "${WORK_DIR}")
file(WRITE "${WORK_DIR}/strict.cpp" "${tu}")
set(flags -std=c++17 -fsyntax-only -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror)
string(JOIN " " shown ${CXX} ${flags})
execute_process(COMMAND ${CXX} ${flags} -I${MI_INCLUDE_DIR} "${WORK_DIR}/strict.cpp"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
list(LENGTH headers n)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${shown}: mi's headers warn\n${out}\n${err}")
endif()
message(STATUS "${n} headers and every estimator compile warning-free: ${shown}")
