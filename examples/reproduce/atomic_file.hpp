// SPDX-License-Identifier: BSD-3-Clause
// Every file the reproduction programs write (tables, shards, checkpoints)
// goes through write_file_atomically: the content is produced in memory,
// written to a temporary file in the target's directory, flushed to disk and
// renamed over the target. rename() within one directory is atomic on POSIX
// file systems, so a reader (a merge job, a resumed run, a plotting script)
// sees either the old file or the complete new one, never a truncated one, and
// a failure at any point (an exception while producing the content, a full
// disk, a kill) leaves the old file as it was. Same directory because rename()
// cannot cross file systems.
#ifndef MI_EXAMPLES_REPRODUCE_ATOMIC_FILE_HPP
#define MI_EXAMPLES_REPRODUCE_ATOMIC_FILE_HPP

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mi/core/error.hpp"

namespace mi_examples::reproduce {

namespace detail {

// Writes all of `data` to fd, retrying after short writes and EINTR; false on error (errno set).
inline bool write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace detail

/// Writes `content` to `path` through a temporary file in the same directory and a rename.
inline void write_file_atomically(const std::string& path, const std::string& content) {
    const char* where = "mi_examples::reproduce::write_file_atomically";
    if (path.empty() || path.back() == '/') mi::detail::fail(where, "path", path, "a file name");
    std::string tmp = path + ".tmp.XXXXXX";
    std::vector<char> name(tmp.begin(), tmp.end());
    name.push_back('\0');
    const int fd = ::mkstemp(name.data());
    if (fd < 0)
        mi::detail::fail(where, "path", path,
                         std::string("a directory where a temporary file can be created (") + std::strerror(errno) + ")");
    tmp = name.data();
    // mkstemp creates the file 0600; give it the permissions an ordinary new file would get.
    const mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd, 0666 & ~mask);
    const bool ok = detail::write_all(fd, content.data(), content.size()) && ::fsync(fd) == 0;
    const int write_errno = errno;
    const bool closed = ::close(fd) == 0;
    if (!ok || !closed) {
        ::unlink(tmp.c_str());
        mi::detail::fail(where, "path", path,
                         std::string("a file that can be written in full (") + std::strerror(ok ? errno : write_errno) +
                             ")");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const int e = errno;
        ::unlink(tmp.c_str());
        mi::detail::fail(where, "path", path, std::string("a name the file can be renamed to (") + std::strerror(e) + ")");
    }
}

/// Produces the content with `write` (into memory), then writes it atomically. If `write` throws,
/// no file is touched and the exception propagates.
inline void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
    std::ostringstream out(std::ios::binary);
    write(out);
    if (!out) mi::detail::fail("mi_examples::reproduce::write_file_atomically", "content of", path, "a stream without errors");
    write_file_atomically(path, out.str());
}

}  // namespace mi_examples::reproduce

#endif
