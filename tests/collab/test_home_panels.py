"""The home page's panels come from the apps (collab.home): the platform's view imports none of them."""

from __future__ import annotations

from django.urls import reverse

from collab import home
from collab.tenancy import tenant_scope
from tests.factories import make_member
from tests.factories.org import EmployeeFactory, OrgUnitFactory


def test_goals_and_interlock_register_their_home_panels_in_layer_order():
    from alerts.apps import home_unit_alerts
    from appraisal.apps import home_my_appraisal, home_not_talked_to
    from feedback.apps import home_ratings_of, home_unit_reviews_of
    from feedback.selectors.points import home_points
    from goals.selectors.reach import goals_reaching
    from interlock.apps import home_scores_of

    assert list(home.home_panels.providers.items()) == [
        ("reach", goals_reaching), ("scores", home_scores_of), ("ratings", home_ratings_of),
        ("points", home_points), ("unit_reviews", home_unit_reviews_of),
        ("not_talked_to", home_not_talked_to), ("my_appraisal", home_my_appraisal),
        ("unit_alerts", home_unit_alerts),
    ]  # fmt: skip


def test_every_registered_panel_reaches_the_home_of_an_employee(tenant_a, login, monkeypatch):
    seen = []

    def probe(employee):
        seen.append(employee)
        return 7

    monkeypatch.setitem(home.home_panels.providers, "probe", probe)
    user = make_member(tenant_a, "employee")
    with tenant_scope(tenant_a):
        employee = EmployeeFactory(user=user, org_unit=OrgUnitFactory())
    response = login(user).get(reverse("tenant-home", args=[tenant_a.slug]))
    assert response.context["probe"] == 7 and seen == [employee]
    assert {"reach", "scores"} <= set(response.context.keys())
