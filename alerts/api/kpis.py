"""API of process KPIs and their points, routed by alerts/urls.py.

`/api/v1/t/<slug>/process-kpis/`              list (filters: process, stage), create {stage, code, name,
                                              unit_label?, granularity?, direction, amber?, red?,
                                              description?, is_active?}
`/api/v1/t/<slug>/process-kpis/<id>/`         retrieve (with the latest point and its static health),
                                              update / partial update {lock_version, …}, delete
                                              (?lock_version=N; its points go with it)
`/api/v1/t/<slug>/process-kpis/<id>/points/`  the KPI's points in time order, keyset-paged (?from=&to=)
`/api/v1/t/<slug>/process-kpis/<id>/series/`  the latest buckets with the expected band and the verdict on
                                              the latest point (what the KPI page draws)
`/api/v1/t/<slug>/process-kpis/points/`       POST {"points": [{kpi, at, value}, …]}: upsert, all or
                                              nothing (errors "points-<i>-<field>"), → {created, updated,
                                              unchanged}

Every member reads; HR admins write.
"""

from __future__ import annotations

import datetime as dt

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from alerts.access import access_process_kpi_by_id
from alerts.models import Granularity, KpiDirection, PointSource, ProcessKpi, ProcessKpiPoint, ProcessStage
from alerts.selectors.kpis import kpi_health, kpi_points, process_kpis, series_verdict
from alerts.services import kpis as services
from alerts.services.kpi_checks import KPI_FIELDS, MAX_POINTS
from collab.routing.fields import (
    ForeignIdNotFound,
    LockVersionField,
    StrictWriteMixin,
    TenantRelatedField,
    flat_list_errors,
    lock_version_of,
    validated_body,
)
from collab.routing.ids import id_param
from collab.routing.viewsets import TenantViewSet

HEALTH = ["no_data", "none", "green", "amber", "red"]
STATUS = ["verdict", "too_short", "no_value", "day_off"]


def _line(**kwargs):
    return serializers.DecimalField(
        max_digits=20, decimal_places=6, required=False, allow_null=True, **kwargs
    )


class LatestPointSerializer(serializers.Serializer):
    at = serializers.DateField()
    value = serializers.DecimalField(max_digits=20, decimal_places=6)
    health = serializers.ChoiceField(choices=HEALTH, help_text="Static health against the amber/red lines.")


class ProcessKpiSerializer(serializers.ModelSerializer):
    process = serializers.IntegerField(source="stage.process_id", read_only=True)
    stage_name = serializers.CharField(source="stage.name", read_only=True)
    latest = serializers.SerializerMethodField()
    lock_version = LockVersionField()

    class Meta:
        model = ProcessKpi
        fields = [
            "id", "process", "stage", "stage_name", "code", "name", "unit_label", "granularity", "direction",
            "amber", "red", "description", "is_active", "latest", "lock_version", "updated_at", "created_at",
        ]  # fmt: skip
        read_only_fields = [name for name in fields if name != "lock_version"]

    @extend_schema_field(LatestPointSerializer(allow_null=True))
    def get_latest(self, kpi) -> dict | None:
        at, value = getattr(kpi, "latest_at", None), getattr(kpi, "latest_value", None)
        if at is None:
            return None
        return LatestPointSerializer({"at": at, "value": value, "health": kpi_health(kpi, value)}).data


class ProcessKpiCreateSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = ProcessKpiSerializer
    stage = TenantRelatedField(queryset=ProcessStage.objects)
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=200)
    unit_label = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    granularity = serializers.ChoiceField(
        choices=Granularity.choices, required=False, default=Granularity.MONTHLY
    )
    direction = serializers.ChoiceField(choices=KpiDirection.choices)
    amber = _line(default=None, help_text="Amber line, on the bad side (none for direction 'both').")
    red = _line(default=None, help_text="Red line: at or beyond amber on the bad side.")
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    is_active = serializers.BooleanField(required=False, default=True)


class ProcessKpiUpdateSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = ProcessKpiSerializer
    lock_version = LockVersionField(required=True)
    stage = TenantRelatedField(queryset=ProcessStage.objects, required=False)
    code = serializers.CharField(max_length=40, required=False)
    name = serializers.CharField(max_length=200, required=False)
    unit_label = serializers.CharField(max_length=20, required=False, allow_blank=True)
    granularity = serializers.ChoiceField(choices=Granularity.choices, required=False)
    direction = serializers.ChoiceField(choices=KpiDirection.choices, required=False)
    amber = _line()
    red = _line()
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class ProcessKpiPointSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProcessKpiPoint
        fields = ["at", "value", "source", "recorded_at"]
        read_only_fields = fields


class PreloadedKpiField(TenantRelatedField):
    """`TenantRelatedField` over the KPIs the view read once for the whole batch (`context["kpis"]`), so
    10,000 rows cost one query, not 10,000."""

    def to_internal_value(self, data):
        preloaded = self.context.get("kpis")
        if preloaded is None or isinstance(data, bool) or not isinstance(data, int):
            return super().to_internal_value(data)
        found = preloaded.get(data)
        if found is None:
            raise ForeignIdNotFound(self.field_name)
        return found


class PointWriteSerializer(StrictWriteMixin, serializers.Serializer):
    refuse_unknown = True
    kpi = PreloadedKpiField(queryset=ProcessKpi.objects)
    at = serializers.DateField(
        help_text="The bucket's first day: the day; a Monday (weekly); the 1st (monthly)."
    )
    value = serializers.DecimalField(max_digits=20, decimal_places=6)


class PointsBodySerializer(StrictWriteMixin, serializers.Serializer):
    refuse_unknown = True
    points = serializers.ListField(child=PointWriteSerializer(), min_length=1, max_length=MAX_POINTS)


POINTS_WRITTEN = inline_serializer(
    "ProcessKpiPointsWritten",
    {"created": serializers.IntegerField(), "updated": serializers.IntegerField(),
     "unchanged": serializers.IntegerField()},
)  # fmt: skip


def _bucket_fields() -> dict:
    number = {
        name: serializers.FloatField(allow_null=True) for name in ("value", "expected", "lower", "upper")
    }
    return {
        "at": serializers.DateField(), **number, "flagged": serializers.BooleanField(),
        "status": serializers.ChoiceField(choices=STATUS),
    }  # fmt: skip


SERIES = inline_serializer(
    "ProcessKpiSeries",
    {
        "health": serializers.ChoiceField(choices=HEALTH),
        "latest": inline_serializer("ProcessKpiVerdict", {
            **_bucket_fields(), "score": serializers.FloatField(allow_null=True),
            "missing": serializers.IntegerField(help_text="Points a verdict still needs (0: enough)."),
            "history": serializers.IntegerField(),
        }, allow_null=True),
        "buckets": inline_serializer("ProcessKpiBucket", _bucket_fields(), many=True),
    },
)  # fmt: skip


