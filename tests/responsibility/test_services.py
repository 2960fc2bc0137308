"""Responsibility matrix services: the seed tables as they stand, the sum and lead rules, versions, tenancy,
closed periods and stale saves."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from collab.concurrency import StaleEditError
from collab.models import AuditEvent, Period
from collab.tenancy import tenant_scope
from responsibility.models import MatrixRow, ResponsibilityMatrix
from responsibility.selectors import matrix_effective_ids, matrix_in_effect, matrix_versions
from responsibility.services.matrices import matrix_create, matrix_new_version, matrix_update
from responsibility.services.periods import matrix_closed_periods, matrix_period_check, matrix_period_options
from responsibility.services.rows import share_summary
from tests.factories import UserFactory
from tests.factories.goals import KPIFactory
from tests.factories.interlock import build_seed_tables
from tests.factories.org import OrgUnitFactory, PeriodFactory


@pytest.fixture
def units(scope_a):
    return {name: OrgUnitFactory(name=name) for name in ("sales", "service", "rnd", "finance")}


@pytest.fixture
def period(scope_a):
    return PeriodFactory(year=2025, status=Period.Status.ACTIVE)


@pytest.fixture
def kpi(scope_a):
    return KPIFactory(name="客户留存率")


@pytest.fixture
def other(tenant_b):
    """Tenant B's unit, KPI and period: their ids must read as missing from tenant A."""
    with tenant_scope(tenant_b):
        return {"unit": OrgUnitFactory(), "kpi": KPIFactory(), "period": PeriodFactory(year=2025)}


def retention_rows(units, changes=None):
    rows = [
        {
            "org_unit": units["sales"],
            "role": "lead",
            "share": "50",
            "contribution_dimension": "直接维护客户关系",
        },
        {"org_unit": units["service"], "role": "collaborating", "share": "30"},
        {"org_unit": units["rnd"], "role": "support", "share": "20"},
    ]
    for (index, key), value in (changes or {}).items():
        rows[index][key] = value
    return rows


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        call()
    return error.value.message_dict


def test_seed_tables_can_be_entered_as_they_stand(scope_a, hr_a):
    world = build_seed_tables(actor=hr_a)
    renewal = world.matrices["renewal"]
    rows = list(renewal.rows.order_by("order"))
    assert [(r.org_unit.name, r.role, r.share, r.evaluation_kpi.name) for r in rows] == [
        ("销售部", "lead", Decimal("40.00"), "续约比例"),
        ("客服部", "collaborating", Decimal("25.00"), "投诉率"),
        ("交付/实施部", "collaborating", Decimal("25.00"), "里程碑准时率"),
        ("研发部", "support", Decimal("10.00"), "重大故障数"),
    ]
    assert rows[0].evaluation_method == "续约比例、关键人关系质量评价"
    assert rows[3].contribution_dimension == "产品稳定性与适配度"
    dso = world.matrices["dso"]
    assert [(r.role, r.share) for r in dso.rows.order_by("order")] == [
        ("lead", Decimal("60.00")),
        ("collaborating", Decimal("40.00")),
    ]
    assert AuditEvent.objects.filter(action="matrix.create").count() == 3


