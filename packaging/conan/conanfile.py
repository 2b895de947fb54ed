# SPDX-License-Identifier: BSD-3-Clause
# Conan 2 recipe for mi (header-only), building from this source tree:
#   conan create packaging/conan --build=missing
# The version is read from include/mi/version.hpp. Conan Center does not ship upstream
# CMake config files; CMakeDeps regenerates them from the properties set in
# package_info(), with the same file name (mi) and target (mi::mi) as the
# upstream install.
import os
import re

from conan import ConanFile
from conan.tools.build import check_min_cppstd
from conan.tools.files import copy
from conan.tools.layout import basic_layout

required_conan_version = ">=2.0"


class MiConan(ConanFile):
    name = "mi"
    description = ("Header-only C++17 library of mutual-information estimators for "
                   "information-plane analysis of neural networks")
    license = "BSD-3-Clause"
    topics = ("mutual-information", "information-bottleneck", "entropy", "header-only")
    package_type = "header-library"
    settings = "os", "arch", "compiler", "build_type"
    no_copy_source = True

    def _root(self):
        return os.path.join(self.recipe_folder, "..", "..")

    def set_version(self):
        text = open(os.path.join(self._root(), "include", "mi", "version.hpp")).read()
        parts = [re.search(r"#define MI_VERSION_%s (\d+)" % p, text).group(1)
                 for p in ("MAJOR", "MINOR", "PATCH")]
        self.version = ".".join(parts)

    def export_sources(self):
        copy(self, "LICENSE", self._root(), self.export_sources_folder)
        copy(self, "*.hpp", os.path.join(self._root(), "include"),
             os.path.join(self.export_sources_folder, "include"))

    def layout(self):
        basic_layout(self, src_folder="src")

    def requirements(self):
        # xtensor 0.24.7 is the C++17-compatible release on Conan Center; it pins
        # xsimd 13.0.0, which mi's SIMD shim supports. xtensor 0.27 needs C++20.
        self.requires("xtensor/0.24.7")
        self.requires("xsimd/13.0.0")
        self.requires("xtl/0.7.5")

    def package_id(self):
        self.info.clear()

    def validate(self):
        check_min_cppstd(self, 17)

    def build(self):
        pass

    def package(self):
        copy(self, "LICENSE", self.source_folder, os.path.join(self.package_folder, "licenses"))
        copy(self, "*.hpp", os.path.join(self.source_folder, "include"),
             os.path.join(self.package_folder, "include"))

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "mi")
        self.cpp_info.set_property("cmake_target_name", "mi::mi")
        self.cpp_info.set_property("pkg_config_name", "mi")
        self.cpp_info.bindirs = []
        self.cpp_info.libdirs = []
        if self.settings.os in ("Linux", "FreeBSD"):
            self.cpp_info.system_libs = ["pthread"]
