"""Keyset (cursor) paging: the one way a list that grows with the tenant is paged, in pages and in the API.

A page is "the next N rows after this row's key in the list's order" (`WHERE key > cursor ORDER BY key
LIMIT N + 1`), never `OFFSET` and never a `COUNT` over the whole list: each page costs the same on a tenant
of 100 rows and of 100,000, served by an index whose columns follow the order (after the tenant column
that row-level security and the tenant manager filter on).

The order is the queryset's own `order_by` (or its model's `Meta.ordering`); the primary key is appended
when it is not last, so the key is unique and ties never repeat or skip a row. Nullable columns sort their
NULLs last in both directions of reading. Orders by expressions other than plain columns are refused.

A cursor is signed (`django.core.signing`) JSON: the last (or first) row's key values, the direction and
the position of the page's first row (so a page can number its rows without counting). A tampered,
foreign or stale cursor is an `InvalidCursor`: the API answers 400, a page opens on the first page.
Callers: `collab.pages.paginate` (pages) and `collab.routing.pagination.KeysetPagination` (the API).
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.expressions import Col, OrderBy
from django.db.models.lookups import Exact
from django.db.models.sql.where import AND
from django.utils import timezone

SALT = "collab.keyset"
_INT_LIMITS = {
    "SmallIntegerField": 2**15 - 1,
    "PositiveSmallIntegerField": 2**15 - 1,
    "IntegerField": 2**31 - 1,
    "PositiveIntegerField": 2**31 - 1,
}
_BIG = 2**63 - 1


class InvalidCursor(ValueError):
    """The cursor was not made by this list (tampered, another list's, or its values do not fit)."""


@dataclass(frozen=True)
class Key:
    path: str  # an ORM path ("period_id", "kpi__code")
    descending: bool
    nullable: bool
    model_field: models.Field


def _resolve(model, path: str) -> tuple[models.Field, bool]:
    """The field at the end of `path` and whether a NULL can meet the order on the way."""
    nullable = False
    parts = path.split("__")
    for index, part in enumerate(parts):
        try:
            model_field = model._meta.get_field(part)
        except FieldDoesNotExist:
            model_field = next((f for f in model._meta.concrete_fields if f.attname == part), None)
            if model_field is None:
                raise ValueError(f"keyset order on an unknown field {path!r}") from None
            return model_field, nullable or model_field.null
        nullable = nullable or bool(getattr(model_field, "null", False))
        if model_field.is_relation and part == getattr(model_field, "attname", None):
            if index < len(parts) - 1:
                raise ValueError(f"keyset order through a column {path!r}")
            return model_field, nullable  # "<fk>_id": the column itself
        if model_field.is_relation and index < len(parts) - 1:
            model = model_field.related_model
        elif model_field.is_relation:
            raise ValueError(f"keyset order by a relation {path!r}: order by its column ({part}_id)")
    return model_field, nullable


def keys_of(queryset: models.QuerySet) -> list[Key]:
    """The queryset's order as keys, the primary key last."""
    model = queryset.model
    ordering = list(queryset.query.order_by) or list(model._meta.ordering)
    keys: list[Key] = []
    for item in ordering:
        if isinstance(item, str):
            descending = item.startswith("-")
            path = item.lstrip("-+")
        elif isinstance(item, OrderBy) and isinstance(item.expression, F):
            descending, path = item.descending, item.expression.name
        else:
            raise ValueError(f"keyset order by an expression: {item!r}")
        if path == "pk":
            path = model._meta.pk.attname
        model_field, nullable = _resolve(model, path)
        keys.append(Key(path, descending, nullable, model_field))
    fixed = _fixed_columns(queryset)
    keys = [k for k in keys if k.path not in fixed or k.model_field is model._meta.pk]
    pk = model._meta.pk
    if not keys or keys[-1].model_field is not pk:
        keys = [k for k in keys if k.model_field is not pk]
        keys.append(Key(pk.attname, keys[-1].descending if keys else False, False, pk))
    return keys


def _order(keys: list[Key], *, reverse: bool) -> list[OrderBy]:
    out = []
    for key in keys:
        descending = key.descending != reverse
        nulls = {"nulls_last": True} if (key.nullable and not reverse) else {}
        if key.nullable and reverse:
            nulls = {"nulls_first": True}
        out.append(F(key.path).desc(**nulls) if descending else F(key.path).asc(**nulls))
    return out


def _value(obj, path: str) -> Any:
    for part in path.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, part)
    return obj


