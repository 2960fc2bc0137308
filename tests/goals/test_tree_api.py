"""The goals API: CRUD through the tree services, the nested tree, the trace, and the other tenant."""

from __future__ import annotations

import pytest

from collab.models import AuditEvent, Period
from collab.tenancy import tenant_scope
from goals.models import Goal
from tests.factories import make_member
from tests.factories.goal_tree import bulk_goal_tree, seed_tree
from tests.factories.org import PeriodFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/t/alpha/goals/"


@pytest.fixture
def tree_a(tenant_a):
    with tenant_scope(tenant_a):
        return seed_tree(PeriodFactory(year=2030, status=Period.Status.ACTIVE))


@pytest.fixture
def tree_b(tenant_b):
    with tenant_scope(tenant_b):
        return seed_tree(PeriodFactory(year=2030, status=Period.Status.ACTIVE), prefix="B")


def snapshot(tenant):
    with tenant_scope(tenant):
        return sorted(Goal.objects.values_list("pk", "parent_id", "path", "weight", "kpi_id", "org_unit_id"))


class TestCrud:
    def test_list_filters_and_retrieve(self, tree_a, tree_b, hr_a, api_client_for):
        api = api_client_for(hr_a)
        response = api.get(BASE, {"period": tree_a["period"].pk})
        assert response.status_code == 200 and len(response.data["results"]) == 4
        response = api.get(BASE, {"parent": tree_a["root"].pk})
        assert {g["id"] for g in response.data["results"]} == {tree_a["a"].pk, tree_a["b"].pk}
        assert len(api.get(BASE, {"root": "yes"}).data["results"]) == 1
        detail = api.get(f"{BASE}{tree_a['leaf'].pk}/").data
        assert detail["position_title"] == "Sales rep" and detail["weight"] == "100.00"
        assert detail["path"] == f"{tree_a['a'].path}{tree_a['leaf'].pk}/"
        for bad in ({"period": "abc"}, {"parent": "99999999999999999999"}, {"root": "maybe"}):
            response = api.get(BASE, bad)
            assert response.status_code == 400 and set(bad) <= set(response.data)

    def test_create_update_move_delete(self, tenant_a, tree_a, hr_a, api_client_for):
        api = api_client_for(hr_a)
        body = {"period": tree_a["period"].pk, "parent": tree_a["b"].pk, "org_unit": tree_a["service"].pk,
                "kpi": tree_a["win"].pk, "weight": "100"}
        created = api.post(BASE, body, format="json")
        assert created.status_code == 201, created.data
        goal_id = created.data["id"]
        assert created.data["path"] == f"{tree_a['b'].path}{goal_id}/" and created.data["depth"] == 2
        updated = api.patch(f"{BASE}{goal_id}/", {"weight": "55.5", "lock_version": 1}, format="json")
        assert updated.status_code == 200
        assert updated.data["weight"] == "55.50" and updated.data["lock_version"] == 2
        stale = api.patch(f"{BASE}{goal_id}/", {"weight": "10", "lock_version": 1}, format="json")
        assert stale.status_code == 409
        assert stale.data["changed_by"] == "hr_a" and stale.data["lock_version"] == 2
        missing = api.post(f"{BASE}{goal_id}/move/", {"parent": None}, format="json")
        assert missing.status_code == 400 and "lock_version" in missing.data
        moved = api.patch(f"{BASE}{goal_id}/", {"parent": tree_a["a"].pk, "lock_version": 2}, format="json")
        assert moved.status_code == 200 and moved.data["parent"] == tree_a["a"].pk
        assert moved.data["path"] == f"{tree_a['a'].path}{goal_id}/" and moved.data["lock_version"] == 3
        body = {"parent": None, "weight": "0", "lock_version": 3}
        to_top = api.post(f"{BASE}{goal_id}/move/", body, format="json")
        assert to_top.status_code == 200 and to_top.data["depth"] == 0
        version = api.get(f"{BASE}{tree_a['a'].pk}/").data["lock_version"]
        refused = api.delete(f"{BASE}{tree_a['a'].pk}/?lock_version={version}")
        assert refused.status_code == 400 and "sub-goal" in str(refused.data)
        deleted = api.delete(f"{BASE}{tree_a['a'].pk}/?subtree=yes&lock_version={version}")
        assert deleted.data == {"deleted": 2}
        with tenant_scope(tenant_a):
            assert AuditEvent.objects.filter(action__startswith="goal.").count() >= 8

    def test_errors_are_json_field_errors(self, tenant_a, tree_a, tree_b, hr_a, api_client_for):
        api = api_client_for(hr_a)
        before = snapshot(tenant_a)
        base = {"period": tree_a["period"].pk, "org_unit": tree_a["service"].pk, "kpi": tree_a["win"].pk}
        cases = [
            ({**base, "weight": "abc"}, "weight"),
            ({**base, "weight": "101"}, "weight"),
            ({**base, "kpi": "99999999999999999999"}, "kpi"),
            ({**base, "kpi": True}, "kpi"),
            ({**base, "org_unit": "1\x00"}, "org_unit"),
            ({**base, "position": tree_a["rep"].pk}, "position"),  # the rep belongs to sales
            ({**base, "period": PeriodFactory.build().pk}, "period"),
        ]
        for body, field in cases:
            response = api.post(BASE, body, format="json")
            assert response.status_code == 400, (body, response.data)
            assert field in response.data, (body, response.data)
        # Another tenant's parent or unit reads as missing: 404 naming the field (DESIGN.md §4).
        for body, field in (({**base, "parent": tree_b["root"].pk}, "parent"),
                            ({**base, "org_unit": tree_b["service"].pk}, "org_unit")):
            response = api.post(BASE, body, format="json")
            assert response.status_code == 404 and field in response.data, (body, response.data)
        body = {"parent": tree_a["leaf"].pk, "lock_version": 1}
        cycle = api.post(f"{BASE}{tree_a['root'].pk}/move/", body, format="json")
        assert cycle.status_code == 400 and "loop" in str(cycle.data["parent"])
        with tenant_scope(tenant_a):
            elsewhere = seed_tree(PeriodFactory(year=2031), prefix="X")
        body = {"parent": elsewhere["root"].pk, "lock_version": 1}
        cross = api.post(f"{BASE}{tree_a['a'].pk}/move/", body, format="json")
        assert cross.status_code == 400 and "another period" in str(cross.data["parent"])
        version = api.get(f"{BASE}{tree_a['a'].pk}/").data["lock_version"]
        other_period = {"period": elsewhere["period"].pk, "lock_version": version}
        period_change = api.patch(f"{BASE}{tree_a['a'].pk}/", other_period, format="json")
        assert period_change.status_code == 400 and "period" in period_change.data
        assert snapshot(tenant_a) == before + snapshot_of(tenant_a, elsewhere)

    def test_roles(self, tenant_a, tree_a, api_client_for):
        for role in ("manager", "committee", "auditor"):
            api = api_client_for(make_member(tenant_a, role, username=f"{role}_api"))
            assert api.get(BASE).status_code == 200
            assert api.get(f"{BASE}tree/", {"period": tree_a["period"].pk}).status_code == 200
            assert api.delete(f"{BASE}{tree_a['leaf'].pk}/").status_code == 403
            publish = api.post(f"{BASE}publish/", {"period": tree_a["period"].pk}, format="json")
            assert publish.status_code == 403
        employee = api_client_for(make_member(tenant_a, "employee", username="employee_api"))
        assert employee.get(BASE).status_code == 403


