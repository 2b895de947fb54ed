# SPDX-License-Identifier: BSD-3-Clause
"""mi.saved: the saved-activation layout (writer, reader, validation, C++ cross-check)."""
import json
import os

import numpy as np
import pytest

from mi import saved

HERE = os.path.dirname(os.path.abspath(__file__))
CPP_FIXTURE = os.path.join(HERE, "data", "saved_cpp")


def make(rows=12, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, rows)
    y[:3] = [0, 1, 2]
    layers = {}
    for e in (0, 2, 7):
        layers[(e, 0)] = rng.standard_normal((rows, 4)).astype(dtype)
        layers[(e, 1)] = np.tanh(rng.standard_normal((rows, 2))).astype(dtype)
    ids = np.arange(rows) // 2
    x = rng.standard_normal((rows, 3))
    reps = np.arange(rows) % 4
    return y, layers, ids, x, reps


@pytest.fixture
def written(tmp_path):
    y, layers, ids, x, reps = make()
    d = tmp_path / "run"
    saved.write(d, y, layers, input_ids=ids, x=x, replicas=reps)
    return d


def manifest(d):
    with open(os.path.join(d, "manifest.json")) as f:
        return json.load(f)


def put_manifest(d, m):
    with open(os.path.join(d, "manifest.json"), "w") as f:
        json.dump(m, f)


def expect_error(d, *fragments):
    with pytest.raises(saved.error) as info:
        saved.read(d)
    msg = str(info.value)
    for frag in fragments:
        assert frag in msg, msg
    return msg


# ------------------------------------------------------------------ round trip


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_round_trip(tmp_path, dtype):
    y, layers, ids, x, reps = make(dtype=dtype)
    d = saved.write(tmp_path / "run", y, layers, input_ids=ids, x=x, replicas=reps)
    got = saved.read(d)
    assert set(got) == {"labels", "layers", "input_ids", "x", "replicas"}
    np.testing.assert_array_equal(got["labels"], y)
    np.testing.assert_array_equal(got["input_ids"], ids)
    np.testing.assert_array_equal(got["replicas"], reps)
    np.testing.assert_array_equal(got["x"], x)
    assert got["x"].dtype == np.float64
    assert sorted(got["layers"]) == sorted(layers)
    for k, a in layers.items():
        assert got["layers"][k].dtype == dtype
        np.testing.assert_array_equal(got["layers"][k], a)
    m = manifest(d)
    assert m["format"] == "mi.saved_activations" and m["version"] == 1
    assert m["dtype"] == np.dtype(dtype).name
    assert m["rows"] == 12 and m["classes"] == 3
    assert m["epochs"] == [0, 2, 7] and m["layers"] == [0, 1]
    assert m["activations"][0] == {"epoch": 0, "layer": 0, "file": "e0_l0.npy", "shape": [12, 4]}
    assert m["files"] == {"labels": "labels.npy", "input_ids": "input_ids.npy", "x": "x.npy",
                          "replicas": "replicas.npy"}
    assert sorted(os.listdir(tmp_path)) == ["run"]  # no temporary left


def test_optional_files_absent(tmp_path):
    y, layers, *_ = make()
    d = saved.write(tmp_path / "run", y, layers, classes=5)
    got = saved.read(d)
    assert set(got) == {"labels", "layers"}
    assert manifest(d)["classes"] == 5
    assert sorted(os.listdir(d)) == ["e0_l0.npy", "e0_l1.npy", "e2_l0.npy", "e2_l1.npy", "e7_l0.npy",
                                     "e7_l1.npy", "labels.npy", "manifest.json"]


def test_incomplete_recording_allowed(tmp_path):
    y, layers, *_ = make()
    del layers[(2, 1)]
    got = saved.read(saved.write(tmp_path / "run", y, layers))
    assert sorted(got["layers"]) == sorted(layers)


def test_mixed_dtypes_promote_and_explicit_dtype(tmp_path):
    y, layers, *_ = make()
    layers[(0, 0)] = layers[(0, 0)].astype(np.float64)
    d = saved.write(tmp_path / "a", y, layers)
    assert manifest(d)["dtype"] == "float64"
    d = saved.write(tmp_path / "b", y, layers, dtype="float32")
    assert all(a.dtype == np.float32 for a in saved.read(d)["layers"].values())


def test_extra_files_ignored(written):
    (written / "notes.txt").write_text("hello")
    np.save(written / "e99_l0.npy", np.zeros(3))
    assert sorted(saved.read(written)["layers"]) == [(e, l) for e in (0, 2, 7) for l in (0, 1)]


