"""Review templates and their dimensions: create, correct, delete. Atomic and audited; a stale
`lock_version` raises `StaleEditError` naming who changed the template.

Dimension errors are keyed like the editor's inputs, "dimensions-<index>-<field>" (index from 0); rules about
the whole list are keyed "dimensions".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
from collab.text import clean_text
from feedback.models import ANCHOR_FIELDS, ReviewDimension, ReviewKind, ReviewTemplate

MAX_DIMENSIONS = 20
DIMENSION_FIELDS = ("name", "description", *ANCHOR_FIELDS)
_LIMITS = {"name": 200, "description": 500, **{name: 300 for name in ANCHOR_FIELDS}}
_REQUIRED = ("name", *ANCHOR_FIELDS)


@dataclass(frozen=True)
class CleanDimension:
    name: str
    description: str
    anchors: tuple[str, ...]

    def values(self) -> tuple:
        return (self.name, self.description, *self.anchors)


def dimensions_clean(rows: Sequence[Mapping[str, Any]]) -> list[CleanDimension]:
    """The dimensions as given, checked: a name and all five anchors each, names unique in the template,
    one to `MAX_DIMENSIONS` of them. Raises one ValidationError with every problem."""
    if not isinstance(rows, Sequence) or isinstance(rows, str | bytes):
        raise ValidationError({"dimensions": _("Give a list of dimensions.")})
    errors: dict[str, list[str]] = {}
    if not rows:
        errors["dimensions"] = [_("Add at least one dimension.")]
    elif len(rows) > MAX_DIMENSIONS:
        errors["dimensions"] = [_("Use at most %(n)d dimensions.") % {"n": MAX_DIMENSIONS}]
    clean: list[CleanDimension] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(rows[:MAX_DIMENSIONS]):
        if not isinstance(row, Mapping):
            errors[f"dimensions-{index}-name"] = [_("Enter text.")]
            continue
        values: dict[str, str] = {}
        for field in DIMENSION_FIELDS:
            try:
                values[field] = clean_text(row.get(field), _LIMITS[field])
            except ValueError as error:
                errors.setdefault(f"dimensions-{index}-{field}", []).append(str(error))
                continue
            if field in _REQUIRED and not values[field]:
                errors.setdefault(f"dimensions-{index}-{field}", []).append(_("This field is required."))
        name = values.get("name", "")
        if name:
            if name.casefold() in seen:
                message = _("Dimension %(n)d has the same name.") % {"n": seen[name.casefold()] + 1}
                errors.setdefault(f"dimensions-{index}-name", []).append(message)
            else:
                seen[name.casefold()] = index
        if len(values) == len(DIMENSION_FIELDS):
            clean.append(
                CleanDimension(
                    name=name,
                    description=values["description"],
                    anchors=tuple(values[field] for field in ANCHOR_FIELDS),
                )
            )
    if errors:
        raise ValidationError(errors)
    return clean


def _header(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    """The template's own fields from `data` (only those given when `partial`), checked."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for field, limit in (("name", 200), ("description", 5000)):
        if field not in data and (partial or field == "description"):
            continue
        try:
            out[field] = clean_text(data.get(field), limit)
        except ValueError as error:
            errors[field] = [str(error)]
            continue
        if field == "name" and not out[field]:
            errors[field] = [_("This field is required.")]
    if "kind" in data or not partial:
        kind = data.get("kind", ReviewKind.INTERNAL_CUSTOMER)
        if kind not in ReviewKind.values:
            errors["kind"] = [_("Choose a valid option; that one does not exist.")]
        else:
            out["kind"] = kind
    if "is_active" in data:
        if not isinstance(data["is_active"], bool):
            errors["is_active"] = [_("Must be a valid boolean.")]
        else:
            out["is_active"] = data["is_active"]
    if errors:
        raise ValidationError(errors)
    return out


def _refuse_same_name(name: str | None, *, template: ReviewTemplate | None = None) -> None:
    if not name:
        return
    clash = ReviewTemplate.objects.filter(name__iexact=name)
    if template is not None:
        clash = clash.exclude(pk=template.pk)
    if clash.exists():
        raise ValidationError({"name": _("A review template with this name exists already.")})


