# SPDX-License-Identifier: BSD-3-Clause
"""mi-plane (mi.cli): spec grammar, end to end on a generated directory, malformed input -> exit 2."""
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from mi import cli, saved

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__import__("mi").__file__)))


def needs_extension():
    pytest.importorskip("mi._mi")
    import mi
    return mi


@pytest.fixture
def run_dir(tmp_path):
    rng = np.random.default_rng(7)
    rows = 64
    x = rng.standard_normal((rows, 4))
    y = (x[:, 0] + 0.3 * x[:, 1] > 0).astype(int)
    w1 = rng.standard_normal((4, 5))
    layers = {}
    for e in (0, 3, 9):
        h = np.tanh(x @ (w1 * (1 + 0.2 * e)))
        layers[(e, 0)] = h.astype(np.float32)
        layers[(e, 1)] = np.tanh(h[:, :2] * (1 + e)).astype(np.float32)
    return pathlib.Path(saved.write(tmp_path / "run", y, layers, x=x))


def run_main(args, capsys):
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------ grammar (no extension needed)


def test_parse_spec():
    assert cli.parse_spec("kde:variance=1e-3") == ("kde", {"variance": 1e-3})
    assert cli.parse_spec("binning:uniform=30,lo=-1,hi=1") == ("binning", {"uniform": 30, "lo": -1, "hi": 1})
    assert cli.parse_spec("decision_rule") == ("decision_rule", {})
    assert cli.parse_spec("ksg:k=3,standardize=false,ties=jitter") == (
        "ksg", {"k": 3, "standardize": False, "ties": "jitter"})
    for bad in ("", ":k=3", "kde:variance", "kde:variance=", "kde:=3", "kde:k=1,k=2"):
        with pytest.raises(cli.UsageError):
            cli.parse_spec(bad)


def test_help_documents_grammar():
    r = subprocess.run([sys.executable, "-m", "mi.cli", "--help"], capture_output=True, text=True,
                       env=dict(os.environ, PYTHONPATH=os.pathsep.join([PYTHON_DIR, os.environ.get("PYTHONPATH", "")])))
    assert r.returncode == 0, r.stderr
    for example in ("binning:idnns=30", "binning:uniform=30,lo=-1,hi=1", "binning:adaptive=30",
                    "binning:fixed_width=0.07", "kde:variance=1e-3", "kde:adaptive=1e-3", "kl:k=2", "ksg:k=3",
                    "renyi:alpha=1.01", "sp:sigma=0.1,mc=10", "decision_rule", "edge:epsilon=0.07"):
        assert example in r.stdout


# ------------------------------------------------------------------ mapping onto mi's constructors


def test_specs_map_onto_constructors():
    mi = needs_extension()
    pairs = [
        ("binning:idnns=30", mi.binning(mi.uniform.idnns(edges=30, lo=-1.0, hi=1.0))),
        ("binning:idnns=20,lo=-2,hi=2", mi.binning(mi.uniform.idnns(edges=20, lo=-2.0, hi=2.0))),
        ("binning:uniform=30,lo=-1,hi=1", mi.binning(mi.uniform(30, -1.0, 1.0))),
        ("binning:adaptive=30", mi.binning(mi.adaptive_uniform(30))),
        ("binning:global=100", mi.binning(mi.global_uniform(100))),
        ("binning:fixed_width=0.07", mi.binning(mi.fixed_width(0.07))),
        ("kde:variance=1e-3", mi.kde(1e-3)),
        ("kde:adaptive=1e-3", mi.kde(noise=mi.adaptive_noise(1e-3))),
        ("kl:k=2", mi.kl_entropy(k=2)),
        ("ksg:k=3", mi.ksg(k=3)),
        ("renyi:alpha=1.01", mi.renyi(alpha=1.01)),
        ("sp:sigma=0.1,mc=10", mi.sample_propagation(sigma=0.1, mc_samples=10)),
        ("decision_rule", mi.decision_rule()),
        ("edge:epsilon=0.07", mi.edge(epsilon=0.07)),
    ]
    for spec, want in pairs:
        got = cli.make_estimator(mi, spec)
        assert (got.name, got.parameters) == (want.name, want.parameters), spec


@pytest.mark.parametrize("spec, fragment", [
    ("nosuch:k=1", "unknown family"),
    ("binning", "exactly one of"),
    ("binning:idnns=30,adaptive=4", "exactly one of"),
    ("binning:idnns=thirty", "must be an integer"),
    ("binning:uniform=30", "needs lo= and hi="),
    ("kde", "exactly one of"),
    ("kde:variance=small", "must be a number"),
    ("kl:k=2.5", "must be an integer"),
    ("ksg:k=3,bogus=1", "bogus"),
    ("sp:sigma=0.1,mc=10,mc_samples=3", "both given"),
])
def test_bad_specs_exit_2(run_dir, tmp_path, capsys, spec, fragment):
    needs_extension()
    out = tmp_path / "plane.csv"
    code, _, err = run_main([run_dir, "-e", spec, "-o", out], capsys)
    assert code == 2
    assert fragment in err and spec in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()


# ------------------------------------------------------------------ end to end


