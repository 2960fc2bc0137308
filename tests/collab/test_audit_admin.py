"""Django admin for platform staff: tenants managed, the audit log read-only."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from collab.models import AuditEvent, Tenant
from collab.tenancy import all_tenants, tenant_scope
from tests.factories import PASSWORD
from tests.factories.audit import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_superuser("platform", "platform@example.com", PASSWORD)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def events(tenant_a, tenant_b, hr_a, hr_b):
    with tenant_scope(tenant_a):
        a = make_event(actor=hr_a, object_repr="Alpha unit", before={"name": "x"}, after={"name": "y"})
    with tenant_scope(tenant_b):
        b = make_event(actor=hr_b, object_repr="Bravo unit")
    return a, b


def test_staff_see_every_tenants_events(staff, events):
    response = staff.get(reverse("admin:collab_auditevent_changelist"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Alpha unit" in content and "Bravo unit" in content


def test_staff_filter_the_admin_log(staff, events, tenant_b):
    response = staff.get(reverse("admin:collab_auditevent_changelist"), {"tenant__id__exact": tenant_b.pk})
    content = response.content.decode()
    assert "Bravo unit" in content and "Alpha unit" not in content
    searched = staff.get(reverse("admin:collab_auditevent_changelist"), {"q": "Alpha"}).content.decode()
    assert "Alpha unit" in searched and "Bravo unit" not in searched


def test_an_event_opens_read_only(staff, events):
    event, _other = events
    response = staff.get(reverse("admin:collab_auditevent_change", args=[event.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert 'name="_save"' not in content and "Alpha unit" in content


def test_nobody_adds_changes_or_deletes_events_in_admin(staff, events):
    event, _other = events
    assert staff.get(reverse("admin:collab_auditevent_add")).status_code == 403
    assert staff.post(reverse("admin:collab_auditevent_add"), {"action": "forged"}).status_code == 403
    assert (
        staff.post(
            reverse("admin:collab_auditevent_change", args=[event.pk]), {"action": "forged"}
        ).status_code
        == 403
    )
    assert staff.get(reverse("admin:collab_auditevent_delete", args=[event.pk])).status_code == 403
    assert (
        staff.post(reverse("admin:collab_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    # No bulk action (e.g. "delete selected") is offered either.
    listing = staff.post(
        reverse("admin:collab_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert listing.status_code in (200, 302, 403)
    with all_tenants("test: count every tenant's events"):
        assert AuditEvent.objects.count() == 2
        assert AuditEvent.objects.get(pk=event.pk).action == event.action


def test_admin_permissions_are_refused_for_the_audit_log():
    from django.contrib import admin
    from django.test import RequestFactory

    model_admin = admin.site._registry[AuditEvent]
    request = RequestFactory().get("/")
    request.user = get_user_model()(is_superuser=True, is_staff=True, is_active=True)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)


def test_staff_create_and_edit_a_tenant_in_admin_and_it_is_audited(staff):
    response = staff.post(
        reverse("admin:collab_tenant_add"),
        {
            "slug": "gamma",
            "name": "Gamma Energy",
            "locale": "zh-hans",
            "timezone": "Asia/Shanghai",
            "anonymity_threshold": 5,
            "point_cap": "10",
            "min_collaborative_weight": "20",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    tenant = Tenant.objects.get(slug="gamma")
    response = staff.post(
        reverse("admin:collab_tenant_change", args=[tenant.pk]),
        {
            "name": "Gamma Energy Group",
            "locale": "zh-hans",
            "timezone": "Asia/Shanghai",
            "anonymity_threshold": 5,
            "point_cap": "10",
            "min_collaborative_weight": "20",
        },
    )
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert tenant.name == "Gamma Energy Group" and not tenant.is_active and tenant.slug == "gamma"
    with tenant_scope(tenant):
        created, updated = AuditEvent.objects.order_by("pk")
    assert created.action == "tenant.create" and created.actor_name == "platform"
    assert updated.action == "tenant.update"
    assert updated.before["name"] == "Gamma Energy" and updated.after["name"] == "Gamma Energy Group"


def test_a_tenant_cannot_be_deleted_in_admin(staff, tenant_a):
    assert (
        staff.post(reverse("admin:collab_tenant_delete", args=[tenant_a.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert Tenant.objects.filter(pk=tenant_a.pk).exists()


def test_bad_tenant_input_in_admin_is_a_form_error(staff, tenant_a):
    response = staff.post(
        reverse("admin:collab_tenant_add"),
        {
            "slug": "Bad Slug!",
            "name": "",
            "locale": "xx",
            "timezone": "Asia/Shanghai",
            "anonymity_threshold": 1,
            "point_cap": "10",
            "min_collaborative_weight": "20",
        },
    )
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert not Tenant.objects.exclude(pk=tenant_a.pk).exists()


def test_no_other_tenant_model_is_browsable_in_admin():
    from django.contrib import admin

    from collab.tenancy import TenantOwned

    registered = [model for model in admin.site._registry if issubclass(model, TenantOwned)]
    for model in registered:
        source = type(admin.site._registry[model]).get_queryset
        assert source is not admin.ModelAdmin.get_queryset, (
            f"{model.__name__} admin must read via all_tenants"
        )
