#!/usr/bin/env bash
# Installs the Debian (bookworm) packages mi's build, tests and examples need.
# Usage: bash scripts/install-deps.sh [--bench] [--ci] [--list]
#   --bench  adds the peer tools the benchmarks compare against (scipy; scikit-learn and PyTorch are in
#            the base list: the Python package is tested against them)
#   --ci     adds what CI checks beyond the tests: clang (sanitizers, libFuzzer, the clang build
#            checks) and a single-node Slurm (slurmctld, slurmd, munge) for the cluster test
#   --list   prints the package names instead of installing them
set -euo pipefail
packages=(cmake g++ make ninja-build libxtensor-dev libxsimd-dev xtl-dev doctest-dev
          libxtensor-blas-dev libopenblas-dev liblapack-dev
          zlib1g-dev pkg-config
          python3 python3-numpy python3-matplotlib dataset-fashion-mnist
          python3-dev pybind11-dev python3-pybind11 python3-setuptools python3-pip python3-pytest
          python3-pandas python3-torch python3-sklearn)
list=0
for arg in "$@"; do
  case "$arg" in
    --bench) packages+=(python3-scipy) ;;
    --ci) packages+=(clang slurmctld slurmd slurm-client munge) ;;
    --list) list=1 ;;
    *) echo "install-deps: unknown option $arg" >&2; exit 2 ;;
  esac
done
if (( list )); then
  echo "${packages[@]}"
  exit 0
fi
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} )); then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "install-deps: all ${#packages[@]} packages present"
