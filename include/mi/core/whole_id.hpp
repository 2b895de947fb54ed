// SPDX-License-Identifier: BSD-3-Clause
// whole_id: one conversion of a user's identifier (a class label, an input id)
// to an unsigned 64-bit integer, shared by mi::labels and mi::input_ids. Ids
// often arrive as floating-point arrays (numpy's default dtype, one-hot
// arithmetic), so a float holding a whole number is accepted; 0.4, NaN, Inf,
// negative values and values beyond 2^64 are refused with the index and value,
// never truncated or wrapped into another class.
#ifndef MI_CORE_WHOLE_ID_HPP
#define MI_CORE_WHOLE_ID_HPP

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "mi/core/error.hpp"

namespace mi::detail {

/// `signed_ids`: negative whole numbers are valid identities too (input ids; not class
/// labels) and map one-to-one onto the 64-bit pattern of their two's complement.
template <class V>
std::uint64_t whole_id(const V& v, const char* where, const char* argument, std::size_t index,
                       bool signed_ids = false) {
    static_assert(std::is_arithmetic_v<V>, "ids must be integers or floating-point whole numbers");
    auto bad = [&](const std::string& expected) {
        fail(where, (std::string(argument) + "[" + std::to_string(index) + "]").c_str(), +v, expected);
    };
    if constexpr (std::is_same_v<V, bool>) {
        return v ? 1u : 0u;
    } else if constexpr (std::is_floating_point_v<V>) {
        const long double x = static_cast<long double>(v);
        if (!std::isfinite(x) || x != std::floor(x)) bad(signed_ids ? "a whole number" : "a whole number >= 0");
        if (x < 0) {
            if (!signed_ids) bad("a whole number >= 0");
            if (x < -9223372036854775808.0L) bad("a whole number >= -2^63");
            return static_cast<std::uint64_t>(static_cast<std::int64_t>(x));
        }
        if (x >= 18446744073709551616.0L) bad("a whole number below 2^64");
        return static_cast<std::uint64_t>(x);
    } else if constexpr (std::is_signed_v<V>) {
        if (v < 0 && !signed_ids) bad("an id >= 0");
        return static_cast<std::uint64_t>(static_cast<std::int64_t>(v));
    } else {
        return static_cast<std::uint64_t>(v);
    }
}

/// Identities (integers or floating-point whole numbers, negative allowed) renumbered
/// 0..K-1 in order of first appearance; `count` receives K. Shared by mi::input_ids and
/// mi::replica_groups.
template <class V>
std::vector<std::uint32_t> renumbered_ids(const std::vector<V>& ids, const char* where, std::size_t& count) {
    std::unordered_map<std::uint64_t, std::uint32_t> seen;
    std::vector<std::uint32_t> out;
    out.reserve(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const std::uint64_t v = whole_id(ids[i], where, "ids", i, true);
        out.push_back(seen.emplace(v, static_cast<std::uint32_t>(seen.size())).first->second);
    }
    count = seen.size();
    return out;
}

}  // namespace mi::detail

#endif
