# SPDX-License-Identifier: BSD-3-Clause
# mi.linear_gaussian, mi.generalization_error and mi.gaussian_bound against the numpy
# reference data of the C++ tests (tests/data/rest_linear_gaussian.txt, written by
# tests/reference/rest_linear_gaussian.py), with the C++ tests' tolerances.
import math
import os

import numpy as np
import pytest

import mi


@pytest.fixture(scope="module")
def d():
    from conftest import DATA

    out = {}
    with open(os.path.join(DATA, "rest_linear_gaussian.txt")) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            name, rows, cols, *v = line.split()
            out[name] = np.array([float(x) for x in v]).reshape(int(rows), int(cols))
    return out


def val(x):
    return float(x[0, 0])


def test_linear_gaussian_against_numpy(d):
    a = mi.linear_gaussian(0.1)
    assert a.name == "linear_gaussian" and a.noise_variance == 0.1 and repr(a).startswith("mi.linear_gaussian(")
    assert a.mutual_information(d["a_W"]) == pytest.approx(val(d["a_ixt"]), rel=1e-12)
    assert a.mutual_information(d["a_W"], w_teacher=d["a_Wo"], teacher_noise_variance=0.3) == \
        pytest.approx(val(d["a_ity"]), rel=1e-10)
    b = mi.linear_gaussian(0.05)  # over-complete W, SPD input covariance
    assert b.mutual_information(d["b_W"], d["b_Sx"]) == pytest.approx(val(d["b_ixt"]), rel=1e-12)
    assert b.mutual_information(d["b_W"], d["b_Sx"], d["b_Wo"], 0.2) == pytest.approx(val(d["b_ity"]), rel=1e-10)
    c = mi.linear_gaussian(0.2)  # singular W, noiseless rank-1 teacher
    assert c.mutual_information(d["c_W"], d["c_Sx"]) == pytest.approx(val(d["c_ixt"]), rel=1e-12)
    assert c.mutual_information(d["c_W"], d["c_Sx"], d["c_Wo"], 0.0) == pytest.approx(val(d["c_ity"]), rel=1e-8)


def test_linear_gaussian_inputs(d):
    a = mi.linear_gaussian(0.1)
    ref = a.mutual_information(d["a_W"])
    # lists, float32, Fortran order and torch tensors are converted to float64 C order
    assert a.mutual_information(d["a_W"].tolist()) == ref
    assert a.mutual_information(np.asfortranarray(d["a_W"])) == ref
    assert a.mutual_information(d["a_W"].astype(np.float32)) == pytest.approx(ref, rel=1e-6)
    # Saxe et al. App. C eq. 21: the same function (c W, W_next / c), another I(T;X)
    assert a.mutual_information(3.0 * d["a_W"]) > ref
    with pytest.raises(mi.error, match="dimension"):
        a.mutual_information(d["a_W"][0])
    with pytest.raises(mi.error, match="both w_teacher and teacher_noise_variance"):
        a.mutual_information(d["a_W"], w_teacher=d["a_Wo"])
    with pytest.raises(mi.error, match="input_covariance"):
        a.mutual_information(d["a_W"], np.eye(3))
    with pytest.raises(mi.error, match="noise_variance"):
        mi.linear_gaussian(0.0)
    with pytest.raises(mi.error):
        mi.linear_gaussian(float("nan"))


def test_generalization_error_against_numpy(d):
    assert mi.generalization_error(d["a_Wo"], d["g_Wtot"], 0.3) == pytest.approx(val(d["g_eg"]), rel=1e-13)
    assert mi.generalization_error(d["a_Wo"], d["g_Wtot"], 0.3, input_covariance=d["g_Sx"]) == \
        pytest.approx(val(d["g_eg_sx"]), rel=1e-12)
    assert mi.generalization_error(d["a_Wo"], d["a_Wo"], 0.3) == pytest.approx(0.6)
    with pytest.raises(mi.error, match="shape"):
        mi.generalization_error(d["a_Wo"], d["a_Wo"].T, 0.3)


def test_gaussian_bound_against_numpy(d):
    g = mi.gaussian_bound(0.7, 0.05)
    assert g.name == "gaussian_bound" and g.layer_variance == 0.7 and g.noise_variance == 0.05
    assert g.bound(d["bd_Wstar"], d["bd_dW1"]) == pytest.approx(val(d["bd_one"]), rel=1e-11)
    two = g.bound(d["bd_Wstar"], [d["bd_dW1"], d["bd_dW2"]])
    assert two == pytest.approx(val(d["bd_two"]), rel=1e-11)
    assert g.bound(d["bd_Wstar"], np.stack([d["bd_dW1"], d["bd_dW2"]])) == two  # K x n_out x n_in
    assert two >= val(d["bd_exact_two"]) - 1e-12  # Hadamard: above the jointly Gaussian I(X;T)
    g5 = mi.gaussian_bound(1.3, 0.1)  # degenerate spectrum
    assert g5.bound(d["bd5_Wstar"], d["bd5_dW"]) == pytest.approx(val(d["bd5"]), rel=1e-11)
    assert g.bound(d["bd_Wstar"], np.zeros((4, 6))) == pytest.approx(val(d["bd0"]), rel=1e-11)


def test_gaussian_bound_spectrum_and_errors(d):
    g = mi.gaussian_bound(2.0, 0.5)  # s2z / s2T = 0.25
    assert g.bound(a_diag=[1.0, 3.0], lambdas=[0.75, 0.0]) == \
        pytest.approx(0.5 * math.log(2.0) + 0.5 * math.log(13.0), rel=1e-15)
    with pytest.raises(mi.error, match="either w_star and delta_w, or a_diag and lambdas"):
        g.bound(d["bd_Wstar"])
    with pytest.raises(mi.error, match="either"):
        g.bound(d["bd_Wstar"], d["bd_dW1"], a_diag=[1.0], lambdas=[1.0])
    with pytest.raises(mi.error, match="shape"):
        g.bound(d["bd_Wstar"], d["bd_dW1"][:3])
    with pytest.raises(mi.error, match="lambda size"):
        g.bound(a_diag=[1.0, 2.0], lambdas=[1.0])
    with pytest.raises(mi.error, match="layer_variance"):
        mi.gaussian_bound(0.0, 0.1)
    with pytest.raises(mi.error, match="noise_variance"):
        mi.gaussian_bound(1.0, -0.1)
