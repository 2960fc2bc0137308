"""The API base every tenant resource stands on: sealed security, 404 for strangers, roles, scope reset,
foreign keys in bodies, and no 500 for input the database refuses. Exercised through a probe viewset
called directly (not registered on the router, so route discovery elsewhere never sees it)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from rest_framework import mixins, serializers
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate

from collab.concurrency import UNSET
from collab.models import OrgUnit, Role
from collab.routing.errors import exception_handler
from collab.routing.fields import TenantRelatedField, nested_rows, validated_body
from collab.routing.ids import MAX_ID
from collab.routing.viewsets import TenantViewSet
from collab.tenancy import current_tenant_or_none, tenant_scope
from tests.factories import make_member

pytestmark = pytest.mark.django_db
factory = APIRequestFactory()


class UnitSerializer(serializers.ModelSerializer):
    parent = TenantRelatedField(queryset=OrgUnit.objects, required=False, allow_null=True)

    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name", "parent"]


class UnitProbe(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    read_roles = frozenset({Role.HR_ADMIN, Role.MANAGER, Role.AUDITOR})
    write_roles = frozenset({Role.HR_ADMIN, Role.AUDITOR})
    serializer_class = UnitSerializer

    def get_queryset(self):
        return OrgUnit.objects.all()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response({"parent": getattr(serializer.validated_data.get("parent"), "pk", None)}, status=201)


def _call(user, action: str, method: str = "get", slug: str = "alpha", data=None, **kwargs):
    view = UnitProbe.as_view({method: action})
    request = getattr(factory, method)("/probe/", data=data, format="json")
    if user is not None:
        force_authenticate(request, user=user)
    return view(request, tenant_slug=slug, **kwargs)


def _unit(tenant, code: str) -> OrgUnit:
    with tenant_scope(tenant):
        return OrgUnit.objects.create(code=code, name=code, kind="group", path="/")


@pytest.mark.parametrize(
    "name", ["dispatch", "initial", "get_permissions", "check_permissions", "check_object_permissions",
             "permission_classes", "authentication_classes", "resolve_tenant"],
)  # fmt: skip
def test_subclasses_cannot_override_tenant_security(name):
    with pytest.raises(TypeError, match="may not override tenant security"):
        type("Sneaky", (TenantViewSet,), {name: lambda *args, **kwargs: None})


def test_a_stranger_sees_the_tenant_exactly_like_a_missing_one(tenant_a, tenant_b, hr_b):
    unknown = _call(hr_b, "list", slug="no-such-tenant")
    stranger = _call(hr_b, "list", slug="alpha")
    assert unknown.status_code == stranger.status_code == 404
    assert unknown.data == stranger.data


def test_anonymous_requests_are_refused(tenant_a):
    assert _call(None, "list").status_code in {401, 403}


def test_another_tenants_id_reads_like_a_missing_one(tenant_a, tenant_b, hr_a):
    own, foreign = _unit(tenant_a, "A1"), _unit(tenant_b, "B1")
    assert _call(hr_a, "retrieve", pk=own.pk).data["code"] == "A1"
    missing = _call(hr_a, "retrieve", pk=foreign.pk + 1000)
    crossed = _call(hr_a, "retrieve", pk=foreign.pk)
    assert missing.status_code == crossed.status_code == 404
    assert missing.data == crossed.data
    listed = _call(hr_a, "list")
    assert [row["code"] for row in listed.data["results"]] == ["A1"]


def test_roles_decide_reads_and_auditors_never_write(tenant_a):
    employee = make_member(tenant_a, Role.EMPLOYEE, username="emp")
    auditor = make_member(tenant_a, Role.AUDITOR, username="aud")
    hr = make_member(tenant_a, Role.HR_ADMIN, username="hr")
    assert _call(employee, "list").status_code == 403
    assert _call(auditor, "list").status_code == 200
    # write_roles lists auditors, but the base takes them out: an auditor never writes.
    assert _call(auditor, "create", method="post", data={"code": "X", "name": "X"}).status_code == 403
    assert _call(hr, "create", method="post", data={"code": "X", "name": "X"}).status_code == 201


def test_the_scope_is_closed_after_every_request(tenant_a, tenant_b, hr_a):
    _call(hr_a, "list")
    assert current_tenant_or_none() is None
    _call(hr_a, "retrieve", pk=10**12)
    assert current_tenant_or_none() is None
    with tenant_scope(tenant_b):
        _call(hr_a, "list")
        assert current_tenant_or_none() == tenant_b


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("foreign", 404),
        (10**6, 404),
        (MAX_ID + 1, 404),
        (str(MAX_ID + 1), "incorrect_type"),
        ("12", "incorrect_type"),  # ids are JSON integers, not digit strings
        (True, "incorrect_type"),
        ("12a", "incorrect_type"),
        ("1\x00", "incorrect_type"),
        ([1], "incorrect_type"),
        ({"id": 1}, "incorrect_type"),
    ],
    ids=["other-tenant", "missing", "too-big", "too-big-text", "digits", "bool", "not-digits", "nul", "list",
         "object"],
)
def test_a_foreign_key_in_a_body_only_sees_the_tenant(tenant_a, tenant_b, hr_a, value, code):
    foreign = _unit(tenant_b, "B1")
    value = foreign.pk if value == "foreign" else value
    response = _call(hr_a, "create", method="post", data={"code": "X", "name": "X", "parent": value})
    if code == 404:  # missing and another tenant's: the same 404, naming the field (DESIGN.md §4)
        assert response.status_code == 404
        assert set(response.data) == {"detail", "parent"}
    else:
        assert response.status_code == 400
        assert response.data["parent"][0].code == code


def test_a_foreign_key_of_the_tenant_itself_is_accepted(tenant_a, hr_a):
    parent = _unit(tenant_a, "A1")
    for value in (parent.pk,):
        response = _call(hr_a, "create", method="post", data={"code": "X", "name": "X", "parent": value})
        assert response.status_code == 201 and response.data == {"parent": parent.pk}


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (DataError("value too long"), 400),
        (OverflowError("int too large"), 400),
        (IntegrityError("duplicate key"), 409),
        (DjangoValidationError({"code": ["taken"]}), 400),
        (DjangoValidationError("plain message"), 400),
    ],
    ids=["data-error", "overflow", "integrity", "validation-dict", "validation-plain"],
)
def test_database_complaints_about_input_are_never_a_500(error, status):
    response = exception_handler(error, {})
    assert response is not None and response.status_code == status
    if isinstance(error, DjangoValidationError):
        assert ("code" if hasattr(error, "error_dict") else "non_field_errors") in response.data


# ------------------------------------------------- the body helpers every write viewset shares (fields.py)
class RowSerializer(serializers.Serializer):
    unit = TenantRelatedField(queryset=OrgUnit.objects)


class BodyProbe(TenantViewSet):
    write_roles = frozenset({Role.HR_ADMIN})
    serializer_class = UnitSerializer

    def create(self, request, *args, **kwargs):
        data = validated_body(self, UnitSerializer, partial=request.query_params.get("partial") == "1")
        rows = nested_rows(self, RowSerializer, "rows", required=request.query_params.get("required") == "1")
        shown = "unset" if rows is UNSET else [row["unit"].pk for row in rows]
        return Response({"code": data.get("code"), "rows": shown}, status=201)


def _body(user, data, query: str = ""):
    request = factory.post(f"/probe/{query}", data=data, format="json")
    force_authenticate(request, user=user)
    return BodyProbe.as_view({"post": "create"})(request, tenant_slug="alpha")


def test_a_body_that_is_no_json_object_is_a_400_not_a_500(tenant_a, hr_a):
    for body in ([1, 2], "text", 5):
        response = _body(hr_a, body)
        assert response.status_code == 400
        assert [str(m) for m in response.data["non_field_errors"]] == ["Send a JSON object."]


def test_a_body_is_validated_whole_or_partially(tenant_a, hr_a):
    assert _body(hr_a, {"code": "X"}).status_code == 400  # name is required
    response = _body(hr_a, {"code": "X"}, "?partial=1")
    assert response.status_code == 201 and response.data == {"code": "X", "rows": "unset"}


def test_nested_rows_left_out_are_unset_only_where_they_may_be(tenant_a, hr_a):
    response = _body(hr_a, {"code": "X", "name": "X"}, "?required=1")
    assert response.status_code == 400 and "rows" in response.data
    response = _body(hr_a, {"code": "X", "name": "X", "rows": "A1"})
    assert response.status_code == 400 and "rows" in response.data


def test_nested_rows_see_only_the_tenant_and_name_the_row(tenant_a, tenant_b, hr_a):
    own, foreign = _unit(tenant_a, "A1"), _unit(tenant_b, "B1")
    response = _body(hr_a, {"code": "X", "name": "X", "rows": [{"unit": own.pk}]})
    assert response.status_code == 201 and response.data["rows"] == [own.pk]
    response = _body(hr_a, {"code": "X", "name": "X", "rows": [{"unit": own.pk}, {"unit": foreign.pk}]})
    assert response.status_code == 404 and "rows-1-unit" in response.data
