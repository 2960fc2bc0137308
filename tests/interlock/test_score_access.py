"""Who reads which scores (interlock.access): the score pages and the scores API, one rule for every role.

A personal (position) score is read by HR, committee and auditors, by the managers of its unit or a unit
above, and by its holder; an employee reads only their own and their unit's. Anything else answers 404
exactly like a missing id, and is absent from the lists.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from collab.models import Membership
from collab.tenancy import tenant_scope
from interlock.access import access_scorecard_by_id
from interlock.models import ScoreSnapshot
from interlock.services.scorecards.cards import scorecard_create, scorecard_publish
from interlock.services.scores import scores_recompute
from tests.factories import make_member
from tests.factories.interlock import ScorecardFactory, build_seed_tables
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PositionFactory


def _position_card(actor, period, position, kpi):
    lines = [{"kpi": kpi, "weight": Decimal("100"), "role": "own"}]
    card = scorecard_create(actor=actor, period=period, position=position, lines=lines)
    scorecard_publish(actor=actor, scorecard=card, lock_version=card.lock_version)


@pytest.fixture
def world(tenant_a, tenant_b, hr_a, hr_b):
    with tenant_scope(tenant_b):  # a second tenant with scores of its own is always in the room
        other = build_seed_tables(actor=hr_b)
        scores_recompute(period=other.period)
    with tenant_scope(tenant_a):
        built = build_seed_tables(actor=hr_a)
        sales = built.units["sales"]
        key_accounts = OrgUnitFactory(code="KA", name="Key accounts", parent=sales)
        positions = {
            "rep": PositionFactory(title="Sales rep", org_unit=sales),
            "ka": PositionFactory(title="Key account manager", org_unit=key_accounts),
            "agent": PositionFactory(title="Service agent", org_unit=built.units["service"]),
        }
        kpi = next(iter(built.kpis.values()))
        for position in positions.values():
            _position_card(hr_a, built.period, position, kpi)
        scores_recompute(period=built.period)
        snaps = {
            name: ScoreSnapshot.objects.get(period=built.period, position=position)
            for name, position in positions.items()
        }
        for name in ("sales", "service"):
            snaps[name] = ScoreSnapshot.objects.get(
                period=built.period, org_unit=built.units[name], position__isnull=True
            )
        people = {
            "rep": EmployeeFactory(org_unit=sales, position=positions["rep"]),
            "sales_manager": EmployeeFactory(org_unit=sales),
            "ka_manager": EmployeeFactory(org_unit=key_accounts),
        }
    return built, snaps, people


def _member(tenant, role, employee=None, username=None):
    user = make_member(tenant, role, username=username)
    if employee is not None:
        with tenant_scope(tenant):
            employee.user = user
            employee.save()
    return user


def _readable_on_page(client, tenant, snaps) -> set[str]:
    html = client.get(reverse("score-list", kwargs={"tenant_slug": tenant.slug})).content.decode()
    return {
        name for name, snap in snaps.items()
        if reverse("score-detail", kwargs={"tenant_slug": tenant.slug, "pk": snap.pk}) in html
    }


def _readable_in_api(client, tenant, snaps) -> set[str]:
    ids = {row["id"] for row in client.get(
        reverse("api-score-list", kwargs={"tenant_slug": tenant.slug})
    ).json()["results"]}
    return {name for name, snap in snaps.items() if snap.pk in ids}


EXPECTED = {
    # who: (role, employee record, the snapshots they read)
    "hr": ("hr_admin", None, {"rep", "ka", "agent", "sales", "service"}),
    "auditor": ("auditor", None, {"rep", "ka", "agent", "sales", "service"}),
    "committee": ("committee", None, {"rep", "ka", "agent", "sales", "service"}),
    "sales_manager": ("manager", "sales_manager", {"rep", "ka", "sales", "service"}),
    "ka_manager": ("manager", "ka_manager", {"ka", "sales", "service"}),
    "manager_without_record": ("manager", None, {"sales", "service"}),
    "rep": ("employee", "rep", {"rep", "sales"}),
    "employee_without_record": ("employee", None, set()),
}


@pytest.mark.parametrize("who", EXPECTED)
def test_each_role_reads_exactly_its_scores(world, tenant_a, login, api_client_for, who):
    built, snaps, people = world
    role, person, expected = EXPECTED[who]
    user = _member(tenant_a, role, people.get(person), username=f"reader-{who}")

    client = login(user)
    assert _readable_on_page(client, tenant_a, snaps) == expected
    for name, snap in snaps.items():
        url = reverse("score-detail", kwargs={"tenant_slug": tenant_a.slug, "pk": snap.pk})
        assert client.get(url).status_code == (200 if name in expected else 404), name

    api = api_client_for(user)
    assert _readable_in_api(api, tenant_a, snaps) == expected
    for name, snap in snaps.items():
        url = reverse("api-score-detail", kwargs={"tenant_slug": tenant_a.slug, "pk": snap.pk})
        response = api.get(url)
        assert response.status_code == (200 if name in expected else 404), name
        if name not in expected:
            assert response.json() == api.get(
                reverse("api-score-detail", kwargs={"tenant_slug": tenant_a.slug, "pk": 2**31 - 1})
            ).json()


def test_a_reader_without_scores_is_told_why(world, tenant_a, login):
    user = _member(tenant_a, "employee", username="no-record")
    html = login(user).get(reverse("score-list", kwargs={"tenant_slug": tenant_a.slug})).content.decode()
    assert "No score you may read in this period yet" in html
    assert "No scores for this period yet" not in html


# ----- access_scorecard_by_id: the one door to a scorecard by id (pages, API)


@pytest.mark.parametrize(
    ("roles", "write", "answer"),
    [
        (("hr_admin",), True, "ok"),
        (("auditor",), False, "ok"),
        (("manager",), False, "ok"),
        (("auditor",), True, "403"),
        (("employee",), False, "403"),
    ],
)
def test_access_scorecard_by_id_by_role(tenant_a, tenant_b, roles, write, answer):
    with tenant_scope(tenant_b):
        theirs = ScorecardFactory()
    user = make_member(tenant_a, *roles)
    with tenant_scope(tenant_a):
        mine = ScorecardFactory()
        membership = Membership.objects.get(user=user)
        if answer == "403":
            with pytest.raises(PermissionDenied):
                access_scorecard_by_id(membership, mine.pk, write=write)
            return
        assert access_scorecard_by_id(membership, mine.pk, write=write, lock=write) == mine
        for missing in (theirs.pk, 10**9, "x", None):  # another tenant's id reads exactly like a missing one
            with pytest.raises(Http404):
                access_scorecard_by_id(membership, missing, write=write)
