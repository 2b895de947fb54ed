// SPDX-License-Identifier: BSD-3-Clause
// mi::save_recording: writes an mi::recording<T> as saved activations, the
// on-disk layout that Python reads (mi.saved.read, the mi-plane command) and
// writes (mi.saved.write, mi.torch.Recorder.save). The layout is specified in
// python/mi/saved.py (module docstring) and python/README.md; in short, a
// directory with
//
//   manifest.json         {"format": "mi.saved_activations", "version": 1, "dtype": "float32",
//                          "rows": R, "classes": C, "epochs": [...], "layers": [...],
//                          "activations": [{"epoch": e, "layer": l, "file": "e<e>_l<l>.npy",
//                                           "shape": [R, units]}, ...],
//                          "files": {"labels": "labels.npy", ...}}
//   labels.npy            int64 (R,)
//   input_ids.npy         int64 (R,), when the samples carry explicit input ids
//   x.npy                 float32/float64 (R, d), when the samples carry the network input
//   replicas.npy          int64 (R,), the replica group of each row, when the samples carry groups
//   e<epoch>_l<layer>.npy (R, units) in T ('<f4' or '<f8'), one per recorded (epoch, layer)
//
// The .npy files are NPY format 1.0 written here (magic "\x93NUMPY", version
// 1.0, a little-endian uint16 header length, the header dict
// "{'descr': '<f4', 'fortran_order': False, 'shape': (R, U), }" padded with
// spaces and a final '\n' to a multiple of 64 bytes, then the little-endian C
// order data): byte-for-byte what numpy.save writes for the same array.
//
// Atomic: the files are written into a sibling temporary directory, which is
// renamed onto `dir` when complete. An existing `dir` is replaced only when
// `overwrite` is true (and only if it is empty or holds a manifest.json): it is
// renamed away, the new directory renamed in, the old one removed. Any failure
// removes the temporary directory and leaves `dir` as it was.
#ifndef MI_PLANE_SAVED_HPP
#define MI_PLANE_SAVED_HPP

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <ostream>
#include <string>
#include <system_error>
#include <type_traits>
#include <vector>

#include "mi/core/atomic_file.hpp"
#include "mi/core/error.hpp"
#include "mi/plane/recording.hpp"

namespace mi {

namespace detail {

template <class V>
constexpr const char* npy_descr() {
    if constexpr (std::is_same_v<V, float>) return "<f4";
    else if constexpr (std::is_same_v<V, double>) return "<f8";
    else {
        static_assert(std::is_same_v<V, std::int64_t>, "npy_descr: float, double or int64_t");
        return "<i8";
    }
}

/// The NPY 1.0 header (magic, version, length, dict, padding) of a C-order array.
inline std::string npy_header(const char* descr, const std::vector<std::size_t>& shape) {
    std::string dict = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (";
    for (std::size_t i = 0; i < shape.size(); ++i) dict += (i ? ", " : "") + std::to_string(shape[i]);
    if (shape.size() == 1) dict += ",";
    dict += "), }";
    const std::size_t preamble = 10;  // magic (6) + version (2) + header length (2)
    const std::size_t total = (preamble + dict.size() + 1 + 63) / 64 * 64;
    dict.append(total - preamble - dict.size() - 1, ' ');
    dict += '\n';
    if (dict.size() > 0xffff) fail("mi::save_recording", "npy header length", dict.size(), "<= 65535 (NPY 1.0)");
    std::string out("\x93NUMPY\x01\x00", 8);
    out += static_cast<char>(dict.size() & 0xff);
    out += static_cast<char>((dict.size() >> 8) & 0xff);
    return out + dict;
}

/// Writes `count` values little-endian.
template <class V>
void write_le(std::ostream& out, const V* values, std::size_t count) {
    static_assert(sizeof(V) == 4 || sizeof(V) == 8, "write_le: 4- or 8-byte values");
    using U = std::conditional_t<sizeof(V) == 4, std::uint32_t, std::uint64_t>;
    std::vector<unsigned char> buf(count * sizeof(V));
    for (std::size_t i = 0; i < count; ++i) {
        U u;
        std::memcpy(&u, &values[i], sizeof(V));
        for (std::size_t b = 0; b < sizeof(V); ++b) buf[i * sizeof(V) + b] = static_cast<unsigned char>(u >> (8 * b));
    }
    out.write(reinterpret_cast<const char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
}

/// A C-order array as .npy bytes, written atomically to `path`.
template <class V>
void write_npy(const std::string& path, const V* data, const std::vector<std::size_t>& shape) {
    std::size_t count = 1;
    for (auto n : shape) count *= n;
    const std::string header = npy_header(npy_descr<V>(), shape);
    write_file_atomically(
        path,
        [&](std::ostream& out) {
            out.write(header.data(), static_cast<std::streamsize>(header.size()));
            write_le(out, data, count);
        },
        "mi::save_recording");
}

inline std::string saved_activation_file(epoch_t epoch, std::size_t layer) {
    return "e" + std::to_string(epoch) + "_l" + std::to_string(layer) + ".npy";
}

template <class Int>
std::string json_int_list(const std::vector<Int>& v) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
    return s + "]";
}

/// True when `p` may be replaced by a saved-activation directory: an empty directory or one with a manifest.
inline bool saved_replaceable(const std::filesystem::path& p) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_symlink(p, ec) || !fs::is_directory(p, ec)) return false;
    return fs::is_empty(p, ec) || fs::exists(p / "manifest.json", ec);
}

}  // namespace detail

