#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Saxe et al. 2018 Fig. 1A in PyTorch: the SZT network 12-10-7-5-4-3-2 with tanh hidden layers,
trained as examples/reproduce/szt_tanh_vs_relu.cpp trains it (ibsgd's protocol), recorded with
mi.torch.Recorder, measured with mi's binning (IDNNs' 30 edges on [-1, 1]) and KDE (noise variance
1e-3), drawn with mi.plot.plane.

Protocol (examples/reproduce/ibsgd_szt.hpp, szt_tanh_vs_relu.cpp):
- data: all 4096 SZT patterns (examples/datasets/szt.hpp's rule; checked against tests/data/szt.csv
  when the file is there), one shuffled 80/20 split (3277 train / 819 test);
- network: hidden 10-7-5-4-3 tanh, softmax output of 2; hidden weights truncated normal with
  sigma = 1/sqrt(layer width), output Glorot uniform, biases 0; float32;
- training: Adam lr 4e-4, batch 256 reshuffled every epoch (last partial batch kept), mean
  categorical cross-entropy;
- recording: ibsgd's schedule (mi.torch.ibsgd_epochs), at the end of each epoch, every layer including
  the softmax output, on all 4096 inputs.
The default run is short (--epochs 200, about a minute on 2 cores); --full trains the paper's 10000.
The verdict, as the C++ program's: does the last hidden layer T5's I(X;T) (binning) fall by more than
0.5 bits after its peak? With few epochs it usually has not yet; the paper's compression shows over
thousands of epochs.

