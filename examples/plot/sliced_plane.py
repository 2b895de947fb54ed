#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Figure of sliced_plane (Wongso, Ghosh & Motani 2023) from OUT/plane.csv and OUT/curves.csv:
  sliced_plane.png  one row per (network, labels): the sliced information plane SI(X;T) vs SI(T;Y)
                    (mean over seeds, coloured by epoch), SI(T;Y) of every layer over epochs with
                    +- 2 standard errors over the slices, and train / test accuracy.

usage: sliced_plane.py OUT
"""
import sys

import miplot as mp


def main(out):
    plane = mp.read_table(mp.out_path(out, "plane.csv"))
    curves = mp.where(mp.read_table(mp.out_path(out, "curves.csv")), layer=0)
    runs = [(n, c) for n in mp.distinct(plane, "network") for c in mp.distinct(mp.where(plane, network=n), "condition")]
    fig, axes = mp.plt.subplots(len(runs), 3, figsize=(16, 4.2 * len(runs)), layout="constrained", squeeze=False)
    for row, (net, cond) in enumerate(runs):
        rows = mp.where(plane, network=net, condition=cond)
        norm = mp.epoch_norm(max(int(r["epoch"]) for r in rows))
        mp.draw_plane(axes[row][0], mp.plane_points(rows), "%s, %s labels: sliced plane (%s slices)"
                      % (net, cond, rows[0]["slices"]), norm, xlabel="SI(X;T)", ylabel="SI(T;Y)", unit="nats")
        mp.epoch_colorbar(fig, axes[row][0], norm, shrink=0.8)
        ax = axes[row][1]
        m = mp.mean_by(rows, ["layer", "epoch"], ["ity", "ity_se"])
        layers = sorted({int(l) for l, _ in m})
        cmap = mp.plt.get_cmap("tab10")
        for i, l in enumerate(layers):
            pts = sorted((int(e) + 1, v["ity"], v["ity_se"]) for (ll, e), v in m.items() if int(ll) == l)
            x = [p[0] for p in pts]
            y = [p[1] for p in pts]
            se = [p[2] for p in pts]
            ax.plot(x, y, color=cmap(i % 10), lw=1, label=mp.layer_name(l, len(layers)))
            ax.fill_between(x, [a - 2 * s for a, s in zip(y, se)], [a + 2 * s for a, s in zip(y, se)],
                            color=cmap(i % 10), alpha=0.15, lw=0)
        ax.set_xscale("log")
        ax.set_xlabel("epoch + 1")
        ax.set_ylabel("SI(T;Y) [nats]")
        ax.set_title("SI(T;Y) per layer (labels as trained), +- 2 se over slices", fontsize=8)
        ax.legend(fontsize=6, ncol=2)
        ax.grid(alpha=0.3)
        ax = axes[row][2]
        c = mp.where(curves, network=net, condition=cond)
        for column, color in (("train_accuracy", "tab:blue"), ("test_accuracy", "tab:red")):
            mm = mp.mean_by([r for r in c if r[column] != ""], ["epoch"], [column])
            ax.plot([int(k[0]) + 1 for k in mm], [v[column] for v in mm.values()], color=color,
                    label=column.replace("_", " "))
        ax.set_xscale("log")
        ax.set_xlabel("epoch + 1")
        ax.set_ylabel("accuracy")
        ax.set_title("accuracy (train: labels as trained)", fontsize=8)
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    fig.suptitle("Wongso, Ghosh & Motani 2023: sliced mutual information of hidden layers (mi::sliced<ksg>)",
                 fontsize=10)
    mp.save(fig, mp.out_path(out, "sliced_plane.png"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
