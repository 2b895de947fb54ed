// SPDX-License-Identifier: BSD-3-Clause
// The plug-in entropy of a list of counts, in nats: the hand-worked side of
// the counting estimators' tests (decision_rule, exact_counting).
#ifndef MI_TESTS_ESTIMATORS_COUNTS_HPP
#define MI_TESTS_ESTIMATORS_COUNTS_HPP

#include <cmath>
#include <vector>

namespace mi_test {

inline double h(const std::vector<double>& counts) {
    double n = 0, s = 0;
    for (double c : counts) n += c;
    for (double c : counts)
        if (c > 0) s -= c / n * std::log(c / n);
    return s;
}

}  // namespace mi_test

#endif
