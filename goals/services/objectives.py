"""Writes of the strategy map: objectives and their cause → effect links (no self-links, no cycles)."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
from collab.services.org.periods import ensure_period_open
from collab.tenancy import current_tenant
from goals.models import Objective, ObjectiveLink

OBJECTIVE_FIELDS = ("period", "perspective", "name", "description", "owner_unit", "order")
DUPLICATE_NAME = gettext_lazy("This period already has an objective with this name.")


def _apply(objective: Objective, data: Mapping[str, Any]) -> None:
    unknown = set(data) - set(OBJECTIVE_FIELDS)
    if unknown:
        raise ValidationError({NON_FIELD_ERRORS: [_("Unknown fields: %s") % ", ".join(sorted(unknown))]})
    for name, value in data.items():
        setattr(objective, name, value.strip() if isinstance(value, str) else value)


def _validate(objective: Objective) -> None:
    if objective.tenant_id is None:
        objective.tenant = current_tenant()
    errors: dict[str, list[str]] = {}
    if objective.name and objective.period_id:
        clash = Objective.objects.filter(period_id=objective.period_id, name=objective.name)
        if clash.exclude(pk=objective.pk).exists():
            errors["name"] = [DUPLICATE_NAME]
    try:
        objective.full_clean(validate_constraints=not errors)
    except ValidationError as invalid:
        for name, messages in invalid.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _save(objective: Objective) -> None:
    try:
        with transaction.atomic():
            objective.save()
    except IntegrityError as clash:
        raise ValidationError({"name": [DUPLICATE_NAME]}) from clash


@transaction.atomic
def objective_create(*, actor, data: Mapping[str, Any]) -> Objective:
    objective = Objective(updated_by=editor(actor))
    _apply(objective, data)
    _validate(objective)
    ensure_period_open(objective.period)
    _save(objective)
    audit_record(actor=actor, action="objective.create", obj=objective, after=snapshot(objective))
    return objective


@transaction.atomic
def objective_update(
    *, actor, objective: Objective, data: Mapping[str, Any], lock_version: int | None
) -> Objective:
    """Change an objective; a stale (or missing) `lock_version` raises StaleEditError, no change writes
    nothing."""
    locked = lock_for_edit(
        Objective, objective, lock_version, queryset=Objective.objects.select_related("period")
    )
    ensure_period_open(locked.period)
    before = snapshot(locked)
    values = field_values(locked)
    old_period_id = locked.period_id
    _apply(locked, data)
    _validate(locked)
    if locked.period_id != old_period_id:
        ensure_period_open(locked.period)
        has_links = ObjectiveLink.objects.filter(cause=locked).exists() or ObjectiveLink.objects.filter(
            effect=locked
        ).exists()
        if has_links:
            message = _("Remove this objective's cause–effect links before moving it to another period.")
            raise ValidationError({"period": [message]})
    if not changed_fields(locked, values):
        return locked
    mark_edited(locked, actor)
    _save(locked)
    audit_record(actor=actor, action="objective.update", obj=locked, before=before, after=snapshot(locked))
    return locked


@transaction.atomic
def objective_delete(*, actor, objective: Objective, lock_version: Any = UNSET) -> None:
    """Delete an objective and its links; KPIs that pointed at it keep existing without an objective.
    `lock_version` (pages and the API give it): an objective changed since is refused (StaleEditError)."""
    objective = lock_for_delete(
        Objective, objective, lock_version, queryset=Objective.objects.select_related("period")
    )
    ensure_period_open(objective.period)
    before = snapshot(objective)
    pk, text = objective.pk, str(objective)
    objective.delete()
    audit_record(
        actor=actor,
        action="objective.delete",
        object_type="goals.objective",
        object_id=pk,
        object_repr=text,
        before=before,
    )


def _path_between(start: int, goal: int, edges: dict[int, list[int]]) -> list[int] | None:
    """The ids on a path start → … → goal following cause → effect edges, or None (breadth first)."""
    previous: dict[int, int | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path = []
            current: int | None = node
            while current is not None:
                path.append(current)
                current = previous[current]
            return path[::-1]
        for following in edges.get(node, ()):
            if following not in previous:
                previous[following] = node
                queue.append(following)
    return None


@transaction.atomic
def objective_link_create(*, actor, cause: Objective, effect: Objective) -> ObjectiveLink:
    """Draw a cause → effect arrow. Refused: self-links, duplicates, other periods, closed periods and
    any link that would close a cycle (the message names the cycle)."""
    if cause.pk == effect.pk:
        raise ValidationError({"effect": [_("An objective cannot cause itself.")]})
    if cause.period_id != effect.period_id:
        raise ValidationError({"effect": [_("Both objectives must belong to the same period.")]})
    # Lock the period row: concurrent link writes of one map are serialised, so two links that
    # together would close a cycle cannot both pass the check.
    period = Period.objects.select_for_update().get(pk=cause.period_id)
    ensure_period_open(period)
    links = ObjectiveLink.objects.filter(cause__period_id=period.pk).values_list("cause_id", "effect_id")
    edges: dict[int, list[int]] = defaultdict(list)
    for cause_id, effect_id in links:
        if (cause_id, effect_id) == (cause.pk, effect.pk):
            raise ValidationError({"effect": [_("This cause–effect link already exists.")]})
        edges[cause_id].append(effect_id)
    loop = _path_between(effect.pk, cause.pk, edges)
    if loop is not None:
        names = dict(Objective.objects.filter(pk__in=loop).values_list("pk", "name"))
        chain = " → ".join([names[pk] for pk in [cause.pk, *loop]])
        raise ValidationError(
            {"effect": [_("This link would close a cycle: %(chain)s. Cause and effect must not loop.") % {
                "chain": chain
            }]}
        )
    link = ObjectiveLink(cause=cause, effect=effect, tenant=current_tenant())
    link.full_clean()
    link.save()
    audit_record(
        actor=actor,
        action="objective_link.create",
        obj=link,
        object_repr=f"{cause.name} → {effect.name}",
        after={"cause": cause.pk, "effect": effect.pk},
    )
    return link


@transaction.atomic
def objective_link_delete(*, actor, link: ObjectiveLink) -> None:
    cause = link.cause
    ensure_period_open(cause.period)
    before = {"cause": link.cause_id, "effect": link.effect_id}
    pk, text = link.pk, f"{cause.name} → {link.effect.name}"
    link.delete()
    audit_record(
        actor=actor,
        action="objective_link.delete",
        object_type="goals.objectivelink",
        object_id=pk,
        object_repr=text,
        before=before,
    )
