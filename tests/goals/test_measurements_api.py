"""API of measurements: list/retrieve/create/update and the all-or-nothing bulk endpoint."""

from __future__ import annotations

from decimal import Decimal

import pytest

from collab.models import AuditEvent, Period
from collab.tenancy import tenant_scope
from goals.models import Measurement
from tests.factories import make_member
from tests.factories.goals import KPIFactory, MeasurementFactory, PeriodFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/t/{slug}/measurements/"


@pytest.fixture
def world(tenant_a, tenant_b):
    with tenant_scope(tenant_a):
        period = PeriodFactory(kind=Period.Kind.MONTH, year=2025, month=4)
        closed = PeriodFactory(kind=Period.Kind.MONTH, year=2024, month=1, status=Period.Status.CLOSED)
        kpi = KPIFactory(code="SALES")
        other_kpi = KPIFactory(code="COST")
        measurement = MeasurementFactory(kpi=kpi, period=period, target=Decimal(90), actual=Decimal(81))
        closed_m = MeasurementFactory(kpi=kpi, period=closed, target=Decimal(1), actual=Decimal(1))
    with tenant_scope(tenant_b):
        b_period = PeriodFactory(kind=Period.Kind.MONTH, year=2025, month=4)
        b_kpi = KPIFactory(code="BRAVO")
        b_measurement = MeasurementFactory(kpi=b_kpi, period=b_period, target=Decimal(5), actual=Decimal(5))
    return {
        "period": period,
        "closed": closed,
        "kpi": kpi,
        "other_kpi": other_kpi,
        "m": measurement,
        "closed_m": closed_m,
        "b_period": b_period,
        "b_kpi": b_kpi,
        "b_m": b_measurement,
    }


@pytest.fixture
def hr(api_client_for, hr_a):
    return api_client_for(hr_a)


def url(detail=None, action=None):
    path = BASE.format(slug="alpha")
    if detail is not None:
        path += f"{detail}/"
    if action:
        path += f"{action}/"
    return path


def b_state(tenant_b):
    with tenant_scope(tenant_b):
        return list(Measurement.objects.values_list("id", "target", "actual", "note", "lock_version"))


class TestRead:
    def test_every_role_reads_with_score_and_band(self, world, tenant_a, api_client_for):
        for role in ("employee", "auditor", "manager", "committee"):
            client = api_client_for(make_member(tenant_a, role, username=f"api-{role}"))
            response = client.get(url(), {"period": world["period"].pk})
            assert response.status_code == 200
            [row] = response.json()["results"]
            assert row["kpi_code"] == "SALES" and row["target"] == "90.0000"
            assert row["score"] == 90.0 and row["band"] == "amber"

    def test_retrieve_and_filters(self, world, hr):
        assert hr.get(url(world["m"].pk)).json()["period_label"] == "2025-04"
        assert len(hr.get(url(), {"kpi": world["kpi"].pk}).json()["results"]) == 2
        response = hr.get(url(), {"period": "abc", "kpi": "9" * 30})
        assert response.status_code == 400 and set(response.json()) == {"period", "kpi"}

    def test_list_queries_do_not_grow(self, world, hr, tenant_a, django_assert_max_num_queries):
        with django_assert_max_num_queries(8):
            hr.get(url())
        with tenant_scope(tenant_a):
            for _ in range(20):
                MeasurementFactory(period=world["period"])
        with django_assert_max_num_queries(8):
            assert len(hr.get(url()).json()["results"]) == 22

    def test_other_tenant_ids_are_missing(self, world, hr, tenant_b):
        before = b_state(tenant_b)
        for method in ("get", "put", "patch"):
            response = getattr(hr, method)(url(world["b_m"].pk), {"actual": 1}, format="json")
            assert response.status_code == 404, method
        assert len(hr.get(url(), {"period": world["b_period"].pk}).json()["results"]) == 0
        assert hr.get(url("9" * 19)).status_code == 404
        assert b_state(tenant_b) == before

    def test_other_tenant_cannot_see_the_slug(self, world, api_client_for, hr_b):
        assert api_client_for(hr_b).get(url()).status_code == 404


