"""`employees/`: employee records (e-mails, numbers, managers, accounts), read by HR admins and auditors."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from collab.access import access_employee_by_id
from collab.api import router
from collab.api.org.shared import OrgWritesMixin, UnitScopedFilters, id_filter, unit_filters
from collab.models import Employee, OrgUnit, Position, Role
from collab.routing.fields import LockVersionField, StrictWriteMixin, TenantRelatedField, lock_version_of
from collab.routing.viewsets import TenantViewSet
from collab.selectors import org as selectors
from collab.services.org.employees import employee_create, employee_delete, employee_update
from collab.tenancy import current_tenant


@extend_schema_field(OpenApiTypes.INT)
class MemberUserField(TenantRelatedField):
    """A user id in a body: only members of the tenant in scope exist here."""

    def get_queryset(self):
        return get_user_model().objects.filter(memberships__tenant=current_tenant()).distinct()


class EmployeeSerializer(StrictWriteMixin, serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    employee_no = serializers.CharField(max_length=50)
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    org_unit = TenantRelatedField(queryset=OrgUnit.objects)
    position = TenantRelatedField(queryset=Position.objects, required=False, allow_null=True, default=None)
    manager = TenantRelatedField(queryset=Employee.objects, required=False, allow_null=True, default=None)
    user = MemberUserField(required=False, allow_null=True, default=None)
    is_active = serializers.BooleanField(required=False, default=True)
    lock_version = LockVersionField()
    updated_at = serializers.DateTimeField(read_only=True)


class EmployeeFilters(UnitScopedFilters):
    manager = id_filter()
    active = serializers.ChoiceField(choices=["yes", "no"], required=False, allow_blank=True)


@extend_schema_view(list=extend_schema(parameters=[EmployeeFilters]))
class EmployeeViewSet(OrgWritesMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Employee records with their e-mail, number, manager and account: HR admins and auditors read them,
    as on the Employees page; every member finds people by name and unit in `directory/`."""

    read_roles = frozenset({Role.HR_ADMIN, Role.AUDITOR})
    access = staticmethod(access_employee_by_id)
    serializer_class = EmployeeSerializer
    filter_serializer_class = EmployeeFilters

    def base_queryset(self):
        return Employee.objects.all()

    def get_queryset(self):
        queryset = self.base_queryset().order_by("employee_no", "pk")
        if self.action != "list":
            return queryset
        filters = self.filters()
        if "q" in filters:
            queryset = selectors.employees(q=filters["q"])
        queryset = unit_filters(queryset, filters)
        if "manager" in filters:
            queryset = queryset.filter(manager_id=filters["manager"])
        if "active" in filters:
            queryset = queryset.filter(is_active=filters["active"] == "yes")
        return queryset

    def create(self, request, *args, **kwargs):
        employee = self.call(employee_create, actor=request.user, **self.validated())
        return self.respond(employee, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        employee = self.get_object()
        data = self.validated(employee, partial=partial)
        if partial:
            # A PATCH changes only what it names (serializer defaults apply to full updates alone).
            data = {key: value for key, value in data.items() if key in request.data}
        employee = self.call(employee_update, actor=request.user, employee=employee, **data)
        return self.respond(employee)

    def destroy(self, request, *args, **kwargs):
        employee = self.get_object()
        version = lock_version_of(request)
        self.call(employee_delete, actor=request.user, employee=employee, lock_version=version)
        return Response(status=status.HTTP_204_NO_CONTENT)


router.register("employees", EmployeeViewSet, basename="api-employee")
