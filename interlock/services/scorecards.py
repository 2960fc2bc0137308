"""Writes of scorecards and their lines, publishing, copying, and the tenant's scoring settings.

Keyword-only, atomic, audited; invalid input raises `ValidationError` keyed by field (line errors as
"lines-<index>-<field>", whole-scorecard errors as "lines"), stale saves raise `StaleEditError` naming who
changed the scorecard. A closed period is read-only: every write here refuses it.

Rules:
- a scorecard has exactly one subject (an org unit or a position of the tenant) and one per period;
- ρ (review weight) is 0–1 with at most three decimals;
- own and shared lines weigh 0–100 (two decimals); reference lines weigh 0 and need a threshold; only
  reference lines have a threshold; a KPI appears once per scorecard (but in any number of scorecards);
- publishing needs own + shared weights of exactly 100; a collaborative share (Σ shared weights) under the
  tenant's minimum is a warning (`collaborative_warning`), never a refusal. A published scorecard stays
  publishable through every later edit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from collab.audit import audit_record, snapshot
from collab.concurrency import UNSET, StaleEditError, changed_fields, field_values, lock_for_edit, mark_edited
from collab.models import OrgUnit, Period, Position
from collab.numbers import parse_number
from collab.routing import coerce_id
from collab.services.org import ensure_period_open
from collab.tenancy import current_tenant
from goals.models import KPI
from interlock.models import LineRole, Scorecard, ScorecardLine

__all__ = [
    "PublishResult",
    "StaleEditError",
    "scorecard_create",
    "scorecard_lines_clean",
    "scorecard_lines_set",
    "scorecard_publish",
    "scorecard_unpublish",
    "scorecard_save",
    "scorecard_update",
    "scorecards_copy",
    "tenant_scoring_settings_update",
    "weights_summary",
]

HUNDRED = Decimal("100")
MAX_LINES = 200
MISSING_CHOICE = gettext_noop("Choose a valid option; that one does not exist.")


@dataclass(frozen=True)
class CleanLine:
    kpi: KPI
    weight: Decimal
    role: str
    threshold: Decimal | None


@dataclass(frozen=True)
class PublishResult:
    scorecard: Scorecard
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------- parsing


def _decimal(
    value: Any, *, places: int, low: Decimal, high: Decimal, required: bool = True
) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValueError(_("This value is required."))
        return None
    number = parse_number(value)
    if number < low or number > high:
        raise ValueError(_("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high})
    quantum = Decimal(1).scaleb(-places)
    if number != number.quantize(quantum, rounding="ROUND_DOWN"):
        raise ValueError(_("Use at most %(places)d decimals.") % {"places": places})
    return number.quantize(quantum)


def parse_review_weight(value: Any) -> Decimal:
    return _decimal(value, places=3, low=Decimal("0"), high=Decimal("1"))


def weights_summary(lines: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Live totals for the editor (no queries): own + shared weight, collaborative share, publish messages."""
    weighted = Decimal("0")
    shared = Decimal("0")
    for line in lines:
        if line.get("role") == LineRole.REFERENCE:
            continue
        try:
            weight = _decimal(line.get("weight"), places=2, low=Decimal("0"), high=HUNDRED)
        except ValueError:
            continue
        weighted += weight
        if line.get("role") == LineRole.SHARED:
            shared += weight
    minimum = Decimal(current_tenant().min_collaborative_weight)
    messages = []
    if weighted != HUNDRED:
        messages.append(
            _("Own and shared weights must add up to exactly 100 %%; they add up to %(total)s %%.")
            % {"total": f"{weighted.normalize():f}"}
        )
    warnings = []
    if shared < minimum:
        warnings.append(
            _("The collaborative share is %(share)s %%, under the minimum of %(minimum)s %%.")
            % {"share": f"{shared.normalize():f}", "minimum": f"{minimum.normalize():f}"}
        )
    return {
        "total": weighted,
        "collaborative_share": shared,
        "minimum": minimum,
        "publishable": not messages,
        "messages": messages,
        "warnings": warnings,
    }


