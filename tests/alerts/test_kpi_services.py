"""Writing process KPIs and their points: the checks (code unique case-insensitive, lines agreeing with the
direction), lock_version and audit, the bulk upsert (created / updated / unchanged, all or nothing, bucket
days named, future days, duplicates, the size cap), and stages that keep their identity (and KPIs) when
the process is edited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from alerts.audit import AlertsAuditAction
from alerts.models import ProcessKpi, ProcessKpiPoint, ProcessStage
from alerts.selectors.processes import stored_stages
from alerts.services import kpi_checks
from alerts.services.kpis import kpi_points_write, process_kpi_create, process_kpi_delete, process_kpi_update
from alerts.services.processes import process_update
from collab.concurrency import StaleEditError
from collab.models import AuditEvent
from collab.tenancy import tenant_scope
from tests.factories.alerts import make_kpi, make_process
from tests.factories.org import OrgUnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def process(scope_a):
    return make_process(OrgUnitFactory(name="Sales"))


@pytest.fixture
def stage(process):
    return ProcessStage.objects.get(process=process, order=1)


def test_create_checks_code_and_lines_against_the_direction(stage, hr_a):
    kpi = make_kpi(stage)
    assert (kpi.amber, kpi.red, kpi.lock_version) == (Decimal(20), Decimal(30), 1)
    assert AuditEvent.objects.get(action=AlertsAuditAction.PROCESS_KPI_CREATE).object_id == str(kpi.pk)
    with pytest.raises(ValidationError) as raised:
        make_kpi(stage, code="approval-h")
    assert set(raised.value.message_dict) == {"code"}
    with pytest.raises(ValidationError) as raised:
        make_kpi(stage, code="B", amber=30, red=20)  # lower is better: red below amber
    assert set(raised.value.message_dict) == {"red"}
    with pytest.raises(ValidationError) as raised:
        make_kpi(stage, code="C", direction="higher_better", amber=20, red=30)
    assert set(raised.value.message_dict) == {"red"}
    with pytest.raises(ValidationError) as raised:
        make_kpi(stage, code="D", direction="both")  # both: no lines
    assert set(raised.value.message_dict) == {"amber", "red"}
    with pytest.raises(ValidationError) as raised:
        process_kpi_create(actor=None, data={"stage": 999999, "code": "", "name": "x", "direction": "up",
                                             "granularity": "hourly", "amber": "abc"})  # fmt: skip
    assert set(raised.value.message_dict) == {"stage", "code", "direction", "granularity", "amber"}
    assert make_kpi(stage, code="E", direction="higher_better", amber=90, red=80).red == Decimal(80)


def test_another_tenants_stage_is_refused(stage, tenant_b):
    with tenant_scope(tenant_b):
        foreign = ProcessStage.objects.get(process=make_process(OrgUnitFactory(name="B")), order=1)
    with pytest.raises(ValidationError) as raised:
        make_kpi(foreign.pk)
    assert "stage" in raised.value.message_dict


def test_update_is_versioned_audited_and_a_no_op_writes_nothing(stage, hr_a):
    kpi = make_kpi(stage)
    same = process_kpi_update(actor=hr_a, kpi=kpi, lock_version=1, data={"name": kpi.name, "amber": "20"})
    assert same.lock_version == 1
    assert not AuditEvent.objects.filter(action=AlertsAuditAction.PROCESS_KPI_UPDATE).exists()
    with pytest.raises(ValidationError) as raised:  # the lines are checked against the stored direction
        process_kpi_update(actor=hr_a, kpi=kpi, lock_version=1, data={"red": 10})
    assert "red" in raised.value.message_dict
    saved = process_kpi_update(actor=hr_a, kpi=kpi, lock_version=1,
                               data={"direction": "higher_better", "amber": 30, "red": 20})  # fmt: skip
    assert saved.lock_version == 2 and saved.direction == "higher_better"
    event = AuditEvent.objects.get(action=AlertsAuditAction.PROCESS_KPI_UPDATE)
    assert event.before["direction"] == "lower_better" and event.after["red"] == "20.000000"
    with pytest.raises(StaleEditError):
        process_kpi_update(actor=hr_a, kpi=kpi, lock_version=1, data={"name": "Other"})
    kpi_points_write(actor=hr_a, kpi_rows=[{"kpi": kpi, "at": "2026-01-01", "value": 1}], source="api")
    with pytest.raises(ValidationError) as raised:
        process_kpi_update(actor=hr_a, kpi=kpi, lock_version=2, data={"granularity": "weekly"})
    assert "granularity" in raised.value.message_dict
    with pytest.raises(StaleEditError):
        process_kpi_delete(actor=hr_a, kpi=kpi, lock_version=1)
    process_kpi_delete(actor=hr_a, kpi=kpi, lock_version=2)
    assert not ProcessKpi.objects.exists() and not ProcessKpiPoint.objects.exists()
    assert AuditEvent.objects.get(action=AlertsAuditAction.PROCESS_KPI_DELETE).before["points"] == 1


def test_points_upsert_counts_and_audits_once_a_batch(stage, hr_a):
    kpi = make_kpi(stage)
    weekly = make_kpi(stage, code="W", granularity="weekly")
    rows = [{"kpi": kpi, "at": "2026-01-01", "value": 10}, {"kpi": kpi.pk, "at": dt.date(2026, 2, 1),
            "value": "12.5"}, {"kpi": weekly, "at": "2026-11-02", "value": 0.1234567}]  # fmt: skip
    first = kpi_points_write(actor=hr_a, kpi_rows=rows, source="api")
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    again = kpi_points_write(actor=hr_a, kpi_rows=[*rows[:2], {**rows[2], "value": 7}], source="import")
    assert (again.created, again.updated, again.unchanged) == (0, 1, 2)
    points = {(p.kpi_id, p.at): (p.value, p.source) for p in ProcessKpiPoint.objects.all()}
    assert points[(kpi.pk, dt.date(2026, 2, 1))] == (Decimal("12.5"), "api")
    assert points[(weekly.pk, dt.date(2026, 11, 2))] == (Decimal(7), "import")
    events = AuditEvent.objects.filter(action=AlertsAuditAction.PROCESS_KPI_POINTS).order_by("pk")
    assert [e.after["created"] for e in events] == [3, 0] and events[1].after["updated"] == 1
    nothing = kpi_points_write(actor=hr_a, kpi_rows=rows[:2], source="api")
    assert nothing.unchanged == 2 and events.count() == 2


def test_a_bad_row_writes_nothing_and_every_error_names_its_row(stage, hr_a, tenant_b):
    kpi = make_kpi(stage)
    weekly = make_kpi(stage, code="W", granularity="weekly")
    with tenant_scope(tenant_b):
        foreign = make_kpi(ProcessStage.objects.get(process=make_process(OrgUnitFactory(name="B")), order=1))
    future = kpi_checks.tenant_today() + dt.timedelta(days=40)
    rows = [
        {"kpi": kpi, "at": "2026-01-01", "value": 1},
        {"kpi": kpi, "at": "2026-01-15", "value": 1},
        {"kpi": weekly, "at": "2026-11-04", "value": 1},
        {"kpi": kpi, "at": future.replace(day=1).isoformat(), "value": 1},
        {"kpi": foreign.pk, "at": "2026-01-01", "value": 1},
        {"kpi": kpi, "at": "2026-01-01", "value": 2},
        {"kpi": kpi, "at": "2026-03-01", "value": "NaN"},
        {"kpi": kpi, "at": "1-1-2026", "value": 10**15},
    ]
    with pytest.raises(ValidationError) as raised:
        kpi_points_write(actor=hr_a, kpi_rows=rows, source="api")
    errors = raised.value.message_dict
    assert set(errors) == {"points-1-at", "points-2-at", "points-3-at", "points-4-kpi", "points-5-at",
                           "points-6-value", "points-7-at", "points-7-value"}  # fmt: skip
    assert "use 2026-01-01" in errors["points-1-at"][0] and "use 2026-11-02" in errors["points-2-at"][0]
    assert "Duplicate of point 0" in errors["points-5-at"][0]
    assert not ProcessKpiPoint.objects.exists()
    with pytest.raises(ValidationError) as raised:
        kpi_points_write(actor=hr_a, kpi_rows=[], source="api")
    assert "points" in raised.value.message_dict
    many = [{"kpi": kpi, "at": "2026-01-01", "value": 1}] * (kpi_checks.MAX_POINTS + 1)
    with pytest.raises(ValidationError) as raised:
        kpi_points_write(actor=hr_a, kpi_rows=many, source="api")
    assert set(raised.value.message_dict) == {"points"}


# ----------------------------------------------------------------------------------- stage identity
def test_stages_keep_their_identity_and_kpis_when_the_process_is_edited(process, stage, hr_a):
    kpi = make_kpi(stage)
    first, second = stored_stages(process)
    new = {**first, "id": None, "name": "Credit check"}
    saved = process_update(actor=hr_a, process=process, lock_version=1, data={},
                           stages=[{**second, "name": "Signing"}, new, first])  # fmt: skip
    assert saved.lock_version == 2
    rows = list(ProcessStage.objects.filter(process=process).order_by("order"))
    names = [(s.order, s.name) for s in rows]
    assert names == [(1, "Signing"), (2, "Credit check"), (3, "Quotation approval")]
    assert rows[0].pk == second["id"] and rows[2].pk == first["id"]
    kpi.refresh_from_db()
    assert kpi.stage_id == first["id"]
    with pytest.raises(ValidationError) as raised:  # dropping the stage with the KPI
        process_update(
            actor=hr_a, process=process, lock_version=2, data={}, stages=stored_stages(process)[:2]
        )
    assert "move or delete its KPIs first" in raised.value.message_dict["stages"][0]
    assert ProcessStage.objects.filter(process=process).count() == 3
    dropped = process_update(actor=hr_a, process=process, lock_version=2, data={},
                             stages=stored_stages(process)[1:])  # fmt: skip
    assert [s["name"] for s in stored_stages(dropped)] == ["Credit check", "Quotation approval"]


def test_a_foreign_or_unknown_stage_id_is_a_row_error(process, hr_a, tenant_b):
    with tenant_scope(tenant_b):
        other = make_process(OrgUnitFactory(name="B"))
        foreign_id = ProcessStage.objects.filter(process=other).first().pk
    mine = make_process(OrgUnitFactory(name="Ops"), name="Other process")
    elsewhere = ProcessStage.objects.filter(process=mine).first().pk
    rows = stored_stages(process)
    bad = [{**rows[0], "id": foreign_id}, {**rows[1], "id": elsewhere}, {**rows[0], "id": "x"}]
    with pytest.raises(ValidationError) as raised:
        process_update(actor=hr_a, process=process, lock_version=1, data={}, stages=bad)
    assert {"stages-0-id", "stages-1-id", "stages-2-id"} <= set(raised.value.message_dict)
    twice = [rows[0], rows[0]]
    with pytest.raises(ValidationError) as raised:
        process_update(actor=hr_a, process=process, lock_version=1, data={}, stages=twice)
    assert "stages-1-id" in raised.value.message_dict
