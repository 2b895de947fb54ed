#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""mi::sliced (sliced mutual information) vs the peers, on the same arrays in the same run,
at the sizes of examples/reproduce/sliced_plane:

  * SZT-sized: N = 4096 inputs (all 12-bit patterns), T = a 10-unit tanh layer, 2 classes;
  * MNIST-sized: N = 10,000 rows, X 784-D, T = a 1024-unit ReLU layer, 10 classes (--full's
    measured images; the default program measures 1000).

Peers:
  * the authors' released code (Wongso, Ghosh & Motani 2023, github shelvia-w/SMI-DNN,
    estimators/smi_estimator.py compute_smi), when --smi-dnn DIR points at a checkout of it:
    SI(T;Y) with method='ksg_cd' (their per-slice estimator: H(p) - sum_y p_y H(p|y) with
    Kozachenko-Leonenko entropies, sklearn KDTree), SI(X;T) with method='ksg_cc' (KSG algorithm 1),
    n_jobs = 1 and -1 (threads);
  * a numpy re-computation of the same algorithm: every projection by one matmul (BLAS), then per
    slice scikit-learn's mutual_info_regression (KSG algorithm 1, n_neighbors=3: SI(X;T)) or
    mutual_info_classif (Ross 2014, n_neighbors=3: SI(T;Y), mi's per-slice form), and for the
    Gaussian per-slice form -1/2 log(1 - rho^2) of all slices' correlations at once (vectorised).

Directions differ between the tools (each draws its own uniform directions), so values agree up to
Monte Carlo error over the slices (and, for ksg_cd, the estimator's own difference). Times are the
best of REPS runs (1 when a run takes more than 10 s; the Gaussian rows, a few milliseconds, at least 50)
and include the projections (mi's Gaussian form on the SZT layer takes its slices' covariances from the
joint covariance of X and T instead: the same values up to rounding, mi/estimators/sliced.hpp).

Usage (from the repository root):
    cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DMI_BUILD_BENCH=ON
    cmake --build build-bench --target bench_sliced bench_peak -j1
    /usr/bin/python3 bench/compare_sliced.py build-bench/bench/bench_sliced [--smi-dnn DIR] [--quick]
"""
import argparse
import os
import sys
import tempfile

import numpy as np
from sklearn.feature_selection import mutual_info_classif, mutual_info_regression

import machine
from compare_knn import best, run_bench, save


def run_mi(binary, args):
    kv = run_bench(binary, args)
    return float(kv["seconds"]), float(kv["value"])


def sphere(d, m, rng):
    a = rng.standard_normal((d, m))
    return a / np.linalg.norm(a, axis=0)


def numpy_xt_ksg(t, x, m, seed=0):
    rng = np.random.default_rng(seed)
    pt, px = t @ sphere(t.shape[1], m, rng), x @ sphere(x.shape[1], m, rng)
    return float(np.mean([mutual_info_regression(px[:, [s]], pt[:, s], n_neighbors=3, random_state=s)[0]
                          for s in range(m)]))


def numpy_ty_ksg(t, y, m, seed=0):
    rng = np.random.default_rng(seed)
    pt = t @ sphere(t.shape[1], m, rng)
    return float(np.mean([mutual_info_classif(pt[:, [s]], y, n_neighbors=3, random_state=s)[0] for s in range(m)]))


def numpy_xt_gaussian(t, x, m, seed=0):
    rng = np.random.default_rng(seed)
    pt, px = t @ sphere(t.shape[1], m, rng), x @ sphere(x.shape[1], m, rng)
    pt = pt - pt.mean(axis=0)
    px = px - px.mean(axis=0)
    rho = (pt * px).sum(axis=0) / np.sqrt((pt * pt).sum(axis=0) * (px * px).sum(axis=0))
    return float(np.mean(-0.5 * np.log1p(-rho * rho)))


def data_szt(rng):
    x = ((np.arange(4096)[:, None] >> np.arange(12)) & 1).astype(np.float64) * 2 - 1
    t = np.tanh(x @ (rng.standard_normal((12, 10)) / np.sqrt(12)))
    y = (np.tanh(t @ rng.standard_normal(10)) > 0).astype(np.int64)
    return x, t, y


def data_mnist(rng, n):
    x = rng.random((n, 784))
    t = np.maximum(0.0, (x - 0.5) @ (rng.standard_normal((784, 1024)) / np.sqrt(784)))
    y = np.argmax(t @ rng.standard_normal((1024, 10)), axis=1).astype(np.int64)
    return x, t, y


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary", nargs="?", default="build-bench/bench/bench_sliced")
    ap.add_argument("--smi-dnn", default="", help="a checkout of shelvia-w/SMI-DNN (the authors' code)")
    ap.add_argument("--quick", action="store_true", help="MNIST-sized rows with N = 4096 instead of 10,000")
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()
    compute_smi = None
    if a.smi_dnn:
        sys.path.insert(0, a.smi_dnn)
        from estimators.smi_estimator import compute_smi  # noqa: E402  (the authors' code, not vendored)
    tmp = tempfile.mkdtemp(prefix="mi_sliced_")
    rng = np.random.default_rng(2023)
    print("\n".join(machine.header(os.path.dirname(a.binary), sgemm=False)[0]))
    print(f"* mi threads: all; numpy {np.__version__}; authors' code: {a.smi_dnn or 'not given'}\n")
    cases = [("SZT", *data_szt(rng))]
    cases.append(("MNIST", *data_mnist(rng, 4096 if a.quick else 10000)))
    rows = []
    for name, x, t, y in cases:
        n = t.shape[0]
        save(f"{tmp}/x.bin", x)
        save(f"{tmp}/t.bin", t)
        save(f"{tmp}/y.bin", y.astype(np.float64))
        for m in ([128, 1000] if name == "SZT" else [128]):
            # SI(T;Y), per-slice KSG
            ts, v = run_mi(a.binary, ["ty", f"{tmp}/t.bin", f"{tmp}/y.bin", m, a.reps])
            tp, vp = best(lambda: numpy_ty_ksg(t, y, m), a.reps, enough=10.0)
            rows.append((name, n, t.shape[1], m, "SI(T;Y) ksg", ts, v, "numpy + sklearn mutual_info_classif", tp, vp))
            if compute_smi is not None:
                for jobs in ((1, -1) if m == 128 else (-1,)):
                    ta, va = best(lambda: compute_smi(t, y, proj_x=True, proj_y=False, n_projs=m, method="ksg_cd",
                                                      random_state=0, n_jobs=jobs), a.reps, enough=10.0)
                    rows.append((name, n, t.shape[1], m, "SI(T;Y) ksg", ts, v,
                                 f"authors' compute_smi ksg_cd, n_jobs={jobs}", ta, va))
            if m > 128:
                continue
            # SI(X;T), per-slice KSG and Gaussian
            ts, v = run_mi(a.binary, ["xt", f"{tmp}/t.bin", f"{tmp}/x.bin", m, "ksg", a.reps])
            tp, vp = best(lambda: numpy_xt_ksg(t, x, m), a.reps, enough=10.0)
            rows.append((name, n, t.shape[1], m, "SI(X;T) ksg", ts, v, "numpy + sklearn mutual_info_regression", tp, vp))
            if compute_smi is not None:
                ta, va = best(lambda: compute_smi(t, x, proj_x=True, proj_y=True, n_projs=m, method="ksg_cc",
                                                  random_state=0, n_jobs=-1), a.reps, enough=10.0)
                rows.append((name, n, t.shape[1], m, "SI(X;T) ksg", ts, v, "authors' compute_smi ksg_cc, n_jobs=-1",
                             ta, va))
            # milliseconds on both sides: the best of more calls, so that neither's first-call costs decide
            quick_reps = max(a.reps, 50)
            ts, v = run_mi(a.binary, ["xt", f"{tmp}/t.bin", f"{tmp}/x.bin", m, "gaussian", quick_reps])
            tp, vp = best(lambda: numpy_xt_gaussian(t, x, m), quick_reps, enough=10.0)
            rows.append((name, n, t.shape[1], m, "SI(X;T) gaussian", ts, v, "numpy (one matmul, vectorised rho)", tp, vp))
            print(f"  ... {name} M={m} done, load {machine.load_average()}", file=sys.stderr)
    print("| data | N | d_T | M | quantity | mi s | peer | peer s | peer / mi | mi nats | peer nats |")
    print("|---|---:|---:|---:|---|---:|---|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]} | {r[5]:.5f} | {r[7]} | {r[8]:.5f} | {r[8] / r[5]:.1f} "
              f"| {r[6]:.4f} | {r[9]:.4f} |")
    print(f"\nload average at the end: {machine.load_average()}")


if __name__ == "__main__":
    main()
