"""Appraisal cycles and the appraisal of each person in one.

A cycle belongs to a period; HR chooses its participants by rules (unit with or without sub-units,
position, job family, level) and dates its stages. Launching materialises one `Appraisal` a participant,
freezing where the person stood (unit, position, level, job family) and who assesses them (their manager
then): a later move changes nobody's assessor mid-cycle. Each appraisal walks the stages in `STAGE_ORDER`;
HR may reopen a stage for one person with a reason (`StageReopening`, audited).

What an employee may see of their own appraisal is decided by its state, never by the page: the manager's
draft is not theirs until it is released (`released_at`)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from collab.concurrency import LockVersioned
from collab.tenancy import TenantOwned


class Stage(models.TextChoices):
    GOAL_SETTING = "goal_setting", _("Goal setting")
    CHECK_INS = "check_ins", _("Check-ins")
    SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
    MANAGER_ASSESSMENT = "manager_assessment", _("Manager assessment")
    CALIBRATION = "calibration", _("Calibration")
    RELEASE = "release", _("Release")
    CONFIRMATION = "confirmation", _("Confirmation and appeal")
    FINAL = "final", _("Final")


# The order every appraisal walks; FINAL has no deadline of its own (nothing changes after it).
STAGE_ORDER: tuple[str, ...] = tuple(Stage.values)
DATED_STAGES: tuple[str, ...] = STAGE_ORDER[:-1]


class CycleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


def _weight(verbose: str, default: str):
    return models.DecimalField(
        verbose, max_digits=5, decimal_places=2, default=Decimal(default),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )  # fmt: skip


class AppraisalCycle(TenantOwned, LockVersioned):
    """One appraisal round of a period, with its result formula: the weights of the scorecard score, the
    review part and the manager's grade. A component a person has no data for is left out and the others
    renormalised (`appraisal.engine.result`), never counted as zero."""

    name = models.CharField(_("name"), max_length=200)
    period = models.ForeignKey(
        "collab.Period", on_delete=models.PROTECT, related_name="+", verbose_name=_("period")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CycleStatus.choices, default=CycleStatus.DRAFT
    )
    weight_scorecard = _weight(_("weight of the scorecard score"), "50")
    weight_review = _weight(_("weight of the review part"), "20")
    weight_manager = _weight(_("weight of the manager's grade"), "30")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    launched_at = models.DateTimeField(_("launched at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "period", "name"], name="appraisal_cycle_unique_name"),
        ]
        indexes = [models.Index(fields=["tenant", "status", "period"], name="appraisal_cycle_status_idx")]
        ordering = ["-created_at", "-id"]
        verbose_name = _("appraisal cycle")
        verbose_name_plural = _("appraisal cycles")

    def __str__(self) -> str:
        return self.name


class CycleStage(TenantOwned):
    """When a stage of a cycle opens and its deadline (stored in UTC, shown in the tenant's time zone)."""

    cycle = models.ForeignKey(AppraisalCycle, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    opens_at = models.DateTimeField(_("opens"))
    deadline = models.DateTimeField(_("deadline"))
    # The last reminder run for this stage's deadline (the daily task reminds once a stage).
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "cycle", "stage"], name="cycle_stage_unique"),
            models.CheckConstraint(
                condition=models.Q(deadline__gte=models.F("opens_at")), name="cycle_stage_dates"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "deadline"], name="cycle_stage_deadline_idx")]
        ordering = ["cycle_id", "opens_at", "id"]
        verbose_name = _("cycle stage")
        verbose_name_plural = _("cycle stages")


class ParticipantRule(TenantOwned):
    """Who takes part: everyone matching every criterion given (a unit, with or without its sub-units; a
    position; a job family; a level). A cycle's participants are the union of its rules."""

    cycle = models.ForeignKey(AppraisalCycle, on_delete=models.CASCADE, related_name="participant_rules")
    org_unit = models.ForeignKey(
        "collab.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("unit"),
    )
    include_sub_units = models.BooleanField(_("include sub-units"), default=True)
    position = models.ForeignKey(
        "collab.Position", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("position"),
    )  # fmt: skip
    job_family = models.CharField(_("job family"), max_length=100, blank=True)
    level = models.CharField(_("level"), max_length=30, blank=True)

    class Meta:
        ordering = ["cycle_id", "id"]
        verbose_name = _("participant rule")
        verbose_name_plural = _("participant rules")


