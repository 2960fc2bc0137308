"""The goal serializer and the query strings and request bodies of the goals API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from collab.models import OrgUnit, Period, Position
from collab.routing.fields import ForeignIdNotFound, LockVersionField, StrictWriteMixin, TenantRelatedField
from collab.routing.ids import MAX_ID
from goals.models import KPI, Goal


def _weight(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, **kwargs)


def _id(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class GoalSerializer(StrictWriteMixin, serializers.ModelSerializer):
    period = TenantRelatedField(queryset=Period.objects)
    parent = TenantRelatedField(queryset=Goal.objects, allow_null=True, required=False)
    org_unit = TenantRelatedField(queryset=OrgUnit.objects)
    position = TenantRelatedField(queryset=Position.objects, allow_null=True, required=False)
    kpi = TenantRelatedField(queryset=KPI.objects)
    weight = _weight(required=False)
    lock_version = LockVersionField()
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    position_title = serializers.CharField(
        source="position.title", read_only=True, default=None, allow_null=True
    )
    kpi_code = serializers.CharField(source="kpi.code", read_only=True)
    kpi_name = serializers.CharField(source="kpi.name", read_only=True)
    collaborative = serializers.BooleanField(source="kpi.is_collaborative", read_only=True)

    class Meta:
        model = Goal
        fields = [
            "id", "period", "parent", "org_unit", "org_unit_name", "position", "position_title", "kpi",
            "kpi_code", "kpi_name", "collaborative", "weight", "order", "path", "depth", "lock_version",
            "updated_at",
        ]
        read_only_fields = ["id", "order", "path", "depth", "updated_at"]
        validators: list = []


class GoalFilters(serializers.Serializer):
    period = _id(required=False)
    parent = _id(required=False)
    kpi = _id(required=False)
    org_unit = _id(required=False)
    root = serializers.ChoiceField(choices=["yes", "no"], required=False, allow_blank=True)


class TreeParams(serializers.Serializer):
    period = _id()
    root = _id(required=False)


class TraceParams(serializers.Serializer):
    period = _id()
    kpi = _id(required=False)
    goal = _id(required=False)

    def validate(self, attrs):
        if not attrs.get("kpi") and not attrs.get("goal"):
            raise serializers.ValidationError({"kpi": [_("Give a KPI (or a goal) to trace.")]})
        return attrs


class MoveSerializer(StrictWriteMixin, serializers.Serializer):
    refuse_unknown = True
    parent = TenantRelatedField(queryset=Goal.objects, allow_null=True)
    weight = _weight(required=False)
    lock_version = LockVersionField(required=True)


class ReweightSerializer(StrictWriteMixin, serializers.Serializer):
    refuse_unknown = True
    weights = serializers.DictField(
        child=_weight(),
        allow_empty=False,
    )

    def validate_weights(self, value):
        for key in value:
            if not str(key).isdigit() or len(str(key)) > 18:
                raise serializers.ValidationError(_("Keys are goal ids."))
        ids = {int(key) for key in value}
        if Goal.objects.filter(pk__in=ids).count() != len(ids):  # a bulk id list: missing or not ours, 404
            raise ForeignIdNotFound("weights")
        return value


class PublishSerializer(StrictWriteMixin, serializers.Serializer):
    refuse_unknown = True
    period = TenantRelatedField(queryset=Period.objects)


class CopySerializer(StrictWriteMixin, serializers.Serializer):
    refuse_unknown = True
    source = TenantRelatedField(queryset=Period.objects)
    target = TenantRelatedField(queryset=Period.objects)