def _write_dimensions(template: ReviewTemplate, dimensions: list[CleanDimension]) -> None:
    ReviewDimension.objects.filter(template=template).delete()
    ReviewDimension.objects.bulk_create(
        [
            ReviewDimension(
                tenant_id=template.tenant_id,
                template=template,
                name=dimension.name,
                description=dimension.description,
                order=index,
                **dict(zip(ANCHOR_FIELDS, dimension.anchors, strict=True)),
            )
            for index, dimension in enumerate(dimensions)
        ]
    )


def _stored_dimensions(template: ReviewTemplate) -> list[tuple]:
    return [
        (d.name, d.description, *d.anchors)
        for d in ReviewDimension.objects.filter(template=template).order_by("order", "id")
    ]


def _template_snapshot(template: ReviewTemplate) -> dict[str, Any]:
    data = snapshot(template, fields=["name", "kind", "description", "is_active"]) or {}
    data["dimensions"] = [
        dict(zip(("name", "description", *ANCHOR_FIELDS), values, strict=True))
        for values in _stored_dimensions(template)
    ]
    return data


def _saved(save):
    """Run a save; a concurrent create of the same name (the unique constraint) is the name's error."""
    try:
        with transaction.atomic():
            return save()
    except IntegrityError:
        raise ValidationError({"name": _("A review template with this name exists already.")}) from None


@transaction.atomic
def review_template_create(
    *, actor, data: Mapping[str, Any], dimensions: Sequence[Mapping[str, Any]]
) -> ReviewTemplate:
    """A new template with its dimensions, in the order given."""
    errors: dict[str, list[str]] = {}
    header: dict[str, Any] = {}
    clean: list[CleanDimension] = []
    for check in (lambda: header.update(_header(data, partial=False)),
                  lambda: clean.extend(dimensions_clean(dimensions))):  # fmt: skip
        try:
            check()
        except ValidationError as invalid:
            errors.update(invalid.message_dict)
    if errors:
        raise ValidationError(errors)
    _refuse_same_name(header["name"])
    template = _saved(lambda: ReviewTemplate.objects.create(**header, updated_by=editor(actor)))
    _write_dimensions(template, clean)
    after = _template_snapshot(template)
    audit_record(actor=actor, action="review_template.create", obj=template, after=after)
    return template


@transaction.atomic
def review_template_update(
    *,
    actor,
    template: ReviewTemplate,
    lock_version: Any,
    data: Mapping[str, Any],
    dimensions: Sequence[Mapping[str, Any]] | object = UNSET,
) -> ReviewTemplate:
    """Correct a template: the fields in `data` and, when given, the whole list of dimensions. A save
    that changes nothing writes nothing (the version stays)."""
    current = lock_for_edit(ReviewTemplate, template, lock_version)
    errors: dict[str, list[str]] = {}
    header: dict[str, Any] = {}
    clean: list[CleanDimension] | None = None
    try:
        header = _header(data, partial=True)
    except ValidationError as invalid:
        errors.update(invalid.message_dict)
    if dimensions is not UNSET:
        try:
            clean = dimensions_clean(dimensions)  # type: ignore[arg-type]
        except ValidationError as invalid:
            errors.update(invalid.message_dict)
    if errors:
        raise ValidationError(errors)
    _refuse_same_name(header.get("name"), template=current)
    before_values = field_values(current)
    before = _template_snapshot(current)
    for field, value in header.items():
        setattr(current, field, value)
    changed = changed_fields(current, before_values)
    dimensions_changed = clean is not None and [d.values() for d in clean] != _stored_dimensions(current)
    if not changed and not dimensions_changed:
        return current
    columns = mark_edited(current, actor)
    _saved(lambda: current.save(update_fields=[*changed, *columns]))
    if dimensions_changed:
        _write_dimensions(current, clean or [])
    after = _template_snapshot(current)
    audit_record(actor=actor, action="review_template.update", obj=current, before=before, after=after)
    return current


@transaction.atomic
def review_template_delete(*, actor, template: ReviewTemplate, lock_version: Any = UNSET) -> None:
    current = lock_for_delete(ReviewTemplate, template, lock_version)
    before = _template_snapshot(current)
    pk = current.pk
    current.delete()
    audit_record(
        actor=actor, action="review_template.delete", object_type="feedback.reviewtemplate", object_id=pk,
        object_repr=before.get("name", ""), before=before,
    )  # fmt: skip
