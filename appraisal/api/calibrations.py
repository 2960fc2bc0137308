"""API of calibration sessions, routed by appraisal/urls.py.

`/api/v1/t/<slug>/calibrations/`                list (HR and auditors every session, a member theirs;
                                                ?cycle=), create (HR) {cycle, name, org_unit?, levels?,
                                                members? (user ids), include_managers?}
`/api/v1/t/<slug>/calibrations/<id>/`           retrieve: the session with its people (score, suggested,
                                                manager's and current grade, potential) and the guideline
                                                check (each rule: count, share, met)
`POST …/calibrations/<id>/change-grade/`        {appraisal, grade, reason_code, reason, lock_version (the
                                                appraisal's)}: a member or HR; audited
`POST …/calibrations/<id>/set-potential/`       {appraisal, potential: low|medium|high|"", lock_version}: the
                                                nine-box's other axis
`POST …/calibrations/<id>/close/`               {lock_version, attended? (user ids), note?}: outside the
                                                guideline a 400 on `grades` (enforce) or `note` (warn)
Anyone else's session, a missing one and another tenant's answer 404; auditors read only (403 on writes).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from appraisal.access import HR, access_calibration_by_id, appraisal_reader
from appraisal.models import (
    Appraisal,
    AppraisalCycle,
    CalibrationSession,
    Grade,
    GradeChangeReason,
    Potential,
)
from appraisal.selectors.calibration import current_grade, session_page, sessions_for
from appraisal.services import calibration as services
from collab.models import WRITE_ROLES, OrgUnit
from collab.routing.fields import LockVersionField, StrictWriteMixin, TenantRelatedField, validated_body
from collab.routing.ids import MAX_ID, id_param
from collab.routing.viewsets import TenantViewSet


def _user_id():
    return serializers.IntegerField(min_value=1, max_value=MAX_ID)


class CalibrationMemberSerializer(serializers.Serializer):
    user = serializers.IntegerField(source="user_id")
    username = serializers.CharField(source="user.username")
    attended = serializers.BooleanField()


class CalibrationSessionSerializer(serializers.ModelSerializer):
    lock_version = LockVersionField()

    class Meta:
        model = CalibrationSession
        fields = [
            "id",
            "cycle",
            "name",
            "org_unit",
            "levels",
            "status",
            "guideline_note",
            "created_at",
            "closed_at",
            "lock_version",
        ]
        read_only_fields = fields


class CalibrationPersonSerializer(serializers.Serializer):
    appraisal = serializers.IntegerField(source="pk")
    employee = serializers.IntegerField(source="employee_id")
    name = serializers.CharField(source="employee.name")
    result_score = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    suggested_grade = serializers.CharField(source="suggested_grade.code", allow_null=True, default=None)
    manager_grade = serializers.CharField(source="manager_grade.code", allow_null=True, default=None)
    current_grade = serializers.SerializerMethodField()
    final_source = serializers.CharField()
    potential = serializers.CharField()
    lock_version = serializers.IntegerField()

    def get_current_grade(self, appraisal) -> str | None:
        grade = current_grade(appraisal)
        return grade.code if grade else None


class GuidelineCheckSerializer(serializers.Serializer):
    rule = serializers.CharField(source="label")
    count = serializers.IntegerField()
    share = serializers.DecimalField(max_digits=6, decimal_places=2)
    met = serializers.BooleanField()


class CalibrationDetailSerializer(CalibrationSessionSerializer):
    members = serializers.SerializerMethodField()
    people = serializers.SerializerMethodField()
    guideline = serializers.SerializerMethodField()
    guideline_met = serializers.SerializerMethodField()
    distribution_mode = serializers.SerializerMethodField()

    class Meta(CalibrationSessionSerializer.Meta):
        fields = [
            *CalibrationSessionSerializer.Meta.fields,
            "members",
            "people",
            "guideline",
            "guideline_met",
            "distribution_mode",
        ]
        read_only_fields = fields

    def _page(self, session) -> dict:
        cache = self.context.setdefault("_pages", {})
        if session.pk not in cache:
            cache[session.pk] = session_page(session)
        return cache[session.pk]

    @extend_schema_field(CalibrationMemberSerializer(many=True))
    def get_members(self, session):
        return CalibrationMemberSerializer(self._page(session)["members"], many=True).data

    @extend_schema_field(CalibrationPersonSerializer(many=True))
    def get_people(self, session):
        rows = [row.appraisal for row in self._page(session)["rows"]]
        return CalibrationPersonSerializer(rows, many=True).data

    @extend_schema_field(GuidelineCheckSerializer(many=True))
    def get_guideline(self, session):
        return GuidelineCheckSerializer(self._page(session)["distribution"].checks, many=True).data

    def get_guideline_met(self, session) -> bool:
        return self._page(session)["distribution"].met

    def get_distribution_mode(self, session) -> str:
        return self._page(session)["policy"].distribution_mode


class CalibrationCreateSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = CalibrationDetailSerializer
    cycle = TenantRelatedField(queryset=AppraisalCycle.objects)
    name = serializers.CharField(max_length=200)
    org_unit = TenantRelatedField(queryset=OrgUnit.objects, required=False, allow_null=True, default=None)
    levels = serializers.ListField(
        child=serializers.CharField(max_length=30), required=False, default=list, max_length=20
    )
    members = serializers.ListField(child=_user_id(), required=False, default=list, max_length=100)
    include_managers = serializers.BooleanField(required=False, default=False)


class ChangeGradeSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = CalibrationPersonSerializer
    refuse_unknown = True
    appraisal = TenantRelatedField(queryset=Appraisal.objects)
    grade = TenantRelatedField(queryset=Grade.objects)
    reason_code = serializers.ChoiceField(choices=GradeChangeReason.choices)
    reason = serializers.CharField(max_length=2000)
    lock_version = LockVersionField(required=True)


class PotentialSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = CalibrationPersonSerializer
    refuse_unknown = True
    appraisal = TenantRelatedField(queryset=Appraisal.objects)
    potential = serializers.ChoiceField(choices=[("", "—"), *Potential.choices], allow_blank=True)
    lock_version = LockVersionField(required=True)


class CloseSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = CalibrationDetailSerializer
    refuse_unknown = True
    lock_version = LockVersionField(required=True)
    attended = serializers.ListField(child=_user_id(), required=False, default=list, max_length=100)
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("cycle", OpenApiTypes.INT, description="Sessions of a cycle.")]
    ),
    retrieve=extend_schema(responses=CalibrationDetailSerializer),
    create=extend_schema(request=CalibrationCreateSerializer, responses={201: CalibrationDetailSerializer}),
)
class CalibrationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    serializer_class = CalibrationSessionSerializer
    write_roles = WRITE_ROLES

    def _reader(self):
        return appraisal_reader(self.request.membership, self.request.user)

    def get_serializer_class(self):
        return CalibrationSessionSerializer if self.action == "list" else CalibrationDetailSerializer

    def get_queryset(self):
        cycle = id_param(self.request, "cycle") if self.action == "list" else None
        rows = sessions_for(self._reader())
        return rows.filter(cycle_id=cycle) if cycle is not None else rows

    def get_object(self):
        write = self.request.method not in SAFE_METHODS
        return access_calibration_by_id(self._reader(), self.kwargs.get("pk"), write=write)

    def _respond(self, session, code=status.HTTP_200_OK):
        fresh = sessions_for(self._reader()).get(pk=session.pk)
        return Response(
            CalibrationDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request, *args, **kwargs):
        if not request.membership.has_role(*HR):
            raise PermissionDenied
        data = validated_body(self, CalibrationCreateSerializer)
        session = services.calibration_create(actor=request.user, **data)
        return self._respond(session, status.HTTP_201_CREATED)

    @extend_schema(request=ChangeGradeSerializer, responses={200: CalibrationPersonSerializer})
    @action(detail=True, methods=["post"], url_path="change-grade")
    def change_grade(self, request, *args, **kwargs):
        session = self.get_object()
        data = validated_body(self, ChangeGradeSerializer)
        services.calibration_change_grade(actor=request.user, session=session, **data)
        return self._person(session, data["appraisal"].pk)

    @extend_schema(request=PotentialSerializer, responses={200: CalibrationPersonSerializer})
    @action(detail=True, methods=["post"], url_path="set-potential")
    def set_potential(self, request, *args, **kwargs):
        session = self.get_object()
        data = validated_body(self, PotentialSerializer)
        services.calibration_set_potential(actor=request.user, session=session, **data)
        return self._person(session, data["appraisal"].pk)

    def _person(self, session, pk):
        fresh = next(row.appraisal for row in session_page(session)["rows"] if row.appraisal.pk == pk)
        return Response(CalibrationPersonSerializer(fresh).data)

    @extend_schema(request=CloseSerializer, responses={200: CalibrationDetailSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, *args, **kwargs):
        session = self.get_object()
        data = validated_body(self, CloseSerializer)
        services.calibration_close(actor=request.user, session=session, **data)
        return self._respond(session)
