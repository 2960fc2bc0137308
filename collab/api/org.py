"""Organisation API, registered on collab.api.router (under /api/v1/t/<slug>/).

`org-units/`  list (filters: q, kind, parent=<id>, root=yes, under=<id>), create, retrieve, update (code,
              name, kind; a changed `parent` moves it with its subtree, never under itself or a descendant),
              delete (refused while it has sub-units, positions or employees)
`positions/`  list (filters: q, org_unit=<id>, under=<id>), create, retrieve, update, delete
`employees/`  list (filters: q, org_unit=<id>, under=<id>, manager=<id>, active=yes|no), create, retrieve,
              update, delete — HR admins and auditors read (e-mails, numbers, accounts), as on the page
`directory/`  list (filters: q, org_unit=<id>, under=<id>): every member reads active people by name, unit
              and position, as on the People page
`periods/`    list (filters: status, kind, year), create (in planning), retrieve, update and delete (planning
              only), `POST periods/<id>/advance/` ({"to_status": …} optional) moves it one step on

Every member reads (employees: HR admins and auditors); HR admins write (auditors never). Writes go
through `collab.services.org`; their ValidationErrors come back as JSON field errors. Foreign keys in
bodies are TenantRelatedFields: another tenant's id reads exactly like a missing one. A change (update,
move) needs the `lock_version` it was based on: missing 400, stale 409 saying who saved last and when.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from collab.access import access_employee_by_id, access_period_by_id, access_position_by_id, access_unit_by_id
from collab.api import router
from collab.models import ALL_ROLES, Employee, OrgUnit, Period, Position, Role
from collab.routing.fields import LockVersionField, StrictWriteMixin, TenantRelatedField, lock_version_of
from collab.routing.ids import MAX_ID
from collab.routing.viewsets import TenantViewSet
from collab.selectors import org as selectors
from collab.services.org.employees import employee_create, employee_delete, employee_update
from collab.services.org.periods import period_advance, period_create, period_delete, period_update
from collab.services.org.positions import position_create, position_delete, position_update
from collab.services.org.units import org_unit_create, org_unit_delete, org_unit_move, org_unit_update
from collab.tenancy import current_tenant


class FilterSerializer(serializers.Serializer):
    """Query-string filters; a bad value is a 400 with the parameter's name, never a 500."""

    q = serializers.CharField(required=False, max_length=100, allow_blank=True)


def _id_filter(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, **kwargs)


class OrgWritesMixin:
    """Writes through a service inside one transaction; its errors reach the API's one exception handler."""

    filter_serializer_class = FilterSerializer
    access = None  # the noun's `collab.access.access_<noun>_by_id`

    def get_object(self):
        """The one door to an org object by id: missing and another tenant's ids are a 404."""
        write = self.request.method not in SAFE_METHODS
        return self.access(self.request.membership, self.kwargs.get("pk"), write=write)

    def filters(self) -> dict:
        serializer = self.filter_serializer_class(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        return {key: value for key, value in serializer.validated_data.items() if value not in ("", None)}

    def call(self, function, **kwargs):
        with transaction.atomic():  # several service calls (update, then move) are one write
            return function(**kwargs)

    def respond(self, instance, status_code=status.HTTP_200_OK):
        instance = self.base_queryset().get(pk=instance.pk)
        return Response(self.get_serializer(instance).data, status=status_code)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def validated(self, instance=None, partial: bool = False) -> dict:
        serializer = self.get_serializer(instance, data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("lock_version", None)
        if instance is not None:  # a change: it states the version it was based on
            data["lock_version"] = lock_version_of(self.request)
        return data


# ----- org units --------------------------------------------------------------------------------------------
class OrgUnitSerializer(StrictWriteMixin, serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(max_length=50)
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=OrgUnit.Kind.choices)
    parent = TenantRelatedField(queryset=OrgUnit.objects, allow_null=True, required=False)
    path = serializers.CharField(read_only=True)
    depth = serializers.IntegerField(read_only=True)
    lock_version = LockVersionField()
    updated_at = serializers.DateTimeField(read_only=True)


class OrgUnitFilters(FilterSerializer):
    kind = serializers.ChoiceField(choices=OrgUnit.Kind.choices, required=False, allow_blank=True)
    parent = _id_filter()
    under = _id_filter(help_text="Only units below this one (its whole subtree).")
    root = serializers.ChoiceField(choices=["yes", "no"], required=False, allow_blank=True)


@extend_schema_view(list=extend_schema(parameters=[OrgUnitFilters]))
class OrgUnitViewSet(OrgWritesMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    access = staticmethod(access_unit_by_id)
    serializer_class = OrgUnitSerializer
    filter_serializer_class = OrgUnitFilters

    def base_queryset(self):
        return OrgUnit.objects.all()

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


# ----- positions --------------------------------------------------------------------------------------------
class PositionSerializer(StrictWriteMixin, serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(max_length=50)
    title = serializers.CharField(max_length=200)
    org_unit = TenantRelatedField(queryset=OrgUnit.objects)
    job_family = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    level = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    lock_version = LockVersionField()
    updated_at = serializers.DateTimeField(read_only=True)


class UnitScopedFilters(FilterSerializer):
    org_unit = _id_filter()
    under = _id_filter(help_text="Only rows in this unit or any unit below it.")


def _unit_filters(queryset, filters: dict):
    if "org_unit" in filters:
        queryset = queryset.filter(org_unit_id=filters["org_unit"])
    if "under" in filters:
        top = OrgUnit.objects.filter(pk=filters["under"]).first()
        queryset = queryset.filter(org_unit__path__startswith=top.path) if top else queryset.none()
    return queryset


@extend_schema_view(list=extend_schema(parameters=[UnitScopedFilters]))
class PositionViewSet(OrgWritesMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    access = staticmethod(access_position_by_id)
    serializer_class = PositionSerializer
    filter_serializer_class = UnitScopedFilters

    def base_queryset(self):
        return Position.objects.all()

    def get_queryset(self):
        queryset = self.base_queryset().order_by("code", "pk")
        if self.action != "list":
            return queryset
        filters = self.filters()
        if "q" in filters:
            queryset = selectors.positions(q=filters["q"])
        return _unit_filters(queryset, filters)

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


# ----- employees --------------------------------------------------------------------------------------------
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
    manager = _id_filter()
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
        queryset = _unit_filters(queryset, filters)
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


# ----- the people directory ---------------------------------------------------------------------------------
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
    org_unit = _id_filter(help_text="in this unit only")
    under = _id_filter(help_text="in this unit or below it")


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


# ----- periods ----------------------------------------------------------------------------------------------
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


router.register("org-units", OrgUnitViewSet, basename="org-unit")
router.register("positions", PositionViewSet, basename="api-position")
router.register("employees", EmployeeViewSet, basename="api-employee")
router.register("periods", PeriodViewSet, basename="api-period")
router.register("directory", DirectoryViewSet, basename="api-directory")
