"""API of measurements: `/api/v1/t/<slug>/measurements/` (list, retrieve, create, update) and
`POST …/measurements/bulk/` (a JSON list; all-or-nothing, 400 with the field errors of every row).
A change needs the `lock_version` it was based on: missing 400, stale 409 (in a bulk write, a
"lock_version" error of that row; a bulk whose only problem is stale rows is a 409, nothing written).

Every member reads (the one agreed number everyone sees); HR admins write. A closed period is read-only.
`score` and `band` are those of the measurement's own target and actual (DESIGN.md §6); quarter and year
values derived from months are served by the score selectors, not here.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from collab.models import Period
from collab.routing.errors import field_errors
from collab.routing.fields import LockVersionField, StrictWriteMixin, TenantRelatedField, lock_version_of
from collab.routing.ids import id_param
from collab.routing.schema import number_or_numeric_text
from collab.routing.viewsets import TenantViewSet
from goals.access import access_measurement_by_id
from goals.engine import scores as engine_scores
from goals.engine.common import plain
from goals.engine.scores import kpi_score
from goals.models import KPI, Measurement
from goals.services.measurements.values import KEEP, NOTE_MAX, BulkErrors, parse_number
from goals.services.measurements.writes import BulkStaleError, measurement_upsert, measurements_bulk_upsert

BULK_MAX_ROWS = 5000


class NumberField(serializers.Field):
    """A measurement value: a JSON number or numeric text, parsed by the service's rules (None allowed).

    Answered as the decimal string it is stored as (e.g. "12.5000"), never as a float.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            return parse_number(data, field_name="value", required=False)
        except ValidationError as error:
            raise serializers.ValidationError(error.message_dict["value"]) from None

    def to_representation(self, value):
        return None if value is None else str(value)


class NumberFieldSchema(OpenApiSerializerFieldExtension):
    """Answered as decimal text; taken as a JSON number or as numeric text (e.g. "1,250.5")."""

    target_class = NumberField

    def map_serializer_field(self, auto_schema, direction):
        answered = {
            "type": "string",
            "format": "decimal",
            "pattern": r"^-?[0-9]{1,16}\.[0-9]{4}$",
            "description": "A decimal number as text with 4 decimals, e.g. \"12.5000\".",
        }
        if direction == "request":
            return number_or_numeric_text({"type": "string"}, self.target)
        return answered


class MeasurementSerializer(StrictWriteMixin, serializers.ModelSerializer):
    kpi = TenantRelatedField(queryset=KPI.objects)
    period = TenantRelatedField(queryset=Period.objects)
    kpi_code = serializers.CharField(source="kpi.code", read_only=True)
    period_label = serializers.CharField(source="period.label", read_only=True)
    target = NumberField()
    actual = NumberField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX)
    lock_version = LockVersionField()
    score = serializers.SerializerMethodField()
    band = serializers.SerializerMethodField()

    class Meta:
        model = Measurement
        fields = [
            "id", "kpi", "kpi_code", "period", "period_label", "target", "actual", "note", "lock_version",
            "score", "band", "updated_at",
        ]
        read_only_fields = ["id", "updated_at"]
        validators: list = []  # uniqueness and period status are the service's job (one clear message)

    def get_score(self, obj) -> float | None:
        return plain(kpi_score(obj.target, obj.actual, obj.kpi.direction, obj.kpi.cap), 2)

    def get_band(self, obj) -> str:
        return engine_scores.band(self.get_score(obj))

    def validate_note(self, value: str) -> str:
        if "\x00" in value:
            raise serializers.ValidationError(_("Null characters are not allowed."))
        return value


class MeasurementUpdateSerializer(MeasurementSerializer):
    """KPI and period identify the measurement and do not change; target may be left out (kept)."""

    kpi = serializers.PrimaryKeyRelatedField(read_only=True)
    period = serializers.PrimaryKeyRelatedField(read_only=True)
    target = NumberField(required=False)


