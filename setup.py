# SPDX-License-Identifier: BSD-3-Clause
"""The Python package mi (python/mi) and its extension mi._mi_<isa> (python/src).

    /usr/bin/python3 -m pip install --no-build-isolation .

builds offline with the system's setuptools and pybind11 (Debian: python3-pybind11,
pybind11-dev, libxtensor-dev, libxsimd-dev, libxtensor-blas-dev, liblapack-dev).
Builds one extension per SIMD instruction set (mi._mi_sse2, the portable baseline;
mi._mi_avx2; mi._mi_avx512; MI_PYTHON_ISAS="sse2,avx2" restricts the set) and mi picks
the best one the CPU supports at import (MI_PYTHON_ISA overrides; mi.build_info() tells).
MI_PYTHON_CXXFLAGS adds compiler flags to every variant; MI_PYTHON_BUILD_DIR moves the build
tree. CMake builds the same modules as the target mi_python (-DMI_BUILD_PYTHON=ON; the baseline
only unless -DMI_PYTHON_ISAS="sse2;avx2;avx512").
"""
import os
import platform
import re
import shlex
import sysconfig

from pybind11.setup_helpers import ParallelCompile, Pybind11Extension, build_ext, naive_recompile
from setuptools import setup

HERE = os.path.dirname(os.path.abspath(__file__))


def version():
    text = open(os.path.join(HERE, "include", "mi", "version.hpp")).read()
    return ".".join(re.search(r"#define MI_VERSION_%s (\d+)" % p, text).group(1) for p in ("MAJOR", "MINOR", "PATCH"))


# The two translation units compile in parallel (NPY_NUM_BUILD_JOBS overrides the count).
# MI_PYTHON_REUSE_OBJECTS=1 (developers) reuses an object file newer than its source: header
# changes are not tracked then.
if os.environ.get("MI_PYTHON_REUSE_OBJECTS") == "1":
    ParallelCompile("NPY_NUM_BUILD_JOBS", default=2, needs_recompile=naive_recompile).install()
else:
    ParallelCompile("NPY_NUM_BUILD_JOBS", default=2).install()

# setuptools' build directory: not ./build, which is the CMake build tree of this repository
# (MI_PYTHON_BUILD_DIR overrides it).
BUILD = os.environ.get("MI_PYTHON_BUILD_DIR") or os.path.join("build-python", sysconfig.get_platform())
os.makedirs(BUILD, exist_ok=True)

# One extension module per SIMD instruction set, from the same sources (mi is header-only:
# the -m flags fix xsimd's width). python/mi/__init__.py imports the best one the CPU
# supports. MI_PYTHON_ISAS (comma- or space-separated) restricts the set; the baseline
# (sse2: no extra flags) is always built, it is the fallback and reports the CPU's features.
# Keep the flags in step with cmake/mi_python.cmake and _ISA_REQUIRES in python/mi/__init__.py.
ISA_FLAGS = {
    "sse2": [],
    "avx2": ["-mavx2", "-mfma", "-mbmi", "-mbmi2", "-ffp-contract=off"],
    "avx512": ["-mavx512f", "-mavx512cd", "-mavx512bw", "-mavx512dq", "-mavx512vl", "-mavx2", "-mfma", "-mbmi",
               "-mbmi2", "-ffp-contract=off"],
}
# -ffp-contract=off: scalar code rounds as in the baseline (no a*b+c fused into an FMA), so the
# variants differ only where mi's kernels ask for SIMD (xsimd::fma and the vector width: KDE,
# kNN distances); binning is bit-identical across variants (python/tests/test_isa.py).
X86 = re.match(r"(x86_64|amd64|i[3-6]86)$", platform.machine().lower() or "") is not None


def isas():
    wanted = re.split(r"[,\s]+", os.environ.get("MI_PYTHON_ISAS", "").strip())
    wanted = [w for w in wanted if w] or (list(ISA_FLAGS) if X86 else ["sse2"])
    unknown = [w for w in wanted if w not in ISA_FLAGS]
    if unknown:
        raise SystemExit(f"MI_PYTHON_ISAS: unknown instruction set(s) {unknown}; expected some of {list(ISA_FLAGS)}")
    return ["sse2"] + [w for w in ISA_FLAGS if w in wanted and w != "sse2"]


def extension(isa):
    ext = Pybind11Extension(
        f"mi._mi_{isa}",
        sources=["python/src/module.cpp", "python/src/estimators.cpp"],
        include_dirs=["include", "/usr/include"],
        libraries=["lapack", "blas"],  # renyi: xtensor-blas over LAPACK
        cxx_std=17,
        define_macros=[("MI_PY_MODULE_NAME", f"_mi_{isa}"), ("MI_PY_ISA", isa)],
        extra_compile_args=["-O2", "-g0"] + ISA_FLAGS[isa] + shlex.split(os.environ.get("MI_PYTHON_CXXFLAGS", "")),
    )
    ext.depends = [os.path.join("python", "src", "estimator.hpp")]
    return ext


class build_ext_per_isa(build_ext):
    """Every variant compiles the same sources with other flags: a temp directory each, so
    that no variant links another's object files."""

    def build_extension(self, ext):
        temp = self.build_temp
        self.build_temp = os.path.join(temp, ext.name.rsplit(".", 1)[-1])
        try:
            super().build_extension(ext)
        finally:
            self.build_temp = temp


setup(
    name="mi",
    version=version(),
    description="Mutual-information estimators for information-plane analysis (Python bindings of the C++ library mi)",
    license="BSD-3-Clause",
    packages=["mi"],
    package_dir={"mi": "python/mi"},
    ext_modules=[extension(isa) for isa in isas()],
    cmdclass={"build_ext": build_ext_per_isa},
    python_requires=">=3.8",
    install_requires=["numpy"],
    extras_require={"pandas": ["pandas"], "plot": ["matplotlib"], "torch": ["torch"]},
    entry_points={"console_scripts": ["mi-plane = mi.cli:main"]},
    zip_safe=False,
    options={"build": {"build_base": BUILD}, "egg_info": {"egg_base": BUILD}},
)
