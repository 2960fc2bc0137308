"""The event-log benchmark's code runs, its ingest is idempotent and its two measure computations agree (tiny
size; no timings asserted)."""

from __future__ import annotations

import io

import pytest
from django.db import connection

from bench import events as bench_events

pytestmark = pytest.mark.django_db


def test_run_prints_the_ratios(db):
    out = io.StringIO()
    status = bench_events.run(units=8, bulk=120, single=5, events=3000, repeat=1, seed=3, out=out)
    text = out.getvalue()
    assert status == 0, text
    assert "ratio (a)/(b)" in text and "created nothing" in text
    if connection.vendor == "postgresql":
        assert "results agree" in text and "ratio (c)/(d)" in text
    else:
        assert "(d) skipped" in text
