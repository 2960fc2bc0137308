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
    assert "ratio (a)/(c)" in text and "ratio (e)/(a)" in text
    assert "(f) rows written by a full recompute with no change: 0 (target 0)" in text


def test_the_timed_part_runs_as_the_application_role(db, tenant_b):
    """As production runs: on PostgreSQL the recompute is timed as DATABASE_APP_ROLE with RLS binding it
    (another tenant's rows are invisible even to raw SQL); on SQLite the run says there is no RLS."""
    from django.db import connection

    from bench.goal_rollup import as_application_role
    from collab.rls.roles import app_role
    from collab.tenancy import tenant_scope
    from tests.factories.org import OrgUnitFactory

    with tenant_scope(tenant_b):
        OrgUnitFactory()
    out = io.StringIO()
    sizes = {"units": 10, "positions": 10, "kpis": 10, "matrices": 3, "lines_per_card": 2}
    assert bench.run(**sizes, loop_cards=3, repeat=1, seed=2, out=out) == 0, out.getvalue()
    text = out.getvalue()
    if connection.vendor != "postgresql":
        assert "no row-level security" in text
        return
    role = app_role()
    assert f"as: {role}, the application role" in text and "row-level security on" in text
    with tenant_scope(tenant_b), as_application_role() as how:
        assert role in how
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_user, count(*), count(*) FILTER (WHERE tenant_id <> %s) FROM collab_orgunit",
                [tenant_b.pk],
            )
            assert cursor.fetchone() == (role, 1, 0)  # the bench tenant's ten units are hidden
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, count(*) FROM collab_orgunit")
        assert cursor.fetchone() == (connection.settings_dict["USER"], 11)  # the owner again afterwards
