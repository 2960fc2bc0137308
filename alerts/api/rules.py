"""API of alert rules, routed by alerts/urls.py.

`/api/v1/t/<slug>/alert-rules/`                    list (filter: kpi), create {kpi, kind, severity?, …}
`/api/v1/t/<slug>/alert-rules/<id>/`               retrieve (with its state), update / partial update
                                                   {lock_version, …} and delete (?lock_version=N)
`/api/v1/t/<slug>/alert-rules/<id>/reset/`         POST {}: a broken rule evaluates again
`/api/v1/t/<slug>/alert-rules/<id>/evaluations/`   GET: its evaluations, the latest first (paged)

Every member reads; HR admins write. A rule's KPI is fixed once made.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from alerts.access import RULE_WRITERS, access_alert_rule_by_id
from alerts.models import AlertRule, Evaluation, ProcessKpi, RuleState
from alerts.selectors.alerts import rule_evaluations, rules
from alerts.services import rules as services
from alerts.services.rules import RULE_FIELDS
from collab.routing.fields import (
    LockVersionField,
    StrictWriteMixin,
    TenantRelatedField,
    lock_version_of,
    validated_body,
)
from collab.routing.ids import id_param
from collab.routing.viewsets import TenantViewSet


class RuleStateSerializer(serializers.ModelSerializer):
    recent = serializers.ListField(child=serializers.BooleanField(), read_only=True)
    last_outcome = serializers.CharField(
        read_only=True, help_text="The last evaluation's outcome; blank before."
    )

    class Meta:
        model = RuleState
        fields = ["state", "recent", "firing", "normal_streak", "consecutive_errors", "last_bucket",
                  "last_outcome", "last_evaluated_at", "last_notified_at"]  # fmt: skip
        read_only_fields = fields


class AlertRuleSerializer(serializers.ModelSerializer):
    state = RuleStateSerializer(read_only=True)
    lock_version = LockVersionField()

    class Meta:
        model = AlertRule
        fields = ["id", "kpi", *RULE_FIELDS, "state", "lock_version", "updated_at", "created_at"]
        read_only_fields = ["id", "kpi", *RULE_FIELDS, "state", "updated_at", "created_at"]


def _writable(required: bool) -> dict[str, serializers.Field]:
    """The parameters' write fields, from the model's own validators."""
    fields = {}
    for name in RULE_FIELDS:
        field = AlertRule._meta.get_field(name)
        extra = {} if name == "kind" and required else {"required": False}
        if field.choices:
            fields[name] = serializers.ChoiceField(choices=field.choices, **extra)
        elif name == "is_active":
            fields[name] = serializers.BooleanField(**extra)
        else:
            bounds = {}
            for validator in field.validators:
                key = {"MinValueValidator": "min_value", "MaxValueValidator": "max_value"}.get(
                    type(validator).__name__
                )
                if key:
                    bounds[key] = validator.limit_value
            if name == "cooldown_minutes":
                bounds.setdefault("min_value", 0)
            kind = serializers.FloatField if name == "threshold_z" else serializers.IntegerField
            fields[name] = kind(**bounds, **extra)
    return fields


class AlertRuleCreateSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = AlertRuleSerializer
    kpi = TenantRelatedField(queryset=ProcessKpi.objects)
    locals().update(_writable(required=True))


class AlertRuleUpdateSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = AlertRuleSerializer
    immutable_fields = ("kpi",)
    lock_version = LockVersionField(required=True)
    locals().update(_writable(required=False))


class EmptySerializer(StrictWriteMixin, serializers.Serializer):
    refuse_unknown = True


class EvaluationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evaluation
        fields = ["id", "at", "bucket", "value", "expected", "lower", "upper", "score", "outcome", "severity",
                  "state_before", "state_after", "detail", "alert"]  # fmt: skip
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("kpi", OpenApiTypes.INT, description="A KPI id.")]),
    create=extend_schema(request=AlertRuleCreateSerializer, responses={201: AlertRuleSerializer}),
    update=extend_schema(request=AlertRuleUpdateSerializer, responses=AlertRuleSerializer),
    partial_update=extend_schema(request=AlertRuleUpdateSerializer, responses=AlertRuleSerializer),
)
class AlertRuleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    serializer_class = AlertRuleSerializer
    write_roles = RULE_WRITERS

    def get_queryset(self):
        return rules(kpi=id_param(self.request, "kpi") if self.action == "list" else None)

    def get_object(self):
        write = self.request.method not in ("GET", "HEAD", "OPTIONS")
        return access_alert_rule_by_id(self.request.membership, self.kwargs.get("pk"), write=write)

    def _respond(self, rule, code=status.HTTP_200_OK):
        fresh = rules().get(pk=rule.pk)
        return Response(AlertRuleSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        data = validated_body(self, AlertRuleCreateSerializer)
        kpi = data.pop("kpi")
        rule = services.alert_rule_create(actor=request.user, kpi=kpi, data=data)
        return self._respond(rule, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        rule = self.get_object()
        data = validated_body(self, AlertRuleUpdateSerializer, partial=kwargs.get("partial", False))
        data.pop("lock_version", None)
        version = lock_version_of(request)
        saved = services.alert_rule_update(actor=request.user, rule=rule, lock_version=version,
                                           data=data)  # fmt: skip
        return self._respond(saved)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        rule = self.get_object()
        services.alert_rule_delete(actor=request.user, rule=rule, lock_version=lock_version_of(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=EmptySerializer, responses={200: AlertRuleSerializer})
    @action(detail=True, methods=["post"])
    def reset(self, request, *args, **kwargs):
        rule = self.get_object()
        validated_body(self, EmptySerializer)
        services.alert_rule_reset(actor=request.user, rule=rule)
        return self._respond(rule)

    @extend_schema(responses={200: EvaluationSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def evaluations(self, request, *args, **kwargs):
        rule = self.get_object()
        page = self.paginate_queryset(rule_evaluations(rule))
        return self.get_paginated_response(EvaluationSerializer(page, many=True).data)
