"""KPI library pages: roles, search and filters, paging, constant queries, forms, cross-tenant ids, export."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from collab.models import AuditEvent
from collab.tenancy import tenant_scope
from goals.models import KPI, Perspective
from tests.factories import make_member
from tests.factories.goals import GoalFactory, KPIFactory, OrgUnitFactory
from tests.paging import pager_link

pytestmark = pytest.mark.django_db


def url(name, tenant_slug="alpha", **kwargs):
    return reverse(name, kwargs={"tenant_slug": tenant_slug, **kwargs})


@pytest.fixture
def library(tenant_a, tenant_b):
    with tenant_scope(tenant_a):
        sales = OrgUnitFactory(code="SALES", name="Sales")
        finance = OrgUnitFactory(code="FIN", name="Finance")
        KPIFactory(code="REV", name="Revenue", owner_unit=finance, perspective=Perspective.FINANCIAL)
        KPIFactory(
            code="DSO",
            name="Days sales outstanding",
            owner_unit=finance,
            direction=KPI.Direction.LOWER_BETTER,
            is_collaborative=True,
            process_tag="order_to_cash",
        )
        KPIFactory(code="RET", name="Customer retention", owner_unit=sales, perspective=Perspective.CUSTOMER)
    with tenant_scope(tenant_b):
        KPIFactory(code="SECRET", name="Bravo only KPI")
    return {"sales": sales, "finance": finance}


@pytest.mark.parametrize("role", ["hr_admin", "manager", "employee", "committee", "auditor"])
def test_every_member_reads_the_library(login, tenant_a, library, role):
    client = login(make_member(tenant_a, role, username=f"u-{role}"))
    response = client.get(url("kpi-list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "REV" in content and "DSO" in content and "SECRET" not in content
    assert ('id="kpi-new"' in content) == (role == "hr_admin")


def test_collaborative_kpis_carry_a_badge(login, hr_a, library):
    content = login(hr_a).get(url("kpi-list")).content.decode()
    row = content.split('data-kpi="DSO"')[1].split("</tr>")[0]
    assert 'data-collaborative="1"' in row
    plain = content.split('data-kpi="REV"')[1].split("</tr>")[0]
    assert 'data-collaborative="1"' not in plain


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "retention"}, {"RET"}),
        ({"q": "dso"}, {"DSO"}),
        ({"perspective": "customer"}, {"RET"}),
        ({"direction": "lower_better"}, {"DSO"}),
        ({"collaborative": "yes"}, {"DSO"}),
        ({"collaborative": "no"}, {"REV", "RET"}),
        ({"process_tag": "order_to_cash"}, {"DSO"}),
        ({"active": "no"}, set()),
    ],
)
def test_filters(login, hr_a, library, query, expected):
    response = login(hr_a).get(url("kpi-list"), query)
    assert {kpi.code for kpi in response.context["page"].object_list} == expected


def test_owner_unit_filter_and_foreign_unit_is_a_form_error(login, hr_a, library, tenant_b):
    client = login(hr_a)
    response = client.get(url("kpi-list"), {"owner_unit": library["sales"].pk})
    assert {kpi.code for kpi in response.context["page"].object_list} == {"RET"}
    with tenant_scope(tenant_b):
        foreign = OrgUnitFactory()
    for bad in (foreign.pk, "abc", "9" * 30, "1\x00"):
        response = client.get(url("kpi-list"), {"owner_unit": bad})
        assert response.status_code == 200
        assert "owner_unit" in response.context["filter_form"].errors
        assert list(response.context["page"].object_list) == []


def test_bad_filter_values_never_fail(login, hr_a, library):
    client = login(hr_a)
    queries = ({"perspective": "money"}, {"q": "x" * 500}, {"q": "a\x00b"}, {"page": "zz"}, {"page": "99999"})
    for query in queries:
        assert client.get(url("kpi-list"), query).status_code == 200


def test_empty_states(login, tenant_a):
    hr = make_member(tenant_a, "hr_admin", username="empty-hr")
    content = login(hr).get(url("kpi-list")).content.decode()
    assert 'id="kpi-empty"' in content and "Create the first KPI" in content


def test_htmx_request_gets_only_the_results(login, hr_a, library):
    response = login(hr_a).get(url("kpi-list"), {"q": "rev"}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="kpi-results">')
    assert "<html" not in content
    # The export button follows the filters (out-of-band swap).
    assert 'id="kpi-export" hx-swap-oob="true"' in content and "export/?q=rev" in content


def test_paging_25_per_page_and_constant_queries(login, hr_a, tenant_a, django_assert_max_num_queries):
    client = login(hr_a)
    with tenant_scope(tenant_a):
        unit = OrgUnitFactory()
        KPIFactory.create_batch(3, owner_unit=unit, is_collaborative=True)
    client.get(url("kpi-list"))  # warm the session and caches
    with django_assert_max_num_queries(12) as few:
        client.get(url("kpi-list"))
    with tenant_scope(tenant_a):
        KPIFactory.create_batch(60, owner_unit=unit)
        for _ in range(5):
            OrgUnitFactory()
    most = len(few.captured_queries)
    with django_assert_max_num_queries(most):
        response = client.get(url("kpi-list"))
    assert len(response.context["page"].object_list) == 25
    second = client.get(url("kpi-list"), pager_link(response))
    assert len(second.context["page"].object_list) == 25
    with django_assert_max_num_queries(most):
        last = client.get(url("kpi-list"), pager_link(second))
    assert len(last.context["page"].object_list) == 13 and pager_link(last) is None
    assert last.context["page"].start_index() == 51


@pytest.mark.parametrize("role", ["manager", "employee", "committee", "auditor"])
def test_only_hr_writes(login, tenant_a, library, role):
    client = login(make_member(tenant_a, role, username=f"w-{role}"))
    with tenant_scope(tenant_a):
        kpi = KPI.objects.get(code="REV")
    assert client.get(url("kpi-create")).status_code == 403
    assert client.post(url("kpi-create"), {"code": "X"}).status_code == 403
    assert client.post(url("kpi-edit", pk=kpi.pk), {"name": "hacked"}).status_code == 403
    assert client.post(url("kpi-delete", pk=kpi.pk)).status_code == 403
    assert client.get(url("kpi-import")).status_code == 403
    with tenant_scope(tenant_a):
        assert KPI.objects.get(pk=kpi.pk).name == "Revenue"


def _form(unit, **extra):
    data = {
        "code": "NPS",
        "name": "Net promoter score",
        "unit": "pts",
        "direction": "higher_better",
        "perspective": "customer",
        "owner_unit": unit.pk,
        "cap": "1.2",
        "frequency": "quarterly",
        "aggregation": "average",
        "data_source": "CRM survey",
        "process_tag": "",
        "objective": "",
        "is_active": "on",
    }
    data.update(extra)
    return data


def test_create_kpi(login, hr_a, tenant_a, library):
    response = login(hr_a).post(url("kpi-create"), _form(library["sales"], is_collaborative="on"))
    assert response.status_code == 302
    with tenant_scope(tenant_a):
        kpi = KPI.objects.get(code="NPS")
        assert kpi.is_collaborative and kpi.aggregation == "average" and kpi.cap == Decimal("1.2")
        assert AuditEvent.objects.filter(action="kpi.create", object_id=str(kpi.pk)).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": ""}, "code"),
        ({"code": "REV"}, "code"),
        ({"cap": "0"}, "cap"),
        ({"cap": "abc"}, "cap"),
        ({"cap": "99999999"}, "cap"),
        ({"direction": "sideways"}, "direction"),
        ({"owner_unit": "abc"}, "owner_unit"),
        ({"owner_unit": "9" * 25}, "owner_unit"),
        ({"name": "bad\x00name"}, "name"),
    ],
)
def test_create_validation_errors_are_field_errors(login, hr_a, tenant_a, library, change, field):
    response = login(hr_a).post(url("kpi-create"), _form(library["sales"], **change))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    with tenant_scope(tenant_a):
        assert not KPI.objects.filter(code="NPS").exists()


def test_create_with_other_tenants_unit_is_refused(login, hr_a, tenant_a, tenant_b, library):
    with tenant_scope(tenant_b):
        foreign = OrgUnitFactory()
    response = login(hr_a).post(url("kpi-create"), _form(foreign))
    assert "owner_unit" in response.context["form"].errors
    with tenant_scope(tenant_a):
        assert not KPI.objects.filter(code="NPS").exists()


def test_edit_kpi_and_stale_save(login, hr_a, tenant_a, library):
    client = login(hr_a)
    with tenant_scope(tenant_a):
        kpi = KPI.objects.get(code="RET")
    page = client.get(url("kpi-edit", pk=kpi.pk))
    assert page.status_code == 200 and page.context["form"]["lock_version"].value() == 1
    data = _form(library["sales"], code="RET", name="Retention rate", lock_version="1")
    assert client.post(url("kpi-edit", pk=kpi.pk), data).status_code == 302
    stale = client.post(url("kpi-edit", pk=kpi.pk), {**data, "name": "Overwrite"})
    assert stale.status_code == 409
    assert "hr_a changed this KPI" in stale.content.decode()  # who saved last (and when)
    missing = client.post(url("kpi-edit", pk=kpi.pk), {**data, "name": "Overwrite", "lock_version": ""})
    assert missing.status_code == 409 and "changed this KPI" in missing.content.decode()
    with tenant_scope(tenant_a):
        assert KPI.objects.get(pk=kpi.pk).name == "Retention rate"


def test_other_tenants_kpi_is_404(login, hr_a, tenant_a, tenant_b, library):
    with tenant_scope(tenant_b):
        foreign = KPI.objects.get(code="SECRET")
    client = login(hr_a)
    for name in ("kpi-edit", "kpi-delete"):
        assert client.get(url(name, pk=foreign.pk)).status_code == 404
        assert client.post(url(name, pk=foreign.pk), {"name": "x"}).status_code == 404
    assert client.get(url("kpi-edit", pk=999999)).status_code == 404
    assert client.get(f"/t/alpha/goals/kpis/{'9' * 19}/edit/").status_code == 404
    assert client.get(url("kpi-list", tenant_slug="bravo")).status_code == 404
    with tenant_scope(tenant_b):
        assert KPI.objects.get(pk=foreign.pk).name == "Bravo only KPI"


def test_delete_unused_and_refuse_used(login, hr_a, tenant_a, library):
    client = login(hr_a)
    with tenant_scope(tenant_a):
        unused = KPI.objects.get(code="REV")
        used = GoalFactory(kpi=KPI.objects.get(code="RET")).kpi
    assert client.post(url("kpi-delete", pk=unused.pk), {"lock_version": 1}).status_code == 302
    refused = client.post(url("kpi-delete", pk=used.pk), {"lock_version": 1})
    assert refused.status_code == 200 and "Deactivate it instead" in refused.content.decode()
    with tenant_scope(tenant_a):
        assert set(KPI.objects.values_list("code", flat=True)) == {"DSO", "RET"}


def test_export_follows_filters_and_has_only_this_tenant(login, tenant_a, library):
    employee = make_member(tenant_a, "employee", username="reader")
    response = login(employee).get(url("kpi-export"), {"collaborative": "yes"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Code", "Name", "Perspective", "Owner unit")
    assert [row[0] for row in rows[1:]] == ["DSO"]
    assert rows[1][3] == "FIN" and rows[1][6] == "yes" and rows[1][11] == "Order to cash"


def test_the_form_shows_the_automatic_aggregation_and_a_percentage_kpi_is_averaged(
    login, hr_a, tenant_a, library
):
    """Issue 8, item 13: the form defaulted every KPI to "sum", a percentage too."""
    client = login(hr_a)
    page = client.get(url("kpi-create")).content.decode()
    assert '<option value="" selected>Automatic (from the unit of measure)</option>' in page
    assert "data-aggregation-auto" in page and "js/kpi_form.js" in page
    assert "Percentages, rates, ratios and scores take the average" in page
    data = {**_form(library["sales"]), "code": "RETN", "name": "Retention", "unit": "%", "aggregation": ""}
    response = client.post(url("kpi-create"), data)
    assert response.status_code == 302, response.context["form"].errors
    money = {**_form(library["sales"]), "code": "REV9", "name": "Revenue", "unit": "CNY", "aggregation": ""}
    assert client.post(url("kpi-create"), money).status_code == 302
    with tenant_scope(tenant_a):
        assert KPI.objects.get(code="RETN").aggregation == "average"
        assert KPI.objects.get(code="REV9").aggregation == "sum"
        kpi = KPI.objects.get(code="RETN")
    # editing shows the stored rule, with no "automatic" choice
    edit = client.get(url("kpi-edit", pk=kpi.pk)).content.decode()
    assert "Automatic (from the unit of measure)" not in edit
    assert '<option value="average" selected>' in edit
