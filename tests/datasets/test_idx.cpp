// SPDX-License-Identifier: BSD-3-Clause
// examples/datasets/idx.hpp: gzip files compressed by Python's zlib (dynamic,
// fixed and stored blocks, multi-member; tests/reference/engine_idx_reference.py)
// decode to the payload the test recomputes; raw IDX files of every element
// type written here decode to their values; truncated, corrupt and
// inconsistent files raise mi::error. Hostile files: 100 KB of empty DEFLATE
// blocks decode at once, a gzip bomb is refused without allocating what it
// expands to, absurd declared sizes are refused before any allocation. The
// Fashion-MNIST files, when installed, have the published sizes and class balance.
#include <doctest/doctest.h>
#include <sys/resource.h>
#include <zlib.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "datasets/idx.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_datasets_idx {

namespace ds = mi_examples::datasets;

namespace {

std::string data_path(const std::string& name) { return std::string(MI_TEST_DATA_DIR) + "/" + name; }

std::vector<std::uint8_t> read_bytes(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

std::string write_temp(const std::string& name, const std::vector<std::uint8_t>& bytes) {
    const std::string path = "test_idx_" + name;
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return path;
}

std::vector<std::uint8_t> header(std::uint8_t type, const std::vector<std::uint32_t>& dims) {
    std::vector<std::uint8_t> b{0, 0, type, static_cast<std::uint8_t>(dims.size())};
    for (auto d : dims)
        for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(d >> s));
    return b;
}

// gzip member of `data` compressed by zlib (independent of the reader's use of inflate).
std::vector<std::uint8_t> gzip_bytes(const std::vector<std::uint8_t>& data) {
    z_stream z{};
    REQUIRE(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    std::vector<std::uint8_t> out(deflateBound(&z, static_cast<uLong>(data.size())));
    z.next_in = const_cast<Bytef*>(data.data());
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

// LSB-first bit writer, as DEFLATE packs its bits.
struct bit_writer {
    std::vector<std::uint8_t> out;
    std::uint32_t acc = 0;
    int n = 0;
    void bits(std::uint32_t v, int k) {
        acc |= v << n;
        for (n += k; n >= 8; n -= 8, acc >>= 8) out.push_back(static_cast<std::uint8_t>(acc));
    }
    void align() {
        if (n > 0) out.push_back(static_cast<std::uint8_t>(acc));
        acc = 0;
        n = 0;
    }
};

long peak_rss_kb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

double expected_pixel(std::size_t n, std::size_t r, std::size_t c) {
    return (n + r + c) % 5 != 0 ? double((13 * n + r * r + 3 * c) % 256) : 0.0;
}

}  // namespace

TEST_CASE("gzip IDX files: dynamic, stored and fixed blocks, multiple members") {
    for (const char* name : {"engine_idx_images.gz", "engine_idx_stored.gz"}) {
        CAPTURE(name);
        const auto a = ds::read_idx(data_path(name));
        CHECK(a.type == 0x08);
        REQUIRE(a.shape == std::vector<std::size_t>{50, 28, 28});
        bool all = true;
        for (std::size_t n = 0; n < 50; ++n)
            for (std::size_t r = 0; r < 28; ++r)
                for (std::size_t c = 0; c < 28; ++c) all &= a.value((n * 28 + r) * 28 + c) == expected_pixel(n, r, c);
        CHECK(all);
    }
    for (const char* name : {"engine_idx_labels.gz", "engine_idx_multi.gz"}) {
        const auto l = ds::read_idx(data_path(name));
        REQUIRE(l.shape == std::vector<std::size_t>{50});
        for (std::size_t n = 0; n < 50; ++n) CHECK(l.value(n) == double((7 * n) % 10));
    }
    const auto d = ds::read_idx_dataset<float>(data_path("engine_idx_images.gz"), data_path("engine_idx_labels.gz"));
    CHECK(d.n == 50);
    CHECK(d.d == 784);
    CHECK(d.classes == 10);
    CHECK(d.labels[3] == 1);
    CHECK(d.x[1 * 784 + 2 * 28 + 3] == doctest::Approx(expected_pixel(1, 2, 3) / 255.0));
}

TEST_CASE("raw IDX files of every element type") {
    auto b = header(0x0B, {2, 2});
    for (std::uint16_t v : {1, 65535, 300, 32768}) {
        b.push_back(static_cast<std::uint8_t>(v >> 8));
        b.push_back(static_cast<std::uint8_t>(v));
    }
    auto a = ds::read_idx(write_temp("i16", b));
    CHECK(a.values() == std::vector<double>{1, -1, 300, -32768});
    b = header(0x0D, {3});
    for (std::uint32_t u : {0x3FC00000u, 0xC0000000u, 0x00000000u}) // 1.5, -2, 0
        for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(u >> s));
    a = ds::read_idx(write_temp("f32", b));
    CHECK(a.values() == std::vector<double>{1.5, -2.0, 0.0});
    b = header(0x0E, {1});
    for (std::uint8_t x : {0x40, 0x09, 0x21, 0xFB, 0x54, 0x44, 0x2D, 0x18}) b.push_back(x);  // pi
    CHECK(ds::read_idx(write_temp("f64", b)).value(0) == doctest::Approx(3.141592653589793).epsilon(1e-16));
    b = header(0x0C, {1});
    for (std::uint8_t x : {0xFF, 0xFF, 0xFF, 0xFE}) b.push_back(x);
    CHECK(ds::read_idx(write_temp("i32", b)).value(0) == -2.0);
    b = header(0x09, {2});
    b.push_back(0x80);
    b.push_back(0x7F);
    CHECK(ds::read_idx(write_temp("i8", b)).values() == std::vector<double>{-128, 127});
}

TEST_CASE("malformed IDX files raise mi::error") {
    auto ok = header(0x08, {2, 3});
    for (int i = 0; i < 6; ++i) ok.push_back(static_cast<std::uint8_t>(i));
    CHECK(ds::read_idx(write_temp("ok", ok)).size() == 6);
    auto truncated = ok;
    truncated.pop_back();
    CHECK_THROWS_AS(ds::read_idx(write_temp("trunc", truncated)), mi::error);
    auto trailing = ok;
    trailing.push_back(9);
    CHECK_THROWS_AS(ds::read_idx(write_temp("trail", trailing)), mi::error);
    auto magic = ok;
    magic[0] = 1;
    CHECK_THROWS_AS(ds::read_idx(write_temp("magic", magic)), mi::error);
    auto type = ok;
    type[2] = 0x0A;
    CHECK_THROWS_AS(ds::read_idx(write_temp("type", type)), mi::error);
    auto zero_dim = header(0x08, {0, 3});
    CHECK_THROWS_AS(ds::read_idx(write_temp("zero", zero_dim)), mi::error);
    auto short_header = header(0x08, {2, 3});
    short_header.resize(9);
    CHECK_THROWS_AS(ds::read_idx(write_temp("short", short_header)), mi::error);
    CHECK_THROWS_AS(ds::read_idx(write_temp("empty", {})), mi::error);
    CHECK_THROWS_AS(ds::read_idx("no/such/file.idx"), mi::error);
    // Labels and images that do not belong together.
    auto labels = header(0x08, {3});
    labels.insert(labels.end(), {0, 1, 2});
    CHECK_THROWS_AS(ds::read_idx_dataset<float>(write_temp("img", ok), write_temp("lab3", labels)), mi::error);
    auto labels2 = header(0x08, {2});
    labels2.insert(labels2.end(), {0, 1});
    CHECK(ds::read_idx_dataset<float>(write_temp("img", ok), write_temp("lab2", labels2)).n == 2);
    CHECK_THROWS_AS(ds::read_idx_dataset<float>(write_temp("lab2", labels2), write_temp("lab2", labels2)), mi::error);
}

TEST_CASE("truncated or corrupt gzip data raise mi::error") {
    const auto good = read_bytes(data_path("engine_idx_images.gz"));
    REQUIRE(good.size() > 100);
    // Every truncation point of the member, including inside the trailer.
    std::size_t rejected = 0, cuts = 0;
    for (std::size_t cut = 1; cut < good.size(); cut += (cut < 40 || good.size() - cut < 12) ? 1 : 97) {
        std::vector<std::uint8_t> t(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut));
        ++cuts;
        try {
            ds::parse_idx(t, "cut");
        } catch (const mi::error&) {
            ++rejected;
        }
    }
    CHECK(rejected == cuts);
    // A flipped bit in the compressed data: rejected by the decoder or by the CRC.
    std::size_t flips = 0, caught = 0;
    for (std::size_t pos = 12; pos + 8 < good.size(); pos += 211) {
        auto c = good;
        c[pos] ^= 0x10;
        ++flips;
        try {
            ds::parse_idx(c, "flip");
        } catch (const mi::error&) {
            ++caught;
        }
    }
    CHECK(caught == flips);
    auto crc = good;
    crc[crc.size() - 6] ^= 1;
    CHECK_THROWS_AS(ds::parse_idx(crc, "crc"), mi::error);
    auto isize = good;
    isize[isize.size() - 1] ^= 1;
    CHECK_THROWS_AS(ds::parse_idx(isize, "isize"), mi::error);
    auto method = good;
    method[2] = 7;
    CHECK_THROWS_AS(ds::parse_idx(method, "method"), mi::error);
    auto flags = good;
    flags[3] = 0x80;
    CHECK_THROWS_AS(ds::parse_idx(flags, "flags"), mi::error);
    auto garbage_member = good;
    garbage_member.insert(garbage_member.end(), {1, 2, 3});
    CHECK_THROWS_AS(ds::parse_idx(garbage_member, "tail"), mi::error);
    CHECK_THROWS_AS(ds::read_idx(write_temp("badgz", crc)), mi::error);
}

