"""pm4py (AGPL-3.0, a benchmark reference only) is installed by CI (`.[bench]`), not by `make setup`: without
it the comparisons with it skip, unless COLLAB_REQUIRE lists pm4py (CI's PostgreSQL run), where that fails."""

from __future__ import annotations

import importlib.util
import os

import pytest


@pytest.fixture
def pm4py():
    if importlib.util.find_spec("pm4py") is None:
        if "pm4py" in os.environ.get("COLLAB_REQUIRE", "").split(","):
            pytest.fail("COLLAB_REQUIRE lists pm4py but it is not installed (pip install '.[bench]')")
        pytest.skip("pm4py is not installed (pip install '.[bench]')")
    import pm4py as module

    return module
