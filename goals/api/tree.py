"""Goals API: the decomposition tree's nodes, the nested tree of a period and the trace of a KPI.

`/api/v1/t/<slug>/goals/`                 list (filters: period, parent, root=yes, kpi, org_unit), create,
                                          retrieve, update/partial update (a changed `parent` moves the goal
                                          with its subtree), delete (`?subtree=yes` deletes a whole branch)
`POST goals/<id>/move/`                   {"parent": id | null, "weight"?, "lock_version"}
`GET  goals/tree/?period=<id>[&root=<goal>]`        the nested tree with progress, bands and sums
`GET  goals/trace/?period=<id>&kpi=<id>` (or `&goal=<id>`)  every contributing unit and position, the path
                                          and the effective weight to each, cross-department flags
`POST goals/reweight/`                    {"weights": {"<goal id>": weight, …}} (one sibling group)
`POST goals/publish/`                     {"period": id}: refused unless every sibling group sums to 100
`POST goals/copy/`                        {"source": id, "target": id}: last period's tree into an empty one

HR admins write; managers, committee members and auditors read. Every write goes through
`goals.services.tree` (atomic, audited, closed periods refused); its ValidationErrors come back as JSON
field errors. Foreign keys in bodies are TenantRelatedFields, so another tenant's parent, unit, KPI or
period reads exactly like a missing one; ids in query strings that are not the tenant's answer 404.
"""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from collab.models import ALL_BUT_EMPLOYEES, OrgUnit, Period, Position, Role
from collab.routing import (
    MAX_ID,
    LockVersionField,
    StrictWriteMixin,
    TenantRelatedField,
    TenantViewSet,
    lock_version_of,
)
from goals.models import KPI, Goal
from goals.selectors import tree as selectors
from goals.services import tree as services


def _weight(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, **kwargs)


