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
from django.utils import timezone
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
from collab.models import Employee, OrgUnit, Period
from collab.text import clean_text
from feedback.models import (
    COMMENT_MINIMUM_DEFAULT,
    CampaignStatus,
    CampaignSubject,
    Frequency,
    RaterRole,
    RaterRule,
    ReviewCampaign,
    ReviewKind,
    ReviewTemplate,
)

MAX_SUBJECTS = 500
MAX_RULES = 500
# Roles whose raters follow from the rated person (their line manager, the people of their unit).
DERIVED_ROLES = frozenset({RaterRole.LINE_MANAGER, RaterRole.PEER})
HEADER_FIELDS = ("name", "template", "period", "frequency", "deadline", "comment_minimum", "role_weights")
RULE_FIELDS = (
    "subject_unit", "subject_employee", "rater_role", "rater_unit", "include_sub_units", "rater_employee",
)  # fmt: skip


def refuse_unless_draft(campaign: ReviewCampaign) -> None:
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError(
            {"status": _("This campaign has been launched: its subjects and rater rules are frozen.")}
        )


def _in_scope(model, value, key: str, errors: dict) -> Any:
    """`value` re-read in the tenant scope (an object or an id); missing or another tenant's: field error."""
    if value is None:
        return None
    pk = getattr(value, "pk", value)
    found = model.objects.filter(pk=pk).first() if isinstance(pk, int) and not isinstance(pk, bool) else None
    if found is None:
        errors.setdefault(key, []).append(_("Choose a valid option; that one does not exist."))
    return found


def _header(data: Mapping[str, Any], *, partial: bool, current: ReviewCampaign | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}

    def given(field: str) -> bool:
        return field in data or not partial

    if given("name"):
        try:
            out["name"] = clean_text(data.get("name"), 200)
        except ValueError as error:
            errors["name"] = [str(error)]
        else:
            if not out["name"]:
                errors["name"] = [_("This field is required.")]
    if given("template"):
        template = _in_scope(ReviewTemplate, data.get("template"), "template", errors)
        if template is None and "template" not in errors:
            errors["template"] = [_("This field is required.")]
        elif template is not None and not template.is_active:
            errors["template"] = [_("This template is inactive; choose an active one.")]
        elif template is not None:
            out["template"] = template
            out["kind"] = template.kind
    if given("period"):
        period = _in_scope(Period, data.get("period"), "period", errors)
        if period is None and "period" not in errors:
            errors["period"] = [_("This field is required.")]
        elif period is not None and period.is_closed:
            errors["period"] = [_("This period is closed; choose an open one.")]
        elif period is not None:
            out["period"] = period
    if given("frequency"):
        frequency = data.get("frequency", Frequency.ONCE)
        if frequency not in Frequency.values:
            errors["frequency"] = [_("Choose a valid option; that one does not exist.")]
        else:
            out["frequency"] = frequency
    if given("deadline"):
        deadline = data.get("deadline")
        if deadline is None:
            errors["deadline"] = [_("This field is required.")]
        elif timezone.is_naive(deadline):
            errors["deadline"] = [_("Give the deadline with its time zone.")]
        elif deadline <= timezone.now():
            errors["deadline"] = [_("The deadline must lie in the future.")]
        else:
            out["deadline"] = deadline
    if given("comment_minimum"):
        minimum = data.get("comment_minimum", COMMENT_MINIMUM_DEFAULT)
        if isinstance(minimum, bool) or not isinstance(minimum, int) or not 3 <= minimum <= 100:
            errors["comment_minimum"] = [_("Give a whole number from 3 to 100.")]
        else:
            out["comment_minimum"] = minimum
    if given("role_weights"):
        weights = data.get("role_weights") or {}
        if not isinstance(weights, Mapping):
            errors["role_weights"] = [_("Give a weight per rater role.")]
        else:
            clean: dict[str, int] = {}
            for role, weight in weights.items():
                if role not in RaterRole.values:
                    errors.setdefault("role_weights", []).append(
                        _("%(role)s is not a rater role.") % {"role": str(role)[:40]}
                    )
                elif isinstance(weight, bool) or not isinstance(weight, int) or not 0 <= weight <= 100:
                    errors.setdefault("role_weights", []).append(
                        _("Each weight is a whole number from 0 to 100.")
                    )
                elif weight:
                    clean[role] = weight
            out["role_weights"] = {role: clean[role] for role in RaterRole.values if role in clean}
    if errors:
        raise ValidationError(errors)
    return out


def _check_weights(kind: str, weights: Mapping[str, int]) -> None:
    if kind == ReviewKind.REVIEW_360:
        if sum(weights.values()) != 100:
            raise ValidationError(
                {"role_weights": [_("The rater role weights of a 360 review add up to 100 (now %(sum)d).")
                                  % {"sum": sum(weights.values())}]}
            )  # fmt: skip
    elif weights:
        raise ValidationError({"role_weights": [_("Only a 360 review weighs rater roles.")]})


