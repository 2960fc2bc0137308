"""Accepting an invitation link (outside any tenant: the person is not logged in yet).
"""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from collab.audit import audit_record
from collab.models import Membership
from collab.services.accounts.membership import User
from collab.services.accounts.preferences import password_chosen
from collab.tenancy import all_tenants, tenant_scope

# ---------------------------------------------------------------------------------------------------
# Accepting an invitation (outside any tenant: the person is not logged in yet)


def invite_user(uidb64: str, token: str):
    """The invited user this link belongs to, or None when the link is wrong, used or expired."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    if pk <= 0 or pk > 2**63 - 1:
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


@transaction.atomic
def invite_accept(*, user, password: str) -> None:
    """Set the invited user's first password; the link stops working because the password changed."""
    try:
        validate_password(password, user)
    except ValidationError as weak:
        raise ValidationError({"password": weak.messages}) from weak
    user.set_password(password)
    user.save(update_fields=["password"])
    password_chosen(user=user)
    # all_tenants: the person accepts before choosing a tenant; each tenant's audit log records it
    # for that tenant's own membership row only (filtered on this user).
    with all_tenants("record an accepted invitation in each tenant the user belongs to"):
        memberships = list(Membership.objects.filter(user=user).select_related("tenant"))
    for membership in memberships:
        with tenant_scope(membership.tenant):
            audit_record(actor=user, action="member.invite_accept", obj=membership)


PASSWORD_ACTIONS = {"change": "member.password_change", "reset": "member.password_reset"}


@transaction.atomic
def password_changed(*, user, how: str) -> None:
    """The person changed their password (`how`: "change" signed in, "reset" by the e-mailed link): the
    temporary-password flag goes, and each tenant they belong to records it in its own audit log, on their
    membership there (like an accepted invitation). Never the password itself."""
    action = PASSWORD_ACTIONS[how]
    password_chosen(user=user)
    # all_tenants: a password is the account's, outside any tenant; each tenant's log gets its own row,
    # for that tenant's membership of this user only.
    with all_tenants("record a password change in each tenant the user belongs to"):
        memberships = list(Membership.objects.filter(user=user).select_related("tenant"))
    for membership in memberships:
        with tenant_scope(membership.tenant):
            audit_record(actor=user, action=action, obj=membership)