def _id(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class GoalSerializer(StrictWriteMixin, serializers.ModelSerializer):
    period = TenantRelatedField(queryset=Period.objects)
    parent = TenantRelatedField(queryset=Goal.objects, allow_null=True, required=False)
    org_unit = TenantRelatedField(queryset=OrgUnit.objects)
    position = TenantRelatedField(queryset=Position.objects, allow_null=True, required=False)
    kpi = TenantRelatedField(queryset=KPI.objects)
    weight = _weight(required=False)
    lock_version = LockVersionField()
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    position_title = serializers.CharField(
        source="position.title", read_only=True, default=None, allow_null=True
    )
    kpi_code = serializers.CharField(source="kpi.code", read_only=True)
    kpi_name = serializers.CharField(source="kpi.name", read_only=True)
    collaborative = serializers.BooleanField(source="kpi.is_collaborative", read_only=True)

    class Meta:
        model = Goal
        fields = [
            "id", "period", "parent", "org_unit", "org_unit_name", "position", "position_title", "kpi",
            "kpi_code", "kpi_name", "collaborative", "weight", "order", "path", "depth", "lock_version",
            "updated_at",
        ]
        read_only_fields = ["id", "order", "path", "depth", "updated_at"]
        validators: list = []


class GoalFilters(serializers.Serializer):
    period = _id(required=False)
    parent = _id(required=False)
    kpi = _id(required=False)
    org_unit = _id(required=False)
    root = serializers.ChoiceField(choices=["yes", "no"], required=False, allow_blank=True)


class TreeParams(serializers.Serializer):
    period = _id()
    root = _id(required=False)


class TraceParams(serializers.Serializer):
    period = _id()
    kpi = _id(required=False)
    goal = _id(required=False)

    def validate(self, attrs):
        if not attrs.get("kpi") and not attrs.get("goal"):
            raise serializers.ValidationError({"kpi": [_("Give a KPI (or a goal) to trace.")]})
        return attrs


class MoveSerializer(StrictWriteMixin, serializers.Serializer):
    refuse_unknown = True
    parent = TenantRelatedField(queryset=Goal.objects, allow_null=True)
    weight = _weight(required=False)
    lock_version = LockVersionField(required=True)


class ReweightSerializer(StrictWriteMixin, serializers.Serializer):
    refuse_unknown = True
    weights = serializers.DictField(
        child=_weight(),
        allow_empty=False,
    )

    def validate_weights(self, value):
        for key in value:
            if not str(key).isdigit() or len(str(key)) > 18:
                raise serializers.ValidationError(_("Keys are goal ids."))
        return value


class PublishSerializer(StrictWriteMixin, serializers.Serializer):
    refuse_unknown = True
    period = TenantRelatedField(queryset=Period.objects)


class CopySerializer(StrictWriteMixin, serializers.Serializer):
    refuse_unknown = True
    source = TenantRelatedField(queryset=Period.objects)
    target = TenantRelatedField(queryset=Period.objects)


# ----- response shapes of the tree and the trace (what `_node_json` and the actions return)
def _number(**kwargs):
    return serializers.FloatField(allow_null=True, **kwargs)


class NodeUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    parent_name = serializers.CharField(allow_null=True)


class NodePositionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(allow_null=True)


class NodeKPISerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    perspective = serializers.CharField()
    collaborative = serializers.BooleanField()
    owner_unit = serializers.IntegerField()


class GoalNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    parent = serializers.IntegerField(allow_null=True)
    depth = serializers.IntegerField()
    org_unit = NodeUnitSerializer()
    position = NodePositionSerializer(allow_null=True)
    kpi = NodeKPISerializer()
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    progress = _number(help_text="Weighted progress of the subtree, 0–100 (null when nothing is measured).")
    band = serializers.CharField()
    measured = _number(help_text="The goal's own KPI score (null when not measured).")
    measured_band = serializers.CharField()
    target = _number()
    actual = _number()


class TreeNodeSerializer(GoalNodeSerializer):
    children_sum = serializers.DecimalField(
        max_digits=7, decimal_places=2, required=False, help_text="Sum of the children's weights."
    )
    children = serializers.ListField(
        child=serializers.DictField(), help_text="The children, each a node of this same shape."
    )


class OffGroupSerializer(serializers.Serializer):
    parent = serializers.IntegerField(allow_null=True)
    sum = serializers.DecimalField(max_digits=7, decimal_places=2)


class GoalTreeSerializer(serializers.Serializer):
    period = serializers.IntegerField()
    status = serializers.CharField()
    goals = serializers.IntegerField()
    off_groups = OffGroupSerializer(many=True, help_text="Sibling groups whose weights do not add up to 100.")
    tree = TreeNodeSerializer(many=True)


class TraceSummarySerializer(serializers.Serializer):
    units = serializers.IntegerField()
    positions = serializers.IntegerField()
    cross_department_share = serializers.FloatField()


class ResponsibleSerializer(serializers.Serializer):
    org_unit = serializers.IntegerField()
    org_unit_name = serializers.CharField()
    org_unit_code = serializers.CharField()
    org_unit_label = serializers.CharField()
    position_title = serializers.CharField(allow_null=True)
    effective_weight = serializers.FloatField()
    goals = serializers.IntegerField()
    cross_department = serializers.BooleanField()


class ContributionSerializer(GoalNodeSerializer):
    root = serializers.IntegerField()
    path = serializers.ListField(child=serializers.IntegerField())
    path_labels = serializers.ListField(child=serializers.CharField())
    org_unit_label = serializers.CharField()
    share = serializers.FloatField()
    effective_weight = serializers.FloatField()
    is_leaf = serializers.BooleanField()
    cross_department = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())


class GoalTraceSerializer(serializers.Serializer):
    period = serializers.IntegerField()
    kpi = serializers.IntegerField(allow_null=True)
    goal = serializers.IntegerField(allow_null=True)
    roots = serializers.ListField(child=serializers.IntegerField())
    summary = TraceSummarySerializer()
    responsible = ResponsibleSerializer(many=True)
    contributions = ContributionSerializer(many=True)


