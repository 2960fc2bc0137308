"""API of point proposals (协同加减分), routed by feedback/urls.py.

`point-proposals/`        list (`box`: mine — default —, to_decide, all (HR and auditors); `status`),
                          create {subject_employee | subject_unit, item, period, reason, proposer_role,
                          evidence_link?, evidence_events?} (evidence: a link or events, at least one; an
                          attachment next, or a proposal with an attachment only from the page form),
                          retrieve;
`point-proposals/<id>/evidence/` GET the attachment (whoever reads the proposal; 404 without one), POST
                          multipart `file` to attach or replace it (the proposer, while pending; at most
                          5 MB, a document, spreadsheet, presentation, image or zip file).
`point-proposals/<id>/approve/` {lock_version, reason?} and `…/reject/` {lock_version, reason}: by someone
                          above the proposer in the reporting line, never the proposer; a repeated decision
                          answers the state the first one produced.
Proposals are decided, not edited, so they have no PUT/PATCH.
"""

from __future__ import annotations

from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation, DefaultContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from collab.models import ALL_ROLES, WRITE_ROLES, Employee, OrgUnit, Period, Role
from collab.routing.fields import (
    ForeignIdNotFound,
    LockVersionField,
    StrictWriteMixin,
    TenantRelatedField,
    validated_body,
)
from collab.routing.ids import MAX_ID
from collab.routing.viewsets import TenantViewSet
from collab.selectors.platform import member_linked_employee
from feedback.access import access_point_proposal_by_id, event_reader
from feedback.api.points import points_field
from feedback.models import CollaborationEvent, PointItem, PointProposal, ProposalStatus, ProposerRole
from feedback.selectors import points as selectors
from feedback.selectors.point_events import MAX_CITED_EVENTS
from feedback.services.points import proposals
from feedback.services.points.evidence import point_proposal_evidence_attach
from feedback.views.points.proposals import evidence_download


