"""Evidence of a point proposal (a reason and evidence, seed 000 §三.2.1): an attachment (`PointEvidence`, at
most 5 MB, a document, spreadsheet, presentation, image or zip file), a link (http or https), and events
cited from the collaboration event log (`evidence_events`, at most `MAX_CITED_EVENTS`: events of the subject
in the period that the proposer may read, `feedback.selectors.point_events`). `point_proposal_create` takes
all three and requires one; the proposer may attach (or replace) the file while the proposal is pending
(`point_proposal_evidence_attach`, the API's upload) — a change the approver must see, so it moves the
proposal's `lock_version`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from collab.audit import audit_record
from collab.concurrency import mark_edited
from collab.models import Employee
from collab.routing.ids import parse_id
from collab.text import clean_text
from feedback.models import PointEvidence, PointProposal, ProposalStatus
from feedback.selectors.point_events import MAX_CITED_EVENTS, citable_events, proposer_event_reader

MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
# Evidence is minutes, tickets, documents, spreadsheets, screenshots: nothing to run. The download is always
# served as an attachment of type application/octet-stream, so the check is by the file's name.
EVIDENCE_EXTENSIONS = frozenset({
    ".pdf", ".txt", ".md", ".csv", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods",
    ".odp", ".rtf", ".eml", ".msg", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".zip",
})  # fmt: skip


def evidence_link_checked(value: Any) -> str:
    text = clean_text(value, 500)
    if text:
        try:
            URLValidator(schemes=["http", "https"])(text)
        except ValidationError:
            raise ValueError(_("Enter a web address starting with http:// or https://.")) from None
    return text


def evidence_file_read(upload) -> dict[str, Any] | None:
    if upload is None:
        return None
    size = getattr(upload, "size", 0) or 0
    if size > MAX_EVIDENCE_BYTES:
        raise ValueError(_("The attachment is larger than 5 MB."))
    try:
        name = clean_text(getattr(upload, "name", "") or "evidence", 200)
    except ValueError:
        name = "evidence"
    if os.path.splitext(name)[1].lower() not in EVIDENCE_EXTENSIONS:
        raise ValueError(
            _("Attach a document, a spreadsheet, a presentation, an image or a zip file (%(kinds)s).")
            % {"kinds": ", ".join(sorted(EVIDENCE_EXTENSIONS))}
        )
    data = b"".join(upload.chunks()) if hasattr(upload, "chunks") else bytes(upload.read())
    if len(data) > MAX_EVIDENCE_BYTES:  # a declared size may lie
        raise ValueError(_("The attachment is larger than 5 MB."))
    if not data:
        raise ValueError(_("The attachment is empty."))
    content_type = (getattr(upload, "content_type", "") or "application/octet-stream")[:100]
    return {"name": name or "evidence", "content_type": content_type, "size": len(data), "data": data}


def _event_ids(value: Any) -> list[int | None]:
    """The cited events' ids, in order and without repeats (objects or ids; a malformed id is None)."""
    if value is None:
        return []
    if isinstance(value, str | bytes | Mapping) or not hasattr(value, "__iter__"):
        raise ValueError(_("Give the events as a list."))
    ids: list[int | None] = []
    for event in value:
        pk = getattr(event, "pk", event)
        pk = None if isinstance(pk, bool) else parse_id(pk) if isinstance(pk, int | str) else None
        if pk is None or pk not in ids:
            ids.append(pk)
    return ids


def cited_event_ids(me: Employee, value: Any, *, person, unit, period) -> list[int]:
    """The ids of the cited events after the evidence rule (ValueError: what is wrong)."""
    ids = _event_ids(value)
    if len(ids) > MAX_CITED_EVENTS:
        raise ValueError(_("Cite at most %(n)d events.") % {"n": MAX_CITED_EVENTS})
    if not ids:
        return []
    citable = set(
        citable_events(
            reader=proposer_event_reader(me), person=person, unit=unit, period=period,
            ids=[pk for pk in ids if pk is not None],
        ).values_list("pk", flat=True)
    )  # fmt: skip
    if None in ids or not citable.issuperset(ids):
        raise ValueError(
            _("Cite only events of this employee or unit in the proposal's period that you may read.")
        )
    return ids



@transaction.atomic
def point_proposal_evidence_attach(
    *, actor, proposer: Employee | None, proposal: PointProposal, evidence_file
) -> PointProposal:
    """Attach `evidence_file` to `proposal` (replacing its attachment), by its proposer while nobody has
    decided it yet. The approver must see what they decide on, so this moves `lock_version`."""
    current = PointProposal.objects.select_for_update().filter(pk=getattr(proposal, "pk", None)).first()
    if current is None:
        raise PointProposal.DoesNotExist
    if proposer is None or proposer.pk != current.proposer_id:
        raise ValidationError({"proposer": [_("Only the proposer adds evidence to a proposal.")]})
    if current.status != ProposalStatus.PENDING:
        raise ValidationError({"status": [_("Evidence is added only while the proposal awaits approval.")]})
    if evidence_file is None:
        raise ValidationError({"file": [_("Choose a file.")]})
    try:
        upload = evidence_file_read(evidence_file)
    except ValueError as error:
        raise ValidationError({"file": [str(error)]}) from None
    previous = PointEvidence.objects.filter(proposal=current).values_list("name", flat=True).first() or ""
    PointEvidence.objects.filter(proposal=current).delete()
    PointEvidence.objects.create(proposal=current, **upload)
    current.save(update_fields=mark_edited(current, actor))
    audit_record(
        actor=actor, action="point_proposal.evidence", obj=current, before={"evidence_file_name": previous},
        after={"evidence_file_name": upload["name"]},
    )  # fmt: skip
    return current
