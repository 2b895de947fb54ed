// SPDX-License-Identifier: BSD-3-Clause
// libFuzzer target: the CSV readers of the examples on arbitrary text. The
// first byte chooses the reader: even, examples/datasets/szt.hpp's
// read_szt_split (smoothMI's committed split, position,szt_row,split); odd,
// examples/reproduce/table.hpp's table::read (the tidy tables that --merge
// reads back). mi::error is the expected answer to bad input; any other
// exception, a crash, a sanitizer report or a split that is not a partition
// of the 4096 patterns is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <sstream>
#include <string>
#include <vector>

#include "datasets/szt.hpp"
#include "reproduce/table.hpp"

namespace {

[[noreturn]] void finding(const char* what) {
    std::fprintf(stderr, "finding: %s\n", what);
    std::abort();
}

void check_split(const mi_examples::datasets::szt_split& s) {
    namespace ds = mi_examples::datasets;
    if (s.train.empty() || s.test.empty() || s.train.size() + s.test.size() != ds::szt_patterns)
        finding("read_szt_split returned a split of the wrong size");
    std::vector<bool> seen(ds::szt_patterns, false);
    for (const auto* part : {&s.train, &s.test})
        for (std::size_t r : *part) {
            if (r >= ds::szt_patterns || seen[r]) finding("read_szt_split returned a row twice or out of range");
            seen[r] = true;
        }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    std::istringstream in(std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
    try {
        if (data[0] % 2 == 0) {
            check_split(mi_examples::datasets::read_szt_split(in, "fuzz"));
        } else {
            const auto t = mi_examples::reproduce::table::read(in, "fuzz");
            for (std::size_t i = 0; i < t.size(); ++i)
                if (t.row(i).size() != t.columns().size()) finding("table::read returned a ragged row");
            for (std::size_t i = 0; i < t.size() && i < 4; ++i)
                for (const auto& c : t.columns()) {
                    try {
                        volatile double v = t.number(i, c);
                        (void)v;
                    } catch (const mi::error&) {
                    }
                }
        }
    } catch (const mi::error&) {
    } catch (const std::exception& e) {
        std::fprintf(stderr, "finding: exception other than mi::error: %s\n", e.what());
        std::abort();
    }
    return 0;
}
