# SPDX-License-Identifier: BSD-3-Clause
"""Recording a PyTorch model's layers for the information plane.

    rec = mi.torch.Recorder(model, ["fc1", "fc2", model.out], inputs=x_all, labels=y_all,
                            epochs=mi.torch.ibsgd_epochs(3000))
    for epoch in range(3000):
        train_one_epoch(model)            # the loop is unchanged
        rec.record(epoch)                 # records only when epoch is in the grid
    rec.save("run")                       # saved-activation layout (mi.saved), readable by mi-plane
    df = rec.plane([mi.binning(mi.uniform.idnns(30)), mi.kde(1e-3)])

record(epoch) runs the fixed sample set through the model once, under torch.no_grad() and in eval
mode, with forward hooks on the chosen modules that copy their outputs (detached, on the CPU, as
float32 numpy arrays, flattened to rows x units). Training is not disturbed: the hooks exist only
during that pass, every module's train/eval flag is restored, and the torch RNG state (CPU and CUDA)
is saved before and restored after, so a run with the recorder draws the same random numbers
(dropout masks, shuffles, noise) as one without it.

Epoch grids (the C++ reproduction programs' grids, examples/engine/schedule.hpp, reproduced exactly):
  log_epochs(E, n)             IDNNs / Chelombiev et al.: unique(int(logspace(0, log2 E, n, base 2))) - 1:
                               every epoch early, then log-spaced (E = 8000, n = 400: 274 epochs)
  ibsgd_epochs(E)              Saxe et al.'s ibsgd: every epoch < 20, every 5th < 100, every 20th < 2000,
                               every 100th after (E = 10000: 211 epochs)
  smoothmi_log10_epochs(E, n)  Goldfeld et al.: unique(round(logspace(0, log10(E - 1), n)))
"""
import math

import numpy as np


# ------------------------------------------------------------------ epoch grids


def _linspace(start, stop, num):
    # numpy.linspace(start, stop, num): y_k = k * step + start, last = stop (as schedule.hpp mirrors it)
    if num == 1:
        return [start]
    step = (stop - start) / (num - 1)
    y = [k * step + start for k in range(num)]
    y[-1] = stop
    return y


def _positive(name, v, least=1):
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < least:
        raise ValueError("%s must be an integer >= %d, got %r" % (name, least, v))
    return int(v)


def log_epochs(n_epochs, points):
    """IDNNs' log2 grid over n_epochs epochs with `points` log-spaced points: every epoch early, then
    log-spaced; epoch numbers 0 .. n_epochs - 1 (examples/engine/schedule.hpp idnns_log2_epochs)."""
    n_epochs = _positive("n_epochs", n_epochs)
    points = _positive("points", points)
    ys = _linspace(math.log2(1.0), math.log2(float(n_epochs)), points)
    return [e - 1 for e in sorted({int(math.pow(2.0, y)) for y in ys})]


def ibsgd_epochs(n_epochs):
    """Saxe et al.'s ibsgd schedule over epochs 0 .. n_epochs - 1 (recorded at the end of the epoch)."""
    n_epochs = _positive("n_epochs", n_epochs, 0)
    return [e for e in range(n_epochs)
            if e < 20 or (e < 100 and e % 5 == 0) or (e < 2000 and e % 20 == 0) or e % 100 == 0]


def smoothmi_log10_epochs(n_epochs, points=100):
    """Goldfeld et al.'s log10 grid: unique(round(logspace(0, log10(n_epochs - 1), points))), round half to even."""
    n_epochs = _positive("n_epochs", n_epochs, 2)
    points = _positive("points", points)
    ys = _linspace(0.0, math.log10(float(n_epochs - 1)), points)
    return sorted({int(round(math.pow(10.0, y))) for y in ys})


# ------------------------------------------------------------------ recorder


def _torch():
    import torch
    return torch


