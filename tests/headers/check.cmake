# Every public header must compile on its own (it includes what it uses) and
# twice (include guards), in the standard STD: CTest runs this once as C++17
# and once as C++20 (xtensor 0.27 consumers build as C++20), side by side.
file(GLOB_RECURSE headers RELATIVE "${MI_INCLUDE_DIR}" "${MI_INCLUDE_DIR}/mi/*.hpp")
list(SORT headers)
set(failed "")
set(std ${STD})
foreach(h IN LISTS headers)
  file(WRITE "${WORK_DIR}/tu.cpp" "#include <${h}>\n#include <${h}>\nint main() { return 0; }\n")
  execute_process(COMMAND ${CXX} -std=c++${std} -fsyntax-only -Wall -Wextra -Werror
                          -Wno-maybe-uninitialized -I${MI_INCLUDE_DIR} "${WORK_DIR}/tu.cpp"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    list(APPEND failed "c++${std} ${h}")
    message("---- ${h} (c++${std}):\n${err}")
  endif()
endforeach()
list(LENGTH headers n)
if(failed)
  message(FATAL_ERROR "headers that do not compile on their own: ${failed}")
endif()
message(STATUS "${n} headers compile on their own as C++${std}")
