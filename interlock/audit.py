"""The audit actions of scorecards, scores and the tenant's scoring settings.

The codes its services record (`collab.audit.audit_record`) and their names in the log, registered from
the app's `AppConfig.ready()`."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class InterlockAuditAction(models.TextChoices):
    TENANT_SCORING_SETTINGS = "tenant.scoring_settings", _("Scoring settings changed")
    SCORECARD_CREATE = "scorecard.create", _("Scorecard created")
    SCORECARD_UPDATE = "scorecard.update", _("Scorecard edited")
    SCORECARD_LINES_SET = "scorecard.lines_set", _("Scorecard lines changed")
    SCORECARD_SAVE = "scorecard.save", _("Scorecard saved")
    SCORECARD_PUBLISH = "scorecard.publish", _("Scorecard published")
    SCORECARD_UNPUBLISH = "scorecard.unpublish", _("Scorecard withdrawn")
    SCORECARDS_COPY = "scorecards.copy", _("Scorecards copied")
    SCORES_RECOMPUTE = "scores.recompute", _("Scores recomputed")
