#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Information-plane figures from any CSV written by mi::write_csv (or a
program's plane.csv): one PNG per estimator (and per value of --by, e.g. the
activation), points averaged over every other column such as the seed.

usage: plot_plane.py PLANE.csv --out DIR [--by COLUMN]
"""
import argparse
import sys

import miplot as mp


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("plane", help="plane CSV (mi::write_csv columns, optionally behind identifying columns)")
    p.add_argument("--out", required=True, help="directory for the PNG files")
    p.add_argument("--by", help="a column whose values get figures of their own (e.g. activation)")
    a = p.parse_args(argv)
    rows = mp.read_table(a.plane)
    norm = mp.epoch_norm(max(int(r["epoch"]) for r in rows))
    groups = mp.distinct(rows, a.by) if a.by else [None]
    for g in groups:
        sub = mp.where(rows, **{a.by: g}) if a.by else rows
        for k, params in enumerate(mp.distinct(sub, "parameters")):
            rr = mp.where(sub, parameters=params)
            fig, ax = mp.plt.subplots(figsize=(5.2, 4.2), layout="constrained")
            title = ("%s\n" % g if g else "") + mp.short_label(rr[0]["estimator"], params)
            mp.draw_plane(ax, mp.plane_points(rr), title, norm, xlabel=rr[0]["ixt_quantity"], unit=rr[0]["unit"])
            mp.epoch_colorbar(fig, ax, norm)
            mp.save(fig, mp.out_path(a.out, "plane_%s%d.png" % (g + "_" if g else "", k)), dpi=130)


if __name__ == "__main__":
    main(sys.argv[1:])
