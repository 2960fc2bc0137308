"""KPI Excel/CSV import: dry run writes nothing, row errors, all-or-nothing commit, round trip with export."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from collab.imports.export import export_xlsx
from collab.models import AuditEvent
from collab.tenancy import tenant_scope
from goals.models import KPI
from goals.services.kpis import KpiImport, kpis_import
from tests.factories.goals import KPIFactory, ObjectiveFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db

HEADERS = ["Code", "Name", "Perspective", "Owner unit", "Direction", "Collaborative", "Cap", "Process"]


def xlsx(rows, headers=HEADERS, name="kpis.xlsx"):
    return SimpleUploadedFile(name, export_xlsx(headers, rows))


def csv_file(text, name="kpis.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"))


@pytest.fixture
def units(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        OrgUnitFactory(code="BRAVO-UNIT")
    with tenant_scope(tenant_a):
        return {"fin": OrgUnitFactory(code="FIN"), "sales": OrgUnitFactory(code="SALES")}


def import_url():
    return reverse("kpi-import", kwargs={"tenant_slug": "alpha"})


def kpi_codes(tenant):
    with tenant_scope(tenant):
        return set(KPI.objects.values_list("code", flat=True))


def test_dry_run_then_confirm_creates_and_updates(login, hr_a, tenant_a, units):
    with tenant_scope(tenant_a):
        KPIFactory(code="REV", name="Old name", owner_unit=units["fin"])
    client = login(hr_a)
    upload = xlsx(
        [
            ["REV", "Revenue", "financial", "FIN", "higher_better", "no", 1.5, ""],
            ["DSO", "Days sales outstanding", "财务", "fin", "Lower is better", "是", "", "order_to_cash"],
        ]
    )
    response = client.post(import_url(), {"file": upload})
    assert response.status_code == 200
    result = response.context["result"]
    assert result.ok and result.total == 2
    html = response.content.decode()
    assert 'id="import-dry-run-ok"' in html
    # the page's own preview (its partial inside the shared import result) and the way back to a fresh upload
    assert "<code>DSO</code>" in html and "Days sales outstanding" in html
    assert f'href="{import_url()}"' in html and 'id="import-form"' in html
    assert kpi_codes(tenant_a) == {"REV"}  # the dry run wrote nothing
    confirmed = client.post(import_url(), {"confirm": "1"})
    assert confirmed.status_code == 302
    with tenant_scope(tenant_a):
        revenue = KPI.objects.get(code="REV")
        dso = KPI.objects.get(code="DSO")
        assert revenue.name == "Revenue" and revenue.cap == Decimal("1.5") and revenue.lock_version == 2
        assert dso.direction == "lower_better" and dso.is_collaborative and dso.process_tag == "order_to_cash"
        assert dso.perspective == "financial" and dso.owner_unit == units["fin"]
        assert AuditEvent.objects.filter(action="kpi.import").count() == 1
    # The session copy is gone: confirming twice does nothing more.
    again = client.post(import_url(), {"confirm": "1"})
    assert again.status_code == 400 and again.context["file_error"]


def test_row_errors_are_listed_and_nothing_is_written(login, hr_a, tenant_a, units):
    upload = xlsx(
        [
            ["A1", "Good", "financial", "FIN", "", "", "", ""],
            ["A2", "Bad perspective", "money", "FIN", "", "", "", ""],
            ["A3", "Unknown unit", "customer", "NOPE", "", "", "", ""],
            ["A4", "Other tenant's unit", "customer", "BRAVO-UNIT", "", "", "", ""],
            ["A5", "Bad cap", "customer", "FIN", "", "", "abc", ""],
            ["A6", "Zero cap", "customer", "FIN", "", "", "0", ""],
            ["A7", "Bad flag", "customer", "FIN", "", "maybe", "", ""],
            ["A1", "Duplicate code", "customer", "FIN", "", "", "", ""],
            ["", "No code", "customer", "FIN", "", "", "", ""],
            ["A9", "Bad process", "customer", "FIN", "", "", "", "cash_to_cash"],
        ]
    )
    response = login(hr_a).post(import_url(), {"file": upload})
    assert response.status_code == 400  # a rejected upload, like every importer's
    errors = {(error.row, error.column) for error in response.context["result"].errors}
    assert {
        (3, "Perspective"),
        (4, "Owner unit"),
        (5, "Owner unit"),
        (6, "Cap"),
        (7, "Cap"),
        (8, "Collaborative"),
        (9, "Code"),
        (10, "Code"),
        (11, "Process"),
    } <= errors
    assert not any(row == 2 for row, _ in errors)
    assert 'id="import-errors"' in response.content.decode()
    assert kpi_codes(tenant_a) == set()
    assert login(hr_a).post(import_url(), {"confirm": "1"}).context["file_error"]
    assert kpi_codes(tenant_a) == set()


def test_commit_is_all_or_nothing_when_a_write_fails(hr_a, tenant_a, units, monkeypatch):
    """A row that passes the checks but fails when written undoes every earlier row."""
    importer = KpiImport()
    rows = [["B1", "One", "financial", "FIN"], ["B2", "Two", "financial", "FIN"]]
    table = importer.read(xlsx(rows, HEADERS[:4]))
    from goals.services import kpis as services

    real_create = services.kpi_create

    def failing_create(*, actor, data):
        if data["code"] == "B2":
            from django.core.exceptions import ValidationError

            raise ValidationError({"name": "boom"})
        return real_create(actor=actor, data=data)

    monkeypatch.setattr(services, "kpi_create", failing_create)
    with tenant_scope(tenant_a):
        result = kpis_import(actor=hr_a, table=table, dry_run=False)
        assert not result.committed and result.errors[0].row == 3
        assert not KPI.objects.exists()
        assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("x.xlsx", b"PK\x03\x04garbage"), "could not be read"),
        (SimpleUploadedFile("x.xls", b"\xd0\xcf\x11\xe0old"), ".xls"),
        (SimpleUploadedFile("x.pdf", b"%PDF-1.4"), "Upload an Excel"),
        (SimpleUploadedFile("x.csv", b" \n \n"), "empty"),
        (SimpleUploadedFile("x.csv", b"Code,Name\nA,B\n"), "Missing required columns"),
        (SimpleUploadedFile("x.csv", b"Code,Name,Perspective,Owner unit\n"), "no data rows"),
        (SimpleUploadedFile("x.csv", b"\xff\xfe\x00b\x00i\x00n"), "binary"),
    ],
)
def test_unreadable_files_give_a_clear_message(login, hr_a, tenant_a, units, upload, message):
    response = login(hr_a).post(import_url(), {"file": upload})
    assert response.status_code == 400
    assert message in response.context["file_error"]
    assert kpi_codes(tenant_a) == set()


def test_csv_with_chinese_headers(login, hr_a, tenant_a, units):
    text = "编码,名称,维度,责任单位,协同指标\nC1,客户留存率,customer,SALES,是\n"
    client = login(hr_a)
    assert client.post(import_url(), {"file": csv_file(text)}).context["result"].ok
    client.post(import_url(), {"confirm": "1"})
    with tenant_scope(tenant_a):
        kpi = KPI.objects.get(code="C1")
        assert kpi.name == "客户留存率" and kpi.is_collaborative and kpi.owner_unit == units["sales"]


def test_missing_or_empty_upload_is_a_form_error(login, hr_a, units):
    client = login(hr_a)
    assert "file" in client.post(import_url(), {}).context["form"].errors
    empty = client.post(import_url(), {"file": SimpleUploadedFile("x.csv", b"")})
    assert "file" in empty.context["form"].errors


def test_objective_column_by_name_or_id(hr_a, tenant_a, units):
    with tenant_scope(tenant_a):
        unique = ObjectiveFactory(name="Grow margin")
        ObjectiveFactory(name="Twice")
        twice = ObjectiveFactory(name="Twice")
        headers = [*HEADERS[:4], "Objective"]
        table = KpiImport().read(
            xlsx(
                [
                    ["O1", "a", "financial", "FIN", "grow margin"],
                    ["O2", "b", "financial", "FIN", "Twice"],
                    ["O3", "c", "financial", "FIN", str(twice.pk)],
                    ["O4", "d", "financial", "FIN", "Nothing"],
                ],
                headers,
            )
        )
        result = kpis_import(actor=hr_a, table=table, dry_run=True)
        assert {(e.row, e.column) for e in result.errors} == {(3, "Objective"), (5, "Objective")}
        rows = {row.data["code"]: row.data for row in result.rows}
        assert rows["O1"]["objective"] == unique and rows["O3"]["objective"] == twice


def test_export_then_import_round_trip(login, hr_a, tenant_a, units):
    with tenant_scope(tenant_a):
        objective = ObjectiveFactory(name="Cash")
        KPIFactory(
            code="CCC",
            name="Cash conversion",
            owner_unit=units["fin"],
            is_collaborative=True,
            cap=Decimal("1.35"),
            process_tag="order_to_cash",
            objective=objective,
            aggregation="last",
        )
    client = login(hr_a)
    exported = client.get(reverse("kpi-export", kwargs={"tenant_slug": "alpha"}))
    upload = SimpleUploadedFile("export.xlsx", exported.content)
    assert client.post(import_url(), {"file": upload}).context["result"].ok
    client.post(import_url(), {"confirm": "1"})
    with tenant_scope(tenant_a):
        kpi = KPI.objects.get(code="CCC")
        assert (kpi.cap, kpi.process_tag, kpi.objective, kpi.aggregation) == (
            Decimal("1.35"),
            "order_to_cash",
            objective,
            "last",
        )
        assert kpi.is_collaborative and kpi.lock_version == 1  # the same values again: no change, no version


def test_workbook_values_are_typed_cells(units, tenant_a, hr_a):
    """Numbers typed in Excel (floats) and booleans read as expected."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Code", "Name", "Perspective", "Owner unit", "Cap", "Collaborative"])
    sheet.append([123, "Numeric code", "customer", "FIN", 1.25, True])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with tenant_scope(tenant_a):
        table = KpiImport().read(SimpleUploadedFile("typed.xlsx", buffer.getvalue()))
        result = kpis_import(actor=hr_a, table=table, dry_run=False)
        assert result.committed
        kpi = KPI.objects.get(code="123")
        assert kpi.cap == Decimal("1.25") and kpi.is_collaborative


