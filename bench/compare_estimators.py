#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""mi::sample_propagation and mi::renyi against numpy (and, for sample
propagation, scikit-learn's KernelDensity as Goldfeld et al.'s smoothMI uses
it), same data, same run.

    /usr/bin/python3 bench/compare_estimators.py --bench build-rest/bench/bench_estimators

Sample propagation, Goldfeld et al.'s SZT sizes: the 4096 12-bit inputs, R
noisy replicas of a 12-10-10 tanh net with noise sigma = 0.005 after the first
layer, the second layer's pre-noise values (N R x 10, float32, input-major)
as the layer. One plane point = h(T) (N R centres, mc draws per centre),
h(T|X) (N mixtures of R) and h(T|Y). numpy: exact blocked log-sum-exp in
float64; sklearn: KernelDensity(bandwidth=sigma, rtol=1e-3) fitted on all
centres for h(T) and once per input for h(T|X), as MIestimation.py does
(its h(T|Y) is not computed there, so that column has none). Values differ
by Monte Carlo noise only (different draws).

Renyi: N inputs (distinct 12-bit patterns up to N = 4096, drawn with
replacement above), a 10-unit tanh layer, 2 classes, alpha = 1.01,
Silverman-rule widths. One plane point = Gram matrix of T and S_alpha of A_T,
A_X o A_T, A_T o A_Y (the input's entropy is computed once, outside the
point, by both). numpy: full matrices and numpy.linalg.eigvalsh, as the
papers' code does. mi: its default trace method (automatic: every eigenvalue
below N = 1000, stochastic Lanczos quadrature above, unless its own error
estimate exceeds 1e-3 of S; the block-diagonal A_T o A_Y). --renyi-trace
exact|lanczos forces a method.

