# SPDX-License-Identifier: BSD-3-Clause
# Reference values for mi::renyi's fast trace methods (tests/estimators/test_renyi.cpp,
# "lanczos" cases): the matrix-based Renyi entropies of a 1200-row data set computed
# with numpy (full Gram matrices, numpy.linalg.eigvalsh, no shortcut), not with mi.
# The data are defined by formulas that the test re-evaluates in C++ (so no data file):
#   x_i  = the 12 bits (most significant first) of (2741 i) mod 4096, i < 1200 (distinct)
#   t_i  = tanh(x_i W + b), 10 units, b_j = 0.1 cos(j), W_kj = (2 u_kj - 1) / 2 with the
#          pseudo-random u_kj = frac(43758.5453 sin(12.9898 k + 78.233 j + 1)) in [0, 1)
#   y_i  = [sum_k x_ik cos(2 + k) > 0]                        (2 classes)
# the shape of bench/compare_estimators.py's Renyi data (SZT inputs, a tanh layer).
# Re-run from the repository root:
#   /usr/bin/python3 tests/reference/rest_renyi_lanczos.py
# which rewrites tests/data/rest_renyi_lanczos.txt.
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from rest_common import write_records  # noqa: E402

n = 1200
p = (2741 * np.arange(n)) % 4096
x = ((p[:, None] >> (11 - np.arange(12))[None, :]) & 1).astype(np.float64)
k, j = np.meshgrid(np.arange(12), np.arange(10), indexing="ij")
u = np.sin(12.9898 * k + 78.233 * j + 1.0) * 43758.5453
w = (2.0 * (u - np.floor(u)) - 1.0) / 2.0
b = 0.1 * np.cos(np.arange(10.0))
t = np.tanh(x @ w + b)
y = (x @ np.cos(2.0 + np.arange(12.0)) > 0).astype(int)


def silverman(z, gamma):
    s = np.sqrt(np.mean(z.var(axis=0)))
    return gamma * s * z.shape[0] ** (-1.0 / (4 + z.shape[1]))


def gram(z, sigma):
    d2 = ((z[:, None, :] - z[None, :, :]) ** 2).sum(-1)
    return np.exp(-d2 / (2 * sigma ** 2)) / z.shape[0]


def s_alpha(a, alpha):
    lam = np.clip(np.linalg.eigvalsh(a), 0, None)
    if alpha == 1.0:
        lam = lam[lam > 0]
        return float(-(lam * np.log(lam)).sum())
    return float(np.log((lam ** alpha).sum()) / (1 - alpha))


ay = (y[:, None] == y[None, :]).astype(float) / n
rec = [("y", y.astype(float))]
for gamma in (1.0, 4.0):
    at, ax = gram(t, silverman(t, gamma)), gram(x, silverman(x, gamma))
    for alpha in (1.01, 1.0, 2.0):
        tag = "g%g_a%s" % (gamma, alpha)
        st, sx = s_alpha(at, alpha), s_alpha(ax, alpha)
        rec.append((tag + "_ht", st))
        rec.append((tag + "_ixt", sx + st - s_alpha(ax * at * n, alpha)))
        rec.append((tag + "_ity", s_alpha(ay, alpha) + st - s_alpha(at * ay * n, alpha)))

out = os.path.join(os.path.dirname(__file__), "..", "data", "rest_renyi_lanczos.txt")
write_records(out, rec)
print("wrote", os.path.normpath(out), len(rec), "records")
