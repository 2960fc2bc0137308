"""API of review templates, routed by feedback/urls.py.

`/api/v1/t/<slug>/review-templates/`        list (filters: q, kind), create {name, kind, description?,
                                            is_active?, dimensions}
`/api/v1/t/<slug>/review-templates/<id>/`   retrieve (with dimensions), update/partial update {lock_version,
                                            name?, kind?, description?, is_active?, dimensions?}, delete
                                            (?lock_version=N)

Dimensions: {name, description?, anchor_1 … anchor_5} — what each point of the 1–5 scale means; an update
that sends `dimensions` replaces the whole list. Errors are JSON field errors; a dimension's are keyed
"dimensions-<index>-<field>" (index from 0). HR admins write; auditors read.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from collab.routing.fields import (
    LockVersionField,
    RowsField,
    StrictWriteMixin,
    lock_version_of,
    nested_rows,
    validated_body,
)
from collab.routing.viewsets import TenantViewSet
from feedback.access import TEMPLATE_READERS, access_review_template_by_id
from feedback.forms.templates import ReviewTemplateFilterForm
from feedback.models import ReviewDimension, ReviewKind, ReviewTemplate
from feedback.selectors.templates import review_templates
from feedback.services import templates as template_services


class ReviewDimensionSerializer(StrictWriteMixin, serializers.ModelSerializer):
    class Meta:
        model = ReviewDimension
        fields = ["name", "description", "anchor_1", "anchor_2", "anchor_3", "anchor_4", "anchor_5"]
        extra_kwargs = {"description": {"required": False, "allow_blank": True, "default": ""}}


class ReviewTemplateSerializer(serializers.ModelSerializer):
    dimensions = ReviewDimensionSerializer(many=True, read_only=True)
    lock_version = LockVersionField()

    class Meta:
        model = ReviewTemplate
        fields = [
            "id", "name", "kind", "description", "is_active", "dimensions", "lock_version", "updated_at",
            "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "updated_at", "created_at"]
        validators: list = []  # the name's uniqueness is the service's (one clear field error)


class ReviewTemplateCreateSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = ReviewTemplateSerializer
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=ReviewKind.choices, default=ReviewKind.INTERNAL_CUSTOMER)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    is_active = serializers.BooleanField(required=False, default=True)
    dimensions = RowsField(ReviewDimensionSerializer)


class ReviewTemplateUpdateSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = ReviewTemplateSerializer
    lock_version = LockVersionField(required=True)
    name = serializers.CharField(max_length=200, required=False)
    kind = serializers.ChoiceField(choices=ReviewKind.choices, required=False)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)
    dimensions = RowsField(ReviewDimensionSerializer, required=False)


HEADER = ("name", "kind", "description", "is_active")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Name or description contains."),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=["", *ReviewKind.values]),
        ]
    ),
    create=extend_schema(request=ReviewTemplateCreateSerializer, responses={201: ReviewTemplateSerializer}),
    update=extend_schema(request=ReviewTemplateUpdateSerializer, responses=ReviewTemplateSerializer),
    partial_update=extend_schema(request=ReviewTemplateUpdateSerializer, responses=ReviewTemplateSerializer),
)
class ReviewTemplateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    serializer_class = ReviewTemplateSerializer
    read_roles = TEMPLATE_READERS

    def get_queryset(self):
        if self.action != "list":
            return review_templates()
        form = ReviewTemplateFilterForm(self.request.query_params)
        if not form.is_valid():
            raise exceptions.ValidationError({name: list(errors) for name, errors in form.errors.items()})
        return review_templates(**form.cleaned_data)

    def get_object(self):
        """The one door to a template by id: missing and another tenant's ids are a 404."""
        write = self.request.method not in SAFE_METHODS
        return access_review_template_by_id(self.request.membership, self.kwargs.get("pk"), write=write)

    def _respond(self, template, code=status.HTTP_200_OK):
        return Response(self.get_serializer(review_templates().get(pk=template.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        data = validated_body(self, ReviewTemplateCreateSerializer)
        dimensions = nested_rows(self, ReviewDimensionSerializer, "dimensions", required=True)
        template = template_services.review_template_create(
            actor=request.user, data={k: data[k] for k in HEADER}, dimensions=dimensions
        )
        return self._respond(template, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        template = self.get_object()
        partial = kwargs.get("partial", False)
        data = validated_body(self, ReviewTemplateUpdateSerializer, partial=partial)
        dimensions = nested_rows(self, ReviewDimensionSerializer, "dimensions", required=not partial)
        saved = template_services.review_template_update(
            actor=request.user, template=template, lock_version=lock_version_of(request),
            data={k: data[k] for k in HEADER if k in data},
            dimensions=dimensions,
        )  # fmt: skip
        return self._respond(saved)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        template = self.get_object()
        template_services.review_template_delete(
            actor=request.user, template=template, lock_version=lock_version_of(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
