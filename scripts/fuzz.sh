#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang; AddressSanitizer, UBSan and
# float-cast-overflow, none recovering) in build-fuzz and fuzzes each one for a
# bounded time, starting from a copy of its committed corpus (tests/fuzz/corpus/
# <target>/, which a run never grows). Exits non-zero on any finding: a crash, a
# sanitizer report, an exception other than mi::error, a non-finite estimate, a
# timeout (-timeout) or memory above -rss_limit_mb. The reproducer is kept in
# build-fuzz/fuzz-run/findings/; replay it with build-fuzz/tests/fuzz/<target> <file>.
#
# Usage: bash scripts/fuzz.sh [total seconds, default 60, split evenly across the targets]
#   JOBS (default 2): targets fuzzed at once, and the build's parallelism; the run takes
#   about total/JOBS seconds after the build.
#   MI_FUZZ_OPT (default -O2): the targets' optimisation; CI builds them at -O0, in half the time.
# Needs: clang (Debian's clang 14 ships libFuzzer), cmake, the library's packages, zlib1g-dev.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
total=${1:-60}
build=${MI_FUZZ_BUILD_DIR:-$root/build-fuzz}

# libFuzzer exists only in clang: CXX from the environment (often g++) is not used.
# Ninja when installed builds the targets side by side (make builds named targets one by one).
generator=()
if [[ ! -f "$build/CMakeCache.txt" ]] && command -v ninja > /dev/null; then generator=(-GNinja); fi
cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_CXX_COMPILER="${MI_FUZZ_CXX:-clang++}" -DMI_FUZZ=ON \
      -DMI_FUZZ_OPT="${MI_FUZZ_OPT:--O2}" -DMI_BUILD_TESTS=OFF -DMI_BUILD_EXAMPLES=OFF -DMI_INSTALL=OFF >/dev/null
targets=(fuzz_idx fuzz_csv fuzz_checkpoint fuzz_estimators)
# fuzz_linalg exists when mi::linalg does (xtensor-blas, BLAS, LAPACK).
if cmake --build "$build" --target help | grep -q fuzz_linalg; then targets+=(fuzz_linalg); fi
per=$(( total / ${#targets[@]} ))
(( per >= 1 )) || per=1
cmake --build "$build" --target "${targets[@]}" -j "${JOBS:-2}"

run="$build/fuzz-run"
rm -rf "$run"
mkdir -p "$run/findings"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

# fuzz_one TARGET: fuzzes one target for $per seconds and writes its table row to $run/TARGET.row
# (the result is read from there). Each libFuzzer process is single-threaded: JOBS of them run at once.
fuzz_one() {
  local t=$1 seeds start result=ok execs corpus
  cp -r "$root/tests/fuzz/corpus/$t" "$run/$t"
  seeds=$(find "$run/$t" -type f | wc -l)
  start=$SECONDS
  # A fixed seed (MI_FUZZ_SEED, default 1): the same mutations on every run, so a CI result
  # can be replayed; set another seed (or 0 for a random one) to explore further locally.
  if ! "$build/tests/fuzz/$t" -seed="${MI_FUZZ_SEED:-1}" -max_total_time="$per" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
       -artifact_prefix="$run/findings/$t-" "$run/$t" >"$run/$t.log" 2>&1; then
    result=FINDING
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$run/$t.log" | tail -1)
  corpus=$(find "$run/$t" -type f | wc -l)
  printf '%-16s %10s %8s %8s  %s\n' "$t" "${execs:-?}" "$seeds->$corpus" "$((SECONDS - start))" "$result" > "$run/$t.row"
}

status=0
running=0
for t in "${targets[@]}"; do
  if (( running >= ${JOBS:-2} )); then
    wait -n || true
    running=$((running - 1))
  fi
  fuzz_one "$t" &
  running=$((running + 1))
done
wait
printf '%-16s %10s %8s %8s  %s\n' target executions corpus seconds result
for t in "${targets[@]}"; do
  if [[ -f "$run/$t.row" ]]; then cat "$run/$t.row"; else printf '%-16s did not run to the end\n' "$t"; fi
  if ! grep -qs ' ok$' "$run/$t.row"; then
    status=1
    # The report's first lines and the reproducer's name; the whole log stays in $run.
    grep -m1 -E -A16 '^==[0-9]+==ERROR|runtime error|^finding|ERROR: libFuzzer' \
      "$run/$t.log" >&2 || tail -n 20 "$run/$t.log" >&2
    grep -E 'Test unit written' "$run/$t.log" >&2 || true
  fi
done
exit $status
