#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Writes the seed corpus of the libFuzzer targets (tests/fuzz/corpus/<target>/):
a handful of small valid inputs per target, from which the fuzzer mutates.
scripts/fuzz.sh fuzzes a copy, so runs never grow the committed corpus.
Re-run from the repository root:  /usr/bin/python3 tests/fuzz/make_corpus.py
"""
import gzip
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def idx(type_code, dims, payload):
    return bytes([0, 0, type_code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + payload


def idx_corpus():
    images = idx(0x08, [2, 3, 3], bytes(range(18)))
    labels = idx(0x08, [4], bytes([0, 1, 2, 9]))
    write("fuzz_idx", "images_u8.idx", images)
    write("fuzz_idx", "labels_u8.idx", labels)
    write("fuzz_idx", "i16.idx", idx(0x0B, [2, 2], struct.pack(">4h", 1, -1, 300, -32768)))
    write("fuzz_idx", "i32.idx", idx(0x0C, [1], struct.pack(">i", -2)))
    write("fuzz_idx", "f32.idx", idx(0x0D, [3], struct.pack(">3f", 1.5, -2.0, 0.0)))
    write("fuzz_idx", "f64.idx", idx(0x0E, [1], struct.pack(">d", 3.141592653589793)))
    write("fuzz_idx", "i8.idx", idx(0x09, [2], bytes([0x80, 0x7F])))
    # mtime=0: reproducible bytes.
    write("fuzz_idx", "images.gz", gzip.compress(images, 9, mtime=0))
    write("fuzz_idx", "labels_stored.gz", gzip.compress(labels, 0, mtime=0))
    write("fuzz_idx", "labels_two_members.gz",
          gzip.compress(labels[:5], 9, mtime=0) + gzip.compress(labels[5:], 1, mtime=0))


def csv_corpus():
    # First byte: even = read_szt_split, odd = reproduce::table::read.
    with open(os.path.join(ROOT, "examples", "datasets", "data", "ib_data_npz_split.csv"), "rb") as f:
        split = f.read()
    write("fuzz_csv", "szt_split.csv", b"\x00" + split)
    write("fuzz_csv", "szt_split_head.csv", b"\x00" + b"\n".join(split.split(b"\n")[:6]) + b"\n")
    write("fuzz_csv", "table.csv",
          b"\x01# program: szt_tanh_vs_relu\nepoch,layer,estimator,ixt,ity\n"
          b"0,1,binning,3.5,0.25\n10,1,kde,,1e-3\n")
    write("fuzz_csv", "table_quoted.csv",
          b"\x01name,value\r\n\"a, b\",1\r\n\"say \"\"hi\"\"\",-2.5e+10\r\n\"two\nlines\",nan\r\n")


def matrix(rows, cols, classes, which, flags, q, labels, values, ids=None, double=False):
    head = bytes([rows - 2, cols - 1, (classes - 1) | (0x80 if ids is not None else 0), which,
                  (flags & 0xFE) | (1 if double else 0), q])
    body = bytes(labels) + (bytes(ids) if ids is not None else b"")
    fmt = "<%d%s" % (len(values), "d" if double else "f")
    return head + body + struct.pack(fmt, *values)


def estimator_corpus():
    import math
    rows, cols = 12, 3
    values = [math.tanh(0.37 * i - 2.0 + 0.11 * (i % 5)) for i in range(rows * cols)]
    labels = [i % 2 for i in range(rows)]
    for which, q in [(0, 28), (3, 10), (10, 4), (12, 2), (16, 2), (20, 3), (21, 0), (23, 3), (24, 4),
                     (25, 3), (26, 3), (27, 2), (28, 10), (29, 2), (30, 3), (31, 0), (33, 2)]:
        write("fuzz_estimators", "tanh_%02d.bin" % which, matrix(rows, cols, 2, which, 0, q, labels, values))
    # Repeated inputs (explicit ids), doubles, 3 classes, replicas in pairs for sample propagation.
    ids = [i // 2 for i in range(rows)]
    write("fuzz_estimators", "replicas_double.bin",
          matrix(rows, cols, 3, 24, 0x08, 4, [i % 3 for i in range(rows)], values, ids=ids, double=True))
    write("fuzz_estimators", "ksg_ids.bin", matrix(rows, cols, 2, 17, 0x02, 3, labels, values, ids=ids))
    # Exact counting of a layer quantized to 4 levels, each input twice (counted H(T|X)).
    levels = [round(3 * (v + 1) / 2) / 3 for v in values]
    write("fuzz_estimators", "counted_ids.bin", matrix(rows, cols, 2, 32, 0x02, 4, labels, levels, ids=ids))
    # A constant layer and a layer of repeated values (ties).
    write("fuzz_estimators", "constant.bin", matrix(8, 2, 2, 11, 0, 4, [0, 1] * 4, [0.5] * 16))
    write("fuzz_estimators", "ties.bin", matrix(16, 1, 2, 14, 0, 1, [i % 2 for i in range(16)],
                                                [float(i % 3) for i in range(16)]))


def linalg_corpus():
    def m(no, ni, flags, q, values):
        return bytes([no - 1, ni - 1, flags, q]) + struct.pack("<%dd" % len(values), *values)
    w = [0.3 * i - 1.0 for i in range(6)]
    dw = [0.01 * (i % 3) - 0.005 for i in range(6)]
    eye = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
    write("fuzz_linalg", "bound.bin", m(2, 3, 0, 2, w + dw))
    write("fuzz_linalg", "bound_noiseless.bin", m(2, 3, 8, 2, w + dw))
    write("fuzz_linalg", "lg_x.bin", m(2, 3, 1, 2, w))
    write("fuzz_linalg", "lg_x_sigma.bin", m(2, 3, 0x11, 2, w + dw + eye))
    write("fuzz_linalg", "lg_y.bin", m(2, 3, 0x21, 2, w + dw))
    write("fuzz_linalg", "lg_y_sigma.bin", m(2, 3, 0x31, 2, w + dw + eye))


def checkpoint_corpus():
    # The byte layout of examples/reproduce/checkpoint.hpp (little-endian).
    def u8(v): return struct.pack("<B", v)
    def u32(v): return struct.pack("<I", v)
    def u64(v): return struct.pack("<Q", v)
    def text(s): return u64(len(s)) + s
    def texts(items): return u64(len(items)) + b"".join(text(s) for s in items)
    def floats(v): return u64(len(v)) + struct.pack("<%df" % len(v), *v)
    def doubles(v): return u64(len(v)) + struct.pack("<%dd" % len(v), *v)
    def fnv1a(data):
        h = 14695981039346656037
        for c in data:
            h = ((h ^ c) * 1099511628211) % (1 << 64)
        return h
    table = texts([b"epoch", b"ixt"]) + texts([b"# program: fuzz"]) + u64(2) + texts([b"0", b"1.5"]) + \
        texts([b"10", b"nan"])
    # the 3-4-2 network of fuzz_checkpoint.cpp: W1 4x3, b1 4, W2 2x4, b2 2
    shapes = [(12, 4), (8, 2)]
    network = u64(2) + b"".join(floats([0.1 * (i % 7) - 0.3 for i in range(w)]) + floats([0.0] * b)
                                for w, b in shapes)
    metrics = u64(0) + u8(1) + struct.pack("<4d", 0.69, 0.5, 0.70, 0.5) + doubles([1.0, 0.5]) + \
        doubles([0.1, 0.2]) + doubles([0.01, 0.02])
    moments = lambda sizes: u64(len(sizes)) + b"".join(floats([0.0] * n) for n in sizes)
    progress = u64(1) + u64(16) + struct.pack("<16Q", *reversed(range(16))) + u64(1) + metrics + u64(4) + \
        moments([12, 8]) + moments([12, 8]) + moments([4, 2]) + moments([4, 2])
    # a resumed order outside the 16 rows (train_from refuses it; it read past the set before)
    bad_order = progress.replace(struct.pack("<Q", 15), struct.pack("<Q", 16), 1)
    recording = u64(1) + struct.pack("<qQQQ", 0, 0, 16, 2) + struct.pack("<32f", *[0.25 * (i % 5) for i in range(32)])
    sections = [(b"table", table), (b"network", network)]
    header = b"mi-ckpt\n" + u32(1) + text(b"fuzz") + u64(0x5EED) + u32(len(sections)) + \
        b"".join(text(name) + u64(len(payload)) + u64(fnv1a(payload)) for name, payload in sections)
    container = header + u64(fnv1a(header)) + b"".join(payload for _, payload in sections)
    for mode, name, payload in [(0, "container.bin", container), (1, "table.bin", table), (2, "network.bin", network),
                                (3, "progress.bin", progress), (3, "progress_bad_order.bin", bad_order),
                                (4, "recording.bin", recording)]:
        write("fuzz_checkpoint", name, bytes([mode]) + payload)


if __name__ == "__main__":
    idx_corpus()
    csv_corpus()
    estimator_corpus()
    checkpoint_corpus()
    linalg_corpus()
