"""Writing processes: create with ordered stages, the checks keyed like the editor's inputs, a stale save
(409), a save that changes nothing, delete — each audited — and another tenant's unit refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from alerts.audit import AlertsAuditAction
from alerts.models import Process, ProcessKind, ProcessStage
from alerts.process_templates import TEMPLATES, template_stages
from alerts.selectors.processes import stored_stages
from alerts.services.processes import process_create, process_delete, process_update
from collab.concurrency import StaleEditError
from collab.models import AuditEvent
from collab.tenancy import tenant_scope
from tests.factories.alerts import make_process
from tests.factories.org import EmployeeFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(scope_a):
    return OrgUnitFactory(name="Sales"), OrgUnitFactory(name="Finance"), OrgUnitFactory(name="Legal")


def test_create_keeps_the_stages_in_order_with_their_units_and_audits(units, hr_a):
    sales, finance, legal = units
    owner = EmployeeFactory(org_unit=sales)
    process = make_process(sales, collaborating=[finance, legal], owner=owner)
    assert process.owner == owner and process.owner_unit == sales
    stages = list(ProcessStage.objects.filter(process=process).order_by("order"))
    assert [(s.order, s.name) for s in stages] == [(1, "Quotation approval"), (2, "Contract signing")]
    assert set(stages[0].collaborating_units.all()) == {finance, legal}
    assert (stages[0].time_limit, stages[0].time_unit, stages[0].escalation_role) == (
        16,
        "working_hours",
        "Sales director",
    )
    event = AuditEvent.objects.get(action=AlertsAuditAction.PROCESS_CREATE)
    assert event.object_id == str(process.pk) and len(event.after["stages"]) == 2


def test_every_problem_is_reported_at_once_keyed_like_the_editor(units, tenant_b):
    sales, _finance, _legal = units
    with tenant_scope(tenant_b):
        foreign = OrgUnitFactory(name="Bravo unit")
    rows = [
        {"name": "", "owner_unit": sales.pk, "time_limit": 3},
        {"name": "Check", "owner_unit": foreign.pk, "time_limit": 0, "time_unit": "weeks"},
        {"name": "Pay", "owner_unit": sales.pk, "collaborating_units": [sales.pk], "time_limit": "x"},
        {"name": "Ship", "owner_unit": sales.pk, "collaborating_units": [foreign.pk], "time_limit": 2},
    ]
    with pytest.raises(ValidationError) as raised:
        process_create(actor=None, data={"name": "", "kind": "bogus"}, stages=rows)
    errors = raised.value.message_dict
    assert set(errors) == {
        "name", "kind", "owner_unit", "stages-0-name", "stages-1-owner_unit", "stages-1-time_limit",
        "stages-1-time_unit", "stages-2-collaborating_units", "stages-2-time_limit",
        "stages-3-collaborating_units",
    }  # fmt: skip
    assert not Process.objects.exists()


def test_a_process_needs_a_stage_and_a_unique_name(units):
    sales = units[0]
    with pytest.raises(ValidationError) as raised:
        process_create(actor=None, data={"name": "P", "owner_unit": sales}, stages=[])
    assert "stages" in raised.value.message_dict
    make_process(sales, name="Procure to pay")
    with pytest.raises(ValidationError) as raised:
        make_process(sales, name="procure to pay")
    assert "name" in raised.value.message_dict


def test_update_replaces_the_stages_refuses_a_stale_version_and_writes_nothing_unchanged(units, hr_a):
    sales, finance, _legal = units
    process = make_process(sales)
    same = stored_stages(process)
    unchanged = process_update(actor=hr_a, process=process, lock_version=1, data={"name": process.name},
                               stages=same)  # fmt: skip
    assert unchanged.lock_version == 1
    assert not AuditEvent.objects.filter(action=AlertsAuditAction.PROCESS_UPDATE).exists()
    new = [{**same[1], "collaborating_units": [finance.pk]}, {**same[0], "name": "Quotation"}]
    saved = process_update(actor=hr_a, process=process, lock_version=1, data={"kind": ProcessKind.CUSTOM},
                           stages=new)  # fmt: skip
    assert saved.lock_version == 2 and saved.kind == ProcessKind.CUSTOM
    assert [(s["name"], s["collaborating_units"]) for s in stored_stages(process)] == [
        ("Contract signing", [finance.pk]),
        ("Quotation", []),
    ]
    event = AuditEvent.objects.get(action=AlertsAuditAction.PROCESS_UPDATE)
    assert event.before["stages"][0]["name"] == "Quotation approval"
    with pytest.raises(StaleEditError):
        process_update(actor=hr_a, process=process, lock_version=1, data={"name": "Other"})


def test_delete_checks_the_version_and_audits(units, hr_a):
    process = make_process(units[0])
    with pytest.raises(StaleEditError):
        process_delete(actor=hr_a, process=process, lock_version=7)
    process_delete(actor=hr_a, process=process, lock_version=1)
    assert not Process.objects.exists() and not ProcessStage.objects.exists()
    assert AuditEvent.objects.get(action=AlertsAuditAction.PROCESS_DELETE).object_repr == "Lead to cash"


@pytest.mark.parametrize("kind", list(TEMPLATES))
def test_every_template_gives_stages_a_service_takes_once_units_are_picked(kind, units):
    rows = [{**row, "owner_unit": units[0].pk} for row in template_stages(kind)]
    assert len(rows) >= 5
    process = process_create(
        actor=None, data={"name": kind, "kind": kind, "owner_unit": units[0]}, stages=rows
    )
    assert [s["name"] for s in stored_stages(process)] == [row["name"] for row in rows]


def test_templates_speak_the_readers_language(units):
    from django.utils import translation

    with translation.override("zh-hans"):
        names = [row["name"] for row in template_stages(ProcessKind.PROCURE_TO_PAY)]
    assert names == ["请购", "审批", "采购下单", "收货检验", "付款"]
    with translation.override("en"):
        assert template_stages(ProcessKind.LEAD_TO_CASH)[0]["name"] == "Lead capture"
