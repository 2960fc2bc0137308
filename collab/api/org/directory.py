"""`directory/`: the people directory every member reads, as on the People page."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from collab.api import router
from collab.api.org.shared import FilterSerializer, id_filter
from collab.models import ALL_ROLES, Employee, OrgUnit
from collab.routing.viewsets import TenantViewSet
from collab.selectors import org as selectors


class DirectoryEntrySerializer(serializers.Serializer):
    """One person in the directory: a name and where they work — no contact details, numbers or roles."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    org_unit = serializers.IntegerField(source="org_unit_id", read_only=True)
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    position_title = serializers.CharField(
        source="position.title", read_only=True, allow_null=True, default=None
    )


class DirectoryFilters(FilterSerializer):
    q = serializers.CharField(required=False, max_length=100, allow_blank=True, help_text="name contains")
    org_unit = id_filter(help_text="in this unit only")
    under = id_filter(help_text="in this unit or below it")


@extend_schema_view(list=extend_schema(parameters=[DirectoryFilters]))
class DirectoryViewSet(mixins.ListModelMixin, TenantViewSet):
    """The people directory every member reads (the page `/t/<slug>/people/` shows the same): active
    employees by name, unit and position. E-mails, employee numbers, managers, accounts and roles are on
    `employees/` and `members/`, which HR admins and auditors read."""

    read_roles = ALL_ROLES
    serializer_class = DirectoryEntrySerializer

    def get_queryset(self):
        given = DirectoryFilters(data=self.request.query_params)
        given.is_valid(raise_exception=True)
        filters = {key: value for key, value in given.validated_data.items() if value not in ("", None)}
        unit_id = filters.get("org_unit") or filters.get("under")
        unit = OrgUnit.objects.filter(pk=unit_id).first() if unit_id else None
        if unit_id and unit is None:
            return Employee.objects.none()  # another tenant's unit reads as an empty one
        return selectors.directory(
            q=filters.get("q", ""), unit=unit, include_sub_units="org_unit" not in filters
        )


router.register("directory", DirectoryViewSet, basename="api-directory")
