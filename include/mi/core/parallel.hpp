// SPDX-License-Identifier: BSD-3-Clause
// parallel_for over independent work items. Determinism is by construction:
// item i is computed by the same code whatever thread runs it, results go to
// slot i, and every reduction over items happens afterwards in index order.
// Nested calls (an estimator's row loop inside the plane's (epoch, layer)
// loop) run serially in the calling thread, so the machine is never
// oversubscribed and the arithmetic never changes.
#ifndef MI_CORE_PARALLEL_HPP
#define MI_CORE_PARALLEL_HPP

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace mi {

namespace detail {
inline bool& inside_parallel_region() noexcept {
    thread_local bool inside = false;
    return inside;
}
inline std::size_t& thread_override() noexcept {
    static std::size_t n = 0;
    return n;
}
}  // namespace detail

/// Sets the number of threads mi uses (0 = MI_NUM_THREADS or all cores).
inline void set_num_threads(std::size_t n) noexcept { detail::thread_override() = n; }

/// The number of threads a parallel_for with threads = 0 uses.
inline std::size_t num_threads() noexcept {
    if (detail::thread_override() > 0) return detail::thread_override();
    if (const char* env = std::getenv("MI_NUM_THREADS")) {
        const long v = std::strtol(env, nullptr, 10);
        if (v > 0) return static_cast<std::size_t>(v);
    }
    const unsigned hw = std::thread::hardware_concurrency();
    return hw == 0 ? 1 : hw;
}

/// Calls f(i) for i in [0, n), items handed out in chunks of `grain`.
/// If items throw, the exception of the lowest-numbered failing item is rethrown.
template <class F>
void parallel_for(std::size_t n, F&& f, std::size_t threads = 0, std::size_t grain = 1) {
    if (n == 0) return;
    if (threads == 0) threads = num_threads();
    grain = std::max<std::size_t>(grain, 1);
    threads = std::min(threads, (n + grain - 1) / grain);
    if (threads <= 1 || detail::inside_parallel_region()) {
        for (std::size_t i = 0; i < n; ++i) f(i);
        return;
    }
    std::atomic<std::size_t> next{0};
    std::exception_ptr first_error;
    std::size_t first_error_item = n;
    std::mutex error_mutex;
    auto worker = [&] {
        detail::inside_parallel_region() = true;
        for (;;) {
            const std::size_t begin = next.fetch_add(grain);
            if (begin >= n) break;
            const std::size_t end = std::min(n, begin + grain);
            for (std::size_t i = begin; i < end; ++i) {
                try {
                    f(i);
                } catch (...) {
                    std::lock_guard<std::mutex> lock(error_mutex);
                    if (i < first_error_item) {
                        first_error_item = i;
                        first_error = std::current_exception();
                    }
                }
            }
        }
        detail::inside_parallel_region() = false;
    };
    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    if (first_error) std::rethrow_exception(first_error);
}

}  // namespace mi

#endif
