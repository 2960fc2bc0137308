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
    REVIEW_CAMPAIGN_CREATE = "review_campaign.create", _("Review campaign added")
    REVIEW_CAMPAIGN_UPDATE = "review_campaign.update", _("Review campaign edited")
    REVIEW_CAMPAIGN_DELETE = "review_campaign.delete", _("Review campaign deleted")
    REVIEW_CAMPAIGN_LAUNCH = "review_campaign.launch", _("Review campaign launched")
    REVIEW_CAMPAIGN_CLOSE = "review_campaign.close", _("Review campaign closed, results released")
    RATING_SUBMIT = "rating.submit", _("A rating was submitted for the campaign")
    POINT_ITEM_CREATE = "point_item.create", _("Point item added")
    POINT_ITEM_UPDATE = "point_item.update", _("Point item edited")
    POINT_ITEM_DELETE = "point_item.delete", _("Point item deleted")
    POINT_SETTINGS_UPDATE = "point_settings.update", _("Point settings edited")
    POINT_PROJECT_LEAD_ADD = "point_project_lead.add", _("Project lead named")
    POINT_PROJECT_LEAD_REMOVE = "point_project_lead.remove", _("Project lead removed")
    POINT_PROPOSAL_CREATE = "point_proposal.create", _("Points proposed")
    POINT_PROPOSAL_APPROVE = "point_proposal.approve", _("Point proposal approved")
    POINT_PROPOSAL_REJECT = "point_proposal.reject", _("Point proposal rejected")
    POINT_PROPOSAL_EVIDENCE = "point_proposal.evidence", _("Evidence attached to a point proposal")
    POINT_LEDGER_CREATE = "point_ledger.create", _("Points entered in the ledger")
    POINT_LEDGER_CORRECT = "point_ledger.correct", _("Ledger entry corrected")
    EVENT_CREATE = "event.create", _("Collaboration event recorded")
    EVENT_BULK_CREATE = "event.bulk_create", _("Collaboration events recorded in bulk")
    EVENT_COMPLETE = "event.complete", _("Collaboration event completed")
    REVIEW_RESULTS_RELEASE = "review_results.release", _("Review results released")


def audit_register() -> None:
    audit_actions_register(FeedbackAuditAction)
