"""The review-templates API: CRUD through the services, 400 field errors keyed like the pages', 409 on a
stale save, lock_version required, other tenants' ids a 404, read roles, constant list queries."""

from __future__ import annotations

import pytest

from collab.tenancy import tenant_scope
from feedback.models import ReviewTemplate
from tests.factories import make_member
from tests.factories.feedback import ReviewDimensionFactory, ReviewTemplateFactory, dimension_rows

pytestmark = pytest.mark.django_db

BASE = "/api/v1/t/alpha/review-templates/"


@pytest.fixture
def api(hr_a, api_client_for):
    return api_client_for(hr_a)


@pytest.fixture
def theirs(tenant_b):
    with tenant_scope(tenant_b):
        template = ReviewTemplateFactory(name="Bravo only")
        ReviewDimensionFactory(template=template)
    return template


def body(name="Sales rates R&D", dims=("Response speed", "Feasibility")):
    return {"name": name, "kind": "internal_customer", "dimensions": dimension_rows(*dims)}


def test_create_read_update_delete(api, tenant_a, theirs):
    created = api.post(BASE, body(), format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert [d["name"] for d in data["dimensions"]] == ["Response speed", "Feasibility"]
    assert data["dimensions"][0]["anchor_5"] == "Response speed: point 5"
    detail = f"{BASE}{data['id']}/"
    listed = api.get(BASE).json()
    assert [t["name"] for t in listed["results"]] == ["Sales rates R&D"]
    patched = api.patch(detail, {"lock_version": data["lock_version"], "is_active": False}, format="json")
    assert patched.status_code == 200, patched.json()
    assert patched.json()["is_active"] is False and patched.json()["lock_version"] == data["lock_version"] + 1
    assert len(patched.json()["dimensions"]) == 2  # left out: kept
    deleted = api.delete(f"{detail}?lock_version={patched.json()['lock_version']}")
    assert deleted.status_code == 204
    with tenant_scope(tenant_a):
        assert not ReviewTemplate.objects.exists()


def test_errors_are_field_errors_keyed_like_the_pages(api):
    bad = body(dims=("Speed",))
    bad["dimensions"][0]["anchor_2"] = ""
    response = api.post(BASE, bad, format="json")
    assert response.status_code == 400
    assert "dimensions-0-anchor_2" in response.json()
    assert api.post(BASE, {**body(), "dimensions": []}, format="json").status_code == 400


def test_updates_need_the_version_and_a_stale_one_is_409(api):
    created = api.post(BASE, body(), format="json").json()
    detail = f"{BASE}{created['id']}/"
    missing = api.patch(detail, {"name": "x"}, format="json")
    assert missing.status_code == 400 and "lock_version" in missing.json()
    api.patch(detail, {"lock_version": created["lock_version"], "name": "First"}, format="json")
    stale = api.put(detail, {**body("Second"), "lock_version": created["lock_version"]}, format="json")
    assert stale.status_code == 409
    assert api.get(detail).json()["name"] == "First"


def test_another_tenants_id_is_missing(api, theirs, tenant_b):
    detail = f"{BASE}{theirs.pk}/"
    assert api.get(detail).status_code == 404
    assert api.patch(detail, {"lock_version": 1, "name": "stolen"}, format="json").status_code == 404
    assert api.delete(f"{detail}?lock_version=1").status_code == 404
    with tenant_scope(tenant_b):
        assert ReviewTemplate.objects.get(pk=theirs.pk).name == "Bravo only"


@pytest.mark.parametrize(("role", "read", "write"), [("auditor", 200, 403), ("manager", 403, 403),
                                                     ("employee", 403, 403)])  # fmt: skip
def test_roles(api_client_for, tenant_a, role, read, write):
    client = api_client_for(make_member(tenant_a, role, username=f"api-{role}"))
    assert client.get(BASE).status_code == read
    assert client.post(BASE, body(), format="json").status_code == write


def test_list_queries_do_not_grow(api, tenant_a, django_assert_max_num_queries):
    with tenant_scope(tenant_a):
        ReviewDimensionFactory(template=ReviewTemplateFactory())
    api.get(BASE)
    with django_assert_max_num_queries(12) as counted:
        api.get(BASE)
    with tenant_scope(tenant_a):
        for _ in range(10):
            ReviewDimensionFactory(template=ReviewTemplateFactory())
    with django_assert_max_num_queries(len(counted.captured_queries)):
        assert len(api.get(BASE).json()["results"]) == 11


def test_a_dimension_text_of_another_json_type_is_refused(api):
    bad = body(dims=("Speed",))
    bad["dimensions"][0]["anchor_5"] = 0
    response = api.post(BASE, bad, format="json")
    assert response.status_code == 400
    assert "dimensions-0-anchor_5" in response.json()
