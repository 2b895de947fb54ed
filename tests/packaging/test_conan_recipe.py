# SPDX-License-Identifier: BSD-3-Clause
"""Runs mi's Conan recipe (packaging/conan/conanfile.py) through the steps of
`conan create` with a stand-in for the conan API (fake_conan.py):

  export   set_version(), export_sources() into an export folder
  source   the exported files copied to the base source folder (as Conan 2
           does: to the base, not to a layout's src/ subfolder), layout(),
           source_folder = base / folders.source, source()
  package  package() into a package folder

and checks that the package holds every public header under include/mi/ and
the LICENSE, that package_info() declares the components mi and linalg with
their targets and requirements, and validate()'s C++ standard rules.
usage: test_conan_recipe.py [RECIPE]  (default: packaging/conan/conanfile.py)
"""
import importlib.util
import os
import re
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import fake_conan  # noqa: E402

fake_conan.install()
failures = []


def check(condition, what):
    print(("ok      " if condition else "FAILED  ") + what)
    if not condition:
        failures.append(what)


def load_recipe(path, recipe_folder):
    spec = importlib.util.spec_from_file_location("mi_conanfile", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    recipe = module.MiConan()
    recipe.recipe_folder = recipe_folder
    return recipe


def conandata(recipe_folder):
    """The version keys of conandata.yml's sources (a two-level map; no YAML library needed)."""
    path = os.path.join(recipe_folder, "conandata.yml")
    if not os.path.isfile(path):
        return {}
    text = open(path).read()
    return {"sources": {v: {"url": u} for v, u in re.findall(r'^  "([^"]+)":\s*\n\s+url: "([^"]+)"', text, re.M)}}


def configure(recipe, cppstd="17", xtensor="0.24.7", with_linalg=True):
    recipe.settings = fake_conan._Attrs(os="Linux", arch="x86_64", build_type="Release",
                                        compiler=fake_conan._Attrs(cppstd=cppstd))
    recipe.options = fake_conan._Attrs(with_linalg=with_linalg)
    dep = lambda version, **options: fake_conan._Attrs(ref=fake_conan._Attrs(version=version),
                                                       options=fake_conan._Attrs(**options))
    recipe.dependencies = {"xtensor": dep(xtensor), "xsimd": dep("13.0.0"), "xtensor-blas": dep("0.21.0"),
                           "openblas": dep("0.3.27", build_lapack=True)}


def main():
    recipe_path = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(ROOT, "packaging", "conan",
                                                                                     "conanfile.py")
    # The recipe finds mi's tree relative to its own folder, as when run from the repository.
    recipe_folder = os.path.join(ROOT, "packaging", "conan")
    headers = sorted(os.path.relpath(os.path.join(d, f), os.path.join(ROOT, "include")).replace(os.sep, "/")
                     for d, _, fs in os.walk(os.path.join(ROOT, "include", "mi")) for f in fs if f.endswith(".hpp"))
    with tempfile.TemporaryDirectory() as tmp:
        # export
        recipe = load_recipe(recipe_path, recipe_folder)
        recipe.conan_data = conandata(recipe_folder)
        if hasattr(recipe, "set_version"):
            recipe.set_version()
        version = open(os.path.join(ROOT, "include", "mi", "version.hpp")).read()
        want = ".".join(re.search(r"#define MI_VERSION_%s (\d+)" % p, version).group(1) for p in ("MAJOR", "MINOR", "PATCH"))
        check(recipe.version == want, "set_version() reads include/mi/version.hpp (%s == %s)" % (recipe.version, want))
        recipe.export_sources_folder = os.path.join(tmp, "export_sources")
        os.makedirs(recipe.export_sources_folder)
        recipe.export_sources()

        # source: Conan 2 copies the exported sources into the base source folder
        base = os.path.join(tmp, "source")
        fake_conan.copy(recipe, "*", recipe.export_sources_folder, base)
        configure(recipe)
        recipe.layout()
        recipe.export_sources_folder = base
        recipe.source_folder = os.path.normpath(os.path.join(base, recipe.folders.source))
        if hasattr(recipe, "source"):
            recipe.source()
        check(not getattr(recipe, "downloads", []), "source() downloads nothing when the sources were exported")

        # package
        recipe.package_folder = os.path.join(tmp, "package")
        recipe.package()
        packaged = sorted(os.path.relpath(os.path.join(d, f), os.path.join(recipe.package_folder, "include"))
                          .replace(os.sep, "/")
                          for d, _, fs in os.walk(os.path.join(recipe.package_folder, "include")) for f in fs)
        missing = [h for h in headers if h not in packaged]
        check(not missing and len(headers) > 0,
              "package() copies all %d public headers under include/mi/ (%d packaged, missing %s)"
              % (len(headers), len(packaged), missing[:5] + (["..."] if len(missing) > 5 else [])))
        check(os.path.isfile(os.path.join(recipe.package_folder, "licenses", "LICENSE")),
              "package() copies LICENSE to licenses/")

    # attributes Conan Center asks for
    check(getattr(recipe, "package_type", None) == "header-library", "package_type = header-library")
    for attribute in ("url", "homepage", "license", "description", "topics"):
        check(bool(getattr(recipe, attribute, None)), "%s is set" % attribute)
    check(want in recipe.conan_data.get("sources", {}), "conandata.yml has sources for %s" % want)
    recipe.package_id()
    check(recipe.info.cleared, "package_id() clears the info (one package for every configuration)")

    # requirements: version ranges
    recipe.requires_calls = []
    recipe.requirements()
    refs = {r.split("/")[0]: r.split("/", 1)[1] for r in recipe.requires_calls}
    check(refs.get("xtensor", "").startswith("["), "xtensor required with a version range (%s)" % refs.get("xtensor"))
    check(refs.get("xsimd", "").startswith("["), "xsimd required with a version range (%s)" % refs.get("xsimd"))
    check("xtensor-blas" in refs and "openblas" in refs, "with_linalg requires xtensor-blas and openblas")
    configure(recipe, with_linalg=False)
    recipe.requires_calls = []
    recipe.requirements()
    check(not any(r.startswith(("xtensor-blas", "openblas")) for r in recipe.requires_calls),
          "with_linalg=False requires no BLAS/LAPACK")

    # validate(): C++17, and C++20 with xtensor 0.27
    def valid(**kwargs):
        configure(recipe, **kwargs)
        try:
            recipe.validate()
            return True
        except fake_conan.ConanInvalidConfiguration:
            return False
    check(valid(cppstd="17"), "validate(): C++17 with xtensor 0.24.7 is accepted")
    check(not valid(cppstd="14"), "validate(): C++14 is rejected")
    check(not valid(cppstd="17", xtensor="0.27.1"), "validate(): C++17 with xtensor 0.27.1 is rejected")
    check(valid(cppstd="20", xtensor="0.27.1"), "validate(): C++20 with xtensor 0.27.1 is accepted")

    # package_info(): file name, components, targets, requirements
    configure(recipe)
    recipe.cpp_info = fake_conan._CppInfo()
    recipe.package_info()
    info = recipe.cpp_info
    check(info.get_property("cmake_file_name") == "mi", "cmake_file_name = mi")
    components = info.components
    check(set(components) == {"mi", "linalg"}, "components mi and linalg (%s)" % sorted(components))
    core, linalg = components["mi"], components["linalg"]
    check(core.get_property("cmake_target_name") == "mi::mi", "component mi -> target mi::mi")
    check(set(core.requires) >= {"xtensor::xtensor", "xsimd::xsimd"}, "mi requires xtensor and xsimd (%s)" % core.requires)
    check(linalg.get_property("cmake_target_name") == "mi::linalg", "component linalg -> target mi::linalg")
    check("mi" in linalg.requires and "xtensor-blas::xtensor-blas" in linalg.requires
          and any(r.startswith("openblas::") for r in linalg.requires),
          "linalg requires mi, xtensor-blas and openblas (%s)" % linalg.requires)
    check(info.get_property("cmake_target_name") not in ("mi::mi", "mi::linalg"),
          "the aggregate target does not take a component's name")
    check(all(c.libdirs == [] and c.bindirs == [] for c in components.values()), "no lib/bin dirs (header-only)")
    configure(recipe, with_linalg=False)
    recipe.cpp_info = fake_conan._CppInfo()
    recipe.package_info()
    check(set(recipe.cpp_info.components) == {"mi"}, "with_linalg=False: component mi only")

    # test_package: self-contained, both components
    tp = os.path.join(ROOT, "packaging", "conan", "test_package")
    cmake = open(os.path.join(tp, "CMakeLists.txt")).read()
    sources = re.findall(r"add_executable\(\s*\S+\s+([^)]+)\)", cmake)
    check(sources and all(os.path.isfile(os.path.join(tp, s)) and ".." not in s for s in sources[0].split()),
          "test_package builds its own source file (%s)" % sources)
    check("mi::linalg" in cmake and "mi::mi" in cmake, "test_package links mi::mi and mi::linalg")

    print("%d check(s) failed" % len(failures) if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
