"""Optimistic concurrency for configuration that several HR admins edit (matrices, scorecards).

Every editable object carries a `lock_version` that each save bumps. A save states the version it was
based on; when the stored version moved on in the meantime, the save is refused with `StaleEditError`,
which names who changed it and when (pages show that message, the API answers 409). Nothing is
overwritten silently.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from collab.routing import Conflict


class StaleEditError(Conflict):
    """The object changed since the editor loaded it (the API's exception handler answers 409)."""

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
        return {
            "detail": self.message,
            "changed_by": self.changed_by,
            "changed_at": self.changed_at.isoformat() if self.changed_at else None,
            "lock_version": self.current_version,
        }


def user_label(user) -> str:
    if user is None:
        return ""
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full or user.get_username()


def lock_for_edit(model: type[models.Model], obj: models.Model, lock_version: Any) -> models.Model:
    """Lock and re-read `obj` (scoped manager: another tenant's row is missing), and refuse a stale edit.

    `lock_version` is the version the editor saw; None means "I did not load it" and is refused too, so
    callers cannot skip the check by accident.
    """
    # of=("self",): lock only this row (PostgreSQL refuses FOR UPDATE on the nullable side of the join).
    queryset = model.objects.select_for_update(of=("self",)).select_related("updated_by")
    fresh = queryset.filter(pk=obj.pk).first()
    if fresh is None:
        raise model.DoesNotExist(f"{model.__name__} {obj.pk} does not exist")
    try:
        seen = int(lock_version)
    except (TypeError, ValueError):
        seen = -1
    if seen != fresh.lock_version:
        raise StaleEditError(
            obj=fresh,
            changed_by=user_label(fresh.updated_by),
            changed_at=fresh.updated_at,
            current_version=fresh.lock_version,
        )
    return fresh
