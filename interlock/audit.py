"""The audit log's words for scorecards, scores and the tenant's scoring settings.

The action codes its services record (`collab.audit.audit_record`) with their names, and how the log names
its objects; `audit_register()` runs from the app's `AppConfig.ready()`."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from collab.audit import audit_actions_register
from collab.selectors.audit.vocabulary import audit_object_words_register


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
    SCORES_MATRIX_BACKFILL = "scores.matrix_backfill", _("Matrix results filled in for scored period")


def audit_register() -> None:
    audit_actions_register(InterlockAuditAction)
    # Its stored name is made of ids: the log names it by these snapshot fields.
    audit_object_words_register("interlock.scorecard", name_fields=("org_unit", "position", "period"))