@pytest.mark.parametrize(
    ("export_language", "import_language", "headers", "words"),
    [
        ("zh-hans", "zh-hans", ["编码", "名称", "维度"], ["内部流程", "越低越好", "是", "订单到回款"]),
        ("zh-hans", "en", ["编码", "名称", "维度"], ["内部流程", "越低越好", "是", "订单到回款"]),
        ("en", "zh-hans", ["Code", "Name", "Perspective"], ["Internal process", "Lower is better", "yes"]),
    ],
)
def test_the_export_speaks_the_readers_language_and_imports_back_in_either(
    login, hr_a, tenant_a, units, export_language, import_language, headers, words
):
    """Issue 8 item 12: a Chinese reader's export had English headers and codes (internal_process,
    lower_better); now the reader's words, and the import reads what either language's export wrote."""
    from collab.services.accounts.preferences import user_language_set

    with tenant_scope(tenant_a):
        KPIFactory(
            code="UPT",
            name="Uptime",
            perspective="internal_process",
            direction="lower_better",
            owner_unit=units["fin"],
            is_collaborative=True,
            process_tag="order_to_cash",
            aggregation="average",
            frequency="quarterly",
        )
    client = login(hr_a)
    user_language_set(user=hr_a, language=export_language)
    exported = client.get(reverse("kpi-export", kwargs={"tenant_slug": "alpha"}))
    sheet = openpyxl.load_workbook(io.BytesIO(exported.content)).active
    rows = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == headers
    written = [str(cell) for cell in rows[1] if cell is not None]
    for word in words:
        assert word in written, (word, written)
    assert not {"internal_process", "lower_better", "order_to_cash", "quarterly"} & set(written)
    user_language_set(user=hr_a, language=import_language)
    upload = SimpleUploadedFile("export.xlsx", exported.content)
    assert client.post(import_url(), {"file": upload}).context["result"].ok
    client.post(import_url(), {"confirm": "1"})
    with tenant_scope(tenant_a):
        kpi = KPI.objects.get(code="UPT")
        assert (kpi.perspective, kpi.direction, kpi.process_tag, kpi.aggregation, kpi.frequency) == (
            "internal_process",
            "lower_better",
            "order_to_cash",
            "average",
            "quarterly",
        )
        assert kpi.is_collaborative and kpi.lock_version == 1  # read back unchanged: no new version
