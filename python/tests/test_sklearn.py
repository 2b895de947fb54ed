# SPDX-License-Identifier: BSD-3-Clause
"""(b) mi.ksg against scikit-learn's mutual_info_regression / mutual_info_classif (k = 3, 1-D).

scikit-learn clips negative estimates to 0 and adds noise of relative amplitude 1e-10 to
continuous variables; on the data below (dependent, continuous, no ties, MI well above 0)
neither changes a neighbour count, so the two agree to rounding: tolerance 1e-9 nats."""
import numpy as np
import pytest

import mi

sklearn = pytest.importorskip("sklearn.feature_selection")
TOL = 1e-9


@pytest.mark.parametrize("seed", [0, 1])
def test_ksg_equals_mutual_info_regression(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=1000)
    y = x + 0.7 * rng.normal(size=1000)
    want = sklearn.mutual_info_regression(x[:, None], y, n_neighbors=3, random_state=0)[0]
    assert want > 0.3
    got = mi.ksg(k=3).mutual_information(y, x=x)
    assert got == pytest.approx(want, abs=TOL)


@pytest.mark.parametrize("seed", [0, 1])
def test_ksg_equals_mutual_info_classif(seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, 900)
    t = labels + 0.8 * rng.normal(size=900)
    want = sklearn.mutual_info_classif(t[:, None], labels, discrete_features=False, n_neighbors=3,
                                       random_state=0)[0]
    assert want > 0.3
    got = mi.ksg(k=3).mutual_information(t, labels=labels)
    assert got == pytest.approx(want, abs=TOL)
