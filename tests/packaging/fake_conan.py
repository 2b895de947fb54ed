# SPDX-License-Identifier: BSD-3-Clause
"""The smallest stand-in for the `conan` Python API that mi's recipe imports,
so the recipe can be loaded and its methods run without Conan (which cannot be
installed on the machines mi is developed on). install() puts modules named
conan, conan.errors, conan.tools.{files,build,layout,scm} into sys.modules.

copy() copies real files the way Conan 2's does: the pattern is matched
against each file's path relative to src (fnmatch, so '*' also crosses '/'),
the relative path is kept, and zero matches is not an error (the silent
failure mode this stand-in exists to expose).
"""
import fnmatch
import os
import re
import shutil
import sys
import types


class ConanInvalidConfiguration(Exception):
    pass


class ConanException(Exception):
    pass


class _Attrs:
    """settings / options / folders: plain attribute bags."""

    def __init__(self, **values):
        self.__dict__.update(values)

    def get_safe(self, name, default=None):
        return getattr(self, name, default)


class _CppInfo:
    def __init__(self):
        self.properties = {}
        self.requires = []
        self.system_libs = []
        self.bindirs = ["bin"]
        self.libdirs = ["lib"]
        self.includedirs = ["include"]
        self.components = _Components()

    def set_property(self, name, value):
        self.properties[name] = value

    def get_property(self, name):
        return self.properties.get(name)


class _Components(dict):
    def __missing__(self, name):
        self[name] = _CppInfo()
        return self[name]


class _Info:
    def __init__(self):
        self.cleared = False

    def clear(self):
        self.cleared = True


class ConanFile:
    """Only what a header-only recipe touches; the driver sets the folders."""

    name = None
    version = None
    settings = None
    options = None
    default_options = {}

    def __init__(self):
        self.folders = _Attrs(source=".", build=".", generators="")
        self.cpp = _Attrs(source=_CppInfo(), build=_CppInfo(), package=_CppInfo())
        self.cpp_info = _CppInfo()
        self.info = _Info()
        self.requires_calls = []
        self.recipe_folder = None
        self.export_sources_folder = None
        self.source_folder = None
        self.package_folder = None
        self.conan_data = {}
        self.dependencies = {}

    def requires(self, ref, **kwargs):
        self.requires_calls.append(ref)

    def output(self, *args):
        pass


def copy(conanfile, pattern, src, dst, keep_path=True, excludes=None):
    copied = []
    if not os.path.isdir(src):
        return copied
    for root, _, files in os.walk(src):
        for name in files:
            rel = os.path.relpath(os.path.join(root, name), src).replace(os.sep, "/")
            if not fnmatch.fnmatch(rel, pattern):
                continue
            target = os.path.join(dst, rel if keep_path else name)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy2(os.path.join(root, name), target)
            copied.append(target)
    return copied


def get(conanfile, url, sha256=None, strip_root=False, **kwargs):
    conanfile.downloads = getattr(conanfile, "downloads", []) + [url]


def check_min_cppstd(conanfile, cppstd):
    have = conanfile.settings.compiler.cppstd
    number = lambda v: int(re.sub(r"^gnu", "", str(v)).replace("98", "3"))  # 98 < 11 < ... < 20
    if have is None or number(have) < number(cppstd):
        raise ConanInvalidConfiguration("Current cppstd (%s) is lower than the required C++ standard (%s)."
                                        % (have, cppstd))


def basic_layout(conanfile, src_folder=".", build_folder=None):
    conanfile.folders.source = src_folder
    conanfile.folders.build = build_folder or "build"
    conanfile.cpp.source.includedirs = ["include"]


class Version:
    def __init__(self, text):
        self.parts = tuple(int(p) for p in re.findall(r"\d+", str(text)))

    def _cmp(self, other):
        other = other if isinstance(other, Version) else Version(other)
        return (self.parts > other.parts) - (self.parts < other.parts)

    def __lt__(self, other): return self._cmp(other) < 0
    def __le__(self, other): return self._cmp(other) <= 0
    def __gt__(self, other): return self._cmp(other) > 0
    def __ge__(self, other): return self._cmp(other) >= 0
    def __eq__(self, other): return self._cmp(other) == 0


def install():
    modules = {
        "conan": dict(ConanFile=ConanFile),
        "conan.errors": dict(ConanInvalidConfiguration=ConanInvalidConfiguration, ConanException=ConanException),
        "conan.tools": {},
        "conan.tools.files": dict(copy=copy, get=get),
        "conan.tools.build": dict(check_min_cppstd=check_min_cppstd, can_run=lambda conanfile: True),
        "conan.tools.layout": dict(basic_layout=basic_layout),
        "conan.tools.scm": dict(Version=Version),
    }
    for name, members in modules.items():
        module = types.ModuleType(name)
        module.__dict__.update(members)
        sys.modules[name] = module
    sys.modules["conan"].errors = sys.modules["conan.errors"]
    sys.modules["conan"].tools = sys.modules["conan.tools"]
    for sub in ("files", "build", "layout", "scm"):
        setattr(sys.modules["conan.tools"], sub, sys.modules["conan.tools." + sub])
