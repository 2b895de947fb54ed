// SPDX-License-Identifier: BSD-3-Clause
// parallel_for over independent work items. Determinism is by construction:
// item i is computed by the same code whatever thread runs it, results go to
// slot i, and every reduction over items happens afterwards in index order.
// Nested calls (an estimator's row loop inside the plane's (epoch, layer)
// loop) run serially in the calling thread, so the machine is never
// oversubscribed and the arithmetic never changes.
//
// The helper threads are started once and kept (a process-wide pool that
// grows to the largest thread count asked for): the k-NN and KDE estimators
// call parallel_for several times per estimate, and starting threads anew
// each time cost more than the work for small inputs and, on a loaded
// machine, most of the system time. A parallel_for entered while another
// thread of the program is inside one runs serially in its caller, which
// keeps the one-region-at-a-time pool simple and changes no result.
//
// Waking a sleeping thread through a condition variable took about 40 us per
// region on the 2-core test machine, where one KSG estimate of 1024 rows takes
// 220 us and has four regions. So a helper that finishes a job watches for the
// next one for up to spin_time before it sleeps, and the caller watches for
// its helpers' end for as long before it sleeps: back-to-back regions then
// start and end within a microsecond. Waiting uses the CPU's pause hint, and
// no thread spins for longer than that between regions.
//
// Fork: a child process (Python multiprocessing, PyTorch DataLoader workers)
// inherits the pool's bookkeeping but none of its threads, and would wait
// forever for helpers that do not exist. On POSIX a pthread_atfork child
// handler replaces the pool in the child with a fresh one (the parent's is
// abandoned there, not destroyed: its mutexes may be held by threads that no
// longer exist).
#ifndef MI_CORE_PARALLEL_HPP
#define MI_CORE_PARALLEL_HPP

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdlib>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#define MI_HAVE_PTHREAD_ATFORK 1
#endif

namespace mi {

namespace detail {
inline bool& inside_parallel_region() noexcept {
    thread_local bool inside = false;
    return inside;
}
// Atomic: set_num_threads may be called while another thread is inside an estimate.
inline std::atomic<std::size_t>& thread_override() noexcept {
    static std::atomic<std::size_t> n{0};
    return n;
}

/// The number of cores, asked once: glibc answers std::thread::hardware_concurrency() by reading
/// /sys/devices/system/cpu/online, an open, a read and a close per call, and parallel_for asks on
/// every call (sample_propagation's conditional mixtures made 33,000 such reads per estimate).
inline std::size_t hardware_threads() noexcept {
    static const std::size_t cores = [] {
        const unsigned hw = std::thread::hardware_concurrency();
        return static_cast<std::size_t>(hw == 0 ? 1 : hw);
    }();
    return cores;
}

/// The most threads mi starts: a few per core. More only adds switching (and memory for
/// stacks and per-thread buffers) to work that is already split across the cores.
inline std::size_t max_threads() noexcept { return 4 * hardware_threads(); }

/// A hint to the core that this thread is waiting in a loop (fewer pipeline flushes, and the
/// sibling hyper-thread gets the execution units).
inline void spin_pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield" ::: "memory");
#endif
}

/// Waits until done() holds or `limit` has passed, whichever is first; true if done() held.
template <class Done>
bool spin_until(Done&& done, std::chrono::microseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    for (;;) {
        for (int i = 0; i < 64; ++i) {
            if (done()) return true;
            spin_pause();
        }
        if (std::chrono::steady_clock::now() >= until) return done();
        std::this_thread::yield();  // a thread that shares this core gets it
    }
}

/// The helper threads of parallel_for. One parallel region at a time: run() hands `work` to
/// `helpers` sleeping threads, runs it in the caller too, and returns when all of them are done.
class thread_pool {
public:
    /// Never destroyed: helpers sleep on a condition variable until the process ends, so no
    /// static-destruction order can join a thread that another static still needs.
    static thread_pool& instance() {
        static const bool registered = [] {
#ifdef MI_HAVE_PTHREAD_ATFORK
            // In the child, right after fork, only the forking thread runs: no lock is needed.
            pthread_atfork(nullptr, nullptr, [] { current().store(new thread_pool(), std::memory_order_relaxed); });
#endif
            return true;
        }();
        (void)registered;
        return *current().load(std::memory_order_relaxed);
    }

    /// How long a helper watches for the next job, and the caller for its helpers, before sleeping.
    static constexpr std::chrono::microseconds spin_time{100};

