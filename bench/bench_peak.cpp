// SPDX-License-Identifier: BSD-3-Clause
// The machine's FP32 fused-multiply-add peak, measured rather than assumed
// from a flop-per-cycle table (which was 2x off on the Zen 5 these benches
// now run on): every thread runs independent chains of FMAs on the widest
// SIMD batch the build targets, enough chains to cover the FMA latency on
// every pipe, for about 0.2 s; the rate is the sum of the threads' flops per
// CPU second of each (so a loaded machine lowers it only through the clock,
// not through time slices lost to other processes: run it on a quiet machine
// all the same, the clock drops when both cores are busy). bench/machine.py prints it in every benchmark table's header, and
// the "% of peak" columns divide by it.
//
//   bench_peak [threads]     prints "fp32_fma_gflops=<rate> threads=<t> lanes=<w>"
//
// A build without -march=native (MI_NATIVE=OFF) measures the baseline
// instruction set's peak, which is the right peak for that build's kernels.
//
// A build for a CPU with AVX-512 BF16 also measures the rate of its BF16 dot
// product (vdpbf16ps: 16 float lanes, each adding two bf16 x bf16 products, so
// 64 flops per instruction against an FMA's 32) and prints it as
// "bf16_dot_gflops=<rate>" on the same line. Whether a BF16 training path
// could beat float32 at all depends on that ratio, not on the flop count per
// instruction: on the Intel Xeon family 6 model 207 of 2026-12-06 it issues a
// quarter as often as an FMA, so its peak is half the float32 one
// (bench/engine.md).
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <thread>
#include <utility>
#include <vector>

#if defined(__AVX512BF16__)
#include <immintrin.h>
#endif

#include "mi/core/simd.hpp"

namespace {

using fbatch = mi::simd::batch<float>;
// At least FMA latency (4-5 cycles) x pipes (2) on every x86-64 core we know, and few enough that the
// chains and the two constants stay in registers: 16 vector registers below AVX-512, 32 with it. With
// 16 chains on AVX2 the compiler kept some in memory and a Zen 3 measured 104-117 GFLOP/s on two
// threads instead of 180-205 (below the 146 GFLOP/s OpenBLAS's SGEMM reached on the same machine).
constexpr std::size_t chains = fbatch::size * sizeof(float) >= 64 ? 16 : 12;

/// Runs `iterations` rounds of `chains` independent FMAs; returns a value the optimiser cannot drop.
/// The chains are named one by one (a pack expansion), not an array indexed in a loop, so they
/// live in registers at -O2 as well as at -O3.
template <std::size_t... C>
float fma_chains(long iterations, std::index_sequence<C...>) {
    fbatch acc[] = {fbatch(1.0f + 1e-3f * static_cast<float>(C))...};
    const fbatch a(0.999999f), b(1e-7f);
    for (long i = 0; i < iterations; ++i) ((acc[C] = mi::simd::fma(acc[C], a, b)), ...);
    return mi::simd::reduce_add((acc[C] + ...));
}

float fma_chains(long iterations) { return fma_chains(iterations, std::make_index_sequence<chains>{}); }

#if defined(__AVX512BF16__)
/// The same for vdpbf16ps on 512-bit registers; each lane adds the two products of a pair of bf16.
template <std::size_t... C>
float bf16_chains(long iterations, std::index_sequence<C...>) {
    __m512 acc[] = {_mm512_set1_ps(1.0f + 1e-3f * static_cast<float>(C))...};
    // every product is 2^-24 (exact in bf16), so the sums stay finite
    const __m512bh a = _mm512_cvtne2ps_pbh(_mm512_set1_ps(1.0f), _mm512_set1_ps(1.0f));
    const __m512bh b = _mm512_cvtne2ps_pbh(_mm512_set1_ps(0x1p-24f), _mm512_set1_ps(0x1p-24f));
    for (long i = 0; i < iterations; ++i) ((acc[C] = _mm512_dpbf16_ps(acc[C], a, b)), ...);
    // stored and added by hand: GCC 12 warns inside _mm512_reduce_add_ps (an undefined upper half)
    alignas(64) float lanes[16];
    _mm512_store_ps(lanes, (acc[C] + ...));
    float sum = 0.0f;
    for (float v : lanes) sum += v;
    return sum;
}
#endif

/// flops of one round of chains, and one round run `iterations` times, for each kind measured
struct kind {
    double flops_per_round;
    float (*run)(long);
};

const kind fp32_fma{2.0 * static_cast<double>(fbatch::size) * chains, fma_chains};
#if defined(__AVX512BF16__)
const kind bf16_dot{64.0 * chains, [](long n) { return bf16_chains(n, std::make_index_sequence<chains>{}); }};
#endif

/// CPU seconds of the calling thread: a thread preempted by another process on a busy
/// machine does not count the time it waited.
double thread_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

/// Sum over the team of each thread's flops per CPU second, GFLOP/s.
double team_rate(const kind& k, unsigned threads, long iterations) {
    std::vector<std::thread> team;
    std::vector<double> rate(threads);
    const double flops = k.flops_per_round * static_cast<double>(iterations);
    for (unsigned t = 0; t < threads; ++t)
        team.emplace_back([&, t] {
            const double t0 = thread_seconds();
            volatile float keep = k.run(iterations);
            (void)keep;
            rate[t] = flops / (thread_seconds() - t0) / 1e9;
        });
    for (auto& th : team) th.join();
    double sum = 0.0;
    for (double r : rate) sum += r;
    return sum;
}

/// Calibrates one thread to ~0.2 s, then keeps the best of five team runs (a preempted run only looks slower).
double peak(const kind& k, unsigned threads) {
    long iterations = 1 << 16;
    for (;;) {
        const auto t0 = std::chrono::steady_clock::now();
        volatile float keep = k.run(iterations);
        (void)keep;
        if (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() > 0.2 || iterations > (1L << 36))
            break;
        iterations *= 2;
    }
    double best = 0.0;
    for (int r = 0; r < 5; ++r) best = std::max(best, team_rate(k, threads, iterations));
    return best;
}

}  // namespace

int main(int argc, char** argv) {
    const unsigned threads = argc > 1 ? static_cast<unsigned>(std::atoi(argv[1]))
                                      : std::max(1u, std::thread::hardware_concurrency());
    if (threads == 0) {
        std::fprintf(stderr, "usage: %s [threads >= 1]\n", argv[0]);
        return 2;
    }
    std::printf("fp32_fma_gflops=%.1f threads=%u lanes=%zu", peak(fp32_fma, threads), threads, fbatch::size);
#if defined(__AVX512BF16__)
    std::printf(" bf16_dot_gflops=%.1f", peak(bf16_dot, threads));
#endif
    std::printf("\n");
    return 0;
}
