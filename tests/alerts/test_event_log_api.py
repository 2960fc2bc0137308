"""The `event-logs` API: HR uploads (a CSV waits for its mapping, 201), maps (202 with the job, run), reads
the analysis and the cases of a variant, deletes; bad files and mappings are field errors; employees are
refused; another tenant's log is a 404; the list keeps a fixed number of queries."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from alerts.models import EventLog
from collab.models import Role
from collab.tenancy import tenant_scope
from tests.alerts.test_event_log_services import planted_log
from tests.factories import make_member
from tests.factories.alerts import make_event_log
from tests.factories.org import OrgUnitFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/t/alpha/event-logs/"


@pytest.fixture
def people(scope_a, tenant_a):
    return {"hr": make_member(tenant_a, Role.HR_ADMIN), "manager": make_member(tenant_a, Role.MANAGER),
            "employee": make_member(tenant_a, Role.EMPLOYEE)}  # fmt: skip


def _upload(api, text: str, name: str = "orders.csv"):
    upload = SimpleUploadedFile(name, text.encode())
    return api.post(BASE, {"file": upload, "name": "Orders"}, format="multipart")


def test_upload_map_and_read_the_analysis(people, api_client_for, django_capture_on_commit_callbacks):
    hr = api_client_for(people["hr"])
    created = _upload(hr, planted_log(8))
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "mapping" and body["job"] is None
    assert body["mapping"]["columns"]["case"] == "Case ID"
    with django_capture_on_commit_callbacks(execute=True):
        accepted = hr.post(f"{BASE}{body['id']}/mapping/", body["mapping"]["columns"], format="json")
    assert accepted.status_code == 202, accepted.content
    job = hr.get(accepted.json()["url"]).json()
    assert job["status"] == "done" and job["result"]["cases"] == 8
    manager = api_client_for(people["manager"])
    detail = manager.get(f"{BASE}{body['id']}/").json()
    assert detail["status"] == "ready" and detail["analysis"]["summary"]["rework_share"] == 0.25
    variants = detail["analysis"]["variants"]
    cases = manager.get(f"{BASE}{body['id']}/cases/", {"variant": 0}).json()["results"]
    assert len(cases) == variants[0]["cases"] and {c["variant"] for c in cases} == {0}
    assert manager.get(f"{BASE}{body['id']}/cases/", {"variant": "x"}).status_code == 400
    listed = manager.get(BASE).json()["results"]
    assert [row["id"] for row in listed] == [body["id"]] and "analysis" not in listed[0]


def test_bad_files_and_mappings_are_field_errors(people, api_client_for):
    hr = api_client_for(people["hr"])
    refused = _upload(hr, "%PDF", name="orders.pdf")
    assert refused.status_code == 400 and "file" in refused.json()
    created = _upload(hr, planted_log(2)).json()
    columns = {"case": "Nope", "activity": "Activity", "timestamp": "Complete Timestamp"}
    wrong = hr.post(f"{BASE}{created['id']}/mapping/", columns, format="json")
    assert wrong.status_code == 400 and "case" in wrong.json()
    unknown = hr.post(f"{BASE}{created['id']}/mapping/", {"case": "Case ID", "activity": "Activity",
                                                          "timestamp": "Complete Timestamp", "x": 1},
                      format="json")  # fmt: skip
    assert unknown.status_code == 400


def test_employees_may_not_read_and_managers_may_not_write(people, api_client_for):
    log = make_event_log()
    assert api_client_for(people["employee"]).get(BASE).status_code == 403
    assert api_client_for(people["employee"]).get(f"{BASE}{log.pk}/").status_code == 403
    manager = api_client_for(people["manager"])
    assert manager.get(f"{BASE}{log.pk}/").status_code == 200
    assert _upload(manager, planted_log(2)).status_code == 403
    assert manager.delete(f"{BASE}{log.pk}/").status_code == 403


def test_another_tenants_log_is_a_404_and_delete_works(people, api_client_for, tenant_b):
    with tenant_scope(tenant_b):
        foreign = make_event_log(process=None, name="theirs")
        OrgUnitFactory(name="B sales")
    hr = api_client_for(people["hr"])
    for url in (f"{BASE}{foreign.pk}/", f"{BASE}{foreign.pk}/cases/"):
        assert hr.get(url).status_code == 404
    assert hr.delete(f"{BASE}{foreign.pk}/").status_code == 404
    assert hr.post(f"{BASE}{foreign.pk}/mapping/", {}, format="json").status_code == 404
    mine = make_event_log()
    assert hr.delete(f"{BASE}{mine.pk}/").status_code == 204
    assert not EventLog.objects.filter(pk=mine.pk).exists()
    with tenant_scope(tenant_b):
        assert EventLog.objects.filter(pk=foreign.pk).exists()


def test_the_list_keeps_a_fixed_number_of_queries(people, api_client_for, django_assert_max_num_queries):
    hr = api_client_for(people["hr"])
    make_event_log(name="one")
    with django_assert_max_num_queries(8):
        assert len(hr.get(BASE).json()["results"]) == 1
    for n in range(5):
        make_event_log(name=f"log {n}")
    with django_assert_max_num_queries(8):
        assert len(hr.get(BASE).json()["results"]) == 6
