"""API of the responsibility matrices, registered on collab.api.router.

`/api/v1/t/<slug>/matrices/`                 list (filters: kpi=<id>, period=<id>: the versions in effect
                                             for that period), create {kpi, effective_from, note?, rows}
`/api/v1/t/<slug>/matrices/<id>/`            retrieve (with rows), update/partial update
                                             {lock_version, rows?, note?}: corrects this version in place
`POST /api/v1/t/<slug>/matrices/<id>/new-version/`  {lock_version, effective_from, rows, note?} → 201, the
                                             new version (earlier periods keep the version they had)

Rows: {org_unit, role: lead|collaborating|support, share, contribution_dimension?, evaluation_kpi?,
evaluation_method?}; exactly one lead, shares adding up to 100. Errors are JSON field errors; a row's are
keyed "rows-<index>-<field>" (index from 0), whole-matrix rules "rows". Foreign keys are TenantRelatedFields:
another tenant's id reads exactly like a missing one. A stale `lock_version` answers 409 with who changed
the matrix and when (`StaleEditError.as_dict()`), and nothing is written. HR admins write; managers,
committee members and auditors read.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.settings import api_settings

from collab.api import router
from collab.concurrency import user_label
from collab.models import OrgUnit, Period, Role
from collab.routing import LockVersionField, TenantRelatedField, TenantViewSet, lock_version_of, parse_id
from goals.models import KPI
from responsibility import services
from responsibility.models import MatrixRole, ResponsibilityMatrix
from responsibility.selectors import matrix_effective_ids, matrix_with_rows

READERS = frozenset({Role.HR_ADMIN, Role.MANAGER, Role.COMMITTEE, Role.AUDITOR})
MAX_ROWS_IN = 250


def field_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    errors = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if key == NON_FIELD_ERRORS else key): [str(m) for m in messages]
        for key, messages in errors.items()
    }


def flat_list_errors(prefix: str, errors: Any) -> dict[str, list[str]]:
    """A nested list serializer's errors as "<prefix>-<index>-<field>" keys (the services' convention)."""
    if isinstance(errors, dict) and not all(str(key).isdigit() for key in errors):
        return {prefix: [str(m) for m in _messages(errors)]}
    items = errors.items() if isinstance(errors, dict) else enumerate(errors)
    out: dict[str, list[str]] = {}
    for index, row in items:
        if not row:
            continue
        if isinstance(row, dict):
            for field, messages in row.items():
                out[f"{prefix}-{index}-{field}"] = [str(m) for m in _messages(messages)]
        else:
            out.setdefault(prefix, []).extend(str(m) for m in _messages(row))
    return out


def _messages(value: Any) -> list:
    if isinstance(value, dict):
        return [m for v in value.values() for m in _messages(v)]
    if isinstance(value, list | tuple):
        return [m for v in value for m in _messages(v)]
    return [value]


def validate_nested(serializer_class, prefix: str, data: Any, context: dict) -> list[dict]:
    """Validate a list of nested rows; their errors keyed "<prefix>-<index>-<field>" (400)."""
    if data is None:
        raise exceptions.ValidationError({prefix: [_("This field is required.")]})
    if isinstance(data, str | bytes | dict) or not isinstance(data, list):
        raise exceptions.ValidationError({prefix: [_("Give the rows as a list.")]})
    if len(data) > MAX_ROWS_IN:
        raise exceptions.ValidationError({prefix: [_("At most %(n)d rows.") % {"n": MAX_ROWS_IN}]})
    nested = serializer_class(data=data, many=True, context=context)
    if not nested.is_valid():
        raise exceptions.ValidationError(flat_list_errors(prefix, nested.errors))
    return [dict(row) for row in nested.validated_data]


class StaleAnswersMixin:
    """Service calls: ValidationError → 400 with field errors (a StaleEditError is the global handler's 409
    with who and when)."""

    def call(self, function, **kwargs):
        try:
            return function(actor=self.request.user, **kwargs)
        except DjangoValidationError as error:
            raise exceptions.ValidationError(field_errors(error)) from None


# --------------------------------------------------------------------------------------------- serializers


class MatrixRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    org_unit = TenantRelatedField(queryset=OrgUnit.objects)
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    role = serializers.ChoiceField(choices=MatrixRole.choices)
    share = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    contribution_dimension = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    evaluation_kpi = TenantRelatedField(queryset=KPI.objects, required=False, allow_null=True, default=None)
    evaluation_method = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class MatrixSerializer(serializers.ModelSerializer):
    kpi = TenantRelatedField(queryset=KPI.objects)
    kpi_code = serializers.CharField(source="kpi.code", read_only=True)
    effective_from = TenantRelatedField(queryset=Period.objects)
    effective_from_label = serializers.CharField(source="effective_from.label", read_only=True)
    rows = MatrixRowSerializer(many=True, read_only=True)
    lock_version = LockVersionField()
    updated_by = serializers.SerializerMethodField()

    class Meta:
        model = ResponsibilityMatrix
        fields = [
            "id", "kpi", "kpi_code", "effective_from", "effective_from_label", "version", "note", "rows",
            "lock_version", "updated_by", "updated_at", "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "version", "updated_at", "created_at"]
        validators: list = []

    def get_updated_by(self, obj) -> str:
        return user_label(obj.updated_by)


class MatrixUpdateSerializer(serializers.Serializer):
    lock_version = LockVersionField(required=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class MatrixNewVersionSerializer(serializers.Serializer):
    lock_version = LockVersionField(required=True)
    effective_from = TenantRelatedField(queryset=Period.objects)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


# --------------------------------------------------------------------------------------------- viewset


class MatrixViewSet(StaleAnswersMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    serializer_class = MatrixSerializer
    read_roles = READERS

    def get_queryset(self):
        queryset = matrix_with_rows().order_by("kpi__code", "-version")
        if self.action != "list":
            return queryset
        errors: dict = {}
        ids = {}
        for name in ("kpi", "period"):
            raw = self.request.query_params.get(name, "")
            if raw == "":
                continue
            if parse_id(raw) is None:
                errors[name] = [_("Enter a valid id.")]
            else:
                ids[name] = parse_id(raw)
        if errors:
            raise exceptions.ValidationError(errors)
        if "kpi" in ids:
            queryset = queryset.filter(kpi_id=ids["kpi"])
        if "period" in ids:
            period = Period.objects.filter(pk=ids["period"]).first()
            if period is None:
                raise exceptions.ValidationError(
                    {"period": [_("Choose a valid option; that one does not exist.")]}
                )
            queryset = queryset.filter(pk__in=list(matrix_effective_ids(period).values()))
        return queryset

    def _respond(self, matrix, code=status.HTTP_200_OK):
        return Response(self.get_serializer(matrix_with_rows().get(pk=matrix.pk)).data, status=code)

    def _rows(self, request, *, required: bool):
        if not required and "rows" not in request.data:
            return services.UNSET
        return validate_nested(
            MatrixRowSerializer, "rows", request.data.get("rows"), self.get_serializer_context()
        )

    def create(self, request, *args, **kwargs):
        serializer = MatrixSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        rows = self._rows(request, required=True)
        data = serializer.validated_data
        matrix = self.call(
            services.matrix_create, kpi=data["kpi"], effective_from=data["effective_from"], rows=rows,
            note=data.get("note", ""),
        )  # fmt: skip
        return self._respond(matrix, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        matrix = self.get_object()
        if not hasattr(request.data, "get"):
            raise exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [_("Send a JSON object.")]})
        partial = kwargs.get("partial", False)
        serializer = MatrixUpdateSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        version = lock_version_of(request)
        rows = self._rows(request, required=not partial)
        note = serializer.validated_data.get("note", services.UNSET)
        saved = self.call(services.matrix_update, matrix=matrix, lock_version=version, rows=rows, note=note)
        return self._respond(saved)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(request=MatrixNewVersionSerializer, responses={201: MatrixSerializer})
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, *args, **kwargs):
        matrix = self.get_object()
        if not hasattr(request.data, "get"):
            raise exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [_("Send a JSON object.")]})
        serializer = MatrixNewVersionSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        rows = self._rows(request, required=True)
        data = serializer.validated_data
        new = self.call(
            services.matrix_new_version, matrix=matrix, lock_version=data["lock_version"],
            effective_from=data["effective_from"], rows=rows, note=data["note"],
        )  # fmt: skip
        return self._respond(new, status.HTTP_201_CREATED)


# Basename "api-matrix": "matrix-list" is the page.
router.register(r"matrices", MatrixViewSet, basename="api-matrix")
