"""The one parser of ids from untrusted input (`collab.routing.ids.parse_id`) and the body FK field
using it."""

from __future__ import annotations

import pytest

from collab.routing.ids import MAX_ID, parse_id


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("7", 7), (" 42 ", 42), ("0", 0), (7, 7), ("9" * 18, int("9" * 18)),
        ("²", None), ("١٢", None), ("１２", None), ("9" * 19, None), ("9" * 5000, None), ("-1", None),
        ("1\x00", None), ("", None), ("1.0", None), ("abc", None), (True, None), (None, None), (-1, None),
        (MAX_ID + 1, None), ([1], None), ({"a": 1}, None), (1.0, None),
    ],
)  # fmt: skip
def test_parse_id_accepts_only_ascii_ids_in_range(raw, expected):
    assert parse_id(raw) == expected


@pytest.mark.parametrize("raw", ["²", "9" * 5000, "1\x00", "-1", " 1"])
def test_a_malformed_fk_in_a_body_is_a_field_error(raw, scope_a):
    from rest_framework import serializers

    from collab.models import OrgUnit
    from collab.routing.fields import TenantRelatedField

    field = TenantRelatedField(queryset=OrgUnit.objects)
    with pytest.raises(serializers.ValidationError):
        field.to_internal_value(raw)
