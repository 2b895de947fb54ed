// SPDX-License-Identifier: BSD-3-Clause
// mi::build_info(): the SIMD instruction set mi was compiled for (xsimd's
// default architecture, fixed by the translation unit's -m flags) against the
// widest one the CPU running it offers. mi is header-only, so the consumer's
// flags decide: a plain build targets SSE2 (128-bit) on x86-64, and the KDE
// and kNN engines run several times slower than with -march=native on an
// AVX2/AVX-512 machine. Nothing would tell a user that, so a long estimate
// that runs at half the CPU's width or less prints one note to stderr per
// process (silenced by MI_NO_SIMD_NOTE=1 or mi::set_simd_note(false)).
// How to get the fast path: link mi::native, or compile with -march=<cpu>.
#ifndef MI_CORE_BUILD_INFO_HPP
#define MI_CORE_BUILD_INFO_HPP

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <iostream>
#include <string>
#include <xsimd/xsimd.hpp>

namespace mi {

struct build_summary {
    std::string compiled;             ///< instruction set compiled in: xsimd's arch name ("sse2", "avx2", "avx512bw", ...)
    std::size_t compiled_bits = 0;    ///< its vector width in bits (float batch)
    std::string cpu = "unknown";      ///< the widest the CPU offers: "avx512f", "avx2", "avx", "sse4.2", "sse2", or "unknown"
    std::size_t cpu_bits = 0;         ///< its width in bits; 0 when unknown

    std::string to_string() const {
        std::string s = "SIMD compiled for " + compiled + " (" + std::to_string(compiled_bits) + "-bit), CPU offers ";
        if (cpu_bits == 0) return s + "unknown (no detection for this compiler or architecture)";
        return s + cpu + " (" + std::to_string(cpu_bits) + "-bit)";
    }
};

namespace detail {

/// The widest x86 instruction set the running CPU (and OS) supports; GCC and
/// Clang only, "unknown" elsewhere.
inline void detect_cpu_simd(build_summary& b) {
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
    __builtin_cpu_init();  // (the argument of __builtin_cpu_supports must be a literal: no table)
    auto offers = [&b](const char* name, std::size_t bits) {
        b.cpu = name;
        b.cpu_bits = bits;
    };
    if (__builtin_cpu_supports("avx512f"))
        offers("avx512f", 512);
    else if (__builtin_cpu_supports("avx2"))
        offers("avx2", 256);
    else if (__builtin_cpu_supports("avx"))
        offers("avx", 256);
    else if (__builtin_cpu_supports("sse4.2"))
        offers("sse4.2", 128);
    else if (__builtin_cpu_supports("sse2"))
        offers("sse2", 128);
#else
    (void)b;
#endif
}

}  // namespace detail

/// What this translation unit was compiled for and what the CPU offers.
inline build_summary build_info() {
    build_summary b;
    b.compiled = xsimd::default_arch::name();
    b.compiled_bits = xsimd::batch<float>::size * 32;
    detail::detect_cpu_simd(b);
    return b;
}

namespace detail {

/// Work (pair x unit operations) above which a narrow-SIMD estimate is worth a note.
inline constexpr double narrow_simd_work = 1e9;

/// The note for an estimate of `work` operations under `b`, or "" when none is due:
/// the work is large and the CPU's vectors are at least twice as wide as the compiled ones.
inline std::string narrow_simd_message(const build_summary& b, double work) {
    if (work < narrow_simd_work || b.cpu_bits < 2 * b.compiled_bits) return "";
    return "mi: note: this estimate runs with " + b.compiled + " (" + std::to_string(b.compiled_bits) +
           "-bit SIMD) but the CPU offers " + b.cpu + " (" + std::to_string(b.cpu_bits) +
           "-bit); compile with -march=native (CMake: link mi::native) for the fast path. "
           "Silence with MI_NO_SIMD_NOTE=1 or mi::set_simd_note(false).\n";
}

struct simd_note_state {
    std::atomic<bool> enabled{true};
    std::atomic<bool> shown{false};
};
inline simd_note_state& simd_note() {
    static simd_note_state state;
    return state;
}

inline const build_summary& cached_build_info() {
    static const build_summary b = build_info();
    return b;
}

/// Writes the narrow-SIMD note to `out` at most once per process; true when it wrote it.
/// Called by the pairwise (KDE) engine and the brute-force kNN search with their work.
inline bool note_if_narrow_simd(double work, const build_summary& b, std::ostream& out) {
    simd_note_state& s = simd_note();
    if (work < narrow_simd_work || !s.enabled.load(std::memory_order_relaxed) ||
        s.shown.load(std::memory_order_relaxed))
        return false;
    const char* off = std::getenv("MI_NO_SIMD_NOTE");
    if (off && *off && std::string(off) != "0") return false;
    const std::string message = narrow_simd_message(b, work);
    if (message.empty() || s.shown.exchange(true)) return false;
    out << message << std::flush;
    return true;
}
inline bool note_if_narrow_simd(double work) { return note_if_narrow_simd(work, cached_build_info(), std::cerr); }

}  // namespace detail

/// Turns the one-time narrow-SIMD note on or off for the whole process.
inline void set_simd_note(bool enabled) noexcept { detail::simd_note().enabled.store(enabled); }

}  // namespace mi

#endif
