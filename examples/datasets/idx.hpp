// SPDX-License-Identifier: BSD-3-Clause
// IDX reader for MNIST / Fashion-MNIST (LeCun's format: 2 zero bytes, a type
// byte, a dimension count, big-endian 32-bit dimensions, big-endian data),
// raw or gzip-compressed, as the datasets are distributed
// (/usr/share/datasets/fashion-mnist/*.gz on Debian's dataset-fashion-mnist).
//
// Decompression is zlib's (one or more gzip members; zlib checks every
// header, Huffman code, distance, CRC-32 and length). The reader decompresses
// the IDX header first and then exactly the payload the header declares, into
// one buffer of that size: a file whose data runs past the declared payload
// (a "gzip bomb") or stops short of it raises mi::error naming the file, and
// never costs more memory than the declared size. Declared sizes above 2^31
// bytes, or larger than a DEFLATE stream of the file's size can produce at
// all (1032 bytes per compressed byte), are rejected before any allocation.
//
// Values stay as the file's bytes (pixels are 1 byte, doubles would be 8)
// until read_idx_dataset converts them: pixels scaled by 1/255 (ibsgd's
// utils.get_mnist: X / 255), flattened to rows x cols inputs; labels are class
// ids (10 classes for MNIST / Fashion-MNIST).
#ifndef MI_EXAMPLES_DATASETS_IDX_HPP
#define MI_EXAMPLES_DATASETS_IDX_HPP

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <system_error>
#include <vector>

#include "engine/dataset.hpp"
#include "mi/core/error.hpp"

namespace mi_examples::datasets {

/// Largest IDX payload accepted (bytes): MNIST's training images are 47 MB.
inline constexpr std::size_t idx_max_payload = std::size_t(1) << 31;

namespace detail {

[[noreturn]] inline void idx_fail(const std::string& source, const char* what, const std::string& value,
                                  const std::string& expected) {
    mi::detail::fail(("mi_examples::datasets::read_idx(" + source + ")").c_str(), what, value, expected);
}

inline std::uint32_t be32(const std::uint8_t* p) {
    return std::uint32_t(p[3]) | std::uint32_t(p[2]) << 8 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[0]) << 24;
}

inline bool is_gzip(const std::uint8_t* data, std::size_t n) { return n >= 2 && data[0] == 0x1f && data[1] == 0x8b; }

// The decompressed bytes of an IDX file, read in order: a copy of raw input,
// or zlib's inflate over one or more gzip members. read() delivers exactly the
// bytes asked for, finish() insists that nothing follows them.
class idx_stream {
public:
    idx_stream(const std::uint8_t* data, std::size_t n, const std::string& source)
        : data_(data), n_(n), source_(source), gzip_(is_gzip(data, n)) {
        if (!gzip_) return;
        // 15 + 16: a 32 KiB window and the gzip wrapper only (the magic said gzip).
        if (inflateInit2(&z_, 15 + 16) != Z_OK) idx_fail(source_, "zlib", "inflateInit2 failed", "enough memory");
        open_ = true;
    }
    ~idx_stream() {
        if (open_) inflateEnd(&z_);
    }
    idx_stream(const idx_stream&) = delete;
    idx_stream& operator=(const idx_stream&) = delete;

    bool gzip() const noexcept { return gzip_; }

    /// Fills out[0, k) or raises mi::error saying that `what` ends early.
    void read(std::uint8_t* out, std::size_t k, const char* what, const std::string& expected) {
        if (!gzip_) {
            if (n_ - pos_ < k) short_read(what, n_ - pos_, expected);
            std::memcpy(out, data_ + pos_, k);
            pos_ += k;
            return;
        }
        std::size_t got = 0;
        while (got < k) {
            const std::size_t chunk = std::min<std::size_t>(k - got, UINT_MAX);
            z_.next_out = out + got;
            z_.avail_out = static_cast<uInt>(chunk);
            if (!step()) short_read(what, got, expected);
            got += chunk - z_.avail_out;
        }
    }

