"""notify(), preferences, e-mail after commit, the inbox, the header badge, cross-tenant isolation."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from collab.models import AuditEvent, Notification, NotificationPreference, UserProfile
from collab.services import notifications as services
from collab.tenancy import TenantScopeMissing, tenant_scope
from tests.factories import make_member
from tests.factories.accounts import NotificationFactory, NotificationPreferenceFactory

pytestmark = pytest.mark.django_db


def url(name, *args, slug="alpha"):
    return reverse(name, args=[slug, *args])


@pytest.fixture
def worker(tenant_a):
    return make_member(tenant_a, "employee", username="worker", email="worker@example.com")


# ------------------------------------------------------------------------------------------ notify()
def test_notify_stores_an_inbox_row_and_mails_after_commit(
    scope_a, worker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notice = services.notify(
            recipient=worker,
            category="alerts",
            title="Stage late",
            body="Order-to-cash is late.",
            url="/t/alpha/",
        )
        assert mail.outbox == [], "nothing is sent before the transaction commits"
    assert notice.pk and notice.read_at is None and notice.tenant_id == scope_a.pk
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "[Alpha Mining] Stage late"
    assert "Order-to-cash is late." in message.body
    assert "http://127.0.0.1:8000/t/alpha/" in message.body
    assert "/t/alpha/notifications/settings/" in message.body


def test_rolled_back_work_sends_no_email(scope_a, worker, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                services.notify(recipient=worker, category="alerts", title="Never")
                raise RuntimeError("the caller's write failed")
        except RuntimeError:
            pass
    assert mail.outbox == []
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "in_app, email, rows, mails",
    [(True, True, 1, 1), (True, False, 1, 0), (False, True, 0, 1), (False, False, 0, 0)],
)
def test_preferences_are_respected(
    scope_a, worker, django_capture_on_commit_callbacks, in_app, email, rows, mails
):
    NotificationPreferenceFactory(user=worker, category="reviews", in_app=in_app, email=email)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipient=worker, category="reviews", title="Rate the finance team")
        services.notify(recipient=worker, category="goals", title="Other category keeps the defaults")
    assert Notification.objects.filter(category="reviews").count() == rows
    assert len([m for m in mail.outbox if "Rate the finance team" in m.subject]) == mails
    assert Notification.objects.filter(category="goals").count() == 1


def test_preferences_are_per_tenant(tenant_a, tenant_b, worker, django_capture_on_commit_callbacks):
    with tenant_scope(tenant_b):
        from collab.models import Membership

        Membership.objects.create(user=worker, roles=["employee"])
        NotificationPreferenceFactory(user=worker, category="alerts", in_app=False, email=False)
    with tenant_scope(tenant_a), django_capture_on_commit_callbacks(execute=True):
        assert services.notify(recipient=worker, category="alerts", title="A") is not None
    with tenant_scope(tenant_b), django_capture_on_commit_callbacks(execute=True):
        assert services.notify(recipient=worker, category="alerts", title="B") is None
    assert [m.subject for m in mail.outbox] == ["[Alpha Mining] A"]


def test_no_email_address_means_no_email(scope_a, django_capture_on_commit_callbacks):
    person = make_member(scope_a, "employee", username="nomail", email="")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notify(recipient=person, category="account", title="Hi") is not None
    assert mail.outbox == []


def test_notify_refuses_unknown_categories_bad_links_and_missing_scope(tenant_a, worker):
    with pytest.raises(TenantScopeMissing):
        services.notify(recipient=worker, category="account", title="No scope")
    with tenant_scope(tenant_a):
        with pytest.raises(ValueError):
            services.notify(recipient=worker, category="gossip", title="x")
        for link in ("javascript:alert(1)", "//evil.example/", "data:text/html,x"):
            with pytest.raises(ValueError):
                services.notify(recipient=worker, category="account", title="x", url=link)
        assert not Notification.objects.exists()


def test_long_titles_are_cut(scope_a, worker):
    notice = services.notify(recipient=worker, category="account", title="x" * 500)
    assert len(notice.title) == 200


def test_email_is_written_in_the_recipients_language(scope_a, worker, django_capture_on_commit_callbacks):
    UserProfile.objects.create(user=worker, language="zh-hans")
    with services.recipient_language(worker) as language:
        assert language == "zh-hans"
    scope_a.locale = "en"
    other = make_member(scope_a, "employee", username="other")
    with services.recipient_language(other) as language:
        assert language == "en"


def test_a_failing_mail_server_does_not_break_the_request(
    scope_a, worker, django_capture_on_commit_callbacks, settings, monkeypatch
):
    def explode(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(services, "send_mail", explode)
    with django_capture_on_commit_callbacks(execute=True):
        notice = services.notify(recipient=worker, category="account", title="Still stored")
    assert Notification.objects.filter(pk=notice.pk).exists()


def test_mark_read_touches_only_the_users_rows(scope_a, worker, hr_a):
    mine = NotificationFactory.create_batch(3, recipient=worker)
    theirs = NotificationFactory(recipient=hr_a)
    assert services.notifications_mark_read(user=worker, ids=[mine[0].pk, theirs.pk]) == 1
    assert services.notifications_mark_read(user=worker) == 2
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_preferences_set_is_audited_and_validated(scope_a, worker):
    services.notification_preferences_set(user=worker, choices={"alerts": (False, True)})
    preference = NotificationPreference.objects.get(user=worker, category="alerts")
    assert (preference.in_app, preference.email) == (False, True)
    event = AuditEvent.objects.get(action="notification_preferences.update")
    assert event.before["alerts"] == [True, True] and event.after["alerts"] == [False, True]
    with pytest.raises(ValueError):
        services.notification_preferences_set(user=worker, choices={"spam": (True, True)})


# --------------------------------------------------------------------------------------------- pages
@pytest.mark.parametrize("role", ["hr_admin", "manager", "employee", "committee", "auditor"])
def test_every_role_has_an_inbox_and_can_mark_its_own_read(login, tenant_a, role):
    person = make_member(tenant_a, role, username=f"p-{role}")
    with tenant_scope(tenant_a):
        notice = NotificationFactory(recipient=person, title="Hello there")
    client = login(person)
    page = client.get(url("notifications"))
    assert page.status_code == 200 and b"Hello there" in page.content
    assert client.post(url("notification-read", notice.pk)).status_code == 302
    with tenant_scope(tenant_a):
        notice.refresh_from_db()
        assert notice.read_at is not None
    assert client.get(url("notification-preferences")).status_code == 200
    assert client.post(url("notification-preferences"), {"alerts_email": "on"}).status_code == 302


def test_inbox_pages_filters_and_empty_states(login, tenant_a, worker):
    client = login(worker)
    empty = client.get(url("notifications")).content.decode()
    assert "No notifications yet" in empty
    with tenant_scope(tenant_a):
        NotificationFactory.create_batch(30, recipient=worker)
        NotificationFactory(recipient=worker, title="Already read", read_at="2030-01-01T00:00:00Z")
    first = client.get(url("notifications")).content.decode()
    assert len(re.findall(r'id="notification-\d+"', first)) == 25 and "Rows 1–25" in first
    unread = client.get(url("notifications"), {"show": "unread"}).content.decode()
    assert "Already read" not in unread and "Unread (30)" in unread
    assert client.get(url("notifications"), {"page": "x"}).status_code == 200


def test_inbox_query_count_is_constant(login, tenant_a, worker, django_assert_max_num_queries):
    client = login(worker)
    with tenant_scope(tenant_a):
        NotificationFactory.create_batch(2, recipient=worker)
    with django_assert_max_num_queries(8):
        assert client.get(url("notifications")).status_code == 200
    with tenant_scope(tenant_a):
        NotificationFactory.create_batch(40, recipient=worker)
    with django_assert_max_num_queries(8):
        assert client.get(url("notifications")).status_code == 200


def test_htmx_mark_read_returns_the_row_and_a_fresh_badge(login, tenant_a, worker):
    with tenant_scope(tenant_a):
        first, _second = NotificationFactory.create_batch(2, recipient=worker)
    client = login(worker)
    response = client.post(url("notification-read", first.pk), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert f'id="notification-{first.pk}"' in html and "Mark read" not in html
    assert 'hx-swap-oob="true"' in html and 'data-unread="1"' in html


def test_mark_all_read(login, tenant_a, worker, hr_a):
    with tenant_scope(tenant_a):
        NotificationFactory.create_batch(3, recipient=worker)
        theirs = NotificationFactory(recipient=hr_a)
    client = login(worker)
    assert client.get(url("notifications-read-all")).status_code == 405
    assert client.post(url("notifications-read-all")).status_code == 302
    with tenant_scope(tenant_a):
        assert not Notification.objects.filter(recipient=worker, read_at__isnull=True).exists()
        theirs.refresh_from_db()
        assert theirs.read_at is None


def test_badge_counts_this_tenants_unread_only(
    login, tenant_a, tenant_b, worker, django_assert_max_num_queries
):
    client = login(worker)
    assert client.get(url("notifications-badge")).content.strip() == b""
    with tenant_scope(tenant_a):
        NotificationFactory.create_batch(3, recipient=worker)
        NotificationFactory(recipient=worker, read_at="2030-01-01T00:00:00Z")
    with tenant_scope(tenant_b):
        NotificationFactory.create_batch(5, recipient=worker)
    # session, user, tenant, membership, language profile, the count
    with django_assert_max_num_queries(6):
        badge = client.get(url("notifications-badge"), HTTP_HX_REQUEST="true")
    assert badge.status_code == 200 and 'data-unread="3"' in badge.content.decode()
    with tenant_scope(tenant_a):
        NotificationFactory.create_batch(120, recipient=worker)
    assert ">99+<" in client.get(url("notifications-badge")).content.decode()


def test_header_asks_for_the_badge(login, worker):
    page = login(worker).get(url("tenant-home")).content.decode()
    assert f'hx-get="{url("notifications-badge")}"' in page


def test_preferences_page_saves_choices(login, tenant_a, worker, django_capture_on_commit_callbacks):
    client = login(worker)
    page = client.get(url("notification-preferences"))
    assert page.status_code == 200 and page.content.count(b'type="checkbox"') == 12
    response = client.post(url("notification-preferences"), {"account_in_app": "on", "alerts_email": "on"})
    assert response.status_code == 302
    with tenant_scope(tenant_a):
        stored = {p.category: (p.in_app, p.email) for p in NotificationPreference.objects.filter(user=worker)}
        assert stored["account"] == (True, False) and stored["alerts"] == (False, True)
        assert stored["goals"] == (False, False)
        with django_capture_on_commit_callbacks(execute=True):
            assert services.notify(recipient=worker, category="goals", title="Muted") is None
    assert mail.outbox == []


def test_other_users_and_other_tenants_notifications_are_404(login, tenant_a, tenant_b, worker, hr_a):
    with tenant_scope(tenant_a):
        colleague = NotificationFactory(recipient=hr_a)
    with tenant_scope(tenant_b):
        foreign = NotificationFactory(recipient=worker)  # even the same person's row of another tenant
    client = login(worker)
    for target in (colleague, foreign):
        assert client.post(url("notification-read", target.pk)).status_code == 404
        assert client.get(url("notification-read", target.pk)).status_code == 404
    assert client.post(url("notification-read", "9" * 18)).status_code == 404
    with tenant_scope(tenant_a):
        colleague.refresh_from_db()
        assert colleague.read_at is None
    with tenant_scope(tenant_b):
        foreign.refresh_from_db()
        assert foreign.read_at is None


@pytest.mark.parametrize(
    "name", ["notifications", "notifications-badge", "notification-preferences", "notifications-read-all"]
)
def test_other_tenants_slug_is_404(login, tenant_b, worker, name):
    client = login(worker)
    assert client.get(url(name, slug="bravo")).status_code == 404
    assert client.post(url(name, slug="bravo"), {"alerts_email": "on"}).status_code == 404
    with tenant_scope(tenant_b):
        assert not NotificationPreference.objects.exists()
