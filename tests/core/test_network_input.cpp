// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "mi/core/error.hpp"
#include "mi/core/network_input.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_core_network_input {

TEST_CASE("network_input: a copy of the rows in the caller's element type") {
    std::vector<float> x{1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 9.0f, 9.0f};
    const mi::activation_view<const float> strided(x.data(), 3, 2, 2);  // 3 rows of 2, stride 2
    const mi::network_input in(strided);
    x[0] = -1.0f;  // the copy does not see later writes
    CHECK(in.rows() == 3);
    CHECK(in.cols() == 2);
    CHECK(in.is_float());
    const float first = in.visit([](const auto& v) { return static_cast<float>(v(0, 0)); });
    CHECK(first == 1.0f);
    const bool is_float_view = in.visit([](const auto& v) {
        return std::is_same_v<typename std::decay_t<decltype(v)>::value_type, float>;
    });
    CHECK(is_float_view);
    const std::vector<double> d{0.5, 1.5};
    CHECK_FALSE(mi::network_input(mi::activation_view<const double>(d.data(), 2, 1, 1)).is_float());
}

TEST_CASE("network_input: subset gathers rows, with repetition, into a new input") {
    const std::vector<double> x{0.0, 10.0, 1.0, 11.0, 2.0, 12.0};
    const mi::network_input in(mi::activation_view<const double>(x.data(), 3, 2, 2));
    const mi::network_input s = in.subset({2, 0, 2});
    REQUIRE(s.rows() == 3);
    const std::vector<double> got = s.visit([](const auto& v) {
        std::vector<double> out;
        for (std::size_t i = 0; i < v.rows(); ++i) out.push_back(v(i, 1));
        return out;
    });
    CHECK(got == std::vector<double>{12.0, 10.0, 12.0});
    CHECK_THROWS_WITH_AS(in.subset({3}), doctest::Contains("row = 3, expected < 3"), mi::error);
    CHECK(mi::network_input().subset({0, 1}).empty());
}

TEST_CASE("network_input: bad input and missing input raise mi::error") {
    std::vector<double> x{0.0, NAN, 1.0, 2.0};
    CHECK_THROWS_WITH_AS(mi::network_input(mi::activation_view<const double>(x.data(), 2, 2, 2)),
                         doctest::Contains("mi::network_input: x(0, 1) = nan"), mi::error);
    const mi::network_input none;
    CHECK(none.empty());
    CHECK_THROWS_WITH_AS(none.require(4, "mi::test"), doctest::Contains("mi::test: samples.network_input() = none"),
                         mi::error);
    x[1] = 0.5;
    const mi::network_input two(mi::activation_view<const double>(x.data(), 2, 2, 2));
    CHECK_NOTHROW(two.require(2, "mi::test"));
    CHECK_THROWS_WITH_AS(two.require(3, "mi::test"), doctest::Contains("network input rows = 2, expected the number of layer rows, 3"),
                         mi::error);
}

TEST_CASE("network_input: the memo computes a key once, shared by copies and threads; a throw is retried") {
    const std::vector<double> x{1.0, 2.0, 3.0};
    const mi::network_input in(mi::activation_view<const double>(x.data(), 3, 1, 1));
    const mi::network_input copy = in;
    std::atomic<int> calls{0};
    auto make = [&] {
        ++calls;
        return std::string("prepared");
    };
    std::vector<std::thread> pool;
    std::vector<const std::string*> seen(4);
    for (int t = 0; t < 4; ++t)
        pool.emplace_back([&, t] { seen[static_cast<std::size_t>(t)] = (t % 2 ? in : copy).memo<std::string>("k", make).get(); });
    for (auto& th : pool) th.join();
    CHECK(calls == 1);
    for (const auto* p : seen) CHECK(p == seen[0]);
    CHECK(*in.memo<std::string>("k", make) == "prepared");
    CHECK(calls == 1);
    in.memo<std::string>("other", make);
    CHECK(calls == 2);
    // a subset is a new input with its own memo
    in.subset({0}).memo<std::string>("k", make);
    CHECK(calls == 3);
    int attempts = 0;
    auto failing = [&]() -> std::string {
        if (++attempts == 1) throw mi::error("first attempt fails");
        return "second";
    };
    CHECK_THROWS_AS(in.memo<std::string>("retry", failing), mi::error);
    CHECK(*in.memo<std::string>("retry", failing) == "second");
}

}  // namespace test_core_network_input
