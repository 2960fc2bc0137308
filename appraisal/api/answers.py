"""The employee's answers to a released result, as DRF actions the `appraisals` viewset
(appraisal.api.appraisals) mixes in (`AppraisalAnswerActions`):

`POST …/appraisals/<id>/confirm/`   {lock_version}: the person appraised confirms (→ final)
`POST …/appraisals/<id>/appeal/`    {lock_version, reason, evidence?: [{kind: score|event|rating, id}]}:
                                     evidence only from what they read (else 400 on `evidence`)

Both answer the result (`AppraisalResultSerializer`). The host viewset's `get_object` must resolve the id
through `appraisal.access.access_appraisal_by_id` (anyone else's: 404)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from appraisal.access import access_appraisal_by_id, appraisal_reader
from appraisal.models import Appraisal
from appraisal.selectors.answers import EVIDENCE_KINDS
from appraisal.services import appeals as appeal_services
from appraisal.services import release as release_services
from collab.routing.fields import LockVersionField, StrictWriteMixin, validated_body
from collab.routing.ids import MAX_ID


class AppraisalResultSerializer(serializers.ModelSerializer):
    final_grade = serializers.CharField(source="final_grade.code", allow_null=True, default=None)
    lock_version = LockVersionField()

    class Meta:
        model = Appraisal
        fields = [
            "id",
            "stage",
            "released_at",
            "final_grade",
            "final_source",
            "confirmation",
            "confirm_by",
            "confirmed_at",
            "finalised_at",
            "lock_version",
        ]
        read_only_fields = fields


class ConfirmSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = AppraisalResultSerializer
    refuse_unknown = True
    lock_version = LockVersionField(required=True)


class EvidenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[(kind, kind) for kind in EVIDENCE_KINDS])
    id = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class AppealSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = AppraisalResultSerializer
    refuse_unknown = True
    lock_version = LockVersionField(required=True)
    reason = serializers.CharField(max_length=4000)
    evidence = EvidenceSerializer(many=True, required=False, default=list)


class AppraisalAnswerActions:
    """`confirm` and `appeal` on one appraisal (for a TenantViewSet whose writers include employees)."""

    def _answered(self, appraisal):
        fresh = access_appraisal_by_id(
            appraisal_reader(self.request.membership, self.request.user), appraisal.pk
        )
        return Response(AppraisalResultSerializer(fresh).data)

    @extend_schema(request=ConfirmSerializer, responses={200: AppraisalResultSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, *args, **kwargs):
        appraisal = self.get_object()
        data = validated_body(self, ConfirmSerializer)
        release_services.result_confirm(
            actor=request.user, appraisal=appraisal, lock_version=data["lock_version"]
        )
        return self._answered(appraisal)

    @extend_schema(request=AppealSerializer, responses={200: AppraisalResultSerializer})
    @action(detail=True, methods=["post"])
    def appeal(self, request, *args, **kwargs):
        appraisal = self.get_object()
        data = validated_body(self, AppealSerializer)
        appeal_services.appeal_raise(
            actor=request.user,
            appraisal=appraisal,
            reason=data["reason"],
            evidence=[dict(item) for item in data["evidence"]],
            lock_version=data["lock_version"],
        )
        return self._answered(appraisal)

