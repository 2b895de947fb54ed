#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Engine (examples/engine) vs PyTorch CPU: time per training epoch on the SZT
network (12-10-7-5-4-3-2 tanh, softmax, Adam lr 4e-4, batch 256, 3277 patterns
reshuffled every epoch) and on 784-1024-20-20-20-10 (tanh, SGD lr 1e-3, batch
128, 60,000 Fashion-MNIST images), in the same run.

PyTorch is run as the papers' code runs a training loop, minus the data
loader: tensors in memory, one torch.randperm per epoch, batches by index
tensors, zero_grad / forward / CrossEntropyLoss / backward / step. It is timed
with torch.set_num_threads(1) and (2) and the best is the reference (PyTorch's
intra-op threads; its CPU kernels do not use OpenBLAS' threads). The engine
binary runs in the same invocation, on 1 and 2 of mi's threads for the
MNIST-size network (the engine splits its large products' rows over mi's
threads and runs OpenBLAS single-threaded in each part).

usage (from the repository root, after building bench_engine with
-DMI_BUILD_BENCH=ON):
    /usr/bin/python3 bench/compare_engine.py --bench build/bench/bench_engine
Prints a markdown table (milliseconds per epoch; ratio = PyTorch best / engine).
The engine and PyTorch measurements alternate --repeats times and the minimum of
each is reported, so a burst of load from other processes on a shared machine
does not favour either side.
"""
import argparse
import gzip
import math
import os
import struct
import subprocess
import sys
import time

import numpy as np
import torch

import machine


def szt_data(seed=2017):
    # The 4096 patterns in binary-counting order; labels from the reconstructed rule
    # (examples/datasets/szt.hpp). Only the timing matters here, not the split.
    edges = [(0, 1), (0, 3), (0, 5), (0, 10), (0, 11), (1, 2), (1, 3), (1, 4), (1, 11), (2, 3), (2, 4), (2, 8),
             (2, 9), (3, 8), (3, 10), (4, 6), (4, 9), (4, 11), (5, 6), (5, 7), (5, 10), (5, 11), (6, 7), (6, 9),
             (6, 11), (7, 8), (7, 9), (7, 10), (8, 9), (8, 10)]
    anti = [(0, 9), (1, 7), (2, 5), (3, 6), (4, 10), (8, 11)]
    x = np.array([[(r >> (11 - i)) & 1 for i in range(12)] for r in range(4096)], dtype=np.float32)
    k = x.sum(1)
    adj = sum(x[:, a] * x[:, b] for a, b in edges)
    an = sum(x[:, a] * x[:, b] for a, b in anti)
    sec = k * (k - 1) / 2 - adj - an
    y = ((23 * k + adj - 5 * sec - 8 * an) >= 99).astype(np.int64)
    perm = np.random.RandomState(seed).permutation(4096)[:3277]
    return torch.from_numpy(x[perm]), torch.from_numpy(y[perm])


def read_idx_gz(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def mlp(widths):
    layers = []
    for i in range(len(widths) - 1):
        layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
        if i + 2 < len(widths):
            layers.append(torch.nn.Tanh())
    return torch.nn.Sequential(*layers)


def time_torch(model, opt, x, y, batch, epochs):
    loss_fn = torch.nn.CrossEntropyLoss()
    n = x.shape[0]

    def epoch():
        perm = torch.randperm(n)
        for s in range(0, n, batch):
            idx = perm[s:s + batch]
            opt.zero_grad()
            loss_fn(model(x[idx]), y[idx]).backward()
            opt.step()

    epoch()  # warm-up
    t0 = time.perf_counter()
    for _ in range(epochs):
        epoch()
    return 1e3 * (time.perf_counter() - t0) / epochs


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bench", required=True, help="path to the bench_engine binary")
    p.add_argument("--szt-epochs", type=int, default=2000, help="engine SZT epochs (PyTorch runs 1/10 of them)")
    p.add_argument("--mnist-epochs", type=int, default=2)
    p.add_argument("--mnist-dir", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--repeats", type=int, default=2, help="alternating engine / PyTorch rounds (minimum kept)")
    a = p.parse_args()

    engine = {}
    torch_ms = {}

    def run_engine():
        out = subprocess.run([a.bench, "--szt-epochs", str(a.szt_epochs), "--mnist-epochs", str(a.mnist_epochs),
                              "--mnist-dir", a.mnist_dir], check=True, capture_output=True, text=True).stdout
        for line in out.splitlines():
            parts = line.split(",")
            if len(parts) == 4 and parts[0] == "engine":
                key = (parts[1], int(parts[2]))
                engine[key] = min(engine.get(key, math.inf), float(parts[3]))

    torch.manual_seed(0)
    xs, ys = szt_data()
    xm = torch.from_numpy(read_idx_gz(os.path.join(a.mnist_dir, "train-images-idx3-ubyte.gz"))
                          .reshape(60000, 784).astype(np.float32) / 255.0)
    ym = torch.from_numpy(read_idx_gz(os.path.join(a.mnist_dir, "train-labels-idx1-ubyte.gz")).astype(np.int64))

    def keep(key, ms):
        torch_ms[key] = min(torch_ms.get(key, math.inf), ms)

    load = []
    for _ in range(max(1, a.repeats)):
        load.append(os.getloadavg()[0])
        run_engine()
        for threads in (1, 2):
            torch.set_num_threads(threads)
            m = mlp([12, 10, 7, 5, 4, 3, 2])
            keep(("szt", threads), time_torch(m, torch.optim.Adam(m.parameters(), lr=4e-4), xs, ys, 256,
                                              max(20, a.szt_epochs // 10)))
            m = mlp([784, 1024, 20, 20, 20, 10])
            keep(("mnist", threads), time_torch(m, torch.optim.SGD(m.parameters(), lr=1e-3), xm, ym, 128,
                                                a.mnist_epochs if threads == 1 else 1))

    print("\n".join(machine.header(os.path.dirname(a.bench))[0]) + "\n")
    print("| network | engine (ms/epoch) | PyTorch 1 thread | PyTorch 2 threads | PyTorch best / engine |")
    print("|---|---|---|---|---|")
    e_szt = engine[("szt_adam_b256", 1)]
    best = min(torch_ms[("szt", 1)], torch_ms[("szt", 2)])
    print("| SZT 12-10-7-5-4-3-2, Adam, batch 256 (3277 samples) | %.3f | %.3f | %.3f | %.1fx |"
          % (e_szt, torch_ms[("szt", 1)], torch_ms[("szt", 2)], best / e_szt))
    if ("szt_adam_b256_all_blas", 1) in engine:
        e = engine[("szt_adam_b256_all_blas", 1)]
        print("| SZT, engine with every product through BLAS | %.3f | | | %.1fx |" % (e, best / e))
    best = min(torch_ms[("mnist", 1)], torch_ms[("mnist", 2)])
    for threads in (1, 2):
        key = ("mnist_784_1024_sgd_b128", threads)
        if key in engine:
            e = engine[key]
            print("| 784-1024-20-20-20-10, SGD, batch 128 (60,000 images), engine on %d thread%s | %.0f | %.0f | %.0f | %.2fx |"
                  % (threads, "s" if threads > 1 else "", e, torch_ms[("mnist", 1)], torch_ms[("mnist", 2)],
                     best / e))
    print()
    print("torch %s; %d CPU(s); 1-minute load average at the start of each round: %s"
          % (torch.__version__, os.cpu_count(), ", ".join("%.1f" % v for v in load)))


if __name__ == "__main__":
    sys.exit(main())
