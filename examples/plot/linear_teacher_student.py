#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Figures of linear_teacher_student (Saxe et al. 2018 Fig. 3, 4, 18) from OUT/plane.csv and OUT/errors.csv:
  students_<k>hidden.png  one row per sample size P: train / test / generalisation error over epochs (Fig. 3C,
                          4A) and the exact information plane of every layer, coloured by epoch (Fig. 3D, 4B;
                          Fig. 18 for the deeper student)
  plane_<k>hidden_P<P>.png each information plane alone

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
    norm = mp.epoch_norm(max(int(r["epoch"]) for r in plane))
    n_inputs = plane[0]["inputs"]
    for depth in mp.distinct(plane, "hidden_layers"):
        sizes = mp.distinct(mp.where(plane, hidden_layers=depth), "samples")
        fig, axes = mp.plt.subplots(len(sizes), 2, figsize=(11, 4.2 * len(sizes)), squeeze=False,
                                    layout="constrained")
        for r, p in enumerate(sizes):
            rows = mp.where(plane, hidden_layers=depth, samples=p)
            seeds = len(mp.distinct(rows, "seed"))
            what = "P = N_i: overtraining regime" if int(p) <= 1.5 * int(n_inputs) else "P > N_i"
            title = "%s hidden layer%s, N_i = %s, P = %s (%s), %d seed%s" % (
                depth, "" if depth == "1" else "s", n_inputs, p, what, seeds, "" if seeds == 1 else "s")
            draw_errors(axes[r][0], mp.where(errors, hidden_layers=depth, samples=p), title, floor)
            pts = mp.plane_points(rows)
            mp.draw_plane(axes[r][1], pts, title + "\nexact I (linear_gaussian, %s)" % rows[0]["parameters"], norm)
            single, ax = mp.plt.subplots(figsize=(5.4, 4.4), layout="constrained")
            mp.draw_plane(ax, pts, title, norm)
            mp.epoch_colorbar(single, ax, norm)
            mp.save(single, mp.out_path(out, "plane_%shidden_P%s.png" % (depth, p)), dpi=130)
        mp.epoch_colorbar(fig, axes[:, 1].tolist(), norm, shrink=0.6)
        fig.suptitle("Saxe et al. Fig. %s: deep linear student of a linear teacher, SGD"
                     % ("3/4" if depth == "1" else "18"), fontsize=10)
        mp.save(fig, mp.out_path(out, "students_%shidden.png" % depth))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
