# SPDX-License-Identifier: BSD-3-Clause
"""Shared drawing code of the reproduction figures. Reads only the tidy CSV
tables the programs write (mi::write_csv's plane columns behind the program's
identifying columns, and curves.csv); needs python3-numpy and
python3-matplotlib (Debian).

The information plane is drawn as in Shwartz-Ziv & Tishby 2017 and Saxe et
al. 2018 Fig. 1: one dot per (epoch, layer) at (I(X;T), I(T;Y)), coloured by
epoch on a log scale, the layers of one epoch joined by a thin line of the
same colour, each layer's last point outlined.
"""
import csv
import math
import os
from collections import OrderedDict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402,F401  (re-exported for the figure scripts)
import numpy as np  # noqa: E402
from matplotlib.colors import LogNorm  # noqa: E402


def read_table(path):
    """The rows of a CSV written by the programs, as dicts ('#' lines skipped)."""
    with open(path, newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    return list(csv.DictReader(lines))


def num(s):
    return float(s) if s not in ("", None) else math.nan


def where(rows, **equal):
    return [r for r in rows if all(r[k] == str(v) for k, v in equal.items())]


def distinct(rows, key):
    return list(OrderedDict.fromkeys(r[key] for r in rows))


def mean_by(rows, keys, values):
    """{tuple of key cells: {value column: mean over rows, ignoring empty cells}} (e.g. over seeds)."""
    groups = OrderedDict()
    for r in rows:
        groups.setdefault(tuple(r[k] for k in keys), []).append(r)
    out = OrderedDict()
    for k, rs in groups.items():
        out[k] = {}
        for v in values:
            xs = [num(r[v]) for r in rs if r[v] != ""]
            out[k][v] = float(np.mean(xs)) if xs else math.nan
    return out


def plane_points(rows):
    """{(epoch, layer): (ixt, ity)} from plane rows of one run or several seeds (averaged)."""
    m = mean_by(rows, ["epoch", "layer"], ["ixt", "ity"])
    return {(int(e), int(l)): (v["ixt"], v["ity"]) for (e, l), v in m.items()}


def epoch_norm(max_epoch):
    return LogNorm(vmin=1, vmax=max(max_epoch, 2) + 1)


def layer_name(layer, n_layers):
    return "T%d" % (layer + 1) if layer + 1 < n_layers else "out"


def draw_plane(ax, pts, title, norm, cmap=None, xlabel="I(X;T)", unit="bits", ylabel="I(T;Y)"):
    cmap = cmap or plt.get_cmap("viridis")
    epochs = sorted({e for e, _ in pts})
    layers = sorted({l for _, l in pts})
    for e in epochs:
        xs = [pts[(e, l)][0] for l in layers if (e, l) in pts]
        ys = [pts[(e, l)][1] for l in layers if (e, l) in pts]
        c = cmap(norm(e + 1))
        ax.plot(xs, ys, "-", color=c, lw=0.5, alpha=0.6, zorder=1)
        ax.scatter(xs, ys, s=14, color=[c], edgecolors="none", zorder=2)
    if epochs:
        last = epochs[-1]
        for l in layers:
            if (last, l) in pts:
                x, y = pts[(last, l)]
                ax.scatter([x], [y], s=40, facecolors="none", edgecolors="k", lw=0.8, zorder=3)
                ax.annotate(layer_name(l, len(layers)), (x, y), fontsize=7, xytext=(3, -9),
                            textcoords="offset points")
    ax.set_xlabel("%s [%s]" % (xlabel, unit))
    ax.set_ylabel("%s [%s]" % (ylabel, unit))
    ax.set_title(title, fontsize=8)
    ax.grid(alpha=0.3)


def draw_course(ax, rows, column, title, ylabel, unit="bits"):
    """One line per layer: the mean over seeds of `column` against epochs trained (log scale), as
    Saxe et al. Fig. 12 draws the Kozachenko-Leonenko entropy H(T)."""
    m = mean_by(rows, ["layer", "epoch"], [column])
    layers = sorted({int(l) for l, _ in m})
    cmap = plt.get_cmap("tab10")
    for i, l in enumerate(layers):
        pts = sorted((int(e) + 1, v[column]) for (ll, e), v in m.items() if int(ll) == l)
        ax.plot([p[0] for p in pts], [p[1] for p in pts], "-", color=cmap(i % 10), lw=1,
                label=layer_name(l, len(layers)))
    ax.set_xscale("log")
    ax.set_xlabel("epochs trained (epoch + 1)")
    ax.set_ylabel("%s [%s]" % (ylabel, unit))
    ax.set_title(title, fontsize=8)
    ax.legend(fontsize=6, ncol=2)
    ax.grid(alpha=0.3)


def epoch_colorbar(fig, axes, norm, cmap=None, **kw):
    sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap or plt.get_cmap("viridis"))
    fig.colorbar(sm, ax=axes, label="epochs trained (epoch + 1)", **kw)


def short_label(estimator, parameters, width=60):
    keep = [p for p in parameters.split(";") if not p.startswith(("correction=", "range=", "ties=", "search="))]
    text = estimator + ": " + ", ".join(keep)
    return text if len(text) <= width else text[:width - 3] + "..."


