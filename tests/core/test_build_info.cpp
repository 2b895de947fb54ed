// SPDX-License-Identifier: BSD-3-Clause
#include "mi/core/build_info.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <xsimd/xsimd.hpp>

#include "mi/kernels/gaussian.hpp"
#include "mi/kernels/pairwise.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_core_build_info {

namespace {

// The note's process-wide state back to "not shown, enabled", for each case.
void reset_note() {
    mi::detail::simd_note().shown = false;
    mi::set_simd_note(true);
    unsetenv("MI_NO_SIMD_NOTE");
}

const mi::build_summary narrow{"sse2", 128, "avx512f", 512};

}  // namespace

TEST_CASE("build_info: the compiled width is xsimd's float batch, the CPU's is at least as wide") {
    const mi::build_summary b = mi::build_info();
    CHECK(b.compiled == std::string(xsimd::default_arch::name()));
    CHECK(b.compiled_bits == xsimd::batch<float>::size * 32);
    CHECK(b.compiled_bits >= 128);
    if (b.cpu != "unknown") CHECK(b.cpu_bits >= b.compiled_bits);  // the program runs, so the CPU has what it needs
    MESSAGE(b.to_string());
    CHECK(b.to_string().find(b.compiled) != std::string::npos);
    CHECK(mi::build_summary{"neon64", 128, "unknown", 0}.to_string().find("unknown") != std::string::npos);
}

TEST_CASE("narrow_simd_message: only for large work at half the CPU's width or less") {
    CHECK(mi::detail::narrow_simd_message(narrow, 1e10).find("avx512f (512-bit)") != std::string::npos);
    CHECK(mi::detail::narrow_simd_message(narrow, 1e3).empty());
    CHECK(mi::detail::narrow_simd_message({"avx2", 256, "avx512f", 512}, 1e10).size() > 0);
    CHECK(mi::detail::narrow_simd_message({"avx512bw", 512, "avx512f", 512}, 1e10).empty());
    CHECK(mi::detail::narrow_simd_message({"sse2", 128, "unknown", 0}, 1e10).empty());
}

TEST_CASE("note_if_narrow_simd: once per process, silenced by set_simd_note(false) and MI_NO_SIMD_NOTE") {
    reset_note();
    std::ostringstream out;
    CHECK(mi::detail::note_if_narrow_simd(1e10, narrow, out));
    CHECK_FALSE(mi::detail::note_if_narrow_simd(1e10, narrow, out));
    CHECK(out.str() == mi::detail::narrow_simd_message(narrow, 1e10));

    reset_note();
    mi::set_simd_note(false);
    std::ostringstream off;
    CHECK_FALSE(mi::detail::note_if_narrow_simd(1e10, narrow, off));
    CHECK(off.str().empty());

    reset_note();
    setenv("MI_NO_SIMD_NOTE", "1", 1);
    std::ostringstream env;
    CHECK_FALSE(mi::detail::note_if_narrow_simd(1e10, narrow, env));
    CHECK(env.str().empty());
    reset_note();
}

TEST_CASE("note_if_narrow_simd: the KDE engine writes it to stderr once when this build is narrow") {
    reset_note();
    std::ostringstream captured;
    std::streambuf* saved = std::cerr.rdbuf(captured.rdbuf());
    // 3,200 rows of 100 units: 1.0e9 pair x unit operations, at the threshold
    const std::size_t n = 3200, d = 100;
    std::vector<float> rows(n * d);
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<float>(i % 17) * 0.01f;
    (void)mi::log_sum_kernel(mi::view(rows.data(), n, d), mi::gaussian_kernel(1.0));
    (void)mi::log_sum_kernel(mi::view(rows.data(), n, d), mi::gaussian_kernel(1.0));
    std::cerr.rdbuf(saved);
    const mi::build_summary b = mi::build_info();
    const std::string want = mi::detail::narrow_simd_message(b, 1e10);
    INFO(b.to_string());
    CHECK(captured.str() == want);  // the note exactly once on a narrow build, nothing on a native one
    reset_note();
}

}  // namespace test_core_build_info
