#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Small gzip-compressed IDX files for tests/datasets/test_idx.cpp, compressed
with Python's gzip module (block types and member layout chosen here; the test
recomputes the payloads from the formulas below, not from a decoder).

The payloads follow formulas the test recomputes:
  images: 50 x 28 x 28 unsigned bytes, pixel (n, r, c) = (13 n + r*r + 3 c) % 256
          if (n + r + c) % 5 != 0 else 0
  labels: 50 unsigned bytes, label n = (7 n) % 10
Files (tests/data/):
  engine_idx_images.gz   level 9 (dynamic Huffman blocks)
  engine_idx_stored.gz   level 0 (stored blocks)
  engine_idx_labels.gz   level 9 (a short stream: fixed Huffman block)
  engine_idx_multi.gz    the labels file as two concatenated gzip members
Re-run from the repository root:
    /usr/bin/python3 tests/reference/engine_idx_reference.py
"""
import gzip
import os
import struct
import zlib

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")


def idx(type_code, dims, payload):
    return bytes([0, 0, type_code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + payload


def gz(data, level):
    # mtime=0 so the files are reproducible byte for byte.
    return gzip.compress(data, compresslevel=level, mtime=0)


def block_type(gzdata):
    # The 3 header bits of the first deflate block (no optional gzip fields here).
    return (gzdata[10] >> 1) & 3


def main():
    images = bytes(((13 * n + r * r + 3 * c) % 256) if (n + r + c) % 5 != 0 else 0
                   for n in range(50) for r in range(28) for c in range(28))
    labels = bytes((7 * n) % 10 for n in range(50))
    img = idx(0x08, [50, 28, 28], images)
    lab = idx(0x08, [50], labels)
    files = {
        "engine_idx_images.gz": gz(img, 9),
        "engine_idx_stored.gz": gz(img, 0),
        "engine_idx_labels.gz": gz(lab, 9),
        "engine_idx_multi.gz": gz(lab[:30], 9) + gz(lab[30:], 6),
    }
    assert block_type(files["engine_idx_images.gz"]) == 2, "expected a dynamic Huffman block"
    assert block_type(files["engine_idx_stored.gz"]) == 0, "expected a stored block"
    assert block_type(files["engine_idx_labels.gz"]) == 1, "expected a fixed Huffman block"
    for name, data in files.items():
        assert zlib.decompress(data, 31) in (img, lab, lab[:30])
        with open(os.path.join(DATA, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
