"""`org-units/`: the org tree's units; a changed `parent` moves a unit with its subtree."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from collab.access import access_unit_by_id
from collab.api import router
from collab.api.org.shared import FilterSerializer, OrgWritesMixin, id_filter
from collab.models import OrgUnit
from collab.routing.fields import LockVersionField, StrictWriteMixin, TenantRelatedField, lock_version_of
from collab.routing.viewsets import TenantViewSet
from collab.services.org.units import org_unit_create, org_unit_delete, org_unit_move, org_unit_update


class OrgUnitSerializer(StrictWriteMixin, serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(max_length=50)
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=OrgUnit.Kind.choices)
    parent = TenantRelatedField(queryset=OrgUnit.objects, allow_null=True, required=False)
    parent_name = serializers.CharField(
        source="parent.name",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The parent unit's name: same-named units are told apart by it (as the pickers show them).",
    )
    path = serializers.CharField(read_only=True)
    depth = serializers.IntegerField(read_only=True)
    lock_version = LockVersionField()
    updated_at = serializers.DateTimeField(read_only=True)


class OrgUnitFilters(FilterSerializer):
    q = serializers.CharField(
        required=False, max_length=100, allow_blank=True, help_text="name or code contains (the unit pickers)"
    )
    kind = serializers.ChoiceField(choices=OrgUnit.Kind.choices, required=False, allow_blank=True)
    parent = id_filter()
    under = id_filter(help_text="Only units below this one (its whole subtree).")
    root = serializers.ChoiceField(choices=["yes", "no"], required=False, allow_blank=True)


@extend_schema_view(
    list=extend_schema(
        parameters=[OrgUnitFilters],
        description="Units in tree order; `q` finds them by name or code (the unit pickers search here).",
    )
)
class OrgUnitViewSet(OrgWritesMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    access = staticmethod(access_unit_by_id)
    serializer_class = OrgUnitSerializer
    filter_serializer_class = OrgUnitFilters

    def base_queryset(self):
        return OrgUnit.objects.select_related("parent")

    def get_queryset(self):
        queryset = self.base_queryset().order_by("path")
        if self.action != "list":
            return queryset
        filters = self.filters()
        if "q" in filters:
            queryset = queryset.filter(Q(name__icontains=filters["q"]) | Q(code__icontains=filters["q"]))
        if "kind" in filters:
            queryset = queryset.filter(kind=filters["kind"])
        if "parent" in filters:
            queryset = queryset.filter(parent_id=filters["parent"])
        if filters.get("root") == "yes":
            queryset = queryset.filter(parent__isnull=True)
        if "under" in filters:
            top = OrgUnit.objects.filter(pk=filters["under"]).first()
            if top is None:
                return queryset.none()
            queryset = queryset.filter(path__startswith=top.path).exclude(pk=top.pk)
        return queryset.order_by("path")

    def create(self, request, *args, **kwargs):
        data = self.validated()
        unit = self.call(org_unit_create, actor=request.user, **data)
        return self.respond(unit, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        unit = self.get_object()
        data = self.validated(unit, partial=partial)
        moving = "parent" in data
        parent = data.pop("parent", None)

        def save():
            updated = org_unit_update(actor=request.user, unit=unit, **data)
            if moving:  # the same change: it goes on from the version the update made
                updated = org_unit_move(
                    actor=request.user, unit=updated, parent=parent, lock_version=updated.lock_version
                )
            return updated

        return self.respond(self.call(save))

    def destroy(self, request, *args, **kwargs):
        unit = self.get_object()
        version = lock_version_of(request)
        self.call(org_unit_delete, actor=request.user, unit=unit, lock_version=version)
        return Response(status=status.HTTP_204_NO_CONTENT)


router.register("org-units", OrgUnitViewSet, basename="org-unit")
