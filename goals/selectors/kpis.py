"""Reads of the KPI library shared by the pages, the export and the API."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from collab.models import OrgUnit
from goals.models import KPI, Goal


def kpi_queryset() -> QuerySet[KPI]:
    """KPIs with what every list shows (owner unit, objective and its period) in the same query."""
    return KPI.objects.select_related("owner_unit", "objective", "objective__period")


def kpi_search(
    *,
    q: str = "",
    perspective: str = "",
    direction: str = "",
    collaborative: bool | None = None,
    process_tag: str = "",
    owner_unit: OrgUnit | None = None,
    include_subunits: bool = False,
    active: bool | None = None,
) -> QuerySet[KPI]:
    """The KPI library filtered; every argument is optional and already validated (see KPIFilterForm)."""
    queryset = kpi_queryset()
    if q:
        queryset = queryset.filter(
            Q(code__icontains=q)
            | Q(name__icontains=q)
            | Q(data_source__icontains=q)
            | Q(description__icontains=q)
        )
    if perspective:
        queryset = queryset.filter(perspective=perspective)
    if direction:
        queryset = queryset.filter(direction=direction)
    if collaborative is not None:
        queryset = queryset.filter(is_collaborative=collaborative)
    if process_tag:
        queryset = queryset.filter(process_tag=process_tag)
    if owner_unit is not None:
        if include_subunits:
            queryset = queryset.filter(owner_unit__path__startswith=owner_unit.path)
        else:
            queryset = queryset.filter(owner_unit=owner_unit)
    if active is not None:
        queryset = queryset.filter(is_active=active)
    return queryset.order_by("code", "id")


def kpi_options() -> list[tuple[int, str, str]]:
    """(id, code, name) of the active KPIs, by code: the KPI select of a form that offers any."""
    return list(KPI.objects.filter(is_active=True).order_by("code").values_list("pk", "code", "name"))


def kpi_counts() -> dict[str, int]:
    """Totals for the library header: all, active, collaborative (one query)."""
    return KPI.objects.aggregate(
        total=Count("id"),
        active=Count("id", filter=Q(is_active=True)),
        collaborative=Count("id", filter=Q(is_collaborative=True, is_active=True)),
    )


def kpis_and_goals_set_up() -> bool:
    """The HR set-up checklist's "Set up KPIs and goals" step is done: the KPI library has an active KPI
    and a goal has been broken down (a goal below another one)."""
    return KPI.objects.filter(is_active=True).exists() and Goal.objects.filter(parent__isnull=False).exists()
