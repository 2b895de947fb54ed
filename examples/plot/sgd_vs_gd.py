#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Figures of sgd_vs_gd (Saxe et al. 2018 Fig. 5 and 19) from OUT/plane.csv, OUT/curves.csv,
OUT/linear_plane.csv and OUT/linear_curves.csv:
  planes_binning.png  Fig. 5: rows tanh / ReLU, columns SGD (single examples) / BGD, binning as in Fig. 1 (30 IDNNs bins for
                      tanh, 100 bins over the recorded range for ReLU)
  planes_kde.png      the same runs with the KDE upper bound
  planes_linear.png   Fig. 19: linear network in the setting of Fig. 4, SGD / BGD, exact MI
  curves.png          SZT learning curves, weight norms, gradient SNR
  linear_curves.png   deep linear train / test error and exact I(X;T) per layer over epochs
(mean over seeds).

usage: sgd_vs_gd.py OUT
"""
import sys

import miplot as mp

TRAINING = {"sgd": "SGD (single examples)", "gd": "BGD (full batch)"}


def panel_binning(act):
    return "quantizer=uniform;convention=idnns" if act == "tanh" else "quantizer=global_uniform;bins=100"


def draw_szt(plane, out, name, pick):
    acts = mp.distinct(plane, "activation")
    trainings = mp.distinct(plane, "training")
    norm = mp.epoch_norm(max(int(r["epoch"]) for r in plane))
    fig, axes = mp.plt.subplots(len(acts), len(trainings), figsize=(4.8 * len(trainings) + 1.2, 4.0 * len(acts)),
                                squeeze=False, layout="constrained")
    for r, act in enumerate(acts):
        for c, tr in enumerate(trainings):
            rows = [x for x in mp.where(plane, activation=act, training=tr) if pick(act, x)]
            if not rows:
                axes[r][c].axis("off")
                continue
            seeds = len(mp.distinct(rows, "seed"))
            title = "%s, %s (%d seed%s)\n%s" % (act, TRAINING.get(tr, tr), seeds, "" if seeds == 1 else "s",
                                                mp.short_label(rows[0]["estimator"], rows[0]["parameters"]))
            mp.draw_plane(axes[r][c], mp.plane_points(rows), title, norm, unit=rows[0]["unit"])
            axes[r][c].set_xlim(-0.3, 12.5)
            axes[r][c].set_ylim(-0.03, 1.05)
    mp.epoch_colorbar(fig, axes, norm, shrink=0.6)
    mp.save(fig, mp.out_path(out, name))


def draw_linear(plane, out):
    trainings = mp.distinct(plane, "training")
    norm = mp.epoch_norm(max(int(r["epoch"]) for r in plane))
    fig, axes = mp.plt.subplots(1, len(trainings), figsize=(4.8 * len(trainings) + 1.2, 4.2), squeeze=False,
                                layout="constrained")
    for c, tr in enumerate(trainings):
        rows = mp.where(plane, training=tr)
        seeds = len(mp.distinct(rows, "seed"))
        title = "linear (Fig. 4 setting), %s (%d seed%s)\nexact: %s" % (TRAINING.get(tr, tr), seeds, "" if seeds == 1 else "s",
                                                           rows[0]["parameters"])
        mp.draw_plane(axes[0][c], mp.plane_points(rows), title, norm, unit=rows[0]["unit"])
    mp.epoch_colorbar(fig, axes, norm, shrink=0.8)
    mp.save(fig, mp.out_path(out, "planes_linear.png"))


def draw_linear_curves(plane, curves, out):
    fig, axes = mp.plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    colors = mp.plt.get_cmap("tab10")
    for i, tr in enumerate(mp.distinct(curves, "training")):
        m = mp.mean_by(mp.where(curves, training=tr, layer=0), ["epoch"], ["train_loss", "test_loss"])
        ep = [int(k[0]) + 1 for k in m]
        axes[0].plot(ep, [v["train_loss"] for v in m.values()], color=colors(i), label="%s train" % tr)
        axes[0].plot(ep, [v["test_loss"] for v in m.values()], color=colors(i), ls="--", label="%s test" % tr)
        rows = mp.where(plane, training=tr)
        layers = sorted({int(r["layer"]) for r in rows})
        for l in layers:
            ml = mp.mean_by(mp.where(rows, layer=l), ["epoch"], ["ixt"])
            shade = 0.35 + 0.65 * (l + 1) / len(layers)
            axes[1].plot([int(k[0]) + 1 for k in ml], [v["ixt"] for v in ml.values()], color=colors(i), alpha=shade,
                         label="%s %s" % (tr, mp.layer_name(l, len(layers))))
    axes[0].set_yscale("log")
    axes[0].set_ylabel("mean squared error")
    axes[0].set_title("linear network (Fig. 4 setting): train / test error", fontsize=10)
    axes[1].set_ylabel("I(X;T) [bits] (exact)")
    axes[1].set_title("I(X;T) per layer: no compression under SGD or GD", fontsize=10)
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("epochs trained (epoch + 1)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    mp.save(fig, mp.out_path(out, "linear_curves.png"))


def main(out):
    plane = mp.read_table(mp.out_path(out, "plane.csv"))
    curves = mp.read_table(mp.out_path(out, "curves.csv"))
    draw_szt(plane, out, "planes_binning.png",
             lambda act, r: r["estimator"] == "binning" and r["parameters"].startswith(panel_binning(act)))
    draw_szt(plane, out, "planes_kde.png", lambda act, r: r["estimator"] == "kde")
    for r in curves:
        r["run"] = "%s %s" % (r["activation"], r["training"])
    mp.draw_curves(curves, "run", mp.out_path(out, "curves.png"),
                   "SZT 12-10-7-5-4-3-2, Adam 4e-4: single examples (sgd) vs full batch (gd)")
    linear_plane = mp.read_table(mp.out_path(out, "linear_plane.csv"))
    linear_curves = mp.read_table(mp.out_path(out, "linear_curves.csv"))
    draw_linear(linear_plane, out)
    draw_linear_curves(linear_plane, linear_curves, out)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