TEST_CASE("100 KB of empty fixed-Huffman blocks decode at once") {
    // 80,000 blocks of 10 bits each (not last, fixed Huffman, end-of-block),
    // then the IDX file as a last stored block. The hand-written inflate this
    // reader had rebuilt its code tables per block: 15-19 s for this file.
    auto idx = header(0x08, {4});
    idx.insert(idx.end(), {1, 2, 3, 4});
    bit_writer w;
    for (int b = 0; b < 80000; ++b) w.bits(0b0000000'01'0, 10);  // EOB 0000000, BTYPE 01, BFINAL 0 (read from the right)
    w.bits(1, 1);                                         // BFINAL 1, BTYPE 00: stored
    w.bits(0, 2);
    w.align();
    const auto len = static_cast<std::uint16_t>(idx.size());
    for (std::uint16_t v : {len, static_cast<std::uint16_t>(~len)}) w.bits(v, 16);
    w.out.insert(w.out.end(), idx.begin(), idx.end());
    std::vector<std::uint8_t> gz{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255};
    gz.insert(gz.end(), w.out.begin(), w.out.end());
    const auto crc = static_cast<std::uint32_t>(crc32(0, idx.data(), static_cast<uInt>(idx.size())));
    for (std::uint32_t v : {crc, static_cast<std::uint32_t>(idx.size())})
        for (int s = 0; s < 32; s += 8) gz.push_back(static_cast<std::uint8_t>(v >> s));
    REQUIRE(gz.size() > 100000);
    const auto t0 = std::chrono::steady_clock::now();
    const auto a = ds::parse_idx(gz, "empty_blocks");
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    CHECK(a.values() == std::vector<double>{1, 2, 3, 4});
    CHECK(seconds < 2.0);  // zlib: a few milliseconds
}

