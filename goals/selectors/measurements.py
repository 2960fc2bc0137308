"""Reads of the measurement pages: which KPIs a period's grid lists and the measurements stored for them."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from collab.models import Period
from goals.models import KPI, Measurement


def grid_kpis(period: Period, filters: dict) -> QuerySet[KPI]:
    """KPIs of the grid: the active ones plus any with a measurement in this period."""
    measured = Measurement.objects.filter(period_id=period.pk).values("kpi_id")
    kpis = KPI.objects.filter(Q(is_active=True) | Q(pk__in=measured)).order_by("code", "id")
    if filters.get("q"):
        kpis = kpis.filter(Q(code__icontains=filters["q"]) | Q(name__icontains=filters["q"]))
    if filters.get("perspective"):
        kpis = kpis.filter(perspective=filters["perspective"])
    if filters.get("missing"):
        with_actual = Measurement.objects.filter(period_id=period.pk, actual__isnull=False).values("kpi_id")
        kpis = kpis.exclude(pk__in=with_actual)
    return kpis


def stored_measurements(period: Period, kpis: Iterable[KPI] | None = None) -> dict[int, Measurement]:
    """The period's stored measurements by KPI id (of these KPIs only, when given): one query."""
    measurements = Measurement.objects.filter(period_id=period.pk)
    if kpis is not None:
        measurements = measurements.filter(kpi_id__in=[k.pk for k in kpis])
    return {m.kpi_id: m for m in measurements}


def grid_periods() -> QuerySet[Period]:
    """The periods the grid's period switcher offers, newest first."""
    return Period.objects.order_by("-year", "kind", "quarter", "month")


def any_kpis() -> bool:
    return KPI.objects.exists()
