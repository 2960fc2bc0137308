"""Goal tree pages: the builder (htmx forms), roles, errors, closed periods and the other tenant."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from collab.models import AuditEvent, Period
from collab.tenancy import tenant_scope
from goals.models import Goal
from tests.factories import make_member
from tests.factories.goal_tree import seed_tree
from tests.factories.org import EmployeeFactory, PeriodFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def tree_a(tenant_a):
    with tenant_scope(tenant_a):
        return seed_tree(PeriodFactory(year=2030, status=Period.Status.ACTIVE))


@pytest.fixture
def tree_b(tenant_b):
    with tenant_scope(tenant_b):
        return seed_tree(PeriodFactory(year=2030, status=Period.Status.ACTIVE), prefix="B")


def url(name, slug="alpha", **kwargs):
    return reverse(name, kwargs={"tenant_slug": slug, **kwargs})


def tree_url(period, slug="alpha", **params):
    query = "&".join(f"{k}={v}" for k, v in {"period": period.pk, **params}.items())
    return f"{url('goal-tree', slug)}?{query}"


def goals_of(tenant, period):
    with tenant_scope(tenant):
        rows = Goal.objects.filter(period=period)
        return {g.pk: (g.parent_id, g.path, g.weight, g.kpi_id, g.org_unit_id) for g in rows}


class TestTreePage:
    def test_hr_sees_the_tree_with_progress_bands_and_builder(self, tree_a, hr_a, login):
        response = login(hr_a).get(tree_url(tree_a["period"]))
        assert response.status_code == 200
        html = response.content.decode()
        # HR opens on the top levels: the top goal and its children, theirs collapsed with a count.
        for goal in ("root", "a", "b"):
            assert f'id="goal-{tree_a[goal].pk}"' in html
        assert f'id="goal-{tree_a["leaf"].pk}"' not in html
        sales = html[html.index(f'data-goal="{tree_a["a"].pk}"'):]
        assert "1 sub-goal" in sales[: sales.index("</div>")]
        branch = login(hr_a).get(url("goal-tree-children", pk=tree_a["a"].pk)).content.decode()
        assert f'id="goal-{tree_a["leaf"].pk}"' in branch and "Sales rep" in branch
        # Root: rolled up 0.6·110 + 0.4·90 = 102 (green) beside its own measured 90 (amber).
        root = html[html.index(f'data-goal="{tree_a["root"].pk}"'):]
        root = root[: root.index("</div>")]
        assert "102.0" in root and 'data-band="green"' in root
        assert "measured" in root and "90.0" in root and 'data-band="amber"' in root
        assert 'data-collaborative="1"' in root
        assert 'id="builder-toolbar"' in html and 'data-action="add-child"' in html
        assert 'id="publication-none"' in html

    def test_readers_see_no_builder_and_cannot_write(self, tenant_a, tree_a, login):
        for role in ("manager", "committee", "auditor"):
            user = make_member(tenant_a, role, username=f"{role}_a")
            client = login(user)
            response = client.get(tree_url(tree_a["period"]))
            assert response.status_code == 200
            html = response.content.decode()
            assert f'id="goal-{tree_a["a"].pk}"' in html
            assert 'id="builder-toolbar"' not in html and 'data-action="add-child"' not in html
            assert client.get(url("goal-create", period_pk=tree_a["period"].pk)).status_code == 403
            response = client.post(url("goal-delete", pk=tree_a["leaf"].pk))
            assert response.status_code == 403
        assert len(goals_of(tenant_a, tree_a["period"])) == 4

    def test_employee_reads_only_their_units_part(self, tenant_a, tree_a, login):
        user = make_member(tenant_a, "employee", username="emp_a")
        with tenant_scope(tenant_a):
            EmployeeFactory(org_unit=tree_a["sales"], user=user)
        client = login(user)
        response = client.get(tree_url(tree_a["period"]))
        html = response.content.decode()
        assert response.status_code == 200
        assert f'id="goal-{tree_a["a"].pk}"' in html and f'id="goal-{tree_a["leaf"].pk}"' in html
        assert f'id="goal-{tree_a["root"].pk}"' not in html and f'id="goal-{tree_a["b"].pk}"' not in html
        # Another unit's branch, the matrix and the trace are not for employees.
        assert client.get(tree_url(tree_a["period"], focus=tree_a["b"].pk)).status_code == 404
        assert client.get(url("goal-tree-children", pk=tree_a["root"].pk)).status_code == 404
        assert client.get(url("goal-matrix")).status_code == 403
        assert client.get(url("goal-trace")).status_code == 403

    def test_employee_sees_what_their_part_feeds_into_and_its_own_count(self, tenant_a, tree_a, login):
        user = make_member(tenant_a, "employee", username="emp_a")
        with tenant_scope(tenant_a):
            EmployeeFactory(org_unit=tree_a["sales"], user=user)
        html = login(user).get(tree_url(tree_a["period"])).content.decode()
        status = html[html.index('id="tree-status"'):]
        assert "2 goals" in status[: status.index("</div>")], "the goals shown, not the whole tree's 4"
        above = html[html.index('id="tree-above"'):]
        above = above[: above.index('id="goal-tree"')]
        assert f'data-goal="{tree_a["root"].pk}"' in above and "102.0" in above
        assert f'data-goal="{tree_a["b"].pk}"' not in above

    def test_employee_of_a_unit_without_goals_is_pointed_to_the_goals_above(self, tenant_a, tree_a, login):
        user = make_member(tenant_a, "employee", username="emp_team")
        with tenant_scope(tenant_a):
            from tests.factories.org import OrgUnitFactory

            EmployeeFactory(org_unit=OrgUnitFactory(parent=tree_a["sales"], name="Inside sales"), user=user)
        html = login(user).get(tree_url(tree_a["period"])).content.decode()
        assert 'id="tree-empty"' in html and "no goals of its own" in html
        assert f'href="{url("tenant-home")}?as=employee" id="tree-reach-link"' in html

    def test_the_chart_says_truncated_only_when_goals_below_its_roots_are_left_out(self, tenant_a, tree_a):
        from goals.selectors.tree import load as tree_load
        from goals.selectors.tree import render as tree_render

        with tenant_scope(tenant_a):
            tree = tree_load.load_tree(tree_a["period"])
        branch = [tree.nodes[tree_a["a"].pk]]  # an employee's part, or a focused branch: all of it drawn
        assert tree_render.chart_data(tree, branch, "x")["truncated"] is False
        assert tree_render.chart_data(tree, tree.roots, "x")["truncated"] is False
        assert tree_render.chart_data(tree, tree.roots, "x", budget=2)["truncated"] is True

    def test_employee_without_an_employee_record(self, tenant_a, tree_a, login):
        user = make_member(tenant_a, "employee", username="emp_none")
        response = login(user).get(tree_url(tree_a["period"]))
        assert response.status_code == 200 and b'id="tree-no-unit"' in response.content

    def test_chart_and_table_views(self, tree_a, hr_a, login):
        client = login(hr_a)
        chart = client.get(tree_url(tree_a["period"], view="chart"))
        assert chart.status_code == 200 and b'id="goal-chart-data"' in chart.content
        assert b"echarts.min.js" in chart.content
        table = client.get(tree_url(tree_a["period"], view="table", q="rep"))
        html = table.content.decode()
        assert 'id="goal-table"' in html and f'data-goal="{tree_a["leaf"].pk}"' in html
        assert f'data-goal="{tree_a["b"].pk}"' not in html
        table = client.get(tree_url(tree_a["period"], view="table", perspective="customer"))
        assert f'data-goal="{tree_a["b"].pk}"'.encode() in table.content
        assert f'data-goal="{tree_a["leaf"].pk}"'.encode() not in table.content

    def test_focus_and_lazy_children(self, tree_a, hr_a, login):
        client = login(hr_a)
        response = client.get(tree_url(tree_a["period"], focus=tree_a["a"].pk))
        html = response.content.decode()
        assert 'id="tree-focus"' in html and f'id="goal-{tree_a["b"].pk}"' not in html
        fragment = client.get(url("goal-tree-children", pk=tree_a["a"].pk), **HTMX)
        assert fragment.status_code == 200
        assert f'id="goal-{tree_a["leaf"].pk}"'.encode() in fragment.content
        assert b"<html" not in fragment.content

    def test_no_period_and_empty_period(self, tenant_a, hr_a, login):
        client = login(hr_a)
        response = client.get(url("goal-tree"))
        assert response.status_code == 200 and b'id="tree-empty"' in response.content
        with tenant_scope(tenant_a):
            period = PeriodFactory(year=2031)
        response = client.get(tree_url(period))
        assert b'id="tree-empty"' in response.content and b"Add a top-level goal" in response.content

    @pytest.mark.parametrize("bad", ["abc", "0x1", "99999999999999999999", "-1", "1%00"])
    def test_malformed_ids_are_404(self, tree_a, hr_a, login, bad):
        client = login(hr_a)
        assert client.get(f"{url('goal-tree')}?period={bad}").status_code == 404
        assert client.get(f"{url('goal-tree')}?period={tree_a['period'].pk}&focus={bad}").status_code == 404
        assert client.get(f"{url('goal-trace')}?period={tree_a['period'].pk}&kpi={bad}").status_code == 404


class TestBuilderForms:
    def test_add_child_through_htmx(self, tenant_a, tree_a, hr_a, login):
        client = login(hr_a)
        add = f"{url('goal-create', period_pk=tree_a['period'].pk)}?parent={tree_a['b'].pk}"
        form = client.get(add, **HTMX)
        assert form.status_code == 200 and b'id="goal-form"' in form.content and b"<html" not in form.content
        response = client.post(
            add,
            {"org_unit": tree_a["service"].pk, "kpi": tree_a["win"].pk, "weight": "100", "position": ""},
            **HTMX,
        )
        assert response.status_code == 204
        assert response["HX-Redirect"].startswith(url("goal-tree"))
        with tenant_scope(tenant_a):
            child = Goal.objects.get(parent=tree_a["b"])
            assert child.path == f"{tree_a['b'].path}{child.pk}/" and child.weight == Decimal("100")
            assert AuditEvent.objects.filter(action="goal.create", object_id=str(child.pk)).exists()

    def test_add_top_level_goal_without_htmx(self, tenant_a, tree_a, hr_a, login):
        client = login(hr_a)
        add = url("goal-create", period_pk=tree_a["period"].pk)
        assert b"<html" in client.get(add).content  # a full page without htmx
        response = client.post(add, {"org_unit": tree_a["group"].pk, "kpi": tree_a["win"].pk, "weight": "0"})
        assert response.status_code == 302
        with tenant_scope(tenant_a):
            assert Goal.objects.filter(period=tree_a["period"], parent=None).count() == 2

    def test_field_errors_and_nothing_written(self, tenant_a, tenant_b, tree_a, tree_b, hr_a, login):
        client = login(hr_a)
        add = f"{url('goal-create', period_pk=tree_a['period'].pk)}?parent={tree_a['b'].pk}"
        before = goals_of(tenant_a, tree_a["period"])
        cases = [
            {"org_unit": tree_a["service"].pk, "kpi": tree_a["win"].pk, "weight": "abc"},
            {"org_unit": tree_a["service"].pk, "kpi": tree_a["win"].pk, "weight": "150"},
            {"org_unit": tree_b["service"].pk, "kpi": tree_a["win"].pk, "weight": "10"},  # B's unit
            {"org_unit": tree_a["service"].pk, "kpi": tree_b["win"].pk, "weight": "10"},  # B's KPI
            {"org_unit": "99999999999999999999", "kpi": tree_a["win"].pk, "weight": "10"},
            {"org_unit": "1\x00", "kpi": "x", "weight": "10"},
            {"org_unit": tree_a["service"].pk, "kpi": tree_a["win"].pk, "weight": "10",
             "position": tree_a["rep"].pk},  # the rep is a position of sales
            {"org_unit": tree_a["service"].pk, "kpi": tree_a["ret"].pk, "weight": "10"},  # fine...
        ]
        for data in cases[:-1]:
            response = client.post(add, data, **HTMX)
            assert response.status_code == 200, data
            assert b"invalid-feedback" in response.content or b"alert-danger" in response.content, data
        assert goals_of(tenant_a, tree_a["period"]) == before
        # ...once; the same KPI for the same unit under the same parent again is refused on the KPI field.
        assert client.post(add, cases[-1], **HTMX).status_code == 204
        response = client.post(add, cases[-1], **HTMX)
        assert b"already holds this KPI" in response.content

    def test_position_options_follow_the_unit(self, tree_a, tree_b, hr_a, login):
        client = login(hr_a)
        options = client.get(f"{url('goal-position-options')}?org_unit={tree_a['sales'].pk}", **HTMX)
        assert b"Sales rep" in options.content
        foreign = client.get(f"{url('goal-position-options')}?org_unit={tree_b['sales'].pk}", **HTMX)
        assert b"Sales rep" not in foreign.content
        assert client.get(f"{url('goal-position-options')}?org_unit=abc", **HTMX).status_code == 200

    def test_edit_with_stale_version(self, tenant_a, tree_a, hr_a, login):
        client = login(hr_a)
        edit = url("goal-edit", pk=tree_a["b"].pk)
        data = {
            "org_unit": tree_a["service"].pk, "kpi": tree_a["ret"].pk, "weight": "45", "lock_version": "1",
        }
        assert client.post(edit, data, **HTMX).status_code == 204
        response = client.post(edit, {**data, "weight": "50"}, **HTMX)  # version 1 is stale now
        assert response.status_code == 409 and b"hr_a changed this goal" in response.content
        with tenant_scope(tenant_a):
            assert Goal.objects.get(pk=tree_a["b"].pk).weight == Decimal("45")

    def test_move_options_tell_apart_units_of_the_same_name(self, tenant_a, tree_a, hr_a, login):
        from goals.services.tree.nodes import goal_create
        from tests.factories.org import OrgUnitFactory

        with tenant_scope(tenant_a):
            period, root = tree_a["period"], tree_a["root"]
            east = OrgUnitFactory(code="E", name="East Co", parent=tree_a["group"])
            west = OrgUnitFactory(code="W", name="West Co", parent=tree_a["group"])
            for parent in (east, west):
                unit = OrgUnitFactory(code=f"{parent.code}-FIN", name="Finance", parent=parent)
                finance = goal_create(actor=None, period=period, org_unit=unit, kpi=tree_a["ret"],
                                               parent=root, weight=0)
                goal_create(actor=None, period=period, org_unit=unit, kpi=tree_a["win"],
                                     parent=finance, weight=50)  # a sibling group off 100
        client = login(hr_a)
        options = client.get(f"{url('goal-move', pk=tree_a['a'].pk)}?part=options&q=finance", **HTMX)
        html = options.content.decode()
        assert "East Co › Finance" in html and "West Co › Finance" in html
        by_parent = client.get(f"{url('goal-move', pk=tree_a['a'].pk)}?part=options&q=west", **HTMX)
        assert "West Co › Finance" in by_parent.content.decode(), "the parent's name finds the unit too"
        tree = client.get(tree_url(period)).content.decode()
        warning = tree[tree.index('id="weights-off"'):]
        warning = warning[: warning.index("</div>")]
        assert "East Co › Finance · RET" in warning and "West Co › Finance · RET" in warning

    def test_move_refuses_a_cycle_and_moves_a_branch(self, tenant_a, tree_a, hr_a, login):
        client = login(hr_a)
        move = url("goal-move", pk=tree_a["root"].pk)
        form = client.get(move, **HTMX)
        assert form.status_code == 200 and b'id="goal-move-form"' in form.content
        response = client.post(move, {"parent": tree_a["leaf"].pk, "lock_version": 1}, **HTMX)
        assert response.status_code == 200 and b"loop" in response.content
        options = client.get(f"{url('goal-move', pk=tree_a['a'].pk)}?part=options&q=service", **HTMX)
        assert f'value="{tree_a["b"].pk}"'.encode() in options.content
        assert f'value="{tree_a["leaf"].pk}"'.encode() not in options.content  # its own subtree is no option
        move = url("goal-move", pk=tree_a["a"].pk)
        response = client.post(move, {"parent": tree_a["b"].pk, "weight": "100", "lock_version": 1}, **HTMX)
        assert response.status_code == 204
        with tenant_scope(tenant_a):
            leaf = Goal.objects.get(pk=tree_a["leaf"].pk)
            assert leaf.path == f"{tree_a['b'].path}{tree_a['a'].pk}/{leaf.pk}/" and leaf.depth == 3

    def test_reweight_shows_the_sum_and_field_errors(self, tenant_a, tree_a, hr_a, login):
        client = login(hr_a)
        reweight = url("goal-reweight", pk=tree_a["root"].pk)
        form = client.get(reweight, **HTMX)
        html = form.content.decode()
        assert 'class="form-control form-control-sm text-end weight-input' in html
        assert 'data-weight-sum id="weight-sum">100.00<' in html
        a, b = tree_a["a"].pk, tree_a["b"].pk
        response = client.post(reweight, {f"weight-{a}": "abc", f"weight-{b}": "30"}, **HTMX)
        assert response.status_code == 200 and b"Enter a number between 0 and 100" in response.content
        response = client.post(reweight, {f"weight-{a}": "70", f"weight-{b}": "20"}, **HTMX)
        assert response.status_code == 204
        with tenant_scope(tenant_a):
            assert Goal.objects.get(pk=a).weight == Decimal("70")
            assert Goal.objects.get(pk=b).weight == Decimal("20")
        tree = client.get(tree_url(tree_a["period"])).content.decode()
        assert 'id="weights-off"' in tree and "Group · RET Customer retention: Σ 90" in tree
        assert f'hx-get="{reweight}"' in tree
        top = client.get(url("goal-reweight-top", period_pk=tree_a["period"].pk), **HTMX)
        assert f'name="weight-{tree_a["root"].pk}"'.encode() in top.content

    def test_delete_refuses_a_parent_unless_the_branch_goes(self, tenant_a, tree_a, hr_a, login):
        client = login(hr_a)
        delete = url("goal-delete", pk=tree_a["a"].pk)
        assert b"This goal has 1 sub-goal" in client.get(delete, **HTMX).content
        response = client.post(delete, {"lock_version": 1}, **HTMX)
        assert response.status_code == 200 and b"Move them elsewhere first" in response.content
        stale = client.post(delete, {"subtree": "on", "lock_version": 7}, **HTMX)
        assert stale.status_code == 409 and b"changed this goal" in stale.content
        assert client.post(delete, {"subtree": "on", "lock_version": 1}, **HTMX).status_code == 204
        assert set(goals_of(tenant_a, tree_a["period"])) == {tree_a["root"].pk, tree_a["b"].pk}

    def test_publishing_asks_first_and_says_what_will_happen(self, tenant_a, tenant_b, tree_a, hr_a, login):
        """Issue 8, item 13: one click published the whole tree; now a confirmation page says how many
        goals, who sees what, that nobody is notified and that it cannot be withdrawn."""
        client = login(hr_a)
        publish = url("goal-tree-publish", period_pk=tree_a["period"].pk)
        tree_page = client.get(url("goal-tree") + f"?period={tree_a['period'].pk}").content.decode()
        assert f'id="publish-tree" href="{publish}"' in tree_page and "confirm(" not in tree_page
        page = client.get(publish).content.decode()
        assert "4 goals of 2030 are published as the official decomposition" in page
        assert "sees it marked as published by you" in page and "Nobody is sent an e-mail" in page
        assert "A publication cannot be withdrawn:" in page and 'name="goals" value="4"' in page
        assert "Publish 4 goals" in page and 'id="publish-previous"' not in page
        # a POST without the confirmation's count, or with a count the tree no longer has, asks again
        for body in ({}, {"goals": 3}, {"goals": "x"}):
            again = client.post(publish, body)
            assert again.status_code == 409 and b'id="publish-changed"' in again.content
        with tenant_scope(tenant_a):
            assert not AuditEvent.objects.filter(action="goal_tree.publish").exists()
        assert client.post(publish, {"goals": 4}).status_code == 302
        with tenant_scope(tenant_a):
            assert AuditEvent.objects.filter(action="goal_tree.publish").count() == 1
        assert 'id="publish-previous"' in client.get(publish).content.decode()
        with tenant_scope(tenant_b):
            assert not AuditEvent.objects.filter(action="goal_tree.publish").exists()

    def test_publish_refused_then_published(self, tenant_a, tree_a, hr_a, login):
        client = login(hr_a)
        publish = url("goal-tree-publish", period_pk=tree_a["period"].pk)
        with tenant_scope(tenant_a):
            Goal.objects.filter(pk=tree_a["b"].pk).update(weight=Decimal("30"))
        confirm = client.get(publish).content.decode()
        assert 'id="publish-blocked"' in confirm and 'id="publish-confirm"' not in confirm
        response = client.post(publish, {"goals": 4}, follow=True)
        html = response.content.decode()
        assert "must add up to exactly 100" in html and "Group · RET Customer retention: 90.00" in html
        with tenant_scope(tenant_a):
            Goal.objects.filter(pk=tree_a["b"].pk).update(weight=Decimal("40"))
        response = client.post(publish, {"goals": 4}, follow=True)
        assert b"published (4 goals)" in response.content and b'id="publication-ok"' in response.content
        data = {"org_unit": tree_a["service"].pk, "kpi": tree_a["ret"].pk, "weight": "45", "lock_version": 1}
        client.post(url("goal-edit", pk=tree_a["b"].pk), data, **HTMX)
        assert b'id="publication-stale"' in client.get(tree_url(tree_a["period"])).content

    def test_copy_last_period(self, tenant_a, tree_a, hr_a, login):
        client = login(hr_a)
        with tenant_scope(tenant_a):
            target = PeriodFactory(year=2031, status=Period.Status.PLANNING)
        page = client.get(tree_url(target)).content.decode()
        assert 'id="copy-tree"' in page and f'value="{tree_a["period"].pk}"' in page
        response = client.post(url("goal-tree-copy", period_pk=target.pk), {"source": tree_a["period"].pk},
                               follow=True)
        assert b"4 goals copied" in response.content
        assert len(goals_of(tenant_a, target)) == 4
        response = client.post(url("goal-tree-copy", period_pk=target.pk), {"source": tree_a["period"].pk},
                               follow=True)
        assert b"already has goals" in response.content
        assert len(goals_of(tenant_a, target)) == 4

    def test_an_empty_period_of_another_kind_offers_the_newest_tree(self, tenant_a, tree_a, hr_a, login):
        with tenant_scope(tenant_a):  # tree_a is a year's tree; no earlier quarter has one
            quarter = Period.objects.create(kind="quarter", year=2031, quarter=1, status="planning")
        page = login(hr_a).get(tree_url(quarter)).content.decode()
        assert 'id="copy-tree"' in page and f'<option value="{tree_a["period"].pk}" selected>' in page
        assert "copy another period's tree with the button above" in page
        with tenant_scope(tenant_a):
            Goal.objects.all().delete()
        page = login(hr_a).get(tree_url(quarter)).content.decode()
        assert 'id="copy-tree"' not in page and "copy another period" not in page, "nothing to copy"

    def test_empty_pages_lead_readers_to_the_period_with_goals(self, tenant_a, tree_a, login):
        with tenant_scope(tenant_a):
            month = Period.objects.create(kind="month", year=2031, month=1, status="active")
        client = login(make_member(tenant_a, "manager", username="mgr_empty"))
        link = f'href="?period={tree_a["period"].pk}" id="period-with-goals"'
        for name in ("goal-tree", "goal-matrix", "goal-trace"):
            html = client.get(f"{url(name)}?period={month.pk}").content.decode()
            assert link in html, name
        matrix = client.get(f"{url('goal-matrix')}?period={month.pk}").content.decode()
        assert 'id="matrix-filter"' not in matrix and 'id="matrix-drill"' not in matrix
        with_goals = client.get(f"{url('goal-matrix')}?period={tree_a['period'].pk}").content.decode()
        assert 'id="period-with-goals"' not in with_goals and 'id="matrix-filter"' in with_goals

    def test_closed_period_is_read_only(self, tenant_a, tree_a, hr_a, login):
        with tenant_scope(tenant_a):
            Period.objects.filter(pk=tree_a["period"].pk).update(status=Period.Status.CLOSED)
        client = login(hr_a)
        page = client.get(tree_url(tree_a["period"])).content.decode()
        assert 'id="period-closed"' in page and 'id="builder-toolbar"' not in page
        assert 'data-action="edit"' not in page
        before = goals_of(tenant_a, tree_a["period"])
        for response in (
            client.get(url("goal-edit", pk=tree_a["b"].pk), **HTMX),
            client.post(url("goal-edit", pk=tree_a["b"].pk),
                        {"org_unit": tree_a["service"].pk, "kpi": tree_a["ret"].pk, "weight": "1"}, **HTMX),
            client.post(url("goal-delete", pk=tree_a["leaf"].pk), {}, **HTMX),
            client.post(url("goal-reweight", pk=tree_a["root"].pk), {f"weight-{tree_a['a'].pk}": "1"},
                        **HTMX),
        ):
            assert response.status_code == 200 and b'id="period-closed"' in response.content
        publish = url("goal-tree-publish", period_pk=tree_a["period"].pk)
        response = client.post(publish, {"goals": 4}, follow=True)
        assert b"closed" in response.content
        assert goals_of(tenant_a, tree_a["period"]) == before


class TestOtherTenant:
    """Tenant A's HR admin reaches none of tenant B's goals, periods or units (404, nothing changed)."""

    def test_every_route_with_the_other_tenants_ids(self, tenant_b, tree_a, tree_b, hr_a, login):
        client = login(hr_a)
        before = goals_of(tenant_b, tree_b["period"])
        b = tree_b
        pk = {"pk": b["a"].pk}
        period = {"period_pk": b["period"].pk}
        routes = [
            ("goal-tree-children", pk), ("goal-edit", pk), ("goal-move", pk), ("goal-delete", pk),
            ("goal-reweight", pk), ("goal-create", period), ("goal-reweight-top", period),
            ("goal-tree-publish", period), ("goal-tree-copy", period),
            ("goal-matrix-cell", {**period, "unit_pk": b["sales"].pk, "perspective": "customer"}),
        ]
        read_only = {"goal-tree-children", "goal-matrix-cell"}  # refuse every POST alike: 405, whoever's id
        for name, kwargs in routes:
            target = url(name, **kwargs)
            assert client.get(target).status_code == 404, name
            body = {"subtree": "on", "weight": "1", "source": tree_a["period"].pk}
            assert client.post(target, body).status_code == (405 if name in read_only else 404), name
        own = url("goal-tree-children", pk=tree_a["a"].pk)
        assert client.post(own).status_code == 405, "the same answer for one's own ids: nothing leaks"
        # Query-string ids and another tenant's parent / period in bodies.
        assert client.get(tree_url(b["period"])).status_code == 404
        assert client.get(tree_url(tree_a["period"], focus=b["root"].pk)).status_code == 404
        assert client.get(f"{url('goal-matrix')}?period={b['period'].pk}").status_code == 404
        assert client.get(f"{url('goal-trace')}?period={b['period'].pk}").status_code == 404
        trace = f"{url('goal-trace')}?period={tree_a['period'].pk}"
        assert client.get(f"{trace}&goal={b['root'].pk}").status_code == 404
        assert client.get(f"{trace}&kpi={b['ret'].pk}").status_code == 404
        create_under_b = f"{url('goal-create', period_pk=tree_a['period'].pk)}?parent={b['root'].pk}"
        assert client.post(create_under_b, {"org_unit": tree_a["group"].pk, "kpi": tree_a["win"].pk,
                                            "weight": "1"}).status_code == 404
        response = client.post(url("goal-move", pk=tree_a["a"].pk), {"parent": b["root"].pk}, **HTMX)
        assert response.status_code == 200 and b"is-invalid" in response.content
        copy = url("goal-tree-copy", period_pk=tree_a["period"].pk)
        response = client.post(copy, {"source": b["period"].pk}, follow=True)
        assert b"Choose the period to copy from" in response.content
        response = client.post(url("goal-reweight", pk=tree_a["root"].pk),
                               {f"weight-{tree_a['a'].pk}": "50", f"weight-{tree_a['b'].pk}": "50",
                                f"weight-{b['a'].pk}": "0"}, **HTMX)
        assert response.status_code == 204  # B's id is no sibling here: only A's siblings change
        assert goals_of(tenant_b, tree_b["period"]) == before

    def test_other_tenants_slug_is_404(self, tree_b, hr_a, login):
        client = login(hr_a)
        for name in ("goal-tree", "goal-matrix", "goal-trace"):
            assert client.get(url(name, slug="bravo")).status_code == 404


def test_the_cached_tree_follows_every_write_and_each_readers_part(tree_a, tenant_a, hr_a, login):
    """The opened tree is cached under the scores stamp and the display generation: a measurement, a unit's
    new name and a goal added show at once; two managers of one kind each read their own part."""
    from collab.services.org.units import org_unit_update
    from goals.services.measurements.writes import measurement_upsert
    from goals.services.tree.nodes import goal_create

    client = login(hr_a)
    page = tree_url(tree_a["period"])
    assert "Service" in client.get(page).content.decode()
    with tenant_scope(tenant_a):
        service = tree_a["service"]
        org_unit_update(actor=hr_a, unit=service, lock_version=service.lock_version, name="After-sales")
    html = client.get(page).content.decode()
    assert "After-sales" in html and ">Service<" not in html
    with tenant_scope(tenant_a):
        goal_create(
            actor=hr_a, period=tree_a["period"], org_unit=tree_a["group"], kpi=tree_a["win"], weight=0
        )
    assert client.get(page).content.decode().count('class="goal-item"') == 4  # two top goals, two below
    with tenant_scope(tenant_a):
        shown = tree_a["ret"].measurements.get(period=tree_a["period"])
        measurement_upsert(actor=hr_a, kpi=tree_a["ret"], period=tree_a["period"], actual="45",
                           lock_version=shown.lock_version)  # fmt: skip
    assert "50.0" in client.get(page).content.decode()  # retention 45 of 90: the service goal's progress
    in_sales, in_service = make_member(tenant_a, "manager"), make_member(tenant_a, "manager")
    with tenant_scope(tenant_a):
        EmployeeFactory(org_unit=tree_a["sales"], user=in_sales)
        EmployeeFactory(org_unit=tree_a["service"], user=in_service)
    for _ in range(2):
        mine = login(in_sales).get(page).content.decode()
        theirs = login(in_service).get(page).content.decode()
        assert f'id="goal-{tree_a["leaf"].pk}"' in mine and f'id="goal-{tree_a["leaf"].pk}"' not in theirs
