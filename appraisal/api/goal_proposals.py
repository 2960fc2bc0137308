"""API of goals set together, routed by appraisal/urls.py.

`goal-proposals/`              list (the proposals of the appraisals the member reads, appraisal/access.py;
                               `appraisal`, `status`, `box=to_agree`: waiting for my answer as manager),
                               create {appraisal, kind, parent_goal?, kpi?, personal_goal?, target?,
                               weight?, reason?} by the person appraised (a new goal or a weight change in
                               goal setting; a revision with a reason during the period), retrieve;
`goal-proposals/<id>/`         PATCH: the employee edits a returned (or still open) proposal and proposes
                               it again {lock_version, …the fields of its kind};
`goal-proposals/<id>/accept/`  {lock_version, target?, weight?, manager_comment?} by the manager;
`goal-proposals/<id>/return/`  {lock_version, manager_comment} by the appraisal's manager;
`goal-proposals/<id>/withdraw/` {lock_version} by the person appraised, while open or returned.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from appraisal.access import (
    access_appraisal_by_id,
    access_goal_proposal_by_id,
    appraisal_reader,
    readable_appraisals,
)
from appraisal.models import Appraisal, GoalProposal, PersonalGoal, ProposalKind, ProposalStatus
from appraisal.selectors.goal_proposals import proposals_to_agree
from appraisal.services import goal_proposals as services
from collab.concurrency import UNSET
from collab.models import ALL_ROLES, WRITE_ROLES
from collab.routing.fields import (
    LockVersionField,
    StrictWriteMixin,
    TenantRelatedField,
    lock_version_of,
    validated_body,
)
from collab.routing.ids import id_param
from collab.routing.viewsets import TenantViewSet
from collab.selectors.platform import member_linked_employee
from goals.models import KPI, Goal


def _decimal(**kwargs):
    return serializers.DecimalField(max_digits=14, decimal_places=4, coerce_to_string=True, **kwargs)


def _weight(**kwargs):
    return serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, **kwargs)


class GoalProposalSerializer(serializers.ModelSerializer):
    employee = serializers.IntegerField(source="appraisal.employee_id", read_only=True)
    kpi_code = serializers.CharField(source="kpi.code", read_only=True, allow_null=True, default=None)
    kpi_name = serializers.CharField(source="kpi.name", read_only=True, allow_null=True, default=None)
    lock_version = LockVersionField()

    class Meta:
        model = GoalProposal
        fields = [
            "id",
            "appraisal",
            "employee",
            "kind",
            "parent_goal",
            "personal_goal",
            "kpi",
            "kpi_code",
            "kpi_name",
            "target",
            "weight",
            "reason",
            "status",
            "manager_comment",
            "decided_at",
            "created_at",
            "updated_at",
            "lock_version",
        ]
        read_only_fields = fields


class GoalProposalCreateSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = GoalProposalSerializer
    appraisal = TenantRelatedField(queryset=Appraisal.objects)
    kind = serializers.ChoiceField(choices=ProposalKind.choices)
    parent_goal = TenantRelatedField(
        queryset=Goal.objects,
        required=False,
        allow_null=True,
        help_text="A new goal: one of the person's position's goals.",
    )
    kpi = TenantRelatedField(queryset=KPI.objects, required=False, allow_null=True)
    personal_goal = TenantRelatedField(
        queryset=PersonalGoal.objects,
        required=False,
        allow_null=True,
        help_text="A weight change or revision: the agreed goal.",
    )
    target = _decimal(required=False, allow_null=True)
    weight = _weight(required=False, allow_null=True)
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class GoalProposalUpdateSerializer(GoalProposalCreateSerializer):
    appraisal = None
    kind = None
    lock_version = LockVersionField(required=True)


class AcceptSerializer(StrictWriteMixin, serializers.Serializer):
    refuse_unknown = True
    lock_version = LockVersionField(required=True)
    target = _decimal(required=False, allow_null=True)
    weight = _weight(required=False, allow_null=True)
    manager_comment = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class ReturnSerializer(StrictWriteMixin, serializers.Serializer):
    refuse_unknown = True
    lock_version = LockVersionField(required=True)
    manager_comment = serializers.CharField(max_length=5000)


class WithdrawSerializer(StrictWriteMixin, serializers.Serializer):
    refuse_unknown = True
    lock_version = LockVersionField(required=True)


ID_PATH = OpenApiParameter("id", int, OpenApiParameter.PATH)
LIST_PARAMETERS = [
    OpenApiParameter("appraisal", OpenApiTypes.INT),
    OpenApiParameter("status", OpenApiTypes.STR, enum=ProposalStatus.values),
    OpenApiParameter(
        "box",
        OpenApiTypes.STR,
        enum=["to_agree"],
        description="to_agree: proposals waiting for my answer as the manager.",
    ),
]


@extend_schema_view(
    list=extend_schema(parameters=LIST_PARAMETERS),
    create=extend_schema(request=GoalProposalCreateSerializer, responses={201: GoalProposalSerializer}),
    partial_update=extend_schema(request=GoalProposalUpdateSerializer, responses=GoalProposalSerializer),
)
class GoalProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    serializer_class = GoalProposalSerializer
    read_roles = ALL_ROLES
    write_roles = WRITE_ROLES
    http_method_names = ["get", "post", "patch", "head", "options"]

    def _reader(self):
        return appraisal_reader(self.request.membership, self.request.user)

    def get_queryset(self):
        base = GoalProposal.objects.select_related("appraisal", "kpi").order_by("id")
        if self.action != "list":
            return base
        errors: dict = {}
        box = self.request.query_params.get("box", "")
        if box == "to_agree":
            queryset = proposals_to_agree(member_linked_employee(self.request.membership)).select_related(
                "kpi"
            )
        elif box:
            raise exceptions.ValidationError(
                {"box": [_("Choose one of: %(choices)s.") % {"choices": "to_agree"}]}
            )
        else:
            queryset = base.filter(appraisal__in=readable_appraisals(self._reader()).values("pk"))
        appraisal = id_param(self.request, "appraisal", errors)
        if appraisal is not None:
            queryset = queryset.filter(appraisal_id=appraisal)
        state = self.request.query_params.get("status", "")
        if state and state not in ProposalStatus.values:
            errors["status"] = [
                _("Choose one of: %(choices)s.") % {"choices": ", ".join(ProposalStatus.values)}
            ]
        elif state:
            queryset = queryset.filter(status=state)
        if errors:
            raise exceptions.ValidationError(errors)
        return queryset.order_by("id")

    def get_object(self):
        return access_goal_proposal_by_id(self._reader(), self.kwargs.get("pk"))

    def _respond(self, proposal, code=status.HTTP_200_OK):
        fresh = GoalProposal.objects.select_related("appraisal", "kpi").get(pk=proposal.pk)
        return Response(GoalProposalSerializer(fresh).data, status=code)

    def create(self, request, *args, **kwargs):
        data = validated_body(self, GoalProposalCreateSerializer)
        appraisal = access_appraisal_by_id(self._reader(), data.pop("appraisal").pk)
        proposal = services.goal_proposal_create(actor=request.user, appraisal=appraisal, data=data)
        return self._respond(proposal, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        proposal = self.get_object()
        data = validated_body(self, GoalProposalUpdateSerializer, partial=True)
        version = lock_version_of(request)
        data.pop("lock_version", None)
        merged = {
            "parent_goal": proposal.parent_goal,
            "kpi": proposal.kpi,
            "personal_goal": proposal.personal_goal,
            "target": proposal.target,
            "weight": proposal.weight,
            "reason": proposal.reason,
        } | data
        saved = services.goal_proposal_update(
            actor=request.user, proposal=proposal, data=merged, lock_version=version
        )
        return self._respond(saved)

    @extend_schema(request=AcceptSerializer, responses=GoalProposalSerializer, parameters=[ID_PATH])
    @action(detail=True, methods=["post"], serializer_class=AcceptSerializer)
    def accept(self, request, *args, **kwargs):
        """The manager accepts, optionally with another target or weight: the goal is agreed."""
        proposal = self.get_object()
        data = validated_body(self, AcceptSerializer)
        saved = services.goal_proposal_accept(
            actor=request.user,
            proposal=proposal,
            lock_version=data["lock_version"],
            target=UNSET if data.get("target") is None else data["target"],
            weight=UNSET if data.get("weight") is None else data["weight"],
            comment=data.get("manager_comment", ""),
        )
        return self._respond(saved)

    @extend_schema(request=ReturnSerializer, responses=GoalProposalSerializer, parameters=[ID_PATH])
    @action(detail=True, methods=["post"], url_path="return", serializer_class=ReturnSerializer)
    def return_(self, request, *args, **kwargs):
        """The manager returns the proposal with a comment."""
        proposal = self.get_object()
        data = validated_body(self, ReturnSerializer)
        saved = services.goal_proposal_return(
            actor=request.user,
            proposal=proposal,
            lock_version=data["lock_version"],
            comment=data["manager_comment"],
        )
        return self._respond(saved)

    @extend_schema(request=WithdrawSerializer, responses=GoalProposalSerializer, parameters=[ID_PATH])
    @action(detail=True, methods=["post"], serializer_class=WithdrawSerializer)
    def withdraw(self, request, *args, **kwargs):
        """The person appraised withdraws their open or returned proposal."""
        proposal = self.get_object()
        data = validated_body(self, WithdrawSerializer)
        saved = services.goal_proposal_withdraw(
            actor=request.user, proposal=proposal, lock_version=data["lock_version"]
        )
        return self._respond(saved)
