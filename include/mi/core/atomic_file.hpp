// SPDX-License-Identifier: BSD-3-Clause
// write_file_atomically: a file is either its old self or completely new.
//
// Results files are overwritten run after run; an exception half-way through
// (an invalid estimator name found while writing, a full disk, a cluster job
// killed while it checkpoints) must not leave a truncated table where
// yesterday's good one was. mi::write_csv and every file the example programs
// write (tables, shards, checkpoints) go through this one function. The content goes to a
// temporary file in the same directory (so the rename never crosses file
// systems) and replaces the target with one rename, which POSIX makes atomic;
// on any failure the temporary file is removed and the target is untouched.
#ifndef MI_CORE_ATOMIC_FILE_HPP
#define MI_CORE_ATOMIC_FILE_HPP

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <system_error>
#include <type_traits>

#include "mi/core/error.hpp"

namespace mi::detail {

/// Calls write(stream) on a temporary file beside `path`, then renames it onto `path`.
/// Throws mi::error naming `where` and the path if the file cannot be written or renamed;
/// exceptions from `write` propagate after the temporary file is removed.
template <class Write, class = std::enable_if_t<std::is_invocable_v<Write&, std::ostream&>>>
void write_file_atomically(const std::string& path, Write&& write, const char* where) {
    namespace fs = std::filesystem;
    static std::atomic<std::uint64_t> counter{0};
    const fs::path target(path);
    if (target.filename().empty()) fail(where, "path", path, "a file name, not a directory");
    const auto stamp = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    fs::path temp = target;
    temp += ".tmp-" + std::to_string(stamp) + "-" + std::to_string(counter.fetch_add(1));
    try {
        {
            std::ofstream out(temp, std::ios::binary | std::ios::trunc);
            if (!out) fail(where, "path", path, "a file that can be created for writing (its directory exists and is writable)");
            write(static_cast<std::ostream&>(out));
            out.flush();
            if (!out) fail(where, "path", path, "a file that can be written completely");
        }
        std::error_code ec;
        fs::rename(temp, target, ec);
        if (ec) fail(where, "path", path, "a path the finished file can be renamed to (" + ec.message() + ")");
    } catch (...) {
        std::error_code ignored;
        fs::remove(temp, ignored);
        throw;
    }
}

/// Writes `content` to `path` through a temporary file and a rename (see above).
inline void write_file_atomically(const std::string& path, const std::string& content, const char* where) {
    write_file_atomically(
        path, [&content](std::ostream& out) { out.write(content.data(), static_cast<std::streamsize>(content.size())); },
        where);
}

}  // namespace mi::detail

#endif
