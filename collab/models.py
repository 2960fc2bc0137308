"""Core platform data: tenants, memberships, the organisation, periods, audit and notifications."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from collab.concurrency import LockVersioned
from collab.tenancy import TenantManager, TenantOwned


class Role(models.TextChoices):
    HR_ADMIN = "hr_admin", _("HR admin")
    MANAGER = "manager", _("Manager")
    EMPLOYEE = "employee", _("Employee")
    COMMITTEE = "committee", _("Committee member")
    AUDITOR = "auditor", _("Auditor")


ALL_ROLES = frozenset(Role.values)
WRITE_ROLES = ALL_ROLES - {Role.AUDITOR}
ALL_BUT_EMPLOYEES = ALL_ROLES - {Role.EMPLOYEE}  # who reads management data (matrices, scorecards)


class Tenant(models.Model):
    """A company sharing the deployment. Global table (a reference table under Citus)."""

    slug = models.SlugField(
        _("slug"),
        max_length=50,
        unique=True,
        validators=[
            RegexValidator(r"^[a-z0-9][a-z0-9-]*$", _("Use lower-case letters, digits and hyphens."))
        ],
    )
    name = models.CharField(_("name"), max_length=200)
    locale = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    anonymity_threshold = models.PositiveSmallIntegerField(
        _("anonymity threshold (k)"), default=5, validators=[MinValueValidator(3), MaxValueValidator(100)]
    )
    point_cap = models.DecimalField(
        _("points cap"), max_digits=6, decimal_places=2, default=10, validators=[MinValueValidator(0)]
    )
    min_collaborative_weight = models.DecimalField(
        _("minimum collaborative weight %"),
        max_digits=5,
        decimal_places=2,
        default=20,
        validators=[MinValueValidator(0), MaxValueValidator(50)],
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tenant")

    def __str__(self) -> str:
        return self.name


class UserProfile(models.Model):
    """Per-user preferences that follow the person across tenants (global table)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True)
    # Set when an HR admin creates the account with a temporary password (services.accounts.member_create);
    # until the person chooses their own, pages lead only to the change-password page and the API answers 403.
    must_change_password = models.BooleanField(_("must change password"), default=False)

    def __str__(self) -> str:
        return f"profile of {self.user}"


class Membership(TenantOwned):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    roles = models.JSONField(_("roles"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "user"], name="membership_unique_user")]
        ordering = ["user__username"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.tenant_id}"

    def clean(self) -> None:
        unknown = set(self.roles or []) - ALL_ROLES
        if not self.roles or unknown:
            raise ValidationError({"roles": _("Choose at least one valid role.")})

    def has_role(self, *roles: str) -> bool:
        return bool(set(self.roles) & set(roles))

    @property
    def can_write(self) -> bool:
        return bool(set(self.roles) & WRITE_ROLES)

    @property
    def primary_role(self) -> str:
        for role in Role.values:
            if role in self.roles:
                return role
        return Role.EMPLOYEE


