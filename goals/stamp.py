"""Every single write to a scoring input bumps the tenant's `ScoresStamp` in the write's transaction.

Bulk writes (`update`, `bulk_create`, `bulk_update`) bump through `goals.models.StampedManager`; a save or a
delete (cascades included: with a receiver connected, Django deletes row by row) bumps here.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from goals.models import KPI, Goal, Measurement, ScoresStamp


def _bump(sender, instance, **kwargs) -> None:
    ScoresStamp.bump({instance.tenant_id})


def stamp_receivers_connect() -> None:
    for model in (Goal, KPI, Measurement):
        post_save.connect(_bump, sender=model, dispatch_uid=f"scores-stamp-save-{model.__name__}")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"scores-stamp-delete-{model.__name__}")
