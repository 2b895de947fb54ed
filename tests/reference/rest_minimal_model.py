# SPDX-License-Identifier: BSD-3-Clause
# Reference values for mi::minimal_model (tests/estimators/test_minimal_model.cpp):
# Saxe et al. 2018 eq. 4, H(T) of h = f(w x), x ~ N(0,1), binned, with
# scipy.stats.norm.cdf and the inverse activation written out here per bin
# (not with mi). Re-run from the repository root:
#   /usr/bin/python3 tests/reference/rest_minimal_model.py
# which rewrites tests/data/rest_minimal_model.txt.
import os
import sys

import numpy as np
from scipy.stats import norm

sys.path.insert(0, os.path.dirname(__file__))
from rest_common import write_records  # noqa: E402

ws = np.array([0.05, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0])


def entropy(p):
    p = np.asarray(p, dtype=np.float64)
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def tanh_uniform(w, bins=30):
    # mi::uniform(30, -1, 1): interior edges linspace(-1, 1, 31)[1:-1]; tanh never leaves (-1, 1)
    e = np.linspace(-1.0, 1.0, bins + 1)[1:-1]
    x = np.concatenate(([-np.inf], np.arctanh(e) / abs(w), [np.inf]))
    return entropy(np.diff(norm.cdf(x)))


def tanh_saxe_edges(w, n=1000):
    # mi::bin_edges(tanh(linspace(-50, 50, n))): codes = number of edges <= h; repeated edges merge
    e = np.unique(np.tanh(np.linspace(-50.0, 50.0, n)))
    e = e[(e > -1.0) & (e < 1.0)]
    x = np.concatenate(([-np.inf], np.arctanh(e) / abs(w), [np.inf]))
    return entropy(np.diff(norm.cdf(x)))


def relu_fixed(w, width=0.1):
    # mi::fixed_width(0.1): code floor(h / width); h = 0 for x <= 0 (mass 1/2) joins [0, width)
    k = np.arange(0, int(40 * abs(w) / width) + 2)
    upper = norm.cdf((k + 1) * width / abs(w))
    lower = np.concatenate(([0.0], upper[:-1]))
    return entropy(upper - lower)


rec = [("w", ws), ("saxe_edges_1000", np.tanh(np.linspace(-50.0, 50.0, 1000))),
       ("tanh_uniform30", [tanh_uniform(w) for w in ws]),
       ("tanh_saxe_edges", [tanh_saxe_edges(w) for w in ws]),
       ("relu_fixed01", [relu_fixed(w) for w in ws])]
out = os.path.join(os.path.dirname(__file__), "..", "data", "rest_minimal_model.txt")
write_records(out, rec)
print("wrote", os.path.normpath(out))
for name, v in rec:
    print(name, np.round(v, 4))
