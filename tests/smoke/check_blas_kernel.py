# SPDX-License-Identifier: BSD-3-Clause
"""A reproduction program runs its products with OpenBLAS kernels that fit the CPU
(examples/engine/blas_kernel.hpp), and never overrides the user's OPENBLAS_CORETYPE.

    check_blas_kernel.py PROGRAM WORK_DIR [program options]

Runs PROGRAM twice: with OPENBLAS_CORETYPE unset, and with OPENBLAS_CORETYPE=Prescott.
The CPU's extensions are read from /proc/cpuinfo here, independently of the program's own
test. Exit 77 (skipped) when the program does not report an OpenBLAS kernel (another BLAS).
"""
import os
import re
import subprocess
import sys

SSE_ERA = {"katmai", "coppermine", "northwood", "prescott", "banias", "atom", "core2", "penryn",
           "dunnington", "nehalem", "opteron", "opteron(sse3)", "barcelona", "bobcat"}


def cpu_flags():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    return set()


def run(program, out, options, coretype):
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    if coretype:
        env["OPENBLAS_CORETYPE"] = coretype
    p = subprocess.run([program, "--out", out] + options, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{program} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    kernel = re.search(r"OpenBLAS kernels ([^\s,)]+)", p.stdout)
    return (kernel.group(1) if kernel else None), p.stderr


def main():
    program, work, options = sys.argv[1], sys.argv[2], sys.argv[3:]
    flags = cpu_flags()
    avx2 = {"avx2", "fma"} <= flags
    avx512 = avx2 and {"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"} <= flags
    failures = []

    forced, note = run(program, os.path.join(work, "forced"), options, "Prescott")
    if forced is None:
        print("the program reports no OpenBLAS kernel (linked to another BLAS): skipped")
        sys.exit(77)
    if forced != "Prescott" or "restarts" in note:
        failures.append(f"with OPENBLAS_CORETYPE=Prescott the program ran {forced} (note: {note.strip()!r})")

    chosen, note = run(program, os.path.join(work, "auto"), options, None)
    restarted = re.search(r"restarts with OPENBLAS_CORETYPE=(\w+)", note)
    expected = "SkylakeX" if avx512 else "Haswell" if avx2 else None
    if avx2 and chosen.lower() in SSE_ERA:
        failures.append(f"a CPU with {'AVX-512' if avx512 else 'AVX2/FMA'} ran OpenBLAS's {chosen} kernels")
    if restarted and (restarted.group(1) != expected or chosen != expected):
        failures.append(f"restarted for {restarted.group(1)}, ran {chosen}; expected {expected}")
    if not avx2 and restarted:
        failures.append("restarted on a CPU without AVX2/FMA")
    print(f"CPU: AVX2/FMA {avx2}, AVX-512 {avx512}; OpenBLAS kernels {chosen}"
          f"{' after a restart' if restarted else ''}; forced Prescott ran {forced}")
    if failures:
        sys.exit("\n".join(failures))


if __name__ == "__main__":
    main()
