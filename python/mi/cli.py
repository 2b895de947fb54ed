# SPDX-License-Identifier: BSD-3-Clause
"""mi-plane: the information plane of a saved-activation directory, as a CSV (and optionally a PNG).

    mi-plane DIR --estimator kde:variance=1e-3 --estimator binning:idnns=30 -o plane.csv [--plot plane.png]
    python3 -m mi.cli DIR ...
"""
import argparse
import os
import sys

ESTIMATOR_GRAMMAR = """\
estimator specs (--estimator, repeatable): FAMILY[:KEY=VALUE[,KEY=VALUE...]]
  binning:idnns=30[,lo=-1,hi=1]     IDNNs' uniform bins: 30 edges on [lo, hi] (default [-1, 1])
  binning:uniform=30,lo=-1,hi=1     30 equal bins on [lo, hi]
  binning:adaptive=30               30 equal bins on each layer's [min, max]
  binning:global=100                100 equal bins on the layer's range over all epochs
  binning:fixed_width=0.07          bins of width 0.07
  kde:variance=1e-3                 Kolchinsky-Tracey KDE bounds, noise variance 1e-3
  kde:adaptive=1e-3                 KDE with noise variance 1e-3 scaled to each layer
  kl:k=2                            Kozachenko-Leonenko entropy H(T), k neighbours
  ksg:k=3                           Kraskov-Stoegbauer-Grassberger (needs x.npy)
  renyi:alpha=1.01                  matrix-based Renyi alpha-entropy MI (needs x.npy)
  sp:sigma=0.1,mc=10                sample propagation for noisy networks (needs replicas.npy)
  decision_rule                     plug-in MI of the network's decision (argmax of the layer)
  edge:epsilon=0.07                 EDGE hashing estimator
Other KEY=VALUE pairs are passed to the estimator's Python constructor as keyword arguments
(numbers, true/false, or text), e.g. binning:idnns=30,correction=miller_madow.
"""


class UsageError(Exception):
    """Malformed command-line input (exit code 2)."""


def _value(text):
    t = text.strip()
    low = t.lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        return int(t)
    except ValueError:
        pass
    try:
        return float(t)
    except ValueError:
        return t


def parse_spec(spec):
    """'family:k=v,k=v' -> (family, {k: value}) with values parsed as int/float/bool/str."""
    family, _, rest = spec.partition(":")
    family = family.strip()
    if not family:
        raise UsageError("estimator spec %r: missing family (see --help)" % spec)
    params = {}
    if rest.strip():
        for part in rest.split(","):
            key, eq, val = part.partition("=")
            key = key.strip()
            if not eq or not key or not val.strip():
                raise UsageError("estimator spec %r: %r is not KEY=VALUE" % (spec, part))
            if key in params:
                raise UsageError("estimator spec %r: %s given twice" % (spec, key))
            params[key] = _value(val)
    return family, params


def _number(spec, params, key, kind=float):
    v = params.pop(key)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (kind is int and not isinstance(v, int)):
        raise UsageError("estimator spec %r: %s must be %s, got %r"
                         % (spec, key, "an integer" if kind is int else "a number", v))
    return kind(v)


def _function(mi, *names):
    for n in names:
        f = getattr(mi, n, None)
        if f is not None:
            return f
    raise UsageError("this build of mi has no %s" % names[0])


def _binning(mi, spec, p):
    rules = [k for k in ("idnns", "uniform", "adaptive", "global", "fixed_width") if k in p]
    if len(rules) != 1:
        raise UsageError("estimator spec %r: binning needs exactly one of idnns=, uniform=, adaptive=, global=, "
                         "fixed_width=" % spec)
    rule = rules[0]
    if rule == "idnns":
        edges = _number(spec, p, "idnns", int)
        lo = _number(spec, p, "lo") if "lo" in p else -1.0
        hi = _number(spec, p, "hi") if "hi" in p else 1.0
        q = mi.uniform.idnns(edges=edges, lo=lo, hi=hi)
    elif rule == "uniform":
        bins = _number(spec, p, "uniform", int)
        if "lo" not in p or "hi" not in p:
            raise UsageError("estimator spec %r: binning:uniform needs lo= and hi=" % spec)
        q = mi.uniform(bins, _number(spec, p, "lo"), _number(spec, p, "hi"))
    elif rule == "adaptive":
        q = mi.adaptive_uniform(_number(spec, p, "adaptive", int))
    elif rule == "global":
        q = mi.global_uniform(_number(spec, p, "global", int))
    else:
        q = mi.fixed_width(_number(spec, p, "fixed_width"))
    return mi.binning(q, **p)


def _kde(mi, spec, p):
    if ("variance" in p) == ("adaptive" in p):
        raise UsageError("estimator spec %r: kde needs exactly one of variance=, adaptive=" % spec)
    if "variance" in p:
        return mi.kde(_number(spec, p, "variance"), **p)
    return mi.kde(noise=mi.adaptive_noise(_number(spec, p, "adaptive")), **p)


def _with_number(name, key, kind, *names):
    def build(mi, spec, p):
        if key in p:
            p[key] = _number(spec, p, key, kind)
        return _function(mi, *names)(**p)
    build.__name__ = name
    return build


def _sp(mi, spec, p):
    if "mc" in p:
        if "mc_samples" in p:
            raise UsageError("estimator spec %r: mc and mc_samples both given" % spec)
        p["mc_samples"] = _number(spec, p, "mc", int)
    if "sigma" in p:
        p["sigma"] = _number(spec, p, "sigma")
    return _function(mi, "sample_propagation", "sp")(**p)


