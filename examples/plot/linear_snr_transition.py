#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Figure of linear_snr_transition (Saxe et al. 2018 Fig. 21) from OUT/curves.csv and OUT/plane.csv:
  snr_transition.png  Fig. 21 layout: columns SGD (minibatch size 1) / BGD; row 1 the train and test loss
                      (Fig. 21A/B), row 2 the gradient SNR of each layer and the weight norms (Fig. 21C/D),
                      row 3 the exact I(X;T) of the hidden neuron and of the output. Thin lines: seeds;
                      thick: their mean.

usage: linear_snr_transition.py OUT
"""
import sys

import miplot as mp

TRAINING = {"sgd": "SGD (minibatch size 1)", "gd": "BGD (SNR over all training samples)"}


def mean_course(rows, column):
    m = mp.mean_by(rows, ["epoch"], [column])
    return [int(k[0]) + 1 for k in m], [v[column] for v in m.values()]


def main(out):
    curves = mp.read_table(mp.out_path(out, "curves.csv"))
    plane = mp.read_table(mp.out_path(out, "plane.csv"))
    trainings = mp.distinct(curves, "training")
    fig, axes = mp.plt.subplots(3, len(trainings), figsize=(5.6 * len(trainings), 10.5), squeeze=False,
                                layout="constrained")
    for c, tr in enumerate(trainings):
        rows = mp.where(curves, training=tr)
        seeds = mp.distinct(rows, "seed")
        ax = axes[0][c]
        for column, color in (("train_loss", "tab:blue"), ("test_loss", "tab:red")):
            for s in seeds[:10]:
                ep, v = mean_course(mp.where(rows, seed=s, layer=0), column)
                ax.plot(ep, v, color=color, lw=0.4, alpha=0.3)
            ep, v = mean_course(mp.where(rows, layer=0), column)
            ax.plot(ep, v, color=color, lw=2, label=column.replace("_", " "))
        ax.set_yscale("log")
        ax.set_ylabel("mean squared error")
        ax.set_title("%s: loss (%d seeds)" % (TRAINING.get(tr, tr), len(seeds)), fontsize=9)
        ax = axes[1][c]
        twin = ax.twinx()
        for layer, color in ((0, "tab:purple"), (1, "tab:orange")):
            ep, v = mean_course(mp.where(rows, layer=layer), "snr")
            ax.plot(ep, v, color=color, lw=2, label="SNR w%d" % (layer + 1))
            ep, v = mean_course(mp.where(rows, layer=layer), "weight_norm")
            twin.plot(ep, v, color=color, lw=1.2, ls="--", label="|w%d|" % (layer + 1))
        ax.set_yscale("log")
        ax.set_ylabel("gradient SNR |mean| / std (solid)")
        twin.set_ylabel("weight norm (dashed)")
        ax.set_title("gradient SNR and weight norm", fontsize=9)
        ax.legend(fontsize=7, loc="lower left")
        twin.legend(fontsize=7, loc="center left")
        ax = axes[2][c]
        prow = mp.where(plane, training=tr)
        for layer, name in ((0, "hidden neuron"), (1, "output")):
            ep, v = mean_course(mp.where(prow, layer=layer), "ixt")
            ax.plot(ep, v, lw=2, label="I(X;T) %s" % name)
        ax.set_ylabel("I(X;T) [bits] (exact, sigma_MI^2 = 1)")
        ax.set_title("no compression: I(X;T) follows |w1|", fontsize=9)
        ax.legend(fontsize=7)
        for r in range(3):
            axes[r][c].set_xscale("log")
            axes[r][c].set_xlabel("epochs trained (epoch + 1)")
            axes[r][c].grid(alpha=0.3)
        axes[0][c].legend(fontsize=7)
    fig.suptitle("Saxe et al. Fig. 21: 1-1-1 linear network, SNR transition without compression", fontsize=10)
    mp.save(fig, mp.out_path(out, "snr_transition.png"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
