"""API of computed scores and background jobs, routed by interlock/urls.py.

`/api/v1/t/<slug>/scores/`            list (filters: period=<id>, kind=unit|position, q, flag=<code>,
                                      incomplete=yes|no; by period, best total first, keyset pages:
                                      `?cursor=`), retrieve (with the explained breakdown)
`/api/v1/t/<slug>/scores/recompute/`  POST {"period": <id>} (HR admin) → 202 {"job": id, "url": …}
`/api/v1/t/<slug>/jobs/`              list (filters: status, kind), retrieve (progress 0–100)
`/api/v1/t/<slug>/unit-matrix-scores/<unit id>/?period=<id>`  the responsibility matrices in effect that
                                      give the unit a row: every row's contribution, responsibility points
                                      (责任得分) and shortfall,
                                      each matrix's composite, the unit's shortfall total — the numbers of
                                      the department dashboard, from its selector and under its access rule,
                                      as the period's last recompute stored them (`computed`: false before)

Every member reads jobs and the scores `interlock.access` lets them read (the review part is never shown
below the anonymity threshold: the engine leaves it out). Only HR admins start a recompute; a closed period
is refused (400).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from collab.jobs import job_message, job_progress
from collab.models import ALL_BUT_EMPLOYEES, ALL_ROLES, Job, OrgUnit, Period, Role
from collab.page_cache import cached_value
from collab.routing.fields import StrictWriteMixin, TenantRelatedField
from collab.routing.ids import id_param
from collab.routing.viewsets import TenantViewSet
from collab.selectors.org import holder_unit_names, repeated_unit_names
from collab.selectors.periods import periods_ordered
from interlock.access import may_read_unit, own_unit, readable_snapshots, sees_all_units
from interlock.models import ScoreSnapshot
from interlock.recompute import scores_recompute_request
from interlock.selectors.dashboards import results_stamp, unit_dashboard
from interlock.selectors.scores import (
    FLAG_FILTERS,
    explain,
    explain_data,
    snapshot_queryset,
    snapshot_search,
    subject_label,
)


class ScoreSerializer(serializers.ModelSerializer):
    subject_name = serializers.SerializerMethodField()
    period_label = serializers.CharField(source="period.label", read_only=True)

    class Meta:
        model = ScoreSnapshot
        fields = [
            "id", "period", "period_label", "subject", "subject_name", "org_unit", "position", "scorecard",
            "version", "total", "kpi_part", "review_part", "review_weight", "points", "incomplete", "flags",
            "computed_at",
        ]  # fmt: skip
        read_only_fields = fields
        extra_kwargs = {
            "points": {
                "help_text": "Approved bonus/penalty points (加减分) counted in the total, clamped to ± the "
                "tenant's cap. Not the responsibility points (责任得分) of a matrix row."
            }
        }

    def get_subject_name(self, obj) -> str:
        if "repeated_units" not in self.context:  # once per response (a list: its page), not per row
            listed = isinstance(self.parent, serializers.ListSerializer) and self.parent.instance is not None
            shown = self.parent.instance if listed else [obj]
            self.context["repeated_units"] = repeated_unit_names(holder_unit_names(shown))
        return subject_label(obj, self.context["repeated_units"])


class ScoreDetailSerializer(ScoreSerializer):
    breakdown = serializers.SerializerMethodField(
        help_text="Lines (KPI, actual, target, score, weight, contribution, matrix role and share), the "
        "review part (or why it is hidden: `hidden_reason` as the engine stored it, `missing_reason` as "
        "of now — `no_campaign`, `campaign_open` with `open_campaign_deadline`, or `below_threshold`) and "
        "the approved bonus/penalty points; the contributions add up to `total`."
    )

    class Meta(ScoreSerializer.Meta):
        fields = [*ScoreSerializer.Meta.fields, "breakdown"]
        read_only_fields = fields

    def get_breakdown(self, obj) -> dict:
        return explain_data(explain(obj))


class RecomputeSerializer(StrictWriteMixin, serializers.Serializer):
    refuse_unknown = True
    period = TenantRelatedField(queryset=Period.objects)


def _yes_no(request, name: str, errors: dict):
    raw = request.query_params.get(name, "")
    if raw == "":
        return None
    if raw not in ("yes", "no"):
        errors[name] = ["Choose yes or no."]
        return None
    return raw == "yes"


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("period", OpenApiTypes.INT),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=["", "unit", "position"]),
    OpenApiParameter("q", OpenApiTypes.STR, description="Subject name contains (at most 100 characters)."),
    OpenApiParameter("flag", OpenApiTypes.STR, enum=["", *FLAG_FILTERS]),
    OpenApiParameter("incomplete", OpenApiTypes.STR, enum=["", "yes", "no"]),
]))
class ScoreViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    read_roles = ALL_ROLES
    write_roles = frozenset({Role.HR_ADMIN})

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ScoreDetailSerializer
        if self.action == "recompute":
            return RecomputeSerializer
        return ScoreSerializer

    def get_queryset(self):
        request = self.request
        return readable_snapshots(self._snapshots(), membership=request.membership, user=request.user)

    def list(self, request, *args, **kwargs):
        """A page of the list changes only with the stored results: its data is cached under their stamp,
        whose scores the reader may read and the whole address (filters, cursor) (`collab.page_cache`)."""
        reader = "all" if sees_all_units(request.membership) else request.user.pk
        data = cached_value(
            request,
            page="api:scores",
            stamp=results_stamp(),
            vary=(reader, request.build_absolute_uri()),
            compute=lambda: super(ScoreViewSet, self).list(request, *args, **kwargs).data,
        )
        return Response(data)

    def _snapshots(self):
        if self.action != "list":
            return snapshot_queryset()
        errors: dict = {}
        period = id_param(self.request, "period", errors)
        kind = self.request.query_params.get("kind", "")
        if kind not in ("", "unit", "position"):
            errors["kind"] = ["Choose unit or position."]
        flag = self.request.query_params.get("flag", "")
        if flag and flag not in FLAG_FILTERS:
            errors["flag"] = [f"Choose one of: {', '.join(FLAG_FILTERS)}."]
        incomplete = _yes_no(self.request, "incomplete", errors)
        q = self.request.query_params.get("q", "")
        if "\x00" in q or len(q) > 100:
            errors["q"] = ["Enter at most 100 characters."]
        if errors:
            raise exceptions.ValidationError(errors)
        return snapshot_search(period=period, kind=kind, q=q.strip(), flag=flag, incomplete=incomplete)

    @extend_schema(
        request=RecomputeSerializer,
        responses={
            202: inline_serializer(
                "RecomputeAccepted", {"job": serializers.IntegerField(), "url": serializers.CharField()}
            ),
            400: OpenApiResponse(description="Field errors (a missing, foreign or closed period)."),
        },
    )
    @action(detail=False, methods=["post"], url_path="recompute")
    def recompute(self, request, *args, **kwargs):
        serializer = RecomputeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        period = serializer.validated_data["period"]
        job = scores_recompute_request(period=period, reason="manual", actor=request.user, force=True)
        if job is None:
            raise exceptions.ValidationError(
                {"period": [_("The period %(period)s is closed and read-only.") % {"period": period.label}]}
            )
        url = reverse("api-job-detail", kwargs={"tenant_slug": request.tenant.slug, "pk": job.pk})
        return Response({"job": job.pk, "url": url}, status=status.HTTP_202_ACCEPTED)


class JobSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    result = serializers.JSONField(
        read_only=True, allow_null=True, help_text="What the finished job produced (null until it ends)."
    )
    error = serializers.CharField(read_only=True, help_text="Why the job failed (empty unless it failed).")
    heartbeat = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When the running attempt last showed it was alive; a running job whose heartbeat stops "
        "for about a minute is requeued and resumed.",
    )
    attempts = serializers.IntegerField(
        read_only=True, help_text="How many times a worker started the job (more than 1: retried or resumed)."
    )
    resumed_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When the job was last resumed after the worker running it stopped (null: never).",
    )

    message = serializers.SerializerMethodField(
        help_text="What the job says, in the reader's language (Accept-Language or their chosen language)."
    )
    message_code = serializers.CharField(
        read_only=True,
        help_text="The message's stable code (e.g. scores_written, scores_unchanged, "
        "scores_written_on_close, skipped_period_closed, retrying, gave_up); blank when the text has none "
        "(an error's own text).",
    )
    message_params = serializers.JSONField(
        read_only=True, help_text="The values the message names, by placeholder (e.g. {\"n\": 12})."
    )

    class Meta:
        model = Job
        fields = [
            "id", "kind", "key", "status", "progress", "message", "message_code", "message_params", "result",
            "error", "created_at", "started_at", "finished_at", "heartbeat", "attempts", "resumed_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_progress(self, obj) -> int:
        return job_progress(obj)

    def get_message(self, obj) -> str:
        return job_message(obj)


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("status", OpenApiTypes.STR, enum=["", *Job.Status.values]),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=["", *Job.Kind.values]),
]))
class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    read_roles = ALL_ROLES
    serializer_class = JobSerializer

    def get_queryset(self):
        jobs = Job.objects.order_by("-created_at", "-id")
        if self.action != "list":
            return jobs
        wanted = self.request.query_params.get("status", "")
        if wanted and wanted not in Job.Status.values:
            raise exceptions.ValidationError({"status": [f"Choose one of: {', '.join(Job.Status.values)}."]})
        kind = self.request.query_params.get("kind", "")
        if kind and kind not in Job.Kind.values:
            raise exceptions.ValidationError({"kind": [f"Choose one of: {', '.join(Job.Kind.values)}."]})
        if wanted:
            jobs = jobs.filter(status=wanted)
        if kind:
            jobs = jobs.filter(kind=kind)
        return jobs


# ----- the responsibility-matrix numbers of the department dashboard
def _figure(**kwargs):
    return serializers.FloatField(allow_null=True, **kwargs)


class MatrixRowScoreSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit.pk")
    unit_name = serializers.CharField(source="unit.name")
    is_self = serializers.BooleanField(help_text="The row of the unit asked about.")
    role = serializers.CharField(help_text="lead, collaborating or support")
    share = serializers.FloatField(help_text="The row's share of the KPI, in %.")
    eval_kpi = serializers.CharField(help_text="The evaluation KPI's label, or empty.")
    contribution = _figure(help_text="The unit's contribution score for this row (0–cap).")
    responsibility_points = _figure(
        help_text="Responsibility points (责任得分): share × contribution / 100. Not the approved "
        "bonus/penalty points (加减分) of a score's `points`."
    )
    shortfall = _figure(help_text="share × (100 − min(contribution, 100)) / 100.")


class UnitMatrixSerializer(serializers.Serializer):
    matrix = serializers.IntegerField()
    kpi = serializers.IntegerField(source="kpi.pk")
    kpi_label = serializers.CharField(source="kpi.label")
    kpi_score = _figure(help_text="The KPI's score in the period.")
    composite = _figure(
        help_text="The matrix's composite index: Σ share × contribution / 100 (null while a row has no data)."
    )
    rows = MatrixRowScoreSerializer(many=True)


class UnitMatrixScoresSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    period = serializers.IntegerField()
    computed = serializers.BooleanField(
        help_text="False before the period's first recompute: the matrix scores are not computed yet (and "
        "`matrices` is empty). They are never scored on request."
    )
    computed_at = serializers.DateTimeField(
        allow_null=True, help_text="When the recompute that computed these numbers ran (null: none yet)."
    )
    shortfall_total = serializers.FloatField(help_text="The unit's responsibility shortfall carried.")
    matrices = UnitMatrixSerializer(many=True)


class UnitMatrixParams(serializers.Serializer):
    period = TenantRelatedField(queryset=Period.objects)


class UnitMatrixScoresViewSet(TenantViewSet):
    """The department dashboard's matrix numbers: HR, committee members and auditors read every unit, a
    manager their own unit and the units below it (the page's rule)."""

    read_roles = ALL_BUT_EMPLOYEES
    serializer_class = UnitMatrixScoresSerializer

    @extend_schema(parameters=[UnitMatrixParams], responses=UnitMatrixScoresSerializer)
    def retrieve(self, request, *args, **kwargs):
        unit = OrgUnit.objects.filter(pk=kwargs["pk"]).first()
        if unit is None:
            raise exceptions.NotFound()
        if not may_read_unit(request.membership, unit, own_unit(request.user)):
            raise exceptions.PermissionDenied(_("You may read your own unit and the units below it."))
        params = UnitMatrixParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        period = params.validated_data["period"]
        data = unit_dashboard(unit, period, periods_ordered())
        return Response(UnitMatrixScoresSerializer({
            "unit": unit.pk,
            "period": period.pk,
            "computed": data["matrices_computed"],
            "computed_at": data["matrices_computed_at"],
            "shortfall_total": data["shortfall_total"],
            "matrices": data["shared"],
        }).data)


