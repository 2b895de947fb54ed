// SPDX-License-Identifier: BSD-3-Clause
// examples/datasets/szt.hpp against committed copies of the SZT data:
// - tests/data/szt.csv: var_u.mat of github.com/ravidziv/IDNNs (commit
//   e53f054ee1fd0fafd90a717835e259a904b195bf, data/var_u.mat, git blob
//   2f88039e594729a1a26ba39870a875fe225075ed; the same blob is in artemyk/ibsgd
//   and ivansche/adaptive_estimators), F (4096 x 12) and y as CSV, read with
//   scipy.io.loadmat and written row-major with header x0..x11,y;
//   sha256 3f130a0f4cbce11b2b08d32768c792eb176d727be09206dc2715616682fdc9cb.
// - tests/data/ib_data_npz_split.csv: smoothMI's split (see
//   examples/datasets/data/README.md), the same file as the examples' copy.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "datasets/szt.hpp"
#include "mi/core/error.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_datasets_szt {

namespace ds = mi_examples::datasets;

namespace {

struct szt_file {
    std::vector<std::vector<int>> x;
    std::vector<int> y;
};

szt_file read_szt_csv() {
    std::ifstream f(std::string(MI_TEST_DATA_DIR) + "/szt.csv");
    REQUIRE(f);
    std::string line;
    std::getline(f, line);
    CHECK(line == "x0,x1,x2,x3,x4,x5,x6,x7,x8,x9,x10,x11,y");
    szt_file out;
    while (std::getline(f, line)) {
        std::vector<int> v;
        std::stringstream ss(line);
        for (std::string c; std::getline(ss, c, ',');) v.push_back(std::stoi(c));
        REQUIRE(v.size() == 13);
        out.y.push_back(v.back());
        v.pop_back();
        out.x.push_back(v);
    }
    return out;
}

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

void check_partition(const ds::szt_split& s) {
    std::vector<std::size_t> all = s.train;
    all.insert(all.end(), s.test.begin(), s.test.end());
    std::sort(all.begin(), all.end());
    REQUIRE(all.size() == 4096);
    for (std::size_t r = 0; r < 4096; ++r) CHECK(all[r] == r);
}

double fraction_of_ones(const std::vector<std::size_t>& rows, const std::vector<int>& y) {
    std::size_t ones = 0;
    for (auto r : rows) ones += static_cast<std::size_t>(y[r]);
    return static_cast<double>(ones) / static_cast<double>(rows.size());
}

}  // namespace

TEST_CASE("SZT inputs and all 4096 labels match var_u.mat") {
    const szt_file file = read_szt_csv();
    REQUIRE(file.y.size() == 4096);
    const auto d = ds::szt<float>();
    REQUIRE(d.x.size() == 4096 * 12);
    std::size_t label_mismatches = 0, input_mismatches = 0;
    for (std::size_t r = 0; r < 4096; ++r) {
        for (std::size_t i = 0; i < 12; ++i)
            input_mismatches += d.x[r * 12 + i] != static_cast<float>(file.x[r][i]) ? 1 : 0;
        label_mismatches += d.y[r] != file.y[r] ? 1 : 0;
    }
    CHECK(input_mismatches == 0);
    CHECK(label_mismatches == 0);
    // Binary counting, x0 most significant: row 1 = only x11 set, row 2048 = only x0 set.
    CHECK(d.x[1 * 12 + 11] == 1.0f);
    CHECK(d.x[2048 * 12 + 0] == 1.0f);
    CHECK(std::count(d.x.begin() + 2048 * 12, d.x.begin() + 2049 * 12, 1.0f) == 1);
}

TEST_CASE("SZT label statistics: 2118 ones, H(Y) = 0.999157 bits, popcount fractions") {
    const auto d = ds::szt<double>();
    const auto ones = std::count(d.y.begin(), d.y.end(), 1);
    CHECK(ones == 2118);
    const double p = static_cast<double>(ones) / 4096.0;
    const double h = -(p * std::log2(p) + (1 - p) * std::log2(1 - p));
    CHECK(h == doctest::Approx(0.999157).epsilon(1e-6));
    // README: label 1 for 60/792 patterns with k = 5, 532/924 with k = 6, 732/792 with k = 7.
    std::vector<int> by_k(13, 0), total_k(13, 0);
    for (std::size_t r = 0; r < 4096; ++r) {
        int k = 0;
        for (std::size_t i = 0; i < 12; ++i) k += ds::szt_bit(r, i);
        by_k[static_cast<std::size_t>(k)] += d.y[r];
        ++total_k[static_cast<std::size_t>(k)];
    }
    CHECK(by_k[4] == 0);
    CHECK(by_k[5] == 60);
    CHECK(by_k[6] == 532);
    CHECK(by_k[7] == 732);
    CHECK(by_k[8] == total_k[8]);
    // Threshold sits between f = 98 (largest 0) and 99 (smallest 1).
    int max0 = -1000, min1 = 1000;
    for (std::size_t r = 0; r < 4096; ++r) {
        if (d.y[r] == 1)
            min1 = std::min(min1, ds::szt_score(r));
        else
            max0 = std::max(max0, ds::szt_score(r));
    }
    CHECK(max0 == 98);
    CHECK(min1 == 99);
}

