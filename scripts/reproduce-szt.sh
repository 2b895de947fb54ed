#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Reproduces Saxe et al. 2018 Fig. 1A/B (SZT task, tanh vs ReLU) with mi:
# configures and builds the example in Release, trains both networks, writes
# the information-plane and learning-curve CSVs, and draws the PNGs.
#
# usage: scripts/reproduce-szt.sh [OUT_DIR] [-- extra options of szt_tanh_vs_relu]
#   OUT_DIR defaults to $BUILD_DIR/szt-reproduction.
#   e.g. scripts/reproduce-szt.sh                  (10000 epochs, 3 networks per activation, minutes on 2 cores)
#        scripts/reproduce-szt.sh out -- --full    (the paper's 50 networks and four activations)
# Environment: BUILD_DIR (default build-reproduce), JOBS (default 2).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build-reproduce}"
out="${1:-$build/szt-reproduction}"
[[ $# -gt 0 ]] && shift
[[ "${1:-}" == "--" ]] && shift
jobs="${JOBS:-2}"

# A fresh build directory needs only the examples; an existing one keeps its settings.
fresh=()
[[ -f "$build/CMakeCache.txt" ]] || fresh=(-DCMAKE_BUILD_TYPE=Release -DMI_BUILD_TESTS=OFF)
# -DMI_NATIVE=ON: built and run on this machine, so for its CPU (mi builds are portable by default).
cmake -S "$root" -B "$build" "${fresh[@]}" -DMI_BUILD_EXAMPLES=ON -DMI_NATIVE=ON >/dev/null
cmake --build "$build" --target szt_tanh_vs_relu -j "$jobs"
"$build/examples/szt_tanh_vs_relu" --out "$out" "$@"
echo
echo "information-plane figures: $out/planes.png (one column per activation, one row per estimator)"
echo "                           $out/plane_<activation>_<k>.png (each panel alone)"
echo "learning curves:           $out/curves.png"
echo "the paper's claims judged:  $out/verdicts.csv (and impossible values counted in $out/out_of_range.csv)"
