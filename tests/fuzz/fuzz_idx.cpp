// SPDX-License-Identifier: BSD-3-Clause
// libFuzzer target: examples/datasets/idx.hpp's parse_idx on arbitrary bytes
// (raw IDX, or gzip when the bytes start with its magic). mi::error is the
// expected answer to bad input; anything else (another exception, a crash, a
// sanitizer report, an array inconsistent with its shape) is a finding.
//
// Why the harness also compresses: random mutations almost never produce a
// gzip stream whose CRC still matches, so the decompressing path would only
// ever see corrupt data. The input is therefore also gzip-compressed here
// (one or two members, split at a point the input chooses) and must decode to
// exactly what the raw bytes decode to: the same array, or mi::error for both.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <vector>

#include "datasets/idx.hpp"

namespace {

namespace ds = mi_examples::datasets;

std::vector<std::uint8_t> gzip_member(const std::uint8_t* data, std::size_t n, int level) {
    z_stream z{};
    if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
    std::vector<std::uint8_t> out(deflateBound(&z, static_cast<uLong>(n)));
    z.next_in = const_cast<Bytef*>(data);
    z.avail_in = static_cast<uInt>(n);
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) std::abort();
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

std::optional<ds::idx_array> parse(const std::uint8_t* data, std::size_t n) {
    try {
        ds::idx_array a = ds::parse_idx(data, n, "fuzz");
        std::size_t count = 1;
        for (std::size_t d : a.shape) count *= d;
        if (a.shape.empty() || a.width() == 0 || count * a.width() != a.bytes.size()) {
            std::fprintf(stderr, "finding: parse_idx returned an array inconsistent with its shape\n");
            std::abort();
        }
        volatile double sink = 0;
        for (std::size_t i = 0; i < a.size() && i < 64; ++i) sink = sink + a.value(i);
        return a;
    } catch (const mi::error&) {
        return std::nullopt;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const auto raw = parse(data, size);
        if (ds::detail::is_gzip(data, size) || size > (1u << 16)) return 0;
        const std::size_t cut = size == 0 ? 0 : data[size - 1] % (size + 1);
        auto gz = gzip_member(data, cut, static_cast<int>(size % 10));
        const auto tail = gzip_member(data + cut, size - cut, 6);
        if (cut > 0) gz.insert(gz.end(), tail.begin(), tail.end());
        else gz = tail;
        const auto packed = parse(gz.data(), gz.size());
        const bool same = raw.has_value() == packed.has_value() &&
                          (!raw || (raw->type == packed->type && raw->shape == packed->shape &&
                                    raw->bytes == packed->bytes));
        if (!same) {
            std::fprintf(stderr, "finding: raw and gzip-compressed bytes decode differently (raw %s, gzip %s)\n",
                         raw ? "ok" : "error", packed ? "ok" : "error");
            std::abort();
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "finding: exception other than mi::error: %s\n", e.what());
        std::abort();
    }
    return 0;
}
