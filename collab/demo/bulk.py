"""Bulk building blocks of an organisation, shared by seed_demo and seed_scale."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from collab.demo.plans import BATCH_SIZE
from collab.models import Employee, OrgUnit, Tenant


def bulk_units(tenant: Tenant, rows: Iterable[tuple[str, str, str, str | None]]) -> dict[str, OrgUnit]:
    """Insert units given as (code, name, kind, parent code), parents listed before their children.

    One bulk insert per depth; ids come back from bulk_create, so each path ("/<ancestor ids>/<id>/")
    is computed in Python from the parent's and written with one bulk update per depth.
    """
    levels: dict[int, list[tuple[str, str, str, str | None]]] = defaultdict(list)
    depth_of: dict[str, int] = {}
    for code, name, kind, parent in rows:
        depth = 0 if parent is None else depth_of[parent] + 1
        depth_of[code] = depth
        levels[depth].append((code, name, kind, parent))
    units: dict[str, OrgUnit] = {}
    for depth in sorted(levels):
        batch = [
            OrgUnit(
                tenant=tenant,
                code=code,
                name=name,
                kind=kind,
                parent=units.get(parent) if parent else None,
                depth=depth,
                path="",
            )
            for code, name, kind, parent in levels[depth]
        ]
        OrgUnit.objects.bulk_create(batch, batch_size=BATCH_SIZE)
        for unit in batch:
            unit.path = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
            units[unit.code] = unit
        OrgUnit.objects.bulk_update(batch, ["path"], batch_size=BATCH_SIZE)
    return units


def bulk_heads(
    tenant: Tenant, units: Sequence[OrgUnit], make: Callable[[OrgUnit], Employee]
) -> dict[int, Employee]:
    """One head per unit, reporting to the head of the parent unit; one bulk insert per depth."""
    heads: dict[int, Employee] = {}
    by_depth: dict[int, list[OrgUnit]] = defaultdict(list)
    for unit in units:
        by_depth[unit.depth].append(unit)
    for depth in sorted(by_depth):
        batch = []
        for unit in by_depth[depth]:
            head = make(unit)
            head.tenant = tenant
            head.manager = heads.get(unit.parent_id)
            batch.append(head)
        Employee.objects.bulk_create(batch, batch_size=BATCH_SIZE)
        heads.update({head.org_unit_id: head for head in batch})
    return heads
