#!/usr/bin/env bash
# Builds and runs every test. Usage: bash scripts/test.sh [--sanitize | --tsan]
#   (none)      Release build with the default compiler: every test, the example programs'
#               smoke tests, the installed-package consumers and the header checks (build/)
#   --sanitize  the unit tests under AddressSanitizer + UndefinedBehaviorSanitizer, with clang
#               (and its float-cast-overflow check) when clang++ is installed (build-asan/)
#   --tsan      the tests of concurrent code under ThreadSanitizer (build-tsan/)
# CXX chooses the compiler of the default build (e.g. CXX=clang++ bash scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
clang=$(command -v clang++ || true)
# Ninja when installed (scripts/install-deps.sh installs it): it builds several named targets in
# parallel, where make builds them one after another. A build directory keeps its generator.
generator() { if [[ ! -f "$1/CMakeCache.txt" ]] && command -v ninja > /dev/null; then echo "-GNinja"; fi; }
tests_only=(-DMI_BUILD_EXAMPLES=OFF -DMI_INSTALL=OFF)
filter=()
case "${1:-}" in
  --sanitize)
    dir=build-asan
    # -O1 -g1: a third of the compile time of RelWithDebInfo (-O2 -g) under the sanitizers, same checks
    cmake -S . -B "$dir" $(generator "$dir") ${clang:+-DCMAKE_CXX_COMPILER="$clang"} -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DMI_SANITIZE=address "${tests_only[@]}"
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    targets=(all)
    ;;
  --tsan)
    dir=build-tsan
    # The code that runs on several threads: the pool itself, the plane driver's (epoch, layer,
    # replicate) items, the pairwise engine's per-thread buffers, the kNN searches and KSG's
    # parallel preparation, set_num_threads during estimates, and the training engine's products
    # and updates split over the threads. (engine_test_variational, whose critics also split their
    # steps, takes 90 s under TSan: run it by hand after changing them.)
    targets=(core_test_parallel plane_test_information_plane kernels_test_pairwise estimators_test_ksg
             search_test_kd_tree engine_test_network engine_test_optimizer)
    # One executable per test file (MI_TEST_UNITY_BATCH=0), so that only these are built.
    cmake -S . -B "$dir" $(generator "$dir") ${clang:+-DCMAKE_CXX_COMPILER="$clang"} -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DMI_SANITIZE=thread -DMI_TEST_UNITY_BATCH=0 "${tests_only[@]}"
    export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
    # OpenBLAS's own worker threads hand work over through spin loops in an uninstrumented
    # library, which TSan reports as races on the matrices LAPACK fills; one BLAS thread keeps
    # the report to the code we build.
    export OPENBLAS_NUM_THREADS=1
    filter=(-R "^($(IFS='|'; echo "${targets[*]}"))\$")
    ;;
  "")
    dir=build
    # The unit tests are -O2 in any Release build (tests/CMakeLists.txt), what most consumers
    # build mi with. The example programs and the Python module are built here only for their
    # smoke tests, at -O1: 30 % less compile time than -O2 (about 190 CPU-s of the build), and
    # their smoke tests run as fast. scripts/reproduce-szt.sh builds its own -O3 copy of the
    # reproduction; pip builds the module with its own flags.
    cmake -S . -B "$dir" $(generator "$dir") -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG"
    targets=(all)
    ;;
  *)
    echo "test.sh: unknown option $1 (expected --sanitize or --tsan)" >&2
    exit 2
    ;;
esac
cmake --build "$dir" -j"$jobs" --target "${targets[@]}"
ctest --test-dir "$dir" --output-on-failure -j"$jobs" "${filter[@]}"