    /// Raises mi::error if any decompressed byte, or any input, follows what was read.
    void finish(std::size_t declared) {
        if (!gzip_) {
            if (pos_ != n_)
                idx_fail(source_, "IDX payload", std::to_string(n_ - pos_) + " bytes more than declared",
                         std::to_string(declared) + " bytes for the stated dimensions (trailing data)");
            return;
        }
        std::uint8_t extra = 0;
        for (;;) {
            z_.next_out = &extra;
            z_.avail_out = 1;
            if (!step()) return;
            if (z_.avail_out == 0)
                idx_fail(source_, "IDX payload", "more than declared",
                         std::to_string(declared) + " bytes for the stated dimensions (trailing data)");
        }
    }

private:
    // One inflate call. Returns false at the clean end of the input (the last
    // member complete); raises mi::error on corrupt or truncated data.
    bool step() {
        if (member_done_) {
            if (pos_ == n_) return false;
            inflateReset(&z_);  // another gzip member follows
            member_done_ = false;
        }
        if (z_.avail_in == 0 && pos_ < n_) {
            z_.next_in = const_cast<Bytef*>(data_ + pos_);  // zlib before 1.2.x+ZLIB_CONST takes non-const
            z_.avail_in = static_cast<uInt>(std::min<std::size_t>(n_ - pos_, UINT_MAX));
            pos_ += z_.avail_in;
        }
        const int r = inflate(&z_, Z_NO_FLUSH);
        if (r == Z_STREAM_END) {
            member_done_ = true;
            pos_ -= z_.avail_in;  // input after this member belongs to the next one
            z_.avail_in = 0;
            return true;
        }
        if (r == Z_OK) return true;
        if (r == Z_BUF_ERROR)  // no progress possible: the input ended inside a member
            idx_fail(source_, "gzip data", "truncated", "a complete gzip member");
        idx_fail(source_, "gzip data", z_.msg ? z_.msg : "zlib error " + std::to_string(r),
                 "valid gzip data (corrupt file)");
    }

    [[noreturn]] void short_read(const char* what, std::size_t got, const std::string& expected) {
        idx_fail(source_, what, std::to_string(got) + " bytes (the data ends)", expected);
    }

    const std::uint8_t* data_;
    std::size_t n_;
    std::size_t pos_ = 0;  // input bytes handed to zlib (or copied)
    std::string source_;
    bool gzip_;
    bool open_ = false;
    bool member_done_ = false;
    z_stream z_{};
};

inline std::size_t idx_width(std::uint8_t type) {
    switch (type) {
        case 0x08:
        case 0x09: return 1;
        case 0x0B: return 2;
        case 0x0C:
        case 0x0D: return 4;
        case 0x0E: return 8;
        default: return 0;
    }
}

}  // namespace detail

/// An IDX array: its element type code, its dimensions and its values as stored.
struct idx_array {
    std::uint8_t type = 0x08;  ///< 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64
    std::vector<std::size_t> shape;
    std::vector<std::uint8_t> bytes;  ///< row-major elements, big-endian, as in the file

    std::size_t width() const noexcept { return detail::idx_width(type); }
    std::size_t size() const noexcept { return bytes.size() / width(); }

    /// Element i (row-major) as a double.
    double value(std::size_t i) const {
        const std::uint8_t* p = bytes.data() + i * width();
        switch (type) {
            case 0x08: return p[0];
            case 0x09: return static_cast<std::int8_t>(p[0]);
            case 0x0B: return static_cast<std::int16_t>(std::uint16_t(p[0]) << 8 | p[1]);
            case 0x0C: return static_cast<std::int32_t>(detail::be32(p));
            case 0x0D: {
                const std::uint32_t u = detail::be32(p);
                float f;
                std::memcpy(&f, &u, 4);
                return f;
            }
            default: {
                const std::uint64_t u = std::uint64_t(detail::be32(p)) << 32 | detail::be32(p + 4);
                double f;
                std::memcpy(&f, &u, 8);
                return f;
            }
        }
    }
    /// Every element as a double (a copy 8 bytes per element; for small arrays).
    std::vector<double> values() const {
        std::vector<double> v(size());
        for (std::size_t i = 0; i < v.size(); ++i) v[i] = value(i);
        return v;
    }
};

