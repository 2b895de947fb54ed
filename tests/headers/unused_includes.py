#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Every mi header includes only mi headers it uses (issue 12: "no include a header does not use").

For each public header H and each `#include "mi/..."` I in it, the names I declares at namespace
scope (classes, structs, enums, concepts, aliases, functions, variables, macros: a simple scan of
the lines that start in column 0, mi's layout for namespace-scope code) are searched in H's code
(comments and string literals stripped). An include none of whose names H uses is reported, and
the script exits 1. A header that only includes others (the umbrella mi/plane.hpp) is not checked;
a shim that declares nothing of its own names what it provides with a comment
`// mi-provides: name, ...` (core/xtensor.hpp provides the namespace xt).

Usage: unused_includes.py [include-dir]   (default: the include/ next to tests/)
"""
import pathlib
import re
import sys

KEYWORDS = {"if", "for", "while", "switch", "return", "sizeof", "decltype", "static_assert", "namespace",
            "template", "operator", "alignas", "noexcept", "defined", "__has_include"}
DECLARATION = [
    re.compile(r"^(?:template\s*<.*>\s*)?(?:class|struct|union|concept|enum(?:\s+class)?)\s+(\w+)"),
    re.compile(r"^(?:template\s*<.*>\s*)?using\s+(\w+)\s*="),
    re.compile(r"^#\s*define\s+(\w+)"),
    re.compile(r"^(?:inline\s+|static\s+|constexpr\s+|extern\s+)*(?:const\s+)?[\w:<>,\s\*&]*?\b(\w+)\s*(?:=|\{|;|\()"),
]


def strip_comments_and_strings(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = re.sub(r"'(?:\\.|[^'\\\n])'", "' '", text)  # char literals first: '"' must not open a string
    return re.sub(r'"(?:\\.|[^"\\])*"', '""', text)


def declared_names(text):
    names = set(re.findall(r"//\s*mi-provides:\s*([\w\s,]+)", text) and
                re.split(r"[\s,]+", re.search(r"//\s*mi-provides:\s*([\w ,]+)", text).group(1).strip()))
    guard = re.search(r"^#ifndef\s+(\w+)", text, re.M)
    for line in strip_comments_and_strings(text).splitlines():
        line = re.sub(r"^(?:\[\[\w+\]\]\s*)+", "", line)
        if not line or line[0].isspace() or line.startswith(("}", "#include", "#if", "#endif", "#else", "#pragma", "#error")):
            continue
        if line.startswith("namespace") or line.startswith("template") and line.rstrip().endswith(">"):
            continue
        for pattern in DECLARATION:
            m = pattern.match(line)
            if m and m.group(1) not in KEYWORDS:
                names.add(m.group(1))
                break
    if guard:
        names.discard(guard.group(1))
    return names


def is_umbrella(text):
    """True for a header that only includes others (no code of its own besides its guard)."""
    code = strip_comments_and_strings(text)
    code = re.sub(r"^\s*#\s*(?:include|ifndef|define|endif|if|else|elif)\b[^\n]*", "", code, flags=re.M)
    return not code.strip()


def main():
    root = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parents[2] / "include"
    headers = sorted(root.glob("mi/**/*.hpp"))
    names = {h.relative_to(root).as_posix(): declared_names(h.read_text()) for h in headers}
    include = re.compile(r'^\s*#\s*include\s+"(mi/[^"]+)"', re.M)
    problems = []
    for h in headers:
        text = h.read_text()
        if is_umbrella(text):
            continue
        code = strip_comments_and_strings(include.sub(" ", text))
        words = set(re.findall(r"\w+", code))
        for inc in include.findall(text):
            declared = names.get(inc)
            if declared is None:
                problems.append(f"{h.relative_to(root)}: includes {inc}, which does not exist")
            elif not declared & words:
                problems.append(f"{h.relative_to(root)}: includes {inc} but uses none of its names "
                                f"({', '.join(sorted(declared)[:6])}{', ...' if len(declared) > 6 else ''})")
    for p in problems:
        print(p)
    print(f"{len(headers)} headers checked, {len(problems)} unused includes")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
