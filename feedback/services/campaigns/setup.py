"""Setting up a review campaign while it is a draft: its header (name, template, period, frequency, deadline,
comment minimum, 360 role weights), its subjects (units, or people for a 360) and its rater rules.

Subjects and rules are given as whole lists and replace the stored ones (like a template's dimensions). A
subject is {"org_unit": OrgUnit | None, "employee": Employee | None}; a rule is {"subject_unit",
"subject_employee" (the rated subject it is for, None: every subject), "rater_role", "rater_unit",
"include_sub_units", "rater_employee"}. Errors are keyed "subjects-<i>-<field>" and "rules-<i>-<field>"
(index from 0), "subjects" / "rules" for the whole list. Only a draft may change (launched campaigns keep
their subjects and rules frozen); a stale `lock_version` is a 409.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from collab.audit import audit_record, snapshot
from collab.concurrency import (
    UNSET,
    changed_fields,
    editor,
    field_values,
    lock_for_delete,
    lock_for_edit,
    mark_edited,
)
from collab.models import Period
from feedback.models import CampaignSubject, RaterRule, ReviewCampaign, ReviewKind
from feedback.services.campaigns.checks import (
    header_clean,
    refuse_unless_draft,
    rules_clean,
    subjects_clean,
    weights_check,
)


def _write_lists(campaign: ReviewCampaign, subjects: list[dict] | None, rules: list[dict] | None) -> None:
    if subjects is not None:
        RaterRule.objects.filter(campaign=campaign).delete()
        CampaignSubject.objects.filter(campaign=campaign).delete()
        CampaignSubject.objects.bulk_create(
            [
                CampaignSubject(campaign=campaign, org_unit=s["org_unit"], employee=s["employee"])
                for s in subjects
            ]
        )
    if rules is not None:
        RaterRule.objects.filter(campaign=campaign).delete()
        by_unit = {
            s.org_unit_id: s for s in CampaignSubject.objects.filter(campaign=campaign) if s.org_unit_id
        }
        by_person = {
            s.employee_id: s for s in CampaignSubject.objects.filter(campaign=campaign) if s.employee_id
        }
        RaterRule.objects.bulk_create([
            RaterRule(
                campaign=campaign,
                subject=(by_unit.get(r["subject_unit"].pk) if r["subject_unit"] is not None
                         else by_person.get(r["subject_employee"].pk) if r["subject_employee"] is not None
                         else None),
                rater_role=r["rater_role"], rater_unit=r["rater_unit"],
                include_sub_units=r["include_sub_units"], rater_employee=r["rater_employee"],
            )
            for r in rules
        ])  # fmt: skip


def stored_subjects(campaign: ReviewCampaign) -> list[dict[str, Any]]:
    return [
        {"org_unit": s.org_unit, "employee": s.employee}
        for s in CampaignSubject.objects.filter(campaign=campaign)
        .select_related("org_unit", "employee")
        .order_by("id")
    ]


def stored_rules(campaign: ReviewCampaign) -> list[dict[str, Any]]:
    rules = (
        RaterRule.objects.filter(campaign=campaign)
        .select_related("subject__org_unit", "subject__employee", "rater_unit", "rater_employee")
        .order_by("id")
    )
    return [
        {
            "subject_unit": r.subject.org_unit if r.subject_id else None,
            "subject_employee": r.subject.employee if r.subject_id else None,
            "rater_role": r.rater_role, "rater_unit": r.rater_unit,
            "include_sub_units": r.include_sub_units, "rater_employee": r.rater_employee,
        }
        for r in rules
    ]  # fmt: skip


def _ids(rows: list[dict]) -> list[tuple]:
    return [tuple((k, getattr(v, "pk", v)) for k, v in sorted(row.items())) for row in rows]


def campaign_snapshot(campaign: ReviewCampaign) -> dict[str, Any]:
    """What the audit log keeps of a campaign's set-up (ids; never ratings)."""
    data = snapshot(
        campaign,
        fields=["name", "template", "kind", "period", "frequency", "deadline", "comment_minimum",
                "role_weights", "status"],
    ) or {}  # fmt: skip
    data["subjects"] = [[k, v] for row in _ids(stored_subjects(campaign)) for k, v in row if v is not None]
    data["rules"] = [dict(row) for row in _ids(stored_rules(campaign))]
    return data


def _saved(save):
    try:
        with transaction.atomic():
            return save()
    except IntegrityError:
        raise ValidationError(
            {"name": _("A campaign with this name exists in this period already.")}
        ) from None


def _refuse_same_name(name: str, period: Period, *, campaign: ReviewCampaign | None = None) -> None:
    clash = ReviewCampaign.objects.filter(period=period, name__iexact=name)
    if campaign is not None:
        clash = clash.exclude(pk=campaign.pk)
    if clash.exists():
        raise ValidationError({"name": _("A campaign with this name exists in this period already.")})


def _collect(errors: dict, check):
    try:
        return check()
    except ValidationError as invalid:
        errors.update(invalid.message_dict)
        return None


