"""Searchable pickers (collab.forms.pickers): the field validates a posted id through the tenant scope, the
page renders only the chosen option, and the API's list endpoints answer the search (a small page of
matches, under the API's access rule, another tenant's units never among them)."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.urls import reverse

from collab.forms.pickers import (
    EmployeePickerField,
    PositionPickerField,
    UnitPickerField,
    picker_attrs,
)
from collab.models import Employee, OrgUnit, Position, Role
from collab.tenancy import tenant_scope
from tests.factories import make_member
from tests.factories.goal_tree import bulk_units
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PeriodFactory, PositionFactory


class PickForm(forms.Form):
    unit = UnitPickerField(required=False, empty_label="(none)")
    needed = UnitPickerField()
    position = PositionPickerField(required=False)
    person = EmployeePickerField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = OrgUnit.objects.all()
        self.fields["needed"].queryset = OrgUnit.objects.all()
        self.fields["position"].queryset = Position.objects.all()
        self.fields["person"].queryset = Employee.objects.all()


@pytest.fixture
def org(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        other = OrgUnitFactory(code="B-FIN", name="Finance")
        other_position = PositionFactory(org_unit=other, code="B-ACC", title="Accountant")
        other_person = EmployeeFactory(org_unit=other, name="Bea Other")
    with tenant_scope(tenant_a):
        north = OrgUnitFactory(code="N", name="North")
        south = OrgUnitFactory(code="S", name="South")
        finance_n = OrgUnitFactory(code="N-FIN", name="Finance", parent=north)
        finance_s = OrgUnitFactory(code="S-FIN", name="Finance", parent=south)
        position = PositionFactory(org_unit=finance_n, code="ACC", title="Accountant")
        person = EmployeeFactory(org_unit=finance_n, position=position, name="Ada Lovelace")
    return {
        "north": north, "finance_n": finance_n, "finance_s": finance_s, "position": position,
        "person": person, "other": other, "other_position": other_position, "other_person": other_person,
    }


# ------------------------------------------------------------------------------------------------ the field


def test_a_valid_id_is_the_row(org, tenant_a):
    with tenant_scope(tenant_a):
        form = PickForm(
            {
                "unit": str(org["finance_n"].pk),
                "needed": org["north"].pk,
                "position": org["position"].pk,
                "person": org["person"].pk,
            }
        )
        assert form.is_valid(), form.errors
        assert form.cleaned_data["unit"] == org["finance_n"]
        assert form.cleaned_data["position"] == org["position"]
        assert form.cleaned_data["person"] == org["person"]


@pytest.mark.parametrize("raw", ["abc", "1.5", "-3", "99999999999999999999", "1 OR 1=1", "\x00"])
def test_a_malformed_id_is_a_field_error(org, tenant_a, raw):
    with tenant_scope(tenant_a):
        form = PickForm({"unit": raw, "needed": org["north"].pk})
        assert not form.is_valid()
        assert list(form.errors) == ["unit"]


def test_another_tenants_id_is_a_field_error_like_a_missing_one(org, tenant_a):
    with tenant_scope(tenant_a):
        form = PickForm(
            {
                "unit": org["other"].pk,
                "needed": 987654,
                "position": org["other_position"].pk,
                "person": org["other_person"].pk,
            }
        )
        assert not form.is_valid()
        assert set(form.errors) == {"unit", "needed", "position", "person"}
        assert form.errors["unit"] == form.errors["needed"]  # not-yours reads exactly as missing
        html = str(form["unit"])
        assert "Finance" not in html  # the other tenant's unit is not shown as chosen either


def test_blank_is_none_or_required(org, tenant_a):
    with tenant_scope(tenant_a):
        form = PickForm({"unit": "", "needed": ""})
        assert not form.is_valid()
        assert list(form.errors) == ["needed"]
        form = PickForm({"unit": "", "needed": org["north"].pk})
        assert form.is_valid() and form.cleaned_data["unit"] is None


def test_the_widget_renders_only_the_chosen_option(org, tenant_a, django_assert_max_num_queries):
    with tenant_scope(tenant_a):
        form = PickForm(initial={"unit": org["finance_s"].pk, "needed": org["north"].pk})
        with django_assert_max_num_queries(1):
            html = str(form["unit"])
        assert re.findall(r"<option[^>]*>([^<]*)</option>", html) == ["(none)", "South › Finance (S-FIN)"]
        assert 'data-picker="unit"' in html
        assert f'data-picker-url="{reverse("org-unit-list", kwargs={"tenant_slug": "alpha"})}"' in html
        person = str(PickForm(initial={"person": org["person"].pk})["person"])
        assert "Ada Lovelace · Finance · Accountant" in person
        assert 'data-picker="person"' in person and "/directory/" in person


def test_picker_attrs_name_each_kinds_search():
    assert picker_attrs("position", slug="alpha")["data-picker-url"].endswith("/t/alpha/positions/")
    with pytest.raises(ValueError):
        picker_attrs("kpi", slug="alpha")


# --------------------------------------------------------------------------------------- the search (API)


def _api(api_client_for, tenant, role=Role.HR_ADMIN):
    return api_client_for(make_member(tenant, role, username=f"{tenant.slug}_{role}"))


def test_unit_search_matches_name_or_code_and_tells_same_names_apart(org, tenant_a, api_client_for):
    api = _api(api_client_for, tenant_a, Role.EMPLOYEE)  # every member reads the org tree
    body = api.get("/api/v1/t/alpha/org-units/", {"q": "fin"}).json()
    found = {(row["code"], row["parent_name"]) for row in body["results"]}
    assert found == {("N-FIN", "North"), ("S-FIN", "South")}  # not bravo's Finance
    by_code = api.get("/api/v1/t/alpha/org-units/", {"q": "s-f"}).json()["results"]
    assert [row["code"] for row in by_code] == ["S-FIN"]
    top = api.get("/api/v1/t/alpha/org-units/", {"q": "North"}).json()["results"]
    assert top[0]["parent_name"] is None


def test_unit_search_answers_a_small_page_in_a_fixed_number_of_queries(
    tenant_a, tenant_b, api_client_for, django_assert_max_num_queries
):
    with tenant_scope(tenant_a):
        bulk_units(300, prefix="BU")
    api = _api(api_client_for, tenant_a)
    with django_assert_max_num_queries(8):
        response = api.get("/api/v1/t/alpha/org-units/", {"q": "Unit BU"})
    body = response.json()
    assert response.status_code == 200 and "count" not in body  # keyset pages count nothing
    assert len(body["results"]) == 50 and body["next"]  # a page, never every unit
    assert all(row["parent_name"] for row in body["results"][1:])


def test_search_in_another_tenant_is_404_and_bad_input_400(org, tenant_a, tenant_b, api_client_for):
    api = _api(api_client_for, tenant_a)
    assert api.get("/api/v1/t/bravo/org-units/", {"q": "fin"}).status_code == 404
    bad = api.get("/api/v1/t/alpha/org-units/", {"q": "x" * 101})
    assert bad.status_code == 400 and "q" in bad.json()


def test_position_and_person_search_follow_the_access_rule(org, tenant_a, api_client_for):
    employee = _api(api_client_for, tenant_a, Role.EMPLOYEE)
    positions = employee.get("/api/v1/t/alpha/positions/", {"q": "acc"}).json()["results"]
    assert [(p["code"], p["org_unit_name"]) for p in positions] == [("ACC", "Finance")]
    people = employee.get("/api/v1/t/alpha/directory/", {"q": "ada"}).json()["results"]
    assert [(p["name"], p["org_unit_name"], p["position_title"]) for p in people] == [
        ("Ada Lovelace", "Finance", "Accountant")
    ]
    assert "email" not in people[0]  # the directory: names and places only
    assert employee.get("/api/v1/t/alpha/employees/", {"q": "ada"}).status_code == 403  # HR's records


# ------------------------------------------------------------------------------ pages list no unit any more


def _options_of(html: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no <select name={name}>"
    assert "data-picker" in select.group(0)
    return re.findall(r"<option", select.group(1))


@pytest.fixture
def big_tenant(tenant_a, tenant_b):
    with tenant_scope(tenant_a):
        units = bulk_units(300, prefix="BU")
        PeriodFactory()
    return units


@pytest.mark.parametrize(
    ("route", "field", "query"),
    [
        ("dashboard-ranking", "parent", "parent={pk}"),
        ("dashboard-unit", "unit", "unit={pk}"),
        ("employee-list", "unit", "unit={pk}"),
        ("position-list", "unit", "unit={pk}"),
        ("position-create", "org_unit", ""),
        ("employee-create", "org_unit", ""),
        ("org-unit-create", "parent", ""),
    ],
)
def test_pages_with_300_units_render_only_the_chosen_one(big_tenant, hr_a, login, route, field, query):
    chosen = big_tenant[7]
    client = login(hr_a)
    address = reverse(route, kwargs={"tenant_slug": "alpha"})
    response = client.get(f"{address}?{query.format(pk=chosen.pk)}")
    assert response.status_code == 200
    html = response.content.decode()
    assert len(_options_of(html, field)) <= 2
    if query:
        assert f'<option value="{chosen.pk}" selected>' in html


def test_whatif_rows_and_typed_references_list_no_unit(big_tenant, hr_a, login):
    from tests.factories.goals import KPIFactory

    with tenant_scope(big_tenant[0].tenant):
        kpi = KPIFactory(owner_unit=big_tenant[3])
        period = PeriodFactory()
    client = login(hr_a)
    address = reverse("whatif", kwargs={"tenant_slug": "alpha"})
    whatif = client.get(address, {"kpi": kpi.pk, "period": period.pk})
    assert whatif.status_code == 200
    assert len(_options_of(whatif.content.decode(), "rows-0-org_unit")) <= 1
    create = client.get(reverse("scorecard-create", kwargs={"tenant_slug": "alpha"})).content.decode()
    for field, source in (("org_unit", "org-units"), ("position", "positions")):
        assert f'list="id_{field}-picker"' in create
        datalist = re.search(rf'<datalist id="id_{field}-picker"[^>]*>(.*?)</datalist>', create, re.S)
        assert datalist and datalist.group(1) == "" and f"/t/alpha/{source}/" in datalist.group(0)
    assert "BU00007" not in create


def test_employee_numbers_are_typed_with_suggestions(tenant_a, tenant_b, hr_a, login):
    client = login(hr_a)
    form = client.get(reverse("employee-create", kwargs={"tenant_slug": "alpha"})).content.decode()
    field = re.search(r'<input[^>]*name="manager_no"[^>]*>(<datalist[^>]*></datalist>)', form)
    assert field, "the manager's number has its suggestions list"
    assert 'list="id_manager_no-picker"' in field.group(0)
    assert 'data-picker="employee"' in field.group(1) and "/t/alpha/employees/" in field.group(1)
