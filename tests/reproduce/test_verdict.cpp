// SPDX-License-Identifier: BSD-3-Clause
// reproduce/verdict.hpp: the running median and noise by hand, the threshold's false-alarm rate
// and power by simulation, Student's t, Welch and the binomial tail against scipy.stats values
// (computed once with /usr/bin/python3, scipy 1.10, and written here), impossible-value counts.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <sstream>
#include <vector>

#include "reproduce/verdict.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_reproduce_verdict {

namespace rp = mi_examples::reproduce;

TEST_CASE("smooth: a running median, centred inside, over the first/last window at the ends") {
    const std::vector<double> v{1, 9, 2, 3, 100, 4, 5};
    const auto s = rp::smooth(v, 3);
    // i = 0: {1,9,2} -> 2; i = 1: {1,9,2} -> 2; i = 2: {9,2,3} -> 3; i = 3: {2,3,100} -> 3;
    // i = 4: {3,100,4} -> 4; i = 5: {100,4,5} -> 5; i = 6: {100,4,5} -> 5
    const std::vector<double> expected{2, 2, 3, 3, 4, 5, 5};
    REQUIRE(s.size() == expected.size());
    for (std::size_t i = 0; i < s.size(); ++i) CHECK(s[i] == expected[i]);
    const auto s5 = rp::smooth(v, 5);
    // i = 0..2: {1,9,2,3,100} -> 3; i = 3: {9,2,3,100,4} -> 4; i = 4..6: {2,3,100,4,5} -> 4
    const std::vector<double> expected5{3, 3, 3, 4, 4, 4, 4};
    for (std::size_t i = 0; i < s5.size(); ++i) CHECK(s5[i] == expected5[i]);
    // fewer points than the window: the median of all
    CHECK(rp::smooth({4, 1}, 5) == std::vector<double>{2.5, 2.5});
    CHECK_THROWS_AS(rp::smooth(v, 4), mi::error);
    CHECK_THROWS_AS(rp::smooth(v, 0), mi::error);
}

TEST_CASE("a single-epoch spike is neither a peak nor a fall") {
    rp::course c;
    for (int e = 0; e < 40; ++e) {
        c.epoch.push_back(e);
        c.value.push_back(e == 20 ? 5.0 : 1.0 + 0.01 * e);
    }
    const auto t = rp::trend_of(c, 0.0, 0.0);
    // the last five points' median: epoch 37
    CHECK(t.peak == doctest::Approx(1.37));
    CHECK(t.peak_epoch == 37);
    CHECK_FALSE(t.falls());
}

TEST_CASE("a jump within the first epoch: the smoothed start hides it, the initial value keeps it") {
    // 0.2 at epoch 0 (the initial network), 0.7 from epoch 1 on, slowly falling
    rp::course c;
    for (int e = 0; e < 30; ++e) {
        c.epoch.push_back(e);
        c.value.push_back(e == 0 ? 0.2 : 0.7 - 0.002 * e);
    }
    const auto t = rp::trend_of(c, 0.0, 0.0);
    CHECK(t.initial == 0.2);
    // the median of epochs 0-4 is epoch 3's 0.694, which is also the smoothed peak
    CHECK(t.first == doctest::Approx(0.694));
    CHECK(t.rise() == doctest::Approx(0.0));
    CHECK(t.rise_from_initial() == doctest::Approx(0.494));
}

TEST_CASE("noise_sd: the robust spread of the first differences is the noise's standard deviation") {
    std::mt19937_64 rng(7);
    std::normal_distribution<double> noise(0.0, 0.2);
    std::vector<double> v;
    for (int e = 0; e < 4000; ++e) v.push_back(std::sin(e / 400.0) + noise(rng));
    // the trend (slope below 1/400 per epoch) does not count as noise
    CHECK(rp::noise_sd(v) == doctest::Approx(0.2).epsilon(0.05));
    // by hand: differences {1,-1,1,-1}: median 0, |d| = 1, sigma = 1.4826 / sqrt 2
    CHECK(rp::noise_sd({0, 1, 0, 1, 0}) == doctest::Approx(1.4826 / std::sqrt(2.0)));
}

namespace {
// The fraction of draws whose course is called falling.
template <class Noise>
double falling_rate(std::size_t epochs, double drop_in_sigma, Noise draw, std::uint64_t seed, int draws = 2000) {
    std::mt19937_64 rng(seed);
    int falling = 0;
    for (int d = 0; d < draws; ++d) {
        rp::course c;
        for (std::size_t e = 0; e < epochs; ++e) {
            // rise to the middle, then fall by drop_in_sigma (0: flat)
            const double x = static_cast<double>(e) / static_cast<double>(epochs - 1);
            const double shape = drop_in_sigma * (x < 0.5 ? 2 * x : 2 * (1 - x));
            c.epoch.push_back(static_cast<double>(e));
            c.value.push_back(shape + draw(rng));
        }
        falling += rp::trend_of(c, 0.0, 0.0).falls() ? 1 : 0;
    }
    return static_cast<double>(falling) / draws;
}
}  // namespace

