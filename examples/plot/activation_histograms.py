#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Figures of activation_histograms (Saxe et al. 2018 Fig. 16, 17, 20; MNIST: Fig. 9, 10 row 4) from
OUT/histograms.csv, OUT/activity.csv and OUT/curves.csv:
histograms_<network>.png (one row per activation, one panel per layer, the softmax output last as in the
paper's Fig. 17: epoch on the x axis, activation value on the y axis, colour = density of the layer's values,
mean over seeds), activity_<network>.png (the saturated fraction, within 5 % of the range from a limit:
|h| >= 0.9 for tanh, h <= 0.05 or >= 0.95 for the softmax output; and the fraction at exactly 0, per layer
over epochs) and snr_<network>.png
(norm of the mean and of the std of the mini-batch gradients, and their ratio, per layer).

usage: activation_histograms.py OUT
"""
import sys

import miplot as mp
import numpy as np
from matplotlib.colors import LogNorm

# Value rows of each histogram image.
PIXELS = 200


def layer_label(layer, layers):
    """T1, T2, ... for the hidden layers, "out" for the last (the softmax output)."""
    return "out" if layer == max(layers) else "T%d" % (layer + 1)


def layer_histograms(rows):
    """{epoch: (edges lo, edges hi, density)} of one (network, activation, layer), seeds pooled by averaging
    the densities on the image grid later."""
    by_epoch = {}
    for r in rows:
        by_epoch.setdefault((int(r["epoch"]), r["seed"]), []).append(r)
    return by_epoch


def value_range(rows):
    """The value axis: from the smallest lower edge to the largest upper edge that holds 99.9 % of an epoch's
    values (so a few outliers of a ReLU layer do not squash the picture)."""
    lo, hi = min(float(r["lo"]) for r in rows), -np.inf
    for _, rs in layer_histograms(rows).items():
        rs = sorted(rs, key=lambda r: float(r["lo"]))
        counts = np.array([float(r["count"]) for r in rs])
        cum = np.cumsum(counts) / counts.sum()
        k = int(np.searchsorted(cum, 0.999))
        hi = max(hi, float(rs[min(k, len(rs) - 1)]["hi"]))
    return lo, hi if hi > lo else lo + 1.0


def density_image(rows, grid):
    """(epochs, image PIXELS x epochs): each epoch's density (mean over seeds) sampled at the grid's values."""
    groups = layer_histograms(rows)
    epochs = sorted({e for e, _ in groups})
    image = np.zeros((len(grid), len(epochs)))
    for j, e in enumerate(epochs):
        seeds = [s for ee, s in groups if ee == e]
        for s in seeds:
            for r in groups[(e, s)]:
                lo, hi, d = float(r["lo"]), float(r["hi"]), float(r["density"])
                inside = (grid >= lo) & ((grid < hi) | ((grid == hi) & (hi == grid[-1])))
                image[inside, j] += d / len(seeds)
    return epochs, image


def epoch_edges(epochs):
    """Pixel edges on the log axis of epoch + 1, halfway (geometrically) between recorded epochs."""
    x = np.array(epochs, dtype=float) + 1
    if len(x) == 1:
        return np.array([x[0] / 1.5, x[0] * 1.5])
    mid = np.sqrt(x[1:] * x[:-1])
    return np.concatenate([[x[0] ** 2 / mid[0]], mid, [x[-1] ** 2 / mid[-1]]])


def draw_histograms(hist, net, path):
    """One panel per (activation, layer); colour = density relative to the panel's largest density, on
    a log scale over four decades (one shared colour bar keeps the figure cheap to lay out)."""
    acts = mp.distinct(hist, "activation")
    layers = sorted({int(r["layer"]) for r in hist})
    fig, axes = mp.plt.subplots(len(acts), len(layers), figsize=(3.0 * len(layers) + 1.2, 2.8 * len(acts)),
                                squeeze=False)
    norm = LogNorm(vmin=1e-4, vmax=1.0)
    mesh = None
    for a, act in enumerate(acts):
        for c, layer in enumerate(layers):
            ax = axes[a][c]
            rows = mp.where(hist, activation=act, layer=layer)
            if not rows:
                ax.axis("off")
                continue
            lo, hi = value_range(rows)
            grid = np.linspace(lo, hi, PIXELS)
            epochs, image = density_image(rows, grid)
            image = image / image.max()
            dy = (grid[1] - grid[0]) / 2
            y_edges = np.concatenate([grid - dy, [grid[-1] + dy]])
            mesh = ax.pcolormesh(epoch_edges(epochs), y_edges, np.ma.masked_less(image, 1e-4), norm=norm,
                                 cmap="magma", shading="flat")
            ax.set_xscale("log")
            ax.set_xlabel("epoch + 1", fontsize=8)
            ax.set_ylabel("activation value", fontsize=8)
            ax.tick_params(labelsize=7)
            seeds = len(mp.distinct(rows, "seed"))
            ax.set_title("%s, %s layer %s (%d seed%s)" % (net, act, layer_label(layer, layers), seeds,
                                                          "" if seeds == 1 else "s"),
                         fontsize=8)
    fig.subplots_adjust(left=0.06, right=0.9, bottom=0.1, top=0.92, wspace=0.35, hspace=0.45)
    if mesh is not None:
        fig.colorbar(mesh, cax=fig.add_axes([0.92, 0.15, 0.012, 0.7]), label="density / panel maximum")
    mp.save(fig, path)


def draw_activity(activity, net, path):
    acts = mp.distinct(activity, "activation")
    fig, axes = mp.plt.subplots(2, len(acts), figsize=(5.0 * len(acts), 7.0), squeeze=False)
    colors = mp.plt.get_cmap("viridis")
    for c, act in enumerate(acts):
        rows = mp.where(activity, activation=act)
        layers = sorted({int(r["layer"]) for r in rows})
        for layer in layers:
            m = mp.mean_by(mp.where(rows, layer=layer), ["epoch"], ["frac_saturated", "frac_zero"])
            ep = np.array([int(k[0]) for k in m]) + 1
            color = colors(layer / max(len(layers) - 1, 1))
            axes[0][c].plot(ep, [v["frac_saturated"] for v in m.values()], color=color,
                            label=layer_label(layer, layers))
            axes[1][c].plot(ep, [v["frac_zero"] for v in m.values()], color=color,
                            label=layer_label(layer, layers))
        axes[0][c].set_title("%s %s: saturated fraction (tanh |h| >= 0.9; out: 5 %% from 0 or 1)" % (net, act),
                             fontsize=9)
        axes[1][c].set_title("%s %s: fraction of values h == 0" % (net, act), fontsize=9)
        for ax in (axes[0][c], axes[1][c]):
            ax.set_xscale("log")
            ax.set_xlabel("epoch + 1")
            ax.set_ylim(-0.02, 1.02)
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7)
    fig.tight_layout()
    mp.save(fig, path)


def main(out):
    hist = mp.read_table(mp.out_path(out, "histograms.csv"))
    activity = mp.read_table(mp.out_path(out, "activity.csv"))
    curves = mp.read_table(mp.out_path(out, "curves.csv"))
    titles = {"szt": "SZT 12-10-7-5-4-3-2, Adam 4e-4, batch 256",
              "mnist": "784-1024-20-20-20-10, SGD 0.001, batch 128 (recorded epochs)"}
    for net in mp.distinct(hist, "network"):
        draw_histograms(mp.where(hist, network=net), net, mp.out_path(out, "histograms_%s.png" % net))
        draw_activity(mp.where(activity, network=net), net, mp.out_path(out, "activity_%s.png" % net))
        mp.draw_gradient_snr(mp.where(curves, network=net), "activation", mp.out_path(out, "snr_%s.png" % net),
                             titles.get(net, net))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
