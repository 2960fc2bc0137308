"""Login, lockout, logout, password change, tenant picker, invitation acceptance, deactivation at once."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from collab.models import AuditEvent, Membership
from collab.services.accounts.adding import member_invite
from collab.services.accounts.changing import member_deactivate
from collab.tenancy import tenant_scope
from tests.factories import PASSWORD, make_member
from tests.factories.accounts import membership_of

pytestmark = pytest.mark.django_db
STRONG = "Tall-Granite-Orchard-42"


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_page_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content and b"csrfmiddlewaretoken" in response.content


def test_login_lands_on_the_only_tenant_home(client, tenant_a, hr_a):
    response = _login(client, "hr_a", PASSWORD)
    assert response.status_code == 302 and response.url == reverse("post-login")
    response = client.get(response.url)
    assert response.status_code == 302 and response.url == reverse("tenant-home", args=["alpha"])
    assert b'data-home="hr_admin"' in client.get(response.url).content


def test_wrong_password_shows_an_error_on_the_page(client, hr_a):
    response = _login(client, "hr_a", "wrong")
    assert response.status_code == 200
    assert b'id="login-error"' in response.content
    assert "_auth_user_id" not in client.session


def test_five_failures_lock_the_user_out_with_a_clear_page(client, tenant_a, hr_a):
    for _attempt in range(4):
        assert _login(client, "hr_a", "wrong").status_code == 200
    response = _login(client, "hr_a", "wrong")
    assert response.status_code == 429
    assert b'id="locked-out"' in response.content
    assert "Too many failed log-in attempts" in response.content.decode()
    # Locked: even the right password is refused now.
    response = _login(client, "hr_a", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_user_name(client, tenant_a, hr_a):
    make_member(tenant_a, "employee", username="someone")
    for _attempt in range(5):
        _login(client, "someone", "wrong")
    assert _login(client, "hr_a", PASSWORD).status_code == 302


def test_success_resets_the_failure_count(client, tenant_a, hr_a):
    for _attempt in range(4):
        _login(client, "hr_a", "wrong")
    assert _login(client, "hr_a", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _attempt in range(4):
        assert _login(client, "hr_a", "wrong").status_code == 200


def test_logout_ends_the_session(login, hr_a):
    client = login(hr_a)
    assert client.get(reverse("tenant-home", args=["alpha"])).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response.url == reverse("login")
    response = client.get(reverse("tenant-home", args=["alpha"]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_password_change(client, tenant_a, hr_a):
    assert client.get(reverse("password_change")).status_code == 302  # login required
    _login(client, "hr_a", PASSWORD)
    page = client.get(reverse("password_change"))
    assert page.status_code == 200 and b'name="old_password"' in page.content
    wrong = client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": STRONG, "new_password2": STRONG},
    )
    assert wrong.status_code == 200 and b"is-invalid" in wrong.content
    weak = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"},
    )
    assert weak.status_code == 200 and b"is-invalid" in weak.content
    done = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": STRONG, "new_password2": STRONG},
        follow=True,
    )
    assert b'id="password-changed"' in done.content
    client.post(reverse("logout"))
    assert _login(client, "hr_a", STRONG).status_code == 302


def test_tenant_picker_lists_every_active_membership_with_roles(login, tenant_a, tenant_b):
    person = make_member(tenant_a, "manager", username="consultant")
    with tenant_scope(tenant_b):
        Membership.objects.create(user=person, roles=["committee", "auditor"])
    client = login(person)
    page = client.get(reverse("post-login"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-tenant="alpha"' in html and 'data-tenant="bravo"' in html
    assert "Committee member" in html and "Manager" in html
    # Deactivated in bravo: only alpha is left, so no picker.
    membership = membership_of(tenant_b, person)
    membership.is_active = False
    with tenant_scope(tenant_b):
        membership.save()
    response = client.get(reverse("post-login"))
    assert response.status_code == 302 and response.url == reverse("tenant-home", args=["alpha"])


def test_tenant_picker_empty_state(login, db):
    from tests.factories import UserFactory

    client = login(UserFactory(username="loner"))
    page = client.get(reverse("post-login"))
    assert page.status_code == 200 and b'id="no-tenants"' in page.content


def test_deactivated_member_session_stops_at_once(login, client, tenant_a, tenant_b, hr_a):
    worker = make_member(tenant_a, "employee", username="worker")
    with tenant_scope(tenant_b):
        Membership.objects.create(user=worker, roles=["employee"])
    session = login(worker)
    assert session.get(reverse("tenant-home", args=["alpha"])).status_code == 200
    with tenant_scope(tenant_a):
        member_deactivate(actor=hr_a, membership=Membership.objects.get(user=worker))
    # The very next request of the same session is refused in alpha, and still works in bravo.
    assert session.get(reverse("tenant-home", args=["alpha"])).status_code == 404
    assert session.get(reverse("notifications-badge", args=["alpha"])).status_code == 404
    assert session.get(reverse("tenant-home", args=["bravo"])).status_code == 200


def _invite(tenant, hr, email, django_capture_on_commit_callbacks):
    with tenant_scope(tenant), django_capture_on_commit_callbacks(execute=True):
        membership = member_invite(actor=hr, email=email, roles=["employee"])
    link = re.search(r"http://127\.0\.0\.1:8000(/accounts/invite/\S+/)", mail.outbox[-1].body).group(1)
    return membership, link


def test_invite_accept_flow(client, tenant_a, hr_a, django_capture_on_commit_callbacks):
    membership, link = _invite(tenant_a, hr_a, "newbie@example.com", django_capture_on_commit_callbacks)
    first = client.get(link)
    assert first.status_code == 302 and first.url.endswith("/set-password/"), (
        "the token leaves the address bar"
    )
    form = client.get(first.url)
    assert form.status_code == 200 and b'name="new_password1"' in form.content
    mismatch = client.post(first.url, {"new_password1": STRONG, "new_password2": STRONG + "x"})
    assert mismatch.status_code == 200 and b"is-invalid" in mismatch.content
    weak = client.post(first.url, {"new_password1": "abc", "new_password2": "abc"})
    assert weak.status_code == 200 and b"is-invalid" in weak.content
    done = client.post(first.url, {"new_password1": STRONG, "new_password2": STRONG})
    assert done.status_code == 302 and done.url == reverse("post-login")
    assert client.get(reverse("tenant-home", args=["alpha"])).status_code == 200, "logged in"
    membership.user.refresh_from_db()
    assert membership.user.check_password(STRONG)
    with tenant_scope(tenant_a):
        assert AuditEvent.objects.filter(action="member.invite_accept").count() == 1
    # The link works once.
    client.post(reverse("logout"))
    again = client.get(client.get(link).url)
    assert again.status_code == 200 and b'id="invite-invalid"' in again.content
    assert _login(client, membership.user.username, STRONG).status_code == 302


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/invite/xx/yy/",
        "/accounts/invite/MQ/set-password/",
        "/accounts/invite/%00/abc/",
        "/accounts/invite/OTk5OTk5OTk5OTk5OTk5OTk5OTk5/a-b/",
    ],
)
def test_broken_invitation_links_say_so(client, db, path):
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert b'id="invite-invalid"' in response.content


def test_invited_user_cannot_log_in_before_accepting(
    client, tenant_a, hr_a, django_capture_on_commit_callbacks
):
    membership, _link = _invite(tenant_a, hr_a, "wait@example.com", django_capture_on_commit_callbacks)
    assert _login(client, membership.user.username, "").status_code == 200
    assert _login(client, membership.user.username, "!").status_code == 200
    assert "_auth_user_id" not in client.session
