# SPDX-License-Identifier: BSD-3-Clause
"""(e) Bad input raises mi.error carrying the C++ message (mi::error's "<where>: <argument> =
<value>, expected <what>")."""
import numpy as np
import pytest

import mi


def test_error_type():
    assert issubclass(mi.error, Exception)
    assert issubclass(mi.cancelled, mi.error)


def test_nan():
    t = np.zeros((10, 2))
    t[3, 1] = np.nan
    with pytest.raises(mi.error) as e:
        mi.binning(mi.uniform(10, -1, 1)).entropy(t)
    assert str(e.value) == "mi::binning: layer(3, 1) = nan, expected a finite value"
    with pytest.raises(mi.error, match=r"^mi::kde.*\(3, 1\) = nan, expected a finite value"):
        mi.kde(0.1).entropy(t)
    rec = mi.Recording(np.zeros(10, dtype=int))
    with pytest.raises(mi.error, match=r"^mi::recording::observe: activations\(3, 1\) = nan, expected a finite value"):
        rec.observe(0, 0, t)


def test_shape_mismatch():
    t = np.zeros((10, 2))
    with pytest.raises(mi.error, match=r"^mi::binning.*rows = 10, expected the number of labelled samples, 9"):
        mi.binning(mi.uniform(10, -1, 1)).point(t, np.zeros(9, dtype=int))
    with pytest.raises(mi.error, match=r"dimension = 3, expected 1 \(one unit\) or 2 \(samples x units\)"):
        mi.kde(0.1).entropy(np.zeros((2, 2, 2)))
    with pytest.raises(mi.error, match=r"^mi::samples::with_network_input: network input rows = 5"):
        mi.Samples(np.zeros(10, dtype=int), x=np.zeros((5, 2)))


def test_k_not_below_n():
    t = np.random.default_rng(0).normal(size=(5, 2))
    with pytest.raises(mi.error, match=r"^mi::kl_entropy.*k"):
        mi.kl_entropy(k=5).entropy(t)
    with pytest.raises(mi.error, match=r"^mi::ksg.*k"):
        mi.ksg(k=10).mutual_information(t, x=t)
    with pytest.raises(mi.error, match=r"^mi::ksg: options.k = -1, expected a non-negative integer"):
        mi.ksg(k=-1)


def test_bad_options_and_labels():
    with pytest.raises(mi.error, match=r"^mi::uniform"):
        mi.uniform(bins=0, lo=-1, hi=1)
    with pytest.raises(mi.error, match=r"^mi::binning: correction = bogus, expected plug_in or miller_madow"):
        mi.binning(mi.uniform(3, 0, 1), correction="bogus")
    with pytest.raises(mi.error, match=r"^mi::labels"):
        mi.Samples(np.array([0.5, 1.0]))
    with pytest.raises(mi.error, match=r"expected integers"):
        mi.Samples(np.array(["a", "b"]))
    with pytest.raises(mi.error, match=r"^mi::labels.*class id in 0..1"):
        mi.Samples(np.array([0, 2]), classes=2)
    with pytest.raises(mi.error, match=r"exactly one of"):
        mi.kde(0.1).mutual_information(np.zeros((3, 1)))
    with pytest.raises(mi.error, match=r"not defined for this estimator"):
        mi.kl_entropy().mutual_information(np.zeros((3, 1)), input_ids=[0, 1, 2])