class PointProposalSerializer(serializers.ModelSerializer):
    subject_employee_name = serializers.CharField(
        source="subject_employee.name", read_only=True, allow_null=True
    )
    subject_unit_name = serializers.CharField(source="subject_unit.name", read_only=True, allow_null=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    points = points_field(read_only=True)
    period_label = serializers.CharField(source="period.label", read_only=True)
    proposer_name = serializers.CharField(source="proposer.name", read_only=True)
    evidence_link = serializers.CharField(read_only=True, help_text="A web address, or empty.")
    evidence_file_name = serializers.SerializerMethodField()
    evidence_events = serializers.SerializerMethodField()
    ledger_entry = serializers.SerializerMethodField()
    lock_version = LockVersionField()

    class Meta:
        model = PointProposal
        fields = [
            "id", "subject_employee", "subject_employee_name", "subject_unit", "subject_unit_name", "item",
            "item_name", "points", "period", "period_label", "reason", "evidence_link", "evidence_file_name",
            "evidence_events", "proposer", "proposer_name", "proposer_role", "status", "first_approver",
            "first_approved_at", "decided_by", "decided_at", "decision_note", "ledger_entry", "lock_version",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_evidence_file_name(self, obj) -> str | None:
        evidence = getattr(obj, "evidence_name", None)
        return evidence or None

    def get_ledger_entry(self, obj) -> int | None:
        return getattr(obj, "ledger_entry_pk", None)

    def get_evidence_events(self, obj) -> list[int]:
        """The ids of the collaboration events cited as evidence, oldest citation first."""
        return [cited.event_id for cited in getattr(obj, "cited_events", [])]


class CitedEventsField(serializers.ListField):
    """Ids of collaboration events (JSON integers, at most `MAX_CITED_EVENTS`), read in one query: one
    missing, another tenant's or out of the member's sight (`feedback.access.event_reader`) answers 404
    naming the field, like any foreign key of a body; whether each may be cited for this subject and
    period the service decides (400)."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.IntegerField(min_value=1), max_length=MAX_CITED_EVENTS, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        if len(data) > MAX_CITED_EVENTS:
            self.fail("max_length", max_length=MAX_CITED_EVENTS)
        if any(isinstance(pk, bool) or not isinstance(pk, int) for pk in data):
            raise serializers.ValidationError(gettext("Give the events' ids as JSON integers."))
        ids = list(dict.fromkeys(data))
        request = self.context.get("request")
        membership = getattr(request, "membership", None)
        if not ids:
            return []
        if membership is None:
            raise ForeignIdNotFound(self.field_name)
        visible = event_reader(membership, request.user).visible()
        found = CollaborationEvent.objects.filter(visible, pk__in=[pk for pk in ids if 0 < pk <= MAX_ID])
        events = {event.pk: event for event in found}
        if len(events) != len(ids):
            raise ForeignIdNotFound(self.field_name)
        return [events[pk] for pk in ids]


class PointProposalCreateSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = PointProposalSerializer
    subject_employee = TenantRelatedField(queryset=Employee.objects, required=False, allow_null=True)
    subject_unit = TenantRelatedField(queryset=OrgUnit.objects, required=False, allow_null=True)
    item = TenantRelatedField(queryset=PointItem.objects)
    period = TenantRelatedField(queryset=Period.objects)
    reason = serializers.CharField(max_length=5000)
    proposer_role = serializers.ChoiceField(choices=ProposerRole.choices)
    evidence_link = serializers.CharField(max_length=500, required=False, allow_blank=True)
    evidence_events = CitedEventsField(
        required=False,
        help_text="Ids of collaboration events of the subject (the person or their unit, or the unit) in the "
        "period that you may read, cited as evidence.",
    )  # fmt: skip


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        max_length=200,
        help_text="The attachment: at most 5 MB; a document, spreadsheet, presentation, image or zip file "
        "(.pdf, .txt, .md, .csv, .doc(x), .xls(x), .ppt(x), .odt, .ods, .odp, .rtf, .eml, .msg, .png, .jpg, "
        ".jpeg, .gif, .webp, .zip).",
    )  # fmt: skip


class AnyAccepted(BaseContentNegotiation):
    """The attachment is a download whatever the client accepts (Accept: application/octet-stream is no
    406); errors stay JSON."""

    def select_parser(self, request, parsers):
        return DefaultContentNegotiation().select_parser(request, parsers)

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class DecisionSerializer(StrictWriteMixin, serializers.Serializer):
    refuse_unknown = True
    lock_version = LockVersionField(required=True)
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class RejectionSerializer(DecisionSerializer):
    reason = serializers.CharField(max_length=5000)


class ProposalFilters(serializers.Serializer):
    box = serializers.ChoiceField(
        choices=[("mine", "mine"), ("to_decide", "to_decide"), ("all", "all")],
        required=False, allow_blank=True,
        help_text="mine: proposals you made (default); to_decide: waiting for your decision; all: HR and "
        "auditors.",
    )  # fmt: skip
    status = serializers.ChoiceField(choices=ProposalStatus.choices, required=False, allow_blank=True)


ID_PATH = OpenApiParameter("id", int, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(parameters=[ProposalFilters]),
    create=extend_schema(request=PointProposalCreateSerializer, responses={201: PointProposalSerializer}),
)
class PointProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    serializer_class = PointProposalSerializer
    read_roles = ALL_ROLES
    write_roles = WRITE_ROLES

    def _employee(self):
        return member_linked_employee(self.request.membership)

    def get_queryset(self):
        if self.action != "list":
            return selectors.proposals_all()
        filters = ProposalFilters(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        box = filters.validated_data.get("box") or "mine"
        if box == "all":
            if not self.request.membership.has_role(Role.HR_ADMIN, Role.AUDITOR):
                raise exceptions.ValidationError({"box": ["Only HR admins and auditors list all proposals."]})
            queryset = selectors.proposals_all()
        elif box == "to_decide":
            queryset = selectors.proposals_to_decide(self._employee())
        else:
            queryset = selectors.proposals_made_by(self._employee())
        if filters.validated_data.get("status"):
            queryset = queryset.filter(status=filters.validated_data["status"])
        return selectors.with_evidence_events(selectors.with_evidence_name(queryset))

    def get_object(self):
        write = self.request.method not in SAFE_METHODS
        return access_point_proposal_by_id(self.request.membership, self.kwargs.get("pk"), write=write)

    def _respond(self, proposal, code=status.HTTP_200_OK):
        fresh = selectors.with_evidence_events(selectors.with_evidence_name(selectors.proposals_all()))
        return Response(PointProposalSerializer(fresh.get(pk=proposal.pk)).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        return self._respond(self.get_object())

    def create(self, request, *args, **kwargs):
        data = validated_body(self, PointProposalCreateSerializer)
        proposal = proposals.point_proposal_create(actor=request.user, proposer=self._employee(), data=data)
        return self._respond(proposal, status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"], parameters=[ID_PATH], request=None,
        responses={(200, "application/octet-stream"): OpenApiResponse(
            OpenApiTypes.BINARY, description="The attachment, as a download.")},
    )  # fmt: skip
    @extend_schema(
        methods=["POST"], parameters=[ID_PATH], request={"multipart/form-data": EvidenceUploadSerializer},
        responses=PointProposalSerializer,
    )  # fmt: skip
    @action(
        detail=True, methods=["get", "post"], parser_classes=[MultiPartParser],
        content_negotiation_class=AnyAccepted,
    )  # fmt: skip
    def evidence(self, request, *args, **kwargs):
        """The proposal's attachment: read it (whoever reads the proposal), or attach or replace it (its
        proposer, while it awaits approval)."""
        proposal = self.get_object()
        if request.method in SAFE_METHODS:
            attachment = selectors.proposal_evidence(proposal)
            if attachment is None:
                raise exceptions.NotFound()
            return evidence_download(attachment)
        upload = EvidenceUploadSerializer(data=request.data, context=self.get_serializer_context())
        upload.is_valid(raise_exception=True)
        saved = point_proposal_evidence_attach(
            actor=request.user, proposer=self._employee(), proposal=proposal,
            evidence_file=upload.validated_data["file"],
        )  # fmt: skip
        return self._respond(saved)

    @extend_schema(request=DecisionSerializer, responses=PointProposalSerializer, parameters=[ID_PATH])
    @action(detail=True, methods=["post"], serializer_class=DecisionSerializer)
    def approve(self, request, *args, **kwargs):
        """Approve (first or second level); the final approval writes the ledger entry."""
        proposal = self.get_object()
        data = validated_body(self, DecisionSerializer)
        saved = proposals.point_proposal_approve(
            actor=request.user, approver=self._employee(), proposal=proposal,
            lock_version=data["lock_version"], note=data.get("reason", ""),
        )  # fmt: skip
        return self._respond(saved)

    @extend_schema(request=RejectionSerializer, responses=PointProposalSerializer, parameters=[ID_PATH])
    @action(detail=True, methods=["post"], serializer_class=RejectionSerializer)
    def reject(self, request, *args, **kwargs):
        """Reject, saying why."""
        proposal = self.get_object()
        data = validated_body(self, RejectionSerializer)
        saved = proposals.point_proposal_reject(
            actor=request.user, approver=self._employee(), proposal=proposal,
            lock_version=data["lock_version"], reason=data["reason"],
        )  # fmt: skip
        return self._respond(saved)
