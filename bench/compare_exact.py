#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""mi::exact_counting against the exact computation of Lorenzen, Igel & Nielsen
(ICLR 2022) re-done in numpy, same data, same run.

    /usr/bin/python3 bench/compare_exact.py --bench build/bench/bench_exact

The authors' own code (StephanLorenzen/ExactIBAnalysisInQNNs) cannot run here:
its estimator module imports TensorFlow, which this machine does not have. So
the peer is their algorithm written again in numpy (QuantizedEstimator with
bounds="layer", 8 bits): map the layer to integers with
round((v - min) * 2^8 / (max - min)), count the distinct rows with
np.unique(axis=0, return_counts=True) for the whole layer and for each class,
H(T) and I(T;Y) = H(T) - sum_y p(y) H(T | y). That integer map is one-to-one
on an 8-bit grid, so both sides count the same partition of the rows; the
script checks the values agree (nats) and prints a markdown table of seconds
(best of the repeats) and the ratio numpy / mi. np.unique(axis=0) (the
authors' call) is slow; a second numpy column counts the same rows through a
byte view (np.unique of one np.void per row, as IDNNs / ibsgd count binned
rows), the fastest numpy way we know, and the ratio is taken against the
faster of the two.

Sizes: those of the reproduction (examples/reproduce/quantized_szt.cpp): all
4096 SZT patterns, one case per layer of the 12-10-7-5-4-3-2 network (widths
10, 7, 5, 4, 3, 2), each layer's values on a nudged 8-bit grid of its range
(tanh of Gaussian pre-activations with unit-dependent scales, quantized as the
engine's tanh quantizer does); plus the sum over the six layers, which is one
recorded epoch of the reproduction (1600 of them per 8000-epoch run).
"""
import argparse
import os
import subprocess
import tempfile
import time

import numpy as np

import machine

BITS = 8


def quantize_tanh_layer(a):
    """The nudged 8-bit grid of [min, max] (TF fake_quant), as the engine's tanh layers."""
    lo, hi = float(a.min()), float(a.max())
    levels = 2 ** BITS - 1
    scale = (hi - lo) / levels
    zp = min(levels, max(0.0, np.round(-lo / scale)))
    lo_n, hi_n = -zp * scale, (levels - zp) * scale
    c = np.clip(a, lo_n, hi_n)
    return (lo_n + scale * np.floor((c - lo_n) / scale + 0.5)).astype(np.float32)


def entropy_of_rows(t):
    _, counts = np.unique(t, axis=0, return_counts=True)
    p = counts / counts.sum()
    return float(-np.sum(p * np.log(p)))


def entropy_of_rows_bytes(t):
    t = np.ascontiguousarray(t)
    _, counts = np.unique(t.view(np.dtype((np.void, t.dtype.itemsize * t.shape[1]))), return_counts=True)
    p = counts / counts.sum()
    return float(-np.sum(p * np.log(p)))


def authors_exact(a, y, count=entropy_of_rows):
    """Their QuantizedEstimator(bounds="layer", bits=8) in numpy (natural log here, theirs log2)."""
    lower, upper = a.min(), a.max()
    if upper == lower:
        upper = lower + 1e-9
    t = np.round((a - lower) * 2 ** BITS / (upper - lower)).astype(int)
    h = count(t)
    h_given_y = 0.0
    for c in np.unique(y):
        m = y == c
        h_given_y += m.mean() * count(t[m])
    return h, h - h_given_y


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True, help="path of the bench_exact executable")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--rows", type=int, default=4096)
    ap.add_argument("--widths", default="10,7,5,4,3,2")
    args = ap.parse_args()
    widths = [int(w) for w in args.widths.split(",")]
    n = args.rows

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for d in widths:
            rng = np.random.default_rng(1000 * n + d)
            scale = rng.uniform(0.3, 3.0, size=d).astype(np.float32)
            a = quantize_tanh_layer(np.tanh(rng.standard_normal((n, d), dtype=np.float32) * scale))
            y = (rng.random(n) < 0.5).astype(np.uint8)
            lp, yp = os.path.join(tmp, "layer.f32"), os.path.join(tmp, "labels.u8")
            a.astype("<f4").tofile(lp)
            y.tofile(yp)

            out = subprocess.run([args.bench, lp, yp, str(n), str(d), str(max(5, args.repeats))],
                                 check=True, capture_output=True, text=True).stdout.split()
            threads, mi_best = int(out[2]), float(out[3])
            mi_ixt, mi_ity = float(out[5]), float(out[6])

            times = []
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                ixt, ity = authors_exact(a, y)
                times.append(time.perf_counter() - t0)
            np_best = min(times)
            assert abs(ixt - mi_ixt) < 1e-9 and abs(ity - mi_ity) < 1e-9, (n, d, ixt, mi_ixt, ity, mi_ity)
            times = []
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                ixt_b, ity_b = authors_exact(a, y, entropy_of_rows_bytes)
                times.append(time.perf_counter() - t0)
            bytes_best = min(times)
            assert abs(ixt_b - mi_ixt) < 1e-9 and abs(ity_b - mi_ity) < 1e-9, (n, d, ixt_b, mi_ixt, ity_b, mi_ity)
            distinct = len(np.unique(a, axis=0))
            rows.append((n, d, distinct, np_best, bytes_best, mi_best, threads, ixt, ity))

    print("\n".join(machine.header(os.path.dirname(args.bench))[0]) + "\n")
    print("| N | width | distinct rows | numpy unique(axis=0) (s) | numpy byte view (s) | mi (s) | mi threads "
          "| fastest numpy / mi | I(X;T) nats | I(T;Y) nats |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n_, d, k, t_np, t_b, t_mi, th, ixt, ity in rows:
        print(f"| {n_} | {d} | {k} | {t_np:.5f} | {t_b:.5f} | {t_mi:.6f} | {th} | {min(t_np, t_b) / t_mi:.0f}x "
              f"| {ixt:.6f} | {ity:.6f} |")
    t_np, t_b, t_mi = (sum(r[i] for r in rows) for i in (3, 4, 5))
    print(f"| {n} | all six (one record) | | {t_np:.5f} | {t_b:.5f} | {t_mi:.6f} | | {min(t_np, t_b) / t_mi:.0f}x | | |")


if __name__ == "__main__":
    main()
