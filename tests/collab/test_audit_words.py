"""The audit log in words: actions, object types, field names, foreign keys and choices as a reader says
them, from the stored rows (which stay as they were)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from collab.models import AuditEvent
from collab.selectors.audit import ACTION_LABELS
from collab.services.accounts import user_language_set
from collab.tenancy import tenant_scope
from tests.factories.audit import make_event
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PeriodFactory, PositionFactory

pytestmark = pytest.mark.django_db


def detail(client, tenant, event, **params) -> str:
    path = reverse("audit-event-detail", kwargs={"tenant_slug": tenant.slug, "pk": event.pk})
    return client.get(path, params).content.decode()


def cells(content: str, field: str) -> tuple[str, str]:
    """The before and after cells of one field of the diff table."""
    row = re.search(rf'<tr data-field="{field}".*?</tr>', content, re.S)
    assert row, f"no row for {field}"
    before, after = re.findall(r"<td>(.*?)</td>", row.group(0), re.S)
    return re.sub(r"<[^>]+>", "", before).strip(), re.sub(r"<[^>]+>", "", after).strip()


@pytest.fixture
def org(tenant_a):
    with tenant_scope(tenant_a):
        mine = OrgUnitFactory(code="MINE", name="Coal mine")
        safety = OrgUnitFactory(code="SAFE", name="Safety department")
        return {
            "mine": mine,
            "safety": safety,
            "driller": PositionFactory(code="DRL", title="Driller", org_unit=mine),
            "inspector": PositionFactory(code="INS", title="Inspector", org_unit=safety),
            "boss": EmployeeFactory(employee_no="E1", name="Wang Qiang", org_unit=mine),
        }


@pytest.fixture
def transfer(tenant_a, hr_a, org):
    with tenant_scope(tenant_a):
        return make_event(
            actor=hr_a,
            action="employee.update",
            object_type="collab.employee",
            object_repr="Li Na",
            before={"name": "Li Na", "org_unit": org["mine"].pk, "position": org["driller"].pk,
                    "manager": None, "is_active": True},
            after={"name": "Li Na", "org_unit": org["safety"].pk, "position": org["inspector"].pk,
                   "manager": org["boss"].pk, "is_active": False},
        )  # fmt: skip


def test_foreign_keys_show_the_referenced_objects_label(tenant_a, hr_a, login, transfer):
    content = detail(login(hr_a), tenant_a, transfer)
    # units, positions and people carry their code: same-named units exist in every subsidiary
    assert cells(content, "org_unit") == ("Coal mine (MINE)", "Safety department (SAFE)")
    assert cells(content, "position") == ("Driller (DRL)", "Inspector (INS)")
    assert cells(content, "manager") == ("", "Wang Qiang (E1)")
    assert cells(content, "is_active") == ("yes", "no")
    assert "Employee edited" in content  # the action, not employee.update
    assert re.search(r'data-field="org_unit"[^>]*>\s*<th scope="row" class="fw-normal">Org unit', content)


def test_the_stored_row_keeps_its_ids(tenant_a, hr_a, login, transfer, org):
    detail(login(hr_a), tenant_a, transfer)
    with tenant_scope(tenant_a):
        stored = AuditEvent.objects.get(pk=transfer.pk)
    assert stored.after["org_unit"] == org["safety"].pk and stored.before["position"] == org["driller"].pk


def test_a_deleted_object_shows_its_id(tenant_a, hr_a, login, transfer, org):
    with tenant_scope(tenant_a):
        gone = org["inspector"].pk
        org["inspector"].delete()
    content = detail(login(hr_a), tenant_a, transfer)
    assert cells(content, "position") == ("Driller (DRL)", f"#{gone} (deleted)")


def test_another_tenants_object_is_never_named(tenant_a, tenant_b, hr_a, login):
    with tenant_scope(tenant_b):
        theirs = OrgUnitFactory(name="Bravo secret unit")
    with tenant_scope(tenant_a):
        event = make_event(action="org_unit.move", object_type="collab.orgunit", after={"parent": theirs.pk})
    content = detail(login(hr_a), tenant_a, event)
    assert "Bravo secret unit" not in content
    assert cells(content, "parent") == ("—", f"#{theirs.pk} (deleted)")


def test_choices_show_their_labels(tenant_a, hr_a, login):
    with tenant_scope(tenant_a):
        event = make_event(
            action="period.advance", object_type="collab.period", before={"status": "planning"},
            after={"status": "active"},
        )  # fmt: skip
        member = make_event(
            action="member.update", object_type="collab.membership", before={"roles": ["employee"]},
            after={"roles": ["hr_admin", "auditor"]},
        )  # fmt: skip
    client = login(hr_a)
    assert cells(detail(client, tenant_a, event), "status") == ("Planning", "Active")
    assert cells(detail(client, tenant_a, member), "roles") == ("Employee", "HR admin, Auditor")


def nested_matrix(tenant, org):
    with tenant_scope(tenant):
        return make_event(
            action="matrix.create", object_type="responsibility.responsibilitymatrix",
            after={"rows": [{"org_unit": org["mine"].pk, "role": "lead", "share": "60.00"},
                            {"org_unit": org["safety"].pk, "role": "support", "share": "40.00"}]},
        )  # fmt: skip


def test_nested_rows_name_their_units(tenant_a, hr_a, login, org):
    content = detail(login(hr_a), tenant_a, nested_matrix(tenant_a, org))
    assert re.search(r'data-field="rows"[^>]*>\s*<th scope="row" class="fw-normal">Matrix rows', content)
    _before, after = cells(content, "rows")
    assert "Org unit: Coal mine (MINE) · Role: Lead" in after and "Safety department (SAFE)" in after
    assert f'"org_unit": {org["mine"].pk}' not in after


def test_the_query_count_does_not_grow_with_the_references(tenant_a, hr_a, login, org):
    """Every unit named in a snapshot is loaded in one query per model, however many there are."""
    with tenant_scope(tenant_a):
        units = [org["mine"]] + [OrgUnitFactory() for _ in range(30)]

        def matrix(count):
            rows = [{"org_unit": unit.pk, "role": "support", "share": "1.00"} for unit in units[:count]]
            return make_event(action="matrix.create", object_type="responsibility.responsibilitymatrix",
                              after={"kpi": None, "rows": rows})  # fmt: skip

        small, large = matrix(1), matrix(31)
    client = login(hr_a)
    counts = []
    for event in (small, large):
        with CaptureQueriesContext(connection) as queries:
            content = detail(client, tenant_a, event)
        counts.append(len(queries))
    assert units[30].name in content
    assert counts[0] == counts[1], counts


def test_the_log_and_its_filter_speak_the_readers_language(tenant_a, hr_a, login, transfer, org):
    with tenant_scope(tenant_a):
        make_event(actor=None, action="period.close", object_type="collab.period")
    user_language_set(user=hr_a, language="zh-hans")
    client = login(hr_a)
    log = client.get(reverse("audit-log", kwargs={"tenant_slug": tenant_a.slug}))
    content = log.content.decode()
    assert '<option value="employee.update">员工信息已修改</option>' in content
    assert '<td title="employee.update">员工信息已修改</td>' in content
    assert '<option value="system">系统</option>' in content
    filtered = client.get(log.wsgi_request.path, {"action": "employee.update"})
    assert f'data-event="{transfer.pk}"' in filtered.content.decode()
    page = detail(client, tenant_a, transfer)
    assert cells(page, "is_active") == ("是", "否")
    assert "组织单元：" in detail(client, tenant_a, nested_matrix(tenant_a, org))


def test_every_recorded_action_has_a_label():
    """Each action code written by a service (or the demo) is named for the reader."""
    pattern = re.compile(r"""(?:action=|ACTION_\w+ = )"([a-z_]+\.[a-z_]+)\"""")
    found = set()
    apps = ("collab", "goals", "responsibility", "interlock", "feedback", "alerts", "ecosystem", "governance")
    for app in apps:
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            found.update(pattern.findall(path.read_text(encoding="utf-8")))
    assert found, "no action codes found: the pattern is stale"
    assert sorted(found - set(ACTION_LABELS)) == []


def test_objects_named_by_ids_get_names(tenant_a, hr_a, login, org, django_assert_max_num_queries):
    """A scorecard's stored name is 'unit:7@3': the log names its unit and period instead, in bulk."""
    with tenant_scope(tenant_a):
        period = PeriodFactory(kind="year", year=2031)

        def scorecards(count):
            return [
                make_event(action="scorecard.create", object_type="interlock.scorecard", object_id=n,
                           object_repr=f"unit:{org['mine'].pk}@{period.pk}",
                           after={"org_unit": org["mine"].pk, "position": None, "period": period.pk})
                for n in range(count)
            ]  # fmt: skip

        scorecards(1)
    client = login(hr_a)
    path = reverse("audit-log", kwargs={"tenant_slug": tenant_a.slug})
    with CaptureQueriesContext(connection) as one:
        content = client.get(path).content.decode()
    assert "Coal mine (MINE) · 2031" in content
    assert f'title="unit:{org["mine"].pk}@{period.pk}"' in content  # the stored name stays at hand
    with tenant_scope(tenant_a):
        scorecards(20)
    with django_assert_max_num_queries(len(one)):
        client.get(path)
