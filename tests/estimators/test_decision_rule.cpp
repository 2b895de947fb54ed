// SPDX-License-Identifier: BSD-3-Clause
// mi::decision_rule (Balda, Behboodi & Mathar 2018): plug-in information of
// the arg-max decision, on small cases counted by hand.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "mi/estimators/decision_rule.hpp"
#include "estimators/counts.hpp"

// Its own namespace: the test files of a directory are compiled together (tests/CMakeLists.txt).
namespace test_estimators_decision_rule {

static_assert(mi::is_plane_estimator_v<mi::decision_rule<>, float>);
static_assert(mi::is_plane_estimator_v<mi::decision_rule<mi::miller_madow>, double>);

using mi_test::h;

TEST_CASE("decision_rule: I(X;L) = H(L) and I(Y;L) counted by hand") {
    // 8 rows, 3 output units; decisions L = 1 0 1 0 2 2 1 0 (row 7 ties 0/2 -> first max, 0)
    const std::vector<float> out{0.1f, 0.8f, 0.1f,  0.7f, 0.2f, 0.1f,  0.2f, 0.5f, 0.3f,  0.6f, 0.3f, 0.1f,
                                 0.1f, 0.1f, 0.8f,  0.2f, 0.2f, 0.6f,  0.3f, 0.4f, 0.3f,  0.4f, 0.2f, 0.4f};
    const auto v = mi::view(out, 8, 3);
    CHECK(mi::decision_rule<>::decisions(v) == std::vector<std::uint32_t>{1, 0, 1, 0, 2, 2, 1, 0});
    const std::vector<int> y{1, 0, 1, 0, 2, 2, 0, 0};
    const mi::samples s(mi::labels(y, 3));
    const mi::decision_rule<> e;
    const mi::plane_point p = e.point(v, s);
    const double hl = h({3, 3, 2});
    CHECK(p.ixt == doctest::Approx(hl).epsilon(1e-15));
    // H(L|Y): Y=0 rows {1,3,6,7} -> L {0,0,1,0}; Y=1 rows {0,2} -> {1,1}; Y=2 rows {4,5} -> {2,2}
    CHECK(p.ity == doctest::Approx(hl - 0.5 * h({3, 1})).epsilon(1e-15));
    CHECK(e.mutual_information(v, s.labels()) == doctest::Approx(p.ity));
    CHECK(e.entropy(v) == doctest::Approx(hl));
    // repeated inputs: ids 0 0 1 1 2 2 3 3 -> pairs (1,0) (1,0) (2,2) (1,0) differ inside inputs 0, 1 and 3
    const mi::input_ids x(std::vector<int>{0, 0, 1, 1, 2, 2, 3, 3});
    const mi::samples sx(mi::labels(y, 3), x);
    CHECK(e.point(v, sx).ixt == doctest::Approx(hl - 0.75 * std::log(2.0)).epsilon(1e-15));
    CHECK(e.mutual_information(v, x) == doctest::Approx(hl - 0.75 * std::log(2.0)).epsilon(1e-15));
    // Miller-Madow adds (K - 1) / (2N) to each entropy
    const mi::decision_rule<mi::miller_madow> mm;
    CHECK(mm.point(v, s).ixt == doctest::Approx(hl + 2.0 / 16.0).epsilon(1e-15));
    CHECK(mm.parameters() == "correction=miller_madow");
    // a perfect classifier: I(Y;L) = H(Y)
    const std::vector<double> perfect{1, 0, 0, 1, 1, 0, 0, 1};
    const mi::plane_point q = e.point(mi::view(perfect, 4, 2), mi::samples(mi::labels(std::vector<int>{0, 1, 0, 1})));
    CHECK(q.ity == doctest::Approx(std::log(2.0)).epsilon(1e-15));
}

TEST_CASE("decision_rule: bad input raises mi::error") {
    const mi::decision_rule<> e;
    const std::vector<double> one{0.3, 0.7};
    CHECK_THROWS_AS(e.entropy(mi::view(one, 2, 1)), mi::error);  // single unit
    std::vector<double> bad{0.3, 0.7, std::nan(""), 0.1};
    CHECK_THROWS_AS(e.entropy(mi::view(bad, 2, 2)), mi::error);
    const std::vector<double> ok{0.3, 0.7, 0.2, 0.1};
    CHECK_THROWS_AS(e.point(mi::view(ok, 2, 2), mi::samples(mi::labels(std::vector<int>{0, 1, 1}))), mi::error);
    CHECK_THROWS_AS(e.mutual_information(mi::view(ok, 2, 2), mi::input_ids(std::vector<int>{0})), mi::error);
    const std::vector<double> empty;
    CHECK_THROWS_AS(e.entropy(mi::view(empty, 0, 2)), mi::error);
}

}  // namespace test_estimators_decision_rule
