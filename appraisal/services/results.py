"""Use of results (issue 11 point 7): development notes (training, rotation, mentoring, other) written by
the manager or HR on a released result; the next cycle's goal setting shows them. (The pay and bonus
export is a read: `appraisal.selectors.results.export_rows`.)"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from appraisal.access import Relation
from appraisal.audit import AppraisalAuditAction as Action
from appraisal.models import Appraisal, DevelopmentKind, DevelopmentNote
from appraisal.services.release import relations_of
from collab.audit import audit_record

TEXT_MAX = 4000


@transaction.atomic
def development_note_add(*, actor, appraisal: Appraisal, kind: str, text: str) -> DevelopmentNote:
    fresh = Appraisal.objects.select_related("employee", "manager").filter(pk=appraisal.pk).first()
    if fresh is None:
        raise Appraisal.DoesNotExist(f"Appraisal {appraisal.pk} does not exist")
    if not relations_of(actor, fresh) & {Relation.MANAGER, Relation.HR}:
        raise ValidationError({"appraisal": [_("Only the manager or HR writes development notes.")]})
    if fresh.released_at is None:
        raise ValidationError({"stage": [_("Development notes are written once the result is released.")]})
    text = (text or "").strip()
    errors = {}
    if kind not in DevelopmentKind.values:
        errors["kind"] = [_("Choose training, rotation, mentoring or other.")]
    if not text:
        errors["text"] = [_("Write the note.")]
    elif len(text) > TEXT_MAX:
        errors["text"] = [_("At most %(n)d characters.") % {"n": TEXT_MAX}]
    if errors:
        raise ValidationError(errors)
    note = DevelopmentNote.objects.create(
        appraisal=fresh, employee=fresh.employee, kind=kind, text=text, created_by=actor, updated_by=actor
    )
    audit_record(
        actor=actor,
        action=Action.DEVELOPMENT_NOTE,
        obj=fresh,
        object_repr=fresh.employee.name,
        after={"note": note.pk, "kind": kind},
    )
    return note
