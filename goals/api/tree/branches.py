"""`GoalBranchViewSet`: the goal tree a branch at a time and its search, as the tree page reads them.

Every reader of the tree page reads here, under the page's rule (`goals.access`): HR admins, managers,
committee members and auditors any goal; an employee only their unit's part (another goal is a 404, like a
missing one). Progress comes from the period's cached roll-up (`goals.selectors.rollup_cache`).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from collab.access import access_period_by_id
from collab.models import ALL_ROLES
from collab.routing.ids import MAX_ID
from collab.routing.viewsets import TenantViewSet
from goals.access import GOAL_TREE_READERS, access_goal_by_id
from goals.api.tree.shapes import GoalNodeSerializer, _node_json
from goals.selectors.rollup_cache import period_rollup
from goals.selectors.tree import branches, opening

MAX_LIMIT = 200


def _id(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class _PageParams(serializers.Serializer):
    offset = serializers.IntegerField(min_value=0, max_value=MAX_ID, required=False, default=0)
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, required=False,
                                     default=branches.CHILDREN_PAGE)


class ChildrenParams(_PageParams):
    period = _id(required=False, help_text="The period whose top goals to list (when no parent is given).")
    parent = _id(required=False, help_text="The goal whose children to list.")
    scope = serializers.ChoiceField(
        choices=opening.SCOPES, required=False,
        help_text="Without a parent: the period's top goals, or the top goals of the reader's unit's part "
                  "(an employee always reads their part).",
    )

    def validate(self, attrs):
        if not attrs.get("parent") and not attrs.get("period"):
            raise serializers.ValidationError({"period": [_("Give a period or a parent goal.")]})
        return attrs


class SearchParams(_PageParams):
    period = _id()
    q = serializers.CharField(max_length=100, help_text="Part of a unit's name or code, a position or a KPI.")


class BranchNodeSerializer(GoalNodeSerializer):
    path = serializers.CharField()
    children = serializers.IntegerField(help_text="How many goals sit directly below it.")
    children_sum = serializers.DecimalField(max_digits=7, decimal_places=2,
                                            help_text="Sum of the children's weights.")


class PathStepSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    org_unit_name = serializers.CharField()
    position_title = serializers.CharField(allow_null=True)
    kpi_code = serializers.CharField()


class FoundNodeSerializer(BranchNodeSerializer):
    above = PathStepSerializer(many=True, help_text="The goals above it, top first.")


class GoalChildrenSerializer(serializers.Serializer):
    period = serializers.IntegerField()
    parent = serializers.IntegerField(allow_null=True)
    count = serializers.IntegerField()
    offset = serializers.IntegerField()
    next_offset = serializers.IntegerField(allow_null=True)
    results = BranchNodeSerializer(many=True)


class GoalSearchSerializer(serializers.Serializer):
    period = serializers.IntegerField()
    q = serializers.CharField()
    count = serializers.IntegerField()
    offset = serializers.IntegerField()
    next_offset = serializers.IntegerField(allow_null=True)
    results = FoundNodeSerializer(many=True)


def _branch_json(node) -> dict:
    return {**_node_json(node), "path": node.path, "children": node.child_count,
            "children_sum": f"{node.children_sum:.2f}"}


class GoalBranchViewSet(TenantViewSet):
    read_roles = ALL_ROLES  # an employee: their unit's part only (as on the page)

    def _params(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _whole_tree(self) -> bool:
        return self.request.membership.has_role(*GOAL_TREE_READERS)

    @extend_schema(parameters=[ChildrenParams], responses=GoalChildrenSerializer)
    @action(detail=False, methods=["get"], url_path="children", url_name="children")
    def children(self, request, *args, **kwargs):
        params = self._params(ChildrenParams)
        offset, limit = params["offset"], params["limit"]
        if params.get("parent"):
            goal = access_goal_by_id(request.membership, params["parent"])
            period, parent = goal.period, goal.pk
            level = branches.children_level(period, parent, period_rollup(period), offset, limit)
        else:
            period, parent = access_period_by_id(request.membership, params["period"]), None
            scope = params.get("scope") or opening.SCOPE_TOP
            if not self._whole_tree():
                scope = opening.SCOPE_MINE
            paths = opening.part_paths_of(period, request.user) if scope == opening.SCOPE_MINE else []
            level = opening.top_level(period, period_rollup(period), scope, paths, offset, limit)
        return Response({
            "period": period.pk, "parent": parent, "count": level.total, "offset": level.offset,
            "next_offset": level.next_offset, "results": [_branch_json(node) for node in level.nodes],
        })

    @extend_schema(parameters=[SearchParams], responses=GoalSearchSerializer)
    @action(detail=False, methods=["get"], url_path="search", url_name="search")
    def search(self, request, *args, **kwargs):
        params = self._params(SearchParams)
        period = access_period_by_id(request.membership, params["period"])
        query, offset, limit = params["q"].strip(), params["offset"], params["limit"]
        goals = opening.search(period, request.user, whole_tree=self._whole_tree(), query=query)
        count = goals.count()
        page = [goal.pk for goal in goals[offset:offset + limit]]
        found = branches.found_with_paths(page, period_rollup(period))
        end = offset + len(page)
        return Response({
            "period": period.pk, "q": query, "count": count, "offset": offset,
            "next_offset": end if end < count else None,
            "results": [
                {**_branch_json(hit.node), "above": [
                    {"id": step.id, "org_unit_name": step.unit_name, "position_title": step.position_title,
                     "kpi_code": step.kpi_code} for step in hit.path
                ]}
                for hit in found
            ],
        })
