"""Goal roll-up of a whole period: the vectorised selector against a per-node ORM loop, same data.

Builds, in a throwaway test database (Django's test-database setup: never the dev database), one tenant
with 5,000 org units, 20,000 goals in a six-level tree, 2,000 KPIs and their measurements (a quarter
period: half of the KPIs measured for the quarter, most others only monthly so the quarter value is
derived by the KPI's aggregation rule, some not at all), all with bulk inserts. Then it times

  (a) `goals.selectors.scores.period_scores(period)`: load with two `values_list` queries, derive,
      score and roll up the whole tree in one vectorised pass, build the plain per-goal results;
  (b) a straightforward per-node ORM implementation written here: walk the tree recursively, one
      query for each node's children, its KPI and its measurement (plus the months when the quarter
      has no direct actual), the scoring rules in plain Python.

(b) runs on whole subtrees holding about --loop-nodes goals (all of them with --loop-nodes 0); its time
per node is scaled to the full tree, and the output says so. Both give the same progress and measured
score on every node the loop visited; a mismatch makes the run fail. It prints the ratio (b) / (a).

    python -m bench goal_rollup [--units 5000] [--goals 20000] [--kpis 2000] [--loop-nodes 2000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

DEFAULTS = {"units": 5000, "goals": 20000, "kpis": 2000, "loop_nodes": 1000, "repeat": 3, "seed": 7}
GOAL_ROOTS = 10
GOAL_FANOUT = 6
UNIT_FANOUT = 10
BATCH = 2000
TOLERANCE = 0.011  # the selector rounds progress and scores to 2 decimals


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collab.settings.test")
    import django

    django.setup()


@contextmanager
def throwaway_database() -> Iterator[str]:
    """A fresh test database (SQLite in memory, or `test_<name>_bench_<pid>` on PostgreSQL), dropped after."""
    from django.db import DEFAULT_DB_ALIAS, connection, connections
    from django.test.utils import setup_test_environment, teardown_test_environment

    original = connection.settings_dict["NAME"]
    if connection.vendor != "sqlite":
        # A name of its own: never the dev database, and never the test database a test run may be using.
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"test_{original}_bench_{os.getpid()}"
    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    # Aliases that mirror the default one (the `platform` connection of `all_tenants()`) read the same
    # throwaway database, as they do in the test suite.
    mirrors = [
        connections[alias] for alias in connections
        if connections[alias].settings_dict.get("TEST", {}).get("MIRROR") == DEFAULT_DB_ALIAS
    ]
    for mirror in mirrors:
        mirror.close()
        mirror.settings_dict["NAME"] = name
    try:
        yield name
    finally:
        for mirror in mirrors:
            mirror.close()
        connection.creation.destroy_test_db(original, verbosity=0)
        teardown_test_environment()


@contextmanager
def as_application_role() -> Iterator[str]:
    """Run the block as production does: on PostgreSQL as `DATABASE_APP_ROLE`
    (`collab.rls.roles.app_role`), which row-level security binds, with `app.tenant_id` as `tenant_scope`
    set it; yields a line saying so.

    The data is built before, as the database owner (the test login, a superuser that RLS does not bind:
    bulk inserts with explicit ids need to look across tenants, and `ANALYZE` needs the owner). `SET ROLE`
    then switches the same connection; the run fails rather than time anything as a role that bypasses RLS
    or on a table RLS does not cover. On SQLite nothing changes (no roles, no RLS; the managers are the wall).
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        yield "as: SQLite, no database roles and no row-level security (the tenant managers are the wall)"
        return
    from psycopg2.extensions import TRANSACTION_STATUS_INERROR

    from collab.rls.roles import app_role
    from collab.rls.tables import tenant_tables

    role, tables = app_role(), tenant_tables()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
        cursor.execute(f"SET ROLE {role}")
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_user, r.rolsuper, r.rolbypassrls, current_setting('row_security'),"
                " current_setting('app.tenant_id', true)"
                " FROM pg_roles r WHERE r.rolname = current_user"
            )
            user, superuser, bypass, row_security, tenant_id = cursor.fetchone()
            cursor.execute(
                "SELECT t, row_security_active(t) FROM unnest(%s::text[]) AS t", [sorted(tables)]
            )
            inactive = [table for table, active in cursor.fetchall() if not active]
        if user != role or superuser or bypass or row_security != "on" or inactive or not tenant_id:
            raise RuntimeError(
                f"not as production: role {user} (superuser {superuser}, bypassrls {bypass}), row_security "
                f"{row_security}, app.tenant_id {tenant_id!r}, RLS not active on {inactive}"
            )
        yield (
            f"as: {user}, the application role (not superuser, no BYPASSRLS) — row-level security on, active "
            f"on all {len(tables)} tenant tables, app.tenant_id = {tenant_id}; data built as {owner}"
        )
    finally:
        raw = connection.connection
        # An aborted transaction undoes the SET itself when it rolls back.
        if raw is not None and raw.get_transaction_status() != TRANSACTION_STATUS_INERROR:
            with connection.cursor() as cursor:
                cursor.execute("RESET ROLE")


