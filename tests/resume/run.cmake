# SPDX-License-Identifier: BSD-3-Clause
# Checkpoint and resume of one reproduction program (examples/reproduce/suite.hpp):
#   A: PROGRAM ARGS, uninterrupted;
#   B: the same, stopped after STOP1 epochs (the --stop-after-epoch hook takes the path SIGTERM
#      takes: checkpoint at the epoch boundary, exit status 75), resumed and stopped again after
#      STOP2 more epochs, resumed to the end;
# then every table in TABLES must be byte-for-byte the same in A and B. Also: a resume with other
# options is refused (exit 1, "other options") and leaves the checkpoint as it was.
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
separate_arguments(args UNIX_COMMAND "${ARGS}")
string(REPLACE "," ";" TABLES "${TABLES}")

function(run expected_rc log)
  execute_process(COMMAND "${PROGRAM}" ${args} --no-plot ${ARGN} RESULT_VARIABLE rc
                  OUTPUT_FILE "${WORK_DIR}/${log}.out" ERROR_FILE "${WORK_DIR}/${log}.err")
  file(READ "${WORK_DIR}/${log}.out" out)
  file(READ "${WORK_DIR}/${log}.err" err)
  message("${log}: exit status ${rc}\n${err}")
  if(NOT rc EQUAL expected_rc)
    message(FATAL_ERROR "${log}: exit status ${rc}, expected ${expected_rc}\n${out}\n${err}")
  endif()
endfunction()

set(ck "${WORK_DIR}/B/checkpoint")
run(0 A --out "${WORK_DIR}/A")
run(75 B1 --out "${WORK_DIR}/B" --checkpoint "${ck}" --stop-after-epoch ${STOP1})
run(75 B2 --out "${WORK_DIR}/B" --resume "${ck}" --stop-after-epoch ${STOP2})
file(SHA256 "${ck}/${NAME}.ckpt" before)
run(1 mismatch --out "${WORK_DIR}/B" --resume "${ck}" --seed 7)
file(READ "${WORK_DIR}/mismatch.err" err)
file(SHA256 "${ck}/${NAME}.ckpt" after)
if(NOT err MATCHES "other options" OR NOT before STREQUAL after)
  message(FATAL_ERROR "a resume with other options was not refused, or it changed the checkpoint")
endif()
run(0 B3 --out "${WORK_DIR}/B" --resume "${ck}")
foreach(table IN LISTS TABLES)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files "${WORK_DIR}/A/${table}.csv" "${WORK_DIR}/B/${table}.csv"
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${table}.csv differs between the uninterrupted and the resumed run")
  endif()
  file(SHA256 "${WORK_DIR}/A/${table}.csv" sum)
  message("${table}.csv: uninterrupted and resumed runs byte-identical (sha256 ${sum})")
endforeach()
