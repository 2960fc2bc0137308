"""The import of process KPI points (CSV or Excel): headers in either language, a dry run that writes
nothing, all or nothing with the file's row numbers in the errors, the page's two steps."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from alerts.models import ProcessKpiPoint, ProcessStage
from alerts.services.kpi_import import KpiPointImport, kpi_points_import
from tests.factories.alerts import make_kpi, make_process
from tests.factories.org import OrgUnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kpi(scope_a):
    return make_kpi(ProcessStage.objects.filter(process=make_process(OrgUnitFactory(name="Sales"))).first())


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("points.csv", text.encode("utf-8"), content_type="text/csv")


def test_english_headers_import_all_rows(kpi, hr_a):
    table = KpiPointImport().read(_csv("KPI code,Period start,Value\napproval-h,2026-01-01,12.5\n"
                                       "APPROVAL-H,2026/2/1,\"1,013.25\"\n"))  # fmt: skip
    dry = kpi_points_import(actor=hr_a, table=table, dry_run=True)
    assert dry.ok and dry.total == 2 and not ProcessKpiPoint.objects.exists()
    done = kpi_points_import(actor=hr_a, table=table, dry_run=False)
    assert done.committed and done.written == 2
    values = sorted((str(p.at), str(p.value), p.source) for p in ProcessKpiPoint.objects.all())
    assert values == [("2026-01-01", "12.500000", "import"), ("2026-02-01", "1013.250000", "import")]


def test_chinese_headers_from_excel_and_errors_name_the_rows(kpi, hr_a):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["指标编码", "期间开始", "数值"])
    sheet.append(["APPROVAL-H", "2026-01-01", 3])
    sheet.append(["NOPE", "2026-01-01", 3])
    sheet.append(["APPROVAL-H", "2026-01-15", "x"])
    sheet.append(["APPROVAL-H", "2026-01-01", 4])
    data = io.BytesIO()
    book.save(data)
    upload = SimpleUploadedFile("points.xlsx", data.getvalue())
    result = kpi_points_import(actor=hr_a, table=KpiPointImport().read(upload), dry_run=False)
    assert not result.committed and not ProcessKpiPoint.objects.exists()
    errors = {(e.row, e.column) for e in result.errors}
    assert errors == {(3, "指标编码"), (4, "期间开始"), (4, "数值"), (5, "期间开始")}
    messages = " ".join(e.message for e in result.errors)
    assert "use 2026-01-01" in messages and "Duplicate of row 2" in messages and "NOPE" in messages


def test_the_page_runs_a_dry_run_then_writes(kpi, hr_a, login):
    client = login(hr_a)
    assert client.get("/t/alpha/process-kpis/import/").status_code == 200
    bad = client.post("/t/alpha/process-kpis/import/", {"file": _csv("KPI code,Value\nAPPROVAL-H,1\n")})
    assert bad.status_code == 400 and "Missing required columns" in bad.content.decode()
    dry = client.post("/t/alpha/process-kpis/import/",
                      {"file": _csv("KPI code,Period start,Value\nAPPROVAL-H,2026-03-01,9\n")})  # fmt: skip
    assert dry.status_code == 200 and 'id="import-confirm"' in dry.content.decode()
    assert not ProcessKpiPoint.objects.exists()
    done = client.post("/t/alpha/process-kpis/import/", {"confirm": "1"})
    assert done.status_code == 302 and ProcessKpiPoint.objects.get().value == 9
