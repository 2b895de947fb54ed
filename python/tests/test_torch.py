# SPDX-License-Identifier: BSD-3-Clause
"""mi.torch: the Recorder (hooks, epochs, shapes, no effect on training) and the epoch grids."""
import os

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from mi import saved  # noqa: E402
from mi import torch as mitorch  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEDULES = os.path.join(HERE, "..", "..", "tests", "data", "engine_schedules.txt")


class Noise(torch.nn.Module):
    """Adds Gaussian noise in train AND eval mode: consumes the RNG on every forward pass."""

    def forward(self, x):
        return x + 0.01 * torch.randn_like(x)


def make_model(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(6, 5), torch.nn.Tanh(),           # 0, 1
        torch.nn.BatchNorm1d(5), Noise(),                 # 2, 3
        torch.nn.Linear(5, 4), torch.nn.Dropout(0.3),     # 4, 5
        torch.nn.Tanh(), torch.nn.Linear(4, 3))           # 6, 7


def data(n=40, seed=1):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 6, generator=g)
    y = (x[:, 0] > 0).long() + (x[:, 1] > 0.5).long()
    return x, y


def train(model, x, y, epochs, recorder=None):
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(x))
        for s in range(0, len(x), 8):
            idx = perm[s:s + 8]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
        if recorder is not None:
            recorder.record(epoch)
    return model