class BulkItemSerializer(MeasurementSerializer):
    """One row of a bulk write: target may be left out when the measurement exists already."""

    target = NumberField(required=False)


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("period", OpenApiTypes.INT),
                                   OpenApiParameter("kpi", OpenApiTypes.INT)]),
    partial_update=extend_schema(request=MeasurementUpdateSerializer),
    update=extend_schema(request=MeasurementUpdateSerializer),
)
class MeasurementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    serializer_class = MeasurementSerializer

    def get_object(self):
        """The one door to this noun by id (`goals.access`): missing and another tenant's ids are a 404."""
        write = self.request.method not in SAFE_METHODS
        return access_measurement_by_id(self.request.membership, self.kwargs.get("pk"), write=write)

    def get_queryset(self):
        queryset = Measurement.objects.select_related("kpi", "period")
        queryset = queryset.order_by("period_id", "kpi_id", "id")  # the unique constraint's index
        if self.action != "list":
            return queryset
        errors: dict = {}
        ids = {name: id_param(self.request, name, errors) for name in ("period", "kpi")}
        if errors:
            raise exceptions.ValidationError(errors)
        for name, pk in ids.items():
            if pk is not None:
                queryset = queryset.filter(**{f"{name}_id": pk})
        return queryset

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return MeasurementUpdateSerializer
        return MeasurementSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if Measurement.objects.filter(kpi=data["kpi"], period=data["period"]).exists():
            message = "This KPI already has a measurement in this period; update it instead."
            raise exceptions.ValidationError({"non_field_errors": [message]})
        measurement = measurement_upsert(
            actor=request.user,
            kpi=data["kpi"],
            period=data["period"],
            target=data["target"],
            actual=data.get("actual"),
            note=data.get("note", ""),
        )
        return Response(self.get_serializer(measurement).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        measurement = self.get_object()
        serializer = self.get_serializer(measurement, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        version = lock_version_of(request)
        if not partial and "target" not in data:
            raise exceptions.ValidationError({"target": ["This field is required."]})
        measurement = measurement_upsert(
            actor=request.user,
            kpi=measurement.kpi,
            period=measurement.period,
            target=data.get("target", KEEP),
            actual=data.get("actual", None if not partial else KEEP),
            note=data.get("note", "" if not partial else KEEP),
            lock_version=version,
        )
        measurement = self.get_queryset().get(pk=measurement.pk)
        return Response(self.get_serializer(measurement).data)

    def partial_update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    @extend_schema(
        request=BulkItemSerializer(many=True),
        responses={
            200: inline_serializer(
                "MeasurementBulkResult",
                {
                    "created": serializers.IntegerField(),
                    "updated": serializers.IntegerField(),
                    "unchanged": serializers.IntegerField(),
                    "results": MeasurementSerializer(many=True),
                },
            ),
            400: inline_serializer(
                "MeasurementBulkErrors",
                {
                    "detail": serializers.CharField(required=False),
                    "rows": serializers.ListField(
                        child=serializers.DictField(), required=False,
                        help_text="One object of field errors per row sent, in order ({} for a good row).",
                    ),
                    "non_field_errors": serializers.ListField(child=serializers.CharField(), required=False),
                },
            ),
            409: inline_serializer(
                "MeasurementBulkConflict",
                {
                    "detail": serializers.CharField(),
                    "changed_by": serializers.CharField(required=False),
                    "changed_at": serializers.DateTimeField(required=False, allow_null=True),
                    "lock_version": serializers.IntegerField(required=False),
                    "rows": serializers.ListField(
                        child=serializers.DictField(), required=False,
                        help_text="One object per row sent ({} for a good row): a stale row's lock_version "
                        "error names who saved it and when.",
                    ),
                },
            ),
        },
    )
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request, *args, **kwargs):
        """Create or update many measurements at once: all or nothing."""
        rows = request.data
        if not isinstance(rows, list):
            raise exceptions.ValidationError({"non_field_errors": ["Send a JSON list of measurements."]})
        if not rows:
            raise exceptions.ValidationError({"non_field_errors": ["The list is empty."]})
        if len(rows) > BULK_MAX_ROWS:
            raise exceptions.ValidationError(
                {"non_field_errors": [f"At most {BULK_MAX_ROWS} measurements per request."]}
            )
        serializer = BulkItemSerializer(data=rows, many=True, context=self.get_serializer_context())
        if not serializer.is_valid():
            errors = serializer.errors
            if isinstance(errors, dict):  # DRF reports only the bad rows, keyed by index
                if not all(str(key).isdigit() for key in errors):
                    raise exceptions.ValidationError(errors)
                errors = [errors.get(index, errors.get(str(index), {})) for index in range(len(rows))]
            return self._bulk_errors(list(errors))
        items = []
        for item in serializer.validated_data:
            row = {"kpi": item["kpi"], "period": item["period"]}
            for name in ("target", "actual", "note", "lock_version"):
                if name in item:
                    row[name] = item[name]
            items.append(row)
        try:
            with transaction.atomic():
                result = measurements_bulk_upsert(actor=request.user, rows=items)
        except BulkStaleError:
            raise  # only stale rows: a conflict, the one exception handler's 409 (it names each row)
        except BulkErrors as error:
            rows = [field_errors(ValidationError(row)) if row else {} for row in error.rows]
            return self._bulk_errors(rows)
        ids = [m.pk for m in result.measurements]
        fresh = {m.pk: m for m in Measurement.objects.select_related("kpi", "period").filter(pk__in=ids)}
        return Response(
            {
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "results": MeasurementSerializer([fresh[pk] for pk in ids], many=True).data,
            }
        )

    def _bulk_errors(self, rows):
        # Each row's errors are an object of field errors; a row that is not an object at all (e.g. null)
        # gets DRF's list of messages, filed under non_field_errors so every row has the one shape.
        rows = [row if isinstance(row, dict) else {"non_field_errors": list(row)} for row in rows]
        bad = sum(1 for row in rows if row)
        return Response(
            {"detail": f"{bad} row(s) have errors; nothing was written.", "rows": rows},
            status=status.HTTP_400_BAD_REQUEST,
        )
