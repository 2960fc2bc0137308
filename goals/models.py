"""Goal cascade (目标穿透): strategy map, KPI library, goal decomposition tree, measurements.

Invariants that need other rows (cycles, sibling weights, period status) live in the services
(`goals/services/`); the cheap ones that need only this row and its foreign keys live in `clean()`
and in database constraints. Every table is tenant-owned and every unique constraint includes the
tenant.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from collab.concurrency import LockVersioned
from collab.models import OrgUnit, Period, Position
from collab.tenancy import (
    TenantHistoryBase,
    TenantHistoryManager,
    TenantManager,
    TenantOwned,
    current_tenant_or_none,
)


class ScoresStamp(TenantOwned):
    """A tenant's scoring-inputs stamp: a fresh random token after every write to goals, measurements or
    KPIs, in the write's own transaction. The goal roll-up is cached under (tenant, period, token): a write
    makes a new key, so a cached roll-up can never be read stale (see `goals.selectors.rollup_cache`). A
    random token, not a counter: a rolled-back bump can never hand the same key to other data."""

    tenant = models.OneToOneField(
        "collab.Tenant", on_delete=models.CASCADE, related_name="+", editable=False, primary_key=True
    )
    token = models.UUIDField(default=uuid.uuid4)

    class Meta:
        verbose_name = _("scores stamp")
        verbose_name_plural = _("scores stamps")

    @classmethod
    def bump(cls, tenant_ids) -> None:
        """A new token for each tenant (call it after the write, in the write's transaction)."""
        for tenant_id in {t for t in tenant_ids if t is not None}:
            if cls._base_manager.filter(tenant_id=tenant_id).update(token=uuid.uuid4()):
                continue
            try:
                with transaction.atomic():
                    cls._base_manager.create(tenant_id=tenant_id, token=uuid.uuid4())
            except IntegrityError:  # another transaction inserted it first: ours changes it again
                cls._base_manager.filter(tenant_id=tenant_id).update(token=uuid.uuid4())


class StampedQuerySet(models.QuerySet):
    """Bulk writes of a scoring input (goal, KPI, measurement) bump the tenant's `ScoresStamp` after the
    write; single saves and deletes bump through `post_save`/`post_delete` (`goals.stamp`)."""

    def _tenants(self) -> set:
        scoped = current_tenant_or_none()
        return {scoped.pk} if scoped is not None else set(self.values_list("tenant_id", flat=True).distinct())

    def update(self, **kwargs):
        tenants = self._tenants()
        done = super().update(**kwargs)
        if done:
            ScoresStamp.bump(tenants)
        return done

    def bulk_update(self, objs, *args, **kwargs):
        objs = list(objs)
        done = super().bulk_update(objs, *args, **kwargs)
        ScoresStamp.bump({obj.tenant_id for obj in objs})
        return done


class StampedManager(TenantManager.from_queryset(StampedQuerySet)):
    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        ScoresStamp.bump({obj.tenant_id for obj in created})
        return created


class Perspective(models.TextChoices):
    """The four balanced-scorecard perspectives (财务 / 客户 / 内部流程 / 学习与成长)."""

    FINANCIAL = "financial", _("Financial")
    CUSTOMER = "customer", _("Customer")
    INTERNAL_PROCESS = "internal_process", _("Internal process")
    LEARNING_GROWTH = "learning_growth", _("Learning and growth")


class ProcessTag(models.TextChoices):
    """End-to-end processes a collaborative KPI can belong to (端到端流程)."""

    LEAD_TO_CASH = "lead_to_cash", _("Lead to cash")
    ORDER_TO_CASH = "order_to_cash", _("Order to cash")
    PROCURE_TO_PAY = "procure_to_pay", _("Procure to pay")
    DEMAND_TO_DELIVERY = "demand_to_delivery", _("Demand to delivery")
    HIRE_TO_ONBOARD = "hire_to_onboard", _("Hire to onboard")
    PLAN_TO_PRODUCE = "plan_to_produce", _("Plan to produce")


class Objective(TenantOwned, LockVersioned):
    """A strategic objective on the strategy map of one period, in one BSC perspective."""

    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="+")
    perspective = models.CharField(_("perspective"), max_length=20, choices=Perspective.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("owner unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "period", "name"], name="objective_unique_name"),
        ]
        indexes = [
            models.Index(fields=["tenant", "period", "perspective", "order"], name="objective_map_idx"),
        ]
        ordering = ["period_id", "perspective", "order", "id"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")

    def __str__(self) -> str:
        return self.name



class ObjectiveLink(TenantOwned):
    """A cause → effect arrow between two objectives of the same period (no self-links, no cycles)."""

    cause = models.ForeignKey(
        Objective, verbose_name=_("cause"), on_delete=models.CASCADE, related_name="effect_links"
    )
    effect = models.ForeignKey(
        Objective, verbose_name=_("effect"), on_delete=models.CASCADE, related_name="cause_links"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "cause", "effect"], name="objectivelink_unique"),
            models.CheckConstraint(condition=~Q(cause=F("effect")), name="objectivelink_no_self"),
        ]
        ordering = ["id"]
        verbose_name = _("cause–effect link")
        verbose_name_plural = _("cause–effect links")

    def __str__(self) -> str:
        return f"{self.cause_id} → {self.effect_id}"

    def clean(self) -> None:
        cause = self.cause if self.cause_id else None
        effect = self.effect if self.effect_id else None
        if cause is not None and effect is not None:
            if cause.pk == effect.pk:
                raise ValidationError({"effect": _("An objective cannot cause itself.")})
            if cause.period_id != effect.period_id:
                raise ValidationError({"effect": _("Both objectives must belong to the same period.")})


