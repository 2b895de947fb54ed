# SPDX-License-Identifier: BSD-3-Clause
"""mi from Python: the cost of the Python layer, the SIMD variants, and the peers.

Sections (bench/python.md holds the measured tables and how to read them):

  (a) Python-call overhead: the same estimate called N times from a Python loop
      (est.point(t, samples), est.mutual_information(t, labels=y)) against N calls
      timed inside the extension (mi._mi._time_point / _time_mi_labels: a C++ loop,
      GIL released, no Python between calls). overhead = python / C++ - 1.
  (b) mi from Python against the code the papers used, on the same arrays:
        * KSG 1-D vs 1-D (k = 3): sklearn mutual_info_regression; Ross's I(T;Y)
          with a 1-D T: sklearn mutual_info_classif
        * KDE (Kolchinsky-Tracey upper bound, noise variance 0.1): numpy as ibsgd's
          kde.py computes it (x2 + x2.T - 2 X X^T, scipy logsumexp), float32
        * binning (30 edges on [-1, 1]): numpy as IDNNs / ibsgd do it (np.digitize,
          np.unique over rows), float32
      ratio = peer time / mi time; the values of both are printed.
  (c) SIMD variants: KDE N = 16384, d = 10 and KSG N = 16384, 12-D vs 12-D, through the
      baseline extension (mi._mi_sse2) and every other variant built and runnable here.

Times are the best of --reps blocks (each block >= --block seconds of calls); mi uses
all cores (mi.set_num_threads), numpy/OpenBLAS and scikit-learn their defaults.

    /usr/bin/python3 bench/compare_python.py [--quick] [--reps 5]

with the package importable (pip install --no-build-isolation --target DIR . and
PYTHONPATH=DIR, or a CMake build with PYTHONPATH=<build>/python).
"""
import argparse
import importlib
import os
import platform
import sys
import time

import numpy as np
import scipy.special

import mi

import machine


def best(fn, reps, block=0.0):
    """Best seconds per call over `reps` blocks of calls lasting >= `block` seconds; and the last value."""
    out, calls = fn(), 1
    t0 = time.perf_counter()
    out = fn()
    one = time.perf_counter() - t0
    calls = max(1, int(block / one)) if one > 0 else 1
    b = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(calls):
            out = fn()
        b = min(b, (time.perf_counter() - t0) / calls)
    return b, out


def header(args):
    import sklearn

    print("\n".join(machine.header(args.bench_dir)[0]))
    print(f"{mi.build_info()}; mi threads {mi.num_threads()}")
    print(f"Python {platform.python_version()}, numpy {np.__version__}, scikit-learn {sklearn.__version__}; "
          f"best of {args.reps} blocks of >= {args.block} s\n")


# ---------------------------------------------------------------- (a) overhead

def overhead(args, rng):
    print("### (a) Python-call overhead: a Python loop of calls vs the same calls looped in C++\n")
    print("| estimator | call | N x d | C++ s/call | Python s/call | Python - C++, us/call | overhead |")
    print("|---|---|---|---:|---:|---:|---:|")
    sizes = [256, 4096] if args.quick else [256, 4096, 16384]
    ests = [("binning idnns(30)", mi.binning(mi.uniform.idnns(30))), ("kde(0.1)", mi.kde(0.1))]
    for n in sizes:
        d = 10
        t = np.tanh(rng.standard_normal((n, d))).astype(np.float32)
        y = rng.integers(0, 10, n)
        s = mi.Samples(y)
        labels = mi._mi._Labels(y, None)
        for name, e in ests:
            if name.startswith("kde") and n > 4096 and args.quick:
                continue
            cases = [
                ("point(t, samples)", lambda: e.point(t, s), lambda r: mi._mi._time_point(e._c, t, s._c, r)),
                ("mutual_information(t, labels=y)", lambda: e.mutual_information(t, labels=y),
                 lambda r: mi._mi._time_mi_labels(e._c, t, labels, r)),
            ]
            for call, py_fn, cpp_fn in cases:
                tp, _ = best(py_fn, 1, args.block)  # warm-up, and the repeat count
                r = max(1, int(args.block / tp))
                bp, bc = float("inf"), float("inf")
                for _ in range(args.reps):  # interleaved, so that load changes hit both
                    bc = min(bc, cpp_fn(r))
                    t0 = time.perf_counter()
                    for _ in range(r):
                        py_fn()
                    bp = min(bp, (time.perf_counter() - t0) / r)
                print(f"| {name} | {call} | {n} x {d} | {bc:.3g} | {bp:.3g} | {1e6 * (bp - bc):+.1f} | "
                      f"{100 * (bp / bc - 1):+.1f} % |")
    print()


