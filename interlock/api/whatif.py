"""API of the what-if, routed by interlock/urls.py. Nothing is written.

`POST /api/v1/t/<slug>/what-if/matrix/`     {kpi, period, rows: [{org_unit, role, share, evaluation_kpi?}]}
                                            → the scores of the period with these rows as the KPI's matrix
`POST /api/v1/t/<slug>/what-if/scorecard/`  {scorecard, review_weight, lines: [{kpi, weight, role,
                                            threshold?}]} → that scorecard's score with these lines and ρ

The answer: `changed` (how many scores change), `changes` (every score the proposal can reach: before,
after, delta, flags) and, when none changes, `reasons` ({code, message}: why — see `REASON_CODES`).
HR admins compare every score; a manager compares their own unit's and the units' below it
(`interlock.access.whatif_scope`): another unit's scorecard answers 403, another tenant's or a missing id 404.
Invalid rows or lines are 400 with the editors' "rows-<i>-<field>" / "lines-<i>-<field>" keys.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from collab.models import OrgUnit, Period
from collab.routing.fields import RowsField, TenantRelatedField, nested_rows, validated_body
from collab.routing.viewsets import TenantViewSet
from goals.models import KPI
from interlock import whatif
from interlock.access import WHATIF_ROLES, access_whatif_scorecard, whatif_scope
from interlock.models import LineRole
from responsibility.models import MatrixRole

REASONS_HELP = (
    "Why no score changes (empty when some do). Codes: no_scorecard (no published scorecard of the period "
    "has a line of the KPI), not_in_your_units (a manager: none of their units' scorecards has one), "
    "same_as_stored (the proposal is what is stored), no_measurement (the KPIs "
    "involved have no measurement in the period), no_weight (the shares moved between units whose "
    "scorecards give the KPI no weight), same_scores (the changed rows score the same as before, to two "
    "decimals)."
)


class ProposedRowSerializer(serializers.Serializer):
    org_unit = TenantRelatedField(queryset=OrgUnit.objects)
    role = serializers.ChoiceField(choices=MatrixRole.choices)
    share = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    evaluation_kpi = TenantRelatedField(queryset=KPI.objects, required=False, allow_null=True, default=None)


class ProposedLineSerializer(serializers.Serializer):
    kpi = TenantRelatedField(queryset=KPI.objects)
    role = serializers.ChoiceField(choices=LineRole.choices)
    weight = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    threshold = serializers.DecimalField(
        max_digits=7, decimal_places=2, min_value=0, max_value=1000, required=False, allow_null=True,
        default=None,
    )  # fmt: skip


class MatrixWhatIfSerializer(serializers.Serializer):
    kpi = TenantRelatedField(queryset=KPI.objects)
    period = TenantRelatedField(queryset=Period.objects)
    rows = RowsField(ProposedRowSerializer)


class ScorecardWhatIfSerializer(serializers.Serializer):
    scorecard = serializers.IntegerField(min_value=1)
    review_weight = serializers.DecimalField(
        max_digits=4, decimal_places=3, min_value=0, max_value=1, required=False,
        help_text="ρ of the proposal (0–1); the scorecard's own when absent.",
    )  # fmt: skip
    lines = RowsField(ProposedLineSerializer)


class ChangeSerializer(serializers.Serializer):
    scorecard = serializers.IntegerField()
    subject = serializers.CharField()
    label = serializers.CharField()
    before = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    after = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    delta = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    changed = serializers.BooleanField()
    flags_before = serializers.ListField(child=serializers.CharField())
    flags_after = serializers.ListField(child=serializers.CharField())


class ReasonSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=whatif.REASON_CODES)
    message = serializers.CharField()


class WhatIfResultSerializer(serializers.Serializer):
    period = serializers.IntegerField(source="period.pk")
    changed = serializers.IntegerField()
    changes = ChangeSerializer(many=True)
    reasons = ReasonSerializer(many=True, help_text=REASONS_HELP)
    scoped = serializers.BooleanField(help_text="Narrowed to the reader's own units (a manager).")
    units_without_scorecard = serializers.ListField(child=serializers.CharField())


class WhatIfViewSet(TenantViewSet):
    read_roles = WHATIF_ROLES
    write_roles = WHATIF_ROLES
    serializer_class = WhatIfResultSerializer

    @extend_schema(request=MatrixWhatIfSerializer, responses=WhatIfResultSerializer)
    @action(detail=False, methods=["post"])
    def matrix(self, request, *args, **kwargs):
        scope = whatif_scope(request.membership, request.user)
        data = validated_body(self, MatrixWhatIfSerializer)
        rows = nested_rows(self, ProposedRowSerializer, "rows", required=True)
        result = whatif.whatif_matrix(data["period"], data["kpi"], rows, scope=scope)
        return Response(WhatIfResultSerializer(result).data)

    @extend_schema(request=ScorecardWhatIfSerializer, responses=WhatIfResultSerializer)
    @action(detail=False, methods=["post"])
    def scorecard(self, request, *args, **kwargs):
        data = validated_body(self, ScorecardWhatIfSerializer)
        scorecard = access_whatif_scorecard(request.membership, request.user, data["scorecard"])
        lines = nested_rows(self, ProposedLineSerializer, "lines", required=True)
        rho = data.get("review_weight", scorecard.review_weight)
        result = whatif.whatif_scorecard(scorecard, lines, str(rho))
        return Response(WhatIfResultSerializer(result).data)
