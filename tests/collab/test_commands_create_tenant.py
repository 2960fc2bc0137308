"""manage.py create_tenant: a tenant and its first HR admin, all or nothing, with clear errors."""

from __future__ import annotations

from io import StringIO
from unittest import mock

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError
from django.test import RequestFactory

from collab.models import AuditEvent, Membership, Tenant
from collab.tenancy import tenant_scope

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Kp7#minesafe-2025"


def run(*args: str, **options) -> str:
    out = StringIO()
    call_command("create_tenant", *args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def args(slug="delta", username="delta-hr", password=GOOD_PASSWORD, *extra: str) -> list[str]:
    return [slug, "--name", "Delta 矿业", "--admin-username", username, "--admin-password", password, *extra]


def nothing_created(slug: str = "delta", username: str = "delta-hr") -> bool:
    return (
        not Tenant.objects.filter(slug=slug).exists()
        and not get_user_model().objects.filter(username=username).exists()
    )


def test_creates_the_tenant_and_its_first_hr_admin():
    output = run(*args(), "--admin-email", "hr@delta.example.com", "--locale", "en")
    tenant = Tenant.objects.get(slug="delta")
    assert tenant.name == "Delta 矿业" and tenant.locale == "en"
    assert "Created tenant 'delta'" in output and "delta-hr" in output
    request = RequestFactory().post("/accounts/login/")
    user = authenticate(request, username="delta-hr", password=GOOD_PASSWORD)
    assert user is not None and user.email == "hr@delta.example.com"
    assert not user.is_staff and not user.is_superuser
    with tenant_scope(tenant):
        membership = Membership.objects.get()
        assert membership.user == user and membership.roles == ["hr_admin"] and membership.is_active
        actions = list(AuditEvent.objects.order_by("pk").values_list("action", "actor_name", "object_id"))
    assert actions == [
        ("tenant.create", "system", str(tenant.pk)),
        ("membership.create", "system", str(membership.pk)),
    ]


def test_the_default_locale_is_simplified_chinese():
    run(*args())
    assert Tenant.objects.get(slug="delta").locale == "zh-hans"


def test_the_new_admin_can_sign_in_and_reach_the_tenant(client):
    run(*args())
    response = client.post(
        "/accounts/login/", {"username": "delta-hr", "password": GOOD_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/t/delta/"
    assert 'data-home="hr_admin"' in response.content.decode()


def test_an_existing_slug_is_refused_and_nothing_is_created(tenant_a):
    with pytest.raises(CommandError, match="A tenant with the slug 'alpha' already exists"):
        run(*args(slug=tenant_a.slug))
    assert not get_user_model().objects.filter(username="delta-hr").exists()
    with tenant_scope(tenant_a):
        assert not Membership.objects.exists() and not AuditEvent.objects.exists()


def test_an_existing_username_is_refused_and_nothing_is_created(hr_a):
    with pytest.raises(CommandError, match="A user named 'hr_a' already exists"):
        run(*args(username=hr_a.username))
    assert not Tenant.objects.filter(slug="delta").exists()


@pytest.mark.parametrize("slug", ["Delta", "delta_co", "-delta", "del ta", "d" * 51, "delta/x", "德尔塔"])
def test_an_invalid_slug_is_refused(slug):
    with pytest.raises(CommandError, match="slug"):
        run(*args(slug=slug))
    assert nothing_created(slug=slug)


@pytest.mark.parametrize(
    "password, reason",
    [
        ("short1", "too short"),
        ("password123", "too common"),
        ("8675309123", "entirely numeric"),
        ("delta-hr-1", "too similar"),
    ],
)
def test_a_weak_password_is_refused(password, reason):
    with pytest.raises(CommandError, match=reason):
        run(*args(password=password))
    assert nothing_created()


def test_a_bad_username_or_email_is_refused():
    with pytest.raises(CommandError, match="admin username"):
        run(*args(username="bad name!"))
    with pytest.raises(CommandError, match="admin email"):
        run(*args(), "--admin-email", "not-an-email")
    assert nothing_created() and nothing_created(username="bad name!")


def test_every_problem_is_reported_at_once(tenant_a, hr_a):
    with pytest.raises(CommandError) as error:
        run(*args(slug=tenant_a.slug, username=hr_a.username, password="123"))
    message = str(error.value)
    assert "Nothing was created" in message
    assert "slug:" in message and "admin username:" in message and "admin password:" in message


def test_missing_arguments_and_unknown_locales_are_refused():
    with pytest.raises(CommandError, match="required"):
        call_command("create_tenant", "delta", "--name", "Delta")
    with pytest.raises(CommandError, match="invalid choice"):
        run(*args(), "--locale", "fr")
    assert nothing_created()


def test_a_failure_midway_leaves_nothing_behind():
    with mock.patch("collab.services.tenants.audit_record", side_effect=RuntimeError("disk full")):
        with pytest.raises(RuntimeError):
            run(*args())
    assert nothing_created()


def test_errors_exit_non_zero_from_the_command_line(tenant_a, capsys):
    command = load_command_class("collab", "create_tenant")
    # run_from_argv closes every connection when it ends; keep the test database's open.
    keep_open = mock.patch("django.core.management.base.connections.close_all")
    with keep_open, pytest.raises(SystemExit) as exit_info:
        command.run_from_argv(["manage.py", "create_tenant", "--skip-checks", *args(slug=tenant_a.slug)])
    assert exit_info.value.code != 0
    assert f"A tenant with the slug {tenant_a.slug!r} already exists" in capsys.readouterr().err
    assert nothing_created(slug="unused")