def _node_json(node: selectors.Node) -> dict:
    return {
        "id": node.id,
        "parent": node.parent_id,
        "depth": node.depth,
        "org_unit": {
            "id": node.unit_id, "code": node.unit_code, "name": node.unit_name, "kind": node.unit_kind,
            "parent_name": node.unit_parent_name,
        },
        "position": {"id": node.position_id, "title": node.position_title} if node.position_id else None,
        "kpi": {
            "id": node.kpi_id, "code": node.kpi_code, "name": node.kpi_name, "perspective": node.perspective,
            "collaborative": node.collaborative, "owner_unit": node.owner_id,
        },
        "weight": f"{node.weight:.2f}",
        "progress": node.progress,
        "band": node.band,
        "measured": node.measured,
        "measured_band": node.measured_band,
        "target": node.target,
        "actual": node.actual,
    }


def _nested(tree: selectors.Tree, roots: list[selectors.Node]) -> list[dict]:
    """The nested JSON of the tree, built without recursion (parents come before children in `walk`)."""
    built: dict[int, dict] = {}
    top: list[dict] = []
    for node in tree.walk(roots):
        data = _node_json(node)
        if node.children:
            data["children_sum"] = f"{node.children_sum:.2f}"
        data["children"] = []
        built[node.id] = data
        parent = built.get(node.parent_id) if node.parent_id else None
        (parent["children"] if parent is not None else top).append(data)
    return top


class GoalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    read_roles = ALL_BUT_EMPLOYEES
    write_roles = frozenset({Role.HR_ADMIN})
    serializer_class = GoalSerializer

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
        goal = self._call(services.goal_create, actor=request.user, **data)
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
                updated = services.goal_update(actor=request.user, goal=goal, lock_version=version, **data)
            if moving:  # the same change: it goes on from the version the update made
                updated = services.goal_move(
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
            services.goal_delete, actor=request.user, goal=goal, subtree=subtree, lock_version=version
        )
        return Response({"deleted": deleted}, status=status.HTTP_200_OK)

    # ----- actions
    @extend_schema(request=MoveSerializer, responses=GoalSerializer)
    @action(detail=True, methods=["post"], url_path="move", url_name="api-move")
    def move(self, request, *args, **kwargs):
        goal = self.get_object()
        data = self._body(MoveSerializer)
        moved = self._call(
            services.goal_move, actor=request.user, goal=goal, parent=data["parent"],
            weight=data.get("weight"), lock_version=data["lock_version"],
        )
        return self._respond(moved)

    @extend_schema(parameters=[TreeParams], responses=GoalTreeSerializer)
    @action(detail=False, methods=["get"], url_path="tree", url_name="api-tree")
    def tree(self, request, *args, **kwargs):
        params = self._params(TreeParams)
        period = self._period(params["period"])
        tree = selectors.load_tree(period)
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
        tree = selectors.load_tree(period)
        if params.get("goal"):
            if params["goal"] not in tree.nodes:
                raise Http404
            roots = selectors.trace_roots(tree, goal_id=params["goal"])
        else:
            if not KPI.objects.filter(pk=params["kpi"]).exists():
                raise Http404
            roots = selectors.trace_roots(tree, kpi_id=params["kpi"])
        result = selectors.trace(tree, roots)
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
        total = self._call(services.siblings_reweight, actor=request.user, weights=data["weights"])
        return Response({"sum": f"{total:.2f}", "publishable": total == services.HUNDRED})

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
            count = services.period_tree_publish(actor=request.user, period=data["period"])
        except services.TreePublishRefused as refused:
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
        count = self._call(services.period_tree_copy, actor=request.user, source=data["source"],
                           target=data["target"])
        return Response({"target": data["target"].pk, "copied": count}, status=status.HTTP_201_CREATED)
