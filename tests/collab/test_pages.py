"""`tenant_page` and `own_page`: a page answers only the methods it has a use for."""

from __future__ import annotations

import pytest
from django.urls import reverse

from collab.models import Position
from collab.tenancy import tenant_scope
from tests.factories import make_member
from tests.factories.org import OrgUnitFactory, PositionFactory

pytestmark = pytest.mark.django_db

WRITES = ["post", "put", "patch", "delete"]


def url(name, tenant="alpha", **kwargs):
    return reverse(name, kwargs={"tenant_slug": tenant, **kwargs})


@pytest.mark.parametrize("method", WRITES)
@pytest.mark.parametrize("name", ["position-list", "org-tree", "member-list", "audit-log", "tenant-home"])
def test_a_read_only_page_answers_405_with_an_allow_header(login, hr_a, method, name):
    response = getattr(login(hr_a), method)(url(name), {"q": "x"})
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_page_that_writes_takes_post_only(login, hr_a, tenant_a, method):
    with tenant_scope(tenant_a):
        position = PositionFactory(org_unit=OrgUnitFactory())
    response = getattr(login(hr_a), method)(url("position-delete", pk=position.pk))
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, POST"
    with tenant_scope(tenant_a):
        assert Position.objects.filter(pk=position.pk).exists()


def test_the_method_is_refused_before_the_role(login, tenant_a):
    """An auditor may read the list: a POST is a wrong method (405), not a missing right."""
    auditor = make_member(tenant_a, "auditor", username="auditor_a")
    assert login(auditor).post(url("position-list")).status_code == 405
    assert login(auditor).post(url("position-create")).status_code == 403


def test_a_stranger_gets_404_whatever_the_method(login, hr_b):
    client = login(hr_b)
    assert client.post(url("position-list")).status_code == 404
    assert client.delete(url("audit-log")).status_code == 404


def test_own_pages_follow_the_same_rule(login, hr_a):
    client = login(hr_a)
    inbox = client.post(url("notifications"))
    assert (inbox.status_code, inbox["Allow"]) == (405, "GET, HEAD")
    assert client.delete(url("notification-preferences"))["Allow"] == "GET, HEAD, POST"
    assert client.post(url("notification-preferences"), {}).status_code in (200, 302)
