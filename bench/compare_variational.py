#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Variational MI estimators (examples/engine/variational.hpp) vs a PyTorch
re-implementation of the same algorithm, in the same run: milliseconds per
training step and per whole estimate (training + evaluation on every row).

The same algorithm on both sides: a separable critic f(a, b) = g(a)^T h(b),
g and h MLPs (Linear-ReLU-Linear-ReLU-Linear, nn.Linear's default
initialisation), or the joint ("concat", Poole et al. 2019 §4; MINE's
T_theta(x, z), Belghazi et al. 2018) critic f(a, b) = T([a ; b]), one MLP of
the same hidden widths with a scalar output evaluated on the B^2 rows
[a_i ; b_j] of a batch (PyTorch runs it twice: on the concatenated rows, as
the papers' code does, and as "joint_split" with the first layer split as the
engine computes it, W [a ; b] + c = (W_a a + c) + W_b b); inputs standardised
per column, batches of 128 rows drawn as consecutive slices of a permutation
reshuffled when used up, the B x B score matrix, and
  InfoNCE  mean_i [S_ii - logsumexp_j S_ij] + log B       (van den Oord et al. 2018)
  NWJ      mean_i S_ii - mean_{i != j} exp(S_ij - 1)       (Nguyen et al. 2010; Poole et al. 2019)
  MINE     mean_i S_ii - log mean_{i != j} exp(S_ij), trained with the
           moving-average corrected gradient (Belghazi et al. 2018 §3.2, alpha 0.01)
maximised by Adam (lr 1e-3), `steps` steps; then the bound averaged over the
floor(N/B) disjoint batches of a permutation. Same sizes as bench_variational:
the SZT input (4096 x 12 bits) against a layer of width 10 or 3 (critic 32-32,
embedding 16: the sizes of reproduce/estimator_grid), and a 20-dimensional
pair (critic 64-64, embedding 32: the Gaussian test). Data: see
bench/bench_variational.cpp (the same formulas).

PyTorch is timed with torch.set_num_threads(1) and (2), best kept. The engine's
separable critic is serial; the joint critic's blocks of pairs run on mi's
threads (all cores unless MI_NUM_THREADS says otherwise; inside the plane
driver, which runs one point per thread, they run serially). Engine and
PyTorch alternate --repeats rounds and the minimum of each is kept.

usage (from the repository root, after building bench_variational with -DMI_BUILD_BENCH=ON):
    /usr/bin/python3 bench/compare_variational.py --bench build/bench/bench_variational
