"""Writes of periods and the guard every app calls before writing into one (`ensure_period_open`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from collab.audit import audit_record, snapshot
from collab.concurrency import UNSET, editor, lock_for_delete, lock_for_edit, mark_edited
from collab.models import Period
from collab.services.org.checks import _apply, _delete, _scoped, _validate
from collab.signals import period_closing
from collab.tenancy import current_tenant


def ensure_period_open(period: Period, *, field: str = "period") -> None:
    """Refuse a write that belongs to a closed period (re-reads the status, so a stale instance cannot pass).

    Every area calls this before writing anything tied to a period. Raises ValidationError({field: …}).
    """
    if period is None:
        return
    status = Period.objects.filter(pk=period.pk).values_list("status", flat=True).first()
    if status is None:
        raise ValidationError({field: _("Choose a valid option; that one does not exist.")})
    if status == Period.Status.CLOSED or period.status == Period.Status.CLOSED:
        message = _("The period %(period)s is closed and read-only.")
        raise ValidationError({field: message % {"period": period.label}})


def _period_checks(period: Period) -> None:
    _validate(period)
    try:
        period.clean()
    except ValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else {"kind": error.messages}
        raise ValidationError(detail) from error
    clash = Period.objects.filter(
        kind=period.kind, year=period.year, quarter=period.quarter, month=period.month
    )
    if period.pk is not None:
        clash = clash.exclude(pk=period.pk)
    if clash.exists():
        raise ValidationError({"year": _("The period %(period)s already exists.") % {"period": period.label}})


@transaction.atomic
def period_create(
    *, actor, kind: str, year: int, quarter: int | None = None, month: int | None = None
) -> Period:
    """A new period, in planning."""
    period = Period(
        tenant=current_tenant(), kind=kind, year=year, quarter=quarter, month=month, updated_by=editor(actor)
    )
    period.status = Period.Status.PLANNING
    _period_checks(period)
    period.save()
    audit_record(actor=actor, action="period.create", obj=period, after=snapshot(period))
    return period


@transaction.atomic
def period_update(
    *, actor, period: Period, lock_version: int | None, kind: str = UNSET, year: int = UNSET,
    quarter: int | None = UNSET, month: int | None = UNSET,
) -> Period:
    """Correct a period's kind/year/quarter/month; only while it is still in planning."""
    period = lock_for_edit(Period, _scoped(Period, period, "period"), lock_version)
    if period.status != Period.Status.PLANNING:
        raise ValidationError(_("Only a period in planning can be edited; %(period)s is %(status)s.") % {
            "period": period.label, "status": period.get_status_display()})
    before = snapshot(period)
    applied = _apply(period, {"kind": kind, "year": year, "quarter": quarter, "month": month})
    if not applied:
        return period
    _period_checks(period)
    mark_edited(period, actor)
    period.save()
    audit_record(actor=actor, action="period.update", obj=period, before=before, after=snapshot(period))
    return period


@transaction.atomic
def period_advance(*, actor, period: Period, to_status: str | None = None) -> Period:
    """Move the period one step along planning → active → review → closed. A closed period stays closed.

    `to_status`, when given, must be exactly the next status (protects against a double submit skipping one):
    a status step is its own compare-and-set, so it takes no `lock_version`; it does make the next one.
    """
    period = _scoped(Period, period, "period", lock=True)
    next_status = Period.NEXT_STATUS.get(period.status)
    if next_status is None:
        raise ValidationError({"status": _("The period %(period)s is closed and cannot change.") % {
            "period": period.label}})
    if to_status is not None and to_status != next_status:
        raise ValidationError({"status": _("%(period)s is %(current)s; it can only move to %(next)s.") % {
            "period": period.label,
            "current": period.get_status_display(),
            "next": Period.Status(next_status).label,
        }})
    before = snapshot(period)
    if next_status == Period.Status.CLOSED:
        period_closing.send(sender=Period, period=period, actor=actor)
    period.status = next_status
    period.save(update_fields=["status", *mark_edited(period, actor)])
    audit_record(actor=actor, action="period.advance", obj=period, before=before, after=snapshot(period))
    return period


@transaction.atomic
def period_delete(*, actor, period: Period, lock_version: Any = UNSET) -> None:
    """Delete a period that is still in planning and not used by anything."""
    period = lock_for_delete(Period, _scoped(Period, period, "period", lock=True), lock_version)
    if period.status != Period.Status.PLANNING:
        raise ValidationError(_("Only a period in planning can be deleted."))
    _delete(period, actor=actor, action="period.delete")


__all__ = [
    "ensure_period_open",
    "period_advance",
    "period_create",
    "period_delete",
    "period_update",
]
