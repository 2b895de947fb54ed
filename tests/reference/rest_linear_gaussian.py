# SPDX-License-Identifier: BSD-3-Clause
# Reference values for mi::linear_gaussian, mi::generalization_error and
# mi::gaussian_bound (tests/estimators/test_linear_gaussian.cpp and
# test_gaussian_bound.cpp), computed with numpy only (slogdet = LU, pinv = SVD,
# eigh), not with mi. Re-run from the repository root:
#   /usr/bin/python3 tests/reference/rest_linear_gaussian.py
# which rewrites tests/data/rest_linear_gaussian.txt.
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from rest_common import write_records  # noqa: E402

rng = np.random.default_rng(20181)
rec = []


def spd(n):
    a = rng.standard_normal((n, n))
    return a @ a.T / n + 0.2 * np.eye(n)


def ixt(w, sx, s2):
    sign, ld = np.linalg.slogdet(w @ sx @ w.T + s2 * np.eye(w.shape[0]))
    assert sign > 0
    return 0.5 * (ld - w.shape[0] * np.log(s2))


def ity_joint(w, sx, wo, s2, s2o):
    # 1/2 (log|S_T| + log|S_Y| - log|S_TY joint|), the App. G form.
    st = w @ sx @ w.T + s2 * np.eye(w.shape[0])
    sy = wo @ sx @ wo.T + s2o * np.eye(wo.shape[0])
    sty = w @ sx @ wo.T
    joint = np.block([[st, sty], [sty.T, sy]])
    return 0.5 * (np.linalg.slogdet(st)[1] + np.linalg.slogdet(sy)[1] - np.linalg.slogdet(joint)[1])


def ity_pinv(w, sx, wo, s2, s2o):
    st = w @ sx @ w.T + s2 * np.eye(w.shape[0])
    sy = wo @ sx @ wo.T + s2o * np.eye(wo.shape[0])
    sty = w @ sx @ wo.T
    cond = st - sty @ np.linalg.pinv(sy, rcond=1e-12, hermitian=False) @ sty.T
    return 0.5 * (np.linalg.slogdet(st)[1] - np.linalg.slogdet(cond)[1])


# case a: 3 x 5 W, identity input covariance, noisy teacher
w = rng.standard_normal((3, 5)); wo = rng.standard_normal((2, 5))
rec += [("a_W", w), ("a_Wo", wo), ("a_ixt", ixt(w, np.eye(5), 0.1)),
        ("a_ity", ity_joint(w, np.eye(5), wo, 0.1, 0.3))]
# case b: over-complete 4 x 3 W (rank 3 < 4), random SPD input covariance
w = rng.standard_normal((4, 3)); sx = spd(3); wo = rng.standard_normal((1, 3))
rec += [("b_W", w), ("b_Sx", sx), ("b_Wo", wo), ("b_ixt", ixt(w, sx, 0.05)),
        ("b_ity", ity_joint(w, sx, wo, 0.05, 0.2))]
# case c: singular 4 x 4 W of rank 2, SPD input covariance, noiseless rank-1 teacher with 3 outputs
w = rng.standard_normal((4, 2)) @ rng.standard_normal((2, 4)); sx = spd(4)
wo = np.outer(rng.standard_normal(3), rng.standard_normal(4))
rec += [("c_W", w), ("c_Sx", sx), ("c_Wo", wo), ("c_ixt", ixt(w, sx, 0.2)),
        ("c_ity", ity_pinv(w, sx, wo, 0.2, 0.0))]
# generalization error, eq. 5 and with input covariance
wt = rng.standard_normal((2, 5))
wo = rec[1][1]
rec += [("g_Wtot", wt), ("g_eg", np.sum((wo - wt) ** 2) + 2 * 0.3)]
sxg = spd(5)
rec += [("g_Sx", sxg), ("g_eg_sx", np.trace((wo - wt) @ sxg @ (wo - wt).T) + 2 * 0.3)]


# Gaussian channel bound (Shwartz-Ziv, Painsky & Tishby 2019, eq. 9)
def bound(wstar, dws, s2t, s2z):
    c = sum(d @ d.T for d in dws) / len(dws)
    lam, u = np.linalg.eigh(c)
    lam = np.maximum(lam, 0)
    a = u.T @ wstar @ wstar.T @ u
    den = lam + s2z / s2t
    total, i = 0.0, 0
    while i < len(lam):
        j = i + 1
        while j < len(lam) and den[j] - den[i] <= 1e-9 * den[j]:
            j += 1
        ev = np.linalg.eigvalsh(a[i:j, i:j]) if j - i > 1 else [a[i, i]]
        total += sum(0.5 * np.log1p(max(e, 0) / den[i]) for e in ev)
        i = j
    return total


ws = rng.standard_normal((4, 6)); dw1 = 0.3 * rng.standard_normal((4, 6)); dw2 = 0.3 * rng.standard_normal((4, 6))
rec += [("bd_Wstar", ws), ("bd_dW1", dw1), ("bd_dW2", dw2),
        ("bd_one", bound(ws, [dw1], 0.7, 0.05)), ("bd_two", bound(ws, [dw1, dw2], 0.7, 0.05))]
# 5 outputs, 2 inputs: C has rank 2, three equal (zero) eigenvalues -> a degenerate group
ws5 = rng.standard_normal((5, 2)); dw5 = 0.2 * rng.standard_normal((5, 2))
rec += [("bd5_Wstar", ws5), ("bd5_dW", dw5), ("bd5", bound(ws5, [dw5], 1.3, 0.1))]
# no weight noise: the bound is 1/2 log|I + s2T W W^T / s2z| (all denominators equal)
rec += [("bd0", 0.5 * np.linalg.slogdet(np.eye(4) + 0.7 * ws @ ws.T / 0.05)[1])]
# exact Gaussian-channel MI for the two-change case (the bound must exceed it)
c2 = (dw1 @ dw1.T + dw2 @ dw2.T) / 2
noise = 0.7 * c2 + 0.05 * np.eye(4)
rec += [("bd_exact_two", 0.5 * np.linalg.slogdet(np.eye(4) + np.linalg.solve(noise, 0.7 * ws @ ws.T))[1])]

out = os.path.join(os.path.dirname(__file__), "..", "data", "rest_linear_gaussian.txt")
write_records(out, rec)
print("wrote", os.path.normpath(out), len(rec), "records")