class Confirmation(models.TextChoices):
    NOT_RELEASED = "not_released", _("Not released")
    AWAITING = "awaiting", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    APPEALED = "appealed", _("Appeal raised")
    AUTO_CONFIRMED = "auto_confirmed", _("Deadline passed (confirmed automatically)")
    DECIDED = "decided", _("Appeal decided")


class Potential(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Appraisal(TenantOwned, LockVersioned):
    """One person's appraisal in a cycle: where they are, what they and their manager said, the result."""

    cycle = models.ForeignKey(AppraisalCycle, on_delete=models.CASCADE, related_name="appraisals")
    employee = models.ForeignKey("collab.Employee", on_delete=models.PROTECT, related_name="+")
    # Frozen at launch: the assessor and where the person stood.
    manager = models.ForeignKey(
        "collab.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("manager"),
    )  # fmt: skip
    org_unit = models.ForeignKey("collab.OrgUnit", on_delete=models.PROTECT, related_name="+")
    position = models.ForeignKey(
        "collab.Position", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    job_family = models.CharField(max_length=100, blank=True)
    level = models.CharField(max_length=30, blank=True)

    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.GOAL_SETTING)

    # Self-assessment (per goal: GoalAssessment); optional, never blocking once its deadline has passed.
    self_summary = models.TextField(_("self-assessment"), blank=True)
    self_submitted_at = models.DateTimeField(null=True, blank=True)

    # The manager's assessment: a draft until submitted, never shown to the employee before release.
    manager_grade = models.ForeignKey(
        "appraisal.Grade", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("manager's grade"),
    )  # fmt: skip
    manager_reason = models.TextField(_("reason for the grade"), blank=True)
    manager_comment = models.TextField(_("comments for the employee"), blank=True)
    departure_reason = models.TextField(_("why the grade departs from the suggested one"), blank=True)
    manager_submitted_at = models.DateTimeField(null=True, blank=True)

    # The objective half, read when the manager submits (so the record does not drift with later scores).
    suggested_grade = models.ForeignKey(
        "appraisal.Grade", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scorecard_total = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    kpi_part = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    review_part = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    points_total = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    result_score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)

    # The result: the grade after calibration and appeal, and where it came from.
    final_grade = models.ForeignKey(
        "appraisal.Grade", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("grade"),
    )  # fmt: skip
    final_source = models.CharField(_("result from"), max_length=12, blank=True)  # GradeSource
    calibration_session = models.ForeignKey(
        "appraisal.CalibrationSession", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="appraisals",
    )  # fmt: skip
    potential = models.CharField(_("potential"), max_length=10, choices=Potential.choices, blank=True)

    # Release and the employee's answer.
    released_at = models.DateTimeField(null=True, blank=True)
    result_meeting_at = models.DateTimeField(_("result meeting held"), null=True, blank=True)
    result_meeting_note = models.TextField(_("result meeting notes"), blank=True)
    confirmation = models.CharField(
        _("confirmation"), max_length=16, choices=Confirmation.choices, default=Confirmation.NOT_RELEASED
    )
    confirm_by = models.DateTimeField(_("confirm or appeal by"), null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)

    last_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "cycle", "employee"], name="appraisal_unique_person"),
        ]
        indexes = [
            models.Index(fields=["tenant", "cycle", "stage"], name="appraisal_cycle_stage_idx"),
            models.Index(fields=["tenant", "manager", "cycle"], name="appraisal_manager_idx"),
            models.Index(fields=["tenant", "employee", "cycle"], name="appraisal_employee_idx"),
            # A cycle's list in keyset order (HR's and auditors' appraisal list, the API's view=cycle).
            models.Index(fields=["tenant", "cycle", "id"], name="appraisal_cycle_list_idx"),
        ]
        ordering = ["cycle_id", "id"]
        verbose_name = _("appraisal")
        verbose_name_plural = _("appraisals")

    @property
    def is_final(self) -> bool:
        return self.stage == Stage.FINAL


class StageReopening(TenantOwned):
    """HR reopened a stage for one person, with a reason, until a new deadline."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="reopenings")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    reason = models.TextField(_("reason"))
    until = models.DateTimeField(_("new deadline"))
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["appraisal_id", "-reopened_at", "-id"]
        verbose_name = _("stage reopening")
        verbose_name_plural = _("stage reopenings")
