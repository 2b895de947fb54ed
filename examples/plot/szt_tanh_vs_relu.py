#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Figures of szt_tanh_vs_relu (Saxe et al. 2018 Fig. 1A/B, 8, 11, 12) from OUT/plane.csv and
OUT/curves.csv: planes.png (one column per activation, one row per estimator, mean over seeds;
an estimator of H(T) is drawn as H(T) against epochs, as Fig. 12 does), plane_<activation>_<k>.png
(each panel alone) and curves.png.

usage: szt_tanh_vs_relu.py OUT
"""
import sys

import miplot as mp


def main(out):
    plane = mp.read_table(mp.out_path(out, "plane.csv"))
    curves = mp.read_table(mp.out_path(out, "curves.csv"))
    acts = mp.distinct(plane, "activation")
    estimators = mp.distinct(plane, "parameters")
    samples = {p: mp.where(plane, parameters=p)[0]["samples"] for p in estimators}
    norm = mp.epoch_norm(max(int(r["epoch"]) for r in plane))
    fig, axes = mp.plt.subplots(len(estimators), len(acts), figsize=(4.8 * len(acts) + 1.2, 4.0 * len(estimators)),
                                squeeze=False, layout="constrained")
    for c, act in enumerate(acts):
        for r, params in enumerate(estimators):
            rows = mp.where(plane, activation=act, parameters=params)
            if not rows:
                axes[r][c].axis("off")
                continue
            est, kind, unit = rows[0]["estimator"], rows[0]["ixt_quantity"], rows[0]["unit"]
            title = "%s (%d seed%s, %s samples)\n%s" % (act, len(mp.distinct(rows, "seed")),
                                                        "" if len(mp.distinct(rows, "seed")) == 1 else "s",
                                                        samples[params], mp.short_label(est, params))
            single, ax = mp.plt.subplots(figsize=(5.2, 4.2), layout="constrained")
            if kind == "H(T)":
                for a in (axes[r][c], ax):
                    mp.draw_course(a, rows, "ixt", title, kind, unit=unit)
            else:
                pts = mp.plane_points(rows)
                mp.draw_plane(axes[r][c], pts, title, norm, xlabel=kind, unit=unit)
                mp.draw_plane(ax, pts, title, norm, xlabel=kind, unit=unit)
                mp.epoch_colorbar(single, ax, norm)
            mp.save(single, mp.out_path(out, "plane_%s_%d.png" % (act, r)), dpi=130)
    mp.epoch_colorbar(fig, axes, norm, shrink=0.6)
    mp.save(fig, mp.out_path(out, "planes.png"))
    mp.draw_curves(curves, "activation", mp.out_path(out, "curves.png"), "SZT 12-10-7-5-4-3-2, Adam 4e-4, batch 256")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
