"""The period a version takes effect from: `matrix_period_check`, the one rule the save, the editor's
choices, its live check and the API share, and the closed periods a version was scored with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from collab.models import Period
from collab.routing.ids import coerce_id
from collab.selectors.periods import period_start, periods_ordered
from goals.models import KPI
from responsibility.models import ResponsibilityMatrix


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
