"""Periods scored before the recompute stored matrix results get them on the next `migrate` (post_migrate):
computed by the recompute's own code from the stored inputs, equal to a fresh recompute's, the snapshots
untouched (a closed period is never recomputed), other tenants and already-filled periods left alone."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from collab.audit import AuditEvent
from collab.models import Period
from collab.tenancy import tenant_scope
from interlock.models import MatrixRowResult, ScoreSnapshot
from interlock.services.scores import matrix_results_backfill, scores_recompute
from tests.factories.interlock import build_seed_tables
from tests.factories.org import PeriodFactory

FIELDS = [f.attname for f in MatrixRowResult._meta.concrete_fields if f.attname != "id"]


def results(period) -> list[tuple]:
    rows = MatrixRowResult.objects.filter(period=period).order_by("matrix_id", "rank")
    return list(rows.values_list(*FIELDS))


def snapshots(period) -> list[tuple]:
    return list(
        ScoreSnapshot.objects.filter(period=period)
        .order_by("pk")
        .values_list("pk", "version", "computed_at", "total", "kpi_part")
    )


@pytest.fixture
def scored(scope_a, hr_a, tenant_b, hr_b):
    world = build_seed_tables(actor=hr_a)
    scores_recompute(period=world.period, actor=hr_a)
    with tenant_scope(tenant_b):
        theirs = build_seed_tables(actor=hr_b)
        scores_recompute(period=theirs.period, actor=hr_b)
        their_rows = list(MatrixRowResult.objects.order_by("pk").values_list("pk", *FIELDS))
    assert their_rows
    return world, theirs, their_rows


def test_migrate_restores_the_matrix_results_of_a_scored_closed_period(scored, tenant_b):
    world, theirs, their_rows = scored
    fresh = results(world.period)  # what the last recompute stored
    assert len(fresh) >= 4
    Period.objects.filter(pk=world.period.pk).update(status=Period.Status.CLOSED)
    before = snapshots(world.period)
    unscored = PeriodFactory(year=2031, status=Period.Status.ACTIVE)
    MatrixRowResult.objects.filter(period=world.period).delete()  # as scored before the deploy

    call_command("migrate", verbosity=0)

    assert results(world.period) == fresh  # same rows, floats, version and time as the recompute's
    assert snapshots(world.period) == before  # no new version, nothing rewritten
    assert not MatrixRowResult.objects.filter(period=unscored).exists()
    audit = AuditEvent.objects.filter(action="scores.matrix_backfill", object_id=str(world.period.pk))
    assert audit.count() == 1
    with tenant_scope(tenant_b):  # the other tenant's filled period: not touched, not duplicated
        assert list(MatrixRowResult.objects.order_by("pk").values_list("pk", *FIELDS)) == their_rows

    call_command("migrate", verbosity=0)  # idempotent: filled periods are skipped
    assert results(world.period) == fresh
    assert AuditEvent.objects.filter(action="scores.matrix_backfill").count() == 1


def test_the_backfill_skips_a_filled_period_and_hides_other_tenants(scored):
    from django.core.exceptions import ValidationError

    world, theirs, _their_rows = scored
    assert matrix_results_backfill(period=world.period) == 0  # already has results

    with pytest.raises(ValidationError):
        matrix_results_backfill(period=theirs.period.pk)  # another tenant's period reads as missing
