"""Optimistic concurrency of responsibility matrices: a missing `lock_version` is refused (400 in the API, a
form error naming the last editor on the page), and a save that changes nothing keeps the version, writes
no audit row and queues no recompute. (Stale saves: test_api.py, test_pages.py, test_services.py.)"""

from __future__ import annotations

import pytest

from collab.models import AuditEvent
from collab.tenancy import tenant_scope
from responsibility.models import ResponsibilityMatrix
from responsibility.services.matrices import matrix_update
from tests.responsibility.test_api import seed_rows
from tests.responsibility.test_pages import World, create_matrix, rows_data, url

pytestmark = pytest.mark.django_db

BASE = "/api/v1/t/alpha/matrices/"


@pytest.fixture
def world(tenant_a, tenant_b):
    other = World(tenant_b)
    with tenant_scope(tenant_b):
        other.matrix = create_matrix(other, "retention")
    mine = World(tenant_a)
    with tenant_scope(tenant_a):
        mine.matrix = create_matrix(mine, "retention")
    yield mine
    with tenant_scope(tenant_b):  # the other tenant's matrix never moves
        assert ResponsibilityMatrix.objects.get(pk=other.matrix.pk).lock_version == 1


def _fresh(tenant, matrix):
    with tenant_scope(tenant):
        return ResponsibilityMatrix.objects.get(pk=matrix.pk)


def test_api_missing_lock_version_is_a_400(world, tenant_a, hr_a, api_client_for):
    response = api_client_for(hr_a).patch(f"{BASE}{world.matrix.pk}/", {"note": "mine"}, format="json")
    assert response.status_code == 400 and response.json() == {"lock_version": ["This field is required."]}
    assert _fresh(tenant_a, world.matrix).note == ""


def test_api_no_op_keeps_the_version(world, tenant_a, hr_a, api_client_for):
    api = api_client_for(hr_a)
    body = {"lock_version": 1, "rows": seed_rows(world, "retention"), "note": ""}
    with tenant_scope(tenant_a):
        events = AuditEvent.objects.count()
    same = api.put(f"{BASE}{world.matrix.pk}/", body, format="json")
    assert same.status_code == 200 and same.json()["lock_version"] == 1
    with tenant_scope(tenant_a):
        assert AuditEvent.objects.count() == events
    changed = api.patch(f"{BASE}{world.matrix.pk}/", {"lock_version": 1, "note": "clarified"}, format="json")
    assert changed.status_code == 200 and changed.json()["lock_version"] == 2
    assert changed.json()["updated_by"] == "hr_a"


def test_service_no_op_queues_no_recompute(world, tenant_a, hr_a, django_capture_on_commit_callbacks):
    with tenant_scope(tenant_a), django_capture_on_commit_callbacks(execute=False) as callbacks:
        same = matrix_update(actor=hr_a, matrix=world.matrix, lock_version=1, note="")
    assert same.lock_version == 1 and callbacks == []


def test_page_missing_lock_version_is_refused(world, tenant_a, hr_a, login):
    data = {"note": "mine", **rows_data(world, "retention")}
    response = login(hr_a).post(url("matrix-edit", pk=world.matrix.pk), data)
    assert response.status_code == 409 and "changed this responsibility matrix" in response.content.decode()
    assert _fresh(tenant_a, world.matrix).note == ""


def test_page_no_op_keeps_the_version(world, tenant_a, hr_a, login):
    data = {"lock_version": 1, "note": "", **rows_data(world, "retention")}
    response = login(hr_a).post(url("matrix-edit", pk=world.matrix.pk), data)
    assert response.status_code == 302
    assert _fresh(tenant_a, world.matrix).lock_version == 1
