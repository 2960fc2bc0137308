"""Factories of the responsibility and interlock areas. Use them inside `tenant_scope(tenant)`.

Model factories write rows directly (for model and selector tests); `build_seed_tables` goes through the
services, the way an HR admin enters the seed's tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import factory
from django.utils import timezone

from collab.models import Job, OrgUnit, Period
from goals.models import KPI
from interlock.models import LineRole, Scorecard, ScorecardLine, ScoredPeriod, ScoreSnapshot
from responsibility.models import MatrixRole, MatrixRow, ResponsibilityMatrix
from tests.factories.goals import KPIFactory, MeasurementFactory
from tests.factories.org import OrgUnitFactory, PeriodFactory, PositionFactory
from tests.interlock import seed_tables


class MatrixFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResponsibilityMatrix

    kpi = factory.SubFactory(KPIFactory)
    effective_from = factory.SubFactory(PeriodFactory)
    version = 1
    note = ""


class MatrixRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MatrixRow

    matrix = factory.SubFactory(MatrixFactory)
    org_unit = factory.SubFactory(OrgUnitFactory)
    role = MatrixRole.LEAD
    share = Decimal("100")
    order = factory.Sequence(lambda n: n % 1000)


class ScorecardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scorecard

    org_unit = factory.SubFactory(OrgUnitFactory)
    position = None
    period = factory.SubFactory(PeriodFactory)
    review_weight = Decimal("0")
    status = Scorecard.Status.PUBLISHED


class PositionScorecardFactory(ScorecardFactory):
    org_unit = None
    position = factory.SubFactory(PositionFactory)


class ScorecardLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScorecardLine

    scorecard = factory.SubFactory(ScorecardFactory)
    kpi = factory.SubFactory(KPIFactory)
    weight = Decimal("100")
    role = LineRole.OWN
    threshold = None
    order = factory.Sequence(lambda n: n % 1000)


class ScoreSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScoreSnapshot
        skip_postgeneration_save = True

    period = factory.SubFactory(PeriodFactory)
    org_unit = factory.SubFactory(OrgUnitFactory)
    subject = factory.LazyAttribute(lambda s: f"unit:{s.org_unit.pk}")
    version = 1
    total = Decimal("90.00")
    kpi_part = Decimal("90.0000")
    points = Decimal("0")
    computed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def scored_period(obj, create, extracted, **kwargs):
        """As the recompute does, the period is recorded as scored (`ScoredPeriod`) beside its snapshot;
        `scored_period=False` leaves it out (a period scored before the record existed)."""
        if not create or extracted is False:
            return
        ScoredPeriod.objects.update_or_create(
            tenant_id=obj.tenant_id,
            period_id=obj.period_id,
            defaults={"version": obj.version, "computed_at": obj.computed_at},
        )


class JobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Job

    kind = Job.Kind.SCORE_RECOMPUTE
    key = factory.Sequence(lambda n: f"period:{n}")
    status = Job.Status.QUEUED


# --------------------------------------------------------------------------------------------- seed tables


@dataclass
class SeedWorld:
    """The seed's units, KPIs, matrices and scorecards in the database, by the names of `seed_tables`."""

    period: Period
    units: dict[str, OrgUnit] = field(default_factory=dict)
    kpis: dict[str, KPI] = field(default_factory=dict)
    matrices: dict[str, ResponsibilityMatrix] = field(default_factory=dict)
    scorecards: dict[str, Scorecard] = field(default_factory=dict)

    def ratings_frame(self) -> dict:
        """The seed's internal-customer ratings as the engine's frame (their models come later)."""
        out = {"subject": [], "rater": [], "value": []}
        for unit, values in seed_tables.RATINGS.items():
            for rater, value in enumerate(values):
                out["subject"].append(f"unit:{self.units[unit].pk}")
                out["rater"].append(rater)
                out["value"].append(value)
        return out

    def points_frame(self) -> dict:
        out = {"subject": [], "points": []}
        for unit, values in seed_tables.POINTS.items():
            for value in values:
                out["subject"].append(f"unit:{self.units[unit].pk}")
                out["points"].append(Decimal(value))
        return out


def build_seed_tables(*, actor=None, period: Period | None = None, publish: bool = True) -> SeedWorld:
    """Enter the seed tables (客户留存率, 应收账款周转天数, 大客户续约率) through the services."""
    from interlock.services.scorecards.cards import scorecard_create, scorecard_publish
    from responsibility.services.matrices import matrix_create

    period = period or PeriodFactory(year=2025, status=Period.Status.ACTIVE)
    world = SeedWorld(period=period)
    group = OrgUnitFactory(code="GROUP", name="集团", kind=OrgUnit.Kind.GROUP)
    for name, (_id, code, title) in seed_tables.UNITS.items():
        world.units[name] = OrgUnitFactory(code=code, name=title, parent=group)
    for name, (_id, code, title, direction, target, actual) in seed_tables.KPIS.items():
        kpi = KPIFactory(code=code, name=title, direction=direction, owner_unit=group, is_collaborative=True)
        world.kpis[name] = kpi
        MeasurementFactory(kpi=kpi, period=period, target=Decimal(target), actual=Decimal(actual))
    for kpi_name, (_id, rows) in seed_tables.MATRICES.items():
        world.matrices[kpi_name] = matrix_create(
            actor=actor,
            kpi=world.kpis[kpi_name],
            effective_from=period,
            rows=[
                {
                    "org_unit": world.units[unit],
                    "role": role,
                    "share": share,
                    "evaluation_kpi": world.kpis[eval_kpi] if eval_kpi else None,
                    "contribution_dimension": dimension,
                    "evaluation_method": method,
                }
                for unit, role, share, eval_kpi, dimension, method in rows
            ],
        )
    for _id, unit, rho, lines in seed_tables.SCORECARDS:
        card = scorecard_create(
            actor=actor,
            period=period,
            org_unit=world.units[unit],
            review_weight=rho,
            lines=[
                {"kpi": world.kpis[kpi], "weight": weight, "role": role, "threshold": threshold}
                for _line, kpi, weight, role, threshold in lines
            ],
        )
        if publish:
            card = scorecard_publish(actor=actor, scorecard=card, lock_version=card.lock_version).scorecard
        world.scorecards[unit] = card
    return world


__all__ = [
    "JobFactory",
    "MatrixFactory",
    "MatrixRowFactory",
    "PositionScorecardFactory",
    "ScoreSnapshotFactory",
    "ScorecardFactory",
    "ScorecardLineFactory",
    "SeedWorld",
    "build_seed_tables",
]
