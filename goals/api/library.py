"""API of the KPI library and the strategy map, routed by goals/urls.py.

`/api/v1/t/<slug>/kpis/`            list (filters: q, perspective, direction, collaborative=yes|no,
                                    process_tag, owner_unit=<id>, active=yes|no), create, retrieve, update,
                                    delete
`/api/v1/t/<slug>/objectives/`      list (filters: period=<id>, perspective), create, retrieve, update, delete
`/api/v1/t/<slug>/objective-links/` list (filter: period=<id>), create, retrieve, delete (cycles refused)

Every member reads; HR admins write. Writes go through `goals.services`; a closed period is read-only; a
change needs the `lock_version` it was based on (missing: 400, stale: 409 saying who saved last and when).
The measurements and goal-tree resources are `goals.api.measurements` and `goals.api.tree`.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from collab.models import OrgUnit, Period
from collab.routing.fields import LockVersionField, StrictWriteMixin, TenantRelatedField, lock_version_of
from collab.routing.ids import id_param
from collab.routing.viewsets import TenantViewSet
from goals.access import access_kpi_by_id, access_objective_by_id, access_objective_link_by_id
from goals.forms import KPIFilterForm
from goals.models import KPI, Objective, ObjectiveLink, Perspective, ProcessTag
from goals.selectors.kpis import kpi_search
from goals.selectors.objectives import objective_queryset
from goals.services import kpis as kpi_services
from goals.services import objectives as objective_services


class ServiceWritesMixin:
    """Create/update/delete through a service; its errors reach the API's one exception handler."""

    def call_service(self, call, **kwargs):
        return call(actor=self.request.user, **kwargs)

    def respond(self, instance, status_code=status.HTTP_200_OK):
        instance = self.get_queryset().get(pk=instance.pk)
        return Response(self.get_serializer(instance).data, status=status_code)


# ----- KPIs -------------------------------------------------------------------------------------------------
class KPISerializer(StrictWriteMixin, serializers.ModelSerializer):
    owner_unit = TenantRelatedField(queryset=OrgUnit.objects)
    objective = TenantRelatedField(queryset=Objective.objects, required=False, allow_null=True)
    owner_unit_code = serializers.CharField(source="owner_unit.code", read_only=True)
    aggregation = serializers.ChoiceField(
        choices=KPI.Aggregation.choices,
        required=False,
        allow_blank=True,
        help_text="How quarter and year values derive from the months. On create, absent or blank takes the "
        "default of the unit of measure: `average` for percentages, rates, ratios and scores (a unit such "
        "as %, ‰, rate, ratio, 率, 比例, score, or a name ending in 率/rate/ratio), `sum` for counts, money "
        "and anything else.",
    )
    lock_version = LockVersionField()

    class Meta:
        model = KPI
        fields = ["id", *kpi_services.KPI_FIELDS, "owner_unit_code", "lock_version", "updated_at"]
        read_only_fields = ["id", "updated_at"]
        validators: list = []  # uniqueness of the code is the service's job (one clear field error)


