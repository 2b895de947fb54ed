# SPDX-License-Identifier: BSD-3-Clause
"""include/mi/version.hpp is the one place mi's version is written (CMake and
the Conan recipe read it); the files that must repeat it agree with it:
packaging/vcpkg/ports/mi/vcpkg.json ("version") and the newest release in
packaging/conan/conandata.yml. Any disagreement fails, naming both values."""
import json
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def read(*parts):
    with open(os.path.join(ROOT, *parts)) as f:
        return f.read()


def version_key(text):
    return tuple(int(p) for p in text.split("."))


header = read("include", "mi", "version.hpp")
version = ".".join(re.search(r"#define MI_VERSION_%s (\d+)" % p, header).group(1) for p in ("MAJOR", "MINOR", "PATCH"))
vcpkg = json.loads(read("packaging", "vcpkg", "ports", "mi", "vcpkg.json"))["version"]
releases = re.findall(r'^  "([0-9.]+)":', read("packaging", "conan", "conandata.yml"), re.M)
conan = max(releases, key=version_key) if releases else None

failed = False
for what, value in (("packaging/vcpkg/ports/mi/vcpkg.json version", vcpkg),
                    ("packaging/conan/conandata.yml newest source", conan)):
    ok = value == version
    failed |= not ok
    print("%s %s = %s (include/mi/version.hpp: %s)" % ("ok    " if ok else "FAILED", what, value, version))
sys.exit(1 if failed else 0)
