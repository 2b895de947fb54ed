# SPDX-License-Identifier: BSD-3-Clause
"""What every benchmark table says about the machine it was measured on.

The machines these benches run on change between sessions (an Intel Xeon one
day, an AMD Zen 5 the next), so nothing here is assumed from a table: the CPU
model is read from /proc/cpuinfo, the FP32 FMA peak is measured by
bench_peak (built next to the other bench programs), the SGEMM rate by numpy,
the BLAS kernel is what threadpoolctl reports OpenBLAS chose (with a line
when OPENBLAS_CORETYPE or OPENBLAS_L2_SIZE come from the environment), and the load
average is read when the table is made. compare_*.py call header() once at
the start and print its lines above their tables; a "% of peak" column
divides by measured_peak().

    /usr/bin/python3 bench/machine.py [--bench-dir build-bench/bench]   prints the header alone
"""
import argparse
import os
import platform
import subprocess
import sys
import time


def cpu_model():
    model, family = None, None
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name") and model is None:
                model = line.split(":", 1)[1].strip()
            elif line.startswith("cpu family") and family is None:
                family = line.split(":", 1)[1].strip()
    except OSError:
        pass
    model = model or platform.processor() or "unknown CPU"
    return f"{model} (family {family})" if family else model


def load_average():
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min)"


def blas_kernel():
    """numpy's BLAS as threadpoolctl sees it: library, version, kernel (architecture), threads."""
    try:
        __import__("numpy")  # loads the BLAS that threadpoolctl inspects
        import threadpoolctl
    except ImportError:
        return "unknown (numpy or threadpoolctl missing)"
    info = [i for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"]
    if not info:
        return "none found"
    return ", ".join(f"{i['internal_api']} {i.get('version')} kernel {i.get('architecture')} "
                     f"{i.get('num_threads')} threads" for i in info)


SSE_ERA_KERNELS = {"katmai", "coppermine", "northwood", "prescott", "banias", "atom", "core2", "penryn",
                   "dunnington", "nehalem", "opteron", "opteron(sse3)", "barcelona", "bobcat"}


def openblas_own_kernel():
    """The kernel OpenBLAS chooses by itself, without OPENBLAS_CORETYPE (a child numpy with the
    variable removed), or None when it cannot be asked."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    code = ("import numpy, threadpoolctl; print(' '.join(str(i.get('architecture')) for i in "
            "threadpoolctl.threadpool_info() if i.get('internal_api') == 'openblas'))")
    try:
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                             timeout=60).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return None
    return out[0] if out else None


def coretype_line():
    """A line for the header when the environment sets OpenBLAS's kernel or cache variables:
    OPENBLAS_CORETYPE overrides OpenBLAS's own choice of kernels for numpy, PyTorch and mi's
    engine alike (OPENBLAS_L2_SIZE its blocking). The 2-core VMs of these benches set
    OPENBLAS_CORETYPE=Haswell and OPENBLAS_L2_SIZE=512 for every process; on the AMD Zen 5 of
    2026-12-07, where OpenBLAS 0.3.21 chooses Cooperlake by itself, numpy's SGEMM 4096³ ran at
    207-219 GFLOP/s with Haswell, 366-399 with Cooperlake. Earlier pages unset them by hand
    (kde.md, engine.md); this line says which ones a table ran with."""
    names = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    found = [f"{n}={os.environ[n]}" for n in names if n in os.environ]
    if not found:
        return None
    line = f"* set in the environment: {', '.join(found)}"
    if "OPENBLAS_CORETYPE" in os.environ:
        own = openblas_own_kernel()
        forced = os.environ["OPENBLAS_CORETYPE"]
        line += (f" (OpenBLAS's own choice here: {own or 'unknown'}; every BLAS product in this run, "
                 f"on both sides, runs the {forced} kernels)")
    return line


def blas_fallback_warning():
    """A line for the header when OpenBLAS runs SSE-era kernels on a CPU with AVX2/FMA.

    That is OpenBLAS's fallback for a CPU newer than itself (0.3.21 on an Intel family 6
    model 207 ran Prescott, 3-4x slower SGEMM than SkylakeX). numpy's products and the
    engine's then both run slowly, so ratios against numpy's BLAS would flatter mi; the
    benches inherit the environment on both sides, and OPENBLAS_CORETYPE fixes both."""
    try:
        __import__("numpy")
        import threadpoolctl
    except ImportError:
        return None
    kernels = [str(i.get("architecture", "")) for i in threadpoolctl.threadpool_info()
               if i.get("internal_api") == "openblas"]
    flags = set()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
    except OSError:
        pass
    if not ({"avx2", "fma"} <= flags) or not any(k.lower() in SSE_ERA_KERNELS for k in kernels):
        return None
    better = "SkylakeX" if {"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"} <= flags else "Haswell"
    return (f"* **warning**: OpenBLAS runs its {kernels[0]} kernels (its fallback for a CPU it does not "
            f"know) on a CPU with AVX2/FMA: BLAS products on both sides are several times slower than they "
            f"should be; run the command again with OPENBLAS_CORETYPE={better}")


def peak_fields(bench_dir, threads=None):
    """bench_peak's fields (fp32_fma_gflops, and bf16_dot_gflops on AVX-512 BF16 builds), or {}."""
    exe = os.path.join(bench_dir, "bench_peak")
    if not os.path.exists(exe):
        return {}
    cmd = [exe] + ([str(threads)] if threads else [])
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return dict(tok.split("=") for tok in out.split())


