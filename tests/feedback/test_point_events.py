"""Events from the collaboration log as evidence of a point proposal: which may be cited (the subject's, in
the period, that the proposer reads; this tenant's), the rule "a reason and evidence", the proposer's
attachment while pending, and what an approver sees of the cited events. Tenant B is in the room."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from collab.models import AuditEvent
from collab.tenancy import tenant_scope
from feedback.models import PointEvidence, PointProposal, PointProposalEvent
from feedback.selectors.point_events import (
    MAX_CITED_EVENTS,
    NOTHING,
    cited_events,
    event_choices,
    proposer_event_reader,
)
from feedback.services.points.evidence import MAX_EVIDENCE_BYTES, point_proposal_evidence_attach
from feedback.services.points.proposals import point_proposal_approve, point_proposal_create
from tests.factories.feedback_events import EventFactory
from tests.factories.feedback_points import PointProjectLeadFactory, build_line, proposal_data
from tests.factories.org import EmployeeFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db


def moment(line, month: int = 3) -> dt.datetime:
    return dt.datetime(line.period.year, month, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def world(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        theirs = build_line(tenant_b, prefix="b-")
        their_event = EventFactory(from_unit=theirs.team, to_unit=theirs.dept, occurred_at=moment(theirs))
    with tenant_scope(tenant_a):
        line = build_line(tenant_a)
        sales = OrgUnitFactory(name="Sales")
        events = {
            "by_staff": EventFactory(
                title="Staff answered sales", from_unit=line.team, to_unit=sales, from_employee=line.staff,
                occurred_at=moment(line), due_at=moment(line, 4), done_at=moment(line, 4),
            ),
            "team": EventFactory(title="Team meeting with sales", kind="meeting", from_unit=sales,
                                 to_unit=line.team, occurred_at=moment(line, 5)),
            "elsewhere": EventFactory(title="Sales and the department", from_unit=sales, to_unit=line.dept,
                                      occurred_at=moment(line)),
            "next_year": EventFactory(title="Next year", from_unit=line.team, to_unit=sales,
                                      occurred_at=dt.datetime(line.period.year + 1, 2, 1, tzinfo=dt.UTC)),
        }  # fmt: skip
    return line, events, their_event, sales


def cite(line, *events, **overrides):
    return proposal_data(line, evidence_link="", evidence_events=list(events), **overrides)


def test_events_of_the_subject_in_the_period_are_cited(world, tenant_a):
    line, events, _theirs, _sales = world
    with tenant_scope(tenant_a):
        proposal = point_proposal_create(
            actor=None, proposer=line.manager, data=cite(line, events["team"], events["by_staff"].pk)
        )
        stored = set(PointProposalEvent.objects.filter(proposal=proposal).values_list("event_id", flat=True))
        assert stored == {events["team"].pk, events["by_staff"].pk}
        assert set(proposal.evidence_events.values_list("pk", flat=True)) == stored
        audit = AuditEvent.objects.filter(action="point_proposal.create").get()
        assert sorted(audit.after["evidence_events"]) == sorted(stored)


@pytest.mark.parametrize("which", ["elsewhere", "next_year"])
def test_events_outside_the_subject_or_the_period_are_refused(world, tenant_a, which):
    line, events, _theirs, _sales = world
    with tenant_scope(tenant_a):
        with pytest.raises(ValidationError) as refused:
            point_proposal_create(actor=None, proposer=line.manager, data=cite(line, events[which]))
        assert set(refused.value.message_dict) == {"evidence_events"}
        assert not PointProposal.objects.exists()


def test_another_tenants_event_or_a_malformed_id_is_refused(world, tenant_a):
    line, events, their_event, _sales = world
    with tenant_scope(tenant_a):
        for cited in ([their_event], [their_event.pk], ["x"], [True], "12"):
            data = proposal_data(line, evidence_link="", evidence_events=cited)
            with pytest.raises(ValidationError) as refused:
                point_proposal_create(actor=None, proposer=line.manager, data=data)
            assert "evidence_events" in refused.value.message_dict, cited
        assert not PointProposalEvent.objects.exists()


def test_events_the_proposer_may_not_read_are_refused(world, tenant_a):
    """A project lead (an employee, no manager) reads only the events naming them or their unit: the
    subject's other events are no evidence of theirs."""
    line, _events, _theirs, sales = world
    with tenant_scope(tenant_a):
        PointProjectLeadFactory(employee=line.peer)
        outsider = EmployeeFactory(name="Outsider", org_unit=sales)
        unseen = EventFactory(from_unit=sales, to_unit=line.dept, occurred_at=moment(line))
        seen = EventFactory(
            from_unit=sales, to_unit=line.team, to_employee=line.peer, occurred_at=moment(line)
        )
        data = {"subject_employee": outsider, "proposer_role": "project_lead"}
        assert proposer_event_reader(line.peer).employee == line.peer.pk
        with pytest.raises(ValidationError) as refused:
            point_proposal_create(actor=None, proposer=line.peer, data=cite(line, unseen, **data))
        assert set(refused.value.message_dict) == {"evidence_events"}
        made = point_proposal_create(actor=None, proposer=line.peer, data=cite(line, seen, **data))
        assert list(made.evidence_events.all()) == [seen]


