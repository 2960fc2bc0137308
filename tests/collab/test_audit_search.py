"""The audit log's "Object contains" search finds what the reader sees: objects named from their snapshot (a
scorecard shown as "Sales (S01) · 2026 Q4") are found by their unit, position, KPI or period, in the same
query whatever their number, and never by another tenant's names."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from collab.models import AuditEvent
from collab.tenancy import tenant_scope
from goals.services.tree.nodes import goal_create, goal_delete, goal_update, siblings_reweight
from interlock.services.scorecards.cards import scorecard_create
from tests.factories.audit import make_event
from tests.factories.goals import KPIFactory
from tests.factories.org import OrgUnitFactory, PeriodFactory, PositionFactory
from tests.paging import pager_link

pytestmark = pytest.mark.django_db


def log_path(tenant) -> str:
    return reverse("audit-log", kwargs={"tenant_slug": tenant.slug})


def listed(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-event="(\d+)"', response.content.decode())}


@pytest.fixture
def log(tenant_a, hr_a):
    """Events written by the real services in 2026 Q4: a scorecard of Sales; a Revenue goal of Sales with a
    sub-goal of its account manager, reweighted; a Retention goal of Sales created and deleted; an Uptime goal
    of Operations."""
    with tenant_scope(tenant_a):
        sales = OrgUnitFactory(code="S01", name="Sales")
        ops = OrgUnitFactory(code="OPS", name="Operations")
        seller = PositionFactory(code="ACC", title="Account manager", org_unit=sales)
        q4 = PeriodFactory(kind="quarter", year=2026, quarter=4)
        revenue = KPIFactory(code="REV", name="Revenue", owner_unit=sales)
        retention = KPIFactory(code="RET", name="Retention", owner_unit=sales)
        uptime = KPIFactory(code="UPT", name="Uptime", owner_unit=ops)
        card = scorecard_create(actor=hr_a, period=q4, org_unit=sales)
        parent = goal_create(actor=hr_a, period=q4, org_unit=sales, kpi=revenue, weight=100)
        child = goal_create(
            actor=hr_a, period=q4, org_unit=sales, position=seller, kpi=revenue, parent=parent, weight=60
        )
        siblings_reweight(actor=hr_a, weights={child.pk: 100})
        gone = goal_create(actor=hr_a, period=q4, org_unit=sales, kpi=retention, weight=0)
        gone_id = gone.pk
        goal_delete(actor=hr_a, goal=gone)
        other = goal_create(actor=hr_a, period=q4, org_unit=ops, kpi=uptime, weight=100)
        events = {(e.action, e.object_id): e.pk for e in AuditEvent.objects.all()}
    return {
        "scorecard": events["scorecard.create", str(card.pk)],
        "parent": events["goal.create", str(parent.pk)],
        "child": events["goal.create", str(child.pk)],
        "reweight": events["goal.reweight", str(parent.pk)],
        "gone_created": events["goal.create", str(gone_id)],
        "gone_deleted": events["goal.delete", str(gone_id)],
        "ops": events["goal.create", str(other.pk)],
    }


def test_the_stored_names_are_ids_the_reader_never_sees(tenant_a, hr_a, login, log):
    """The premise: a plain match on the stored name would find none of these by 'Sales'."""
    with tenant_scope(tenant_a):
        stored = set(AuditEvent.objects.values_list("object_repr", flat=True))
    assert not any("Sales" in name for name in stored), stored
    content = login(hr_a).get(log_path(tenant_a)).content.decode()
    assert "Sales (S01) · 2026 Q4" in content  # the scorecard, as the log shows it


def test_a_search_finds_objects_by_the_unit_they_are_shown_with(tenant_a, hr_a, login, log):
    client = login(hr_a)
    sales = {"scorecard", "parent", "child", "reweight", "gone_created", "gone_deleted"}
    assert listed(client.get(log_path(tenant_a), {"q": "Sales"})) == {log[name] for name in sales}
    assert listed(client.get(log_path(tenant_a), {"q": "s01"})) == {log[name] for name in sales}  # its code
    assert listed(client.get(log_path(tenant_a), {"q": "Operations"})) == {log["ops"]}


def test_a_search_finds_objects_by_position_kpi_and_period(tenant_a, hr_a, login, log):
    client = login(hr_a)
    assert listed(client.get(log_path(tenant_a), {"q": "account MANAGER"})) == {log["child"]}
    revenue = {"parent", "child", "reweight"}
    assert listed(client.get(log_path(tenant_a), {"q": "REV Reven"})) == {log[name] for name in revenue}
    gone = {log["gone_created"], log["gone_deleted"]}  # a deleted goal is named by its last snapshot
    assert listed(client.get(log_path(tenant_a), {"q": "retention"})) == gone
    assert listed(client.get(log_path(tenant_a), {"q": "2026 Q4"})) == set(log.values())
    assert listed(client.get(log_path(tenant_a), {"q": "2026 Q3"})) == set()


def test_a_search_still_matches_the_stored_name_and_the_object_id(tenant_a, hr_a, login, log):
    with tenant_scope(tenant_a):
        renamed = make_event(action="org_unit.update", object_type="collab.orgunit", object_id=4242,
                             object_repr="Sales office Beijing")  # fmt: skip
    client = login(hr_a)
    assert renamed.pk in listed(client.get(log_path(tenant_a), {"q": "office Beij"}))
    assert listed(client.get(log_path(tenant_a), {"q": "4242"})) == {renamed.pk}


def test_an_object_is_found_by_the_snapshot_its_event_is_named_from(tenant_a, hr_a, login):
    """A goal moved from Sales to Operations: its update reads 'Operations', so 'Sales' finds only the
    creation, which read 'Sales' (the name comes from each event's own snapshot, not today's object)."""
    with tenant_scope(tenant_a):
        sales, ops = OrgUnitFactory(name="Sales"), OrgUnitFactory(name="Operations")
        kpi = KPIFactory(owner_unit=sales)
        goal = goal_create(actor=hr_a, period=PeriodFactory(), org_unit=sales, kpi=kpi)
        goal_update(actor=hr_a, goal=goal, lock_version=goal.lock_version, org_unit=ops)
        created, updated = AuditEvent.objects.order_by("pk").values_list("pk", flat=True)
    client = login(hr_a)
    assert listed(client.get(log_path(tenant_a), {"q": "Sales"})) == {created}
    assert listed(client.get(log_path(tenant_a), {"q": "Operations"})) == {updated}


def test_another_tenants_names_are_never_searched(tenant_a, tenant_b, hr_a, login):
    """An id of tenant B's unit in one of A's snapshots reads '#id (deleted)': B's name does not find it."""
    with tenant_scope(tenant_b):
        theirs = OrgUnitFactory(name="Bravo sales")
    with tenant_scope(tenant_a):
        period = PeriodFactory()
        event = make_event(action="scorecard.create", object_type="interlock.scorecard", object_repr="unit:x",
                           after={"org_unit": theirs.pk, "position": None, "period": period.pk})  # fmt: skip
    client = login(hr_a)
    assert listed(client.get(log_path(tenant_a), {"q": "Bravo"})) == set()
    assert listed(client.get(log_path(tenant_a), {"q": period.label})) == {event.pk}


