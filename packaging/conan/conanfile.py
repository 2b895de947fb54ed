# SPDX-License-Identifier: BSD-3-Clause
# Conan 2 recipe for mi, a header-only library, in Conan Center's form.
#
# Two ways to get the sources, one recipe:
#   * from this source tree: `conan create packaging/conan --build=missing`;
#     export_sources() copies include/ and LICENSE next to the recipe and
#     source() has nothing to fetch;
#   * as a registry recipe (copied without the tree, e.g. conan-center-index's
#     recipes/mi/all/): source() downloads the release named in conandata.yml.
# Either way the sources sit at the source folder's root (include/mi/...,
# LICENSE), which is where package() copies them from; tests/packaging/
# test_conan_recipe.py checks that with a stand-in for the conan API.
#
# Conan Center does not ship upstream CMake config files: CMakeDeps writes
# them from package_info(), with upstream's names (find_package(mi), mi::mi,
# mi::linalg).
import os
import re

from conan import ConanFile
from conan.errors import ConanInvalidConfiguration
from conan.tools.build import check_min_cppstd
from conan.tools.files import copy, get
from conan.tools.layout import basic_layout
from conan.tools.scm import Version

required_conan_version = ">=2.0"


class MiConan(ConanFile):
    name = "mi"
    description = ("Header-only C++17 library of mutual-information estimators for "
                   "information-plane analysis of neural networks")
    license = "BSD-3-Clause"
    url = "https://github.com/conan-io/conan-center-index"
    homepage = "https://github.com/mi-developers/mi"
    topics = ("mutual-information", "information-bottleneck", "entropy", "neural-networks", "header-only")
    package_type = "header-library"
    settings = "os", "arch", "compiler", "build_type"
    options = {"with_linalg": [True, False]}
    default_options = {"with_linalg": True}
    no_copy_source = True

    @property
    def _tree(self):
        """mi's source tree when the recipe is used from it (packaging/conan/ -> root)."""
        return os.path.normpath(os.path.join(self.recipe_folder, "..", ".."))

    def _tree_version_header(self):
        header = os.path.join(self._tree, "include", "mi", "version.hpp")
        return header if os.path.isfile(header) else None

    def set_version(self):
        # From the tree, include/mi/version.hpp is the one place the version is
        # written; a registry recipe gets it from the command line.
        header = self._tree_version_header()
        if self.version is None and header:
            with open(header) as f:
                text = f.read()
            self.version = ".".join(re.search(r"#define MI_VERSION_%s (\d+)" % part, text).group(1)
                                    for part in ("MAJOR", "MINOR", "PATCH"))

    def export_sources(self):
        if self._tree_version_header():
            copy(self, "LICENSE", self._tree, self.export_sources_folder)
            copy(self, "*.hpp", os.path.join(self._tree, "include"),
                 os.path.join(self.export_sources_folder, "include"))

    def layout(self):
        # No src/ subfolder: exported sources land at the base folder.
        basic_layout(self)

    def requirements(self):
        # Ranges: mi supports xtensor 0.24.3-0.27 and xsimd 8.1-14. Conan Center has
        # xtensor 0.24.7 (C++14/17) and 0.27.1 (C++20, see validate()). xtl comes with xtensor.
        self.requires("xtensor/[>=0.24.3 <0.28]")
        self.requires("xsimd/[>=8.1 <15]")
        if self.options.with_linalg:
            self.requires("xtensor-blas/[>=0.20 <0.23]")
            self.requires("openblas/[>=0.3.20 <0.4]")

    def package_id(self):
        self.info.clear()

    def validate(self):
        check_min_cppstd(self, 17)
        xtensor = self.dependencies["xtensor"].ref.version
        if Version(xtensor) >= "0.27":
            # xtensor 0.27 uses C++20 concepts; mi itself is C++17 that also compiles as C++20.
            check_min_cppstd(self, 20)
        if self.options.with_linalg and not self.dependencies["openblas"].options.get_safe("build_lapack", True):
            raise ConanInvalidConfiguration("mi::linalg needs LAPACK: use -o openblas/*:build_lapack=True")

    def source(self):
        if os.path.isfile(os.path.join(self.source_folder, "include", "mi", "version.hpp")):
            return  # exported from the tree
        get(self, **self.conan_data["sources"][self.version], strip_root=True)

    def build(self):
        pass

    def package(self):
        copy(self, "LICENSE", self.source_folder, os.path.join(self.package_folder, "licenses"))
        copy(self, "*.hpp", os.path.join(self.source_folder, "include"),
             os.path.join(self.package_folder, "include"))

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "mi")
        # The aggregate of all components: upstream has none, so it gets a name
        # nobody links by accident; mi::mi is the core component, as upstream.
        self.cpp_info.set_property("cmake_target_name", "mi::mi_all_do_not_use")
        self.cpp_info.set_property("pkg_config_name", "mi_all_do_not_use")
        self.cpp_info.bindirs = []
        self.cpp_info.libdirs = []

        core = self.cpp_info.components["mi"]
        core.set_property("cmake_target_name", "mi::mi")
        core.set_property("pkg_config_name", "mi")
        core.requires = ["xtensor::xtensor", "xsimd::xsimd"]
        core.bindirs = []
        core.libdirs = []
        if self.settings.os in ("Linux", "FreeBSD"):
            core.system_libs = ["pthread"]

        if self.options.with_linalg:
            linalg = self.cpp_info.components["linalg"]
            linalg.set_property("cmake_target_name", "mi::linalg")
            linalg.set_property("pkg_config_name", "mi-linalg")
            linalg.requires = ["mi", "xtensor-blas::xtensor-blas", "openblas::openblas"]
            linalg.bindirs = []
            linalg.libdirs = []
