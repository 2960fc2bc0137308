"""The process-mining pages: HR uploads a CSV, maps its columns (guessed, corrected), the import runs and the
page shows what mining found (graph data, variants and their cases, rework, hand-overs, conformance); field
errors in the page; employees are refused; managers read; another tenant's log is a 404."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from alerts.models import EventLog
from collab.models import Role
from collab.tenancy import tenant_scope
from tests.alerts.test_event_log_services import planted_log
from tests.factories import make_member
from tests.factories.alerts import make_event_log, make_process
from tests.factories.org import OrgUnitFactory

pytestmark = pytest.mark.django_db
BASE = "/t/alpha/event-logs/"


@pytest.fixture
def people(scope_a, tenant_a):
    return {"hr": make_member(tenant_a, Role.HR_ADMIN), "manager": make_member(tenant_a, Role.MANAGER),
            "employee": make_member(tenant_a, Role.EMPLOYEE)}  # fmt: skip


def test_hr_uploads_maps_and_reads_the_findings(people, login, django_capture_on_commit_callbacks):
    process = make_process(OrgUnitFactory(name="Sales"))
    hr = login(people["hr"])
    assert b"event-log-empty" in hr.get(BASE).content
    upload = SimpleUploadedFile("orders.csv", planted_log(8).encode())
    answer = hr.post(BASE, {"file": upload, "name": "Orders", "process": process.pk})
    assert answer.status_code == 302
    log = EventLog.objects.get()
    page = hr.get(answer.url).content.decode()
    assert 'id="event-log-mapping"' in page and '<option value="Case ID" selected>' in page
    with django_capture_on_commit_callbacks(execute=True):
        columns = {"case": "Case ID", "activity": "Activity", "timestamp": "Complete Timestamp",
                   "unit": "Department", "resource": "User"}  # fmt: skip
        mapped = hr.post(answer.url, columns)
    assert mapped.status_code == 302
    page = hr.get(answer.url).content.decode()
    for marker in ('id="mining-summary"', 'data-chart="dfg"', 'id="variant-table"', 'id="rework-table"',
                   'id="handover-table"'):  # fmt: skip
        assert marker in page, marker
    assert "Finance" in page and "Logistics" in page
    cases = hr.get(f"{answer.url}?variant=0").content.decode()
    assert 'id="variant-cases"' in cases
    manager = login(people["manager"])
    assert manager.get(f"{BASE}{log.pk}/").status_code == 200
    assert b"event-log-upload" not in manager.get(BASE).content


def test_field_errors_are_shown_in_the_page(people, login):
    hr = login(people["hr"])
    refused = hr.post(BASE, {"file": SimpleUploadedFile("orders.pdf", b"%PDF")})
    assert refused.status_code == 400 and b"Upload a CSV" in refused.content
    created = hr.post(BASE, {"file": SimpleUploadedFile("orders.csv", planted_log(2).encode())})
    columns = {"case": "Case ID", "activity": "Activity", "timestamp": ""}
    missing = hr.post(created.url, columns)
    assert missing.status_code == 400 and b"This field is required." in missing.content
    columns = {"case": "Activity", "activity": "Activity", "timestamp": "Complete Timestamp"}
    wrong = hr.post(created.url, columns)
    assert wrong.status_code == 400
    assert "Each column can be mapped to one field only." in wrong.content.decode()
    assert EventLog.objects.get().status == "mapping"


def test_a_failed_import_lists_its_rows(people, login, django_capture_on_commit_callbacks):
    hr = login(people["hr"])
    text = planted_log(2).replace("2026-03-02 11:00:00", "yesterday")
    created = hr.post(BASE, {"file": SimpleUploadedFile("orders.csv", text.encode())})
    with django_capture_on_commit_callbacks(execute=True):
        hr.post(created.url, {"case": "Case ID", "activity": "Activity", "timestamp": "Complete Timestamp"})
    page = hr.get(created.url).content.decode()
    assert 'id="import-errors"' in page and "yesterday" in page


def test_roles_and_another_tenants_log(people, login, tenant_b):
    with tenant_scope(tenant_b):
        foreign = make_event_log(name="theirs")
    mine = make_event_log()
    assert login(people["employee"]).get(BASE).status_code == 403
    hr = login(people["hr"])
    for url in (f"{BASE}{foreign.pk}/", f"{BASE}{foreign.pk}/delete/"):
        assert hr.get(url).status_code == 404
    assert hr.post(f"{BASE}{foreign.pk}/delete/").status_code == 404
    assert login(people["manager"]).post(f"{BASE}{mine.pk}/delete/").status_code == 403
    hr = login(people["hr"])  # one client: the manager's login replaced HR's
    assert hr.post(f"{BASE}{mine.pk}/delete/").status_code == 302
    assert not EventLog.objects.filter(pk=mine.pk).exists()


def test_the_list_keeps_a_fixed_number_of_queries(people, login, django_assert_max_num_queries):
    hr = login(people["hr"])
    make_event_log(name="one")
    hr.get(BASE)
    with django_assert_max_num_queries(16) as first:
        hr.get(BASE)
    for n in range(4):
        make_event_log(name=f"log {n}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert hr.get(BASE).content.count(b"data-event-log=") == 5