# ------------------------------------------------------------------------------------------------- data


def level_sizes(total: int, first: int, fanout: int) -> list[int]:
    """Nodes per level: `first` roots, then ×fanout per level, the last level taking the remainder."""
    sizes, remaining, size = [], total, min(first, total)
    while remaining > 0:
        size = min(size, remaining)
        sizes.append(size)
        remaining -= size
        size *= fanout
    return sizes


def _next_ids(model, count: int) -> range:
    from django.db.models import Max

    from collab.tenancy import all_tenants

    with all_tenants("bench: explicit ids for bulk inserts in a throwaway database"):
        start = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    return range(start, start + count)


@dataclass
class World:
    period: object
    goal_ids: list[int]
    goal_parent: dict[int, int | None]
    roots: list[int]
    subtree_size: dict[int, int] = field(default_factory=dict)
    measurements: int = 0


def build_world(tenant, *, units: int, goals: int, kpis: int, seed: int) -> World:
    """Everything inside `tenant_scope(tenant)`: units, KPIs, periods, measurements and one goal tree."""
    from collab.models import OrgUnit, Period
    from goals.models import KPI, Goal, Measurement, Perspective

    rng = random.Random(seed)
    kind = OrgUnit.Kind
    kinds = [kind.GROUP, kind.BUSINESS_GROUP, kind.SUBSIDIARY, kind.DEPARTMENT]

    unit_rows, unit_levels, paths = [], [], {}
    ids = iter(_next_ids(OrgUnit, units))
    for depth, size in enumerate(level_sizes(units, 1, UNIT_FANOUT)):
        level = []
        for _ in range(size):
            pk = next(ids)
            parent = rng.choice(unit_levels[-1]) if unit_levels else None
            paths[pk] = f"{paths[parent] if parent else '/'}{pk}/"
            unit_rows.append(
                OrgUnit(
                    id=pk, tenant=tenant, code=f"U{pk}", name=f"Unit {pk}",
                    kind=kinds[depth] if depth < len(kinds) else OrgUnit.Kind.TEAM,
                    parent_id=parent, path=paths[pk], depth=depth,
                )
            )
            level.append(pk)
        unit_levels.append(level)
    OrgUnit.objects.bulk_create(unit_rows, batch_size=BATCH)
    all_units = [pk for level in unit_levels for pk in level]

    perspectives = [choice for choice, _label in Perspective.choices]
    aggregations = [KPI.Aggregation.SUM, KPI.Aggregation.AVERAGE, KPI.Aggregation.LAST]
    kpi_rows = [
        KPI(
            id=pk, tenant=tenant, code=f"K{pk}", name=f"KPI {pk}",
            direction=KPI.Direction.LOWER_BETTER if rng.random() < 0.2 else KPI.Direction.HIGHER_BETTER,
            perspective=rng.choice(perspectives), owner_unit_id=rng.choice(all_units),
            cap=Decimal("1.20") if rng.random() < 0.9 else Decimal("1.50"),
            aggregation=rng.choice(aggregations),
        )
        for pk in _next_ids(KPI, kpis)
    ]
    KPI.objects.bulk_create(kpi_rows, batch_size=BATCH)

    active = Period.Status.ACTIVE
    quarter = Period.objects.create(kind=Period.Kind.QUARTER, year=2025, quarter=1, status=active)
    months = [
        Period.objects.create(kind=Period.Kind.MONTH, year=2025, month=m, status=active)
        for m in (1, 2, 3)
    ]

    def value(base: float) -> Decimal:
        return Decimal(str(round(base * rng.uniform(0.6, 1.3), 2)))

    measurement_rows = []
    for kpi in kpi_rows:
        target = rng.uniform(10, 1000)
        draw = rng.random()
        if draw < 0.5:  # measured directly for the quarter (now and then without an actual yet)
            actual = value(target) if rng.random() < 0.9 else None
            measurement_rows.append(
                Measurement(tenant=tenant, kpi=kpi, period=quarter, target=Decimal(str(round(target, 2))),
                            actual=actual)
            )
        elif draw < 0.9:  # only monthly: the quarter is derived by the KPI's rule
            for month in months:
                actual = value(target / 3) if rng.random() < 0.85 else None
                monthly = Decimal(str(round(target / 3, 2)))
                measurement_rows.append(
                    Measurement(tenant=tenant, kpi=kpi, period=month, target=monthly, actual=actual)
                )
        # else: not measured at all → no data
    Measurement.objects.bulk_create(measurement_rows, batch_size=BATCH)

    goal_rows, goal_levels, goal_paths = [], [], {}
    goal_parent: dict[int, int | None] = {}
    ids = iter(_next_ids(Goal, goals))
    kpi_ids = [k.pk for k in kpi_rows]
    for depth, size in enumerate(level_sizes(goals, GOAL_ROOTS, GOAL_FANOUT)):
        level = []
        unit_level = unit_levels[min(depth, len(unit_levels) - 1)]
        for order in range(size):
            pk = next(ids)
            parent = rng.choice(goal_levels[-1]) if goal_levels else None
            goal_paths[pk] = f"{goal_paths[parent] if parent else '/'}{pk}/"
            goal_parent[pk] = parent
            weight = Decimal(rng.randint(0, 100) if rng.random() < 0.98 else 0)
            goal_rows.append(
                Goal(
                    id=pk, tenant=tenant, period=quarter, parent_id=parent,
                    org_unit_id=rng.choice(unit_level), kpi_id=rng.choice(kpi_ids), weight=weight,
                    order=order, path=goal_paths[pk], depth=depth,
                )
            )
            level.append(pk)
        goal_levels.append(level)
    Goal.objects.bulk_create(goal_rows, batch_size=BATCH)

    world = World(
        period=quarter,
        goal_ids=[pk for level in goal_levels for pk in level],
        goal_parent=goal_parent,
        roots=list(goal_levels[0]),
        measurements=len(measurement_rows),
    )
    for pk in reversed(world.goal_ids):  # children come after their parents: sizes accumulate bottom-up
        world.subtree_size[pk] = world.subtree_size.get(pk, 0) + 1
        parent = goal_parent[pk]
        if parent is not None:
            world.subtree_size[parent] = world.subtree_size.get(parent, 0) + world.subtree_size[pk]
    return world


