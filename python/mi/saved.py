# SPDX-License-Identifier: BSD-3-Clause
"""Saved activations: one on-disk layout for a recording, written by Python
(``mi.saved.write``, ``mi.torch.Recorder.save``) and C++
(``mi::save_recording``, include/mi/plane/saved.hpp), read by ``mi.saved.read``
and the ``mi-plane`` command.

Layout (format ``mi.saved_activations``, version 1)
---------------------------------------------------
A directory holding ``manifest.json`` and NumPy ``.npy`` files (NPY format
version 1.0, little-endian, C order)::

    run/
      manifest.json
      labels.npy            int, shape (rows,): class of each row, 0 <= y < classes
      input_ids.npy         optional, int, (rows,): which input each row came from
      x.npy                 optional, float32/float64, (rows, d): the network input X
      replicas.npy          optional, int, (rows,): replica group (draw) id of each row
      e<epoch>_l<layer>.npy one per recorded (epoch, layer): (rows, units), float32 or float64

``manifest.json``::

    {
      "format": "mi.saved_activations",
      "version": 1,
      "dtype": "float32",                 # of every activation file: "float32" or "float64"
      "rows": 4096,                       # rows of every file
      "classes": 2,                       # labels lie in [0, classes)
      "epochs": [0, 1, 2],                # recorded epochs, increasing, distinct, >= 0
      "layers": [0, 1],                   # recorded layer indices, increasing, distinct, >= 0
      "activations": [                    # one entry per (epoch, layer), sorted by (epoch, layer)
        {"epoch": 0, "layer": 0, "file": "e0_l0.npy", "shape": [4096, 10]},
        ...
      ],
      "files": {"labels": "labels.npy", "input_ids": "input_ids.npy"}
                                          # labels always; input_ids, x, replicas when present
    }

Other keys (e.g. ``"writer"``) are informational and ignored. File names are
plain names inside the directory (no ``/``), ending in ``.npy``; readers take
them from the manifest, writers use the names above. A layer may be missing at
some epochs (an incomplete recording), but every epoch in ``"epochs"`` and every
layer in ``"layers"`` has at least one file, a layer has the same number of
units at every epoch, and activation values are finite. Unlisted files in the
directory are ignored.

Writes are atomic: the files go to a sibling directory ``<dir>.tmp-<pid>``,
which is renamed to ``<dir>`` when complete; an existing ``<dir>`` is replaced
only with ``overwrite=True`` (renamed away to ``<dir>.old-<pid>``, the new one
renamed in, the old one deleted), and only if it is empty or itself holds a
``manifest.json``. A failure leaves ``<dir>`` as it was.

``read(dir)`` validates everything and raises ``mi.error`` (``SavedError``, a
``ValueError``, when the extension is not importable) with the offending file in
the message. It returns the dict that ``mi.information_plane`` accepts::

    {"labels": y, "layers": {(epoch, layer): array}, "input_ids": ids, "x": x, "replicas": r}

(optional keys only when the file is present).
"""
import json
import os
import shutil

import numpy as np

FORMAT = "mi.saved_activations"
VERSION = 1
MANIFEST = "manifest.json"
_OPTIONAL = ("input_ids", "x", "replicas")
_DTYPES = {"float32": np.dtype("<f4"), "float64": np.dtype("<f8")}


def _error_class():
    try:
        from . import _mi  # the extension, when built
    except ImportError:
        return None
    return getattr(_mi, "error", None)


class SavedError(ValueError):
    """Malformed saved-activation directory or arguments (used when mi.error is not available)."""


error = _error_class() or SavedError


def _fail(message):
    raise error(message)


def activation_file(epoch, layer):
    """The file name the writers use for (epoch, layer)."""
    return "e%d_l%d.npy" % (epoch, layer)


# ------------------------------------------------------------------ writing


