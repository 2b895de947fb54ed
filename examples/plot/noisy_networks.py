#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Figures of noisy_networks (Goldfeld et al. 2019 and the student reproduction
nathankong/information_bottleneck) from OUT/plane.csv, OUT/density.csv, OUT/szt.csv and OUT/curves.csv:
mi_scalar.png (I(X;T) per layer over epochs for the 1-D experiments, nats), density_<condition>.png
(density of each layer's noisy output over epochs: epoch on x, value on y, colour = density, as the
student's notebooks), planes.png (their information planes), szt.png (I(X;T_l) of the five hidden layers
of the SZT tanh network over epochs, Goldfeld et al.'s figure, with the values of smoothMI's saved run)
and curves.png.

usage: noisy_networks.py OUT
"""
import math
import os
import sys

import miplot as mp
from matplotlib.colors import PowerNorm

# Reference lines of each 1-D experiment (nats): what the papers say I(X;T) reaches.
LEVELS = {
    "four_points": [(math.log(4), "ln 4 = 2 bits"), (math.log(2), "ln 2 = 1 bit")],
    "eight_points": [(math.log(8), "ln 8"), (1.84, "student: 1.84")],
    "gaussian_lrelu_tanh": [(2.6, "student hidden ~2.6"), (1.4, "student output ~1.4")],
    "gaussian_mixture": [(2.05, "student notebook ~2.0-2.1"), (1.0, "report Fig. 6: ~1 nat")],
}
# smoothMI's saved run (saved/MIresultsTishby_1_1.p): epoch -> I(X;T_1..5) in nats.
SMOOTHMI = {1: [7.76, 7.81, 7.67, 5.52, 2.52], 28: [7.72, 7.81, 7.72, 6.50, 4.63], 79: [7.75, 7.86, 7.49, 5.18, 3.33],
            509: [7.73, 7.85, 7.83, 7.09, 4.92], 2056: [7.73, 7.85, 7.84, 6.63, 3.56],
            9999: [7.76, 7.90, 7.85, 5.57, 2.30]}


def layer_label(cond, layer, n_layers):
    return "output" if layer == n_layers - 1 else "hidden"


def verdict_lines(out):
    """The program's verdicts (verdicts.csv), one short line per claim, keyed by the claim's figure."""
    try:
        rows = mp.read_table(mp.out_path(out, "verdicts.csv"))
    except (OSError, FileNotFoundError):
        return []
    return ["%s: %s (paper: %s)" % (r["claim"].split(":")[0], r["measured"], r["paper"]) for r in rows]


def draw_scalar_mi(plane, out):
    conds = mp.distinct(plane, "condition")
    fig, axes = mp.plt.subplots(1, len(conds), figsize=(4.2 * len(conds), 3.8), squeeze=False)
    for ax, cond in zip(axes[0], conds):
        rows = mp.where(plane, condition=cond)
        layers = sorted({int(r["layer"]) for r in rows})
        for l in layers:
            m = mp.mean_by(mp.where(rows, layer=l), ["epoch"], ["ixt"])
            ax.plot([int(k[0]) + 1 for k in m], [v["ixt"] for v in m.values()], "-o", ms=2.5,
                    label="%s (layer %d)" % (layer_label(cond, l, len(layers)), l + 1))
        for level, text in LEVELS.get(cond, []):
            ax.axhline(level, color="gray", ls=":", lw=0.8)
            ax.annotate(text, (1, level), fontsize=7, color="gray", xytext=(2, 2), textcoords="offset points")
        ax.set_xscale("log")
        ax.set_xlabel("epoch + 1")
        ax.set_ylabel("I(X;T) [nats]")
        ax.set_title(cond, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    lines = verdict_lines(out)
    if lines:
        # room under the panels for the program's verdicts
        fig.set_size_inches(fig.get_size_inches()[0], 3.8 + 0.12 * len(lines))
        fig.tight_layout(rect=(0, 0.12 * len(lines) / (3.8 + 0.12 * len(lines)), 1, 1))
        fig.text(0.01, 0.005, "\n".join(lines), fontsize=7, va="bottom", family="monospace")
    else:
        fig.tight_layout()
    mp.save(fig, mp.out_path(out, "mi_scalar.png"))


def draw_density(density, out):
    for cond in mp.distinct(density, "condition"):
        rows = mp.where(density, condition=cond)
        layers = sorted({int(r["layer"]) for r in rows})
        fig, axes = mp.plt.subplots(1, len(layers), figsize=(5.5 * len(layers), 4.0), squeeze=False)
        for ax, l in zip(axes[0], layers):
            m = mp.mean_by(mp.where(rows, layer=l), ["epoch", "value"], ["density"])
            epochs = sorted({int(e) for e, _ in m})
            values = sorted({float(v) for _, v in m})
            grid = mp.np.full((len(values), len(epochs)), mp.np.nan)
            ei = {e: i for i, e in enumerate(epochs)}
            vi = {v: i for i, v in enumerate(values)}
            for (e, v), d in m.items():
                grid[vi[float(v)], ei[int(e)]] = d["density"]
            # A square-root colour scale keeps the faint, spread-out clusters visible next to sharp ones.
            mesh = ax.pcolormesh(mp.np.array(epochs) + 1, values, grid, shading="nearest", cmap="magma",
                                 norm=PowerNorm(0.5))
            fig.colorbar(mesh, ax=ax, label="density of T")
            ax.set_xscale("log")
            ax.set_xlabel("epoch + 1")
            ax.set_ylabel("T = S + Z (%s, layer %d)" % (layer_label(cond, l, len(layers)), l + 1))
            ax.set_title("%s: density of the noisy output over epochs" % cond, fontsize=9)
        fig.tight_layout()
        mp.save(fig, mp.out_path(out, "density_%s.png" % cond))


def draw_planes(plane, out):
    conds = mp.distinct(plane, "condition")
    norm = mp.epoch_norm(max(int(r["epoch"]) for r in plane))
    fig, axes = mp.plt.subplots(1, len(conds), figsize=(4.2 * len(conds) + 1.0, 3.8), squeeze=False,
                                layout="constrained")
    for ax, cond in zip(axes[0], conds):
        rows = mp.where(plane, condition=cond)
        mp.draw_plane(ax, mp.plane_points(rows), cond, norm, unit=rows[0]["unit"])
    mp.epoch_colorbar(fig, axes, norm, shrink=0.8)
    mp.save(fig, mp.out_path(out, "planes.png"))


def draw_szt(szt, out):
    fig, axes = mp.plt.subplots(1, 2, figsize=(12, 4.4))
    layers = sorted({int(r["layer"]) for r in szt})
    colors = mp.plt.get_cmap("viridis")
    for l in layers:
        m = mp.mean_by(mp.where(szt, layer=l), ["epoch"], ["ixt", "h_t", "h_t_given_x"])
        ep = [int(k[0]) for k in m]
        c = colors(l / max(1, len(layers) - 1))
        axes[0].plot(ep, [v["ixt"] for v in m.values()], "-o", ms=2.5, color=c, label="T%d (mi)" % (l + 1))
        ref_e = [e for e in sorted(SMOOTHMI) if e <= max(ep)]
        axes[0].plot(ref_e, [SMOOTHMI[e][l] for e in ref_e], "s", ms=7, mfc="none", color=c)
        axes[1].plot(ep, [v["h_t"] for v in m.values()], "-", color=c, label="h(T%d)" % (l + 1))
        axes[1].plot(ep, [v["h_t_given_x"] for v in m.values()], "--", color=c)
    axes[0].plot([], [], "s", mfc="none", color="k", label="smoothMI saved run")
    r0 = szt[0]
    axes[0].set_title("SZT tanh, sigma 0.005: I(X;T_l), SP with N=%s, R=%s, M=%s" % (r0["draws"], r0["replicas"],
                                                                                    r0["mc_samples"]), fontsize=9)
    axes[0].set_ylabel("MI (nats)")
    axes[1].set_title("h(T_l) (solid) and h(T_l|X) (dashed)", fontsize=9)
    axes[1].set_ylabel("differential entropy (nats)")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    mp.save(fig, mp.out_path(out, "szt.png"))


def main(out):
    if os.path.isfile(mp.out_path(out, "plane.csv")):
        plane = mp.read_table(mp.out_path(out, "plane.csv"))
        draw_scalar_mi(plane, out)
        draw_planes(plane, out)
    if os.path.isfile(mp.out_path(out, "density.csv")):
        draw_density(mp.read_table(mp.out_path(out, "density.csv")), out)
    if os.path.isfile(mp.out_path(out, "szt.csv")):
        draw_szt(mp.read_table(mp.out_path(out, "szt.csv")), out)
    mp.draw_curves(mp.read_table(mp.out_path(out, "curves.csv")), "condition", mp.out_path(out, "curves.png"),
                   "noisy networks: learning curves")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
