"""The review results benchmark runs at a tiny size and its two implementations agree (no timings)."""

from __future__ import annotations

import io

from bench import review_results as bench


def test_the_run_prints_its_ratio_and_the_implementations_agree(db):
    out = io.StringIO()
    status = bench.run(subjects=30, ratings=600, dimensions=3, people=120, k=5, repeat=1, seed=3, out=out)
    text = out.getvalue()
    assert status == 0, text
    assert "results agree" in text and "ratio (a)/(b)" in text and "(p) API list, one page" in text
