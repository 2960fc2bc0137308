"""Writes of responsibility matrices. Keyword-only, atomic, audited; invalid input raises `ValidationError`.

Rules checked here (they need all rows at once):
- exactly one lead, and shares (each > 0, at most two decimals) that add up to exactly 100;
- every row's unit and evaluation KPI belong to the tenant (another tenant's id reads as missing);
- a unit appears once per matrix;
- a version takes effect from an open period, and no closed period changes how it was scored: editing a
  version that closed periods were scored with is refused (add a new version from an open period instead),
  a new version takes effect from the current version's start or later, so earlier periods stay untouched,
  and a first version over a period whose first months are closed applies to the open periods only (the
  closed ones, scored without a matrix, keep their scores): `matrix_period_check`, the one rule the save,
  the editor's choices, its live check and the API share.

Row errors are keyed like form-set fields, "rows-<index>-<field>" (index from 0), whole-matrix errors
"rows"; pages put them next to the inputs and the API returns them as JSON field errors. Stale saves
(the editor's `lock_version` is not the stored one) raise `StaleEditError` naming who changed it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from collab.audit import audit_record, snapshot
from collab.concurrency import UNSET, StaleEditError, lock_for_edit, mark_edited
from collab.models import OrgUnit, Period
from collab.numbers import parse_number
from collab.routing.ids import coerce_id
from collab.selectors.periods import period_start, periods_ordered
from collab.services.org.periods import ensure_period_open
from collab.signals import scoring_inputs_changed
from goals.models import KPI
from responsibility.models import MatrixRole, MatrixRow, ResponsibilityMatrix

HUNDRED = Decimal("100")
SHARE_QUANTUM = Decimal("0.01")
MAX_ROWS = 200
# A matrix row's keys, as the editors post them ("rows-<i>-<field>") and `matrix_rows_clean` reads them.
ROW_FIELDS = (
    "org_unit",
    "role",
    "share",
    "contribution_dimension",
    "evaluation_kpi",
    "evaluation_method",
)
_MISSING = gettext_noop("Choose a valid option; that one does not exist.")




@dataclass(frozen=True)
class CleanRow:
    org_unit: OrgUnit
    role: str
    share: Decimal
    contribution_dimension: str
    evaluation_kpi: KPI | None
    evaluation_method: str


# --------------------------------------------------------------------------------------------- parsing


def parse_share(value: Any) -> Decimal:
    """A share in percent: a number > 0 and ≤ 100 with at most two decimals. ValueError with the message."""
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(_("Enter a share."))
    share = parse_number(value)
    if share <= 0 or share > HUNDRED:
        raise ValueError(_("Enter a share greater than 0 and at most 100."))
    if share != share.quantize(SHARE_QUANTUM, rounding="ROUND_DOWN"):
        raise ValueError(_("Use at most two decimals."))
    return share.quantize(SHARE_QUANTUM)


def _text(value: Any, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(_("Enter text."))
    if "\x00" in value:
        raise ValueError(_("Null characters are not allowed."))
    value = value.strip()
    if len(value) > limit:
        raise ValueError(_("Use at most %(limit)d characters.") % {"limit": limit})
    return value


def share_summary(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """What the editor shows while typing: the sum of the shares that parse, the number of leads, and the
    whole-matrix messages (empty when both rules hold). No queries."""
    total = Decimal("0")
    for row in rows:
        try:
            total += parse_share(row.get("share"))
        except ValueError:
            continue
    leads = sum(1 for row in rows if row.get("role") == MatrixRole.LEAD)
    messages = []
    if total != HUNDRED:
        messages.append(
            _("Shares must add up to exactly 100 %%; they add up to %(total)s %%.") % {"total": _fmt(total)}
        )
    if leads != 1:
        messages.append(_("A matrix needs exactly one lead; it has %(count)d.") % {"count": leads})
    return {"total": total, "leads": leads, "ok": not messages, "messages": messages}


def _fmt(number: Decimal) -> str:
    text = f"{number.normalize():f}"
    return text


def matrix_rows_clean(rows: Sequence[Mapping[str, Any]]) -> list[CleanRow]:
    """Validate the rows of one matrix (two queries: the units and the evaluation KPIs, scoped)."""
    if isinstance(rows, str | bytes) or not isinstance(rows, Sequence):
        raise ValidationError({"rows": _("Give the rows as a list.")})
    if not rows:
        raise ValidationError({"rows": _("Add at least one row: the lead unit with its share.")})
    if len(rows) > MAX_ROWS:
        raise ValidationError({"rows": _("A matrix has at most %(max)d rows.") % {"max": MAX_ROWS}})
    errors: dict[str, list[str]] = {}

    def err(index: int, field: str, message: str) -> None:
        errors.setdefault(f"rows-{index}-{field}", []).append(message)

    unit_ids = [coerce_id(row.get("org_unit"), OrgUnit) if isinstance(row, Mapping) else None for row in rows]
    kpi_ids = [
        coerce_id(row.get("evaluation_kpi"), KPI)
        if isinstance(row, Mapping) and row.get("evaluation_kpi")
        else None
        for row in rows
    ]
    units = OrgUnit.objects.in_bulk([i for i in unit_ids if i is not None])
    kpis = KPI.objects.in_bulk([i for i in kpi_ids if i is not None])
    clean: list[CleanRow] = []
    seen: dict[int, int] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            errors.setdefault("rows", []).append(_("Row %(n)d is not a row.") % {"n": index + 1})
            continue
        unit = units.get(unit_ids[index]) if unit_ids[index] is not None else None
        if unit is None:
            err(index, "org_unit", _(_MISSING))
        elif unit.pk in seen:
            err(index, "org_unit", _("%(unit)s already has a row in this matrix.") % {"unit": unit.name})
        else:
            seen[unit.pk] = index
        role = row.get("role")
        if role not in MatrixRole.values:
            err(index, "role", _("Choose lead, collaborating or support."))
        try:
            share = parse_share(row.get("share"))
        except ValueError as error:
            err(index, "share", str(error))
            share = None
        evaluation_kpi = None
        if row.get("evaluation_kpi") not in (None, ""):
            evaluation_kpi = kpis.get(kpi_ids[index]) if kpi_ids[index] is not None else None
            if evaluation_kpi is None:
                err(index, "evaluation_kpi", _(_MISSING))
        texts = {}
        for field, limit in (("contribution_dimension", 200), ("evaluation_method", 300)):
            try:
                texts[field] = _text(row.get(field), limit)
            except ValueError as error:
                err(index, field, str(error))
        if unit is not None and role in MatrixRole.values and share is not None and len(texts) == 2:
            clean.append(
                CleanRow(org_unit=unit, role=role, share=share, evaluation_kpi=evaluation_kpi, **texts)
            )
    summary = share_summary([row for row in rows if isinstance(row, Mapping)])
    if summary["messages"]:
        errors.setdefault("rows", []).extend(summary["messages"])
    if errors:
        raise ValidationError(errors)
    return clean


# --------------------------------------------------------------------------------------------- helpers


def _scoped(model, obj, field: str, *, lock: bool = False):
    pk = coerce_id(obj, model)
    queryset = model.objects.select_for_update() if lock else model.objects
    found = queryset.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise ValidationError({field: _(_MISSING)})
    return found


def _closed_periods_from(start: int, until: int | None = None) -> list[Period]:
    """Closed periods whose start lies in [start, until), earliest first (one query)."""
    closed = sorted(Period.objects.filter(status=Period.Status.CLOSED), key=period_start)
    return [p for p in closed if start <= period_start(p) and (until is None or period_start(p) < until)]


def _reaches(matrix: ResponsibilityMatrix, period: Period) -> bool:
    return period_start(matrix.effective_from) <= period_start(period) and period.pk not in (
        matrix.kept_closed or []
    )


def matrix_closed_periods(matrix: ResponsibilityMatrix) -> list[Period]:
    """The closed periods scored with this version, earliest first: while there are any, a correction of it
    is refused (the editor says so up front) and a new version from a later, open period is the way. The
    closed periods a first version left as they were (`kept_closed`) were not scored with it."""
    later = (
        ResponsibilityMatrix.objects.filter(kpi_id=matrix.kpi_id, version__gt=matrix.version)
        .select_related("effective_from")
        .order_by("version")
        .first()
    )
    until = period_start(later.effective_from) if later else None
    kept = set(matrix.kept_closed or [])
    return [p for p in _closed_periods_from(period_start(matrix.effective_from), until) if p.pk not in kept]


@dataclass(frozen=True)
class PeriodCheck:
    """Whether a new version of a KPI's matrix may take effect from `period`, and why not.

    `kept`: the closed periods under it that keep the scores they were closed with (they were scored
    without any matrix of the KPI); the version applies to the open periods only."""

    period: Period
    allowed: bool
    reason: str = ""
    kept: tuple[Period, ...] = ()

    @property
    def note(self) -> str:
        """What the editor says next to the choice: why not, or which closed periods it leaves alone."""
        if not self.allowed:
            return self.reason
        if self.kept:
            return _(
                "Applies to the open periods only: the closed periods (%(periods)s) keep the scores they "
                "were closed with."
            ) % {"periods": _period_list(self.kept)}
        return ""


def _period_list(periods: Sequence[Period], most: int = 4) -> str:
    labels = [p.label for p in periods]
    if len(labels) <= most:
        return ", ".join(labels)
    return _("%(first)s … %(last)s: %(n)d periods") % {
        "first": labels[0], "last": labels[-1], "n": len(labels),
    }  # fmt: skip


def _check(
    period: Period,
    *,
    latest: ResponsibilityMatrix | None,
    versions: Sequence[ResponsibilityMatrix],
    closed: Sequence[Period],
) -> PeriodCheck:
    if period.status == Period.Status.CLOSED:
        return PeriodCheck(
            period, False, _("The period %(period)s is closed and read-only.") % {"period": period.label}
        )
    start = period_start(period)
    if latest is not None and start < period_start(latest.effective_from):
        return PeriodCheck(
            period,
            False,
            _(
                "A new version takes effect from %(current)s or later (the current version takes effect "
                "from %(current)s), so that earlier periods keep their scores."
            )
            % {"current": latest.effective_from.label},
        )
    under = [p for p in closed if period_start(p) >= start]
    scored = [p for p in under if any(_reaches(v, p) for v in versions)]
    if scored:
        return PeriodCheck(
            period,
            False,
            _(
                "The closed period %(period)s would be scored with this version; closed periods are "
                "read-only. Add a new version from a later, open period instead."
            )
            % {"period": scored[0].label},
        )
    return PeriodCheck(period, True, kept=tuple(under))


def _versions_of(kpi_id: int | None) -> list[ResponsibilityMatrix]:
    if kpi_id is None:
        return []
    return list(
        ResponsibilityMatrix.objects.filter(kpi_id=kpi_id).select_related("effective_from").order_by("version")
    )


def matrix_period_check(period: Period, *, kpi: KPI | int | None = None) -> PeriodCheck:
    """The one rule for the period a new version of `kpi`'s matrix takes effect from (None or a KPI
    without a matrix: a first version), used by the save, the form's choices, the live check and the API:

    - the period is open (not closed);
    - a later version takes effect from the current version's start or later;
    - no closed period under it changes how it was scored: a closed period that an existing version
      scored is refused; a closed period no version reached (a first version over a quarter or year whose
      first months are closed) keeps the scores it was closed with — the version applies to the open
      periods only, and `kept` names those closed periods.
    """
    versions = _versions_of(coerce_id(kpi, KPI) if kpi is not None else None)
    closed = sorted(Period.objects.filter(status=Period.Status.CLOSED), key=period_start)
    return _check(period, latest=versions[-1] if versions else None, versions=versions, closed=closed)


def matrix_period_options(*, kpi: KPI | int | None = None) -> list[PeriodCheck]:
    """Every period that is not closed, in calendar order, each with `matrix_period_check`'s verdict for a
    new version of `kpi`'s matrix (two queries)."""
    versions = _versions_of(coerce_id(kpi, KPI) if kpi is not None else None)
    periods = periods_ordered()
    closed = [p for p in periods if p.status == Period.Status.CLOSED]
    latest = versions[-1] if versions else None
    return [
        _check(p, latest=latest, versions=versions, closed=closed)
        for p in periods
        if p.status != Period.Status.CLOSED
    ]


