"""Goal trees for tests, built fast with bulk inserts (use inside `tenant_scope(tenant)`).

`bulk_goal_tree` makes an org tree of `units` units (group → business groups → subsidiaries →
departments → teams) and a goal tree of `goals` goals that follows it: each unit's first goal sits
under its parent unit's first goal, and the unit's other goals sit under its first goal. A few KPIs
(some collaborative) and measurements for most of them give the tree real progress.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat

from collab.models import OrgUnit, Period
from collab.tenancy import current_tenant
from goals.models import KPI, Goal, Measurement, Perspective

KINDS = [
    OrgUnit.Kind.GROUP,
    OrgUnit.Kind.BUSINESS_GROUP,
    OrgUnit.Kind.SUBSIDIARY,
    OrgUnit.Kind.DEPARTMENT,
    OrgUnit.Kind.TEAM,
]


def _set_paths(model, level_filter: dict, depth: int) -> None:
    parent_path = model.objects.filter(pk=OuterRef("parent_id")).values("path")[:1]
    prefix = Value("/") if depth == 0 else Subquery(parent_path, output_field=CharField())
    model.objects.filter(depth=depth, **level_filter).update(
        path=Concat(prefix, Cast("id", CharField()), Value("/"), output_field=CharField())
    )


def bulk_units(count: int, *, fanout: int = 6, prefix: str = "BU") -> list[OrgUnit]:
    """`count` org units in a tree (one root), level by level; returns them in creation order."""
    tenant = current_tenant()
    created: list[OrgUnit] = []
    level: list[OrgUnit | None] = [None]
    depth = 0
    serial = itertools.count()
    while len(created) < count:
        batch = []
        for parent in level:
            width = 1 if parent is None else fanout
            for _ in range(width):
                if len(created) + len(batch) >= count:
                    break
                n = next(serial)
                batch.append(
                    OrgUnit(
                        tenant=tenant, code=f"{prefix}{n:05d}", name=f"Unit {prefix}{n}",
                        kind=KINDS[min(depth, len(KINDS) - 1)], parent=parent, path="", depth=depth,
                    )
                )
        if not batch:
            break
        OrgUnit.objects.bulk_create(batch, batch_size=1000)
        _set_paths(OrgUnit, {"code__startswith": prefix}, depth)
        created.extend(batch)
        level = batch
        depth += 1
    paths = dict(OrgUnit.objects.filter(code__startswith=prefix).values_list("pk", "path"))
    for unit in created:
        unit.path = paths[unit.pk]
    return created


def bulk_goal_tree(*, period: Period, units: int, goals: int, kpis: int = 40, prefix: str = "BU") -> dict:
    tenant = current_tenant()
    org = bulk_units(units, prefix=prefix)
    perspectives = list(Perspective.values)
    kpi_rows = KPI.objects.bulk_create(
        [
            KPI(
                tenant=tenant, code=f"{prefix}K{i:03d}", name=f"KPI {prefix}{i}",
                perspective=perspectives[i % 4],
                owner_unit=org[min(i % 7, len(org) - 1)], is_collaborative=i % 5 == 0,
                direction=KPI.Direction.HIGHER_BETTER if i % 3 else KPI.Direction.LOWER_BETTER,
            )
            for i in range(kpis)
        ]
    )
    Measurement.objects.bulk_create(
        [
            Measurement(
                tenant=tenant, kpi=k, period=period, target=Decimal(100), actual=Decimal(70 + (i * 7) % 50)
            )
            for i, k in enumerate(kpi_rows)
            if i % 8  # every eighth KPI has no data
        ]
    )
    per_unit = max(1, goals // len(org))
    # Specs: (key, parent key, depth, unit, kpi); a unit's first goal is keyed by the unit.
    specs = []
    kpi_cycle = itertools.cycle(kpi_rows)
    for unit in org:
        parent_key = ("u", unit.parent_id) if unit.parent_id else None
        depth = unit.depth
        specs.append((("u", unit.pk), parent_key, depth, unit.pk, next(kpi_cycle).pk))
        for extra in range(per_unit - 1):
            specs.append(((unit.pk, extra), ("u", unit.pk), depth + 1, unit.pk, next(kpi_cycle).pk))
    specs.sort(key=lambda spec: spec[2])
    ids: dict = {}
    for depth, group in itertools.groupby(specs, key=lambda spec: spec[2]):
        group = list(group)
        rows = Goal.objects.bulk_create(
            [
                Goal(
                    tenant=tenant, period=period, parent_id=ids.get(parent) if parent else None,
                    org_unit_id=unit_id, kpi_id=kpi_id, weight=Decimal(10), order=i, path="", depth=depth,
                )
                for i, (_key, parent, _depth, unit_id, kpi_id) in enumerate(group)
            ],
            batch_size=1000,
        )
        for spec, row in zip(group, rows, strict=True):
            ids[spec[0]] = row.pk
        _set_paths(Goal, {"period": period}, depth)
    return {"units": org, "kpis": kpi_rows, "goal_count": len(specs), "root_kpi": kpi_rows[0]}


def seed_tree(period: Period, *, prefix: str = "") -> dict:
    """A small three-level tree through the services, with measurements (inside a tenant scope).

    group (RET, collaborative, owned by sales) ─┬─ sales (RET, 60) ── sales rep position (WIN, 100)
                                                 └─ service (RET, 40)
    RET: target 90, actual 81 → 90.  WIN: target 100, actual 110 → 110.
    Progress: rep 110, sales 110, service 90, group 0.6·110 + 0.4·90 = 102 (measured 90).
    """
    from goals.services.tree.nodes import goal_create
    from tests.factories.org import OrgUnitFactory, PositionFactory

    group = OrgUnitFactory(code=f"{prefix}G", name=f"{prefix}Group", kind=OrgUnit.Kind.GROUP)
    sales = OrgUnitFactory(code=f"{prefix}S", name=f"{prefix}Sales", parent=group)
    service = OrgUnitFactory(code=f"{prefix}C", name=f"{prefix}Service", parent=group)
    rep = PositionFactory(code=f"{prefix}REP", title=f"{prefix}Sales rep", org_unit=sales)
    ret = KPI.objects.create(
        code=f"{prefix}RET", name="Customer retention", perspective=Perspective.CUSTOMER, owner_unit=sales,
        is_collaborative=True, unit="%",
    )
    win = KPI.objects.create(
        code=f"{prefix}WIN", name="Deals won", perspective=Perspective.FINANCIAL, owner_unit=sales, unit="#",
    )
    Measurement.objects.create(kpi=ret, period=period, target=Decimal(90), actual=Decimal(81))
    Measurement.objects.create(kpi=win, period=period, target=Decimal(100), actual=Decimal(110))
    root = goal_create(actor=None, period=period, org_unit=group, kpi=ret, weight=100)
    a = goal_create(actor=None, period=period, org_unit=sales, kpi=ret, parent=root, weight=60)
    b = goal_create(actor=None, period=period, org_unit=service, kpi=ret, parent=root, weight=40)
    leaf = goal_create(
        actor=None, period=period, org_unit=sales, position=rep, kpi=win, parent=a, weight=100
    )
    return {"group": group, "sales": sales, "service": service, "rep": rep, "ret": ret, "win": win,
            "root": root, "a": a, "b": b, "leaf": leaf, "period": period}


__all__ = ["bulk_goal_tree", "bulk_units", "seed_tree"]
