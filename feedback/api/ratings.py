"""API of a rater's own ratings, routed by feedback/urls.py.

`/api/v1/t/<slug>/ratings/`                   the requester's own rater assignments (filters: status,
                                              campaign)
`/api/v1/t/<slug>/ratings/<id>/`              retrieve; update / partial update the draft {lock_version (0
                                              for the first save), scores?, comment?}
`POST …/ratings/<id>/submit/`                 {scores?, comment?} (else the draft's): once; again → 409

Scores are {dimension id: 1–5}; errors keyed "scores-<dimension id>". A rater sees what they have to rate
and their own draft — never a submitted rating's content (after submitting it reads "submitted"), never
another rater's assignment (a 404 like a missing one), never a rater id.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, serializers
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from collab.concurrency import UNSET
from collab.models import ALL_ROLES
from collab.routing.fields import LockVersionField, StrictWriteMixin, lock_version_of, validated_body
from collab.routing.ids import id_param
from collab.routing.viewsets import TenantViewSet
from feedback.access import access_own_assignment_by_id
from feedback.models import AssignmentStatus, CampaignStatus, RaterRole, ReviewKind
from feedback.selectors.campaigns import own_assignments
from feedback.services.campaigns import rating as rating_services


class RatingCampaignSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=ReviewKind.choices)
    deadline = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=CampaignStatus.choices)


class RatingSubjectSerializer(serializers.Serializer):
    org_unit = serializers.IntegerField(source="org_unit_id", allow_null=True)
    employee = serializers.IntegerField(source="employee_id", allow_null=True)
    name = serializers.SerializerMethodField()

    def get_name(self, subject) -> str:
        return subject.org_unit.name if subject.org_unit_id else subject.employee.name


class RatingDimensionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    anchors = serializers.ListField(child=serializers.CharField(), min_length=5, max_length=5)


class RatingDraftSerializer(serializers.Serializer):
    scores = serializers.DictField(child=serializers.IntegerField(min_value=1, max_value=5))
    comment = serializers.CharField(allow_blank=True)


class RatingSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    campaign = RatingCampaignSerializer(read_only=True)
    subject = RatingSubjectSerializer(read_only=True)
    rater_role = serializers.ChoiceField(choices=RaterRole.choices, read_only=True)
    attributed = serializers.SerializerMethodField(
        help_text="True for a 360 line manager: this rating will carry the rater's name."
    )
    status = serializers.ChoiceField(choices=AssignmentStatus.choices, read_only=True)
    dimensions = serializers.SerializerMethodField()
    draft = serializers.SerializerMethodField(help_text="The rater's unsent draft; null once submitted.")
    lock_version = serializers.SerializerMethodField(
        help_text="The draft's lock_version; 0 before the first save."
    )

    def get_attributed(self, assignment) -> bool:
        return rating_services.is_attributed(assignment)

    @extend_schema_field(RatingDimensionSerializer(many=True))
    def get_dimensions(self, assignment) -> list[dict]:
        return [
            {"id": d.pk, "name": d.name, "description": d.description, "anchors": d.anchors}
            for d in assignment.campaign.template.dimensions.all()
        ]

    @extend_schema_field(RatingDraftSerializer(allow_null=True))
    def get_draft(self, assignment) -> dict | None:
        draft = getattr(assignment, "draft", None) if assignment.status == AssignmentStatus.PENDING else None
        return {"scores": draft.scores, "comment": draft.comment} if draft is not None else None

    def get_lock_version(self, assignment) -> int:
        draft = getattr(assignment, "draft", None)
        return draft.lock_version if draft is not None else 0


class RatingDraftWriteSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = RatingSerializer
    lock_version = LockVersionField(
        required=True, help_text="The draft's lock_version (0 before the first save)."
    )
    scores = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=5, allow_null=True), required=False,
        help_text="{dimension id: 1–5}; a draft may leave dimensions out.",
    )  # fmt: skip
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class RatingSubmitSerializer(StrictWriteMixin, serializers.Serializer):
    refuse_unknown = True
    scores = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=5), required=False,
        help_text="{dimension id: 1–5} for every dimension; left out: the draft's.",
    )  # fmt: skip
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True)


@extend_schema_view(
    list=extend_schema(parameters=[
        OpenApiParameter("status", OpenApiTypes.STR, enum=["", *AssignmentStatus.values]),
        OpenApiParameter("campaign", OpenApiTypes.INT, description="Only this campaign's assignments."),
    ]),
    update=extend_schema(request=RatingDraftWriteSerializer, responses=RatingSerializer),
    partial_update=extend_schema(request=RatingDraftWriteSerializer, responses=RatingSerializer),
)  # fmt: skip
class RatingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    serializer_class = RatingSerializer
    read_roles = ALL_ROLES
    write_roles = ALL_ROLES

    def get_queryset(self):
        queryset = own_assignments(self.request.user)
        if self.action != "list":
            return queryset
        errors: dict[str, list[str]] = {}
        value = self.request.query_params.get("status", "")
        if value and value not in AssignmentStatus.values:
            errors["status"] = [f"Select a valid choice. {value[:40]!r} is not one of the choices."]
        campaign = id_param(self.request, "campaign", errors)
        if errors:
            raise exceptions.ValidationError(errors)
        if value:
            queryset = queryset.filter(status=value)
        if campaign is not None:
            queryset = queryset.filter(campaign_id=campaign)
        return queryset

    def get_object(self):
        write = self.request.method not in SAFE_METHODS
        return access_own_assignment_by_id(self.request.membership, self.kwargs.get("pk"), write=write)

    def _respond(self, assignment):
        fresh = own_assignments(self.request.user).get(pk=assignment.pk)
        return Response(RatingSerializer(fresh, context=self.get_serializer_context()).data)

    def update(self, request, *args, **kwargs):
        assignment = self.get_object()
        partial = kwargs.get("partial", False)
        data = validated_body(self, RatingDraftWriteSerializer, partial=partial)
        rating_services.rating_draft_save(
            actor=request.user, assignment=assignment, lock_version=lock_version_of(request),
            scores=data.get("scores", UNSET), comment=data.get("comment", UNSET),
        )  # fmt: skip
        return self._respond(assignment)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(request=RatingSubmitSerializer, responses={200: RatingSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, *args, **kwargs):
        assignment = self.get_object()
        data = validated_body(self, RatingSubmitSerializer)
        rating_services.rating_submit(
            actor=request.user, assignment=assignment,
            scores=data.get("scores", UNSET), comment=data.get("comment", UNSET),
        )  # fmt: skip
        return self._respond(assignment)
