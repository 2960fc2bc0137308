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
    REVIEW_RESULTS_RELEASE = "review_results.release", _("Review results released")


def audit_register() -> None:
    audit_actions_register(FeedbackAuditAction)