def _as_int_vector(name, a, rows=None):
    arr = np.asarray(a)
    if arr.ndim != 1:
        _fail("mi.saved.write: %s must be 1-D, got shape %s" % (name, arr.shape))
    if arr.dtype.kind == "b" or arr.dtype.kind not in "iuf":
        _fail("mi.saved.write: %s must be integers, got dtype %s" % (name, arr.dtype))
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            _fail("mi.saved.write: %s must be whole numbers" % name)
    if arr.size and arr.min() < 0:
        _fail("mi.saved.write: %s must be >= 0, got %s" % (name, arr.min()))
    if rows is not None and arr.shape[0] != rows:
        _fail("mi.saved.write: %s has %d entries, expected one per row (%d)" % (name, arr.shape[0], rows))
    return arr.astype("<i8")


def _nonneg_int(name, v):
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or v < 0:
        _fail("mi.saved.write: %s must be a non-negative integer, got %r" % (name, v))
    return int(v)


def _prepare(labels, layers, input_ids, x, replicas, classes, dtype):
    y = _as_int_vector("labels", labels)
    rows = y.shape[0]
    if rows == 0:
        _fail("mi.saved.write: labels is empty")
    ncls = int(y.max()) + 1
    if classes is not None:
        classes = _nonneg_int("classes", classes)
        if classes < ncls:
            _fail("mi.saved.write: labels reach %d, not below classes=%d" % (ncls - 1, classes))
        ncls = classes
    if not isinstance(layers, dict) or not layers:
        _fail("mi.saved.write: layers must be a non-empty dict {(epoch, layer): array}")
    arrays = {}
    for key, a in layers.items():
        if not (isinstance(key, tuple) and len(key) == 2):
            _fail("mi.saved.write: layer key %r is not an (epoch, layer) pair" % (key,))
        e, l = _nonneg_int("epoch", key[0]), _nonneg_int("layer", key[1])
        if (e, l) in arrays:
            _fail("mi.saved.write: (epoch, layer) (%d, %d) given twice" % (e, l))
        arrays[(e, l)] = np.asarray(a)
    if dtype is None:
        dtype = "float64" if any(a.dtype == np.float64 for a in arrays.values()) else "float32"
    dtype = np.dtype(dtype).name
    if dtype not in _DTYPES:
        _fail("mi.saved.write: dtype must be float32 or float64, got %s" % dtype)
    units = {}
    out = {}
    for (e, l), a in sorted(arrays.items()):
        where = "mi.saved.write: activations of (epoch %d, layer %d)" % (e, l)
        if a.ndim != 2:
            _fail("%s must be 2-D (rows x units), got shape %s" % (where, a.shape))
        if a.dtype.kind not in "iuf" or a.dtype.kind == "b":
            _fail("%s must be numbers, got dtype %s" % (where, a.dtype))
        if a.shape[0] != rows:
            _fail("%s have %d rows, labels %d" % (where, a.shape[0], rows))
        if a.shape[1] == 0:
            _fail("%s have no units" % where)
        if units.setdefault(l, a.shape[1]) != a.shape[1]:
            _fail("%s have %d units, %d at the layer's other epochs" % (where, a.shape[1], units[l]))
        v = np.ascontiguousarray(a, dtype=_DTYPES[dtype])
        if not np.all(np.isfinite(v)):
            _fail("%s hold NaN or Inf" % where)
        out[(e, l)] = v
    extra = {}
    if input_ids is not None:
        extra["input_ids"] = _as_int_vector("input_ids", input_ids, rows)
    if replicas is not None:
        extra["replicas"] = _as_int_vector("replicas", replicas, rows)
    if x is not None:
        xa = np.asarray(x)
        if xa.ndim == 1:
            xa = xa.reshape(-1, 1)
        if xa.ndim != 2 or xa.shape[0] != rows or xa.shape[1] == 0:
            _fail("mi.saved.write: x must be rows x d with %d rows, got shape %s" % (rows, xa.shape))
        if xa.dtype.kind not in "iufb":
            _fail("mi.saved.write: x must be numbers, got dtype %s" % xa.dtype)
        xa = np.ascontiguousarray(xa, dtype="<f8" if xa.dtype == np.float64 else "<f4")
        if not np.all(np.isfinite(xa)):
            _fail("mi.saved.write: x holds NaN or Inf")
        extra["x"] = xa
    return y, ncls, dtype, out, extra