TEST_CASE("the threshold: flat noisy courses are rarely called falling, a rise and fall of 10 sigma nearly always is") {
    auto gauss = [](std::mt19937_64& r) { return std::normal_distribution<double>(0, 1)(r); };
    auto heavy = [](std::mt19937_64& r) { return std::student_t_distribution<double>(3)(r) / std::sqrt(3.0); };
    for (std::size_t epochs : {20u, 60u, 141u, 300u, 1000u}) {
        CAPTURE(epochs);
        CHECK(falling_rate(epochs, 0.0, gauss, epochs) < 0.01);
        CHECK(falling_rate(epochs, 0.0, heavy, epochs + 1) < 0.01);
        // with 20 epochs a 10-sigma triangle changes by a sigma per epoch, which the differences count as
        // noise: the power is lower there (about 0.8), and the programs record more epochs than that
        if (epochs >= 60) CHECK(falling_rate(epochs, 10.0, gauss, epochs + 2, 300) >= 0.99);
    }
}

TEST_CASE("a resolution floor: a noiseless course must change by more than the estimator can resolve") {
    rp::course c{{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {1, 1, 1, 1, 2, 3, 3, 3, 3, 2.99, 2.99, 2.99, 2.99}};
    CHECK(rp::trend_of(c, 0.0, 0.0).falls());
    CHECK_FALSE(rp::trend_of(c, 0.05, 0.0).falls());
    CHECK(rp::trend_of(c, 0.05, 0.0).rises());
    // the default 2 % of the peak (0.06) hides the 0.01 fall too
    CHECK_FALSE(rp::trend_of(c).falls());
    CHECK(rp::trend_of(c).threshold == doctest::Approx(0.06));
}

TEST_CASE("course_of orders by epoch and skips empty cells") {
    std::istringstream csv("epoch,ixt\n3,0.3\n1,0.1\n2,\n0,0\n");
    const auto t = rp::table::read(csv);
    const auto c = rp::course_of(t, "ixt");
    REQUIRE(c.size() == 3);
    CHECK(c.epoch == std::vector<double>{0, 1, 3});
    CHECK(c.value == std::vector<double>{0, 0.1, 0.3});
}

TEST_CASE("incomplete beta and Student's t tail against scipy") {
    struct bcase { double a, b, x, expected; };
    for (const auto& c : {bcase{0.5, 0.5, 0.3, 0.3690101195655454}, bcase{2, 3, 0.4, 0.5247999999999999},
                          bcase{10, 0.5, 0.95, 0.3171515754655451}, bcase{0.7, 15, 0.02, 0.4204535634445596},
                          bcase{50, 60, 0.45, 0.4642352914306064}})
        CHECK(rp::incomplete_beta(c.a, c.b, c.x) == doctest::Approx(c.expected).epsilon(1e-12));
    struct tcase { double t, df, expected; };
    for (const auto& c : {tcase{0.5, 3, 0.3257239824240755}, tcase{2.0, 4, 0.05805826175840775},
                          tcase{-1.3, 7, 0.8826160823038114}, tcase{3.7, 19, 0.0007598719990492516},
                          tcase{1.0, 1, 0.25}, tcase{0.1, 250.5, 0.4602121547046265},
                          tcase{6.0, 2.5, 0.007640864942761447}})
        CHECK(rp::student_t_sf(c.t, c.df) == doctest::Approx(c.expected).epsilon(1e-10));
    CHECK_THROWS_AS(rp::incomplete_beta(0, 1, 0.5), mi::error);
    CHECK_THROWS_AS(rp::incomplete_beta(1, 1, 1.5), mi::error);
    CHECK_THROWS_AS(rp::student_t_sf(1, 0), mi::error);
}

TEST_CASE("one-sample and Welch t-tests against scipy.stats.ttest_1samp / ttest_ind(equal_var=False)") {
    const auto one = rp::one_sample_t({0.31, 0.12, 0.55, -0.05, 0.4, 0.22});
    CHECK(one.statistic == doctest::Approx(2.9930812404784155).epsilon(1e-12));
    CHECK(one.p_value == doctest::Approx(0.015169800987802752).epsilon(1e-10));
    CHECK(one.df == 5);
    const auto w = rp::welch_t({1.2, 0.9, 1.5, 1.1, 1.3}, {0.7, 1.0, 0.4, 0.8, 0.6, 0.9, 0.5});
    CHECK(w.statistic == doctest::Approx(3.8729833462074166).epsilon(1e-12));
    CHECK(w.p_value == doctest::Approx(0.0020689089770987512).epsilon(1e-10));
    // fewer than two runs: no test
    CHECK(std::isnan(rp::one_sample_t({1.0}).p_value));
    CHECK(rp::one_sample_t({2.0, 2.0, 2.0}).p_value == 0.0);
    CHECK(rp::one_sample_t({-2.0, -2.0}).p_value == 1.0);
}

TEST_CASE("binomial tail against scipy.stats.binom.sf") {
    CHECK(rp::binomial_sf(7, 10, 0.5) == doctest::Approx(0.171875).epsilon(1e-12));
    CHECK(rp::binomial_sf(3, 20, 0.05) == doctest::Approx(0.07548367378849626).epsilon(1e-10));
    CHECK(rp::binomial_sf(0, 5) == doctest::Approx(1.0));
    CHECK_THROWS_AS(rp::binomial_sf(6, 5), mi::error);
    CHECK_THROWS_AS(rp::binomial_sf(1, 5, 1.0), mi::error);
}

TEST_CASE("verdicts: agreement is the paper's outcome equal to the measured one, written as a table") {
    rp::verdicts v;
    v.add({"tanh compresses (Fig. 1A)", "drop, bits", 1.2, 0.3, std::nan(""), "falls", "falls"});
    v.add({"ReLU does not (Fig. 1B)", "drop, bits", 0.9, 0.3, 0.01, "does not fall", "falls"});
    CHECK(v.agreeing() == 1);
    const auto t = v.as_table();
    REQUIRE(t.size() == 2);
    CHECK(t.text(0, "agrees") == "1");
    CHECK(t.text(1, "agrees") == "0");
    CHECK(t.text(0, "p_value").empty());
    CHECK(t.number(1, "p_value") == 0.01);
}

TEST_CASE("out_of_range counts I < 0, I(X;T) > H(X) and I(T;Y) > H(Y), and skips an H(T) axis") {
    std::istringstream csv(
        "estimator,parameters,epoch,layer,ixt,ity,ixt_quantity\n"
        "kde,a,0,1,11.9,0.5,I(X;T)\n"
        "kde,a,1,1,12.5,-0.2,I(X;T)\n"
        "kde,a,2,1,-0.1,1.2,I(X;T)\n"
        "kl,b,0,1,-3,-2,H(T)\n"
        "kl,b,1,1,40,0.3,H(T)\n");
    const auto t = rp::out_of_range(rp::table::read(csv), 12.0, 1.0);
    REQUIRE(t.size() == 3);  // kde ixt, kde ity, kl ity
    CHECK(t.text(0, "quantity") == "I(X;T)");
    CHECK(t.number(0, "checked") == 3);
    CHECK(t.number(0, "below_zero") == 1);
    CHECK(t.number(0, "above_bound") == 1);
    CHECK(t.text(1, "quantity") == "I(T;Y)");
    CHECK(t.number(1, "below_zero") == 1);
    CHECK(t.number(1, "above_bound") == 1);
    CHECK(t.text(2, "estimator") == "kl");
    CHECK(t.text(2, "quantity") == "I(T;Y)");
    CHECK(t.number(2, "checked") == 2);
    CHECK(t.number(2, "below_zero") == 1);
}

TEST_CASE("label_entropy_bits: H(Y) of the labels' frequencies, by hand") {
    CHECK(rp::label_entropy_bits({0, 1, 0, 1}) == doctest::Approx(1.0));
    CHECK(rp::label_entropy_bits({3, 3, 3}) == doctest::Approx(0.0));
    // p = (1/2, 1/4, 1/4): 1/2 + 2 * 1/4 * 2 = 1.5 bits
    CHECK(rp::label_entropy_bits({0, 0, 1, 2}) == doctest::Approx(1.5));
}

TEST_CASE("judge_runs: one run by its threshold, several by the t-test of the excesses") {
    const auto one = rp::judge_runs({0.5}, {0.2});
    CHECK(one.exceeds);
    CHECK(std::isnan(one.p_value));
    CHECK_FALSE(rp::judge_runs({0.1}, {0.2}).exceeds);
    // excesses {0.31, 0.12, 0.55, -0.05, 0.4, 0.22}: the one-sample case above, p = 0.01517
    const auto six = rp::judge_runs({1.31, 1.12, 1.55, 0.95, 1.4, 1.22}, {1, 1, 1, 1, 1, 1});
    CHECK(six.p_value == doctest::Approx(0.015169800987802752).epsilon(1e-9));
    CHECK(six.exceeds);
    CHECK_FALSE(rp::judge_runs({1.31, 1.12, 1.55, 0.95, 1.4, 1.22}, {1, 1, 1, 1, 1, 1}, 0.01).exceeds);
    CHECK(six.value == doctest::Approx(1.258333333333));
    CHECK(six.threshold == doctest::Approx(1.0));
    CHECK_THROWS_AS(rp::judge_runs({1.0, 2.0}, {1.0}), mi::error);
    CHECK_THROWS_AS(rp::judge_runs({}, {}), mi::error);
}

}  // namespace test_reproduce_verdict
