"""The checks of a cycle's set-up (header, stages, participant rules), shared by its create and update
services, and of a launched cycle's new dates (`reschedule_clean`). Each raises one ValidationError with every
problem, keyed like the pages' inputs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from appraisal.models import DATED_STAGES, STAGE_ORDER, AppraisalCycle, CycleStatus, Stage
from collab.models import OrgUnit, Period, Position
from collab.selectors.audit.events import tenant_zone
from collab.tenancy import current_tenant
from collab.text import clean_text

WEIGHT_FIELDS = ("weight_scorecard", "weight_review", "weight_manager")
HEADER_FIELDS = ("name", "period", *WEIGHT_FIELDS)
STAGE_FIELDS = ("stage", "opens_at", "deadline")
RULE_FIELDS = ("org_unit", "include_sub_units", "position", "job_family", "level")
MAX_RULES = 50


def refuse_unless_draft(cycle: AppraisalCycle) -> None:
    if cycle.status != CycleStatus.DRAFT:
        raise ValidationError({"status": _("A launched cycle cannot be changed.")})


def _weight(value: Any) -> Decimal:
    if isinstance(value, bool) or value is None or str(value).strip() == "":
        raise ValueError(_("This field is required."))
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(_("Enter a number.")) from None
    if not number.is_finite() or not Decimal("0") <= number <= Decimal("100"):
        raise ValueError(_("Enter a number from %(low)d to %(high)d.") % {"low": 0, "high": 100})
    if number != number.quantize(Decimal("0.01")):
        raise ValueError(_("Use at most two decimal places."))
    return number


def _in_scope(model, value):
    """`value` (an instance or an id) re-read in the tenant scope; None when missing or another tenant's."""
    pk = getattr(value, "pk", value)
    if isinstance(pk, bool) or not isinstance(pk, int):
        return None
    return model.objects.filter(pk=pk).first()