def _fsync_dir(path):
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _save_npy(path, arr):
    with open(path, "wb") as f:
        np.save(f, arr, allow_pickle=False)
        f.flush()
        os.fsync(f.fileno())


def write(dir, labels, layers, input_ids=None, x=None, replicas=None, classes=None, dtype=None,
          overwrite=False):
    """Writes a saved-activation directory (layout: this module's docstring), atomically.

    labels: int (rows,); layers: {(epoch, layer): (rows, units) array}; input_ids, replicas: int (rows,);
    x: (rows, d) network input; classes: default max(labels) + 1; dtype: of the activation files,
    float32 or float64 (default float64 if any layer is float64, else float32).
    Returns the directory path. Raises mi.error on invalid input; nothing is written then.
    """
    target = os.path.abspath(os.fspath(dir))
    y, ncls, dtype, acts, extra = _prepare(labels, layers, input_ids, x, replicas, classes, dtype)
    if os.path.lexists(target) and not overwrite:
        _fail("mi.saved.write: %s exists (pass overwrite=True to replace it)" % target)
    if os.path.lexists(target):
        _check_replaceable(target)
    parent = os.path.dirname(target)
    if not os.path.isdir(parent):
        _fail("mi.saved.write: the parent directory of %s does not exist" % target)

    files = {"labels": "labels.npy"}
    for k in _OPTIONAL:
        if k in extra:
            files[k] = k + ".npy"
    entries = [{"epoch": e, "layer": l, "file": activation_file(e, l), "shape": list(a.shape)}
               for (e, l), a in sorted(acts.items())]
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "writer": "mi.saved (python)",
        "dtype": dtype,
        "rows": int(y.shape[0]),
        "classes": ncls,
        "epochs": sorted({e for e, _ in acts}),
        "layers": sorted({l for _, l in acts}),
        "activations": entries,
        "files": files,
    }

    tmp = "%s.tmp-%d" % (target, os.getpid())
    if os.path.lexists(tmp):
        shutil.rmtree(tmp)  # a stale temporary of this pid (an earlier crash)
    try:
        os.mkdir(tmp)
        _save_npy(os.path.join(tmp, "labels.npy"), y)
        for k, arr in extra.items():
            _save_npy(os.path.join(tmp, files[k]), arr)
        for (e, l), a in acts.items():
            _save_npy(os.path.join(tmp, activation_file(e, l)), a)
        with open(os.path.join(tmp, MANIFEST), "w") as f:
            json.dump(manifest, f, indent=1)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        _fsync_dir(tmp)
        _install(tmp, target, overwrite)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _fsync_dir(parent)
    return target


def _check_replaceable(target):
    if not os.path.isdir(target) or os.path.islink(target):
        _fail("mi.saved.write: %s exists and is not a directory; not replaced" % target)
    names = os.listdir(target)
    if names and MANIFEST not in names:
        _fail("mi.saved.write: %s is a non-empty directory without %s; not replaced (not saved activations)"
              % (target, MANIFEST))


def _install(tmp, target, overwrite):
    """Renames the finished tmp to target; with overwrite, moves an existing target away first."""
    if not os.path.lexists(target):
        try:
            os.rename(tmp, target)
            return
        except OSError:
            if not os.path.lexists(target):
                raise
            # target appeared meanwhile: fall through
    if not overwrite:
        _fail("mi.saved.write: %s exists (pass overwrite=True to replace it)" % target)
    _check_replaceable(target)
    old = "%s.old-%d" % (target, os.getpid())
    if os.path.lexists(old):
        shutil.rmtree(old)
    os.rename(target, old)
    try:
        os.rename(tmp, target)
    except BaseException:
        os.rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


