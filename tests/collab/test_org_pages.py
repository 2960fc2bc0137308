"""Organisation pages: role access, the tree and its forms, lists, periods, exports, other tenants."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from collab.models import AuditEvent, Employee, OrgUnit, Period, Position
from collab.tenancy import tenant_scope
from tests.factories import make_member
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PeriodFactory, PositionFactory
from tests.paging import pager_link

pytestmark = pytest.mark.django_db

LISTS = ["org-tree", "position-list", "employee-list", "period-list"]
FORMS = ["org-unit-create", "position-create", "employee-create", "period-create", "org-import"]


def url(name, tenant="alpha", **kwargs):
    return reverse(name, kwargs={"tenant_slug": tenant, **kwargs})


@pytest.fixture
def auditor_a(tenant_a):
    return make_member(tenant_a, "auditor", username="auditor_a")


@pytest.fixture
def tree(tenant_a):
    with tenant_scope(tenant_a):
        group = OrgUnitFactory(code="G", name="Group", kind="group")
        ops = OrgUnitFactory(code="OPS", name="Operations", parent=group)
        team = OrgUnitFactory(code="OPS-T", name="Night shift", kind="team", parent=ops)
        finance = OrgUnitFactory(code="FIN", name="Finance", parent=group)
    return {"group": group, "ops": ops, "team": team, "finance": finance}


def _fresh(tenant, model, pk):
    with tenant_scope(tenant):
        return model.objects.filter(pk=pk).first()


# ----- roles ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", LISTS + FORMS)
def test_hr_admin_opens_every_page(login, hr_a, name):
    assert login(hr_a).get(url(name)).status_code == 200


@pytest.mark.parametrize("name", LISTS)
def test_auditor_reads_the_lists(login, auditor_a, name):
    response = login(auditor_a).get(url(name))
    assert response.status_code == 200
    assert b"Add a" not in response.content  # no write buttons for a read-only role


@pytest.mark.parametrize("name", FORMS)
def test_auditor_cannot_open_forms_or_post(login, auditor_a, tenant_a, name):
    client = login(auditor_a)
    assert client.get(url(name)).status_code == 403
    assert client.post(url(name), {"code": "X", "name": "X", "kind": "team", "year": 2030}).status_code == 403
    with tenant_scope(tenant_a):
        assert not OrgUnit.objects.exists() and not Period.objects.exists()


@pytest.mark.parametrize("role", ["manager", "employee", "committee"])
@pytest.mark.parametrize("name", LISTS + FORMS)
def test_other_roles_are_refused(login, tenant_a, role, name):
    user = make_member(tenant_a, role, username=f"{role}_a")
    assert login(user).get(url(name)).status_code == 403


def test_non_member_gets_404(login, hr_b):
    assert login(hr_b).get(url("org-tree")).status_code == 404


# ----- tree -------------------------------------------------------------------------------------------------
def test_tree_shows_nested_units_and_empty_state(login, hr_a, tree):
    content = login(hr_a).get(url("org-tree")).content.decode()
    assert content.index("Group") < content.index("Operations") < content.index("Night shift")
    assert f'id="unit-{tree["team"].pk}"' in content and "<details" in content


def test_empty_tree_says_what_to_do(login, hr_a):
    content = login(hr_a).get(url("org-tree")).content.decode()
    assert "The org tree is empty" in content and "Import from Excel" in content


def test_tree_search_shows_breadcrumbs(login, hr_a, tree):
    content = login(hr_a).get(url("org-tree"), {"q": "night"}).content.decode()
    assert "Night shift" in content and "Group › Operations ›" in content and "Finance" not in content


def test_tree_loads_hidden_children_on_demand(login, hr_a, tree):
    response = login(hr_a).get(url("org-tree-children", pk=tree["ops"].pk))
    assert (
        response.status_code == 200
        and b"Night shift" in response.content
        and b"Finance" not in response.content
    )


def test_large_tree_cuts_depth_and_lazy_loads(login, hr_a, tenant_a, monkeypatch):
    from collab.selectors import org as selectors

    with tenant_scope(tenant_a):
        root = OrgUnitFactory(code="R", name="Root")
        mids = [OrgUnitFactory(code=f"M{i}", name=f"Mid {i}", parent=root) for i in range(3)]
        for mid in mids:
            OrgUnitFactory(code=f"L{mid.code}", name=f"Leaf of {mid.code}", parent=mid)
        nodes = selectors.unit_tree(max_nodes=4)
    assert [n.unit.code for n in nodes] == ["R"] and len(nodes[0].children) == 3
    assert all(not child.children_loaded for child in nodes[0].children)
    monkeypatch.setattr(selectors, "TREE_MAX_NODES", 4)
    monkeypatch.setattr(selectors.unit_tree, "__kwdefaults__", {"max_nodes": 4})
    content = login(hr_a).get(url("org-tree")).content.decode()
    assert "Leaf of" not in content and 'hx-trigger="toggle once"' in content


def test_tree_query_count_does_not_grow(login, hr_a, tenant_a, django_assert_max_num_queries):
    client = login(hr_a)
    with tenant_scope(tenant_a):
        root = OrgUnitFactory(code="ROOT")
        for i in range(5):
            OrgUnitFactory(parent=root, code=f"S{i}")
    client.get(url("org-tree"))
    with django_assert_max_num_queries(12) as small:
        client.get(url("org-tree"))
    with tenant_scope(tenant_a):
        for i in range(60):
            parent = OrgUnitFactory(parent=root, code=f"B{i}")
            EmployeeFactory(org_unit=parent)
            PositionFactory(org_unit=parent)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url("org-tree"))
    assert response.content.count(b'<li id="unit-') == 66


def test_add_a_unit_under_a_parent(login, hr_a, tenant_a, tree):
    client = login(hr_a)
    page = client.get(url("org-unit-create"), {"parent": tree["ops"].pk}).content.decode()
    assert f'value="{tree["ops"].pk}" selected' in page
    response = client.post(
        url("org-unit-create"),
        {"code": "OPS-D", "name": "Day shift", "kind": "team", "parent": tree["ops"].pk},
    )
    assert response.status_code == 302
    with tenant_scope(tenant_a):
        made = OrgUnit.objects.get(code="OPS-D")
    assert (
        made.parent_id == tree["ops"].pk and made.path == f"{tree['ops'].path}{made.pk}/" and made.depth == 2
    )


def test_htmx_form_goes_to_the_panel_and_redirects_on_success(login, hr_a, tenant_a, tree):
    client = login(hr_a)
    panel = client.get(url("org-unit-edit", pk=tree["ops"].pk), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in panel and 'hx-target="#unit-panel"' in panel
    bad = client.post(
        url("org-unit-edit", pk=tree["ops"].pk),
        {"code": "FIN", "name": "", "kind": "department", "lock_version": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert (
        bad.status_code == 200
        and b"already exists" not in bad.content
        and b"This field is required" in bad.content
    )
    clash = client.post(
        url("org-unit-edit", pk=tree["ops"].pk),
        {"code": "FIN", "name": "Ops", "kind": "department", "lock_version": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert b"An org unit with this code already exists" in clash.content
    good = client.post(
        url("org-unit-edit", pk=tree["ops"].pk),
        {"code": "OPS", "name": "Mining operations", "kind": "department", "lock_version": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert good.status_code == 200 and good["HX-Redirect"].startswith(url("org-tree"))
    assert _fresh(tenant_a, OrgUnit, tree["ops"].pk).name == "Mining operations"


def test_move_under_a_descendant_is_refused_with_a_clear_message(login, hr_a, tenant_a, tree):
    client = login(hr_a)
    form = client.get(url("org-unit-move", pk=tree["group"].pk)).content.decode()
    # The picker searches the units (it lists none of them in the page)…
    assert f'value="{tree["team"].pk}"' not in form and 'data-picker="unit"' in form
    response = client.post(
        url("org-unit-move", pk=tree["group"].pk), {"parent": tree["team"].pk, "lock_version": 1}
    )
    assert response.status_code == 400  # …and a descendant picked is refused, saying why
    assert (
        "cannot be moved under" in response.content.decode()
        and "its own sub-units" in response.content.decode()
    )
    assert _fresh(tenant_a, OrgUnit, tree["group"].pk).parent_id is None


def test_move_rewrites_the_subtree(login, hr_a, tenant_a, tree):
    data = {"parent": tree["finance"].pk, "lock_version": 1}
    response = login(hr_a).post(url("org-unit-move", pk=tree["ops"].pk), data)
    assert response.status_code == 302
    team = _fresh(tenant_a, OrgUnit, tree["team"].pk)
    assert team.path == f"/{tree['group'].pk}/{tree['finance'].pk}/{tree['ops'].pk}/{tree['team'].pk}/"
    assert team.depth == 3


def test_delete_refuses_a_unit_with_children(login, hr_a, tenant_a, tree):
    client = login(hr_a)
    response = client.post(url("org-unit-delete", pk=tree["ops"].pk), {"lock_version": 1})
    assert response.status_code == 400 and b"has sub-units" in response.content
    assert client.post(url("org-unit-delete", pk=tree["team"].pk), {"lock_version": 1}).status_code == 302
    assert _fresh(tenant_a, OrgUnit, tree["team"].pk) is None


@pytest.mark.parametrize(
    "data, field_error",
    [
        ({"code": "A\x00", "name": "N", "kind": "team"}, b"Null characters are not allowed"),
        ({"code": "A", "name": "N", "kind": "castle"}, b"Select a valid choice"),
        (
            {"code": "A", "name": "N", "kind": "team", "parent": "99999999999999999999999"},
            b"Select a valid choice",
        ),
        ({"code": "A", "name": "N", "kind": "team", "parent": "abc"}, b"Select a valid choice"),
        ({"code": "A" * 51, "name": "N", "kind": "team"}, b"at most 50 characters"),
    ],
)
def test_bad_input_is_a_field_error(login, hr_a, tenant_a, data, field_error):
    response = login(hr_a).post(url("org-unit-create"), data)
    assert response.status_code == 400 and field_error in response.content
    with tenant_scope(tenant_a):
        assert not OrgUnit.objects.exists()


# ----- other tenants ----------------------------------------------------------------------------------------
@pytest.fixture
def foreign(tenant_b):
    with tenant_scope(tenant_b):
        unit = OrgUnitFactory(code="B-UNIT", name="Bravo unit")
        position = PositionFactory(org_unit=unit, code="B-POS")
        employee = EmployeeFactory(org_unit=unit, employee_no="B-1")
        period = PeriodFactory(status="planning", year=2040)
    return {"unit": unit, "position": position, "employee": employee, "period": period}


@pytest.mark.parametrize(
    "name, key",
    [
        ("org-tree-children", "unit"),
        ("org-unit-edit", "unit"),
        ("org-unit-move", "unit"),
        ("org-unit-delete", "unit"),
        ("position-edit", "position"),
        ("position-delete", "position"),
        ("employee-edit", "employee"),
        ("employee-delete", "employee"),
        ("period-edit", "period"),
        ("period-advance", "period"),
        ("period-delete", "period"),
    ],
)
def test_another_tenants_ids_are_404_and_change_nothing(login, hr_a, tenant_b, foreign, name, key):
    client = login(hr_a)
    obj = foreign[key]
    assert client.get(url(name, pk=obj.pk)).status_code == 404
    post = {"code": "X", "name": "X", "title": "X", "kind": "team", "to_status": "active", "year": 2041}
    read_only = name == "org-tree-children"  # refuses POST before looking at the id, like a missing one
    assert client.post(url(name, pk=obj.pk), post).status_code == (405 if read_only else 404)
    assert client.get(url(name, pk=999999999999999999)).status_code == 404
    again = _fresh(tenant_b, type(obj), obj.pk)
    assert again is not None
    for field in ("name", "code", "title", "status", "year", "parent_id"):
        assert getattr(again, field, None) == getattr(obj, field, None)


def test_another_tenants_unit_as_a_parent_or_filter(login, hr_a, tenant_a, tenant_b, foreign):
    client = login(hr_a)
    response = client.post(
        url("org-unit-create"), {"code": "X", "name": "X", "kind": "team", "parent": foreign["unit"].pk}
    )
    assert response.status_code == 400 and b"Select a valid choice" in response.content
    with tenant_scope(tenant_a):
        assert not OrgUnit.objects.exists()
    options = client.get(url("employee-position-options"), {"org_unit": foreign["unit"].pk}).content
    assert b"B-POS" not in options
    listing = client.get(url("employee-list"), {"unit": foreign["unit"].pk}).content
    assert b"B-1" not in listing


def test_a_suggested_parent_or_unit_is_the_tenants_own_or_none(login, hr_a, tenant_a, tree, foreign):
    """`?parent=` / `?unit=` prefill a form through `selectors.org.unit_or_none`: ours is selected, another
    tenant's id (or a missing one) is left out, never a 500 and never a foreign row."""
    from collab.selectors.org import unit_or_none

    client = login(hr_a)
    for name, key in (("org-unit-create", "parent"), ("position-create", "unit")):
        own = client.get(url(name), {key: tree["ops"].pk}).content.decode()
        assert f'value="{tree["ops"].pk}" selected' in own
        for other in (foreign["unit"].pk, 999999999):
            page = client.get(url(name), {key: other})
            assert page.status_code == 200
            text = page.content.decode()
            assert not any(f'value="{unit.pk}" selected' in text for unit in tree.values())
            assert f'value="{other}"' not in text and "B-UNIT" not in text
    with tenant_scope(tenant_a):
        assert unit_or_none(tree["ops"].pk) == tree["ops"]
        assert unit_or_none(foreign["unit"].pk) is None
        assert unit_or_none(None) is None