TEST_CASE("SZT splits") {
    const auto d = ds::szt<float>();

    SUBCASE("IDNNs: first 3277 rows, unshuffled, biased test set") {
        const auto s = ds::szt_idnns_split();
        REQUIRE(s.train.size() == 3277);
        REQUIRE(s.test.size() == 819);
        CHECK(s.train.front() == 0);
        CHECK(s.train.back() == 3276);
        CHECK(s.test.front() == 3277);
        check_partition(s);
        CHECK(fraction_of_ones(s.train, d.y) == doctest::Approx(0.437).epsilon(1e-3));
        CHECK(fraction_of_ones(s.test, d.y) == doctest::Approx(0.836).epsilon(1e-3));
    }

    SUBCASE("seeded shuffle: 80 %, a partition, reproducible") {
        const auto a = ds::szt_shuffled_split(7), b = ds::szt_shuffled_split(7), c = ds::szt_shuffled_split(8);
        REQUIRE(a.train.size() == 3277);
        REQUIRE(a.test.size() == 819);
        check_partition(a);
        CHECK(a.train == b.train);
        CHECK(a.train != c.train);
        CHECK(a.train != ds::szt_idnns_split().train);
        const auto half = ds::szt_shuffled_split(7, 0.5);
        CHECK(half.train.size() == 2048);
        CHECK_THROWS_AS(ds::szt_shuffled_split(7, 1.0), mi::error);
        CHECK_THROWS_AS(ds::szt_shuffled_split(7, 0.0), mi::error);
    }

    SUBCASE("smoothMI: the committed IB_data.npz permutation") {
        const auto s = ds::read_szt_split(std::string(MI_TEST_DATA_DIR) + "/ib_data_npz_split.csv");
        REQUIRE(s.train.size() == 3277);
        REQUIRE(s.test.size() == 819);
        check_partition(s);
        CHECK(s.train[0] == 1758);
        CHECK(s.train[1] == 3900);
        CHECK(s.train[2] == 1191);
        CHECK(s.train[3] == 3068);
        // The examples read their own copy; it must be the same file.
        CHECK(slurp(std::string(MI_SOURCE_DIR) + "/examples/datasets/data/ib_data_npz_split.csv") ==
              slurp(std::string(MI_TEST_DATA_DIR) + "/ib_data_npz_split.csv"));
    }
}

TEST_CASE("read_szt_split rejects malformed files") {
    // A valid file in memory, then one defect at a time.
    std::string good = "position,szt_row,split\n";
    for (std::size_t i = 0; i < 4096; ++i)
        good += std::to_string(i) + "," + std::to_string(4095 - i) + "," + (i < 3000 ? "train" : "test") + "\n";
    const auto parse = [](const std::string& text) {
        std::istringstream in(text);
        return ds::read_szt_split(in);
    };
    const auto s = parse(good);
    CHECK(s.train.size() == 3000);
    CHECK(s.train[0] == 4095);
    CHECK(parse(good + "\n\n").test.size() == 1096);  // trailing blank lines are fine

    const auto replace_line = [&](std::size_t row, const std::string& with) {
        std::string t = good;
        const std::string old = std::to_string(row) + "," + std::to_string(4095 - row) + ",";
        const auto at = t.find("\n" + old) + 1;
        const auto end = t.find('\n', at);
        return t.replace(at, end - at, with);
    };
    CHECK_THROWS_AS(parse("pos,row,split\n" + good.substr(good.find('\n') + 1)), mi::error);
    CHECK_THROWS_AS(parse(""), mi::error);
    CHECK_THROWS_AS(parse(replace_line(5, "5,4090")), mi::error);            // 2 fields
    CHECK_THROWS_AS(parse(replace_line(5, "5,4090,train,x")), mi::error);    // 4 fields
    CHECK_THROWS_AS(parse(replace_line(5, "6,4090,train")), mi::error);      // position out of order
    CHECK_THROWS_AS(parse(replace_line(5, "5,4096,train")), mi::error);      // row out of range
    CHECK_THROWS_AS(parse(replace_line(5, "5,4095,train")), mi::error);      // row twice
    CHECK_THROWS_AS(parse(replace_line(5, "5,-3,train")), mi::error);        // negative
    CHECK_THROWS_AS(parse(replace_line(5, "5,40x,train")), mi::error);       // not a number
    CHECK_THROWS_AS(parse(replace_line(5, "5,4090,Train")), mi::error);      // unknown split
    CHECK_THROWS_AS(parse(replace_line(3500, "3500,595,train")), mi::error); // train after test
    CHECK_THROWS_AS(parse(good.substr(0, good.rfind("4095,"))), mi::error);  // a row missing
    CHECK_THROWS_AS(parse(good + "\n4096,0,test\n"), mi::error);             // rows after a blank line
    CHECK_THROWS_AS(ds::read_szt_split(std::string(MI_TEST_DATA_DIR) + "/no_such_file.csv"), mi::error);
}

}  // namespace test_datasets_szt
