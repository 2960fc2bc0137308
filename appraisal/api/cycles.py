"""API of appraisal cycles, routed by appraisal/urls.py.

`/api/v1/t/<slug>/appraisal-cycles/`              list (filter: status), create {name, period,
                                                  weight_scorecard, weight_review, weight_manager, stages?,
                                                  rules?}
`/api/v1/t/<slug>/appraisal-cycles/<id>/`         retrieve (with stages and rules), update / partial update
                                                  {lock_version, …} and delete (?lock_version=N) while a
                                                  draft; once launched, update moves only the stages' dates
                                                  still ahead (same stages, an opened stage's opening kept)
`POST …/appraisal-cycles/<id>/launch/`            {lock_version}: one appraisal a participant; launching a
                                                  launched cycle changes nothing
`POST …/appraisal-cycles/<id>/close/`             {lock_version}: once every appraisal is final
`GET  …/appraisal-cycles/<id>/board/`             the progress board (HR admins and auditors): a page of
                                                  appraisals with stage and overdue stages (filters: unit,
                                                  stage, overdue)

Stages: {stage, opens_at, deadline}; rules: {org_unit?, include_sub_units?, position?, job_family?, level?}.
An update that sends `stages` or `rules` replaces that whole list; errors are keyed "stages-<i>-<field>" and
"rules-<i>-<field>". Every member reads launched cycles (everyone in one is shown its formula); drafts are
read by HR admins and auditors only; HR admins write.
"""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from appraisal.access import EVERY_READER, access_cycle_by_id
from appraisal.models import AppraisalCycle, CycleStatus, Stage
from appraisal.selectors.board import board_rows, row_deadline, row_overdue
from appraisal.selectors.cycles import appraisal_cycles, cycle_detail, cycle_page, stage_rows
from appraisal.selectors.stages import cycle_windows
from appraisal.services import cycles as services
from appraisal.services.cycle_checks import HEADER_FIELDS
from collab.concurrency import UNSET
from collab.models import OrgUnit, Period, Position
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


def _weight(**kwargs):
    return serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, **kwargs)


class StageSerializer(StrictWriteMixin, serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices, help_text="A dated stage (not final).")
    opens_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField()


class RuleSerializer(StrictWriteMixin, serializers.Serializer):
    org_unit = TenantRelatedField(queryset=OrgUnit.objects, required=False, allow_null=True, default=None)
    include_sub_units = serializers.BooleanField(required=False, default=True)
    position = TenantRelatedField(queryset=Position.objects, required=False, allow_null=True, default=None)
    job_family = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    level = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")


class StageReadSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    opens_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField()


class RuleReadSerializer(serializers.Serializer):
    org_unit = serializers.IntegerField(source="org_unit_id", allow_null=True)
    include_sub_units = serializers.BooleanField()
    position = serializers.IntegerField(source="position_id", allow_null=True)
    job_family = serializers.CharField()
    level = serializers.CharField()


UPDATE_RULE = (
    "A draft takes any field. A launched cycle takes only `stages`, with the same stages: the dates still "
    "ahead may move (an opened stage keeps its opening; a date already past counts as now), and the "
    "calendar moves everyone on at once. A closed cycle takes nothing."
)


class AppraisalCycleSerializer(serializers.ModelSerializer):
    stages = serializers.SerializerMethodField()
    rules = RuleReadSerializer(many=True, read_only=True, source="participant_rules")
    appraisal_count = serializers.IntegerField(read_only=True)
    lock_version = LockVersionField()

    class Meta:
        model = AppraisalCycle
        fields = [
            "id", "name", "period", "status", "weight_scorecard", "weight_review", "weight_manager",
            "stages", "rules", "appraisal_count", "launched_at", "closed_at", "lock_version", "updated_at",
            "created_at",
        ]  # fmt: skip
        read_only_fields = [
            "id", "name", "period", "status", "weight_scorecard", "weight_review", "weight_manager",
            "launched_at", "closed_at", "updated_at", "created_at",
        ]  # fmt: skip

    @extend_schema_field(StageReadSerializer(many=True))
    def get_stages(self, cycle) -> list[dict]:
        return StageReadSerializer(stage_rows(cycle), many=True).data


class CycleCreateSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = AppraisalCycleSerializer
    name = serializers.CharField(max_length=200)
    period = TenantRelatedField(queryset=Period.objects)
    weight_scorecard = _weight()
    weight_review = _weight()
    weight_manager = _weight()
    stages = RowsField(StageSerializer, required=False)
    rules = RowsField(RuleSerializer, required=False)


class CycleUpdateSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = AppraisalCycleSerializer
    lock_version = LockVersionField(required=True)
    name = serializers.CharField(max_length=200, required=False)
    period = TenantRelatedField(queryset=Period.objects, required=False)
    weight_scorecard = _weight(required=False)
    weight_review = _weight(required=False)
    weight_manager = _weight(required=False)
    stages = RowsField(StageSerializer, required=False)
    rules = RowsField(RuleSerializer, required=False)


class CycleLockSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = AppraisalCycleSerializer
    refuse_unknown = True
    lock_version = LockVersionField(required=True)


class BoardRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    employee = serializers.IntegerField(source="employee_id")
    employee_name = serializers.CharField(source="employee.name")
    org_unit = serializers.IntegerField(source="org_unit_id")
    manager = serializers.IntegerField(source="manager_id", allow_null=True)
    stage = serializers.ChoiceField(choices=Stage.choices)
    deadline = serializers.SerializerMethodField(help_text="The current stage's deadline for this person.")
    overdue = serializers.SerializerMethodField()
    last_reminded_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_deadline(self, row):
        deadline = row_deadline(row, self.context["windows"])
        return serializers.DateTimeField().to_representation(deadline) if deadline else None

    def get_overdue(self, row) -> list[str]:
        return row_overdue(row)


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=["", *CycleStatus.values])]
    ),
    create=extend_schema(request=CycleCreateSerializer, responses={201: AppraisalCycleSerializer}),
    update=extend_schema(request=CycleUpdateSerializer, responses=AppraisalCycleSerializer,
                         description=UPDATE_RULE),
    partial_update=extend_schema(request=CycleUpdateSerializer, responses=AppraisalCycleSerializer,
                                 description=UPDATE_RULE),
)  # fmt: skip
class AppraisalCycleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    serializer_class = AppraisalCycleSerializer

    def _sees_drafts(self) -> bool:
        return self.request.membership.has_role(*EVERY_READER)

    def get_queryset(self):
        if self.action != "list":
            return cycle_detail()
        value = self.request.query_params.get("status", "")
        if value and value not in CycleStatus.values:
            raise exceptions.ValidationError(
                {"status": [f"Select a valid choice. {value[:40]!r} is not one of the available choices."]}
            )
        cycles = appraisal_cycles(status=value)
        if not self._sees_drafts():
            cycles = cycles.exclude(status=CycleStatus.DRAFT)
        return cycle_detail().filter(pk__in=cycles.values("pk"))

    def get_object(self):
        """A cycle by id; a draft is HR's work in progress: anyone but HR admins and auditors gets a 404."""
        write = self.request.method not in SAFE_METHODS
        cycle = access_cycle_by_id(self.request.membership, self.kwargs.get("pk"), write=write)
        if cycle.status == CycleStatus.DRAFT and not self._sees_drafts():
            raise Http404
        return cycle

    def _respond(self, cycle, code=status.HTTP_200_OK):
        serializer = AppraisalCycleSerializer(cycle_page(cycle), context=self.get_serializer_context())
        return Response(serializer.data, status=code)

    def _lists(self) -> dict:
        out = {}
        for key, row in (("stages", StageSerializer), ("rules", RuleSerializer)):
            rows = nested_rows(self, row, key, required=False)
            if rows is not UNSET:
                out[key] = rows
        return out

    def create(self, request, *args, **kwargs):
        data = validated_body(self, CycleCreateSerializer)
        cycle = services.cycle_create(
            actor=request.user,
            data={k: data[k] for k in HEADER_FIELDS if k in data},
            **self._lists(),
        )
        return self._respond(cycle, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        cycle = self.get_object()
        data = validated_body(self, CycleUpdateSerializer, partial=kwargs.get("partial", False))
        saved = services.cycle_update(
            actor=request.user, cycle=cycle, lock_version=lock_version_of(request),
            data={k: data[k] for k in HEADER_FIELDS if k in data}, **self._lists(),
        )  # fmt: skip
        return self._respond(saved)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        cycle = self.get_object()
        services.cycle_delete(actor=request.user, cycle=cycle, lock_version=lock_version_of(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=CycleLockSerializer, responses={200: AppraisalCycleSerializer})
    @action(detail=True, methods=["post"])
    def launch(self, request, *args, **kwargs):
        cycle = self.get_object()
        version = validated_body(self, CycleLockSerializer)["lock_version"]
        services.cycle_launch(actor=request.user, cycle=cycle, lock_version=version)
        return self._respond(cycle)

    @extend_schema(request=CycleLockSerializer, responses={200: AppraisalCycleSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, *args, **kwargs):
        cycle = self.get_object()
        version = validated_body(self, CycleLockSerializer)["lock_version"]
        services.cycle_close(actor=request.user, cycle=cycle, lock_version=version)
        return self._respond(cycle)

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", OpenApiTypes.INT, description="A unit id (with its sub-units)."),
            OpenApiParameter("stage", OpenApiTypes.STR, enum=["", *Stage.values]),
            OpenApiParameter("overdue", OpenApiTypes.BOOL, description="Only people overdue."),
        ],
        responses={200: BoardRowSerializer(many=True)},
    )  # fmt: skip
    @action(detail=True, methods=["get"])
    def board(self, request, *args, **kwargs):
        if not request.membership.has_role(*EVERY_READER):
            raise exceptions.PermissionDenied
        cycle = self.get_object()
        errors: dict[str, list[str]] = {}
        unit_id = id_param(request, "unit", errors)
        unit = OrgUnit.objects.filter(pk=unit_id).first() if unit_id is not None else None
        if unit_id is not None and unit is None:
            errors["unit"] = [_("Select a valid choice. That choice is not one of the available choices.")]
        stage = request.query_params.get("stage", "")
        if stage and stage not in Stage.values:
            errors["stage"] = [f"Select a valid choice. {stage[:40]!r} is not one of the available choices."]
        overdue = request.query_params.get("overdue", "")
        if overdue not in ("", "true", "false"):
            errors["overdue"] = [_("Send true or false.")]
        if errors:
            raise exceptions.ValidationError(errors)
        rows = board_rows(cycle, now=timezone.now(), unit=unit, stage=stage, overdue=overdue == "true")
        page = self.paginate_queryset(rows)
        context = {**self.get_serializer_context(), "windows": cycle_windows(cycle)}
        return self.get_paginated_response(BoardRowSerializer(page, many=True, context=context).data)
