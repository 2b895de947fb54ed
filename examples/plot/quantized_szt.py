#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Figure of quantized_szt (Lorenzen, Igel & Nielsen 2022, exact information planes of 8-bit SZT
networks) from OUT/plane.csv and OUT/curves.csv:
  quantized_szt.png  one row per activation (tanh, relu): (a) the exact information plane, mean over
                     runs, coloured by epoch; (b) I(X;T) of every layer over epochs; (c) I(T;Y) of every
                     layer over epochs; (d) train / test accuracy (thin: runs, thick: mean).

usage: quantized_szt.py OUT
"""
import sys

import miplot as mp


def main(out):
    plane = mp.read_table(mp.out_path(out, "plane.csv"))
    curves = mp.where(mp.read_table(mp.out_path(out, "curves.csv")), layer=0)
    activations = mp.distinct(plane, "activation")
    fig, axes = mp.plt.subplots(len(activations), 4, figsize=(21, 4.6 * len(activations)), layout="constrained",
                                squeeze=False)
    norm = mp.epoch_norm(max(int(r["epoch"]) for r in plane))
    for row, act in enumerate(activations):
        p = mp.where(plane, activation=act)
        runs = mp.distinct(p, "seed")
        mp.draw_plane(axes[row][0], mp.plane_points(p), "%s: exact information plane, mean of %d run(s)\n%s"
                      % (act, len(runs), mp.short_label(p[0]["estimator"], p[0]["parameters"])), norm)
        mp.draw_course(axes[row][1], p, "ixt", "%s: I(X;T) = H(T) per layer" % act, "I(X;T)")
        mp.draw_course(axes[row][2], p, "ity", "%s: I(T;Y) per layer" % act, "I(T;Y)")
        ax = axes[row][3]
        c = mp.where(curves, activation=act)
        for column, color in (("train_accuracy", "tab:blue"), ("test_accuracy", "tab:red")):
            for s in runs:
                m = mp.mean_by(mp.where(c, seed=s), ["epoch"], [column])
                ax.plot([int(k[0]) + 1 for k in m], [v[column] for v in m.values()], color=color, lw=0.4, alpha=0.4)
            m = mp.mean_by(c, ["epoch"], [column])
            ax.plot([int(k[0]) + 1 for k in m], [v[column] for v in m.values()], color=color, lw=2,
                    label=column.replace("_", " "))
        ax.set_xscale("log")
        ax.set_xlabel("epochs trained (epoch + 1)")
        ax.set_ylabel("accuracy")
        ax.set_title("%s: accuracy" % act, fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    mp.epoch_colorbar(fig, [a[0] for a in axes], norm, shrink=0.8)
    fig.suptitle("Lorenzen et al. 2022: exact information planes of 8-bit quantized SZT networks", fontsize=10)
    mp.save(fig, mp.out_path(out, "quantized_szt.png"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
