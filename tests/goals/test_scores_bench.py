"""The roll-up benchmark's code runs and its two implementations agree (tiny size; no timings asserted)."""

from __future__ import annotations

import io

import pytest

from bench import goal_rollup

pytestmark = pytest.mark.django_db


def test_level_sizes_cover_the_total():
    assert goal_rollup.level_sizes(20000, 10, 6) == [10, 60, 360, 2160, 12960, 4450]
    assert sum(goal_rollup.level_sizes(7, 1, 10)) == 7


def test_vectorised_and_per_node_loop_agree(scope_a):
    world = goal_rollup.build_world(scope_a, units=40, goals=200, kpis=30, seed=3)
    fast = goal_rollup.vectorised(world.period)
    assert len(fast) == 200
    slow = goal_rollup.loop_rollup(world.period, goal_rollup.pick_roots(world, 0))
    assert len(slow) == 200
    assert goal_rollup.compare(fast, slow) == []
    assert any(progress is None for progress, _ in fast.values())  # some goals have no data
    assert any(progress is not None for progress, _ in fast.values())


def test_run_prints_the_ratio(scope_a):
    out = io.StringIO()
    status = goal_rollup.run(units=30, goals=120, kpis=20, loop_nodes=30, repeat=1, seed=5, out=out)
    text = out.getvalue()
    assert status == 0, text
    assert "ratio (b)/(a)" in text and "results agree" in text
    from django.db import connection

    from collab.rls.roles import app_role

    on_postgres = connection.vendor == "postgresql"
    expected = f"as: {app_role()}, the application role" if on_postgres else "no row-level security"
    assert expected in text  # timed as production runs (PostgreSQL: the app role, RLS binding it)
