# SPDX-License-Identifier: BSD-3-Clause
"""mi: mutual-information estimators for information-plane analysis.

The Python face of the header-only C++ library mi (the same code, compiled
into the extension ``mi._mi``); keyword arguments mirror the C++ options
structs and every estimate agrees with the C++ library to the last bit.

Arrays
------
Activations are ``samples x units`` (a 1-D array is one unit).

* A numpy ``float32`` or ``float64`` array with unit stride along its last
  axis (C-contiguous, or rows of a larger array such as ``a[:, 2:5]`` or
  ``a[::2]``), aligned and in native byte order, is read in place: no copy.
* A CPU ``torch.Tensor`` is read through ``tensor.numpy()`` (shared memory,
  same rule). A tensor that requires grad raises ``mi.error`` (call
  ``.detach()``); a CUDA tensor raises ``mi.error`` (call ``.cpu()``).
* Anything else is converted once with ``numpy.ascontiguousarray``: float32
  and float64 arrays with another layout keep their dtype, every other input
  (lists, integer or float16 arrays, ...) becomes float64.

Labels, input ids and replica ids are 1-D integer arrays (floating-point whole
numbers are accepted; anything else raises ``mi.error``).

Results are in nats, except ``information_plane`` (``unit="bits"`` by default,
as mi::plane_options). Every C++ ``mi::error`` is raised as ``mi.error`` with
the C++ message. Estimates release the GIL.
"""
from __future__ import annotations

import dataclasses
import sys
import time
from collections import namedtuple
from typing import Optional

import numpy as np

# ---------------------------------------------------------------- the extension: one variant per SIMD set
#
# setup.py builds the extension once per instruction set (mi._mi_sse2, the portable baseline;
# mi._mi_avx2; mi._mi_avx512; CMake's mi_python builds the baseline unless MI_PYTHON_ISAS adds
# others). The best variant the CPU supports is imported as mi._mi; MI_PYTHON_ISA=sse2|avx2|avx512
# forces one (mi.error when it is not built or the CPU lacks its features). build_info() tells
# which one runs.

_ISA_ORDER = ("avx512", "avx2", "sse2")  # best first
# The CPU features each variant's compiler flags assume (setup.py ISA_FLAGS, cmake/mi_python.cmake),
# as __builtin_cpu_supports names them (the baseline's _cpu_features()).
_ISA_REQUIRES = {
    "sse2": frozenset(),
    "avx2": frozenset({"avx", "avx2", "fma", "bmi", "bmi2"}),
    "avx512": frozenset({"avx", "avx2", "fma", "bmi", "bmi2", "avx512f", "avx512cd", "avx512bw", "avx512dq",
                         "avx512vl"}),
}


def _select_isa(features, available, override=None):
    """The variant to import: (isa, reason). Pure: `features` are the CPU's feature names,
    `available` the variants built, `override` the value of MI_PYTHON_ISA (None or "": choose).
    Raises ImportError when the override names an unknown, unbuilt or unsupported variant, or
    when no variant is built."""
    features, available = set(features), set(available)
    built = ", ".join(i for i in reversed(_ISA_ORDER) if i in available) or "none"
    if override is not None and override.strip():
        isa = override.strip().lower()
        if isa not in _ISA_REQUIRES:
            raise ImportError(f"mi: MI_PYTHON_ISA = {override!r}, expected one of sse2, avx2, avx512")
        if isa not in available:
            raise ImportError(f"mi: MI_PYTHON_ISA = {isa}, but the extension mi._mi_{isa} is not built "
                               f"(built: {built})")
        missing = sorted(_ISA_REQUIRES[isa] - features)
        if missing:
            raise ImportError(f"mi: MI_PYTHON_ISA = {isa}, but this CPU lacks {', '.join(missing)} "
                               f"(it offers: {', '.join(sorted(features)) or 'nothing detected'})")
        return isa, f"MI_PYTHON_ISA={isa}"
    for isa in _ISA_ORDER:
        if isa in available and _ISA_REQUIRES[isa] <= features:
            return isa, "the best built variant this CPU supports"
    raise ImportError(f"mi: no extension variant can run here (built: {built}); build the package "
                       "(pip install --no-build-isolation .) or the CMake target mi_python")


