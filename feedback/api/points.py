"""API of bonus and penalty points (协同加减分), routed by feedback/urls.py.

`point-items/`            the catalog: list (q, active), create, retrieve, update (lock_version), delete
                          (?lock_version=N; an item proposed once is kept: make it inactive). HR writes;
                          every member reads (managers pick from it).
`point-proposals/`        `feedback.api.point_proposals`.
`point-ledger/`           read-only entries (list: year, employee, org_unit; retrieve); HR posts a correction
                          {corrects, points, reason}: a new entry, the corrected one stays as it was.
The ledger has no PUT/PATCH/DELETE at all.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from collab.models import ALL_ROLES
from collab.routing.fields import (
    LockVersionField,
    StrictWriteMixin,
    TenantRelatedField,
    lock_version_of,
    validated_body,
)
from collab.routing.ids import MAX_ID
from collab.routing.viewsets import TenantViewSet
from collab.selectors.platform import member_linked_employee
from feedback.access import (
    access_point_entry_by_id,
    access_point_item_by_id,
)
from feedback.models import (
    PointItem,
    PointLedgerEntry,
)
from feedback.selectors import points as selectors
from feedback.services.points import catalog, ledger

POINTS = {"max_digits": 5, "decimal_places": 2, "min_value": -100, "max_value": 100}


def points_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(**POINTS, **kwargs)


def _names(**kwargs) -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(max_length=100), max_length=30, **kwargs)


# ------------------------------------------------------------------------------------------------ items


class PointItemSerializer(serializers.ModelSerializer):
    points = points_field(help_text="Signed: a bonus (+) or a penalty (−), never 0.")
    levels = _names(required=False, help_text="Management levels it is for (empty: every level).")
    job_families = _names(required=False, help_text="Job families it is for (empty: every family).")
    lock_version = LockVersionField()

    class Meta:
        model = PointItem
        fields = [
            "id", "name", "description", "points", "levels", "job_families", "is_active", "lock_version",
            "updated_at", "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "updated_at", "created_at"]
        validators: list = []


class PointItemWriteSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = PointItemSerializer
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    points = points_field()
    levels = _names(required=False)
    job_families = _names(required=False)
    is_active = serializers.BooleanField(required=False)


class PointItemUpdateSerializer(PointItemWriteSerializer):
    lock_version = LockVersionField(required=True)
    name = serializers.CharField(max_length=200, required=False)
    points = points_field(required=False)


class PointItemFilters(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=100, allow_blank=True)
    active = serializers.BooleanField(required=False, allow_null=True, default=None)


ITEM_FIELDS = ("name", "description", "points", "levels", "job_families", "is_active")


@extend_schema_view(
    list=extend_schema(parameters=[PointItemFilters]),
    create=extend_schema(request=PointItemWriteSerializer, responses={201: PointItemSerializer}),
    update=extend_schema(request=PointItemUpdateSerializer, responses=PointItemSerializer),
    partial_update=extend_schema(request=PointItemUpdateSerializer, responses=PointItemSerializer),
)
class PointItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    serializer_class = PointItemSerializer
    read_roles = ALL_ROLES

    def get_queryset(self):
        if self.action != "list":
            return selectors.point_items()
        filters = PointItemFilters(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        return selectors.point_items(q=data.get("q", "").replace("\x00", ""), active=data.get("active"))

    def get_object(self):
        write = self.request.method not in SAFE_METHODS
        return access_point_item_by_id(self.request.membership, self.kwargs.get("pk"), write=write)

    def _respond(self, item, code=status.HTTP_200_OK):
        return Response(self.get_serializer(selectors.point_items().get(pk=item.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        data = validated_body(self, PointItemWriteSerializer)
        item = catalog.point_item_create(
            actor=request.user, data={k: data[k] for k in ITEM_FIELDS if k in data}
        )
        return self._respond(item, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        item = self.get_object()
        partial = kwargs.get("partial", False)
        data = validated_body(self, PointItemUpdateSerializer, partial=partial)
        saved = catalog.point_item_update(
            actor=request.user, item=item, lock_version=lock_version_of(request),
            data={k: data[k] for k in ITEM_FIELDS if k in data},
        )  # fmt: skip
        return self._respond(saved)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        item = self.get_object()
        catalog.point_item_delete(actor=request.user, item=item, lock_version=lock_version_of(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# ----------------------------------------------------------------------------------------------- ledger


class PointLedgerEntrySerializer(serializers.ModelSerializer):
    employee_name = serializers.CharField(source="employee.name", read_only=True, allow_null=True)
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    period_label = serializers.CharField(source="period.label", read_only=True)
    points = points_field(read_only=True)

    class Meta:
        model = PointLedgerEntry
        fields = [
            "id", "proposal", "corrects", "employee", "employee_name", "org_unit", "org_unit_name",
            "position", "item", "item_name", "points", "period", "period_label", "year", "reason",
            "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class CorrectionSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = PointLedgerEntrySerializer
    corrects = TenantRelatedField(queryset=PointLedgerEntry.objects)
    points = points_field(help_text="The signed points the correction adds (e.g. the opposite, to cancel).")
    reason = serializers.CharField(max_length=5000)


class LedgerFilters(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    employee = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    org_unit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


@extend_schema_view(
    list=extend_schema(parameters=[LedgerFilters]),
    create=extend_schema(request=CorrectionSerializer, responses={201: PointLedgerEntrySerializer}),
)
class PointLedgerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    serializer_class = PointLedgerEntrySerializer
    read_roles = ALL_ROLES

    def get_queryset(self):
        membership = self.request.membership
        readable = selectors.ledger_readable(membership, member_linked_employee(membership))
        queryset = selectors.ledger_entries().filter(pk__in=readable.values("pk"))
        if self.action != "list":
            return queryset
        filters = LedgerFilters(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        if "year" in data:
            queryset = queryset.filter(year=data["year"])
        if "employee" in data:
            queryset = queryset.filter(employee_id=data["employee"])
        if "org_unit" in data:
            queryset = queryset.filter(org_unit_id=data["org_unit"])
        return queryset

    def get_object(self):
        return access_point_entry_by_id(self.request.membership, self.kwargs.get("pk"))

    def create(self, request, *args, **kwargs):
        """A correction (HR): a new entry of the corrected one's subject, item and period."""
        data = validated_body(self, CorrectionSerializer)
        entry = access_point_entry_by_id(request.membership, data["corrects"].pk, write=True)
        made = ledger.point_ledger_correct(
            actor=request.user, entry=entry, points=data["points"], reason=data["reason"]
        )
        fresh = selectors.ledger_entries().get(pk=made.pk)
        return Response(PointLedgerEntrySerializer(fresh).data, status=status.HTTP_201_CREATED)
