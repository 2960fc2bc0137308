"""Interlocked scorecards (动态互锁), their computed snapshots and background jobs.

A `Scorecard` belongs to exactly one subject (an org unit or a position) for a period, with a review
weight ρ and lines: own and shared lines carry weights (100 in all to publish), reference lines carry
weight 0 and a threshold. The same KPI may be a line of any number of scorecards (double counting).
`ScoreSnapshot` rows are what the engine computed for a (tenant, period): a recompute writes a complete
new version and deletes the older ones in one transaction, so readers always see one whole version.
"""

from __future__ import annotations

import operator
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from collab.concurrency import LockVersioned
from collab.models import OrgUnit, Period, Position
from collab.tenancy import TenantOwned
from interlock.engine import BREAKDOWN_LAYOUTS

SUBJECT_UNIT, SUBJECT_POSITION = "unit", "position"


def subject_key(*, org_unit_id: int | None = None, position_id: int | None = None) -> str:
    """The one string naming a subject ("unit:7", "position:12"), used by snapshots and the engine."""
    if (org_unit_id is None) == (position_id is None):
        raise ValueError("a subject is exactly one of an org unit and a position")
    return f"{SUBJECT_UNIT}:{org_unit_id}" if org_unit_id is not None else f"{SUBJECT_POSITION}:{position_id}"