def test_create_writes_rows_and_audit(units, period, kpi, hr_a):
    matrix = matrix_create(
        actor=hr_a, kpi=kpi, effective_from=period, rows=retention_rows(units), note="seed"
    )
    assert (matrix.version, matrix.lock_version, matrix.updated_by) == (1, 1, hr_a)
    assert list(matrix.rows.values_list("share", flat=True).order_by("order")) == [50, 30, 20]
    event = AuditEvent.objects.get(action="matrix.create")
    assert [row["share"] for row in event.after["rows"]] == ["50.00", "30.00", "20.00"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({(2, "share"): "10"}, "add up to 90 %"),
        ({(2, "share"): "30"}, "add up to 110 %"),
        ({(0, "role"): "support"}, "exactly one lead; it has 0"),
        ({(1, "role"): "lead"}, "exactly one lead; it has 2"),
    ],
)
def test_sum_and_lead_rules_refused_with_clear_messages(units, period, kpi, hr_a, changes, message):
    errors = errors_of(
        lambda: matrix_create(actor=hr_a, kpi=kpi, effective_from=period, rows=retention_rows(units, changes))
    )
    assert any(message in text for text in errors["rows"]), errors
    assert not ResponsibilityMatrix.objects.exists() and not MatrixRow.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({(2, "share"): "abc"}, "rows-2-share", "Enter a number"),
        ({(2, "share"): "0"}, "rows-2-share", "greater than 0"),
        ({(2, "share"): "-20"}, "rows-2-share", "greater than 0"),
        ({(2, "share"): "19.999"}, "rows-2-share", "two decimals"),
        ({(2, "share"): "1e400"}, "rows-2-share", "at most 100"),
        ({(2, "share"): "1e-400"}, "rows-2-share", "two decimals"),
        ({(2, "share"): "Infinity"}, "rows-2-share", "Enter a number"),
        ({(2, "share"): ["20"]}, "rows-2-share", "Enter a number"),
        ({(2, "share"): None}, "rows-2-share", "Enter a share"),
        ({(2, "share"): float("nan")}, "rows-2-share", "Enter a number"),
        ({(1, "role"): "boss"}, "rows-1-role", "lead, collaborating or support"),
        ({(1, "org_unit"): "x"}, "rows-1-org_unit", "does not exist"),
        ({(1, "org_unit"): 10**30}, "rows-1-org_unit", "does not exist"),
        ({(1, "contribution_dimension"): "a\x00b"}, "rows-1-contribution_dimension", "Null characters"),
        ({(1, "evaluation_method"): "x" * 301}, "rows-1-evaluation_method", "300"),
        ({(1, "evaluation_kpi"): 99999999}, "rows-1-evaluation_kpi", "does not exist"),
    ],
)
def test_row_errors_are_keyed_by_row_and_field(units, period, kpi, hr_a, changes, field, message):
    errors = errors_of(
        lambda: matrix_create(actor=hr_a, kpi=kpi, effective_from=period, rows=retention_rows(units, changes))
    )
    assert any(message in text for text in errors[field]), errors
    assert not ResponsibilityMatrix.objects.exists()


def test_same_unit_twice_is_refused(units, period, kpi, hr_a):
    errors = errors_of(
        lambda: matrix_create(
            actor=hr_a,
            kpi=kpi,
            effective_from=period,
            rows=retention_rows(units, {(2, "org_unit"): units["service"]}),
        )
    )
    assert "already has a row" in errors["rows-2-org_unit"][0]


def test_other_tenants_ids_read_as_missing(units, period, kpi, hr_a, other, tenant_b):
    for changes, field in (
        ({(1, "org_unit"): other["unit"].pk}, "rows-1-org_unit"),
        ({(1, "org_unit"): other["unit"]}, "rows-1-org_unit"),
        ({(1, "evaluation_kpi"): other["kpi"].pk}, "rows-1-evaluation_kpi"),
    ):
        errors = errors_of(
            lambda c=changes: matrix_create(
                actor=hr_a, kpi=kpi, effective_from=period, rows=retention_rows(units, c)
            )
        )
        assert errors[field] == ["Choose a valid option; that one does not exist."]
    assert "kpi" in errors_of(
        lambda: matrix_create(
            actor=hr_a, kpi=other["kpi"].pk, effective_from=period, rows=retention_rows(units)
        )
    )
    assert "effective_from" in errors_of(
        lambda: matrix_create(actor=hr_a, kpi=kpi, effective_from=other["period"], rows=retention_rows(units))
    )
    assert not ResponsibilityMatrix.objects.exists()
    with tenant_scope(tenant_b):
        assert not ResponsibilityMatrix.objects.exists()


def test_bad_shapes(units, period, kpi, hr_a):
    assert "rows" in errors_of(lambda: matrix_create(actor=hr_a, kpi=kpi, effective_from=period, rows=[]))
    assert "rows" in errors_of(lambda: matrix_create(actor=hr_a, kpi=kpi, effective_from=period, rows="rows"))
    assert "rows" in errors_of(lambda: matrix_create(actor=hr_a, kpi=kpi, effective_from=period, rows=[1, 2]))


def test_second_matrix_for_a_kpi_must_be_a_version(units, period, kpi, hr_a):
    matrix_create(actor=hr_a, kpi=kpi, effective_from=period, rows=retention_rows(units))
    errors = errors_of(
        lambda: matrix_create(actor=hr_a, kpi=kpi, effective_from=period, rows=retention_rows(units))
    )
    assert "new version" in errors["kpi"][0]


