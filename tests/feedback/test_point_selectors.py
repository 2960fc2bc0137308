"""Point reads: yearly totals per employee and unit (ranked, one query whatever the rows), the engine feed
(an entry counts toward its frozen unit and position), "My points" and who reads which proposal."""

from __future__ import annotations

from decimal import Decimal

import pytest

from collab.tenancy import tenant_scope
from feedback.models import PointLedgerEntry
from feedback.selectors.points import (
    home_points,
    may_decide,
    my_points,
    points_for_scores,
    proposals_to_decide,
    yearly_totals,
)
from feedback.services.points.catalog import point_settings_current, point_settings_update
from feedback.services.points.ledger import point_ledger_correct
from feedback.services.points.proposals import point_proposal_approve, point_proposal_create
from tests.factories.feedback_points import PointItemFactory, build_line, proposal_data
from tests.factories.org import EmployeeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        theirs = build_line(tenant_b, prefix="b-")
        made = point_proposal_create(actor=None, proposer=theirs.manager, data=proposal_data(theirs))
        point_proposal_approve(actor=None, approver=theirs.director, proposal=made, lock_version=1)
    with tenant_scope(tenant_a):
        point_settings_update(
            actor=None, lock_version=point_settings_current().lock_version, data={"manager_cap": "100"}
        )
        yield build_line(tenant_a)


def give(line, points, **overrides):
    item = PointItemFactory(points=Decimal(points))
    made = point_proposal_create(
        actor=None, proposer=line.manager, data=proposal_data(line, item=item, **overrides)
    )
    point_proposal_approve(actor=None, approver=line.director, proposal=made, lock_version=1)
    return PointLedgerEntry.objects.get(proposal=made)


def test_yearly_totals_rank_people_and_units(line, django_assert_num_queries):
    give(line, "3")
    give(line, "-1")
    give(line, "2", subject_employee=line.peer)
    give(line, "4", subject_employee=None, subject_unit=line.team)
    year = line.period.year
    with django_assert_num_queries(1):
        people = yearly_totals(year)
    assert [(r["name"], r["total"], r["rank"]) for r in people] == [
        ("Peer", Decimal("2"), 1),
        ("Staff", Decimal("2"), 1),  # a tie shares the rank
    ]
    staff = people[1]
    assert (staff["bonus"], staff["penalty"], staff["entries"]) == (Decimal("3"), Decimal("-1"), 2)
    units = yearly_totals(year, by="unit")
    assert [(r["name"], r["total"]) for r in units] == [("Team", Decimal("8"))]
    assert yearly_totals(year + 1) == []


def test_totals_count_corrections_and_the_unit_frozen_on_the_entry(line, hr_a):
    entry = give(line, "3")
    point_ledger_correct(actor=hr_a, entry=entry, points="-3", reason="Wrong person")
    line.staff.org_unit = line.dept
    line.staff.save()
    give(line, "1")  # now in the department
    units = {r["name"]: r["total"] for r in yearly_totals(line.period.year, by="unit")}
    assert units == {"Team": Decimal("0"), "Department": Decimal("1")}
    assert my_points(line.staff, line.period.year)["total"] == Decimal("1")


def test_the_home_tile_shows_this_years_points_in_one_query(line, django_assert_num_queries):
    from django.utils import timezone

    from collab.models import Period
    from tests.factories.org import PeriodFactory

    this_year = PeriodFactory(kind=Period.Kind.YEAR, year=timezone.localdate().year)
    for points in ("2", "-1", "3", "1", "1", "2"):
        give(line, points, period=this_year)
    give(line, "5")  # another year
    with django_assert_num_queries(1):
        home = home_points(line.staff)
    assert (home["total"], home["count"], len(home["entries"])) == (Decimal("8"), 6, 5)
    assert home_points(line.peer)["count"] == 0


def test_the_engine_feed_maps_entries_to_frozen_units_and_positions(line, tenant_b):
    give(line, "2")
    give(line, "5", subject_employee=None, subject_unit=line.team)
    rows = dict(points_for_scores(line.period, units=frozenset({line.team.pk, line.dept.pk}),
                                  positions=frozenset({line.staff.position_id})))  # fmt: skip
    assert rows == {f"unit:{line.team.pk}": 7.0, f"position:{line.staff.position_id}": 2.0}
    assert points_for_scores(line.period, units=frozenset(), positions=frozenset()) == []
    with tenant_scope(tenant_b):  # another tenant's scorecards see none of these
        assert points_for_scores(line.period, units=frozenset({line.team.pk}), positions=frozenset()) == []


def test_the_engine_feed_for_many_subjects_sums_the_period_and_keeps_those_asked(line, monkeypatch):
    """Past SUBJECTS_AS_PARAMETERS subjects the period's ledger is summed whole (no list of ids as
    parameters): the same totals, and only for the subjects asked."""
    from feedback.selectors import points as selectors

    give(line, "2")
    give(line, "5", subject_employee=None, subject_unit=line.team)
    give(line, "4", subject_employee=line.peer)
    assert line.peer.position_id != line.staff.position_id
    asked = {"units": frozenset({line.team.pk}), "positions": frozenset({line.staff.position_id})}
    few = dict(points_for_scores(line.period, **asked))
    monkeypatch.setattr(selectors, "SUBJECTS_AS_PARAMETERS", 0)
    assert dict(points_for_scores(line.period, **asked)) == few == {
        f"unit:{line.team.pk}": 11.0, f"position:{line.staff.position_id}": 2.0
    }  # every entry counts toward its unit; the peer's position (its 4 points) is not asked for


def test_who_sees_a_proposal_to_decide(line):
    made = point_proposal_create(actor=None, proposer=line.manager, data=proposal_data(line))
    top = EmployeeFactory(name="Chief")
    line.director.manager = top
    line.director.save()
    assert list(proposals_to_decide(line.director)) == [made]
    assert list(proposals_to_decide(top)) == [made]  # any level above
    assert list(proposals_to_decide(line.manager)) == []
    assert may_decide(made, line.director) and not may_decide(made, line.manager)
    assert not may_decide(made, line.staff)
