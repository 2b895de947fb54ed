// SPDX-License-Identifier: BSD-3-Clause
// mi::error: the one exception type for bad input. Messages always name the
// argument, the value that was given and what was expected, so that a user who
// passes a NaN deep inside a training loop learns which call and which value.
#ifndef MI_CORE_ERROR_HPP
#define MI_CORE_ERROR_HPP

#include <sstream>
#include <stdexcept>
#include <string>

namespace mi {

class error : public std::invalid_argument {
public:
    explicit error(const std::string& what) : std::invalid_argument(what) {}
};

namespace detail {

template <class V>
std::string to_text(const V& value) {
    std::ostringstream s;
    s.precision(17);
    s << value;
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
