"""API of the scorecards, routed by interlock/urls.py.

`/api/v1/t/<slug>/scorecards/`               list (filters: period=<id>, status=draft|published,
                                             kind=unit|position), create {period, org_unit | position,
                                             review_weight?, lines?}
`/api/v1/t/<slug>/scorecards/<id>/`          retrieve (with lines, weight sum, collaborative share), update /
                                             partial update {lock_version, review_weight?, lines?}
`POST …/scorecards/<id>/publish/`            {lock_version} → the scorecard and `warnings` (a collaborative
                                             share under the tenant's minimum warns, never refuses)
`POST …/scorecards/<id>/unpublish/`          {lock_version}

Lines: {kpi, role: own|shared|reference, weight, threshold?}; own + shared weights add up to 100 to
publish; reference lines weigh 0 and carry a threshold. Line errors are keyed "lines-<index>-<field>".
Foreign keys are TenantRelatedFields (another tenant's id reads as missing). A stale `lock_version` answers
409 with who changed the scorecard and when; nothing is written. HR admins write; managers, committee
members and auditors read.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from collab.concurrency import UNSET, user_label
from collab.models import ALL_BUT_EMPLOYEES, OrgUnit, Period, Position
from collab.routing.fields import (
    LockVersionField,
    RowsField,
    StrictWriteMixin,
    TenantRelatedField,
    lock_version_of,
    nested_rows,
    validated_body,
)
from collab.routing.ids import id_param
from collab.routing.viewsets import TenantViewSet
from goals.models import KPI
from interlock.access import access_scorecard_by_id
from interlock.models import LineRole, Scorecard, ScorecardLine
from interlock.services.scorecards.cards import (
    scorecard_create,
    scorecard_publish,
    scorecard_save,
    scorecard_unpublish,
)


class ScorecardLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kpi = TenantRelatedField(queryset=KPI.objects)
    kpi_code = serializers.CharField(source="kpi.code", read_only=True)
    role = serializers.ChoiceField(choices=LineRole.choices)
    weight = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
        allow_null=True,
        default=None,
    )
    threshold = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        min_value=0,
        max_value=1000,
        required=False,
        allow_null=True,
        default=None,
    )


class ScorecardSerializer(serializers.ModelSerializer):
    period = TenantRelatedField(queryset=Period.objects)
    period_label = serializers.CharField(source="period.label", read_only=True)
    org_unit = TenantRelatedField(queryset=OrgUnit.objects, required=False, allow_null=True)
    position = TenantRelatedField(queryset=Position.objects, required=False, allow_null=True)
    review_weight = serializers.DecimalField(
        max_digits=4, decimal_places=3, min_value=0, max_value=1, required=False, default=Decimal("0")
    )
    subject = serializers.CharField(source="subject_key", read_only=True)
    lines = ScorecardLineSerializer(many=True, read_only=True)
    weight_total = serializers.SerializerMethodField()
    collaborative_share = serializers.SerializerMethodField()
    lock_version = LockVersionField()
    updated_by = serializers.SerializerMethodField()

    class Meta:
        model = Scorecard
        fields = [
            "id", "period", "period_label", "org_unit", "position", "subject", "review_weight", "status",
            "collaborative_warning", "published_at", "weight_total", "collaborative_share", "lines",
            "lock_version", "updated_by", "updated_at", "created_at",
        ]  # fmt: skip
        read_only_fields = [
            "id", "status", "collaborative_warning", "published_at", "updated_at", "created_at",
        ]  # fmt: skip
        validators: list = []

    def _sums(self, obj) -> tuple[Decimal, Decimal]:
        lines = list(obj.lines.all())
        total = sum((ln.weight for ln in lines if ln.role != LineRole.REFERENCE), Decimal("0"))
        shared = sum((ln.weight for ln in lines if ln.role == LineRole.SHARED), Decimal("0"))
        return total, shared

    def get_weight_total(self, obj) -> Decimal:
        return self._sums(obj)[0]

    def get_collaborative_share(self, obj) -> Decimal:
        return self._sums(obj)[1]

    def get_updated_by(self, obj) -> str:
        return user_label(obj.updated_by)


class ScorecardCreateSerializer(StrictWriteMixin, serializers.Serializer):
    """A new scorecard: its period and subject (a unit or a position), optionally its weight and lines."""

    shown_by = ScorecardSerializer
    period = TenantRelatedField(queryset=Period.objects)
    org_unit = TenantRelatedField(queryset=OrgUnit.objects, required=False, allow_null=True)
    position = TenantRelatedField(queryset=Position.objects, required=False, allow_null=True)
    review_weight = serializers.DecimalField(
        max_digits=4, decimal_places=3, min_value=0, max_value=1, required=False, default=Decimal("0")
    )
    lines = RowsField(ScorecardLineSerializer, required=False)


class ScorecardUpdateSerializer(StrictWriteMixin, serializers.Serializer):
    """A save of the scorecard: its period and subject do not change (a 400 when sent)."""

    shown_by = ScorecardSerializer
    lock_version = LockVersionField(required=True)
    review_weight = serializers.DecimalField(
        max_digits=4, decimal_places=3, min_value=0, max_value=1, required=False
    )
    lines = RowsField(ScorecardLineSerializer)


class LockSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = ScorecardSerializer
    refuse_unknown = True
    lock_version = LockVersionField(required=True)


class ScorecardSavedSerializer(ScorecardSerializer):
    warnings = serializers.ListField(
        child=serializers.CharField(), read_only=True,
        help_text="Why the scorecard may need a second look (e.g. a collaborative share under the minimum).",
    )

    class Meta(ScorecardSerializer.Meta):
        fields = [*ScorecardSerializer.Meta.fields, "warnings"]


def scorecard_queryset():
    lines = ScorecardLine.objects.select_related("kpi").order_by("order", "id")
    return Scorecard.objects.select_related("period", "updated_by").prefetch_related(
        Prefetch("lines", queryset=lines)
    )


@extend_schema_view(
    list=extend_schema(parameters=[
        OpenApiParameter("period", OpenApiTypes.INT),
        OpenApiParameter("status", OpenApiTypes.STR, enum=Scorecard.Status.values),
        OpenApiParameter("kind", OpenApiTypes.STR, enum=["unit", "position"]),
    ]),
    create=extend_schema(request=ScorecardCreateSerializer, responses={201: ScorecardSerializer}),
    update=extend_schema(request=ScorecardUpdateSerializer, responses=ScorecardSavedSerializer),
    partial_update=extend_schema(request=ScorecardUpdateSerializer, responses=ScorecardSavedSerializer),
)
class ScorecardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    serializer_class = ScorecardSerializer
    read_roles = ALL_BUT_EMPLOYEES

    def get_queryset(self):
        queryset = scorecard_queryset().order_by("period_id", "id")
        if self.action != "list":
            return queryset
        params = self.request.query_params
        errors: dict = {}
        period = id_param(self.request, "period", errors)
        if period is not None:
            queryset = queryset.filter(period_id=period)
        state = params.get("status", "")
        if state:
            if state not in Scorecard.Status.values:
                errors["status"] = [
                    _("Choose one of: %(choices)s.") % {"choices": ", ".join(Scorecard.Status.values)}
                ]
            else:
                queryset = queryset.filter(status=state)
        kind = params.get("kind", "")
        if kind == "unit":
            queryset = queryset.filter(org_unit__isnull=False)
        elif kind == "position":
            queryset = queryset.filter(position__isnull=False)
        elif kind:
            errors["kind"] = [_("Choose one of: unit, position.")]
        if errors:
            raise exceptions.ValidationError(errors)
        return queryset

    def get_object(self):
        """The one door to a scorecard by id (`access_scorecard_by_id`): missing and foreign ids are 404."""
        write = self.request.method not in SAFE_METHODS
        return access_scorecard_by_id(self.request.membership, self.kwargs.get("pk"), write=write)

    def _respond(self, card, code=status.HTTP_200_OK, warnings=None):
        data = dict(ScorecardSerializer(scorecard_queryset().get(pk=card.pk)).data)
        if warnings is not None:
            data["warnings"] = [str(w) for w in warnings]
        return Response(data, status=code)

    def create(self, request, *args, **kwargs):
        data = validated_body(self, ScorecardCreateSerializer)
        lines = nested_rows(self, ScorecardLineSerializer, "lines", required=False)
        card = scorecard_create(
            actor=request.user, period=data["period"], org_unit=data.get("org_unit"),
            position=data.get("position"), review_weight=data.get("review_weight", Decimal("0")),
            lines=[] if lines is UNSET else lines,
        )  # fmt: skip
        return self._respond(card, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        card = self.get_object()
        partial = kwargs.get("partial", False)
        data = validated_body(self, ScorecardUpdateSerializer, partial=partial)
        version = lock_version_of(request)
        lines = nested_rows(self, ScorecardLineSerializer, "lines", required=not partial)
        rho = data.get("review_weight", UNSET)
        result = scorecard_save(actor=request.user, scorecard=card, lock_version=version,
                                         review_weight=rho, lines=lines)  # fmt: skip
        return self._respond(result.scorecard, warnings=result.warnings)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(request=LockSerializer, responses={200: ScorecardSavedSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, *args, **kwargs):
        card = self.get_object()
        version = validated_body(self, LockSerializer)["lock_version"]
        result = scorecard_publish(actor=request.user, scorecard=card, lock_version=version)
        return self._respond(result.scorecard, warnings=result.warnings)

    @extend_schema(request=LockSerializer, responses={200: ScorecardSerializer})
    @action(detail=True, methods=["post"])
    def unpublish(self, request, *args, **kwargs):
        card = self.get_object()
        version = validated_body(self, LockSerializer)["lock_version"]
        saved = scorecard_unpublish(actor=request.user, scorecard=card, lock_version=version)
        return self._respond(saved)