def _refuse_period(check: PeriodCheck) -> None:
    if not check.allowed:
        raise ValidationError({"effective_from": check.reason})


def _refuse_closed(closed: list[Period], field: str) -> None:
    if closed:
        raise ValidationError(
            {
                field: _(
                    "The closed period %(period)s would be scored with this version; closed periods are "
                    "read-only. Add a new version from a later, open period instead."
                )
                % {"period": closed[0].label}
            }
        )


def _rows_snapshot(matrix: ResponsibilityMatrix) -> list[dict[str, Any]]:
    return [
        {
            "org_unit": r.org_unit_id,
            "role": r.role,
            "share": str(r.share),
            "evaluation_kpi": r.evaluation_kpi_id,
            "contribution_dimension": r.contribution_dimension,
            "evaluation_method": r.evaluation_method,
        }
        for r in MatrixRow.objects.filter(matrix=matrix).order_by("order", "id")
    ]


def _matrix_snapshot(matrix: ResponsibilityMatrix) -> dict[str, Any]:
    data = snapshot(matrix) or {}
    data["rows"] = _rows_snapshot(matrix)
    return data


def _write_rows(matrix: ResponsibilityMatrix, rows: list[CleanRow]) -> None:
    MatrixRow.objects.bulk_create(
        [
            MatrixRow(
                tenant_id=matrix.tenant_id,
                matrix=matrix,
                org_unit=row.org_unit,
                role=row.role,
                share=row.share,
                contribution_dimension=row.contribution_dimension,
                evaluation_kpi=row.evaluation_kpi,
                evaluation_method=row.evaluation_method,
                order=index,
            )
            for index, row in enumerate(rows)
        ]
    )


