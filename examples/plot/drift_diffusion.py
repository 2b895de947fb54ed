#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Figures of drift_diffusion (Shwartz-Ziv, Painsky & Tishby 2019 Fig. 1a/b and 3) from OUT/*.csv,
for each network whose tables exist (MNIST 784-500-250-100-50-20-10: files prefixed mnist_; SZT
12-10-7-5-4-3-2: no prefix): fig1a.png (gradient norms, SNR, distance from initialisation, binned
I(X;T) and the Gaussian bound of the last hidden layer, batch 512, first seed), fig1a_layers.png (the
gradient norms and SNR of every layer), fig1a_info.png (distance, binned I(X;T) and eq. 9 bound of
every layer), fig1b.png (SNR transition vs compression onset in iterations per batch size), fig3.png
(iterations to convergence vs hidden layers) and planes.png (binned information planes per batch
size, mean over seeds).

usage: drift_diffusion.py OUT
"""
import os
import sys

import miplot as mp

MAIN_BATCH = "512"
FULL_DEPTH = "5"


def series(rows, x, y):
    pts = sorted((mp.num(r[x]), mp.num(r[y])) for r in rows)
    return [p[0] for p in pts], [p[1] for p in pts]


def main_run(rows):
    """The rows of the Fig. 1a run: batch 512 (or the first batch present), full depth, first seed."""
    rows = mp.where(rows, depth=FULL_DEPTH)
    batches = mp.distinct(rows, "batch")
    batch = MAIN_BATCH if MAIN_BATCH in batches else batches[0]
    rows = mp.where(rows, batch=batch)
    return mp.where(rows, seed=mp.distinct(rows, "seed")[0]), batch


def draw_fig1a(path, c, w, b, t, layer, title):
    """Gradient norms, SNR, distance from initialisation and I(X;T) with the eq. 9 bound of one layer
    (c, w, b: its curves, weights and bound rows; t: its transitions row)."""
    ts, tc = mp.num(t["snr_transition"]), mp.num(t["compression_onset"])
    fig, axes = mp.plt.subplots(2, 2, figsize=(10, 7.5))
    e, gm = series(c, "epoch", "grad_mean_norm")
    _, gs = series(c, "epoch", "grad_std_norm")
    _, snr = series(c, "epoch", "snr")
    x = [v + 1 for v in e]
    axes[0][0].plot(x, gm, lw=0.7, label="||mean of gradients||")
    axes[0][0].plot(x, gs, lw=0.7, label="||std of gradients||")
    axes[0][0].set_yscale("log")
    axes[0][0].set_title("mini-batch gradients of W%s" % (int(layer) + 1), fontsize=10)
    axes[0][1].plot(x, snr, lw=0.7, color="k")
    axes[0][1].axhline(1.0, color="grey", ls=":")
    axes[0][1].set_yscale("log")
    axes[0][1].set_title("gradient SNR = ||mean|| / ||std||", fontsize=10)
    we, wd = series(w, "epoch", "distance_from_init")
    axes[1][0].plot([v + 1 for v in we], wd, color="tab:green")
    axes[1][0].set_title("distance from initialisation ||W(t) - W(0)||_F", fontsize=10)
    be, bi = series(b, "epoch", "ixt")
    _, bb = series(b, "epoch", "bound")
    axes[1][1].plot([v + 1 for v in be], bi, "o-", ms=2, lw=0.8, label="binned I(X;T) (30 edges)")
    axes[1][1].plot([v + 1 for v in be], bb, "s-", ms=2, lw=0.8, label="Gaussian bound (eq. 9)")
    axes[1][1].set_ylabel("bits")
    axes[1][1].set_title("information of T%s" % (int(layer) + 1), fontsize=10)
    for ax in sum(axes.tolist(), []):
        ax.set_xscale("log")
        ax.set_xlabel("epoch + 1")
        if ts == ts:
            ax.axvline(ts + 1, color="tab:red", ls="--", lw=0.9, label="SNR transition t_s")
        ax.axvline(tc + 1, color="tab:purple", ls=":", lw=0.9, label="I(X;T) peak t_c")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    mp.save(fig, path)


def draw_layers(path, run_curves, title):
    """Gradient norms and SNR of every layer of one run."""
    layers = sorted({int(r["layer"]) for r in run_curves})
    fig, axes = mp.plt.subplots(1, 2, figsize=(11, 4.2))
    cmap = mp.plt.get_cmap("viridis")
    for l in layers:
        cl = mp.where(run_curves, layer=l)
        e, gm = series(cl, "epoch", "grad_mean_norm")
        _, gs = series(cl, "epoch", "grad_std_norm")
        color = cmap(l / max(1, len(layers) - 1))
        name = mp.layer_name(l, len(layers))
        axes[0].plot([v + 1 for v in e], gm, color=color, lw=0.7, label="%s mean" % name)
        axes[0].plot([v + 1 for v in e], gs, color=color, lw=0.7, ls="--", label="%s std" % name)
        _, snr = series(cl, "epoch", "snr")
        axes[1].plot([v + 1 for v in e], snr, color=color, lw=0.7, label=name)
    axes[1].axhline(1.0, color="grey", ls=":")
    for ax, t in [(axes[0], "gradient norms per layer (solid: mean, dashed: std)"), (axes[1], "gradient SNR per layer")]:
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("epoch + 1")
        ax.set_title(t, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=6, ncol=2)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    mp.save(fig, path)


NETWORKS = {"mnist_": "MNIST 784-500-250-100-50-20-10 tanh", "": "SZT 12-10-7-5-4-3-2 tanh"}


def fig1a(out, prefix, t):
    """The Fig. 1a run (batch 512, full depth, first seed): its last hidden layer, then every layer."""
    run_curves, batch = main_run(t["curves"])
    seed = run_curves[0]["seed"]
    layers = sorted({int(r["layer"]) for r in run_curves})
    layer = str(layers[-2])  # the last hidden layer
    key = dict(batch=batch, depth=FULL_DEPTH, seed=seed, layer=layer)
    net = "%s, Adam 4e-4, batch %s, seed %s" % (NETWORKS[prefix], batch, seed)
    draw_fig1a(mp.out_path(out, prefix + "fig1a.png"), mp.where(run_curves, layer=layer),
               mp.where(t["weights"], **key), mp.where(t["bound"], **key), mp.where(t["transitions"], **key)[0],
               layer, "%s: layer T%s" % (net, int(layer) + 1))
    draw_layers(mp.out_path(out, prefix + "fig1a_layers.png"), run_curves, net)

    fig, axes = mp.plt.subplots(1, 3, figsize=(15, 4.3))
    cmap = mp.plt.get_cmap("viridis")
    run = dict(batch=batch, depth=FULL_DEPTH, seed=seed)
    for l in layers:
        color = cmap(l / max(1, len(layers) - 1))
        name = mp.layer_name(l, len(layers))
        tr = mp.where(t["transitions"], layer=l, **run)[0]
        we, wd = series(mp.where(t["weights"], layer=l, **run), "epoch", "distance_from_init")
        axes[0].plot([v + 1 for v in we], wd, color=color, lw=0.9, label=name)
        pe, pi = series(mp.where(t["plane"], layer=l, **run), "epoch", "ixt")
        axes[1].plot([v + 1 for v in pe], pi, "o-", ms=2, lw=0.8, color=color, label=name)
        rows = mp.where(t["bound"], layer=l, **run)
        if rows:  # MNIST T1 has no bound rows (its weights are not kept)
            be, bb = series(rows, "epoch", "bound")
            axes[2].plot([v + 1 for v in be], bb, "s-", ms=2, lw=0.8, color=color, label=name)
        ts = mp.num(tr["snr_transition"])
        if ts == ts:
            for ax in axes:
                ax.axvline(ts + 1, color=color, ls="--", lw=0.8)
    axes[0].set_title("||W_l(t) - W_l(0)||_F (dashed: SNR transition t_s)", fontsize=10)
    axes[1].set_title("binned I(X;T), 30 edges on [-1, 1] [bits]", fontsize=10)
    axes[2].set_title("Gaussian bound eq. 9 [bits]", fontsize=10)
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("epoch + 1")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    axes[0].set_yscale("log")
    fig.suptitle(net, fontsize=10)
    fig.tight_layout()
    mp.save(fig, mp.out_path(out, prefix + "fig1a_info.png"))


def fig1b(out, prefix, trans):
    """t_s against t_c in iterations (epochs x batches per epoch), one point per batch size and seed."""
    rows = mp.where(trans, depth=FULL_DEPTH)
    layers = sorted({int(r["layer"]) for r in rows})
    layer = str(layers[-2])
    rows = mp.where(rows, layer=layer)
    fig, ax = mp.plt.subplots(figsize=(5.6, 4.8), layout="constrained")
    colors = mp.plt.get_cmap("plasma")
    batches = sorted(mp.distinct(rows, "batch"), key=int)
    lo, hi = float("inf"), 1.0
    for i, batch in enumerate(batches):
        rb = [r for r in mp.where(rows, batch=batch) if r["snr_transition"] != ""]
        xs = [mp.num(r["snr_transition"]) * mp.num(r["batches_per_epoch"]) for r in rb]
        ys = [mp.num(r["compression_onset"]) * mp.num(r["batches_per_epoch"]) + 1 for r in rb]
        ax.scatter(xs, ys, color=colors(i / max(1, len(batches))), s=40, label="batch %s" % batch, zorder=3)
        lo, hi = min([lo] + xs + ys), max([hi] + xs + ys)
    lo = min(lo, hi) if lo != float("inf") else 1.0
    ax.plot([lo / 1.5, hi * 1.5], [lo / 1.5, hi * 1.5], color="grey", ls=":", label="t_c = t_s")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("SNR transition t_s (steepest fall of the SNR) [iterations]")
    ax.set_ylabel("compression onset t_c + 1 (end of the I(X;T) peak) [iterations]")
    ax.set_title("layer T%s, %s (one point per seed)" % (int(layer) + 1, NETWORKS[prefix]), fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    mp.save(fig, mp.out_path(out, prefix + "fig1b.png"))


def fig3(out, prefix, conv, curves):
    batches = mp.distinct(conv, "batch")
    batch = MAIN_BATCH if MAIN_BATCH in batches else batches[0]
    rows = mp.where(conv, batch=batch)
    depths = sorted({int(r["depth"]) for r in rows})
    fig, axes = mp.plt.subplots(1, 2, figsize=(11, 4.3))
    means = []
    for d in depths:
        its = [mp.num(r["iterations"]) for r in mp.where(rows, depth=d) if r["iterations"] != ""]
        axes[0].scatter([d] * len(its), its, color="tab:blue", s=14, alpha=0.6)
        means.append(sum(its) / len(its) if its else float("nan"))
    axes[0].plot(depths, means, "o-", color="k", label="mean over converged seeds")
    if means and means[0] == means[0]:
        axes[0].plot(depths, [means[0] / d ** 2 for d in depths], ls=":", color="grey", label="first / K^2 (the paper's bound)")
    if any(m == m for m in means):  # log axes need at least one converged depth
        axes[0].set_xscale("log")
        axes[0].set_yscale("log")
    axes[0].set_xlabel("number of hidden layers K")
    axes[0].set_ylabel("training iterations to convergence")
    axes[0].set_title("iterations until train loss <= %s nats (batch %s)" % (rows[0]["loss_threshold"], batch), fontsize=10)
    axes[0].grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    cmap = mp.plt.get_cmap("viridis")
    first = mp.where(curves, batch=batch, layer=0)
    for i, d in enumerate(depths):
        m = mp.mean_by(mp.where(first, depth=d), ["epoch"], ["train_loss"])
        per_epoch = mp.num(mp.where(rows, depth=d)[0]["batches_per_epoch"])
        e = [(int(k[0]) + 1) * per_epoch for k in m]
        axes[1].plot(e, [v["train_loss"] for v in m.values()], color=cmap(i / max(1, len(depths) - 1)),
                     lw=0.9, label="%d hidden (%s)" % (d, mp.where(rows, depth=d)[0]["widths"]))
    axes[1].axhline(mp.num(rows[0]["loss_threshold"]), color="grey", ls=":", label="convergence threshold")
    axes[1].set_xscale("log")
    axes[1].set_yscale("log")
    axes[1].set_xlabel("training iterations")
    axes[1].set_ylabel("train cross-entropy [nats], mean over seeds")
    axes[1].set_title("training loss", fontsize=10)
    axes[1].grid(alpha=0.3)
    axes[1].legend(fontsize=7)
    fig.suptitle(NETWORKS[prefix], fontsize=10)
    fig.tight_layout()
    mp.save(fig, mp.out_path(out, prefix + "fig3.png"))


def planes(out, prefix, plane):
    rows = mp.where(plane, depth=FULL_DEPTH)
    batches = sorted(mp.distinct(rows, "batch"), key=int)
    norm = mp.epoch_norm(max(int(r["epoch"]) for r in rows))
    fig, axes = mp.plt.subplots(1, len(batches), figsize=(4.4 * len(batches) + 1.2, 4.0), squeeze=False,
                                layout="constrained")
    for i, batch in enumerate(batches):
        rb = mp.where(rows, batch=batch)
        n = len(mp.distinct(rb, "seed"))
        mp.draw_plane(axes[0][i], mp.plane_points(rb), "batch %s (%d seed%s)\nbinning, 30 edges on [-1, 1]" %
                      (batch, n, "" if n == 1 else "s"), norm, unit=rb[0]["unit"])
    fig.suptitle(NETWORKS[prefix], fontsize=10)
    mp.epoch_colorbar(fig, axes, norm, shrink=0.8)
    mp.save(fig, mp.out_path(out, prefix + "planes.png"))


def tables(out, prefix):
    """The tables of one network, or None when that network was not run."""
    names = ["transitions", "plane", "curves", "weights", "bound", "convergence"]
    if not os.path.isfile(mp.out_path(out, prefix + names[0] + ".csv")):
        return None
    return {name: mp.read_table(mp.out_path(out, prefix + name + ".csv")) for name in names}


def main(out):
    for prefix in NETWORKS:
        t = tables(out, prefix)
        if t:
            fig1a(out, prefix, t)
            fig1b(out, prefix, t["transitions"])
            fig3(out, prefix, t["convergence"], t["curves"])
            planes(out, prefix, t["plane"])


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