@transaction.atomic
def campaign_create(
    *, actor, data: Mapping[str, Any], subjects: Sequence[Mapping] = (), rules: Sequence[Mapping] = ()
) -> ReviewCampaign:
    """A new draft campaign with its subjects and rater rules."""
    errors: dict[str, list[str]] = {}
    header = _collect(errors, lambda: header_clean(data, partial=False, current=None)) or {}
    kind = header.get("kind", ReviewKind.INTERNAL_CUSTOMER)
    if header:
        _collect(errors, lambda: weights_check(kind, header["role_weights"]))
    clean_subjects = _collect(errors, lambda: subjects_clean(kind, subjects)) or []
    clean_rules = _collect(errors, lambda: rules_clean(kind, rules, clean_subjects)) if not errors else None
    if errors:
        raise ValidationError(errors)
    _refuse_same_name(header["name"], header["period"])
    campaign = _saved(lambda: ReviewCampaign.objects.create(
        **header, created_by=editor(actor), updated_by=editor(actor)
    ))  # fmt: skip
    _write_lists(campaign, clean_subjects, clean_rules or [])
    audit_record(
        actor=actor, action="review_campaign.create", obj=campaign, after=campaign_snapshot(campaign)
    )
    return campaign


@transaction.atomic
def campaign_update(
    *,
    actor,
    campaign: ReviewCampaign,
    lock_version: Any,
    data: Mapping[str, Any],
    subjects: Sequence[Mapping] | object = UNSET,
    rules: Sequence[Mapping] | object = UNSET,
) -> ReviewCampaign:
    """Correct a draft: the header fields in `data` and, when given, the whole list of subjects or of rules
    (new subjects without new rules keep the rules that still name a listed subject). A save that changes
    nothing writes nothing."""
    current = lock_for_edit(ReviewCampaign, campaign, lock_version)
    refuse_unless_draft(current)
    errors: dict[str, list[str]] = {}
    header = _collect(errors, lambda: header_clean(data, partial=True, current=current)) or {}
    kind = header.get("kind", current.kind)
    if "deadline" in data and "deadline" in errors and data.get("deadline") == current.deadline:
        errors.pop("deadline")  # an unchanged deadline that has passed may stay on a draft
    weights = header.get("role_weights", current.role_weights if kind == current.kind else {})
    if not errors:
        _collect(errors, lambda: weights_check(kind, weights))
    old_subjects = stored_subjects(current)
    new_subjects = old_subjects
    if subjects is not UNSET:
        new_subjects = _collect(errors, lambda: subjects_clean(kind, subjects)) or []  # type: ignore[arg-type]
    elif kind != current.kind:
        new_subjects = _collect(errors, lambda: subjects_clean(kind, old_subjects)) or []
    old_rules = stored_rules(current)
    new_rules = old_rules
    if not errors:
        if rules is not UNSET:
            new_rules = _collect(errors, lambda: rules_clean(kind, rules, new_subjects))  # type: ignore[arg-type]
        else:
            listed = {
                ("u", s["org_unit"].pk) if s["org_unit"] else ("e", s["employee"].pk) for s in new_subjects
            }
            kept = [r for r in old_rules
                    if (r["subject_unit"] is None or ("u", r["subject_unit"].pk) in listed)
                    and (r["subject_employee"] is None
                         or ("e", r["subject_employee"].pk) in listed)]  # fmt: skip
            new_rules = _collect(errors, lambda: rules_clean(kind, kept, new_subjects))
    if errors:
        raise ValidationError(errors)
    if "name" in header or "period" in header:
        _refuse_same_name(
            header.get("name", current.name), header.get("period", current.period), campaign=current
        )
    before_values = field_values(current)
    before = campaign_snapshot(current)
    for field, value in header.items():
        setattr(current, field, value)
    if kind != ReviewKind.REVIEW_360:
        current.role_weights = {}
    changed = changed_fields(current, before_values)
    subjects_changed = _ids(new_subjects) != _ids(old_subjects)
    rules_changed = _ids(new_rules or []) != _ids(old_rules)
    if not changed and not subjects_changed and not rules_changed:
        return current
    columns = mark_edited(current, actor)
    _saved(lambda: current.save(update_fields=[*changed, *columns]))
    if subjects_changed:
        _write_lists(current, new_subjects, new_rules or [])
    elif rules_changed:
        _write_lists(current, None, new_rules or [])
    after = campaign_snapshot(current)
    audit_record(actor=actor, action="review_campaign.update", obj=current, before=before, after=after)
    return current


@transaction.atomic
def campaign_delete(*, actor, campaign: ReviewCampaign, lock_version: Any = UNSET) -> None:
    """Delete a draft (a launched campaign is kept: it has raters and may have ratings)."""
    current = lock_for_delete(ReviewCampaign, campaign, lock_version)
    refuse_unless_draft(current)
    before = campaign_snapshot(current)
    pk = current.pk
    current.delete()
    audit_record(
        actor=actor, action="review_campaign.delete", object_type="feedback.reviewcampaign", object_id=pk,
        object_repr=before.get("name", ""), before=before,
    )  # fmt: skip
