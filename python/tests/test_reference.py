# SPDX-License-Identifier: BSD-3-Clause
"""(a) The Python package against the reference values the C++ tests check (tests/data), one
case per estimator family, at the C++ tests' tolerances; and bit-for-bit identities between
the paths a value can take through the bindings (in place, strided, recorded, plane)."""
import math
import os

import numpy as np
import pytest

import mi
from conftest import DATA


def approx(want, eps):
    # doctest::Approx(want).epsilon(eps): |a - b| < eps * (scale + max(|a|, |b|)), scale 1
    return pytest.approx(want, rel=eps, abs=eps)


def kde_cases():
    with open(os.path.join(DATA, "kde_expected.txt")) as f:
        for line in f:
            if not line.strip() or line.startswith("#") or line.startswith("lse "):
                continue
            tok = line.split()
            assert len(tok) == 16
            yield tok


@pytest.mark.parametrize("name", ["d3_f32", "d12_f64", "dup_f64"])
def test_kde_matches_ibsgd_reference(name):
    tok = next(t for t in kde_cases() if t[0] == name)
    dtype = np.float32 if tok[1] == "f32" else np.float64
    n, d, s, classes = int(tok[2]), int(tok[3]), float(tok[4]), int(tok[5])
    want = [float(v) for v in tok[6:14]]
    y = np.array([int(v) for v in tok[14][7:].split(",")])
    ids = None if tok[15][4:] == "-" else np.array([int(v) for v in tok[15][4:].split(",")])
    x = np.fromfile(os.path.join(DATA, f"kde_{name}.bin"), dtype=dtype, count=n * d).reshape(n, d)
    tol = 2e-6 if dtype == np.float32 else 1e-11
    e = mi.kde(s)
    h = e.entropy(x)
    assert h.upper == approx(want[0], tol) and h.lower == approx(want[1], tol)
    p = e.point(x, mi.Samples(y, classes=classes, input_ids=ids))
    assert p.ixt_bounds.upper == approx(want[4], tol) and p.ixt_bounds.lower == approx(want[5], tol)
    assert p.ity_bounds.upper == approx(want[6], tol) and p.ity_bounds.lower == approx(want[7], tol)
    assert p.ixt == p.ixt_bounds.upper and p.ity == p.ity_bounds.upper
    i = e.mutual_information(x, input_ids=ids if ids is not None else np.arange(n))
    assert i == p.ixt_bounds
    assert h.upper - i.upper == approx(want[2], tol)
    assert e.mutual_information(x, labels=y, classes=classes) == p.ity_bounds
    # the same call through mi.kde(noise=mi.fixed_noise(s)) is the same estimator
    assert mi.kde(noise=mi.fixed_noise(s)).entropy(x) == h
    assert mi.kde(noise=mi.fixed_noise(s)) == e != mi.kde(noise=mi.adaptive_noise(s))


def test_binning_matches_numpy_reference():
    n = 4096
    rows = [l.strip().split(",") for l in open(os.path.join(DATA, "binning_expected.csv")).read().splitlines()[1:] if l]
    assert len(rows) == 40
    y = np.fromfile(os.path.join(DATA, "binning_labels.u8"), dtype=np.uint8, count=n)
    layers, offset = {}, 0
    for r in rows:
        layer, width = int(r[0]), int(r[2])
        if layer not in layers:
            layers[layer] = np.fromfile(os.path.join(DATA, "binning_layers.f32"), dtype=np.float32,
                                        count=n * width, offset=offset).reshape(n, width)
            offset += n * width * 4
    ids = np.arange(n) % 1024
    quantizers = {"idnns": mi.uniform.idnns(), "ibsgd": mi.fixed_width(0.07)}
    checked = 0
    for r in rows:
        if r[3] not in quantizers:
            continue
        t = layers[int(r[0])]
        h, ixt, ity, ixt_ids = (float(v) for v in r[4:8])
        b = mi.binning(quantizers[r[3]])
        p = b.point(t, y)
        assert b.entropy(t) == approx(h, 1e-12)
        assert p.ixt == approx(ixt, 1e-12)
        assert p.ity == approx(ity, 1e-10)
        assert b.mutual_information(t, input_ids=ids) == approx(ixt_ids, 1e-12)
        checked += 1
    assert checked >= 2


def read_records(name):
    out = {}
    for line in open(os.path.join(DATA, name)):
        if line.startswith("#") or not line.strip():
            continue
        tok = line.split()
        r, c = int(tok[1]), int(tok[2])
        out[tok[0]] = np.array([float(v) for v in tok[3:]]).reshape(r, c)
    return out


