# SPDX-License-Identifier: BSD-3-Clause
import os

import pytest

DATA = os.environ.get("MI_TEST_DATA_DIR") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                                          "tests", "data")


@pytest.fixture
def data_dir():
    return DATA
