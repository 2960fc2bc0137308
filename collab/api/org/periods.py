"""`periods/`: periods, their edits in planning and `advance/`, the step to the next status."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from collab.access import access_period_by_id
from collab.api import router
from collab.api.org.shared import OrgWritesMixin
from collab.models import Period
from collab.routing.fields import LockVersionField, StrictWriteMixin, lock_version_of
from collab.routing.viewsets import TenantViewSet
from collab.selectors import org as selectors
from collab.services.org.periods import period_advance, period_create, period_delete, period_update


class PeriodSerializer(StrictWriteMixin, serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=Period.Kind.choices)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(min_value=1, max_value=4, required=False, allow_null=True)
    month = serializers.IntegerField(min_value=1, max_value=12, required=False, allow_null=True)
    status = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    lock_version = LockVersionField()
    updated_at = serializers.DateTimeField(read_only=True)


class PeriodFilters(serializers.Serializer):
    status = serializers.ChoiceField(choices=Period.Status.choices, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=Period.Kind.choices, required=False, allow_blank=True)
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)


class PeriodAdvanceSerializer(StrictWriteMixin, serializers.Serializer):
    refuse_unknown = True
    to_status = serializers.ChoiceField(choices=Period.Status.choices, required=False, allow_blank=True)


@extend_schema_view(list=extend_schema(parameters=[PeriodFilters]))
class PeriodViewSet(OrgWritesMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    access = staticmethod(access_period_by_id)
    serializer_class = PeriodSerializer
    filter_serializer_class = PeriodFilters

    def base_queryset(self):
        return Period.objects.all()

    def get_queryset(self):
        if self.action != "list":
            return self.base_queryset()
        return selectors.periods(**self.filters())

    def create(self, request, *args, **kwargs):
        period = self.call(period_create, actor=request.user, **self.validated())
        return self.respond(period, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        period = self.get_object()
        data = self.validated(period, partial=partial)
        if partial:
            data = {key: value for key, value in data.items() if key in request.data}
        return self.respond(self.call(period_update, actor=request.user, period=period, **data))

    def destroy(self, request, *args, **kwargs):
        period = self.get_object()
        version = lock_version_of(request)
        self.call(period_delete, actor=request.user, period=period, lock_version=version)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=PeriodAdvanceSerializer,
        responses=PeriodSerializer,
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["post"], serializer_class=PeriodAdvanceSerializer)
    def advance(self, request, *args, **kwargs):
        """Move the period to its next status (planning → active → review → closed)."""
        period = self.get_object()
        serializer = PeriodAdvanceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        period = self.call(
            period_advance,
            actor=request.user,
            period=period,
            to_status=serializer.validated_data.get("to_status"),
        )
        return Response(PeriodSerializer(period).data)


router.register("periods", PeriodViewSet, basename="api-period")
