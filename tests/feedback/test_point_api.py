"""The points API: items CRUD (HR writes), proposals with approve/reject (once, 409 when stale, never by the
proposer), the read-only ledger with HR corrections, other tenants' ids a 404, constant list queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from collab.tenancy import tenant_scope
from feedback.models import PointLedgerEntry, PointProposal
from feedback.services.points.proposals import point_proposal_approve, point_proposal_create
from tests.factories.feedback_events import EventFactory
from tests.factories.feedback_points import PointItemFactory, build_line, proposal_data
from tests.factories.org import OrgUnitFactory

pytestmark = pytest.mark.django_db

T = "/api/v1/t/alpha"


@pytest.fixture
def worlds(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        theirs = build_line(tenant_b, prefix="b-")
        their_proposal = point_proposal_create(
            actor=None, proposer=theirs.manager, data=proposal_data(theirs)
        )
        point_proposal_approve(actor=None, approver=theirs.director, proposal=their_proposal, lock_version=1)
        their_entry = PointLedgerEntry.objects.get()
    with tenant_scope(tenant_a):
        ours = build_line(tenant_a)
    return ours, {"line": theirs, "proposal": their_proposal, "entry": their_entry}


def body(line, **overrides):
    data = {
        "subject_employee": line.staff.pk, "item": line.item.pk, "period": line.period.pk,
        "reason": "Unblocked the release.", "proposer_role": "line_manager",
        "evidence_link": "https://tickets.example.com/7",
    }  # fmt: skip
    return {**data, **overrides}


def test_a_manager_proposes_and_the_director_approves_once(worlds, api_client_for, tenant_a, hr_a):
    line, _theirs = worlds
    manager, director = api_client_for(line.users["manager"]), api_client_for(line.users["director"])
    made = manager.post(f"{T}/point-proposals/", body(line), format="json")
    assert made.status_code == 201, made.json()
    proposal = made.json()
    assert proposal["status"] == "pending" and proposal["points"] == "2.00"
    url = f"{T}/point-proposals/{proposal['id']}/"
    # The proposer cannot approve their own proposal.
    own = manager.post(f"{url}approve/", {"lock_version": proposal["lock_version"]}, format="json")
    assert own.status_code == 400 and "approver" in own.json()
    # An HR admin outside the reporting line does not bypass it.
    hr = api_client_for(hr_a)
    bypass = hr.post(f"{url}approve/", {"lock_version": proposal["lock_version"]}, format="json")
    assert bypass.status_code == 400 and "approver" in bypass.json()
    listed = director.get(f"{T}/point-proposals/?box=to_decide").json()["results"]
    assert [p["id"] for p in listed] == [proposal["id"]]
    first = director.post(f"{url}approve/", {"lock_version": proposal["lock_version"]}, format="json")
    again = director.post(f"{url}approve/", {"lock_version": proposal["lock_version"]}, format="json")
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() and first.json()["status"] == "approved"
    with tenant_scope(tenant_a):
        assert PointLedgerEntry.objects.count() == 1
    entry = first.json()["ledger_entry"]
    assert director.get(f"{T}/point-ledger/{entry}/").status_code == 200
    assert director.get(f"{T}/point-proposals/?box=to_decide").json()["results"] == []


def test_stale_decisions_answer_409_and_rejects_need_a_reason(worlds, api_client_for):
    line, _ = worlds
    manager, director = api_client_for(line.users["manager"]), api_client_for(line.users["director"])
    proposal = manager.post(f"{T}/point-proposals/", body(line), format="json").json()
    url = f"{T}/point-proposals/{proposal['id']}/"
    assert director.post(f"{url}approve/", {"lock_version": 99}, format="json").status_code == 409
    assert director.post(f"{url}reject/", {"lock_version": 1}, format="json").status_code == 400
    assert director.post(f"{url}approve/", {}, format="json").status_code == 400
    assert director.post(f"{url}approve/", {"lock_version": 1, "extra": 1}, format="json").status_code == 400
    rejected = director.post(f"{url}reject/", {"lock_version": 1, "reason": "No evidence"}, format="json")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert director.post(f"{url}approve/", {"lock_version": 1}, format="json").status_code == 409


def test_over_the_cap_is_a_field_error(worlds, api_client_for, tenant_a):
    line, _ = worlds
    with tenant_scope(tenant_a):
        big = PointItemFactory(name="Huge", points=Decimal("9"))
    manager = api_client_for(line.users["manager"])
    assert manager.post(f"{T}/point-proposals/", body(line), format="json").status_code == 201
    over = manager.post(f"{T}/point-proposals/", body(line, item=big.pk), format="json")
    assert over.status_code == 400 and "item" in over.json()


def test_other_tenants_ids_are_404_and_nothing_changes(worlds, api_client_for, hr_a, tenant_b):
    line, theirs = worlds
    hr = api_client_for(hr_a)
    proposal, entry = theirs["proposal"], theirs["entry"]
    assert hr.get(f"{T}/point-proposals/{proposal.pk}/").status_code == 404
    assert hr.post(f"{T}/point-proposals/{proposal.pk}/reject/", {"lock_version": 2, "reason": "x"},
                   format="json").status_code == 404  # fmt: skip
    assert hr.get(f"{T}/point-ledger/{entry.pk}/").status_code == 404
    assert hr.post(f"{T}/point-ledger/", {"corrects": entry.pk, "points": "1", "reason": "x"},
                   format="json").status_code == 404  # fmt: skip
    assert hr.get(f"{T}/point-items/{theirs['line'].item.pk}/").status_code == 404
    manager = api_client_for(line.users["manager"])
    foreign = body(line, subject_employee=theirs["line"].staff.pk)
    assert manager.post(f"{T}/point-proposals/", foreign, format="json").status_code == 404
    with tenant_scope(tenant_b):
        assert PointProposal.objects.get().lock_version == 2
        assert PointLedgerEntry.objects.count() == 1


def test_items_crud_is_hr_only(worlds, api_client_for, hr_a):
    line, _ = worlds
    hr, manager = api_client_for(hr_a), api_client_for(line.users["manager"])
    new = {"name": "Shares key data", "points": "2", "levels": ["L3"], "job_families": []}
    assert manager.post(f"{T}/point-items/", new, format="json").status_code == 403
    made = hr.post(f"{T}/point-items/", new, format="json")
    assert made.status_code == 201, made.json()
    url = f"{T}/point-items/{made.json()['id']}/"
    assert hr.patch(url, {"points": "-3"}, format="json").status_code == 400  # no lock_version
    patched = hr.patch(url, {"points": "-3", "lock_version": 1}, format="json")
    assert patched.status_code == 200 and patched.json()["points"] == "-3.00"
    assert hr.patch(url, {"points": "0", "lock_version": 2}, format="json").status_code == 400
    assert manager.get(url).status_code == 200
    assert hr.delete(f"{url}?lock_version=1").status_code == 409
    assert hr.delete(f"{url}?lock_version=2").status_code == 204
    used = f"{T}/point-items/{line.item.pk}/"
    manager_made = manager.post(f"{T}/point-proposals/", body(line), format="json")
    assert manager_made.status_code == 201
    assert hr.delete(f"{used}?lock_version=1").status_code == 400


def test_ledger_is_read_only_and_hr_corrects_it(worlds, api_client_for, hr_a, tenant_a):
    line, _ = worlds
    with tenant_scope(tenant_a):
        made = point_proposal_create(actor=None, proposer=line.manager, data=proposal_data(line))
        point_proposal_approve(actor=None, approver=line.director, proposal=made, lock_version=1)
        entry = PointLedgerEntry.objects.get()
    hr, staff = api_client_for(hr_a), api_client_for(line.users["staff"])
    url = f"{T}/point-ledger/{entry.pk}/"
    assert hr.put(url, {"points": "5"}, format="json").status_code == 405
    assert hr.delete(url).status_code == 405
    assert staff.get(url).status_code == 200  # their own entry
    assert api_client_for(line.users["peer"]).get(url).status_code == 404  # not theirs
    correction = {"corrects": entry.pk, "points": "-2", "reason": "Counted twice"}
    assert staff.post(f"{T}/point-ledger/", correction, format="json").status_code == 403
    made = hr.post(f"{T}/point-ledger/", correction, format="json")
    assert made.status_code == 201 and made.json()["corrects"] == entry.pk
    assert hr.post(f"{T}/point-ledger/", {**correction, "id": 5}, format="json").status_code == 400
    assert len(hr.get(f"{T}/point-ledger/?year={line.period.year}").json()["results"]) == 2


def test_lists_keep_a_constant_number_of_queries(worlds, api_client_for, hr_a, tenant_a,
                                                 django_assert_max_num_queries):  # fmt: skip
    line, _ = worlds
    hr = api_client_for(hr_a)
    with tenant_scope(tenant_a):
        for index in range(4):
            item = PointItemFactory(name=f"Item {index}", points=Decimal("1"))
            cited = [
                EventFactory(from_unit=line.team, to_unit=line.dept, occurred_at=in_period(line))
                for _ in range(2)
            ]
            made = point_proposal_create(
                actor=None, proposer=line.manager, data=proposal_data(line, item=item, evidence_events=cited)
            )
            point_proposal_approve(actor=None, approver=line.director, proposal=made, lock_version=1)
    for url in ("point-items/", "point-proposals/?box=all", "point-ledger/"):
        with django_assert_max_num_queries(8, info=url):
            response = hr.get(f"{T}/{url}")
        assert response.status_code == 200 and len(response.json()["results"]) >= 4


# ------------------------------------------------------------------------------------------- evidence


def in_period(line, month: int = 3) -> dt.datetime:
    return dt.datetime(line.period.year, month, 2, 9, 0, tzinfo=dt.UTC)


def test_a_proposal_cites_events_and_answers_them(worlds, api_client_for, tenant_a, tenant_b):
    line, theirs = worlds
    with tenant_scope(tenant_a):
        sales = OrgUnitFactory(name="Sales")
        cited = [
            EventFactory(from_unit=line.team, to_unit=sales, occurred_at=in_period(line, month))
            for month in (3, 4)
        ]
        later = dt.datetime(line.period.year + 1, 1, 5, tzinfo=dt.UTC)
        elsewhere = EventFactory(from_unit=sales, to_unit=line.team, occurred_at=later)
        unseen = EventFactory(from_unit=sales, to_unit=line.dept, occurred_at=in_period(line))
    with tenant_scope(tenant_b):
        foreign = EventFactory(from_unit=theirs["line"].team, to_unit=theirs["line"].dept)
    manager = api_client_for(line.users["manager"])
    url = f"{T}/point-proposals/"
    sent = body(line, evidence_link="", evidence_events=[event.pk for event in cited])
    made = manager.post(url, sent, format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["evidence_events"] == [cited[0].pk, cited[1].pk]
    director = api_client_for(line.users["director"])
    assert director.get(f"{url}{made.json()['id']}/").json()["evidence_events"] == [cited[0].pk, cited[1].pk]
    # Another tenant's event, or one the manager may not read: the same 404, naming the field.
    for missing in (foreign.pk, unseen.pk, 10**15):
        answer = manager.post(url, body(line, evidence_events=[cited[0].pk, missing]), format="json")
        assert answer.status_code == 404 and "evidence_events" in answer.json(), missing
    # One the manager reads but not in the period: 400 naming the field.
    outside = manager.post(url, body(line, evidence_events=[elsewhere.pk]), format="json")
    assert outside.status_code == 400 and "evidence_events" in outside.json()
    for bad in (["1"], "1", [True], list(range(1, 23))):
        answer = manager.post(url, body(line, evidence_events=bad), format="json")
        assert answer.status_code == 400 and "evidence_events" in answer.json(), bad
    none = manager.post(url, body(line, evidence_link=""), format="json")
    assert none.status_code == 400 and "evidence" in none.json()
    with tenant_scope(tenant_a):
        assert PointProposal.objects.count() == 1


def upload(name="minutes.pdf", data=b"%PDF-1.4 minutes"):
    return {"file": SimpleUploadedFile(name, data, content_type="application/pdf")}


def test_the_proposer_uploads_the_attachment_and_readers_get_it(worlds, api_client_for, tenant_a, hr_a):
    line, theirs = worlds
    manager, director = api_client_for(line.users["manager"]), api_client_for(line.users["director"])
    proposal = manager.post(f"{T}/point-proposals/", body(line), format="json").json()
    evidence = f"{T}/point-proposals/{proposal['id']}/evidence/"
    assert manager.get(evidence).status_code == 404  # nothing attached yet
    sent = manager.post(evidence, upload(), format="multipart")
    assert sent.status_code == 200, sent.json()
    assert sent.json()["evidence_file_name"] == "minutes.pdf" and sent.json()["lock_version"] == 2
    for reader in (manager, director, api_client_for(hr_a)):
        got = reader.get(evidence)
        assert got.status_code == 200 and got.content == b"%PDF-1.4 minutes"
        assert got["Content-Type"] == "application/octet-stream"
        assert "attachment" in got["Content-Disposition"]
    assert director.get(evidence, HTTP_ACCEPT="application/octet-stream").status_code == 200
    assert api_client_for(line.users["staff"]).get(evidence).status_code == 404  # may not read the proposal
    for payload, field in (
        (upload(name="big.pdf", data=b"x" * (5 * 1024 * 1024 + 1)), "file"),
        (upload(name="tool.exe", data=b"MZ"), "file"),
        (upload(data=b""), "file"),
        ({}, "file"),
        ({"file": "not a file"}, "file"),
    ):
        refused = manager.post(evidence, payload, format="multipart")
        assert refused.status_code == 400 and field in refused.json(), payload
    assert manager.post(evidence, {"file": 1}, format="json").status_code == 415
    assert director.post(evidence, upload(), format="multipart").json().keys() >= {"proposer"}
    director.post(f"{T}/point-proposals/{proposal['id']}/approve/", {"lock_version": 2}, format="json")
    late = manager.post(evidence, upload(name="late.pdf"), format="multipart")
    assert late.status_code == 400 and "status" in late.json()
    assert manager.get(evidence).content == b"%PDF-1.4 minutes"
    their = f"{T}/point-proposals/{theirs['proposal'].pk}/evidence/"
    hr = api_client_for(hr_a)
    assert hr.get(their).status_code == 404
    assert hr.post(their, upload(), format="multipart").status_code == 404