def test_closed_period_refused(units, kpi, hr_a):
    closed = PeriodFactory(year=2024, status=Period.Status.CLOSED)
    errors = errors_of(
        lambda: matrix_create(actor=hr_a, kpi=kpi, effective_from=closed, rows=retention_rows(units))
    )
    assert "closed" in errors["effective_from"][0]


def test_new_version_leaves_earlier_periods_untouched(units, kpi, hr_a):
    y2025 = PeriodFactory(year=2025)
    q3 = PeriodFactory(kind=Period.Kind.QUARTER, year=2026, quarter=3)
    y2026 = PeriodFactory(year=2026)
    jan = PeriodFactory(kind=Period.Kind.MONTH, year=2026, month=1)
    sep = PeriodFactory(kind=Period.Kind.MONTH, year=2026, month=9)
    v1 = matrix_create(actor=hr_a, kpi=kpi, effective_from=y2025, rows=retention_rows(units))
    v2 = matrix_new_version(
        actor=hr_a,
        matrix=v1,
        lock_version=v1.lock_version,
        effective_from=q3,
        rows=retention_rows(units, {(0, "share"): "40", (1, "share"): "40"}),
        note="incubation: more service",
    )
    assert (v2.version, v2.effective_from) == (2, q3)
    assert [matrix_effective_ids(p)[kpi.pk] for p in (y2025, y2026, jan, q3, sep)] == [
        v1.pk,
        v1.pk,
        v1.pk,
        v2.pk,
        v2.pk,
    ]
    assert list(v1.rows.values_list("share", flat=True).order_by("order")) == [50, 30, 20]
    assert [m.version for m in matrix_versions(kpi)] == [2, 1]
    assert matrix_in_effect(kpi, sep).pk == v2.pk
    assert matrix_in_effect(KPIFactory(), sep) is None
    assert AuditEvent.objects.filter(action="matrix.new_version", object_id=str(v2.pk)).exists()


def test_new_version_cannot_reach_back(units, kpi, hr_a):
    later = PeriodFactory(year=2026)
    earlier = PeriodFactory(year=2025)
    v1 = matrix_create(actor=hr_a, kpi=kpi, effective_from=later, rows=retention_rows(units))
    errors = errors_of(
        lambda: matrix_new_version(
            actor=hr_a, matrix=v1, lock_version=1, effective_from=earlier, rows=retention_rows(units)
        )
    )
    assert "2026 or later" in errors["effective_from"][0]


def test_new_version_refused_when_a_closed_period_would_change(units, kpi, hr_a):
    y2025 = PeriodFactory(year=2025)
    q1 = PeriodFactory(kind=Period.Kind.QUARTER, year=2026, quarter=1)
    q2 = PeriodFactory(kind=Period.Kind.QUARTER, year=2026, quarter=2)
    v1 = matrix_create(actor=hr_a, kpi=kpi, effective_from=y2025, rows=retention_rows(units))
    Period.objects.filter(pk=q2.pk).update(status=Period.Status.CLOSED)
    errors = errors_of(
        lambda: matrix_new_version(
            actor=hr_a, matrix=v1, lock_version=1, effective_from=q1, rows=retention_rows(units)
        )
    )
    assert "2026 Q2" in errors["effective_from"][0]


def test_stale_saves_name_who_changed_it(units, period, kpi, hr_a):
    colleague = UserFactory(username="li.lei", first_name="Lei", last_name="Li")
    matrix = matrix_create(actor=hr_a, kpi=kpi, effective_from=period, rows=retention_rows(units))
    seen = matrix.lock_version
    matrix_update(actor=colleague, matrix=matrix, lock_version=seen, note="fixed a typo")
    with pytest.raises(StaleEditError) as error:
        matrix_update(
            actor=hr_a,
            matrix=matrix,
            lock_version=seen,
            rows=retention_rows(units, {(0, "share"): "60", (2, "share"): "10"}),
        )
    assert error.value.changed_by == "Lei Li" and "Lei Li changed this" in error.value.message
    assert error.value.as_dict()["lock_version"] == seen + 1
    assert list(matrix.rows.values_list("share", flat=True).order_by("order")) == [50, 30, 20]
    with pytest.raises(StaleEditError):
        matrix_new_version(
            actor=hr_a, matrix=matrix, lock_version=seen, effective_from=period, rows=retention_rows(units)
        )
    with pytest.raises(StaleEditError):
        matrix_update(actor=hr_a, matrix=matrix, lock_version=None, note="x")


