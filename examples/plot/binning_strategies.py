#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Figures of binning_strategies (Saxe et al. 2018 Fig. 14/15, the binning appendix) from OUT/plane.csv and
OUT/curves.csv: planes.png (rows = binning rules, columns = tanh / ReLU, mean over seeds), ixt_last_hidden.png
(I(X;T) of the last hidden layer over epochs under every rule), fig14_fig15.png (I(X;T) of every layer over
epochs: the tanh network with Fig. 14's edges tanh(linspace(-50, 50, N)), and both networks at machine
precision, Fig. 15) and curves.png.

usage: binning_strategies.py OUT
"""
import sys

import miplot as mp


def draw_grid(plane, out, acts, strategies, norm):
    fig, axes = mp.plt.subplots(len(strategies), len(acts), figsize=(4.6 * len(acts) + 1.2, 3.4 * len(strategies)),
                                squeeze=False, layout="constrained")
    for c, act in enumerate(acts):
        for r, strategy in enumerate(strategies):
            rows = mp.where(plane, activation=act, strategy=strategy)
            if not rows:
                axes[r][c].axis("off")
                continue
            seeds = len(mp.distinct(rows, "seed"))
            title = "%s, %s (%d seed%s)" % (act, strategy, seeds, "" if seeds == 1 else "s")
            mp.draw_plane(axes[r][c], mp.plane_points(rows), title, norm, unit=rows[0]["unit"])
            # one scale for every panel: H(X) = 12 bits and H(Y) ~ 1 bit bound the axes
            axes[r][c].set_xlim(-0.3, 12.5)
            axes[r][c].set_ylim(-0.03, 1.05)
    mp.epoch_colorbar(fig, axes, norm, shrink=0.3)
    mp.save(fig, mp.out_path(out, "planes.png"), dpi=90)


def draw_last_hidden(plane, out, acts, strategies):
    fig, axes = mp.plt.subplots(1, len(acts), figsize=(6.0 * len(acts), 4.4), squeeze=False, layout="constrained")
    colors = mp.plt.get_cmap("tab10")
    for c, act in enumerate(acts):
        ax = axes[0][c]
        rows = mp.where(plane, activation=act)
        last_hidden = max(int(r["layer"]) for r in rows) - 1
        for i, strategy in enumerate(strategies):
            m = mp.mean_by(mp.where(rows, strategy=strategy, layer=last_hidden), ["epoch"], ["ixt"])
            epochs = [int(k[0]) + 1 for k in m]
            ax.plot(epochs, [v["ixt"] for v in m.values()], color=colors(i % 10), lw=1.2, label=strategy)
        ax.set_xscale("log")
        ax.set_xlabel("epochs trained (epoch + 1)")
        ax.set_ylabel("I(X;T%d) [bits]" % (last_hidden + 1))
        ax.set_title("%s: last hidden layer under each binning rule" % act, fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    mp.save(fig, mp.out_path(out, "ixt_last_hidden.png"))


FIG14 = "edges tanh(linspace(-50,50,N))"
MACHINE = "machine precision"


def draw_fig14_15(plane, out):
    panels = [("tanh", FIG14, "Fig. 14: tanh, edges tanh(linspace(-50, 50, N))"),
              ("tanh", MACHINE, "Fig. 15B: tanh, machine precision"),
              ("relu", MACHINE, "Fig. 15A: ReLU, machine precision")]
    panels = [p for p in panels if mp.where(plane, activation=p[0], strategy=p[1])]
    if not panels:
        return
    fig, axes = mp.plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 4.2), squeeze=False,
                                layout="constrained")
    colors = mp.plt.get_cmap("viridis")
    for c, (act, strategy, title) in enumerate(panels):
        ax = axes[0][c]
        rows = mp.where(plane, activation=act, strategy=strategy)
        layers = sorted({int(r["layer"]) for r in rows})
        for layer in layers:
            m = mp.mean_by(mp.where(rows, layer=layer), ["epoch"], ["ixt"])
            label = "out" if layer == max(layers) else "T%d" % (layer + 1)
            ax.plot([int(k[0]) + 1 for k in m], [v["ixt"] for v in m.values()],
                    color=colors(layer / max(len(layers) - 1, 1)), lw=1.2, label=label)
        ax.set_xscale("log")
        ax.set_xlabel("epochs trained (epoch + 1)")
        ax.set_ylabel("I(X;T) [bits]")
        if strategy == MACHINE:
            ax.set_ylim(-0.3, 12.5)  # H(X) = 12 bits: the ceiling the paper's Fig. 15 shows the layers pinned to
        else:
            ax.set_ylim(bottom=-0.1)
        ax.set_title("%s (%d seed%s)" % (title, len(mp.distinct(rows, "seed")),
                                         "" if len(mp.distinct(rows, "seed")) == 1 else "s"), fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    mp.save(fig, mp.out_path(out, "fig14_fig15.png"))


def main(out):
    plane = mp.read_table(mp.out_path(out, "plane.csv"))
    curves = mp.read_table(mp.out_path(out, "curves.csv"))
    acts = mp.distinct(plane, "activation")
    strategies = mp.distinct(plane, "strategy")
    norm = mp.epoch_norm(max(int(r["epoch"]) for r in plane))
    draw_grid(plane, out, acts, strategies, norm)
    draw_last_hidden(plane, out, acts, strategies)
    draw_fig14_15(plane, out)
    mp.draw_curves(curves, "activation", mp.out_path(out, "curves.png"), "SZT 12-10-7-5-4-3-2, Adam 4e-4, batch 256")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
