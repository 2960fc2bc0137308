"""Optimistic concurrency, one mechanism for every editable object (KPI, objective, goal, measurement,
responsibility matrix, scorecard, org unit, position, employee, period).

Every editable model mixes in `LockVersioned`: a `lock_version` that each real change bumps, and who saved
it last and when. A write states the `lock_version` it was based on; services re-read the row locked
(`lock_for_edit`) and, when the stored version moved on in the meantime, refuse with `StaleEditError`,
which names who changed it and when (pages show that message on the form, the API answers 409 with
`StaleEditError.as_dict()`). A missing version (None) is refused the same way, so no caller skips the check
by accident. A save that changes nothing writes nothing: no new version, no audit row. Nothing is
overwritten silently.

Creation needs no version; `UNSET` is the default of keyword arguments a partial update leaves out.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, models, transaction
from django.db import connections as db_connections
from django.utils import formats, timezone
from django.utils.translation import gettext as _

LOCK_FIELDS = ("lock_version", "updated_by", "updated_at")

logger = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()
"""A keyword argument the caller left out (a partial update keeps the stored value)."""


class LockVersioned(models.Model):
    """`lock_version` (bumped by every saved change) and who saved last, when."""

    # Every saved change bumps it; a save carrying another value is refused.
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Conflict(Exception):  # noqa: N818 - named for the answer it gets
    """A domain error the API answers with 409 and `as_dict()` as the body (a stale edit, a clash)."""

    def as_dict(self) -> dict[str, Any]:
        return {"detail": str(self)}


class StaleEditError(Conflict):
    """The object changed since the editor loaded it (or the editor did not say which version it saw)."""

    def __init__(self, *, obj: models.Model, changed_by: str, changed_at, current_version: int):
        self.obj = obj
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.current_version = current_version
        super().__init__(self.message)

    @property
    def message(self) -> str:
        when = (
            formats.date_format(timezone.localtime(self.changed_at), "DATETIME_FORMAT")
            if self.changed_at
            else ""
        )
        return _(
            "%(who)s changed this %(what)s at %(when)s after you opened it. Reload to see their changes, "
            "then make yours again."
        ) % {"who": self.changed_by or _("someone"), "what": self.obj._meta.verbose_name, "when": when}

    def as_dict(self) -> dict[str, Any]:
        """The API's 409 body."""
        return {
            "detail": self.message,
            "changed_by": self.changed_by,
            "changed_at": self.changed_at.isoformat() if self.changed_at else None,
            "lock_version": self.current_version,
        }

    @classmethod
    def of(cls, fresh: models.Model) -> StaleEditError:
        return cls(
            obj=fresh,
            changed_by=user_label(fresh.updated_by),
            changed_at=fresh.updated_at,
            current_version=fresh.lock_version,
        )


# ----------------------------------------------------------------- deadlocks and serialisation failures
# SQLSTATEs PostgreSQL uses for a transaction it aborted so that another could go on: running the whole
# transaction again is the documented answer (https://www.postgresql.org/docs/current/mvcc-serialization-failure-handling.html).
TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure
RETRY_ATTEMPTS = 3


class DatabaseBusy(Conflict):
    """The database kept aborting the write to resolve a deadlock or a serialisation failure: nothing was
    written; the API answers 409 with this, pages a 409 page. Trying again later normally works."""

    def __init__(self) -> None:
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return _(
            "Someone else changed the same data at the same moment. Nothing was saved; please try again."
        )

    def as_dict(self) -> dict[str, Any]:
        return {"detail": self.message, "code": "busy"}


def is_transient_db_error(error: BaseException) -> bool:
    """A deadlock or serialisation failure: the database rolled the transaction back; a rerun may succeed."""
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__ if error.__cause__ is not None else error
    code = getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None)
    return code in TRANSIENT_SQLSTATES