class MemberInvitation(TenantOwned):
    """An HR admin asked someone who already has an account (e.g. in another company) to join.

    Nothing of the account shows in the tenant until the person accepts (then a `Membership` is made and
    this row goes): HR admins cannot tell from it whether the account exists, so it is never listed.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    roles = models.JSONField(_("roles"), default=list)
    employee = models.ForeignKey(
        "collab.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="memberinvitation_unique_user")
        ]

    def __str__(self) -> str:
        return f"invitation {self.pk} @ {self.tenant_id}"


class OrgUnit(TenantOwned, LockVersioned):
    class Kind(models.TextChoices):
        GROUP = "group", _("Group")
        BUSINESS_GROUP = "business_group", _("Business group")
        SUBSIDIARY = "subsidiary", _("Subsidiary")
        DEPARTMENT = "department", _("Department")
        TEAM = "team", _("Team")

    code = models.CharField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of ids ("/1/4/9/"): whole subtrees in one query, moves in one UPDATE.
    path = models.CharField(max_length=1000, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="orgunit_unique_code")]
        ordering = ["path"]
        verbose_name = _("org unit")

    def __str__(self) -> str:
        return self.name


class Position(TenantOwned, LockVersioned):
    code = models.CharField(_("code"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="positions"
    )
    job_family = models.CharField(_("job family"), max_length=100, blank=True)
    level = models.CharField(_("level"), max_length=30, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="position_unique_code")]
        ordering = ["code"]
        verbose_name = _("position")

    def __str__(self) -> str:
        return self.title


class Employee(TenantOwned, LockVersioned):
    employee_no = models.CharField(_("employee number"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="employees"
    )
    position = models.ForeignKey(
        Position,
        verbose_name=_("position"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employees",
    )
    manager = models.ForeignKey(
        "self",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employee_records",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "employee_no"], name="employee_unique_no"),
            models.UniqueConstraint(
                fields=["tenant", "user"], condition=Q(user__isnull=False), name="employee_unique_user"
            ),
        ]
        ordering = ["employee_no"]
        verbose_name = _("employee")

    def __str__(self) -> str:
        return self.name


class Period(TenantOwned, LockVersioned):
    class Kind(models.TextChoices):
        YEAR = "year", _("Year")
        QUARTER = "quarter", _("Quarter")
        MONTH = "month", _("Month")

    class Status(models.TextChoices):
        PLANNING = "planning", _("Planning")
        ACTIVE = "active", _("Active")
        REVIEW = "review", _("Review")
        CLOSED = "closed", _("Closed")

    # Each status may only move to the next one; a closed period never reopens.
    NEXT_STATUS = {
        Status.PLANNING: Status.ACTIVE,
        Status.ACTIVE: Status.REVIEW,
        Status.REVIEW: Status.CLOSED,
    }

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    month = models.PositiveSmallIntegerField(
        _("month"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNING)

    class Meta:
        constraints = [
            # Quarter and month are NULL for coarser periods; coalescing them makes the rule hold on
            # SQLite too, which has no NULLS NOT DISTINCT.
            models.UniqueConstraint(
                "tenant",
                "kind",
                "year",
                Coalesce("quarter", 0),
                Coalesce("month", 0),
                name="period_unique",
                violation_error_message=_("This period exists already."),
            ),
        ]
        ordering = ["-year", "kind", "quarter", "month"]
        verbose_name = _("period")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.kind == self.Kind.QUARTER:
            return f"{self.year} Q{self.quarter}"
        if self.kind == self.Kind.MONTH:
            return f"{self.year}-{self.month:02d}"
        return str(self.year)

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    def clean(self) -> None:
        if self.kind == self.Kind.YEAR and (self.quarter or self.month):
            raise ValidationError(_("A year period has no quarter or month."))
        if self.kind == self.Kind.QUARTER and (not self.quarter or self.month):
            raise ValidationError({"quarter": _("A quarter period needs a quarter (1–4) and no month.")})
        if self.kind == self.Kind.MONTH and (not self.month or self.quarter):
            raise ValidationError({"month": _("A month period needs a month (1–12) and no quarter.")})


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only.")


AuditEventManager = TenantManager.from_queryset(AuditEventQuerySet)


class AuditEvent(TenantOwned):
    """Append-only: who, what, which object, before/after, when."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    objects = AuditEventManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")


class Notification(TenantOwned):
    class Category(models.TextChoices):
        ACCOUNT = "account", _("Account")
        ORGANISATION = "organisation", _("Organisation")
        GOALS = "goals", _("Goals and scores")
        REVIEWS = "reviews", _("Reviews and points")
        ALERTS = "alerts", _("Alerts")
        GOVERNANCE = "governance", _("Committee and actions")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(TenantOwned):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=20, choices=Notification.Category.choices)
    in_app = models.BooleanField(_("in the app"), default=True)
    email = models.BooleanField(_("by e-mail"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user", "category"], name="notificationpref_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.category}"


class Job(TenantOwned):
    """Background work a page can poll (progress 0–100) and the API can point to (202 + job URL).

    A platform model: every long task of every app (score recomputes now; imports and exports next) records
    itself here, run through `collab.jobs`."""

    class Kind(models.TextChoices):
        SCORE_RECOMPUTE = "score_recompute", _("Score recompute")  # interlock

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        SKIPPED = "skipped", _("Skipped")  # nothing to do: e.g. its period closed before it ran
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    # What the job is about ("period:12"): one queued job per (tenant, kind, key), so triggers coalesce.
    key = models.CharField(max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(
        _("progress"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    # The message for the reader: `message_code` (registered with `collab.jobs.job_messages_register`) and
    # `message_params` render it in the reader's language (`collab.jobs.job_message`); `message` keeps the
    # text as written (the worker's language), shown when there is no code (e.g. an exception's text).
    message = models.TextField(_("message"), blank=True)
    message_code = models.CharField(max_length=60, blank=True)
    message_params = models.JSONField(default=dict, blank=True)
    params = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # What the finished job produced (a summary for the reader and the API), and, when it failed, why.
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Liveness (collab.jobs): the running attempt refreshes `heartbeat` every few seconds; a job whose
    # heartbeat stopped is requeued by the beat task `collab.requeue_stale_jobs`; the next claim resumes it.
    heartbeat = models.DateTimeField(_("heartbeat"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    resumed_at = models.DateTimeField(_("resumed at"), null=True, blank=True)
    # The running attempt's token: only it refreshes the heartbeat; blank while no attempt holds the job.
    lease = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="job_progress_range"),
            models.UniqueConstraint(
                fields=["tenant", "kind", "key"], condition=Q(status="queued"), name="job_one_queued_per_key"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "kind", "status"], name="job_kind_status_idx"),
            models.Index(fields=["status", "heartbeat"], name="job_status_heartbeat_idx"),
        ]
        ordering = ["-created_at", "-id"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self) -> str:
        return f"{self.kind} {self.key} {self.status}"
