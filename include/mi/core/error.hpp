// SPDX-License-Identifier: BSD-3-Clause
// mi::error: the one exception type for bad input. Messages always name the
// argument, the value that was given and what was expected, so that a user who
// passes a NaN deep inside a training loop learns which call and which value.
#ifndef MI_CORE_ERROR_HPP
#define MI_CORE_ERROR_HPP

#include <locale>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace mi {

class error : public std::invalid_argument {
public:
    explicit error(const std::string& what) : std::invalid_argument(what) {}
};

/// A long computation stopped because its caller asked it to (a progress callback returned
/// false, e.g. on Ctrl-C in Python). An mi::error, so code that handles errors handles it.
class cancelled : public error {
public:
    explicit cancelled(const std::string& what) : error(what) {}
};

namespace detail {

/// A value as text, locale-independent; floating-point values in the shortest form that reads
/// back to the same value (0.1, not 0.10000000000000001), so that messages and the parameter
/// strings written into CSV headers are both exact and readable.
template <class V>
std::string to_text(const V& value) {
    std::ostringstream s;
    s.imbue(std::locale::classic());
    if constexpr (std::is_floating_point_v<V>) {
        for (int precision = 6; precision <= 17; ++precision) {
            s.str("");
            s.precision(precision);
            s << value;
            std::istringstream back(s.str());
            back.imbue(std::locale::classic());
            V parsed{};
            back >> parsed;
            if (parsed == value || value != value) break;  // NaN prints as nan at any precision
        }
    } else {
        s << value;
    }
    return s.str();
}

/// Throws mi::error("<where>: <argument> = <value>, expected <expected>").
template <class V>
[[noreturn]] void fail(const char* where, const char* argument, const V& value,
                       const std::string& expected) {
    throw error(std::string(where) + ": " + argument + " = " + to_text(value) +
                ", expected " + expected);
}

/// Throws unless `ok`; the message is built only on failure.
template <class V>
void require(bool ok, const char* where, const char* argument, const V& value,
             const char* expected) {
    if (!ok) fail(where, argument, value, expected);
}

}  // namespace detail
}  // namespace mi

#endif
