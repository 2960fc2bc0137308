"""Importing units, positions and employees: dry run, row-numbered errors, all or nothing, the import page."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from collab.models import AuditEvent, Employee, OrgUnit, Position
from collab.services.org.importing import org_importer
from collab.tenancy import tenant_scope
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PositionFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("org-import", kwargs={"tenant_slug": "alpha"})


def csv_upload(lines: list[str], name="data.csv", bom=False) -> SimpleUploadedFile:
    text = "\n".join(lines) + "\n"
    return SimpleUploadedFile(
        name, (("\ufeff" if bom else "") + text).encode("utf-8"), content_type="text/csv"
    )


def xlsx_upload(rows: list[list], name="data.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def run(kind: str, upload, *, actor=None, commit=False):
    importer = org_importer(kind)
    table = importer.read(upload)
    return importer.commit(table, actor=actor) if commit else importer.dry_run(table)


# ----- units ------------------------------------------------------------------------------------------------
def test_units_with_parents_later_in_the_file_are_written_parents_first(scope_a, hr_a):
    upload = csv_upload(
        [
            "Code,Name,Kind,Parent code",
            "T1,Night shift,team,D1",
            "D1,Operations,department,G",
            "G,Group,group,",
            "D2,Finance,部门,G",
        ]
    )
    result = run("units", upload, actor=hr_a, commit=True)
    assert result.committed and result.written == 4
    units = {u.code: u for u in OrgUnit.objects.all()}
    assert (
        units["T1"].path == f"/{units['G'].pk}/{units['D1'].pk}/{units['T1'].pk}/" and units["T1"].depth == 2
    )
    assert units["D2"].kind == "department" and units["D2"].parent == units["G"]
    assert AuditEvent.objects.filter(action="org_unit.create", actor=hr_a).count() == 4


def test_units_chinese_headers_and_kinds_from_xlsx(scope_a, hr_a):
    upload = xlsx_upload(
        [
            ["编码", "名称", "类型", "上级编码"],
            ["JT", "矿业集团", "集团", None],
            ["AQ", "安全生产部", "部门", "JT"],
        ]
    )
    result = run("units", upload, actor=hr_a, commit=True)
    assert result.committed
    assert OrgUnit.objects.get(code="AQ").parent.name == "矿业集团"


def test_unit_cycles_in_the_file_are_errors(scope_a):
    upload = csv_upload(
        ["Code,Name,Kind,Parent code", "A,A,team,B", "B,B,team,C", "C,C,team,A", "D,D,team,A"]
    )
    result = run("units", upload)
    assert {(e.row, e.column) for e in result.errors} == {
        (2, "Parent code"),
        (3, "Parent code"),
        (4, "Parent code"),
        (5, "Parent code"),
    }
    assert "A → B → C → A" in result.errors[0].message


def test_unit_rows_update_and_move_existing_units(scope_a, hr_a):
    group = OrgUnitFactory(code="G", name="Group", kind="group")
    ops = OrgUnitFactory(code="OPS", name="Ops", parent=group)
    team = OrgUnitFactory(code="T", name="Team", kind="team", parent=ops)
    upload = csv_upload(["Code,Name,Kind,Parent code", "T,Renamed team,team,G", "NEW,New dept,department,T"])
    dry = run("units", upload)
    assert dry.ok and [row.data["action"] for row in dry.rows] == ["update", "create"]
    result = run(
        "units",
        csv_upload(["Code,Name,Kind,Parent code", "T,Renamed team,team,G", "NEW,New dept,department,T"]),
        actor=hr_a,
        commit=True,
    )
    assert result.committed
    team.refresh_from_db()
    new = OrgUnit.objects.get(code="NEW")
    assert team.name == "Renamed team" and team.parent == group and team.path == f"/{group.pk}/{team.pk}/"
    assert new.path == f"/{group.pk}/{team.pk}/{new.pk}/"
    refused = run("units", csv_upload(["Code,Name,Kind,Parent code", "G,Group,group,NEW"]))
    assert not refused.ok and "cannot move under itself" in refused.errors[0].message


def test_unknown_parent_kind_and_self_parent(scope_a):
    upload = csv_upload(["Code,Name,Kind,Parent code", "A,A,castle,", "B,B,team,NOPE", "C,C,team,C"])
    result = run("units", upload)
    messages = {e.row: (e.column, e.message) for e in result.errors}
    assert messages[2][0] == "Kind" and "Unknown kind" in messages[2][1]
    assert messages[3] == ("Parent code", "No org unit has the code “NOPE”.")
    assert messages[4][0] == "Parent code" and "own parent" in messages[4][1]


def test_a_thousand_rows_with_one_bad_row_write_nothing_and_name_the_row(scope_a, hr_a):
    lines = ["Code,Name,Kind,Parent code", "ROOT,Root,group,"]
    lines += [f"U{i:04d},Unit {i},department,ROOT" for i in range(999)]
    lines[700] = "U0698,Unit 698,department,MISSING"  # file row 701
    result = run("units", csv_upload(lines), actor=hr_a, commit=True)
    assert not result.committed and result.total == 1000
    assert [(e.row, e.column) for e in result.errors] == [(701, "Parent code")]
    assert "MISSING" in result.errors[0].message
    assert not OrgUnit.objects.exists() and not AuditEvent.objects.exists()


def test_a_thousand_rows_import_in_one_go(scope_a, hr_a):
    lines = ["Code,Name,Kind,Parent code", "ROOT,Root,group,"]
    lines += [f"U{i:04d},Unit {i},department,{'ROOT' if i < 10 else f'U{i % 10:04d}'}" for i in range(999)]
    result = run("units", csv_upload(lines, bom=True), actor=hr_a, commit=True)
    assert result.committed and result.written == 1000 and OrgUnit.objects.count() == 1000
    deep = OrgUnit.objects.get(code="U0015")
    assert deep.depth == 2 and deep.parent.code == "U0005"


# ----- positions and employees ------------------------------------------------------------------------------
def test_positions_import_upserts_and_checks_units(scope_a, hr_a):
    unit = OrgUnitFactory(code="OPS")
    PositionFactory(code="P1", title="Old title", org_unit=unit)
    upload = csv_upload(
        [
            "岗位编码,岗位名称,组织编码,职族,职级",
            "P1,Operator,OPS,production,L2",
            "P2,Planner,OPS,,",
            "P3,Ghost,NOWHERE,,",
        ]
    )
    result = run("positions", upload, actor=hr_a, commit=True)
    assert not result.committed and [(e.row, e.column) for e in result.errors] == [(4, "组织编码")]
    assert Position.objects.get(code="P1").title == "Old title"
    upload = csv_upload(
        ["岗位编码,岗位名称,组织编码,职族,职级", "P1,Operator,OPS,production,L2", "P2,Planner,OPS,,"]
    )
    assert run("positions", upload, actor=hr_a, commit=True).committed
    assert Position.objects.get(code="P1").title == "Operator" and Position.objects.count() == 2


def test_employees_import_managers_in_any_order_and_cycles(scope_a, hr_a):
    unit = OrgUnitFactory(code="OPS")
    PositionFactory(code="OPR", org_unit=unit)
    EmployeeFactory(employee_no="CEO", org_unit=unit)
    header = "工号,姓名,邮箱,组织编码,岗位编码,上级工号,在职"
    upload = csv_upload(
        [header, "E2,Li,li@example.com,OPS,OPR,E1,是", "E1,Wang,,OPS,,CEO,", "E3,Zhao,,OPS,,E2,否"]
    )
    result = run("employees", upload, actor=hr_a, commit=True)
    assert result.committed
    people = {e.employee_no: e for e in Employee.objects.select_related("manager")}
    assert people["E2"].manager.employee_no == "E1" and people["E1"].manager.employee_no == "CEO"
    assert people["E2"].position.code == "OPR" and people["E3"].is_active is False
    loop = csv_upload([header, "E1,Wang,,OPS,,E3,", "E3,Zhao,,OPS,,E1,"])
    result = run("employees", loop)
    assert {e.row for e in result.errors} == {2, 3} and "loop" in result.errors[0].message


def test_employees_import_reports_every_bad_cell(scope_a):
    OrgUnitFactory(code="OPS")
    header = "Employee number,Name,E-mail,Org unit code,Position code,Manager number,Active"
    upload = csv_upload([header, "E1,,not-mail,NOPE,NOPOS,E1,maybe", "E1,Again,,OPS,,,"])
    result = run("employees", upload)
    columns = {(e.row, e.column) for e in result.errors}
    assert (2, "Name") in columns
    upload = csv_upload(
        [header, "E1,Wang,not-mail,NOPE,NOPOS,E1,maybe", "E1,Again,,OPS,,,", "E2,Li,,OPS,,X9,"]
    )
    result = run("employees", upload)
    columns = {(e.row, e.column) for e in result.errors}
    assert {
        (2, "E-mail"),
        (2, "Org unit code"),
        (2, "Position code"),
        (2, "Manager number"),
        (2, "Active"),
        (3, "Employee number"),
        (4, "Manager number"),
    } <= columns


def test_write_time_conflict_rolls_everything_back(scope_a, hr_a, monkeypatch):
    """A problem only the services see (here a manager loop through rows already in the database)."""
    unit = OrgUnitFactory(code="OPS")
    boss = EmployeeFactory(employee_no="B", org_unit=unit)
    EmployeeFactory(employee_no="W", org_unit=unit, manager=boss)
    header = "Employee number,Name,Org unit code,Manager number"
    upload = csv_upload([header, "N1,New,OPS,", "B,Boss,OPS,W"])
    result = run("employees", upload, actor=hr_a, commit=True)
    assert not result.committed and [(e.row, e.column) for e in result.errors] == [(3, "Manager number")]
    assert not Employee.objects.filter(employee_no="N1").exists()
    boss.refresh_from_db()
    assert boss.manager is None


# ----- the page ---------------------------------------------------------------------------------------------
def test_page_dry_run_then_confirm(login, hr_a, tenant_a):
    client = login(hr_a)
    upload = csv_upload(
        ["Code,Name,Kind,Parent code,Colour", "G,Group,group,,red", "D,Dept,department,G,blue"]
    )
    response = client.post(IMPORT_URL, {"step": "upload", "kind": "units", "file": upload})
    content = response.content.decode()
    assert response.status_code == 200 and "No problems found" in content and "Colour" in content
    assert "2 new, 0 updated" in content
    with tenant_scope(tenant_a):
        assert not OrgUnit.objects.exists()
    token = content.split('name="token" value="')[1].split('"')[0]
    wrong = client.post(IMPORT_URL, {"step": "commit", "kind": "units", "token": "forged"})
    assert wrong.status_code == 302
    with tenant_scope(tenant_a):
        assert not OrgUnit.objects.exists()
    done = client.post(IMPORT_URL, {"step": "commit", "kind": "units", "token": token})
    assert done.status_code == 302 and done["Location"].endswith("/org/")
    with tenant_scope(tenant_a):
        assert OrgUnit.objects.count() == 2
    # The kept rows are gone: confirming twice imports nothing more.
    assert client.post(IMPORT_URL, {"step": "commit", "kind": "units", "token": token}).status_code == 302
    assert not any(key.startswith("collab-org-import") for key in client.session.keys())


def test_page_shows_row_numbered_errors_and_keeps_nothing(login, hr_a, tenant_a):
    client = login(hr_a)
    upload = xlsx_upload(
        [["Code", "Name", "Kind"], ["A", "Alpha", "team"], ["B", "", "team"], ["C", "Gamma", "moon"]]
    )
    response = client.post(IMPORT_URL, {"step": "upload", "kind": "units", "file": upload})
    content = response.content.decode()
    assert response.status_code == 400 and "2 problems found" in content
    assert "<td>3</td><td>Name</td>" in content and "<td>4</td><td>Kind</td>" in content
    assert 'name="token"' not in content and not any(
        k.startswith("collab-org-import") for k in client.session.keys()
    )


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n\x00\x00"), "Upload an Excel workbook"),
        (SimpleUploadedFile("x.csv", b"\x89PNG\r\n\x1a\n\x00\x00"), "binary"),
        (SimpleUploadedFile("x.csv", b"Name\nA\n"), "Missing required columns"),
        (SimpleUploadedFile("x.xlsx", b"PK\x03\x04garbage"), "could not be read"),
    ],
)
def test_page_garbage_files_are_form_errors(login, hr_a, upload, message):
    response = login(hr_a).post(IMPORT_URL, {"step": "upload", "kind": "units", "file": upload})
    assert response.status_code == 400 and message in response.content.decode()


def test_page_import_templates_and_bad_kind(login, hr_a):
    client = login(hr_a)
    response = client.get(IMPORT_URL, {"template": "employees"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in next(sheet.iter_rows())][:2] == ["Employee number", "Name"]
    bad = client.post(IMPORT_URL, {"step": "upload", "kind": "payroll", "file": csv_upload(["a"])})
    assert bad.status_code == 400 and b"Select a valid choice" in bad.content


def test_kept_upload_is_per_tenant(login, tenant_a, tenant_b):
    """A consultant in two companies: a preview kept for one cannot be confirmed into the other."""
    from tests.factories import make_member

    consultant = make_member(tenant_a, "hr_admin", username="consultant")
    with tenant_scope(tenant_b):
        from collab.models import Membership

        Membership.objects.create(user=consultant, roles=["hr_admin"])
    client = login(consultant)
    upload = csv_upload(["Code,Name,Kind", "A,Alpha,team"])
    content = client.post(IMPORT_URL, {"step": "upload", "kind": "units", "file": upload}).content.decode()
    token = content.split('name="token" value="')[1].split('"')[0]
    bravo = reverse("org-import", kwargs={"tenant_slug": "bravo"})
    assert client.post(bravo, {"step": "commit", "kind": "units", "token": token}).status_code == 302
    with tenant_scope(tenant_b):
        assert not OrgUnit.objects.exists()
    client.post(IMPORT_URL, {"step": "commit", "kind": "units", "token": token})
    with tenant_scope(tenant_a):
        assert OrgUnit.objects.filter(code="A").exists()
