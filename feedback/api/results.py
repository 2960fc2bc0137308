"""API of review results (read-only), routed by feedback/urls.py. k applied exactly as on the pages.

`/api/v1/t/<slug>/review-results/`                 list: one row per rated subject of a launched campaign the
                                                   reader may see (filters: campaign, period, unit, employee,
                                                   status), the whole campaign's result or why it is hidden
`/api/v1/t/<slug>/review-results/<id>/`            retrieve (id: the rated subject): the analysis — rater
                                                   groups (?split=), distribution, comments, trend, and the
                                                   attributed line manager's 360 rating for those who see it,
                                                   and a 360's result weighted by rater role (`weighted`)
`/api/v1/t/<slug>/review-results/response-rates/`  per campaign and rater unit, assigned and submitted (HR
                                                   admins and auditors)

A hidden result carries no number: `shown` is false, `hidden_reason` says why (too_few: under k raters,
too_close: it would differ from another shown result by under k raters, not_released: a rater group that was
not released — under k raters or too close to another result, which is not said —, open: the campaign is
still open), and `raters`, `overall` and `dimensions` are null/empty.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from collab.models import ALL_ROLES
from collab.routing.pagination import ComputedListPagination
from collab.routing.viewsets import TenantViewSet
from feedback.access import (
    RESPONSE_RATE_READERS,
    access_result_subject_by_id,
    readable_result_subjects,
    result_detail_level,
    sees_attributed_rating,
)
from feedback.engine.results import SPLITS
from feedback.models import CampaignStatus, RaterRole
from feedback.selectors.results.rates import response_rates
from feedback.selectors.results.rows import result_rows, result_subjects
from feedback.selectors.results.shapes import anonymity_k
from feedback.selectors.results.subject import subject_results

HIDDEN_REASONS = ["too_few", "too_close", "not_released", "open"]
ID = {"min_value": 1, "max_value": 2**63 - 1}


class ResultParams(serializers.Serializer):
    campaign = serializers.IntegerField(required=False, **ID)
    period = serializers.IntegerField(required=False, **ID)
    unit = serializers.IntegerField(required=False, help_text="The rated unit.", **ID)
    employee = serializers.IntegerField(required=False, help_text="The rated person (360).", **ID)
    status = serializers.ChoiceField(
        choices=[CampaignStatus.OPEN, CampaignStatus.CLOSED], required=False, allow_blank=True,
        help_text="The campaign's status (open campaigns show their response rate only).",
    )  # fmt: skip


class DetailParams(serializers.Serializer):
    split = serializers.ChoiceField(
        choices=list(SPLITS),
        required=False,
        allow_blank=True,
        help_text="Only this rater split (default: every split).",
    )


class RateParams(serializers.Serializer):
    campaign = serializers.IntegerField(required=False, **ID)
    period = serializers.IntegerField(required=False, **ID)


class DimensionMeanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    mean = serializers.FloatField(allow_null=True, help_text="On the 1–5 scale.")


class SliceSerializer(serializers.Serializer):
    split = serializers.CharField(help_text="The rater split ('' for the whole campaign).")
    group = serializers.CharField(help_text="The group's id or value within the split ('-': none).")
    label = serializers.CharField()
    shown = serializers.BooleanField()
    hidden_reason = serializers.ChoiceField(choices=HIDDEN_REASONS, allow_null=True)
    raters = serializers.IntegerField(allow_null=True, help_text="Distinct raters (shown results only).")
    overall = serializers.FloatField(allow_null=True, help_text="Mean on the 1–5 scale (shown results only).")
    dimensions = DimensionMeanSerializer(many=True)


class CampaignRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    period = serializers.IntegerField()
    period_label = serializers.CharField()


class SubjectRefSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["unit", "employee"])
    org_unit = serializers.IntegerField(allow_null=True)
    employee = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()


class ResponseSerializer(serializers.Serializer):
    assigned = serializers.IntegerField()
    submitted = serializers.IntegerField()


class ReviewResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The rated subject (of one campaign).")
    campaign = CampaignRefSerializer()
    subject = SubjectRefSerializer()
    k = serializers.IntegerField(help_text="The anonymity threshold in force.")
    result = SliceSerializer(help_text="The whole campaign's result.")
    response = ResponseSerializer()


class DistributionSerializer(serializers.Serializer):
    dimension = serializers.IntegerField()
    name = serializers.CharField()
    counts = serializers.ListField(
        child=serializers.IntegerField(),
        min_length=5,
        max_length=5,
        help_text="Ratings giving 1, 2, 3, 4, 5.",
    )


class TrendPointSerializer(serializers.Serializer):
    subject = serializers.IntegerField()
    campaign = serializers.IntegerField()
    campaign_name = serializers.CharField()
    period_label = serializers.CharField()
    shown = serializers.BooleanField()
    raters = serializers.IntegerField(allow_null=True)
    overall = serializers.FloatField(allow_null=True)


class AttributedSerializer(serializers.Serializer):
    rater = serializers.CharField()
    role = serializers.CharField()
    overall = serializers.FloatField(allow_null=True)
    dimensions = DimensionMeanSerializer(many=True)
    comment = serializers.CharField(allow_blank=True)


WEIGHTED_ROLE_STATUSES = ["included", "no_ratings", "hidden", "attributed_not_shown"]


class WeightedRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=RaterRole.choices)
    label = serializers.CharField()
    weight = serializers.IntegerField(help_text="The configured weight (the campaign's weights sum to 100).")
    status = serializers.ChoiceField(
        choices=WEIGHTED_ROLE_STATUSES,
        help_text=(
            "included: part of the weighted result; no_ratings: nobody in this role rated; hidden: the "
            "role's result is hidden to protect the raters' anonymity; attributed_not_shown: the line "
            "manager's attributed rating, which this reader is not shown."
        ),
    )
    effective_weight = serializers.FloatField(
        allow_null=True,
        help_text="The weight renormalised over the included roles, in percent (included only).",
    )
    overall = serializers.FloatField(
        allow_null=True, help_text="The role's mean that went into the result, 1–5 (included only)."
    )


class WeightedSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(
        choices=["all_roles", "anonymous_roles"],
        help_text=(
            "all_roles: the line manager's attributed rating counts with its weight; anonymous_roles: this "
            "reader is not shown that rating, so the result is over the anonymous roles only."
        ),
    )
    overall = serializers.FloatField(
        allow_null=True,
        help_text="Σ weight × role mean / Σ weight over the included roles, 1–5 (null: no role included).",
    )
    dimensions = DimensionMeanSerializer(many=True, help_text="The same per dimension.")
    roles = WeightedRoleSerializer(many=True, help_text="Every weighted role, in rater role order.")


class ReviewResultDetailSerializer(ReviewResultSerializer):
    detail = serializers.ChoiceField(
        choices=["full", "overall"],
        help_text="full: rater groups, distribution and comments; overall: whole only.",
    )
    splits = SliceSerializer(many=True)
    distribution = DistributionSerializer(many=True)
    comments = serializers.ListField(
        child=serializers.CharField(), allow_null=True,
        help_text="Released comments ordered by text (null: not released: open or too few commenters).",
    )  # fmt: skip
    comment_minimum = serializers.IntegerField()
    attributed = AttributedSerializer(
        allow_null=True, help_text="The line manager's 360 rating (attributed)."
    )
    trend = TrendPointSerializer(many=True)
    weighted = WeightedSerializer(
        allow_null=True,
        help_text=(
            "A 360 review's result weighted by rater role, from the shown role results only (null: not a 360 "
            "review, the campaign is open, or the reader sees the whole result only)."
        ),
    )


class ResponseRateSerializer(serializers.Serializer):
    campaign = serializers.IntegerField()
    campaign_name = serializers.CharField()
    rater_unit = serializers.IntegerField(allow_null=True)
    rater_unit_name = serializers.CharField()
    assigned = serializers.IntegerField()
    submitted = serializers.IntegerField()
    rate = serializers.FloatField(help_text="submitted / assigned (0 to 1).")


def _mean(d) -> dict:
    return {"id": d.id, "name": d.name, "mean": d.mean}


def _slice(view) -> dict:
    return {
        "split": view.split, "group": view.group, "label": view.label, "shown": view.shown,
        "hidden_reason": None if view.shown else view.reason, "raters": view.raters, "overall": view.overall,
        "dimensions": [_mean(d) for d in view.dimensions],
    }  # fmt: skip


def _weighted(view) -> dict | None:
    if view is None:
        return None
    return {
        "scope": view.scope, "overall": view.overall, "dimensions": [_mean(d) for d in view.dimensions],
        "roles": [
            {
                "role": r.role, "label": r.label, "weight": r.weight, "status": r.status,
                "effective_weight": r.effective, "overall": r.overall,
            }
            for r in view.roles
        ],
    }  # fmt: skip


def _head(subject, whole, assigned, submitted, k) -> dict:
    campaign = subject.campaign
    person = subject.employee_id is not None
    return {
        "id": subject.pk,
        "campaign": {
            "id": campaign.pk, "name": campaign.name, "kind": campaign.kind, "status": campaign.status,
            "period": campaign.period_id, "period_label": campaign.period.label,
        },
        "subject": {
            "kind": "employee" if person else "unit", "org_unit": subject.org_unit_id,
            "employee": subject.employee_id,
            "name": subject.employee.name if person else subject.org_unit.name,
        },
        "k": k,
        "result": _slice(whole),
        "response": {"assigned": assigned, "submitted": submitted},
    }  # fmt: skip


def result_body(result, *, split: str = "") -> dict:
    """The retrieve's body (also what tests compare pages with)."""
    body = _head(result.subject, result.whole, result.assigned, result.submitted, result.k)
    body.update({
        "detail": result.level,
        "splits": [
            _slice(v) for name, views in result.splits.items() if not split or name == split for v in views
        ],
        "distribution": [
            {"dimension": d.id, "name": d.name, "counts": counts} for d, counts in result.distribution
        ],
        "comments": result.comments,
        "comment_minimum": result.subject.campaign.comment_minimum,
        "attributed": None if result.attributed is None else {
            **result.attributed,
            "dimensions": [_mean(d) for d in result.attributed["dimensions"]],
        },
        "trend": [
            {
                "subject": p.subject_id, "campaign": p.campaign_id, "campaign_name": p.campaign,
                "period_label": p.period, "shown": p.shown, "raters": p.raters, "overall": p.overall,
            }
            for p in result.trend
        ],
        "weighted": _weighted(result.weighted),
    })  # fmt: skip
    return body


