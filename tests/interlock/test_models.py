"""Database invariants of scorecards, lines, snapshots and jobs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from collab.models import Job
from collab.tenancy import TenantScopeMissing, tenant_scope
from interlock.models import Scorecard, ScoreSnapshot, subject_key
from tests.factories.interlock import (
    JobFactory,
    PositionScorecardFactory,
    ScorecardFactory,
    ScorecardLineFactory,
    ScoreSnapshotFactory,
)
from tests.factories.org import PositionFactory


def refused(factory, **fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**fields)


def test_scorecard_has_exactly_one_subject_once_per_period(scope_a):
    card = ScorecardFactory()
    refused(ScorecardFactory, org_unit=card.org_unit, period=card.period)
    refused(ScorecardFactory, org_unit=None, position=None, period=card.period)
    refused(ScorecardFactory, org_unit=card.org_unit, position=PositionFactory(), period=card.period)
    refused(ScorecardFactory, review_weight=Decimal("1.5"))
    position_card = PositionScorecardFactory(period=card.period)
    refused(PositionScorecardFactory, position=position_card.position, period=card.period)
    assert position_card.subject_key == f"position:{position_card.position_id}"
    assert card.subject_key == f"unit:{card.org_unit_id}"


def test_line_rules(scope_a):
    line = ScorecardLineFactory()
    refused(ScorecardLineFactory, scorecard=line.scorecard, kpi=line.kpi)
    refused(ScorecardLineFactory, role="reference", weight=Decimal("10"), threshold=Decimal("80"))
    refused(ScorecardLineFactory, weight=Decimal("101"))
    refused(ScorecardLineFactory, role="main")
    ScorecardLineFactory(kpi=line.kpi)  # the same KPI on another scorecard: double counting is allowed


def test_snapshot_version_unique_and_job_coalescing(scope_a):
    snap = ScoreSnapshotFactory()
    refused(ScoreSnapshotFactory, period=snap.period, org_unit=snap.org_unit, version=1)
    ScoreSnapshotFactory(period=snap.period, org_unit=snap.org_unit, version=2)
    job = JobFactory(key="period:1")
    refused(JobFactory, key="period:1")
    refused(JobFactory, progress=101)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    JobFactory(key="period:1")  # one queued job per key; a running one does not block the next trigger


def test_subject_key():
    assert subject_key(org_unit_id=3) == "unit:3"
    assert subject_key(position_id=4) == "position:4"
    with pytest.raises(ValueError):
        subject_key(org_unit_id=3, position_id=4)
    with pytest.raises(ValueError):
        subject_key()


def test_tenant_owned_and_fail_closed(scope_a, tenant_b):
    line = ScorecardLineFactory()
    ScoreSnapshotFactory()
    JobFactory()
    assert line.tenant_id == line.scorecard.tenant_id == scope_a.pk
    with tenant_scope(tenant_b):
        assert (
            not Scorecard.objects.exists() and not ScoreSnapshot.objects.exists() and not Job.objects.exists()
        )


def test_no_scope_raises(db):
    with pytest.raises(TenantScopeMissing):
        list(Scorecard.objects.all())
