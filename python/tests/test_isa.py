# SPDX-License-Identifier: BSD-3-Clause
# The SIMD variants of the extension (mi._mi_sse2, _mi_avx2, _mi_avx512): the choice at
# import (pure, on fake feature sets) and, for every variant built and runnable here, the
# same numbers as the baseline (binning bit for bit; KDE within 1e-12 relative: another
# vector width sums in another order).
import importlib
import os
import subprocess
import sys

import numpy as np
import pytest

import mi

AVX2 = {"sse2", "sse4.2", "popcnt", "avx", "avx2", "fma", "bmi", "bmi2"}
AVX512 = AVX2 | {"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"}
ALL = ["sse2", "avx2", "avx512"]


def test_selection_picks_the_best_supported_variant():
    sel = mi._select_isa
    assert sel(AVX512, ALL) == ("avx512", "the best built variant this CPU supports")
    assert sel(AVX2, ALL)[0] == "avx2"
    assert sel({"sse2", "sse4.2"}, ALL)[0] == "sse2"
    assert sel(set(), ALL)[0] == "sse2"                        # nothing detected (non-x86): the baseline
    assert sel(AVX512, ["sse2"])[0] == "sse2"                  # CMake's default: only the baseline
    assert sel(AVX512, ["sse2", "avx2"])[0] == "avx2"
    assert sel(AVX512 - {"avx512bw"}, ALL)[0] == "avx2"        # e.g. Knights Landing: avx512f without bw
    assert sel(AVX2 - {"fma"}, ALL)[0] == "sse2"               # AVX2 without FMA (some VIA/Zhaoxin)
    assert sel(AVX2 - {"bmi2"}, ["sse2", "avx2"])[0] == "sse2"


def test_selection_override():
    sel = mi._select_isa
    assert sel(AVX512, ALL, "avx2") == ("avx2", "MI_PYTHON_ISA=avx2")
    assert sel(AVX512, ALL, " SSE2 ")[0] == "sse2"
    assert sel(AVX512, ALL, "")[0] == "avx512"                 # empty: choose
    with pytest.raises(ImportError, match="expected one of"):
        sel(AVX512, ALL, "neon")
    with pytest.raises(ImportError, match="not built"):
        sel(AVX512, ["sse2"], "avx512")
    with pytest.raises(ImportError, match="lacks avx512bw"):
        sel(AVX512 - {"avx512bw"}, ALL, "avx512")
    with pytest.raises(ImportError, match="no extension variant"):
        sel(AVX512, [])


def test_the_loaded_variant_is_reported():
    info = mi.build_info()
    isa = mi._variant["isa"]
    assert f"extension mi._mi_{isa}" in info
    assert sys.modules["mi._mi"] is mi._mi
    assert mi._mi._isa == isa
    assert "sse2" in mi._variant["built"]
    # without an override the choice is the best built variant the CPU supports
    if not os.environ.get("MI_PYTHON_ISA"):
        assert isa == mi._select_isa(mi._variant["cpu_features"], mi._variant["built"])[0]


def _runnable():
    features = set(mi._variant["cpu_features"])
    return [i for i in mi._variant["built"] if mi._ISA_REQUIRES[i] <= features]


def test_cpu_features_agree_with_proc_cpuinfo():
    if not os.path.exists("/proc/cpuinfo") or not mi._variant["cpu_features"]:
        pytest.skip("no /proc/cpuinfo or no x86 feature detection")
    flags = set()
    for line in open("/proc/cpuinfo"):
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
            break
    names = {"sse2": "sse2", "sse4.2": "sse4_2", "avx": "avx", "avx2": "avx2", "fma": "fma", "bmi": "bmi1",
             "bmi2": "bmi2", "avx512f": "avx512f", "avx512bw": "avx512bw"}
    for ours, linux in names.items():
        assert (ours in mi._variant["cpu_features"]) == (linux in flags), ours


@pytest.mark.parametrize("isa", ["avx2", "avx512"])
def test_variant_matches_the_baseline(isa):
    if isa not in mi._variant["built"]:
        pytest.skip(f"mi._mi_{isa} is not built (built: {', '.join(mi._variant['built'])}); "
                    "setup.py builds every variant, CMake only those in MI_PYTHON_ISAS")
    if isa not in _runnable():
        pytest.skip(f"this CPU cannot run mi._mi_{isa}")
    base = importlib.import_module("mi._mi_sse2")
    var = importlib.import_module(f"mi._mi_{isa}")
    assert var._isa == isa and base._isa == "sse2"
    compiled, bits = var._compiled_simd()
    assert bits == {"avx2": 256, "avx512": 512}[isa], compiled
    assert base._compiled_simd()[1] == 128

    rng = np.random.default_rng(13)
    t = np.tanh(rng.standard_normal((2000, 12)))
    y = rng.integers(0, 10, 2000)
    for m in (base, var):
        assert m._binning(m.uniform.idnns(30, -1.0, 1.0), "plug_in").name == "binning"
    b0 = base._binning(base.uniform.idnns(30, -1.0, 1.0), "plug_in").mi_labels(t, base._Labels(y, None))
    b1 = var._binning(var.uniform.idnns(30, -1.0, 1.0), "plug_in").mi_labels(t, var._Labels(y, None))
    assert b0 == b1  # bit-identical
    ids = np.arange(2000)
    e0 = base._binning(base.adaptive_uniform(30), "plug_in").mi_inputs(t, base._InputIds(ids))
    e1 = var._binning(var.adaptive_uniform(30), "plug_in").mi_inputs(t, var._InputIds(ids))
    assert e0 == e1

    for dtype in (np.float64, np.float32):
        td = np.ascontiguousarray(t, dtype=dtype)
        k0 = base._kde(0.1).mi_labels(td, base._Labels(y, None))
        k1 = var._kde(0.1).mi_labels(td, var._Labels(y, None))
        for a, b in zip(k0, k1):
            assert b == pytest.approx(a, rel=1e-12 if dtype == np.float64 else 1e-5, abs=0)
        h0, h1 = base._kde(0.1).entropy(td), var._kde(0.1).entropy(td)
        for a, b in zip(h0, h1):
            assert b == pytest.approx(a, rel=1e-12 if dtype == np.float64 else 1e-5, abs=0)


def test_the_override_is_obeyed_in_a_fresh_interpreter():
    for isa in _runnable():
        env = dict(os.environ, MI_PYTHON_ISA=isa)
        out = subprocess.run([sys.executable, "-c", "import mi; print(mi._mi._isa); print(mi.build_info())"],
                             env=env, capture_output=True, text=True, check=True).stdout.split("\n")
        assert out[0] == isa
        assert f"MI_PYTHON_ISA={isa}" in out[1]
    env = dict(os.environ, MI_PYTHON_ISA="avx1024")
    r = subprocess.run([sys.executable, "-c", "import mi"], env=env, capture_output=True, text=True)
    assert r.returncode != 0 and "MI_PYTHON_ISA" in r.stderr
