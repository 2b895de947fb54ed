// SPDX-License-Identifier: BSD-3-Clause
// IDX reader for MNIST / Fashion-MNIST (LeCun's format: 2 zero bytes, a type
// byte, a dimension count, big-endian 32-bit dimensions, big-endian data),
// raw or gzip-compressed, as the datasets are distributed
// (/usr/share/datasets/fashion-mnist/*.gz on Debian's dataset-fashion-mnist).
//
// Why a hand-written inflate: the examples must build from mi's own CMake
// targets with nothing but the Debian packages mi already needs, and zlib is
// not among mi's link requirements. DEFLATE (RFC 1951) and the gzip wrapper
// (RFC 1952) are small enough to decode here, table-driven (one 2^15 lookup
// per Huffman code), and every integrity check the formats carry is enforced:
// header flags, Huffman code validity, back-reference distances, stored-block
// length complement, CRC-32 and length of every member. A truncated,
// inconsistent or corrupt file raises mi::error naming the file and the
// check; so does an IDX payload whose size disagrees with its dimensions.
//
// Images become an engine dataset with pixels scaled by 1/255 (ibsgd's
// utils.get_mnist: X / 255), flattened to rows x cols inputs; labels are class
// ids (10 classes for MNIST / Fashion-MNIST).
#ifndef MI_EXAMPLES_DATASETS_IDX_HPP
#define MI_EXAMPLES_DATASETS_IDX_HPP

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "engine/dataset.hpp"
#include "mi/core/error.hpp"