# ------------------------------------------------------------------------------------------------- (a)


def vectorised(period) -> dict[int, tuple[float | None, float | None]]:
    """{goal id: (progress, measured score)} through the real selector."""
    from goals.selectors.scores import period_scores

    result = period_scores(period)
    return {pk: (g.progress, g.measured) for pk, g in result.goals.items()}


# ------------------------------------------------------------------------------------------------- (b)


def _aggregate(values: list, rule: str):
    present = [v for v in values if v is not None]
    if not present:
        return None
    if rule == "sum":
        return sum(present)
    if rule == "average":
        return sum(present) / len(present)
    return present[-1]


def loop_kpi_score(kpi_id: int, period) -> float | None:
    """One KPI's score in a quarter, the plain way: a few queries and scalar arithmetic (DESIGN §6)."""
    from collab.models import Period
    from goals.models import KPI, Measurement

    kpi = KPI.objects.get(pk=kpi_id)
    direct = Measurement.objects.filter(kpi_id=kpi_id, period_id=period.pk).first()
    target = direct.target if direct else None
    actual = direct.actual if direct else None
    if target is None or actual is None:
        months = list(
            Measurement.objects.filter(
                kpi_id=kpi_id,
                period__kind=Period.Kind.MONTH,
                period__year=period.year,
                period__month__in=[3 * period.quarter - 2, 3 * period.quarter - 1, 3 * period.quarter],
            ).order_by("period__month")
        )
        if target is None:
            target = _aggregate([m.target for m in months], kpi.aggregation)
        if actual is None:
            actual = _aggregate([m.actual for m in months], kpi.aggregation)
    if target is None or actual is None:
        return None
    target, actual, cap = float(target), float(actual), float(kpi.cap)
    if target < 0:
        return None
    if kpi.direction == KPI.Direction.LOWER_BETTER:
        ratio = cap if actual <= 0 else target / actual
    else:
        if target == 0:
            return None
        ratio = actual / target
    return 100.0 * min(max(ratio, 0.0), cap)