    /// False (and nothing run) when another region is active; the caller then works alone.
    bool try_run(std::size_t helpers, const std::function<void()>& work) {
        std::unique_lock<std::mutex> region(region_, std::try_to_lock);
        if (!region.owns_lock()) return false;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            while (workers_.size() < helpers) workers_.emplace_back([this] { serve(); });
            job_ = &work;
            wanted_ = helpers;
            taken_ = 0;
            active_.store(helpers, std::memory_order_relaxed);
            generation_.store(generation_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
        }
        wake_.notify_all();
        work();
        // the helpers' last decrement (under mutex_, release) is what the acquire load sees
        if (!spin_until([this] { return active_.load(std::memory_order_acquire) == 0; }, spin_time)) {
            std::unique_lock<std::mutex> lock(mutex_);
            done_.wait(lock, [this] { return active_.load(std::memory_order_relaxed) == 0; });
        }
        std::lock_guard<std::mutex> lock(mutex_);
        job_ = nullptr;
        return true;
    }

private:
    thread_pool() = default;

    static std::atomic<thread_pool*>& current() {
        static std::atomic<thread_pool*> pool{new thread_pool()};
        return pool;
    }

    void serve() {
        std::size_t seen = 0;
        std::unique_lock<std::mutex> lock(mutex_);
        for (;;) {
            // the claim is made under mutex_ as before; watching first only spares the wake-up
            lock.unlock();
            spin_until([&] { return generation_.load(std::memory_order_relaxed) != seen; }, spin_time);
            lock.lock();
            wake_.wait(lock, [&] { return generation_.load(std::memory_order_relaxed) != seen && taken_ < wanted_; });
            seen = generation_.load(std::memory_order_relaxed);
            ++taken_;
            const std::function<void()>* job = job_;
            lock.unlock();
            (*job)();
            lock.lock();
            if (active_.fetch_sub(1, std::memory_order_release) == 1) done_.notify_all();
        }
    }

    std::mutex region_;  // held for the whole of one parallel region
    std::mutex mutex_;   // guards everything below; the atomics are also read without it
    std::condition_variable wake_, done_;
    std::vector<std::thread> workers_;
    const std::function<void()>* job_ = nullptr;
    std::atomic<std::size_t> generation_{0}, active_{0};  // written under mutex_ only
    std::size_t wanted_ = 0, taken_ = 0;
};

}  // namespace detail

/// Sets the number of threads mi uses (0 = MI_NUM_THREADS or all cores); values above
/// mi::detail::max_threads() (4 per core) are capped there. Safe to call while another
/// thread estimates: a running region keeps the count it started with.
inline void set_num_threads(std::size_t n) noexcept {
    detail::thread_override().store(std::min(n, detail::max_threads()), std::memory_order_relaxed);
}

/// The number of threads a parallel_for with threads = 0 uses: set_num_threads, else the
/// MI_NUM_THREADS environment variable, else the number of cores; never above max_threads().
inline std::size_t num_threads() noexcept {
    const std::size_t set = detail::thread_override().load(std::memory_order_relaxed);
    if (set > 0) return set;
    if (const char* env = std::getenv("MI_NUM_THREADS")) {
        const long v = std::strtol(env, nullptr, 10);
        if (v > 0) return std::min(static_cast<std::size_t>(v), detail::max_threads());
    }
    return detail::hardware_threads();
}

/// Calls f(i) for i in [0, n), items handed out in chunks of `grain`.
/// If items throw, the exception of the lowest-numbered failing item is rethrown.
template <class F>
void parallel_for(std::size_t n, F&& f, std::size_t threads = 0, std::size_t grain = 1) {
    if (n == 0) return;
    threads = threads == 0 ? num_threads() : std::min(threads, detail::max_threads());
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
    const std::function<void()> job = worker;
    if (!detail::thread_pool::instance().try_run(threads - 1, job)) worker();
    if (first_error) std::rethrow_exception(first_error);
}

/// Calls f(first, last) for the ranges [0, block), [block, 2 block), ... of [0, n), each range
/// one parallel_for item: per-range results combined in range order are the same for any
/// thread count.
template <class F>
void parallel_for_ranges(std::size_t n, std::size_t block, F&& f, std::size_t threads = 0) {
    block = std::max<std::size_t>(block, 1);
    parallel_for((n + block - 1) / block, [&](std::size_t b) { f(b * block, std::min(n, (b + 1) * block)); }, threads);
}

}  // namespace mi

#endif