def measured_peak(bench_dir, threads=None):
    """FP32 FMA GFLOP/s measured by bench_peak on `threads` threads (all by default), or None."""
    fields = peak_fields(bench_dir, threads)
    return float(fields["fp32_fma_gflops"]) if fields else None


def sgemm_rate(n=4096, reps=3):
    """numpy float32 n x n x n matrix product, GFLOP/s (best of reps)."""
    import numpy as np
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    a @ b
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t0)
    return 2.0 * n ** 3 / best / 1e9


def header(bench_dir, sgemm=True):
    """Markdown lines describing the machine now; returns (lines, peak GFLOP/s or None)."""
    fields = peak_fields(bench_dir)
    peak = float(fields["fp32_fma_gflops"]) if fields else None
    lines = [f"* CPU: {cpu_model()}, {os.cpu_count()} logical cores",
             "* FP32 FMA peak, measured (bench_peak, all cores): "
             + (f"{peak:.0f} GFLOP/s" if peak else "not measured (bench_peak not built)")]
    if "bf16_dot_gflops" in fields:
        lines.append(f"* BF16 dot-product peak (vdpbf16ps), measured the same way: "
                     f"{float(fields['bf16_dot_gflops']):.0f} GFLOP/s")
    lines.append(f"* numpy BLAS: {blas_kernel()}")
    coretype = coretype_line()
    if coretype:
        lines.append(coretype)
    warning = blas_fallback_warning()
    if warning:
        lines.append(warning)
    if sgemm:
        rate = sgemm_rate()
        share = f" ({100 * rate / peak:.0f} % of the FMA peak)" if peak else ""
        lines.append(f"* numpy SGEMM 4096³: {rate:.0f} GFLOP/s{share}")
        if peak and rate > peak:
            # No product beats the FMA peak: the measured peak is wrong (a bench_peak built for a
            # narrower instruction set than numpy's kernel, or a loaded machine), and so is every
            # "% of peak" below.
            lines.append("* **warning**: numpy's SGEMM runs faster than the measured FMA peak, so the peak and "
                         "every % of peak in these tables are too low; rebuild bench_peak with MI_NATIVE=ON "
                         "and measure on a quiet machine")
    lines.append(f"* load average when measured: {load_average()}")
    return lines, peak


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench-dir", default="build-bench/bench", help="where bench_peak was built")
    args = ap.parse_args()
    lines, _ = header(args.bench_dir)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
