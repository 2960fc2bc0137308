"""API of processes, routed by alerts/urls.py.

`/api/v1/t/<slug>/processes/`         list (filter: kind), create {name, kind?, description?, owner?,
                                      owner_unit, is_active?, stages}
`/api/v1/t/<slug>/processes/<id>/`    retrieve (with stages in order), update / partial update
                                      {lock_version, …; stages? replaces the whole list} and delete
                                      (?lock_version=N)

Stages: {id? (a stored stage, updated in place; none: a new stage), name, owner_unit,
collaborating_units?, inputs?, outputs?, decision_rights?, time_limit, time_unit?, escalation_role?}, in
their order; errors are keyed "stages-<i>-<field>". Every member reads; HR admins write.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from alerts.access import access_process_by_id
from alerts.models import Process, ProcessKind, ProcessStage, TimeUnit
from alerts.selectors.processes import process_detail, process_page
from alerts.services import processes as services
from alerts.services.process_checks import HEADER_FIELDS, MAX_COLLABORATORS, MAX_TIME_LIMIT
from collab.concurrency import UNSET
from collab.models import Employee, OrgUnit
from collab.routing.fields import (
    LockVersionField,
    RowsField,
    StrictWriteMixin,
    TenantRelatedField,
    lock_version_of,
    nested_rows,
    validated_body,
)
from collab.routing.ids import MAX_ID
from collab.routing.viewsets import TenantViewSet


class ProcessStageSerializer(StrictWriteMixin, serializers.Serializer):
    # A stage's place is its place in the list: a row naming its `order` (or any other unknown field) is
    # refused rather than silently reordered.
    refuse_unknown = True
    id = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID,
        help_text="A stored stage of this process, updated in place (its KPIs stay with it); left out or "
        "null: a new stage. A stored stage the list leaves out is deleted (refused while it has KPIs).",
    )  # fmt: skip
    name = serializers.CharField(max_length=200)
    owner_unit = TenantRelatedField(queryset=OrgUnit.objects)
    collaborating_units = serializers.ListField(
        child=TenantRelatedField(queryset=OrgUnit.objects), required=False, default=list,
        max_length=MAX_COLLABORATORS,
    )  # fmt: skip
    inputs = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    outputs = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    decision_rights = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    time_limit = serializers.IntegerField(min_value=1, max_value=MAX_TIME_LIMIT)
    time_unit = serializers.ChoiceField(
        choices=TimeUnit.choices, required=False, default=TimeUnit.WORKING_DAYS
    )
    escalation_role = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ProcessStageReadSerializer(serializers.ModelSerializer):
    owner_unit_name = serializers.CharField(source="owner_unit.name", read_only=True)
    collaborating_units = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ProcessStage
        fields = [
            "id", "order", "name", "owner_unit", "owner_unit_name", "collaborating_units", "inputs",
            "outputs", "decision_rights", "time_limit", "time_unit", "escalation_role",
        ]  # fmt: skip
        read_only_fields = fields


class ProcessSerializer(serializers.ModelSerializer):
    stages = ProcessStageReadSerializer(many=True, read_only=True)
    owner_unit_name = serializers.CharField(source="owner_unit.name", read_only=True)
    lock_version = LockVersionField()

    class Meta:
        model = Process
        fields = [
            "id", "name", "kind", "description", "owner", "owner_unit", "owner_unit_name", "is_active",
            "stages", "lock_version", "updated_at", "created_at",
        ]  # fmt: skip
        read_only_fields = [
            "id", "name", "kind", "description", "owner", "owner_unit", "is_active", "updated_at",
            "created_at",
        ]  # fmt: skip


class ProcessCreateSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = ProcessSerializer
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=ProcessKind.choices, required=False, default=ProcessKind.CUSTOM)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    owner = TenantRelatedField(queryset=Employee.objects, required=False, allow_null=True, default=None)
    owner_unit = TenantRelatedField(queryset=OrgUnit.objects)
    is_active = serializers.BooleanField(required=False, default=True)
    stages = RowsField(ProcessStageSerializer, help_text="The stages in order; at least one.")


class ProcessUpdateSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = ProcessSerializer
    lock_version = LockVersionField(required=True)
    name = serializers.CharField(max_length=200, required=False)
    kind = serializers.ChoiceField(choices=ProcessKind.choices, required=False)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    owner = TenantRelatedField(queryset=Employee.objects, required=False, allow_null=True)
    owner_unit = TenantRelatedField(queryset=OrgUnit.objects, required=False)
    is_active = serializers.BooleanField(required=False)
    stages = RowsField(ProcessStageSerializer, required=False, help_text="Replaces the whole list, in order.")


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("kind", OpenApiTypes.STR, enum=["", *ProcessKind.values])]
    ),
    create=extend_schema(request=ProcessCreateSerializer, responses={201: ProcessSerializer}),
    update=extend_schema(request=ProcessUpdateSerializer, responses=ProcessSerializer),
    partial_update=extend_schema(request=ProcessUpdateSerializer, responses=ProcessSerializer),
)
class ProcessViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    serializer_class = ProcessSerializer

    def get_queryset(self):
        queryset = process_detail()
        if self.action == "list":
            kind = self.request.query_params.get("kind", "")
            if kind and kind not in ProcessKind.values:
                raise exceptions.ValidationError(
                    {"kind": [f"Select a valid choice. {kind[:40]!r} is not one of the available choices."]}
                )
            # The keyset pager's order: the primary key serves it.
            queryset = process_detail(kind=kind).order_by("id")
        return queryset

    def get_object(self):
        write = self.request.method not in SAFE_METHODS
        return access_process_by_id(self.request.membership, self.kwargs.get("pk"), write=write)

    def _respond(self, process, code=status.HTTP_200_OK):
        serializer = ProcessSerializer(process_page(process), context=self.get_serializer_context())
        return Response(serializer.data, status=code)

    def _header(self, data: dict) -> dict:
        return {k: data[k] for k in HEADER_FIELDS if k in data}

    def create(self, request, *args, **kwargs):
        data = validated_body(self, ProcessCreateSerializer)
        stages = nested_rows(self, ProcessStageSerializer, "stages", required=True)
        process = services.process_create(actor=request.user, data=self._header(data), stages=stages)
        return self._respond(process, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        process = self.get_object()
        data = validated_body(self, ProcessUpdateSerializer, partial=kwargs.get("partial", False))
        stages = nested_rows(self, ProcessStageSerializer, "stages", required=False)
        saved = services.process_update(
            actor=request.user, process=process, lock_version=lock_version_of(request),
            data=self._header(data), **({} if stages is UNSET else {"stages": stages}),
        )  # fmt: skip
        return self._respond(saved)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        process = self.get_object()
        services.process_delete(actor=request.user, process=process, lock_version=lock_version_of(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
