#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Figures of minimal_model (Saxe et al. 2018 Fig. 2C/D and 13) from OUT/exact.csv, OUT/sampled.csv and
OUT/training.csv:
  fig2_output.png     binned I(T;X) = H(T) of h = f(w x) vs w, tanh (2C) and ReLU (2D): exact curves for both
                      bin rules, plug-in binning on N draws as markers (mean +- sd over seeds)
  fig13_net_input.png the same with the net input w x binned (Fig. 13): tanh and ReLU alike
  training.png        the three-neuron network (Fig. 2A) trained so that w grows: binned H(T) of the recorded
                      hidden unit against |w| (colour = epoch) on the exact curve, and |w|, H(T) over epochs

usage: minimal_model.py OUT
"""
import sys

import miplot as mp

RULE_LABEL = {"uniform30": "30 bins on [-1, 1]", "width0.07": "bins of width 0.07 (unbounded)"}
RULE_STYLE = {"uniform30": "-", "width0.07": "--"}
ACT_TITLE = {"tanh": "tanh", "relu": "ReLU"}


def draw_exact_panel(ax, exact, sampled, act, target, title):
    for i, rule in enumerate(mp.distinct(exact, "bins")):
        rows = mp.where(exact, activation=act, target=target, bins=rule)
        color = mp.plt.get_cmap("tab10")(i)
        ax.plot([mp.num(r["w"]) for r in rows], [mp.num(r["ixt"]) for r in rows], RULE_STYLE.get(rule, "-"),
                color=color, label="exact, %s" % RULE_LABEL.get(rule, rule))
        pts = mp.where(sampled, activation=act, target=target, bins=rule)
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


def figure_pair(exact, sampled, target, titles, path, suptitle):
    fig, axes = mp.plt.subplots(1, 2, figsize=(10, 4.2), layout="constrained")
    for ax, act in zip(axes, ["tanh", "relu"]):
        draw_exact_panel(ax, exact, sampled, act, target, titles[act])
    fig.suptitle(suptitle, fontsize=10)
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
        curve = mp.where(exact, activation=act, target="output", bins=rule)
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
    figure_pair(exact, sampled, "output", {"tanh": "C: tanh unit, h = tanh(w x) binned",
                                           "relu": "D: ReLU unit, h = max(0, w x) binned"},
                mp.out_path(out, "fig2_output.png"),
                "Saxe et al. Fig. 2C/D: minimal model, x ~ N(0,1), T = bin(f(w x))")
    figure_pair(exact, sampled, "net_input", {"tanh": "tanh unit, net input w x binned",
                                              "relu": "ReLU unit, net input w x binned"},
                mp.out_path(out, "fig13_net_input.png"),
                "Saxe et al. Fig. 13: binning the net input w x instead of f(w x)")
    if training:
        draw_training(exact, training, mp.out_path(out, "training.png"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
