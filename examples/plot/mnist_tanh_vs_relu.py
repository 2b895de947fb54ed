#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Figures of mnist_tanh_vs_relu (Saxe et al. 2018 Fig. 1C/D, 9, 10) from OUT/plane.csv and OUT/curves.csv:
planes.png (one column per activation; rows: KDE upper bound, KDE lower bound, binning; mean over seeds;
the dashed lines are H(X) = log2(samples) and H(Y) = log2(10)), plane_<activation>_kde.png (the paper's
Fig. 1C/D panel alone), curves.png (loss, accuracy, SNR, weight norms) and snr.png (gradient mean / std /
SNR per layer).

usage: mnist_tanh_vs_relu.py OUT
"""
import math
import sys

import miplot as mp

# The notebook's axes (MNIST_ComputeMI.ipynb): I(X;M) in [0, 14], I(Y;M) in [0, 3.5] bits.
XMAX, YMAX = 14.0, 3.5


def bound_rows(rows, bound):
    """Rows with the chosen KDE bound ('upper' or 'lower') in the ixt / ity columns."""
    out = []
    for r in rows:
        r = dict(r)
        r["ixt"], r["ity"] = r["ixt_" + bound], r["ity_" + bound]
        out.append(r)
    return out


def parameter(parameters, key):
    """The value of key in a 'key=value;key=value' parameter string, as a number."""
    for p in parameters.split(";"):
        k, _, v = p.partition("=")
        if k == key:
            return float(v)
    return math.nan


def panels(plane):
    """(label, rows) per row of the figure: KDE upper, KDE lower, then each binning estimator."""
    out = []
    for params in mp.distinct(mp.where(plane, estimator="kde"), "parameters"):
        kde = mp.where(plane, estimator="kde", parameters=params)
        variance = parameter(params, "variance")
        for bound in ("upper", "lower"):
            out.append(("KDE %s bound, noise variance %g" % (bound, variance), bound_rows(kde, bound)))
    for params in mp.distinct(mp.where(plane, estimator="binning"), "parameters"):
        label = "binning, fixed width %g" % parameter(params, "width")
        out.append((label, mp.where(plane, estimator="binning", parameters=params)))
    return out


def draw(ax, rows, act, label, norm):
    seeds = len(mp.distinct(rows, "seed"))
    samples = int(rows[0]["samples"])
    title = "%s (%d seed%s, MI on %d images)\n%s" % (act, seeds, "" if seeds == 1 else "s", samples, label)
    mp.draw_plane(ax, mp.plane_points(rows), title, norm, xlabel="I(X;T)", unit=rows[0]["unit"], ylabel="I(T;Y)")
    ax.axvline(math.log2(samples), color="0.4", ls="--", lw=0.8)
    ax.axhline(math.log2(10), color="0.4", ls="--", lw=0.8)
    ax.set_xlim(0, XMAX)
    ax.set_ylim(0, YMAX)


def main(out):
    plane = mp.read_table(mp.out_path(out, "plane.csv"))
    curves = mp.read_table(mp.out_path(out, "curves.csv"))
    acts = mp.distinct(plane, "activation")
    rows_of = panels(plane)
    norm = mp.epoch_norm(max(int(r["epoch"]) for r in plane))
    fig, axes = mp.plt.subplots(len(rows_of), len(acts), figsize=(4.8 * len(acts) + 1.2, 4.0 * len(rows_of)),
                                squeeze=False, layout="constrained")
    for c, act in enumerate(acts):
        for r, (label, rows) in enumerate(rows_of):
            mine = mp.where(rows, activation=act)
            if not mine:
                axes[r][c].axis("off")
                continue
            draw(axes[r][c], mine, act, label, norm)
            if r == 0:
                single, ax = mp.plt.subplots(figsize=(5.2, 4.2), layout="constrained")
                draw(ax, mine, act, label, norm)
                mp.epoch_colorbar(single, ax, norm)
                mp.save(single, mp.out_path(out, "plane_%s_kde.png" % act), dpi=130)
    mp.epoch_colorbar(fig, axes, norm, shrink=0.6)
    mp.save(fig, mp.out_path(out, "planes.png"))
    title = "784-1024-20-20-20-10, SGD, batch 128 (metrics at the recorded epochs)"
    mp.draw_curves(curves, "activation", mp.out_path(out, "curves.png"), title)
    mp.draw_gradient_snr(curves, "activation", mp.out_path(out, "snr.png"), title)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
