"""Measurement pages: the grid (htmx row saves, per-cell errors, closed periods), import, export."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from collab.models import AuditEvent, Period
from collab.tenancy import tenant_scope
from goals.models import Measurement
from tests.factories import make_member
from tests.factories.goals import KPIFactory, MeasurementFactory, PeriodFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world(tenant_a, tenant_b):
    with tenant_scope(tenant_a):
        period = PeriodFactory(kind=Period.Kind.MONTH, year=2025, month=4)
        closed = PeriodFactory(kind=Period.Kind.MONTH, year=2024, month=1, status=Period.Status.CLOSED)
        sales = KPIFactory(code="SALES", name="Sales revenue", is_collaborative=True)
        cost = KPIFactory(
            code="COST", name="Unit cost", direction="lower_better", perspective="internal_process"
        )
        m = MeasurementFactory(kpi=sales, period=period, target=Decimal(90), actual=Decimal(81))
        closed_m = MeasurementFactory(kpi=sales, period=closed, target=Decimal(1), actual=Decimal(1))
    with tenant_scope(tenant_b):
        b_period = PeriodFactory(kind=Period.Kind.MONTH, year=2025, month=4)
        b_kpi = KPIFactory(code="BRAVO")
        b_m = MeasurementFactory(kpi=b_kpi, period=b_period)
    return {
        "period": period,
        "closed": closed,
        "sales": sales,
        "cost": cost,
        "m": m,
        "closed_m": closed_m,
        "b_period": b_period,
        "b_kpi": b_kpi,
        "b_m": b_m,
    }


def page(name, *args, slug="alpha"):
    return reverse(name, args=[slug, *args])


def b_state(tenant_b):
    with tenant_scope(tenant_b):
        return list(Measurement.objects.values_list("id", "target", "actual", "note", "lock_version"))


class TestGrid:
    def test_hr_sees_editable_rows_with_score_bands(self, world, login, hr_a):
        response = login(hr_a).get(page("measurement-grid", world["period"].pk))
        assert response.status_code == 200
        html = response.content.decode()
        assert f'id="m-row-{world["sales"].pk}"' in html and 'data-band="amber"' in html
        assert 'name="target"' in html and "measurement-import-link" in html
        assert 'data-band="none"' in html  # COST has no measurement: no data, not 0
        assert "Collaborative" in html

    @pytest.mark.parametrize("role", ["employee", "auditor", "manager", "committee"])
    def test_other_roles_read_only(self, world, tenant_a, login, role):
        user = make_member(tenant_a, role, username=f"g-{role}")
        response = login(user).get(page("measurement-grid", world["period"].pk))
        assert response.status_code == 200
        assert 'name="target"' not in response.content.decode()
        row_url = page("measurement-row", world["period"].pk, world["sales"].pk)
        post = login(user).post(row_url, {"target": "1"})
        assert post.status_code == 403
        assert login(user).get(page("measurement-import", world["period"].pk)).status_code == 403

    def test_closed_period_is_read_only(self, world, login, hr_a):
        client = login(hr_a)
        html = client.get(page("measurement-grid", world["closed"].pk)).content.decode()
        assert 'id="period-closed"' in html and 'name="target"' not in html
        row_url = page("measurement-row", world["closed"].pk, world["sales"].pk)
        response = client.post(row_url, {"target": "5", "actual": "5"}, **HTMX)
        assert response.status_code == 200 and "closed" in response.content.decode()
        world["closed_m"].refresh_from_db()
        assert world["closed_m"].actual == Decimal(1)

    def test_filters_and_htmx_partial(self, world, login, hr_a):
        client = login(hr_a)
        grid = page("measurement-grid", world["period"].pk)
        html = client.get(grid, {"q": "cost"}).content.decode()
        assert "COST" in html and "SALES" not in html
        html = client.get(grid, {"perspective": "internal_process"}).content
        assert b"COST" in html and b"SALES" not in html
        html = client.get(grid, {"missing": "on"}).content.decode()
        assert "COST" in html and f'm-row-{world["sales"].pk}' not in html
        partial = client.get(grid, {"q": "sales"}, HTTP_HX_TARGET="measurement-results", **HTMX)
        partial = partial.content.decode()
        assert partial.lstrip().startswith('<div id="measurement-results">') and "<html" not in partial
        html = client.get(grid, {"q": "zzz", "perspective": "bogus"}).content
        assert b"measurement-empty" in html

    def test_queries_do_not_grow_with_rows(self, world, login, hr_a, tenant_a, django_assert_max_num_queries):
        client = login(hr_a)
        client.get(page("measurement-grid", world["period"].pk))
        with django_assert_max_num_queries(14) as few:
            client.get(page("measurement-grid", world["period"].pk))
        with tenant_scope(tenant_a):
            for _ in range(30):
                MeasurementFactory(period=world["period"])
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get(page("measurement-grid", world["period"].pk))
        assert "KPIs 1–25" in response.content.decode() and 'rel="next"' in response.content.decode()

    def test_index_redirects_to_the_active_period(self, world, login, hr_a):
        response = login(hr_a).get(page("measurement-index"))
        assert response.status_code == 302 and response.url == page("measurement-grid", world["period"].pk)

    def test_index_prefers_the_active_month(self, world, login, hr_a, tenant_a):
        with tenant_scope(tenant_a):
            PeriodFactory(kind=Period.Kind.QUARTER, year=2025, quarter=2)
            PeriodFactory(kind=Period.Kind.MONTH, year=2026, month=1, status=Period.Status.PLANNING)
        response = login(hr_a).get(page("measurement-index"))
        assert response.url == page("measurement-grid", world["period"].pk)

    def test_index_without_periods(self, tenant_a, login, hr_a):
        response = login(hr_a).get(page("measurement-index"))
        assert response.status_code == 200 and b"measurement-no-period" in response.content

    def test_empty_library(self, tenant_a, login, hr_a):
        with tenant_scope(tenant_a):
            period = PeriodFactory(kind=Period.Kind.YEAR, year=2030)
        html = login(hr_a).get(page("measurement-grid", period.pk)).content.decode()
        assert "The KPI library is empty" in html


class TestRowSave:
    def test_htmx_save_returns_the_row(self, world, login, hr_a):
        client = login(hr_a)
        url = page("measurement-row", world["period"].pk, world["sales"].pk)
        data = {"target": "100", "actual": "1,000", "note": "ok", "lock_version": "1"}
        response = client.post(url, data, **HTMX)
        assert response.status_code == 200
        html = response.content.decode()
        assert html.lstrip().startswith("<tr") and 'data-band="green"' in html and "Saved" in html
        world["m"].refresh_from_db()
        assert (world["m"].actual, world["m"].lock_version, world["m"].note) == (Decimal(1000), 2, "ok")
        with tenant_scope(world["period"].tenant):
            assert AuditEvent.objects.filter(action="measurement.update", actor=hr_a).exists()

    def test_field_errors_per_cell_and_nothing_written(self, world, login, hr_a):
        client = login(hr_a)
        url = page("measurement-row", world["period"].pk, world["cost"].pk)
        response = client.post(url, {"target": "", "actual": "abc\x00"}, **HTMX)
        html = response.content.decode()
        assert response.status_code == 200 and html.count("invalid-feedback") >= 1
        response = client.post(url, {"target": "9" * 30, "actual": "abc"}, **HTMX)
        html = response.content.decode()
        assert "at most 16 digits" in html and "Enter a number" in html
        with tenant_scope(world["period"].tenant):
            assert not Measurement.objects.filter(kpi=world["cost"]).exists()

    def test_stale_save_is_refused(self, world, login, hr_a):
        client = login(hr_a)
        url = page("measurement-row", world["period"].pk, world["sales"].pk)
        client.post(url, {"target": "90", "actual": "82", "lock_version": "1"}, **HTMX)
        response = client.post(url, {"target": "90", "actual": "83", "lock_version": "1"}, **HTMX)
        assert "hr_a changed this measurement" in response.content.decode()  # who saved last (and when)
        missing = client.post(url, {"target": "90", "actual": "84"}, **HTMX)
        assert "changed this measurement" in missing.content.decode()
        world["m"].refresh_from_db()
        assert world["m"].actual == Decimal(82) and world["m"].lock_version == 2
        client.post(url, {"target": "90", "actual": "82", "lock_version": "2"}, **HTMX)
        world["m"].refresh_from_db()
        assert world["m"].lock_version == 2  # the same values again: no new version

    def test_without_htmx_edit_page_and_redirect(self, world, login, hr_a):
        client = login(hr_a)
        url = page("measurement-row", world["period"].pk, world["cost"].pk)
        assert b'id="measurement-form"' in client.get(url).content
        response = client.post(url, {"target": "10", "actual": "8"})
        assert response.status_code == 302 and response.url == page("measurement-grid", world["period"].pk)
        response = client.post(url, {"target": "x", "lock_version": "1"})
        assert response.status_code == 200 and b"Enter a number" in response.content

    def test_htmx_get_returns_the_row(self, world, login, hr_a):
        response = login(hr_a).get(page("measurement-row", world["period"].pk, world["sales"].pk), **HTMX)
        assert response.content.decode().lstrip().startswith("<tr")


class TestCrossTenant:
    def test_other_tenants_ids_are_404_and_nothing_changes(self, world, login, hr_a, tenant_b):
        client = login(hr_a)
        before = b_state(tenant_b)
        b_period, b_kpi = world["b_period"].pk, world["b_kpi"].pk
        assert client.get(page("measurement-grid", b_period)).status_code == 404
        assert client.get(page("measurement-export", b_period)).status_code == 404
        assert client.get(page("measurement-import", b_period)).status_code == 404
        assert client.post(page("measurement-import", b_period), {"confirm": "1"}).status_code == 404
        for args in ((b_period, b_kpi), (world["period"].pk, b_kpi), (b_period, world["sales"].pk)):
            assert client.get(page("measurement-row", *args)).status_code == 404
            assert client.post(page("measurement-row", *args), {"target": "1"}, **HTMX).status_code == 404
        assert client.get(f"/t/alpha/goals/measurements/{'9' * 19}/").status_code == 404
        assert b_state(tenant_b) == before

    def test_other_tenants_slug(self, world, login, hr_b):
        assert login(hr_b).get(page("measurement-grid", world["period"].pk)).status_code == 404


def upload(text, name="m.csv"):
    file = io.BytesIO(text.encode("utf-8"))
    file.name = name
    return file


class TestImportPage:
    def test_dry_run_then_commit(self, world, login, hr_a):
        client = login(hr_a)
        url = page("measurement-import", world["period"].pk)
        assert client.get(url).status_code == 200
        response = client.post(url, {"file": upload("Code,Target,Actual\nCOST,10,8\nSALES,,85\n")})
        html = response.content.decode()
        assert "import-dry-run-ok" in html
        # the page's own preview (its partial inside the shared import result) and the way back
        assert 'id="import-preview"' in html and "<code>COST</code>" in html and f'href="{url}"' in html
        with tenant_scope(world["period"].tenant):
            assert not Measurement.objects.filter(kpi=world["cost"]).exists()
        response = client.post(url, {"confirm": "1"})
        assert response.status_code == 302
        with tenant_scope(world["period"].tenant):
            assert Measurement.objects.get(kpi=world["cost"], period=world["period"]).actual == Decimal(8)
            assert Measurement.objects.get(kpi=world["sales"], period=world["period"]).actual == Decimal(85)

    def test_errors_are_listed_and_confirm_is_not_offered(self, world, login, hr_a):
        client = login(hr_a)
        url = page("measurement-import", world["period"].pk)
        response = client.post(url, {"file": upload("Code,Target\nNOPE,1\nCOST,abc\n")})
        assert response.status_code == 400
        html = response.content.decode()
        assert "import-error-table" in html and "NOPE" in html and "import-confirm" not in html
        assert client.post(url, {"confirm": "1"}).status_code == 400  # nothing kept to confirm
        with tenant_scope(world["period"].tenant):
            assert Measurement.objects.count() == 2

    def test_garbage_file(self, world, login, hr_a):
        response = login(hr_a).post(
            page("measurement-import", world["period"].pk), {"file": upload("\x00\x01binary", "x.csv")}
        )
        assert response.status_code == 400
        assert b"import-file-error" in response.content

    def test_closed_period(self, world, login, hr_a):
        client = login(hr_a)
        url = page("measurement-import", world["closed"].pk)
        closed_page = client.get(url).content
        assert b'id="period-closed"' in closed_page and b'id="import-form"' not in closed_page
        response = client.post(url, {"file": upload("Code,Target\nCOST,1\n")})
        assert b"closed" in response.content
        with tenant_scope(world["period"].tenant):
            assert not Measurement.objects.filter(kpi=world["cost"]).exists()


class TestExport:
    def test_xlsx_is_a_valid_import_file(self, world, login, hr_a):
        client = login(hr_a)
        response = client.get(page("measurement-export", world["period"].pk))
        assert response.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.values)
        assert rows[0][:2] == ("KPI code", "KPI name")
        assert ("SALES", "Sales revenue") == rows[2][:2] or ("SALES", "Sales revenue") == rows[1][:2]
        import_url = page("measurement-import", world["period"].pk)
        response = client.post(import_url, {"file": upload_bytes(response.content)})
        assert b"import-dry-run-ok" in response.content

    def test_csv_guards_against_formulas(self, world, login, hr_a, tenant_a):
        with tenant_scope(tenant_a):
            MeasurementFactory(kpi=world["cost"], period=world["period"], note="=HYPERLINK(1)")
        response = login(hr_a).get(page("measurement-export", world["period"].pk), {"format": "csv"})
        text = response.content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0][0] == "KPI code"
        cost = next(r for r in rows if r[0] == "COST")
        assert cost[-1] == "'=HYPERLINK(1)" and cost[4] == "90"

    def test_every_role_may_export(self, world, tenant_a, login):
        user = make_member(tenant_a, "employee", username="exp-emp")
        assert login(user).get(page("measurement-export", world["period"].pk)).status_code == 200


def upload_bytes(content, name="m.xlsx"):
    file = io.BytesIO(content)
    file.name = name
    return file
