"""A tenant's appraisal policy: its grade scale, the distribution guideline calibration checks, and the
windows of confirmation and appeal. One policy row a tenant; grades and rules are its rows."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from collab.concurrency import LockVersioned
from collab.tenancy import TenantOwned


class DistributionMode(models.TextChoices):
    WARN = "warn", _("Warn")
    ENFORCE = "enforce", _("Enforce")


class AppraisalPolicy(TenantOwned, LockVersioned):
    """How a tenant appraises: distribution checks, the manager's latitude, and the windows of each step."""

    distribution_mode = models.CharField(
        _("distribution guideline"), max_length=10, choices=DistributionMode.choices,
        default=DistributionMode.WARN,
        help_text=_("Warn: a calibration may close outside the guideline, saying so. Enforce: it may not."),
    )  # fmt: skip
    departure_bound = models.PositiveSmallIntegerField(
        _("allowed departure from the suggested grade"), default=1, validators=[MaxValueValidator(10)],
        help_text=_("How many grades a manager may move from the grade the score suggests, with a reason."),
    )  # fmt: skip
    confirmation_days = models.PositiveSmallIntegerField(
        _("days to confirm or appeal"), default=7, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    appeal_manager_days = models.PositiveSmallIntegerField(
        _("days for the manager's manager to answer an appeal"), default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )  # fmt: skip
    appeal_hr_days = models.PositiveSmallIntegerField(
        _("days for HR to decide an appeal"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("remind this many days before a deadline"), default=3, validators=[MaxValueValidator(30)]
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant"], name="appraisal_policy_one_per_tenant")]
        verbose_name = _("appraisal policy")
        verbose_name_plural = _("appraisal policies")


class Grade(TenantOwned, LockVersioned):
    """One grade of the tenant's scale (S, A, B, C, D …): `order` 0 is the best. A score at or above
    `min_score` suggests the grade (the best one whose band it reaches); `value` is what the grade counts
    as in a cycle's result formula (0–100)."""

    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    min_score = models.DecimalField(
        _("lowest score of the band"), max_digits=6, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("200"))],
    )  # fmt: skip
    value = models.DecimalField(
        _("value in the result"), max_digits=5, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )  # fmt: skip

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="appraisal_grade_unique_code"),
            models.UniqueConstraint(fields=["tenant", "order"], name="appraisal_grade_unique_order"),
        ]
        ordering = ["order", "id"]
        verbose_name = _("grade")
        verbose_name_plural = _("grades")

    def __str__(self) -> str:
        return self.code


class DistributionBound(models.TextChoices):
    AT_MOST = "at_most", _("at most")
    AT_LEAST = "at_least", _("at least")


class DistributionRule(TenantOwned):
    """One line of the guideline: the share of people with one of `grade_codes` is at most (or at least)
    `percent` (e.g. S ≤ 10 %, S + A ≤ 30 %, C + D ≥ 5 %)."""

    grade_codes = models.JSONField(_("grades"), default=list)
    bound = models.CharField(_("bound"), max_length=10, choices=DistributionBound.choices)
    percent = models.DecimalField(
        _("percent"), max_digits=5, decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )  # fmt: skip
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("distribution rule")
        verbose_name_plural = _("distribution rules")
