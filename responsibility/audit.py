"""The audit actions of the responsibility matrices.

The codes its services record (`collab.audit.audit_record`) and their names in the log, registered from
the app's `AppConfig.ready()`."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ResponsibilityAuditAction(models.TextChoices):
    MATRIX_CREATE = "matrix.create", _("Responsibility matrix created")
    MATRIX_UPDATE = "matrix.update", _("Responsibility matrix corrected")
    MATRIX_NEW_VERSION = "matrix.new_version", _("Responsibility matrix: new version")