--critics separable,joint (the default) or either alone.
"""
import argparse
import math
import os
import subprocess
import sys
import time

import numpy as np
import torch

import machine

BATCH = 128


def szt_layer(width):
    r = np.arange(4096)
    x = np.array([[(v >> (11 - i)) & 1 for i in range(12)] for v in r], dtype=np.float64)
    w = np.array([[math.sin(7.0 * i + 3.0 * j + 1.0) for j in range(width)] for i in range(12)])
    return x.astype(np.float32), np.tanh(x @ w).astype(np.float32)


def gaussian_like(n, dim):
    r = np.arange(n)[:, None].astype(np.float64)
    c = np.arange(dim)[None, :].astype(np.float64)
    a = np.sin(0.37 * r + 1.3 * c)
    return a.astype(np.float32), (0.4 * a + 0.9 * np.cos(0.91 * r + 0.7 * c)).astype(np.float32)


def tower(d, hidden, k):
    layers, w = [], d
    for h in hidden:
        layers += [torch.nn.Linear(w, h), torch.nn.ReLU()]
        w = h
    layers.append(torch.nn.Linear(w, k))
    return torch.nn.Sequential(*layers)


def joint_scores(f, a, b):
    """S[i, j] = f([a_i ; b_j]) for the B^2 concatenated pairs of a batch (row i of a, row j of b)."""
    n = a.shape[0]
    pairs = torch.cat([a[:, None, :].expand(n, n, a.shape[1]), b[None, :, :].expand(n, n, b.shape[1])], 2)
    return f(pairs.reshape(n * n, -1)).reshape(n, n)


def split_joint_scores(f, a, b):
    """joint_scores with the first layer split as the engine does: W [a ; b] + c = (W_a a + c) + W_b b,
    two products of B rows and a B x B broadcast sum in place of one product of B^2 rows."""
    n, first = a.shape[0], f[0]
    u = a @ first.weight[:, :a.shape[1]].T + first.bias
    v = b @ first.weight[:, a.shape[1]:].T
    return f[1:]((u[:, None, :] + v[None, :, :]).reshape(n * n, -1)).reshape(n, n)


def standardise(v):
    sd = v.std(0)
    sd[sd == 0] = 1.0
    return torch.from_numpy(((v - v.mean(0)) / sd).astype(np.float32))


def bound(kind, s, ma=None, alpha=0.01):
    """(value, surrogate loss) of one batch's score matrix s; ma is MINE's [moving average] or None."""
    b = s.shape[0]
    diag = s.diagonal().mean()
    if kind == "infonce":
        v = (s.diagonal() - torch.logsumexp(s, 1)).mean() + math.log(b)
        return v, -v
    off = s[~torch.eye(b, dtype=torch.bool)]
    if kind == "nwj":
        v = diag - torch.exp(off - 1.0).mean()
        return v, -v
    log_mean = torch.logsumexp(off, 0) - math.log(off.numel())
    v = diag - log_mean
    if ma is None:
        return v, -v
    mean_exp = torch.exp(log_mean.detach())
    ma[0] = mean_exp if ma[0] is None else (1 - alpha) * ma[0] + alpha * mean_exp
    # gradient: grad diag - E[e^f grad f] / ma (Belghazi et al. §3.2)
    return v, -(diag - torch.exp(off).mean() / ma[0])


def estimate(critic, kind, x, t, hidden, k, steps):
    if critic in ("joint", "joint_split"):
        f = tower(x.shape[1] + t.shape[1], hidden, 1)
        params = list(f.parameters())
        form = joint_scores if critic == "joint" else split_joint_scores
        scores = lambda a, b: form(f, a, b)
    else:
        g, h = tower(x.shape[1], hidden, k), tower(t.shape[1], hidden, k)
        params = list(g.parameters()) + list(h.parameters())
        scores = lambda a, b: g(a) @ h(b).T
    opt = torch.optim.Adam(params, lr=1e-3)
    n = x.shape[0]
    perm, nxt = None, n
    ma = [None]
    for _ in range(steps):
        if nxt + BATCH > n:
            perm, nxt = torch.randperm(n), 0
        idx = perm[nxt:nxt + BATCH]
        nxt += BATCH
        s = scores(x[idx], t[idx])
        _, loss = bound(kind, s, ma if kind == "mine" else None)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        perm = torch.randperm(n)
        vals = [bound(kind, scores(x[perm[i:i + BATCH]], t[perm[i:i + BATCH]]))[0].item()
                for i in range(0, n - BATCH + 1, BATCH)]
    return float(np.mean(vals))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bench", required=True, help="path to the bench_variational binary")
    p.add_argument("--steps", type=int, default=500)
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--critics", default="separable,joint,joint_split",
                   help="comma-separated critics to time: separable, joint, joint_split (the joint "
                        "critic against PyTorch with the engine's split first layer; default all three)")
    a = p.parse_args()
    critics = [c for c in a.critics.split(",") if c]
    if not critics or any(c not in ("separable", "joint", "joint_split") for c in critics):
        p.error("--critics: expected a comma-separated list of separable, joint, joint_split; got %r" % a.critics)
    if a.steps < 2:
        p.error("--steps: expected >= 2 (ms/step divides by steps - 1); got %d" % a.steps)
    engine_critic = lambda c: "joint" if c == "joint_split" else c
    engine_critics = {engine_critic(c) for c in critics}
    bench_critic = engine_critics.pop() if len(engine_critics) == 1 else "all"

    cases = {
        "szt_x12_t10_c32x32e16": (szt_layer(10), [32, 32], 16),
        "szt_x12_t3_c32x32e16": (szt_layer(3), [32, 32], 16),
        "gauss_d20_c64x64e32": (gaussian_like(4096, 20), [64, 64], 32),
    }
    engine, py_step, py_est, values = {}, {}, {}, {}
    load = []
    for _ in range(max(1, a.repeats)):
        load.append(os.getloadavg()[0])
        out = subprocess.run([a.bench, "--steps", str(a.steps), "--repeats", "1", "--critic", bench_critic],
                             check=True, capture_output=True, text=True).stdout
        for line in out.splitlines():
            f = line.split(",")
            if len(f) == 7 and f[0] == "variational":
                key = (f[6], f[1], f[2])
                old = engine.get(key, (math.inf, math.inf))
                engine[key] = (min(old[0], float(f[4])), min(old[1], float(f[5])))
        for critic in critics:
            for name, ((x, t), hidden, k) in cases.items():
                xs, ts = standardise(x), standardise(t)
                for kind in ("mine", "nwj", "infonce"):
                    for threads in (1, 2):
                        torch.set_num_threads(threads)
                        torch.manual_seed(0)
                        t0 = time.perf_counter()
                        estimate(critic, kind, xs, ts, hidden, k, 1)
                        one = time.perf_counter() - t0
                        t0 = time.perf_counter()
                        key = (critic, kind, name)
                        values[key] = estimate(critic, kind, xs, ts, hidden, k, a.steps)
                        full = time.perf_counter() - t0
                        py_step[key] = min(py_step.get(key, math.inf), 1e3 * (full - one) / (a.steps - 1))
                        py_est[key] = min(py_est.get(key, math.inf), 1e3 * full)

    print("\n".join(machine.header(os.path.dirname(a.bench))[0]) + "\n")
    print("| critic | bound | case | engine ms/step | PyTorch ms/step | ratio | engine ms/estimate | PyTorch ms/estimate | ratio | PyTorch value (nats) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for critic in critics:
        for name in cases:
            for kind in ("mine", "nwj", "infonce"):
                key = (critic, kind, name)
                e = engine[(engine_critic(critic), kind, name)]
                s, m = py_step[key], py_est[key]
                print("| %s | %s | %s | %.3f | %.3f | %.2fx | %.0f | %.0f | %.2fx | %.3f |"
                      % (critic, kind, name, e[0], s, s / e[0], e[1], m, m / e[1], values[key]))
    print()
    print("%d steps per estimate, batch %d; torch %s (best of 1 and 2 threads); %d CPU(s); "
          "1-minute load average at the start of each round: %s"
          % (a.steps, BATCH, torch.__version__, os.cpu_count(), ", ".join("%.1f" % v for v in load)))


if __name__ == "__main__":
    sys.exit(main())
