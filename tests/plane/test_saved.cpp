// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "mi/core/random.hpp"
#include "mi/plane/saved.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_plane_saved {

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    REQUIRE(in);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// A minimal NPY 1.0 reader written for the test: checks the magic and version, reads the
// header dict as text, returns descr, shape and the raw little-endian data.
struct npy {
    std::string descr;
    bool fortran = true;
    std::vector<std::size_t> shape;
    std::string data;
    std::size_t header_total = 0;

    template <class V>
    std::vector<V> values() const {
        static_assert(sizeof(V) == 4 || sizeof(V) == 8, "4- or 8-byte values");
        using U = std::conditional_t<sizeof(V) == 4, std::uint32_t, std::uint64_t>;
        REQUIRE(data.size() % sizeof(V) == 0);
        std::vector<V> out(data.size() / sizeof(V));
        for (std::size_t i = 0; i < out.size(); ++i) {
            U u = 0;
            for (std::size_t b = 0; b < sizeof(V); ++b)
                u |= static_cast<U>(static_cast<unsigned char>(data[i * sizeof(V) + b])) << (8 * b);
            std::memcpy(&out[i], &u, sizeof(V));
        }
        return out;
    }
};

npy parse_npy(const std::string& bytes) {
    npy out;
    REQUIRE(bytes.size() >= 10);
    REQUIRE(bytes.compare(0, 6, std::string("\x93NUMPY", 6)) == 0);
    REQUIRE(bytes[6] == 1);
    REQUIRE(bytes[7] == 0);
    const std::size_t len = static_cast<unsigned char>(bytes[8]) | (static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8);
    out.header_total = 10 + len;
    REQUIRE(bytes.size() >= out.header_total);
    const std::string dict = bytes.substr(10, len);
    REQUIRE(dict.back() == '\n');
    const auto field = [&dict](const std::string& key) {
        const auto at = dict.find("'" + key + "': ");
        REQUIRE(at != std::string::npos);
        return at + key.size() + 4;
    };
    const auto d = field("descr");
    REQUIRE(dict[d] == '\'');
    out.descr = dict.substr(d + 1, dict.find('\'', d + 1) - d - 1);
    out.fortran = dict.compare(field("fortran_order"), 4, "True") == 0;
    const auto s = field("shape");
    REQUIRE(dict[s] == '(');
    std::istringstream shape(dict.substr(s + 1, dict.find(')', s) - s - 1));
    std::string part;
    while (std::getline(shape, part, ','))
        if (part.find_first_not_of(' ') != std::string::npos) out.shape.push_back(std::stoul(part));
    out.data = bytes.substr(out.header_total);
    std::size_t count = 1;
    for (auto n : out.shape) count *= n;
    const std::size_t width = out.descr == "<f4" ? 4 : 8;
    CHECK(out.data.size() == count * width);
    return out;
}

npy read_npy(const fs::path& p) { return parse_npy(slurp(p)); }

// A fresh directory under the system temp dir, removed at scope exit.
struct scratch_dir {
    fs::path path;
    scratch_dir() {
        path = fs::temp_directory_path() / ("mi_test_saved_" + std::to_string(mi::derive_seed(
                                                                   static_cast<std::uint64_t>(std::rand()),
                                                                   static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(this)))));
        fs::create_directories(path);
    }
    ~scratch_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

std::set<std::string> listing(const fs::path& dir) {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
    return out;
}

// The recording whose saved form is committed as python/tests/data/saved_cpp (read there by
// python/tests/test_saved.py): 6 rows, labels 0 1 2 0 1 2, input ids 0 0 1 1 2 2, network input
// arange(12) / 4 as 6 x 2 doubles, replica groups of 2 consecutive rows, layers 0 (3 units) and
// 2 (1 unit) at epochs 0 and 5, entry (r, c) of (e, l) = e + 0.25 r - 0.5 c + l.
float fixture_value(mi::epoch_t e, std::size_t l, std::size_t r, std::size_t c) {
    return static_cast<float>(static_cast<double>(e) + 0.25 * static_cast<double>(r) - 0.5 * static_cast<double>(c) +
                              static_cast<double>(l));
}

