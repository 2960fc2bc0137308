"""Per-goal self-assessment (the manager's grade, reason and comments are on the appraisal, overall)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from collab.tenancy import TenantOwned

SELF_RATING_MAX = 5


class GoalAssessment(TenantOwned):
    appraisal = models.ForeignKey(
        "appraisal.Appraisal", on_delete=models.CASCADE, related_name="goal_assessments"
    )
    personal_goal = models.ForeignKey("appraisal.PersonalGoal", on_delete=models.CASCADE, related_name="+")
    self_comment = models.TextField(_("self-assessment"), blank=True)
    self_rating = models.PositiveSmallIntegerField(
        _("self rating"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(SELF_RATING_MAX)],
    )  # fmt: skip

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "appraisal", "personal_goal"], name="goal_assessment_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(self_rating__isnull=True)
                | models.Q(self_rating__gte=1, self_rating__lte=SELF_RATING_MAX),
                name="goal_assessment_rating_range",
            ),
        ]
        ordering = ["appraisal_id", "id"]
        verbose_name = _("goal assessment")
        verbose_name_plural = _("goal assessments")
