"""The score recompute benchmark runs at a tiny size and its four implementations agree (no timings)."""

from __future__ import annotations

import io

import numpy as np

from bench import score_recompute as bench
from interlock.models import ScoreSnapshot


def test_the_implementations_agree_on_a_small_world(scope_a):
    world = bench.build_world(scope_a, units=30, positions=60, kpis=80, matrices=15, lines_per_card=5, seed=3)
    assert world.cards == 60 and world.lines == 300
    result = bench.full_recompute(world.period)
    assert result.snapshots == 60
    _times, parts = bench.staged(world.period)
    assert bench._mismatches(parts, bench.loop_recompute(world.period, 60)) == []
    assert bench._mismatches(parts, bench.grouped_sql(world.period)) == []
    arrays = bench.floor_arrays(world.period)
    floor = bench.numpy_floor(arrays)
    cards = arrays["card"].tolist()
    floor_parts = {c: (None if np.isnan(v) else float(v)) for c, v in zip(cards, floor, strict=True)}
    assert bench._mismatches(parts, floor_parts) == []
    assert ScoreSnapshot.objects.filter(period=world.period).count() == 60  # the loop rolled back its rows


def test_the_run_prints_its_ratios(db):
    out = io.StringIO()
    sizes = {"units": 20, "positions": 40, "kpis": 50, "matrices": 10, "lines_per_card": 4}
    status = bench.run(**sizes, loop_cards=10, repeat=1, seed=5, out=out)
    text = out.getvalue()
    assert status == 0, text
    assert "results agree" in text and "ratio (b)/(a)" in text and "ratio engine/(d)" in text