def test_new_version_based_on_an_old_version_is_stale(units, period, kpi, hr_a):
    v1 = matrix_create(actor=hr_a, kpi=kpi, effective_from=period, rows=retention_rows(units))
    matrix_new_version(
        actor=hr_a, matrix=v1, lock_version=1, effective_from=period, rows=retention_rows(units)
    )
    with pytest.raises(StaleEditError) as error:
        matrix_new_version(
            actor=hr_a, matrix=v1, lock_version=1, effective_from=period, rows=retention_rows(units)
        )
    assert error.value.changed_by == "hr_a"
    assert ResponsibilityMatrix.objects.filter(kpi=kpi).count() == 2


def test_update_rows_bumps_version_and_audits(units, period, kpi, hr_a):
    matrix = matrix_create(actor=hr_a, kpi=kpi, effective_from=period, rows=retention_rows(units))
    updated = matrix_update(
        actor=hr_a,
        matrix=matrix,
        lock_version=1,
        rows=retention_rows(units, {(0, "share"): "60", (2, "share"): "10"}),
    )
    assert updated.lock_version == 2
    assert list(updated.rows.values_list("share", flat=True).order_by("order")) == [60, 30, 10]
    event = AuditEvent.objects.get(action="matrix.update")
    assert [r["share"] for r in event.before["rows"]] == ["50.00", "30.00", "20.00"]
    assert [r["share"] for r in event.after["rows"]] == ["60.00", "30.00", "10.00"]


def test_update_refused_when_a_closed_period_was_scored_with_it(units, kpi, hr_a):
    y2025 = PeriodFactory(year=2025)
    matrix = matrix_create(actor=hr_a, kpi=kpi, effective_from=y2025, rows=retention_rows(units))
    Period.objects.filter(pk=y2025.pk).update(status=Period.Status.CLOSED)
    errors = errors_of(lambda: matrix_update(actor=hr_a, matrix=matrix, lock_version=1, note="x"))
    assert "closed" in errors["matrix"][0]


def test_update_of_another_tenants_matrix_reads_as_missing(tenant_b, hr_b, scope_a, hr_a):
    with tenant_scope(tenant_b):
        world_b = build_seed_tables(actor=hr_b)
        matrix_b = world_b.matrices["retention"]
    errors = errors_of(lambda: matrix_update(actor=hr_a, matrix=matrix_b, lock_version=1, note="x"))
    assert "matrix" in errors
    with tenant_scope(tenant_b):
        assert ResponsibilityMatrix.objects.get(pk=matrix_b.pk).note == ""


def test_share_summary_for_live_editing(scope_a):
    assert share_summary([{"role": "lead", "share": "50"}, {"role": "support", "share": "50"}])["ok"]
    summary = share_summary([{"role": "lead", "share": "50"}, {"role": "lead", "share": "x"}])
    assert summary["total"] == 50 and summary["leads"] == 2 and len(summary["messages"]) == 2


# ------------------------------------------------------------------------------------- effective period


def _close(*periods):
    Period.objects.filter(pk__in=[p.pk for p in periods]).update(status=Period.Status.CLOSED)
    for period in periods:
        period.refresh_from_db()


@pytest.fixture
def q4_with_closed_october(scope_a):
    """2026: October closed, November and December open, Q4 and the year open (issue 8, item 9)."""
    periods = {
        "sep": PeriodFactory(kind=Period.Kind.MONTH, year=2026, month=9),
        "oct": PeriodFactory(kind=Period.Kind.MONTH, year=2026, month=10),
        "nov": PeriodFactory(kind=Period.Kind.MONTH, year=2026, month=11, status=Period.Status.ACTIVE),
        "dec": PeriodFactory(kind=Period.Kind.MONTH, year=2026, month=12),
        "q4": PeriodFactory(kind=Period.Kind.QUARTER, year=2026, quarter=4, status=Period.Status.ACTIVE),
        "y2026": PeriodFactory(year=2026, status=Period.Status.ACTIVE),
    }
    _close(periods["sep"], periods["oct"])
    return periods