# ----- positions and employees ------------------------------------------------------------------------------
def test_position_list_search_filter_and_paging(login, hr_a, tenant_a, tree):
    with tenant_scope(tenant_a):
        for i in range(27):
            PositionFactory(code=f"ENG{i:02d}", title=f"Engineer {i}", org_unit=tree["team"])
        PositionFactory(code="ACC", title="Accountant", org_unit=tree["finance"])
    client = login(hr_a)
    response = client.get(url("position-list"))
    first = response.content.decode()
    assert first.count("<tr>") == 26 and "Rows 1–25" in first
    assert client.get(url("position-list"), pager_link(response)).content.decode().count("<tr>") == 4
    found = client.get(url("position-list"), {"q": "account"}).content.decode()
    assert "Accountant" in found and "Engineer" not in found
    under_ops = client.get(url("position-list"), {"unit": tree["ops"].pk}).content.decode()
    assert "Engineer" in under_ops and "Accountant" not in under_ops
    only_ops = client.get(url("position-list"), {"unit": tree["ops"].pk, "scope": "only"}).content.decode()
    assert "No position matches" in only_ops
    garbage = client.get(url("position-list"), {"unit": "x\x00", "page": "-3", "q": "a" * 500})
    assert garbage.status_code == 200


def test_position_create_and_edit(login, hr_a, tenant_a, tree):
    client = login(hr_a)
    response = client.post(
        url("position-create"), {"code": "P1", "title": "Planner", "org_unit": tree["ops"].pk, "level": "L4"}
    )
    assert response.status_code == 302
    with tenant_scope(tenant_a):
        position = Position.objects.get(code="P1")
    response = client.post(
        url("position-edit", pk=position.pk),
        {"code": "P1", "title": "Chief planner", "org_unit": tree["team"].pk, "lock_version": 1},
    )
    assert response.status_code == 302
    position = _fresh(tenant_a, Position, position.pk)
    assert (
        position.title == "Chief planner" and position.org_unit_id == tree["team"].pk and position.level == ""
    )