# ------------------------------------------------------------------ atomic writes


def test_refuses_to_overwrite(written):
    y, layers, *_ = make(seed=1)
    before = saved.read(written)["labels"].copy()
    with pytest.raises(saved.error, match="exists"):
        saved.write(written, y, layers)
    np.testing.assert_array_equal(saved.read(written)["labels"], before)


def test_overwrite_replaces_whole_directory(written, tmp_path):
    y, layers, *_ = make(seed=1)
    del layers[(7, 0)], layers[(7, 1)]
    saved.write(written, y, layers, overwrite=True)
    got = saved.read(written)
    np.testing.assert_array_equal(got["labels"], y)
    assert "input_ids" not in got and not (written / "x.npy").exists()
    assert not (written / "e7_l0.npy").exists()
    assert sorted(os.listdir(tmp_path)) == ["run"]


def test_overwrite_refuses_foreign_directory(tmp_path):
    d = tmp_path / "precious"
    d.mkdir()
    (d / "thesis.tex").write_text("x")
    y, layers, *_ = make()
    with pytest.raises(saved.error, match="without manifest.json"):
        saved.write(d, y, layers, overwrite=True)
    assert os.listdir(d) == ["thesis.tex"]
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(saved.error, match="not a directory"):
        saved.write(f, y, layers, overwrite=True)


def test_failure_midway_leaves_nothing(tmp_path, monkeypatch, written):
    y, layers, *_ = make(seed=3)
    calls = []
    real = saved._save_npy

    def flaky(path, arr):
        calls.append(path)
        if len(calls) == 3:
            raise OSError("disk full (simulated)")
        real(path, arr)

    monkeypatch.setattr(saved, "_save_npy", flaky)
    with pytest.raises(OSError, match="disk full"):
        saved.write(tmp_path / "new", y, layers)
    calls.clear()
    old = saved.read(written)["labels"].copy()
    with pytest.raises(OSError, match="disk full"):
        saved.write(written, y, layers, overwrite=True)
    assert sorted(os.listdir(tmp_path)) == ["run"]
    np.testing.assert_array_equal(saved.read(written)["labels"], old)


@pytest.mark.parametrize("mutate, fragment", [
    (lambda a: a.update(labels=np.array([0.5] * 12)), "labels must be whole"),
    (lambda a: a.update(labels=np.array([-1] + [0] * 11)), "labels must be >= 0"),
    (lambda a: a.update(labels=np.zeros((12, 1), int)), "labels must be 1-D"),
    (lambda a: a["layers"].update({(9, 0): np.zeros((11, 4))}), "11 rows"),
    (lambda a: a["layers"].update({(9, 0): np.zeros((12, 5))}), "5 units"),
    (lambda a: a["layers"].update({(9, 0): np.zeros(12)}), "must be 2-D"),
    (lambda a: a["layers"].update({(-1, 0): np.zeros((12, 4))}), "epoch must be a non-negative"),
    (lambda a: a["layers"].update({(1, 0): np.full((12, 4), np.nan)}), "NaN"),
    (lambda a: a["layers"].update({3: np.zeros((12, 4))}), "not an (epoch, layer) pair"),
    (lambda a: a.update(layers={}), "non-empty dict"),
    (lambda a: a.update(input_ids=np.arange(11)), "input_ids has 11 entries"),
    (lambda a: a.update(replicas=np.arange(13)), "replicas has 13 entries"),
    (lambda a: a.update(x=np.zeros((11, 2))), "x must be rows x d"),
    (lambda a: a.update(classes=2), "not below classes=2"),
    (lambda a: a.update(dtype="int32"), "dtype must be float32 or float64"),
])
def test_write_rejects_bad_input_and_writes_nothing(tmp_path, mutate, fragment):
    y, layers, *_ = make()
    args = {"labels": y, "layers": dict(layers)}
    mutate(args)
    with pytest.raises(saved.error) as info:
        saved.write(tmp_path / "run", **args)
    assert fragment in str(info.value)
    assert os.listdir(tmp_path) == []


# ------------------------------------------------------------------ reader validation


def test_missing_directory_and_manifest(tmp_path):
    expect_error(tmp_path / "nope", "nope", "not a directory")
    (tmp_path / "empty").mkdir()
    expect_error(tmp_path / "empty", "manifest.json", "missing manifest")


