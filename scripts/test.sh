#!/usr/bin/env bash
# Builds and runs every test. Usage: bash scripts/test.sh [--sanitize]
#   --sanitize  the same tests built with -fsanitize=address,undefined (build-asan/)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
if [[ "${1:-}" == "--sanitize" ]]; then
  dir=build-asan
  # -O1 -g1: a third of the compile time of RelWithDebInfo (-O2 -g) under the sanitizers, same checks
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
    -DMI_SANITIZE=ON -DMI_BUILD_EXAMPLES=OFF
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
else
  dir=build
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$dir" -j"$jobs"
ctest --test-dir "$dir" --output-on-failure -j"$jobs"
