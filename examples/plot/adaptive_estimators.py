#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Figures of adaptive_estimators (Chelombiev, Houghton & O'Donnell 2019) from OUT/*.csv:
planes_EBAB.png and planes_aKDE.png (information planes, one column per activation, rows without
and with L2, mean over initialisations), compression.png (compression per layer with/without L2,
per activation and estimator), correlation.png (Pearson r of compression and test accuracy across
initialisations vs layer) and curves.png (learning curves without L2).

usage: adaptive_estimators.py OUT
"""
import sys

import miplot as mp

ESTIMATORS = {"EBAB": "binning", "aKDE": "kde"}


def planes(out, plane):
    acts = mp.distinct(plane, "activation")
    l2s = mp.distinct(plane, "l2")
    for short, est in ESTIMATORS.items():
        rows = mp.where(plane, estimator=est)
        if not rows:
            continue
        norm = mp.epoch_norm(max(int(r["epoch"]) for r in rows))
        fig, axes = mp.plt.subplots(len(l2s), len(acts), figsize=(4.2 * len(acts) + 1.2, 3.8 * len(l2s)),
                                    squeeze=False, layout="constrained")
        for c, act in enumerate(acts):
            for r, l2 in enumerate(l2s):
                rr = mp.where(rows, activation=act, l2=l2)
                if not rr:
                    axes[r][c].axis("off")
                    continue
                n = len(mp.distinct(rr, "seed"))
                title = "%s, L2 %s (%d init%s)\n%s" % (act, l2, n, "" if n == 1 else "s",
                                                       mp.short_label(short, rr[0]["parameters"]))
                mp.draw_plane(axes[r][c], mp.plane_points(rr), title, norm, xlabel=rr[0]["ixt_quantity"],
                              unit=rr[0]["unit"])
        mp.epoch_colorbar(fig, axes, norm, shrink=0.6)
        mp.save(fig, mp.out_path(out, "planes_%s.png" % short))


def compression(out, comp):
    ests = mp.distinct(comp, "estimator")
    acts = mp.distinct(comp, "activation")
    l2s = mp.distinct(comp, "l2")
    fig, axes = mp.plt.subplots(len(ests), len(acts), figsize=(3.3 * len(acts) + 0.5, 3.2 * len(ests)),
                                squeeze=False, sharey="row")
    colors = {"off": "tab:blue", "on": "tab:orange"}
    for r, est in enumerate(ests):
        for c, act in enumerate(acts):
            ax = axes[r][c]
            rows = mp.where(comp, estimator=est, activation=act)
            layers = sorted({int(x["layer"]) for x in rows})
            for k, l2 in enumerate(l2s):
                offset = (k - (len(l2s) - 1) / 2) * 0.35
                means = []
                for l in layers:
                    vals = [mp.num(x["compression"]) for x in mp.where(rows, l2=l2, layer=l)]
                    ax.scatter([l + offset] * len(vals), vals, s=8, color=colors.get(l2, "k"), alpha=0.5)
                    means.append(sum(vals) / len(vals) if vals else float("nan"))
                ax.bar([l + offset for l in layers], means, width=0.33, color=colors.get(l2, "k"), alpha=0.45,
                       label="L2 %s" % l2)
            ax.set_xticks(layers)
            ax.set_xticklabels([mp.layer_name(l, len(layers)) for l in layers], fontsize=7)
            ax.set_title("%s: %s" % (est, act), fontsize=9)
            ax.grid(alpha=0.3, axis="y")
            if c == 0:
                ax.set_ylabel("compression = smoothed peak - final I(X;T) [bits]", fontsize=8)
            if r == 0 and c == 0:
                ax.legend(fontsize=7)
    fig.tight_layout()
    mp.save(fig, mp.out_path(out, "compression.png"))


def correlation(out, corr):
    ests = mp.distinct(corr, "estimator")
    fig, axes = mp.plt.subplots(1, len(ests), figsize=(5.4 * len(ests), 4.2), squeeze=False, sharey=True)
    colors = {"off": "tab:blue", "on": "tab:orange"}
    for i, est in enumerate(ests):
        ax = axes[0][i]
        for l2 in mp.distinct(corr, "l2"):
            rows = mp.where(corr, estimator=est, l2=l2)
            for act in mp.distinct(rows, "activation"):
                ra = sorted(mp.where(rows, activation=act), key=lambda x: int(x["layer"]))
                xs = [int(x["layer"]) for x in ra]
                ys = [mp.num(x["pearson_r"]) for x in ra]
                if act != "all":
                    ax.plot(xs, ys, color=colors.get(l2, "k"), lw=0.5, alpha=0.3)
                    continue
                ax.plot(xs, ys, "-", color=colors.get(l2, "k"), lw=1.6,
                        label="L2 %s, pooled (n = %s)" % (l2, ra[0]["n"]))
                sig = [(x, y) for x, y, row in zip(xs, ys, ra) if mp.num(row["p_value"]) < 0.05]
                ax.scatter(xs, ys, facecolors="none", edgecolors=colors.get(l2, "k"), s=30)
                ax.scatter([s[0] for s in sig], [s[1] for s in sig], color=colors.get(l2, "k"), s=30,
                           label="p < 0.05 (permutation)" if sig else None)
        layers = sorted({int(x["layer"]) for x in mp.where(corr, estimator=est)})
        ax.set_xticks(layers)
        ax.set_xticklabels([mp.layer_name(l, len(layers)) for l in layers])
        ax.axhline(0, color="grey", lw=0.8)
        ax.set_ylim(-1.05, 1.05)
        ax.set_xlabel("layer")
        ax.set_ylabel("Pearson r (compression, test accuracy)")
        ax.set_title("%s: thin lines = single activations" % est, fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    mp.save(fig, mp.out_path(out, "correlation.png"))


def main(out):
    plane = mp.read_table(mp.out_path(out, "plane.csv"))
    comp = mp.read_table(mp.out_path(out, "compression.csv"))
    corr = mp.read_table(mp.out_path(out, "correlation.csv"))
    curves = mp.read_table(mp.out_path(out, "curves.csv"))
    planes(out, plane)
    compression(out, comp)
    correlation(out, corr)
    no_l2 = mp.where(curves, l2="off") or curves
    mp.draw_curves(no_l2, "activation", mp.out_path(out, "curves.png"),
                   "SZT 12-5-5-5-5-5-2, Adam 4e-4, batch 256, no L2 (mean over initialisations)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