def test_employee_list_filters_and_paging(login, hr_a, tenant_a, tree):
    with tenant_scope(tenant_a):
        for i in range(30):
            EmployeeFactory(employee_no=f"T{i:03d}", name=f"Miner {i}", org_unit=tree["team"])
        EmployeeFactory(employee_no="F001", name="Li Na", org_unit=tree["finance"], is_active=False)
    client = login(hr_a)
    response = client.get(url("employee-list"))
    page_one = response.content.decode()
    assert page_one.count("<tr>") == 26 and "F001" in page_one  # sorted by number: F001 first
    page_two = client.get(url("employee-list"), pager_link(response)).content.decode()
    assert page_two.count("<tr>") == 7
    assert "Li Na" in client.get(url("employee-list"), {"q": "li na"}).content.decode()
    under_ops = client.get(url("employee-list"), {"unit": tree["ops"].pk}).content.decode()
    assert "Miner 1" in under_ops and "Li Na" not in under_ops
    inactive = client.get(url("employee-list"), {"status": "inactive"}).content.decode()
    assert "Li Na" in inactive and "Miner" not in inactive


def test_employee_create_with_manager_and_errors(login, hr_a, tenant_a, tree):
    with tenant_scope(tenant_a):
        boss = EmployeeFactory(employee_no="BOSS", org_unit=tree["ops"])
        position = PositionFactory(code="OPR", org_unit=tree["team"])
    client = login(hr_a)
    form = client.get(url("employee-create")).content.decode()
    assert 'hx-get="' + url("employee-position-options") in form
    options = client.get(url("employee-position-options"), {"org_unit": tree["team"].pk}).content.decode()
    assert "OPR" in options
    data = {
        "employee_no": "E1",
        "name": "Wang Wei",
        "email": "wang@example.com",
        "org_unit": tree["team"].pk,
        "position": position.pk,
        "manager_no": "NOBODY",
        "is_active": "on",
    }
    response = client.post(url("employee-create"), data)
    assert response.status_code == 400 and "No employee has the number NOBODY" in response.content.decode()
    data["manager_no"] = "BOSS"
    assert client.post(url("employee-create"), data).status_code == 302
    with tenant_scope(tenant_a):
        employee = Employee.objects.get(employee_no="E1")
    assert employee.manager == boss and employee.position == position and employee.is_active
    loop = client.post(
        url("employee-edit", pk=boss.pk),
        {
            "employee_no": "BOSS", "name": boss.name, "org_unit": tree["ops"].pk, "manager_no": "E1",
            "lock_version": 1,
        },
    )
    assert loop.status_code == 400 and "loop" in loop.content.decode()


