import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from collab.models import Membership, OrgUnit, Position
from collab.tenancy import TenantScopeMissing, all_tenants, current_tenant_or_none, tenant_scope
from tests.factories import make_member
from tests.factories.org import OrgUnitFactory, PositionFactory

pytestmark = pytest.mark.django_db


def test_querying_a_tenant_model_outside_a_scope_raises(tenant_a):
    with pytest.raises(TenantScopeMissing):
        list(OrgUnit.objects.all())
    with pytest.raises(TenantScopeMissing):
        OrgUnit.objects.filter(code="x").exists()


def test_scope_filters_to_the_tenant_and_is_reset(tenant_a, tenant_b):
    make_member(tenant_a, "hr_admin")
    make_member(tenant_b, "employee")
    make_member(tenant_b, "manager")
    with tenant_scope(tenant_a):
        assert Membership.objects.count() == 1
        with tenant_scope(tenant_b):
            assert Membership.objects.count() == 2
        assert Membership.objects.count() == 1
    assert current_tenant_or_none() is None


def test_escape_hatch_sees_every_tenant(tenant_a, tenant_b):
    make_member(tenant_a, "hr_admin")
    make_member(tenant_b, "employee")
    with all_tenants("test counts every membership"):
        assert Membership.objects.count() == 2
    with pytest.raises(TenantScopeMissing):
        Membership.objects.count()


def test_saving_another_tenants_row_inside_a_scope_is_refused(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        unit = OrgUnit(code="X", name="X", kind="group", path="/", tenant=tenant_b)
        unit.save()
    with tenant_scope(tenant_a), pytest.raises(TenantScopeMissing):
        unit.name = "stolen"
        unit.save()


def test_new_rows_take_the_scoped_tenant(tenant_a):
    with tenant_scope(tenant_a):
        unit = OrgUnit.objects.create(code="G", name="Group", kind="group", path="/")
    assert unit.tenant_id == tenant_a.pk


def test_cache_keys_carry_the_tenant(tenant_a, tenant_b):
    from collab.tenancy import tenant_cache_key

    with tenant_scope(tenant_a):
        key_a = tenant_cache_key("unread", 7)
    with tenant_scope(tenant_b):
        key_b = tenant_cache_key("unread", 7)
    assert key_a != key_b and str(tenant_a.pk) in key_a
    with pytest.raises(TenantScopeMissing):
        tenant_cache_key("unread", 7)


# ----- foreign keys stay inside the tenant: every save and every bulk insert (TenantOwned, TenantManager)


@pytest.fixture
def foreign_unit(tenant_b):
    with tenant_scope(tenant_b):
        return OrgUnitFactory(code="B-1")


def test_a_save_pointing_into_another_tenant_is_refused_and_writes_nothing(tenant_a, foreign_unit):
    with tenant_scope(tenant_a):
        by_id = Position(title="by id", org_unit_id=foreign_unit.pk)
        with pytest.raises(ValidationError) as refused:
            by_id.save()
        assert "org_unit" in refused.value.message_dict
        loaded = Position(title="loaded", org_unit=foreign_unit)  # a row loaded elsewhere: no query needed
        with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError):
            loaded.save()
        assert not [q for q in queries if "collab_orgunit" in q["sql"]]
        assert not Position.objects.exists()
        mine = OrgUnitFactory(code="A-1")
        Position(title="mine", org_unit_id=mine.pk).save()
        assert Position.objects.get().org_unit == mine


def test_an_update_of_other_columns_does_not_look_the_keys_up_again(tenant_a):
    with tenant_scope(tenant_a):
        position = PositionFactory()
        position.title = "renamed"
        with CaptureQueriesContext(connection) as queries:
            position.save(update_fields=["title"])
        assert len([q for q in queries if q["sql"].startswith("UPDATE")]) == 1
        assert not [q for q in queries if "collab_orgunit" in q["sql"]]


