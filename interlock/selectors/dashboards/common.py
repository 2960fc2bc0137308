"""Shared pieces of the dashboard reads: which periods a reader's subjects are scored in, band and flag
words, unit names told apart, and the matrix results (responsibility points, shortfalls, composite) that
the unit and collaboration views show."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import CharField, Count, Max, Sum, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext as _

from collab.models import OrgUnit, Period, Position, Role
from collab.page_cache import cached_data
from collab.selectors.org import distinct_unit_labels
from goals.engine.common import AMBER_FROM, BAND_AMBER, BAND_GREEN, BAND_NONE, BAND_RED, GREEN_FROM
from goals.models import KPI
from interlock import engine
from interlock.access import own_employee, sees_all_units
from interlock.engine.constants import SOURCE_EVALUATION, SOURCE_KPI
from interlock.models import (
    SUBJECT_POSITION,
    SUBJECT_UNIT,
    LineRole,
    MatrixRowResult,
    Scorecard,
    ScoredPeriod,
    ScoreSnapshot,
    subject_key,
)
from responsibility.models import MatrixRole, MatrixRow

MATRIX_ROLES = dict(MatrixRole.choices)
LINE_ROLES = dict(LineRole.choices)


# --------------------------------------------------------------------------------------------- periods


def results_stamp() -> tuple:
    """Where the tenant's stored results stand: (scored periods, the sum of their versions, the last
    recompute that changed one). A recompute that changes a result raises its period's version; one that
    leaves a period without results deletes its row: either moves the stamp, so a page body cached under
    it (`collab.page_cache`) is never read after its results changed. One aggregate, a row a period."""
    found = ScoredPeriod.objects.order_by().aggregate(
        n=Count("pk"), versions=Sum("version"), at=Max("computed_at")
    )
    return (found["n"], found["versions"], found["at"].isoformat() if found["at"] else None)



def own_scored_period_ids(*, membership, user) -> set[int]:
    """Periods in which the reader's own subjects have scores (one query, never a scan of the tenant's
    snapshots): the tenant's for HR, committee and auditors, read from `ScoredPeriod` (one row a period);
    an employee's unit and position, and a manager's unit and the units and positions below it, read from
    the snapshots by subject (`scoresnapshot_subject_idx`: tenant, subject, period), so the work follows
    the reader's part of the tree, not the tenant's size."""
    if sees_all_units(membership):
        return set(ScoredPeriod.objects.order_by().values_list("period_id", flat=True))
    # A manager's subtree is read per request otherwise (their employee record, then the snapshots of every
    # unit and position below them): it changes only with the stored results or the org (`collab.page_cache`).
    manager = membership.has_role(Role.MANAGER)
    return cached_data(
        name="own-scored-periods", stamp=results_stamp(), vary=(user.pk, manager),
        compute=lambda: _own_subjects_scored_period_ids(user, manager=manager),
    )  # fmt: skip


def _own_subjects_scored_period_ids(user, *, manager: bool) -> set[int]:
    employee = own_employee(user)
    if employee is None:
        return set()
    if manager:
        path = employee.org_unit.path
        units = OrgUnit.objects.filter(path__startswith=path).order_by()
        positions = Position.objects.filter(org_unit__path__startswith=path).order_by()
        subjects: Any = _subject_keys(units, SUBJECT_UNIT).union(_subject_keys(positions, SUBJECT_POSITION))
    else:
        subjects = [subject_key(org_unit_id=employee.org_unit_id)]
        if employee.position_id is not None:
            subjects.append(subject_key(position_id=employee.position_id))
    return set(
        ScoreSnapshot.objects.filter(subject__in=subjects)
        .order_by()
        .values_list("period_id", flat=True)
        .distinct()
    )


def _subject_keys(rows, kind: str):
    """The subject keys (`subject_key`: "unit:7") of some units or positions, as a subquery."""
    return rows.annotate(key=Concat(Value(f"{kind}:"), Cast("pk", CharField()))).values("key")


def unit_scored_period_ids(unit: OrgUnit) -> set[int]:
    """Periods in which `unit` itself has a score (one query on `scoresnapshot_subject_idx`)."""
    return set(
        ScoreSnapshot.objects.filter(subject=subject_key(org_unit_id=unit.pk))
        .order_by()
        .values_list("period_id", flat=True)
        .distinct()
    )


def unit_scorecard(unit: OrgUnit, period: Period) -> Scorecard | None:
    """The unit's scorecard for the period, if it has one: why a dashboard without a score is empty."""
    return Scorecard.objects.filter(org_unit=unit, position__isnull=True, period=period).first()


# --------------------------------------------------------------------------------------------- helpers


def decimal_or_none(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))


def band_of(value: Any) -> str:
    """goals.engine's bands for one score, without numpy (called per cell)."""
    if value is None:
        return BAND_NONE
    score = float(value)
    if score != score:
        return BAND_NONE
    if score >= GREEN_FROM:
        return BAND_GREEN
    return BAND_AMBER if score >= AMBER_FROM else BAND_RED