def atomic_with_retry(function: F | None = None, *, attempts: int = RETRY_ATTEMPTS, using=DEFAULT_DB_ALIAS):
    """Run a service in its own transaction, and run it again (at most `attempts` times in all) when the
    database aborts it for a deadlock or a serialisation failure; after the last try `DatabaseBusy` (409).

    Use it instead of `@transaction.atomic` on services that lock rows. Called inside an outer transaction
    it cannot rerun anything (the outer transaction is already aborted): it runs once and turns a transient
    failure into `DatabaseBusy`, so the caller still answers 409 and never 500.
    """

    def decorate(service: F) -> F:
        @functools.wraps(service)
        def run(*args, **kwargs):
            if db_connections[using].in_atomic_block:
                try:
                    with transaction.atomic(using=using):
                        return service(*args, **kwargs)
                except OperationalError as error:
                    if is_transient_db_error(error):
                        raise DatabaseBusy() from error
                    raise
            for attempt in range(1, attempts + 1):
                try:
                    with transaction.atomic(using=using):
                        return service(*args, **kwargs)
                except OperationalError as error:
                    if not is_transient_db_error(error):
                        raise
                    logger.info("%s: transient database failure (try %s of %s): %s",
                                service.__qualname__, attempt, attempts, error)
                    if attempt == attempts:
                        raise DatabaseBusy() from error
                    time.sleep(random.uniform(0.005, 0.05) * attempt)  # noqa: S311 - jitter, not secrecy
            raise AssertionError("unreachable")

        return run  # type: ignore[return-value]

    return decorate(function) if function is not None else decorate


def user_label(user) -> str:
    if user is None:
        return ""
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full or user.get_username()


def lock_for_edit(
    model: type[models.Model], obj: models.Model, lock_version: Any, *, queryset=None
) -> models.Model:
    """Lock and re-read `obj` (scoped manager: another tenant's row is missing), and refuse a stale edit.

    `lock_version` is the version the editor saw; None means "I did not load it" and is refused too.
    `queryset` (optional) adds select_related etc.; it must be of `model`.
    """
    base = model.objects if queryset is None else queryset
    # of=("self",): lock only this row (PostgreSQL refuses FOR UPDATE on the nullable side of the join).
    fresh = base.select_for_update(of=("self",)).select_related("updated_by").filter(pk=obj.pk).first()
    if fresh is None:
        raise model.DoesNotExist(f"{model.__name__} {obj.pk} does not exist")
    if isinstance(lock_version, bool):
        seen = -1
    else:
        try:
            seen = int(lock_version)
        except (TypeError, ValueError):
            seen = -1
    if seen != fresh.lock_version:
        raise StaleEditError.of(fresh)
    return fresh


def lock_for_delete(
    model: type[models.Model], obj: models.Model, lock_version: Any, *, queryset=None
) -> models.Model:
    """A delete's stale check: `lock_for_edit` when the caller states the version it saw (pages and the API
    always do); `UNSET`, a caller that loaded nothing (e.g. an import), deletes `obj` as it is."""
    if lock_version is UNSET:
        return obj
    return lock_for_edit(model, obj, lock_version, queryset=queryset)


def field_values(obj: models.Model) -> dict[str, Any]:
    """The stored values of `obj`'s own columns (lock columns aside), to tell later whether an edit changed
    anything (`changed_fields`). Values compare as values: Decimal 1.2 equals 1.20."""
    return {
        field.attname: getattr(obj, field.attname)
        for field in obj._meta.concrete_fields
        if not field.primary_key and field.name not in LOCK_FIELDS
    }


def changed_fields(obj: models.Model, before: Mapping[str, Any]) -> list[str]:
    """The columns (attnames) of `obj` whose value differs from `before` (see `field_values`)."""
    return [name for name, value in before.items() if getattr(obj, name) != value]


def editor(actor):
    """The user to record as `updated_by` (None for the system), on creation and on every change."""
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def mark_edited(obj: models.Model, actor) -> list[str]:
    """Next version, saved by `actor`: call only when something changed. Returns the lock columns for
    `save(update_fields=…)`."""
    obj.lock_version += 1
    obj.updated_by = editor(actor)
    return list(LOCK_FIELDS)


def edited_columns(actor) -> dict[str, Any]:
    """The lock columns of a queryset `update()` that changes rows (update() skips auto_now)."""
    return {
        "lock_version": models.F("lock_version") + 1,
        "updated_by": editor(actor),
        "updated_at": timezone.now(),
    }


__all__ = [
    "LOCK_FIELDS",
    "TRANSIENT_SQLSTATES",
    "UNSET",
    "DatabaseBusy",
    "LockVersioned",
    "StaleEditError",
    "atomic_with_retry",
    "changed_fields",
    "edited_columns",
    "editor",
    "field_values",
    "is_transient_db_error",
    "lock_for_delete",
    "lock_for_edit",
    "mark_edited",
    "user_label",
]
