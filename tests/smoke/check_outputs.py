#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Checks a reproduction program's output directory against tests/smoke/manifest.txt.

usage: check_outputs.py MANIFEST PROGRAM OUT_DIR
       check_outputs.py --same-rows TABLE DIR_A DIR_B   (the same rows in any order: shards + merge)
Exit status 0 when every check passes; otherwise each failure is printed.
"""
import csv
import glob
import math
import os
import sys


def read_rows(path):
    with open(path, newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    reader = csv.reader(lines)
    header = next(reader, None)
    return header, list(reader)


def finite(text):
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def check_program(manifest, program, out):
    wanted = []
    with open(manifest) as f:
        for line in f:
            parts = line.split()
            if parts and not parts[0].startswith("#") and parts[0] == program:
                wanted.append((parts[1], parts[2].split(",")))
    errors = []
    if not wanted:
        errors.append("%s has no line in %s" % (program, manifest))
    for table, columns in wanted:
        path = os.path.join(out, table + ".csv")
        if not os.path.isfile(path):
            errors.append("%s: missing" % path)
            continue
        header, rows = read_rows(path)
        if not header:
            errors.append("%s: no header" % path)
            continue
        if not rows:
            errors.append("%s: no rows" % path)
        for c in columns:
            if c not in header:
                errors.append("%s: column %s missing (has %s)" % (path, c, ",".join(header)))
        for i, r in enumerate(rows):
            if len(r) != len(header):
                errors.append("%s row %d: %d fields, header has %d" % (path, i + 1, len(r), len(header)))
                continue
            cells = dict(zip(header, r))
            for c in columns:
                if c in cells and not finite(cells[c]):
                    errors.append("%s row %d: %s = %r is not a finite number" % (path, i + 1, c, cells[c]))
            for c, v in cells.items():
                if v.strip().lower() in ("nan", "-nan", "inf", "-inf", "+inf", "infinity", "-infinity"):
                    errors.append("%s row %d: %s = %r" % (path, i + 1, c, v))
            if len(errors) > 20:
                break
    if not glob.glob(os.path.join(out, "*.png")):
        errors.append("%s: no PNG figure was written" % out)
    return errors


def check_same_rows(table, a, b):
    ha, ra = read_rows(os.path.join(a, table + ".csv"))
    hb, rb = read_rows(os.path.join(b, table + ".csv"))
    if ha != hb:
        return ["%s: headers differ: %s vs %s" % (table, ha, hb)]
    if sorted(map(tuple, ra)) != sorted(map(tuple, rb)):
        return ["%s: %s and %s hold different rows (%d vs %d)" % (table, a, b, len(ra), len(rb))]
    return []


def main(argv):
    if len(argv) == 4 and argv[0] == "--same-rows":
        errors = check_same_rows(*argv[1:])
    elif len(argv) == 3:
        errors = check_program(*argv)
    else:
        sys.exit(__doc__)
    for e in errors:
        print("FAIL:", e)
    if errors:
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1:])