class TestCreate:
    def test_hr_creates(self, world, hr):
        payload = {"kpi": world["other_kpi"].pk, "period": world["period"].pk, "target": "1,000"}
        response = hr.post(url(), {**payload, "actual": 800}, format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["target"] == "1000.0000" and body["score"] == 80.0 and body["lock_version"] == 1
        with tenant_scope(world["period"].tenant):
            assert AuditEvent.objects.filter(action="measurement.create").count() == 1

    @pytest.mark.parametrize("role", ["employee", "auditor", "manager"])
    def test_other_roles_cannot_write(self, world, tenant_a, api_client_for, role):
        client = api_client_for(make_member(tenant_a, role, username=f"w-{role}"))
        payload = {"kpi": world["other_kpi"].pk, "period": world["period"].pk, "target": 1}
        response = client.post(url(), payload)
        assert response.status_code == 403
        assert client.patch(url(world["m"].pk), {"actual": 1}, format="json").status_code == 403
        assert client.post(url(action="bulk"), [], format="json").status_code == 403

    def test_duplicate_is_refused(self, world, hr):
        response = hr.post(url(), {"kpi": world["kpi"].pk, "period": world["period"].pk, "target": 1})
        assert response.status_code == 400 and "non_field_errors" in response.json()

    def test_closed_period(self, world, hr):
        response = hr.post(url(), {"kpi": world["other_kpi"].pk, "period": world["closed"].pk, "target": 1})
        assert response.status_code == 400 and "period" in response.json()

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"target": "abc"}, "target"),
            ({"target": 10**30}, "target"),
            ({"target": True}, "target"),
            ({"target": [1]}, "target"),
            ({"target": None}, "target"),
            ({"target": "NaN"}, "target"),
            ({"target": 1, "actual": "1e400"}, "actual"),
            ({"target": 1, "note": "a\x00b"}, "note"),
            ({"target": 1, "note": "x" * 301}, "note"),
            ({"target": 1, "kpi": "abc"}, "kpi"),
            ({"target": 1, "kpi": "12"}, "kpi"),  # ids are JSON integers
            ({"target": 1, "period": {"id": 1}}, "period"),
        ],
    )
    def test_bad_input_is_a_field_error(self, world, hr, body, field):
        payload = {"kpi": world["other_kpi"].pk, "period": world["period"].pk, **body}
        response = hr.post(url(), payload, format="json")
        assert response.status_code == 400, response.content
        assert field in response.json()
        with tenant_scope(world["period"].tenant):
            assert not Measurement.objects.filter(kpi=world["other_kpi"]).exists()

    def test_other_tenants_fk_reads_as_missing(self, world, hr, tenant_b):
        before = b_state(tenant_b)
        base = {"kpi": world["other_kpi"].pk, "period": world["period"].pk, "target": 1}
        for field, foreign in (("kpi", world["b_kpi"].pk), ("period", world["b_period"].pk)):
            response = hr.post(url(), {**base, field: foreign}, format="json")
            missing = hr.post(url(), {**base, field: 987654321}, format="json")
            too_big = hr.post(url(), {**base, field: 10**30}, format="json")
            assert response.status_code == missing.status_code == too_big.status_code == 404
            assert response.json() == missing.json() == too_big.json()  # exactly like a missing id
            assert field in response.json()
        assert b_state(tenant_b) == before


class TestUpdate:
    def test_patch_and_put(self, world, hr):
        m = world["m"]
        response = hr.patch(url(m.pk), {"actual": 99, "lock_version": 1}, format="json")
        assert response.status_code == 200 and response.json()["actual"] == "99.0000"
        assert response.json()["lock_version"] == 2 and response.json()["target"] == "90.0000"
        response = hr.put(url(m.pk), {"target": 100, "lock_version": 2}, format="json")
        assert response.status_code == 200
        assert response.json()["actual"] is None  # PUT replaces: an omitted actual is cleared
        body = {"actual": 3, "lock_version": 3}
        assert hr.put(url(m.pk), body, format="json").status_code == 400  # PUT needs the target

    def test_stale_version(self, world, hr):
        first = hr.patch(url(world["m"].pk), {"actual": 1, "lock_version": 1}, format="json")
        assert first.status_code == 200
        response = hr.patch(url(world["m"].pk), {"actual": 2, "lock_version": 1}, format="json")
        assert response.status_code == 409
        assert response.json()["changed_by"] == "hr_a" and response.json()["lock_version"] == 2
        assert response.json()["changed_at"] and "hr_a changed this measurement" in response.json()["detail"]
        missing = hr.patch(url(world["m"].pk), {"actual": 3}, format="json")
        assert missing.status_code == 400 and missing.json() == {"lock_version": ["This field is required."]}
        same = hr.patch(url(world["m"].pk), {"actual": 1, "lock_version": 2}, format="json")
        assert same.status_code == 200 and same.json()["lock_version"] == 2  # no change: no new version
        world["m"].refresh_from_db()
        assert world["m"].actual == 1

    def test_kpi_and_period_do_not_change(self, world, hr):
        body = {"kpi": world["other_kpi"].pk, "period": world["closed"].pk}
        hr.patch(url(world["m"].pk), body, format="json")
        world["m"].refresh_from_db()
        assert world["m"].kpi_id == world["kpi"].pk and world["m"].period_id == world["period"].pk

    def test_closed_period(self, world, hr):
        response = hr.patch(url(world["closed_m"].pk), {"actual": 5, "lock_version": 1}, format="json")
        assert response.status_code == 400 and "period" in response.json()
        world["closed_m"].refresh_from_db()
        assert world["closed_m"].actual == Decimal(1)

    def test_no_delete(self, world, hr):
        assert hr.delete(url(world["m"].pk)).status_code == 405


