#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Reference values for tests/estimators/test_binning.cpp, computed the way the
papers' numpy code computes them (independently of mi).

Re-run from the repository root with
    /usr/bin/python3 tests/reference/binning_reference.py
It rewrites
    tests/data/binning_layers.f32     float32 little-endian activations, the layers one after
                                      another, each 4096 x width, row-major
    tests/data/binning_labels.u8      4096 class ids (0/1), one byte each
    tests/data/binning_expected.csv   layer,kind,width,rule,h,ixt,ity,ixt_ids  (nats)
    tests/data/binning_edges.csv      layer,rule,k,edge  (float32 edges, printed exactly)

The activations are a seeded 12-10-7-5-4-3 tanh network and a 12-10-5-3 ReLU
network on all 4096 12-bit inputs (the SZT input set), with a few entries
overwritten by values that sit exactly on bin edges. Rules:
  idnns      IDNNs: bins = linspace(-1, 1, 30) as float32, bins[digitize(a, bins) - 1]
  ibsgd      ibsgd simplebinmi.bin_calc_information2: floor(a / 0.07) (float32 division)
  ebab       Chelombiev et al. (adaptive_estimators set_up_bins, maxentropy=True):
             low = -1.000001 (tanh) / 0 (ReLU), edges from the distinct values, float32,
             edges[digitize(a, edges) - 1]
  equal_mass mi's stated percentile convention, re-implemented here: sorted pooled values v,
             edges v[ceil(k M / 30)] for k = 1..29, code = digitize(a, edges)
  adaptive   30 equal intervals on [min, max] of the layer: interior edges
             linspace(min, max, 31)[1:-1], code = digitize(a, edges)