def test_the_search_costs_the_same_queries_however_many_match_and_pages(
    tenant_a, hr_a, login, django_assert_max_num_queries
):
    with tenant_scope(tenant_a):
        sales = OrgUnitFactory(code="S01", name="Sales")
        period = PeriodFactory(kind="quarter", year=2026, quarter=4)

        def scorecards(count: int) -> list[int]:
            return [
                make_event(action="scorecard.update", object_type="interlock.scorecard", object_id=n,
                           object_repr=f"unit:{sales.pk}@{period.pk}",
                           after={"org_unit": sales.pk, "position": None, "period": period.pk}).pk
                for n in range(count)
            ]  # fmt: skip

        first = scorecards(1)
        OrgUnitFactory(name="Sales support")  # another unit matching, named in no event
    client = login(hr_a)
    with CaptureQueriesContext(connection) as one:
        assert listed(client.get(log_path(tenant_a), {"q": "Sales"})) == set(first)
    with tenant_scope(tenant_a):
        more = scorecards(29)
        OrgUnitFactory.create_batch(20, name="Sales branch")
    with django_assert_max_num_queries(len(one)):
        page_one = client.get(log_path(tenant_a), {"q": "Sales"})
    following = pager_link(page_one)
    assert following["q"] == "Sales"
    page_two = client.get(log_path(tenant_a), following)
    assert listed(page_one) == set(more[-25:])
    assert listed(page_two) == set(first + more[:4])
    assert "Events 1–25" in page_one.content.decode() and "Events 26–30" in page_two.content.decode()


def test_an_event_without_after_is_named_and_found_by_its_before(tenant_a, hr_a, login):
    with tenant_scope(tenant_a):
        mine, period = OrgUnitFactory(code="M9", name="Coal mine"), PeriodFactory()
        removed = make_event(
            action="scorecard.update", object_type="interlock.scorecard", object_repr="unit:x",
            before={"org_unit": mine.pk, "position": None, "period": period.pk},
        )  # fmt: skip
    client = login(hr_a)
    response = client.get(log_path(tenant_a), {"q": "coal MINE"})
    assert listed(response) == {removed.pk}
    assert f"Coal mine (M9) · {period.label}" in response.content.decode()
