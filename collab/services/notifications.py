"""Notifications: the one service every capability sends through (inbox + e-mail).

`notify()` stores an inbox row when the recipient wants the category in the app, and queues an
e-mail through a tenant task after the transaction commits when they want it by e-mail. The text is
rendered once, in the recipient's language, by the caller (see `recipient_language`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from collab.audit import audit_record
from collab.models import Notification, NotificationPreference, UserProfile
from collab.tenancy import current_tenant

logger = logging.getLogger(__name__)

CATEGORIES = tuple(Notification.Category.values)


def notification_preferences(*, user) -> dict[str, NotificationPreference]:
    """The user's preference per category; categories never set default to in-app and e-mail."""
    stored = {p.category: p for p in NotificationPreference.objects.filter(user=user)}
    return {
        category: stored.get(category) or NotificationPreference(user=user, category=category)
        for category in CATEGORIES
    }


def absolute_url(path: str) -> str:
    """A link that works from an e-mail: site-relative paths get the configured SITE_URL in front."""
    if path.startswith("/"):
        return settings.SITE_URL.rstrip("/") + path
    return path


def _safe_url(url: str) -> str:
    """Only our own paths or http(s) links end up behind a click in the inbox."""
    url = (url or "").strip()
    if not url:
        return ""
    if url.startswith("/") and not url.startswith("//"):
        return url[:500]
    if url.startswith(("https://", "http://")) and len(url) <= 500:
        return url
    raise ValueError(f"Notification links must be site paths or http(s) URLs, not {url[:40]!r}")


@contextmanager
def recipient_language(user) -> Iterator[str]:
    """Render a message in the recipient's language: their choice, else the tenant's locale."""
    language = ""
    if user is not None and user.pk:
        language = UserProfile.objects.filter(user=user).values_list("language", flat=True).first() or ""
    supported = {code for code, _name in settings.LANGUAGES}
    if language not in supported:
        language = current_tenant().locale if current_tenant().locale in supported else settings.LANGUAGE_CODE
    with translation.override(language):
        yield language


@transaction.atomic
def notify(
    *, recipient, category: str, title: str, body: str = "", url: str = "", always_email: bool = False
) -> Notification | None:
    """The one way to tell a user something: an inbox row and, if they want it, an e-mail after commit.

    Returns the inbox row, or None when the recipient turned the category off in the app (an e-mail may
    still go out). `always_email` is for what the person needs outside the app (an invitation, a link to
    set a password): it goes by e-mail whatever the preference. Must run inside the tenant's scope.
    """
    if category not in CATEGORIES:
        raise ValueError(f"Unknown notification category {category!r}")
    tenant = current_tenant()
    url = _safe_url(url)
    title = str(title)[:200]
    body = str(body)
    preference = notification_preferences(user=recipient)[category]
    notification = None
    if preference.in_app:
        notification = Notification.objects.create(
            recipient=recipient, category=category, title=title, body=body, url=url
        )
    if (preference.email or always_email) and recipient.email:
        subject = f"[{tenant.name}] {title}"
        lines = [body] if body else []
        if url:
            lines.append(absolute_url(url))
        with recipient_language(recipient):
            preferences = reverse("notification-preferences", kwargs={"tenant_slug": tenant.slug})
            footer = gettext("Change which messages you receive: %(url)s")
            footer %= {"url": absolute_url(preferences)}
            lines.append("--\n" + footer)
        message = "\n\n".join(lines)
        tenant_id, recipient_id = tenant.pk, recipient.pk
        transaction.on_commit(lambda: _enqueue_email(tenant_id, recipient_id, subject, message))
    return notification


def _enqueue_email(tenant_id: int, recipient_id: int, subject: str, message: str) -> None:
    """Hand the e-mail to a worker. A broker or mail failure is logged; the committed work stands."""
    from collab.tasks import deliver_email

    try:
        deliver_email.delay(tenant_id, recipient_id, subject, message)
    except Exception:  # the write already committed; a lost e-mail must not turn into an error page
        logger.exception("Could not send notification e-mail to user %s", recipient_id)


def email_send(*, recipient_id: int, subject: str, message: str) -> None:
    """Send one notification e-mail (run by the tenant task)."""
    from django.contrib.auth import get_user_model

    email = get_user_model().objects.filter(pk=recipient_id).values_list("email", flat=True).first()
    if not email:
        return
    send_mail(subject=subject, message=message, from_email=None, recipient_list=[email])


@transaction.atomic
def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the user's unread notifications (all, or these ids) read; other users' rows are never touched."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def notification_preferences_set(
    *, user, choices: Mapping[str, tuple[bool, bool]]
) -> list[NotificationPreference]:
    """Store the user's (in-app, e-mail) choice per category. Unknown categories are refused."""
    unknown = set(choices) - set(CATEGORIES)
    if unknown:
        raise ValueError(f"Unknown notification categories: {sorted(unknown)}")
    current = notification_preferences(user=user)
    before = {c: [p.in_app, p.email] for c, p in current.items()}
    saved = []
    for category, (in_app, email) in choices.items():
        preference, _created = NotificationPreference.objects.update_or_create(
            user=user, category=category, defaults={"in_app": bool(in_app), "email": bool(email)}
        )
        saved.append(preference)
    after = {**before, **{p.category: [p.in_app, p.email] for p in saved}}
    if after != before:
        audit_record(
            actor=user,
            action="notification_preferences.update",
            object_type="collab.notificationpreference",
            object_id=user.pk,
            object_repr=f"{user.get_username()}",
            before=before,
            after=after,
        )
    return saved