@pytest.mark.parametrize("name", ["position-list", "employee-list", "period-list"])
def test_list_query_counts_do_not_grow(login, hr_a, tenant_a, tree, name, django_assert_max_num_queries):
    client = login(hr_a)

    def add(count):
        with tenant_scope(tenant_a):
            for _ in range(count):
                position = PositionFactory(org_unit=tree["team"])
                manager = EmployeeFactory(org_unit=tree["ops"])
                EmployeeFactory(org_unit=tree["team"], position=position, manager=manager)
            for year in range(2000 + Period.objects.count(), 2000 + Period.objects.count() + count):
                PeriodFactory(year=year)

    add(2)
    client.get(url(name))
    with django_assert_max_num_queries(14) as small:
        client.get(url(name), {"q": "", "unit": tree["group"].pk} if name != "period-list" else {})
    add(30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url(name), {"q": "", "unit": tree["group"].pk} if name != "period-list" else {})
    assert response.status_code == 200


@pytest.mark.parametrize("name", ["org-tree", "position-list", "employee-list", "period-list"])
def test_lists_export_to_excel(login, auditor_a, tenant_a, tree, name):
    with tenant_scope(tenant_a):
        PositionFactory(code="=HYPERLINK()", org_unit=tree["team"])
        EmployeeFactory(employee_no="E9", org_unit=tree["team"], name="Zhao")
        PeriodFactory(year=2033)
    response = login(auditor_a).get(url(name), {"export": "xlsx"})
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(rows) >= 2
    if name == "org-tree":
        assert (
            rows[0][:4] == ["Code", "Name", "Kind", "Parent code"]
            and ["OPS-T", "Night shift", "team", "OPS"] in rows
        )
    if name == "position-list":
        assert rows[1][0] == "=HYPERLINK()" and sheet["A2"].data_type == "s"
    if name == "employee-list":
        assert rows[0][0] == "Employee number" and rows[1][:4] == ["E9", "Zhao", "e9@example.com", "OPS-T"]