/// Parses an IDX file's bytes, gzip-compressed (detected by its magic) or raw;
/// `source` names the file in error messages.
inline idx_array parse_idx(const std::uint8_t* data, std::size_t n, const std::string& source = "buffer") {
    using detail::idx_fail;
    detail::idx_stream in(data, n, source);
    std::uint8_t head[4];
    in.read(head, 4, "IDX header", "at least 4 bytes");
    if (head[0] != 0 || head[1] != 0)
        idx_fail(source, "IDX magic", std::to_string(head[0]) + " " + std::to_string(head[1]), "0 0");
    idx_array a;
    a.type = head[2];
    const std::size_t width = detail::idx_width(a.type);
    if (width == 0) idx_fail(source, "IDX type", std::to_string(a.type), "8, 9, 11, 12, 13 or 14");
    const std::size_t dims = head[3];
    if (dims == 0) idx_fail(source, "IDX dimensions", "0", "at least 1");
    std::vector<std::uint8_t> dim_bytes(4 * dims);
    in.read(dim_bytes.data(), dim_bytes.size(), "IDX header",
            std::to_string(4 + 4 * dims) + " bytes for " + std::to_string(dims) + " dimensions");
    std::size_t payload = width;
    for (std::size_t i = 0; i < dims; ++i) {
        const std::size_t d = detail::be32(dim_bytes.data() + 4 * i);
        if (d == 0) idx_fail(source, ("IDX dimension " + std::to_string(i)).c_str(), "0", "at least 1");
        if (payload > idx_max_payload / d)
            idx_fail(source, "IDX payload", "more than 2^31 bytes (dimension " + std::to_string(i) + " = " +
                                                std::to_string(d) + ")",
                     "at most 2^31 bytes");
        payload *= d;
        a.shape.push_back(d);
    }
    // What no DEFLATE stream of n bytes can produce is refused before it is allocated.
    if (in.gzip() && payload / 1032 >= n)
        idx_fail(source, "IDX payload", std::to_string(payload) + " bytes declared",
                 "at most 1032 x the " + std::to_string(n) + " compressed bytes (truncated or corrupt file)");
    if (!in.gzip() && payload > n - 4 - 4 * dims)
        idx_fail(source, "IDX payload", std::to_string(n - 4 - 4 * dims) + " bytes",
                 std::to_string(payload) + " bytes for the stated dimensions (truncated)");
    a.bytes.resize(payload);
    in.read(a.bytes.data(), payload, "IDX payload",
            std::to_string(payload) + " bytes for the stated dimensions (truncated)");
    in.finish(payload);
    return a;
}

inline idx_array parse_idx(const std::vector<std::uint8_t>& bytes, const std::string& source = "buffer") {
    return parse_idx(bytes.data(), bytes.size(), source);
}

/// Reads an IDX file, gzip-compressed (detected by its magic) or raw.
inline idx_array read_idx(const std::string& path) {
    const char* where = "mi_examples::datasets::read_idx";
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) mi::detail::fail(where, "path", path, "a readable file");
    const auto size = std::filesystem::file_size(path, ec);
    // The largest payload plus the largest header (255 dimensions); a gzip file is smaller still.
    if (ec || size > idx_max_payload + 4 + 4 * 255)
        mi::detail::fail(where, "path", path, "a readable file of at most 2^31 bytes");
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
    std::ifstream f(path, std::ios::binary);
    if (!f || !f.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size())))
        mi::detail::fail(where, "path", path, "a readable file");
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
    for (std::size_t i = 0; i < images.size(); ++i) {
        const double v = images.value(i) * scale;
        if (!(std::abs(v) <= static_cast<double>(std::numeric_limits<T>::max())))  // also NaN
            mi::detail::fail(where, ("image value " + std::to_string(i) + " x scale").c_str(), v,
                             "a finite " + std::string(sizeof(T) == 4 ? "float" : "double") + " (" + images_path + ")");
        d.x[i] = static_cast<T>(v);
    }
    d.labels.assign(labels.bytes.begin(), labels.bytes.end());
    d.classes = std::size_t(*std::max_element(d.labels.begin(), d.labels.end())) + 1;
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
