"""Who reads and changes what in process monitoring: one door for pages, the API and services.

Processes and their stages are no secret inside a tenant: every member reads them (a stage names the units
that hand work to one another, and each of them must know its part); only HR admins change them. Another
tenant's id, a missing one and a malformed one are the same 404. A process KPI follows its process: every
member reads its series, HR admins change it."""

from __future__ import annotations

from alerts.models import Alert, AlertRule, EventLog, Process, ProcessKpi, Silence
from collab.access import ORG_READERS, access_by_id
from collab.models import ALL_BUT_EMPLOYEES, WRITE_ROLES, Role

PROCESS_WRITERS = frozenset({Role.HR_ADMIN})
# Event logs name the people who did each step (their resources): management reads them, HR imports them.
EVENT_LOG_READERS = ALL_BUT_EMPLOYEES
EVENT_LOG_WRITERS = frozenset({Role.HR_ADMIN})


def access_process_by_id(membership, pk, *, write: bool = False, lock: bool = False) -> Process:
    return access_by_id(
        Process.objects.select_related("owner_unit", "owner"), membership, pk,
        readers=ORG_READERS, writers=PROCESS_WRITERS, write=write, lock=lock,
    )  # fmt: skip


def access_event_log_by_id(membership, pk, *, write: bool = False, lock: bool = False) -> EventLog:
    return access_by_id(
        EventLog.objects.select_related("process", "job"), membership, pk,
        readers=EVENT_LOG_READERS, writers=EVENT_LOG_WRITERS, write=write, lock=lock,
    )  # fmt: skip


# Alerts are read by every member (a stage's units must know when their seam fails); anyone who may write
# acknowledges, resolves and labels them. Rules and silences: every member reads, HR admins change.
ALERT_ACTORS = WRITE_ROLES
RULE_WRITERS = frozenset({Role.HR_ADMIN})
SILENCE_WRITERS = frozenset({Role.HR_ADMIN, Role.MANAGER})


def access_alert_by_id(membership, pk, *, write: bool = False, lock: bool = False) -> Alert:
    return access_by_id(
        Alert.objects.select_related("rule", "kpi", "stage__owner_unit", "process"), membership, pk,
        readers=ORG_READERS, writers=ALERT_ACTORS, write=write, lock=lock,
    )  # fmt: skip


def access_alert_rule_by_id(membership, pk, *, write: bool = False, lock: bool = False) -> AlertRule:
    return access_by_id(
        AlertRule.objects.select_related("kpi__stage__process", "state"), membership, pk,
        readers=ORG_READERS, writers=RULE_WRITERS, write=write, lock=lock,
    )  # fmt: skip


def access_silence_by_id(membership, pk, *, write: bool = False, lock: bool = False) -> Silence:
    return access_by_id(
        Silence.objects.select_related("rule__kpi", "stage", "process", "created_by"), membership, pk,
        readers=ORG_READERS, writers=SILENCE_WRITERS, write=write, lock=lock,
    )  # fmt: skip


def access_process_kpi_by_id(membership, pk, *, write: bool = False, lock: bool = False) -> ProcessKpi:
    return access_by_id(
        ProcessKpi.objects.select_related("stage", "stage__process"), membership, pk,
        readers=ORG_READERS, writers=PROCESS_WRITERS, write=write, lock=lock,
    )  # fmt: skip