def _any(values) -> list[str]:
    return ["", *values]  # empty: any


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("q", OpenApiTypes.STR, description="Code or name contains (at most 100 characters)."),
    OpenApiParameter("perspective", OpenApiTypes.STR, enum=_any(Perspective.values)),
    OpenApiParameter("direction", OpenApiTypes.STR, enum=_any(KPI.Direction.values)),
    OpenApiParameter("collaborative", OpenApiTypes.STR, enum=_any(["yes", "no"])),
    OpenApiParameter("process_tag", OpenApiTypes.STR, enum=_any(ProcessTag.values)),
    OpenApiParameter("owner_unit", OpenApiTypes.INT),
    OpenApiParameter("active", OpenApiTypes.STR, enum=_any(["yes", "no"])),
]))
class KPIViewSet(
    ServiceWritesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    TenantViewSet,
):
    serializer_class = KPISerializer

    def get_object(self):
        """The one door to this noun by id (`goals.access`): missing and another tenant's ids are a 404."""
        write = self.request.method not in SAFE_METHODS
        return access_kpi_by_id(self.request.membership, self.kwargs.get("pk"), write=write)

    def get_queryset(self):
        if self.action != "list":
            return kpi_search()
        form = KPIFilterForm(self.request.query_params)
        if not form.is_valid():
            raise exceptions.ValidationError({name: list(errors) for name, errors in form.errors.items()})
        return kpi_search(**form.search_kwargs())

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("lock_version", None)
        kpi = self.call_service(kpi_services.kpi_create, data=data)
        return self.respond(kpi, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        kpi = self.get_object()
        serializer = self.get_serializer(kpi, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("lock_version", None)
        kpi = self.call_service(
            kpi_services.kpi_update, kpi=kpi, data=data, lock_version=lock_version_of(request)
        )
        return self.respond(kpi)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        kpi = self.get_object()
        self.call_service(kpi_services.kpi_delete, kpi=kpi, lock_version=lock_version_of(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# ----- objectives -------------------------------------------------------------------------------------------
class ObjectiveSerializer(StrictWriteMixin, serializers.ModelSerializer):
    period = TenantRelatedField(queryset=Period.objects)
    owner_unit = TenantRelatedField(queryset=OrgUnit.objects, required=False, allow_null=True)
    period_label = serializers.CharField(source="period.label", read_only=True)
    causes = serializers.SerializerMethodField(help_text="Ids of the objectives that drive this one.")
    effects = serializers.SerializerMethodField(help_text="Ids of the objectives this one drives.")
    kpis = serializers.SerializerMethodField(help_text="Ids of the active KPIs measuring this objective.")
    lock_version = LockVersionField()

    class Meta:
        model = Objective
        fields = [
            "id",
            *objective_services.OBJECTIVE_FIELDS,
            "period_label",
            "causes",
            "effects",
            "kpis",
            "lock_version",
            "updated_at",
        ]
        read_only_fields = ["id", "updated_at"]
        validators: list = []

    def get_causes(self, obj) -> list[int]:
        return [link.cause_id for link in obj.cause_links.all()]

    def get_effects(self, obj) -> list[int]:
        return [link.effect_id for link in obj.effect_links.all()]

    def get_kpis(self, obj) -> list[int]:
        return [kpi.pk for kpi in obj.kpis.all()]


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("period", OpenApiTypes.INT),
    OpenApiParameter("perspective", OpenApiTypes.STR, enum=_any(Perspective.values)),
]))
class ObjectiveViewSet(
    ServiceWritesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    TenantViewSet,
):
    serializer_class = ObjectiveSerializer

    def get_object(self):
        """The one door to this noun by id (`goals.access`): missing and another tenant's ids are a 404."""
        write = self.request.method not in SAFE_METHODS
        return access_objective_by_id(self.request.membership, self.kwargs.get("pk"), write=write)

    def get_queryset(self):
        queryset = objective_queryset().order_by("period_id", "perspective", "order", "id")
        if self.action != "list":
            return queryset
        errors: dict = {}
        period = id_param(self.request, "period", errors)
        perspective = self.request.query_params.get("perspective", "")
        if perspective and perspective not in Perspective.values:
            errors["perspective"] = [f"Choose one of: {', '.join(Perspective.values)}."]
        if errors:
            raise exceptions.ValidationError(errors)
        if period is not None:
            queryset = queryset.filter(period_id=period)
        if perspective:
            queryset = queryset.filter(perspective=perspective)
        return queryset

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("lock_version", None)
        objective = self.call_service(objective_services.objective_create, data=data)
        return self.respond(objective, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        objective = self.get_object()
        serializer = self.get_serializer(objective, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("lock_version", None)
        objective = self.call_service(
            objective_services.objective_update, objective=objective, data=data,
            lock_version=lock_version_of(request),
        )
        return self.respond(objective)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        objective = self.get_object()
        self.call_service(
            objective_services.objective_delete, objective=objective, lock_version=lock_version_of(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# ----- cause → effect links ---------------------------------------------------------------------------------
class ObjectiveLinkSerializer(StrictWriteMixin, serializers.ModelSerializer):
    cause = TenantRelatedField(queryset=Objective.objects)
    effect = TenantRelatedField(queryset=Objective.objects)
    period = serializers.IntegerField(source="cause.period_id", read_only=True)

    class Meta:
        model = ObjectiveLink
        fields = ["id", "cause", "effect", "period", "created_at"]
        read_only_fields = ["id", "created_at"]
        validators: list = []


class ObjectiveLinkViewSet(
    ServiceWritesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    TenantViewSet,
):
    serializer_class = ObjectiveLinkSerializer

    def get_object(self):
        """The one door to this noun by id (`goals.access`): missing and another tenant's ids are a 404."""
        write = self.request.method not in SAFE_METHODS
        return access_objective_link_by_id(self.request.membership, self.kwargs.get("pk"), write=write)

    def get_queryset(self):
        queryset = ObjectiveLink.objects.select_related("cause").order_by("id")
        if self.action != "list":
            return queryset
        errors: dict = {}
        period = id_param(self.request, "period", errors)
        if errors:
            raise exceptions.ValidationError(errors)
        if period is not None:
            queryset = queryset.filter(cause__period_id=period)
        return queryset

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        link = self.call_service(
            objective_services.objective_link_create,
            cause=serializer.validated_data["cause"],
            effect=serializer.validated_data["effect"],
        )
        return self.respond(link, status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        self.call_service(objective_services.objective_link_delete, link=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
