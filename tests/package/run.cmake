# Installs mi into a fresh prefix, then builds and runs the consumer project
# in this folder against that prefix only.
file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
endfunction()
run(${CMAKE_COMMAND} -S "${MI_SOURCE_DIR}" -B "${WORK_DIR}/mi-build" -G "${GENERATOR}"
    -DCMAKE_CXX_COMPILER=${CXX} -DMI_BUILD_TESTS=OFF -DMI_BUILD_EXAMPLES=OFF -DMI_BUILD_BENCH=OFF
    -DCMAKE_INSTALL_PREFIX=${prefix})
run(${CMAKE_COMMAND} --install "${WORK_DIR}/mi-build")
run(${CMAKE_COMMAND} -S "${MI_SOURCE_DIR}/tests/package" -B "${WORK_DIR}/consumer-build" -G "${GENERATOR}"
    -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
run(${CMAKE_COMMAND} --build "${WORK_DIR}/consumer-build")
run("${WORK_DIR}/consumer-build/consumer")
message(STATUS "consumer built and ran against ${prefix}")