def loop_rollup(period, roots: list[int]) -> dict[int, tuple[float | None, float | None]]:
    """{goal id: (progress, measured score)} for the subtrees under `roots`, one node at a time."""
    from goals.models import Goal

    out: dict[int, tuple[float | None, float | None]] = {}

    def visit(goal) -> float | None:
        measured = loop_kpi_score(goal.kpi_id, period)
        children = list(Goal.objects.filter(parent_id=goal.pk, period_id=period.pk))
        if not children:
            out[goal.pk] = (measured, measured)
            return measured
        num = den = 0.0
        for child in children:
            progress = visit(child)
            weight = float(child.weight)
            if progress is not None and weight > 0:
                num += weight * progress
                den += weight
        progress = num / den if den > 0 else None
        out[goal.pk] = (progress, measured)
        return progress

    for root in Goal.objects.filter(pk__in=roots).order_by("pk"):
        visit(root)
    return out


def pick_roots(world: World, loop_nodes: int) -> list[int]:
    """Whole subtrees (from the top) covering at least `loop_nodes` goals; all roots when 0."""
    if loop_nodes <= 0:
        return list(world.roots)
    frontier = list(world.roots)
    children: dict[int, list[int]] = {}
    for pk, parent in world.goal_parent.items():
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    # Go down from the roots until single subtrees are small enough, then take them in order.
    while frontier and min(world.subtree_size[pk] for pk in frontier) > loop_nodes:
        frontier = [c for pk in frontier for c in children.get(pk, [])] or frontier
    picked, covered = [], 0
    for pk in sorted(frontier, key=lambda p: world.subtree_size[p]):
        if covered >= loop_nodes:
            break
        picked.append(pk)
        covered += world.subtree_size[pk]
    return picked


def compare(fast: dict, slow: dict) -> list[tuple[int, tuple, tuple]]:
    """Nodes where the two implementations disagree (beyond the selector's 2-decimal rounding)."""
    bad = []
    for pk, expected in slow.items():
        got = fast.get(pk)
        if got is None:
            bad.append((pk, None, expected))
            continue
        for g, e in zip(got, expected, strict=True):
            if (g is None) != (e is None) or (g is not None and abs(g - e) > TOLERANCE):
                bad.append((pk, got, expected))
                break
    return bad


# ------------------------------------------------------------------------------------------------- run


