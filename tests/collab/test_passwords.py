"""Passwords (issue 8 item 14): the self-service reset by e-mail (Django's views, rate limited, no account
enumeration, the link on SITE_URL) and the forced change after an HR admin's temporary password."""

from __future__ import annotations

import re
from itertools import count

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from collab.models import AuditEvent, Membership, UserProfile
from collab.services.accounts.adding import member_create
from collab.tenancy import tenant_scope
from tests.factories import PASSWORD, TenantFactory, make_member

pytestmark = pytest.mark.django_db
User = get_user_model()
SITE = "https://collab.example.com"
STRONG = "Tall-Granite-Orchard-42"
NEWER = "Quiet-Harbour-Lantern-77"
_addresses = count(1)


def _fresh_ip() -> str:
    number = next(_addresses)
    return f"10.8.{number // 250 % 250}.{number % 250 + 1}"


@pytest.fixture
def ip():
    """A client address of its own for each test: the rate-limit counters live in the cache."""
    return _fresh_ip()


def _ask(client, email: str, ip: str):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


def _log_in(client, username: str, password: str):
    """Through the login page (django-axes needs the request), as a person would."""
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, response.content[:500]
    return response


def _link(message) -> str:
    return re.search(r"https?://\S+/accounts/password/reset/\S+/", message.body)[0]


# ----- the reset ------------------------------------------------------------------------------------------
def test_the_login_page_links_to_the_reset(client):
    page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in page and "Forgot your password?" in page


