"""API of appeals (the decision side), routed by appraisal/urls.py.

`/api/v1/t/<slug>/appeals/`                 list: the open appeals the reader answers (the manager's manager
                                            those with them, HR those at HR and theirs, auditors every open
                                            one), the earliest deadline (so every overdue one) first
`/api/v1/t/<slug>/appeals/<id>/`            retrieve: one the reader answers or reads through its appraisal
                                            (the employee, the manager, HR, auditors)
`POST …/appeals/<id>/decide/`               {lock_version, decision: uphold|change|escalate, note, grade?,
                                            reason_code?}: the level it is with; escalate (to HR) only from
                                            the manager's manager; uphold or change makes the result final
                                            with the source "appeal"
Appeals are raised by the employee through `appraisals/<id>/appeal/` (`appraisal.api.answers`)."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from appraisal.access import appraisal_reader, readable_appraisals
from appraisal.models import Appeal, AppealStepDecision, Grade, GradeChangeReason
from appraisal.selectors.answers import appeal_queue
from appraisal.services import appeals as appeal_services
from collab.models import WRITE_ROLES
from collab.pages import get_scoped_or_404
from collab.routing.fields import LockVersionField, StrictWriteMixin, TenantRelatedField, validated_body
from collab.routing.ids import parse_id
from collab.routing.viewsets import TenantViewSet


class AppealStepSerializer(serializers.Serializer):
    level = serializers.CharField()
    decision = serializers.CharField()
    note = serializers.CharField()
    decided_at = serializers.DateTimeField()


class CitedEvidenceSerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField()
    label = serializers.CharField(help_text="What the employee saw when citing it.")


class AppealSerializer(serializers.ModelSerializer):
    employee = serializers.IntegerField(source="appraisal.employee_id")
    evidence = CitedEvidenceSerializer(many=True, read_only=True)
    grade = serializers.CharField(source="appraisal.final_grade.code", allow_null=True, default=None)
    steps = serializers.SerializerMethodField()
    lock_version = LockVersionField()

    class Meta:
        model = Appeal
        fields = [
            "id",
            "appraisal",
            "employee",
            "reason",
            "evidence",
            "status",
            "upper_manager",
            "level_deadline",
            "outcome",
            "decided_at",
            "created_at",
            "grade",
            "steps",
            "lock_version",
        ]
        read_only_fields = fields

    @extend_schema_field(AppealStepSerializer(many=True))
    def get_steps(self, appeal):
        return AppealStepSerializer(appeal.steps.all(), many=True).data


class DecideSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = AppealSerializer
    refuse_unknown = True
    lock_version = LockVersionField(required=True)
    decision = serializers.ChoiceField(
        choices=[
            (c, c)
            for c in (AppealStepDecision.UPHOLD, AppealStepDecision.CHANGE, AppealStepDecision.ESCALATE)
        ]
    )
    note = serializers.CharField(max_length=4000)
    grade = TenantRelatedField(queryset=Grade.objects, required=False, allow_null=True, default=None)
    reason_code = serializers.ChoiceField(choices=GradeChangeReason.choices, required=False, default="")


class AppealViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    serializer_class = AppealSerializer
    write_roles = WRITE_ROLES

    def get_queryset(self):
        return appeal_queue(self.request.membership, self.request.user).prefetch_related("steps")

    def get_object(self):
        reader = appraisal_reader(self.request.membership, self.request.user)
        mine = Q(pk__in=self.get_queryset().values("pk")) | Q(appraisal__in=readable_appraisals(reader))
        queryset = (
            Appeal.objects.filter(mine).select_related("appraisal__final_grade").prefetch_related("steps")
        )
        return get_scoped_or_404(queryset, parse_id(self.kwargs.get("pk")) or 0)

    @extend_schema(request=DecideSerializer, responses={200: AppealSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, *args, **kwargs):
        appeal = self.get_object()
        data = validated_body(self, DecideSerializer)
        appeal_services.appeal_decide(actor=request.user, appeal=appeal, **data)
        return Response(AppealSerializer(self.get_object()).data)
