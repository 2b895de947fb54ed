#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Information-plane figures and learning curves from the CSV files the
reproduction programs write (mi::write_csv's tidy plane CSV and the engine's
curves.csv). Reads only those files; needs python3-numpy and python3-matplotlib.

Each plane figure is drawn as in Saxe et al. 2018 Fig. 1 / Shwartz-Ziv &
Tishby 2017: one dot per (epoch, layer) at (I(X;T), I(T;Y)), coloured by epoch
(log scale), the layers of one epoch joined by a thin line of the same colour,
and each layer's last point outlined.

usage:
  plot_plane.py --plane OUT/plane_tanh.csv OUT/plane_relu.csv --curves OUT/curves.csv --out OUT
Writes OUT/plane_<run>_<k>.png (one per run and estimator), OUT/planes.png
(runs side by side, one row per estimator) and OUT/curves.png.
"""
import argparse
import csv
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import LogNorm  # noqa: E402


def read_rows(path):
    with open(path, newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    return list(csv.DictReader(lines))


def number(s):
    return float(s) if s not in ("", None) else math.nan


def read_plane(path):
    """{(estimator, parameters): {"unit", "kind", "points": {(epoch, layer): (ixt, ity, lo, hi)}}}"""
    out = {}
    for r in read_rows(path):
        key = (r["estimator"], r["parameters"])
        t = out.setdefault(key, {"unit": r["unit"], "kind": r["ixt_quantity"], "points": {}})
        t["points"][(int(r["epoch"]), int(r["layer"]))] = (
            number(r["ixt"]), number(r["ity"]), number(r["ixt_lower"]), number(r["ixt_upper"]))
    return out


def short_label(estimator, parameters):
    keep = [p for p in parameters.split(";") if not p.startswith(("correction=", "range="))]
    text = estimator + ": " + ", ".join(keep)
    return text if len(text) < 70 else text[:67] + "..."


def run_name(path):
    stem = os.path.splitext(os.path.basename(path))[0]
    return stem[len("plane_"):] if stem.startswith("plane_") else stem


def draw_plane(ax, t, title, norm, cmap):
    pts = t["points"]
    epochs = sorted({e for e, _ in pts})
    layers = sorted({l for _, l in pts})
    for e in epochs:
        xs = [pts[(e, l)][0] for l in layers if (e, l) in pts]
        ys = [pts[(e, l)][1] for l in layers if (e, l) in pts]
        c = cmap(norm(max(e, 1) if norm.vmin >= 1 else e))
        ax.plot(xs, ys, "-", color=c, lw=0.5, alpha=0.6, zorder=1)
        ax.scatter(xs, ys, s=14, color=[c], edgecolors="none", zorder=2)
    last = epochs[-1]
    for l in layers:
        if (last, l) in pts:
            x, y = pts[(last, l)][:2]
            ax.scatter([x], [y], s=40, facecolors="none", edgecolors="k", lw=0.8, zorder=3)
            ax.annotate("T%d" % (l + 1) if l + 1 < len(layers) else "out", (x, y), fontsize=7,
                        xytext=(3, -9), textcoords="offset points")
    unit = t["unit"]
    ax.set_xlabel("%s [%s]" % (t["kind"], unit))
    ax.set_ylabel("I(T;Y) [%s]" % unit)
    ax.set_title(title, fontsize=8)
    ax.grid(alpha=0.3)


def plot_planes(paths, out_dir):
    planes = [(run_name(p), read_plane(p)) for p in paths]
    all_epochs = [e for _, pl in planes for t in pl.values() for e, _ in t["points"]]
    vmax = max(max(all_epochs), 2)
    norm = LogNorm(vmin=1, vmax=vmax + 1)
    cmap = plt.get_cmap("viridis")
    written = []
    for name, pl in planes:
        for k, (key, t) in enumerate(pl.items()):
            fig, ax = plt.subplots(figsize=(5.2, 4.2))
            draw_plane(ax, t, "%s\n%s" % (name, short_label(*key)), norm, cmap)
            sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
            fig.colorbar(sm, ax=ax, label="epochs trained (epoch + 1)")
            fig.tight_layout()
            path = os.path.join(out_dir, "plane_%s_%d.png" % (name, k))
            fig.savefig(path, dpi=130)
            plt.close(fig)
            written.append(path)
    # Runs side by side, one row per estimator (matched by position in the files).
    rows = max(len(pl) for _, pl in planes)
    fig, axes = plt.subplots(rows, len(planes), figsize=(4.8 * len(planes) + 1.2, 4.0 * rows), squeeze=False,
                             layout="constrained")
    for c, (name, pl) in enumerate(planes):
        for r, (key, t) in enumerate(pl.items()):
            draw_plane(axes[r][c], t, "%s\n%s" % (name, short_label(*key)), norm, cmap)
        for r in range(len(pl), rows):
            axes[r][c].axis("off")
    sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    fig.colorbar(sm, ax=axes, label="epochs trained (epoch + 1)", shrink=0.6)
    path = os.path.join(out_dir, "planes.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    written.append(path)
    return written


def plot_curves(path, out_dir):
    rows = read_rows(path)
    runs = sorted({r["run"] for r in rows})
    fig, axes = plt.subplots(2, 2, figsize=(10, 7))
    colors = plt.get_cmap("tab10")
    for i, run in enumerate(runs):
        rr = [r for r in rows if r["run"] == run]
        # Loss and accuracy: the mean over seeds, from the layer-0 rows (one per epoch).
        per_epoch = {}
        for r in rr:
            if r["layer"] == "0":
                per_epoch.setdefault(int(r["epoch"]), []).append(r)
        ep = np.array(sorted(per_epoch)) + 1
        mean = lambda k: np.array([np.nanmean([number(r[k]) for r in per_epoch[e - 1]]) for e in ep])
        axes[0][0].plot(ep, mean("train_loss"), color=colors(i), label="%s train" % run)
        axes[0][0].plot(ep, mean("test_loss"), color=colors(i), ls="--", label="%s test" % run)
        axes[0][1].plot(ep, mean("train_accuracy"), color=colors(i), label="%s train" % run)
        axes[0][1].plot(ep, mean("test_accuracy"), color=colors(i), ls="--", label="%s test" % run)
        layers = sorted({int(r["layer"]) for r in rr})
        for l in layers:
            lr_ = {}
            for r in rr:
                if int(r["layer"]) == l:
                    lr_.setdefault(int(r["epoch"]), []).append(r)
            e2 = np.array(sorted(lr_))
            snr = np.array([np.nanmean([number(r["snr"]) for r in lr_[e]]) for e in e2])
            wn = np.array([np.nanmean([number(r["weight_norm"]) for r in lr_[e]]) for e in e2])
            shade = 0.35 + 0.65 * (l + 1) / len(layers)
            axes[1][0].plot(e2 + 1, snr, color=colors(i), alpha=shade, lw=0.8,
                            label="%s W%d" % (run, l + 1) if l in (0, layers[-1]) else None)
            axes[1][1].plot(e2 + 1, wn, color=colors(i), alpha=shade, lw=0.8,
                            label="%s W%d" % (run, l + 1) if l in (0, layers[-1]) else None)
    for ax, title, ylab in [(axes[0][0], "loss", "cross-entropy [nats]"), (axes[0][1], "accuracy", "accuracy"),
                            (axes[1][0], "gradient SNR ||mean|| / ||std|| per layer", "SNR"),
                            (axes[1][1], "weight norm per layer", "||W||_F")]:
        ax.set_xscale("log")
        ax.set_xlabel("epoch + 1")
        ax.set_ylabel(ylab)
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    axes[0][0].set_yscale("log")
    axes[1][0].set_yscale("log")
    fig.tight_layout()
    out = os.path.join(out_dir, "curves.png")
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return [out]


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--plane", nargs="+", default=[], help="plane CSV files (mi::write_csv)")
    p.add_argument("--curves", help="learning-curve CSV (curves.csv)")
    p.add_argument("--out", required=True, help="directory for the PNG files")
    a = p.parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    written = []
    if a.plane:
        written += plot_planes(a.plane, a.out)
    if a.curves:
        written += plot_curves(a.curves, a.out)
    for w in written:
        print(w)


if __name__ == "__main__":
    main(sys.argv[1:])