def _same_rows(matrix: ResponsibilityMatrix, rows: list[CleanRow]) -> bool:
    """The clean rows say exactly what is stored (values compare as values: a share 40 equals 40.00)."""
    stored = [
        (r.org_unit_id, r.role, r.share, r.contribution_dimension, r.evaluation_kpi_id, r.evaluation_method)
        for r in MatrixRow.objects.filter(matrix=matrix)
    ]
    given = [
        (r.org_unit.pk, r.role, r.share, r.contribution_dimension, getattr(r.evaluation_kpi, "pk", None),
         r.evaluation_method)
        for r in rows
    ]
    return stored == given


def _actor(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


# --------------------------------------------------------------------------------------------- services


@transaction.atomic
def matrix_create(
    *, actor, kpi: KPI | int, effective_from: Period | int, rows: Sequence[Mapping[str, Any]], note: str = ""
) -> ResponsibilityMatrix:
    """The first version of a KPI's matrix."""
    kpi = _scoped(KPI, kpi, "kpi", lock=True)  # the lock serialises concurrent creates for the KPI
    period = _scoped(Period, effective_from, "effective_from")
    ensure_period_open(period, field="effective_from")
    try:
        note = _text(note, 2000)
    except ValueError as error:
        raise ValidationError({"note": str(error)}) from None
    if ResponsibilityMatrix.objects.filter(kpi=kpi).exists():
        raise ValidationError(
            {"kpi": _("This KPI already has a responsibility matrix; add a new version instead.")}
        )
    clean = matrix_rows_clean(rows)
    check = matrix_period_check(period, kpi=kpi)
    _refuse_period(check)
    matrix = ResponsibilityMatrix.objects.create(
        kpi=kpi, effective_from=period, version=1, note=note, updated_by=_actor(actor),
        kept_closed=[p.pk for p in check.kept],
    )
    _write_rows(matrix, clean)
    audit_record(actor=actor, action="matrix.create", obj=matrix, after=_matrix_snapshot(matrix))
    _scores_changed(matrix, actor=actor)
    return matrix


@transaction.atomic
def matrix_new_version(
    *,
    actor,
    matrix: ResponsibilityMatrix,
    lock_version: int,
    effective_from: Period | int,
    rows: Sequence[Mapping[str, Any]],
    note: str = "",
) -> ResponsibilityMatrix:
    """A new version of `matrix`'s KPI, taking effect from `effective_from` (the current version's start or
    later). Periods before it keep the version they had. `matrix` must be the latest version, as loaded."""
    current = _scoped(ResponsibilityMatrix, matrix, "matrix")
    KPI.objects.select_for_update().filter(pk=current.kpi_id).first()
    current = lock_for_edit(ResponsibilityMatrix, current, lock_version)
    latest = (
        ResponsibilityMatrix.objects.select_related("updated_by", "effective_from")
        .filter(kpi_id=current.kpi_id)
        .order_by("-version")
        .first()
    )
    if latest.pk != current.pk:
        raise StaleEditError.of(latest)
    period = _scoped(Period, effective_from, "effective_from")
    ensure_period_open(period, field="effective_from")
    check = matrix_period_check(period, kpi=latest.kpi_id)
    _refuse_period(check)
    try:
        note = _text(note, 2000)
    except ValueError as error:
        raise ValidationError({"note": str(error)}) from None
    clean = matrix_rows_clean(rows)
    new = ResponsibilityMatrix.objects.create(
        kpi_id=latest.kpi_id,
        effective_from=period,
        kept_closed=[p.pk for p in check.kept],
        version=latest.version + 1,
        note=note,
        updated_by=_actor(actor),
    )
    _write_rows(new, clean)
    audit_record(
        actor=actor,
        action="matrix.new_version",
        obj=new,
        before=_matrix_snapshot(latest),
        after=_matrix_snapshot(new),
    )
    _scores_changed(new, actor=actor)
    return new


@transaction.atomic
def matrix_update(
    *,
    actor,
    matrix: ResponsibilityMatrix,
    lock_version: int,
    rows: Sequence[Mapping[str, Any]] = UNSET,
    note: str = UNSET,
) -> ResponsibilityMatrix:
    """Correct a version in place (rows and/or note). Refused when a closed period is scored with it."""
    current = _scoped(ResponsibilityMatrix, matrix, "matrix")
    current = lock_for_edit(ResponsibilityMatrix, current, lock_version)
    before = _matrix_snapshot(current)
    _refuse_closed(matrix_closed_periods(current), "matrix")
    ensure_period_open(current.effective_from, field="matrix")
    old_note = current.note
    if note is not UNSET:
        try:
            current.note = _text(note, 2000)
        except ValueError as error:
            raise ValidationError({"note": str(error)}) from None
    clean = None if rows is UNSET else matrix_rows_clean(rows)
    if clean is not None and _same_rows(current, clean):
        clean = None  # the same rows again: they stay as they are
    if clean is None and current.note == old_note:
        return current  # nothing changed: no new version, no audit row, no recompute
    if clean is not None:
        MatrixRow.objects.filter(matrix=current).delete()
        _write_rows(current, clean)
    current.save(update_fields=["note", *mark_edited(current, actor)])
    audit_record(
        actor=actor, action="matrix.update", obj=current, before=before, after=_matrix_snapshot(current)
    )
    _scores_changed(current, actor=actor)
    return current


def _scores_changed(matrix: ResponsibilityMatrix, *, actor) -> None:
    """Tell the areas scored from this version (the recompute they queue starts once the write commits)."""
    scoring_inputs_changed.send(
        ResponsibilityMatrix, reason="matrix", actor=actor, kpi_id=matrix.kpi_id,
        effective_from=matrix.effective_from,
    )