def test_a_unit_proposal_cites_the_units_events(world, tenant_a):
    line, events, _theirs, _sales = world
    with tenant_scope(tenant_a):
        data = cite(line, events["team"], subject_employee=None, subject_unit=line.team)
        made = point_proposal_create(actor=None, proposer=line.manager, data=data)
        assert list(made.evidence_events.all()) == [events["team"]]
        with pytest.raises(ValidationError) as refused:  # the department's event is not the team's
            data = cite(line, events["elsewhere"], subject_employee=None, subject_unit=line.team)
            point_proposal_create(actor=None, proposer=line.manager, data=data)
        assert "evidence_events" in refused.value.message_dict


def test_a_reason_and_evidence(world, tenant_a):
    line, events, _theirs, _sales = world
    with tenant_scope(tenant_a):
        with pytest.raises(ValidationError) as refused:
            point_proposal_create(actor=None, proposer=line.manager, data=cite(line))
        assert set(refused.value.message_dict) == {"evidence"}
        upload = SimpleUploadedFile("minutes.pdf", b"%PDF-1.4", content_type="application/pdf")
        by_file = point_proposal_create(
            actor=None, proposer=line.manager, data=cite(line), evidence_file=upload
        )
        by_link = point_proposal_create(
            actor=None, proposer=line.manager, data=proposal_data(line, subject_employee=line.peer)
        )
        assert PointEvidence.objects.filter(proposal=by_file).exists() and by_link.evidence_link


def test_at_most_twenty_events(world, tenant_a):
    line, _events, _theirs, sales = world
    with tenant_scope(tenant_a):
        many = [
            EventFactory(from_unit=line.team, to_unit=sales, occurred_at=moment(line))
            for _ in range(MAX_CITED_EVENTS + 1)
        ]
        with pytest.raises(ValidationError) as refused:
            point_proposal_create(actor=None, proposer=line.manager, data=cite(line, *many))
        assert "evidence_events" in refused.value.message_dict
        made = point_proposal_create(
            actor=None, proposer=line.manager, data=cite(line, *many[:MAX_CITED_EVENTS], *many[:2])
        )
        assert made.evidence_events.count() == MAX_CITED_EVENTS  # repeats count once


def test_the_proposer_attaches_evidence_while_pending(world, tenant_a):
    line, _events, _theirs, _sales = world
    with tenant_scope(tenant_a):
        proposal = point_proposal_create(actor=None, proposer=line.manager, data=proposal_data(line))

        def attach(who, name="minutes.pdf", data=b"%PDF-1.4", target=proposal):
            upload = SimpleUploadedFile(name, data, content_type="application/pdf")
            return point_proposal_evidence_attach(
                actor=None, proposer=who, proposal=target, evidence_file=upload
            )

        saved = attach(line.manager)
        assert saved.lock_version == 2  # the approver must see what changed
        attach(line.manager, name="better.docx", data=b"docx")
        assert list(PointEvidence.objects.filter(proposal=proposal).values_list("name", flat=True)) == [
            "better.docx"
        ]
        for who, name, data, field in (
            (line.director, "minutes.pdf", b"x", "proposer"),
            (line.manager, "tool.exe", b"MZ", "file"),
            (line.manager, "big.pdf", b"x" * (MAX_EVIDENCE_BYTES + 1), "file"),
            (line.manager, "empty.pdf", b"", "file"),
        ):
            with pytest.raises(ValidationError) as refused:
                attach(who, name=name, data=data)
            assert set(refused.value.message_dict) == {field}, name
        point_proposal_approve(actor=None, approver=line.director, proposal=proposal, lock_version=3)
        with pytest.raises(ValidationError) as decided:
            attach(line.manager)
        assert set(decided.value.message_dict) == {"status"}
        assert PointEvidence.objects.get(proposal=proposal).name == "better.docx"


def test_the_form_lists_the_subjects_events_and_keeps_the_ticked_ones(
    world, tenant_a, django_assert_num_queries
):
    line, events, _theirs, _sales = world
    with tenant_scope(tenant_a):
        reader = proposer_event_reader(line.manager)
        subject = {"reader": reader, "person": line.staff, "unit": None, "period": line.period}
        with django_assert_num_queries(1):
            listed = event_choices(**subject)
        assert [e.pk for e in listed["events"]] == [events["team"].pk, events["by_staff"].pk]
        assert listed["events"][1].timeliness == "on_time"
        ticked = [events["by_staff"].pk, events["elsewhere"].pk]
        with django_assert_num_queries(2):
            searched = event_choices(**subject, q="meeting", ticked=ticked)
        assert [e.pk for e in searched["events"]] == [events["by_staff"].pk, events["team"].pk]
        assert searched["ticked"] == {events["by_staff"].pk}  # the department's event cannot be ticked
        assert not event_choices(**{**subject, "period": None})["ready"]


def test_an_approver_sees_the_cited_events_they_may_read(world, tenant_a):
    line, events, _theirs, _sales = world
    with tenant_scope(tenant_a):
        proposal = point_proposal_create(
            actor=None, proposer=line.manager, data=cite(line, events["team"], events["by_staff"])
        )
        shown = cited_events(proposal, proposer_event_reader(line.director))
        assert [e.pk for e in shown["events"]] == [events["by_staff"].pk, events["team"].pk]
        assert shown["hidden"] == 0
        assert cited_events(proposal, NOTHING) == {"events": [], "hidden": 2}