def _built_isas():
    """The variants present next to this file (mi._mi_<isa>), without importing them."""
    import importlib.util

    return [isa for isa in _ISA_ORDER if importlib.util.find_spec(f"{__name__}._mi_{isa}") is not None]


def _load_extension():
    import importlib
    import os

    available = _built_isas()
    if "sse2" not in available:
        raise ImportError(f"mi: the baseline extension mi._mi_sse2 is not built (found: {available or 'none'}); "
                          "build the package (pip install --no-build-isolation .) or the CMake target mi_python")
    base = importlib.import_module(f"{__name__}._mi_sse2")
    features = list(base._cpu_features())
    isa, reason = _select_isa(features, available, os.environ.get("MI_PYTHON_ISA"))
    module = base
    if isa != "sse2":
        try:
            module = importlib.import_module(f"{__name__}._mi_{isa}")
        except ImportError as e:  # a broken variant: the baseline still works
            if os.environ.get("MI_PYTHON_ISA", "").strip():
                raise
            isa, reason, module = "sse2", f"mi._mi_{isa} failed to import ({e}); the baseline", base
    sys.modules[f"{__name__}._mi"] = module
    return module, {"isa": isa, "reason": reason, "built": available, "cpu_features": features}


_mi, _variant = _load_extension()
from ._mi import (  # noqa: F401,E402  (re-exported policies)
    adaptive_noise,
    adaptive_uniform,
    bin_edges,
    cancelled,
    distinct_value_quantiles,
    equal_mass,
    error,
    fixed_noise,
    fixed_width,
    global_uniform,
    kernel_width,
    machine_precision,
    num_threads,
    set_num_threads,
    tie_policy,
    uniform,
)

__version__ = _mi.__version__

__all__ = [
    "Bounds", "Estimator", "PlanePoint", "Recording", "Samples", "adaptive_noise", "adaptive_uniform",
    "bin_edges", "binning", "build_info", "cancelled", "compressed", "csv_columns", "decision_rule", "distinct_value_quantiles",
    "edge", "equal_mass", "error", "exact_counting", "fixed_noise", "fixed_width", "gaussian_bound", "generalization_error",
    "global_uniform", "information_plane", "kde", "kernel_width", "kl_entropy", "ksg", "linear_gaussian",
    "machine_precision", "num_threads", "renyi", "sample_propagation",
    "set_num_threads", "sliced", "tie_policy", "uniform", "weighted_kl",
]

Bounds = namedtuple("Bounds", "lower upper")
Bounds.__doc__ = "Lower and upper value of an estimate (kde's bounds, bootstrap intervals)."


def build_info() -> str:
    """mi's version, the SIMD instruction set the extension was compiled for, what the CPU
    offers, and which extension variant runs (mi._mi_sse2, _mi_avx2 or _mi_avx512), why, and
    which variants are built."""
    built = ", ".join(i for i in reversed(_ISA_ORDER) if i in _variant["built"])
    return (f"{_mi.build_info()}; extension mi._mi_{_variant['isa']} ({_variant['reason']}; "
            f"built: {built})")


def csv_columns() -> list:
    """The columns of mi::write_csv, in order: those of information_plane's DataFrame."""
    return list(_mi.csv_columns())


# ---------------------------------------------------------------- input conversion

def _torch_to_numpy(t):
    if getattr(t, "requires_grad", False):
        raise error("mi: the tensor requires grad; pass tensor.detach() (mi reads the values, it does not "
                    "take part in autograd)")
    if t.device.type != "cpu":
        raise error(f"mi: the tensor is on device {t.device}; pass tensor.detach().cpu() (mi reads host memory)")
    t = t.detach()
    try:
        return t.numpy()  # shares memory
    except TypeError:     # bfloat16 and other types numpy lacks
        return t.double().numpy()


def _is_tensor(a) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(a, torch.Tensor)


