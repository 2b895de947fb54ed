// SPDX-License-Identifier: BSD-3-Clause
// A seeded generator whose streams are the same on every platform and
// standard library (std:: distributions are not), so "same seed, same
// numbers" holds for bootstrap resamples, jitter and Monte Carlo draws.
// xoshiro256** (Blackman & Vigna 2018) seeded through splitmix64.
#ifndef MI_CORE_RANDOM_HPP
#define MI_CORE_RANDOM_HPP

#include <cmath>
#include <cstdint>
#include <initializer_list>
#if !defined(__SIZEOF_INT128__) && defined(_MSC_VER)
#include <intrin.h>  // __umulh
#endif

namespace mi {

namespace detail {

/// The 128-bit product of two 64-bit numbers as its high and low halves.
struct product_128 {
    std::uint64_t high;
    std::uint64_t low;
};

/// a * b from four 32 x 32 -> 64-bit products: the fallback where the compiler
/// has no 128-bit integer and no intrinsic; tested against mul_64x64.
constexpr product_128 mul_64x64_portable(std::uint64_t a, std::uint64_t b) noexcept {
    constexpr std::uint64_t half = 0xFFFFFFFFull;
    const std::uint64_t a0 = a & half, a1 = a >> 32, b0 = b & half, b1 = b >> 32;
    const std::uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    // middle column: at most 3 (2^32 - 1) < 2^64, so it cannot overflow
    const std::uint64_t middle = (p00 >> 32) + (p01 & half) + (p10 & half);
    return {p11 + (p01 >> 32) + (p10 >> 32) + (middle >> 32), (middle << 32) | (p00 & half)};
}

/// a * b, 128 bits: the compiler's 128-bit integer (GCC, Clang), MSVC's
/// __umulh, or the portable form; all three give the same bits.
inline product_128 mul_64x64(std::uint64_t a, std::uint64_t b) noexcept {
#if defined(__SIZEOF_INT128__)
    __extension__ typedef unsigned __int128 uint128;  // __extension__: not ISO C++, said on purpose
    const uint128 m = static_cast<uint128>(a) * b;
    return {static_cast<std::uint64_t>(m >> 64), static_cast<std::uint64_t>(m)};
#elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_ARM64))
    return {__umulh(a, b), a * b};
#else
    return mul_64x64_portable(a, b);
#endif
}

}  // namespace detail

/// splitmix64 step: also used to derive independent seeds from (seed, a, b, ...).
constexpr std::uint64_t splitmix64(std::uint64_t& state) noexcept {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/// A seed for stream (a, b, c) of a run seeded with `seed`; distinct tuples
/// give unrelated streams, so work items seed themselves independently of the
/// thread that runs them.
constexpr std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0,
                                    std::uint64_t c = 0) noexcept {
    std::uint64_t s = seed;
    std::uint64_t h = splitmix64(s);
    for (std::uint64_t v : {a, b, c}) {
        s = h ^ (v + 0x632BE59BD9B4E019ull);
        h = splitmix64(s);
    }
    return h;
}

class rng {
public:
    using result_type = std::uint64_t;
    explicit rng(std::uint64_t seed = 0) noexcept {
        std::uint64_t s = seed;
        for (auto& w : s_) w = splitmix64(s);
    }
    static constexpr result_type min() noexcept { return 0; }
    static constexpr result_type max() noexcept { return ~result_type(0); }

    result_type operator()() noexcept {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    /// Uniform in [0, 1) with 53 random bits.
    double uniform() noexcept { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

    /// Uniform integer in [0, n), unbiased (Lemire's multiply-and-reject).
    std::uint64_t below(std::uint64_t n) noexcept {
        if (n == 0) return 0;
        for (;;) {
            const detail::product_128 m = detail::mul_64x64((*this)(), n);
            if (m.low >= n || m.low >= (0 - n) % n) return m.high;
        }
    }

    /// Standard normal by the Box-Muller transform (both values used).
    double normal() noexcept {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        double u1 = 0.0, u2 = 0.0;
        box_muller_uniforms(u1, u2);
        double first = 0.0;
        box_muller(u1, u2, first, spare_);
        has_spare_ = true;
        return first;
    }

    /// The two uniforms normal() draws for its next pair (u1 in (0, 1), u2 in [0, 1)): drawn
    /// ahead, box_muller can turn them into the same pair anywhere, e.g. on another thread.
    void box_muller_uniforms(double& u1, double& u2) noexcept {
        u1 = uniform();
        while (u1 <= 0.0) u1 = uniform();
        u2 = uniform();
    }

    /// The pair of standard normals of uniforms u1, u2, in the order normal() returns them.
    static void box_muller(double u1, double u2, double& first, double& second) noexcept {
        const double r = std::sqrt(-2.0 * std::log(u1));
        const double a = 6.283185307179586476925286766559 * u2;
        second = r * std::sin(a);
        first = r * std::cos(a);
    }

private:
    static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[4]{};
    double spare_ = 0.0;
    bool has_spare_ = false;
};

}  // namespace mi

#endif
