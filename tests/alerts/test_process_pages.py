"""The process pages: the list (empty state, paged, fixed queries), one process drawn as its flow, HR's
editor (from a template, field errors on the stage rows, a stale save) and delete; other roles read only."""

from __future__ import annotations

import pytest

from alerts.models import Process, ProcessStage
from collab.models import Role
from tests.factories import make_member
from tests.factories.alerts import make_process
from tests.factories.org import OrgUnitFactory

pytestmark = pytest.mark.django_db
BASE = "/t/alpha/processes/"


@pytest.fixture
def units(scope_a):
    return OrgUnitFactory(name="Sales"), OrgUnitFactory(name="Finance")


def _post(sales, finance, **changes):
    data = {
        "name": "Lead to cash", "kind": "lead_to_cash", "owner_unit": str(sales.pk), "is_active": "on",
        "stages-0-name": "Lead capture", "stages-0-owner_unit": str(sales.pk), "stages-0-time_limit": "2",
        "stages-0-time_unit": "working_days", "stages-1-name": "Contract signing",
        "stages-1-owner_unit": str(sales.pk), "stages-1-time_limit": "5",
        "stages-1-time_unit": "working_days",
        "stages-1-escalation_role": "销售总监",
    }  # fmt: skip
    data.update(changes)
    return data


def test_the_list_shows_an_empty_state_then_pages_in_fixed_queries(
    units, tenant_a, login, django_assert_max_num_queries
):
    client = login(make_member(tenant_a, Role.EMPLOYEE))
    empty = client.get(BASE).content.decode()
    assert 'id="process-empty"' in empty and 'id="process-new"' not in empty
    make_process(units[0], name="P0", collaborating=[units[1]])
    with django_assert_max_num_queries(30) as first:
        client.get(BASE)
    for n in range(1, 30):
        make_process(units[0], name=f"P{n:02d}", collaborating=[units[1]])
    with django_assert_max_num_queries(len(first.captured_queries)):
        page = client.get(BASE).content.decode()
    assert page.count("data-process=") == 25 and "page=" in page


def test_hr_creates_a_process_from_a_template_and_sees_its_flow(units, hr_a, login):
    sales, finance = units
    client = login(hr_a)
    form = client.get(f"{BASE}new/?template=procure_to_pay").content.decode()
    assert 'value="Purchase requisition"' in form and 'name="stages-4-name"' in form
    data = _post(sales, finance, **{"stages-1-collaborating_units": [str(finance.pk), str(sales.pk)]})
    answer = client.post(f"{BASE}new/", data)
    assert answer.status_code == 400  # the owner unit listed as collaborating too
    assert "The owner unit is not also a collaborating unit." in answer.content.decode()
    data["stages-1-collaborating_units"] = [str(finance.pk)]
    answer = client.post(f"{BASE}new/", data)
    process = Process.objects.get()
    assert answer.status_code == 302 and answer.url == f"{BASE}{process.pk}/"
    stage = ProcessStage.objects.get(process=process, order=2)
    assert list(stage.collaborating_units.all()) == [finance] and stage.escalation_role == "销售总监"
    page = client.get(answer.url).content.decode()
    flow = page[page.index('id="process-flow"') : page.index("</ol>")]
    assert flow.index("Lead capture") < flow.index("Contract signing") and "Finance" in flow


def test_stage_field_errors_show_on_their_rows_and_keep_the_input(units, hr_a, login):
    sales, finance = units
    client = login(hr_a)
    answer = client.post(f"{BASE}new/", _post(sales, finance, **{"stages-1-time_limit": "0",
                                                                  "stages-0-owner_unit": ""}))  # fmt: skip
    assert answer.status_code == 400
    html = answer.content.decode()
    assert 'name="stages-1-time_limit" id="stages-1-time_limit" value="0"' in html
    assert "Enter a number from 1 to 10000." in html and "Choose the unit that owns the stage." in html
    assert not Process.objects.exists()
    nothing = client.post(f"{BASE}new/", {"name": "Empty", "kind": "custom", "owner_unit": str(sales.pk)})
    assert nothing.status_code == 400 and "Add at least one stage." in nothing.content.decode()


def test_edit_replaces_the_stages_and_a_stale_save_is_a_409(units, hr_a, login):
    sales, finance = units
    process = make_process(sales)
    client = login(hr_a)
    form = client.get(f"{BASE}{process.pk}/edit/").content.decode()
    assert 'value="Quotation approval"' in form
    data = _post(sales, finance, name="Renamed", lock_version="1")
    assert client.post(f"{BASE}{process.pk}/edit/", data).status_code == 302
    process.refresh_from_db()
    assert process.name == "Renamed" and process.lock_version == 2
    assert client.post(f"{BASE}{process.pk}/edit/", data).status_code == 409


def test_delete_and_who_may_write(units, hr_a, tenant_a, login):
    process = make_process(units[0])
    reader = login(make_member(tenant_a, Role.MANAGER))
    detail = reader.get(f"{BASE}{process.pk}/").content.decode()
    assert 'id="stage-table"' in detail and 'id="process-edit"' not in detail
    assert reader.get(f"{BASE}new/").status_code == 403
    assert reader.post(f"{BASE}{process.pk}/delete/", {"lock_version": "1"}).status_code == 403
    client = login(hr_a)
    assert client.post(f"{BASE}{process.pk}/delete/", {"lock_version": "9"}).status_code == 409
    assert client.post(f"{BASE}{process.pk}/delete/", {"lock_version": "1"}).status_code == 302
    assert not Process.objects.exists()
