"""The one way to record an audit row; every service write calls it inside its transaction.

Each app declares its actions as TextChoices (code, label in the reader's language) in `<app>/audit.py` and
registers them from its `AppConfig.ready()` with `audit_actions_register`; the log names actions through
`audit_action_labels()`, without knowing the apps."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _

from collab.models import AuditEvent


class AuditAction(models.TextChoices):
    """The platform's own actions: the company, its members and organisation, its periods, its calendar."""

    TENANT_CREATE = "tenant.create", _("Company created")
    TENANT_UPDATE = "tenant.update", _("Company edited")
    TENANT_SEED_SCALE = "tenant.seed_scale", _("Scale test data generated")
    MEMBERSHIP_CREATE = "membership.create", _("Member added")
    MEMBER_ADD = "member.add", _("Member added")
    MEMBER_UPDATE = "member.update", _("Member edited")
    MEMBER_DEACTIVATE = "member.deactivate", _("Member deactivated")
    MEMBER_REACTIVATE = "member.reactivate", _("Member reactivated")
    MEMBER_INVITE_ACCEPT = "member.invite_accept", _("Invitation accepted")
    MEMBER_INVITE_EXISTING = "member.invite_existing", _("Existing account invited")
    MEMBER_INVITE_RESEND = "member.invite_resend", _("Invitation sent again")
    MEMBER_PASSWORD_LINK = "member.password_link", _("Password link sent")
    MEMBER_PASSWORD_CHANGE = "member.password_change", _("Password changed")
    MEMBER_PASSWORD_RESET = "member.password_reset", _("Password reset by e-mail")
    NOTIFICATION_PREFERENCES_UPDATE = "notification_preferences.update", _("Notification settings changed")
    ORG_IMPORT = "org.import", _("Organisation imported")
    ORG_UNIT_CREATE = "org_unit.create", _("Org unit added")
    ORG_UNIT_UPDATE = "org_unit.update", _("Org unit edited")
    ORG_UNIT_MOVE = "org_unit.move", _("Org unit moved")
    ORG_UNIT_DELETE = "org_unit.delete", _("Org unit deleted")
    POSITION_CREATE = "position.create", _("Position added")
    POSITION_UPDATE = "position.update", _("Position edited")
    POSITION_DELETE = "position.delete", _("Position deleted")
    EMPLOYEE_CREATE = "employee.create", _("Employee added")
    EMPLOYEE_UPDATE = "employee.update", _("Employee edited")
    EMPLOYEE_TRANSFER = "employee.transfer", _("Employee transferred")
    EMPLOYEE_DELETE = "employee.delete", _("Employee deleted")
    PERIOD_CREATE = "period.create", _("Period added")
    PERIOD_UPDATE = "period.update", _("Period edited")
    PERIOD_ADVANCE = "period.advance", _("Period advanced")
    PERIOD_CLOSE = "period.close", _("Period closed")
    PERIOD_DELETE = "period.delete", _("Period deleted")
    CALENDAR_UPDATE = "calendar.update", _("Business calendar edited")
    CALENDAR_DAY_CREATE = "calendar_day.create", _("Calendar day added")
    CALENDAR_DAY_UPDATE = "calendar_day.update", _("Calendar day edited")
    CALENDAR_DAY_DELETE = "calendar_day.delete", _("Calendar day deleted")


_action_labels: dict[str, str] = {}


def audit_actions_register(actions: type[models.TextChoices]) -> None:
    """Name an app's audit actions in the log (their codes are what its services pass as `action`)."""
    _action_labels.update(actions.choices)


def audit_action_labels() -> dict[str, str]:
    """{action code: its label} of every registered app."""
    return dict(_action_labels)


def snapshot(obj: models.Model | None, fields: list[str] | None = None) -> dict[str, Any] | None:
    """A JSON-safe picture of a model instance, for the before/after columns."""
    if obj is None:
        return None
    data = model_to_dict(obj, fields=fields)
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder, default=str))


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: Any = "",
    object_repr: str = "",
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_name=user.get_username() if user else "system",
        action=action,
        object_type=object_type or "",
        object_id=str(object_id or ""),
        object_repr=str(object_repr)[:300],
        before=before,
        after=after,
    )
