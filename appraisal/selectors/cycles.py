"""Reads of appraisal cycles for the pages and the API (a fixed number of queries each)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from appraisal.models import STAGE_ORDER, Appraisal, AppraisalCycle, CycleStage, CycleStatus, ParticipantRule
from collab.models import Employee


def _appraisal_count():
    counted = (
        Appraisal.objects.filter(cycle=OuterRef("pk")).order_by().values("cycle").annotate(n=Count("pk"))
    )
    return Coalesce(Subquery(counted.values("n")[:1]), Value(0))


def appraisal_cycles(*, status: str = "", period=None) -> QuerySet[AppraisalCycle]:
    """The tenant's cycles, newest first (the primary key serves the order), with their period and the
    number of appraisals."""
    queryset = AppraisalCycle.objects.select_related("period").annotate(appraisal_count=_appraisal_count())
    if status:
        queryset = queryset.filter(status=status)
    if period is not None:
        queryset = queryset.filter(period=period)
    return queryset.order_by("-id")


def cycle_detail() -> QuerySet[AppraisalCycle]:
    """Cycles with their stages (in stage order on `stage_rows`) and participant rules prefetched."""
    return appraisal_cycles().prefetch_related(
        Prefetch("stages", queryset=CycleStage.objects.order_by("opens_at", "id")),
        Prefetch(
            "participant_rules",
            queryset=ParticipantRule.objects.select_related("org_unit", "position").order_by("id"),
        ),
    )


def cycle_page(cycle: AppraisalCycle) -> AppraisalCycle:
    """One cycle with its stages and rules, for its page or the API."""
    return cycle_detail().get(pk=cycle.pk)


def stage_rows(cycle: AppraisalCycle) -> list[CycleStage]:
    return sorted(cycle.stages.all(), key=lambda row: STAGE_ORDER.index(row.stage))


def stored_stages(cycle: AppraisalCycle) -> list[dict[str, Any]]:
    return [
        {"stage": s.stage, "opens_at": s.opens_at, "deadline": s.deadline}
        for s in sorted(CycleStage.objects.filter(cycle=cycle), key=lambda s: STAGE_ORDER.index(s.stage))
    ]


def stored_rules(cycle: AppraisalCycle) -> list[dict[str, Any]]:
    return [
        {"org_unit": r.org_unit, "include_sub_units": r.include_sub_units, "position": r.position,
         "job_family": r.job_family, "level": r.level}
        for r in ParticipantRule.objects.filter(cycle=cycle)
        .select_related("org_unit", "position").order_by("id")
    ]  # fmt: skip


def _rule_q(rule: Mapping[str, Any]) -> Q:
    q = Q()
    unit = rule.get("org_unit")
    if unit is not None:
        q &= Q(org_unit__path__startswith=unit.path) if rule.get("include_sub_units") else Q(org_unit=unit)
    if rule.get("position") is not None:
        q &= Q(position=rule["position"])
    if rule.get("job_family"):
        q &= Q(position__job_family__iexact=rule["job_family"])
    if rule.get("level"):
        q &= Q(position__level__iexact=rule["level"])
    return q


def participants_of(rules: Sequence[Mapping[str, Any]]) -> QuerySet[Employee]:
    """The active employees any of `rules` matches (none without rules)."""
    if not rules:
        return Employee.objects.none()
    return Employee.objects.filter(reduce(or_, (_rule_q(rule) for rule in rules)), is_active=True)


@dataclass(frozen=True)
class UnitCount:
    unit_id: int
    name: str
    code: str
    count: int


def participants_by_unit(cycle: AppraisalCycle) -> list[UnitCount]:
    """How many take part, by unit: the appraisals of a launched cycle; who the rules match now for a
    draft (one query)."""
    if cycle.status == CycleStatus.DRAFT:
        rows = participants_of(stored_rules(cycle))
        key = "org_unit"
    else:
        rows = Appraisal.objects.filter(cycle=cycle)
        key = "org_unit"
    counted = (
        rows.order_by()
        .values(f"{key}_id", f"{key}__name", f"{key}__code")
        .annotate(n=Count("pk"))
        .order_by(f"{key}__path")
    )
    return [UnitCount(r[f"{key}_id"], r[f"{key}__name"], r[f"{key}__code"], r["n"]) for r in counted]
