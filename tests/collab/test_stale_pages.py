"""One stale-save answer on every page (issue 7, point 1): an edit or delete form based on an old
`lock_version` answers 409 with the form again (the user's input kept) and a message naming who saved last
and when (the tenant's time zone); nothing is written. A current save still works.

Each case builds an object in tenant A, lets a colleague "save" it (version 2, by them, now), then posts the
form the user opened at version 1. Tenant B has the same objects in the room, untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from collab.models import OrgUnit, Period, Role, UserProfile
from collab.tenancy import tenant_scope
from goals.models import KPI, Goal
from interlock.models import Scorecard
from tests.factories import make_member
from tests.factories.goals import GoalFactory, KPIFactory, MeasurementFactory, ObjectiveFactory
from tests.factories.interlock import ScorecardFactory
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PeriodFactory, PositionFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
TYPED = "Typed by me 7"  # what the user typed: the 409 page shows it again


@dataclass
class Case:
    url: str
    obj: Any
    data: dict  # the user's form, based on version 1
    kept: str | None  # a value of the user's input that the 409 page shows again
    field: str | None  # the field the user changed (unchanged after the stale save)
    headers: dict | None = None


def url(name, **kwargs):
    return reverse(name, kwargs={"tenant_slug": "alpha", **kwargs})


def _edit_case(name: str) -> Case:  # noqa: PLR0911 - one branch a page
    """Inside tenant A's scope: the object and the form the user posts."""
    if name == "org-unit-edit":
        unit = OrgUnitFactory(code="OPS")
        data = {"code": "OPS", "name": TYPED, "kind": "department"}
        return Case(url(name, pk=unit.pk), unit, data, TYPED, "name")
    if name == "org-unit-move":
        unit, parent = OrgUnitFactory(), OrgUnitFactory()
        return Case(url(name, pk=unit.pk), unit, {"parent": parent.pk}, None, "parent_id")
    if name == "position-edit":
        position = PositionFactory(code="P1")
        data = {"code": "P1", "title": TYPED, "org_unit": position.org_unit_id, "job_family": "g",
                "level": "L3"}
        return Case(url(name, pk=position.pk), position, data, TYPED, "title")
    if name == "employee-edit":
        employee = EmployeeFactory(employee_no="E1")
        data = {"employee_no": "E1", "name": TYPED, "email": "e1@example.com",
                "org_unit": employee.org_unit_id, "position": "", "manager_no": "", "is_active": "on"}
        return Case(url(name, pk=employee.pk), employee, data, TYPED, "name")
    if name == "period-edit":
        period = PeriodFactory(kind=Period.Kind.YEAR, year=2040, status=Period.Status.PLANNING)
        return Case(url(name, pk=period.pk), period, {"kind": "year", "year": 2097}, "2097", "year")
    if name == "kpi-edit":
        kpi = KPIFactory(code="RET")
        data = {"code": "RET", "name": TYPED, "unit": "%", "direction": "higher_better",
                "perspective": "financial", "owner_unit": kpi.owner_unit_id, "cap": "1.2",
                "frequency": "monthly", "aggregation": "sum", "data_source": "", "process_tag": "",
                "objective": "", "is_active": "on"}
        return Case(url(name, pk=kpi.pk), kpi, data, TYPED, "name")
    if name == "objective-edit":
        objective = ObjectiveFactory()
        data = {"period": objective.period_id, "perspective": "financial", "name": TYPED, "order": 3}
        return Case(url(name, pk=objective.pk), objective, data, TYPED, "name")
    if name == "goal-edit":
        goal = GoalFactory(weight=Decimal("100"))
        data = {"org_unit": goal.org_unit_id, "position": "", "kpi": goal.kpi_id, "weight": "37.5"}
        return Case(url(name, pk=goal.pk), goal, data, "37.5", "weight", HTMX)
    if name == "goal-move":
        goal = GoalFactory()
        other = GoalFactory(period=goal.period)
        return Case(url(name, pk=goal.pk), goal, {"parent": other.pk}, None, "parent_id", HTMX)
    if name == "measurement-row":
        period = PeriodFactory(kind=Period.Kind.MONTH, year=2025, month=4)
        m = MeasurementFactory(period=period, target=Decimal(90), actual=Decimal(81))
        data = {"target": "90", "actual": "4242", "note": ""}
        return Case(url(name, period_pk=period.pk, kpi_pk=m.kpi_id), m, data, "4242", "actual", HTMX)
    raise AssertionError(name)


EDIT_PAGES = [
    "org-unit-edit", "org-unit-move", "position-edit", "employee-edit", "period-edit", "kpi-edit",
    "objective-edit", "goal-edit", "goal-move", "measurement-row",
]


def _delete_case(name: str) -> Case:
    if name == "org-unit-delete":
        obj = OrgUnitFactory()
    elif name == "position-delete":
        obj = PositionFactory()
    elif name == "employee-delete":
        obj = EmployeeFactory()
    elif name == "period-delete":
        obj = PeriodFactory(status=Period.Status.PLANNING)
    elif name == "kpi-delete":
        obj = KPIFactory()
    elif name == "objective-delete":
        obj = ObjectiveFactory()
    elif name == "goal-delete":
        obj = GoalFactory()
        return Case(url(name, pk=obj.pk), obj, {}, None, None, HTMX)
    else:
        raise AssertionError(name)
    return Case(url(name, pk=obj.pk), obj, {}, None, None)


DELETE_PAGES = [
    "org-unit-delete", "position-delete", "employee-delete", "period-delete", "kpi-delete",
    "objective-delete", "goal-delete",
]


