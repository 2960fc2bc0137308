"""Isolation samples of bonus and penalty points (see the isolation contract in the shared brief): a
reporting line with an item, an approved proposal and its ledger entry, an open proposal with an
attachment and a cited collaboration event, and a project lead."""

from __future__ import annotations

import datetime as dt

from feedback.models import PointEvidence, PointLedgerEntry
from feedback.services.points.proposals import point_proposal_approve, point_proposal_create
from tests.factories.feedback_events import EventFactory
from tests.factories.feedback_points import PointProjectLeadFactory, build_line, proposal_data

ORDER = 71


def build(tenant, objects: dict) -> dict:
    line = build_line(tenant, prefix=f"iso-{tenant.slug}-")
    approved = point_proposal_create(actor=None, proposer=line.manager, data=proposal_data(line))
    point_proposal_approve(actor=None, approver=line.director, proposal=approved, lock_version=1)
    cited = EventFactory(
        from_unit=line.team, to_unit=line.dept, to_employee=line.peer,
        occurred_at=dt.datetime(line.period.year, 3, 2, 9, tzinfo=dt.UTC),
    )  # fmt: skip
    pending = point_proposal_create(
        actor=None, proposer=line.manager,
        data=proposal_data(line, subject_employee=line.peer, evidence_events=[cited]),
    )  # fmt: skip
    PointEvidence.objects.create(
        proposal=pending, name="minutes.txt", content_type="text/plain", size=2, data=b"hi"
    )
    return {
        "point_item": line.item,
        "point_proposal": pending,
        "point_entry": PointLedgerEntry.objects.get(proposal=approved),
        "point_lead": PointProjectLeadFactory(employee=line.peer, project="Isolation project"),
    }


ROUTE_KWARGS = {
    "point-proposal-detail": lambda o: {"pk": o["point_proposal"].pk},
    "point-proposal-approve": lambda o: {"pk": o["point_proposal"].pk},
    "point-proposal-reject": lambda o: {"pk": o["point_proposal"].pk},
    "point-proposal-evidence": lambda o: {"pk": o["point_proposal"].pk},
    "point-item-edit": lambda o: {"pk": o["point_item"].pk},
    "point-lead-remove": lambda o: {"pk": o["point_lead"].pk},
    "point-ledger-correct": lambda o: {"pk": o["point_entry"].pk},
}

API_DETAIL = {
    "api-point-item": "point_item",
    "api-point-proposal": "point_proposal",
    "api-point-ledger": "point_entry",
}