def draw_curves(rows, run_key, path, title=""):
    """Loss, accuracy, gradient SNR and weight norm per layer over epochs, one colour per run_key value
    (mean over seeds)."""
    fig, axes = plt.subplots(2, 2, figsize=(10, 7))
    colors = plt.get_cmap("tab10")
    for i, run in enumerate(distinct(rows, run_key)):
        rr = where(rows, **{run_key: run})
        first = where(rr, layer=0)
        m = mean_by(first, ["epoch"], ["train_loss", "test_loss", "train_accuracy", "test_accuracy"])
        ep = np.array([int(k[0]) for k in m]) + 1
        for ax, key in [(axes[0][0], "loss"), (axes[0][1], "accuracy")]:
            ax.plot(ep, [v["train_" + key] for v in m.values()], color=colors(i), label="%s train" % run)
            ax.plot(ep, [v["test_" + key] for v in m.values()], color=colors(i), ls="--", label="%s test" % run)
        layers = sorted({int(r["layer"]) for r in rr})
        for l in layers:
            ml = mean_by(where(rr, layer=l), ["epoch"], ["snr", "weight_norm"])
            e2 = np.array([int(k[0]) for k in ml]) + 1
            shade = 0.35 + 0.65 * (l + 1) / len(layers)
            label = "%s W%d" % (run, l + 1) if l in (0, layers[-1]) else None
            axes[1][0].plot(e2, [v["snr"] for v in ml.values()], color=colors(i), alpha=shade, lw=0.8, label=label)
            axes[1][1].plot(e2, [v["weight_norm"] for v in ml.values()], color=colors(i), alpha=shade, lw=0.8,
                            label=label)
    for ax, t, ylab in [(axes[0][0], "loss", "loss [nats]"), (axes[0][1], "accuracy", "accuracy"),
                        (axes[1][0], "gradient SNR ||mean|| / ||std|| per layer", "SNR"),
                        (axes[1][1], "weight norm per layer", "||W||_F")]:
        ax.set_xscale("log")
        ax.set_xlabel("epoch + 1")
        ax.set_ylabel(ylab)
        ax.set_title(t, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    axes[0][0].set_yscale("log")
    axes[1][0].set_yscale("log")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    save(fig, path)


def save(fig, path, dpi=110):
    """Saves the figure atomically (a temporary file in the same directory, then os.replace), so that a
    failure or a kill while drawing leaves the previous figure intact, never a truncated PNG."""
    replace_atomically(path, lambda tmp: fig.savefig(tmp, dpi=dpi, format=os.path.splitext(path)[1][1:] or "png"))
    plt.close(fig)
    print(path)


def replace_atomically(path, write):
    """Calls write(tmp) with a temporary name in path's directory, then renames it to path; on an exception the
    temporary file is removed and path is left as it was."""
    import tempfile
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + ".tmp.", dir=directory)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def out_path(out_dir, name):
    os.makedirs(out_dir, exist_ok=True)
    return os.path.join(out_dir, name)


def draw_gradient_snr(rows, run_key, path, title="", recorded_only=True):
    """Saxe et al. 2018 App. I / Shwartz-Ziv & Tishby 2017 Fig. 4: per run_key value (one column), the norm of
    the mean (solid) and of the standard deviation (dashed) of the epoch's mini-batch gradients of every layer's
    weights, and their ratio (SNR), over epochs on log-log axes (mean over seeds). Reads curves.csv rows; by
    default only the recorded epochs (where ibsgd's loggingreporter computes the statistics)."""
    runs = distinct(rows, run_key)
    fig, axes = plt.subplots(2, len(runs), figsize=(5.0 * len(runs), 7.5), squeeze=False)
    for c, run in enumerate(runs):
        rr = [r for r in where(rows, **{run_key: run})
              if r["snr"] != "" and (not recorded_only or r["recorded"] == "1")]
        layers = sorted({int(r["layer"]) for r in rr})
        colors = plt.get_cmap("viridis")
        for l in layers:
            m = mean_by(where(rr, layer=l), ["epoch"], ["grad_mean_norm", "grad_std_norm", "snr"])
            ep = np.array([int(k[0]) for k in m]) + 1
            color = colors(l / max(len(layers) - 1, 1))
            name = "W%d" % (l + 1) if l + 1 < len(layers) else "W%d (out)" % (l + 1)
            axes[0][c].plot(ep, [v["grad_mean_norm"] for v in m.values()], color=color, lw=1.0, label=name + " mean")
            axes[0][c].plot(ep, [v["grad_std_norm"] for v in m.values()], color=color, lw=1.0, ls="--",
                            label=name + " std")
            axes[1][c].plot(ep, [v["snr"] for v in m.values()], color=color, lw=1.0, label=name)
        axes[0][c].set_title("%s: ||mean|| (solid), ||std|| (dashed) of the gradients" % run, fontsize=9)
        axes[1][c].set_title("%s: SNR = ||mean|| / ||std||" % run, fontsize=9)
        axes[0][c].set_ylabel("gradient norm")
        axes[1][c].set_ylabel("SNR")
        for ax in (axes[0][c], axes[1][c]):
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("epoch + 1")
            ax.grid(alpha=0.3)
        axes[0][c].legend(fontsize=6, ncol=2)
        axes[1][c].legend(fontsize=7)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    save(fig, path)