def _in_place(a: np.ndarray) -> bool:
    """True when the C++ side can view `a` without a copy (float32/float64, 1-D or 2-D,
    unit stride along the last axis, a non-negative row stride covering a row)."""
    if a.dtype not in (np.float32, np.float64) or not a.dtype.isnative or not a.flags.aligned:
        return False
    item = a.itemsize
    if a.ndim == 1:
        return a.shape[0] <= 1 or (a.strides[0] > 0 and a.strides[0] % item == 0)
    if a.ndim != 2:
        return False
    rows, cols = a.shape
    if cols > 1 and a.strides[1] != item:
        return False
    rs = a.strides[0]
    return rows <= 1 or (rs >= 0 and rs % item == 0 and rs // item >= cols)


def _activations(a, dtype=None) -> np.ndarray:
    """The array the C++ side reads: `a` itself when it can be viewed in place (and has the
    requested dtype), else one conversion (see the module docstring)."""
    if _is_tensor(a):
        a = _torch_to_numpy(a)
    if isinstance(a, np.ndarray):
        if (dtype is None or a.dtype == dtype) and _in_place(a):
            return a
        if dtype is None and a.dtype in (np.float32, np.float64):
            dtype = a.dtype.newbyteorder("=")
    try:
        out = np.ascontiguousarray(a, dtype=dtype or np.float64)
    except (TypeError, ValueError) as e:
        raise error(f"mi: cannot read the activations as a float array: {e}") from None
    if out.ndim == 0:
        out = out.reshape(1)
    return out


def _ids(a, what: str) -> np.ndarray:
    if _is_tensor(a):
        a = _torch_to_numpy(a)
    a = np.asarray(a)
    if a.dtype.kind not in "iubf":
        raise error(f"mi: {what} = an array of dtype {a.dtype}, expected integers")
    return a


def _labels(y, classes=None):
    if isinstance(y, _mi._Labels):
        return y
    if isinstance(y, Samples):
        return y._labels
    return _mi._Labels(_ids(y, "labels"), classes)


# ---------------------------------------------------------------- samples

class Samples:
    """What the estimators know about the rows besides the activations (mi::samples).

    labels:    class id of each row (0..classes-1)
    classes:   number of classes (default max + 1)
    input_ids: which input each row came from (default: every row its own input)
    x:         the network input, row-aligned (for ksg and renyi's I(X;T)); copied
    replicas:  int R (rows i R .. i R + R - 1 are replicas of one draw) or one draw id per row
               (for sample_propagation)
    """

    def __init__(self, labels, classes: Optional[int] = None, input_ids=None, x=None, replicas=None):
        self._labels = _labels(labels, classes)
        ids = None if input_ids is None else _mi._InputIds(_ids(input_ids, "input_ids"))
        xs = None if x is None else _activations(x)
        reps = None
        if replicas is not None:
            reps = _mi._Replicas(replicas if isinstance(replicas, (int, np.integer)) and not isinstance(replicas, bool)
                                 else _ids(replicas, "replicas"))
        self._c = _mi._Samples(self._labels, ids, xs, reps)

    def __len__(self) -> int:
        return len(self._c)

    @property
    def classes(self) -> int:
        return self._c.classes

    @property
    def labels(self) -> np.ndarray:
        return np.asarray(self._c.labels, dtype=np.int64)

    def __repr__(self) -> str:
        extra = (", x" if self._c.has_network_input else "") + (", replicas" if self._c.has_replicas else "")
        return f"mi.Samples({len(self)} rows, {self.classes} classes{extra})"


def _samples(labels, input_ids=None, x=None, replicas=None) -> Samples:
    if isinstance(labels, Samples):
        if input_ids is not None or x is not None or replicas is not None:
            raise error("mi: give input_ids, x and replicas in the mi.Samples, not beside it")
        return labels
    return Samples(labels, input_ids=input_ids, x=x, replicas=replicas)


# ---------------------------------------------------------------- estimators

@dataclasses.dataclass(frozen=True)
class PlanePoint:
    """One point of the information plane (mi::plane_point), in nats.

    ixt_kind is "I(X;T)" or "H(T)" (kl_entropy reports the entropy of the layer);
    bounds are kde's lower/upper values, ci the bootstrap interval (information_plane only).
    """
    ixt: float
    ity: float
    ixt_kind: str = "I(X;T)"
    ixt_bounds: Optional[Bounds] = None
    ity_bounds: Optional[Bounds] = None
    ixt_ci: Optional[Bounds] = None
    ity_ci: Optional[Bounds] = None


def _bounds(b):
    return None if b is None else Bounds(*b)


def _value(v):
    return Bounds(*v) if isinstance(v, tuple) else v


class Estimator:
    """An mi estimator (made by mi.binning, mi.kde, mi.ksg, ...); see README.md, section Estimators.

    entropy(t)                                      H(T) (kde: Bounds)
    mutual_information(t, labels=y)                 I(T;Y)
    mutual_information(t, input_ids=ids)            I(X;T) from input identities (binning, kde, decision_rule, edge)
    mutual_information(t, x=x)                      I(X;T) with the input itself (ksg, renyi; edge: any two arrays)
    mutual_information(t, replicas=R or ids)        I(X;T) of a noisy network (sample_propagation)
    point(t, labels_or_samples, ...)                PlanePoint
    name, parameters                                as in the C++ estimator (and the CSV)
    """

    def __init__(self, c):
        self._c = c

    @property
    def name(self) -> str:
        return self._c.name

    @property
    def parameters(self) -> str:
        return self._c.parameters

    def __repr__(self) -> str:
        return f"mi.{self.name}({self.parameters})"

    def __eq__(self, other) -> bool:
        """Estimators are equal when they are the same C++ estimator with the same parameters."""
        if not isinstance(other, Estimator):
            return NotImplemented
        return (self.name, self.parameters) == (other.name, other.parameters)

    def __hash__(self) -> int:
        return hash((self.name, self.parameters))

    def entropy(self, t):
        return _value(self._c.entropy(_activations(t)))

    def mutual_information(self, t, labels=None, input_ids=None, x=None, replicas=None, classes=None):
        given = [n for n, v in (("labels", labels), ("input_ids", input_ids), ("x", x), ("replicas", replicas))
                 if v is not None]
        if len(given) != 1:
            raise error(f"mi.{self.name}.mutual_information: give exactly one of labels, input_ids, x, replicas "
                        f"(got {', '.join(given) or 'none'})")
        ta = _activations(t)
        if labels is not None:
            return _value(self._c.mi_labels(ta, _labels(labels, classes)))
        if input_ids is not None:
            return _value(self._c.mi_inputs(ta, _mi._InputIds(_ids(input_ids, "input_ids"))))
        if x is not None:
            return _value(self._c.mi_x(ta, _activations(x, dtype=ta.dtype)))
        reps = replicas if isinstance(replicas, (int, np.integer)) and not isinstance(replicas, bool) \
            else _ids(replicas, "replicas")
        return _value(self._c.mi_replicas(ta, _mi._Replicas(reps)))

    def point(self, t, labels, input_ids=None, x=None, replicas=None) -> PlanePoint:
        s = _samples(labels, input_ids, x, replicas)
        ixt, ity, kind, xb, yb, xc, yc = self._c.point(_activations(t), s._c)
        return PlanePoint(ixt, ity, kind, _bounds(xb), _bounds(yb), _bounds(xc), _bounds(yc))


def binning(quantizer, correction: str = "plug_in") -> Estimator:
    """Plug-in (or Miller-Madow) entropy of the binned layer (mi::binning<Quantizer, Correction>).

    quantizer: mi.uniform(bins, lo, hi), mi.uniform.idnns(edges=30, lo=-1, hi=1), mi.fixed_width(w),
    mi.adaptive_uniform(bins), mi.global_uniform(bins), mi.equal_mass(bins),
    mi.distinct_value_quantiles(bins, low) (.for_tanh(), .for_relu()), mi.bin_edges([...]),
    mi.machine_precision(). correction: "plug_in" or "miller_madow".
    global_uniform takes the range of a layer over all recorded epochs in information_plane;
    in a direct call (entropy, mutual_information, point) the range of the array given.
    """
    return Estimator(_mi._binning(quantizer, correction))


def decision_rule(correction: str = "plug_in") -> Estimator:
    """Information of the arg-max decision of the output layer (mi::decision_rule)."""
    return Estimator(_mi._decision_rule(correction))


def kde(noise=None) -> Estimator:
    """Kolchinsky-Tracey KDE bounds (mi::kde<gaussian_kernel, Noise>).

    noise: a variance (mi.fixed_noise(variance)) or mi.adaptive_noise(base). Estimates are Bounds;
    point() reports the upper values with both bounds alongside.
    """
    if noise is None:
        raise error("mi.kde: noise = None, expected a variance, mi.fixed_noise(variance) or mi.adaptive_noise(base)")
    return Estimator(_mi._kde(noise))


def _ties(ties):
    if isinstance(ties, tie_policy):
        return ties
    if ties == "jitter":
        return tie_policy.jitter()
    if ties == "none" or ties is None:
        return tie_policy.none()
    raise error(f"mi: ties = {ties!r}, expected \"jitter\", \"none\" or an mi.tie_policy")


def kl_entropy(k: int = 2, epsilon: float = 0.0, ties="jitter", search: str = "automatic",
               metric: str = "euclidean", leaf_size: Optional[int] = None) -> Estimator:
    """Kozachenko-Leonenko entropy (mi::kl_entropy<Search>); point() reports H(T) as ixt (ixt_kind "H(T)").

    search: "automatic", "kd_tree", "grid", "brute_force" (identical numbers); metric: "euclidean" or
    "max_norm"; leaf_size: the kd_tree's leaf size (kd_tree and automatic; None: default).
    """
    return Estimator(_mi._kl_entropy(k, epsilon, _ties(ties), search, metric, leaf_size or 0))


def ksg(k: int = 3, algorithm: int = 1, ties="jitter", standardize: bool = True, search: str = "automatic",
        leaf_size: Optional[int] = None) -> Estimator:
    """Kraskov-Stoegbauer-Grassberger I(X;T) and Ross's I(T;Y) (mi::ksg<Search>, max-norm).

    point() takes X from the samples (mi.Samples(..., x=x) or point(t, y, x=x)).
    """
    return Estimator(_mi._ksg(k, algorithm, _ties(ties), standardize, search, leaf_size or 0))


def sample_propagation(sigma: float, mc_samples: int = 1, seed: int = 0, conditional: str = "replicas") -> Estimator:
    """Goldfeld et al.'s sample propagation (mi::sample_propagation); conditional "replicas" or "deterministic".

    point() takes the replica groups from the samples (replicas=R or per-row draw ids).
    """
    return Estimator(_mi._sample_propagation(sigma, mc_samples, seed, conditional))


def renyi(alpha: float = 1.01, width=None, input_width=None, label_width: float = 0.0, trace: str = "automatic",
          exact_below: int = 1000, probes: int = 16, lanczos_steps: int = 40, tolerance: float = 1e-3,
          seed: int = 0) -> Estimator:
    """Matrix-based Renyi alpha-entropy (mi::renyi); widths are mi.kernel_width.silverman(gamma) (default
    gamma 1) or mi.kernel_width.fixed(sigma). point() takes X from the samples.

    trace: how tr(A^alpha) is taken: "automatic" (exact spectrum below exact_below rows, else stochastic
    Lanczos quadrature checked against tolerance x S, exact when the check fails; Frobenius at alpha = 2),
    "exact", "frobenius" (alpha = 2) or "lanczos" (probes, lanczos_steps, seed).
    """
    return Estimator(_mi._renyi(alpha, width if width is not None else kernel_width.silverman(1.0),
                                input_width if input_width is not None else kernel_width.silverman(1.0),
                                label_width, trace, exact_below, probes, lanczos_steps, tolerance, seed))


def sliced(per_slice: str = "ksg", slices: int = 128, k: int = 1, seed: int = 0, neighbors: int = 3,
           noise_variance: float = 0.1, bound: str = "upper", bins: int = 30) -> Estimator:
    """Sliced mutual information (mi::sliced<PerSlice>; Goldfeld & Greenewald 2021, k-sliced: Goldfeld et al.
    2022): the mean over `slices` random k-frames of a per-slice estimate between the projections.

    per_slice: "ksg" (KSG with `neighbors`; Ross's form for I(T;Y)), "gaussian" (-1/2 log(1 - rho^2); I(X;T)
    only), "kde" (Kolchinsky-Tracey `bound` of the projected T plus noise of `noise_variance`) or "binning"
    (`bins` equal-width bins on each projection's range). point() takes X from the samples (x=...).
    """
    return Estimator(_mi._sliced(per_slice, slices, k, seed, neighbors, noise_variance, bound, bins))


def weighted_kl(k: int = 5, whiten: bool = True, ties="jitter") -> Estimator:
    """Weighted Kozachenko-Leonenko entropy (mi::weighted_kl; Berrett, Samworth & Yuan 2019), the estimator
    Butakov et al. 2024 use after compression; point() reports H(T) as ixt, like kl_entropy."""
    return Estimator(_mi._weighted_kl(k, whiten, _ties(ties)))


def compressed(projection: str = "pca", dims: int = 4, estimator: str = "weighted_kl", k: int = 5,
               noise: float = 1e-3, relative_noise: bool = True, compress_input: bool = True, seed: int = 0,
               projection_seed: int = 0) -> Estimator:
    """MI after lossy compression (mi::compressed<Projection, Estimator>; Butakov et al. 2024): T (and X from the
    samples, x=...) projected to `dims` dimensions by "pca" or a seeded "random" orthonormal projection, plus
    Gaussian noise (`noise`, relative to each compressed column's sd by default), then "weighted_kl" or "ksg"
    with `k` neighbours."""
    return Estimator(_mi._compressed(projection, dims, projection_seed, estimator, k, noise, relative_noise,
                                     compress_input, seed))


def exact_counting(repeats: str = "must_agree", max_levels: int = 0) -> Estimator:
    """Exact MI of a layer that takes finitely many values, by counting distinct rows (mi::exact_counting;
    Lorenzen, Igel & Nielsen 2022: quantized networks). repeats: "must_agree" (rows of one input id must be
    equal: H(T|X) = 0, else mi.error) or "counted" (H(T|X) counted); max_levels > 0 checks the layer takes at
    most that many values (2**bits)."""
    return Estimator(_mi._exact_counting(repeats, max_levels))


def edge(epsilon: float, scales=(1.0,), bias_terms: int = 0, hash_factor: float = 1.0, seed: int = 0) -> Estimator:
    """EDGE, the ensemble dependency-graph estimator (mi::edge)."""
    return Estimator(_mi._edge(epsilon, [float(s) for s in scales], bias_terms, hash_factor, seed))


# ---------------------------------------------------------------- weight-based estimators

def _matrix(a, name: str, where: str) -> np.ndarray:
    if _is_tensor(a):
        a = _torch_to_numpy(a)
    try:
        m = np.ascontiguousarray(a, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise error(f"{where}: cannot read {name} as a float matrix: {e}") from None
    if m.ndim != 2:
        raise error(f"{where}: {name} dimension = {m.ndim}, expected 2 (rows x columns)")
    return m


class linear_gaussian:
    """Exact information of a linear layer T = W X + Z with X ~ N(0, Sigma_x), Z ~ N(0, noise_variance I)
    (mi::linear_gaussian; Saxe et al. 2018, Sec. 3 and App. G). A function of the weights, not of
    samples: not a plane estimator. Matrices are rows x columns (W: n_t x n_i); results in nats.

    mutual_information(w)                                          I(T;X), Sigma_x = I
    mutual_information(w, input_covariance)                        I(T;X)
    mutual_information(w, w_teacher=wo, teacher_noise_variance=s)  I(T;Y), Y = W_o X + N(0, s I)
    mutual_information(w, input_covariance, w_teacher, teacher_noise_variance)   I(T;Y)
    """

    def __init__(self, noise_variance: float):
        self._c = _mi._LinearGaussian(float(noise_variance))

    name = property(lambda self: self._c.name)
    parameters = property(lambda self: self._c.parameters)
    noise_variance = property(lambda self: self._c.noise_variance)

    def __repr__(self) -> str:
        return f"mi.linear_gaussian({self.parameters})"

    def mutual_information(self, w, input_covariance=None, w_teacher=None, teacher_noise_variance=None) -> float:
        where = "mi.linear_gaussian.mutual_information"
        if (w_teacher is None) != (teacher_noise_variance is None):
            raise error(f"{where}: I(T;Y) needs both w_teacher and teacher_noise_variance "
                        f"(got only {'w_teacher' if w_teacher is not None else 'teacher_noise_variance'})")
        wm = _matrix(w, "w", where)
        sx = None if input_covariance is None else _matrix(input_covariance, "input_covariance", where)
        if w_teacher is None:
            return self._c.ixt(wm, sx)
        return self._c.ity(wm, sx, _matrix(w_teacher, "w_teacher", where), float(teacher_noise_variance))


def generalization_error(w_teacher, w_total, teacher_noise_variance: float, input_covariance=None) -> float:
    """Expected test error of the student W_tot on the teacher Y = W_o X + N(0, s I) (mi::generalization_error,
    Saxe et al. 2018 eq. 5): ||W_o - W_tot||_F^2 + n_o s, or tr(D Sigma_x D^T) + n_o s with input_covariance."""
    where = "mi.generalization_error"
    sx = None if input_covariance is None else _matrix(input_covariance, "input_covariance", where)
    return _mi._generalization_error(_matrix(w_teacher, "w_teacher", where), _matrix(w_total, "w_total", where),
                                     sx, float(teacher_noise_variance))


class gaussian_bound:
    """Shwartz-Ziv, Painsky & Tishby's Gaussian-channel upper bound on I(X;T) (mi::gaussian_bound, eq. 9):
    1/2 sum_i log(1 + A_ii / (lambda_i + noise_variance / layer_variance)), in nats.

    bound(w_star, delta_w)            from the converged weights W* (n_out x n_in) and one weight change
                                      dW, or a list of them (or a K x n_out x n_in array): C = mean dW dW^T
    bound(a_diag=..., lambdas=...)    from the spectrum (A_ii, lambda_i)
    layer_variance: variance s2_T of the layer's input units (> 0); noise_variance: s2_z (>= 0).
    """

    def __init__(self, layer_variance: float, noise_variance: float):
        self._c = _mi._GaussianBound(float(layer_variance), float(noise_variance))

    name = property(lambda self: self._c.name)
    parameters = property(lambda self: self._c.parameters)
    layer_variance = property(lambda self: self._c.layer_variance)
    noise_variance = property(lambda self: self._c.noise_variance)

    def __repr__(self) -> str:
        return f"mi.gaussian_bound({self.parameters})"

    def bound(self, w_star=None, delta_w=None, *, a_diag=None, lambdas=None) -> float:
        where = "mi.gaussian_bound.bound"
        weights, spectrum = w_star is not None or delta_w is not None, a_diag is not None or lambdas is not None
        if weights == spectrum or (weights and (w_star is None or delta_w is None)) or \
                (spectrum and (a_diag is None or lambdas is None)):
            raise error(f"{where}: give either w_star and delta_w, or a_diag and lambdas")
        if spectrum:
            a = np.asarray(a_diag, dtype=np.float64).ravel().tolist()
            lam = np.asarray(lambdas, dtype=np.float64).ravel().tolist()
            return self._c.bound_spectrum(a, lam)
        if isinstance(delta_w, (list, tuple)):
            dws = [_matrix(d, "delta_w", where) for d in delta_w]
        else:
            d = np.asarray(delta_w.numpy() if _is_tensor(delta_w) else delta_w)
            dws = [_matrix(x, "delta_w", where) for x in d] if d.ndim == 3 else [_matrix(d, "delta_w", where)]
        return self._c.bound_weights(_matrix(w_star, "w_star", where), dws)


# ---------------------------------------------------------------- recording and plane

class Recording:
    """Activations of every layer at every recorded epoch (mi::recording<T>); observe() copies.

    Recording(labels_or_samples, dtype=np.float32); rec.observe(epoch, layer, activations).
    """

    def __init__(self, samples, dtype=np.float32, input_ids=None, x=None, replicas=None):
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise error(f"mi.Recording: dtype = {dtype}, expected float32 or float64")
        self.dtype = dtype
        self.samples = _samples(samples, input_ids, x, replicas)
        cls = _mi._RecordingF32 if dtype == np.float32 else _mi._RecordingF64
        self._c = cls(self.samples._c)

    def observe(self, epoch: int, layer: int, activations) -> None:
        self._c.observe(int(epoch), int(layer), _activations(activations, dtype=self.dtype))

    def __len__(self) -> int:
        return self._c.size()

    @property
    def epochs(self) -> list:
        return list(self._c.epochs())

    @property
    def layers(self) -> list:
        return list(self._c.layers())

    def at(self, epoch: int, layer: int) -> np.ndarray:
        """A copy of the stored activations of (epoch, layer)."""
        return self._c.at(int(epoch), int(layer))

    def __repr__(self) -> str:
        return f"mi.Recording({len(self)} arrays, epochs {self.epochs}, layers {self.layers}, {self.dtype})"


def _recording(rec) -> Recording:
    if isinstance(rec, Recording):
        return rec
    if isinstance(rec, dict):
        if "labels" not in rec or "layers" not in rec:
            raise error("mi.information_plane: a dict recording needs \"labels\" and \"layers\" "
                        "({(epoch, layer): array})")
        arrays = [(_activations(a), key) for key, a in rec["layers"].items()]
        dtype = rec.get("dtype") or (np.float32 if all(a.dtype == np.float32 for a, _ in arrays) else np.float64)
        r = Recording(rec["labels"], dtype=dtype, input_ids=rec.get("input_ids"), x=rec.get("x"),
                      replicas=rec.get("replicas"))
        for a, key in arrays:
            try:
                epoch, layer = key
            except (TypeError, ValueError):
                raise error(f"mi.information_plane: layers key = {key!r}, expected (epoch, layer)") from None
            r.observe(epoch, layer, a)
        return r
    raise error(f"mi.information_plane: recording = {type(rec).__name__}, expected an mi.Recording or a dict")


class _Bar:
    """A one-line progress bar with ETA on stderr."""

    def __init__(self):
        self.start = time.monotonic()
        self.last = 0.0

    def __call__(self, done, total):
        now = time.monotonic()
        if done < total and now - self.last < 0.1:
            return True
        self.last = now
        elapsed = now - self.start
        eta = elapsed / done * (total - done) if done else float("nan")
        width = 30
        filled = int(width * done / total) if total else width
        sys.stderr.write(f"\rmi: [{'#' * filled}{'.' * (width - filled)}] {done}/{total} "
                         f"{elapsed:6.1f}s elapsed, ETA {eta:6.1f}s ")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()
        return True


def _estimators(estimators) -> list:
    if isinstance(estimators, Estimator):
        return [estimators]
    if isinstance(estimators, dict):
        out = list(estimators.values())
    else:
        out = list(estimators)
    for e in out:
        if not isinstance(e, Estimator):
            raise error(f"mi.information_plane: estimator = {e!r}, expected an mi estimator (mi.binning(...), ...)")
    if not out:
        raise error("mi.information_plane: no estimators given")
    return out


def information_plane(recording, estimators, bootstrap: int = 0, confidence: float = 0.95, seed: int = 0,
                      unit: str = "bits", threads: int = 0, progress=None, _trajectories: Optional[list] = None):
    """Every recorded (epoch, layer) under every estimator (mi::information_plane).

    recording:  an mi.Recording, or {"labels": y, "layers": {(epoch, layer): array}, "input_ids": ...,
                "x": ..., "replicas": ...} (dtype float32 when every array is float32, else float64).
    estimators: one estimator, a list, or a dict name -> estimator (the "estimator" column is the C++ name).
    bootstrap, confidence, seed, unit ("bits" or "nats"), threads (0: all cores): mi::plane_options.
    progress:   None, True (a one-line bar with ETA on stderr) or a callable(done, total) over all
                estimators' estimates; returning False cancels (mi.cancelled), an exception it raises
                (KeyboardInterrupt, ...) cancels and propagates. Ctrl-C cancels promptly.
    Returns a pandas DataFrame with the columns of mi::write_csv (mi.csv_columns()), the estimators'
    rows stacked in order, or a dict of columns when pandas is not installed.
    """
    if unit not in ("bits", "nats"):
        raise error(f"mi.information_plane: unit = {unit!r}, expected \"bits\" or \"nats\"")
    rec = _recording(recording)
    ests = _estimators(estimators)
    callback = _Bar() if progress is True else (None if progress is False else progress)
    if callback is not None and not callable(callback):
        raise error(f"mi.information_plane: progress = {progress!r}, expected None, True or a callable(done, total)")
    columns = {c: [] for c in csv_columns()}
    for i, e in enumerate(ests):
        cb = None
        if callback is not None:
            def cb(done, total, _i=i):
                return callback(_i * total + done, len(ests) * total)
        t = e._c.plane(rec._c, int(threads), int(bootstrap), float(confidence), int(seed), unit == "bits", cb)
        if _trajectories is not None:
            _trajectories.append(t)
        for name, values in t.columns().items():
            columns[name].extend(values)
    try:
        import pandas as pd
    except ImportError:
        return columns
    df = pd.DataFrame(columns, columns=csv_columns())
    df["epoch"] = df["epoch"].astype(np.int64)
    df["layer"] = df["layer"].astype(np.int64)
    for c in df.columns[4:14]:
        df[c] = df[c].astype(np.float64)
    return df


_SUBMODULES = ("saved", "plot", "torch", "cli")


def __getattr__(name):
    """mi.saved, mi.plot, mi.torch and mi.cli load on first use (matplotlib and torch are
    heavy and optional), so `import mi` alone stays quick."""
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'mi' has no attribute {name!r}")
