#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Figures of task_relevant_inputs (Saxe et al. 2018 Fig. 6) from OUT/information.csv and OUT/curves.csv:
  information.png  Fig. 6 A-C: the hidden layer's exact I(T;X), I(T;X_rel) and I(T;X_irr) over epochs
                   (every seed thin, the mean thick)
  curves.png       train / test error, with I(T;X_rel) and I(T;X_irr) on one axis to show that the
                   compression of X_irr happens during the fitting

usage: task_relevant_inputs.py OUT
"""
import sys

import miplot as mp

PANELS = [("ixt", "A: I(T;X), the whole input"), ("ixt_relevant", "B: I(T;X_rel), task-relevant inputs"),
          ("ixt_irrelevant", "C: I(T;X_irr), task-irrelevant inputs")]


def epochs_and_values(rows, column):
    m = mp.mean_by(rows, ["epoch"], [column])
    pairs = sorted((int(k[0]) + 1, v[column]) for k, v in m.items())
    return [p[0] for p in pairs], [p[1] for p in pairs]


def draw_information(info, out):
    hidden = mp.where(info, layer=0)
    seeds = mp.distinct(hidden, "seed")
    unit = hidden[0]["unit"]
    fig, axes = mp.plt.subplots(1, 3, figsize=(14, 4.2), layout="constrained")
    for ax, (column, title) in zip(axes, PANELS):
        for seed in seeds:
            ep, v = epochs_and_values(mp.where(hidden, seed=seed), column)
            ax.plot(ep, v, color="0.6", lw=0.7)
        ep, v = epochs_and_values(hidden, column)
        ax.plot(ep, v, color="C3", lw=2.0, label="mean of %d seed%s" % (len(seeds), "" if len(seeds) == 1 else "s"))
        ax.set_xscale("log")
        ax.set_xlabel("epochs trained (epoch + 1)")
        ax.set_ylabel("%s [%s]" % (title.split(": ")[1].split(",")[0], unit))
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("linear network, hidden layer: exact MI with measurement noise", fontsize=10)
    mp.save(fig, mp.out_path(out, "information.png"))


def draw_curves(info, curves, out):
    fig, ax = mp.plt.subplots(figsize=(7, 4.4), layout="constrained")
    ep, train = epochs_and_values(mp.where(curves, layer=0), "train_loss")
    _, test = epochs_and_values(mp.where(curves, layer=0), "test_loss")
    ax.plot(ep, train, color="k", label="train MSE")
    ax.plot(ep, test, color="k", ls="--", label="test MSE")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("epochs trained (epoch + 1)")
    ax.set_ylabel("mean squared error")
    ax.grid(alpha=0.3)
    right = ax.twinx()
    hidden = mp.where(info, layer=0)
    for column, color, label in [("ixt_relevant", "C0", "I(T;X_rel)"), ("ixt_irrelevant", "C3", "I(T;X_irr)")]:
        e, v = epochs_and_values(hidden, column)
        right.plot(e, v, color=color, label=label)
    right.set_ylabel("hidden layer MI [%s]" % hidden[0]["unit"])
    lines = ax.get_legend_handles_labels()
    more = right.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], fontsize=8, loc="center left")
    ax.set_title("fitting (error falls) and compression of X_irr happen together (mean over seeds)", fontsize=9)
    mp.save(fig, mp.out_path(out, "curves.png"))


def main(out):
    info = mp.read_table(mp.out_path(out, "information.csv"))
    curves = mp.read_table(mp.out_path(out, "curves.csv"))
    draw_information(info, out)
    draw_curves(info, curves, out)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
