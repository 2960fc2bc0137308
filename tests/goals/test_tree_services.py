"""goals.services.tree: building, moving, reweighting, publishing and copying a period's goal tree."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from collab.concurrency import StaleEditError
from collab.models import AuditEvent, Period
from collab.tenancy import tenant_scope
from goals.models import Goal
from goals.services.tree.nodes import goal_create, goal_delete, goal_move, goal_update, siblings_reweight
from goals.services.tree.rules import TreePublishRefused
from goals.services.tree.whole_tree import period_tree_copy, period_tree_publish
from tests.factories.goals import GoalFactory, KPIFactory, OrgUnitFactory, PeriodFactory, PositionFactory

pytestmark = pytest.mark.django_db


def _three_levels(period):
    """group → two departments → a position under the first department (weights all sum to 100)."""
    group = OrgUnitFactory(code="G", name="Group", kind="group")
    sales = OrgUnitFactory(code="S", name="Sales", parent=group)
    service = OrgUnitFactory(code="C", name="Service", parent=group)
    rep = PositionFactory(code="REP", title="Sales rep", org_unit=sales)
    retention = KPIFactory(code="RET", name="Retention", owner_unit=sales, is_collaborative=True)
    root = goal_create(actor=None, period=period, org_unit=group, kpi=retention, weight=100)
    create = goal_create
    a = create(actor=None, period=period, org_unit=sales, kpi=retention, parent=root, weight=60)
    b = create(actor=None, period=period, org_unit=service, kpi=retention, parent=root, weight=40)
    leaf = goal_create(
        actor=None, period=period, org_unit=sales, position=rep, kpi=KPIFactory(owner_unit=sales), parent=a,
        weight=100,
    )
    return {"root": root, "a": a, "b": b, "leaf": leaf, "group": group, "sales": sales, "service": service,
            "rep": rep, "kpi": retention}


def _fresh(goal):
    return Goal.objects.get(pk=goal.pk)


class TestCreate:
    def test_paths_and_depths_follow_the_parent(self, scope_a, hr_a):
        period = PeriodFactory(year=2030)
        t = _three_levels(period)
        assert t["root"].path == f"/{t['root'].pk}/" and t["root"].depth == 0
        assert t["a"].path == f"/{t['root'].pk}/{t['a'].pk}/" and t["a"].depth == 1
        assert _fresh(t["leaf"]).path == f"{t['a'].path}{t['leaf'].pk}/" and t["leaf"].depth == 2
        assert AuditEvent.objects.filter(action="goal.create").count() == 4
        event = AuditEvent.objects.filter(action="goal.create").first()
        assert event.after["period"] == period.pk

    def test_parent_in_another_period_is_refused(self, scope_a):
        root = GoalFactory(period=PeriodFactory(year=2030))
        other = PeriodFactory(year=2031)
        with pytest.raises(ValidationError) as error:
            goal_create(actor=None, period=other, org_unit=root.org_unit, kpi=root.kpi, parent=root)
        assert "parent" in error.value.message_dict
        assert not Goal.objects.filter(period=other).exists()

    def test_other_tenants_rows_are_refused(self, tenant_a, tenant_b):
        with tenant_scope(tenant_b):
            foreign_parent = GoalFactory(period=PeriodFactory(year=2030))
            foreign_unit = foreign_parent.org_unit
        with tenant_scope(tenant_a):
            period = PeriodFactory(year=2030)
            kpi = KPIFactory()
            with pytest.raises(ValidationError) as error:
                goal_create(actor=None, period=period, org_unit=foreign_unit, kpi=kpi)
            assert "org_unit" in error.value.message_dict
            with pytest.raises(ValidationError) as error:
                goal_create(actor=None, period=period, org_unit=kpi.owner_unit, kpi=kpi,
                                     parent=foreign_parent)
            assert "parent" in error.value.message_dict
            assert Goal.objects.count() == 0
        with tenant_scope(tenant_b):
            assert Goal.objects.count() == 1

    def test_position_of_another_unit_and_bad_weights(self, scope_a):
        period = PeriodFactory(year=2030)
        unit, other = OrgUnitFactory(), OrgUnitFactory()
        kpi = KPIFactory(owner_unit=unit)
        with pytest.raises(ValidationError) as error:
            goal_create(actor=None, period=period, org_unit=unit, kpi=kpi,
                                 position=PositionFactory(org_unit=other))
        assert "position" in error.value.message_dict
        for weight in ("abc", "-1", "100.01", "1.234", "NaN", "Infinity", True, None):
            with pytest.raises(ValidationError) as error:
                goal_create(actor=None, period=period, org_unit=unit, kpi=kpi, weight=weight)
            assert "weight" in error.value.message_dict
        assert not Goal.objects.exists()

    def test_duplicate_kpi_under_the_same_parent(self, scope_a):
        period = PeriodFactory(year=2030)
        unit = OrgUnitFactory()
        kpi = KPIFactory(owner_unit=unit)
        goal_create(actor=None, period=period, org_unit=unit, kpi=kpi, weight=100)
        with pytest.raises(ValidationError) as error:
            goal_create(actor=None, period=period, org_unit=unit, kpi=kpi)
        assert "kpi" in error.value.message_dict

    def test_closed_period_is_read_only(self, scope_a):
        period = PeriodFactory(year=2030, status=Period.Status.CLOSED)
        unit = OrgUnitFactory()
        with pytest.raises(ValidationError):
            goal_create(actor=None, period=period, org_unit=unit, kpi=KPIFactory(owner_unit=unit))
        assert not Goal.objects.exists()


class TestMove:
    def test_move_rewrites_the_subtree_in_one_update(self, scope_a, django_assert_max_num_queries):
        period = PeriodFactory(year=2030)
        t = _three_levels(period)
        # Move "a" (with its leaf) under "b": a goes one level down, the leaf with it.
        goal_move(actor=None, goal=t["a"], lock_version=t["a"].lock_version, parent=t["b"])
        a, leaf = _fresh(t["a"]), _fresh(t["leaf"])
        assert a.parent_id == t["b"].pk
        assert a.path == f"{t['b'].path}{a.pk}/" and a.depth == 2
        assert leaf.path == f"{a.path}{leaf.pk}/" and leaf.depth == 3
        event = AuditEvent.objects.get(action="goal.move")
        assert event.before["path"] == t["a"].path and event.after["subtree_size"] == 2
        # Back to the top level: a becomes a root.
        goal_move(actor=None, goal=a, lock_version=a.lock_version, parent=None)
        a, leaf = _fresh(a), _fresh(leaf)
        assert a.parent_id is None and a.path == f"/{a.pk}/" and a.depth == 0
        assert leaf.path == f"/{a.pk}/{leaf.pk}/" and leaf.depth == 1

    def test_query_count_does_not_grow_with_the_subtree(self, scope_a, django_assert_max_num_queries):
        period = PeriodFactory(year=2030)
        root = GoalFactory(period=period)
        branch = GoalFactory(parent=root)
        for _ in range(30):
            GoalFactory(parent=GoalFactory(parent=branch))
        other = GoalFactory(parent=root)
        with django_assert_max_num_queries(14):  # + the scores stamp bumped after each of the two updates
            goal_move(actor=None, goal=branch, lock_version=branch.lock_version, parent=other)
        assert Goal.objects.filter(path__startswith=f"{_fresh(other).path}{branch.pk}/").count() == 61

    def test_cycles_are_refused(self, scope_a):
        period = PeriodFactory(year=2030)
        t = _three_levels(period)
        with pytest.raises(ValidationError) as error:
            goal_move(actor=None, goal=t["a"], lock_version=t["a"].lock_version, parent=t["a"])
        assert "under itself" in str(error.value.message_dict["parent"])
        with pytest.raises(ValidationError) as error:
            goal_move(
                actor=None, goal=t["root"], lock_version=t["root"].lock_version, parent=t["leaf"]
            )
        assert "loop" in str(error.value.message_dict["parent"])
        assert _fresh(t["root"]).parent_id is None and _fresh(t["root"]).path == t["root"].path

    def test_cross_period_and_cross_tenant_parents_are_refused(self, tenant_a, tenant_b):
        with tenant_scope(tenant_b):
            foreign = GoalFactory(period=PeriodFactory(year=2030))
        with tenant_scope(tenant_a):
            goal = GoalFactory(period=PeriodFactory(year=2030))
            elsewhere = GoalFactory(period=PeriodFactory(year=2031))
            with pytest.raises(ValidationError) as error:
                goal_move(actor=None, goal=goal, lock_version=goal.lock_version, parent=elsewhere)
            assert "another period" in str(error.value.message_dict["parent"])
            with pytest.raises(ValidationError) as error:
                goal_move(actor=None, goal=goal, lock_version=goal.lock_version, parent=foreign)
            assert "parent" in error.value.message_dict
            assert _fresh(goal).parent_id is None
        with tenant_scope(tenant_b):
            assert Goal.objects.get(pk=foreign.pk).path == foreign.path

    def test_stale_version_is_refused(self, scope_a):
        period = PeriodFactory(year=2030)
        t = _three_levels(period)
        goal_update(actor=None, goal=t["b"], weight=45, lock_version=1)
        with pytest.raises(StaleEditError) as error:
            goal_move(actor=None, goal=t["b"], parent=t["a"], lock_version=1)
        assert "changed this goal" in str(error.value) and error.value.current_version == 2
        with pytest.raises(StaleEditError):  # a missing version is refused like a stale one
            goal_move(actor=None, goal=t["b"], parent=t["a"], lock_version=None)
        assert _fresh(t["b"]).parent_id == t["root"].pk

    def test_closed_period(self, scope_a):
        period = PeriodFactory(year=2030)
        t = _three_levels(period)
        Period.objects.filter(pk=period.pk).update(status=Period.Status.CLOSED)
        with pytest.raises(ValidationError):
            goal_move(actor=None, goal=t["a"], lock_version=t["a"].lock_version, parent=t["b"])


class TestUpdateAndDelete:
    def test_update_kpi_weight_and_position(self, scope_a):
        period = PeriodFactory(year=2030)
        t = _three_levels(period)
        other_kpi = KPIFactory(owner_unit=t["sales"])
        goal = goal_update(
            actor=None, goal=t["a"], lock_version=t["a"].lock_version, kpi=other_kpi, weight="55.5",
            position=t["rep"],
        )
        goal = _fresh(goal)
        assert goal.kpi_id == other_kpi.pk and goal.weight == Decimal("55.50")
        assert goal.position_id == t["rep"].pk
        assert goal.lock_version == 2
        event = AuditEvent.objects.get(action="goal.update")
        assert event.before["weight"] == "60.00" and event.after["weight"] == "55.50"
        with pytest.raises(ValidationError) as error:
            goal_update(actor=None, goal=goal, lock_version=goal.lock_version, org_unit=t["service"])
        assert "position" in error.value.message_dict

    def test_delete_leaf_refuse_parent_then_delete_branch(self, scope_a):
        period = PeriodFactory(year=2030)
        t = _three_levels(period)
        assert goal_delete(actor=None, goal=t["b"]) == 1
        with pytest.raises(ValidationError) as error:
            goal_delete(actor=None, goal=t["root"])
        assert "2 sub-goals" in str(error.value)
        assert goal_delete(actor=None, goal=t["root"], subtree=True) == 3
        assert not Goal.objects.filter(period=period).exists()
        assert AuditEvent.objects.filter(action="goal.delete").count() == 2


class TestReweight:
    def test_sets_several_siblings_and_returns_the_sum(self, scope_a):
        period = PeriodFactory(year=2030)
        t = _three_levels(period)
        total = siblings_reweight(actor=None, weights={t["a"].pk: "70", t["b"].pk: "20"})
        assert total == Decimal("90.00")
        assert _fresh(t["a"]).weight == Decimal("70") and _fresh(t["b"]).weight == Decimal("20")
        event = AuditEvent.objects.get(action="goal.reweight")
        assert event.after["sum"] == "90.00" and event.before["weights"][str(t["a"].pk)] == "60.00"

    def test_non_siblings_unknown_ids_and_bad_values(self, tenant_a, tenant_b):
        with tenant_scope(tenant_b):
            foreign = GoalFactory(period=PeriodFactory(year=2030))
        with tenant_scope(tenant_a):
            t = _three_levels(PeriodFactory(year=2030))
            with pytest.raises(ValidationError):
                siblings_reweight(actor=None, weights={t["a"].pk: 50, t["leaf"].pk: 50})
            with pytest.raises(ValidationError):
                siblings_reweight(actor=None, weights={t["a"].pk: 50, foreign.pk: 50})
            with pytest.raises(ValidationError) as error:
                siblings_reweight(actor=None, weights={t["a"].pk: "x", t["b"].pk: 101})
            assert set(error.value.message_dict) == {str(t["a"].pk), str(t["b"].pk)}
            assert _fresh(t["a"]).weight == Decimal("60")
        with tenant_scope(tenant_b):
            assert Goal.objects.get(pk=foreign.pk).weight == Decimal("100")


class TestPublish:
    def test_publish_lists_every_offending_parent(self, scope_a):
        period = PeriodFactory(year=2030)
        t = _three_levels(period)
        siblings_reweight(actor=None, weights={t["a"].pk: 50})
        goal_update(actor=None, goal=t["leaf"], lock_version=t["leaf"].lock_version, weight=80)
        second_root = GoalFactory(period=period, weight=Decimal("30"))
        with pytest.raises(TreePublishRefused) as error:
            period_tree_publish(actor=None, period=period)
        groups = {g.parent_id: g.total for g in error.value.groups}
        assert groups == {None: Decimal("130"), t["root"].pk: Decimal("90"), t["a"].pk: Decimal("80")}
        assert "Top level" in str(error.value) and "Retention" in str(error.value)
        assert not AuditEvent.objects.filter(action="goal_tree.publish").exists()
        goal_delete(actor=None, goal=second_root)
        siblings_reweight(actor=None, weights={t["a"].pk: 60})
        goal_update(
            actor=None, goal=t["leaf"], lock_version=_fresh(t["leaf"]).lock_version, weight=100
        )
        assert period_tree_publish(actor=None, period=period) == 4
        assert AuditEvent.objects.get(action="goal_tree.publish").after == {"period": period.pk, "goals": 4}

    def test_empty_and_closed_periods(self, scope_a):
        with pytest.raises(ValidationError):
            period_tree_publish(actor=None, period=PeriodFactory(year=2030))
        closed = PeriodFactory(year=2031)
        _three_levels(closed)
        Period.objects.filter(pk=closed.pk).update(status=Period.Status.CLOSED)
        with pytest.raises(ValidationError) as error:
            period_tree_publish(actor=None, period=Period.objects.get(pk=closed.pk))
        assert "closed" in str(error.value).lower()


class TestCopy:
    def test_copies_structure_with_new_paths(self, scope_a, django_assert_max_num_queries):
        source = PeriodFactory(year=2030)
        t = _three_levels(source)
        GoalFactory(parent=t["leaf"], weight=Decimal("100"))  # a fourth level
        target = PeriodFactory(year=2031, status=Period.Status.PLANNING)
        # Per level of the tree, not per goal: one insert and one look-up per foreign key (the tenant wall).
        with django_assert_max_num_queries(27):
            assert period_tree_copy(actor=None, source=source, target=target) == 5
        old = {g.path: g for g in Goal.objects.filter(period=source)}
        new = list(Goal.objects.filter(period=target).select_related("parent"))
        assert len(new) == 5
        by_id = {g.pk: g for g in new}
        for goal in new:
            # The path is the chain of the new ids, the depth its length.
            chain = [int(x) for x in goal.path.strip("/").split("/")]
            assert chain[-1] == goal.pk and len(chain) == goal.depth + 1
            assert all(i in by_id for i in chain)
            assert goal.parent_id == (chain[-2] if len(chain) > 1 else None)
        def signature(goals):
            return sorted((g.depth, g.org_unit_id, g.position_id, g.kpi_id, g.weight) for g in goals)

        assert signature(new) == signature(old.values())
        assert AuditEvent.objects.get(action="goal_tree.copy").after["goals"] == 5

    def test_refuses_a_non_empty_target_same_period_and_empty_source(self, scope_a):
        source = PeriodFactory(year=2030)
        _three_levels(source)
        target = PeriodFactory(year=2031)
        GoalFactory(period=target)
        with pytest.raises(ValidationError) as error:
            period_tree_copy(actor=None, source=source, target=target)
        assert "target" in error.value.message_dict
        with pytest.raises(ValidationError):
            period_tree_copy(actor=None, source=source, target=source)
        with pytest.raises(ValidationError) as error:
            period_tree_copy(
                actor=None, source=PeriodFactory(year=2032), target=PeriodFactory(year=2033)
            )
        assert "source" in error.value.message_dict
        assert Goal.objects.filter(period=target).count() == 1

    def test_other_tenants_source_is_refused(self, tenant_a, tenant_b):
        with tenant_scope(tenant_b):
            foreign = PeriodFactory(year=2030)
            GoalFactory(period=foreign)
        with tenant_scope(tenant_a):
            target = PeriodFactory(year=2031)
            with pytest.raises(ValidationError):
                period_tree_copy(actor=None, source=foreign, target=target)
            assert not Goal.objects.exists()
