"""Changing members: roles and employee link, deactivation, reactivation.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from collab.audit import audit_record
from collab.concurrency import atomic_with_retry
from collab.models import Membership, Notification
from collab.services.accounts.membership import (
    _check_keeps_an_hr_admin,
    _check_not_self,
    _employee_link,
    _lock_tenant,
    member_snapshot,
    roles_clean,
    roles_label,
)
from collab.services.notifications import notify, recipient_language
from collab.tenancy import current_tenant

# ---------------------------------------------------------------------------------------------------
# Changing members

_UNCHANGED = object()


@atomic_with_retry
def member_update(
    *, actor, membership: Membership, roles: Iterable[str] | None = None, employee=_UNCHANGED
) -> Membership:
    """Set a member's roles and/or employee record. The last active HR admin keeps the role."""
    _lock_tenant()
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    before = member_snapshot(membership)
    new_roles = roles_clean(roles) if roles is not None else list(membership.roles)
    _check_not_self(actor, membership, new_roles=new_roles, active=True)
    _check_keeps_an_hr_admin(membership, new_roles=new_roles, active=True)
    roles_changed = new_roles != list(membership.roles)
    if roles_changed:
        membership.roles = new_roles
        membership.save(update_fields=["roles"])
    if employee is not _UNCHANGED:
        _employee_link(membership=membership, employee=employee)
    after = member_snapshot(membership)
    if after == before:
        return membership
    audit_record(actor=actor, action="member.update", obj=membership, before=before, after=after)
    if roles_changed:
        tenant = current_tenant()
        with recipient_language(membership.user):
            notify(
                recipient=membership.user,
                category=Notification.Category.ACCOUNT,
                title=gettext("Your roles in %(tenant)s changed") % {"tenant": tenant.name},
                body=gettext("Your roles are now: %(roles)s.") % {"roles": roles_label(new_roles)},
                url=reverse("tenant-home", kwargs={"tenant_slug": tenant.slug}),
            )
    return membership


@atomic_with_retry
def member_deactivate(*, actor, membership: Membership) -> Membership:
    """Take the member's access to this tenant away at once (sessions and tokens: checked per request)."""
    _lock_tenant()
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    if not membership.is_active:
        raise ValidationError({"__all__": _("%(user)s is already deactivated.") % {"user": membership.user}})
    _check_not_self(actor, membership, new_roles=list(membership.roles), active=False)
    _check_keeps_an_hr_admin(membership, new_roles=list(membership.roles), active=False)
    before = member_snapshot(membership)
    membership.is_active = False
    membership.deactivated_at = timezone.now()
    membership.save(update_fields=["is_active", "deactivated_at"])
    after = member_snapshot(membership)
    audit_record(actor=actor, action="member.deactivate", obj=membership, before=before, after=after)
    tenant = current_tenant()
    with recipient_language(membership.user):
        notify(
            recipient=membership.user,
            category=Notification.Category.ACCOUNT,
            title=gettext("Your access to %(tenant)s was removed") % {"tenant": tenant.name},
            body=gettext("Ask an HR admin of %(tenant)s if you think this is a mistake.")
            % {"tenant": tenant.name},
        )
    return membership


@atomic_with_retry
def member_reactivate(*, actor, membership: Membership) -> Membership:
    _lock_tenant()
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    if membership.is_active:
        raise ValidationError({"__all__": _("%(user)s is already active.") % {"user": membership.user}})
    before = member_snapshot(membership)
    membership.is_active = True
    membership.deactivated_at = None
    membership.save(update_fields=["is_active", "deactivated_at"])
    after = member_snapshot(membership)
    audit_record(actor=actor, action="member.reactivate", obj=membership, before=before, after=after)
    tenant = current_tenant()
    with recipient_language(membership.user):
        notify(
            recipient=membership.user,
            category=Notification.Category.ACCOUNT,
            title=gettext("Your access to %(tenant)s is back") % {"tenant": tenant.name},
            body=gettext("Your roles: %(roles)s.") % {"roles": roles_label(membership.roles)},
            url=reverse("tenant-home", kwargs={"tenant_slug": tenant.slug}),
        )
    return membership