def state(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def test_training_unchanged_by_recorder():
    x, y = data()
    torch.manual_seed(123)
    plain = train(make_model(), x, y, 7)
    after_plain = torch.rand(3)
    torch.manual_seed(123)
    model = make_model()
    rec = mitorch.Recorder(model, ["1", "3", "6", "7"], x, y, epochs=[0, 2, 5])
    train(model, x, y, 7, rec)
    after_rec = torch.rand(3)
    a, b = state(plain), state(model)
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k  # weights and BatchNorm running statistics
    assert torch.equal(after_plain, after_rec)  # the RNG stream continues as without the recorder
    assert sorted(rec.layers) == [(e, l) for e in (0, 2, 5) for l in range(4)]


def test_shapes_epochs_and_values():
    x, y = data()
    model = make_model()
    rec = mitorch.Recorder(model, ["1", model[4], "7"], x, y, epochs=mitorch.ibsgd_epochs(20)[::7])
    assert rec.epochs == [0, 7, 14]
    recorded = [e for e in range(20) if rec.record(e)]
    assert recorded == [0, 7, 14]
    assert sorted(rec.layers) == [(e, l) for e in (0, 7, 14) for l in range(3)]
    for e in (0, 7, 14):
        assert rec.layers[(e, 0)].shape == (40, 5)
        assert rec.layers[(e, 1)].shape == (40, 4)
        assert rec.layers[(e, 2)].shape == (40, 3)
        assert all(rec.layers[(e, l)].dtype == np.float32 for l in range(3))
    assert rec.names == ["1", "4", "7"]
    model.eval()
    with torch.no_grad():
        want = model[:2](x).numpy()
    np.testing.assert_array_equal(rec.layers[(0, 0)], want)
    assert not model[0].weight.requires_grad is False  # parameters untouched
    assert rec.record(3, force=True) and (3, 0) in rec.layers


def test_modes_restored_per_module_and_no_grad():
    x, y = data()
    model = make_model()
    model.train()
    model[2].eval()  # a frozen BatchNorm inside a training model stays frozen
    seen_grad = []

    class Probe(torch.nn.Module):
        def forward(self, t):
            seen_grad.append((torch.is_grad_enabled(), self.training))
            return t

    model.add_module("8", Probe())
    rec = mitorch.Recorder(model, ["8"], x, y)
    rec.record(0)
    assert seen_grad == [(False, False)]
    assert model.training and not model[2].training and model[5].training and model[8].training
    assert rec.layers[(0, 0)].shape == (40, 3)


def test_batches_and_flattening():
    x, y = data()
    conv = torch.nn.Sequential(torch.nn.Unflatten(1, (1, 6)), torch.nn.Conv1d(1, 2, 3), torch.nn.Flatten(),
                               torch.nn.Linear(8, 3))
    rec = mitorch.Recorder(conv, ["1", "3"], x, y, batch_size=7, dtype=np.float64)
    rec.record(4)
    a = rec.layers[(4, 0)]
    assert a.shape == (40, 8) and a.dtype == np.float64
    with torch.no_grad():
        np.testing.assert_allclose(a, conv[:2](x).reshape(40, -1).double().numpy(), rtol=1e-6)


def test_save_round_trip(tmp_path):
    x, y = data()
    model = make_model()
    rec = mitorch.Recorder(model, ["1", "6"], x, y, epochs=[1, 3], x=x)
    with pytest.raises(ValueError, match="nothing recorded"):
        rec.save(tmp_path / "none")
    for e in range(4):
        rec.record(e)
    d = rec.save(tmp_path / "run")
    got = saved.read(d)
    assert sorted(got["layers"]) == [(1, 0), (1, 1), (3, 0), (3, 1)]
    np.testing.assert_array_equal(got["labels"], y.numpy())
    np.testing.assert_array_equal(got["x"], x.numpy())
    for k, a in rec.layers.items():
        np.testing.assert_array_equal(got["layers"][k], a)


def test_bad_arguments():
    x, y = data()
    model = make_model()
    with pytest.raises(ValueError, match="no module 'nope'"):
        mitorch.Recorder(model, ["nope"], x, y)
    with pytest.raises(ValueError, match="not part of the model"):
        mitorch.Recorder(model, [torch.nn.Linear(2, 2)], x, y)
    with pytest.raises(ValueError, match="39 labels for 40"):
        mitorch.Recorder(model, ["1"], x, y[:39])
    with pytest.raises(ValueError, match="integer"):
        mitorch.Recorder(model, ["1"], x, y.float())
    with pytest.raises(ValueError, match="listed twice"):
        mitorch.Recorder(model, ["1", model[1]], x, y)
    with pytest.raises(ValueError, match="epoch"):
        mitorch.Recorder(model, ["1"], x, y, epochs=[-1])
    shared = torch.nn.Tanh()
    twice = torch.nn.Sequential(torch.nn.Linear(6, 6), shared, torch.nn.Linear(6, 6), shared)
    with pytest.raises(RuntimeError, match="ran 2 times"):
        mitorch.Recorder(twice, [shared], x, y).record(0)


def test_plane_matches_information_plane():
    pytest.importorskip("mi._mi")
    import mi
    x, y = data()
    model = make_model()
    rec = mitorch.Recorder(model, ["1", "6"], x, y, epochs=[0, 1])
    train(model, x, y, 2, rec)
    est = [mi.binning(mi.uniform.idnns(edges=30, lo=-1.0, hi=1.0))]
    df = rec.plane(est)
    assert sorted(set(zip(df["epoch"], df["layer"]))) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    ref = mi.information_plane(rec.data(), est)
    assert df.equals(ref)
    r = rec.recording()
    assert r.epochs == [0, 1] and r.layers == [0, 1]


# ------------------------------------------------------------------ epoch grids


def reference_schedules():
    out = {}
    with open(SCHEDULES) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, count, *values = line.split()
            out[name] = [int(float(v)) for v in values]
            assert len(out[name]) == int(count)
    return out


def test_grids_match_cpp_engine_reference():
    ref = reference_schedules()
    checked = 0
    for name, values in ref.items():
        kind, *nums = name.split("_")
        nums = [int(n) for n in nums]
        if kind == "idnns":
            assert mitorch.log_epochs(*nums) == values, name
        elif kind == "smoothmi":
            assert mitorch.smoothmi_log10_epochs(nums[0], 100) == values, name
        elif kind == "ibsgd":
            assert mitorch.ibsgd_epochs(nums[0]) == values, name
        else:
            continue
        checked += 1
    assert checked == 9
    assert len(mitorch.log_epochs(8000, 400)) == 274
    assert len(mitorch.ibsgd_epochs(10000)) == 211
    g = mitorch.log_epochs(100, 30)
    assert g[:7] == [0, 1, 2, 3, 4, 5, 6] and g[-1] <= 99  # every epoch early, then log-spaced


def test_grid_arguments():
    with pytest.raises(ValueError):
        mitorch.log_epochs(0, 10)
    with pytest.raises(ValueError):
        mitorch.log_epochs(10, 0)
    with pytest.raises(ValueError):
        mitorch.smoothmi_log10_epochs(1)
    assert mitorch.ibsgd_epochs(0) == []
