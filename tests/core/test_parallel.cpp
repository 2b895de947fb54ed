// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "mi/core/parallel.hpp"
#if defined(__unix__)
#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_core_parallel {
#endif

TEST_CASE("parallel_for visits every item once, any thread count") {
    for (std::size_t threads : {1, 2, 3, 8}) {
        std::vector<int> hits(1000, 0);
        mi::parallel_for(hits.size(), [&](std::size_t i) { hits[i] += 1; }, threads, 7);
        for (int h : hits) CHECK(h == 1);
    }
}

TEST_CASE("parallel_for_ranges covers [0, n) in consecutive blocks, any thread count") {
    for (std::size_t threads : {1, 2, 3}) {
        for (std::size_t n : {0, 1, 999, 1000, 1001}) {
            CAPTURE(threads);
            CAPTURE(n);
            std::vector<int> hits(n, 0);
            std::atomic<std::size_t> ranges{0};
            mi::parallel_for_ranges(n, 100, [&](std::size_t first, std::size_t last) {
                CHECK(first % 100 == 0);
                CHECK(last == std::min(n, first + 100));
                for (std::size_t i = first; i < last; ++i) hits[i] += 1;
                ++ranges;
            }, threads);
            for (int h : hits) CHECK(h == 1);
            CHECK(ranges == (n + 99) / 100);
        }
    }
    std::size_t calls = 0;  // block 0 counts as 1
    mi::parallel_for_ranges(3, 0, [&](std::size_t first, std::size_t last) { calls += last - first == 1 && first < 3; }, 1);
    CHECK(calls == 3);
}

TEST_CASE("nested parallel_for runs serially inside a worker") {
    std::atomic<int> total{0};
    mi::parallel_for(4, [&](std::size_t) {
        mi::parallel_for(10, [&](std::size_t) { total += 1; }, 2);
    }, 2);
    CHECK(total == 40);
}

TEST_CASE("the lowest failing item's exception is rethrown") {
    try {
        mi::parallel_for(100, [](std::size_t i) {
            if (i == 13 || i == 77) throw std::runtime_error(std::to_string(i));
        }, 2);
        FAIL("no throw");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()) == "13");
    }
}

TEST_CASE("the pool serves many regions in a row and several thread counts") {
    std::vector<std::size_t> sums;
    for (std::size_t round = 0; round < 2000; ++round) {
        const std::size_t threads = 1 + round % 4;
        std::vector<std::size_t> slot(37, 0);
        mi::parallel_for(slot.size(), [&](std::size_t i) { slot[i] = i * round; }, threads);
        std::size_t s = 0;
        for (auto v : slot) s += v;
        sums.push_back(s);
    }
    for (std::size_t round = 0; round < sums.size(); ++round) CHECK(sums[round] == 666 * round);  // 0 + ... + 36
}

TEST_CASE("regions entered from two threads at once both complete (one of them serially)") {
    std::atomic<std::size_t> a{0}, b{0};
    auto region = [](std::atomic<std::size_t>& counter) {
        for (int r = 0; r < 200; ++r) mi::parallel_for(50, [&](std::size_t i) { counter += i; }, 2);
    };
    std::thread t1(region, std::ref(a)), t2(region, std::ref(b));
    t1.join();
    t2.join();
    CHECK(a == 200u * 1225u);
    CHECK(b == 200u * 1225u);
}

// Issue 15: MI_NUM_THREADS=100000 started 1000 threads and ran 9x slower.
TEST_CASE("thread counts are capped at a few per core, from every source") {
    const std::size_t cap = mi::detail::max_threads();
    CHECK(cap == 4 * std::max(1u, std::thread::hardware_concurrency()));
    mi::set_num_threads(100000);
    CHECK(mi::num_threads() == cap);
    mi::set_num_threads(0);
    ::setenv("MI_NUM_THREADS", "100000", 1);
    CHECK(mi::num_threads() == cap);
    ::setenv("MI_NUM_THREADS", "1", 1);
    CHECK(mi::num_threads() == 1);
    ::unsetenv("MI_NUM_THREADS");
    // an explicit count above the cap runs with the cap: every item once, no more threads
    std::vector<int> seen(1000, 0);
    mi::parallel_for(seen.size(), [&](std::size_t i) { ++seen[i]; }, 100000);
    for (int v : seen) CHECK(v == 1);
}

// Issue 15: set_num_threads while another thread estimates was a data race (ThreadSanitizer).
// The count is atomic; a running region keeps its count, and every region still visits each item once.
TEST_CASE("set_num_threads while other threads run regions") {
    std::atomic<bool> stop{false};
    std::atomic<std::size_t> sum{0};
    std::thread worker([&] {
        for (int r = 0; r < 300; ++r) mi::parallel_for(64, [&](std::size_t i) { sum += i; });
        stop = true;
    });
    std::size_t n = 1;
    while (!stop) mi::set_num_threads(n++ % 3);
    worker.join();
    mi::set_num_threads(0);
    CHECK(sum == 300u * 2016u);
}

// Not under ThreadSanitizer: it does not support starting threads in the child of a
// multi-threaded fork (the child exits with TSan's status 66 by design).
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MI_TEST_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define MI_TEST_TSAN 1
#endif
#if defined(__unix__) && !defined(MI_TEST_TSAN)

// Issue 13: Python multiprocessing and PyTorch DataLoader workers fork a process whose pool
// helpers do not exist in the child; the child must get a working pool, not hang.
TEST_CASE("after fork, the child's parallel_for runs on a fresh pool and completes") {
    auto sum_of_squares = [] {
        std::vector<long> v(1000);
        mi::parallel_for(v.size(), [&](std::size_t i) { v[i] = static_cast<long>(i * i); }, 2);
        long s = 0;
        for (const long x : v) s += x;
        return s;
    };
    const long expected = sum_of_squares();  // starts the parent's helper thread
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        alarm(30);  // a hang ends the child by SIGALRM, which the parent reports
        const bool ok = sum_of_squares() == expected && sum_of_squares() == expected;
        _exit(ok ? 0 : 1);
    }
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    CHECK_FALSE(WIFSIGNALED(status));  // SIGALRM: the child hung
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(sum_of_squares() == expected);  // the parent's pool still works
}
#endif

}  // namespace test_core_parallel