h = H(T), ixt = I(X;T) with distinct inputs (= h), ity = I(T;Y), and ixt_ids =
I(X;T) when the inputs are ids i % 1024 (each input repeated four times), all
plug-in, natural log, p(x) and p(y) from the unique rows as IDNNs does.
"""
import math
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")


def unique_probs(a):
    """IDNNs / ibsgd get_unique_probs: unique rows through a void view."""
    a = np.ascontiguousarray(a)
    v = a.view(np.dtype((np.void, a.dtype.itemsize * a.shape[1])))
    _, inverse, counts = np.unique(v, return_inverse=True, return_counts=True)
    return counts / float(counts.sum()), inverse.reshape(-1)


def entropy_rows(a):
    p, _ = unique_probs(a)
    return float(-np.sum(p * np.log(p)))


def information(codes, y, ids):
    h = entropy_rows(codes)
    h_y = 0.0
    for c in np.unique(y):
        m = y == c
        h_y += m.mean() * entropy_rows(codes[m])
    h_x = 0.0
    for i in np.unique(ids):
        m = ids == i
        h_x += m.mean() * entropy_rows(codes[m])
    return h, h, h - h_y, h - h_x


def idnns_codes(a):
    bins = np.linspace(-1, 1, 30).astype(np.float32)
    return bins[np.digitize(a.reshape(-1), bins) - 1].reshape(a.shape)


def ibsgd_codes(a):
    return np.floor(a / 0.07).astype("int")


def ebab_edges(a, low):
    layer_bins = [low]
    unique = np.unique(np.squeeze(a.reshape(1, -1)))
    unique = np.sort(np.setdiff1d(unique, layer_bins))
    if unique.size > 0:
        for k in range(30):
            ind = int(k * (unique.size / 30))
            layer_bins.append(unique[ind])
        layer_bins.append(unique[-1])
    return np.asarray(layer_bins).astype(np.float32)


def ebab_codes(a, low):
    bins = ebab_edges(a, low)
    return bins[np.digitize(np.squeeze(a.reshape(1, -1)), bins) - 1].reshape(len(a), -1)


def equal_mass_edges(a, bins=30):
    v = np.sort(a.reshape(-1).astype(np.float64))
    m = v.size
    e = []
    for k in range(1, bins):
        r = -(-k * m // bins)  # ceil(k m / bins) in integers
        if r >= m:
            break
        e.append(v[r])
    return np.unique(np.asarray(e))


def equal_mass_codes(a):
    return np.digitize(a.reshape(-1).astype(np.float64), equal_mass_edges(a)).reshape(a.shape)


def adaptive_codes(a, bins=30):
    lo, hi = float(a.min()), float(a.max())
    edges = np.linspace(lo, hi, bins + 1)[1:-1]
    return np.digitize(a.reshape(-1).astype(np.float64), edges).reshape(a.shape)


def main():
    rng = np.random.default_rng(20191)
    n = 4096
    x = ((np.arange(n)[:, None] >> np.arange(11, -1, -1)[None, :]) & 1).astype(np.float32)
    # Labels: a fixed threshold of a random projection (unbalanced classes on purpose).
    proj = x @ rng.normal(size=12).astype(np.float32)
    y = (proj > np.quantile(proj, 0.45)).astype(np.uint8)

    layers = []  # (kind, array)
    h = 2.0 * x - 1.0
    for width in (10, 7, 5, 4, 3):
        w = (rng.normal(size=(h.shape[1], width)) * (1.6 / math.sqrt(h.shape[1]))).astype(np.float32)
        b = (0.3 * rng.normal(size=width)).astype(np.float32)
        h = np.tanh(h @ w + b).astype(np.float32)
        layers.append(("tanh", h))
    h = x
    for width in (10, 5, 3):
        w = (rng.normal(size=(h.shape[1], width)) * (2.0 / math.sqrt(h.shape[1]))).astype(np.float32)
        b = (0.2 * rng.normal(size=width)).astype(np.float32)
        h = np.maximum(h @ w + b, 0).astype(np.float32)
        layers.append(("relu", h))

    # Values exactly on edges: IDNNs' float32 edges, multiples of 0.07 in float32, +-1.
    idnns_bins = np.linspace(-1, 1, 30).astype(np.float32)
    for li, (kind, a) in enumerate(layers):
        r = np.random.default_rng(100 + li)
        rows = r.choice(n, size=64, replace=False)
        cols = r.integers(0, a.shape[1], size=64)
        if kind == "tanh":
            pool = np.concatenate([idnns_bins, np.float32([0.07 * k for k in range(-14, 15)]), [1.0, -1.0]])
        else:
            pool = np.concatenate([idnns_bins[15:], np.float32([0.07 * k for k in range(0, 40)])])
        a[rows, cols] = pool[r.integers(0, pool.size, size=64)].astype(np.float32)

    with open(os.path.join(DATA, "binning_layers.f32"), "wb") as f:
        for _, a in layers:
            f.write(np.ascontiguousarray(a, dtype="<f4").tobytes())
    with open(os.path.join(DATA, "binning_labels.u8"), "wb") as f:
        f.write(y.astype(np.uint8).tobytes())

    ids = np.arange(n) % 1024
    rows = []
    edge_rows = []
    for li, (kind, a) in enumerate(layers):
        low = -1.000001 if kind == "tanh" else 0.0
        rules = [
            ("idnns", idnns_codes(a)),
            ("ibsgd", ibsgd_codes(a)),
            ("ebab", ebab_codes(a, low)),
            ("equal_mass", equal_mass_codes(a)),
            ("adaptive", adaptive_codes(a)),
        ]
        for name, codes in rules:
            h_t, ixt, ity, ixt_ids = information(codes, y, ids)
            rows.append(f"{li},{kind},{a.shape[1]},{name},{h_t!r},{ixt!r},{ity!r},{ixt_ids!r}")
        for k, e in enumerate(ebab_edges(a, low)):
            edge_rows.append(f"{li},ebab,{k},{float(e)!r}")
        for k, e in enumerate(equal_mass_edges(a)):
            edge_rows.append(f"{li},equal_mass,{k},{float(e)!r}")

    with open(os.path.join(DATA, "binning_expected.csv"), "w") as f:
        f.write("layer,kind,width,rule,h,ixt,ity,ixt_ids\n")
        f.write("\n".join(rows) + "\n")
    with open(os.path.join(DATA, "binning_edges.csv"), "w") as f:
        f.write("layer,rule,k,edge\n")
        f.write("\n".join(edge_rows) + "\n")
    print("wrote", len(layers), "layers,", len(rows), "expected rows")


if __name__ == "__main__":
    main()
