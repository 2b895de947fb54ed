#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Figures of estimator_grid (Geiger 2020's point: the estimator decides the information plane) from
OUT/plane.csv, OUT/compression.csv and OUT/curves.csv:
grid.png (rows = estimators, columns = tanh / ReLU, the information plane of one network each),
courses.png (I(X;T5) over epochs per estimator, scaled to its own range, tanh vs ReLU, with each
estimator's compression verdict) and curves.png.

usage: estimator_grid.py OUT
"""
import sys

import miplot as mp


def draw_grid(plane, out):
    acts = mp.distinct(plane, "activation")
    panels = mp.distinct(plane, "panel")
    norm = mp.epoch_norm(max(int(r["epoch"]) for r in plane))
    fig, axes = mp.plt.subplots(len(panels), len(acts), figsize=(4.4 * len(acts) + 1.2, 3.3 * len(panels)),
                                squeeze=False, layout="constrained")
    for r, name in enumerate(panels):
        for c, act in enumerate(acts):
            rows = mp.where(plane, activation=act, panel=name)
            if not rows:
                axes[r][c].axis("off")
                continue
            title = "%s: %s\n%s" % (act, name, rows[0]["sampling"].replace(";", ", "))
            mp.draw_plane(axes[r][c], mp.plane_points(rows), title, norm, xlabel=rows[0]["ixt_quantity"],
                          unit=rows[0]["unit"])
    mp.epoch_colorbar(fig, axes, norm, shrink=0.3)
    mp.save(fig, mp.out_path(out, "grid.png"), dpi=80)


def draw_courses(plane, comp, out):
    acts = mp.distinct(plane, "activation")
    panels = mp.distinct(plane, "panel")
    verdict = {(r["panel"], r["activation"]): r for r in comp}
    colors = mp.plt.get_cmap("tab20")
    fig, axes = mp.plt.subplots(1, len(acts), figsize=(7.5 * len(acts), 7.5), squeeze=False, sharey=True)
    for c, act in enumerate(acts):
        ax = axes[0][c]
        for i, name in enumerate(panels):
            v = verdict.get((name, act))
            if v is None:
                continue
            layer = int(v["layer"])
            m = mp.mean_by(mp.where(plane, activation=act, panel=name, layer=layer), ["epoch"], ["ixt"])
            ep = [int(k[0]) + 1 for k in m]
            ys = [x["ixt"] for x in m.values()]
            lo, hi = min(ys), max(ys)
            scaled = [(y - lo) / (hi - lo) if hi > lo else 0.5 for y in ys]
            # the program's verdict on this course: smoothed drop against the threshold from its own noise
            label = "%s: %s (drop %.3g, threshold %.3g)" % (
                name, "compresses" if v["compresses"] == "1" else "no compression", mp.num(v["drop"]), mp.num(v["threshold"]))
            ax.plot(ep, scaled, "-o", ms=2.5, lw=1.0, color=colors(i % 20), label=label)
        ax.set_xscale("log")
        ax.set_xlabel("epochs trained (epoch + 1)")
        ax.set_ylabel("I(X;T5) scaled to [min, max] of its course (decision rule: output)")
        ax.set_title("%s: last hidden layer under each estimator" % act, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2)
    fig.tight_layout()
    mp.save(fig, mp.out_path(out, "courses.png"))


def main(out):
    plane = mp.read_table(mp.out_path(out, "plane.csv"))
    comp = mp.read_table(mp.out_path(out, "compression.csv"))
    curves = mp.read_table(mp.out_path(out, "curves.csv"))
    draw_grid(plane, out)
    draw_courses(plane, comp, out)
    mp.draw_curves(curves, "activation", mp.out_path(out, "curves.png"), "SZT 12-10-7-5-4-3-2, Adam 4e-4, batch 256")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