def scorecard_lines_clean(lines: Sequence[Mapping[str, Any]]) -> list[CleanLine]:
    """Validate a scorecard's lines (one query: the KPIs, scoped)."""
    if isinstance(lines, str | bytes) or not isinstance(lines, Sequence):
        raise ValidationError({"lines": _("Give the lines as a list.")})
    if len(lines) > MAX_LINES:
        raise ValidationError({"lines": _("A scorecard has at most %(max)d lines.") % {"max": MAX_LINES}})
    errors: dict[str, list[str]] = {}

    def err(index: int, name: str, message: str) -> None:
        errors.setdefault(f"lines-{index}-{name}", []).append(message)

    ids = [coerce_id(line.get("kpi"), KPI) if isinstance(line, Mapping) else None for line in lines]
    kpis = KPI.objects.in_bulk([i for i in ids if i is not None])
    seen: set[int] = set()
    clean: list[CleanLine] = []
    for index, line in enumerate(lines):
        if not isinstance(line, Mapping):
            errors.setdefault("lines", []).append(_("Line %(n)d is not a line.") % {"n": index + 1})
            continue
        kpi = kpis.get(ids[index]) if ids[index] is not None else None
        if kpi is None:
            err(index, "kpi", _(MISSING_CHOICE))
        elif kpi.pk in seen:
            err(index, "kpi", _("%(kpi)s is already a line of this scorecard.") % {"kpi": kpi.name})
        else:
            seen.add(kpi.pk)
        role = line.get("role")
        if role not in LineRole.values:
            err(index, "role", _("Choose own, shared or reference."))
        is_reference = role == LineRole.REFERENCE
        try:
            weight = _decimal(
                line.get("weight"), places=2, low=Decimal("0"), high=HUNDRED, required=not is_reference
            )
        except ValueError as error:
            err(index, "weight", str(error))
            weight = None
        threshold = None
        try:
            threshold = _decimal(
                line.get("threshold"), places=2, low=Decimal("0"), high=Decimal("1000"), required=False
            )
        except ValueError as error:
            err(index, "threshold", str(error))
        else:
            if is_reference and threshold is None:
                err(index, "threshold", _("Set the score under which a special review starts."))
            elif role in LineRole.values and not is_reference and threshold is not None:
                err(index, "threshold", _("Only reference lines have a threshold."))
        if is_reference:
            if weight:
                err(index, "weight", _("Reference lines carry no weight; set it to 0."))
            weight = Decimal("0.00")
        line_ok = not any(key.startswith(f"lines-{index}-") for key in errors)
        if line_ok and kpi is not None and weight is not None:
            clean.append(CleanLine(kpi=kpi, weight=weight, role=role, threshold=threshold))
    if errors:
        raise ValidationError(errors)
    return clean


# --------------------------------------------------------------------------------------------- helpers


def _scoped(model, obj, name: str, *, required: bool = True):
    if obj is None or obj == "":
        if required:
            raise ValidationError({name: _("This field is required.")})
        return None
    pk = coerce_id(obj, model)
    found = model.objects.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise ValidationError({name: _(MISSING_CHOICE)})
    return found


