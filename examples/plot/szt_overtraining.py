#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Figure of szt_overtraining (Saxe et al. 2018 Fig. 4C/D) from OUT/curves.csv and OUT/plane.csv:
  overtraining.png  (C) train and test accuracy over epochs (thin: seeds, thick: mean), the epoch of the
                    mean test accuracy's peak marked; (D) the information plane (binning, mean over seeds),
                    coloured by epoch; (E) I(X;T) of every layer over epochs, the same peak marked.

usage: szt_overtraining.py OUT
"""
import sys

import miplot as mp


def main(out):
    curves = mp.where(mp.read_table(mp.out_path(out, "curves.csv")), layer=0)
    plane = mp.read_table(mp.out_path(out, "plane.csv"))
    seeds = mp.distinct(curves, "seed")
    fig, axes = mp.plt.subplots(1, 3, figsize=(17, 4.8), layout="constrained")
    ax = axes[0]
    peak = None
    for column, color in (("train_accuracy", "tab:blue"), ("test_accuracy", "tab:red")):
        for s in seeds:
            m = mp.mean_by(mp.where(curves, seed=s), ["epoch"], [column])
            ax.plot([int(k[0]) + 1 for k in m], [v[column] for v in m.values()], color=color, lw=0.4, alpha=0.4)
        m = mp.mean_by(curves, ["epoch"], [column])
        ep = [int(k[0]) + 1 for k in m]
        vals = [v[column] for v in m.values()]
        ax.plot(ep, vals, color=color, lw=2, label=column.replace("_", " "))
        if column == "test_accuracy":
            peak = ep[max(range(len(vals)), key=lambda i: vals[i])]
    if peak is not None:
        ax.axvline(peak, color="0.4", ls=":", lw=1, label="peak of mean test accuracy")
    ax.set_xscale("log")
    ax.set_xlabel("epochs trained (epoch + 1)")
    ax.set_ylabel("accuracy")
    ax.set_title("(C) tanh on %s of %s patterns: train / test accuracy (%d seeds)"
                 % (curves[0]["train_samples"], int(curves[0]["train_samples"]) + int(curves[0]["test_samples"]),
                    len(seeds)), fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    norm = mp.epoch_norm(max(int(r["epoch"]) for r in plane))
    mp.draw_plane(axes[1], mp.plane_points(plane), "(D) information plane, mean of %d seeds\n%s"
                  % (len(seeds), mp.short_label(plane[0]["estimator"], plane[0]["parameters"])), norm)
    mp.epoch_colorbar(fig, axes[1], norm, shrink=0.8)
    mp.draw_course(axes[2], plane, "ixt", "(E) I(X;T) per layer over training", "I(X;T)")
    if peak is not None:
        axes[2].axvline(peak, color="0.4", ls=":", lw=1)
    fig.suptitle("Saxe et al. Fig. 4C/D: overtraining while compressing (SZT tanh, 30 % of the data)", fontsize=10)
    mp.save(fig, mp.out_path(out, "overtraining.png"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
