"""The organisation: units, positions, employees, and the periods work is measured in.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from collab.concurrency import LockVersioned
from collab.tenancy import TenantOwned


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
        # The directory's order (by name; keyset pages, collab.keyset); the employee list's is the unique
        # employee number's.
        indexes = [models.Index(fields=["tenant", "name", "id"], name="employee_name_idx")]
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