class QueryCounter:
    """Counts the queries run on a connection (without keeping them, unlike the debug cursor)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __len__(self) -> int:
        return self.count


@contextmanager
def counting_queries() -> Iterator[QueryCounter]:
    from django.db import connection

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        yield counter


def _timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def run(*, units: int, goals: int, kpis: int, loop_nodes: int, repeat: int, seed: int, out=sys.stdout) -> int:
    from django.db import connection

    from collab.models import Tenant
    from collab.tenancy import tenant_scope

    def say(text: str = "") -> None:
        print(text, file=out, flush=True)

    say(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    tenant = Tenant.objects.create(slug=f"bench-{seed}-{int(time.time())}", name="Benchmark tenant")
    with tenant_scope(tenant):
        seconds, world = _timed(lambda: build_world(tenant, units=units, goals=goals, kpis=kpis, seed=seed))
        say(f"built {units:,} units, {kpis:,} KPIs, {world.measurements:,} measurements, "
            f"{len(world.goal_ids):,} goals (depth {max(level for level in _depths(world)) + 1} levels) "
            f"with bulk inserts in {seconds:.1f} s")

        with as_application_role() as how:
            say(how)
            with counting_queries() as queries:
                vectorised(world.period)  # warm-up, and the query count
            fast_times = []
            for _ in range(repeat):
                seconds, fast = _timed(vectorised, world.period)
                fast_times.append(seconds)
            fast_best = min(fast_times)
            say(f"(a) vectorised roll-up of the whole period (load + compute): "
                f"best {fast_best * 1000:.1f} ms, "
                f"median {statistics.median(fast_times) * 1000:.1f} ms of {repeat}; {len(queries)} queries; "
                f"{len(fast):,} goals")

            roots = pick_roots(world, loop_nodes)
            with counting_queries() as queries:
                slow_seconds, slow = _timed(loop_rollup, world.period, roots)
            visited = len(slow)
            per_node = slow_seconds / max(visited, 1)
            scaled = per_node * len(world.goal_ids)
            total = len(world.goal_ids)
            scope = "the whole tree" if visited == total else (
                f"a subset of {visited:,} goals ({len(roots)} whole subtrees), scaled ×{total / visited:.1f} "
                f"per node to {total:,} goals"
            )
            say(f"(b) per-node ORM loop: {slow_seconds:.2f} s on {scope}: {per_node * 1e6:.0f} µs per goal, "
                f"{len(queries):,} queries ({len(queries) / max(visited, 1):.1f} per goal)")
            say(f"    → estimated {scaled:.1f} s for the whole period")

            mismatches = compare(fast, slow)
            if mismatches:
                say(f"MISMATCH on {len(mismatches)} of {visited} goals, e.g. {mismatches[:3]}")
                return 1
            say(f"results agree on all {visited:,} goals the loop visited (progress and measured score)")
            say(f"ratio (b)/(a): {scaled / fast_best:,.0f}× (the vectorised roll-up against the per-node "
                "loop scaled to the full tree)")
    return 0


def _depths(world: World) -> Iterator[int]:
    depth: dict[int, int] = {}
    for pk in world.goal_ids:  # parents first
        parent = world.goal_parent[pk]
        depth[pk] = 0 if parent is None else depth[parent] + 1
        yield depth[pk]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench goal_rollup", description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=DEFAULTS["units"])
    parser.add_argument("--goals", type=int, default=DEFAULTS["goals"])
    parser.add_argument("--kpis", type=int, default=DEFAULTS["kpis"])
    parser.add_argument(
        "--loop-nodes", type=int, default=DEFAULTS["loop_nodes"],
        help="goals the per-node loop visits (whole subtrees; 0 = the whole tree)",
    )
    parser.add_argument("--repeat", type=int, default=DEFAULTS["repeat"])
    parser.add_argument("--seed", type=int, default=DEFAULTS["seed"])
    args = parser.parse_args(argv)
    setup_django()
    with throwaway_database():
        return run(units=args.units, goals=args.goals, kpis=args.kpis, loop_nodes=args.loop_nodes,
                   repeat=max(args.repeat, 1), seed=args.seed)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
