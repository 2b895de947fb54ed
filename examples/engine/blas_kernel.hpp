// SPDX-License-Identifier: BSD-3-Clause
// Which kernels OpenBLAS runs the engine's products with, and a way out when
// it chose badly.
//
// A DYNAMIC_ARCH OpenBLAS (Debian's, Conan's) picks its kernels when it is
// loaded, from the CPU's family and model. A CPU released after that OpenBLAS
// is unknown to it, and 0.3.21 (Debian bookworm) then runs its Prescott
// kernels: SSE3 without FMA. Measured 2026-12-05 on a 2-core Intel Xeon,
// family 6 model 207 (Emerald Rapids, AVX-512): the MNIST network's
// 1024 x 784 x 128 SGEMMs ran at 58-62 GFLOP/s with the Prescott kernels and
// at 160-245 GFLOP/s with OPENBLAS_CORETYPE=SkylakeX, and a training epoch of
// 784-1024-20-20-20-10 took 5.1-6.7 s instead of 1.45 s.
//
// OpenBLAS reads OPENBLAS_CORETYPE only while it is loaded, before main(), so
// the environment cannot be fixed from inside the process. The reproduction
// programs therefore call use_fitting_openblas_kernels(argv) first: when
// OpenBLAS runs an SSE-era kernel on a CPU whose AVX2/FMA or AVX-512 the OS
// enables, it sets OPENBLAS_CORETYPE to the matching kernel and restarts the
// program once (execv of /proc/self/exe, same arguments), saying so on
// stderr. A user's own OPENBLAS_CORETYPE is never overridden, which is also
// how to keep OpenBLAS's choice; no other BLAS is touched.
//
// The kernels change the order of SGEMM's sums, so what goes through BLAS
// differs in its last bits, as it does between machines (the SZT main job:
// training identical, recorded activations in their last bits, verdicts the
// same); for one kernel the results stay deterministic.
#ifndef MI_EXAMPLES_ENGINE_BLAS_KERNEL_HPP
#define MI_EXAMPLES_ENGINE_BLAS_KERNEL_HPP

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#if defined(__linux__) && defined(__x86_64__) && defined(__GNUC__)
#include <unistd.h>
#define MI_ENGINE_CAN_CHOOSE_OPENBLAS_KERNEL 1
// Weak: null when the program is linked to another BLAS, or to none.
extern "C" char* openblas_get_corename(void) __attribute__((weak));
#else
#define MI_ENGINE_CAN_CHOOSE_OPENBLAS_KERNEL 0
#endif

namespace mi_examples::engine {

/// The vector extensions that decide which OpenBLAS x86-64 kernel fits a CPU (each usable:
/// present and enabled by the operating system).
struct cpu_vector_isa {
    bool avx2_fma = false;  ///< AVX2 and FMA3 (OpenBLAS's Haswell kernels)
    bool avx512 = false;    ///< AVX-512 F, CD, BW, DQ and VL (its SkylakeX kernels)
};

/// The OpenBLAS kernel to ask for instead of `chosen` (as openblas_get_corename() spells it),
/// or "" to keep it: only an SSE-era kernel chosen on a CPU with AVX2/FMA or AVX-512 is replaced,
/// because that is OpenBLAS's fallback for a CPU it does not know, not a measured choice.
inline std::string better_openblas_kernel(std::string_view chosen, cpu_vector_isa cpu) {
    // OpenBLAS's x86-64 DYNAMIC_ARCH kernels without AVX (names as its corename reports them).
    static constexpr std::array<std::string_view, 14> sse_era = {
        "Katmai", "Coppermine", "Northwood", "Prescott", "Banias",  "Atom",   "Core2",
        "Penryn", "Dunnington", "Nehalem",   "Opteron",  "Opteron(SSE3)", "Barcelona", "Bobcat"};
    bool old = false;
    for (const auto name : sse_era)
        if (chosen.size() == name.size() &&
            std::equal(chosen.begin(), chosen.end(), name.begin(), [](char a, char b) {
                return (a | 0x20) == (b | 0x20);
            }))
            old = true;
    if (!old) return "";
    if (cpu.avx512) return "SkylakeX";
    if (cpu.avx2_fma) return "Haswell";
    return "";
}

/// This CPU's usable vector extensions (GCC/Clang's cpu-feature tests, which also check that the
/// OS saves the AVX and AVX-512 registers); none on other compilers and architectures.
inline cpu_vector_isa this_cpu_vector_isa() {
    cpu_vector_isa isa;
#if MI_ENGINE_CAN_CHOOSE_OPENBLAS_KERNEL
    __builtin_cpu_init();
    isa.avx2_fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    isa.avx512 = isa.avx2_fma && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
                 __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
                 __builtin_cpu_supports("avx512vl");
#endif
    return isa;
}

/// The kernel OpenBLAS runs in this process ("" if the program does not use OpenBLAS).
inline std::string openblas_kernel() {
#if MI_ENGINE_CAN_CHOOSE_OPENBLAS_KERNEL
    if (openblas_get_corename != nullptr) {
        const char* name = openblas_get_corename();
        if (name != nullptr) return name;
    }
#endif
    return "";
}

/// Restarts the program once with OPENBLAS_CORETYPE set when OpenBLAS fell back to SSE-era
/// kernels on a CPU with AVX2/FMA or AVX-512 (see the top of this file). Call it first in main();
/// returns normally when nothing needs changing or the restart fails (said on stderr).
inline void use_fitting_openblas_kernels(char** argv) {
#if MI_ENGINE_CAN_CHOOSE_OPENBLAS_KERNEL
    if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return;
    const std::string chosen = openblas_kernel();
    const std::string better = better_openblas_kernel(chosen, this_cpu_vector_isa());
    if (better.empty()) return;
    std::fprintf(stderr,
                 "note: OpenBLAS chose its %s kernels, its fallback for a CPU it does not know; this CPU has %s, "
                 "so the program restarts with OPENBLAS_CORETYPE=%s (set OPENBLAS_CORETYPE yourself to choose)\n",
                 chosen.c_str(), better == "SkylakeX" ? "AVX-512" : "AVX2 and FMA", better.c_str());
    std::fflush(stderr);
    if (setenv("OPENBLAS_CORETYPE", better.c_str(), 1) == 0) execv("/proc/self/exe", argv);
    std::fprintf(stderr, "note: the restart failed (%s); continuing with OpenBLAS's %s kernels\n",
                 std::strerror(errno), chosen.c_str());
#else
    (void)argv;
#endif
}

}  // namespace mi_examples::engine

#endif
