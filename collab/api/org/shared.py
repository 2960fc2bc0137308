"""What the organisation API's resources share: query-string filters and the writes through a service."""

from __future__ import annotations

from django.db import transaction
from rest_framework import serializers, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from collab.models import OrgUnit
from collab.routing.fields import lock_version_of
from collab.routing.ids import MAX_ID


class FilterSerializer(serializers.Serializer):
    """Query-string filters; a bad value is a 400 with the parameter's name, never a 500."""

    q = serializers.CharField(required=False, max_length=100, allow_blank=True)


def id_filter(**kwargs) -> serializers.IntegerField:
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


class UnitScopedFilters(FilterSerializer):
    org_unit = id_filter()
    under = id_filter(help_text="Only rows in this unit or any unit below it.")


def unit_filters(queryset, filters: dict):
    if "org_unit" in filters:
        queryset = queryset.filter(org_unit_id=filters["org_unit"])
    if "under" in filters:
        top = OrgUnit.objects.filter(pk=filters["under"]).first()
        queryset = queryset.filter(org_unit__path__startswith=top.path) if top else queryset.none()
    return queryset
