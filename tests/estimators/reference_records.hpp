// SPDX-License-Identifier: BSD-3-Clause
// Reader of the reference-value files that tests/reference/rest_*.py write
// (one named matrix per line: name rows cols values..., '#' comments), shared
// by the tests of the estimators checked against them.
#ifndef MI_TESTS_ESTIMATORS_REFERENCE_RECORDS_HPP
#define MI_TESTS_ESTIMATORS_REFERENCE_RECORDS_HPP

#include <doctest/doctest.h>

#include <cstddef>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "mi/core/activation_view.hpp"

namespace mi_tests {

struct record {
    std::size_t rows = 0, cols = 0;
    std::vector<double> v;
    mi::activation_view<const double> view() const { return mi::view(v, rows, cols); }
};

inline std::map<std::string, record> read_records(const std::string& file) {
    std::ifstream in(std::string(MI_TEST_DATA_DIR) + "/" + file);
    REQUIRE(in.good());
    std::map<std::string, record> m;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream s(line);
        std::string name;
        record r;
        s >> name >> r.rows >> r.cols;
        r.v.resize(r.rows * r.cols);
        for (auto& x : r.v) s >> x;
        REQUIRE_MESSAGE(!s.fail(), file, ": malformed record ", name);
        m[name] = r;
    }
    return m;
}

}  // namespace mi_tests

#endif
