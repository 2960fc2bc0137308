"""Goals set together. In goal setting an employee proposes personal goals under their position's goals (KPI,
target, weight) or a change of weight; the manager accepts, edits or returns each with a comment. An
accepted goal enters the goal tree through the goals services (a node under the position goal) and becomes a
`PersonalGoal` of the appraisal. During the period a change is a revision request with a reason, approved by
the manager; every agreed state is kept (`PersonalGoalVersion`), so the previous target stays visible."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from collab.concurrency import LockVersioned
from collab.tenancy import TenantOwned


class ProposalKind(models.TextChoices):
    NEW = "new", _("New goal")
    WEIGHT = "weight", _("Weight change")
    REVISION = "revision", _("Revision during the period")


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")
    WITHDRAWN = "withdrawn", _("Withdrawn")


def _weight_field(verbose):
    return models.DecimalField(
        verbose, max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )  # fmt: skip


class GoalProposal(TenantOwned, LockVersioned):
    """What the employee proposed and what the manager answered."""

    appraisal = models.ForeignKey(
        "appraisal.Appraisal", on_delete=models.CASCADE, related_name="goal_proposals"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ProposalKind.choices, default=ProposalKind.NEW)
    # A new goal: the position goal it sits under; a change or revision: the personal goal it changes.
    parent_goal = models.ForeignKey(
        "goals.Goal", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("under the goal"),
    )  # fmt: skip
    personal_goal = models.ForeignKey(
        "appraisal.PersonalGoal", null=True, blank=True, on_delete=models.CASCADE, related_name="proposals",
        verbose_name=_("goal"),
    )  # fmt: skip
    kpi = models.ForeignKey(
        "goals.KPI", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("KPI")
    )
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=4, null=True, blank=True)
    weight = _weight_field(_("weight %"))
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    manager_comment = models.TextField(_("manager's comment"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "appraisal", "status"], name="goal_proposal_status_idx")]
        ordering = ["appraisal_id", "id"]
        verbose_name = _("goal proposal")
        verbose_name_plural = _("goal proposals")


class PersonalGoal(TenantOwned, LockVersioned):
    """An agreed personal goal: its node in the goal tree, its own target and weight, and its version."""

    appraisal = models.ForeignKey(
        "appraisal.Appraisal", on_delete=models.CASCADE, related_name="personal_goals"
    )
    goal = models.ForeignKey("goals.Goal", on_delete=models.PROTECT, related_name="+", verbose_name=_("goal"))
    kpi = models.ForeignKey("goals.KPI", on_delete=models.PROTECT, related_name="+", verbose_name=_("KPI"))
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=4)
    weight = models.DecimalField(
        _("weight %"), max_digits=5, decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )  # fmt: skip
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "appraisal", "goal"], name="personal_goal_unique_node"),
        ]
        ordering = ["appraisal_id", "id"]
        verbose_name = _("personal goal")
        verbose_name_plural = _("personal goals")


class PersonalGoalVersion(TenantOwned):
    """One agreed state of a personal goal (version 1 is the goal as accepted)."""

    personal_goal = models.ForeignKey(PersonalGoal, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    target = models.DecimalField(max_digits=14, decimal_places=4)
    weight = models.DecimalField(max_digits=5, decimal_places=2)
    reason = models.TextField(blank=True)
    proposal = models.ForeignKey(
        GoalProposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agreed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "personal_goal", "version"], name="personal_goal_version_unique"
            ),
        ]
        ordering = ["personal_goal_id", "version"]
        verbose_name = _("personal goal version")
        verbose_name_plural = _("personal goal versions")
