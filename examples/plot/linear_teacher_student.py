#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Figures of linear_teacher_student (Saxe et al. 2018 Fig. 3, 4A/B, 18) from OUT/plane.csv and OUT/errors.csv:
  students.png          one row per figure of the paper: train / test / generalisation error over epochs (Fig. 3C,
                        4A, 18A) and the exact information plane of every layer, coloured by epoch (Fig. 3D, 4B,
                        18B); mean over seeds
  plane_fig<F>.png      each information plane alone

usage: linear_teacher_student.py OUT
"""
import sys

import miplot as mp


def draw_errors(ax, rows, title, floor):
    m = mp.mean_by(rows, ["epoch"], ["train_error", "test_error", "generalization_error"])
    ep = mp.np.array([int(k[0]) for k in m]) + 1
    ax.plot(ep, [v["train_error"] for v in m.values()], color="tab:blue", label="train error")
    ax.plot(ep, [v["test_error"] for v in m.values()], color="tab:red", label="test error (1000 draws)")
    ax.plot(ep, [v["generalization_error"] for v in m.values()], color="k", ls="--", lw=0.9,
            label="generalisation error (eq. 5)")
    if floor is not None:
        ax.axhline(floor, color="0.6", lw=0.8, ls=":", label="noise floor s2_o")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("epoch + 1")
    ax.set_ylabel("mean squared error")
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)


def main(out):
    plane = mp.read_table(mp.out_path(out, "plane.csv"))
    errors = mp.read_table(mp.out_path(out, "errors.csv"))
    floor = mp.num(errors[0]["teacher_noise"]) if errors else None
    figures = mp.distinct(plane, "figure")
    fig, axes = mp.plt.subplots(len(figures), 2, figsize=(11, 4.2 * len(figures)), squeeze=False,
                                layout="constrained")
    for r, figure in enumerate(figures):
        rows = mp.where(plane, figure=figure)
        first = rows[0]
        norm = mp.epoch_norm(max(int(x["epoch"]) for x in rows))
        seeds = len(mp.distinct(rows, "seed"))
        training = "batch GD" if first["batch"] == "0" else "SGD batch %s" % first["batch"]
        title = "Fig. %s: %s hidden layer%s of %s, %s, N_i = %s, P = %s, %d seed%s" % (
            figure, first["hidden_layers"], "" if first["hidden_layers"] == "1" else "s", first["hidden_units"],
            training, first["inputs"], first["samples"], seeds, "" if seeds == 1 else "s")
        draw_errors(axes[r][0], mp.where(errors, figure=figure), title, floor)
        pts = mp.plane_points(rows)
        mp.draw_plane(axes[r][1], pts, title + "\nexact I (linear_gaussian, %s)" % first["parameters"], norm)
        mp.epoch_colorbar(fig, axes[r][1], norm, shrink=0.8)
        single, ax = mp.plt.subplots(figsize=(5.4, 4.4), layout="constrained")
        mp.draw_plane(ax, pts, title, norm)
        mp.epoch_colorbar(single, ax, norm)
        mp.save(single, mp.out_path(out, "plane_fig%s.png" % figure), dpi=130)
    fig.suptitle("Saxe et al. Fig. 3, 4A/B, 18: deep linear students of a linear teacher (exact MI, mean over seeds)",
                 fontsize=10)
    mp.save(fig, mp.out_path(out, "students.png"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
