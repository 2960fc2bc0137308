"""The audit log's words for the responsibility matrices.

The action codes its services record (`collab.audit.audit_record`) with their names, and how the log names
its objects; `audit_register()` runs from the app's `AppConfig.ready()`."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from collab.audit import audit_actions_register
from collab.selectors.audit.vocabulary import audit_object_words_register


class ResponsibilityAuditAction(models.TextChoices):
    MATRIX_CREATE = "matrix.create", _("Responsibility matrix created")
    MATRIX_UPDATE = "matrix.update", _("Responsibility matrix corrected")
    MATRIX_NEW_VERSION = "matrix.new_version", _("Responsibility matrix: new version")


def audit_register() -> None:
    audit_actions_register(ResponsibilityAuditAction)
    # Its stored name is made of ids: the log names it by these snapshot fields.
    audit_object_words_register("responsibility.responsibilitymatrix", name_fields=("kpi", "effective_from"))
