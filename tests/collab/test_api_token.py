"""POST /api/v1/auth/token/: tokens, JSON field errors, the shared lockout, inactive users, deactivation."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from collab.models import Membership
from collab.services.accounts.changing import member_deactivate, member_reactivate
from collab.tenancy import tenant_scope
from tests.factories import PASSWORD, make_member

pytestmark = pytest.mark.django_db
URL = "/api/v1/auth/token/"


@pytest.fixture
def api():
    return APIClient()


def test_token_for_good_credentials_is_stable(api, hr_a):
    first = api.post(URL, {"username": "hr_a", "password": PASSWORD}, format="json")
    assert first.status_code == 200
    token = first.json()["token"]
    assert len(token) == 40
    again = api.post(URL, {"username": "hr_a", "password": PASSWORD}, format="json")
    assert again.json() == {"token": token}
    members = APIClient(HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/t/alpha/members/")
    assert members.status_code == 200


def test_form_encoded_body_works_too(api, hr_a):
    assert api.post(URL, {"username": "hr_a", "password": PASSWORD}).status_code == 200


def test_missing_fields_are_field_errors(api, db):
    response = api.post(URL, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


@pytest.mark.parametrize(
    "body, field",
    [
        ({"username": ["hr_a"], "password": PASSWORD}, "username"),
        ({"username": "hr_a", "password": {"x": 1}}, "password"),
        ({"username": "hr\x00a", "password": PASSWORD}, "username"),
        ({"username": "a" * 151, "password": PASSWORD}, "username"),
        ({"username": "hr_a", "password": ""}, "password"),
        ({"username": None, "password": PASSWORD}, "username"),
    ],
)
def test_bad_input_names_the_field(api, hr_a, body, field):
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("raw", ["[1, 2]", '"text"', "{not json", "null", "12"])
def test_malformed_bodies_are_400_json(api, db, raw):
    response = api.post(URL, raw, content_type="application/json")
    assert response.status_code == 400
    assert isinstance(response.json(), dict)


def test_wrong_password_is_a_non_field_error(api, hr_a):
    response = api.post(URL, {"username": "hr_a", "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert "token" not in response.json()


def test_inactive_users_are_refused(api, hr_a):
    hr_a.is_active = False
    hr_a.save()
    response = api.post(URL, {"username": "hr_a", "password": PASSWORD}, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_five_failures_lock_the_token_endpoint(api, hr_a):
    for _attempt in range(4):
        assert api.post(URL, {"username": "hr_a", "password": "wrong"}, format="json").status_code == 400
    locked = api.post(URL, {"username": "hr_a", "password": "wrong"}, format="json")
    assert locked.status_code == 429
    assert locked["Content-Type"].startswith("application/json")
    assert locked.json()["code"] == "locked_out"
    right = api.post(URL, {"username": "hr_a", "password": PASSWORD}, format="json")
    assert right.status_code == 429 and "token" not in right.json()


def test_page_and_token_failures_add_up(client, api, hr_a):
    for _attempt in range(3):
        client.post(reverse("login"), {"username": "hr_a", "password": "wrong"})
    api.post(URL, {"username": "hr_a", "password": "wrong"}, format="json")
    assert api.post(URL, {"username": "hr_a", "password": "wrong"}, format="json").status_code == 429
    assert client.post(reverse("login"), {"username": "hr_a", "password": PASSWORD}).status_code == 429


def test_a_session_cookie_does_not_need_csrf_for_the_token(login, hr_a):
    client = login(hr_a)
    client.handler.enforce_csrf_checks = True
    response = client.post(
        URL, json.dumps({"username": "hr_a", "password": PASSWORD}), content_type="application/json"
    )
    assert response.status_code == 200


def test_deactivated_member_token_stops_at_once(api_client_for, tenant_a, tenant_b, hr_a):
    worker = make_member(tenant_a, "employee", username="worker")
    with tenant_scope(tenant_b):
        Membership.objects.create(user=worker, roles=["employee"])
    api = api_client_for(worker)
    assert api.get("/api/v1/t/alpha/directory/").status_code == 200
    with tenant_scope(tenant_a):
        member_deactivate(actor=hr_a, membership=Membership.objects.get(user=worker))
    assert api.get("/api/v1/t/alpha/directory/").status_code == 404
    assert api.get("/api/v1/t/bravo/directory/").status_code == 200
    with tenant_scope(tenant_a):
        member_reactivate(actor=hr_a, membership=Membership.objects.get(user=worker))
    assert api.get("/api/v1/t/alpha/directory/").status_code == 200
