"""API of alerts, routed by alerts/urls.py.

`/api/v1/t/<slug>/alerts/`                     list (filters: status — firing, acknowledged, resolved or
                                               open —, process, severity), the latest first
`/api/v1/t/<slug>/alerts/<id>/`                retrieve, with its events
`/api/v1/t/<slug>/alerts/<id>/acknowledge/`    POST {comment}: a firing alert acknowledged (escalation stops)
`/api/v1/t/<slug>/alerts/<id>/resolve/`        POST {comment}: resolved by hand
`/api/v1/t/<slug>/alerts/<id>/not-an-anomaly/` POST {comment?}: labelled for tuning

Every member reads; every member who writes (not auditors) acts on alerts.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from alerts.access import ALERT_ACTORS, access_alert_by_id
from alerts.models import Alert, AlertEvent, AlertStatus, Severity
from alerts.selectors.alerts import alert_detail_queryset, alert_page, alerts
from alerts.services import alert_actions
from collab.routing.fields import StrictWriteMixin, validated_body
from collab.routing.ids import id_param
from collab.routing.viewsets import TenantViewSet

STATUS_FILTER = ["", "open", *AlertStatus.values]


class AlertEventSerializer(serializers.ModelSerializer):
    actor = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = AlertEvent
        fields = ["kind", "at", "actor", "comment"]
        read_only_fields = fields


class AlertSerializer(serializers.ModelSerializer):
    process_name = serializers.CharField(source="process.name", read_only=True)
    stage_name = serializers.CharField(source="stage.name", read_only=True)
    kpi_code = serializers.CharField(source="kpi.code", read_only=True)
    kpi_name = serializers.CharField(source="kpi.name", read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id", "rule", "kpi", "kpi_code", "kpi_name", "stage", "stage_name", "process", "process_name",
            "status", "severity", "opened_at", "bucket", "value", "notified_at", "acknowledged_by",
            "acknowledged_at", "ack_comment", "resolved_at", "resolved_by", "resolve_comment",
            "escalation_level", "next_escalation_at", "not_anomaly", "lock_version",
        ]  # fmt: skip
        read_only_fields = fields


class AlertDetailSerializer(AlertSerializer):
    events = AlertEventSerializer(many=True, read_only=True)

    class Meta(AlertSerializer.Meta):
        fields = [*AlertSerializer.Meta.fields, "events"]
        read_only_fields = fields


class AlertCommentSerializer(StrictWriteMixin, serializers.Serializer):
    refuse_unknown = True
    comment = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


@extend_schema_view(
    list=extend_schema(parameters=[
        OpenApiParameter("status", OpenApiTypes.STR, enum=STATUS_FILTER),
        OpenApiParameter("process", OpenApiTypes.INT, description="A process id."),
        OpenApiParameter("severity", OpenApiTypes.STR, enum=["", *Severity.values]),
    ]),
    retrieve=extend_schema(responses=AlertDetailSerializer),
)  # fmt: skip
class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    serializer_class = AlertSerializer
    write_roles = ALERT_ACTORS

    def get_queryset(self):
        if self.action != "list":
            return alert_detail_queryset()
        params = self.request.query_params
        errors: dict[str, list[str]] = {}
        for name, allowed in (("status", STATUS_FILTER), ("severity", ["", *Severity.values])):
            value = params.get(name, "")
            if value not in allowed:
                errors[name] = [f"Select a valid choice. {value[:40]!r} is not one of the available choices."]
        process = id_param(self.request, "process", errors)
        if errors:
            raise exceptions.ValidationError(errors)
        return alerts(status=params.get("status", ""), process=process, severity=params.get("severity", ""))

    def get_serializer_class(self):
        return AlertDetailSerializer if self.action == "retrieve" else AlertSerializer

    def get_object(self):
        write = self.request.method not in ("GET", "HEAD", "OPTIONS")
        return access_alert_by_id(self.request.membership, self.kwargs.get("pk"), write=write)

    def _act(self, request, service):
        alert = self.get_object()
        comment = validated_body(self, AlertCommentSerializer)["comment"]
        service(actor=request.user, alert=alert, comment=comment)
        return Response(AlertDetailSerializer(alert_page(alert), context=self.get_serializer_context()).data)

    @extend_schema(request=AlertCommentSerializer, responses={200: AlertDetailSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, *args, **kwargs):
        return self._act(request, alert_actions.alert_acknowledge)

    @extend_schema(request=AlertCommentSerializer, responses={200: AlertDetailSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request, *args, **kwargs):
        return self._act(request, alert_actions.alert_resolve)

    @extend_schema(request=AlertCommentSerializer, responses={200: AlertDetailSerializer})
    @action(detail=True, methods=["post"], url_path="not-an-anomaly")
    def not_an_anomaly(self, request, *args, **kwargs):
        return self._act(request, alert_actions.alert_mark_not_anomaly)
