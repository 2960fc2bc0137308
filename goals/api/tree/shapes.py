"""The response shapes of the goal tree and the trace, and how a tree node becomes JSON."""

from __future__ import annotations

from rest_framework import serializers

from goals.selectors.tree import nodes as tree_nodes


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


def _node_json(node: tree_nodes.Node) -> dict:
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


def _nested(tree: tree_nodes.Tree, roots: list[tree_nodes.Node]) -> list[dict]:
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
