#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Figures of compressed_mnist (Butakov et al. 2024, the MNIST information plane on 4-dimensional PCA
compressions with small noise) from OUT/plane.csv and OUT/curves.csv: planes.png (one panel per estimator,
weighted Kozachenko-Leonenko and KSG, mean over seeds), courses.png (I(X;T) and I(T;Y) per layer against
epochs) and curves.png (loss and accuracy).

usage: compressed_mnist.py OUT
"""
import sys

import miplot as mp


def main(out):
    plane = mp.read_table(mp.out_path(out, "plane.csv"))
    curves = mp.read_table(mp.out_path(out, "curves.csv"))
    estimators = mp.distinct(plane, "estimator")
    norm = mp.epoch_norm(max(int(r["epoch"]) for r in plane))
    fig, axes = mp.plt.subplots(1, len(estimators), figsize=(4.8 * len(estimators) + 1.2, 4.2), squeeze=False,
                                layout="constrained")
    for c, est in enumerate(estimators):
        rows = mp.where(plane, estimator=est)
        seeds = len(mp.distinct(rows, "seed"))
        title = "%s (%d seed%s, MI on %s images)\n%s" % (est, seeds, "" if seeds == 1 else "s", rows[0]["samples"],
                                                         mp.short_label(est, rows[0]["parameters"], 70))
        mp.draw_plane(axes[0][c], mp.plane_points(rows), title, norm, unit=rows[0]["unit"])
    mp.epoch_colorbar(fig, axes, norm, shrink=0.8)
    mp.save(fig, mp.out_path(out, "planes.png"))
    fig, axes = mp.plt.subplots(2, len(estimators), figsize=(4.8 * len(estimators), 7.0), squeeze=False,
                                layout="constrained")
    for c, est in enumerate(estimators):
        rows = mp.where(plane, estimator=est)
        mp.draw_course(axes[0][c], rows, "ixt", est + ": I(X;T) per layer", "I(X;T)", rows[0]["unit"])
        mp.draw_course(axes[1][c], rows, "ity", est + ": I(T;Y) per layer", "I(T;Y)", rows[0]["unit"])
    mp.save(fig, mp.out_path(out, "courses.png"))
    mp.draw_curves(curves, "seed", mp.out_path(out, "curves.png"), "784-256-64-32-10 LeakyReLU, Adam")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