def flag_text(flag: dict[str, Any], kpis: dict[int, dict]) -> str:
    """A snapshot flag in words (the engine stores codes and numbers)."""
    code = flag.get("code")
    kpi = kpis.get(flag.get("kpi"), {}).get("label", "") if flag.get("kpi") else ""
    if code == engine.FLAG_SPECIAL_REVIEW:
        return _("Special review: %(kpi)s scored %(score)s, under its threshold %(threshold)s.") % {
            "kpi": kpi,
            "score": flag.get("score"),
            "threshold": flag.get("threshold"),
        }
    if code == engine.FLAG_NO_DATA:
        return _("No data for %(kpi)s: the scorecard is incomplete.") % {"kpi": kpi}
    if code == engine.FLAG_NO_KPI_DATA:
        return _("No weighted line has data yet, so there is no total.")
    if code == engine.FLAG_REVIEW:
        if flag.get("reason") == engine.REASON_NO_RATINGS:
            return _("The review part is not counted: no internal-customer ratings yet.")
        return _("The review part is not counted: fewer than %(k)s distinct raters.") % {"k": flag.get("k")}
    if code == engine.FLAG_POINTS_CLAMPED:
        return _("Points %(raw)s were clamped to the cap of ±%(cap)s.") % {
            "raw": flag.get("raw"),
            "cap": flag.get("cap"),
        }
    if code == engine.FLAG_COLLAB_LOW:
        return _("The collaborative share %(share)s %% is under the minimum of %(minimum)s %%.") % {
            "share": flag.get("share"),
            "minimum": flag.get("minimum"),
        }
    return str(code)


def kpi_labels(ids: Iterable[int]) -> dict[int, dict]:
    """{KPI id: {code, name, label}} for the given ids (one query, none when empty)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {
        pk: {"pk": pk, "code": code, "name": name, "label": f"{code} · {name}"}
        for pk, code, name in KPI.objects.filter(pk__in=wanted).values_list("pk", "code", "name")
    }


@dataclass
class MatrixScores:
    """The matrix results the period's last recompute stored for some matrices: rows (in each matrix's row
    order), composite indexes and the matrix KPIs' scores. `computed` is False before the period's first
    recompute: there is nothing to show yet, and nothing is scored in its place."""

    rows: list[engine.MatrixRowScore] = field(default_factory=list)
    composites: dict[int, float | None] = field(default_factory=dict)
    kpi_scores: dict[int, float | None] = field(default_factory=dict)
    computed: bool = True
    computed_at: Any = None


MATRIX_RESULT_FIELDS = (
    "row_id",
    "matrix_id",
    "kpi_id",
    "org_unit_id",
    "role",
    "share",
    "eval_kpi_id",
    "contribution",
    "responsibility_points",
    "shortfall",
    "composite",
    "kpi_score",
    "computed_at",
)


def matrix_scores(
    period: Period, *, unit: OrgUnit | None = None, kpi_ids: Iterable[int] | None = None
) -> MatrixScores:
    """What the recompute computed for the period's matrices (DESIGN.md §7a: dashboards read, never score):
    every row of each matrix that gives `unit` a row, or of the matrices of `kpi_ids`, or of all. One
    query, and one more when it finds nothing (was the period computed at all?)."""
    if kpi_ids is not None:
        kpi_ids = list(kpi_ids)
        if not kpi_ids:
            return MatrixScores()
    results = MatrixRowResult.objects.filter(period=period)
    if unit is not None:
        results = results.filter(
            matrix_id__in=MatrixRowResult.objects.filter(period=period, org_unit=unit).values("matrix_id")
        )
    if kpi_ids is not None:
        results = results.filter(kpi_id__in=kpi_ids)
    found = list(results.order_by("matrix_id", "rank").values_list(*MATRIX_RESULT_FIELDS))
    if not found:
        computed = (
            MatrixRowResult.objects.filter(period=period).exists()
            or ScoreSnapshot.objects.filter(period=period).exists()
        )
        return MatrixScores(computed=computed)
    return MatrixScores(
        rows=[
            engine.MatrixRowScore(
                row=row,
                matrix=matrix,
                kpi=kpi,
                unit=unit_id,
                role=role,
                share=share,
                eval_kpi=eval_kpi,
                source=SOURCE_EVALUATION if eval_kpi is not None else SOURCE_KPI,
                contribution=contribution,
                responsibility_points=points,
                shortfall=shortfall,
            )
            for row, matrix, kpi, unit_id, role, share, eval_kpi, contribution, points, shortfall, *_ in found
        ],
        composites={r[1]: r[10] for r in found},
        kpi_scores={r[2]: r[11] for r in found},
        computed=True,
        computed_at=max(r[12] for r in found),
    )


MATRIX_ROW_FIELDS = (
    "pk",
    "matrix_id",
    "matrix__kpi_id",
    "org_unit_id",
    "role",
    "share",
)


def matrix_rows_of(matrix_ids: Iterable[int]) -> list[tuple]:
    """(row id, matrix id, KPI id, unit id, role, share) of the matrices' rows as configured (one query)."""
    ids = list(matrix_ids)
    if not ids:
        return []
    return list(
        MatrixRow.objects.filter(matrix_id__in=ids)
        .order_by("matrix_id", "order", "pk")
        .values_list(*MATRIX_ROW_FIELDS)
    )


def name_units_apart(units: dict[int, dict]) -> None:
    """Each unit's "name" becomes its label among these units: every subsidiary has a 生产部."""
    labels = distinct_unit_labels((pk, u["name"], u["parent_name"], u["code"]) for pk, u in units.items())
    for pk, unit in units.items():
        unit["name"] = labels[pk]
