# SPDX-License-Identifier: BSD-3-Clause
# Reference values for mi::renyi (tests/estimators/test_renyi.cpp): the
# matrix-based Renyi alpha-entropy (Sanchez Giraldo et al. 2015; Yu et al.
# 2018/2019) recomputed with numpy (full Gram matrices, numpy.linalg.eigvalsh,
# no block-diagonal shortcut), not with mi. Re-run from the repository root:
#   /usr/bin/python3 tests/reference/rest_renyi.py
# which rewrites tests/data/rest_renyi.txt.
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from rest_common import write_records  # noqa: E402

rng = np.random.default_rng(2019)
n = 60
x = rng.standard_normal((n, 3))
t = np.tanh(x @ rng.standard_normal((3, 4)) + 0.1 * rng.standard_normal((n, 4)))
y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(int) + (x[:, 2] > 1).astype(int)  # 3 classes


def silverman(z, gamma):
    s = np.sqrt(np.mean(z.var(axis=0)))
    return gamma * s * z.shape[0] ** (-1.0 / (4 + z.shape[1]))


def gram(z, sigma):
    d2 = ((z[:, None, :] - z[None, :, :]) ** 2).sum(-1)
    k = np.exp(-d2 / (2 * sigma ** 2))
    k = k / np.sqrt(np.outer(np.diag(k), np.diag(k)))
    return k / np.trace(k)


def s_alpha(a, alpha):
    lam = np.clip(np.linalg.eigvalsh(a), 0, None)
    if alpha == 1.0:
        lam = lam[lam > 0]
        return float(-(lam * np.log(lam)).sum())
    return float(np.log((lam ** alpha).sum()) / (1 - alpha))


def joint(a, b):
    h = a * b
    return h / np.trace(h)


def label_gram(y, width):
    onehot = np.eye(y.max() + 1)[y]
    if width == 0:
        k = (y[:, None] == y[None, :]).astype(float)
        return k / np.trace(k)
    return gram(onehot, width)


rec = [("x", x), ("t", t), ("y", y.astype(float))]
for alpha in (1.01, 2.0, 1.0):
    for tw, xw in (("fixed", "fixed"), ("silverman", "silverman")):
        st = 0.8 if tw == "fixed" else silverman(t, 1.0)
        sx = 1.5 if xw == "fixed" else silverman(x, 1.0)
        at, ax = gram(t, st), gram(x, sx)
        for lw in (0.0, 0.5):
            ay = label_gram(y, lw)
            tag = "a%s_%s_l%s" % (alpha, tw, lw)
            rec.append((tag + "_ht", s_alpha(at, alpha)))
            rec.append((tag + "_ixt", s_alpha(ax, alpha) + s_alpha(at, alpha) - s_alpha(joint(ax, at), alpha)))
            rec.append((tag + "_ity", s_alpha(ay, alpha) + s_alpha(at, alpha) - s_alpha(joint(at, ay), alpha)))

out = os.path.join(os.path.dirname(__file__), "..", "data", "rest_renyi.txt")
write_records(out, rec)
print("wrote", os.path.normpath(out), len(rec), "records")
