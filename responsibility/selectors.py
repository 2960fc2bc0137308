"""Reads of responsibility matrices: which version is in effect for a period, a KPI's versions.

Versions are ordered by when they take effect. A period's "start" is (year, first month): a year starts in
month 1, a quarter q in month 3q − 2, a month in itself. The version in effect for a period P is, per KPI,
the one with the latest start not after P's start (ties: the higher version, a correction made for the
same start). So a year period uses the version in effect in its January, and a version that takes effect
from a later period leaves every earlier period on the version it had. A version never reaches the closed
periods it lists in `kept_closed` (a first version over a quarter whose first month was closed already:
that month keeps the scores it was closed with).
"""

from __future__ import annotations

import pandas as pd
from django.db.models import Count, Prefetch, Q, QuerySet

from collab.models import Period
from collab.selectors.periods import period_start
from goals.models import KPI
from responsibility.models import MatrixRow, ResponsibilityMatrix


def _versions_frame(kpis=None) -> pd.DataFrame:
    versions = (
        ResponsibilityMatrix.objects.all()
        if kpis is None
        else ResponsibilityMatrix.objects.filter(kpi_id__in=kpis)
    )
    rows = versions.values_list(
        "pk",
        "kpi_id",
        "version",
        "effective_from__kind",
        "effective_from__year",
        "effective_from__quarter",
        "effective_from__month",
        "kept_closed",
    )
    frame = pd.DataFrame.from_records(
        list(rows), columns=["matrix", "kpi", "version", "kind", "year", "quarter", "month", "kept"]
    )
    if frame.empty:
        return frame.assign(start=pd.Series(dtype="int64"))
    month = pd.to_numeric(frame["month"], errors="coerce").astype(float)
    quarter = pd.to_numeric(frame["quarter"], errors="coerce").astype(float)
    first = month.where(frame["kind"] == Period.Kind.MONTH)
    first = first.fillna((3 * quarter - 2).where(frame["kind"] == Period.Kind.QUARTER)).fillna(1)
    frame["start"] = frame["year"].astype("int64") * 100 + first.astype("int64")
    return frame


def matrix_effective_ids(period: Period, kpis=None) -> dict[int, int]:
    """{KPI id: id of the matrix version in effect for `period`} for every KPI that has one (of `kpis`, ids
    or a subquery of ids, when given: a partial recompute reads only the matrices it needs). One query."""
    frame = _versions_frame(kpis)
    if frame.empty:
        return {}
    frame = frame[frame["start"] <= period_start(period)]
    if period.status == Period.Status.CLOSED:
        kept = [period.pk not in (ids or []) for ids in frame["kept"]]
        reaches = pd.Series(kept, index=frame.index, dtype=bool)
        frame = frame[reaches]
    frame = frame.sort_values(["kpi", "start", "version"]).drop_duplicates("kpi", keep="last")
    return dict(zip(frame["kpi"].tolist(), frame["matrix"].tolist(), strict=True))


def matrix_in_effect(kpi, period: Period) -> ResponsibilityMatrix | None:
    """The version of `kpi`'s matrix in effect for `period`, with its rows (two queries)."""
    matrix_id = matrix_effective_ids(period).get(kpi.pk if hasattr(kpi, "pk") else kpi)
    if matrix_id is None:
        return None
    return matrix_with_rows().filter(pk=matrix_id).first()


def matrix_with_rows() -> QuerySet:
    rows = MatrixRow.objects.select_related("org_unit", "evaluation_kpi").order_by("order", "id")
    return ResponsibilityMatrix.objects.select_related(
        "kpi", "effective_from", "updated_by"
    ).prefetch_related(Prefetch("rows", queryset=rows))


def matrix_versions(kpi) -> list[ResponsibilityMatrix]:
    """Every version of a KPI's matrix, newest first, each with its rows (for side-by-side comparison)."""
    return list(matrix_with_rows().filter(kpi=kpi).order_by("-version"))


def matrix_latest(kpi) -> ResponsibilityMatrix | None:
    return ResponsibilityMatrix.objects.filter(kpi=kpi).order_by("-version").first()


def matrix_version_list(kpi_id: int) -> list[ResponsibilityMatrix]:
    """Every version of a KPI's matrix, newest first, with its period and who saved it (one query)."""
    return list(
        ResponsibilityMatrix.objects.filter(kpi_id=kpi_id)
        .select_related("effective_from", "updated_by")
        .order_by("-version")
    )


def matrix_kpis(*, query: str = "", scope: str = "") -> QuerySet[KPI]:
    """The KPIs of the matrix list: the collaborative ones and any with a matrix, each with `versions` (the
    number of its matrix versions), by code. `query`: code or name contains; `scope`: "with" (a matrix) or
    "without"."""
    kpis = KPI.objects.filter(Q(is_collaborative=True) | Q(matrices__isnull=False)).annotate(
        versions=Count("matrices", distinct=True)
    )
    if query:
        kpis = kpis.filter(Q(code__icontains=query) | Q(name__icontains=query))
    if scope == "with":
        kpis = kpis.filter(versions__gt=0)
    elif scope == "without":
        kpis = kpis.filter(versions=0)
    return kpis.order_by("code")


def matrices_by_id(ids) -> dict[int, ResponsibilityMatrix]:
    """{id: matrix with its rows} for these ids (two queries; none when `ids` is empty)."""
    ids = list(ids)
    if not ids:
        return {}
    return {matrix.pk: matrix for matrix in matrix_with_rows().filter(pk__in=ids)}
