#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""mi::compressed<mi::pca, mi::weighted_kl<>> against a numpy / scikit-learn
re-computation of the same algorithm (Butakov et al., ICLR 2024, as their
released code runs it), on the same arrays in the same run:

  * compression: sklearn.decomposition.PCA(n_components=4).fit_transform
    (svd_solver='auto', as the paper's notebook calls it), then Gaussian noise
    of 1e-3 times each compressed column's standard deviation;
  * entropies: the weighted Kozachenko-Leonenko estimator (Berrett et al.
    2019) on covariance-whitened data, sklearn BallTree(leaf_size=40)
    query(k+1) as the paper's KLFunctional does, the least-norm weights from
    numpy.linalg.lstsq; I(X;T) = H(X) + H(T) - H(X,T), I(T;Y) = H(T) - sum_l
    p_l H(T | Y = l).

The arrays are the reproduction's (examples/reproduce/compressed_mnist): the
first N Fashion-MNIST test images (pixels / 255) through a seeded random
784-256-64-32-10 LeakyReLU network (numpy), every layer timed. N = 2000 is the
default run's MI sample, 10000 the paper's (--full). The input X is
compressed once per sample set on both sides (mi memoises it; the peer keeps
its array), so the per-point time is a layer's: PCA, noise, the entropies.
Times are the best of 3.

Usage (from the repository root):
    cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DMI_BUILD_BENCH=ON -DMI_BUILD_TESTS=OFF -DMI_BUILD_EXAMPLES=OFF
    cmake --build build-bench --target bench_compressed -j1
    /usr/bin/python3 bench/compare_compressed.py build-bench/bench/bench_compressed [--quick]
"""
import gzip
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from scipy.special import digamma, gammaln
from sklearn.decomposition import PCA
from sklearn.neighbors import BallTree

import machine

DIM, K, NOISE = 4, 5, 1e-3


def weights(d, k):
    """Berrett et al.'s W^(k), least-norm element (numpy lstsq); e_k for d <= 3."""
    if d // 4 == 0:
        w = np.zeros(k)
        w[-1] = 1.0
        return w
    support = sorted({i * k // d for i in range(1, d + 1)} - {0})
    s = np.array(support, dtype=float)
    rows = [np.ones(len(s))] + [np.exp(gammaln(s + 2 * l / d) - gammaln(s)) for l in range(1, d // 4 + 1)]
    rhs = np.zeros(len(rows))
    rhs[0] = 1.0
    w = np.zeros(k)
    w[np.array(support) - 1] = np.linalg.lstsq(np.array(rows), rhs, rcond=None)[0]
    return w


def entropy(x, k=K):
    n, d = x.shape
    cov = np.atleast_2d(np.cov(x, rowvar=False))
    chol = np.linalg.cholesky(cov)
    z = np.linalg.solve(chol, (x - x.mean(axis=0)).T).T
    dist, _ = BallTree(z, leaf_size=40).query(z, k + 1)
    w = weights(d, k)
    log_ball = d / 2 * np.log(np.pi) - gammaln(d / 2 + 1)
    h = sum(w[j] * (d * np.mean(np.log(dist[:, j + 1])) - digamma(j + 1)) for j in range(k) if w[j] != 0.0)
    return h + log_ball + np.log(n - 1) + np.log(np.diag(chol)).sum()


def compress(a, rng):
    c = PCA(n_components=min(DIM, a.shape[1])).fit_transform(a)
    return c + NOISE * c.std(axis=0, ddof=1) * rng.standard_normal(c.shape)


def peer_point(xc, t, y, rng):
    tc = compress(t, rng)
    ht = entropy(tc)
    ixt = entropy(xc) + ht - entropy(np.hstack([xc, tc]))
    cond = sum(np.mean(y == c) * entropy(tc[y == c]) for c in np.unique(y))
    return ixt, ht - cond


def best(f, reps=3):
    times, value = [], None
    for _ in range(reps):
        t0 = time.perf_counter()
        value = f()
        times.append(time.perf_counter() - t0)
    return min(times), value


def save(path, a):
    a = np.ascontiguousarray(a, dtype=np.float64)
    with open(path, "wb") as f:
        np.array(a.shape, dtype=np.int64).tofile(f)
        a.tofile(f)


def fashion_test_images(n):
    base = "/usr/share/datasets/fashion-mnist/"
    with gzip.open(base + "t10k-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)[:n] / 255.0
    with gzip.open(base + "t10k-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), dtype=np.uint8, offset=8)[:n].astype(np.int64)
    return x, y


def layers_of(x):
    """A seeded random 784-256-64-32-10 LeakyReLU network with a softmax output (Glorot uniform)."""
    rng = np.random.default_rng(1)
    out, h = [], x
    widths = [784, 256, 64, 32, 10]
    for i in range(4):
        lim = np.sqrt(6.0 / (widths[i] + widths[i + 1]))
        z = h @ rng.uniform(-lim, lim, (widths[i], widths[i + 1]))
        if i < 3:
            h = np.where(z > 0, z, 0.01 * z)
        else:
            e = np.exp(z - z.max(axis=1, keepdims=True))
            h = e / e.sum(axis=1, keepdims=True)
        out.append(h)
    return out


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    binary = sys.argv[1]
    sizes = [2000] if "--quick" in sys.argv else [2000, 10000]
    print("\n".join(machine.header(os.path.dirname(binary), sgemm=False)[0]))
    print("\n| N | layer | width | peer s / point | mi s / point | peer / mi | I(X;T) peer, mi [nats] | "
          "I(T;Y) peer, mi [nats] |\n|---:|---|---:|---:|---:|---:|---|---|")
    inputs = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            x, y = fashion_test_images(n)
            save(os.path.join(tmp, "x.bin"), x)
            with open(os.path.join(tmp, "y.bin"), "wb") as f:
                np.array([n], dtype=np.int64).tofile(f)
                y.tofile(f)
            rng = np.random.default_rng(0)
            tx, xc = best(lambda: compress(x, rng))
            total_peer = total_mi = 0.0
            for l, t in enumerate(layers_of(x)):
                save(os.path.join(tmp, "t.bin"), t)
                tp, (ixt_p, ity_p) = best(lambda: peer_point(xc, t, y, rng))
                out = subprocess.run([binary, os.path.join(tmp, "x.bin"), os.path.join(tmp, "t.bin"),
                                      os.path.join(tmp, "y.bin"), str(DIM), str(K), "3"],
                                     check=True, capture_output=True, text=True).stdout
                kv = dict(item.split("=") for item in out.split())
                tm = float(kv["point_seconds"])
                total_peer += tp
                total_mi += tm
                if l == 0:
                    inputs.append((n, tx, float(kv["input_seconds"])))
                name = "T%d" % (l + 1) if l < 3 else "out"
                print("| %d | %s | %d | %.4f | %.4f | %.1f | %.3f, %.3f | %.3f, %.3f |" % (
                    n, name, t.shape[1], tp, tm, tp / tm, ixt_p, float(kv["ixt"]), ity_p, float(kv["ity"])))
                sys.stdout.flush()
            print("| %d | all 4 layers (one epoch) | | %.4f | %.4f | %.1f | | |" % (
                n, total_peer, total_mi, total_peer / total_mi))
    print("\ncompressing X (784 -> 4, once per sample set):\n\n| N | peer s | mi s | peer / mi |\n|---:|---:|---:|---:|")
    for n, tp, tm in inputs:
        print("| %d | %.4f | %.4f | %.1f |" % (n, tp, tm, tp / max(tm, 1e-9)))
    print("\nload average after the run: " + machine.load_average())


if __name__ == "__main__":
    main()
