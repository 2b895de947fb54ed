// SPDX-License-Identifier: BSD-3-Clause
// Every estimator returns nats. Bits are a presentation choice, made explicitly
// and in one place, so no result is ever silently in the wrong base.
#ifndef MI_CORE_UNITS_HPP
#define MI_CORE_UNITS_HPP

namespace mi {

enum class unit { nats, bits };

inline constexpr double ln2 = 0.693147180559945309417232121458176568;

constexpr double to_bits(double nats) noexcept { return nats / ln2; }
constexpr double to_nats(double bits) noexcept { return bits * ln2; }
constexpr double in_unit(double nats, unit u) noexcept { return u == unit::bits ? to_bits(nats) : nats; }
constexpr const char* unit_name(unit u) noexcept { return u == unit::bits ? "bits" : "nats"; }

}  // namespace mi

#endif