class Scorecard(TenantOwned, LockVersioned):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    position = models.ForeignKey(
        Position,
        verbose_name=_("position"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="+")
    review_weight = models.DecimalField(
        _("review weight ρ"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("Share of the internal-customer review in the base score (0–1)."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Set at publish when the shared lines weigh less than the tenant's minimum collaborative share.
    collaborative_warning = models.BooleanField(_("collaborative share below minimum"), default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(org_unit__isnull=False) & Q(position__isnull=True))
                | (Q(org_unit__isnull=True) & Q(position__isnull=False)),
                name="scorecard_one_subject",
            ),
            models.UniqueConstraint(
                fields=["tenant", "period", "org_unit"],
                condition=Q(org_unit__isnull=False),
                name="scorecard_unique_unit",
            ),
            models.UniqueConstraint(
                fields=["tenant", "period", "position"],
                condition=Q(position__isnull=False),
                name="scorecard_unique_position",
            ),
            models.CheckConstraint(
                condition=Q(review_weight__gte=0) & Q(review_weight__lte=1), name="scorecard_rho_range"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "period", "status"], name="scorecard_period_status_idx"),
            # The list's order in a period (keyset pages, interlock.selectors.scorecards.scorecard_search).
            models.Index(
                fields=["tenant", "period", "org_unit", "position", "id"], name="scorecard_list_idx"
            ),
        ]
        ordering = ["period_id", "id"]
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")

    def __str__(self) -> str:
        return f"{self.subject_key}@{self.period_id}"

    @property
    def subject_key(self) -> str:
        return subject_key(org_unit_id=self.org_unit_id, position_id=self.position_id)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class LineRole(models.TextChoices):
    OWN = "own", _("Own")
    SHARED = "shared", _("Shared")
    REFERENCE = "reference", _("Reference")


class ScorecardLine(TenantOwned):
    scorecard = models.ForeignKey(
        Scorecard, verbose_name=_("scorecard"), on_delete=models.CASCADE, related_name="lines"
    )
    kpi = models.ForeignKey("goals.KPI", verbose_name=_("KPI"), on_delete=models.PROTECT, related_name="+")
    weight = models.DecimalField(
        _("weight %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    role = models.CharField(_("role"), max_length=10, choices=LineRole.choices, default=LineRole.OWN)
    threshold = models.DecimalField(
        _("threshold"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Reference lines: a KPI score under this raises a special review."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "scorecard", "kpi"], name="scorecardline_unique_kpi"),
            models.CheckConstraint(
                condition=Q(weight__gte=0) & Q(weight__lte=100), name="scorecardline_weight_range"
            ),
            models.CheckConstraint(
                condition=~Q(role="reference") | Q(weight=0), name="scorecardline_reference_weightless"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["own", "shared", "reference"]), name="scorecardline_role_valid"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "kpi"], name="scorecardline_kpi_idx")]
        ordering = ["scorecard_id", "order", "id"]
        verbose_name = _("scorecard line")
        verbose_name_plural = _("scorecard lines")

    def __str__(self) -> str:
        return f"{self.scorecard_id}:{self.kpi_id} {self.role} {self.weight}"


def breakdown_line_keys(document) -> tuple | list | None:
    """The line keys of a compact stored breakdown: its layout's ({"k": n, "r": …}, written by the
    recompute) or its own ({"c": keys, "r": …}); None for anything else (a plain list of rows)."""
    if not (isinstance(document, dict) and "r" in document):
        return None
    if "k" in document:
        return BREAKDOWN_LAYOUTS[document["k"]]
    return document.get("c")


def compact_rows(value):
    """The stored form of a breakdown (see `CompactRowsJSONField`): the line rows' keys once, each line row
    as a list. Anything else (no line rows, rows of different shapes) is stored as it is."""
    if not (isinstance(value, list) and value and all(isinstance(row, dict) for row in value)):
        return value
    lines = [row for row in value if row.get("kind") == "line"]
    if not lines:
        return value
    keys = [key for key in lines[0] if key != "kind"]
    shape = ["kind", *keys]
    if not all(list(row) == shape for row in lines):
        return value
    pick = operator.itemgetter(*keys) if len(keys) > 1 else (lambda row: (row[keys[0]],))
    return {"c": keys, "r": [list(pick(row)) if row.get("kind") == "line" else row for row in value]}


class CompactRowsJSONField(models.JSONField):
    """A JSON list of row dicts stored compactly: the keys of the "line" rows once, each line row as a list.

    A period's recompute writes 20,000 breakdowns of ~10 line rows each; spelling every key in every row
    made the documents ~2.3× larger. Stored as {"k": layout, "r": [[line values] | {other row}, …]} (the
    recompute writes this text itself: `interlock.engine` `breakdown_documents`, `BREAKDOWN_LAYOUTS`) or
    {"c": [line keys], "r": …} (ORM writes, through `compact_rows`); read back as the same list of dicts,
    so readers never see the difference. Plain lists (rows written before) read as they are.

    On PostgreSQL the column is `json`, not `jsonb`: the text is stored as written (validated, not
    re-encoded, and under the 2 kB at which PostgreSQL starts compressing a row), which made the
    recompute's INSERT 1.5–2× faster (busy machine, noisy); nothing queries inside a breakdown (flags stay
    jsonb: they are searched). psycopg2 hands `json`
    values over parsed, so `from_db_value` takes text or parsed values.
    """

    def db_type(self, connection):
        return "json" if connection.vendor == "postgresql" else super().db_type(connection)

    def get_prep_value(self, value):
        return super().get_prep_value(compact_rows(value))

    def from_db_value(self, value, expression, connection):
        if isinstance(value, str | bytes | bytearray):
            value = super().from_db_value(value, expression, connection)
        keys = breakdown_line_keys(value)
        if keys is not None:
            return [
                {"kind": "line", **dict(zip(keys, row, strict=True))} if isinstance(row, list) else row
                for row in value["r"]
            ]
        return value


class ScoreSnapshot(TenantOwned):
    """One subject's computed score for a period: one live row per (period, subject), stamped with the
    `version` of the recompute that last changed it.

    A recompute writes only what changed (`interlock.services.score_writes`): it compares the `digest` of
    each row it would write with the stored one, inserts new subjects, updates changed rows in place (new
    version, new `computed_at`), deletes vanished subjects and leaves every unchanged row alone. A first
    recompute still writes a whole period (20,000 rows in the benchmark), so every index and constraint
    costs:
    - only the indexes reads use exist. Every read filters by tenant and period (the unique constraint's
      index), by tenant and subject (`scoresnapshot_subject_idx`) or by scorecard (its foreign-key index);
      the ranking pages in its order (`scoresnapshot_rank_idx`: a page is an index range, not a sort);
      the tenant, period, unit and position foreign keys carry no index of their own (their rare cascade
      deletes, which Django runs, scan the table);
    - those four keys are no database constraints either (Django defers those checks to COMMIT: 80,000
      of them, 0.4 s of a recompute). The recompute writes them from rows it reads in the same transaction,
      with the period row locked: the tenant is the scope's, and the period, units and positions are held
      by the published scorecards (PROTECT). The scorecard key stays a constraint: a scorecard can go."""

    tenant = models.ForeignKey(
        "collab.Tenant",
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
        db_index=False,
        db_constraint=False,
    )
    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    scorecard = models.ForeignKey(
        Scorecard, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(max_length=40)  # subject_key(): "unit:7" | "position:12"
    org_unit = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    position = models.ForeignKey(
        Position,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    version = models.PositiveIntegerField()
    total = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    kpi_part = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    review_part = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    review_weight = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0"))  # ρ as counted
    points = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal("0"))
    # Decimals (breakdown values, "27.00") are stored as strings, exactly.
    flags = models.JSONField(default=list, blank=True, encoder=DjangoJSONEncoder)
    breakdown = CompactRowsJSONField(default=list, blank=True, encoder=DjangoJSONEncoder)
    incomplete = models.BooleanField(default=False)
    computed_at = models.DateTimeField()
    # Hash of the stored columns as the recompute serialised them (not version/computed_at): what it compares
    # to decide whether a row changed, read as (subject, digest) without reading the documents.
    digest = models.CharField(max_length=32, default="", blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "period", "subject", "version"], name="scoresnapshot_unique_version"
            ),
        ]
        # The unique constraint's index (tenant, period, subject, version) serves a period's rows, its
        # latest version and the delete of older versions; this one a subject's scores across periods.
        # The ranking and the scores list read a period's rows best total first (no total last) a page at a
        # time from `scoresnapshot_rank_idx` (keyset paging, collab.keyset); NULLS LAST: see migration 0009.
        indexes = [
            models.Index(fields=["tenant", "subject", "period"], name="scoresnapshot_subject_idx"),
            models.Index(  # no total last, as the list shows it (NULLS LAST: see its migration)
                # Declared without NULLS LAST, which SQLite refuses whenever it rebuilds the table: the
                # index itself is migration 0009's, NULLS LAST on PostgreSQL (SQLite's DESC puts NULLs last).
                "tenant", "period", F("total").desc(), "subject", "id",
                name="scoresnapshot_rank_idx",
            ),
        ]
        ordering = ["period_id", "subject", "-version"]
        verbose_name = _("score snapshot")
        verbose_name_plural = _("score snapshots")

    def __str__(self) -> str:
        return f"{self.subject}@{self.period_id} v{self.version}: {self.total}"


class MatrixRowResult(TenantOwned):
    """One responsibility-matrix row's scores in a period, as the period's last recompute computed them:
    the row's share, contribution, responsibility points (责任得分) and shortfall, with its matrix's composite
    index and its KPI's score beside it (the same on every row of a matrix).

    One row per (period, matrix, rank); the recompute compares what it computed with what is stored and
    inserts, updates (new `version`) or deletes only the rows that differ; a partial recompute refreshes the
    matrices its KPIs reach (`interlock.services.score_writes`). Dashboards and the
    API read them (`interlock.selectors.dashboards.common.matrix_scores`) and never score measurements per
    request; a period not recomputed yet has none. `matrix` is the version in effect when it was computed.
    Keys are no database constraints (a computed copy, rewritten from rows read in the same transaction);
    floats are stored as the engine computed them, so pages and API show the very same numbers."""

    tenant = models.ForeignKey(
        "collab.Tenant",
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
        db_index=False,
        db_constraint=False,
    )
    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    matrix = models.ForeignKey(
        "responsibility.ResponsibilityMatrix",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    rank = models.PositiveIntegerField()  # the row's place in its matrix (the matrix's row order)
    row_id = models.BigIntegerField(null=True, blank=True)  # the MatrixRow it was computed from
    kpi = models.ForeignKey(
        "goals.KPI", on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    role = models.CharField(max_length=20)
    share = models.FloatField()
    eval_kpi = models.ForeignKey(
        "goals.KPI",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    contribution = models.FloatField(null=True, blank=True)
    responsibility_points = models.FloatField(null=True, blank=True)
    shortfall = models.FloatField(null=True, blank=True)
    composite = models.FloatField(null=True, blank=True)  # the matrix's
    kpi_score = models.FloatField(null=True, blank=True)  # the matrix KPI's score in the period
    version = models.PositiveIntegerField()  # the version of the recompute that last changed it
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "period", "matrix", "rank"], name="matrixrowresult_matrix_idx"),
            models.Index(fields=["tenant", "period", "org_unit"], name="matrixrowresult_unit_idx"),
        ]
        ordering = ["period_id", "matrix_id", "rank"]
        verbose_name = _("matrix row result")
        verbose_name_plural = _("matrix row results")

    def __str__(self) -> str:
        return f"matrix {self.matrix_id} unit {self.org_unit_id}@{self.period_id}: {self.contribution}"


class ScoredPeriod(TenantOwned):
    """Which periods have scores, as the recompute left them: one row per tenant and period while it has
    at least one snapshot, with the version and time of the recompute that last changed a stored result of
    the period (a recompute that changes nothing leaves it, and every result, as it was). The recompute
    writes (or, when it leaves the period without snapshots, deletes) it in the transaction that writes
    the snapshots (`interlock.services.scores.scores_recompute`), so it never disagrees with them; pages
    and the API ask it "which periods have scores" with a small indexed read instead of a DISTINCT over
    every snapshot of the tenant (`interlock.selectors.dashboards.common.own_scored_period_ids`). Periods
    scored before it existed are filled in after `migrate` (`scores_backfill_after_migrate`)."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()  # changes iff a stored result (snapshot or matrix row) changed
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "period"], name="scoredperiod_unique_period")
        ]
        ordering = ["period_id"]
        verbose_name = _("scored period")
        verbose_name_plural = _("scored periods")

    def __str__(self) -> str:
        return f"period {self.period_id} scored v{self.version}"


class UnitKpiLines(TenantOwned):
    """A unit's scorecard lines on one KPI in a period, as the period's recompute left them: the line of
    the unit's own scorecard (role, weight, score, value) when it has one, and how many lines on the KPI
    the unit's scorecards — its own and its positions' — count, how many of them score under
    `DRAG_BELOW` and their sum.

    What the collaboration view shows per unit and KPI, so that it never parses a breakdown per request
    (`interlock.selectors.dashboards.collaboration`): written by the recompute
    (`interlock.services.collaboration.unit_kpi_lines_write`) in its transaction — a full recompute
    brings the period's rows up to date, a partial one the rows of the units whose scorecards it reached,
    writing only rows whose numbers changed (updated in place; fillfactor 50, migration 0012). Matrix
    participation (role, share, contribution) is `MatrixRowResult`'s. Keys are no database constraints (a
    computed copy, like `MatrixRowResult`); a deleted unit's rows go with it (Django's cascade)."""

    tenant = models.ForeignKey(
        "collab.Tenant",
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
        db_index=False,
        db_constraint=False,
    )
    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    kpi = models.ForeignKey(
        "goals.KPI", on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    # The unit's own scorecard's line on the KPI (blank when only its positions' scorecards count it).
    has_unit_line = models.BooleanField(default=False)
    line_role = models.CharField(max_length=20, blank=True)
    weight = models.FloatField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # Every line on the KPI in the unit's scorecards and its positions'.
    lines = models.PositiveIntegerField(default=0)
    low_lines = models.PositiveIntegerField(default=0)  # scoring under DRAG_BELOW
    low_sum = models.FloatField(default=0.0)  # the sum of those lines' scores
    version = models.PositiveIntegerField()  # the snapshot version of the recompute that wrote it
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "period", "org_unit", "kpi"], name="unitkpilines_unique_unit_kpi"
            )
        ]
        indexes = [models.Index(fields=["tenant", "period", "kpi"], name="unitkpilines_kpi_idx")]
        ordering = ["period_id", "kpi_id", "org_unit_id"]
        verbose_name = _("unit KPI lines")
        verbose_name_plural = _("unit KPI lines")

    def __str__(self) -> str:
        return f"unit {self.org_unit_id} KPI {self.kpi_id}@{self.period_id}: {self.lines} lines"
