"""Notifications: the one service every capability sends through (inbox + e-mail)."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from collab.models import Notification, NotificationPreference
from collab.tenancy import current_tenant


def notification_preferences(*, user) -> dict[str, NotificationPreference]:
    """The user's preference per category; categories never set default to in-app and e-mail."""
    stored = {p.category: p for p in NotificationPreference.objects.filter(user=user)}
    return {
        category: stored.get(category) or NotificationPreference(user=user, category=category)
        for category in Notification.Category.values
    }


@transaction.atomic
def notify(*, recipient, category: str, title: str, body: str = "", url: str = "") -> Notification | None:
    """The one way to tell a user something: an inbox row and, if they want it, an e-mail after commit."""
    from collab.tasks import deliver_notification_email

    preference = notification_preferences(user=recipient)[category]
    if not preference.in_app and not preference.email:
        return None
    notification = Notification.objects.create(
        recipient=recipient,
        category=category,
        title=title[:200],
        body=body,
        url=url,
        # Not wanted in the inbox: store it as read so it only leaves a trace for the e-mail.
        read_at=None if preference.in_app else timezone.now(),
    )
    if preference.email and recipient.email:
        tenant_id = current_tenant().pk
        transaction.on_commit(lambda: deliver_notification_email.delay(tenant_id, notification.pk))
    return notification


def notification_email_send(*, notification_id: int) -> None:
    notification = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if notification is None or not notification.recipient.email:
        return
    body = notification.body
    if notification.url:
        body = f"{body}\n\n{notification.url}".strip()
    send_mail(
        subject=f"[{current_tenant().name}] {notification.title}",
        message=body,
        from_email=None,
        recipient_list=[notification.recipient.email],
    )


@transaction.atomic
def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