def test_renyi_matches_numpy_reference():
    d = read_records("rest_renyi.txt")
    x, t = d["x"], d["t"]
    y = d["y"].ravel().astype(int)
    for tag, width, xwidth in (("a1.01_fixed_l0.5", mi.kernel_width.fixed(0.8), mi.kernel_width.fixed(1.5)),
                               ("a2.0_silverman_l0.0", mi.kernel_width.silverman(1.0), mi.kernel_width.silverman(1.0))):
        alpha = 2.0 if tag.startswith("a2.0") else 1.01
        lw = 0.5 if tag.endswith("l0.5") else 0.0
        e = mi.renyi(alpha=alpha, width=width, input_width=xwidth, label_width=lw)
        assert e.entropy(t) == approx(d[tag + "_ht"][0, 0], 1e-9)
        p = e.point(t, mi.Samples(y, classes=3, x=x))
        assert p.ixt == approx(d[tag + "_ixt"][0, 0], 1e-8)
        assert e.mutual_information(t, x=x) == p.ixt


def read_knn(name):
    meta = {}
    with open(os.path.join(DATA, name)) as f:
        for line in f:
            if line.startswith("# ") and "=" in line and "columns" not in line:
                for kv in line[2:].split():
                    k, v = kv.split("=")
                    meta[k] = float(v)
    return meta, np.loadtxt(os.path.join(DATA, name), comments="#", ndmin=2)


def test_kl_entropy_matches_reference():
    meta, v = read_knn("knn_kl_multi.txt")
    for search in ("automatic", "kd_tree", "grid"):
        e = mi.kl_entropy(k=int(meta["k"]), epsilon=0.0, ties="none", search=search)
        assert e.entropy(v) == approx(meta["h"], 1e-12)


def test_ksg_matches_reference():
    meta, v = read_knn("knn_ksg_multi.txt")
    for alg in (1, 2):
        for search in ("automatic", "kd_tree", "brute_force", "grid"):
            e = mi.ksg(k=int(meta["k"]), algorithm=alg, ties="none", standardize=False, search=search)
            assert e.mutual_information(v[:, :3], x=v[:, 3:]) == approx(meta["mi%d" % alg], 1e-12)
    meta, v = read_knn("knn_sklearn_cd_a.txt")
    e = mi.ksg(k=int(meta["k"]), ties="none", standardize=False)
    assert e.mutual_information(v[:, 0], labels=v[:, 1].astype(int), classes=4) == approx(meta["mi"], 1e-12)


def test_paths_agree_bit_for_bit():
    rng = np.random.default_rng(3)
    big = rng.normal(size=(400, 9))
    strided = big[::2, 2:6]                     # row-strided, read in place
    contiguous = np.ascontiguousarray(strided)
    fortran = np.asfortranarray(strided)        # copied once
    y = rng.integers(0, 3, 200)
    for e in (mi.kde(0.1), mi.kl_entropy(), mi.binning(mi.adaptive_uniform(10)), mi.edge(0.3)):
        a = e.point(strided, y)
        assert a == e.point(contiguous, y) == e.point(fortran, y)
    # a recorded array and the plane give the estimator's own point (nats, same bits)
    rec = mi.Recording(y, dtype=np.float64)
    rec.observe(0, 0, strided)
    e = mi.binning(mi.equal_mass(8), correction="miller_madow")
    df = mi.information_plane(rec, e, unit="nats")
    p = e.point(strided, y)
    assert df["ixt"][0] == p.ixt and df["ity"][0] == p.ity
    assert df["parameters"][0] == e.parameters and df["estimator"][0] == e.name
    # bits are the nats divided by ln 2 (the C++ conversion)
    bits = mi.information_plane(rec, e)
    assert bits["ixt"][0] == pytest.approx(p.ixt / math.log(2), rel=1e-15)


