"""The checks of a process (its header and its ordered stages), shared by its create and update services.
Each raises one ValidationError with every problem, keyed like the pages' inputs: the header's fields by
name, a stage's "stages-<i>-<field>" (index from 0), the whole list "stages".

A stage row may carry the `id` of a stored stage of the same process: that stage is updated in place (its
KPIs stay with it); a row without one is a new stage."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from alerts.models import ProcessKind, TimeUnit
from collab.models import Employee, OrgUnit
from collab.routing.ids import coerce_id, parse_id
from collab.text import clean_text

HEADER_FIELDS = ("name", "kind", "description", "owner", "owner_unit", "is_active")
STAGE_FIELDS = (
    "id", "name", "owner_unit", "collaborating_units", "inputs", "outputs", "decision_rights", "time_limit",
    "time_unit", "escalation_role",
)  # fmt: skip
TEXT_LIMITS = {"name": 200, "inputs": 2000, "outputs": 2000, "decision_rights": 2000, "escalation_role": 100}
MAX_STAGES = 30
MAX_COLLABORATORS = 20
MAX_TIME_LIMIT = 10_000


def _invalid_choice() -> str:
    return _("Select a valid choice. That choice is not one of the available choices.")


def _in_scope(model, value):
    """`value` (an instance, an id or a digit string) re-read in the tenant scope; None when missing or
    another tenant's."""
    pk = coerce_id(value, model)
    return model.objects.filter(pk=pk).first() if pk is not None else None


def header_clean(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}

    def given(name: str) -> bool:
        return name in data or not partial

    for name, limit in (("name", 200), ("description", 2000)):
        if given(name):
            try:
                clean[name] = clean_text(data.get(name), limit)
            except ValueError as error:
                errors[name] = [str(error)]
    if "name" in clean and not clean["name"]:
        errors["name"] = [_("This field is required.")]
    if given("kind"):
        kind = data.get("kind", ProcessKind.CUSTOM)
        if kind not in ProcessKind.values:
            errors["kind"] = [_invalid_choice()]
        clean["kind"] = kind
    if given("owner"):
        owner = data.get("owner")
        clean["owner"] = None if owner in (None, "") else _in_scope(Employee, owner)
        if owner not in (None, "") and clean["owner"] is None:
            errors["owner"] = [_invalid_choice()]
    if given("owner_unit"):
        clean["owner_unit"] = _in_scope(OrgUnit, data.get("owner_unit"))
        if clean["owner_unit"] is None:
            errors["owner_unit"] = [_("Choose the unit that owns the process.")]
    if given("is_active"):
        clean["is_active"] = bool(data.get("is_active", True))
    if errors:
        raise ValidationError(errors)
    return clean


def _time_limit(value: Any) -> int:
    if isinstance(value, bool) or value in (None, ""):
        raise ValueError(_("This field is required."))
    if isinstance(value, str):
        value = value.strip()
        if not (value.isascii() and value.isdigit() and len(value) <= 6):
            raise ValueError(_("Enter a whole number."))
        value = int(value)
    if not isinstance(value, int):
        raise ValueError(_("Enter a whole number."))
    if not 1 <= value <= MAX_TIME_LIMIT:
        raise ValueError(_("Enter a number from %(low)d to %(high)d.") % {"low": 1, "high": MAX_TIME_LIMIT})
    return value


def _units(value: Any) -> list[OrgUnit] | None:
    """The collaborating units given as a list (or a comma-separated text) of ids; None when one is
    missing or another tenant's."""
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    if value is None:
        value = []
    if not isinstance(value, Sequence) or len(value) > MAX_COLLABORATORS:
        return None
    ids = [coerce_id(item.strip() if isinstance(item, str) else item, OrgUnit) for item in value]
    if any(pk is None for pk in ids):
        return None
    found = {unit.pk: unit for unit in OrgUnit.objects.filter(pk__in=ids)}
    if len(found) != len(set(ids)):
        return None
    return [found[pk] for pk in dict.fromkeys(ids)]


def _stage_id(value: Any, known: frozenset[int]) -> int | None:
    """A row's stage id: None for a new stage; ValueError when it names no stored stage of the process."""
    if value in (None, ""):
        return None
    pk = parse_id(value) if not isinstance(value, bool) else None
    if pk is None or pk not in known:
        raise ValueError(_("This stage is not one of the process's stages."))
    return pk


def stages_clean(
    rows: Sequence[Mapping[str, Any]], *, known_ids: frozenset[int] = frozenset()
) -> list[dict[str, Any]]:
    """The ordered stages as given: at least one, each named, owned by a unit, with a time limit; the owner
    unit is not also listed as collaborating. A row's `id` names one of `known_ids` (the process's stored
    stages), once."""
    if not isinstance(rows, Sequence) or isinstance(rows, str | bytes):
        raise ValidationError({"stages": _("Give a list of stages.")})
    if not rows:
        raise ValidationError({"stages": _("Add at least one stage.")})
    errors: dict[str, list[str]] = {}
    if len(rows) > MAX_STAGES:
        errors["stages"] = [_("A process has at most %(n)d stages.") % {"n": MAX_STAGES}]
    clean: list[dict[str, Any]] = []
    seen: set[int | None] = set()
    for index, row in enumerate(rows[:MAX_STAGES]):
        key = f"stages-{index}-"
        if not isinstance(row, Mapping):
            errors[f"{key}name"] = [_("This field is required.")]
            continue
        values: dict[str, Any] = {}
        try:
            values["id"] = _stage_id(row.get("id"), known_ids)
        except ValueError as error:
            errors[f"{key}id"] = [str(error)]
            values["id"] = None
        if values["id"] is not None and values["id"] in seen:
            errors[f"{key}id"] = [_("This stage is listed twice.")]
        seen.add(values["id"])
        for field, limit in TEXT_LIMITS.items():
            try:
                values[field] = clean_text(row.get(field), limit)
            except ValueError as error:
                errors[key + field] = [str(error)]
        if values.get("name") == "":
            errors[f"{key}name"] = [_("This field is required.")]
        values["owner_unit"] = _in_scope(OrgUnit, row.get("owner_unit"))
        if values["owner_unit"] is None:
            errors[f"{key}owner_unit"] = [_("Choose the unit that owns the stage.")]
        units = _units(row.get("collaborating_units"))
        if units is None:
            errors[f"{key}collaborating_units"] = [_invalid_choice()]
        elif values["owner_unit"] is not None and values["owner_unit"] in units:
            errors[f"{key}collaborating_units"] = [_("The owner unit is not also a collaborating unit.")]
        values["collaborating_units"] = units or []
        try:
            values["time_limit"] = _time_limit(row.get("time_limit"))
        except ValueError as error:
            errors[f"{key}time_limit"] = [str(error)]
        values["time_unit"] = row.get("time_unit") or TimeUnit.WORKING_DAYS
        if values["time_unit"] not in TimeUnit.values:
            errors[f"{key}time_unit"] = [_invalid_choice()]
        clean.append(values)
    if errors:
        raise ValidationError(errors)
    return clean


def stage_ids(rows: Sequence[Mapping[str, Any]]) -> list[tuple]:
    """Stages compared by value (units by id), to tell a save that changes nothing."""
    return [
        tuple(
            (field, sorted(getattr(u, "pk", u) for u in row[field]) if field == "collaborating_units"
             else getattr(row[field], "pk", row[field]))
            for field in STAGE_FIELDS
        )
        for row in rows
    ]  # fmt: skip