/// Writes `rec` (samples and every recorded (epoch, layer)) to the directory `dir` in the saved-activation
/// layout (above), atomically. Throws mi::error if the recording has no samples or no activations, if `dir`
/// exists and `overwrite` is false (or it is not a saved-activation directory), or if writing fails.
template <class T>
void save_recording(const recording<T>& rec, const std::string& dir, bool overwrite = false) {
    namespace fs = std::filesystem;
    constexpr const char* where = "mi::save_recording";
    if (!rec.has_samples()) detail::fail(where, "recording samples", "not set", "a recording with samples (labels)");
    if (rec.empty()) detail::fail(where, "recording size", 0, "at least one observed (epoch, layer)");
    const fs::path target = fs::absolute(fs::path(dir)).lexically_normal();
    if (target.filename().empty()) detail::fail(where, "dir", dir, "a directory name");
    std::error_code ec;
    const bool exists = fs::exists(fs::symlink_status(target, ec));
    if (exists && !overwrite) detail::fail(where, "dir", dir, "a path that does not exist (or overwrite = true)");
    if (exists && !detail::saved_replaceable(target))
        detail::fail(where, "dir", dir, "an empty directory or saved activations (with manifest.json) to replace");
    if (!fs::is_directory(target.parent_path(), ec))
        detail::fail(where, "dir", dir, "a path whose parent directory exists");

    const mi::samples& s = rec.samples();
    const std::size_t rows = rec.rows();

    static std::atomic<std::uint64_t> counter{0};
    const auto stamp = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    const std::string suffix = std::to_string(stamp) + "-" + std::to_string(counter.fetch_add(1));
    fs::path temp = target;
    temp += ".tmp-" + suffix;
    fs::path old = target;
    old += ".old-" + suffix;

    try {
        if (!fs::create_directory(temp, ec) || ec)
            detail::fail(where, "dir", dir, "a directory whose parent is writable (" + ec.message() + ")");
        const auto file = [&temp](const std::string& name) { return (temp / name).string(); };

        std::string files = "{\"labels\": \"labels.npy\"";
        {
            std::vector<std::int64_t> y(rows);
            for (std::size_t i = 0; i < rows; ++i) y[i] = s.labels()[i];
            detail::write_npy(file("labels.npy"), y.data(), {rows});
        }
        if (!s.inputs().is_default()) {
            std::vector<std::int64_t> ids(rows);
            for (std::size_t i = 0; i < rows; ++i) ids[i] = s.inputs()[i];
            detail::write_npy(file("input_ids.npy"), ids.data(), {rows});
            files += ", \"input_ids\": \"input_ids.npy\"";
        }
        if (!s.network_input().empty()) {
            s.network_input().visit([&](const auto& x) {
                using V = std::remove_const_t<typename std::decay_t<decltype(x)>::value_type>;
                std::vector<V> values;
                values.reserve(x.rows() * x.cols());
                for (std::size_t i = 0; i < x.rows(); ++i) values.insert(values.end(), x.row(i), x.row(i) + x.cols());
                detail::write_npy(file("x.npy"), values.data(), {x.rows(), x.cols()});
                return 0;
            });
            files += ", \"x\": \"x.npy\"";
        }
        if (!s.replicas().empty()) {
            const auto groups = s.replicas().groups(rows, where);
            std::vector<std::int64_t> g(rows);
            for (std::size_t k = 0; k < groups.size(); ++k)
                for (const auto r : groups[k]) g[r] = static_cast<std::int64_t>(k);
            detail::write_npy(file("replicas.npy"), g.data(), {rows});
            files += ", \"replicas\": \"replicas.npy\"";
        }
        files += "}";

        std::string entries;
        for (const auto e : rec.epochs()) {
            for (const auto l : rec.layers()) {
                if (!rec.contains(e, l)) continue;
                const auto v = rec.at(e, l);
                std::vector<T> values;
                values.reserve(v.rows() * v.cols());
                for (std::size_t i = 0; i < v.rows(); ++i) values.insert(values.end(), v.row(i), v.row(i) + v.cols());
                const std::string name = detail::saved_activation_file(e, l);
                detail::write_npy(file(name), values.data(), {v.rows(), v.cols()});
                entries += std::string(entries.empty() ? "" : ",\n") + "  {\"epoch\": " + std::to_string(e) +
                           ", \"layer\": " + std::to_string(l) + ", \"file\": \"" + name + "\", \"shape\": [" +
                           std::to_string(v.rows()) + ", " + std::to_string(v.cols()) + "]}";
            }
        }

        const std::string manifest =
            std::string("{\n") +
            " \"format\": \"mi.saved_activations\",\n"
            " \"version\": 1,\n"
            " \"writer\": \"mi::save_recording (C++)\",\n"
            " \"dtype\": \"" + (std::is_same_v<T, float> ? "float32" : "float64") + "\",\n" +
            " \"rows\": " + std::to_string(rows) + ",\n" +
            " \"classes\": " + std::to_string(s.labels().classes()) + ",\n" +
            " \"epochs\": " + detail::json_int_list(rec.epochs()) + ",\n" +
            " \"layers\": " + detail::json_int_list(rec.layers()) + ",\n" +
            " \"activations\": [\n" + entries + "\n ],\n" +
            " \"files\": " + files + "\n}\n";
        detail::write_file_atomically(file("manifest.json"), manifest, where);

        if (!exists) {
            fs::rename(temp, target, ec);
            if (ec) detail::fail(where, "dir", dir, "a path the finished directory can be renamed to (" + ec.message() + ")");
        } else {
            fs::rename(target, old, ec);
            if (ec) detail::fail(where, "dir", dir, "a directory that can be moved aside (" + ec.message() + ")");
            fs::rename(temp, target, ec);
            if (ec) {
                std::error_code back;
                fs::rename(old, target, back);
                detail::fail(where, "dir", dir, "a path the finished directory can be renamed to (" + ec.message() + ")");
            }
            fs::remove_all(old, ec);
        }
    } catch (...) {
        std::error_code ignored;
        fs::remove_all(temp, ignored);
        throw;
    }
}

}  // namespace mi

#endif
