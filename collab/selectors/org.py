"""Organisation reads shared by pages, exports and the API. Every function runs a fixed number of queries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from collab.models import Employee, OrgUnit, Period, Position
from collab.routing.ids import parse_id

TREE_MAX_NODES = 1500


def _count_of(model, fk: str):
    """A correlated COUNT of `model` rows pointing at the outer unit (no join fan-out)."""
    counted = (
        model.objects.filter(**{fk: OuterRef("pk")})
        .order_by()
        .values(fk)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def units_with_counts() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.annotate(
        child_count=_count_of(OrgUnit, "parent"),
        position_count=_count_of(Position, "org_unit"),
        employee_count=_count_of(Employee, "org_unit"),
    )


@dataclass
class TreeNode:
    unit: OrgUnit
    children: list[TreeNode] = field(default_factory=list)

    @property
    def children_loaded(self) -> bool:
        return bool(self.children) or not self.unit.child_count


def unit_tree(root: OrgUnit | None = None, *, max_nodes: int = TREE_MAX_NODES) -> list[TreeNode]:
    """The tree (or `root`'s subtree below it) as nested nodes, as deep as fits in `max_nodes` rows.

    Two queries whatever the size: rows per depth, then the rows down to the deepest level that fits.
    Nodes whose children were cut off have `children_loaded` False (the page loads them on demand).
    """
    base = OrgUnit.objects.all()
    if root is not None:
        base = base.filter(path__startswith=root.path).exclude(pk=root.pk)
    per_depth = dict(base.order_by().values_list("depth").annotate(n=Count("pk")))
    if not per_depth:
        return []
    top = min(per_depth)
    deepest, total = top, 0
    for depth in sorted(per_depth):
        if total + per_depth[depth] > max_nodes and depth > top:
            break
        total += per_depth[depth]
        deepest = depth
    rows = units_with_counts().filter(pk__in=base.filter(depth__lte=deepest).values("pk")).order_by("path")
    return _nest(list(rows), top)


def _nest(units: list[OrgUnit], top: int) -> list[TreeNode]:
    nodes = {unit.pk: TreeNode(unit) for unit in units}
    roots: list[TreeNode] = []
    for unit in units:
        node = nodes[unit.pk]
        parent = nodes.get(unit.parent_id)
        if parent is not None and unit.depth > top:
            parent.children.append(node)
        else:
            roots.append(node)
    return roots


def unit_search(query: str, *, limit: int = 50) -> list[tuple[OrgUnit, list[OrgUnit]]]:
    """Units whose name or code contains `query`, each with its ancestors (for a breadcrumb). Two queries."""
    matches = list(
        units_with_counts()
        .filter(Q(name__icontains=query) | Q(code__icontains=query))
        .order_by("path")[:limit]
    )
    ancestor_ids = {int(pk) for unit in matches for pk in unit.path.strip("/").split("/")[:-1] if pk}
    ancestors = {u.pk: u for u in OrgUnit.objects.filter(pk__in=ancestor_ids)} if ancestor_ids else {}
    return [
        (unit, [ancestors[int(pk)] for pk in unit.path.strip("/").split("/")[:-1] if int(pk) in ancestors])
        for unit in matches
    ]


def unit_ancestors(unit: OrgUnit) -> list[OrgUnit]:
    ids = [int(pk) for pk in unit.path.strip("/").split("/")[:-1] if pk]
    if not ids:
        return []
    found = {u.pk: u for u in OrgUnit.objects.filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


def unit_choices(*, exclude_subtree_of: OrgUnit | None = None) -> QuerySet[OrgUnit]:
    """The units a unit picker may choose (its validation queryset; the page lists none of them)."""
    queryset = OrgUnit.objects.only("pk", "code", "name", "depth", "path").order_by("path")
    if exclude_subtree_of is not None:
        queryset = queryset.exclude(path__startswith=exclude_subtree_of.path)
    return queryset


def unit_picker_label(unit: OrgUnit) -> str:
    """A unit as a picker shows it: its parent's name before it (same-named units are told apart) and its
    code after it — the words `static/js/pickers.js` builds from the API's `parent_name`, `name`, `code`
    (select_related the parent)."""
    parent = unit.parent.name if unit.parent_id is not None and unit.parent is not None else ""
    return f"{parent} › {unit.name} ({unit.code})" if parent else f"{unit.name} ({unit.code})"


def unit_picker_labels(ids: Iterable[object]) -> dict[str, str]:
    """{str(id): label} of the units among `ids` (malformed ones ignored), as the unit pickers show them
    (`unit_picker_label`): one query, whatever the tenant's size."""
    pks = {pk for pk in (parse_id(str(raw)) for raw in ids if raw not in (None, "")) if pk is not None}
    if not pks:
        return {}
    units = OrgUnit.objects.filter(pk__in=pks).select_related("parent")
    return {str(unit.pk): unit_picker_label(unit) for unit in units}


def child_units(unit: OrgUnit) -> list[tuple[int, str]]:
    """(id, name) of the units right below `unit`, by name."""
    return list(OrgUnit.objects.filter(parent=unit).order_by("name").values_list("pk", "name"))


def units_for_export() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.select_related("parent").order_by("path")


def _in_unit(queryset: QuerySet, unit: OrgUnit, include_sub_units: bool) -> QuerySet:
    if include_sub_units:
        return queryset.filter(org_unit__path__startswith=unit.path)
    return queryset.filter(org_unit=unit)


def positions(
    *, q: str = "", unit: OrgUnit | None = None, include_sub_units: bool = False
) -> QuerySet[Position]:
    queryset = Position.objects.select_related("org_unit").annotate(
        employee_count=_count_of(Employee, "position")
    )
    if q:
        queryset = queryset.filter(Q(code__icontains=q) | Q(title__icontains=q) | Q(job_family__icontains=q))
    if unit is not None:
        queryset = _in_unit(queryset, unit, include_sub_units)
    return queryset.order_by("code", "pk")


def employees(
    *,
    q: str = "",
    unit: OrgUnit | None = None,
    include_sub_units: bool = True,
    active: bool | None = None,
    manager: Employee | None = None,
) -> QuerySet[Employee]:
    queryset = Employee.objects.select_related("org_unit", "position", "manager")
    if q:
        queryset = queryset.filter(
            Q(name__icontains=q) | Q(employee_no__icontains=q) | Q(email__icontains=q)
        )
    if unit is not None:
        queryset = _in_unit(queryset, unit, include_sub_units)
    if active is not None:
        queryset = queryset.filter(is_active=active)
    if manager is not None:
        queryset = queryset.filter(manager=manager)
    return queryset.order_by("employee_no", "pk")


def directory(
    *, q: str = "", unit: OrgUnit | None = None, include_sub_units: bool = True
) -> QuerySet[Employee]:
    """The people directory every member reads, in pages and the API alike: active employees with their
    unit and position — names and places only. Contact details, employee numbers, managers, accounts and
    roles are HR's (the `employees` and `members` lists, HR admins and auditors)."""
    queryset = Employee.objects.filter(is_active=True).select_related("org_unit", "position")
    q = (q or "").replace("\x00", "").strip()[:100]
    if q:
        queryset = queryset.filter(name__icontains=q)  # by name only: no probing for e-mail addresses
    if unit is not None:
        queryset = _in_unit(queryset, unit, include_sub_units)
    return queryset.order_by("name", "pk")


def periods(*, status: str = "", kind: str = "", year: int | None = None) -> QuerySet[Period]:
    queryset = Period.objects.all()
    if status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    if year is not None:
        queryset = queryset.filter(year=year)
    # Latest year first; within a year: the year itself, then its quarters, then its months ("year" >
    # "quarter" > "month" as text: plain columns, so the list pages by keyset, collab.keyset).
    return queryset.order_by("-year", "-kind", "quarter", "month", "pk")


def unit_or_none(pk: int | None) -> OrgUnit | None:
    """The tenant's unit with this id, or None (no id, a missing one or another tenant's): a page's
    suggested parent or unit, which may be left out."""
    return OrgUnit.objects.filter(pk=pk).first() if pk is not None else None


def positions_of_unit(unit: OrgUnit | None) -> QuerySet[Position]:
    if unit is None:
        return Position.objects.none()
    return Position.objects.filter(org_unit=unit).order_by("code")


def position_options(unit_id: int) -> QuerySet:
    """The positions of a unit as (pk, title) for a choice list, by title."""
    return Position.objects.filter(org_unit_id=unit_id).order_by("title").values("pk", "title")


__all__ = [
    "TreeNode",
    "employees",
    "periods",
    "positions",
    "position_options",
    "positions_of_unit",
    "unit_ancestors",
    "unit_choices",
    "unit_picker_label",
    "unit_picker_labels",
    "unit_search",
    "unit_tree",
    "units_for_export",
    "units_with_counts",
]


def distinct_unit_labels(units: Iterable[tuple[int, str, str | None, str]]) -> dict[int, str]:
    """{unit id: label} for (id, name, parent name, code) rows: the name where it is unique among these units;
    else the parent's name before it ("晋北 › 财务部"), and the code after it where even that repeats (every
    subsidiary has a 生产部, so a list naming units across subsidiaries needs this)."""
    rows = {pk: (name, parent_name, code) for pk, name, parent_name, code in units}
    by_name = Counter(name for name, _parent, _code in rows.values())
    labels = {
        pk: f"{parent_name} › {name}" if by_name[name] > 1 and parent_name else name
        for pk, (name, parent_name, _code) in rows.items()
    }
    repeated = Counter(labels.values())
    return {
        pk: f"{label} ({rows[pk][2]})" if repeated[label] > 1 else label for pk, label in labels.items()
    }


def repeated_unit_names(names: Iterable[str] | None = None) -> frozenset[str]:
    """Names that more than one unit of the tenant carries (one query), for `unit_label`. With `names` —
    those of the units about to be labelled (`holder_unit_names` of a page's rows) — only among them: a
    page's few dozen names, not a grouping of the tenant's every unit on each request."""
    units = OrgUnit.objects.all()
    if names is not None:
        wanted = sorted(set(names))
        if not wanted:
            return frozenset()
        units = units.filter(name__in=wanted)
    repeated = units.values("name").annotate(units=Count("pk")).filter(units__gt=1)
    return frozenset(repeated.values_list("name", flat=True))


def holder_unit_names(rows: Iterable[Any]) -> set[str]:
    """The names of the units `holder_label` names for rows with an `org_unit` or a `position` (selected
    with its unit): a scorecard, a score."""
    return {
        (row.position.org_unit if row.position_id is not None else row.org_unit).name
        for row in rows
        if row.position_id is not None or row.org_unit_id is not None
    }


def unit_label(unit: OrgUnit, repeated: frozenset[str]) -> str:
    """The unit's name, with its parent's before it where the name repeats in the tenant (select_related
    the parent)."""
    if unit.name in repeated and unit.parent_id is not None:
        return f"{unit.parent.name} › {unit.name}"
    return unit.name


def holder_label(unit: OrgUnit | None, position: Position | None, repeated: frozenset[str]) -> str:
    """Whose scorecard or score: the unit, or the position with its unit ("Sales rep · 晋北煤业 › 生产部")."""
    if position is not None:
        return f"{position.title} · {unit_label(position.org_unit, repeated)}"
    return unit_label(unit, repeated)
