"""The goal tree a branch at a time: the page opens on the reader's part, branches load on demand (page
and API), search answers goals with their path, and the roll-up is cached under a stamp that every write
to goals, measurements or KPIs changes (never a stale number)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from collab.models import Period
from collab.tenancy import tenant_scope
from goals.models import KPI, Goal, Measurement, ScoresStamp
from goals.selectors.rollup_cache import period_rollup, scores_token
from goals.services.tree.nodes import goal_create
from tests.factories import make_member
from tests.factories.goal_tree import seed_tree
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PeriodFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/t/alpha/goal-tree/"


@pytest.fixture
def tree_a(tenant_a):
    with tenant_scope(tenant_a):
        return seed_tree(PeriodFactory(year=2030, status=Period.Status.ACTIVE))


@pytest.fixture
def tree_b(tenant_b):
    with tenant_scope(tenant_b):
        return seed_tree(PeriodFactory(year=2030, status=Period.Status.ACTIVE), prefix="B")


def page_url(period, **params):
    query = "&".join(f"{k}={v}" for k, v in {"period": period.pk, **params}.items())
    return f"{reverse('goal-tree', kwargs={'tenant_slug': 'alpha'})}?{query}"


def employee_of(tenant, unit, username="emp_a"):
    user = make_member(tenant, "employee", username=username)
    with tenant_scope(tenant):
        EmployeeFactory(org_unit=unit, user=user)
    return user


def grow_outside(tree, n):
    """`n` more goals under the service unit's goal: outside an employee of sales's branch."""
    units = [OrgUnitFactory(code=f"X{i}", name=f"Extra {i}", parent=tree["service"]) for i in range(n)]
    for unit in units:
        goal_create(actor=None, period=tree["period"], org_unit=unit, kpi=tree["a"].kpi, parent=tree["b"],
                    weight=1)


class TestOpening:
    def test_page_size_does_not_grow_with_goals_outside_the_readers_branch(self, tenant_a, tree_a, tree_b,
                                                                           login):
        user = employee_of(tenant_a, tree_a["sales"])
        client = login(user)
        views = ("tree", "chart", "table")
        before = {view: client.get(page_url(tree_a["period"], view=view)).content for view in views}
        with tenant_scope(tenant_a):
            grow_outside(tree_a, 60)
        for view in views:
            after = client.get(page_url(tree_a["period"], view=view)).content
            assert len(after) == len(before[view]), view
        # An HR admin opens on the top levels: the 60 new goals sit one level below what is shown.
        hr = make_member(tenant_a, "hr_admin", username="hr_x")
        html = login(hr).get(page_url(tree_a["period"])).content.decode()
        assert html.count('class="goal-item"') == 3 and "61 sub-goals" not in html
        assert f'id="goal-{tree_a["b"].pk}"' in html and "60 sub-goals" in html

    def test_manager_opens_on_their_unit_with_the_chain_above(self, tenant_a, tree_a, login):
        manager = make_member(tenant_a, "manager", username="mgr_a")
        with tenant_scope(tenant_a):
            EmployeeFactory(org_unit=tree_a["sales"], user=manager)
        client = login(manager)
        html = client.get(page_url(tree_a["period"])).content.decode()
        assert f'id="goal-{tree_a["a"].pk}"' in html and f'id="goal-{tree_a["leaf"].pk}"' in html
        assert f'id="goal-{tree_a["b"].pk}"' not in html and 'id="tree-above"' in html
        html = client.get(page_url(tree_a["period"], scope="top")).content.decode()
        assert f'id="goal-{tree_a["root"].pk}"' in html and f'id="goal-{tree_a["b"].pk}"' in html

    def test_children_are_paged_and_fragments_keep_the_access_rule(self, tenant_a, tree_a, tree_b, login,
                                                                   django_assert_max_num_queries):
        with tenant_scope(tenant_a):
            grow_outside(tree_a, 55)
        hr = make_member(tenant_a, "hr_admin", username="hr_x")
        client = login(hr)
        children = reverse("goal-tree-children", kwargs={"tenant_slug": "alpha", "pk": tree_a["b"].pk})
        client.get(children)  # warm the roll-up cache
        with django_assert_max_num_queries(8):  # session… (5), the goal, the stamp, the children
            first = client.get(children).content.decode()
        assert first.count('class="goal-item"') == 50 and 'data-action="more"' in first
        second = client.get(f"{children}?offset=50").content.decode()
        assert second.count('class="goal-item"') == 5 and 'data-action="more"' not in second
        other = reverse("goal-tree-children", kwargs={"tenant_slug": "alpha", "pk": tree_b["a"].pk})
        assert client.get(other).status_code == 404
        level = reverse("goal-tree-level", kwargs={"tenant_slug": "alpha", "period_pk": tree_b["period"].pk})
        assert client.get(level).status_code == 404
        employee = employee_of(tenant_a, tree_a["sales"])
        client = login(employee)
        assert client.get(children).status_code == 404
        level = reverse("goal-tree-level", kwargs={"tenant_slug": "alpha", "period_pk": tree_a["period"].pk})
        html = client.get(f"{level}?scope=top").content.decode()  # an employee reads their part only
        assert f'id="goal-{tree_a["a"].pk}"' in html and f'id="goal-{tree_a["root"].pk}"' not in html

    def test_search_answers_goals_with_their_path(self, tenant_a, tree_a, tree_b, hr_a, login):
        client = login(hr_a)
        html = client.get(page_url(tree_a["period"], q="rep")).content.decode()
        found = html[html.index('id="goal-search-results"'):]
        assert f'data-goal="{tree_a["leaf"].pk}"' in found and found.count("goal-search-hit") == 1
        assert "Group · RET" in found and f"focus={tree_a['leaf'].pk}" in found
        assert "BSales" not in found  # the other tenant's goals never match
        fragment = client.get(page_url(tree_a["period"], q="rep"), HTTP_HX_REQUEST="true",
                              HTTP_HX_TARGET="goal-search-results").content.decode()
        assert fragment.startswith('<div id="goal-search-results">') and "<html" not in fragment
        opened = client.get(page_url(tree_a["period"], focus=tree_a["leaf"].pk)).content.decode()
        above = opened[opened.index('id="tree-above"'):]
        assert f'data-goal="{tree_a["root"].pk}"' in above and f'data-goal="{tree_a["a"].pk}"' in above
        employee = employee_of(tenant_a, tree_a["service"])
        html = login(employee).get(page_url(tree_a["period"], q="rep")).content.decode()
        # the sales rep's goal is outside a service employee's part
        found = html[html.index('id="goal-search-results"'):]
        assert "goal-search-hit" not in found and "No goal matches this search." in found


class TestApi:
    def test_children_and_search_read_as_the_page(self, tenant_a, tree_a, tree_b, hr_a, api_client_for,
                                                  django_assert_max_num_queries):
        api = api_client_for(hr_a)
        top = api.get(f"{API}children/", {"period": tree_a["period"].pk})
        assert top.status_code == 200, top.data
        [root] = top.data["results"]
        assert root["id"] == tree_a["root"].pk and root["progress"] == 102.0 and root["children"] == 2
        assert root["children_sum"] == "100.00" and top.data["next_offset"] is None
        with django_assert_max_num_queries(8):
            below = api.get(f"{API}children/", {"parent": tree_a["root"].pk, "limit": 1})
        assert below.data["count"] == 2 and below.data["next_offset"] == 1
        assert [n["id"] for n in below.data["results"]] == [tree_a["a"].pk]
        found = api.get(f"{API}search/", {"period": tree_a["period"].pk, "q": "rep"}).data
        assert found["count"] == 1 and found["results"][0]["id"] == tree_a["leaf"].pk
        assert [s["id"] for s in found["results"][0]["above"]] == [tree_a["root"].pk, tree_a["a"].pk]
        assert api.get(f"{API}children/", {"parent": tree_b["a"].pk}).status_code == 404
        assert api.get(f"{API}search/", {"period": tree_b["period"].pk, "q": "x"}).status_code == 404
        for bad in ({}, {"period": "abc"}, {"parent": "0"}, {"period": tree_a["period"].pk, "limit": 0}):
            assert api.get(f"{API}children/", bad).status_code == 400, bad
        assert api.get(f"{API}search/", {"period": tree_a["period"].pk}).status_code == 400

    def test_an_employee_reads_their_part_only(self, tenant_a, tree_a, api_client_for):
        api = api_client_for(employee_of(tenant_a, tree_a["sales"]))
        top = api.get(f"{API}children/", {"period": tree_a["period"].pk, "scope": "top"}).data
        assert [n["id"] for n in top["results"]] == [tree_a["a"].pk]
        assert api.get(f"{API}children/", {"parent": tree_a["root"].pk}).status_code == 404
        assert api.get(f"{API}children/", {"parent": tree_a["a"].pk}).data["count"] == 1


class TestStamp:
    def test_every_kind_of_write_changes_the_token(self, tenant_a, tree_a):
        with tenant_scope(tenant_a):
            period = tree_a["period"]
            seen = {scores_token(tenant_a.pk)}

            def changed():
                token = scores_token(tenant_a.pk)
                assert token not in seen
                seen.add(token)

            measurement = Measurement.objects.get(kpi=tree_a["a"].kpi, period=period)
            measurement.actual = Decimal(95)
            measurement.save()
            changed()
            Goal.objects.filter(pk=tree_a["b"].pk).update(weight=Decimal(40))
            changed()
            KPI.objects.filter(pk=tree_a["a"].kpi_id).update(cap=Decimal(150))
            changed()
            Measurement.objects.bulk_create([Measurement(kpi=tree_a["leaf"].kpi, period=PeriodFactory(
                year=2031), target=Decimal(1))])
            changed()
            Goal.objects.get(pk=tree_a["leaf"].pk).delete()
            changed()

    def test_a_cached_roll_up_is_never_read_stale(self, tenant_a, tree_a):
        with tenant_scope(tenant_a):
            period = tree_a["period"]
            assert period_rollup(period).scores.goals[tree_a["root"].pk].progress == 102.0
            assert period_rollup(period) is period_rollup(period)  # cached
            Measurement.objects.filter(kpi=tree_a["leaf"].kpi, period=period).update(actual=Decimal(100))
            # rep 100, sales 100, service 90: root 0.6·100 + 0.4·90 = 96
            assert period_rollup(period).scores.goals[tree_a["root"].pk].progress == 96.0

    def test_a_rolled_back_bump_never_hands_its_key_to_other_data(self, tenant_a, tree_a):
        with tenant_scope(tenant_a):
            before = scores_token(tenant_a.pk)
            ScoresStamp.bump({tenant_a.pk})
            assert uuid.UUID(scores_token(tenant_a.pk)) != uuid.UUID(before)
