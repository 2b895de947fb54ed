#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Reference values for mi's k-nearest-neighbour estimators (kl_entropy, ksg).

Re-run from the repository root with
    /usr/bin/python3 tests/reference/knn_reference.py
It rewrites tests/data/knn_*.txt (committed). Needs numpy, scipy, scikit-learn
(Debian bookworm: scikit-learn 1.2.1, scipy 1.10.1, numpy 1.24.2).

Every file has one "# key=value ..." line with the expected values, a
"# columns=..." line, then one row per sample (17 significant digits, so the
C++ test reads the very doubles used here).

* knn_sklearn_cc_*.txt: scikit-learn's mutual_info_regression on seeded data.
  sklearn scales each variable to unit variance and adds 1e-10 * max(1,
  mean|x|) * N(0,1) noise from random_state; this script reproduces that
  preprocessing, checks that sklearn's private _compute_mi_cc on the
  reproduced data equals mutual_info_regression bit for bit, and stores the
  reproduced data. mi then runs on it with tie_policy::none() and
  standardize = false, i.e. on the very same doubles.
* knn_sklearn_cd_*.txt: the same for mutual_info_classif (Ross 2014,
  _compute_mi_cd), labels in the last column; one class has a single row.
* knn_ksg_multi.txt: KSG algorithms 1 and 2 for 3-D X and 3-D Y, written
  here directly from Kraskov et al. 2004 eqs. 8 and 9 with numpy brute force
  (an independent implementation), on standardised data.
* knn_kl_multi.txt: Kozachenko-Leonenko entropy of 5-D data with k = 2,
  computed with scipy.spatial.cKDTree and scipy.special (independent).
"""
import os

import numpy as np
from scipy.spatial import cKDTree
from scipy.special import digamma, gammaln
from sklearn.feature_selection import mutual_info_classif, mutual_info_regression
from sklearn.feature_selection._mutual_info import _compute_mi_cc, _compute_mi_cd
from sklearn.preprocessing import scale

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")


def write(name, header, columns, rows):
    path = os.path.join(DATA, name)
    with open(path, "w") as f:
        f.write("# " + " ".join(f"{k}={v!r}" if isinstance(v, float) else f"{k}={v}" for k, v in header.items()) + "\n")
        f.write("# columns=" + ",".join(columns) + "\n")
        for r in rows:
            f.write(" ".join(repr(float(v)) for v in r) + "\n")
    print("wrote", path)


def sklearn_noise(x, rng):
    """What sklearn 1.2 _estimate_mi does to one continuous column."""
    x = scale(x.reshape(-1, 1), with_mean=False).ravel().astype(np.float64)
    return x + 1e-10 * np.maximum(1, np.mean(np.abs(x))) * rng.standard_normal(size=x.shape[0])


def sklearn_cc(name, n, rho, k, seed):
    g = np.random.default_rng(seed)
    x = g.standard_normal(n)
    y = rho * x + np.sqrt(1 - rho * rho) * g.standard_normal(n)
    y = np.exp(y)  # a monotone, non-Gaussian margin
    expected = mutual_info_regression(x.reshape(-1, 1), y, n_neighbors=k, random_state=seed)[0]
    # sklearn draws the noise of X first, then of y, from one RandomState
    rs = np.random.RandomState(seed)
    xs = sklearn_noise(x, rs)
    ys = sklearn_noise(y, rs)
    again = _compute_mi_cc(xs, ys, k)
    assert again == expected, (again, expected)
    assert expected > 0.0  # sklearn clips at 0; only unclipped cases are compared
    write(name, {"n": n, "k": k, "rho": rho, "seed": seed, "mi": float(expected)}, ["x", "y"], zip(xs, ys))


def sklearn_cd(name, n, k, seed):
    g = np.random.default_rng(seed)
    labels = g.integers(0, 3, size=n)
    labels[n - 1] = 3  # a class with a single row: Ross/sklearn leave it out
    t = g.standard_normal(n) + 1.5 * labels
    expected = mutual_info_classif(t.reshape(-1, 1), labels, n_neighbors=k, random_state=seed)[0]
    rs = np.random.RandomState(seed)
    ts = sklearn_noise(t, rs)
    again = _compute_mi_cd(ts, labels, k)
    assert again == expected, (again, expected)
    assert expected > 0.0
    write(name, {"n": n, "k": k, "seed": seed, "classes": 4, "mi": float(expected)}, ["t", "label"], zip(ts, labels))


def ksg_bruteforce(x, y, k):
    n = x.shape[0]
    dx = np.max(np.abs(x[:, None, :] - x[None, :, :]), axis=2)
    dy = np.max(np.abs(y[:, None, :] - y[None, :, :]), axis=2)
    dz = np.maximum(dx, dy)
    np.fill_diagonal(dz, np.inf)
    # k nearest by (distance, index): a stable sort keeps index order at ties
    order = np.argsort(dz, axis=1, kind="stable")[:, :k]
    eps = dz[np.arange(n), order[:, -1]]
    np.fill_diagonal(dx, np.inf)
    np.fill_diagonal(dy, np.inf)
    nx1 = np.sum(dx < eps[:, None], axis=1)
    ny1 = np.sum(dy < eps[:, None], axis=1)
    i1 = digamma(k) + digamma(n) - np.mean(digamma(nx1 + 1) + digamma(ny1 + 1))
    ex = np.max(dx[np.arange(n)[:, None], order], axis=1)
    ey = np.max(dy[np.arange(n)[:, None], order], axis=1)
    nx2 = np.sum(dx <= ex[:, None], axis=1)
    ny2 = np.sum(dy <= ey[:, None], axis=1)
    i2 = digamma(k) - 1.0 / k + digamma(n) - np.mean(digamma(nx2) + digamma(ny2))
    return i1, i2


def ksg_multi(name, n, k, seed):
    g = np.random.default_rng(seed)
    x = g.standard_normal((n, 3))
    y = 0.8 * x[:, ::-1] + 0.6 * g.standard_normal((n, 3))
    x = x / x.std(axis=0)
    y = y / y.std(axis=0)
    i1, i2 = ksg_bruteforce(x, y, k)
    write(name, {"n": n, "k": k, "seed": seed, "mi1": float(i1), "mi2": float(i2)},
          ["x0", "x1", "x2", "y0", "y1", "y2"], np.hstack([x, y]))


def kl_multi(name, n, d, k, seed):
    g = np.random.default_rng(seed)
    a = g.standard_normal((d, d)) * 0.5 + np.eye(d)
    x = g.standard_normal((n, d)) @ a
    r = cKDTree(x).query(x, k=k + 1, p=2)[0][:, -1]
    h = d * np.mean(np.log(r)) + 0.5 * d * np.log(np.pi) - gammaln(0.5 * d + 1) + digamma(n) - digamma(k)
    write(name, {"n": n, "d": d, "k": k, "seed": seed, "h": float(h)}, [f"x{j}" for j in range(d)], x)


if __name__ == "__main__":
    os.makedirs(DATA, exist_ok=True)
    sklearn_cc("knn_sklearn_cc_a.txt", 800, 0.5, 3, 11)
    sklearn_cc("knn_sklearn_cc_b.txt", 1500, 0.9, 5, 12)
    sklearn_cd("knn_sklearn_cd_a.txt", 900, 3, 13)
    ksg_multi("knn_ksg_multi.txt", 400, 4, 14)
    kl_multi("knn_kl_multi.txt", 1000, 5, 2, 15)
