"""Reads of processes for the pages and the API (a fixed number of queries each)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from alerts.models import Process, ProcessStage
from collab.models import OrgUnit
from collab.selectors.org import unit_picker_label


def processes(*, kind: str = "") -> QuerySet[Process]:
    """The tenant's processes (of one kind, when given) by name, with the owner, the owner unit and the
    number of stages."""
    queryset = Process.objects.select_related("owner_unit", "owner").annotate(
        stage_count=Count("stages", distinct=True)
    )
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("name", "id")


def process_detail(*, kind: str = "") -> QuerySet[Process]:
    """Processes (of one kind, when given) with their stages in order, each with its owner unit and
    collaborating units."""
    stages = ProcessStage.objects.select_related("owner_unit").order_by("order")
    return processes(kind=kind).prefetch_related(
        Prefetch("stages", queryset=stages.prefetch_related(
            Prefetch("collaborating_units", queryset=OrgUnit.objects.order_by("path"))
        )),
    )  # fmt: skip


def process_page(process: Process) -> Process:
    """One process with its stages, for its page or the API."""
    return process_detail().get(pk=process.pk)


def process_stages(process: Process) -> list[ProcessStage]:
    """The process's stages in order (the KPI editor's stage choices)."""
    return list(ProcessStage.objects.filter(process=process).order_by("order"))


def stored_stages(process: Process) -> list[dict[str, Any]]:
    """The stages as the services take them (ids for units), in order."""
    rows = (
        ProcessStage.objects.filter(process=process)
        .order_by("order")
        .prefetch_related(Prefetch("collaborating_units", queryset=OrgUnit.objects.order_by("pk")))
    )
    return [
        {"id": s.pk, "name": s.name, "owner_unit": s.owner_unit_id,
         "collaborating_units": [u.pk for u in s.collaborating_units.all()], "inputs": s.inputs,
         "outputs": s.outputs, "decision_rights": s.decision_rights, "time_limit": s.time_limit,
         "time_unit": s.time_unit, "escalation_role": s.escalation_role}
        for s in rows
    ]  # fmt: skip


def unit_labels(ids) -> dict[int, str]:
    """The picker's label of each unit id on screen (one query; another tenant's id is not found)."""
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return {}
    return {
        unit.pk: unit_picker_label(unit)
        for unit in OrgUnit.objects.filter(pk__in=ids).select_related("parent")
    }
