"""The page benchmark's client at a tiny size: it signs in both users, drives every page with concurrent
connections and reports ratios to the reference (no timings asserted; gunicorn and the database set-up are
the production build test's and the benchmark's own business)."""

from __future__ import annotations

import io
import re

import pytest

from bench import pages as bench
from collab.demo.scale import scale_build


@pytest.fixture
def scale_tenant(transactional_db, tenant_b):
    """A tiny seed_scale tenant with the benchmark's slug, and another tenant in the room."""
    return scale_build(slug=bench.SLUG, name="规模", units=12, employees=40)


def test_every_page_answers_both_users_under_concurrent_load(scale_tenant, live_server):
    """Both users, every page, two connections: all 200, and the report has a ratio for each page."""
    said: list[str] = []
    results = bench.measure(
        live_server.url,
        [f"{bench.SLUG}-hr", f"{bench.SLUG}-manager"],
        connections=2,
        seconds=0.2,
        say=said.append,
    )
    half = len(results) // 2
    assert [r.user for r in results] == ["scale-hr"] * half + ["scale-manager"] * half
    pages = len(bench.PAGES) - 1  # and the reference before, between and after them
    assert len(results) == 2 * (2 * pages + 1)
    start = [bench.REFERENCE, "collaboration view", bench.REFERENCE, "goal tree"]
    assert [r.page for r in results][:4] == start
    assert all(r.latencies and not r.errors for r in results), [(r.user, r.page, r.errors) for r in results]
    assert not any("warm-up answered" in line for line in said)
    out = io.StringIO()
    assert bench.report(results, say=lambda text: print(text, file=out)) == 0
    text = out.getvalue()
    assert text.count("of reference") == 2 * pages and text.count("slices:") == 2
    assert re.search(r"scale-manager\s+scores API\s+[\d.]+ req/s\s+p50\s+\d+ ms\s+p95\s+\d+ ms", text)

    # A page that does not answer 200 fails the run; a wrong password fails the sign-in.
    results = bench.measure(
        live_server.url,
        [f"{bench.SLUG}-hr"],
        connections=1,
        seconds=0.1,
        pages={bench.REFERENCE: bench.PAGES[bench.REFERENCE], "missing": "/t/{slug}/no-such-page/"},
        say=lambda _text: None,
    )
    assert set(results[1].errors) == {404} and not results[1].latencies
    out = io.StringIO()
    assert bench.report(results, say=lambda text: print(text, file=out)) == 1
    assert "errors {404:" in out.getvalue()
    with pytest.raises(RuntimeError, match="signing in as scale-hr failed"):
        bench.Session(live_server.url).login(f"{bench.SLUG}-hr", "not-the-password")


def test_the_benchmark_needs_postgresql(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:///tmp/x.sqlite3")
    out = io.StringIO()
    options = {"employees": 10, "units": None, "seconds": 1, "connections": 1, "workers": 1, "port": 1}
    assert bench.run(**options, reuse=False, out=out) == 0
    assert "skipped: bench pages needs PostgreSQL" in out.getvalue()
