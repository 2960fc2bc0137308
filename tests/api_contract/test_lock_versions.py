"""Optimistic concurrency in the API contract (issue 7, points 1 and 6): every change of an editable object
states the `lock_version` it was based on — updates (PUT and PATCH) in the body, deletes as
`?lock_version=N` — the schema says so, a missing one is a 400 field error and a stale one a 409; nothing
is written then. Tenant B is in the room and keeps every row.
"""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from collab.tenancy import tenant_scope
from tests.isolation.framework import load_samples, tenant_fingerprint
from tests.versions import versioned

pytestmark = pytest.mark.django_db
T = "/api/v1/t/{tenant_slug}"
# The resources whose objects are editable (LockVersioned): path segment → the samples' object name.
EDITABLE = {
    "org-units": "unit",
    "positions": "position",
    "employees": "employee",
    "periods": "period",
    "kpis": "kpi",
    "objectives": "objective",
    "goals": "goal_child",
    "measurements": "measurement",
    "matrices": "matrix",
    "scorecards": "scorecard",
    "review-templates": "review_template",
    "review-campaigns": "review_campaign",
    "point-items": "point_item",
    "appraisal-cycles": "setup_cycle_draft",
    "processes": "process",
    "alert-rules": "alert_rule",
    "silences": "silence",
    "process-kpis": "process_kpi",
    "calendar-days": "calendar_day",
}
DELETABLE = [
    "org-units", "positions", "employees", "periods", "kpis", "objectives", "goals", "review-templates",
    "review-campaigns", "point-items", "appraisal-cycles", "processes", "alert-rules", "silences",
    "process-kpis", "calendar-days",
]


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _request_component(schema, operation):
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


@pytest.mark.parametrize("resource", sorted(EDITABLE))
@pytest.mark.parametrize("method", ["put", "patch"])
def test_every_update_requires_lock_version_in_the_schema(schema, resource, method):
    operation = schema["paths"][f"{T}/{resource}/{{id}}/"][method]
    body = _request_component(schema, operation)
    assert "lock_version" in body.get("required", []), body
    assert not body["properties"]["lock_version"].get("readOnly")
    assert operation["requestBody"].get("required") is True


def test_creation_does_not_require_lock_version(schema):
    for resource in EDITABLE:
        operation = schema["paths"][f"{T}/{resource}/"]["post"]
        assert "lock_version" not in _request_component(schema, operation).get("required", [])


@pytest.mark.parametrize("resource", DELETABLE)
def test_every_delete_requires_lock_version_in_the_schema(schema, resource):
    operation = schema["paths"][f"{T}/{resource}/{{id}}/"]["delete"]
    (parameter,) = [p for p in operation["parameters"] if p["name"] == "lock_version"]
    assert parameter["in"] == "query" and parameter["required"] is True
    assert parameter["schema"]["type"] == "integer"
    assert {"400", "409"} <= set(operation["responses"])


def test_every_destroy_of_an_editable_resource_is_covered(schema):
    """A new deletable editable resource must be listed above (and so checked)."""
    deletes = {
        path.split("/")[5]
        for path, operations in schema["paths"].items()
        if path.startswith(f"{T}/") and "delete" in operations
        and any(p["name"] == "lock_version" for p in operations["delete"].get("parameters", []))
    }
    assert deletes == set(DELETABLE)


@pytest.fixture
def worlds(tenant_a, tenant_b, hr_a, api_client_for):
    samples = load_samples()
    objects = samples.build(tenant_a)
    samples.build(tenant_b)
    return {"a": objects, "api": api_client_for(hr_a), "tenant_b": tenant_b}


def _url(resource, pk):
    return f"/api/v1/t/alpha/{resource}/{pk}/"


@pytest.mark.parametrize("resource", sorted(EDITABLE))
@pytest.mark.parametrize("method", ["put", "patch"])
def test_an_update_without_lock_version_is_a_400_field_error(worlds, tenant_a, resource, method):
    obj = worlds["a"][EDITABLE[resource]]
    api = worlds["api"]
    shown = api.get(_url(resource, obj.pk)).json()
    before_b = tenant_fingerprint(worlds["tenant_b"])
    answer = getattr(api, method)(_url(resource, obj.pk), {}, format="json")
    assert answer.status_code == 400, answer.json()
    assert "lock_version" in answer.json()
    assert api.get(_url(resource, obj.pk)).json()["lock_version"] == shown["lock_version"]
    assert tenant_fingerprint(worlds["tenant_b"]) == before_b


@pytest.mark.parametrize("resource", DELETABLE)
def test_a_delete_states_its_lock_version(worlds, tenant_a, resource):
    obj = worlds["a"][EDITABLE[resource]]
    api = worlds["api"]
    url = _url(resource, obj.pk)
    current = api.get(url).json()["lock_version"]
    before_b = tenant_fingerprint(worlds["tenant_b"])

    missing = api.delete(url)
    assert missing.status_code == 400 and missing.json() == {"lock_version": ["This field is required."]}
    malformed = api.delete(versioned(url, "x"))
    assert malformed.status_code == 400 and "lock_version" in malformed.json()
    stale = api.delete(versioned(url, current + 7))
    assert stale.status_code == 409, stale.json()
    assert stale.json()["lock_version"] == current and set(stale.json()) >= {"detail", "changed_by"}

    assert api.get(url).status_code == 200  # still there
    assert tenant_fingerprint(worlds["tenant_b"]) == before_b
    with tenant_scope(tenant_a):
        assert type(obj).objects.filter(pk=obj.pk).exists()
