"""Reads the feedback pages and API share (a fixed number of queries each)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from feedback.models import ReviewDimension, ReviewTemplate


def review_templates(*, q: str = "", kind: str = "", active: bool | None = None) -> QuerySet:
    """The tenant's templates with their dimensions (prefetched in order) and how many there are."""
    queryset = ReviewTemplate.objects.annotate(dimension_count=Count("dimensions")).prefetch_related(
        Prefetch("dimensions", queryset=ReviewDimension.objects.order_by("order", "id"))
    )
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(description__icontains=q))
    if kind:
        queryset = queryset.filter(kind=kind)
    if active is not None:
        queryset = queryset.filter(is_active=active)
    return queryset.order_by("name", "id")
