"""`positions/`: positions in the org units."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from collab.access import access_position_by_id
from collab.api import router
from collab.api.org.shared import OrgWritesMixin, UnitScopedFilters, unit_filters
from collab.models import OrgUnit, Position
from collab.routing.fields import LockVersionField, StrictWriteMixin, TenantRelatedField, lock_version_of
from collab.routing.viewsets import TenantViewSet
from collab.selectors import org as selectors
from collab.services.org.positions import position_create, position_delete, position_update


class PositionSerializer(StrictWriteMixin, serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(max_length=50)
    title = serializers.CharField(max_length=200)
    org_unit = TenantRelatedField(queryset=OrgUnit.objects)
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    job_family = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    level = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    lock_version = LockVersionField()
    updated_at = serializers.DateTimeField(read_only=True)


@extend_schema_view(list=extend_schema(parameters=[UnitScopedFilters]))
class PositionViewSet(OrgWritesMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    access = staticmethod(access_position_by_id)
    serializer_class = PositionSerializer
    filter_serializer_class = UnitScopedFilters

    def base_queryset(self):
        return Position.objects.select_related("org_unit")

    def get_queryset(self):
        queryset = self.base_queryset().order_by("code", "pk")
        if self.action != "list":
            return queryset
        filters = self.filters()
        if "q" in filters:
            queryset = selectors.positions(q=filters["q"])
        return unit_filters(queryset, filters)

    def create(self, request, *args, **kwargs):
        position = self.call(position_create, actor=request.user, **self.validated())
        return self.respond(position, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        position = self.get_object()
        data = self.validated(position, partial=partial)
        position = self.call(position_update, actor=request.user, position=position, **data)
        return self.respond(position)

    def destroy(self, request, *args, **kwargs):
        position = self.get_object()
        version = lock_version_of(request)
        self.call(position_delete, actor=request.user, position=position, lock_version=version)
        return Response(status=status.HTTP_204_NO_CONTENT)


router.register("positions", PositionViewSet, basename="api-position")