mi::recording<float> fixture_recording() {
    std::vector<double> x(12);
    for (std::size_t i = 0; i < 12; ++i) x[i] = static_cast<double>(i) / 4.0;
    const mi::samples s = mi::samples(mi::labels(std::vector<int>{0, 1, 2, 0, 1, 2}, 3),
                                      mi::input_ids(std::vector<int>{0, 0, 1, 1, 2, 2}))
                              .with_network_input(mi::view(x, 6, 2))
                              .with_replicas(mi::replica_groups::consecutive(2));
    mi::recording<float> rec(s);
    for (const mi::epoch_t e : {5, 0}) {
        for (const std::size_t l : {2u, 0u}) {
            const std::size_t units = l == 0 ? 3 : 1;
            std::vector<float> v(6 * units);
            for (std::size_t r = 0; r < 6; ++r)
                for (std::size_t c = 0; c < units; ++c) v[r * units + c] = fixture_value(e, l, r, c);
            rec.observe(e, l, mi::view(v, 6, units));
        }
    }
    return rec;
}

const char* expected_manifest =
    "{\n"
    " \"format\": \"mi.saved_activations\",\n"
    " \"version\": 1,\n"
    " \"writer\": \"mi::save_recording (C++)\",\n"
    " \"dtype\": \"float32\",\n"
    " \"rows\": 6,\n"
    " \"classes\": 3,\n"
    " \"epochs\": [0, 5],\n"
    " \"layers\": [0, 2],\n"
    " \"activations\": [\n"
    "  {\"epoch\": 0, \"layer\": 0, \"file\": \"e0_l0.npy\", \"shape\": [6, 3]},\n"
    "  {\"epoch\": 0, \"layer\": 2, \"file\": \"e0_l2.npy\", \"shape\": [6, 1]},\n"
    "  {\"epoch\": 5, \"layer\": 0, \"file\": \"e5_l0.npy\", \"shape\": [6, 3]},\n"
    "  {\"epoch\": 5, \"layer\": 2, \"file\": \"e5_l2.npy\", \"shape\": [6, 1]}\n"
    " ],\n"
    " \"files\": {\"labels\": \"labels.npy\", \"input_ids\": \"input_ids.npy\", \"x\": \"x.npy\", "
    "\"replicas\": \"replicas.npy\"}\n"
    "}\n";

}  // namespace

TEST_CASE("saved: npy header is numpy's (magic, version, dict, padded to 64 bytes)") {
    const std::string h = mi::detail::npy_header("<f4", {6, 3});
    CHECK(h.size() == 128);
    CHECK(h.compare(0, 10, std::string("\x93NUMPY\x01\x00\x76\x00", 10)) == 0);
    const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (6, 3), }";
    CHECK(h.substr(10, dict.size()) == dict);
    CHECK(h.substr(10 + dict.size(), 128 - 11 - dict.size()) == std::string(128 - 11 - dict.size(), ' '));
    CHECK(h.back() == '\n');
    const std::string v = mi::detail::npy_header("<i8", {4096});
    CHECK(v.size() == 128);
    CHECK(v.find("'shape': (4096,), }") != std::string::npos);
}

TEST_CASE("saved: writes the layout; every file parses back to the recording") {
    scratch_dir tmp;
    const fs::path dir = tmp.path / "run";
    const auto rec = fixture_recording();
    mi::save_recording(rec, dir.string());

    CHECK(listing(tmp.path) == std::set<std::string>{"run"});  // no temporary left beside it
    CHECK(listing(dir) == std::set<std::string>{"manifest.json", "labels.npy", "input_ids.npy", "x.npy",
                                                 "replicas.npy", "e0_l0.npy", "e0_l2.npy", "e5_l0.npy", "e5_l2.npy"});
    CHECK(slurp(dir / "manifest.json") == expected_manifest);

    const npy y = read_npy(dir / "labels.npy");
    CHECK(y.descr == "<i8");
    CHECK_FALSE(y.fortran);
    CHECK(y.header_total % 64 == 0);
    CHECK(y.shape == std::vector<std::size_t>{6});
    CHECK(y.values<std::int64_t>() == std::vector<std::int64_t>{0, 1, 2, 0, 1, 2});
    CHECK(read_npy(dir / "input_ids.npy").values<std::int64_t>() == std::vector<std::int64_t>{0, 0, 1, 1, 2, 2});
    CHECK(read_npy(dir / "replicas.npy").values<std::int64_t>() == std::vector<std::int64_t>{0, 0, 1, 1, 2, 2});
    const npy x = read_npy(dir / "x.npy");
    CHECK(x.descr == "<f8");
    CHECK(x.shape == std::vector<std::size_t>{6, 2});
    const auto xv = x.values<double>();
    for (std::size_t i = 0; i < 12; ++i) CHECK(xv[i] == static_cast<double>(i) / 4.0);

    for (const mi::epoch_t e : {0, 5}) {
        for (const std::size_t l : {0u, 2u}) {
            const npy a = read_npy(dir / mi::detail::saved_activation_file(e, l));
            const std::size_t units = l == 0 ? 3 : 1;
            CHECK(a.descr == "<f4");
            CHECK_FALSE(a.fortran);
            CHECK(a.header_total % 64 == 0);
            CHECK(a.shape == std::vector<std::size_t>{6, units});
            const auto v = a.values<float>();
            REQUIRE(v.size() == 6 * units);
            for (std::size_t r = 0; r < 6; ++r)
                for (std::size_t c = 0; c < units; ++c) CHECK(v[r * units + c] == fixture_value(e, l, r, c));
        }
    }
}

