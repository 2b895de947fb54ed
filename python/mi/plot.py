# SPDX-License-Identifier: BSD-3-Clause
"""Information-plane figures from mi.information_plane's DataFrame (or a CSV read with
pandas.read_csv(path, comment='#')), drawn as the reproduction figures of examples/plot/ draw them
(Shwartz-Ziv & Tishby 2017, Saxe et al. 2018 Fig. 1): I(X;T) horizontal, I(T;Y) vertical, one dot per
(epoch, layer) coloured by epoch on a log scale, each layer's course over the epochs a thin line, each
layer's last point outlined and named (T1, T2, ..., "out" for the last recorded layer), one panel per
estimator (estimator + parameters), one shared epoch colour bar.

Agg-safe: figures are matplotlib.figure.Figure objects with an Agg canvas, created without pyplot, so
importing or calling this module never changes the pyplot backend or needs a display.
"""
import os

import numpy as np


def _layer_name(layer, layers):
    return "T%d" % (layers.index(layer) + 1) if layer != layers[-1] else "out"


def _short(estimator, parameters, width=60):
    keep = [p for p in str(parameters).split(";") if p and not p.startswith(("correction=", "range=", "ties=", "search="))]
    text = str(estimator) + (": " + ", ".join(keep) if keep else "")
    return text if len(text) <= width else text[:width - 3] + "..."


def panels(df):
    """The (estimator, parameters) pairs of df, in order of first appearance."""
    seen = []
    for key in zip(df["estimator"], df["parameters"].fillna("") if hasattr(df["parameters"], "fillna")
                   else df["parameters"]):
        if key not in seen:
            seen.append(key)
    return seen


def draw(ax, df, norm, cmap="viridis", title=None, last_layer_is_output=True):
    """Draws one estimator's plane (rows of one (estimator, parameters)) into `ax`; points averaged over any
    other rows sharing (epoch, layer), e.g. seeds."""
    import matplotlib

    cm = matplotlib.colormaps[cmap] if isinstance(cmap, str) else cmap
    g = df.groupby(["layer", "epoch"], sort=True)[["ixt", "ity"]].mean().reset_index()
    layers = sorted(int(l) for l in g["layer"].unique())
    for l in layers:
        rows = g[g["layer"] == l].sort_values("epoch")
        x, y, e = rows["ixt"].to_numpy(float), rows["ity"].to_numpy(float), rows["epoch"].to_numpy(int)
        ax.plot(x, y, "-", color="0.55", lw=0.6, alpha=0.7, zorder=1)
        ax.scatter(x, y, s=16, c=cm(norm(e + 1)), edgecolors="none", zorder=2)
        ok = np.isfinite(x) & np.isfinite(y)
        if ok.any():
            i = np.flatnonzero(ok)[-1]
            ax.scatter([x[i]], [y[i]], s=44, facecolors="none", edgecolors="k", lw=0.8, zorder=3)
            name = _layer_name(l, layers) if last_layer_is_output else "T%d" % (layers.index(l) + 1)
            ax.annotate(name, (x[i], y[i]), fontsize=7, xytext=(3, -9), textcoords="offset points")
    quantity = str(df["ixt_quantity"].iloc[0]) if "ixt_quantity" in df and len(df) else "I(X;T)"
    unit = str(df["unit"].iloc[0]) if "unit" in df and len(df) else "bits"
    ax.set_xlabel("%s [%s]" % (quantity, unit))
    ax.set_ylabel("I(T;Y) [%s]" % unit)
    if title:
        ax.set_title(title, fontsize=8)
    ax.grid(alpha=0.3)


def plane(df, estimators=None, cols=None, panel_size=(4.6, 3.8), cmap="viridis", title=None,
          last_layer_is_output=True):
    """A Figure with one information-plane panel per (estimator, parameters) of `df` (mi.information_plane's
    DataFrame, or any frame with its columns; extra rows sharing (estimator, parameters, epoch, layer), e.g.
    several seeds, are averaged). `estimators`: a list of estimator names or (estimator, parameters) pairs to
    keep, in panel order. Save it with fig.savefig(path) or mi.plot.save(fig, path)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import LogNorm
    from matplotlib.figure import Figure
    import matplotlib

    if len(df) == 0:
        raise ValueError("mi.plot.plane: the DataFrame has no rows")
    for c in ("estimator", "parameters", "epoch", "layer", "ixt", "ity"):
        if c not in df:
            raise ValueError("mi.plot.plane: the DataFrame has no column %r (mi.information_plane's columns)" % c)
    df = df.copy()
    df["parameters"] = df["parameters"].fillna("").astype(str)
    keys = panels(df)
    if estimators is not None:
        wanted = []
        for e in estimators:
            match = [k for k in keys if (k == tuple(e) if isinstance(e, (tuple, list)) else k[0] == e)]
            if not match:
                raise ValueError("mi.plot.plane: no rows for estimator %r (present: %s)"
                                 % (e, ", ".join(k[0] for k in keys)))
            wanted += [k for k in match if k not in wanted]
        keys = wanted
    n = len(keys)
    cols = cols or min(n, 3)
    rows = (n + cols - 1) // cols
    fig = Figure(figsize=(panel_size[0] * cols + 1.0, panel_size[1] * rows), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, cols, squeeze=False)
    max_epoch = int(df["epoch"].max())
    norm = LogNorm(vmin=1, vmax=max(max_epoch, 2) + 1)
    for i, (est, params) in enumerate(keys):
        ax = axes[i // cols][i % cols]
        sub = df[(df["estimator"] == est) & (df["parameters"] == params)]
        draw(ax, sub, norm, cmap=cmap, title=_short(est, params), last_layer_is_output=last_layer_is_output)
    for j in range(n, rows * cols):
        axes[j // cols][j % cols].set_visible(False)
    cm = matplotlib.colormaps[cmap] if isinstance(cmap, str) else cmap
    sm = matplotlib.cm.ScalarMappable(norm=norm, cmap=cm)
    fig.colorbar(sm, ax=axes.ravel().tolist(), label="epochs trained (epoch + 1)")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def save(fig, path, dpi=110):
    """Saves the figure atomically: a temporary file in the same directory, then os.replace."""
    d, base = os.path.split(os.path.abspath(path))
    tmp = os.path.join(d, ".%s.tmp-%d" % (base, os.getpid()))
    try:
        fig.savefig(tmp, dpi=dpi, format=os.path.splitext(path)[1][1:].lower() or "png")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return path


def close(fig):
    """Releases a figure from plane() (no pyplot state is held; kept for symmetry with pyplot use)."""
    fig.clear()