def test_first_version_over_a_closed_first_month_applies_to_the_open_periods_only(
    units, kpi, hr_a, q4_with_closed_october, tenant_b
):
    p = q4_with_closed_october
    check = matrix_period_check(p["q4"], kpi=kpi)
    assert check.allowed and [k.label for k in check.kept] == ["2026-10"]
    assert "2026-10" in check.note and "open periods only" in check.note
    v1 = matrix_create(actor=hr_a, kpi=kpi, effective_from=p["q4"], rows=retention_rows(units))
    assert v1.kept_closed == [p["oct"].pk]
    assert kpi.pk not in matrix_effective_ids(p["oct"])  # October keeps the scores it was closed with
    assert [matrix_effective_ids(p[k])[kpi.pk] for k in ("nov", "dec", "q4")] == [v1.pk] * 3
    assert matrix_closed_periods(v1) == []  # nothing closed was scored with it: it may be corrected
    matrix_update(actor=hr_a, matrix=v1, lock_version=v1.lock_version, note="corrected")
    # The year (its first months closed) is a first version's choice too; the other tenant sees nothing.
    year = matrix_period_check(p["y2026"], kpi=KPIFactory())
    assert year.allowed and [k.label for k in year.kept] == ["2026-09", "2026-10"]
    with tenant_scope(tenant_b):
        assert matrix_period_options() == []


def test_a_later_version_may_not_rescore_a_closed_period_but_leaves_the_kept_one(
    units, kpi, hr_a, q4_with_closed_october
):
    p = q4_with_closed_october
    v1 = matrix_create(actor=hr_a, kpi=kpi, effective_from=p["q4"], rows=retention_rows(units))
    again = matrix_period_check(p["q4"], kpi=kpi)  # October was never scored with a matrix: still kept
    assert again.allowed and [k.label for k in again.kept] == ["2026-10"]
    _close(p["nov"])  # November was scored with v1: no new version may reach it
    refused = matrix_period_check(p["q4"], kpi=kpi)
    assert not refused.allowed and "2026-11" in refused.reason
    errors = errors_of(
        lambda: matrix_new_version(
            actor=hr_a, matrix=v1, lock_version=v1.lock_version, effective_from=p["q4"],
            rows=retention_rows(units),
        )  # fmt: skip
    )
    assert errors["effective_from"] == [refused.reason]
    assert ResponsibilityMatrix.objects.filter(kpi=kpi).count() == 1
    v2 = matrix_new_version(
        actor=hr_a, matrix=v1, lock_version=v1.lock_version, effective_from=p["dec"],
        rows=retention_rows(units),
    )  # fmt: skip
    assert v2.kept_closed == [] and matrix_effective_ids(p["nov"])[kpi.pk] == v1.pk


def test_period_options_are_the_save_rule(units, kpi, hr_a, q4_with_closed_october):
    p = q4_with_closed_october
    first = {c.period.label: c for c in matrix_period_options()}
    assert set(first) == {"2026-11", "2026-12", "2026 Q4", "2026"}  # closed periods are not offered
    assert all(c.allowed for c in first.values())
    assert [k.label for k in first["2026 Q4"].kept] == ["2026-10"] and first["2026-11"].kept == ()
    v1 = matrix_create(actor=hr_a, kpi=kpi, effective_from=p["q4"], rows=retention_rows(units))
    _close(p["nov"])
    later = {c.period.label: c for c in matrix_period_options(kpi=kpi)}
    assert {label for label, c in later.items() if c.allowed} == {"2026-12"}
    assert "2026 Q4 or later" in later["2026"].reason and "2026-11" in later["2026 Q4"].reason
    for check in later.values():  # each refusal is exactly what the save does
        if check.allowed:
            continue
        with pytest.raises(ValidationError):
            matrix_new_version(
                actor=hr_a, matrix=v1, lock_version=v1.lock_version, effective_from=check.period,
                rows=retention_rows(units),
            )  # fmt: skip


def test_a_long_list_of_kept_closed_periods_is_shortened(scope_a):
    from types import SimpleNamespace

    from responsibility.services.periods import PeriodCheck

    kept = tuple(SimpleNamespace(label=f"2026-{m:02d}") for m in range(1, 11))
    note = PeriodCheck(SimpleNamespace(label="2026"), True, kept=kept).note
    assert "2026-01 … 2026-10: 10 periods" in note and "2026-05" not in note