def test_exact_counting_matches_numpy_counts():
    # A layer on a 3-level grid: H(T), I(T;Y) and H(T|X) from numpy's unique rows, independently.
    rng = np.random.default_rng(11)
    n = 500
    t = rng.integers(0, 3, size=(n, 2)).astype(np.float32) - 1.0
    y = (t[:, 0] + rng.integers(0, 2, size=n) > 0).astype(np.int64)

    def h(rows):
        _, c = np.unique(rows, axis=0, return_counts=True)
        p = c / c.sum()
        return float(-(p * np.log(p)).sum())

    h_t = h(t)
    h_t_y = sum((y == c).mean() * h(t[y == c]) for c in (0, 1))
    e = mi.exact_counting(max_levels=3)
    assert e.mutual_information(t, labels=y) == approx(h_t - h_t_y, 1e-12)
    assert e.point(t, y).ixt == approx(h_t, 1e-12)  # distinct inputs: I(X;T) = H(T)
    ids = np.repeat(np.arange(n // 2), 2)  # pairs of rows share an input id
    with pytest.raises(mi.error, match="input"):
        e.point(t, y, input_ids=ids)  # the pair's rows differ: H(T|X) = 0 does not hold
    counted = mi.exact_counting(repeats="counted")
    h_t_x = np.mean([h(t[2 * i:2 * i + 2]) for i in range(n // 2)])
    assert counted.point(t, y, input_ids=ids).ixt == approx(h_t - h_t_x, 1e-12)
    with pytest.raises(mi.error, match="max_levels"):
        mi.exact_counting(max_levels=2).point(t, y)


def test_sliced_in_one_dimension_is_the_per_slice_estimate():
    # With one unit on each side every slice is +-1, so the sliced value is the per-slice
    # estimate of the pair itself, computed here independently with numpy.
    rng = np.random.default_rng(5)
    n = 2000
    x = rng.standard_normal((n, 1))
    t = (0.8 * x + 0.6 * rng.standard_normal((n, 1))).astype(np.float64)
    rho = np.corrcoef(x[:, 0], t[:, 0])[0, 1]
    g = mi.sliced("gaussian", slices=8)
    assert g.mutual_information(t, x=x) == approx(-0.5 * math.log(1 - rho * rho), 1e-10)

    def binned(v, bins=30):
        lo, hi = v.min(), v.max()
        return np.minimum(((v - lo) / (hi - lo) * bins).astype(np.int64), bins - 1)

    def h(codes):
        _, c = np.unique(codes, axis=0, return_counts=True)
        p = c / c.sum()
        return float(-(p * np.log(p)).sum())

    bx, bt = binned(x[:, 0]), binned(t[:, 0])
    want = h(bx[:, None]) + h(bt[:, None]) - h(np.stack([bx, bt], axis=1))
    b = mi.sliced("binning", slices=8, bins=30)
    assert b.mutual_information(t, x=x) == approx(want, 1e-10)
    with pytest.raises(mi.error, match="per_slice"):
        mi.sliced("histogram")


def test_renyi_trace_methods_against_numpy():
    # S_2(A) = -log sum_ij A_ij^2 (the Frobenius path), and S_1.01 from numpy's eigenvalues against the
    # exact path and against automatic at 1200 rows (stochastic Lanczos quadrature there, which must
    # stay within its tolerance of 1e-3 of S or fall back to the exact spectrum).
    rng = np.random.default_rng(21)
    t = np.tanh(rng.standard_normal((1200, 3)))
    d2 = ((t[:, None, :] - t[None, :, :]) ** 2).sum(-1)
    a = np.exp(-d2 / 2.0) / t.shape[0]
    w = mi.kernel_width.fixed(1.0)
    assert mi.renyi(alpha=2.0, width=w, trace="frobenius").entropy(t) == approx(-math.log((a * a).sum()), 1e-10)
    lam = np.clip(np.linalg.eigvalsh(a), 0.0, None)
    s101 = math.log((lam ** 1.01).sum()) / (1.0 - 1.01)
    assert mi.renyi(alpha=1.01, width=w, trace="exact").entropy(t) == approx(s101, 1e-9)
    assert mi.renyi(alpha=1.01, width=w).entropy(t) == pytest.approx(s101, rel=1e-3)
    with pytest.raises(mi.error, match="trace"):
        mi.renyi(trace="svd")


def test_weighted_kl_and_compressed_against_closed_forms():
    from scipy.spatial import cKDTree
    from scipy.special import digamma, gammaln
    rng = np.random.default_rng(31)
    # d = 2: Berrett et al.'s weights are e_k, H = d mean log rho_k + log V_d + log(N - 1) - psi(k)
    n, d, k = 3000, 2, 5
    t = rng.standard_normal((n, d))
    rho = cKDTree(t).query(t, k=k + 1)[0][:, -1]
    log_vd = 0.5 * d * math.log(math.pi) - gammaln(0.5 * d + 1)
    want = d * np.mean(np.log(rho)) + log_vd + math.log(n - 1) - digamma(k)
    assert mi.weighted_kl(k=k, whiten=False, ties="none").entropy(t) == approx(want, 1e-10)
    # 2 + 2 latent Gaussians of correlation 0.8 carried linearly into 10 and 8 dimensions: after PCA(2)
    # the MI is the latent one, -log(1 - 0.8^2) = 1.0217 nats (KSG's spread at N = 3000 is ~0.05)
    z, w = rng.standard_normal((n, 2)), rng.standard_normal((n, 2))
    x = z @ rng.standard_normal((2, 10))
    t = (0.8 * z + 0.6 * w) @ rng.standard_normal((2, 8))
    y = (z[:, 0] > 0).astype(np.int64)
    e = mi.compressed(projection="pca", dims=2, estimator="ksg", k=5)
    assert e.point(t, y, x=x).ixt == pytest.approx(-math.log(1 - 0.64), abs=0.15)
    with pytest.raises(mi.error, match="projection"):
        mi.compressed(projection="autoencoder")