class Recorder:
    """Records the outputs of `layers` (module names as in model.named_modules(), or module objects; layer
    index = position in the list) on the fixed sample set `inputs` at the epochs of `epochs`.

    model: a torch.nn.Module. inputs: a tensor (or array) passed to model(inputs) (split into chunks of
    `batch_size` rows when given). labels: the class of each input row (int). epochs: an iterable of epoch
    numbers, or None to record every epoch record() is called with. input_ids / x / replicas: optional
    per-row metadata kept for the estimators (x defaults to None; pass x=inputs to make KSG / Renyi
    usable). dtype: float32 (default) or float64 for the stored activations.
    """

    def __init__(self, model, layers, inputs, labels, epochs=None, input_ids=None, x=None, replicas=None,
                 dtype=np.float32, batch_size=None):
        torch = _torch()
        if not isinstance(model, torch.nn.Module):
            raise TypeError("mi.torch.Recorder: model must be a torch.nn.Module, got %s" % type(model).__name__)
        self.model = model
        if isinstance(layers, (str, torch.nn.Module)):
            layers = [layers]
        layers = list(layers)
        if not layers:
            raise ValueError("mi.torch.Recorder: layers is empty")
        named = dict(model.named_modules())
        self.modules = []
        self.names = []
        for l in layers:
            if isinstance(l, str):
                if l not in named:
                    raise ValueError("mi.torch.Recorder: the model has no module %r (modules: %s)"
                                     % (l, ", ".join(n for n in named if n) or "none"))
                self.modules.append(named[l])
                self.names.append(l)
            elif isinstance(l, torch.nn.Module):
                name = next((n for n, m in named.items() if m is l), None)
                if name is None:
                    raise ValueError("mi.torch.Recorder: module %r is not part of the model" % (l,))
                self.modules.append(l)
                self.names.append(name or "<model>")
            else:
                raise TypeError("mi.torch.Recorder: a layer must be a module name or a module, got %r" % (l,))
        if len({id(m) for m in self.modules}) != len(self.modules):
            raise ValueError("mi.torch.Recorder: a module is listed twice in layers")
        self.inputs = inputs if isinstance(inputs, torch.Tensor) else torch.as_tensor(np.asarray(inputs))
        y = labels.detach().cpu().numpy() if isinstance(labels, torch.Tensor) else np.asarray(labels)
        if y.ndim != 1 or y.dtype.kind not in "iu":
            raise ValueError("mi.torch.Recorder: labels must be a 1-D integer array, got %s %s" % (y.dtype, y.shape))
        if y.shape[0] != self.inputs.shape[0]:
            raise ValueError("mi.torch.Recorder: %d labels for %d input rows" % (y.shape[0], self.inputs.shape[0]))
        self.labels = y.astype(np.int64)
        self.epochs = None if epochs is None else sorted({_positive("epoch", e, 0) for e in epochs})
        self._grid = None if self.epochs is None else set(self.epochs)
        self.input_ids = None if input_ids is None else np.asarray(input_ids)
        self.x = None if x is None else (x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x))
        self.replicas = None if replicas is None else np.asarray(replicas)
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError("mi.torch.Recorder: dtype must be float32 or float64")
        self.batch_size = None if batch_size is None else _positive("batch_size", batch_size)
        self.layers = {}  # (epoch, layer index) -> rows x units array

    def wants(self, epoch):
        """True when `epoch` is on the recording grid."""
        return self._grid is None or epoch in self._grid

    def record(self, epoch, force=False):
        """Records every chosen layer at `epoch` if it is on the grid (or force); returns True if it recorded."""
        epoch = _positive("epoch", epoch, 0)
        if not (force or self.wants(epoch)):
            return False
        for i, a in enumerate(self.capture()):
            self.layers[(epoch, i)] = a
        return True

    def capture(self):
        """The chosen layers' outputs on `inputs` now (a list of rows x units arrays), without storing them."""
        torch = _torch()
        model = self.model
        modes = [(m, m.training) for m in model.modules()]
        cpu_state = torch.get_rng_state()
        cuda_states = torch.cuda.get_rng_state_all() if torch.cuda.is_available() and torch.cuda.is_initialized() else None
        outputs = [[] for _ in self.modules]
        seen = [0] * len(self.modules)

        def hook_for(i):
            def hook(module, args, out):
                if isinstance(out, (tuple, list)):
                    out = out[0]
                if not isinstance(out, torch.Tensor):
                    raise TypeError("mi.torch.Recorder: module %r returned %s, not a tensor"
                                    % (self.names[i], type(out).__name__))
                outputs[i].append(out.detach().to("cpu", copy=True))
                seen[i] += 1
            return hook

        handles = [m.register_forward_hook(hook_for(i)) for i, m in enumerate(self.modules)]
        try:
            model.eval()
            device = _device_of(model)
            n = self.inputs.shape[0]
            step = self.batch_size or n
            with torch.no_grad():
                for s in range(0, n, step):
                    batch = self.inputs[s:s + step]
                    if device is not None:
                        batch = batch.to(device)
                    before = list(seen)
                    model(batch)
                    for i, (b, a) in enumerate(zip(before, seen)):
                        if a != b + 1:
                            raise RuntimeError("mi.torch.Recorder: module %r ran %d times in one forward pass "
                                               "(expected once)" % (self.names[i], a - b))
        finally:
            for h in handles:
                h.remove()
            for m, training in modes:
                m.training = training
            torch.set_rng_state(cpu_state)
            if cuda_states is not None:
                torch.cuda.set_rng_state_all(cuda_states)
        out = []
        for i, chunks in enumerate(outputs):
            t = torch.cat(chunks, 0) if len(chunks) > 1 else chunks[0]
            a = t.reshape(t.shape[0], -1).numpy().astype(self.dtype, copy=False)
            if not np.all(np.isfinite(a)):
                raise ValueError("mi.torch.Recorder: module %r produced NaN or Inf" % self.names[i])
            out.append(np.ascontiguousarray(a))
        return out

    # ---------------------------------------------------------- results

    def data(self):
        """The recording in the dict form mi.information_plane accepts."""
        if not self.layers:
            raise ValueError("mi.torch.Recorder: nothing recorded yet (call record(epoch) in the training loop)")
        d = {"labels": self.labels, "layers": dict(self.layers)}
        for k in ("input_ids", "x", "replicas"):
            v = getattr(self, k)
            if v is not None:
                d[k] = v
        return d

    def recording(self):
        """An mi.Recording holding the recorded activations (needs the mi extension)."""
        import mi
        samples = mi.Samples(self.labels, input_ids=self.input_ids, x=self.x, replicas=self.replicas)
        rec = mi.Recording(samples, dtype=self.dtype)
        for (e, l), a in sorted(self.layers.items()):
            rec.observe(e, l, a)
        return rec

    def save(self, dir, overwrite=False):
        """Writes the saved-activation layout (mi.saved) to `dir`, atomically."""
        from . import saved
        d = self.data()
        return saved.write(dir, d["labels"], d["layers"], input_ids=self.input_ids, x=self.x,
                           replicas=self.replicas, dtype=self.dtype, overwrite=overwrite)

    def plane(self, estimators, **kw):
        """mi.information_plane(self.data(), estimators, **kw): the plane as a DataFrame."""
        import mi
        return mi.information_plane(self.data(), estimators, **kw)


def _device_of(model):
    for p in model.parameters():
        return p.device
    for b in model.buffers():
        return b.device
    return None