def test_bad_json(written):
    (written / "manifest.json").write_text("{not json")
    expect_error(written, "manifest.json", "not valid JSON")


@pytest.mark.parametrize("key, value, fragment", [
    ("format", "something.else", "unknown format"),
    ("version", 2, "unsupported"),
    ("version", True, "unsupported"),
    ("dtype", "float16", "dtype must be"),
    ("rows", 0, "rows must be a positive"),
    ("classes", "3", "classes must be a positive"),
    ("epochs", [2, 0, 7], "increasing"),
    ("layers", [], "non-empty list"),
    ("files", {"label": "labels.npy"}, "at least \"labels\""),
    ("files", {"labels": "labels.npy", "extra": "x.npy"}, "unknown entry"),
    ("activations", [], "activations must be a non-empty"),
])
def test_bad_manifest_fields(written, key, value, fragment):
    m = manifest(written)
    m[key] = value
    put_manifest(written, m)
    expect_error(written, "manifest.json", fragment)


def test_missing_manifest_key(written):
    m = manifest(written)
    del m["rows"]
    put_manifest(written, m)
    expect_error(written, "manifest.json", "missing key 'rows'")


def test_epoch_listed_without_file(written):
    m = manifest(written)
    m["epochs"] = [0, 2, 5, 7]
    put_manifest(written, m)
    expect_error(written, "manifest.json", "epoch 5 is listed but has no activation file")


def test_activation_not_in_epoch_list(written):
    m = manifest(written)
    m["epochs"] = [0, 2]
    put_manifest(written, m)
    expect_error(written, "manifest.json", "(epoch 7, layer 0) is not in epochs/layers")


def test_duplicate_and_bad_entries(written):
    m = manifest(written)
    m["activations"].append(dict(m["activations"][0]))
    put_manifest(written, m)
    expect_error(written, "manifest.json", "listed twice")
    m = manifest(written)
    m["activations"].pop()
    m["activations"][1]["shape"] = [12]
    put_manifest(written, m)
    expect_error(written, "manifest.json", "shape must be [rows, units]")
    m["activations"][1]["shape"] = [11, 2]
    put_manifest(written, m)
    expect_error(written, "manifest.json", "has 11 rows, manifest rows 12")


@pytest.mark.parametrize("name", ["../labels.npy", "/etc/passwd", "labels.txt", ".hidden.npy"])
def test_file_names_must_be_plain(written, name):
    m = manifest(written)
    m["files"]["labels"] = name
    put_manifest(written, m)
    expect_error(written, "manifest.json", "plain name")


@pytest.mark.parametrize("victim", ["e2_l1.npy", "labels.npy", "x.npy", "input_ids.npy", "replicas.npy"])
def test_missing_file(written, victim):
    os.remove(written / victim)
    expect_error(written, victim, "missing file")


@pytest.mark.parametrize("victim", ["e2_l1.npy", "labels.npy", "x.npy"])
def test_truncated_npy(written, victim):
    p = written / victim
    data = p.read_bytes()
    p.write_bytes(data[:-5])
    expect_error(written, victim, "not a readable .npy")
    p.write_bytes(data[:40])  # inside the header
    expect_error(written, victim, "not a readable .npy")
    p.write_bytes(b"garbage, not an npy file at all")
    expect_error(written, victim, "not a readable .npy")


def test_wrong_activation_dtype(written):
    a = np.load(written / "e2_l0.npy")
    np.save(written / "e2_l0.npy", a.astype(np.float64))
    expect_error(written, "e2_l0.npy", "dtype float32", "found float64")
    np.save(written / "e2_l0.npy", a.astype(np.int32))
    expect_error(written, "e2_l0.npy", "dtype float32")


def test_wrong_activation_shape(written):
    np.save(written / "e2_l0.npy", np.zeros((11, 4), np.float32))
    expect_error(written, "e2_l0.npy", "shape (12, 4)")
    np.save(written / "e2_l0.npy", np.zeros((12, 4, 1), np.float32))
    expect_error(written, "e2_l0.npy", "shape (12, 4)")


def test_columns_differ_between_epochs(written):
    np.save(written / "e2_l0.npy", np.zeros((12, 5), np.float32))
    m = manifest(written)
    for a in m["activations"]:
        if (a["epoch"], a["layer"]) == (2, 0):
            a["shape"] = [12, 5]
    put_manifest(written, m)
    expect_error(written, "e2_l0.npy", "layer 0 has 5 units here but 4")


