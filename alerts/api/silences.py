"""API of silences, routed by alerts/urls.py.

`/api/v1/t/<slug>/silences/`            list (?current=true: those not ended yet), create {scope, rule?,
                                        stage?, process?, starts_at, ends_at, weekdays?, window_start?,
                                        window_end?, reason}
`/api/v1/t/<slug>/silences/<id>/`       retrieve, update / partial update {lock_version, …}, delete
                                        (?lock_version=N)
`/api/v1/t/<slug>/silences/<id>/end/`   POST {lock_version}: ends it now

Every member reads; HR admins and managers write. A silence always has an end.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from alerts.access import SILENCE_WRITERS, access_silence_by_id
from alerts.models import AlertRule, Process, ProcessStage, Silence, SilenceScope
from alerts.selectors.silences import silences
from alerts.services import silences as services
from collab.routing.fields import (
    LockVersionField,
    StrictWriteMixin,
    TenantRelatedField,
    lock_version_of,
    validated_body,
)
from collab.routing.viewsets import TenantViewSet


class SilenceSerializer(serializers.ModelSerializer):
    weekdays = serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=6), read_only=True)
    lock_version = LockVersionField()

    class Meta:
        model = Silence
        fields = [
            "id", "scope", "rule", "stage", "process", "starts_at", "ends_at", "weekdays", "window_start",
            "window_end", "reason", "created_by", "created_at", "lock_version", "updated_at",
        ]  # fmt: skip
        read_only_fields = [f for f in fields if f != "lock_version"]


def _fields(required: bool) -> dict:
    optional = {} if required else {"required": False}
    return {
        "scope": serializers.ChoiceField(choices=SilenceScope.choices, **optional),
        "rule": TenantRelatedField(queryset=AlertRule.objects, required=False, allow_null=True),
        "stage": TenantRelatedField(queryset=ProcessStage.objects, required=False, allow_null=True),
        "process": TenantRelatedField(queryset=Process.objects, required=False, allow_null=True),
        "starts_at": serializers.DateTimeField(**optional),
        "ends_at": serializers.DateTimeField(**optional),
        "weekdays": serializers.ListField(
            child=serializers.IntegerField(min_value=0, max_value=6), max_length=7, required=False
        ),  # fmt: skip
        "window_start": serializers.TimeField(required=False, allow_null=True),
        "window_end": serializers.TimeField(required=False, allow_null=True),
        "reason": serializers.CharField(max_length=500, **optional),
    }


class SilenceCreateSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = SilenceSerializer
    locals().update(_fields(required=True))


class SilenceUpdateSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = SilenceSerializer
    lock_version = LockVersionField(required=True)
    locals().update(_fields(required=False))


class SilenceEndSerializer(StrictWriteMixin, serializers.Serializer):
    refuse_unknown = True
    lock_version = LockVersionField(required=True)


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("current", OpenApiTypes.BOOL,
                                                    description="Only silences that have not ended.")]),
    create=extend_schema(request=SilenceCreateSerializer, responses={201: SilenceSerializer}),
    update=extend_schema(request=SilenceUpdateSerializer, responses=SilenceSerializer),
    partial_update=extend_schema(request=SilenceUpdateSerializer, responses=SilenceSerializer),
)  # fmt: skip
class SilenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    serializer_class = SilenceSerializer
    write_roles = SILENCE_WRITERS

    def get_queryset(self):
        current = self.request.query_params.get("current", "")
        if current not in ("", "true", "false"):
            raise exceptions.ValidationError({"current": ["Send true or false."]})
        return silences(current_only=current == "true")

    def get_object(self):
        write = self.request.method not in ("GET", "HEAD", "OPTIONS")
        return access_silence_by_id(self.request.membership, self.kwargs.get("pk"), write=write)

    def _respond(self, silence, code=status.HTTP_200_OK):
        fresh = silences().get(pk=silence.pk)
        return Response(SilenceSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        data = validated_body(self, SilenceCreateSerializer)
        return self._respond(services.silence_create(actor=request.user, data=data), status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        silence = self.get_object()
        data = validated_body(self, SilenceUpdateSerializer, partial=kwargs.get("partial", False))
        data.pop("lock_version", None)
        saved = services.silence_update(actor=request.user, silence=silence,
                                        lock_version=lock_version_of(request), data=data)  # fmt: skip
        return self._respond(saved)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        silence = self.get_object()
        services.silence_delete(actor=request.user, silence=silence, lock_version=lock_version_of(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=SilenceEndSerializer, responses={200: SilenceSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, *args, **kwargs):
        silence = self.get_object()
        version = validated_body(self, SilenceEndSerializer)["lock_version"]
        services.silence_end(actor=request.user, silence=silence, lock_version=version)
        return self._respond(silence)
