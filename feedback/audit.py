"""The audit log's words for the feedback app.

The action codes its services record (`collab.audit.audit_record`) with their names; `audit_register()`
runs from the app's `AppConfig.ready()`."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from collab.audit import audit_actions_register


class FeedbackAuditAction(models.TextChoices):
    REVIEW_TEMPLATE_CREATE = "review_template.create", _("Review template added")
    REVIEW_TEMPLATE_UPDATE = "review_template.update", _("Review template edited")
    REVIEW_TEMPLATE_DELETE = "review_template.delete", _("Review template deleted")
    EVENT_CREATE = "event.create", _("Collaboration event recorded")
    EVENT_BULK_CREATE = "event.bulk_create", _("Collaboration events recorded in bulk")
    EVENT_COMPLETE = "event.complete", _("Collaboration event completed")


def audit_register() -> None:
    audit_actions_register(FeedbackAuditAction)