def snapshot_of(tenant, tree):
    with tenant_scope(tenant):
        return sorted(
            Goal.objects.filter(period=tree["period"]).values_list(
                "pk", "parent_id", "path", "weight", "kpi_id", "org_unit_id"
            )
        )


class TestTreeAndTrace:
    def test_nested_tree(self, tree_a, hr_a, api_client_for):
        api = api_client_for(hr_a)
        response = api.get(f"{BASE}tree/", {"period": tree_a["period"].pk})
        assert response.status_code == 200
        data = response.data
        assert data["goals"] == 4 and data["off_groups"] == []
        (root,) = data["tree"]
        assert root["id"] == tree_a["root"].pk and root["progress"] == pytest.approx(102)
        assert root["band"] == "green" and root["measured"] == pytest.approx(90)
        assert root["children_sum"] == "100.00"
        assert [c["id"] for c in root["children"]] == [tree_a["a"].pk, tree_a["b"].pk]
        leaf = root["children"][0]["children"][0]
        assert leaf["position"]["title"] == "Sales rep" and leaf["children"] == []
        branch = api.get(f"{BASE}tree/", {"period": tree_a["period"].pk, "root": tree_a["a"].pk}).data
        assert [n["id"] for n in branch["tree"]] == [tree_a["a"].pk]

    def test_trace(self, tree_a, hr_a, api_client_for):
        api = api_client_for(hr_a)
        response = api.get(f"{BASE}trace/", {"period": tree_a["period"].pk, "kpi": tree_a["ret"].pk})
        assert response.status_code == 200
        data = response.data
        assert data["roots"] == [tree_a["root"].pk]
        by_goal = {c["id"]: c for c in data["contributions"]}
        assert by_goal[tree_a["leaf"].pk]["effective_weight"] == pytest.approx(60)
        assert by_goal[tree_a["leaf"].pk]["path"] == [tree_a["root"].pk, tree_a["a"].pk]
        assert by_goal[tree_a["b"].pk]["reasons"] == ["collaborative", "other_department"]
        assert data["summary"]["cross_department_share"] == pytest.approx(40)
        assert [(r["org_unit_name"], r["effective_weight"]) for r in data["responsible"]] == [
            ("Sales", pytest.approx(60)), ("Service", pytest.approx(40)),
        ]
        from_goal = api.get(f"{BASE}trace/", {"period": tree_a["period"].pk, "goal": tree_a["a"].pk}).data
        assert from_goal["roots"] == [tree_a["a"].pk] and len(from_goal["contributions"]) == 2
        missing = api.get(f"{BASE}trace/", {"period": tree_a["period"].pk})
        assert missing.status_code == 400 and "kpi" in missing.data

    def test_tree_query_count_is_fixed(self, tenant_a, hr_a, api_client_for, django_assert_max_num_queries):
        api = api_client_for(hr_a)
        with tenant_scope(tenant_a):
            period = PeriodFactory(year=2032)
            built = bulk_goal_tree(period=period, units=200, goals=800)
        for url, params in (("tree/", {"period": period.pk}),
                            ("trace/", {"period": period.pk, "kpi": built["root_kpi"].pk}),
                            ("", {"period": period.pk})):
            with django_assert_max_num_queries(10, info=url):
                assert api.get(f"{BASE}{url}", params).status_code == 200