usage: szt_torch.py [--epochs N | --full] [--seed S] [--out DIR] [--no-kde] [--save-activations]
needs: the mi Python package (pip install . at the repository root, or PYTHONPATH set to the built
package), torch, pandas, matplotlib.
"""
import argparse
import os
import sys
import time

import numpy as np
import torch

import mi  # installed (pip install ./), or PYTHONPATH = the build tree's python package directory
import mi.plot
import mi.torch

HERE = os.path.dirname(os.path.abspath(__file__))

# The icosahedron of examples/datasets/szt.hpp: 30 edges between the 12 bits and the 6 antipodal pairs.
EDGES = [(0, 1), (0, 3), (0, 5), (0, 10), (0, 11), (1, 2), (1, 3), (1, 4), (1, 11), (2, 3), (2, 4), (2, 8), (2, 9),
         (3, 8), (3, 10), (4, 6), (4, 9), (4, 11), (5, 6), (5, 7), (5, 10), (5, 11), (6, 7), (6, 9), (6, 11), (7, 8),
         (7, 9), (7, 10), (8, 9), (8, 10)]
ANTIPODES = [(0, 9), (1, 7), (2, 5), (3, 6), (4, 10), (8, 11)]


def szt_data():
    """All 4096 patterns (x0 the most significant bit) and labels y = [23 k + n_adj - 5 n_sec - 8 n_anti >= 99]."""
    rows = np.arange(4096)
    x = ((rows[:, None] >> (11 - np.arange(12))[None, :]) & 1).astype(np.float32)
    k = x.sum(1)
    adj = sum(x[:, a] * x[:, b] for a, b in EDGES)
    anti = sum(x[:, a] * x[:, b] for a, b in ANTIPODES)
    sec = k * (k - 1) / 2 - adj - anti
    y = (23 * k + adj - 5 * sec - 8 * anti >= 99).astype(np.int64)
    ref = os.path.join(HERE, "..", "..", "tests", "data", "szt.csv")
    if os.path.exists(ref):
        table = np.loadtxt(ref, delimiter=",", skiprows=1, dtype=np.int64)
        assert np.array_equal(table[:, :12], x) and np.array_equal(table[:, 12], y), "SZT rule != tests/data/szt.csv"
    return x, y


def szt_network():
    widths = [12, 10, 7, 5, 4, 3]
    mods = []
    for fan_in, fan_out in zip(widths, widths[1:]):
        lin = torch.nn.Linear(fan_in, fan_out)
        s = 1.0 / np.sqrt(fan_out)
        torch.nn.init.trunc_normal_(lin.weight, std=s, a=-2 * s, b=2 * s)  # Keras TruncatedNormal: +-2 sigma
        torch.nn.init.zeros_(lin.bias)
        mods += [lin, torch.nn.Tanh()]
    out = torch.nn.Linear(3, 2)
    torch.nn.init.xavier_uniform_(out.weight)
    torch.nn.init.zeros_(out.bias)
    mods += [out, torch.nn.Softmax(dim=1)]
    return torch.nn.Sequential(*mods)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=int, default=200, help="training epochs (default 200; --full: 10000)")
    p.add_argument("--full", action="store_true", help="the paper's length: 10000 epochs")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--split-seed", type=int, default=2017)
    p.add_argument("--lr", type=float, default=4e-4)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--out", default="szt_torch_out", help="output directory (plane.csv, plane.png, activations/)")
    p.add_argument("--no-kde", action="store_true", help="binning only (faster)")
    p.add_argument("--save-activations", action="store_true", help="also write the saved-activation layout")
    a = p.parse_args(argv)
    epochs = 10000 if a.full else a.epochs
    torch.set_num_threads(1)  # a 12-10-7-5-4-3-2 network: threads cost more than they give
    os.makedirs(a.out, exist_ok=True)

    x, y = szt_data()
    perm = np.random.default_rng(a.split_seed).permutation(4096)
    train_idx = perm[:3277]
    test_idx = perm[3277:]
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    torch.manual_seed(a.seed)
    model = szt_network()
    layers = [m for m in model if isinstance(m, (torch.nn.Tanh, torch.nn.Softmax))]  # T1..T5, out
    rec = mi.torch.Recorder(model, layers, inputs=xt, labels=y, epochs=mi.torch.ibsgd_epochs(epochs))
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    batch = a.batch or len(train_idx)

    t0 = time.time()
    for epoch in range(epochs):
        model.train()
        order = torch.from_numpy(train_idx)[torch.randperm(len(train_idx))]
        for s in range(0, len(order), batch):
            idx = order[s:s + batch]
            opt.zero_grad()
            prob = model(xt[idx])
            loss = torch.nn.functional.nll_loss(torch.log(prob.clamp_min(1e-7)), yt[idx])
            loss.backward()
            opt.step()
        rec.record(epoch)  # at the end of the epoch, as ibsgd
        if epoch + 1 == epochs or (epoch + 1) % max(1, epochs // 10) == 0:
            with torch.no_grad():
                model.eval()
                acc = (model(xt[test_idx]).argmax(1) == yt[test_idx]).float().mean().item()
            print("epoch %5d  loss %.4f  test accuracy %.3f  (%.0f s)" % (epoch, loss.item(), acc, time.time() - t0),
                  flush=True)
    print("trained %d epochs in %.1f s; %d epochs recorded" % (epochs, time.time() - t0, len(rec.epochs)))
    if a.save_activations:
        rec.save(os.path.join(a.out, "activations"), overwrite=True)

    estimators = [mi.binning(mi.uniform.idnns(edges=30, lo=-1.0, hi=1.0))]
    if not a.no_kde:
        estimators.append(mi.kde(1e-3))
    t1 = time.time()
    df = rec.plane(estimators, unit="bits", progress=sys.stderr.isatty() or None)
    print("information plane: %d rows in %.1f s" % (len(df), time.time() - t1))
    csv = os.path.join(a.out, "plane.csv")
    df.to_csv(csv + ".tmp", index=False, na_rep="")
    os.replace(csv + ".tmp", csv)
    fig = mi.plot.plane(df, title="SZT tanh (PyTorch), %d epochs, seed %d" % (epochs, a.seed))
    png = mi.plot.save(fig, os.path.join(a.out, "plane.png"), dpi=120)
    print("wrote %s and %s" % (csv, png))

    # The verdict of szt_tanh_vs_relu: compression of T5 (the last hidden layer) under IDNNs' binning.
    b = df[df["estimator"] == "binning"]
    t5 = b[b["layer"] == 4].sort_values("epoch")
    ixt = t5["ixt"].to_numpy()
    peak = int(np.argmax(ixt))
    drop = ixt[peak] - ixt[-1]
    compresses = drop > 0.5
    print("Saxe et al. Fig. 1A: T5 I(X;T) peak %.2f bits at epoch %d, final %.2f: %s (paper: compresses)"
          % (ixt[peak], t5["epoch"].iloc[peak], ixt[-1], "compresses" if compresses else "no compression"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
