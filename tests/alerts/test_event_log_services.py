"""Event logs: upload (format, headers, guessed mapping), mapping checks, the import job (a planted bottleneck
and rework found, conformance against the process's stages, row errors all-or-nothing), rerun idempotent,
another tenant's process refused."""

from __future__ import annotations

import gzip
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from alerts.models import EventLog, EventLogCase, EventLogFile, EventLogStatus
from alerts.services.event_log_import import event_log_import_run
from alerts.services.event_logs import csv_encoding, event_log_delete, event_log_map, event_log_upload
from collab.models import AuditEvent, Job
from collab.tenancy import tenant_scope
from tests.factories.alerts import make_process
from tests.factories.org import OrgUnitFactory

pytestmark = pytest.mark.django_db


def planted_log(cases: int = 20) -> str:
    """Order → Check → Ship for every case, Check done twice in every fourth case (25 % rework: by the same
    clerk in even cases, by another in odd ones), and a 2-day wait before Ship (the bottleneck)."""
    lines = ["Case ID,Activity,Complete Timestamp,Department,User"]
    for case in range(cases):
        day = 1 + case % 20
        steps = [("Order", "Sales", "ann", f"2026-03-{day:02d} 09:00:00"),
                 ("Check", "Finance", "bob", f"2026-03-{day:02d} 11:00:00")]  # fmt: skip
        if case % 4 == 0:
            clerk = "bob" if case % 8 == 0 else "cat"
            steps.append(("Check", "Finance", clerk, f"2026-03-{day:02d} 13:00:00"))
        steps.append(("Ship", "Logistics", "dan", f"2026-03-{day + 2:02d} 13:00:00"))
        lines += [f"C{case:03d},{activity},{at},{unit},{user}" for activity, unit, user, at in steps]
    return "\n".join(lines) + "\n"


@pytest.fixture
def imported(django_capture_on_commit_callbacks):
    """`map(log)`: sets the guessed mapping and runs the queued import (eager tasks, on commit)."""

    def run(log, actor, columns=None):
        with django_capture_on_commit_callbacks(execute=True):
            event_log_map(actor=actor, event_log=log, columns=columns or log.mapping["columns"])
        log.refresh_from_db()
        return log

    return run


@pytest.fixture
def process(scope_a):
    sales, finance = OrgUnitFactory(name="Sales"), OrgUnitFactory(name="Finance")
    made = make_process(sales, collaborating=[finance])
    stages = list(made.stages.order_by("order"))
    stages[0].name, stages[1].name = "Order", "Check"
    for stage in stages:
        stage.save(update_fields=["name"])
    return made


def test_a_csv_upload_keeps_the_headers_and_guesses_the_mapping(scope_a, hr_a):
    log = event_log_upload(actor=hr_a, name="", file_name="orders.csv", data=planted_log(4).encode())
    assert log.status == EventLogStatus.MAPPING and log.name == "orders.csv"
    assert log.headers == ["Case ID", "Activity", "Complete Timestamp", "Department", "User"]
    assert log.mapping["columns"] == {
        "case": "Case ID", "activity": "Activity", "timestamp": "Complete Timestamp", "unit": "Department",
        "resource": "User",
    }  # fmt: skip
    assert log.naive_zone == scope_a.timezone
    assert gzip.decompress(bytes(EventLogFile.objects.get(event_log=log).data)) == planted_log(4).encode()
    assert AuditEvent.objects.filter(action="event_log.upload", object_id=str(log.pk)).exists()


def test_a_gbk_csv_from_excel_is_read_in_its_encoding(scope_a, hr_a):
    text = "单号,环节,时间\nA1,下单,2026-03-01 09:00\n"
    assert csv_encoding(text.encode("gb18030")) == "gb18030"
    log = event_log_upload(actor=hr_a, name="订单", file_name="orders.csv", data=text.encode("gb18030"))
    assert log.headers == ["单号", "环节", "时间"]
    assert log.mapping["columns"] == {"case": "单号", "activity": "环节", "timestamp": "时间"}


@pytest.mark.parametrize(
    ("file_name", "data", "field"),
    [("log.pdf", b"x", "file"), ("log.csv", b"", "file"), ("log.xlsx", b"not a workbook", "file")],
)
def test_a_file_that_is_no_log_is_refused_with_nothing_kept(scope_a, hr_a, file_name, data, field):
    with pytest.raises(ValidationError) as refused:
        event_log_upload(actor=hr_a, name="x", file_name=file_name, data=data)
    assert field in refused.value.message_dict
    assert not EventLog.objects.exists() and not EventLogFile.objects.exists()