# ------------------------------------------------------------------ reading


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _load(dirpath, name, what):
    if not isinstance(name, str) or not name.endswith(".npy") or "/" in name or "\\" in name or name.startswith("."):
        _fail("%s: %s file name %r must be a plain name ending in .npy"
              % (os.path.join(dirpath, MANIFEST), what, name))
    path = os.path.join(dirpath, name)
    if not os.path.isfile(path):
        _fail("%s: missing file (%s listed in %s)" % (path, what, MANIFEST))
    try:
        arr = np.load(path, mmap_mode=None, allow_pickle=False)
    except Exception as exc:  # truncated data, bad magic or header, object arrays, ...
        _fail("%s: not a readable .npy file (%s: %s)" % (path, type(exc).__name__, exc))
    if not isinstance(arr, np.ndarray):
        _fail("%s: not a single .npy array" % path)
    return path, arr


def _int_vector(dirpath, name, what, rows):
    path, arr = _load(dirpath, name, what)
    if arr.dtype.kind not in "iu":
        _fail("%s: %s must have an integer dtype, found %s" % (path, what, arr.dtype))
    if arr.ndim != 1 or arr.shape[0] != rows:
        _fail("%s: %s must have shape (%d,) (rows in %s), found %s" % (path, what, rows, MANIFEST, arr.shape))
    if rows and arr.min() < 0:
        _fail("%s: %s must be >= 0, found %d" % (path, what, arr.min()))
    return path, arr.astype(np.int64)