# ---------------------------------------------------------------- (b) peers

def ibsgd_kde_upper(h, y, var):
    """ibsgd kde.py (Kolchinsky-Tracey upper bound), numpy: I(X;T) and I(T;Y) in nats."""
    def entropy_upper(x):
        n, dims = x.shape
        x2 = np.sum(np.square(x), axis=1)[:, None]
        dists = x2 + x2.T - 2.0 * (x @ x.T)
        normconst = (dims / 2.0) * np.log(2 * np.pi * var)
        lprobs = scipy.special.logsumexp(-dists / (2.0 * var), axis=1) - np.log(n) - normconst
        return dims / 2.0 - np.mean(lprobs)

    dims = h.shape[1]
    h_given_x = (dims / 2.0) * (np.log(2 * np.pi * var) + 1)
    hm = entropy_upper(h)
    hm_given_y = sum((y == c).mean() * entropy_upper(h[y == c]) for c in np.unique(y))
    return hm - h_given_x, hm - hm_given_y


BINS = np.linspace(-1, 1, 30, dtype=np.float32)


def ibsgd_binning(h, y):
    """IDNNs / ibsgd binning: digitize, unique rows; I(X;T) = H(T) (every row its own input), I(T;Y)."""
    def entropy_rows(a):
        a = np.ascontiguousarray(a)
        v = a.view(np.dtype((np.void, a.dtype.itemsize * a.shape[1])))
        _, counts = np.unique(v, return_counts=True)
        p = counts / counts.sum()
        return -np.sum(p * np.log(p))

    digitized = BINS[np.digitize(h.reshape(-1), BINS) - 1].reshape(h.shape)
    ht = entropy_rows(digitized)
    ht_y = sum((y == c).mean() * entropy_rows(digitized[y == c]) for c in np.unique(y))
    return ht, ht - ht_y


def peers(args, rng):
    from sklearn.feature_selection import mutual_info_classif, mutual_info_regression

    print("### (b) mi from Python vs the papers' code, same arrays\n")
    print("| comparison | N x d | mi s | peer s | peer / mi | mi value(s), nats | peer value(s), nats |")
    print("|---|---|---:|---:|---:|---|---|")
    row = "| {} | {} | {:.4g} | {:.4g} | **{:.1f}x** | {} | {} |"
    fmt = lambda v: ", ".join(f"{x:.4f}" for x in (v if isinstance(v, (tuple, list)) else [v]))  # noqa: E731

    ksg = mi.ksg(k=3)
    for n in ([4096] if args.quick else [4096, 16384]):
        x = rng.standard_normal(n)
        yc = 0.8 * x + 0.6 * rng.standard_normal(n)
        tm, vm = best(lambda: ksg.mutual_information(x, x=yc), args.reps)
        tp, vp = best(lambda: mutual_info_regression(x.reshape(-1, 1), yc, n_neighbors=3, random_state=0)[0],
                      args.reps)
        print(row.format("KSG 1-D vs 1-D, k=3 vs sklearn mutual_info_regression", f"{n} x 1", tm, tp, tp / tm,
                         fmt(vm), fmt(vp)))
        labels = rng.integers(0, 4, n)
        xl = labels + 0.8 * rng.standard_normal(n)
        tm, vm = best(lambda: ksg.mutual_information(xl, labels=labels), args.reps)
        tp, vp = best(lambda: mutual_info_classif(xl.reshape(-1, 1), labels, n_neighbors=3, random_state=0)[0],
                      args.reps)
        print(row.format("KSG (Ross) I(T;Y), 1-D T, k=3 vs sklearn mutual_info_classif", f"{n} x 1", tm, tp,
                         tp / tm, fmt(vm), fmt(vp)))

    kde = mi.kde(0.1)
    for n, d in ([(4096, 10)] if args.quick else [(1024, 10), (4096, 10), (4096, 100)]):
        h = np.tanh(rng.standard_normal((n, d)) * 1.5).astype(np.float32)
        y = rng.integers(0, 10, n)
        s = mi.Samples(y)
        tm, pm = best(lambda: kde.point(h, s), args.reps)
        tp, vp = best(lambda: ibsgd_kde_upper(h, y, 0.1), args.reps)
        print(row.format("KDE upper (ixt, ity), var 0.1, float32 vs numpy (ibsgd kde.py)", f"{n} x {d}", tm, tp,
                         tp / tm, fmt((pm.ixt, pm.ity)), fmt(vp)))

    binning = mi.binning(mi.uniform.idnns(30, -1.0, 1.0))
    for n, d in ([(4096, 10)] if args.quick else [(4096, 10), (4096, 100), (16384, 100)]):
        h = np.tanh(rng.standard_normal((n, d)) * 1.5).astype(np.float32)
        y = rng.integers(0, 10, n)
        s = mi.Samples(y)
        tm, pm = best(lambda: binning.point(h, s), args.reps)
        tp, vp = best(lambda: ibsgd_binning(h, y), args.reps)
        print(row.format("binning 30 edges (ixt, ity), float32 vs numpy digitize + unique rows", f"{n} x {d}", tm,
                         tp, tp / tm, fmt((pm.ixt, pm.ity)), fmt(vp)))
    print()