def test_end_to_end_equals_information_plane(run_dir, tmp_path, capsys):
    mi = needs_extension()
    import pandas as pd
    out = tmp_path / "plane.csv"
    png = tmp_path / "plane.png"
    code, stdout, err = run_main([run_dir, "--estimator", "binning:idnns=30", "--estimator", "kde:variance=1e-3",
                                  "--estimator", "ksg:k=3", "--bootstrap", "5", "--seed", "3", "--threads", "1",
                                  "--unit", "nats", "-o", out, "--plot", png], capsys)
    assert code == 0, err
    assert err == ""  # no progress line: stderr is not a terminal
    got = pd.read_csv(out, comment="#", float_precision="round_trip")
    assert list(got.columns) == mi.csv_columns()
    want = mi.information_plane(saved.read(run_dir),
                                [mi.binning(mi.uniform.idnns(edges=30, lo=-1.0, hi=1.0)), mi.kde(1e-3), mi.ksg(k=3)],
                                bootstrap=5, seed=3, threads=1, unit="nats")
    assert len(got) == len(want) == 3 * 6
    for c in want.columns:
        if want[c].dtype.kind == "f":
            np.testing.assert_array_equal(got[c].to_numpy(float), want[c].to_numpy(float), err_msg=c)
        else:
            assert list(got[c].astype(str)) == list(want[c].astype(str)), c
    assert set(got["unit"]) == {"nats"}
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(os.listdir(tmp_path)) == ["plane.csv", "plane.png", "run"]  # no temporaries


def test_console_entry_module_runs(run_dir, tmp_path):
    needs_extension()
    out = tmp_path / "p.csv"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([PYTHON_DIR, os.environ.get("PYTHONPATH", "")]))
    r = subprocess.run([sys.executable, "-m", "mi.cli", str(run_dir), "-e", "binning:adaptive=10", "-o", str(out)],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert out.read_text().count("\n") >= 7
    r = subprocess.run([sys.executable, "-m", "mi.cli", str(tmp_path / "nope"), "-e", "binning:adaptive=10", "-o",
                        str(out) + "2"], capture_output=True, text=True, env=env)
    assert r.returncode == 2 and "nope" in r.stderr and len(r.stderr.strip().splitlines()) == 1


# ------------------------------------------------------------------ malformed input: exit 2, nothing written


def damage_truncate(d):
    p = d / "e3_l0.npy"
    p.write_bytes(p.read_bytes()[:-7])
    return "e3_l0.npy"


def damage_manifest(d):
    os.remove(d / "manifest.json")
    return "manifest.json"


def damage_labels(d):
    np.save(d / "labels.npy", np.full(64, 5))
    return "labels.npy"


def damage_format(d):
    (d / "manifest.json").write_text((d / "manifest.json").read_text().replace("mi.saved_activations", "other"))
    return "manifest.json"


def damage_missing(d):
    os.remove(d / "e9_l1.npy")
    return "e9_l1.npy"


def damage_dtype(d):
    np.save(d / "e0_l1.npy", np.load(d / "e0_l1.npy").astype(np.float64))
    return "e0_l1.npy"


def damage_dir(d):
    return "nonexistent"


@pytest.mark.parametrize("damage", [damage_truncate, damage_manifest, damage_labels, damage_format, damage_missing,
                                    damage_dtype, damage_dir])
def test_malformed_directory_exit_2(run_dir, tmp_path, capsys, damage):
    needs_extension()
    name = damage(run_dir)
    target = run_dir if name != "nonexistent" else tmp_path / "nonexistent"
    out = tmp_path / "plane.csv"
    out.write_text("previous results\n")
    code, _, err = run_main([target, "-e", "binning:idnns=30", "-o", out, "--plot", tmp_path / "p.png"], capsys)
    assert code == 2
    assert name in err and err.startswith("mi-plane: error:")
    assert len(err.strip().splitlines()) == 1
    assert out.read_text() == "previous results\n"
    assert not (tmp_path / "p.png").exists()
    assert not [f for f in os.listdir(tmp_path) if "tmp" in f]


def test_estimator_needing_missing_file_exit_2(tmp_path, capsys):
    needs_extension()
    d = saved.write(tmp_path / "nox", np.array([0, 1] * 8), {(0, 0): np.linspace(-1, 1, 32).reshape(16, 2)})
    out = tmp_path / "plane.csv"
    code, _, err = run_main([d, "-e", "ksg:k=3", "-o", out], capsys)
    assert code == 2 and "nox" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize("args, fragment", [
    (["--bootstrap", "-1"], "--bootstrap"),
    (["--confidence", "1.5"], "--confidence"),
    (["--threads", "-2"], "--threads"),
    (["--unit", "shannons"], "invalid choice"),
    (["--bootstrap", "many"], "invalid int"),
])
def test_bad_options_exit_2(run_dir, tmp_path, capsys, args, fragment):
    needs_extension()
    out = tmp_path / "plane.csv"
    try:
        code = cli.main([str(run_dir), "-e", "binning:idnns=30", "-o", str(out)] + args)
    except SystemExit as exc:  # argparse
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2 and fragment in err
    assert not out.exists()


def test_missing_output_directory_exit_2(run_dir, tmp_path, capsys):
    needs_extension()
    out = tmp_path / "no" / "such" / "plane.csv"
    code, _, err = run_main([run_dir, "-e", "binning:idnns=30", "-o", out], capsys)
    assert code == 2 and str(out) in err


def test_required_arguments():
    with pytest.raises(SystemExit) as info:
        cli.main(["somewhere", "-o", "x.csv"])
    assert info.value.code == 2