def _dump(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def _load(key: Key, raw: Any) -> Any:
    """A cursor value checked against its column: a wrong type or an out-of-range value is invalid (never a
    database error)."""
    if raw is None:
        if not key.nullable:
            raise InvalidCursor
        return None
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise InvalidCursor
    if isinstance(raw, str) and ("\x00" in raw or len(raw) > 1000):
        raise InvalidCursor
    try:
        value = key.model_field.to_python(raw)
    except (ValidationError, TypeError, ValueError, decimal.InvalidOperation, OverflowError) as bad:
        raise InvalidCursor from bad
    if isinstance(value, int) and not isinstance(value, bool):
        limit = _INT_LIMITS.get(key.model_field.get_internal_type(), _BIG)
        if abs(value) > limit:
            raise InvalidCursor
    if isinstance(value, decimal.Decimal) and not value.is_finite():
        raise InvalidCursor
    if isinstance(value, datetime.datetime) and timezone.is_naive(value):
        raise InvalidCursor
    return value


def _beyond(keys: list[Key], values: list, *, forward: bool) -> Q:
    """Rows after (`forward`) or before the row whose key is `values`, in the keys' order (NULLs last)."""
    condition = Q(pk__in=[])  # nothing
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        ascending = not key.descending
        if value is None:
            # NULLs sort last: after a NULL only NULLs (decided by later keys); before it every non-NULL.
            step = Q(pk__in=[]) if forward else Q(**{f"{key.path}__isnull": False})
            same = Q(**{f"{key.path}__isnull": True})
        else:
            lookup = "gt" if ascending == forward else "lt"
            step = Q(**{f"{key.path}__{lookup}": value})
            if key.nullable and forward:
                step |= Q(**{f"{key.path}__isnull": True})
            same = Q(**{key.path: value})
        condition |= equal & step
        equal &= same
    return condition


def _ranges(keys: list[Key], values: list, *, forward: bool) -> list[Q]:
    """Bounds on the leading key, so the database starts its index range at the cursor instead of filtering
    every row before it: each is implied by `_beyond` over its own stretch of the order, and the stretches
    follow one another. Reading on from a non-NULL value of a nullable key, the NULLs come after the range
    (a second query, only when the first does not fill the page)."""
    key, value = keys[0], values[0]
    if value is None:
        return [Q()]
    lookup = "gte" if (not key.descending) == forward else "lte"
    bound = Q(**{f"{key.path}__{lookup}": value})  # a comparison: never a NULL
    if key.nullable and forward:
        return [bound, Q(**{f"{key.path}__isnull": True})]
    return [bound]


def _fixed_columns(queryset: models.QuerySet) -> set[str]:
    """Columns of the list's own table its filter pins to one value (`period=…`): constant over the list,
    so no part of its key (the next key leads, and its index range starts at the cursor)."""
    where = queryset.query.where
    if where.connector != AND or where.negated:
        return set()
    fixed = set()
    for child in where.children:
        lhs = getattr(child, "lhs", None)
        if (
            isinstance(child, Exact)
            and isinstance(lhs, Col)
            and lhs.alias == queryset.query.base_table
            and not hasattr(child.rhs, "resolve_expression")
            and child.rhs is not None
        ):
            fixed.add(lhs.target.attname)
    return fixed


@dataclass
class KeysetPage:
    """One page: its rows and the cursors either side (None at an end)."""

    object_list: list
    start: int  # the position of the first row in the list (0-based), as the cursor carried it
    first: bool = True  # read without a cursor
    next_cursor: str | None = None
    previous_cursor: str | None = None
    links: dict = field(default_factory=dict)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self.next_cursor is not None

    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def start_index(self) -> int:
        return self.start + 1 if self.object_list else 0

    def end_index(self) -> int:
        return self.start + len(self.object_list)


def _order_name(keys: list[Key]) -> str:
    return ",".join(("-" if k.descending else "") + k.path for k in keys)


def encode(keys: list[Key], values: list, *, forward: bool, position: int) -> str:
    payload = {"o": _order_name(keys), "k": [_dump(v) for v in values], "f": forward, "p": position}
    return signing.dumps(payload, salt=SALT)


def decode(cursor: str, keys: list[Key]) -> tuple[list, bool, int]:
    try:
        data = signing.loads(cursor, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError, UnicodeError) as bad:
        raise InvalidCursor from bad
    if not isinstance(data, dict) or data.get("o") != _order_name(keys):
        raise InvalidCursor  # another list's cursor
    raw, forward, position = data.get("k"), data.get("f"), data.get("p")
    if not isinstance(raw, list) or len(raw) != len(keys) or not isinstance(forward, bool):
        raise InvalidCursor
    if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position <= _BIG:
        raise InvalidCursor
    return [_load(key, value) for key, value in zip(keys, raw, strict=True)], forward, position


def keyset_page(queryset: models.QuerySet, cursor: str | None, per_page: int) -> KeysetPage:
    """The page of `queryset` the cursor points to (the first page without one): one query of at most
    `per_page + 1` rows (two where a page reaches the NULLs of its leading key). Raises `InvalidCursor`."""
    keys = keys_of(queryset)
    forward, position, values = True, 0, None
    if cursor:
        values, forward, position = decode(cursor, keys)
    rows = queryset.order_by(*_order(keys, reverse=not forward))
    if values is None:
        fetched = list(rows[: per_page + 1])
    else:
        exact, fetched = _beyond(keys, values, forward=forward), []
        for bound in _ranges(keys, values, forward=forward):
            if len(fetched) > per_page:
                break
            fetched += rows.filter(exact & bound)[: per_page + 1 - len(fetched)]
    more = len(fetched) > per_page
    items = fetched[:per_page]
    if not forward:
        items.reverse()
    if forward:
        start = position
        has_next, has_previous = more, values is not None
    else:
        start = max(position - len(items), 0) if more else 0
        has_next, has_previous = values is not None, more
    page = KeysetPage(object_list=items, start=start, first=values is None or (not forward and not more))
    if items and has_next:
        page.next_cursor = encode(
            keys, [_value(items[-1], k.path) for k in keys], forward=True, position=start + len(items)
        )
    if items and has_previous:
        page.previous_cursor = encode(
            keys, [_value(items[0], k.path) for k in keys], forward=False, position=start
        )
    return page
