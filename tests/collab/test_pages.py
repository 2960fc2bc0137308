"""`collab.pages`: `tenant_page` and `own_page` answer only the methods a page has a use for; `id_param` and
the one pager, `paginate`."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse

from collab.models import Position
from collab.pages import id_param, paginate
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



@pytest.mark.parametrize("raw", ["", "  ", None])
def test_id_param_absent_or_blank_is_none(raw):
    assert id_param({} if raw is None else {"unit": raw}, "unit") is None


@pytest.mark.parametrize("raw", ["abc", "-1", "²", "9" * 19, "1.5"])
def test_id_param_malformed_is_404_like_a_missing_id(raw):
    with pytest.raises(Http404):
        id_param({"unit": raw}, "unit")


def test_id_param_reads_an_id():
    assert id_param({"unit": " 42 "}, "unit") == 42


def test_paginate_links_keep_other_parameters_and_replace_their_own():
    request = RequestFactory().get("/x/", {"q": "销售", "page": "2", "upage": "3"})
    page = paginate(request, list(range(60)))
    assert page.number == 2 and list(page.object_list) == list(range(25, 50))
    assert page.links["previous"] == "?q=%E9%94%80%E5%94%AE&page=1&upage=3"
    assert page.links["next"].endswith("page=3&upage=3") and page.links["last"] == page.links["next"]
    assert page.links["first"] == page.links["previous"]

    second = paginate(request, list(range(60)), param="upage")
    assert second.number == 3 and second.links["next"] == ""
    assert "upage=2" in second.links["previous"] and "page=2" in second.links["previous"]


def test_paginate_out_of_range_or_malformed_gives_the_nearest_page_and_no_dead_links():
    assert paginate(RequestFactory().get("/x/", {"page": "99"}), list(range(30))).number == 2
    first = paginate(RequestFactory().get("/x/", {"page": "x"}), list(range(30)))
    assert first.number == 1 and first.links["first"] == "" and first.links["previous"] == ""
