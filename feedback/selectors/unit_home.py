"""The manager home's "My unit's review results" panel (`collab.home.home_panels` "unit_reviews", template
`feedback/results/_home.html`): the latest review results of the manager's own unit and its latest event
measures, with the way to the result pages and the measures page.

Results are read through the results selectors (`result_subjects`, `result_rows`): the panel shows a
campaign's overall mean and rater count only where its release showed them (k applied), and an open
campaign only as open (results are released at close). A member reads their own unit's whole results
(`feedback.access.readable_result_subjects`), so the panel needs no other door. A fixed number of queries:
eight, nine while a closed campaign on it is still to be released."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from collab.models import Employee, Period
from collab.selectors.periods import period_start
from collab.tenancy import current_tenant
from feedback.engine.events import Measures
from feedback.models import CampaignStatus, CampaignSubject, ReviewKind
from feedback.selectors.events import unit_measures
from feedback.selectors.results.rows import result_rows, result_subjects
from feedback.selectors.results.shapes import ResultRow, anonymity_k

UNIT_KINDS = (ReviewKind.INTERNAL_CUSTOMER, ReviewKind.MUTUAL)  # reviews that rate a unit
RESULTS_SHOWN = 3  # the latest closed campaigns shown
MEASURED_PERIODS = 4  # the latest started periods measured (one query); the latest with events is shown


@dataclass
class UnitMeasures:
    period: Period
    measures: Measures


@dataclass
class UnitReviews:
    unit_id: int
    k: int  # the anonymity threshold the hidden results name
    results: list[ResultRow] = field(default_factory=list)  # closed campaigns, newest first
    open: list[CampaignSubject] = field(default_factory=list)  # open campaigns rating the unit
    measures: UnitMeasures | None = None


def unit_review_home(employee: Employee, *, today: dt.date | None = None) -> UnitReviews:
    unit_id = employee.org_unit_id
    subjects = list(
        result_subjects(unit=unit_id).filter(campaign__kind__in=UNIT_KINDS)[: RESULTS_SHOWN + 1]
    )  # newest campaign first: an open one beside the closed ones before it
    closed = [s for s in subjects if s.campaign.status == CampaignStatus.CLOSED][:RESULTS_SHOWN]
    panel = UnitReviews(
        unit_id=unit_id, k=anonymity_k(), results=result_rows(closed),
        open=[s for s in subjects if s.campaign.status == CampaignStatus.OPEN],
    )  # fmt: skip
    panel.measures = _latest_measures(unit_id, today or timezone.localdate())
    return panel


def _latest_measures(unit_id: int, today: dt.date) -> UnitMeasures | None:
    """The unit's measures in the latest started period that has any event to measure (the finest of periods
    starting together: this month before its quarter and year)."""
    started = [p for p in Period.objects.all() if period_start(p) <= today.year * 100 + today.month]
    started.sort(key=lambda p: (period_start(p), p.kind == Period.Kind.MONTH, p.kind == Period.Kind.QUARTER))
    latest = started[::-1][:MEASURED_PERIODS]
    if not latest:
        return None
    measured = unit_measures(latest, units=[unit_id], timezone_name=current_tenant().timezone)
    for period in latest:
        measures = measured.get((unit_id, period.pk))
        if measures and (measures.requests or measures.deliverables_due or measures.meetings_invited):
            return UnitMeasures(period=period, measures=measures)
    return None
