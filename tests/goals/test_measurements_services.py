"""Measurement writes: one upsert, the all-or-nothing bulk upsert and the Excel/CSV import."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from collab.concurrency import StaleEditError
from collab.imports.table import Table
from collab.models import AuditEvent, Period
from collab.tenancy import tenant_scope
from goals.models import KPI, Measurement
from goals.services.measurements.importing import MeasurementImport
from goals.services.measurements.values import BulkErrors, parse_number
from goals.services.measurements.writes import measurement_upsert, measurements_bulk_upsert
from tests.factories.goals import KPIFactory, MeasurementFactory, OrgUnitFactory, PeriodFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def period(scope_a):
    return PeriodFactory(kind=Period.Kind.MONTH, year=2025, month=3)


@pytest.fixture
def closed(scope_a):
    return PeriodFactory(kind=Period.Kind.MONTH, year=2024, month=12, status=Period.Status.CLOSED)


class TestParseNumber:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            (90, Decimal("90.0000")),
            ("1,234.5", Decimal("1234.5000")),
            (" 81 ", Decimal("81.0000")),
            (0.1 + 0.2, Decimal("0.3000")),
            (Decimal("1.23456"), Decimal("1.2346")),
            ("-5", Decimal("-5.0000")),
            ("1e3", Decimal("1000.0000")),
        ],
    )
    def test_accepted(self, raw, expected):
        assert parse_number(raw, field_name="target", required=True) == expected

    @pytest.mark.parametrize(
        "raw",
        ["abc", "1\x002", "nan", "inf", "-Infinity", True, [1], {"a": 1}, "1" * 17, 10**16, "9" * 70,
         float("nan")],
    )
    def test_refused_with_a_field_error(self, raw):
        with pytest.raises(ValidationError) as error:
            parse_number(raw, field_name="actual", required=False)
        assert "actual" in error.value.message_dict

    def test_empty(self):
        assert parse_number("  ", field_name="actual", required=False) is None
        with pytest.raises(ValidationError):
            parse_number(None, field_name="target", required=True)


class TestUpsert:
    def test_create_is_audited_and_kept_in_history(self, period, hr_a):
        kpi = KPIFactory()
        m = measurement_upsert(actor=hr_a, kpi=kpi, period=period, target="90", actual="81")
        assert (m.target, m.actual, m.lock_version) == (Decimal("90"), Decimal("81"), 1)
        event = AuditEvent.objects.get(action="measurement.create")
        assert event.actor == hr_a and event.after["target"] == "90.0000"
        assert m.history.count() == 1 and m.history.first().history_user == hr_a

    def test_update_bumps_version_and_audits_before_and_after(self, period, hr_a):
        m = MeasurementFactory(period=period, target=Decimal(90), actual=Decimal(81))
        updated = measurement_upsert(actor=hr_a, kpi=m.kpi, period=period, actual=95, lock_version=1)
        assert updated.pk == m.pk and updated.lock_version == 2
        assert updated.target == Decimal(90)  # left out: kept
        event = AuditEvent.objects.get(action="measurement.update")
        assert event.before["actual"] == "81.0000" and event.after["actual"] == "95.0000"

    def test_unchanged_save_writes_nothing(self, period, hr_a):
        m = MeasurementFactory(period=period, target=Decimal(90), actual=Decimal(81))
        measurement_upsert(
            actor=hr_a, kpi=m.kpi, period=period, target="90.00", actual="81", lock_version=1
        )
        m.refresh_from_db()
        assert m.lock_version == 1 and not AuditEvent.objects.filter(action="measurement.update").exists()

    def test_stale_version_is_refused(self, period, hr_a):
        m = MeasurementFactory(period=period)
        measurement_upsert(actor=hr_a, kpi=m.kpi, period=period, actual=1, lock_version=1)
        with pytest.raises(StaleEditError) as error:
            measurement_upsert(actor=hr_a, kpi=m.kpi, period=period, actual=2, lock_version=1)
        assert error.value.changed_by == "hr_a" and error.value.current_version == 2
        with pytest.raises(StaleEditError):  # changing one without saying which version: refused alike
            measurement_upsert(actor=hr_a, kpi=m.kpi, period=period, actual=3)
        m.refresh_from_db()
        assert m.actual == Decimal(1)

    def test_new_measurement_needs_a_target(self, period, hr_a):
        with pytest.raises(ValidationError) as error:
            measurement_upsert(actor=hr_a, kpi=KPIFactory(), period=period, actual=5)
        assert "target" in error.value.message_dict
        assert not Measurement.objects.exists()

    def test_empty_actual_clears_it(self, period, hr_a):
        m = MeasurementFactory(period=period)
        measurement_upsert(actor=hr_a, kpi=m.kpi, period=period, actual="", lock_version=1)
        m.refresh_from_db()
        assert m.actual is None

    def test_closed_period_is_read_only(self, closed, hr_a):
        m = MeasurementFactory(period=closed, actual=Decimal(1))
        with pytest.raises(ValidationError) as error:
            measurement_upsert(actor=hr_a, kpi=m.kpi, period=closed, actual=2)
        assert "period" in error.value.message_dict
        with pytest.raises(ValidationError):
            measurement_upsert(actor=hr_a, kpi=KPIFactory(), period=closed, target=1)
        m.refresh_from_db()
        assert m.actual == Decimal(1) and Measurement.objects.count() == 1

    def test_bad_values_are_field_errors_and_nothing_is_written(self, period, hr_a):
        kpi = KPIFactory()
        with pytest.raises(ValidationError) as error:
            measurement_upsert(
                actor=hr_a, kpi=kpi, period=period, target="x", actual=10**20, note="a\x00"
            )
        assert set(error.value.message_dict) == {"target", "actual", "note"}
        assert not Measurement.objects.exists() and not AuditEvent.objects.exists()


class TestBulk:
    def test_creates_and_updates_in_one_go(self, period, hr_a):
        existing = MeasurementFactory(period=period, target=Decimal(10), actual=Decimal(5))
        new = KPIFactory()
        result = measurements_bulk_upsert(
            actor=hr_a,
            rows=[
                {"kpi": existing.kpi, "period": period, "actual": "7", "lock_version": 1},
                {"kpi": new, "period": period, "target": "100", "actual": "90"},
            ],
        )
        assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
        existing.refresh_from_db()
        assert existing.actual == Decimal(7) and existing.target == Decimal(10)
        assert AuditEvent.objects.filter(action__startswith="measurement.").count() == 2

    def test_one_bad_row_writes_nothing_and_names_the_row(self, period, hr_a):
        kpis = [KPIFactory() for _ in range(3)]
        rows = [{"kpi": k, "period": period, "target": 10, "actual": 5} for k in kpis]
        rows[1]["actual"] = "five"
        with pytest.raises(BulkErrors) as error:
            measurements_bulk_upsert(actor=hr_a, rows=rows)
        assert error.value.rows[0] == {} and error.value.rows[2] == {}
        assert "actual" in error.value.rows[1]
        assert not Measurement.objects.exists() and not AuditEvent.objects.exists()

    def test_duplicates_and_closed_periods_are_row_errors(self, period, closed, hr_a):
        kpi = KPIFactory()
        rows = [
            {"kpi": kpi, "period": period, "target": 1},
            {"kpi": kpi, "period": period, "target": 2},
            {"kpi": kpi, "period": closed, "target": 3},
        ]
        with pytest.raises(BulkErrors) as error:
            measurements_bulk_upsert(actor=hr_a, rows=rows)
        assert error.value.rows[0] == {}
        assert "Duplicate of row 1" in error.value.rows[1]["__all__"][0]
        assert "period" in error.value.rows[2]
        assert not Measurement.objects.exists()

    def test_stale_version_in_a_row(self, period, hr_a):
        m = MeasurementFactory(period=period)
        with pytest.raises(BulkErrors) as error:
            measurements_bulk_upsert(
                actor=hr_a, rows=[{"kpi": m.kpi, "period": period, "actual": 1, "lock_version": 7}]
            )
        assert "changed this measurement" in error.value.rows[0]["lock_version"][0]
        with pytest.raises(BulkErrors) as error:
            measurements_bulk_upsert(
                actor=hr_a, rows=[{"kpi": m.kpi, "period": period, "actual": 1}]
            )
        assert error.value.rows[0]["lock_version"] == ["This field is required."]


def csv_upload(text: str, name: str = "m.csv"):
    upload = io.BytesIO(text.encode("utf-8"))
    upload.name = name
    return upload


class TestImport:
    def test_dry_run_lists_row_errors_and_writes_nothing(self, period, hr_a):
        KPIFactory(code="SALES")
        importer = MeasurementImport(period)
        table = importer.read(csv_upload("KPI code,Target,Actual\nSALES,100,90\nNOPE,1,1\nSALES,x,1\n"))
        result = importer.dry_run(table)
        problems = {(e.row, e.column) for e in result.errors}
        assert (3, "KPI code") in problems and (4, "Target") in problems
        assert not Measurement.objects.exists()

    def test_commit_writes_all_and_skips_empty_rows(self, period, hr_a):
        sales = KPIFactory(code="SALES")
        KPIFactory(code="EMPTY")
        cost = KPIFactory(code="COST")
        MeasurementFactory(kpi=cost, period=period, target=Decimal(50), actual=None)
        importer = MeasurementImport(period)
        text = "指标编码,目标,实际,备注,KPI name\nSALES,\"1,000\",900,ok,whatever\nEMPTY,,,,\nCOST,,40,,\n"
        result = importer.commit(importer.read(csv_upload(text)), actor=hr_a)
        assert result.committed and result.written == 2
        assert Measurement.objects.get(kpi=sales).target == Decimal(1000)
        cost_m = Measurement.objects.get(kpi=cost)
        assert (cost_m.target, cost_m.actual) == (Decimal(50), Decimal(40))
        assert Measurement.objects.count() == 2

    def test_one_bad_row_among_a_thousand_writes_nothing(self, period, hr_a):
        unit = OrgUnitFactory()
        KPI.objects.bulk_create(
            [
                KPI(tenant=period.tenant, code=f"B{i:04d}", name=f"n{i}", perspective="financial",
                    owner_unit=unit)
                for i in range(1000)
            ]
        )
        lines = ["Code,Target,Actual"] + [f"B{i:04d},100,{i}" for i in range(1000)]
        lines[701] = "B0700,100,seven hundred"
        importer = MeasurementImport(period)
        result = importer.commit(importer.read(csv_upload("\n".join(lines))), actor=hr_a)
        assert not result.committed
        assert [(e.row, e.column) for e in result.errors] == [(702, "Actual")]
        assert not Measurement.objects.exists()

    def test_typed_numbers_store_what_the_person_meant(self, period, hr_a, tenant_b):
        """Issue 8 item 8: thousands commas and full-width digits are read as the number they show."""
        with tenant_scope(tenant_b):
            KPIFactory(code="T1")  # the same code in the other tenant stays untouched
        for code in ("T1", "T2", "T3", "T4"):
            KPIFactory(code=code)
        text = (
            "Code,Target,Actual\n"
            'T1,"1,000.5",１２３\n'
            'T2,"１，２３４．５",－５\n'
            'T3,"12,345", 7 \n'
            "T4,１００,９９．２５\n"
        )
        importer = MeasurementImport(period)
        result = importer.commit(importer.read(csv_upload(text)), actor=hr_a)
        assert result.committed and not result.errors
        stored = {m.kpi.code: (m.target, m.actual) for m in Measurement.objects.select_related("kpi")}
        assert stored == {
            "T1": (Decimal("1000.5"), Decimal("123")),
            "T2": (Decimal("1234.5"), Decimal("-5")),
            "T3": (Decimal("12345"), Decimal("7")),
            "T4": (Decimal("100"), Decimal("99.25")),
        }
        with tenant_scope(tenant_b):
            assert not Measurement.objects.exists()

    def test_an_ambiguous_comma_is_a_row_error_and_nothing_is_written(self, period, hr_a):
        """"1,5" is not fifteen (a decimal comma? a typo?): refused with its row, not stored as 15."""
        KPIFactory(code="OK")
        KPIFactory(code="AMB")
        importer = MeasurementImport(period)
        text = 'Code,Target,Actual\nOK,"1,000",1\nAMB,100,"1,5"\n'
        result = importer.commit(importer.read(csv_upload(text)), actor=hr_a)
        assert not result.committed
        assert [(e.row, e.column) for e in result.errors] == [(3, "Actual")]
        assert "1,000.5" in result.errors[0].message
        assert not Measurement.objects.exists()

    def test_new_measurement_without_target(self, period, hr_a):
        KPIFactory(code="NEW")
        importer = MeasurementImport(period)
        result = importer.dry_run(importer.read(csv_upload("Code,Actual\nNEW,5\n")))
        assert [(e.row, e.column) for e in result.errors] == [(2, "Target")]

    def test_duplicate_codes(self, period, hr_a):
        KPIFactory(code="A")
        importer = MeasurementImport(period)
        result = importer.dry_run(importer.read(csv_upload("Code,Target\nA,1\nA,2\n")))
        assert [e.row for e in result.errors] == [3]

    def test_closed_period_refused(self, closed, hr_a):
        KPIFactory(code="A")
        importer = MeasurementImport(closed)
        result = importer.commit(importer.read(csv_upload("Code,Target\nA,1\n")), actor=hr_a)
        assert not result.committed and result.errors
        assert not Measurement.objects.exists()

    def test_other_tenants_codes_are_unknown(self, period, hr_a, tenant_b):
        with tenant_scope(tenant_b):
            KPIFactory(code="BRAVO")
        importer = MeasurementImport(period)
        result = importer.dry_run(importer.read(csv_upload("Code,Target\nBRAVO,1\n")))
        assert [(e.row, e.column) for e in result.errors] == [(2, "Code")]

    def test_table_survives_the_session_round_trip(self, period, hr_a):
        KPIFactory(code="A")
        importer = MeasurementImport(period)
        table = Table.from_data(importer.read(csv_upload("Code,Target\nA,1\n")).to_data())
        assert importer.commit(table, actor=hr_a).committed
