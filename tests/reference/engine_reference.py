#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Reference values for the training engine (examples/engine), computed with
PyTorch and numpy, independently of the C++ code.

Writes
  tests/data/engine_optimizer.txt  small networks, their initial weights, a
      batch of inputs/targets, and the weights after a few optimizer steps
      (SGD, full-batch GD, SGD with momentum, Adam, with and without L2 weight decay; softmax
      cross-entropy, sigmoid binary cross-entropy and MSE outputs), in float64.
  tests/data/engine_schedules.txt  the recording grids of IDNNs (log2),
      smoothMI (log10) and ibsgd, exactly as the papers' code computes them.

Format: one record per line, `key n v1 ... vn` (whitespace separated).

Re-run from the repository root:
    /usr/bin/python3 tests/reference/engine_reference.py
"""
import math
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")


def put(f, key, values):
    values = np.asarray(values, dtype=np.float64).ravel()
    f.write(key + " " + str(values.size) + " " + " ".join(repr(float(v)) for v in values) + "\n")


def make_net(widths, hidden_act):
    layers = []
    for i in range(len(widths) - 1):
        layers.append(torch.nn.Linear(widths[i], widths[i + 1]).double())
    return layers


def forward(layers, act, x, out_act):
    h = x
    for i, L in enumerate(layers):
        h = L(h)
        if i + 1 < len(layers):
            h = act(h)
    return out_act(h)


ACTS = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid, "linear": lambda z: z}


def case(f, name, widths, hidden, loss, optimizer, lr, batch, epochs, weight_decay=0.0,
         decay_output=True, out_act="linear", seed=0, momentum=0.0):
    """Consecutive batches of `batch` rows (the last partial batch kept), `epochs` passes."""
    g = torch.Generator().manual_seed(seed)
    n = 7
    x = torch.randn(n, widths[0], generator=g, dtype=torch.float64)
    layers = make_net(widths, hidden)
    with torch.no_grad():
        for L in layers:
            L.weight.copy_(torch.randn(L.weight.shape, generator=g, dtype=torch.float64) * 0.7)
            L.bias.copy_(torch.randn(L.bias.shape, generator=g, dtype=torch.float64) * 0.3)
    k = widths[-1]
    if loss == "softmax":
        labels = torch.randint(0, k, (n,), generator=g)
        target = labels
        crit = torch.nn.CrossEntropyLoss()
        oact = lambda z: z
    elif loss == "sigmoid":
        labels = torch.randint(0, 2, (n, k), generator=g).double()
        target = labels
        crit = torch.nn.BCEWithLogitsLoss()
        oact = lambda z: z
    else:
        target = torch.randn(n, k, generator=g, dtype=torch.float64) * 0.5
        crit = torch.nn.MSELoss()
        oact = ACTS[out_act]
    f.write("case %s\n" % name)
    put(f, "widths", widths)
    f.write("hidden %s\n" % hidden)
    f.write("loss %s\n" % loss)
    f.write("out_act %s\n" % out_act)
    f.write("optimizer %s\n" % optimizer)
    put(f, "lr", [lr])
    put(f, "batch", [batch])
    put(f, "epochs", [epochs])
    put(f, "weight_decay", [weight_decay])
    put(f, "decay_output", [1 if decay_output else 0])
    put(f, "momentum", [momentum])
    put(f, "x", x.numpy())
    put(f, "target", target.double().numpy())
    for i, L in enumerate(layers):
        put(f, "w%d" % i, L.weight.detach().numpy())
        put(f, "b%d" % i, L.bias.detach().numpy())
    # Weight decay on the weight matrices only (biases never), optionally not on the output layer.
    decayed, plain = [], []
    for i, L in enumerate(layers):
        (decayed if (decay_output or i + 1 < len(layers)) else plain).append(L.weight)
        plain.append(L.bias)
    groups = [{"params": decayed, "weight_decay": weight_decay}, {"params": plain, "weight_decay": 0.0}]
    if optimizer == "adam":
        opt = torch.optim.Adam(groups, lr=lr, betas=(0.9, 0.999), eps=1e-8)
    else:
        opt = torch.optim.SGD(groups, lr=lr, momentum=momentum)
    size = n if batch == 0 else batch
    for _ in range(epochs):
        for s in range(0, n, size):
            opt.zero_grad()
            out = forward(layers, ACTS[hidden], x[s:s + size], oact)
            crit(out, target[s:s + size]).backward()
            opt.step()
    for i, L in enumerate(layers):
        put(f, "final_w%d" % i, L.weight.detach().numpy())
        put(f, "final_b%d" % i, L.bias.detach().numpy())
    f.write("end\n")


def main():
    torch.set_default_dtype(torch.float64)
    with open(os.path.join(DATA, "engine_optimizer.txt"), "w") as f:
        f.write("# written by tests/reference/engine_reference.py (PyTorch %s)\n" % torch.__version__)
        case(f, "sgd_softmax", [4, 3, 3], "tanh", "softmax", "sgd", 0.1, 3, 3)
        case(f, "gd_softmax", [4, 5, 3, 2], "relu", "softmax", "sgd", 0.2, 0, 5)
        case(f, "adam_softmax", [4, 3, 3], "tanh", "softmax", "adam", 0.01, 3, 4)
        case(f, "adam_wd_softmax", [4, 5, 3, 2], "tanh", "softmax", "adam", 0.01, 2, 3,
             weight_decay=0.1, decay_output=False)
        case(f, "sgd_wd_sigmoid", [3, 4, 2], "sigmoid", "sigmoid", "sgd", 0.3, 4, 3, weight_decay=0.05)
        case(f, "adam_mse_tanh", [3, 4, 1], "relu", "mse", "adam", 0.02, 3, 3, out_act="tanh")
        case(f, "sgd_mse_linear", [2, 3, 2], "linear", "mse", "sgd", 0.05, 0, 4, weight_decay=0.01)
        case(f, "sgdm_softmax", [4, 5, 3], "relu", "softmax", "sgd", 0.05, 2, 4, momentum=0.9)
        case(f, "sgdm_wd_mse", [3, 4, 2], "tanh", "mse", "sgd", 0.03, 3, 3, weight_decay=0.02,
             decay_output=False, momentum=0.8)
    with open(os.path.join(DATA, "engine_schedules.txt"), "w") as f:
        f.write("# written by tests/reference/engine_reference.py (numpy %s)\n" % np.__version__)
        for E, n in [(8000, 400), (10000, 100), (3000, 100), (1500, 200), (100, 30)]:
            # IDNNs information_network.py: np.unique(np.logspace(np.log2(1), np.log2(E), n, dtype=int, base=2)) - 1
            # evaluated with libm's pow (math.pow), as numpy did before its SIMD power kernels: numpy >= 1.22
            # on AVX-512 returns 2^log2(E) = E exactly for E = 1500, 3000, where the correctly rounded
            # value lies one ulp below E, which moves the last grid point by one epoch.
            y = np.linspace(np.log2(1), np.log2(E), n)
            grid = np.unique(np.array([math.pow(2.0, v) for v in y]).astype(int)) - 1
            put(f, "idnns_%d_%d" % (E, n), grid)
        for E in [10000, 3000]:
            # smoothMI tishby.py: np.unique(np.round(np.logspace(np.log10(1), np.log10(E - 1), 100)))
            y = np.linspace(np.log10(1), np.log10(E - 1), 100)
            grid = np.unique(np.round(np.array([math.pow(10.0, v) for v in y])))
            put(f, "smoothmi_%d" % E, grid)
        for E in [10000, 150]:
            # ibsgd IBnet_SaveActivations do_report
            grid = [e for e in range(E) if e < 20 or (e < 100 and e % 5 == 0) or (e < 2000 and e % 20 == 0)
                    or e % 100 == 0]
            put(f, "ibsgd_%d" % E, grid)


if __name__ == "__main__":
    main()
