// SPDX-License-Identifier: BSD-3-Clause
// examples/engine/blas_kernel.hpp: which OpenBLAS kernel replaces a fallback, by hand-listed cases
// (OpenBLAS's kernel names, the CPU's extensions). The restart itself runs in a whole program:
// tests/smoke/check_blas_kernel.py.
#include <doctest/doctest.h>

#include <string>

#include "engine/blas_kernel.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_engine_blas_kernel {

namespace eng = mi_examples::engine;

TEST_CASE("an SSE-era kernel on an AVX-512 CPU is replaced by SkylakeX, on an AVX2 CPU by Haswell") {
    const eng::cpu_vector_isa avx512{true, true}, avx2{true, false}, sse{false, false};
    for (const char* old : {"Prescott", "prescott", "Nehalem", "Core2", "Atom", "Barcelona", "Opteron(SSE3)"}) {
        CAPTURE(old);
        CHECK(eng::better_openblas_kernel(old, avx512) == "SkylakeX");
        CHECK(eng::better_openblas_kernel(old, avx2) == "Haswell");
        CHECK(eng::better_openblas_kernel(old, sse).empty());  // the fallback fits a CPU without AVX2
    }
}

TEST_CASE("a kernel OpenBLAS chose for a CPU it knows is kept") {
    const eng::cpu_vector_isa avx512{true, true};
    for (const char* known : {"Haswell", "SkylakeX", "Cooperlake", "SapphireRapids", "Zen", "Sandybridge", ""}) {
        CAPTURE(known);
        CHECK(eng::better_openblas_kernel(known, avx512).empty());
    }
    // A name that only begins like an SSE-era one is not one.
    CHECK(eng::better_openblas_kernel("Prescott2", avx512).empty());
    CHECK(eng::better_openblas_kernel("Presc", avx512).empty());
}

TEST_CASE("this CPU's extensions are consistent: AVX-512 only with AVX2 and FMA") {
    const eng::cpu_vector_isa isa = eng::this_cpu_vector_isa();
    CHECK((!isa.avx512 || isa.avx2_fma));
}

}  // namespace test_engine_blas_kernel
