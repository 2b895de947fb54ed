// SPDX-License-Identifier: BSD-3-Clause
// mi_examples::reproduce::table: its files are written atomically.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <unistd.h>

#include "reproduce/table.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_reproduce_table {

namespace fs = std::filesystem;
namespace rp = mi_examples::reproduce;

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

TEST_CASE("table::write goes through the atomic writer") {
    temp_dir d;
    const std::string file = (d.path / "t.csv").string();
    rp::table t({"a", "b"});
    t.add({1, "x"});
    t.write(file);
    CHECK(slurp(file) == "a,b\n1,x\n");
    t.add({2, "y"});
    t.write(file);
    CHECK(rp::table::read(file).size() == 2);
    CHECK(d.entries() == 1);
}

}  // namespace test_reproduce_table
