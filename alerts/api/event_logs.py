"""API of event logs (process mining), routed by alerts/urls.py.

`/api/v1/t/<slug>/event-logs/`                 list (newest first), create: multipart {file, name?, process?,
                                               naive_zone?} → 201 (CSV/Excel: waiting for the mapping, which
                                               is guessed from the headers) or 202 (XES: the import is queued)
`/api/v1/t/<slug>/event-logs/<id>/`            retrieve (with the analysis once imported), delete
`/api/v1/t/<slug>/event-logs/<id>/mapping/`    POST {case, activity, timestamp, start_timestamp?, unit?,
                                               resource?, lifecycle?, process?} → 202 with the import's job
`/api/v1/t/<slug>/event-logs/<id>/cases/`      the log's cases (?variant=N), paged

Managers, committee members, auditors and HR admins read; HR admins upload, map and delete.
"""

from __future__ import annotations

import re

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from alerts.access import EVENT_LOG_READERS, EVENT_LOG_WRITERS, access_event_log_by_id
from alerts.models import EventLog, EventLogCase, Process
from alerts.selectors.event_logs import event_logs, log_cases
from alerts.services.event_logs import MAX_FILE_BYTES, event_log_delete, event_log_map, event_log_upload
from collab.routing.fields import StrictWriteMixin, TenantRelatedField, validated_body
from collab.routing.viewsets import TenantViewSet

ID_PATH = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


class EventLogSerializer(serializers.ModelSerializer):
    process_name = serializers.CharField(source="process.name", read_only=True, allow_null=True, default=None)
    mapping = serializers.JSONField(
        read_only=True, help_text="{columns: {field: header}, encoding}: how CSV/Excel columns are read."
    )
    headers = serializers.ListField(child=serializers.CharField(), read_only=True)
    errors = serializers.ListField(
        child=serializers.DictField(), read_only=True,
        help_text="The rows that failed the import: {row, field, message} (row 1: the header; 0: the file).",
    )  # fmt: skip
    analysis = serializers.JSONField(
        read_only=True, allow_null=True,
        help_text="What mining found (null until imported): summary, edges (directly-follows, with "
        "median/mean/p90 seconds), start_activities, end_activities, variants, rework, handovers, "
        "service_waiting, conformance (null without designed stages).",
    )  # fmt: skip

    class Meta:
        model = EventLog
        fields = [
            "id", "name", "process", "process_name", "file_name", "file_format", "file_size", "headers",
            "mapping", "naive_zone", "status", "job", "events", "cases", "activities", "first_at", "last_at",
            "errors", "error_total", "analysis", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class EventLogListSerializer(EventLogSerializer):
    class Meta(EventLogSerializer.Meta):
        fields = [f for f in EventLogSerializer.Meta.fields if f not in ("analysis", "errors")]
        read_only_fields = fields


class EventLogUploadSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = EventLogSerializer
    file = serializers.FileField(help_text=f"CSV, Excel (.xlsx) or XES (.xes, .xes.gz); at most "
                                 f"{MAX_FILE_BYTES // 2**20} MB.")  # fmt: skip
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    process = TenantRelatedField(queryset=Process.objects, required=False, allow_null=True, default=None)
    naive_zone = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="",
        help_text="The time zone of timestamps written without an offset (default: the tenant's).",
    )  # fmt: skip


class EventLogMappingSerializer(StrictWriteMixin, serializers.Serializer):
    refuse_unknown = True
    case = serializers.CharField(max_length=255)
    activity = serializers.CharField(max_length=255)
    timestamp = serializers.CharField(max_length=255)
    start_timestamp = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    unit = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    resource = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    lifecycle = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    process = TenantRelatedField(queryset=Process.objects, required=False, allow_null=True)


class EventLogCaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = EventLogCase
        fields = [
            "id", "case", "events", "started", "ended", "duration_seconds", "first_activity", "last_activity",
            "last_unit", "variant", "fitness", "follows_design",
        ]  # fmt: skip
        read_only_fields = fields


JOB_ACCEPTED = {"job": serializers.IntegerField(), "url": serializers.CharField()}


@extend_schema_view(
    list=extend_schema(responses=EventLogListSerializer(many=True)),
    create=extend_schema(
        request={"multipart/form-data": EventLogUploadSerializer},
        responses={201: EventLogSerializer, 202: EventLogSerializer},
        description="201: a CSV or Excel log waiting for its column mapping; 202: an XES log, import queued.",
    ),
)
class EventLogViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    serializer_class = EventLogSerializer
    parser_classes = [MultiPartParser]
    read_roles = EVENT_LOG_READERS
    write_roles = EVENT_LOG_WRITERS

    def get_queryset(self):
        return event_logs()

    def get_serializer_class(self):
        return EventLogListSerializer if self.action == "list" else EventLogSerializer

    def get_object(self):
        write = self.request.method not in SAFE_METHODS
        return access_event_log_by_id(self.request.membership, self.kwargs.get("pk"), write=write)

    def create(self, request, *args, **kwargs):
        data = validated_body(self, EventLogUploadSerializer)
        upload = data["file"]
        log = event_log_upload(
            actor=request.user, name=data["name"], file_name=upload.name, data=upload.read(),
            process=data["process"], naive_zone=data["naive_zone"] or None,
        )  # fmt: skip
        code = status.HTTP_202_ACCEPTED if log.job_id else status.HTTP_201_CREATED
        return Response(EventLogSerializer(log, context=self.get_serializer_context()).data, status=code)

    def destroy(self, request, *args, **kwargs):
        event_log_delete(actor=request.user, event_log=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=EventLogMappingSerializer, parameters=[ID_PATH],
        responses={202: inline_serializer("EventLogImportAccepted", JOB_ACCEPTED)},
    )  # fmt: skip
    @action(
        detail=True, methods=["post"], parser_classes=[JSONParser], serializer_class=EventLogMappingSerializer
    )
    def mapping(self, request, *args, **kwargs):
        """Map the columns of a CSV or Excel log waiting for it; its import is queued."""
        log = self.get_object()
        data = validated_body(self, EventLogMappingSerializer)
        extra = {"process": data["process"]} if "process" in data else {}
        columns = {field: value for field, value in data.items() if field != "process"}
        log = event_log_map(actor=request.user, event_log=log, columns=columns, **extra)
        url = reverse("api-job-detail", kwargs={"tenant_slug": request.tenant.slug, "pk": log.job_id})
        return Response({"job": log.job_id, "url": url}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        parameters=[
            ID_PATH, OpenApiParameter("variant", OpenApiTypes.INT, description="0: the most frequent one"),
        ],
        responses=EventLogCaseSerializer(many=True),
    )  # fmt: skip
    @action(detail=True, methods=["get"], serializer_class=EventLogCaseSerializer)
    def cases(self, request, *args, **kwargs):
        log = self.get_object()
        variant = _variant(request.query_params.get("variant", ""))
        page = self.paginate_queryset(log_cases(log, variant=variant))
        return self.get_paginated_response(EventLogCaseSerializer(page, many=True).data)


def _variant(text: str) -> int | None:
    if text == "":
        return None
    if not re.fullmatch(r"[0-9]{1,7}", text):
        raise serializers.ValidationError({"variant": ["Enter a whole number, 0 or more."]})
    return int(text)
