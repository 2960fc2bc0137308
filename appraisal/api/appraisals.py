"""API of appraisals, routed by appraisal/urls.py.

`/api/v1/t/<slug>/appraisals/`                      a list under the access rule: `view=mine` (the requester's
                                                    own), `team` (those they assess), `cycle` (HR admins and
                                                    auditors: every appraisal of `cycle`, the latest launched
                                                    by default); filters `cycle`, `unit` (with sub-units, in
                                                    `view=cycle`), `stage`. Default view: the first the
                                                    requester has of cycle, team, mine.
`/api/v1/t/<slug>/appraisals/<id>/`                 one appraisal (any other's, or another tenant's: 404)
`POST …/appraisals/<id>/submit-self/`               the employee's self-assessment {lock_version, submit?,
                                                    summary?, goals?: {personal goal id: {comment?, rating?}}}
`POST …/appraisals/<id>/submit-manager/`            the manager's assessment {lock_version, submit?, grade?,
                                                    reason?, departure_reason?, comment?}

Drafts: both actions take `submit` (default true); `submit: false` saves a draft and changes no stage — one
action a part, so a client never needs a second verb to save. A stale `lock_version` is a 409; a gate (the
stage is closed, already submitted) a 400 on `stage`; anyone but the employee (self) or the manager
(manager) a 403.

What a reader sees depends on their relation (`appraisal.selectors.assessment.sight`): `self_assessment` and
`manager_assessment` are null when the reader may not see them — the employee's view of the manager's part
stays null until the results are released, whatever the manager has saved or submitted.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from appraisal.access import access_appraisal_by_id, appraisal_reader
from appraisal.api.answers import AppraisalAnswerActions
from appraisal.models import Grade, Stage
from appraisal.selectors import assessment as selectors
from appraisal.services.assessment import manager_assessment_save, self_assessment_save
from collab.concurrency import UNSET
from collab.models import ALL_ROLES
from collab.routing.fields import (
    LockVersionField,
    StrictWriteMixin,
    TenantRelatedField,
    lock_version_of,
    validated_body,
)
from collab.routing.ids import id_param
from collab.routing.viewsets import TenantViewSet

DECIMAL = {"max_digits": 8, "decimal_places": 2, "coerce_to_string": True}


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CycleSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    period = serializers.IntegerField(source="period_id")
    period_label = serializers.CharField(source="period.label")


class GradeSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class AppraisalSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    cycle = CycleSummarySerializer(read_only=True)
    employee = NamedSerializer(read_only=True)
    manager = NamedSerializer(read_only=True, allow_null=True)
    org_unit = serializers.IntegerField(source="org_unit_id", read_only=True)
    position = serializers.IntegerField(source="position_id", read_only=True, allow_null=True)
    stage = serializers.ChoiceField(choices=Stage.choices, read_only=True)
    lock_version = LockVersionField(read_only=True)


class FormulaSerializer(serializers.Serializer):
    weight_scorecard = serializers.DecimalField(max_digits=5, decimal_places=2)
    weight_review = serializers.DecimalField(max_digits=5, decimal_places=2)
    weight_manager = serializers.DecimalField(max_digits=5, decimal_places=2)


class GoalAssessmentSerializer(serializers.Serializer):
    personal_goal = serializers.IntegerField()
    kpi_code = serializers.CharField()
    kpi_name = serializers.CharField()
    target = serializers.DecimalField(max_digits=14, decimal_places=4)
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    comment = serializers.CharField(allow_blank=True)
    rating = serializers.IntegerField(allow_null=True, min_value=1, max_value=5)


class SelfAssessmentSerializer(serializers.Serializer):
    summary = serializers.CharField(allow_blank=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    goals = GoalAssessmentSerializer(many=True)


class ManagerAssessmentSerializer(serializers.Serializer):
    grade = GradeSummarySerializer(allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    departure_reason = serializers.CharField(allow_blank=True)
    comment = serializers.CharField(allow_blank=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    suggested_grade = GradeSummarySerializer(allow_null=True, help_text="Frozen on submit; null before.")
    scorecard_total = serializers.DecimalField(allow_null=True, **DECIMAL)
    kpi_part = serializers.DecimalField(allow_null=True, **DECIMAL)
    review_part = serializers.DecimalField(allow_null=True, **DECIMAL)
    points_total = serializers.DecimalField(allow_null=True, **DECIMAL)
    result_score = serializers.DecimalField(allow_null=True, **DECIMAL)
    left_out = serializers.ListField(
        child=serializers.ChoiceField(choices=list(selectors.COMPONENTS)),
        help_text="Components of the formula left out of the result for want of data (after submit).",
    )


def _grade(grade) -> dict | None:
    return None if grade is None else {"id": grade.pk, "code": grade.code, "name": grade.name}


class AppraisalDetailSerializer(AppraisalSerializer):
    relations = serializers.SerializerMethodField()
    formula = serializers.SerializerMethodField()
    stage_deadline = serializers.SerializerMethodField(
        help_text="The person's deadline of the current stage."
    )
    self_assessment = serializers.SerializerMethodField(
        help_text="Null when the reader may not see it (someone else's unsent draft)."
    )
    manager_assessment = serializers.SerializerMethodField(
        help_text="Null when the reader may not see it: the employee sees nothing of it before release."
    )

    def _sight(self, appraisal):
        cache = self.context.setdefault("sights", {})
        if appraisal.pk not in cache:
            cache[appraisal.pk] = selectors.sight(self.context["reader"], appraisal)
        return cache[appraisal.pk]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_relations(self, appraisal) -> list[str]:
        return sorted(self._sight(appraisal).relations)

    @extend_schema_field(FormulaSerializer)
    def get_formula(self, appraisal) -> dict:
        cycle = appraisal.cycle
        weights = selectors.formula_weights(cycle)
        return FormulaSerializer({f"weight_{name}": weight for name, weight in weights.items()}).data

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_stage_deadline(self, appraisal) -> str | None:
        window = selectors.overview(appraisal).window
        return serializers.DateTimeField().to_representation(window.deadline) if window else None

    @extend_schema_field(SelfAssessmentSerializer(allow_null=True))
    def get_self_assessment(self, appraisal) -> dict | None:
        seen = self._sight(appraisal)
        if not (seen.self_draft or (seen.self_assessment and appraisal.self_submitted_at)):
            return None
        goals = [
            {"personal_goal": row.goal.pk, "kpi_code": row.goal.kpi.code, "kpi_name": row.goal.kpi.name,
             "target": row.goal.target, "weight": row.goal.weight,
             "comment": row.assessment.self_comment if row.assessment else "",
             "rating": row.assessment.self_rating if row.assessment else None}
            for row in selectors.goal_rows(appraisal)
        ]  # fmt: skip
        return SelfAssessmentSerializer(
            {"summary": appraisal.self_summary, "submitted_at": appraisal.self_submitted_at, "goals": goals}
        ).data

    @extend_schema_field(ManagerAssessmentSerializer(allow_null=True))
    def get_manager_assessment(self, appraisal) -> dict | None:
        seen = self._sight(appraisal)
        if not seen.manager_assessment or (not seen.manager_draft and appraisal.manager_submitted_at is None):
            return None
        result = selectors.frozen_result(appraisal)
        return ManagerAssessmentSerializer({
            "grade": _grade(appraisal.manager_grade), "reason": appraisal.manager_reason,
            "departure_reason": appraisal.departure_reason, "comment": appraisal.manager_comment,
            "submitted_at": appraisal.manager_submitted_at,
            "suggested_grade": _grade(appraisal.suggested_grade),
            "scorecard_total": appraisal.scorecard_total, "kpi_part": appraisal.kpi_part,
            "review_part": appraisal.review_part, "points_total": appraisal.points_total,
            "result_score": appraisal.result_score, "left_out": list(result.left_out) if result else [],
        }).data  # fmt: skip


class GoalAssessmentWriteSerializer(StrictWriteMixin, serializers.Serializer):
    refuse_unknown = True
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)


class SubmitSelfSerializer(StrictWriteMixin, serializers.Serializer):
    refuse_unknown = True
    lock_version = LockVersionField(required=True)
    submit = serializers.BooleanField(
        default=True, help_text="false: save a draft (no stage changes); true: send it (final)."
    )
    summary = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    goals = serializers.DictField(
        child=GoalAssessmentWriteSerializer(), required=False,
        help_text="{personal goal id: {comment, rating 1–5 or null}}; goals left out keep what was saved.",
    )  # fmt: skip


class SubmitManagerSerializer(StrictWriteMixin, serializers.Serializer):
    refuse_unknown = True
    lock_version = LockVersionField(required=True)
    submit = serializers.BooleanField(
        default=True, help_text="false: save a draft; true: submit (freezes the score, moves to calibration)."
    )
    grade = TenantRelatedField(
        queryset=Grade.objects, required=False, allow_null=True,
        help_text="A grade of the tenant's scale (id); within the policy's departure from the suggested one.",
    )  # fmt: skip
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    departure_reason = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True)


@extend_schema_view(
    list=extend_schema(parameters=[
        OpenApiParameter("view", OpenApiTypes.STR, enum=["", *selectors.LIST_VIEWS]),
        OpenApiParameter("cycle", OpenApiTypes.INT, description="Only this cycle's appraisals."),
        OpenApiParameter("unit", OpenApiTypes.INT, description="view=cycle: this unit and its sub-units."),
        OpenApiParameter("stage", OpenApiTypes.STR, enum=["", *Stage.values]),
    ]),
    retrieve=extend_schema(responses=AppraisalDetailSerializer),
)  # fmt: skip
class AppraisalViewSet(
    AppraisalAnswerActions, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet
):
    serializer_class = AppraisalSerializer
    read_roles = ALL_ROLES
    write_roles = ALL_ROLES

    def _reader(self):
        if getattr(self, "_appraisal_reader", None) is None:
            self._appraisal_reader = appraisal_reader(self.request.membership, self.request.user)
        return self._appraisal_reader

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self.request, "membership", None) is not None:
            context["reader"] = self._reader()
        return context

    def get_queryset(self):
        reader = self._reader()
        params = self.request.query_params
        errors: dict[str, list[str]] = {}
        views = selectors.list_views(reader)
        view = params.get("view", "")
        if view and view not in selectors.LIST_VIEWS:
            errors["view"] = [f"Select a valid choice. {view[:40]!r} is not one of the choices."]
        stage = params.get("stage", "")
        if stage and stage not in Stage.values:
            errors["stage"] = [f"Select a valid choice. {stage[:40]!r} is not one of the choices."]
        cycle_id = id_param(self.request, "cycle", errors)
        unit_id = id_param(self.request, "unit", errors)
        if errors:
            raise exceptions.ValidationError(errors)
        view = view or (views[0] if views else "")
        if view not in views:
            return selectors.appraisal_list(reader, "")
        cycles = selectors.cycles_listed()
        cycle = next((c for c in cycles if c.pk == cycle_id), None) if cycle_id is not None else None
        if cycle_id is not None and cycle is None:
            return selectors.appraisal_list(reader, "")
        if view == selectors.VIEW_CYCLE and cycle is None:
            cycle = cycles[0] if cycles else None
        unit = selectors.unit_by_id(unit_id)
        if unit_id is not None and unit is None:
            return selectors.appraisal_list(reader, "")
        return selectors.appraisal_list(reader, view, cycle=cycle, unit=unit, stage=stage)

    def get_object(self):
        return access_appraisal_by_id(self._reader(), self.kwargs.get("pk"))

    def retrieve(self, request, *args, **kwargs):
        return self._respond(self.get_object())

    def _respond(self, appraisal):
        fresh = access_appraisal_by_id(self._reader(), appraisal.pk)
        return Response(AppraisalDetailSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(request=SubmitSelfSerializer, responses={200: AppraisalDetailSerializer})
    @action(detail=True, methods=["post"], url_path="submit-self")
    def submit_self(self, request, *args, **kwargs):
        appraisal = self.get_object()
        data = validated_body(self, SubmitSelfSerializer)
        self_assessment_save(
            actor=request.user, appraisal=appraisal, lock_version=lock_version_of(request),
            summary=data.get("summary", UNSET), goals=data.get("goals", UNSET), submit=data["submit"],
        )  # fmt: skip
        return self._respond(appraisal)

    @extend_schema(request=SubmitManagerSerializer, responses={200: AppraisalDetailSerializer})
    @action(detail=True, methods=["post"], url_path="submit-manager")
    def submit_manager(self, request, *args, **kwargs):
        appraisal = self.get_object()
        data = validated_body(self, SubmitManagerSerializer)
        manager_assessment_save(
            actor=request.user, appraisal=appraisal, lock_version=lock_version_of(request),
            grade=data.get("grade", UNSET), reason=data.get("reason", UNSET),
            departure_reason=data.get("departure_reason", UNSET), comment=data.get("comment", UNSET),
            submit=data["submit"],
        )  # fmt: skip
        return self._respond(appraisal)