def _actor(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _lines_snapshot(scorecard: Scorecard) -> list[dict[str, Any]]:
    return [
        {
            "kpi": line.kpi_id,
            "weight": str(line.weight),
            "role": line.role,
            "threshold": None if line.threshold is None else str(line.threshold),
        }
        for line in ScorecardLine.objects.filter(scorecard=scorecard).order_by("order", "pk")
    ]


def _card_snapshot(scorecard: Scorecard) -> dict[str, Any]:
    data = snapshot(scorecard) or {}
    data["lines"] = _lines_snapshot(scorecard)
    return data


def _write_lines(scorecard: Scorecard, lines: list[CleanLine]) -> None:
    ScorecardLine.objects.filter(scorecard=scorecard).delete()
    ScorecardLine.objects.bulk_create(
        [
            ScorecardLine(
                tenant_id=scorecard.tenant_id,
                scorecard=scorecard,
                kpi=line.kpi,
                weight=line.weight,
                role=line.role,
                threshold=line.threshold,
                order=index,
            )
            for index, line in enumerate(lines)
        ]
    )


def _publish_check(lines: list[CleanLine]) -> tuple[bool, list[str]]:
    """(collaborative warning, warnings); raises ValidationError when the lines cannot be published."""
    summary = weights_summary([{"role": line.role, "weight": line.weight} for line in lines])
    if summary["messages"]:
        raise ValidationError({"lines": summary["messages"]})
    return bool(summary["warnings"]), summary["warnings"]


def _current_lines(scorecard: Scorecard) -> list[CleanLine]:
    return [
        CleanLine(kpi=line.kpi, weight=line.weight, role=line.role, threshold=line.threshold)
        for line in ScorecardLine.objects.filter(scorecard=scorecard).select_related("kpi")
    ]


def _edit(scorecard: Scorecard, lock_version: Any) -> Scorecard:
    current = _scoped(Scorecard, scorecard, "scorecard")
    current = lock_for_edit(Scorecard, current, lock_version)
    ensure_period_open(current.period)
    return current


def _scores_changed(scorecard: Scorecard, *, actor, dropped: bool = False) -> None:
    """Queue the recompute of this scorecard's score (sent on commit); drafts have none unless dropped."""
    if scorecard.is_published or dropped:
        from interlock.recompute import scores_recompute_request

        scores_recompute_request(
            period=scorecard.period_id, scorecard_ids=[scorecard.pk], reason="scorecard", actor=actor
        )


def _saved(current: Scorecard, actor, *fields: str) -> None:
    """Save a change as the next version (callers return early when nothing changed)."""
    current.save(update_fields=[*fields, *mark_edited(current, actor)])


def _unchanged(current: Scorecard, clean: list[CleanLine]) -> PublishResult:
    """The answer to a save that changes nothing: no new version, no audit row, no recompute."""
    warnings = _publish_check(clean)[1] if current.is_published else []
    return PublishResult(scorecard=current, warnings=warnings)


def _save_edit(
    current: Scorecard,
    *,
    actor,
    action: str,
    before: dict[str, Any],
    lines: list[CleanLine] | None,
    fields: Sequence[str] = (),
) -> PublishResult:
    """The tail of an editor save that changes something: new `lines` (None: kept) must leave a published
    scorecard publishable; then the next version, its audit row and the recompute of its score."""
    warnings: list[str] = []
    fields = list(fields)
    if lines is not None:
        if current.is_published:
            current.collaborative_warning, warnings = _publish_check(lines)
            fields.append("collaborative_warning")
        _write_lines(current, lines)
    _saved(current, actor, *fields)
    audit_record(actor=actor, action=action, obj=current, before=before, after=_card_snapshot(current))
    _scores_changed(current, actor=actor)
    return PublishResult(scorecard=current, warnings=warnings)


# --------------------------------------------------------------------------------------------- scorecards


@transaction.atomic
def scorecard_create(
    *,
    actor,
    period: Period | int,
    org_unit: OrgUnit | int | None = None,
    position: Position | int | None = None,
    review_weight: Any = Decimal("0"),
    lines: Sequence[Mapping[str, Any]] = (),
) -> Scorecard:
    """A draft scorecard for one subject (an org unit or a position) and period."""
    period = _scoped(Period, period, "period")
    ensure_period_open(period)
    if (org_unit in (None, "")) == (position in (None, "")):
        raise ValidationError({"org_unit": _("Choose either an org unit or a position.")})
    unit = _scoped(OrgUnit, org_unit, "org_unit", required=False)
    post = _scoped(Position, position, "position", required=False)
    try:
        rho = parse_review_weight(review_weight)
    except ValueError as error:
        raise ValidationError({"review_weight": str(error)}) from None
    clash = (
        Scorecard.objects.filter(period=period, org_unit=unit)
        if unit
        else Scorecard.objects.filter(period=period, position=post)
    )
    if clash.exists():
        name = "org_unit" if unit else "position"
        raise ValidationError(
            {
                name: _("%(subject)s already has a scorecard for %(period)s.")
                % {"subject": unit or post, "period": period.label}
            }
        )
    clean = scorecard_lines_clean(lines)
    try:
        with transaction.atomic():
            scorecard = Scorecard.objects.create(
                period=period, org_unit=unit, position=post, review_weight=rho, updated_by=_actor(actor)
            )
    except IntegrityError:  # a concurrent create for the same subject won the race
        name = "org_unit" if unit else "position"
        raise ValidationError(
            {
                name: _("%(subject)s already has a scorecard for %(period)s.")
                % {"subject": unit or post, "period": period.label}
            }
        ) from None
    _write_lines(scorecard, clean)
    audit_record(actor=actor, action="scorecard.create", obj=scorecard, after=_card_snapshot(scorecard))
    return scorecard


@transaction.atomic
def scorecard_update(
    *, actor, scorecard: Scorecard, lock_version: Any, review_weight: Any = UNSET
) -> Scorecard:
    current = _edit(scorecard, lock_version)
    before = _card_snapshot(current)
    values = field_values(current)
    if review_weight is not UNSET:
        try:
            current.review_weight = parse_review_weight(review_weight)
        except ValueError as error:
            raise ValidationError({"review_weight": str(error)}) from None
    if not changed_fields(current, values):
        return current
    _saved(current, actor, "review_weight")
    audit_record(
        actor=actor, action="scorecard.update", obj=current, before=before, after=_card_snapshot(current)
    )
    _scores_changed(current, actor=actor)
    return current


@transaction.atomic
def scorecard_lines_set(
    *, actor, scorecard: Scorecard, lock_version: Any, lines: Sequence[Mapping[str, Any]]
) -> PublishResult:
    """Replace the lines (what the line editor saves). A published scorecard must stay publishable."""
    current = _edit(scorecard, lock_version)
    before = _card_snapshot(current)
    clean = scorecard_lines_clean(lines)
    if clean == _current_lines(current):
        return _unchanged(current, clean)
    return _save_edit(current, actor=actor, action="scorecard.lines_set", before=before, lines=clean)


@transaction.atomic
def scorecard_publish(*, actor, scorecard: Scorecard, lock_version: Any) -> PublishResult:
    """Publish: own + shared weights must be exactly 100; a low collaborative share only warns."""
    current = _edit(scorecard, lock_version)
    before = _card_snapshot(current)
    current.collaborative_warning, warnings = _publish_check(_current_lines(current))
    current.status = Scorecard.Status.PUBLISHED
    current.published_at = timezone.now()
    _saved(current, actor, "status", "published_at", "collaborative_warning")
    audit_record(
        actor=actor, action="scorecard.publish", obj=current, before=before, after=_card_snapshot(current)
    )
    _scores_changed(current, actor=actor)
    return PublishResult(scorecard=current, warnings=warnings)


@transaction.atomic
def scorecard_unpublish(*, actor, scorecard: Scorecard, lock_version: Any) -> Scorecard:
    """Back to draft (its scores drop out of the next recompute)."""
    current = _edit(scorecard, lock_version)
    if current.status == Scorecard.Status.DRAFT:
        return current  # a draft already: nothing changes
    before = _card_snapshot(current)
    current.status = Scorecard.Status.DRAFT
    _saved(current, actor, "status")
    audit_record(
        actor=actor, action="scorecard.unpublish", obj=current, before=before, after=_card_snapshot(current)
    )
    _scores_changed(current, actor=actor, dropped=True)
    return current


@transaction.atomic
def scorecard_save(
    *,
    actor,
    scorecard: Scorecard,
    lock_version: Any,
    review_weight: Any = UNSET,
    lines: Sequence[Mapping[str, Any]] = UNSET,
) -> PublishResult:
    """What the editor saves at once: ρ and/or the lines, one version step (see `scorecard_lines_set`)."""
    current = _edit(scorecard, lock_version)
    before = _card_snapshot(current)
    values = field_values(current)
    errors: dict[str, list[str]] = {}
    if review_weight is not UNSET:
        try:
            current.review_weight = parse_review_weight(review_weight)
        except ValueError as error:
            errors["review_weight"] = [str(error)]
    clean = None
    if lines is not UNSET:
        try:
            clean = scorecard_lines_clean(lines)
        except ValidationError as invalid:
            for key, messages in invalid.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    stored_lines = _current_lines(current)
    if clean == stored_lines:
        clean = None  # the same lines again: they stay as they are
    if clean is None and not changed_fields(current, values):
        return _unchanged(current, stored_lines)
    return _save_edit(
        current, actor=actor, action="scorecard.save", before=before, lines=clean, fields=("review_weight",)
    )


@transaction.atomic
def scorecards_copy(*, actor, source: Period | int, target: Period | int) -> int:
    """Copy every scorecard of `source` whose subject has none in `target` as a draft with the same ρ and
    lines (a fixed number of queries). Returns how many were created."""
    source = _scoped(Period, source, "source")
    target = _scoped(Period, target, "target")
    if source.pk == target.pk:
        raise ValidationError({"source": _("Choose another period to copy from.")})
    ensure_period_open(target, field="target")
    taken = Scorecard.objects.filter(period=target)
    taken_units = set(taken.exclude(org_unit=None).values_list("org_unit_id", flat=True))
    taken_positions = set(taken.exclude(position=None).values_list("position_id", flat=True))
    originals = [
        card
        for card in Scorecard.objects.filter(period=source).order_by("pk")
        if (card.org_unit_id is not None and card.org_unit_id not in taken_units)
        or (card.position_id is not None and card.position_id not in taken_positions)
    ]
    if not originals:
        return 0
    tenant_id = current_tenant().pk
    created = Scorecard.objects.bulk_create(
        [
            Scorecard(
                tenant_id=tenant_id,
                period=target,
                org_unit_id=card.org_unit_id,
                position_id=card.position_id,
                review_weight=card.review_weight,
                updated_by=_actor(actor),
            )
            for card in originals
        ]
    )
    if any(card.pk is None for card in created):  # backends that do not return ids: read them back
        fresh = {
            (card.org_unit_id, card.position_id): card.pk for card in Scorecard.objects.filter(period=target)
        }
        for card in created:
            card.pk = fresh[(card.org_unit_id, card.position_id)]
    new_id = {original.pk: copy.pk for original, copy in zip(originals, created, strict=True)}
    ScorecardLine.objects.bulk_create(
        [
            ScorecardLine(
                tenant_id=tenant_id,
                scorecard_id=new_id[line.scorecard_id],
                kpi_id=line.kpi_id,
                weight=line.weight,
                role=line.role,
                threshold=line.threshold,
                order=line.order,
            )
            for line in ScorecardLine.objects.filter(scorecard_id__in=list(new_id)).order_by("pk")
        ],
        batch_size=1000,
    )
    audit_record(
        actor=actor,
        action="scorecards.copy",
        object_type="collab.period",
        object_id=target.pk,
        object_repr=target.label,
        after={"source": source.pk, "created": [card.pk for card in created]},
    )
    return len(created)


@transaction.atomic
def tenant_scoring_settings_update(
    *, actor, anonymity_threshold: Any, point_cap: Any, min_collaborative_weight: Any
):
    """The tenant's scoring settings (anonymity threshold k ≥ 3, points cap ≥ 0, minimum collaborative
    weight 0–50 %), validated by the model's own validators."""
    from collab.models import Tenant

    tenant = Tenant.objects.select_for_update().get(pk=current_tenant().pk)
    fields = ["anonymity_threshold", "point_cap", "min_collaborative_weight"]
    before = snapshot(tenant, fields)
    old_values = [getattr(tenant, name) for name in fields]
    tenant.anonymity_threshold = anonymity_threshold
    tenant.point_cap = point_cap
    tenant.min_collaborative_weight = min_collaborative_weight
    tenant.full_clean(exclude=[f.name for f in Tenant._meta.fields if f.name not in fields])
    tenant.save(update_fields=fields)
    audit_record(
        actor=actor,
        action="tenant.scoring_settings",
        object_type="collab.tenant",
        object_id=tenant.pk,
        object_repr=str(tenant),
        before=before,
        after=snapshot(tenant, fields),
    )
    tenant.refresh_from_db(fields=fields)
    if old_values != [getattr(tenant, name) for name in fields]:  # they change scores: recompute open periods
        from interlock.recompute import scores_recompute_request_tenant

        scores_recompute_request_tenant(reason="settings")
    return tenant