def _day_param(request, name: str, errors: dict) -> dt.date | None:
    text = request.query_params.get(name, "")
    if not text:
        return None
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    errors[name] = ["Enter a date like 2026-11-01."]
    return None


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("process", OpenApiTypes.INT),
                                   OpenApiParameter("stage", OpenApiTypes.INT)]),
    create=extend_schema(request=ProcessKpiCreateSerializer, responses={201: ProcessKpiSerializer}),
    update=extend_schema(request=ProcessKpiUpdateSerializer, responses=ProcessKpiSerializer),
    partial_update=extend_schema(request=ProcessKpiUpdateSerializer, responses=ProcessKpiSerializer),
)  # fmt: skip
class ProcessKpiViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    serializer_class = ProcessKpiSerializer

    def get_queryset(self):
        if self.action != "list":
            return process_kpis()
        errors: dict = {}
        ids = {name: id_param(self.request, name, errors) for name in ("process", "stage")}
        if errors:
            raise exceptions.ValidationError(errors)
        queryset = process_kpis()
        if ids["process"] is not None:
            queryset = queryset.filter(stage__process_id=ids["process"])
        if ids["stage"] is not None:
            queryset = queryset.filter(stage_id=ids["stage"])
        return queryset.order_by("id")  # the keyset pager's order: the primary key serves it

    def get_object(self):
        write = self.request.method not in SAFE_METHODS
        return access_process_kpi_by_id(self.request.membership, self.kwargs.get("pk"), write=write)

    def _respond(self, kpi, code=status.HTTP_200_OK):
        fresh = process_kpis().get(pk=kpi.pk)
        return Response(ProcessKpiSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        return self._respond(self.get_object())

    def create(self, request, *args, **kwargs):
        data = validated_body(self, ProcessKpiCreateSerializer)
        kpi = services.process_kpi_create(actor=request.user, data=data)
        return self._respond(kpi, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        kpi = self.get_object()
        data = validated_body(self, ProcessKpiUpdateSerializer, partial=kwargs.get("partial", False))
        saved = services.process_kpi_update(
            actor=request.user, kpi=kpi, lock_version=lock_version_of(request),
            data={k: v for k, v in data.items() if k in KPI_FIELDS},
        )  # fmt: skip
        return self._respond(saved)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        kpi = self.get_object()
        services.process_kpi_delete(actor=request.user, kpi=kpi, lock_version=lock_version_of(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[OpenApiParameter("from", OpenApiTypes.DATE), OpenApiParameter("to", OpenApiTypes.DATE)],
        responses=ProcessKpiPointSerializer(many=True),
    )
    @action(detail=True, methods=["get"], url_path="points", url_name="points")
    def points(self, request, *args, **kwargs):
        """The KPI's points in time order (keyset-paged); `from` and `to` bound `at` (inclusive)."""
        kpi = self.get_object()
        errors: dict = {}
        start, end = _day_param(request, "from", errors), _day_param(request, "to", errors)
        if errors:
            raise exceptions.ValidationError(errors)
        page = self.paginate_queryset(kpi_points(kpi, start=start, end=end))
        return self.get_paginated_response(ProcessKpiPointSerializer(page, many=True).data)

    @extend_schema(responses=SERIES)
    @action(detail=True, methods=["get"], url_path="series", url_name="series")
    def series(self, request, *args, **kwargs):
        """The latest buckets (at most 156) with the expected band, and the verdict on the latest point."""
        verdict = series_verdict(self.get_object())
        buckets = [{**bucket, "at": bucket["at"].isoformat()} for bucket in verdict.buckets]
        latest = verdict.latest and {**verdict.latest, "at": verdict.latest["at"].isoformat()}
        return Response({"health": verdict.health, "latest": latest, "buckets": buckets})

    @extend_schema(request=PointsBodySerializer, responses=POINTS_WRITTEN)
    @action(detail=False, methods=["post"], url_path="points", url_name="points-write")
    def points_write(self, request, *args, **kwargs):
        """Write many points at once: a point of a stored (kpi, at) replaces its value. All or nothing."""
        body = request.data
        if not hasattr(body, "get"):
            raise exceptions.ValidationError({"non_field_errors": ["Send a JSON object."]})
        unknown = [name for name in body if name != "points"]
        if unknown:
            raise exceptions.ValidationError({name: ["This field cannot be set here."] for name in unknown})
        rows = body.get("points")
        if not isinstance(rows, list):
            raise exceptions.ValidationError({"points": ["Give the points as a list."]})
        if not rows or len(rows) > MAX_POINTS:
            raise exceptions.ValidationError({"points": [f"Send from 1 to {MAX_POINTS} points."]})
        kpi_values = [row.get("kpi") for row in rows if isinstance(row, dict)]
        ids = {pk for pk in kpi_values if isinstance(pk, int) and not isinstance(pk, bool)}
        context = {**self.get_serializer_context(), "kpis": ProcessKpi.objects.in_bulk(ids)}
        serializer = PointWriteSerializer(data=rows, many=True, context=context)
        try:
            valid = serializer.is_valid()
        except ForeignIdNotFound:
            known = context["kpis"]
            for index, row in enumerate(rows):
                pk = row.get("kpi") if isinstance(row, dict) else None
                if isinstance(pk, int) and not isinstance(pk, bool) and pk not in known:
                    raise ForeignIdNotFound(f"points-{index}-kpi") from None
            raise
        if not valid:  # with the service's findings on the same rows: one answer names every problem
            errors = services.kpi_points_errors(rows)
            errors.update(flat_list_errors("points", serializer.errors))
            raise exceptions.ValidationError(errors)
        written = services.kpi_points_write(
            actor=request.user, kpi_rows=serializer.validated_data, source=PointSource.API
        )
        counts = {"created": written.created, "updated": written.updated, "unchanged": written.unchanged}
        return Response(counts)
