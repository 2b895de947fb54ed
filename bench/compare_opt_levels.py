#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""mi's kNN estimators built at -O2 against the same sources built at -O3, in one run.

Consumers build at -O2 (CMake's RelWithDebInfo, most distributions); the
tables in knn.md are -O3. The brute-force and kd-tree register tiles index
small arrays of SIMD batches, which GCC keeps in registers only when every
index is a constant: with plain `for` loops that took -O3's loop peeling, and
-O2 was up to 2.7x slower. The tiles are now unrolled by hand
(mi::detail::unrolled in include/mi/search/metric.hpp); this table shows what
is left of the gap. Same data files, same run, alternating binaries.

    cmake -S . -B build-bench    -DCMAKE_BUILD_TYPE=Release -DMI_BUILD_BENCH=ON
    cmake -S . -B build-bench-o2 -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2" -DMI_BUILD_BENCH=ON
    cmake --build build-bench --target bench_knn bench_peak -j2 && cmake --build build-bench-o2 --target bench_knn -j2
    /usr/bin/python3 bench/compare_opt_levels.py --o3 build-bench/bench/bench_knn --o2 build-bench-o2/bench/bench_knn
"""
import argparse
import os
import tempfile

import numpy as np

import machine
from compare_knn import run_mi, save


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--o3", required=True, help="bench_knn built at -O3 (Release)")
    ap.add_argument("--o2", required=True, help="bench_knn built at -O2")
    ap.add_argument("--n", type=int, default=16384)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    print("\n".join(machine.header(os.path.dirname(args.o3), sgemm=False)[0]) + "\n")
    g = np.random.default_rng(7)
    tmp = tempfile.mkdtemp(prefix="mi_opt_")
    cases = [("KSG", 12), ("KSG", 4), ("KSG", 1), ("Kozachenko-Leonenko", 2), ("Kozachenko-Leonenko", 12)]
    print(f"N = {args.n}, k = 3 (KSG) / 2 (Kozachenko-Leonenko), best of {args.reps}, all cores\n")
    print("| estimator | d | -O3 s (search) | -O2 s | -O2 / -O3 | same value |")
    print("|---|---:|---:|---:|---:|---|")
    for name, d in cases:
        x = g.standard_normal((args.n, d))
        px = os.path.join(tmp, "x.bin")
        save(px, x)
        if name == "KSG":
            y = 0.6 * x + 0.8 * g.standard_normal((args.n, d))
            py = os.path.join(tmp, "y.bin")
            save(py, y)
            cmd = ["ksg", px, py, 3, args.reps]
        else:
            cmd = ["kl", px, 2, args.reps]
        t3, v3, search = run_mi(args.o3, cmd)
        t2, v2, _ = run_mi(args.o2, cmd)
        print(f"| {name} | {d} | {t3:.4f} ({search}) | {t2:.4f} | {t2 / t3:.2f} | {'yes' if v2 == v3 else 'NO'} |")
    print(f"\n* load average after: {machine.load_average()}")


if __name__ == "__main__":
    main()