class TestWholeTreeActions:
    def test_reweight_publish_and_copy(self, tenant_a, tree_a, hr_a, api_client_for):
        api = api_client_for(hr_a)
        weights = {str(tree_a["a"].pk): "70", str(tree_a["b"].pk): "20"}
        response = api.post(f"{BASE}reweight/", {"weights": weights}, format="json")
        assert response.status_code == 200 and response.data == {"sum": "90.00", "publishable": False}
        refused = api.post(f"{BASE}publish/", {"period": tree_a["period"].pk}, format="json")
        assert refused.status_code == 400
        assert refused.data["groups"] == [
            {"parent": tree_a["root"].pk, "parent_label": "Group · RET Customer retention", "sum": "90.00",
             "goals": 2},
        ]
        api.post(f"{BASE}reweight/", {"weights": {str(tree_a["b"].pk): "30"}}, format="json")
        published = api.post(f"{BASE}publish/", {"period": tree_a["period"].pk}, format="json")
        assert published.status_code == 200 and published.data["published"] == 4
        with tenant_scope(tenant_a):
            target = PeriodFactory(year=2031, status=Period.Status.PLANNING)
        copied = api.post(f"{BASE}copy/", {"source": tree_a["period"].pk, "target": target.pk}, format="json")
        assert copied.status_code == 201 and copied.data["copied"] == 4
        again = api.post(f"{BASE}copy/", {"source": tree_a["period"].pk, "target": target.pk}, format="json")
        assert again.status_code == 400 and "target" in again.data
        bad = api.post(f"{BASE}reweight/", {"weights": {"abc": "1"}}, format="json")
        assert bad.status_code == 400
        bad = api.post(f"{BASE}reweight/", {"weights": {str(tree_a["a"].pk): "x"}}, format="json")
        assert bad.status_code == 400

    def test_closed_period_is_read_only(self, tenant_a, tree_a, hr_a, api_client_for):
        with tenant_scope(tenant_a):
            Period.objects.filter(pk=tree_a["period"].pk).update(status=Period.Status.CLOSED)
        api = api_client_for(hr_a)
        before = snapshot(tenant_a)
        body = {"weight": "1", "lock_version": 1}
        assert api.patch(f"{BASE}{tree_a['b'].pk}/", body, format="json").status_code == 400
        version = tree_a["leaf"].lock_version
        assert api.delete(f"{BASE}{tree_a['leaf'].pk}/?lock_version={version}").status_code == 400
        response = api.post(f"{BASE}publish/", {"period": tree_a["period"].pk}, format="json")
        assert response.status_code == 400 and "closed" in str(response.data)
        assert snapshot(tenant_a) == before


