# SPDX-License-Identifier: BSD-3-Clause
"""(f) information_plane's DataFrame has mi::write_csv's columns and the estimators' own points;
(g) progress callbacks, cancelling, Ctrl-C."""
import io
import os
import signal
import threading
import time

import numpy as np
import pytest

import mi
from mi import _mi

pd = pytest.importorskip("pandas")


def recording(n=300, epochs=(0, 5, 10), layers=2, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    rec = mi.Recording(y, dtype=dtype)
    arrays = {}
    for e in epochs:
        for l in range(layers):
            a = np.tanh((1 + e / 5) * rng.normal(size=(n, 3 + l))).astype(dtype)
            rec.observe(e, l, a)
            arrays[(e, l)] = a
    return rec, y, arrays


def test_columns_and_values_equal_write_csv_and_point():
    rec, y, arrays = recording()
    ests = {"bin": mi.binning(mi.uniform.idnns()), "kde": mi.kde(1e-3), "kl": mi.kl_entropy()}
    trajectories = []
    df = mi.information_plane(rec, ests, unit="nats", _trajectories=trajectories)
    csv = _mi._to_csv(trajectories)
    header = [l for l in csv.splitlines() if not l.startswith("#")][0].split(",")
    assert list(df.columns) == header == mi.csv_columns()
    assert len(df) == 3 * len(arrays)
    from_csv = pd.read_csv(io.StringIO(csv), comment="#", float_precision="round_trip")
    for c in df.columns:
        if df[c].dtype == object:
            assert list(df[c]) == list(from_csv[c])
        else:
            assert np.array_equal(df[c].to_numpy(), from_csv[c].to_numpy(), equal_nan=True), c
    for _, row in df.iterrows():
        e = {"binning": ests["bin"], "kde": ests["kde"], "kl_entropy": ests["kl"]}[row["estimator"]]
        p = e.point(arrays[(row["epoch"], row["layer"])], y)
        assert row["ixt"] == p.ixt and row["ity"] == p.ity and row["ixt_quantity"] == p.ixt_kind
        if p.ixt_bounds:
            assert (row["ixt_lower"], row["ixt_upper"]) == tuple(p.ixt_bounds)
        else:
            assert np.isnan(row["ixt_lower"])
        assert row["unit"] == "nats"


def test_dict_recording_bootstrap_and_global_binning():
    rec, y, arrays = recording(dtype=np.float64)
    d = {"labels": y, "layers": arrays}
    e = mi.binning(mi.global_uniform(30))
    a = mi.information_plane(d, e, bootstrap=20, seed=3, threads=2)
    b = mi.information_plane(rec, [e], bootstrap=20, seed=3, threads=1)
    pd.testing.assert_frame_equal(a, b)
    assert (a["ixt_ci_lower"] <= a["ixt"]).all() and (a["ixt"] <= a["ixt_ci_upper"]).all()
    assert (a["unit"] == "bits").all()


def test_progress_callable_is_called_and_false_cancels():
    rec, y, _ = recording()
    calls = []
    mi.information_plane(rec, [mi.kde(0.1), mi.binning(mi.fixed_width(0.1))], bootstrap=2,
                         progress=lambda done, total: calls.append((done, total)))
    total = 2 * 6 * 3
    assert calls[-1] == (total, total) and len(calls) == total
    assert [c[0] for c in calls] == list(range(1, total + 1))
    seen = []

    def stop(done, total):
        seen.append(done)
        return done < 3

    with pytest.raises(mi.cancelled, match="cancelled by the progress callback"):
        mi.information_plane(rec, mi.kde(0.1), progress=stop, threads=1)
    assert seen == [1, 2, 3]


def test_progress_raising_cancels_and_propagates():
    rec, y, _ = recording()

    def interrupt(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        mi.information_plane(rec, mi.kde(0.1), progress=interrupt)

    def fail(done, total):
        raise ValueError("from the callback")

    with pytest.raises(ValueError, match="from the callback"):
        mi.information_plane(rec, mi.kde(0.1), progress=fail, threads=2)


def test_progress_bar(capsys):
    rec, y, _ = recording()
    mi.information_plane(rec, mi.binning(mi.uniform(10, -1, 1)), progress=True)
    err = capsys.readouterr().err
    assert "6/6" in err and "ETA" in err


def test_ctrl_c_cancels_promptly():
    # about 1.5 s of work (0.15 s per 40 epochs on 2 cores), so the signal at 0.3 s lands inside it
    rec, y, _ = recording(n=1500, epochs=range(400), layers=1)
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        mi.information_plane(rec, mi.kde(0.1), bootstrap=10, threads=1)
    elapsed = time.monotonic() - start
    timer.join()
    assert elapsed < 30
