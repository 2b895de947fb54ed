#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Reference values for mi's KDE estimators (include/mi/estimators/kde.hpp) and
the pairwise log-sum-kernel engine (include/mi/kernels/pairwise.hpp).

Re-run from the repository root with
    /usr/bin/python3 tests/reference/kde_reference.py
It rewrites tests/data/kde_*.bin and tests/data/kde_expected.txt (committed).
Needs numpy only (Debian bookworm: numpy 1.24.2).

The formulas are those of Saxe et al.'s ibsgd kde.py (Kolchinsky & Tracey
bounds), written here from the formulas in plain numpy, in float64 on the very
values stored in the data files (float32 cases are rounded to float32 first,
then computed in float64):

  entropy_estimator_kl(x, var) = d/2 + (d/2) ln(2 pi var)
                                 - mean_i [logsumexp_j(-|x_i - x_j|^2 / (2 var)) - ln N]
  entropy_estimator_bd(x, var) = entropy_estimator_kl(x, 4 var) + (d/2) ln(1/4)
  kde_condentropy(x, var)      = (d/2) (ln(2 pi var) + 1)
  I(X;T) = H(T) - H(T|X);  I(T;Y) = H(T) - sum_c p(c) H(T | Y = c), p(c) = N_c / N
  (upper from _kl, lower from _bd, as ibsgd's MI_XM_upper / MI_XM_lower ...)

Distances are computed here by explicit differences (not the dot-product
trick), so the reference carries no cancellation error.

One extra case ("dup") has repeated inputs: input ids with several rows each,
some identical rows, some noisy replicas. There
  H(T|X) = sum_x (n_x / N) H_bound(rows of input x)
with the same bound (kl for upper, bd for lower) on each input's rows.

Files:
  kde_<name>.bin      N x d row-major values, float32 or float64 little endian
  kde_expected.txt    one line per case:
    name dtype n d var classes H_upper H_lower H_TX_upper H_TX_lower
         IXT_upper IXT_lower ITY_upper ITY_lower  labels=<comma list>  ids=<comma list or ->
  and, per case, a line "lse <name> v_0 ... v_{N-1}" with the log-sum-kernel
  of every row at variance var (the engine's output, for the kernel tests).
"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")


def sq_dists(x):
    diff = x[:, None, :] - x[None, :, :]
    return np.einsum("ijk,ijk->ij", diff, diff)


def logsumexp_rows(a):
    m = a.max(axis=1, keepdims=True)
    return (m + np.log(np.exp(a - m).sum(axis=1, keepdims=True)))[:, 0]


def entropy_kl(x, var):
    n, d = x.shape
    lse = logsumexp_rows(-sq_dists(x) / (2.0 * var))
    return d / 2.0 + (d / 2.0) * np.log(2.0 * np.pi * var) - np.mean(lse - np.log(n))


def entropy_bd(x, var):
    d = x.shape[1]
    return entropy_kl(x, 4.0 * var) + np.log(0.25) * d / 2.0


def condentropy(d, var):
    return (d / 2.0) * (np.log(2.0 * np.pi * var) + 1.0)


def make_case(rng, n, d, classes):
    """Activations of a tanh layer on class-clustered inputs (some saturation)."""
    y = rng.integers(0, classes, size=n)
    centres = rng.normal(0.0, 0.5, size=(classes, 8))
    z = centres[y] + rng.normal(0.0, 0.6, size=(n, 8))
    w = rng.normal(0.0, 1.0 / np.sqrt(8.0), size=(8, d))
    return np.tanh(z @ w), y


def compute(x64, y, var, ids=None):
    n, d = x64.shape
    hu, hl = entropy_kl(x64, var), entropy_bd(x64, var)
    h0 = condentropy(d, var)
    if ids is None:
        hxu = hxl = h0
    else:
        hxu = hxl = 0.0
        for v in np.unique(ids):
            m = ids == v
            p = m.mean()
            hxu += p * entropy_kl(x64[m], var)
            hxl += p * entropy_bd(x64[m], var)
    hyu = hyl = 0.0
    for c in np.unique(y):
        m = y == c
        hyu += m.mean() * entropy_kl(x64[m], var)
        hyl += m.mean() * entropy_bd(x64[m], var)
    lse = logsumexp_rows(-sq_dists(x64) / (2.0 * var))
    return [hu, hl, hxu, hxl, hu - hxu, hl - hxl, hu - hyu, hl - hyl], lse


def main():
    rng = np.random.default_rng(20260422)
    lines, lse_lines = [], []
    cases = [  # name, n, d, var, classes; n is not a multiple of any block or SIMD width
        ("d3", 301, 3, 1e-2, 2),
        ("d12", 263, 12, 0.1, 3),
        ("d100", 229, 100, 1.0, 4),
    ]
    for name, n, d, var, classes in cases:
        x, y = make_case(rng, n, d, classes)
        for dtype, tag in ((np.float32, "f32"), (np.float64, "f64")):
            xs = x.astype(dtype)
            case = f"{name}_{tag}"
            xs.astype("<" + xs.dtype.str[1:]).tofile(os.path.join(DATA, f"kde_{case}.bin"))
            vals, lse = compute(xs.astype(np.float64), y, var)
            lines.append(" ".join([case, tag, str(n), str(d), repr(var), str(classes)] +
                                  [repr(float(v)) for v in vals] +
                                  ["labels=" + ",".join(map(str, y)), "ids=-"]))
            lse_lines.append(" ".join(["lse", case] + [repr(float(v)) for v in lse]))
    # Repeated inputs: 40 inputs, 1-5 rows each; even inputs identical rows, odd ones noisy replicas.
    n_inputs, d, var = 40, 5, 1e-2
    reps = rng.integers(1, 6, size=n_inputs)
    base, yb = make_case(rng, n_inputs, d, 2)
    rows, ids, y = [], [], []
    for k in range(n_inputs):
        for _ in range(reps[k]):
            r = base[k].copy()
            if k % 2 == 1:
                r = r + rng.normal(0.0, 0.05, size=d)
            rows.append(r)
            ids.append(k)
            y.append(yb[k])
    order = rng.permutation(len(rows))
    x = np.array(rows)[order]
    ids = np.array(ids)[order]
    y = np.array(y)[order]
    x.astype("<f8").tofile(os.path.join(DATA, "kde_dup_f64.bin"))
    vals, lse = compute(x, y, var, ids)
    lines.append(" ".join(["dup_f64", "f64", str(len(x)), str(d), repr(var), "2"] +
                          [repr(float(v)) for v in vals] +
                          ["labels=" + ",".join(map(str, y)), "ids=" + ",".join(map(str, ids))]))
    lse_lines.append(" ".join(["lse", "dup_f64"] + [repr(float(v)) for v in lse]))
    with open(os.path.join(DATA, "kde_expected.txt"), "w") as f:
        f.write("# written by tests/reference/kde_reference.py; see its docstring for the format\n")
        for line in lines + lse_lines:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
