"""The checks of a campaign's set-up (header, subjects, rater rules), each raising one ValidationError with
every problem, keyed like the pages' inputs ("subjects-<i>-<field>", "rules-<i>-<field>")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.models import Employee, OrgUnit, Period
from collab.text import clean_text
from feedback.models import (
    COMMENT_MINIMUM_DEFAULT,
    CampaignStatus,
    Frequency,
    RaterRole,
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


def header_clean(data: Mapping[str, Any], *, partial: bool, current: ReviewCampaign | None) -> dict[str, Any]:
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


def weights_check(kind: str, weights: Mapping[str, int]) -> None:
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
