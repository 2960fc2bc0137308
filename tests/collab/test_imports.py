"""The generic tabular import: reading, header mapping, row numbers, caps, garbage, all-or-nothing commits."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from collab.imports.export import export_xlsx
from collab.imports.ordering import topological_order
from collab.imports.table import Column, ImportFileError, Table
from collab.imports.tabular import TabularImport
from collab.models import OrgUnit
from collab.services.org.units import org_unit_create

pytestmark = pytest.mark.django_db


class UnitImport(TabularImport):
    """A tiny import used to exercise the machinery: flat units."""

    columns = (
        Column("code", ("Code", "编码"), max_length=50),
        Column("name", ("Name", "名称")),
        Column("note", ("Note", "备注"), required=False),
    )
    max_rows = 100
    max_bytes = 20_000

    def prepare(self, table):
        self.prepared = True

    def clean_row(self, values):
        if values["code"].startswith("!"):
            raise ValidationError({"code": "Codes may not start with !"})
        return values

    def clean_rows(self, rows):
        return self.duplicate_errors(rows, "code")

    def write_row(self, row, *, actor):
        org_unit_create(actor=actor, code=row.data["code"], name=row.data["name"], kind="team")


def csv_file(text: str, name="units.csv", encoding="utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_file(rows, name="units.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_csv_rows_are_numbered_as_in_the_file():
    table = UnitImport().read(csv_file("Code,Name\nA,Alpha\n,\nB,Beta\n"))
    assert [number for number, _ in table.rows] == [2, 4]
    assert table.rows[1][1] == {"code": "B", "name": "Beta", "note": ""}


def test_csv_with_bom_semicolons_and_chinese_headers():
    text = "\ufeff编码;名称;备注\nA;甲部门;x\n"
    table = UnitImport().read(csv_file(text))
    assert table.rows == [(2, {"code": "A", "name": "甲部门", "note": "x"})]
    assert table.headers["code"] == "编码"


def test_headers_are_matched_loosely_and_unknown_ones_ignored():
    table = UnitImport().read(csv_file(" code* , NAME ,Colour\nA,Alpha,red\n"))
    assert table.rows[0][1]["name"] == "Alpha"
    assert table.ignored_headers == ["Colour"]


def test_xlsx_reading_with_numbers_and_a_leading_blank_row():
    rows = [[None, None], ["Code", "名称"], [101, "Alpha"], [None], [3.5, "Beta"]]
    table = UnitImport().read(xlsx_file(rows))
    assert table.rows == [
        (3, {"code": "101", "name": "Alpha", "note": ""}),
        (5, {"code": "3.5", "name": "Beta", "note": ""}),
    ]


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("x.csv", b""), "empty"),
        (SimpleUploadedFile("x.csv", b"   \n\n"), "empty"),
        (SimpleUploadedFile("x.pdf", b"%PDF-1.4 garbage"), ".xlsx"),
        (SimpleUploadedFile("x.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00"), "binary"),
        (SimpleUploadedFile("x.csv", "Code,Name\nA,Ä\n".encode("latin-1")), "UTF-8"),
        (SimpleUploadedFile("x.xlsx", b"PK\x03\x04not really a zip"), "Excel"),
        (SimpleUploadedFile("x.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100), ".xls"),
        (SimpleUploadedFile("x.csv", b"Code,Name\n"), "no data rows"),
        (SimpleUploadedFile("x.csv", b"Name,Note\nA,b\n"), "Missing required columns: Code / 编码"),
        (SimpleUploadedFile("x.csv", b"Code,Name,code\nA,b,c\n"), "more than once"),
        (SimpleUploadedFile("x.csv", b"Code,Name\n" + b"A,b\n" * 101), "more than 100"),
        (SimpleUploadedFile("x.csv", b"Code,Name\n" + b"A,b" * 10_000), "larger than"),
        (None, "Choose a file"),
    ],
)
def test_garbage_files_give_clear_errors(upload, message):
    with pytest.raises(ImportFileError) as error:
        UnitImport().read(upload)
    assert message in error.value.message


def test_xlsx_with_no_header_and_damaged_zip():
    with pytest.raises(ImportFileError, match="no header"):
        UnitImport().read(xlsx_file([]))


def test_cell_errors_name_row_column_and_message(scope_a):
    text = "Code,Name\nA,Alpha\n,Nameless\n!x,Bang\nA,Again\nB," + "n" * 201 + "\nC,Nul\n"
    importer = UnitImport()
    table = importer.read(csv_file(text))
    table.rows[-1][1]["code"] = "C\x00"  # a NUL can only come from a tampered table; still a cell error
    result = importer.dry_run(table)
    found = {(e.row, e.column) for e in result.errors}
    assert found == {(3, "Code"), (4, "Code"), (5, "Code"), (6, "Name"), (7, "Code")}
    messages = {e.row: e.message for e in result.errors}
    assert "required" in messages[3] and "start with" in messages[4] and "Duplicate of row 2" in messages[5]
    assert "At most 200" in messages[6] and "NUL" in messages[7]
    assert importer.prepared and not OrgUnit.objects.exists()


def test_dry_run_previews_and_writes_nothing(scope_a):
    importer = UnitImport()
    result = importer.dry_run(importer.read(csv_file("Code,Name\nA,Alpha\nB,Beta\n")))
    assert result.ok and result.total == 2 and [r.data["code"] for r in result.preview] == ["A", "B"]
    assert not result.committed and not OrgUnit.objects.exists()


def test_commit_writes_everything(scope_a, hr_a):
    importer = UnitImport()
    result = importer.commit(importer.read(csv_file("Code,Name\nA,Alpha\nB,Beta\n")), actor=hr_a)
    assert result.committed and result.written == 2
    assert set(OrgUnit.objects.values_list("code", flat=True)) == {"A", "B"}


def test_an_error_while_writing_undoes_every_row_and_names_the_row(scope_a, hr_a):
    org_unit_create(actor=None, code="TAKEN", name="Existing", kind="team")
    importer = UnitImport()
    table = importer.read(csv_file("Code,Name\nA,Alpha\nB,Beta\nTAKEN,Clash\nD,Delta\n"))
    result = importer.commit(table, actor=hr_a)
    assert not result.committed
    assert [(e.row, e.column) for e in result.errors] == [(4, "Code")]
    assert "already exists" in result.errors[0].message
    assert list(OrgUnit.objects.values_list("code", flat=True)) == ["TAKEN"]


def test_table_round_trips_through_session_data():
    table = UnitImport().read(csv_file("编码,Name\nA,Alpha\n"))
    again = Table.from_data(table.to_data())
    assert again.rows == table.rows and again.headers == table.headers
    with pytest.raises(ImportFileError):
        Table.from_data({"columns": ["a"], "rows": [[1, ["x", "y"]]], "headers": {}})
    with pytest.raises(ImportFileError):
        Table.from_data(None)


def test_topological_order_and_cycles():
    order, cycles = topological_order({"c": "b", "b": "a", "a": None, "x": "outside"})
    assert order.index("a") < order.index("b") < order.index("c") and "x" in order and not cycles
    order, cycles = topological_order({"a": "b", "b": "a", "c": "a", "d": None, "e": "e"})
    assert order == ["d"]
    assert cycles["a"] == ["a", "b", "a"] and cycles["c"] == ["a", "b", "a"] and cycles["e"] == ["e", "e"]


def test_export_keeps_text_as_text():
    content = export_xlsx(["Code", "Name"], [["=1+1", "Alpha"], ["B", 3]], sheet_title="Units: all")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values == [["Code", "Name"], ["=1+1", "Alpha"], ["B", 3]]
    assert sheet["A2"].data_type == "s"