FAMILIES = {
    "binning": _binning,
    "kde": _kde,
    "kl": _with_number("kl", "k", int, "kl_entropy"),
    "kl_entropy": _with_number("kl", "k", int, "kl_entropy"),
    "ksg": _with_number("ksg", "k", int, "ksg"),
    "renyi": _with_number("renyi", "alpha", float, "renyi"),
    "sp": _sp,
    "sample_propagation": _sp,
    "decision_rule": lambda mi, spec, p: _function(mi, "decision_rule")(**p),
    "edge": _with_number("edge", "epsilon", float, "edge"),
}


def make_estimator(mi, spec):
    """The mi estimator object a spec string describes (UsageError for a malformed spec)."""
    family, params = parse_spec(spec)
    build = FAMILIES.get(family)
    if build is None:
        raise UsageError("estimator spec %r: unknown family %r (known: %s)"
                         % (spec, family, ", ".join(sorted(FAMILIES))))
    try:
        return build(mi, spec, dict(params))
    except UsageError:
        raise
    except (TypeError, ValueError, mi.error) as exc:
        raise UsageError("estimator spec %r: %s" % (spec, str(exc).splitlines()[0] if str(exc) else exc))


def build_parser():
    p = argparse.ArgumentParser(
        prog="mi-plane",
        description="Information plane (I(X;T), I(T;Y) per epoch and layer) of a saved-activation directory "
                    "(layout: mi.saved, python/README.md), written as mi::write_csv's CSV columns.",
        epilog=ESTIMATOR_GRAMMAR,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dir", help="saved-activation directory (manifest.json + .npy files)")
    p.add_argument("-e", "--estimator", action="append", required=True, metavar="SPEC",
                   help="estimator spec FAMILY:KEY=VALUE,... (repeatable; grammar below)")
    p.add_argument("-o", "--output", required=True, metavar="CSV", help="output CSV (written atomically)")
    p.add_argument("--bootstrap", type=int, default=0, metavar="N", help="bootstrap resamples (default 0: none)")
    p.add_argument("--confidence", type=float, default=0.95, help="bootstrap confidence level (default 0.95)")
    p.add_argument("--unit", choices=("bits", "nats"), default="bits", help="output unit (default bits)")
    p.add_argument("--threads", type=int, default=0, help="worker threads (default 0: all cores)")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap and randomised estimators")
    p.add_argument("--plot", metavar="PNG", help="also draw the information plane (mi.plot.plane) to this file")
    p.add_argument("--no-progress", action="store_true", help="no progress line even on a terminal")
    return p


def _tmp_path(path):
    d, base = os.path.split(os.path.abspath(path))
    return os.path.join(d, ".%s.tmp-%d" % (base, os.getpid()))


def run(args, mi):
    import numpy as np  # noqa: F401  (the reader's dependency; fail early)
    from . import saved

    estimators = [make_estimator(mi, s) for s in args.estimator]
    if args.bootstrap < 0:
        raise UsageError("--bootstrap must be >= 0, got %d" % args.bootstrap)
    if not 0.0 < args.confidence < 1.0:
        raise UsageError("--confidence must be in (0, 1), got %g" % args.confidence)
    if args.threads < 0:
        raise UsageError("--threads must be >= 0, got %d" % args.threads)
    for out in [args.output] + ([args.plot] if args.plot else []):
        parent = os.path.dirname(os.path.abspath(out))
        if not os.path.isdir(parent):
            raise UsageError("%s: the output's directory does not exist" % out)
        if os.path.isdir(out):
            raise UsageError("%s: is a directory, expected a file name" % out)

    data = saved.read(args.dir)
    progress = True if (sys.stderr.isatty() and not args.no_progress) else None
    kw = dict(bootstrap=args.bootstrap, confidence=args.confidence, seed=args.seed, unit=args.unit,
              threads=args.threads, progress=progress)
    trajectories = []
    try:
        try:
            df = mi.information_plane(data, estimators, _trajectories=trajectories, **kw)
        except TypeError:  # an mi without the trajectory hook: the DataFrame alone
            trajectories = []
            df = mi.information_plane(data, estimators, **kw)
    except mi.error as exc:
        raise UsageError("%s: %s" % (args.dir, str(exc).splitlines()[0] if str(exc) else exc))
    to_csv = getattr(getattr(mi, "_mi", None), "_to_csv", None)

    csv_tmp = _tmp_path(args.output)
    png_tmp = None
    try:
        if trajectories and to_csv is not None:
            # mi::write_csv itself: its '#' description lines, its columns, its number format
            with open(csv_tmp, "w", newline="") as f:
                f.write(to_csv(trajectories))
        else:
            df.to_csv(csv_tmp, index=False, na_rep="")
        if args.plot:
            from . import plot
            png_tmp = _tmp_path(args.plot)
            fig = plot.plane(df)
            fmt = os.path.splitext(args.plot)[1][1:].lower() or "png"
            fig.savefig(png_tmp, dpi=110, format=fmt)
            plot.close(fig)
        os.replace(csv_tmp, args.output)
        if png_tmp:
            os.replace(png_tmp, args.plot)
    finally:
        for t in (csv_tmp, png_tmp):
            if t and os.path.exists(t):
                os.remove(t)
    return df


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)  # argparse: usage + one-line message, exit 2
    import mi
    try:
        run(args, mi)
    except UsageError as exc:
        print("mi-plane: error: %s" % exc, file=sys.stderr)
        return 2
    except Exception as exc:  # mi.error from the reader (names the file) and other malformed input
        if isinstance(exc, (mi.error, ValueError)):
            print("mi-plane: error: %s" % (str(exc).splitlines()[0] if str(exc) else type(exc).__name__),
                  file=sys.stderr)
            return 2
        raise
    except KeyboardInterrupt:
        print("mi-plane: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