namespace mi_examples::datasets {

namespace detail {

[[noreturn]] inline void idx_fail(const std::string& source, const char* what, const std::string& value,
                                  const std::string& expected) {
    mi::detail::fail(("mi_examples::datasets::read_idx(" + source + ")").c_str(), what, value, expected);
}

inline std::uint32_t crc32(const std::uint8_t* data, std::size_t n) {
    static const auto table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    std::uint32_t c = 0xFFFFFFFFu;
    for (std::size_t i = 0; i < n; ++i) c = table[(c ^ data[i]) & 0xFFu] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

// LSB-first bit reader over a byte range; reading past the end yields zero
// bits but is counted, and inflate() rejects any stream that needed them.
class bit_reader {
public:
    bit_reader(const std::uint8_t* p, std::size_t n) : p_(p), n_(n) {}
    std::uint32_t peek(int k) {
        refill();
        return static_cast<std::uint32_t>(buf_ & ((std::uint64_t(1) << k) - 1));
    }
    void drop(int k) {
        buf_ >>= k;
        cnt_ -= k;
        consumed_ += static_cast<std::size_t>(k);
    }
    std::uint32_t bits(int k) {
        if (k == 0) return 0;
        const std::uint32_t v = peek(k);
        drop(k);
        return v;
    }
    void align() { drop(static_cast<int>((8 - consumed_ % 8) % 8)); }
    bool overrun() const noexcept { return consumed_ > 8 * n_; }
    std::size_t bytes_consumed() const noexcept { return (consumed_ + 7) / 8; }

private:
    void refill() {
        while (cnt_ <= 56) {
            const std::uint64_t b = pos_ < n_ ? p_[pos_] : 0;
            ++pos_;
            buf_ |= b << cnt_;
            cnt_ += 8;
        }
    }
    const std::uint8_t* p_;
    std::size_t n_;
    std::size_t pos_ = 0;
    std::uint64_t buf_ = 0;
    int cnt_ = 0;
    std::size_t consumed_ = 0;
};

// Canonical Huffman code as a 2^15-entry table indexed by the next 15 input
// bits: entry = symbol << 4 | code length (0 = no such code).
class huffman {
public:
    static constexpr int max_bits = 15;
    bool build(const std::uint8_t* lengths, std::size_t n) {
        table_.assign(std::size_t(1) << max_bits, 0);
        std::array<int, max_bits + 1> count{};
        for (std::size_t s = 0; s < n; ++s) ++count[lengths[s]];
        count[0] = 0;
        int left = 1;
        for (int len = 1; len <= max_bits; ++len) {
            left = (left << 1) - count[len];
            if (left < 0) return false;  // over-subscribed
        }
        std::array<int, max_bits + 2> next{};
        int code = 0;
        for (int len = 1; len <= max_bits; ++len) {
            code = (code + count[len - 1]) << 1;
            next[len] = code;
        }
        for (std::size_t s = 0; s < n; ++s) {
            const int len = lengths[s];
            if (len == 0) continue;
            const int c = next[len]++;
            int r = 0;  // bit-reversed code
            for (int i = 0; i < len; ++i) r |= ((c >> i) & 1) << (len - 1 - i);
            const auto entry = static_cast<std::uint32_t>(s << 4 | static_cast<std::size_t>(len));
            for (std::size_t k = static_cast<std::size_t>(r); k < table_.size(); k += std::size_t(1) << len)
                table_[k] = entry;
        }
        return true;
    }
    // Symbol, or -1 for a bit pattern that is no code.
    int decode(bit_reader& in) const {
        const std::uint32_t e = table_[in.peek(max_bits)];
        const int len = static_cast<int>(e & 15u);
        if (len == 0) return -1;
        in.drop(len);
        return static_cast<int>(e >> 4);
    }

private:
    std::vector<std::uint32_t> table_;
};

// Decodes one raw DEFLATE stream, appending to out; returns the bytes of input used.
inline std::size_t inflate(const std::uint8_t* data, std::size_t n, std::vector<std::uint8_t>& out,
                           const std::string& source) {
    static constexpr std::uint16_t len_base[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                                   31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
    static constexpr std::uint8_t len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                                   2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
    static constexpr std::uint16_t dist_base[30] = {1,    2,    3,    4,    5,    7,     9,     13,    17,  25,
                                                    33,   49,   65,   97,   129,  193,   257,   385,   513, 769,
                                                    1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
    static constexpr std::uint8_t dist_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                                    6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
    static constexpr std::uint8_t order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
    const auto corrupt = [&](const std::string& what) { idx_fail(source, "deflate stream", what, "valid DEFLATE data"); };
    const auto truncated = [&] { idx_fail(source, "compressed data", "truncated", "a complete gzip member"); };
    bit_reader in(data, n);
    huffman lit, dist;
    bool last = false;
    while (!last) {
        last = in.bits(1) == 1;
        const std::uint32_t type = in.bits(2);
        if (in.overrun()) truncated();
        if (type == 0) {
            in.align();
            const std::uint32_t len = in.bits(16), nlen = in.bits(16);
            if (in.overrun()) truncated();
            if ((len ^ 0xFFFFu) != nlen) corrupt("stored block length " + std::to_string(len) + " without its complement");
            for (std::uint32_t i = 0; i < len; ++i) out.push_back(static_cast<std::uint8_t>(in.bits(8)));
            if (in.overrun()) truncated();
            continue;
        }
        if (type == 3) corrupt("block type 3");
        if (type == 1) {
            std::uint8_t l[288], d[30];
            for (int i = 0; i < 144; ++i) l[i] = 8;
            for (int i = 144; i < 256; ++i) l[i] = 9;
            for (int i = 256; i < 280; ++i) l[i] = 7;
            for (int i = 280; i < 288; ++i) l[i] = 8;
            for (int i = 0; i < 30; ++i) d[i] = 5;
            lit.build(l, 288);
            dist.build(d, 30);
        } else {
            const std::uint32_t hlit = in.bits(5) + 257, hdist = in.bits(5) + 1, hclen = in.bits(4) + 4;
            if (hlit > 286 || hdist > 30) corrupt("code counts " + std::to_string(hlit) + "/" + std::to_string(hdist));
            std::uint8_t cl[19] = {};
            for (std::uint32_t i = 0; i < hclen; ++i) cl[order[i]] = static_cast<std::uint8_t>(in.bits(3));
            huffman clh;
            if (!clh.build(cl, 19)) corrupt("over-subscribed code-length code");
            std::uint8_t lengths[286 + 30] = {};
            std::uint32_t i = 0;
            while (i < hlit + hdist) {
                if (in.overrun()) truncated();
                const int sym = clh.decode(in);
                if (sym < 0) corrupt("invalid code-length code");
                if (sym < 16) {
                    lengths[i++] = static_cast<std::uint8_t>(sym);
                    continue;
                }
                std::uint32_t repeat = 0;
                std::uint8_t value = 0;
                if (sym == 16) {
                    if (i == 0) corrupt("repeat of no previous length");
                    value = lengths[i - 1];
                    repeat = 3 + in.bits(2);
                } else if (sym == 17) {
                    repeat = 3 + in.bits(3);
                } else {
                    repeat = 11 + in.bits(7);
                }
                if (i + repeat > hlit + hdist) corrupt("code lengths overflow");
                while (repeat--) lengths[i++] = value;
            }
            if (lengths[256] == 0) corrupt("no end-of-block code");
            if (!lit.build(lengths, hlit)) corrupt("over-subscribed literal/length code");
            if (!dist.build(lengths + hlit, hdist)) corrupt("over-subscribed distance code");
        }
        for (;;) {
            if (in.overrun()) truncated();
            const int sym = lit.decode(in);
            if (sym < 0) corrupt("invalid literal/length code");
            if (sym < 256) {
                out.push_back(static_cast<std::uint8_t>(sym));
                continue;
            }
            if (sym == 256) break;
            const int li = sym - 257;
            if (li >= 29) corrupt("length symbol " + std::to_string(sym));
            const std::size_t len = len_base[li] + in.bits(len_extra[li]);
            const int ds = dist.decode(in);
            if (ds < 0 || ds >= 30) corrupt("invalid distance code");
            const std::size_t d = dist_base[ds] + in.bits(dist_extra[ds]);
            if (in.overrun()) truncated();
            if (d > out.size()) corrupt("distance " + std::to_string(d) + " beyond the start of the output");
            const std::size_t from = out.size() - d;
            for (std::size_t k = 0; k < len; ++k) out.push_back(out[from + k]);
        }
    }
    if (in.overrun()) truncated();
    return in.bytes_consumed();
}

inline std::uint32_t le32(const std::uint8_t* p) {
    return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}
inline std::uint32_t be32(const std::uint8_t* p) {
    return std::uint32_t(p[3]) | std::uint32_t(p[2]) << 8 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[0]) << 24;
}

}  // namespace detail

/// Decompresses a gzip file's bytes (one or more members, RFC 1952).
inline std::vector<std::uint8_t> gunzip(const std::vector<std::uint8_t>& in, const std::string& source = "buffer") {
    std::vector<std::uint8_t> out;
    std::size_t pos = 0;
    const auto truncated = [&] { detail::idx_fail(source, "gzip data", "truncated", "a complete gzip member"); };
    do {
        if (in.size() - pos < 18) truncated();
        const std::uint8_t* h = in.data() + pos;
        if (h[0] != 0x1f || h[1] != 0x8b)
            detail::idx_fail(source, "gzip magic", std::to_string(h[0]) + " " + std::to_string(h[1]), "31 139");
        if (h[2] != 8) detail::idx_fail(source, "gzip method", std::to_string(h[2]), "8 (deflate)");
        const std::uint8_t flags = h[3];
        if (flags & 0xE0) detail::idx_fail(source, "gzip flags", std::to_string(flags), "no reserved bits set");
        std::size_t p = pos + 10;
        if (flags & 4) {
            if (in.size() < p + 2) truncated();
            p += 2 + (std::size_t(in[p]) | std::size_t(in[p + 1]) << 8);
        }
        for (int field : {8, 16})
            if (flags & field) {
                while (p < in.size() && in[p] != 0) ++p;
                ++p;
            }
        if (flags & 2) p += 2;
        if (p >= in.size()) truncated();
        const std::size_t start = out.size();
        p += detail::inflate(in.data() + p, in.size() - p, out, source);
        if (in.size() < p + 8) truncated();
        const std::uint32_t crc = detail::le32(in.data() + p), isize = detail::le32(in.data() + p + 4);
        if (detail::crc32(out.data() + start, out.size() - start) != crc)
            detail::idx_fail(source, "gzip CRC-32", "mismatch", "the checksum stored in the file (corrupt data)");
        if (static_cast<std::uint32_t>(out.size() - start) != isize)
            detail::idx_fail(source, "gzip length", std::to_string(out.size() - start),
                             "the stored length " + std::to_string(isize));
        pos = p + 8;
    } while (pos < in.size());
    return out;
}

/// An IDX array: its element type code, its dimensions and its values.
struct idx_array {
    std::uint8_t type = 0x08;  ///< 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64
    std::vector<std::size_t> shape;
    std::vector<double> values;  ///< row-major
    std::size_t size() const noexcept { return values.size(); }
};

/// Parses IDX bytes (already decompressed).
inline idx_array parse_idx(const std::vector<std::uint8_t>& b, const std::string& source = "buffer") {
    if (b.size() < 4) detail::idx_fail(source, "IDX header", std::to_string(b.size()) + " bytes", "at least 4");
    if (b[0] != 0 || b[1] != 0)
        detail::idx_fail(source, "IDX magic", std::to_string(b[0]) + " " + std::to_string(b[1]), "0 0");
    idx_array a;
    a.type = b[2];
    std::size_t width = 0;
    switch (a.type) {
        case 0x08:
        case 0x09: width = 1; break;
        case 0x0B: width = 2; break;
        case 0x0C:
        case 0x0D: width = 4; break;
        case 0x0E: width = 8; break;
        default: detail::idx_fail(source, "IDX type", std::to_string(a.type), "8, 9, 11, 12, 13 or 14");
    }
    const std::size_t dims = b[3];
    if (dims == 0) detail::idx_fail(source, "IDX dimensions", "0", "at least 1");
    if (b.size() < 4 + 4 * dims)
        detail::idx_fail(source, "IDX header", std::to_string(b.size()) + " bytes",
                         std::to_string(4 + 4 * dims) + " for " + std::to_string(dims) + " dimensions");
    std::size_t count = 1;
    for (std::size_t i = 0; i < dims; ++i) {
        const std::size_t d = detail::be32(b.data() + 4 + 4 * i);
        if (d == 0 || d > (std::size_t(1) << 31))
            detail::idx_fail(source, ("IDX dimension " + std::to_string(i)).c_str(), std::to_string(d), "1 .. 2^31");
        if (count > (std::size_t(1) << 40) / d)
            detail::idx_fail(source, "IDX size", "overflow", "fewer than 2^40 elements");
        count *= d;
        a.shape.push_back(d);
    }
    const std::size_t payload = b.size() - 4 - 4 * dims;
    if (payload != count * width)
        detail::idx_fail(source, "IDX payload", std::to_string(payload) + " bytes",
                         std::to_string(count * width) + " bytes for the stated dimensions (" +
                             (payload < count * width ? "truncated" : "trailing data") + ")");
    a.values.resize(count);
    const std::uint8_t* p = b.data() + 4 + 4 * dims;
    for (std::size_t i = 0; i < count; ++i, p += width) {
        switch (a.type) {
            case 0x08: a.values[i] = p[0]; break;
            case 0x09: a.values[i] = static_cast<std::int8_t>(p[0]); break;
            case 0x0B: a.values[i] = static_cast<std::int16_t>(std::uint16_t(p[0]) << 8 | p[1]); break;
            case 0x0C: a.values[i] = static_cast<std::int32_t>(detail::be32(p)); break;
            case 0x0D: {
                const std::uint32_t u = detail::be32(p);
                float f;
                std::memcpy(&f, &u, 4);
                a.values[i] = f;
                break;
            }
            default: {
                const std::uint64_t u = std::uint64_t(detail::be32(p)) << 32 | detail::be32(p + 4);
                double f;
                std::memcpy(&f, &u, 8);
                a.values[i] = f;
            }
        }
    }
    return a;
}

/// Reads an IDX file, gzip-compressed (detected by its magic) or raw.
inline idx_array read_idx(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) mi::detail::fail("mi_examples::datasets::read_idx", "path", path, "a readable file");
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b) return parse_idx(gunzip(bytes, path), path);
    return parse_idx(bytes, path);
}

/// An image file (n x rows x cols, or n x features) and a label file (n) as an
/// engine dataset: pixels times `scale` (1/255 as ibsgd), labels as class ids.
template <class T = float>
engine::dataset<T> read_idx_dataset(const std::string& images_path, const std::string& labels_path,
                                    double scale = 1.0 / 255.0) {
    const char* where = "mi_examples::datasets::read_idx_dataset";
    const idx_array images = read_idx(images_path);
    const idx_array labels = read_idx(labels_path);
    if (images.shape.size() < 2)
        mi::detail::fail(where, "image dimensions", images.shape.size(), "at least 2 (samples x features...)");
    if (labels.shape.size() != 1) mi::detail::fail(where, "label dimensions", labels.shape.size(), "1");
    if (labels.shape[0] != images.shape[0])
        mi::detail::fail(where, "labels", labels.shape[0], "one per image, " + std::to_string(images.shape[0]));
    if (labels.type != 0x08) mi::detail::fail(where, "label type", int(labels.type), "8 (unsigned byte)");
    engine::dataset<T> d;
    d.n = images.shape[0];
    d.d = images.size() / d.n;
    d.x.resize(images.size());
    for (std::size_t i = 0; i < images.size(); ++i) d.x[i] = static_cast<T>(images.values[i] * scale);
    d.labels.resize(d.n);
    std::size_t classes = 0;
    for (std::size_t i = 0; i < d.n; ++i) {
        d.labels[i] = static_cast<std::uint32_t>(labels.values[i]);
        classes = std::max<std::size_t>(classes, d.labels[i] + 1);
    }
    d.classes = classes;
    return d;
}

/// MNIST-layout directory (train-images-idx3-ubyte.gz, ... as distributed):
/// the training (60,000) or test (10,000) set.
template <class T = float>
engine::dataset<T> read_mnist_dir(const std::string& dir, bool train) {
    const std::string prefix = dir + (train ? "/train" : "/t10k");
    return read_idx_dataset<T>(prefix + "-images-idx3-ubyte.gz", prefix + "-labels-idx1-ubyte.gz");
}

}  // namespace mi_examples::datasets

#endif
