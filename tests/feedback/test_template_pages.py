"""Review template pages: HR admins configure, auditors read, nobody else; the editor's errors stay on their
inputs with the input kept; a stale save or delete answers 409; other tenants' ids are a 404; the list
keeps a constant number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from collab.tenancy import tenant_scope
from feedback.models import ReviewTemplate
from tests.factories import make_member
from tests.factories.feedback import ReviewDimensionFactory, ReviewTemplateFactory

pytestmark = pytest.mark.django_db


def url(name, tenant_slug="alpha", **kwargs):
    return reverse(name, kwargs={"tenant_slug": tenant_slug, **kwargs})


def editor_post(name="HR rated by business units", *, lock_version=None, **dimension):
    data = {"name": name, "kind": "internal_customer", "description": "", "is_active": "on"}
    row = {"name": "Recruiting timeliness", "description": "",
           **{f"anchor_{p}": f"point {p}" for p in range(1, 6)}, **dimension}  # fmt: skip
    data.update({f"dimensions-0-{field}": value for field, value in row.items()})
    if lock_version is not None:
        data["lock_version"] = str(lock_version)
    return data


@pytest.fixture
def templates(tenant_a, tenant_b):
    with tenant_scope(tenant_a):
        mine = ReviewTemplateFactory(name="R&D rated by sales")
        ReviewDimensionFactory(template=mine, name="Response speed")
    with tenant_scope(tenant_b):
        theirs = ReviewTemplateFactory(name="Bravo secret template")
        ReviewDimensionFactory(template=theirs)
    return {"mine": mine, "theirs": theirs}


@pytest.mark.parametrize(("role", "status"), [("hr_admin", 200), ("auditor", 200), ("manager", 403),
                                              ("employee", 403), ("committee", 403)])  # fmt: skip
def test_who_reads_the_list(login, tenant_a, templates, role, status):
    response = login(make_member(tenant_a, role, username=f"u-{role}")).get(url("review-template-list"))
    assert response.status_code == status
    if status == 200:
        content = response.content.decode()
        assert "R&amp;D rated by sales" in content and "Response speed" in content
        assert "Bravo secret" not in content
        assert ('id="review-template-new"' in content) == (role == "hr_admin")


def test_the_empty_list_says_what_to_do(login, hr_a):
    content = login(hr_a).get(url("review-template-list")).content.decode()
    assert 'id="review-template-empty"' in content


def test_search_and_bad_filters(login, hr_a, templates):
    client = login(hr_a)
    assert "R&amp;D" not in client.get(url("review-template-list"), {"q": "nothing"}).content.decode()
    refused = client.get(url("review-template-list"), {"kind": "bogus"}).content.decode()
    assert "Some filters are not valid" in refused


def test_the_list_keeps_its_queries(login, hr_a, tenant_a, templates, django_assert_max_num_queries):
    client = login(hr_a)
    client.get(url("review-template-list"))
    with django_assert_max_num_queries(20) as counted:
        client.get(url("review-template-list"))
    with tenant_scope(tenant_a):
        for _ in range(8):
            ReviewDimensionFactory(template=ReviewTemplateFactory())
    with django_assert_max_num_queries(len(counted.captured_queries)):
        assert client.get(url("review-template-list")).status_code == 200


def test_create_through_the_editor(login, hr_a, tenant_a):
    response = login(hr_a).post(url("review-template-create"), editor_post())
    assert response.status_code == 302
    with tenant_scope(tenant_a):
        template = ReviewTemplate.objects.get()
        assert [d.name for d in template.dimensions.all()] == ["Recruiting timeliness"]


def test_a_dimension_error_stays_on_its_input_with_the_input_kept(login, hr_a, tenant_a):
    response = login(hr_a).post(
        url("review-template-create"), editor_post(anchor_4="", description="kept text")
    )
    assert response.status_code == 400
    content = response.content.decode()
    anchor = content.split('id="dimensions-0-anchor_4"')[0].rsplit("<textarea", 1)[1]
    assert "is-invalid" in anchor
    assert "kept text" in content
    with tenant_scope(tenant_a):
        assert not ReviewTemplate.objects.exists()


def test_edit_and_a_stale_save_answers_409(login, hr_a, tenant_a, templates):
    mine = templates["mine"]
    client = login(hr_a)
    page = client.get(url("review-template-edit", pk=mine.pk))
    assert page.status_code == 200 and "Response speed" in page.content.decode()
    saved = client.post(
        url("review-template-edit", pk=mine.pk), editor_post("New name", lock_version=mine.lock_version)
    )
    assert saved.status_code == 302
    stale = client.post(
        url("review-template-edit", pk=mine.pk), editor_post("Late", lock_version=mine.lock_version)
    )
    assert stale.status_code == 409
    assert "Late" in stale.content.decode()  # the input is kept
    with tenant_scope(tenant_a):
        assert ReviewTemplate.objects.get(pk=mine.pk).name == "New name"


def test_delete_with_its_version(login, hr_a, tenant_a, templates):
    mine = templates["mine"]
    client = login(hr_a)
    assert client.get(url("review-template-delete", pk=mine.pk)).status_code == 200
    stale = client.post(url("review-template-delete", pk=mine.pk), {"lock_version": mine.lock_version + 3})
    assert stale.status_code == 409
    done = client.post(url("review-template-delete", pk=mine.pk), {"lock_version": mine.lock_version})
    assert done.status_code == 302
    with tenant_scope(tenant_a):
        assert not ReviewTemplate.objects.filter(pk=mine.pk).exists()


@pytest.mark.parametrize("name", ["review-template-edit", "review-template-delete"])
def test_another_tenants_template_is_missing(login, hr_a, tenant_b, templates, name):
    client = login(hr_a)
    theirs = templates["theirs"]
    assert client.get(url(name, pk=theirs.pk)).status_code == 404
    assert client.post(url(name, pk=theirs.pk), editor_post(lock_version=1)).status_code == 404
    with tenant_scope(tenant_b):
        assert ReviewTemplate.objects.filter(pk=theirs.pk, name="Bravo secret template").exists()


def test_auditors_cannot_write(login, tenant_a, templates):
    client = login(make_member(tenant_a, "auditor", username="aud"))
    assert client.get(url("review-template-create")).status_code == 403
    assert client.post(url("review-template-create"), editor_post()).status_code == 403