# ----- periods ----------------------------------------------------------------------------------------------
def test_period_create_advance_with_confirmation_and_closed_guard(login, hr_a, tenant_a):
    client = login(hr_a)
    bad = client.post(url("period-create"), {"kind": "quarter", "year": 2030})
    assert bad.status_code == 400 and b"quarter" in bad.content
    assert (
        client.post(url("period-create"), {"kind": "quarter", "year": 2030, "quarter": 1}).status_code == 302
    )
    with tenant_scope(tenant_a):
        period = Period.objects.get()
    confirm = client.get(url("period-advance", pk=period.pk)).content.decode()
    assert "from Planning to Active" in confirm and 'name="to_status" value="active"' in confirm
    assert client.post(url("period-advance", pk=period.pk), {"to_status": "active"}).status_code == 302
    # A second submit of the same confirmation does not skip a step.
    stale = client.post(url("period-advance", pk=period.pk), {"to_status": "active"})
    assert stale.status_code == 400 and "can only move to Review" in stale.content.decode()
    assert _fresh(tenant_a, Period, period.pk).status == "active"
    client.post(url("period-advance", pk=period.pk), {"to_status": "review"})
    warning = client.get(url("period-advance", pk=period.pk)).content.decode()
    assert "read-only everywhere" in warning
    client.post(url("period-advance", pk=period.pk), {"to_status": "closed"})
    assert _fresh(tenant_a, Period, period.pk).status == "closed"
    version = _fresh(tenant_a, Period, period.pk).lock_version
    data = {"kind": "year", "year": 2031, "lock_version": version}
    edit = client.post(url("period-edit", pk=period.pk), data)
    assert edit.status_code == 400 and b"Only a period in planning" in edit.content
    assert client.post(url("period-advance", pk=period.pk), {"to_status": "closed"}).status_code == 400
    assert _fresh(tenant_a, Period, period.pk).label == "2030 Q1"
    with tenant_scope(tenant_a):
        assert AuditEvent.objects.filter(action="period.advance").count() == 3


