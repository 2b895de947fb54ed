# SPDX-License-Identifier: BSD-3-Clause
"""(c) Zero copy: the C++ side reads the caller's memory (float32/float64, unit stride along
the last axis); other inputs are converted once. Torch tensors go through tensor.numpy()."""
import numpy as np
import pytest

import mi
from mi import _mi


def address(a):
    return _mi._buffer_address(mi._activations(a))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_in_place_arrays_are_not_copied(dtype):
    a = np.arange(60, dtype=dtype).reshape(12, 5)
    assert address(a) == a.ctypes.data
    rows = a[::3]                       # row stride 15 elements
    assert address(rows) == rows.ctypes.data
    cols = a[:, 1:4]                    # row stride 5, 3 units
    assert address(cols) == cols.ctypes.data
    column = a[:, 2]                    # 1-D, stride 5: one unit
    assert address(column) == column.ctypes.data
    one = a[4]                          # 1-D contiguous
    assert address(one) == one.ctypes.data


def test_other_inputs_are_converted_once():
    a = np.arange(60, dtype=np.float64).reshape(12, 5)
    for b in (a.T, a[:, ::2], np.asfortranarray(a)):
        c = mi._activations(b)
        assert c.flags.c_contiguous and c.dtype == np.float64 and c.ctypes.data != b.ctypes.data
        assert np.array_equal(c, b)
    assert mi._activations(a.astype(np.float32).T).dtype == np.float32     # layout only: dtype kept
    assert mi._activations(a.astype(np.int32)).dtype == np.float64
    assert mi._activations([[1, 2], [3, 4]]).dtype == np.float64
    assert mi._activations(a.astype(np.float16)).dtype == np.float64
    big_endian = a.astype(">f8")
    assert mi._activations(big_endian).dtype == np.float64 and mi._activations(big_endian).dtype.isnative


def test_c_side_refuses_what_it_cannot_view():
    a = np.arange(60, dtype=np.float64).reshape(12, 5)
    with pytest.raises(mi.error, match="unit stride"):
        _mi._buffer_address(a.T)
    with pytest.raises(mi.error, match="dtype"):
        _mi._buffer_address(a.astype(np.int64))


def test_estimates_read_the_callers_memory():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(300, 4))
    e = mi.kl_entropy()
    before = e.entropy(a)
    a[0, 0] += 1000.0                   # the same array, changed in place: a different estimate
    assert e.entropy(a) != before


def test_torch_tensors():
    torch = pytest.importorskip("torch")
    t = torch.randn(200, 3, dtype=torch.float32)
    assert address(t) == t.data_ptr()
    y = np.arange(200) % 2
    e = mi.kde(0.1)
    assert e.point(t, y) == e.point(t.numpy(), y)
    g = torch.randn(50, 2, requires_grad=True)
    with pytest.raises(mi.error, match=r"detach\(\)"):
        e.entropy(g)
    assert e.entropy(g.detach()) == e.entropy(g.detach().numpy())
    assert mi._activations(torch.ones(4, 2, dtype=torch.bfloat16)).dtype == np.float64
