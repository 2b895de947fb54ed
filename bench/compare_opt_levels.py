#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""mi's kernels built at -O2 against the same sources built at -O3, in one run.

Consumers build at -O2 (CMake's RelWithDebInfo, most distributions); the
tables in knn.md are -O3. The brute-force and kd-tree register tiles index
small arrays of SIMD batches, which GCC keeps in registers only when every
index is a constant: with plain `for` loops that took -O3's loop peeling, and
-O2 was up to 2.7x slower (matrix Renyi's Gram-matrix products 2-3.5x). The
tiles are now unrolled by hand (mi::detail::unrolled, include/mi/core/unrolled.hpp);
these tables show what is left of the gap: the kNN estimators, and with
--estimators / --szt-plane the Renyi point (bench_estimators renyi) and the
README main job's estimation (bench_szt_plane: binning, KDE,
Kozachenko-Leonenko). Same data files, same run, alternating binaries.

    cmake -S . -B build-bench    -DCMAKE_BUILD_TYPE=Release -DMI_BUILD_BENCH=ON
    cmake -S . -B build-bench-o2 -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2" -DMI_BUILD_BENCH=ON
    T="bench_knn bench_estimators bench_szt_plane"
    cmake --build build-bench --target $T bench_peak -j2 && cmake --build build-bench-o2 --target $T -j2
    /usr/bin/python3 bench/compare_opt_levels.py --o3 build-bench/bench/bench_knn --o2 build-bench-o2/bench/bench_knn \
        --estimators --szt-plane
"""
import argparse
import os
import re
import subprocess
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
    ap.add_argument("--estimators", action="store_true",
                    help="also bench_estimators renyi (next to the two bench_knn binaries)")
    ap.add_argument("--szt-plane", action="store_true",
                    help="also bench_szt_plane (next to the two bench_knn binaries)")
    ap.add_argument("--renyi", default="2000,4000", help="row counts of the Renyi cases")
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
    if args.estimators:
        renyi_table(args, tmp, g)
    if args.szt_plane:
        szt_plane_table(args)
    print(f"\n* load average after: {machine.load_average()}")


def sibling(binary, name):
    return os.path.join(os.path.dirname(binary), name)


def renyi_table(args, tmp, g):
    """One Renyi point (automatic trace: the Lanczos products above 1000 rows) on a 12-unit input
    and a 10-unit tanh layer, as bench/compare_estimators.py draws them."""
    print("\nmatrix Renyi, alpha = 1.01, one plane point (X's Gram matrix memoised), best of 2\n")
    print("| N | -O3 s | -O2 s | -O2 / -O3 | same value |")
    print("|---:|---:|---:|---:|---|")
    w = g.standard_normal((12, 10)) / np.sqrt(12)
    for n in [int(v) for v in args.renyi.split(",")]:
        x = g.standard_normal((n, 12)).astype(np.float32)
        t = np.tanh(x.astype(np.float64) @ w).astype(np.float32)
        y = (x[:, 0] > 0).astype(np.uint8)
        paths = [os.path.join(tmp, f) for f in ("rx.f32", "rt.f32", "ry.u8")]
        for a, p in zip((x, t, y), paths):
            a.tofile(p)
        out = {}
        for level, knn in (("O3", args.o3), ("O2", args.o2)):
            words = subprocess.run([sibling(knn, "bench_estimators"), "renyi", *paths, str(n), "12", "10", "1.01", "2"],
                                   check=True, capture_output=True, text=True).stdout.split()
            out[level] = (float(words[1]), words[3], words[4])
        (t3, *v3), (t2, *v2) = out["O3"], out["O2"]
        print(f"| {n} | {t3:.3f} | {t2:.3f} | {t2 / t3:.2f} | {'yes' if v2 == v3 else 'NO'} |")


def szt_plane_table(args):
    """bench_szt_plane's estimation of both networks, estimator by estimator."""
    cols = ["binning 30", "binning 100", "KDE", "Kozachenko-Leonenko H(T)", "estimation"]
    sums = {}
    for level, knn in (("O3", args.o3), ("O2", args.o2)):
        text = subprocess.run([sibling(knn, "bench_szt_plane")], check=True, capture_output=True, text=True).stdout
        rows = [line for line in text.splitlines() if re.match(r"\| (tanh|relu) \|", line)]
        cells = [[float(c) for c in r.strip("| ").split("|")[3:]] for r in rows]
        sums[level] = [sum(c[i] for c in cells) for i in range(len(cols))]
    print("\nthe README main job's estimation (bench_szt_plane, both networks), seconds\n")
    print("| estimator | -O3 s | -O2 s | -O2 / -O3 |")
    print("|---|---:|---:|---:|")
    for i, name in enumerate(cols):
        print(f"| {name} | {sums['O3'][i]:.3f} | {sums['O2'][i]:.3f} | {sums['O2'][i] / sums['O3'][i]:.2f} |")


if __name__ == "__main__":
    main()
