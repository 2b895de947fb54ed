#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Figures of minimal_model (Saxe et al. 2018 Fig. 2C/D and 13) from OUT/exact.csv, OUT/sampled.csv and
OUT/training.csv:
  fig2_output.png     binned I(T;X) = H(T) of h = f(w x) vs w, tanh (2C) and ReLU (2D): exact curves for
                      30 bins on [-1, 1] and bins of width 0.07, plug-in binning on N draws as markers
                      (mean +- sd over seeds)
  fig13_tanh_edges.png the tanh unit with edges tanh(linspace(-50, 50, N)) (Fig. 13: keeps rising) beside the
                      30 bins on [-1, 1] of Fig. 2C
  training.png        the three-neuron network (Fig. 2A) trained so that w grows: binned H(T) of the recorded
                      hidden unit against |w| (colour = epoch) on the exact curve, and |w|, H(T) over epochs

usage: minimal_model.py OUT
"""
import sys

import miplot as mp

RULE_LABEL = {"uniform30": "30 bins on [-1, 1]", "width0.07": "bins of width 0.07 (unbounded)",
              "tanh_linspace50": "edges tanh(linspace(-50, 50, N))"}
RULE_STYLE = {"uniform30": "-", "width0.07": "--", "tanh_linspace50": "-."}
RULE_COLOR = {"uniform30": 0, "width0.07": 1, "tanh_linspace50": 2}
ACT_TITLE = {"tanh": "tanh", "relu": "ReLU"}


def draw_exact_panel(ax, exact, sampled, act, rules, title):
    for rule in rules:
        rows = mp.where(exact, activation=act, bins=rule)
        if not rows:
            continue
        color = mp.plt.get_cmap("tab10")(RULE_COLOR.get(rule, 3))
        ax.plot([mp.num(r["w"]) for r in rows], [mp.num(r["ixt"]) for r in rows], RULE_STYLE.get(rule, "-"),
                color=color, label="exact, %s" % RULE_LABEL.get(rule, rule))
        pts = mp.where(sampled, activation=act, bins=rule)
        if not pts:
            continue
        ws = sorted({mp.num(r["w"]) for r in pts})
        means = [mp.np.mean([mp.num(r["ixt_sampled"]) for r in pts if mp.num(r["w"]) == w]) for w in ws]
        sds = [mp.np.std([mp.num(r["ixt_sampled"]) for r in pts if mp.num(r["w"]) == w]) for w in ws]
        ax.errorbar(ws, means, yerr=sds, fmt="o", ms=4, color=color, mfc="none",
                    label="binning on %s draws (%d seeds)" % (pts[0]["n"], len(mp.distinct(pts, "seed"))))
    ax.set_xlabel("weight w")
    ax.set_ylabel("I(T;X) = H(T) [bits]")
    ax.set_title(title, fontsize=10)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)


def figure_pair(exact, sampled, titles, path, suptitle):
    fig, axes = mp.plt.subplots(1, 2, figsize=(10, 4.2), layout="constrained")
    for ax, act in zip(axes, ["tanh", "relu"]):
        draw_exact_panel(ax, exact, sampled, act, ["uniform30", "width0.07"], titles[act])
    fig.suptitle(suptitle, fontsize=10)
    mp.save(fig, path)


def figure_13(exact, sampled, path):
    fig, ax = mp.plt.subplots(1, 1, figsize=(5.5, 4.2), layout="constrained")
    draw_exact_panel(ax, exact, sampled, "tanh", ["tanh_linspace50", "uniform30"],
                     "h = tanh(w x): edges tanh(linspace(-50, 50, N)) vs 30 bins on [-1, 1]")
    fig.suptitle("Saxe et al. Fig. 13: net-input bins on [-50, 50] mapped through tanh", fontsize=10)
    mp.save(fig, path)


def draw_training(exact, training, path):
    runs = [(a, b) for a in mp.distinct(training, "activation") for b in mp.distinct(training, "bins")]
    fig, axes = mp.plt.subplots(2, len(runs), figsize=(4.2 * len(runs), 7), layout="constrained", squeeze=False)
    max_epoch = max(int(r["epoch"]) for r in training)
    norm = mp.epoch_norm(max_epoch)
    cmap = mp.plt.get_cmap("viridis")
    for c, (act, rule) in enumerate(runs):
        rows = mp.where(training, activation=act, bins=rule)
        m = mp.mean_by(rows, ["epoch"], ["w", "ixt_exact", "ixt_binned"])
        epochs = [int(k[0]) for k in m]
        w = [v["w"] for v in m.values()]
        ax = axes[0][c]
        curve = mp.where(exact, activation=act, bins=rule)
        w_top = max(w) * 1.15
        cw = [mp.num(r["w"]) for r in curve if mp.num(r["w"]) <= w_top]
        ax.plot(cw, [mp.num(r["ixt"]) for r in curve if mp.num(r["w"]) <= w_top], "-", color="0.5", lw=1.2,
                label="exact H(T) vs w (Fig. 2)")
        ax.scatter(w, [v["ixt_binned"] for v in m.values()], c=[cmap(norm(e + 1)) for e in epochs], s=8,
                   label="binned, recorded unit (training)")
        ax.set_xlabel("|w| along training")
        ax.set_ylabel("I(T;X) = H(T) [bits]")
        ax.set_title("%s, %s\n(%d seeds)" % (ACT_TITLE.get(act, act), RULE_LABEL.get(rule, rule),
                                             len(mp.distinct(rows, "seed"))), fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
        ax2 = axes[1][c]
        ep = mp.np.array(epochs) + 1
        ax2.plot(ep, [v["ixt_exact"] for v in m.values()], color="0.3", label="H(T) exact at the trained w")
        ax2.plot(ep, [v["ixt_binned"] for v in m.values()], color="tab:orange", ls="--", label="H(T) binned")
        ax2.set_xscale("log")
        ax2.set_xlabel("epoch + 1")
        ax2.set_ylabel("H(T) [bits]")
        ax2.grid(alpha=0.3)
        twin = ax2.twinx()
        twin.plot(ep, w, color="tab:blue", lw=0.8, label="|w|")
        twin.set_ylabel("|w|", color="tab:blue")
        lines = ax2.get_legend_handles_labels()
        more = twin.get_legend_handles_labels()
        ax2.legend(lines[0] + more[0], lines[1] + more[1], fontsize=7, loc="lower right")
    mp.epoch_colorbar(fig, axes[0].tolist(), norm, shrink=0.8)
    fig.suptitle("three-neuron network x -> h = f(w x) -> v h (Saxe et al. Fig. 2A), trained on y = f(8 x)",
                 fontsize=10)
    mp.save(fig, path)


def main(out):
    exact = mp.read_table(mp.out_path(out, "exact.csv"))
    sampled = mp.read_table(mp.out_path(out, "sampled.csv"))
    training = mp.read_table(mp.out_path(out, "training.csv"))
    figure_pair(exact, sampled, {"tanh": "C: tanh unit, h = tanh(w x) binned",
                                 "relu": "D: ReLU unit, h = max(0, w x) binned"},
                mp.out_path(out, "fig2_output.png"),
                "Saxe et al. Fig. 2C/D: minimal model, x ~ N(0,1), T = bin(f(w x))")
    figure_13(exact, sampled, mp.out_path(out, "fig13_tanh_edges.png"))
    if training:
        draw_training(exact, training, mp.out_path(out, "training.png"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
