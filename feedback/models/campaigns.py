"""Review campaigns and their ratings: who is rated, who may rate whom, and what was given.

A campaign (internal-customer, 360 or department mutual review) uses one template, belongs to a period and
has a deadline. HR sets its subjects (the units or people rated) and its rater rules (who may rate them);
the rater never chooses. Launching materialises the rules into rater assignments and freezes, on each, the
rater's attributes used to slice results (unit, business line, level): a later move reveals nothing.

Anonymity by construction. What a rater gave is stored without the rater:
- `RaterAssignment` says who may rate whom and whether they have (response rates), never what they gave;
- `RatingDraft` is the rater's own unsent work, deleted when it is submitted;
- `Rating` holds submitted content with a pseudonymous `rater_key` (one person has the same key in every
  campaign of the tenant, so distinct raters can be counted), a random UUID as its id and no timestamp, so
  neither its key, its id nor its order links it to a person. Only the line manager's 360 rating is
  attributed (`attributed_rater`), and the rater is told so before submitting.
Results are read only through `feedback.engine.anonymity` (k distinct raters, no near-duplicate slices).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from collab.concurrency import LockVersioned
from collab.tenancy import TenantOwned
from feedback.models.templates import ReviewDimension, ReviewKind, ReviewTemplate

COMMENT_MINIMUM_DEFAULT = 5


class Frequency(models.TextChoices):
    ONCE = "once", _("Once")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for ratings")
    CLOSED = "closed", _("Closed, results released")


class RaterRole(models.TextChoices):
    INTERNAL_CUSTOMER = "internal_customer", _("Internal customer")
    LINE_MANAGER = "line_manager", _("Line manager")
    PROJECT_LEAD = "project_lead", _("Project lead")
    PEER = "peer", _("Peer")


class ReviewCampaign(TenantOwned, LockVersioned):
    """One round of a review: a template, a period, subjects, rater rules and a deadline."""

    name = models.CharField(_("name"), max_length=200)
    template = models.ForeignKey(
        ReviewTemplate, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("template")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReviewKind.choices)
    period = models.ForeignKey(
        "collab.Period", on_delete=models.PROTECT, related_name="+", verbose_name=_("period")
    )
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.ONCE
    )
    deadline = models.DateTimeField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    comment_minimum = models.PositiveSmallIntegerField(
        _("minimum raters for comments"),
        default=COMMENT_MINIMUM_DEFAULT,
        validators=[MinValueValidator(3), MaxValueValidator(100)],
        help_text=_(
            "Free-text comments are released only from at least this many raters, when the campaign closes."
        ),
    )
    # The role weights of a 360 review ({role: weight}, summing to 100); empty for the other kinds.
    role_weights = models.JSONField(_("rater role weights"), default=dict, blank=True)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("previous round"),
    )  # fmt: skip
    launched_at = models.DateTimeField(_("launched at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "period", "name"], name="review_campaign_unique_name"),
        ]
        indexes = [models.Index(fields=["tenant", "status", "deadline"], name="review_campaign_due_idx")]
        ordering = ["-deadline", "-id"]
        verbose_name = _("review campaign")
        verbose_name_plural = _("review campaigns")

    def __str__(self) -> str:
        return self.name


class CampaignSubject(TenantOwned):
    """Who a campaign rates: a unit (internal-customer and mutual reviews) or a person (360)."""

    campaign = models.ForeignKey(ReviewCampaign, on_delete=models.CASCADE, related_name="subjects")
    org_unit = models.ForeignKey(
        "collab.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("rated unit"),
    )  # fmt: skip
    employee = models.ForeignKey(
        "collab.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("rated person"),
    )  # fmt: skip

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(org_unit__isnull=False, employee__isnull=True)
                | models.Q(org_unit__isnull=True, employee__isnull=False),
                name="campaign_subject_one_kind",
            ),
            models.UniqueConstraint(
                fields=["tenant", "campaign", "org_unit"], name="campaign_subject_unique_unit"
            ),
            models.UniqueConstraint(
                fields=["tenant", "campaign", "employee"], name="campaign_subject_unique_employee"
            ),
        ]
        ordering = ["campaign_id", "id"]
        verbose_name = _("rated subject")
        verbose_name_plural = _("rated subjects")


class RaterRule(TenantOwned):
    """Who may rate: the people of a unit (with its sub-units), one named person, or a role derived from the
    subject (its line manager, its peers); for one subject or, without one, every subject of the campaign."""

    campaign = models.ForeignKey(ReviewCampaign, on_delete=models.CASCADE, related_name="rater_rules")
    subject = models.ForeignKey(
        CampaignSubject, null=True, blank=True, on_delete=models.CASCADE, related_name="rater_rules",
        verbose_name=_("rated subject"),
    )  # fmt: skip
    rater_role = models.CharField(
        _("rater role"), max_length=20, choices=RaterRole.choices, default=RaterRole.INTERNAL_CUSTOMER
    )
    rater_unit = models.ForeignKey(
        "collab.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("rater unit"),
    )  # fmt: skip
    include_sub_units = models.BooleanField(_("include sub-units"), default=True)
    rater_employee = models.ForeignKey(
        "collab.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("rater"),
    )  # fmt: skip

    class Meta:
        ordering = ["campaign_id", "id"]
        verbose_name = _("rater rule")
        verbose_name_plural = _("rater rules")


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("To rate")
    SUBMITTED = "submitted", _("Submitted")


class RaterAssignment(TenantOwned):
    """One rater may rate one subject of a launched campaign; the rater's attributes frozen at launch.

    Says whether the rater has submitted (response rates, reminders), never what they gave."""

    campaign = models.ForeignKey(ReviewCampaign, on_delete=models.CASCADE, related_name="assignments")
    subject = models.ForeignKey(CampaignSubject, on_delete=models.CASCADE, related_name="assignments")
    rater = models.ForeignKey("collab.Employee", on_delete=models.PROTECT, related_name="+")
    rater_role = models.CharField(_("rater role"), max_length=20, choices=RaterRole.choices)
    # Frozen at launch, for slicing results: where the rater stood then.
    rater_unit = models.ForeignKey("collab.OrgUnit", null=True, on_delete=models.SET_NULL, related_name="+")
    rater_business_line = models.ForeignKey(
        "collab.OrgUnit", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    rater_level = models.CharField(max_length=30, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AssignmentStatus.choices, default=AssignmentStatus.PENDING
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "campaign", "subject", "rater"], name="rater_assignment_unique"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "rater", "status"], name="rater_assignment_todo_idx")]
        ordering = ["campaign_id", "subject_id", "id"]
        verbose_name = _("rater assignment")
        verbose_name_plural = _("rater assignments")


class RatingDraft(TenantOwned, LockVersioned):
    """A rater's unsent rating ({dimension id: 1–5} and a comment); deleted when submitted."""

    assignment = models.OneToOneField(RaterAssignment, on_delete=models.CASCADE, related_name="draft")
    scores = models.JSONField(default=dict, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("rating draft")
        verbose_name_plural = _("rating drafts")


class Rating(TenantOwned):
    """A submitted rating: its scores and comment, the rater's frozen slicing attributes and a pseudonym —
    never the rater (except the attributed line manager of a 360). No timestamp: order would link it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(ReviewCampaign, on_delete=models.CASCADE, related_name="ratings")
    subject = models.ForeignKey(CampaignSubject, on_delete=models.CASCADE, related_name="ratings")
    # A keyed hash of the person (HMAC of tenant and employee ids under a secret): the same person gives the
    # same key in every campaign, so distinct raters are counted; the key itself names no one.
    rater_key = models.CharField(max_length=64)
    rater_role = models.CharField(_("rater role"), max_length=20, choices=RaterRole.choices)
    rater_unit = models.ForeignKey("collab.OrgUnit", null=True, on_delete=models.SET_NULL, related_name="+")
    rater_business_line = models.ForeignKey(
        "collab.OrgUnit", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    rater_level = models.CharField(max_length=30, blank=True)
    attributed_rater = models.ForeignKey(
        "collab.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "campaign", "subject", "rater_key"], name="rating_once_per_rater"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "subject"], name="rating_subject_idx")]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")


class RatingScore(TenantOwned):
    """One dimension's score (1–5) of a submitted rating."""

    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="scores")
    dimension = models.ForeignKey(ReviewDimension, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "rating", "dimension"], name="rating_score_unique"),
            models.CheckConstraint(condition=models.Q(value__gte=1, value__lte=5), name="rating_score_scale"),
        ]
        verbose_name = _("rating score")
        verbose_name_plural = _("rating scores")