class KPI(TenantOwned, LockVersioned):
    """A key performance indicator of the tenant's KPI library."""

    objects = StampedManager()

    class Direction(models.TextChoices):
        HIGHER_BETTER = "higher_better", _("Higher is better")
        LOWER_BETTER = "lower_better", _("Lower is better")

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        YEARLY = "yearly", _("Yearly")

    class Aggregation(models.TextChoices):
        """How quarter and year values derive from monthly measurements."""

        SUM = "sum", _("Sum")
        AVERAGE = "average", _("Average")
        LAST = "last", _("Last value")

    code = models.CharField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit of measure"), max_length=30, blank=True)
    direction = models.CharField(
        _("direction"), max_length=20, choices=Direction.choices, default=Direction.HIGHER_BETTER
    )
    perspective = models.CharField(_("perspective"), max_length=20, choices=Perspective.choices)
    owner_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("owner unit"), on_delete=models.PROTECT, related_name="+"
    )
    is_collaborative = models.BooleanField(
        _("collaborative"),
        default=False,
        help_text=_("A cross-department KPI that several units answer for together."),
    )
    cap = models.DecimalField(
        _("cap"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1.20"),
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Highest achievement ratio counted (1.2 = 120 %)."),
    )
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    aggregation = models.CharField(
        _("aggregation"),
        max_length=10,
        choices=Aggregation.choices,
        default=Aggregation.SUM,
        help_text=_("How quarter and year values are derived from monthly measurements."),
    )
    data_source = models.CharField(_("data source"), max_length=300, blank=True)
    process_tag = models.CharField(
        _("end-to-end process"), max_length=30, choices=ProcessTag.choices, blank=True
    )
    objective = models.ForeignKey(
        Objective,
        verbose_name=_("objective"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="kpis",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="kpi_unique_code"),
            models.CheckConstraint(condition=Q(cap__gt=0), name="kpi_cap_positive"),
        ]
        indexes = [
            models.Index(fields=["tenant", "is_active", "perspective"], name="kpi_active_persp_idx"),
            models.Index(fields=["tenant", "owner_unit"], name="kpi_owner_idx"),
            models.Index(fields=["tenant", "process_tag"], name="kpi_process_idx"),
        ]
        ordering = ["code"]
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Goal(TenantOwned, LockVersioned):
    """A node of a period's decomposition tree: an org unit (or one of its positions) holds a KPI with a
    weight among its siblings. `path` ("/1/4/9/") and `depth` are materialised like OrgUnit's."""

    objects = StampedManager()

    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="goals"
    )
    position = models.ForeignKey(
        Position,
        verbose_name=_("position"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="goals",
    )
    kpi = models.ForeignKey(KPI, verbose_name=_("KPI"), on_delete=models.PROTECT, related_name="goals")
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Weight among its siblings, in percent."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    path = models.CharField(max_length=1000, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=0) & Q(weight__lte=100), name="goal_weight_range"),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="goal_not_own_parent"),
        ]
        indexes = [
            models.Index(fields=["tenant", "period", "path"], name="goal_period_path_idx"),
            models.Index(fields=["tenant", "period", "parent"], name="goal_period_parent_idx"),
            models.Index(fields=["tenant", "period", "kpi"], name="goal_period_kpi_idx"),
            models.Index(fields=["tenant", "period", "org_unit"], name="goal_period_unit_idx"),
        ]
        ordering = ["path"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return f"{self.org_unit_id}:{self.kpi_id}"

    def clean(self) -> None:
        parent = self.parent if self.parent_id else None
        position = self.position if self.position_id else None
        org_unit = self.org_unit if self.org_unit_id else None
        if parent is not None:
            if self.pk is not None and parent.pk == self.pk:
                raise ValidationError({"parent": _("A goal cannot be its own parent.")})
            if self.pk is not None and f"/{self.pk}/" in (parent.path or ""):
                raise ValidationError({"parent": _("A goal cannot move under its own descendant.")})
            if self.period_id and parent.period_id != self.period_id:
                raise ValidationError({"parent": _("The parent goal belongs to another period.")})
        if position is not None and org_unit is not None and position.org_unit_id != org_unit.pk:
            raise ValidationError({"position": _("The position must belong to the goal's org unit.")})

    @property
    def is_position_goal(self) -> bool:
        return self.position_id is not None


class Measurement(TenantOwned, LockVersioned):
    """The one agreed target and actual of a KPI for a period (every department sees the same number)."""

    objects = StampedManager()

    kpi = models.ForeignKey(KPI, verbose_name=_("KPI"), on_delete=models.PROTECT, related_name="measurements")
    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="+")
    target = models.DecimalField(_("target"), max_digits=20, decimal_places=4)
    actual = models.DecimalField(_("actual"), max_digits=20, decimal_places=4, null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords(bases=[TenantHistoryBase], history_manager=TenantHistoryManager)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "kpi", "period"], name="measurement_unique_kpi_period"),
        ]
        # A period's measurements, by KPI: the API's order (keyset pages, collab.keyset).
        indexes = [models.Index(fields=["tenant", "period", "kpi", "id"], name="measurement_period_kpi_idx")]
        ordering = ["kpi_id", "period_id"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")

    def __str__(self) -> str:
        return f"{self.kpi_id}@{self.period_id}"
