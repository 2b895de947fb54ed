# A policy of the wrong kind must fail at the estimator's static_assert, with its readable
# message, not deep inside a template (issue 12). Each case is compiled on its own (syntax only)
# and must fail with the expected message as the first error. A case includes only the headers
# it names (the estimator's and the misused policy's), not <mi/plane.hpp>, which costs far more.
# Inputs: CXX, MI_INCLUDE_DIR, WORK_DIR.
set(cases
  "binning|estimators/binning kernels/gaussian|mi::binning<mi::gaussian_kernel> b{mi::gaussian_kernel()}|mi::binning: Quantizer must be a quantizer policy"
  "binning_correction|estimators/binning quantizers/uniform|(void)sizeof(mi::binning<mi::uniform, int>)|mi::binning: Correction must be a correction policy"
  "kde_kernel|estimators/kde quantizers/uniform|(void)sizeof(mi::kde<mi::uniform, mi::fixed_noise>)|mi::kde: Kernel must be a kernel policy"
  "kde_noise|estimators/kde quantizers/uniform|(void)sizeof(mi::kde<mi::gaussian_kernel, mi::uniform>)|mi::kde: Noise must be a noise policy"
  "kl_search|estimators/kl_entropy|(void)sizeof(mi::kl_entropy<mi::euclidean>)|mi::kl_entropy: Search must be a search policy"
  "ksg_search|estimators/ksg|(void)sizeof(mi::ksg<mi::max_norm>)|mi::ksg: Search must be a search policy"
  "ksg_metric|estimators/ksg search/kd_tree|(void)sizeof(mi::ksg<mi::kd_tree<mi::euclidean>>)|mi::ksg: KSG counts neighbours in the max-norm"
  "decision_rule|estimators/decision_rule|(void)sizeof(mi::decision_rule<int>)|mi::decision_rule: Correction must be a correction policy"
  "minimal_model|estimators/minimal_model kernels/noise|(void)sizeof(mi::minimal_model<mi::activation::tanh, mi::fixed_noise>)|mi::minimal_model: Quantizer must be a quantizer policy")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(failed "")
foreach(c IN LISTS cases)
  string(REPLACE "|" ";" parts "${c}")
  list(GET parts 0 name)
  list(GET parts 1 headers)
  list(GET parts 2 code)
  list(GET parts 3 message)
  string(REPLACE " " ";" headers "${headers}")
  set(includes "")
  foreach(h IN LISTS headers)
    string(APPEND includes "#include <mi/${h}.hpp>\n")
  endforeach()
  file(WRITE "${WORK_DIR}/${name}.cpp" "${includes}int main() { ${code}; return 0; }\n")
  execute_process(COMMAND ${CXX} -std=c++17 -fsyntax-only -I${MI_INCLUDE_DIR} "${WORK_DIR}/${name}.cpp"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(REGEX MATCH "error: [^\n]*" first "${err}")
  string(FIND "${first}" "${message}" at)
  if(rc EQUAL 0 OR at EQUAL -1)
    list(APPEND failed "${name}")
    message("---- ${name}: expected the first error to contain '${message}', got (rc ${rc}):\n${first}")
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "policy misuse not caught by a readable static_assert: ${failed}")
endif()
list(LENGTH cases n)
message(STATUS "${n} misused policies stop at their estimator's static_assert")
