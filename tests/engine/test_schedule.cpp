// SPDX-License-Identifier: BSD-3-Clause
// examples/engine/schedule.hpp: the recording grids against numpy's output
// (tests/data/engine_schedules.txt, written by tests/reference/engine_reference.py
// with the papers' own expressions) and the counts the protocols state.
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "engine/schedule.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_engine_schedule {

namespace eng = mi_examples::engine;

namespace {
std::map<std::string, std::vector<std::size_t>> read_grids() {
    std::ifstream f(std::string(MI_TEST_DATA_DIR) + "/engine_schedules.txt");
    REQUIRE(f.good());
    std::map<std::string, std::vector<std::size_t>> out;
    std::string line;
    while (std::getline(f, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream s(line);
        std::string key;
        std::size_t n = 0;
        s >> key >> n;
        std::vector<std::size_t> v(n);
        for (auto& e : v) {
            double d;
            s >> d;
            e = static_cast<std::size_t>(d);
        }
        out[key] = v;
    }
    return out;
}
}  // namespace

TEST_CASE("recording grids equal the papers' numpy expressions") {
    const auto g = read_grids();
    REQUIRE(g.size() == 9);
    CHECK(eng::idnns_log2_epochs(8000, 400) == g.at("idnns_8000_400"));
    CHECK(eng::idnns_log2_epochs(10000, 100) == g.at("idnns_10000_100"));
    CHECK(eng::idnns_log2_epochs(3000, 100) == g.at("idnns_3000_100"));
    CHECK(eng::idnns_log2_epochs(1500, 200) == g.at("idnns_1500_200"));
    CHECK(eng::idnns_log2_epochs(100, 30) == g.at("idnns_100_30"));
    CHECK(eng::smoothmi_log10_epochs(10000) == g.at("smoothmi_10000"));
    CHECK(eng::smoothmi_log10_epochs(3000) == g.at("smoothmi_3000"));
    CHECK(eng::ibsgd_epochs(10000) == g.at("ibsgd_10000"));
    CHECK(eng::ibsgd_epochs(150) == g.at("ibsgd_150"));
}

TEST_CASE("grid counts and end points stated in the protocols") {
    const auto a = eng::idnns_log2_epochs(8000, 400);
    CHECK(a.size() == 274);
    CHECK(a.front() == 0);
    CHECK(a.back() == 7999);
    CHECK(eng::idnns_log2_epochs(3000, 100).back() == 2998);  // 2999 with numpy's AVX-512 power, see schedule.hpp
    const auto b = eng::idnns_log2_epochs(10000, 100);
    CHECK(b.size() == 84);
    CHECK(b.back() == 9998);
    const auto c = eng::smoothmi_log10_epochs(10000);
    CHECK(c.size() == 84);
    CHECK(c.front() == 1);
    CHECK(c.back() == 9999);
    CHECK(eng::ibsgd_epochs(10000).size() == 211);
    CHECK(eng::every_epoch(3) == std::vector<std::size_t>{0, 1, 2});
    CHECK_THROWS_AS(eng::idnns_log2_epochs(0, 10), mi::error);
    CHECK_THROWS_AS(eng::smoothmi_log10_epochs(1), mi::error);
}

}  // namespace test_engine_schedule
