// SPDX-License-Identifier: BSD-3-Clause
// For tests that change mi's thread count: puts the default back when the test case ends,
// also when a CHECK throws, so the next test case starts from the default.
#ifndef MI_TEST_DEFAULT_THREADS_HPP
#define MI_TEST_DEFAULT_THREADS_HPP

#include "mi/core/parallel.hpp"

namespace mi_test {

struct default_threads_on_exit {
    default_threads_on_exit() = default;
    default_threads_on_exit(const default_threads_on_exit&) = delete;
    default_threads_on_exit& operator=(const default_threads_on_exit&) = delete;
    ~default_threads_on_exit() { mi::set_num_threads(0); }
};

}  // namespace mi_test

#endif