@pytest.mark.parametrize("status", ["active", "review", "closed"])
def test_period_edit_of_a_started_period_explains_the_lock_instead_of_500(login, hr_a, tenant_a, status):
    """Issue 8 item 3: the edit page of any period not in planning answered 500 (an error added to an
    unbound form). It shows the fields read-only with the reason and no save button; a POST is refused by the
    service with a 400 and changes nothing."""
    with tenant_scope(tenant_a):
        period = PeriodFactory(kind="quarter", year=2030, quarter=2, status=status)
    client = login(hr_a)
    page = client.get(url("period-edit", pk=period.pk))
    assert page.status_code == 200
    content = page.content.decode()
    assert "its kind, year, quarter and month are fixed" in content
    assert 'class="btn btn-primary" type="submit"' not in content
    assert content.count(" disabled") >= 4  # kind, year, quarter, month
    posted = client.post(
        url("period-edit", pk=period.pk),
        {"kind": "year", "year": 2031, "quarter": "", "lock_version": period.lock_version},
    )
    assert posted.status_code == 400
    assert "Only a period in planning can be edited" in posted.content.decode()
    fresh = _fresh(tenant_a, Period, period.pk)
    assert (fresh.kind, fresh.year, fresh.quarter, fresh.status) == ("quarter", 2030, 2, status)
    with tenant_scope(tenant_a):
        assert not AuditEvent.objects.filter(action="period.update").exists()


