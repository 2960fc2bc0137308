"""Point pages: a manager proposes (with an attachment) and the director approves in the page, the proposer
sees no decision forms and is refused, a stale approval answers 409, HR's catalog, settings, ledger,
corrections, totals and export, "My points", constant queries. Tenant B is in the room."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from collab.tenancy import tenant_scope
from feedback.models import PointItem, PointLedgerEntry, PointProposal, PointSettings, ProposalStatus
from feedback.services.points.proposals import point_proposal_approve, point_proposal_create
from tests.factories.feedback_events import EventFactory
from tests.factories.feedback_points import PointItemFactory, build_line, proposal_data
from tests.factories.org import OrgUnitFactory

pytestmark = pytest.mark.django_db

P = "/t/alpha/feedback/points"


@pytest.fixture
def line(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        build_line(tenant_b, prefix="b-")
    with tenant_scope(tenant_a):
        return build_line(tenant_a)


@pytest.fixture
def theirs(tenant_b):
    with tenant_scope(tenant_b):
        return build_line(tenant_b, prefix="c-")


def approved(line, tenant, **overrides):
    with tenant_scope(tenant):
        made = point_proposal_create(actor=None, proposer=line.manager, data=proposal_data(line, **overrides))
        return point_proposal_approve(actor=None, approver=line.director, proposal=made, lock_version=1)


def test_a_manager_proposes_and_the_director_approves_in_the_page(line, client, login, tenant_a):
    login(line.users["manager"])
    form = client.get(f"{P}/proposals/new/")
    assert form.status_code == 200
    posted = client.post(f"{P}/proposals/new/", {
        "subject_kind": "employee", "subject_employee": line.staff.pk, "item": line.item.pk,
        "period": line.period.pk, "proposer_role": "line_manager", "reason": "Helped sales close",
        "evidence_link": "https://tickets.example.com/42",
        "evidence_file": SimpleUploadedFile("notes.txt", b"notes", content_type="text/plain"),
    })  # fmt: skip
    assert posted.status_code == 302, posted.content.decode()[:3000]
    with tenant_scope(tenant_a):
        proposal = PointProposal.objects.get()
    detail = client.get(posted["Location"])
    assert b'id="approve-form"' not in detail.content  # the proposer decides nothing
    refused = client.post(f"{P}/proposals/{proposal.pk}/approve/", {"lock_version": 1})
    assert refused.status_code == 400
    download = client.get(f"{P}/proposals/{proposal.pk}/evidence/")
    assert download.status_code == 200 and download.content == b"notes"
    assert "attachment" in download["Content-Disposition"]

    login(line.users["director"])
    listed = client.get(f"{P}/proposals/?box=to_decide")
    assert f'data-proposal="{proposal.pk}"'.encode() in listed.content
    page = client.get(f"{P}/proposals/{proposal.pk}/")
    assert b'id="approve-form"' in page.content
    stale = client.post(f"{P}/proposals/{proposal.pk}/approve/", {"lock_version": 5})
    assert stale.status_code == 409
    done = client.post(f"{P}/proposals/{proposal.pk}/approve/", {"lock_version": 1, "reason": "Well done"})
    assert done.status_code == 302
    again = client.post(f"{P}/proposals/{proposal.pk}/approve/", {"lock_version": 1})
    assert again.status_code == 302  # the double click answers the same state
    with tenant_scope(tenant_a):
        assert PointLedgerEntry.objects.count() == 1
        assert PointProposal.objects.get().status == ProposalStatus.APPROVED


def test_reject_needs_a_reason_in_the_page(line, client, login, tenant_a):
    with tenant_scope(tenant_a):
        proposal = point_proposal_create(actor=None, proposer=line.manager, data=proposal_data(line))
    login(line.users["director"])
    empty = client.post(
        f"{P}/proposals/{proposal.pk}/reject/", {"reject-lock_version": 1, "reject-reason": ""}
    )
    assert empty.status_code == 400
    done = client.post(
        f"{P}/proposals/{proposal.pk}/reject/", {"reject-lock_version": 1, "reject-reason": "No"}
    )
    assert done.status_code == 302
    with tenant_scope(tenant_a):
        assert PointProposal.objects.get().status == ProposalStatus.REJECTED


def test_proposal_form_errors_are_field_errors(line, client, login):
    login(line.users["manager"])
    answer = client.post(f"{P}/proposals/new/", {
        "subject_kind": "employee", "subject_employee": line.manager.pk, "item": line.item.pk,
        "period": line.period.pk, "proposer_role": "line_manager", "reason": "",
    })  # fmt: skip
    assert answer.status_code == 400
    assert answer.context["form"].errors.keys() >= {"reason"}


def test_my_points_and_the_home_tile(line, client, login, tenant_a):
    approved(line, tenant_a)
    login(line.users["staff"])
    mine = client.get(f"{P}/mine/?year={line.period.year}")
    assert mine.status_code == 200 and mine.context["mine"]["total"] == Decimal("2")
    home = client.get("/t/alpha/")
    assert home.status_code == 200 and "points" in home.context


def test_hr_pages(line, client, login, hr_a, tenant_a):
    approved(line, tenant_a)
    approved(line, tenant_a, subject_employee=None, subject_unit=line.team)
    login(hr_a)
    for url in ("/items/", "/items/new/", "/settings/", f"/ledger/?year={line.period.year}",
                f"/totals/?year={line.period.year}", f"/totals/?year={line.period.year}&by=unit",
                "/proposals/?box=all"):  # fmt: skip
        assert client.get(f"{P}{url}").status_code == 200, url
    made = client.post(f"{P}/items/new/", {"name": "Shares data", "points": "+2", "levels": "L3, L4",
                                           "job_families": "", "is_active": "on"})  # fmt: skip
    assert made.status_code == 302
    zero = client.post(f"{P}/items/new/", {"name": "Zero", "points": "0"})
    assert zero.status_code == 400 and "points" in zero.context["form"].errors
    with tenant_scope(tenant_a):
        item = PointItem.objects.get(name="Shares data")
        entry = PointLedgerEntry.objects.filter(employee__isnull=False).get()
    edit = client.post(
        f"{P}/items/{item.pk}/edit/", {"name": "Shares data", "points": "3", "lock_version": 9}
    )
    assert edit.status_code == 409
    saved = client.post(f"{P}/settings/", {"form": "settings", "manager_cap": "12", "project_lead_cap": "4",
                                          "second_approval": "on", "lock_version": 1})  # fmt: skip
    assert saved.status_code == 302
    lead = client.post(f"{P}/settings/", {"form": "lead", "employee": line.peer.pk, "project": "Launch"})
    assert lead.status_code == 302
    corrected = client.post(f"{P}/ledger/{entry.pk}/correct/", {"points": "-2", "reason": "Counted twice"})
    assert corrected.status_code == 302
    with tenant_scope(tenant_a):
        assert PointSettings.objects.get().second_approval is True
        assert PointLedgerEntry.objects.filter(corrects=entry).exists()
    export = client.get(f"{P}/totals/export/?year={line.period.year}&by=employee")
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "Rank" and rows[1][2] == line.staff.name and rows[1][6] == 0  # +2 then −2
    units = openpyxl.load_workbook(io.BytesIO(client.get(
        f"{P}/totals/export/?year={line.period.year}&by=unit", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content)).active  # fmt: skip
    assert list(units.values)[1][2] == line.team.name


def test_roles_that_may_not(line, client, login, tenant_a):
    login(line.users["staff"])
    for url in ("/items/new/", "/settings/", "/ledger/", "/totals/", "/totals/export/"):
        assert client.get(f"{P}{url}").status_code == 403, url


def test_pages_keep_a_constant_number_of_queries(line, client, login, hr_a, tenant_a,
                                                 django_assert_max_num_queries):  # fmt: skip
    for index in range(5):
        with tenant_scope(tenant_a):
            item = PointItemFactory(name=f"Item {index}", points=Decimal("1"))
        approved(line, tenant_a, item=item)
    login(hr_a)
    for url in ("/items/", "/proposals/?box=all", f"/ledger/?year={line.period.year}",
                f"/totals/?year={line.period.year}"):  # fmt: skip
        with django_assert_max_num_queries(22, info=url):
            assert client.get(f"{P}{url}").status_code == 200


# ------------------------------------------------------------------------------------------- evidence


def in_period(line, month: int = 3) -> dt.datetime:
    return dt.datetime(line.period.year, month, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def events(line, tenant_a):
    with tenant_scope(tenant_a):
        sales = OrgUnitFactory(name="Sales")
        return {
            "staff": EventFactory(
                title="Staff answered sales", from_unit=line.team, to_unit=sales, from_employee=line.staff,
                occurred_at=in_period(line), due_at=in_period(line, 4), done_at=in_period(line, 5),
            ),
            "team": EventFactory(title="Team meeting", kind="meeting", from_unit=sales, to_unit=line.team,
                                 occurred_at=in_period(line, 6)),
            "other": EventFactory(title="Sales and the department", from_unit=sales, to_unit=line.dept,
                                  occurred_at=in_period(line)),
        }  # fmt: skip


def test_the_form_lists_the_subjects_events_to_cite(line, events, client, login,
                                                    django_assert_max_num_queries):  # fmt: skip
    login(line.users["manager"])
    url = f"{P}/proposals/new/events/"
    empty = client.get(url)
    assert empty.status_code == 200 and b'id="evidence-events-wait"' in empty.content
    person = {"subject_kind": "employee", "subject_employee": line.staff.pk, "period": line.period.pk}
    with django_assert_max_num_queries(12):
        listed = client.get(url, person, HTTP_HX_REQUEST="true")
    assert listed.status_code == 200
    assert [e.pk for e in listed.context["choices"]["events"]] == [events["team"].pk, events["staff"].pk]
    assert b"<html" not in listed.content and b'data-timeliness="late"' in listed.content
    searched = client.get(url, {**person, "evidence_q": "meeting", "evidence_events": [events["staff"].pk]})
    assert [e.pk for e in searched.context["choices"]["events"]] == [events["staff"].pk, events["team"].pk]
    assert f'value="{events["staff"].pk}" id="evidence-event-{events["staff"].pk}" checked'.encode() in (
        searched.content
    )
    unit = client.get(url, {"subject_kind": "unit", "subject_unit": line.dept.pk, "period": line.period.pk})
    assert unit.status_code == 200  # the department's event is outside the manager's sight
    assert b'id="evidence-events-none"' in unit.content and b"data-event" not in unit.content


def test_the_events_list_refuses_another_tenants_ids(line, theirs, client, login):
    login(line.users["manager"])
    url = f"{P}/proposals/new/events/"
    for query in (
        {"subject_employee": theirs.staff.pk, "period": line.period.pk},
        {"subject_kind": "unit", "subject_unit": theirs.team.pk, "period": line.period.pk},
        {"subject_employee": line.staff.pk, "period": theirs.period.pk},
    ):
        assert client.get(url, query).status_code == 404, query


def test_a_manager_cites_events_and_the_director_sees_them(line, events, client, login, tenant_a,
                                                           django_assert_max_num_queries):  # fmt: skip
    login(line.users["manager"])
    form = {
        "subject_kind": "employee", "subject_employee": line.staff.pk, "item": line.item.pk,
        "period": line.period.pk, "proposer_role": "line_manager", "reason": "Answered sales at once",
    }  # fmt: skip
    bare = client.post(f"{P}/proposals/new/", form)
    assert bare.status_code == 400 and bare.context["form"].non_field_errors()  # a reason and evidence
    wrong = client.post(f"{P}/proposals/new/", {**form, "evidence_events": [events["other"].pk]})
    assert wrong.status_code == 400 and "evidence_events" in wrong.context["form"].errors
    malformed = client.post(f"{P}/proposals/new/", {**form, "evidence_events": ["x"]})
    assert malformed.status_code == 400 and "evidence_events" in malformed.context["form"].errors
    cited = [events["staff"].pk, events["team"].pk]
    made = client.post(f"{P}/proposals/new/", {**form, "evidence_events": cited})
    assert made.status_code == 302
    with tenant_scope(tenant_a):
        proposal = PointProposal.objects.get()
        assert set(proposal.evidence_events.values_list("pk", flat=True)) == set(cited)
    login(line.users["director"])
    with django_assert_max_num_queries(22):
        page = client.get(f"{P}/proposals/{proposal.pk}/")
    assert [e.pk for e in page.context["cited"]["events"]] == [events["staff"].pk, events["team"].pk]
    assert f'href="/t/alpha/feedback/events/{events["staff"].pk}/"'.encode() in page.content
    assert b'id="approve-form"' in page.content
