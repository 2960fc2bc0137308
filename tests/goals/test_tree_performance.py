"""The tree, matrix and trace pages run a fixed number of queries, at a small size and at the full
5,000 units / 20,000 goals of the requirement."""

from __future__ import annotations

import pytest
from django.urls import reverse

from collab.models import Period
from collab.tenancy import tenant_scope
from goals.models import Goal
from tests.factories.goal_tree import bulk_goal_tree, seed_tree
from tests.factories.org import PeriodFactory

pytestmark = pytest.mark.django_db

# Session, user, tenant, membership, profile (5) + the page's own reads: periods, publication, the scores
# stamp, the reader's unit and part, the top level, the level below it (the nested tree); a period and a
# unit (matrix cell). The period's roll-up is cached: a cold cache adds its three queries once.
# The nested tree's opened part is cached under the scores stamp (`collab.page_cache`): reading it is one
# query more the first time, none of the tree's queries after.
TREE_QUERIES = 14  # a focused goal: + its access check
ROLLUP_MISS = 3
MATRIX_QUERIES = 10
TRACE_QUERIES = 9


def _tree(tenant_a, tenant_b, units, goals):
    with tenant_scope(tenant_b):  # the other tenant is in the room, with a tree of its own
        seed_tree(PeriodFactory(year=2030), prefix="B")
    with tenant_scope(tenant_a):
        period = PeriodFactory(year=2030, status=Period.Status.ACTIVE)
        built = bulk_goal_tree(period=period, units=units, goals=goals)
        assert Goal.objects.filter(period=period).count() == goals
    return period, built


@pytest.mark.parametrize(("units", "goals"), [(30, 120), (1000, 4000)], ids=["small", "larger"])
def test_pages_do_not_grow_with_the_tree(tenant_a, tenant_b, hr_a, login, django_assert_max_num_queries,
                                         units, goals):
    period, built = _tree(tenant_a, tenant_b, units, goals)
    with tenant_scope(tenant_a):
        deep = Goal.objects.filter(period=period, depth=3).values_list("pk", flat=True).first()
    client = login(hr_a)
    client.get(reverse("tenant-home", kwargs={"tenant_slug": "alpha"}))  # warm the session
    base = {"tenant_slug": "alpha"}
    trace = f"{reverse('goal-trace', kwargs=base)}?period={period.pk}"
    pages = [
        (f"{reverse('goal-tree', kwargs=base)}?period={period.pk}", TREE_QUERIES),
        (f"{reverse('goal-tree', kwargs=base)}?period={period.pk}&view=chart", TREE_QUERIES),
        (f"{reverse('goal-tree', kwargs=base)}?period={period.pk}&view=table&q=Unit", TREE_QUERIES),
        (f"{reverse('goal-tree', kwargs=base)}?period={period.pk}&focus={deep}", TREE_QUERIES),
        (reverse("goal-tree-children", kwargs={**base, "pk": deep}), TREE_QUERIES),
        (f"{reverse('goal-matrix', kwargs=base)}?period={period.pk}", MATRIX_QUERIES),
        (f"{reverse('goal-matrix', kwargs=base)}?period={period.pk}&page=2", MATRIX_QUERIES),
        (reverse("goal-matrix-cell", kwargs={**base, "period_pk": period.pk, "unit_pk": built["units"][1].pk,
                                             "perspective": "customer"}), MATRIX_QUERIES),
        (f"{trace}&kpi={built['root_kpi'].pk}", TRACE_QUERIES),
        (f"{trace}&kpi={built['root_kpi'].pk}&page=3&upage=2", TRACE_QUERIES),
        (f"{trace}&goal={deep}", TRACE_QUERIES),
    ]
    with django_assert_max_num_queries(TREE_QUERIES + ROLLUP_MISS, info="cold roll-up cache"):
        assert client.get(pages[0][0]).status_code == 200
    for page, budget in pages:
        with django_assert_max_num_queries(budget, info=page):
            response = client.get(page)
        assert response.status_code == 200, page
    # The rendered tree stays bounded however large the period is (deeper branches load on demand).
    html = client.get(pages[0][0]).content.decode()
    assert html.count('class="goal-item"') <= 200


def test_full_size_pages(tenant_a, tenant_b, hr_a, login, django_assert_max_num_queries):
    """5,000 units and 20,000 goals: the same budgets as the small tree."""
    period, built = _tree(tenant_a, tenant_b, 5000, 20000)
    client = login(hr_a)
    base = {"tenant_slug": "alpha"}
    pages = [
        (f"{reverse('goal-tree', kwargs=base)}?period={period.pk}", TREE_QUERIES + ROLLUP_MISS),
        (f"{reverse('goal-matrix', kwargs=base)}?period={period.pk}", MATRIX_QUERIES),
        (f"{reverse('goal-trace', kwargs=base)}?period={period.pk}&kpi={built['root_kpi'].pk}",
         TRACE_QUERIES),
    ]
    for page, budget in pages:
        with django_assert_max_num_queries(budget, info=page):
            response = client.get(page)
        assert response.status_code == 200, page