def header_clean(data: Mapping[str, Any], *, partial: bool, current: AppraisalCycle | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    if "name" in data or not partial:
        try:
            clean["name"] = clean_text(data.get("name"), 200)
            if not clean["name"]:
                errors["name"] = [_("This field is required.")]
        except ValueError as error:
            errors["name"] = [str(error)]
    if "period" in data or not partial:
        period = _in_scope(Period, data.get("period"))
        if period is None:
            errors["period"] = [_("Choose a period.")]
        else:
            clean["period"] = period
    for name in WEIGHT_FIELDS:
        if name in data or not partial:
            try:
                clean[name] = _weight(data.get(name))
            except ValueError as error:
                errors[name] = [str(error)]
    if not errors:
        weights = [clean.get(name, getattr(current, name, None)) for name in WEIGHT_FIELDS]
        if sum(w for w in weights if w is not None) != Decimal("100"):
            errors["weight_scorecard"] = [_("The three weights must add up to 100.")]
    if errors:
        raise ValidationError(errors)
    return clean


def _moment(value: Any) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise ValueError(_("Enter a date and time."))
    if timezone.is_naive(value):
        value = timezone.make_aware(value, tenant_zone(current_tenant().timezone))
    return value


def stages_clean(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The dated stages as given: each a stage of the cycle at most once, its deadline after its opening,
    in the order of the stages, each opening at or after the deadline of the one before."""
    if not isinstance(rows, Sequence) or isinstance(rows, str | bytes):
        raise ValidationError({"stages": _("Give a list of stages.")})
    errors: dict[str, list[str]] = {}
    clean: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, row in enumerate(rows[: len(DATED_STAGES) + 1]):
        key = f"stages-{index}-"
        if not isinstance(row, Mapping):
            errors[f"{key}stage"] = [_("Choose a stage.")]
            continue
        stage = row.get("stage")
        if stage not in DATED_STAGES:
            errors[f"{key}stage"] = [_("Choose a stage.")]
            continue
        if stage in seen:
            errors[f"{key}stage"] = [_("This stage is listed twice.")]
            continue
        seen.add(stage)
        values: dict[str, Any] = {"stage": stage, "index": index}
        for field in ("opens_at", "deadline"):
            try:
                values[field] = _moment(row.get(field))
            except ValueError as error:
                errors[key + field] = [str(error)]
        if "opens_at" in values and "deadline" in values and values["deadline"] <= values["opens_at"]:
            errors[f"{key}deadline"] = [_("The deadline must come after the opening.")]
        elif len(values) == 4:
            clean.append(values)
    if len(rows) > len(DATED_STAGES):
        errors["stages"] = [_("A cycle has at most %(n)d dated stages.") % {"n": len(DATED_STAGES)}]
    clean.sort(key=lambda row: STAGE_ORDER.index(row["stage"]))
    for before, after in zip(clean, clean[1:], strict=False):
        if after["opens_at"] < before["deadline"]:
            errors.setdefault(f"stages-{after['index']}-opens_at", []).append(
                _("It opens before the deadline of “%(stage)s”; stages follow one another.")
                % {"stage": Stage(before["stage"]).label}
            )
    if errors:
        raise ValidationError(errors)
    return [{field: row[field] for field in STAGE_FIELDS} for row in clean]


def reschedule_clean(
    stored: Sequence[Mapping[str, Any]], new: list[dict[str, Any]], given: Sequence[Any], now: dt.datetime
) -> list[dict[str, Any]]:
    """A launched cycle's new dates (`new` from `stages_clean(given)`): the same stages as `stored`; a stage
    that has opened keeps its opening; a date moved to a moment already past means now (HR closing a stage
    or opening the next one "now"), and a stage that has not opened must still have time left."""
    index = {row.get("stage"): i for i, row in enumerate(given) if isinstance(row, Mapping)}
    before = {row["stage"]: row for row in stored}
    if set(before) != {row["stage"] for row in new}:
        message = _("A launched cycle keeps its stages: only their dates can change.")
        raise ValidationError({"stages": message})
    errors: dict[str, list[str]] = {}
    moved: list[dict[str, Any]] = []
    for row in new:
        old, key = before[row["stage"]], f"stages-{index[row['stage']]}-"
        opens_at, deadline = row["opens_at"], row["deadline"]
        if opens_at != old["opens_at"]:
            if old["opens_at"] <= now:
                errors[f"{key}opens_at"] = [_("This stage has opened: its opening stays as it was.")]
            opens_at = max(opens_at, now)
        if deadline != old["deadline"]:
            deadline = max(deadline, now)
            if deadline <= opens_at:
                errors[f"{key}deadline"] = [_("The deadline must be later than the opening and than now.")]
        moved.append({"stage": row["stage"], "opens_at": opens_at, "deadline": deadline})
    if errors:
        raise ValidationError(errors)
    return moved


def rules_clean(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The participant rules as given: each names a unit, a position, a job family or a level (or several:
    a person must match all of a rule's criteria)."""
    if not isinstance(rows, Sequence) or isinstance(rows, str | bytes):
        raise ValidationError({"rules": _("Give a list of rules.")})
    errors: dict[str, list[str]] = {}
    if len(rows) > MAX_RULES:
        errors["rules"] = [_("Use at most %(n)d rules.") % {"n": MAX_RULES}]
    clean = []
    for index, row in enumerate(rows[:MAX_RULES]):
        key = f"rules-{index}-"
        if not isinstance(row, Mapping):
            errors[f"{key}org_unit"] = [_("Choose a unit.")]
            continue
        values: dict[str, Any] = {"include_sub_units": bool(row.get("include_sub_units", True))}
        for field, model in (("org_unit", OrgUnit), ("position", Position)):
            given = row.get(field)
            values[field] = None
            if given not in (None, ""):
                values[field] = _in_scope(model, given)
                if values[field] is None:
                    errors[key + field] = [_("Select a valid choice. That choice is not one of the available "
                                             "choices.")]  # fmt: skip
        for field, limit in (("job_family", 100), ("level", 30)):
            try:
                values[field] = clean_text(row.get(field), limit)
            except ValueError as error:
                errors[key + field] = [str(error)]
        if not errors and not any(values[f] for f in ("org_unit", "position", "job_family", "level")):
            errors[f"{key}org_unit"] = [_("Name a unit, a position, a job family or a level.")]
        clean.append(values)
    if errors:
        raise ValidationError(errors)
    return clean


# ------------------------------------------------------------------------------------------ reads