@pytest.fixture
def rival(tenant_a):
    return make_member(tenant_a, Role.HR_ADMIN, username="rival", first_name="Rita", last_name="Rival")


@pytest.fixture
def bravo_world(tenant_b):
    """The same kinds of objects in tenant B, which no stale save may touch."""
    with tenant_scope(tenant_b):
        goal = GoalFactory()
        return {"goal": goal, "unit": goal.org_unit, "kpi": goal.kpi}


def _saved_by(obj, user) -> None:
    """A colleague saved `obj` after the user opened it: version 2, by them, now."""
    type(obj).objects.filter(pk=obj.pk).update(lock_version=2, updated_by=user, updated_at=timezone.now())


def _fresh(tenant, obj):
    with tenant_scope(tenant):
        return type(obj).objects.filter(pk=obj.pk).first()


def _assert_names_rival(response, tenant, obj) -> None:
    page = response.content.decode()
    assert "Rita Rival changed this" in page
    fresh = _fresh(tenant, obj)
    when = date_format(timezone.localtime(fresh.updated_at, ZoneInfo(tenant.timezone)), "DATETIME_FORMAT")
    assert f"at {when}" in page  # when, in the tenant's time zone


@pytest.mark.parametrize("name", EDIT_PAGES)
def test_a_stale_edit_answers_409_keeps_the_input_and_writes_nothing(
    name, tenant_a, hr_a, rival, bravo_world, login
):
    with tenant_scope(tenant_a):
        case = _edit_case(name)
        _saved_by(case.obj, rival)
        before = getattr(_fresh(tenant_a, case.obj), case.field)
    client = login(hr_a)
    headers = case.headers or {}
    response = client.post(case.url, {**case.data, "lock_version": "1"}, **headers)
    assert response.status_code == 409
    _assert_names_rival(response, tenant_a, case.obj)
    if case.kept is not None:
        assert case.kept in response.content.decode()  # the user's input is still on the form
    fresh = _fresh(tenant_a, case.obj)
    assert fresh.lock_version == 2 and getattr(fresh, case.field) == before  # nothing written
    # Left out, the version is refused the same way.
    assert client.post(case.url, case.data, **headers).status_code == 409
    # A save based on the current version goes through.
    current = client.post(case.url, {**case.data, "lock_version": "2"}, **headers)
    assert current.status_code in (200, 204, 302) and b"changed this" not in current.content
    fresh = _fresh(tenant_a, case.obj)
    assert fresh.lock_version == 3 and getattr(fresh, case.field) != before
    with tenant_scope(bravo_world["goal"].tenant):
        assert Goal.objects.get(pk=bravo_world["goal"].pk).lock_version == 1


@pytest.mark.parametrize("name", DELETE_PAGES)
def test_a_stale_delete_answers_409_and_deletes_nothing(name, tenant_a, hr_a, rival, bravo_world, login):
    with tenant_scope(tenant_a):
        case = _delete_case(name)
    client = login(hr_a)
    headers = case.headers or {}
    form = client.get(case.url, **headers).content.decode()
    assert 'name="lock_version" value="1"' in form  # the confirm form carries the version it shows
    with tenant_scope(tenant_a):
        _saved_by(case.obj, rival)
    response = client.post(case.url, {"lock_version": "1"}, **headers)
    assert response.status_code == 409
    _assert_names_rival(response, tenant_a, case.obj)
    assert _fresh(tenant_a, case.obj) is not None  # nothing deleted
    # A blank or tampered version is refused the same way.
    assert client.post(case.url, {"lock_version": ""}, **headers).status_code == 409
    assert _fresh(tenant_a, case.obj) is not None
    current = client.post(case.url, {"lock_version": "2"}, **headers)
    assert current.status_code in (204, 302)
    assert _fresh(tenant_a, case.obj) is None
    with tenant_scope(bravo_world["goal"].tenant):
        assert Goal.objects.filter(pk=bravo_world["goal"].pk).exists()
        assert OrgUnit.objects.filter(pk=bravo_world["unit"].pk).exists()
        assert KPI.objects.filter(pk=bravo_world["kpi"].pk).exists()


def test_a_stale_publish_answers_409_with_the_editor(tenant_a, hr_a, rival, bravo_world, login):
    with tenant_scope(tenant_a):
        card = ScorecardFactory(status=Scorecard.Status.DRAFT)
        _saved_by(card, rival)
    client = login(hr_a)
    response = client.post(url("scorecard-publish", pk=card.pk), {"lock_version": "1"})
    assert response.status_code == 409 and 'id="stale-message"' in response.content.decode()
    _assert_names_rival(response, tenant_a, card)
    assert _fresh(tenant_a, card).status == Scorecard.Status.DRAFT


def test_the_stale_message_speaks_chinese(tenant_a, hr_a, rival, login):
    with tenant_scope(tenant_a):
        case = _edit_case("kpi-edit")
        _saved_by(case.obj, rival)
    UserProfile.objects.update_or_create(user=hr_a, defaults={"language": "zh-hans"})
    response = login(hr_a).post(case.url, {**case.data, "lock_version": "1"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Rita Rival在您打开此" in page and "changed this" not in page


def test_htmx_swaps_a_409(client):
    """A stale save's fragment is swapped in (htmx 2 swaps no 4xx by default): base.html says so."""
    from pathlib import Path

    from django.conf import settings

    base = (Path(settings.BASE_DIR) / "templates" / "base.html").read_text()
    assert '{"code": "409", "swap": true, "error": false}' in base
    assert base.index('"409"') < base.index('"[45].."')  # the first match wins

