// SPDX-License-Identifier: BSD-3-Clause
// mi::detail::write_file_atomically: the target is its old self or the complete new file, never a
// truncated one, and no temporary file is left behind.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <unistd.h>

#include "mi/core/atomic_file.hpp"
#include "mi/core/error.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_core_atomic_file {

namespace fs = std::filesystem;

namespace {

struct temp_dir {
    fs::path path;
    temp_dir() {
        path = fs::temp_directory_path() / ("mi_atomic_file_" + std::to_string(::getpid()));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~temp_dir() { fs::remove_all(path); }
    std::size_t entries() const {
        std::size_t n = 0;
        for ([[maybe_unused]] const auto& e : fs::directory_iterator(path)) ++n;
        return n;
    }
};

std::string slurp(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("write_file_atomically replaces the file and leaves no temporary behind") {
    temp_dir d;
    const std::string file = (d.path / "plane.csv").string();
    mi::detail::write_file_atomically(file, std::string("old\n"), "test");
    CHECK(slurp(file) == "old\n");
    mi::detail::write_file_atomically(file, [](std::ostream& out) { out << "new\n"; }, "test");
    CHECK(slurp(file) == "new\n");
    CHECK(d.entries() == 1);
}

TEST_CASE("a write that throws half-way leaves the old file intact") {
    temp_dir d;
    const std::string file = (d.path / "plane.csv").string();
    mi::detail::write_file_atomically(file, std::string("epoch,layer\n0,1\n"), "test");
    CHECK_THROWS_AS(mi::detail::write_file_atomically(
                        file,
                        [](std::ostream& out) {
                            out << "epoch,la";  // half a header, then the failure
                            throw std::runtime_error("failure mid-write");
                        },
                        "test"),
                    std::runtime_error);
    CHECK(slurp(file) == "epoch,layer\n0,1\n");
    CHECK(d.entries() == 1);
}

TEST_CASE("a target that cannot be replaced gives mi::error and keeps what is there") {
    temp_dir d;
    const fs::path dir = d.path / "plane.csv";  // a directory where the file should go
    fs::create_directories(dir / "inside");
    CHECK_THROWS_AS(mi::detail::write_file_atomically(dir.string(), std::string("x"), "test"), mi::error);
    CHECK(fs::is_directory(dir / "inside"));
    CHECK(d.entries() == 1);
    CHECK_THROWS_AS(mi::detail::write_file_atomically((d.path / "missing" / "t.csv").string(), std::string("x"), "test"),
                    mi::error);
}

}  // namespace test_core_atomic_file
