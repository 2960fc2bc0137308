"""The anomaly benchmark at a tiny size: it runs, its planted data is what it says, and the vectorised check
and the per-series loop of the same rule agree (no timings asserted)."""

from __future__ import annotations

import io
import re

import numpy as np

from alerts.engine.anomaly import check_latest
from bench import anomaly as bench


def test_planted_anomalies_are_in_the_bad_direction_at_the_stated_rate():
    data = bench.generate(400, 36, 0.1, seed=3)
    assert data.planted.sum() == 40
    assert (data.kind == "spike").sum() == 20 and (data.kind == "shift").sum() == 20
    assert set(np.unique(data.seasons).tolist()) == {0, 12}
    clean = bench.generate(400, 36, 0.0, seed=3)
    jump = data.matrix[:, -1] - clean.matrix[:, -1]
    bad_sign = np.where(data.directions == "higher_better", -1, 1)
    assert (np.sign(jump[data.planted]) == bad_sign[data.planted]).all()
    assert (jump[~data.planted] == 0).all()


def test_the_loop_agrees_with_the_engine_and_both_see_the_plants():
    data = bench.generate(300, 36, 0.2, seed=5)
    verdicts = check_latest(data.matrix, direction=data.directions, season=data.seasons, **bench.CHECK)
    looped = [bench.loop_check(data.matrix[i], data.directions[i], data.seasons[i]) for i in range(300)]
    assert [flag for flag, _ in looped] == verdicts.flagged.tolist()
    np.testing.assert_allclose([expected for _, expected in looped], verdicts.expected, rtol=1e-9)
    recall, per_planted = bench.quality(verdicts.flagged, data.planted)
    assert recall >= 0.7 and per_planted <= 2


def test_the_benchmark_runs_and_reports_its_ratios():
    out = io.StringIO()
    status = bench.run(
        series=200, points=36, rate=0.1, loop_series=30, model_series=3, repeat=1, seed=1, out=out
    )
    text = out.getvalue()
    assert status == 0, text
    assert "results agree" in text and re.search(r"ratio \(c\)/\(a\): [\d,]+× best", text)
    assert re.search(r"recall \d\.\d{3} \(target ≥ 0\.8", text)
    assert "(d) nightly change-point pass over all 200 series" in text