def subjects_clean(kind: str, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The subjects as given, checked: units (people for a 360), each once, at most `MAX_SUBJECTS`."""
    if not isinstance(rows, Sequence) or isinstance(rows, str | bytes):
        raise ValidationError({"subjects": _("Give a list of subjects.")})
    errors: dict[str, list[str]] = {}
    if len(rows) > MAX_SUBJECTS:
        raise ValidationError({"subjects": _("At most %(n)d subjects.") % {"n": MAX_SUBJECTS}})
    person = kind == ReviewKind.REVIEW_360
    units = {
        u.pk: u
        for u in OrgUnit.objects.filter(pk__in=[_pk(r, "org_unit") for r in rows if _pk(r, "org_unit")])
    }
    people = {e.pk: e for e in Employee.objects.select_related("org_unit", "manager").filter(
        pk__in=[_pk(r, "employee") for r in rows if _pk(r, "employee")])}  # fmt: skip
    clean: list[dict[str, Any]] = []
    seen: set[tuple[str, int]] = set()
    for index, row in enumerate(rows):
        field = "employee" if person else "org_unit"
        other = "org_unit" if person else "employee"
        if not isinstance(row, Mapping):
            errors[f"subjects-{index}-{field}"] = [_("This field is required.")]
            continue
        if row.get(other) is not None:
            message = (
                _("A 360 review rates people, not units.")
                if person
                else _("This review rates units, not people.")
            )
            errors[f"subjects-{index}-{other}"] = [message]
            continue
        pk = _pk(row, field)
        found = (people if person else units).get(pk) if pk else None
        if found is None:
            message = (
                _("Choose a valid option; that one does not exist.") if pk else _("This field is required.")
            )
            errors[f"subjects-{index}-{field}"] = [message]
            continue
        if (field, found.pk) in seen:
            errors[f"subjects-{index}-{field}"] = [_("This subject is listed twice.")]
            continue
        seen.add((field, found.pk))
        clean.append(
            {"org_unit": None, "employee": found} if person else {"org_unit": found, "employee": None}
        )
    if errors:
        raise ValidationError(errors)
    return clean


def _pk(row: Any, key: str) -> int | None:
    if not isinstance(row, Mapping):
        return None
    value = row.get(key)
    value = getattr(value, "pk", value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def rules_clean(
    kind: str, rows: Sequence[Mapping[str, Any]], subjects: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The rater rules as given, checked against the kind and the subjects. Internal customers are units or
    named people; a project lead is a named person; line managers and peers (360 only) follow from the rated
    person and name no one."""
    if not isinstance(rows, Sequence) or isinstance(rows, str | bytes):
        raise ValidationError({"rules": _("Give a list of rater rules.")})
    if len(rows) > MAX_RULES:
        raise ValidationError({"rules": _("At most %(n)d rater rules.") % {"n": MAX_RULES}})
    units = {
        u.pk: u
        for u in OrgUnit.objects.filter(
            pk__in=[pk for r in rows for pk in (_pk(r, "rater_unit"), _pk(r, "subject_unit")) if pk]
        )
    }
    people = {
        e.pk: e
        for e in Employee.objects.filter(
            pk__in=[pk for r in rows for pk in (_pk(r, "rater_employee"), _pk(r, "subject_employee")) if pk]
        )
    }
    # fmt: skip
    subject_units = {s["org_unit"].pk for s in subjects if s.get("org_unit") is not None}
    subject_people = {s["employee"].pk for s in subjects if s.get("employee") is not None}
    errors: dict[str, list[str]] = {}
    clean: list[dict[str, Any]] = []
    seen: set[tuple] = set()
    allowed = RaterRole.values if kind == ReviewKind.REVIEW_360 else [RaterRole.INTERNAL_CUSTOMER]
    for index, row in enumerate(rows):
        key = f"rules-{index}-"
        if not isinstance(row, Mapping):
            errors[key + "rater_role"] = [_("This field is required.")]
            continue
        row_errors: dict[str, list[str]] = {}
        role = row.get("rater_role") or RaterRole.INTERNAL_CUSTOMER
        if role not in allowed:
            row_errors[key + "rater_role"] = [_("This kind of review has no raters of that role.")]
        rule = {"rater_role": role, "include_sub_units": bool(row.get("include_sub_units", True))}
        for field, table in (
            ("rater_unit", units), ("rater_employee", people),
            ("subject_unit", units), ("subject_employee", people),
        ):  # fmt: skip
            pk = _pk(row, field)
            if row.get(field) is not None and (pk is None or pk not in table):
                row_errors[key + field] = [_("Choose a valid option; that one does not exist.")]
            rule[field] = table.get(pk) if pk else None
        if rule["subject_unit"] is not None and rule["subject_unit"].pk not in subject_units:
            row_errors.setdefault(key + "subject_unit", []).append(
                _("This unit is not rated in this campaign.")
            )
        if rule["subject_employee"] is not None and rule["subject_employee"].pk not in subject_people:
            row_errors.setdefault(key + "subject_employee", []).append(
                _("This person is not rated in this campaign.")
            )
        if rule["subject_unit"] is not None and rule["subject_employee"] is not None:
            row_errors.setdefault(key + "subject_employee", []).append(_("A rule is for one subject."))
        named = rule["rater_unit"] is not None, rule["rater_employee"] is not None
        if role in DERIVED_ROLES and any(named):
            row_errors.setdefault(key + "rater_role", []).append(
                _("Line managers and peers follow from the rated person; name no unit or person.")
            )
        elif role == RaterRole.PROJECT_LEAD and (not named[1] or named[0]):
            row_errors.setdefault(key + "rater_employee", []).append(_("Name the project lead."))
        elif role == RaterRole.INTERNAL_CUSTOMER and named.count(True) != 1:
            row_errors.setdefault(key + "rater_unit", []).append(_("Choose a rater unit or a rater person."))
        if row_errors:
            errors.update(row_errors)
            continue
        identity = tuple((field, getattr(rule[field], "pk", rule[field])) for field in RULE_FIELDS)
        if identity in seen:
            errors[key + "rater_role"] = [_("This rule is listed twice.")]
            continue
        seen.add(identity)
        clean.append(rule)
    if errors:
        raise ValidationError(errors)
    return clean


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
    header = _collect(errors, lambda: _header(data, partial=False, current=None)) or {}
    kind = header.get("kind", ReviewKind.INTERNAL_CUSTOMER)
    if header:
        _collect(errors, lambda: _check_weights(kind, header["role_weights"]))
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
    header = _collect(errors, lambda: _header(data, partial=True, current=current)) or {}
    kind = header.get("kind", current.kind)
    if "deadline" in data and "deadline" in errors and data.get("deadline") == current.deadline:
        errors.pop("deadline")  # an unchanged deadline that has passed may stay on a draft
    weights = header.get("role_weights", current.role_weights if kind == current.kind else {})
    if not errors:
        _collect(errors, lambda: _check_weights(kind, weights))
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


def mutual_pairs(units: Sequence[OrgUnit], period: Period) -> dict[int, set[int]]:
    """{unit id: ids of the units it works with}: units that appear together in a responsibility matrix in
    effect for `period` (matrix rows of the same KPI), among `units` (all of them when empty)."""
    from responsibility.models import MatrixRow
    from responsibility.selectors import matrix_effective_ids

    matrix_ids = list(matrix_effective_ids(period).values())
    rows = MatrixRow.objects.filter(matrix_id__in=matrix_ids).values_list("matrix_id", "org_unit_id")
    wanted = {u.pk for u in units}
    by_matrix: dict[int, set[int]] = {}
    for matrix_id, unit_id in rows:
        if not wanted or unit_id in wanted:
            by_matrix.setdefault(matrix_id, set()).add(unit_id)
    pairs: dict[int, set[int]] = {}
    for members in by_matrix.values():
        for unit_id in members:
            pairs.setdefault(unit_id, set()).update(members - {unit_id})
    return {unit: partners for unit, partners in pairs.items() if partners}


@transaction.atomic
def campaign_generate_mutual(
    *, actor, campaign: ReviewCampaign, lock_version: Any, units: Sequence[OrgUnit] = ()
) -> int:
    """For a department mutual review: subjects and rules from the units that share responsibility matrices
    in the campaign's period — each unit rates the units it works with, never itself. Replaces the draft's
    subjects and rules; `units` narrows the units considered. Returns the number of rules."""
    current = lock_for_edit(ReviewCampaign, campaign, lock_version)
    refuse_unless_draft(current)
    if current.kind != ReviewKind.MUTUAL:
        raise ValidationError({"kind": _("Only a department mutual review is generated from the matrices.")})
    pairs = mutual_pairs(units, current.period)
    if not pairs:
        raise ValidationError(
            {
                "subjects": _("No units share a responsibility matrix in %(period)s.")
                % {"period": current.period}
            }
        )
    found = {u.pk: u for u in OrgUnit.objects.filter(pk__in=pairs)}
    subjects = [{"org_unit": found[pk], "employee": None} for pk in sorted(found)]
    rules = [
        {"subject_unit": found[subject], "subject_employee": None, "rater_role": RaterRole.INTERNAL_CUSTOMER,
         "rater_unit": found[rater], "include_sub_units": False, "rater_employee": None}
        for subject in sorted(found) for rater in sorted(pairs[subject])
        if rater in found and rater != subject
    ]  # fmt: skip
    campaign_update(
        actor=actor,
        campaign=current,
        lock_version=current.lock_version,
        data={},
        subjects=subjects,
        rules=rules,
    )
    return len(rules)