def test_bulk_inserts_take_the_tenant_and_check_each_key_once(tenant_a, tenant_b, foreign_unit):
    with tenant_scope(tenant_a):
        units = [OrgUnitFactory(code=f"A-{i}") for i in range(3)]
        rows = [Position(code=f"P{i}", title=f"p{i}", org_unit_id=units[i % 3].pk) for i in range(30)]
        with CaptureQueriesContext(connection) as queries:
            Position.objects.bulk_create(rows)
        assert len([q for q in queries if "collab_orgunit" in q["sql"]]) == 1  # one look-up, not thirty
        assert Position.objects.count() == 30
        assert {p.tenant_id for p in Position.objects.all()} == {tenant_a.pk}
        with pytest.raises(ValidationError) as refused:
            Position.objects.bulk_create([Position(code="OK", title="ok", org_unit=units[0]),
                                          Position(code="BAD", title="bad", org_unit_id=foreign_unit.pk)])
        assert "org_unit" in refused.value.message_dict
        with pytest.raises(TenantScopeMissing):
            Position.objects.bulk_create([Position(title="theirs", tenant=tenant_b, org_unit=foreign_unit)])
        assert Position.objects.count() == 30
    with tenant_scope(tenant_b):
        assert not Position.objects.exists()


def test_a_tree_inserted_in_one_batch_may_point_at_its_own_rows(tenant_a):
    with tenant_scope(tenant_a):
        root = OrgUnit(id=9001, code="R", name="root", kind=OrgUnit.Kind.GROUP, path="/9001/", depth=0)
        child = OrgUnit(id=9002, code="C", name="child", kind=OrgUnit.Kind.DEPARTMENT, parent_id=9001,
                        path="/9001/9002/", depth=1)
        OrgUnit.objects.bulk_create([root, child])
        assert OrgUnit.objects.get(pk=9002).parent_id == 9001


def _key_lookups(queries) -> list[str]:
    return [q["sql"] for q in queries if "SELECT" in q["sql"] and "set_config" not in q["sql"]]


def test_a_full_save_of_a_loaded_row_does_not_look_up_keys_it_did_not_change(tenant_a, tenant_b):
    from goals.models import Goal
    from tests.factories.goals import GoalFactory

    with tenant_scope(tenant_b):
        GoalFactory()  # the other tenant's rows in the room
    with tenant_scope(tenant_a):
        parent = GoalFactory()
        GoalFactory(parent=parent, period=parent.period)
        goal = Goal.objects.get(parent=parent)  # loaded fresh: period, org_unit, kpi, parent not loaded
        goal.weight = 40
        with CaptureQueriesContext(connection) as queries:
            goal.save()
        assert _key_lookups(queries) == []
        # One UPDATE of the goal (the other: goals' scores stamp, bumped by every scoring-input write).
        assert len([q for q in queries if q["sql"].startswith('UPDATE "goals_goal"')]) == 1
        goal.weight = 50
        with CaptureQueriesContext(connection) as queries:
            goal.save()  # saved once: still nothing to look up
        assert _key_lookups(queries) == []


def test_changed_keys_cost_one_query_together_and_another_tenants_key_is_still_refused(tenant_a, tenant_b):
    from goals.models import Goal
    from tests.factories.goals import GoalFactory, KPIFactory
    from tests.factories.org import PositionFactory

    with tenant_scope(tenant_b):
        foreign_kpi = KPIFactory()
    with tenant_scope(tenant_a):
        GoalFactory()
        goal = Goal.objects.get()
        unit = OrgUnitFactory(code="A-9")
        kpi = KPIFactory(owner_unit=unit)
        position = PositionFactory(org_unit=unit)
        goal = Goal.objects.get(pk=goal.pk)
        goal.org_unit_id, goal.kpi_id, goal.position_id = unit.pk, kpi.pk, position.pk
        with CaptureQueriesContext(connection) as queries:
            goal.save()
        assert len(_key_lookups(queries)) == 1  # three keys, three tables, one look-up
        assert Goal.objects.get(pk=goal.pk).kpi_id == kpi.pk
        goal = Goal.objects.get(pk=goal.pk)
        goal.kpi_id = foreign_kpi.pk
        with pytest.raises(ValidationError) as refused:
            goal.save()
        assert set(refused.value.message_dict) == {"kpi"}
        assert Goal.objects.get(pk=goal.pk).kpi_id == kpi.pk


def test_a_key_changed_but_left_out_of_update_fields_is_still_checked_later(tenant_a, tenant_b, foreign_unit):
    with tenant_scope(tenant_a):
        position = Position.objects.get(pk=PositionFactory().pk)
        position.org_unit_id = foreign_unit.pk
        position.title = "renamed"
        position.save(update_fields=["title"])  # the key was not written, so it is not taken as checked
        with pytest.raises(ValidationError):
            position.save()