class TestBulk:
    def test_creates_and_updates(self, world, hr, tenant_a):
        rows = [
            {"kpi": world["kpi"].pk, "period": world["period"].pk, "actual": 85, "lock_version": 1},
            {"kpi": world["other_kpi"].pk, "period": world["period"].pk, "target": 10, "actual": 12},
        ]
        stale = hr.post(url(action="bulk"), [{**rows[0], "lock_version": 5}, rows[1]], format="json")
        assert stale.status_code == 409  # a conflict, not bad input; the whole bulk refused
        assert "changed this measurement" in stale.json()["rows"][0]["lock_version"][0]
        assert stale.json()["rows"][1] == {} and stale.json()["lock_version"] == 1
        with tenant_scope(tenant_a):
            assert not Measurement.objects.filter(kpi=world["other_kpi"], period=world["period"]).exists()
        without = {key: value for key, value in rows[0].items() if key != "lock_version"}
        missing = hr.post(url(action="bulk"), [without], format="json")
        assert missing.status_code == 400
        assert missing.json()["rows"][0] == {"lock_version": ["This field is required."]}
        response = hr.post(url(action="bulk"), rows, format="json")
        assert response.status_code == 200, response.json()
        body = response.json()
        assert (body["created"], body["updated"], body["unchanged"]) == (1, 1, 0)
        assert [r["score"] for r in body["results"]] == [pytest.approx(94.44), 120.0]

    def test_one_bad_row_writes_nothing(self, world, hr, tenant_a):
        rows = [
            {"kpi": world["other_kpi"].pk, "period": world["period"].pk, "target": 10},
            {"kpi": world["kpi"].pk, "period": world["period"].pk, "actual": "lots"},
            {"kpi": world["kpi"].pk, "period": world["closed"].pk, "actual": 1, "lock_version": 1},
        ]
        response = hr.post(url(action="bulk"), rows, format="json")
        assert response.status_code == 400
        body = response.json()
        assert body["rows"][0] == {} and "actual" in body["rows"][1]
        with tenant_scope(tenant_a):
            assert Measurement.objects.count() == 2 and not AuditEvent.objects.exists()
        # The service's own checks (closed period) also name their row and write nothing.
        response = hr.post(url(action="bulk"), [rows[0], rows[2]], format="json")
        assert response.status_code == 400
        assert response.json()["rows"][0] == {} and "period" in response.json()["rows"][1]
        with tenant_scope(tenant_a):
            assert Measurement.objects.count() == 2

    def test_duplicates_in_the_list(self, world, hr):
        row = {"kpi": world["other_kpi"].pk, "period": world["period"].pk, "target": 10}
        response = hr.post(url(action="bulk"), [row, row], format="json")
        assert response.status_code == 400 and "non_field_errors" in response.json()["rows"][1]

    def test_other_tenants_fk_in_a_row(self, world, hr, tenant_b):
        before = b_state(tenant_b)
        rows = [
            {"kpi": world["other_kpi"].pk, "period": world["period"].pk, "target": 10},
            {"kpi": world["b_kpi"].pk, "period": world["b_period"].pk, "actual": 1},
        ]
        response = hr.post(url(action="bulk"), rows, format="json")
        assert response.status_code == 404 and "kpi" in response.json()  # nothing written
        with tenant_scope(world["period"].tenant):
            assert not Measurement.objects.filter(kpi=world["other_kpi"]).exists()
        assert b_state(tenant_b) == before

    @pytest.mark.parametrize("body", [{"kpi": 1}, "text", [], None, [1, 2], [{"kpi": "\x00"}]])
    def test_malformed_bodies(self, world, hr, body):
        response = hr.post(url(action="bulk"), body, format="json")
        assert response.status_code == 400

    def test_too_many_rows(self, world, hr, monkeypatch):
        from goals.api import measurements as api_measurements

        monkeypatch.setattr(api_measurements, "BULK_MAX_ROWS", 2)
        row = {"kpi": world["kpi"].pk, "period": world["period"].pk, "actual": 1}
        assert hr.post(url(action="bulk"), [row] * 3, format="json").status_code == 400