TEST_CASE("saved: output equals the committed fixture that the Python reader test reads") {
    const fs::path fixture = fs::path(MI_SOURCE_DIR) / "python" / "tests" / "data" / "saved_cpp";
    const auto rec = fixture_recording();
    if (const char* update = std::getenv("MI_UPDATE_SAVED_FIXTURE"); update && std::string(update) == "1") {
        fs::create_directories(fixture.parent_path());
        mi::save_recording(rec, fixture.string(), true);
    }
    scratch_dir tmp;
    const fs::path dir = tmp.path / "run";
    mi::save_recording(rec, dir.string());
    REQUIRE(fs::is_directory(fixture));
    CHECK(listing(fixture) == listing(dir));
    for (const auto& name : listing(dir)) {
        CAPTURE(name);
        CHECK(slurp(fixture / name) == slurp(dir / name));
    }
}

TEST_CASE("saved: double recordings write <f8; default input ids and no network input are omitted") {
    scratch_dir tmp;
    mi::recording<double> rec(mi::samples(mi::labels(std::vector<int>{1, 0, 1})));
    const std::vector<double> v{0.5, -1e-300, 3.0};
    rec.observe(12, 4, mi::view(v, 3, 1));
    const fs::path dir = tmp.path / "d";
    mi::save_recording(rec, dir.string());
    CHECK(listing(dir) == std::set<std::string>{"manifest.json", "labels.npy", "e12_l4.npy"});
    const npy a = read_npy(dir / "e12_l4.npy");
    CHECK(a.descr == "<f8");
    CHECK(a.values<double>() == v);
    const std::string m = slurp(dir / "manifest.json");
    CHECK(m.find("\"dtype\": \"float64\"") != std::string::npos);
    CHECK(m.find("\"classes\": 2,") != std::string::npos);
    CHECK(m.find("\"files\": {\"labels\": \"labels.npy\"}") != std::string::npos);
}

TEST_CASE("saved: refuses to overwrite; overwrite replaces the whole directory") {
    scratch_dir tmp;
    const fs::path dir = tmp.path / "run";
    mi::save_recording(fixture_recording(), dir.string());
    const std::string before = slurp(dir / "manifest.json");

    mi::recording<float> small(mi::samples(mi::labels(std::vector<int>{0, 1})));
    const std::vector<float> v{1.0f, 2.0f};
    small.observe(3, 0, mi::view(v, 2, 1));
    CHECK_THROWS_AS(mi::save_recording(small, dir.string()), mi::error);
    CHECK(slurp(dir / "manifest.json") == before);

    mi::save_recording(small, dir.string(), true);
    CHECK(listing(dir) == std::set<std::string>{"manifest.json", "labels.npy", "e3_l0.npy"});
    CHECK(listing(tmp.path) == std::set<std::string>{"run"});

    // Not a saved-activation directory: never replaced, even with overwrite.
    const fs::path foreign = tmp.path / "foreign";
    fs::create_directories(foreign);
    std::ofstream(foreign / "notes.txt") << "keep me";
    CHECK_THROWS_AS(mi::save_recording(small, foreign.string(), true), mi::error);
    CHECK(listing(foreign) == std::set<std::string>{"notes.txt"});
}

TEST_CASE("saved: invalid recordings and paths throw and leave nothing behind") {
    scratch_dir tmp;
    mi::recording<float> empty(mi::samples(mi::labels(std::vector<int>{0, 1})));
    CHECK_THROWS_AS(mi::save_recording(empty, (tmp.path / "a").string()), mi::error);
    mi::recording<float> no_samples;
    const std::vector<float> v{1.0f, 2.0f};
    no_samples.observe(0, 0, mi::view(v, 2, 1));
    CHECK_THROWS_AS(mi::save_recording(no_samples, (tmp.path / "b").string()), mi::error);
    mi::recording<float> ok(mi::samples(mi::labels(std::vector<int>{0, 1})));
    ok.observe(0, 0, mi::view(v, 2, 1));
    CHECK_THROWS_AS(mi::save_recording(ok, (tmp.path / "missing_parent" / "c").string()), mi::error);
    CHECK(listing(tmp.path).empty());
}

}  // namespace test_plane_saved
