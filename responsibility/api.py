"""API of the responsibility matrices, routed by responsibility/urls.py.

`/api/v1/t/<slug>/matrices/`                 list (filters: kpi=<id>, period=<id>: the versions in effect
                                             for that period), create {kpi, effective_from, note?, rows}
`/api/v1/t/<slug>/matrices/<id>/`            retrieve (with rows), update/partial update
                                             {lock_version, rows?, note?}: corrects this version in place
`GET /api/v1/t/<slug>/matrices/effective-periods/?kpi=<id>`  the periods a new version of that KPI's
                                             matrix (no kpi: a first version) may take effect from, each with
                                             `allowed`, the `reason` when not, and `kept`: the closed periods
                                             under it that keep their scores (the save's own rule)
`POST /api/v1/t/<slug>/matrices/<id>/new-version/`  {lock_version, effective_from, rows, note?} → 201, the
                                             new version (earlier periods keep the version they had)

Rows: {org_unit, role: lead|collaborating|support, share, contribution_dimension?, evaluation_kpi?,
evaluation_method?}; exactly one lead, shares adding up to 100. Errors are JSON field errors; a row's are
keyed "rows-<index>-<field>" (index from 0), whole-matrix rules "rows". Foreign keys are TenantRelatedFields:
another tenant's id reads exactly like a missing one. A stale `lock_version` answers 409 with who changed
the matrix and when (`StaleEditError.as_dict()`), and nothing is written. HR admins write; managers,
committee members and auditors read.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from collab.concurrency import UNSET, user_label
from collab.models import ALL_BUT_EMPLOYEES, OrgUnit, Period
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
from responsibility.access import access_matrix_by_id
from responsibility.models import MatrixRole, ResponsibilityMatrix
from responsibility.selectors import matrix_effective_ids, matrix_with_rows
from responsibility.services.matrices import matrix_create, matrix_new_version, matrix_update
from responsibility.services.periods import matrix_period_options

# --------------------------------------------------------------------------------------------- serializers


class MatrixRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    org_unit = TenantRelatedField(queryset=OrgUnit.objects)
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    role = serializers.ChoiceField(choices=MatrixRole.choices)
    share = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    contribution_dimension = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    evaluation_kpi = TenantRelatedField(queryset=KPI.objects, required=False, allow_null=True, default=None)
    evaluation_method = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class MatrixSerializer(serializers.ModelSerializer):
    kpi = TenantRelatedField(queryset=KPI.objects)
    kpi_code = serializers.CharField(source="kpi.code", read_only=True)
    effective_from = TenantRelatedField(queryset=Period.objects)
    effective_from_label = serializers.CharField(source="effective_from.label", read_only=True)
    rows = MatrixRowSerializer(many=True, read_only=True)
    lock_version = LockVersionField()
    updated_by = serializers.SerializerMethodField()

    class Meta:
        model = ResponsibilityMatrix
        fields = [
            "id", "kpi", "kpi_code", "effective_from", "effective_from_label", "version", "note", "rows",
            "lock_version", "updated_by", "updated_at", "created_at", "kept_closed",
        ]  # fmt: skip
        read_only_fields = ["id", "version", "updated_at", "created_at", "kept_closed"]
        extra_kwargs = {"kept_closed": {"help_text": "Ids of the closed periods under `effective_from` that "
                                        "keep the scores they were closed with: a first version applies to "
                                        "the open periods only."}}  # fmt: skip
        validators: list = []

    def get_updated_by(self, obj) -> str:
        return user_label(obj.updated_by)


class EffectivePeriodSerializer(serializers.Serializer):
    period = serializers.IntegerField(source="period.pk")
    label = serializers.CharField(source="period.label")
    allowed = serializers.BooleanField()
    reason = serializers.CharField(help_text="Why the period cannot be chosen (blank when it can).")
    kept = serializers.SerializerMethodField(
        help_text="Closed periods under it that keep the scores they were closed with."
    )
    note = serializers.CharField()

    def get_kept(self, obj) -> list[int]:
        return [p.pk for p in obj.kept]


class MatrixCreateSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = MatrixSerializer
    kpi = TenantRelatedField(queryset=KPI.objects)
    effective_from = TenantRelatedField(queryset=Period.objects)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    rows = RowsField(MatrixRowSerializer)


class MatrixUpdateSerializer(StrictWriteMixin, serializers.Serializer):
    """A correction of this version: its KPI and first period do not change (a 400 when sent)."""

    shown_by = MatrixSerializer
    lock_version = LockVersionField(required=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    rows = RowsField(MatrixRowSerializer)


class MatrixNewVersionSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = MatrixSerializer
    lock_version = LockVersionField(required=True)
    effective_from = TenantRelatedField(queryset=Period.objects)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    rows = RowsField(MatrixRowSerializer)


# --------------------------------------------------------------------------------------------- viewset


@extend_schema_view(
    list=extend_schema(parameters=[
        OpenApiParameter("kpi", OpenApiTypes.INT, description="Only this KPI's versions."),
        OpenApiParameter("period", OpenApiTypes.INT, description="The versions in effect in this period."),
    ]),
    create=extend_schema(request=MatrixCreateSerializer, responses={201: MatrixSerializer}),
    update=extend_schema(request=MatrixUpdateSerializer, responses=MatrixSerializer),
    partial_update=extend_schema(request=MatrixUpdateSerializer, responses=MatrixSerializer),
)
class MatrixViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    serializer_class = MatrixSerializer
    read_roles = ALL_BUT_EMPLOYEES

    def get_queryset(self):
        queryset = matrix_with_rows().order_by("kpi__code", "-version")
        if self.action != "list":
            return queryset
        errors: dict = {}
        kpi = id_param(self.request, "kpi", errors)
        period_id = id_param(self.request, "period", errors)
        if errors:
            raise exceptions.ValidationError(errors)
        if kpi is not None:
            queryset = queryset.filter(kpi_id=kpi)
        if period_id is not None:
            period = Period.objects.filter(pk=period_id).first()
            if period is None:
                raise exceptions.ValidationError(
                    {"period": [_("Choose a valid option; that one does not exist.")]}
                )
            queryset = queryset.filter(pk__in=list(matrix_effective_ids(period).values()))
        return queryset

    def get_object(self):
        """The one door to a matrix by id (`access_matrix_by_id`): missing and foreign ids are a 404."""
        write = self.request.method not in SAFE_METHODS
        return access_matrix_by_id(self.request.membership, self.kwargs.get("pk"), write=write)

    def _respond(self, matrix, code=status.HTTP_200_OK):
        return Response(self.get_serializer(matrix_with_rows().get(pk=matrix.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        data = validated_body(self, MatrixCreateSerializer)
        rows = nested_rows(self, MatrixRowSerializer, "rows", required=True)
        matrix = matrix_create(
            actor=request.user, kpi=data["kpi"], effective_from=data["effective_from"], rows=rows,
            note=data.get("note", ""),
        )  # fmt: skip
        return self._respond(matrix, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        matrix = self.get_object()
        partial = kwargs.get("partial", False)
        data = validated_body(self, MatrixUpdateSerializer, partial=partial)
        version = lock_version_of(request)
        rows = nested_rows(self, MatrixRowSerializer, "rows", required=not partial)
        note = data.get("note", UNSET)
        saved = matrix_update(
            actor=request.user, matrix=matrix, lock_version=version, rows=rows, note=note
        )
        return self._respond(saved)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(
        parameters=[OpenApiParameter("kpi", OpenApiTypes.INT, description="The KPI (none: a first version)")],
        responses=EffectivePeriodSerializer(many=True),
    )
    @action(detail=False, methods=["get"], url_path="effective-periods", pagination_class=None)
    def effective_periods(self, request, *args, **kwargs):
        errors: dict = {}
        kpi_id = id_param(request, "kpi", errors)
        if errors:
            raise exceptions.ValidationError(errors)
        if kpi_id is not None and not KPI.objects.filter(pk=kpi_id).exists():
            raise exceptions.NotFound()
        options = matrix_period_options(kpi=kpi_id)
        return Response(EffectivePeriodSerializer(options, many=True).data)

    @extend_schema(request=MatrixNewVersionSerializer, responses={201: MatrixSerializer})
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, *args, **kwargs):
        matrix = self.get_object()
        data = validated_body(self, MatrixNewVersionSerializer)
        rows = nested_rows(self, MatrixRowSerializer, "rows", required=True)
        new = matrix_new_version(
            actor=request.user, matrix=matrix, lock_version=data["lock_version"],
            effective_from=data["effective_from"], rows=rows, note=data["note"],
        )  # fmt: skip
        return self._respond(new, status.HTTP_201_CREATED)