class ReviewResultViewSet(TenantViewSet):
    """Review results with the anonymity threshold applied; each member reads the rated subjects their role
    allows (HR admins and auditors all, managers their units and reports, everyone their own unit)."""

    read_roles = ALL_ROLES
    serializer_class = ReviewResultSerializer

    def _params(self, serializer_class):
        params = serializer_class(data=self.request.query_params)
        if not params.is_valid():
            raise exceptions.ValidationError(params.errors)
        return params.validated_data

    @extend_schema(parameters=[ResultParams], responses=ReviewResultSerializer(many=True))
    def list(self, request, *args, **kwargs):
        filters = self._params(ResultParams)
        subjects = readable_result_subjects(
            result_subjects(**filters), membership=request.membership, user=request.user
        )
        page = self.paginate_queryset(subjects)
        k = anonymity_k()
        body = [_head(r.subject, r.whole, r.assigned, r.submitted, k) for r in result_rows(page)]
        return self.get_paginated_response(ReviewResultSerializer(body, many=True).data)

    @extend_schema(parameters=[DetailParams], responses=ReviewResultDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        split = self._params(DetailParams).get("split", "")
        subject = access_result_subject_by_id(request.membership, request.user, kwargs.get("pk"))
        level = result_detail_level(subject, membership=request.membership, user=request.user)
        attributed = sees_attributed_rating(subject, membership=request.membership, user=request.user)
        result = subject_results(subject, level=level, attributed=attributed)
        return Response(ReviewResultDetailSerializer(result_body(result, split=split)).data)

    @extend_schema(parameters=[RateParams], responses=ResponseRateSerializer(many=True))
    @action(
        detail=False, methods=["get"], url_path="response-rates", pagination_class=ComputedListPagination,
    )  # fmt: skip
    def response_rates(self, request, *args, **kwargs):
        if not request.membership.has_role(*RESPONSE_RATE_READERS):
            raise exceptions.PermissionDenied()
        filters = self._params(RateParams)
        rows = [
            {
                "campaign": r.campaign_id, "campaign_name": r.campaign, "rater_unit": r.unit_id,
                "rater_unit_name": r.unit, "assigned": r.assigned, "submitted": r.submitted, "rate": r.rate,
            }
            for r in response_rates(**filters)
        ]  # fmt: skip
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ResponseRateSerializer(page, many=True).data)