def test_another_tenants_process_and_an_unknown_zone_are_field_errors(scope_a, hr_a, tenant_b):
    with tenant_scope(tenant_b):
        foreign = make_process(OrgUnitFactory(name="B sales"))
    with pytest.raises(ValidationError) as refused:
        event_log_upload(actor=hr_a, name="x", file_name="l.csv", data=b"a,b\n", process=foreign.pk)
    assert "process" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        event_log_upload(actor=hr_a, name="x", file_name="l.csv", data=b"a,b\n", naive_zone="Mars/Olympus")
    assert "naive_zone" in refused.value.message_dict


def test_the_mapping_is_checked_against_the_headers(scope_a, hr_a):
    log = event_log_upload(actor=hr_a, name="x", file_name="l.csv", data=planted_log(2).encode())
    with pytest.raises(ValidationError) as refused:
        event_log_map(actor=hr_a, event_log=log, columns={"case": "Case ID", "activity": "Case ID",
                                                          "timestamp": "Nope"})  # fmt: skip
    errors = refused.value.message_dict
    assert set(errors) == {"case", "activity", "timestamp"}
    log.refresh_from_db()
    assert log.status == EventLogStatus.MAPPING and log.job is None


def test_the_import_finds_the_planted_bottleneck_rework_and_conformance(scope_a, hr_a, process, imported):
    log = event_log_upload(actor=hr_a, name="x", file_name="l.csv", data=planted_log(20).encode(),
                           process=process.pk)  # fmt: skip
    imported(log, hr_a)
    assert log.status == EventLogStatus.READY, log.errors
    assert (log.events, log.cases, log.activities) == (65, 20, 3)
    analysis = log.analysis
    edges = {(e["source"], e["target"]): e for e in analysis["edges"]}
    assert edges[("Check", "Ship")]["cases"] == 20 and edges[("Check", "Check")]["events"] == 5
    slowest = max(analysis["edges"], key=lambda e: e["median_seconds"])
    assert (slowest["source"], slowest["target"]) == ("Check", "Ship")
    assert analysis["summary"]["rework_share"] == 0.25
    check = next(row for row in analysis["rework"] if row["activity"] == "Check")
    assert (check["rework"], check["repeats"], check["redos"]) == (5, 3, 2)
    handover = next(h for h in analysis["handovers"] if h["source_unit"] == "Finance")
    assert handover["target_unit"] == "Logistics" and handover["handovers"] == 20
    conformance = analysis["conformance"]
    # Matched by name; Ship is no designed stage, so no case follows the design exactly.
    assert conformance["matched"] == ["Check", "Order"] and conformance["follows_share"] == 0.0
    assert [row["activity"] for row in conformance["outside"]] == ["Ship"]
    assert set(EventLogCase.objects.values_list("follows_design", flat=True)) == {False}
    assert EventLogCase.objects.filter(event_log=log).count() == 20
    assert not EventLogFile.objects.filter(event_log=log).exists()  # dropped once read
    job = Job.objects.get(pk=log.job_id)
    assert job.status == Job.Status.DONE and job.result["events"] == 65


def test_bad_rows_fail_the_import_with_their_numbers_and_keep_nothing(scope_a, hr_a, imported):
    text = planted_log(2).replace("2026-03-02 11:00:00", "yesterday")
    log = event_log_upload(actor=hr_a, name="x", file_name="l.csv", data=text.encode())
    imported(log, hr_a)
    assert log.status == EventLogStatus.FAILED and log.error_total == 1
    assert log.errors[0]["row"] == 7 and log.errors[0]["field"] == "timestamp"
    assert not EventLogCase.objects.exists() and log.analysis is None
    assert Job.objects.get(pk=log.job_id).status == Job.Status.FAILED


def test_an_excel_log_imports_and_a_rerun_replaces_its_cases(scope_a, hr_a, imported):
    book = openpyxl.Workbook()
    sheet = book.active
    for line in planted_log(4).strip().splitlines():
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    log = event_log_upload(actor=hr_a, name="x", file_name="l.xlsx", data=buffer.getvalue())
    imported(log, hr_a)
    assert log.status == EventLogStatus.READY and log.cases == 4
    # A resumed job (its worker died) runs again: the file is gone, so it stops; the cases stay as they were.
    Job.objects.filter(pk=log.job_id).update(status=Job.Status.RUNNING, lease="")
    assert event_log_import_run(job_id=log.job_id, event_log_id=log.pk)["status"] == Job.Status.SKIPPED
    assert EventLogCase.objects.filter(event_log=log).count() == 4


def test_delete_removes_the_log_with_its_cases(scope_a, hr_a, imported):
    log = event_log_upload(actor=hr_a, name="x", file_name="l.csv", data=planted_log(2).encode())
    imported(log, hr_a)
    event_log_delete(actor=hr_a, event_log=log)
    assert not EventLog.objects.exists() and not EventLogCase.objects.exists()
    assert AuditEvent.objects.filter(action="event_log.delete").exists()
