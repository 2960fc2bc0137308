"""API of review campaigns, routed by feedback/urls.py (a rater's own ratings: `feedback.api.ratings`).

`/api/v1/t/<slug>/review-campaigns/`          list (filters: q, status, kind), create {name, template,
                                              period, deadline, frequency?, comment_minimum?, role_weights?,
                                              subjects?, rules?}
`/api/v1/t/<slug>/review-campaigns/<id>/`     retrieve (with subjects and rules), update / partial update
                                              {lock_version, …} and delete (?lock_version=N) while a draft
`POST …/review-campaigns/<id>/launch/`        {lock_version}: rules → rater assignments; subjects and rules
                                              frozen from then on
`POST …/review-campaigns/<id>/close/`         {lock_version}: results released, recompute queued, the
                                              next round of a repeating campaign opened (`next_round`, or
                                              `next_period_missing`); closing a closed one changes nothing

Subjects: {org_unit} or, for a 360, {employee}. Rules: {rater_role, rater_unit?, include_sub_units?,
rater_employee?, subject_unit?, subject_employee?} (a rule names one subject or, without, is for all); an
update that sends `subjects` or `rules` replaces that whole list. Errors are field errors keyed
"subjects-<i>-<field>" and "rules-<i>-<field>". HR admins write; auditors read.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from collab.concurrency import UNSET
from collab.models import Employee, OrgUnit, Period
from collab.routing.fields import (
    LockVersionField,
    RowsField,
    StrictWriteMixin,
    TenantRelatedField,
    lock_version_of,
    nested_rows,
    validated_body,
)
from collab.routing.viewsets import TenantViewSet
from feedback.access import CAMPAIGN_READERS, access_review_campaign_by_id
from feedback.models import (
    CampaignStatus,
    Frequency,
    RaterRole,
    ReviewCampaign,
    ReviewKind,
    ReviewTemplate,
)
from feedback.selectors.campaigns import campaign_detail, review_campaigns
from feedback.services.campaigns import close as close_services
from feedback.services.campaigns import launch as launch_services
from feedback.services.campaigns import setup as setup_services
from feedback.services.campaigns.checks import HEADER_FIELDS


# ---------------------------------------------------------------------------------------- campaigns
class CampaignSubjectSerializer(StrictWriteMixin, serializers.Serializer):
    org_unit = TenantRelatedField(queryset=OrgUnit.objects, required=False, allow_null=True, default=None)
    employee = TenantRelatedField(queryset=Employee.objects, required=False, allow_null=True, default=None)


class CampaignSubjectReadSerializer(serializers.Serializer):
    org_unit = serializers.IntegerField(source="org_unit_id", allow_null=True)
    employee = serializers.IntegerField(source="employee_id", allow_null=True)
    name = serializers.SerializerMethodField()

    def get_name(self, subject) -> str:
        return subject.org_unit.name if subject.org_unit_id else subject.employee.name


class RaterRuleSerializer(StrictWriteMixin, serializers.Serializer):
    rater_role = serializers.ChoiceField(choices=RaterRole.choices, default=RaterRole.INTERNAL_CUSTOMER)
    rater_unit = TenantRelatedField(queryset=OrgUnit.objects, required=False, allow_null=True, default=None)
    include_sub_units = serializers.BooleanField(required=False, default=True)
    rater_employee = TenantRelatedField(
        queryset=Employee.objects, required=False, allow_null=True, default=None
    )
    subject_unit = TenantRelatedField(queryset=OrgUnit.objects, required=False, allow_null=True, default=None)
    subject_employee = TenantRelatedField(
        queryset=Employee.objects, required=False, allow_null=True, default=None
    )


class RaterRuleReadSerializer(serializers.Serializer):
    rater_role = serializers.ChoiceField(choices=RaterRole.choices)
    rater_unit = serializers.IntegerField(source="rater_unit_id", allow_null=True)
    include_sub_units = serializers.BooleanField()
    rater_employee = serializers.IntegerField(source="rater_employee_id", allow_null=True)
    subject_unit = serializers.IntegerField(source="subject.org_unit_id", allow_null=True, default=None)
    subject_employee = serializers.IntegerField(source="subject.employee_id", allow_null=True, default=None)


class ReviewCampaignSerializer(serializers.ModelSerializer):
    role_weights = serializers.DictField(child=serializers.IntegerField(), read_only=True)
    subjects = CampaignSubjectReadSerializer(many=True, read_only=True)
    rules = RaterRuleReadSerializer(many=True, read_only=True, source="rater_rules")
    subject_count = serializers.IntegerField(read_only=True)
    assignment_count = serializers.IntegerField(read_only=True)
    submitted_count = serializers.IntegerField(read_only=True)
    lock_version = LockVersionField()

    class Meta:
        model = ReviewCampaign
        fields = [
            "id", "name", "template", "kind", "period", "frequency", "deadline", "status", "comment_minimum",
            "role_weights", "previous", "launched_at", "closed_at", "subjects", "rules", "subject_count",
            "assignment_count", "submitted_count", "lock_version", "updated_at", "created_at",
        ]  # fmt: skip
        read_only_fields = [
            "id", "template", "kind", "period", "frequency", "deadline", "status", "comment_minimum",
            "previous", "launched_at", "closed_at", "updated_at", "created_at", "name",
        ]  # fmt: skip


class ReviewCampaignCreateSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = ReviewCampaignSerializer
    name = serializers.CharField(max_length=200)
    template = TenantRelatedField(queryset=ReviewTemplate.objects)
    period = TenantRelatedField(queryset=Period.objects)
    frequency = serializers.ChoiceField(choices=Frequency.choices, default=Frequency.ONCE)
    deadline = serializers.DateTimeField()
    comment_minimum = serializers.IntegerField(min_value=3, max_value=100, default=5)
    role_weights = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=100), required=False, default=dict,
        help_text="360 only: a weight (0–100) per rater role, adding up to 100.",
    )  # fmt: skip
    subjects = RowsField(CampaignSubjectSerializer, required=False)
    rules = RowsField(RaterRuleSerializer, required=False)


class ReviewCampaignUpdateSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = ReviewCampaignSerializer
    lock_version = LockVersionField(required=True)
    name = serializers.CharField(max_length=200, required=False)
    template = TenantRelatedField(queryset=ReviewTemplate.objects, required=False)
    period = TenantRelatedField(queryset=Period.objects, required=False)
    frequency = serializers.ChoiceField(choices=Frequency.choices, required=False)
    deadline = serializers.DateTimeField(required=False)
    comment_minimum = serializers.IntegerField(min_value=3, max_value=100, required=False)
    role_weights = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=100), required=False,
        help_text="360 only: a weight (0–100) per rater role, adding up to 100.",
    )  # fmt: skip
    subjects = RowsField(CampaignSubjectSerializer, required=False)
    rules = RowsField(RaterRuleSerializer, required=False)


class CampaignLockSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = ReviewCampaignSerializer
    refuse_unknown = True
    lock_version = LockVersionField(required=True)


class CampaignClosedSerializer(ReviewCampaignSerializer):
    next_round = serializers.IntegerField(read_only=True, allow_null=True)
    next_period_missing = serializers.BooleanField(read_only=True)

    class Meta(ReviewCampaignSerializer.Meta):
        fields = [*ReviewCampaignSerializer.Meta.fields, "next_round", "next_period_missing"]


HEADER = HEADER_FIELDS


@extend_schema_view(
    list=extend_schema(parameters=[
        OpenApiParameter("q", OpenApiTypes.STR, description="Name contains."),
        OpenApiParameter("status", OpenApiTypes.STR, enum=["", *CampaignStatus.values]),
        OpenApiParameter("kind", OpenApiTypes.STR, enum=["", *ReviewKind.values]),
    ]),
    create=extend_schema(request=ReviewCampaignCreateSerializer, responses={201: ReviewCampaignSerializer}),
    update=extend_schema(request=ReviewCampaignUpdateSerializer, responses=ReviewCampaignSerializer),
    partial_update=extend_schema(request=ReviewCampaignUpdateSerializer, responses=ReviewCampaignSerializer),
)  # fmt: skip
class ReviewCampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    serializer_class = ReviewCampaignSerializer
    read_roles = CAMPAIGN_READERS

    def get_queryset(self):
        if self.action != "list":
            return campaign_detail()
        params = self.request.query_params
        errors: dict[str, list[str]] = {}
        q = params.get("q", "")
        if "\x00" in q or len(q) > 100:
            errors["q"] = ["Null characters are not allowed; at most 100 characters."]
        choices = {"status": CampaignStatus.values, "kind": ReviewKind.values}
        values = {name: params.get(name, "") for name in choices}
        for name, value in values.items():
            if value and value not in choices[name]:
                errors[name] = [f"Select a valid choice. {value[:40]!r} is not one of the available choices."]
        if errors:
            raise exceptions.ValidationError(errors)
        return campaign_detail().filter(pk__in=review_campaigns(q=q.strip(), **values).values("pk"))

    def get_object(self):
        write = self.request.method not in SAFE_METHODS
        return access_review_campaign_by_id(self.request.membership, self.kwargs.get("pk"), write=write)

    def _respond(self, campaign, code=status.HTTP_200_OK, serializer_class=None, **extra):
        fresh = campaign_detail().get(pk=campaign.pk)
        for name, value in extra.items():
            setattr(fresh, name, value)
        serializer_class = serializer_class or ReviewCampaignSerializer
        serializer = serializer_class(fresh, context=self.get_serializer_context())
        return Response(serializer.data, status=code)

    def _lists(self) -> dict:
        out = {}
        for key, row in (("subjects", CampaignSubjectSerializer), ("rules", RaterRuleSerializer)):
            rows = nested_rows(self, row, key, required=False)
            if rows is not UNSET:
                out[key] = rows
        return out

    def create(self, request, *args, **kwargs):
        data = validated_body(self, ReviewCampaignCreateSerializer)
        lists = self._lists()
        campaign = setup_services.campaign_create(
            actor=request.user, data={k: data[k] for k in HEADER if k in data}, **lists
        )
        return self._respond(campaign, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        campaign = self.get_object()
        partial = kwargs.get("partial", False)
        data = validated_body(self, ReviewCampaignUpdateSerializer, partial=partial)
        saved = setup_services.campaign_update(
            actor=request.user, campaign=campaign, lock_version=lock_version_of(request),
            data={k: data[k] for k in HEADER if k in data}, **self._lists(),
        )  # fmt: skip
        return self._respond(saved)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        campaign = self.get_object()
        version = lock_version_of(request)
        setup_services.campaign_delete(actor=request.user, campaign=campaign, lock_version=version)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=CampaignLockSerializer, responses={200: ReviewCampaignSerializer})
    @action(detail=True, methods=["post"])
    def launch(self, request, *args, **kwargs):
        campaign = self.get_object()
        version = validated_body(self, CampaignLockSerializer)["lock_version"]
        launch_services.campaign_launch(actor=request.user, campaign=campaign, lock_version=version)
        return self._respond(campaign)

    @extend_schema(request=CampaignLockSerializer, responses={200: CampaignClosedSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, *args, **kwargs):
        campaign = self.get_object()
        version = validated_body(self, CampaignLockSerializer)["lock_version"]
        result = close_services.campaign_close(actor=request.user, campaign=campaign, lock_version=version)
        return self._respond(
            campaign, serializer_class=CampaignClosedSerializer,
            next_round=result.next_round.pk if result.next_round else None,
            next_period_missing=result.next_missing,
        )  # fmt: skip
