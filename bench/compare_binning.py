#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""mi::binning (IDNNs 30-edge convention) against the numpy code of the papers,
same data, same run.

    /usr/bin/python3 bench/compare_binning.py --bench build/bench/bench_binning

For each (N, width) it generates seeded float32 tanh activations and binary
labels, writes them to a temporary file, runs the C++ bench on that file, and
times numpy doing what IDNNs / ibsgd do: np.digitize with the float32
linspace(-1, 1, 30) edges, bins[digitize - 1], unique rows through a void view
and np.unique(return_counts=True), for the whole layer and per class. Both
return I(X;T) = H(T) (distinct inputs) and I(T;Y) in nats; the script checks
they agree and prints a markdown table of seconds (best of the repeats; cases of
at most 2^20 values, which take a millisecond or less in mi, the best of at
least 50 calls on both sides, so that first-call costs do not decide) and
the ratio numpy / mi.
"""
import argparse
import os
import subprocess
import tempfile
import time

import numpy as np

import machine

BINS = np.linspace(-1, 1, 30).astype(np.float32)


def entropy_rows(x):
    x = np.ascontiguousarray(x)
    v = x.view(np.dtype((np.void, x.dtype.itemsize * x.shape[1])))
    _, counts = np.unique(v, return_counts=True)
    p = counts / float(counts.sum())
    return float(-np.sum(p * np.log(p)))


def numpy_binned(a, y):
    digitized = BINS[np.digitize(a.reshape(-1), BINS) - 1].reshape(a.shape)
    h = entropy_rows(digitized)
    h_y = 0.0
    for c in np.unique(y):
        m = y == c
        h_y += m.mean() * entropy_rows(digitized[m])
    return h, h - h_y


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True, help="path of the bench_binning executable")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--cases", default="4096x2,4096x10,4096x100,4096x1024,60000x1024")
    args = ap.parse_args()
    cases = [tuple(int(v) for v in c.split("x")) for c in args.cases.split(",")]

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, d in cases:
            rng = np.random.default_rng(1000 * n + d)
            # tanh of Gaussian pre-activations with unit-dependent scales: a mix of
            # saturated and unsaturated units, as in a trained tanh layer.
            scale = rng.uniform(0.3, 3.0, size=d).astype(np.float32)
            a = np.tanh(rng.standard_normal((n, d), dtype=np.float32) * scale).astype(np.float32)
            y = (rng.random(n) < 0.52).astype(np.uint8)
            lp, yp = os.path.join(tmp, "layer.f32"), os.path.join(tmp, "labels.u8")
            a.astype("<f4").tofile(lp)
            y.tofile(yp)

            # sub-millisecond cases: the best of more calls on both sides, so that neither side's
            # first-call costs (page faults of fresh arrays, caches) decide the ratio
            reps = max(args.repeats, 50) if n * d <= (1 << 20) else args.repeats
            out = subprocess.run([args.bench, lp, yp, str(n), str(d), str(max(5, reps))],
                                 check=True, capture_output=True, text=True).stdout.split()
            threads, mi_best = int(out[2]), float(out[3])
            mi_ixt, mi_ity = float(out[5]), float(out[6])

            times = []
            for _ in range(reps):
                t0 = time.perf_counter()
                ixt, ity = numpy_binned(a, y)
                times.append(time.perf_counter() - t0)
            np_best = min(times)
            assert abs(ixt - mi_ixt) < 1e-9 and abs(ity - mi_ity) < 1e-9, (n, d, ixt, mi_ixt, ity, mi_ity)
            rows.append((n, d, np_best, mi_best, threads, ixt, ity))

    print("\n".join(machine.header(os.path.dirname(args.bench))[0]) + "\n")
    print("| N | width | numpy (s) | mi (s) | mi threads | numpy / mi | I(X;T) nats | I(T;Y) nats |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, d, t_np, t_mi, th, ixt, ity in rows:
        print(f"| {n} | {d} | {t_np:.4f} | {t_mi:.5f} | {th} | {t_np / t_mi:.0f}x | {ixt:.6f} | {ity:.6f} |")


if __name__ == "__main__":
    main()
