"""API of bonus and penalty points (协同加减分), routed by feedback/urls.py.

`point-items/`            the catalog: list (q, active), create, retrieve, update (lock_version), delete
                          (?lock_version=N; an item proposed once is kept: make it inactive). HR writes;
                          every member reads (managers pick from it).
`point-proposals/`        list (`box`: mine — default —, to_decide, all (HR and auditors); `status`),
                          create {subject_employee | subject_unit, item, period, reason, proposer_role,
                          evidence_link?, evidence_events?} (evidence: a link, events or — next — an
                          attachment; at least one), retrieve;
`point-proposals/<id>/evidence/` GET the attachment (whoever reads the proposal; 404 without one), POST
                          multipart `file` to attach or replace it (the proposer, while pending; at most
                          5 MB, a document or an image); a create without link or events is refused, so an
                          attachment-only proposal is created with the page form.
`point-proposals/<id>/approve/` {lock_version, reason?} and `…/reject/` {lock_version, reason}: by someone
                          above the proposer in the reporting line, never the proposer; a repeated decision
                          answers the state the first one produced.
`point-ledger/`           read-only entries (list: year, employee, org_unit; retrieve); HR posts a correction
                          {corrects, points, reason}: a new entry, the corrected one stays as it was.
Proposals are decided, not edited, so they have no PUT/PATCH; the ledger has no PUT/PATCH/DELETE at all.
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
    lock_version_of,
    validated_body,
)
from collab.routing.ids import MAX_ID
from collab.routing.viewsets import TenantViewSet
from collab.selectors.platform import member_linked_employee
from feedback.access import (
    access_point_entry_by_id,
    access_point_item_by_id,
    access_point_proposal_by_id,
    event_reader,
)
from feedback.models import (
    CollaborationEvent,
    PointItem,
    PointLedgerEntry,
    PointProposal,
    ProposalStatus,
    ProposerRole,
)
from feedback.selectors import points as selectors
from feedback.selectors.point_events import MAX_CITED_EVENTS
from feedback.services.points import catalog, ledger, proposals
from feedback.views.points.proposals import evidence_download

POINTS = {"max_digits": 5, "decimal_places": 2, "min_value": -100, "max_value": 100}


def _points_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(**POINTS, **kwargs)


def _names(**kwargs) -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(max_length=100), max_length=30, **kwargs)


# ------------------------------------------------------------------------------------------------ items


class PointItemSerializer(serializers.ModelSerializer):
    points = _points_field(help_text="Signed: a bonus (+) or a penalty (−), never 0.")
    levels = _names(required=False, help_text="Management levels it is for (empty: every level).")
    job_families = _names(required=False, help_text="Job families it is for (empty: every family).")
    lock_version = LockVersionField()

    class Meta:
        model = PointItem
        fields = [
            "id", "name", "description", "points", "levels", "job_families", "is_active", "lock_version",
            "updated_at", "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "updated_at", "created_at"]
        validators: list = []


class PointItemWriteSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = PointItemSerializer
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    points = _points_field()
    levels = _names(required=False)
    job_families = _names(required=False)
    is_active = serializers.BooleanField(required=False)


class PointItemUpdateSerializer(PointItemWriteSerializer):
    lock_version = LockVersionField(required=True)
    name = serializers.CharField(max_length=200, required=False)
    points = _points_field(required=False)


class PointItemFilters(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=100, allow_blank=True)
    active = serializers.BooleanField(required=False, allow_null=True, default=None)


ITEM_FIELDS = ("name", "description", "points", "levels", "job_families", "is_active")


@extend_schema_view(
    list=extend_schema(parameters=[PointItemFilters]),
    create=extend_schema(request=PointItemWriteSerializer, responses={201: PointItemSerializer}),
    update=extend_schema(request=PointItemUpdateSerializer, responses=PointItemSerializer),
    partial_update=extend_schema(request=PointItemUpdateSerializer, responses=PointItemSerializer),
)
class PointItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    serializer_class = PointItemSerializer
    read_roles = ALL_ROLES

    def get_queryset(self):
        if self.action != "list":
            return selectors.point_items()
        filters = PointItemFilters(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        return selectors.point_items(q=data.get("q", "").replace("\x00", ""), active=data.get("active"))

    def get_object(self):
        write = self.request.method not in SAFE_METHODS
        return access_point_item_by_id(self.request.membership, self.kwargs.get("pk"), write=write)

    def _respond(self, item, code=status.HTTP_200_OK):
        return Response(self.get_serializer(selectors.point_items().get(pk=item.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        data = validated_body(self, PointItemWriteSerializer)
        item = catalog.point_item_create(
            actor=request.user, data={k: data[k] for k in ITEM_FIELDS if k in data}
        )
        return self._respond(item, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        item = self.get_object()
        partial = kwargs.get("partial", False)
        data = validated_body(self, PointItemUpdateSerializer, partial=partial)
        saved = catalog.point_item_update(
            actor=request.user, item=item, lock_version=lock_version_of(request),
            data={k: data[k] for k in ITEM_FIELDS if k in data},
        )  # fmt: skip
        return self._respond(saved)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        item = self.get_object()
        catalog.point_item_delete(actor=request.user, item=item, lock_version=lock_version_of(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# -------------------------------------------------------------------------------------------- proposals


class PointProposalSerializer(serializers.ModelSerializer):
    subject_employee_name = serializers.CharField(
        source="subject_employee.name", read_only=True, allow_null=True
    )
    subject_unit_name = serializers.CharField(source="subject_unit.name", read_only=True, allow_null=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    points = _points_field(read_only=True)
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
            evidence = selectors.proposal_evidence(proposal)
            if evidence is None:
                raise exceptions.NotFound()
            return evidence_download(evidence)
        upload = EvidenceUploadSerializer(data=request.data, context=self.get_serializer_context())
        upload.is_valid(raise_exception=True)
        saved = proposals.point_proposal_evidence_attach(
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


# ----------------------------------------------------------------------------------------------- ledger


class PointLedgerEntrySerializer(serializers.ModelSerializer):
    employee_name = serializers.CharField(source="employee.name", read_only=True, allow_null=True)
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    period_label = serializers.CharField(source="period.label", read_only=True)
    points = _points_field(read_only=True)

    class Meta:
        model = PointLedgerEntry
        fields = [
            "id", "proposal", "corrects", "employee", "employee_name", "org_unit", "org_unit_name",
            "position", "item", "item_name", "points", "period", "period_label", "year", "reason",
            "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class CorrectionSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = PointLedgerEntrySerializer
    corrects = TenantRelatedField(queryset=PointLedgerEntry.objects)
    points = _points_field(help_text="The signed points the correction adds (e.g. the opposite, to cancel).")
    reason = serializers.CharField(max_length=5000)


class LedgerFilters(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    employee = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    org_unit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


@extend_schema_view(
    list=extend_schema(parameters=[LedgerFilters]),
    create=extend_schema(request=CorrectionSerializer, responses={201: PointLedgerEntrySerializer}),
)
class PointLedgerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    serializer_class = PointLedgerEntrySerializer
    read_roles = ALL_ROLES

    def get_queryset(self):
        membership = self.request.membership
        readable = selectors.ledger_readable(membership, member_linked_employee(membership))
        queryset = selectors.ledger_entries().filter(pk__in=readable.values("pk"))
        if self.action != "list":
            return queryset
        filters = LedgerFilters(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        if "year" in data:
            queryset = queryset.filter(year=data["year"])
        if "employee" in data:
            queryset = queryset.filter(employee_id=data["employee"])
        if "org_unit" in data:
            queryset = queryset.filter(org_unit_id=data["org_unit"])
        return queryset

    def get_object(self):
        return access_point_entry_by_id(self.request.membership, self.kwargs.get("pk"))

    def create(self, request, *args, **kwargs):
        """A correction (HR): a new entry of the corrected one's subject, item and period."""
        data = validated_body(self, CorrectionSerializer)
        entry = access_point_entry_by_id(request.membership, data["corrects"].pk, write=True)
        made = ledger.point_ledger_correct(
            actor=request.user, entry=entry, points=data["points"], reason=data["reason"]
        )
        fresh = selectors.ledger_entries().get(pk=made.pk)
        return Response(PointLedgerEntrySerializer(fresh).data, status=status.HTTP_201_CREATED)
