"""In-app notifications and each user's choices of what to receive.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from collab.tenancy import TenantOwned


class Notification(TenantOwned):
    class Category(models.TextChoices):
        ACCOUNT = "account", _("Account")
        ORGANISATION = "organisation", _("Organisation")
        GOALS = "goals", _("Goals and scores")
        REVIEWS = "reviews", _("Reviews and points")
        ALERTS = "alerts", _("Alerts")
        GOVERNANCE = "governance", _("Committee and actions")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "recipient", "read_at"]),
            # The inbox's order (keyset pages, collab.keyset).
            models.Index(fields=["tenant", "recipient", "created_at", "id"], name="notification_inbox_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(TenantOwned):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=20, choices=Notification.Category.choices)
    in_app = models.BooleanField(_("in the app"), default=True)
    email = models.BooleanField(_("by e-mail"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user", "category"], name="notificationpref_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.category}"