TEST_CASE("a gzip bomb is refused without allocating what it expands to") {
    // A 4-byte IDX followed by 128 MiB of zeros: about 130 KB compressed. The
    // reader stops after the declared 4 bytes plus one; the old one held the
    // whole expansion (266 MB peak).
    auto idx = header(0x08, {4});
    idx.insert(idx.end(), {1, 2, 3, 4});
    z_stream z{};
    REQUIRE(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    std::vector<std::uint8_t> bomb(1 << 20), zeros(1 << 20, 0);
    std::size_t used = 0;
    const auto feed = [&](const std::vector<std::uint8_t>& in, int flush) {
        z.next_in = const_cast<Bytef*>(in.data());
        z.avail_in = static_cast<uInt>(in.size());
        do {
            z.next_out = bomb.data() + used;
            z.avail_out = static_cast<uInt>(bomb.size() - used);
            deflate(&z, flush);
            used = bomb.size() - z.avail_out;
        } while (z.avail_in > 0 || (flush == Z_FINISH && z.avail_out == 0));
    };
    feed(idx, Z_NO_FLUSH);
    for (int mb = 0; mb < 128; ++mb) feed(zeros, Z_NO_FLUSH);
    feed({}, Z_FINISH);
    deflateEnd(&z);
    bomb.resize(used);
    zeros = {};
    REQUIRE(bomb.size() > 100000);
    REQUIRE(bomb.size() < 200000);
    const long before = peak_rss_kb();
    try {
        ds::parse_idx(bomb, "bomb.gz");
        FAIL("a gzip bomb was accepted");
    } catch (const mi::error& e) {
        CHECK(std::string(e.what()).find("bomb.gz") != std::string::npos);
        CHECK(std::string(e.what()).find("trailing data") != std::string::npos);
    }
    CHECK(peak_rss_kb() - before < 64 * 1024);
}

TEST_CASE("declared sizes beyond the limits or the data are refused before allocating") {
    // 2^32 bytes: above the 2^31 limit.
    CHECK_THROWS_AS(ds::parse_idx(header(0x08, {65536, 65536}), "big"), mi::error);
    // Dimensions whose product overflows 64 bits.
    CHECK_THROWS_AS(ds::parse_idx(header(0x0E, {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}), "overflow"), mi::error);
    // 1 GB declared in a few compressed bytes: more than DEFLATE can expand them to.
    try {
        ds::parse_idx(gzip_bytes(header(0x08, {1000, 1000, 1000})), "short.gz");
        FAIL("an impossible declared size was accepted");
    } catch (const mi::error& e) {
        CHECK(std::string(e.what()).find("1032") != std::string::npos);
    }
    // Declared 10 bytes, 5 present (raw and gzip), and 6 present of 5 declared (gzip).
    auto shortfall = header(0x08, {10});
    shortfall.insert(shortfall.end(), {1, 2, 3, 4, 5});
    CHECK_THROWS_AS(ds::parse_idx(shortfall, "short"), mi::error);
    CHECK_THROWS_AS(ds::parse_idx(gzip_bytes(shortfall), "short.gz"), mi::error);
    auto extra = header(0x08, {5});
    extra.insert(extra.end(), {1, 2, 3, 4, 5, 6});
    CHECK_THROWS_AS(ds::parse_idx(gzip_bytes(extra), "extra.gz"), mi::error);
    extra.pop_back();
    CHECK(ds::parse_idx(gzip_bytes(extra), "ok.gz").size() == 5);
    // A member boundary anywhere, even inside the header, and an empty member.
    for (std::size_t cut : {std::size_t(0), std::size_t(3), std::size_t(7), extra.size()}) {
        CAPTURE(cut);
        auto two = gzip_bytes({extra.begin(), extra.begin() + static_cast<std::ptrdiff_t>(cut)});
        const auto tail = gzip_bytes({extra.begin() + static_cast<std::ptrdiff_t>(cut), extra.end()});
        two.insert(two.end(), tail.begin(), tail.end());
        CHECK(ds::parse_idx(two, "two.gz").values() == std::vector<double>{1, 2, 3, 4, 5});
    }
}

TEST_CASE("a directory or an unreadable path raises mi::error naming it") {
    const std::string dir = "test_idx_a_directory";
    std::filesystem::create_directories(dir);
    try {
        ds::read_idx(dir);
        FAIL("a directory was read");
    } catch (const mi::error& e) {
        CHECK(std::string(e.what()).find(dir) != std::string::npos);
    }
    CHECK_THROWS_AS(ds::read_idx(""), mi::error);
    CHECK_THROWS_AS(ds::read_idx_dataset<float>(dir, dir), mi::error);
}

TEST_CASE("Fashion-MNIST, when installed, has the published sizes and balance") {
    const std::string dir = "/usr/share/datasets/fashion-mnist";
    if (!std::ifstream(dir + "/t10k-labels-idx1-ubyte.gz").good()) {
        MESSAGE("Fashion-MNIST not installed (dataset-fashion-mnist); skipped");
        return;
    }
    const auto test = ds::read_mnist_dir<float>(dir, false);
    CHECK(test.n == 10000);
    CHECK(test.d == 784);
    CHECK(test.classes == 10);
    std::vector<std::size_t> counts(10, 0);
    for (auto l : test.labels) ++counts[l];
    for (auto c : counts) CHECK(c == 1000);
    float lo = 1, hi = 0;
    for (float v : test.x) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    CHECK(lo == 0.0f);
    CHECK(hi == 1.0f);
}

}  // namespace test_datasets_idx
