"""API of the collaboration view: the page's numbers, from its selectors and under its access rule.

`/api/v1/t/<slug>/collaboration/?period=<id>[&unit=<id>]`          the shared KPIs in the page's order,
                                      paged (`page`): each KPI's score and every unit taking part, with its
                                      matrix role and share, its line and its score (the line's, else its
                                      contribution in the matrix)
`/api/v1/t/<slug>/collaboration/summary/?period=<id>[&unit=<id>]`  the counts, the KPIs that drag several
                                      scorecards down (the most affected), the heatmap's cells and the
                                      graph's nodes and links (the most connected units)

`unit` narrows both to a unit and the units below it. HR admins, managers, committee members and auditors
read it (the page's rule); a missing or another tenant's period or unit is a 400 field error of the
parameter. Both read what the recompute stored (`interlock.selectors.dashboards.collaboration`).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from collab.models import ALL_BUT_EMPLOYEES, OrgUnit, Period
from collab.routing.fields import TenantRelatedField
from collab.routing.viewsets import TenantViewSet
from interlock.selectors.dashboards import collaboration, collaboration_rows, shared_kpi_order


def _figure(**kwargs):
    return serializers.FloatField(allow_null=True, **kwargs)


class CollaborationParams(serializers.Serializer):
    period = TenantRelatedField(queryset=Period.objects)
    unit = TenantRelatedField(
        queryset=OrgUnit.objects, required=False, help_text="Only this unit and the units below it."
    )


class CollaborationCellSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    unit_name = serializers.CharField()
    role = serializers.CharField(allow_null=True, help_text="The unit's role in the KPI's matrix, if any.")
    share = _figure(help_text="The unit's share of the KPI in its matrix, in %.")
    matrix = serializers.IntegerField(allow_null=True, help_text="The matrix in effect, if any.")
    line_role = serializers.CharField(
        allow_null=True, help_text="The role of the KPI's line on the unit's own scorecard, if it has one."
    )
    weight = _figure(help_text="That line's weight.")
    value = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, help_text="That line's contribution to the total."
    )
    score = _figure(help_text="The line's score, else the unit's contribution in the matrix.")
    source = serializers.CharField(allow_null=True, help_text="line, matrix, or null (no score).")
    band = serializers.CharField(help_text="green, amber, red or none.")


class CollaborationKpiSerializer(serializers.Serializer):
    kpi = serializers.IntegerField(source="kpi.pk")
    kpi_code = serializers.CharField(source="kpi.code", default="")
    kpi_label = serializers.CharField(source="kpi.label")
    matrix = serializers.IntegerField(allow_null=True)
    kpi_score = _figure(help_text="The KPI's score in the period (its matrix's).")
    unit_count = serializers.IntegerField(help_text="Units taking part in the KPI.")
    units = CollaborationCellSerializer(
        many=True,
        source="cells",
        help_text="The first 12 of them in the tree (the page's); narrow with `unit`.",
    )


class DragSerializer(serializers.Serializer):
    kpi = serializers.IntegerField(source="kpi.pk")
    kpi_label = serializers.CharField(source="kpi.label")
    matrix = serializers.IntegerField(allow_null=True)
    affected = serializers.IntegerField(help_text="Scorecard lines on the KPI scoring under 80.")
    mean = serializers.FloatField(help_text="Their mean score.")
    kpi_score = _figure()
    units = serializers.ListField(child=serializers.CharField(), help_text="The units of those scorecards.")
    more_units = serializers.IntegerField(help_text="Units of those scorecards not named in `units`.")


class HeatUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class HeatKpiSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    matrix = serializers.IntegerField(allow_null=True)


class HeatCellSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    kpi = serializers.IntegerField()
    score = _figure()
    role = serializers.CharField(help_text="The matrix role's label, else the line's role.")


class HeatmapSerializer(serializers.Serializer):
    truncated = serializers.BooleanField(help_text="More units or shared KPIs than the heatmap shows.")
    units = HeatUnitSerializer(many=True)
    kpis = HeatKpiSerializer(many=True)
    cells = HeatCellSerializer(many=True)


class GraphNodeSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    name = serializers.CharField()
    degree = serializers.IntegerField(help_text="Shared KPIs the unit takes part in.")
    total = _figure(help_text="The unit's total score in the period.")
    band = serializers.CharField()


class GraphLinkSerializer(serializers.Serializer):
    a = serializers.IntegerField()
    b = serializers.IntegerField()
    value = serializers.IntegerField(help_text="KPIs the two units share.")
    kpis = serializers.ListField(child=serializers.CharField())


class GraphSerializer(serializers.Serializer):
    truncated = serializers.BooleanField(help_text="More units than the graph shows.")
    nodes = GraphNodeSerializer(many=True)
    links = GraphLinkSerializer(many=True)


class CollaborationSummarySerializer(serializers.Serializer):
    period = serializers.IntegerField()
    unit = serializers.IntegerField(allow_null=True)
    shared_count = serializers.IntegerField(help_text="KPIs at least two units take part in.")
    unit_count = serializers.IntegerField(help_text="Units taking part in a shared KPI.")
    drag_count = serializers.IntegerField(help_text="Shared KPIs scoring under 80 in two or more scorecards.")
    drag = DragSerializer(many=True, help_text="The most affected of them.")
    heatmap = HeatmapSerializer()
    graph = GraphSerializer()


class CollaborationViewSet(TenantViewSet):
    """The collaboration view's numbers; the page's rule: every role but employees."""

    read_roles = ALL_BUT_EMPLOYEES
    serializer_class = CollaborationKpiSerializer

    def _params(self, request):
        params = CollaborationParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        return params.validated_data["period"], params.validated_data.get("unit")

    @extend_schema(parameters=[CollaborationParams], responses=CollaborationKpiSerializer(many=True))
    def list(self, request, *args, **kwargs):
        period, unit = self._params(request)
        order = shared_kpi_order(period, subtree=unit)
        page = self.paginate_queryset(order)
        rows = collaboration_rows(period, page, subtree=unit)
        return self.get_paginated_response(CollaborationKpiSerializer(rows, many=True).data)

    @extend_schema(parameters=[CollaborationParams], responses=CollaborationSummarySerializer)
    @action(detail=False, methods=["get"], url_path="summary")
    def summary(self, request, *args, **kwargs):
        period, unit = self._params(request)
        data = collaboration(period, subtree=unit)
        heat, graph = data["chart"]["heatmap"], data["chart"]["graph"]
        units, kpis = heat["units"], heat["kpis"]
        body = {
            "period": period.pk,
            "unit": unit.pk if unit else None,
            "shared_count": data["shared_count"],
            "unit_count": data["unit_count"],
            "drag_count": data["drag_count"],
            "drag": data["drag"],
            "heatmap": {
                "truncated": data["heatmap_truncated"],
                "units": units,
                "kpis": kpis,
                "cells": [
                    {"unit": units[y]["id"], "kpi": kpis[x]["id"], "score": score, "role": role}
                    for x, y, score, role in heat["cells"]
                ],
            },
            "graph": {
                "truncated": data["graph_truncated"],
                "nodes": graph["nodes"],
                "links": [
                    {
                        "a": int(link["source"]),
                        "b": int(link["target"]),
                        "value": link["value"],
                        "kpis": link["kpis"],
                    }
                    for link in graph["links"]
                ],
            },
        }
        return Response(CollaborationSummarySerializer(body).data)
