"""`GoalViewSet`: the goals resource, its tree and trace reads and its tree-wide writes."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from collab.models import ALL_BUT_EMPLOYEES, Period, Role
from collab.routing.fields import lock_version_of
from collab.routing.viewsets import TenantViewSet
from goals.access import access_goal_by_id
from goals.api.tree.bodies import (
    CopySerializer,
    GoalFilters,
    GoalSerializer,
    MoveSerializer,
    PublishSerializer,
    ReweightSerializer,
    TraceParams,
    TreeParams,
)
from goals.api.tree.shapes import GoalTraceSerializer, GoalTreeSerializer, _nested, _node_json
from goals.models import KPI, Goal
from goals.selectors.tree import load as tree_load
from goals.selectors.tree import trace as tree_trace
from goals.services.tree import rules as services_rules
from goals.services.tree.nodes import goal_create, goal_delete, goal_move, goal_update, siblings_reweight
from goals.services.tree.rules import HUNDRED
from goals.services.tree.whole_tree import period_tree_copy, period_tree_publish


class GoalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    read_roles = ALL_BUT_EMPLOYEES
    write_roles = frozenset({Role.HR_ADMIN})
    serializer_class = GoalSerializer

    def get_object(self):
        """The one door to this noun by id (`goals.access`): missing and another tenant's ids are a 404."""
        write = self.request.method not in SAFE_METHODS
        return access_goal_by_id(self.request.membership, self.kwargs.get("pk"), write=write)

    def get_queryset(self):
        queryset = Goal.objects.select_related("org_unit", "position", "kpi").order_by("path")
        if self.action != "list":
            return queryset
        filters = self._params(GoalFilters)
        for name in ("period", "parent", "kpi", "org_unit"):
            if name in filters:
                queryset = queryset.filter(**{f"{name}_id": filters[name]})
        if filters.get("root") == "yes":
            queryset = queryset.filter(parent__isnull=True)
        elif filters.get("root") == "no":
            queryset = queryset.filter(parent__isnull=False)
        return queryset

    # ----- helpers
    def _params(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _body(self, serializer_class, **kwargs) -> dict:
        serializer = serializer_class(data=self.request.data, **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _call(self, function, **kwargs):
        with transaction.atomic():  # several service calls (update, then move) are one write
            return function(**kwargs)

    def _respond(self, goal: Goal, code=status.HTTP_200_OK) -> Response:
        goal = self.get_queryset().get(pk=goal.pk)
        return Response(GoalSerializer(goal).data, status=code)

    @staticmethod
    def _period(pk: int) -> Period:
        period = Period.objects.filter(pk=pk).first()
        if period is None:
            raise Http404
        return period

    # ----- CRUD
    def create(self, request, *args, **kwargs):
        data = self._body(GoalSerializer)
        data.pop("lock_version", None)
        goal = self._call(goal_create, actor=request.user, **data)
        return self._respond(goal, status.HTTP_201_CREATED)

    def update(self, request, *args, partial: bool = False, **kwargs):
        goal = self.get_object()
        data = self._body(GoalSerializer, instance=goal, partial=partial)
        data.pop("lock_version", None)
        if "period" in data and data.pop("period").pk != goal.period_id:
            raise exceptions.ValidationError({"period": [_("A goal stays in its period.")]})
        version = lock_version_of(request)
        moving = "parent" in data and (data["parent"].pk if data["parent"] else None) != goal.parent_id
        parent = data.pop("parent", None)

        def save():
            updated = goal
            if data:
                updated = goal_update(actor=request.user, goal=goal, lock_version=version, **data)
            if moving:  # the same change: it goes on from the version the update made
                updated = goal_move(
                    actor=request.user, goal=updated, parent=parent,
                    lock_version=updated.lock_version if data else version,
                )
            return updated

        return self._respond(self._call(save))

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(
        parameters=[OpenApiParameter("subtree", str, enum=["yes", "no"])],
        responses=inline_serializer("GoalDeleted", {"deleted": serializers.IntegerField()}),
    )
    def destroy(self, request, *args, **kwargs):
        goal = self.get_object()
        subtree = request.query_params.get("subtree") == "yes"
        version = lock_version_of(request)
        deleted = self._call(
            goal_delete, actor=request.user, goal=goal, subtree=subtree, lock_version=version
        )
        return Response({"deleted": deleted}, status=status.HTTP_200_OK)

    # ----- actions
    @extend_schema(request=MoveSerializer, responses=GoalSerializer)
    @action(detail=True, methods=["post"], url_path="move", url_name="api-move")
    def move(self, request, *args, **kwargs):
        goal = self.get_object()
        data = self._body(MoveSerializer)
        moved = self._call(
            goal_move, actor=request.user, goal=goal, parent=data["parent"],
            weight=data.get("weight"), lock_version=data["lock_version"],
        )
        return self._respond(moved)

    @extend_schema(parameters=[TreeParams], responses=GoalTreeSerializer)
    @action(detail=False, methods=["get"], url_path="tree", url_name="api-tree")
    def tree(self, request, *args, **kwargs):
        params = self._params(TreeParams)
        period = self._period(params["period"])
        tree = tree_load.load_tree(period)
        roots = tree.roots
        if "root" in params:
            node = tree.nodes.get(params["root"])
            if node is None:
                raise Http404
            roots = [node]
        return Response({
            "period": period.pk,
            "status": period.status,
            "goals": len(tree),
            "off_groups": [
                {"parent": parent.id if parent else None, "sum": f"{total:.2f}"}
                for parent, total in tree.off_groups()
            ],
            "tree": _nested(tree, roots),
        })

    @extend_schema(parameters=[TraceParams], responses=GoalTraceSerializer)
    @action(detail=False, methods=["get"], url_path="trace", url_name="api-trace")
    def trace_goals(self, request, *args, **kwargs):  # not `trace`: that would answer HTTP TRACE
        params = self._params(TraceParams)
        period = self._period(params["period"])
        tree = tree_load.load_tree(period)
        if params.get("goal"):
            if params["goal"] not in tree.nodes:
                raise Http404
            roots = tree_trace.trace_roots(tree, goal_id=params["goal"])
        else:
            if not KPI.objects.filter(pk=params["kpi"]).exists():
                raise Http404
            roots = tree_trace.trace_roots(tree, kpi_id=params["kpi"])
        result = tree_trace.trace(tree, roots)
        return Response({
            "period": period.pk,
            "kpi": params.get("kpi"),
            "goal": params.get("goal"),
            "roots": [root.id for root in roots],
            "summary": {
                "units": result.units, "positions": result.positions,
                "cross_department_share": round(result.cross_share, 4),
            },
            "responsible": [
                {
                    "org_unit": r.unit_id, "org_unit_name": r.unit_name, "org_unit_code": r.unit_code,
                    "org_unit_label": r.unit_label, "position_title": r.position_title,
                    "effective_weight": round(r.effective, 4), "goals": r.goals,
                    "cross_department": r.cross_department,
                }
                for r in result.responsible
            ],
            "contributions": [
                {
                    **_node_json(c.node),
                    "root": c.root.id,
                    "path": [step.id for step in c.chain],
                    "path_labels": c.chain_labels,
                    "org_unit_label": c.unit_label,
                    "share": round(c.share, 4),
                    "effective_weight": round(c.effective, 4),
                    "is_leaf": c.node.is_leaf,
                    "cross_department": c.cross_department,
                    "reasons": c.reasons,
                }
                for c in result.contributions
            ],
        })

    @extend_schema(
        request=ReweightSerializer,
        responses=inline_serializer("GoalsReweighted", {
            "sum": serializers.DecimalField(max_digits=7, decimal_places=2),
            "publishable": serializers.BooleanField(),
        }),
    )
    @action(detail=False, methods=["post"], url_path="reweight", url_name="api-reweight")
    def reweight(self, request, *args, **kwargs):
        data = self._body(ReweightSerializer)
        total = self._call(siblings_reweight, actor=request.user, weights=data["weights"])
        return Response({"sum": f"{total:.2f}", "publishable": total == HUNDRED})

    @extend_schema(
        request=PublishSerializer,
        responses={
            200: inline_serializer("TreePublished", {
                "period": serializers.IntegerField(), "published": serializers.IntegerField(),
            }),
            400: inline_serializer("TreePublishRefused", {
                "weights": serializers.ListField(child=serializers.CharField(), required=False),
                "groups": serializers.ListField(child=inline_serializer("TreeOffGroup", {
                    "parent": serializers.IntegerField(allow_null=True),
                    "parent_label": serializers.CharField(),
                    "sum": serializers.DecimalField(max_digits=7, decimal_places=2),
                    "goals": serializers.IntegerField(),
                }), required=False),
                "detail": serializers.CharField(required=False),
                "non_field_errors": serializers.ListField(child=serializers.CharField(), required=False),
            }),
        },
    )
    @action(detail=False, methods=["post"], url_path="publish", url_name="api-publish")
    def publish(self, request, *args, **kwargs):
        data = self._body(PublishSerializer)
        try:
            count = period_tree_publish(actor=request.user, period=data["period"])
        except services_rules.TreePublishRefused as refused:
            return Response(
                {
                    "weights": [str(message) for message in refused.messages],
                    "groups": [
                        {"parent": g.parent_id, "parent_label": g.parent_label, "sum": f"{g.total:.2f}",
                         "goals": g.count}
                        for g in refused.groups
                    ],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response({"period": data["period"].pk, "published": count})

    @extend_schema(
        request=CopySerializer,
        responses={201: inline_serializer("TreeCopied", {
            "target": serializers.IntegerField(), "copied": serializers.IntegerField(),
        })},
    )
    @action(detail=False, methods=["post"], url_path="copy", url_name="api-copy")
    def copy(self, request, *args, **kwargs):
        data = self._body(CopySerializer)
        count = self._call(period_tree_copy, actor=request.user, source=data["source"],
                           target=data["target"])
        return Response({"target": data["target"].pk, "copied": count}, status=status.HTTP_201_CREATED)
