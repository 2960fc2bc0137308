""" "Which periods have scores" (issue 9 point 1): a small indexed read, never a DISTINCT over every snapshot
of the tenant. HR reads `ScoredPeriod`, which the recompute keeps in step with the snapshots in its own
transaction (and a recompute that removes a period's last score removes it); a manager or an employee
reads the snapshots of their own subjects by subject (`scoresnapshot_subject_idx`). A second tenant is
always in the room."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from collab.tenancy import tenant_scope
from goals.models import Measurement
from interlock.models import Scorecard, ScoredPeriod, ScoreSnapshot
from interlock.selectors.dashboards import own_scored_period_ids, unit_scored_period_ids
from interlock.services.scores import scored_periods_backfill_all, scores_recompute
from tests.factories.accounts import make_member, membership_of
from tests.factories.interlock import ScoreSnapshotFactory, build_seed_tables
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PeriodFactory, PositionFactory

SNAPSHOT_TABLE = ScoreSnapshot._meta.db_table


def scored(user, tenant):
    """own_scored_period_ids for a member, with the SQL it ran (the scope's set_config left out)."""
    membership = membership_of(tenant, user)
    with tenant_scope(tenant), CaptureQueriesContext(connection) as context:
        result = own_scored_period_ids(membership=membership, user=user)
    sql = [q["sql"] for q in context.captured_queries if "set_config(" not in q["sql"]]
    return result, sql


@pytest.fixture
def world(tenant_a, hr_a):
    with tenant_scope(tenant_a):
        world = build_seed_tables(actor=hr_a)
        scores_recompute(period=world.period, actor=hr_a)
    return world


@pytest.fixture
def other(tenant_b):
    """Tenant B has scores in a period of its own."""
    with tenant_scope(tenant_b):
        return ScoreSnapshotFactory(org_unit=OrgUnitFactory(), period=PeriodFactory(year=2026)).period


def test_hr_reads_the_scored_periods_without_touching_the_snapshots(world, other, tenant_a, hr_a):
    result, sql = scored(hr_a, tenant_a)
    assert result == {world.period.pk}  # tenant B's period is not A's
    assert len(sql) == 1 and SNAPSHOT_TABLE not in sql[0]
    assert ScoredPeriod._meta.db_table in sql[0]


def test_the_recompute_records_the_period_and_drops_it_with_the_last_score(world, tenant_a, hr_a):
    with tenant_scope(tenant_a):
        first = ScoredPeriod.objects.get(period=world.period)
        latest = ScoreSnapshot.objects.filter(period=world.period).order_by("-version").first()
        assert (first.version, first.computed_at) == (latest.version, latest.computed_at)
        same = scores_recompute(period=world.period, actor=hr_a)  # nothing changed: the record stays
        assert same.version == first.version and ScoredPeriod.objects.get(period=world.period) == first
        assert ScoredPeriod.objects.get(period=world.period).computed_at == first.computed_at
        Measurement.objects.filter(kpi=world.kpis["retention"]).update(actual=Decimal("45"))
        again = scores_recompute(period=world.period, actor=hr_a)
        assert ScoredPeriod.objects.get(period=world.period).version == again.version > first.version
        # A partial recompute keeps the record while other snapshots stay.
        some = Scorecard.objects.filter(period=world.period).values_list("pk", flat=True)[:1]
        partial = scores_recompute(period=world.period, actor=hr_a, scorecard_ids=list(some))
        assert ScoredPeriod.objects.get(period=world.period).version == partial.version == again.version
        # Unpublish every scorecard: the next recompute writes nothing and deletes the old scores.
        Scorecard.objects.filter(period=world.period).update(status=Scorecard.Status.DRAFT)
        scores_recompute(period=world.period, actor=hr_a)
        assert not ScoreSnapshot.objects.filter(period=world.period).exists()
        assert not ScoredPeriod.objects.filter(period=world.period).exists()
    assert scored(hr_a, tenant_a)[0] == set()


def test_a_manager_and_an_employee_read_their_own_subjects_by_subject(tenant_a, tenant_b, other):
    with tenant_scope(tenant_a):
        mine, elsewhere = OrgUnitFactory(), OrgUnitFactory()
        below = OrgUnitFactory(parent=mine)
        seat = PositionFactory(org_unit=below)
        p_unit, p_below, p_seat, p_else = (PeriodFactory(year=y) for y in (2021, 2022, 2023, 2024))
        ScoreSnapshotFactory(period=p_unit, org_unit=mine)
        ScoreSnapshotFactory(period=p_below, org_unit=below)
        ScoreSnapshotFactory(period=p_seat, org_unit=None, position=seat, subject=f"position:{seat.pk}")
        ScoreSnapshotFactory(period=p_else, org_unit=elsewhere)
        boss = make_member(tenant_a, "manager", username="boss")
        EmployeeFactory(org_unit=mine, user=boss)
        clerk = make_member(tenant_a, "employee", username="clerk")
        EmployeeFactory(org_unit=below, position=seat, user=clerk)
        nobody = make_member(tenant_a, "employee", username="nobody")
    result, sql = scored(boss, tenant_a)
    assert result == {p_unit.pk, p_below.pk, p_seat.pk}  # their unit and every unit and position below
    # the stored results' stamp, the reader's employee record, then one read of the snapshots by subject,
    # not over the tenant; read again, the stamp only (the answer is cached under it)
    assert len(sql) == 3 and '"subject" IN' in sql[-1]
    assert scored(boss, tenant_a) == (result, sql[:1])
    result, sql = scored(clerk, tenant_a)
    assert result == {p_below.pk, p_seat.pk}
    assert len(sql) == 3 and '"subject" IN' in sql[-1]
    assert scored(nobody, tenant_a)[0] == set()  # no employee record: nothing
    with tenant_scope(tenant_a):
        assert unit_scored_period_ids(below) == {p_below.pk}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan of PostgreSQL")
def test_the_readers_snapshot_query_is_an_index_read_by_subject(tenant_a, tenant_b, other):
    """The employee's query probes (tenant, subject): not a walk of the tenant's (tenant, period, …) index."""
    with tenant_scope(tenant_a):
        unit = OrgUnitFactory()
        periods = [PeriodFactory(year=y) for y in (2021, 2022, 2023)]
        ScoreSnapshotFactory(period=periods[0], org_unit=unit)
        now = timezone.now()
        ScoreSnapshot.objects.bulk_create(
            ScoreSnapshot(period=p, org_unit_id=None, subject=f"unit:{n}", version=1, computed_at=now)
            for p in periods
            for n in range(100_000, 100_400)
        )
        clerk = make_member(tenant_a, "employee", username="clerk")
        EmployeeFactory(org_unit=unit, user=clerk)
    result, sql = scored(clerk, tenant_a)
    assert result == {periods[0].pk}
    with tenant_scope(tenant_a), connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {SNAPSHOT_TABLE}")
        cursor.execute("EXPLAIN " + sql[-1])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "scoresnapshot_subject_idx" in plan and "Seq Scan" not in plan, plan


def test_periods_scored_before_the_record_existed_are_filled_in_once(tenant_a, tenant_b):
    with tenant_scope(tenant_a):
        period = PeriodFactory(year=2021)
        unit = OrgUnitFactory()
        ScoreSnapshotFactory(period=period, org_unit=unit, version=3, scored_period=False)
        newest = ScoreSnapshotFactory(
            period=period, org_unit=OrgUnitFactory(), version=4, scored_period=False
        )
        PeriodFactory(year=2022)  # no scores: no record
    with tenant_scope(tenant_b):
        theirs = ScoreSnapshotFactory(
            period=PeriodFactory(year=2021), org_unit=OrgUnitFactory(), scored_period=False
        ).period
    assert scored_periods_backfill_all() == 2
    assert scored_periods_backfill_all() == 0  # idempotent
    with tenant_scope(tenant_a):
        record = ScoredPeriod.objects.get()
        assert (record.period_id, record.version, record.computed_at) == (
            period.pk,
            4,
            newest.computed_at,
        )
    with tenant_scope(tenant_b):
        assert list(ScoredPeriod.objects.values_list("period_id", flat=True)) == [theirs.pk]