# ---------------------------------------------------------------- (c) SIMD variants

def variants(args, rng):
    features = set(mi._variant["cpu_features"])
    isas = [i for i in ("sse2", "avx2", "avx512") if i in mi._variant["built"] and mi._ISA_REQUIRES[i] <= features]
    print(f"### (c) SIMD variants (built: {', '.join(mi._variant['built'])}; runnable here: {', '.join(isas)})\n")
    if len(isas) == 1:
        print("(only the baseline can run here: build the other variants with setup.py, or CMake's "
              "-DMI_PYTHON_ISAS=\"sse2;avx2;avx512\", for the comparison)\n")
    mods = {i: importlib.import_module(f"mi._mi_{i}") for i in isas}
    n = 4096 if args.quick else 16384
    t10 = np.ascontiguousarray(np.tanh(rng.standard_normal((n, 10))), dtype=np.float32)
    y = rng.integers(0, 10, n)
    x12 = rng.standard_normal((n, 12))
    t12 = np.tanh(x12 @ rng.standard_normal((12, 12)) * 0.5) + 0.1 * rng.standard_normal((n, 12))
    print("| estimate | N x d | " + " | ".join(f"{i} s" for i in isas) + " | " +
          " | ".join(f"sse2 / {i}" for i in isas if i != "sse2") + " | values agree |")
    print("|---|---|" + "---:|" * (2 * len(isas) - 1) + "---|")
    cases = [
        ("KDE I(T;Y) (float32, var 0.1)", f"{n} x 10",
         lambda m: (lambda e, lab: (lambda: e.mi_labels(t10, lab)))(m._kde(0.1), m._Labels(y, None))),
        ("KSG I(X;T), 12-D vs 12-D, k=3", f"{n} x 12",
         lambda m: (lambda e: (lambda: e.mi_x(t12, x12)))(m._ksg(3, 1, m.tie_policy.jitter(), True, "automatic", 0))),
    ]
    for name, shape, make in cases:
        times, values = {}, {}
        for i in isas:
            times[i], values[i] = best(make(mods[i]), args.reps)
        base = values["sse2"]
        flat = lambda v: np.atleast_1d(np.asarray(v, dtype=float))  # noqa: E731
        agree = all(np.allclose(flat(values[i]), flat(base), rtol=1e-6, atol=0) for i in isas)
        print(f"| {name} | {shape} | " + " | ".join(f"{times[i]:.4g}" for i in isas) + " | " +
              " | ".join(f"**{times['sse2'] / times[i]:.2f}x**" for i in isas if i != "sse2") +
              f" | {'yes' if agree else 'NO'} ({fmt_values(values)}) |")
    print()


def fmt_values(values):
    v = next(iter(values.values()))
    return ", ".join(f"{x:.6f}" for x in np.atleast_1d(np.asarray(v, dtype=float)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer and smaller sizes")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--block", type=float, default=0.3, help="seconds per timed block in (a)")
    ap.add_argument("--sections", default="abc")
    ap.add_argument("--bench-dir", default="build-bench/bench", help="where bench_peak was built (the FMA peak)")
    args = ap.parse_args()
    os.environ.setdefault("MI_NO_SIMD_NOTE", "1")
    rng = np.random.default_rng(2024)
    header(args)
    if "a" in args.sections:
        overhead(args, rng)
    if "b" in args.sections:
        peers(args, rng)
    if "c" in args.sections:
        variants(args, rng)
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    sys.exit(main())
