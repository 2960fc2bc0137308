"""What a closed campaign released about each rated subject: one row per slice of its results.

A slice is the whole campaign ("") or one group of a rater split ("business_line:12", "unit:5",
"level:M2", "role:peer"). Every slice of a subject is decided once, in one fixed order (the whole first,
then each split), by `feedback.engine.anonymity` (k distinct raters, no two shown slices differing by
fewer than k raters), and the decision is stored here: later pages, API calls and exports only read it, so
the order of requests cannot release a slice that, together with an earlier one, singles out a rater.
`raters` holds the pseudonymous rater keys of a shown slice so that later decisions can be checked against
what was already shown; it names no one and is never shown. Rows are kept for every subject's whole (shown
or refused: "too few") and for the shown groups only — a group without a row was not released.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from collab.tenancy import TenantOwned
from feedback.models.campaigns import CampaignSubject, ReviewCampaign


class ReleaseReason(models.TextChoices):
    SHOWN = "shown", _("Shown")
    TOO_FEW = "too_few", _("Fewer raters than the anonymity threshold")
    TOO_CLOSE = "too_close", _("Too close to another shown result")


class ResultRelease(TenantOwned):
    campaign = models.ForeignKey(ReviewCampaign, on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey(CampaignSubject, on_delete=models.CASCADE, related_name="releases")
    slice = models.CharField(max_length=100, blank=True)
    shown = models.BooleanField(default=False)
    reason = models.CharField(max_length=10, choices=ReleaseReason.choices)
    raters = models.JSONField(default=list, blank=True)
    released_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "subject", "slice"], name="result_release_unique"),
        ]
        indexes = [models.Index(fields=["tenant", "campaign"], name="result_release_campaign_idx")]
        verbose_name = _("released result")
        verbose_name_plural = _("released results")