@override_settings(SITE_URL=SITE + "/")
def test_reset_end_to_end_by_e_mail(client, tenant_a, tenant_b, ip):
    person = make_member(tenant_a, "employee", username="ada", email="ada@alpha.example")
    make_member(tenant_b, "employee", username="bob", email="bob@bravo.example")
    form = client.get(reverse("password_reset"))
    assert form.status_code == 200 and b'name="email"' in form.content
    asked = _ask(client, "ADA@alpha.example", ip)
    assert asked.status_code == 302 and asked["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ada@alpha.example"]
    assert mail.outbox[0].subject == "Your Collab password"
    link = _link(mail.outbox[0])
    assert link.startswith(SITE + "/accounts/password/reset/")  # SITE_URL, not the request's Host
    assert "ada" in mail.outbox[0].body
    opened = client.get(link.removeprefix(SITE))
    assert opened.status_code == 302  # Django moves the token into the session
    page = client.get(opened["Location"])
    assert page.status_code == 200 and b"Choose a new password" in page.content
    weak = client.post(opened["Location"], {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200 and b"is-invalid" in weak.content
    done = client.post(opened["Location"], {"new_password1": NEWER, "new_password2": NEWER})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    person.refresh_from_db()
    assert person.check_password(NEWER) and not person.check_password(PASSWORD)
    # The link worked once.
    again = client.get(link.removeprefix(SITE))
    assert again.status_code == 200 and b"This link no longer works" in again.content
    assert User.objects.get(username="bob").check_password(PASSWORD)


def test_the_answer_is_the_same_whether_the_address_has_an_account_or_not(client, tenant_a, tenant_b, ip):
    make_member(tenant_a, "employee", username="ada", email="ada@alpha.example")
    known = _ask(client, "ada@alpha.example", ip)
    unknown = _ask(client, "nobody@alpha.example", ip)
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 1
    page = client.get(known["Location"]).content.decode()
    assert "If an account has this address" in page


def test_an_invited_account_without_a_password_gets_no_mail_and_the_same_answer(client, tenant_a, ip):
    user = make_member(tenant_a, "employee", username="ivy", email="ivy@alpha.example")
    user.set_unusable_password()
    user.save()
    asked = _ask(client, "ivy@alpha.example", ip)
    assert asked.status_code == 302 and mail.outbox == []


@override_settings(PASSWORD_RESET_LIMIT_PER_ADDRESS=2, PASSWORD_RESET_LIMIT_PER_IP=100)
def test_requests_per_address_are_limited_known_or_not(client, tenant_a, ip):
    make_member(tenant_a, "employee", username="ada", email="ada-limit@alpha.example")
    for address in ("ada-limit@alpha.example", "nobody-limit@alpha.example"):
        answers = [_ask(client, address, _fresh_ip()).status_code for _n in range(3)]
        assert answers == [302, 302, 429], address  # from different client addresses: the address counts
    assert len(mail.outbox) == 2
    refused = _ask(client, "ada-limit@alpha.example", ip)
    assert refused.status_code == 429 and "Too many password reset requests" in refused.content.decode()


@override_settings(PASSWORD_RESET_LIMIT_PER_IP=3, PASSWORD_RESET_LIMIT_PER_ADDRESS=100)
def test_requests_per_client_address_are_limited(client, tenant_a, ip):
    make_member(tenant_a, "employee", username="ada", email="ada-ip@alpha.example")
    answers = [_ask(client, f"someone{n}-ip@alpha.example", ip).status_code for n in range(3)]
    assert answers == [302, 302, 302]
    assert _ask(client, "ada-ip@alpha.example", ip).status_code == 429
    assert mail.outbox == []
    # Another client address is not held back.
    assert _ask(client, "ada-ip@alpha.example", _fresh_ip()).status_code == 302
    assert len(mail.outbox) == 1


def test_the_mail_speaks_the_recipients_language(client, tenant_a, ip):
    user = make_member(tenant_a, "employee", username="li", email="li@alpha.example")
    UserProfile.objects.create(user=user, language="zh-hans")
    _ask(client, "li@alpha.example", ip)
    assert mail.outbox[0].subject == "您的 Collab 密码"
    assert "有人为账号li申请了设置新 Collab 密码的链接" in mail.outbox[0].body


def test_the_reset_pages_speak_chinese(client):
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("password_reset"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "忘记密码" in page


# ----- the forced change after a temporary password -------------------------------------------------------
@pytest.fixture
def temporary(tenant_a, tenant_b, hr_a):
    """An account an HR admin of tenant A created with a temporary password."""
    make_member(tenant_b, "employee", username="bob_b")
    with tenant_scope(tenant_a):
        membership = member_create(
            actor=hr_a, username="newbie", email="newbie@alpha.example", password=STRONG, roles=["employee"]
        )
    return membership.user


def test_member_create_marks_the_temporary_password(temporary, hr_a):
    assert UserProfile.objects.get(user=temporary).must_change_password
    assert not UserProfile.objects.filter(user=hr_a, must_change_password=True).exists()


def test_a_temporary_password_leads_only_to_the_change_page(client, temporary):
    _log_in(client, "newbie", STRONG)
    change = reverse("password_change")
    for path in (reverse("post-login"), "/t/alpha/", reverse("login") + "?next=/t/alpha/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == change, path
    htmx = client.get("/t/alpha/", HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"] == change
    api = client.get("/api/v1/t/alpha/members/")
    assert api.status_code == 403 and api.json()["code"] == "password_change_required"
    page = client.get(change)
    assert page.status_code == 200 and b"temporary password" in page.content
    # Logging out still works.
    assert client.post(reverse("logout")).status_code == 302


def test_the_api_answers_403_until_the_password_is_changed(client, temporary):
    api = APIClient()
    refused = api.post(reverse("api-token"), {"username": "newbie", "password": STRONG}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "password_change_required"
    assert not Token.objects.filter(user=temporary).exists()
    token = Token.objects.create(user=temporary)  # e.g. made by an admin before the change
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    held = api.get("/api/v1/t/alpha/directory/")
    assert held.status_code == 403
    assert held.json()["code"] == "password_change_required" and "temporary password" in held.json()["detail"]
    _log_in(client, "newbie", STRONG)
    changed = client.post(
        reverse("password_change"),
        {"old_password": STRONG, "new_password1": NEWER, "new_password2": NEWER},
    )
    assert changed.status_code == 302
    assert api.get("/api/v1/t/alpha/directory/").status_code == 200
    fresh = APIClient().post(reverse("api-token"), {"username": "newbie", "password": NEWER}, format="json")
    assert fresh.status_code == 200


def test_changing_the_password_clears_the_flag_and_opens_the_pages(client, temporary):
    _log_in(client, "newbie", STRONG)
    wrong = client.post(
        reverse("password_change"), {"old_password": "nope", "new_password1": NEWER, "new_password2": NEWER}
    )
    assert wrong.status_code == 200 and UserProfile.objects.get(user=temporary).must_change_password
    changed = client.post(
        reverse("password_change"), {"old_password": STRONG, "new_password1": NEWER, "new_password2": NEWER}
    )
    assert changed.status_code == 302 and changed["Location"] == reverse("post-login")
    assert not UserProfile.objects.get(user=temporary).must_change_password
    assert client.get("/t/alpha/").status_code == 200  # still signed in, and let through
    assert client.get("/t/bravo/").status_code == 404  # the other tenant stays closed


def test_a_reset_by_e_mail_also_clears_the_flag(client, temporary, ip):
    _ask(client, "newbie@alpha.example", ip)
    opened = client.get("/" + _link(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1])
    client.post(opened["Location"], {"new_password1": NEWER, "new_password2": NEWER})
    assert not UserProfile.objects.get(user=temporary).must_change_password


def test_ordinary_accounts_are_not_held(client, tenant_a, tenant_b):
    make_member(tenant_a, "employee", username="plain")
    _log_in(client, "plain", PASSWORD)
    assert client.get("/t/alpha/").status_code == 200
    assert not UserProfile.objects.filter(must_change_password=True).exists()


# ----- audit ----------------------------------------------------------------------------------------------
def _audited(tenant, action: str) -> list[tuple[str, int, int]]:
    with tenant_scope(tenant):
        return [
            (event.object_type, int(event.object_id), event.actor_id)
            for event in AuditEvent.objects.filter(action=action)
        ]


def test_a_password_change_is_audited_in_each_of_the_users_tenants(client, tenant_a, tenant_b):
    third = TenantFactory(slug="charlie", name="Charlie")
    person = make_member(tenant_a, "employee", username="twofold")
    with tenant_scope(tenant_b):
        Membership.objects.create(tenant=tenant_b, user=person, roles=["manager"])
    make_member(third, "employee", username="bystander")
    _log_in(client, "twofold", PASSWORD)
    changed = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": NEWER, "new_password2": NEWER}
    )
    assert changed.status_code == 302
    for tenant in (tenant_a, tenant_b):
        with tenant_scope(tenant):
            own = Membership.objects.get(user=person).pk
        assert _audited(tenant, "member.password_change") == [("collab.membership", own, person.pk)]
    assert _audited(third, "member.password_change") == []
    with tenant_scope(tenant_a):
        event = AuditEvent.objects.get(action="member.password_change")
        assert NEWER not in str(event.before) + str(event.after)


def test_a_reset_by_e_mail_is_audited_in_the_users_tenant_only(client, tenant_a, tenant_b, ip):
    person = make_member(tenant_a, "employee", username="ada", email="ada@alpha.example")
    make_member(tenant_b, "employee", username="bob", email="bob@bravo.example")
    _ask(client, "ada@alpha.example", ip)
    opened = client.get("/" + _link(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1])
    client.post(opened["Location"], {"new_password1": NEWER, "new_password2": NEWER})
    with tenant_scope(tenant_a):
        own = Membership.objects.get(user=person).pk
    assert _audited(tenant_a, "member.password_reset") == [("collab.membership", own, person.pk)]
    assert _audited(tenant_b, "member.password_reset") == []