def read_manifest(dir):
    """The parsed and checked manifest.json of a saved-activation directory."""
    dirpath = os.fspath(dir)
    mpath = os.path.join(dirpath, MANIFEST)
    if not os.path.isdir(dirpath):
        _fail("%s: not a directory (saved activations are a directory with %s)" % (dirpath, MANIFEST))
    if not os.path.isfile(mpath):
        _fail("%s: missing manifest" % mpath)
    try:
        with open(mpath, "rb") as f:
            m = json.loads(f.read().decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        _fail("%s: not valid JSON (%s)" % (mpath, exc))
    if not isinstance(m, dict):
        _fail("%s: must hold a JSON object" % mpath)
    if m.get("format") != FORMAT:
        _fail("%s: unknown format %r (expected %r)" % (mpath, m.get("format"), FORMAT))
    if m.get("version") != VERSION or not _is_int(m.get("version")):
        _fail("%s: unsupported %s version %r (this reader reads version %d)" % (mpath, FORMAT, m.get("version"), VERSION))
    for key in ("dtype", "rows", "classes", "epochs", "layers", "activations", "files"):
        if key not in m:
            _fail("%s: missing key %r" % (mpath, key))
    if m["dtype"] not in _DTYPES:
        _fail("%s: dtype must be \"float32\" or \"float64\", found %r" % (mpath, m["dtype"]))
    for key in ("rows", "classes"):
        if not _is_int(m[key]) or m[key] < 1:
            _fail("%s: %s must be a positive integer, found %r" % (mpath, key, m[key]))
    for key in ("epochs", "layers"):
        v = m[key]
        if not isinstance(v, list) or not v or not all(_is_int(e) and e >= 0 for e in v):
            _fail("%s: %s must be a non-empty list of non-negative integers" % (mpath, key))
        if any(b <= a for a, b in zip(v, v[1:])):
            _fail("%s: %s must be increasing and distinct" % (mpath, key))
    files = m["files"]
    if not isinstance(files, dict) or "labels" not in files:
        _fail("%s: files must be an object naming at least \"labels\"" % mpath)
    for k in files:
        if k not in ("labels",) + _OPTIONAL:
            _fail("%s: files has unknown entry %r (known: labels, %s)" % (mpath, k, ", ".join(_OPTIONAL)))
    acts = m["activations"]
    if not isinstance(acts, list) or not acts:
        _fail("%s: activations must be a non-empty list" % mpath)
    seen = set()
    for i, a in enumerate(acts):
        if not isinstance(a, dict) or not all(k in a for k in ("epoch", "layer", "file", "shape")):
            _fail("%s: activations[%d] must have epoch, layer, file and shape" % (mpath, i))
        if not _is_int(a["epoch"]) or not _is_int(a["layer"]):
            _fail("%s: activations[%d]: epoch and layer must be integers" % (mpath, i))
        if a["epoch"] not in m["epochs"] or a["layer"] not in m["layers"]:
            _fail("%s: activations[%d] (epoch %r, layer %r) is not in epochs/layers"
                  % (mpath, i, a["epoch"], a["layer"]))
        key = (a["epoch"], a["layer"])
        if key in seen:
            _fail("%s: (epoch %d, layer %d) listed twice" % (mpath, key[0], key[1]))
        seen.add(key)
        s = a["shape"]
        if not (isinstance(s, list) and len(s) == 2 and all(_is_int(n) and n >= 1 for n in s)):
            _fail("%s: activations[%d]: shape must be [rows, units]" % (mpath, i))
        if s[0] != m["rows"]:
            _fail("%s: activations[%d] (epoch %d, layer %d) has %d rows, manifest rows %d"
                  % (mpath, i, key[0], key[1], s[0], m["rows"]))
    for e in m["epochs"]:
        if not any(k[0] == e for k in seen):
            _fail("%s: epoch %d is listed but has no activation file" % (mpath, e))
    for l in m["layers"]:
        if not any(k[1] == l for k in seen):
            _fail("%s: layer %d is listed but has no activation file" % (mpath, l))
    return m


def read(dir):
    """Reads and validates a saved-activation directory; returns the dict form mi.information_plane accepts:
    {"labels", "layers": {(epoch, layer): array}, and "input_ids" / "x" / "replicas" when present}."""
    dirpath = os.fspath(dir)
    m = read_manifest(dirpath)
    rows, classes = m["rows"], m["classes"]
    dtype = _DTYPES[m["dtype"]]
    files = m["files"]

    lpath, y = _int_vector(dirpath, files["labels"], "labels", rows)
    if y.max() >= classes:
        _fail("%s: label %d out of range (classes = %d in %s)" % (lpath, y.max(), classes, MANIFEST))
    out = {"labels": y}
    for k in ("input_ids", "replicas"):
        if k in files:
            out[k] = _int_vector(dirpath, files[k], k, rows)[1]
    if "x" in files:
        xpath, x = _load(dirpath, files["x"], "x")
        if x.dtype not in (np.dtype("<f4"), np.dtype("<f8")):
            _fail("%s: x must be float32 or float64, found %s" % (xpath, x.dtype))
        if x.ndim != 2 or x.shape[0] != rows or x.shape[1] < 1:
            _fail("%s: x must have shape (%d, d), found %s" % (xpath, rows, x.shape))
        if not np.all(np.isfinite(x)):
            _fail("%s: x holds NaN or Inf" % xpath)
        out["x"] = x

    layers = {}
    units = {}
    for a in sorted(m["activations"], key=lambda a: (a["epoch"], a["layer"])):
        e, l = a["epoch"], a["layer"]
        what = "activations of (epoch %d, layer %d)" % (e, l)
        path, arr = _load(dirpath, a["file"], what)
        if arr.dtype != dtype:
            _fail("%s: %s must have dtype %s (manifest dtype), found %s" % (path, what, m["dtype"], arr.dtype))
        if arr.ndim != 2 or list(arr.shape) != a["shape"]:
            _fail("%s: %s must have shape %s (manifest), found %s" % (path, what, tuple(a["shape"]), arr.shape))
        if units.setdefault(l, arr.shape[1]) != arr.shape[1]:
            _fail("%s: layer %d has %d units here but %d at an earlier epoch" % (path, l, arr.shape[1], units[l]))
        if not np.all(np.isfinite(arr)):
            _fail("%s: %s hold NaN or Inf" % (path, what))
        layers[(e, l)] = arr
    out["layers"] = layers
    return out