Prints a markdown table of seconds per plane point (best of the repeats) and
the ratio peer / mi, with both results in nats; for Renyi a second table with
the relative differences of the results, mi's peak resident memory (the
whole bench process) and the peak of numpy's arrays during a point, the
fitted growth exponents of time against N, and the load average (uptime)
before and after.
"""
import argparse
import os
import subprocess
import tempfile
import time
import tracemalloc

import numpy as np
from scipy.special import logsumexp

import machine


def szt_inputs():
    return ((np.arange(4096)[:, None] >> np.arange(11, -1, -1)[None, :]) & 1).astype(np.float64)


def sp_data(r, sigma, seed=7):
    rng = np.random.default_rng(seed)
    x = szt_inputs()
    w1 = rng.standard_normal((12, 10)) / np.sqrt(12); b1 = 0.1 * rng.standard_normal(10)
    w2 = rng.standard_normal((10, 10)) / np.sqrt(10); b2 = 0.1 * rng.standard_normal(10)
    y = (x @ rng.standard_normal(12) > 0).astype(np.uint8)
    s1 = np.tanh(x @ w1 + b1)
    out = np.empty((4096, r, 10))
    for k in range(r):
        out[:, k, :] = np.tanh((s1 + sigma * rng.standard_normal(s1.shape)) @ w2 + b2)
    return out.reshape(4096 * r, 10).astype(np.float32), np.repeat(y, r)


def mixture_entropy_numpy(c, sigma, mc, rng, block=2048):
    c = c.astype(np.float64)
    k, d = c.shape
    q = np.repeat(c, mc, axis=0) + sigma * rng.standard_normal((k * mc, d))
    c2 = (c * c).sum(1)
    total = 0.0
    for i in range(0, q.shape[0], block):
        qb = q[i:i + block]
        d2 = np.maximum((qb * qb).sum(1)[:, None] + c2[None, :] - 2.0 * qb @ c.T, 0.0)
        total += logsumexp(-d2 / (2 * sigma * sigma), axis=1).sum()
    return np.log(k) + 0.5 * d * np.log(2 * np.pi * sigma ** 2) - total / q.shape[0]


def sp_numpy(layer, y, n, r, mc, sigma, seed=3):
    rng = np.random.default_rng(seed)
    h = mixture_entropy_numpy(layer, sigma, mc, rng)
    # all N conditional mixtures at once: (N, R mc, d) queries against (N, R, d) centres
    c = layer.reshape(n, r, -1).astype(np.float64)
    q = np.repeat(c, mc, axis=1) + sigma * rng.standard_normal((n, r * mc, c.shape[2]))
    d2 = ((q[:, :, None, :] - c[:, None, :, :]) ** 2).sum(-1)
    ls = logsumexp(-d2 / (2 * sigma * sigma), axis=2)
    hx = np.log(r) + 0.5 * c.shape[2] * np.log(2 * np.pi * sigma ** 2) - ls.mean()
    hy = sum((y == l).mean() * mixture_entropy_numpy(layer[y == l], sigma, mc, rng) for l in np.unique(y))
    return max(h - hx, 0.0), max(h - hy, 0.0)


def sp_sklearn(layer, n, r, mc, sigma, seed=3):
    from sklearn.neighbors import KernelDensity
    rng = np.random.default_rng(seed)

    def ent(c):
        kde = KernelDensity(kernel="gaussian", bandwidth=sigma, rtol=1e-3).fit(c)
        q = np.repeat(c, mc, axis=0) + sigma * rng.standard_normal((c.shape[0] * mc, c.shape[1]))
        return -kde.score_samples(q).mean()

    c = layer.astype(np.float64)
    h = ent(c)
    hx = np.mean([ent(c[i * r:(i + 1) * r]) for i in range(n)])
    return max(h - hx, 0.0)


def silverman(z):
    return np.sqrt(np.mean(z.var(axis=0))) * z.shape[0] ** (-1.0 / (4 + z.shape[1]))


def gram(z, sigma):
    z = z.astype(np.float64)
    s = (z * z).sum(1)
    d2 = np.maximum(s[:, None] + s[None, :] - 2.0 * z @ z.T, 0.0)
    return np.exp(-d2 / (2 * sigma ** 2)) / z.shape[0]


def s_alpha(a, alpha):
    lam = np.clip(np.linalg.eigvalsh(a), 0, None)
    return float(np.log((lam ** alpha).sum()) / (1 - alpha))


def renyi_numpy_point(ax, sx, t, y, alpha):
    at = gram(t, silverman(t))
    st = s_alpha(at, alpha)
    n = t.shape[0]
    ixt = sx + st - s_alpha(ax * at * n, alpha)
    ay = (y[:, None] == y[None, :]).astype(np.float64) / n
    ity = s_alpha(ay, alpha) + st - s_alpha(at * ay * n, alpha)
    return ixt, ity


def best_of(f, repeats):
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True, help="path of the bench_estimators executable")
    ap.add_argument("--replicas", type=int, default=4)
    ap.add_argument("--mc", type=int, default=1)
    ap.add_argument("--sigma", type=float, default=0.005)
    ap.add_argument("--renyi", default="1000,2000,4000,8000")
    ap.add_argument("--renyi-trace", default="automatic", choices=["automatic", "exact", "lanczos"])
    ap.add_argument("--parts", default="sp,renyi", help="comma-separated: sp, renyi")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--no-sklearn", action="store_true")
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    rows, renyi_rows = [], []
    load_before = open("/proc/loadavg").read().split()[:3]
    threads = 0
    with tempfile.TemporaryDirectory() as tmp:
        if "sp" in parts:
            n, r, mc, sigma = 4096, args.replicas, args.mc, args.sigma
            layer, y = sp_data(r, sigma)
            lp, yp = os.path.join(tmp, "sp.f32"), os.path.join(tmp, "sp.u8")
            layer.tofile(lp); y.tofile(yp)
            out = subprocess.run([args.bench, "sp", lp, yp, str(n), str(r), "10", str(mc), repr(sigma), str(args.repeats)],
                                 check=True, capture_output=True, text=True).stdout.split()
            threads, t_mi, mi_ixt, mi_ity = int(out[0]), float(out[1]), float(out[2]), float(out[3])
            t_mi_ixt = float(out[4])  # I(X;T) alone: h(T) and h(T|X), what smoothMI computes
            t_np, (np_ixt, np_ity) = best_of(lambda: sp_numpy(layer, y, n, r, mc, sigma), args.repeats)
            case = "sample_propagation N=4096 R=%d d=10 mc=%d (%d centres)" % (r, mc, n * r)
            rows.append((case, "numpy", t_mi, t_np, "%.4f / %.4f" % (mi_ixt, mi_ity), "%.4f / %.4f" % (np_ixt, np_ity)))
            if not args.no_sklearn:
                t_sk, sk_ixt = best_of(lambda: sp_sklearn(layer, n, r, mc, sigma), 1)
                rows.append((case, "sklearn KDE (smoothMI); both sides I(X;T) only", t_mi_ixt, t_sk, "%.4f" % mi_ixt,
                             "%.4f" % sk_ixt))

        if "renyi" in parts:
            alpha = 1.01
            x_all = szt_inputs()
            rng = np.random.default_rng(11)
            w = rng.standard_normal((12, 10)) / np.sqrt(12); b = 0.1 * rng.standard_normal(10)
            v = rng.standard_normal(12)
            for nn in [int(s) for s in args.renyi.split(",")]:
                rows_of = rng.permutation(4096)[:nn] if nn <= 4096 else rng.integers(0, 4096, nn)
                x = x_all[rows_of].astype(np.float32)
                t = np.tanh(x.astype(np.float64) @ w + b).astype(np.float32)
                yy = (x.astype(np.float64) @ v > 0).astype(np.uint8)
                xp, tp, yp2 = (os.path.join(tmp, f) for f in ("x.f32", "t.f32", "y.u8"))
                x.tofile(xp); t.tofile(tp); yy.tofile(yp2)
                reps = args.repeats  # both sides best of the same count (one run of N = 8000 varied 20 %)
                out = subprocess.run([args.bench, "renyi", xp, tp, yp2, str(nn), "12", "10", repr(alpha), str(reps),
                                      args.renyi_trace], check=True, capture_output=True, text=True).stdout.split()
                threads = int(out[0])
                t_mi, mi_ixt, mi_ity, mi_rss = float(out[1]), float(out[3]), float(out[4]), float(out[5])
                ax = gram(x, silverman(x.astype(np.float64)))
                sx = s_alpha(ax, alpha)
                # numpy's arrays during the point (tracemalloc sees numpy's buffers, not LAPACK's workspace)
                tracemalloc.start()
                t_np, (np_ixt, np_ity) = best_of(lambda: renyi_numpy_point(ax, sx, t, yy, alpha), reps)
                py_rss = tracemalloc.get_traced_memory()[1] / 2.0 ** 20
                tracemalloc.stop()
                renyi_rows.append((nn, t_mi, t_np, mi_ixt, mi_ity, np_ixt, np_ity, mi_rss, py_rss))
    load_after = open("/proc/loadavg").read().split()[:3]

    print("\n".join(machine.header(os.path.dirname(args.bench))[0]))
    print("* mi threads: %d\n" % threads)
    if rows:
        print("| case | peer | mi s/point | peer s/point | peer / mi | mi I(X;T) / I(T;Y) | peer I(X;T) / I(T;Y) |")
        print("|---|---|---:|---:|---:|---|---|")
        for case, peer, a, b, va, vb in rows:
            print("| %s | %s | %.3f | %.3f | %.1f | %s | %s |" % (case, peer, a, b, b / a, va, vb))
    if renyi_rows:
        print("\nRenyi, alpha = 1.01, mi trace method: %s; load average %s before, %s after\n"
              % (args.renyi_trace, " ".join(load_before), " ".join(load_after)))
        print("| N | mi s/point | numpy s/point | numpy / mi | mi I(X;T) / I(T;Y) | numpy I(X;T) / I(T;Y) "
              "| rel. diff I(X;T) / I(T;Y) | mi peak RSS MiB | numpy arrays peak MiB |")
        print("|---:|---:|---:|---:|---|---|---|---:|---:|")
        for nn, a, b, mx, my, px, py, mr, pr in renyi_rows:
            print("| %d | %.3f | %.3f | %.1f | %.6f / %.6f | %.6f / %.6f | %.1e / %.1e | %.0f | %.0f |"
                  % (nn, a, b, b / a, mx, my, px, py, abs(mx / px - 1), abs(my / py - 1), mr, pr))
        if len(renyi_rows) >= 2:
            ln = np.log([row[0] for row in renyi_rows])
            k_mi = np.polyfit(ln, np.log([row[1] for row in renyi_rows]), 1)[0]
            k_np = np.polyfit(ln, np.log([row[2] for row in renyi_rows]), 1)[0]
            print("\nfitted growth exponent of time against N (least squares on log-log): mi %.2f, numpy %.2f"
                  % (k_mi, k_np))


if __name__ == "__main__":
    main()