class TestOtherTenant:
    def test_other_tenants_ids_are_missing(self, tenant_a, tenant_b, tree_a, tree_b, hr_a, api_client_for):
        api = api_client_for(hr_a)
        before = snapshot(tenant_b)
        foreign = tree_b["a"].pk
        assert api.get(f"{BASE}{foreign}/").status_code == 404
        assert api.patch(f"{BASE}{foreign}/", {"weight": "1"}, format="json").status_code == 404
        assert api.put(f"{BASE}{foreign}/", {}, format="json").status_code == 404
        assert api.delete(f"{BASE}{foreign}/?subtree=yes").status_code == 404
        assert api.post(f"{BASE}{foreign}/move/", {"parent": None}, format="json").status_code == 404
        assert api.get(f"{BASE}tree/", {"period": tree_b["period"].pk}).status_code == 404
        assert api.get(f"{BASE}tree/", {"period": tree_a["period"].pk, "root": foreign}).status_code == 404
        period = tree_a["period"].pk
        assert api.get(f"{BASE}trace/", {"period": period, "kpi": tree_b["ret"].pk}).status_code == 404
        assert api.get(f"{BASE}trace/", {"period": period, "goal": foreign}).status_code == 404
        assert len(api.get(BASE, {"period": tree_b["period"].pk}).data["results"]) == 0
        response = api.post(f"{BASE}reweight/", {"weights": {str(foreign): "5"}}, format="json")
        assert response.status_code == 404 and "weights" in response.data
        response = api.post(f"{BASE}publish/", {"period": tree_b["period"].pk}, format="json")
        assert response.status_code == 404 and "period" in response.data
        response = api.post(f"{BASE}copy/", {"source": tree_a["period"].pk, "target": tree_b["period"].pk},
                            format="json")
        assert response.status_code == 404 and "target" in response.data
        body = {"parent": tree_b["root"].pk, "lock_version": 1}
        response = api.post(f"{BASE}{tree_a['a'].pk}/move/", body, format="json")
        assert response.status_code == 404 and "parent" in response.data
        assert snapshot(tenant_b) == before
        assert api_client_for(hr_a).get("/api/v1/t/bravo/goals/").status_code == 404
