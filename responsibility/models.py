"""Responsibility matrices (责任量化 · 差异化关联矩阵): who answers for which part of a shared KPI.

A matrix belongs to one KPI and takes effect from a period; a later version (a new row, a higher
`version`, effective from a later period) leaves the periods before it on the earlier version. Its rows
split the result between org units as lead / collaborating / support with shares that add up to exactly
100 and exactly one lead; a row may name its own evaluation KPI (e.g. 大客户续约率: sales by 续约比例,
service by 投诉率). Those whole-matrix rules need every row at once, so `responsibility.services` checks
them; the database holds what one row can guarantee (share range, one row per unit, at most one lead).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from collab.concurrency import LockVersioned
from collab.models import OrgUnit, Period
from collab.tenancy import TenantOwned


class MatrixRole(models.TextChoices):
    LEAD = "lead", _("Lead")  # 主责
    COLLABORATING = "collaborating", _("Collaborating")  # 协同
    SUPPORT = "support", _("Support")  # 支持


class ResponsibilityMatrix(TenantOwned, LockVersioned):
    kpi = models.ForeignKey(
        "goals.KPI", verbose_name=_("KPI"), on_delete=models.PROTECT, related_name="matrices"
    )
    effective_from = models.ForeignKey(
        Period, verbose_name=_("effective from"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    note = models.TextField(_("note"), blank=True)
    # Closed periods that lie under `effective_from` but keep the scores they were closed with (ids): a first
    # version may take a period whose first months are closed; it applies to the open ones only. The
    # selectors skip this version for these periods.
    # See `responsibility.services.periods.matrix_period_check`.
    kept_closed = models.JSONField(_("closed periods kept as they were"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "kpi", "version"], name="matrix_unique_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="matrix_version_positive"),
        ]
        indexes = [models.Index(fields=["tenant", "kpi", "version"], name="matrix_kpi_version_idx")]
        ordering = ["kpi_id", "-version"]
        verbose_name = _("responsibility matrix")
        verbose_name_plural = _("responsibility matrices")

    def __str__(self) -> str:
        return f"{self.kpi_id} v{self.version}"


class MatrixRow(TenantOwned):
    matrix = models.ForeignKey(
        ResponsibilityMatrix, verbose_name=_("matrix"), on_delete=models.CASCADE, related_name="rows"
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=20, choices=MatrixRole.choices)
    share = models.DecimalField(
        _("share %"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    contribution_dimension = models.CharField(_("contribution dimension"), max_length=200, blank=True)
    evaluation_kpi = models.ForeignKey(
        "goals.KPI",
        verbose_name=_("evaluation KPI"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Judge this unit's contribution by this KPI instead of the matrix's KPI."),
    )
    evaluation_method = models.CharField(_("evaluation method"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "matrix", "org_unit"], name="matrixrow_unique_unit"),
            models.UniqueConstraint(
                fields=["tenant", "matrix"], condition=Q(role="lead"), name="matrixrow_one_lead"
            ),
            models.CheckConstraint(
                condition=Q(share__gt=0) & Q(share__lte=100), name="matrixrow_share_range"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["lead", "collaborating", "support"]), name="matrixrow_role_valid"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "org_unit"], name="matrixrow_unit_idx")]
        ordering = ["matrix_id", "order", "id"]
        verbose_name = _("matrix row")
        verbose_name_plural = _("matrix rows")

    def __str__(self) -> str:
        return f"{self.matrix_id}:{self.org_unit_id} {self.role} {self.share}"
