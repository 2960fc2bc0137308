"""The schema says what the API does (DESIGN.md §9), checked directly beside the fuzzer:

- what a write requires (`rows`, `lines`, `lock_version`) is a required request field, never read-only;
- a read-only or immutable field sent in a write is a 400 field error, not silently ignored, and nothing
  is written;
- 400/401/403/404 are documented for every tenant operation, 409 for every tenant write;
- nullable and decimal-string fields are described as they are answered.
"""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from collab.tenancy import tenant_scope
from tests.factories.interlock import build_seed_tables

pytestmark = pytest.mark.django_db
T = "/api/v1/t/{tenant_slug}"


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def component(schema, name):
    return schema["components"]["schemas"][name]


def request_component(schema, path, method):
    body = schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    return component(schema, body["$ref"].rsplit("/", 1)[1])


@pytest.mark.parametrize(
    ("path", "method", "required"),
    [
        (f"{T}/matrices/", "post", {"kpi", "effective_from", "rows"}),
        (f"{T}/matrices/{{id}}/", "put", {"lock_version", "rows"}),
        (f"{T}/matrices/{{id}}/new-version/", "post", {"lock_version", "effective_from", "rows"}),
        (f"{T}/scorecards/{{id}}/", "put", {"lock_version", "lines"}),
        (f"{T}/scorecards/{{id}}/publish/", "post", {"lock_version"}),
    ],
)
def test_what_a_write_requires_is_a_required_request_field(schema, path, method, required):
    body = request_component(schema, path, method)
    assert required <= set(body["required"])
    for name in required:
        assert not body["properties"][name].get("readOnly")
    if "rows" in required or "lines" in required:
        rows = body["properties"]["rows" if "rows" in required else "lines"]
        assert rows["type"] == "array" and "$ref" in rows["items"]


def test_error_answers_are_documented_once_for_every_operation(schema):
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/v1/t/"):
            continue
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"400", "401", "403", "404"} <= codes, (method, path)
            if method != "get":
                assert "409" in codes, (method, path)


def test_nullable_and_decimal_fields_are_described_as_answered(schema):
    goal = component(schema, "Goal")["properties"]
    assert goal["position_title"].get("nullable") is True
    measurement = component(schema, "Measurement")["properties"]
    for name in ("target", "actual"):
        assert measurement[name]["type"] == "string" and measurement[name]["format"] == "decimal"


@pytest.fixture
def seed(tenant_a):
    with tenant_scope(tenant_a):
        return build_seed_tables()


@pytest.fixture
def api(hr_a, api_client_for):
    return api_client_for(hr_a)


def test_immutable_fields_in_a_write_are_field_errors(seed, tenant_a, api):
    card = seed.scorecards["service"]
    matrix = next(iter(seed.matrices.values()))
    before = (card.period_id, card.status, card.lock_version, matrix.kpi_id, matrix.lock_version)
    answer = api.patch(
        f"/api/v1/t/alpha/scorecards/{card.pk}/",
        {"lock_version": card.lock_version, "period": card.period_id + 1, "status": "closed"},
    )
    assert answer.status_code == 400 and set(answer.json()) == {"period", "status"}
    answer = api.patch(
        f"/api/v1/t/alpha/matrices/{matrix.pk}/", {"lock_version": matrix.lock_version, "kpi": matrix.kpi_id}
    )
    assert answer.status_code == 400 and set(answer.json()) == {"kpi"}
    answer = api.post(f"/api/v1/t/alpha/scorecards/{card.pk}/publish/", {"lock_version": 0, "id": 5})
    assert answer.status_code == 400 and set(answer.json()) == {"id"}
    with tenant_scope(tenant_a):
        card.refresh_from_db()
        matrix.refresh_from_db()
    assert (card.period_id, card.status, card.lock_version, matrix.kpi_id, matrix.lock_version) == before


def test_values_of_the_wrong_json_type_are_field_errors(seed, api):
    answer = api.post("/api/v1/t/alpha/org-units/", {"code": 7, "name": "X", "kind": "department"})
    assert answer.status_code == 400 and set(answer.json()) == {"code"}
    answer = api.post("/api/v1/t/alpha/periods/", {"kind": "year", "year": "2040"})
    assert answer.status_code == 400 and set(answer.json()) == {"year"}


def test_a_stale_write_is_a_409_from_the_one_exception_handler(seed, api):
    card = seed.scorecards["service"]
    answer = api.patch(f"/api/v1/t/alpha/scorecards/{card.pk}/", {"lock_version": card.lock_version + 5})
    assert answer.status_code == 409
    assert set(answer.json()) >= {"detail", "changed_by", "changed_at", "lock_version"}


def test_unknown_api_routes_answer_json_404(api):
    answer = api.get("/api/v1/t/alpha/kpis/99999999999999999999999/")
    assert answer.status_code == 404 and answer["Content-Type"] == "application/json"
    assert answer.json() == {"detail": "Not found."}