def test_period_edit_in_planning_still_saves(login, hr_a, tenant_a, tenant_b):
    with tenant_scope(tenant_a):
        period = PeriodFactory(kind="year", year=2030, status="planning")
    with tenant_scope(tenant_b):
        other = PeriodFactory(kind="year", year=2030, status="planning")
    client = login(hr_a)
    page = client.get(url("period-edit", pk=period.pk)).content.decode()
    assert 'class="btn btn-primary" type="submit"' in page and "are fixed" not in page
    saved = client.post(
        url("period-edit", pk=period.pk), {"kind": "year", "year": 2032, "lock_version": period.lock_version}
    )
    assert saved.status_code == 302
    assert _fresh(tenant_a, Period, period.pk).year == 2032
    # Another tenant's period answers 404 like a missing one, for GET and POST, and does not change.
    assert client.get(url("period-edit", pk=other.pk)).status_code == 404
    assert client.post(url("period-edit", pk=other.pk), {"kind": "year", "year": 2033}).status_code == 404
    assert _fresh(tenant_b, Period, other.pk).year == 2030


def test_period_list_shows_next_step_buttons(login, hr_a, tenant_a):
    with tenant_scope(tenant_a):
        PeriodFactory(year=2030, status="planning")
        PeriodFactory(year=2029, status="closed")
    content = login(hr_a).get(url("period-list")).content.decode()
    assert "Move to Active" in content and content.count("Move to") == 1


def test_a_save_in_the_trees_side_panel_reloads_the_tree(login, hr_a, tree):
    """From the tree itself, a redirect to tree#unit-N would only move the '#': the browser would not reload
    (old names, the panel still open, no message). The answer reloads the page instead."""
    client = login(hr_a)
    data = {"code": "OPS", "name": "Mining operations", "kind": "department", "lock_version": 1}
    on_the_tree = f"http://testserver{url('org-tree')}"
    saved = client.post(
        url("org-unit-edit", pk=tree["ops"].pk), data, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=on_the_tree
    )
    assert saved["HX-Refresh"] == "true" and "HX-Redirect" not in saved
    from_a_search = client.post(
        url("org-unit-edit", pk=tree["ops"].pk), {**data, "lock_version": 2}, HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"{on_the_tree}?q=ops",
    )  # fmt: skip
    assert from_a_search["HX-Redirect"] == f"{url('org-tree')}#unit-{tree['ops'].pk}"


def test_period_list_offers_edit_only_for_periods_in_planning(login, hr_a, tenant_a, tenant_b):
    """Issue 8 follow-up: a started period's edit page only shows the lock, so the list offers no "Edit"."""
    with tenant_scope(tenant_a):
        planning = PeriodFactory(kind="quarter", year=2030, quarter=1, status="planning")
        started = [
            PeriodFactory(kind="quarter", year=2030, quarter=q, status=s)
            for q, s in ((2, "active"), (3, "review"), (4, "closed"))
        ]
    with tenant_scope(tenant_b):
        PeriodFactory(kind="quarter", year=2030, quarter=1, status="planning")
    page = login(hr_a).get(url("period-list")).content.decode()
    assert url("period-edit", pk=planning.pk) in page
    for period in started:
        assert url("period-edit", pk=period.pk) not in page
        assert url("period-delete", pk=period.pk) not in page