def test_nonfinite_activations(written):
    a = np.load(written / "e7_l1.npy")
    a[3, 1] = np.inf
    np.save(written / "e7_l1.npy", a)
    expect_error(written, "e7_l1.npy", "NaN or Inf")


def test_labels_not_integer(written):
    np.save(written / "labels.npy", np.load(written / "labels.npy").astype(np.float64))
    expect_error(written, "labels.npy", "integer dtype")


def test_labels_rows_mismatch(written):
    np.save(written / "labels.npy", np.zeros(11, np.int64))
    expect_error(written, "labels.npy", "shape (12,)")


def test_labels_out_of_range(written):
    y = np.load(written / "labels.npy")
    y[5] = 3
    np.save(written / "labels.npy", y)
    expect_error(written, "labels.npy", "label 3 out of range")
    y[5] = -1
    np.save(written / "labels.npy", y)
    expect_error(written, "labels.npy", ">= 0")


def test_bad_optional_files(written):
    np.save(written / "input_ids.npy", np.zeros(12, np.float32))
    expect_error(written, "input_ids.npy", "integer dtype")
    np.save(written / "input_ids.npy", np.zeros(12, np.int32))
    np.save(written / "replicas.npy", np.zeros(10, np.int64))
    expect_error(written, "replicas.npy", "shape (12,)")
    np.save(written / "replicas.npy", np.zeros(12, np.int64))
    np.save(written / "x.npy", np.zeros((12, 3), np.int64))
    expect_error(written, "x.npy", "float32 or float64")
    np.save(written / "x.npy", np.zeros((10, 3)))
    expect_error(written, "x.npy", "shape (12, d)")
    np.save(written / "x.npy", np.zeros((12, 3)))
    assert saved.read(written)["input_ids"].dtype == np.int64


def test_object_array_not_loaded(written):
    np.save(written / "labels.npy", np.array([{"a": 1}] * 12, dtype=object), allow_pickle=True)
    expect_error(written, "labels.npy", "not a readable .npy")


# ------------------------------------------------------------------ information_plane accepts read()


def test_read_feeds_information_plane(written):
    mi = pytest.importorskip("mi._mi") and __import__("mi")
    got = saved.read(written)
    est = mi.binning(mi.uniform.idnns(edges=30, lo=-1.0, hi=1.0))
    df = mi.information_plane(got, [est])
    assert sorted(set(zip(df["epoch"], df["layer"]))) == sorted(got["layers"])


# ------------------------------------------------------------------ C++ writer cross-check
# python/tests/data/saved_cpp/ is the output of mi::save_recording for the recording built in
# tests/plane/test_saved.cpp (fixture_recording); that C++ test compares its fresh output with
# these committed bytes, and this test reads them with the Python reader, so the two sides agree
# on the layout through one shared set of bytes.


def test_reads_cpp_writer_output():
    got = saved.read(CPP_FIXTURE)
    m = manifest(CPP_FIXTURE)
    assert m["writer"] == "mi::save_recording (C++)"
    assert m["dtype"] == "float32" and m["rows"] == 6 and m["classes"] == 3
    np.testing.assert_array_equal(got["labels"], [0, 1, 2, 0, 1, 2])
    np.testing.assert_array_equal(got["input_ids"], [0, 0, 1, 1, 2, 2])
    np.testing.assert_array_equal(got["replicas"], [0, 0, 1, 1, 2, 2])
    np.testing.assert_array_equal(got["x"], np.arange(12, dtype=np.float64).reshape(6, 2) / 4)
    assert got["x"].dtype == np.float64
    assert sorted(got["layers"]) == [(0, 0), (0, 2), (5, 0), (5, 2)]
    for (e, l), a in got["layers"].items():
        units = 3 if l == 0 else 1
        want = np.array([[e + 0.25 * r - 0.5 * c + l for c in range(units)] for r in range(6)], np.float32)
        np.testing.assert_array_equal(a, want)


def test_cpp_npy_bytes_equal_numpy_bytes(tmp_path):
    """Each .npy the C++ writer wrote is byte-for-byte what numpy writes for the same array."""
    for name in sorted(os.listdir(CPP_FIXTURE)):
        if not name.endswith(".npy"):
            continue
        a = np.load(os.path.join(CPP_FIXTURE, name))
        np.save(tmp_path / name, a)
        with open(os.path.join(CPP_FIXTURE, name), "rb") as f:
            assert f.read() == (tmp_path / name).read_bytes(), name
