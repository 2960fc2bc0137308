"""Who reads and changes what in process monitoring: one door for pages, the API and services.

Processes and their stages are no secret inside a tenant: every member reads them (a stage names the units
that hand work to one another, and each of them must know its part); only HR admins change them. Another
tenant's id, a missing one and a malformed one are the same 404. A process KPI follows its process: every
member reads its series, HR admins change it."""

from __future__ import annotations

from alerts.models import Process, ProcessKpi
from collab.access import ORG_READERS, access_by_id
from collab.models import Role

PROCESS_WRITERS = frozenset({Role.HR_ADMIN})


def access_process_by_id(membership, pk, *, write: bool = False, lock: bool = False) -> Process:
    return access_by_id(
        Process.objects.select_related("owner_unit", "owner"), membership, pk,
        readers=ORG_READERS, writers=PROCESS_WRITERS, write=write, lock=lock,
    )  # fmt: skip


def access_process_kpi_by_id(membership, pk, *, write: bool = False, lock: bool = False) -> ProcessKpi:
    return access_by_id(
        ProcessKpi.objects.select_related("stage", "stage__process"), membership, pk,
        readers=ORG_READERS, writers=PROCESS_WRITERS, write=write, lock=lock,
    )  # fmt: skip
