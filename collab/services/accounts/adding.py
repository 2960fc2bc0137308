"""Adding members: a new account (`member_create`, `member_invite`) or an existing one by invitation
(`member_add_existing`, accepted with `member_invitation_accept`, resent with `member_invite_resend`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from collab.audit import audit_record
from collab.concurrency import atomic_with_retry, editor
from collab.models import Employee, MemberInvitation, Membership, Notification, Tenant, UserProfile
from collab.services.accounts.membership import (
    USERNAME_UNAVAILABLE,
    User,
    _email_clean,
    _lock_tenant,
    _membership_add,
    _notify_added,
    _notify_invite,
    _username_taken,
    member_snapshot,
    roles_clean,
    roles_label,
    username_available,
)
from collab.services.notifications import notify, recipient_language
from collab.tenancy import current_tenant, tenant_scope

# ---------------------------------------------------------------------------------------------------
# Adding members


@atomic_with_retry
def member_create(
    *,
    actor,
    username: str,
    email: str,
    password: str,
    roles: Iterable[str],
    first_name: str = "",
    last_name: str = "",
    employee: Employee | None = None,
) -> Membership:
    """Create a new account with an initial password (Django's validators) and make it a member."""
    roles = roles_clean(roles)
    username = User.normalize_username((username or "").strip())
    errors: dict[str, list] = {}
    try:
        UnicodeUsernameValidator()(username)
        if not username or len(username) > 150:
            raise ValidationError(_("Enter a user name of 1 to 150 characters."))
    except ValidationError as invalid:
        errors["username"] = invalid.messages
    email = _email_clean(email)
    user = User(username=username, email=email, first_name=first_name.strip(), last_name=last_name.strip())
    try:
        validate_password(password, user)
    except ValidationError as weak:
        errors["password"] = weak.messages
    if employee is not None and (employee.tenant_id != current_tenant().pk or employee.user_id is not None):
        errors["employee"] = [
            _("No such employee.")
            if employee.tenant_id != current_tenant().pk
            else _("This employee record is already linked to another member.")
        ]
    if errors:
        raise ValidationError(errors)
    # Last, once everything else is valid: a probe learns whether a name is free only by creating (and
    # auditing) an account, and the answer names no account (user names are unique in the deployment).
    if not username_available(username):
        raise ValidationError({"username": [USERNAME_UNAVAILABLE]})
    user.set_password(password)
    user.save()
    # The password was chosen by the HR admin: a temporary one, to be replaced at the first log-in.
    UserProfile.objects.update_or_create(user=user, defaults={"must_change_password": True})
    membership = _membership_add(actor=actor, user=user, roles=roles, employee=employee, how="created")
    _notify_added(membership, new_account=True)
    return membership


@atomic_with_retry
def member_invite(
    *,
    actor,
    email: str,
    roles: Iterable[str],
    first_name: str = "",
    last_name: str = "",
    employee: Employee | None = None,
) -> Membership | None:
    """Invite someone by e-mail: a new account without a usable password and a one-time link to set one —
    or, when an account with this e-mail (or user name) exists, e.g. in another company, the invitation
    `member_add_existing` sends, which it joins by accepting.

    The doors give the same answer either way (`INVITE_SENT`): whether an account exists somewhere in the
    deployment is not told. Returns the new membership, or None for an existing account. Only someone
    already a member here (the HR admin sees them in the list anyway) is refused by name.
    """
    roles = roles_clean(roles)
    email = _email_clean(email)
    if len(email) > 150:
        raise ValidationError({"email": _("This e-mail address is too long to be a user name.")})
    if employee is not None and employee.tenant_id != current_tenant().pk:
        raise ValidationError({"employee": _("No such employee.")})
    if User.objects.filter(email__iexact=email).exists() or _username_taken(email):
        _lock_tenant()
        user = _user_lookup(email)
        _refuse_if_member_here(user, field="email")
        audit_record(
            actor=actor,
            action="member.invite_existing",
            object_type="collab.memberinvitation",
            object_repr=email,
            after={"identifier": email, "roles": roles, "employee": employee.pk if employee else None},
        )
        if user is not None:  # None: several accounts share it, or it is deactivated: nothing goes out
            _invitation_send(actor=actor, user=user, roles=roles, employee=employee)
        return None
    user = User(
        username=email.lower(), email=email, first_name=first_name.strip(), last_name=last_name.strip()
    )
    user.set_unusable_password()
    user.save()
    membership = _membership_add(actor=actor, user=user, roles=roles, employee=employee, how="invited")
    _notify_invite(membership, actor=actor)
    return membership


INVITE_SENT = _(
    "An invitation went to this e-mail address. If the person has no account yet, they appear in the "
    "member list as invited; if they have one (for example in another company), once they accept."
)


def _identifier_clean(identifier: str) -> str:
    identifier = (identifier or "").strip()
    if not identifier or "\x00" in identifier or len(identifier) > 254:
        raise ValidationError({"identifier": _("Enter a user name or an e-mail address.")})
    return identifier


def _user_lookup(identifier: str):
    """The one active account this user name (exact, else any case) or e-mail names, or None (none, or
    several that only the exact user name could tell apart)."""
    identifier = _identifier_clean(identifier)
    user = User.objects.filter(username=identifier).first()
    if user is None:
        by_name = list(User.objects.filter(username__iexact=identifier)[:2])
        by_email = list(User.objects.filter(email__iexact=identifier)[:2]) if "@" in identifier else []
        matches = by_name or by_email
        user = matches[0] if len(matches) == 1 else None
    return user if user is not None and user.is_active else None


INVITATION_SALT = "collab.accounts.member-invitation"
INVITATION_SENT = _(
    "If an account with this user name or e-mail exists, it has been sent an invitation. The person "
    "appears in the member list once they accept it."
)


def invitation_token(invitation: MemberInvitation) -> str:
    """The signed, expiring token in an invitation link: which invitation, of which tenant, for whom."""
    payload = {"i": invitation.pk, "t": invitation.tenant_id, "u": invitation.user_id}
    return signing.dumps(payload, salt=INVITATION_SALT, compress=True)


def invitation_path(invitation: MemberInvitation) -> str:
    return reverse("membership-invitation", kwargs={"token": invitation_token(invitation)})


def invitation_for(user, token: str) -> MemberInvitation | None:
    """The open invitation this link names, for this signed-in user only; None when the link is wrong,
    expired, accepted already or meant for someone else. Outside any tenant: opens the invitation's own."""
    try:
        payload = signing.loads(token, salt=INVITATION_SALT, max_age=settings.PASSWORD_RESET_TIMEOUT)
    except signing.BadSignature:  # SignatureExpired included
        return None
    if not isinstance(payload, dict) or payload.get("u") != getattr(user, "pk", None):
        return None
    tenant = Tenant.objects.filter(pk=payload.get("t"), is_active=True).first()
    if tenant is None:
        return None
    with tenant_scope(tenant):
        invitation = (
            MemberInvitation.objects.select_related("tenant", "invited_by")
            .filter(pk=payload.get("i"), user_id=user.pk)
            .first()
        )
    return invitation


def _notify_invitation(invitation: MemberInvitation, *, actor) -> None:
    tenant = current_tenant()
    values = {
        "inviter": (actor.get_full_name() or actor.get_username()) if actor else "",
        "tenant": tenant.name,
        "roles": roles_label(invitation.roles),
        "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
    }
    with recipient_language(invitation.user):
        notify(
            recipient=invitation.user,
            category=Notification.Category.ACCOUNT,
            title=gettext("%(inviter)s invites you to join %(tenant)s on Collab") % values,
            body=gettext(
                "%(inviter)s would like you to join %(tenant)s as %(roles)s. Log in with your existing "
                "account and open the link below to accept; it expires in %(days)s days. Nothing about you "
                "is shown to %(tenant)s unless you accept. If you do not want to join, ignore this message."
            )
            % values,
            url=invitation_path(invitation),
            always_email=True,
        )


@atomic_with_retry
def member_add_existing(
    *, actor, identifier: str, roles: Iterable[str], employee: Employee | None = None
) -> None:
    """Invite an existing account (e.g. a member of another company) to join; it joins when it accepts.

    The person gets an e-mail with a link to accept. The caller learns nothing about the account: the
    same return (None), the same audit row and no error whether or not the account exists, is inactive,
    or was invited before (then the invitation is renewed). Only what the HR admin can already see —
    someone who is a member here — is refused by name.
    """
    roles = roles_clean(roles)
    identifier = _identifier_clean(identifier)
    if employee is not None and employee.tenant_id != current_tenant().pk:
        raise ValidationError({"employee": _("No such employee.")})
    _lock_tenant()
    user = _user_lookup(identifier)
    _refuse_if_member_here(user, field="identifier")
    audit_record(
        actor=actor,
        action="member.invite_existing",
        object_type="collab.memberinvitation",
        object_repr=identifier,
        after={"identifier": identifier, "roles": roles, "employee": employee.pk if employee else None},
    )
    if user is None:
        return None
    _invitation_send(actor=actor, user=user, roles=roles, employee=employee)
    return None


def _refuse_if_member_here(user, *, field: str) -> None:
    existing = Membership.objects.filter(user=user).first() if user is not None else None
    if existing is not None:
        message = (
            _("%(user)s is already a member here.")
            if existing.is_active
            else _("%(user)s is a deactivated member here: reactivate them from the member list.")
        )
        raise ValidationError({field: message % {"user": user.get_username()}})


def _invitation_send(*, actor, user, roles: list[str], employee: Employee | None) -> None:
    """Open (or renew) this account's invitation to the tenant in scope and e-mail it."""
    invitation, _created = MemberInvitation.objects.update_or_create(
        user=user, defaults={"roles": roles, "employee": employee, "invited_by": editor(actor)}
    )
    _notify_invitation(invitation, actor=actor)


@atomic_with_retry
def member_invitation_accept(*, user, invitation: MemberInvitation) -> Membership:
    """The invited person accepts: they become a member with the roles offered (and the employee record,
    if it is still free); the invitation goes. Runs in the invitation's tenant."""
    with tenant_scope(invitation.tenant):
        _lock_tenant()
        invitation = MemberInvitation.objects.select_for_update().filter(pk=invitation.pk, user=user).first()
        if invitation is None:
            raise ValidationError({"__all__": _("This invitation is no longer open.")})
        employee = invitation.employee
        if employee is not None and employee.user_id not in (None, user.pk):
            employee = None  # linked to someone else since: HR links it by hand
        roles = list(invitation.roles)
        invitation.delete()
        existing = Membership.objects.filter(user=user).first()
        if existing is not None:
            return existing  # made a member another way meanwhile
        membership = _membership_add(actor=user, user=user, roles=roles, employee=employee, how="existing")
        audit_record(actor=user, action="member.invite_accept", obj=membership)
        _notify_added(membership)
        return membership


@atomic_with_retry
def member_invite_resend(*, actor, membership: Membership) -> Membership:
    """E-mail a fresh one-time link to set a password: a new invitation, or a reset for a forgotten one.

    The link goes to the member's own address only; their current password (if any) keeps working until
    they use it.
    """
    if not membership.is_active:
        raise ValidationError({"__all__": _("Reactivate this member before sending a new link.")})
    if not membership.user.email:
        raise ValidationError({"__all__": _("This member has no e-mail address to send a link to.")})
    action = "member.password_link" if membership.user.has_usable_password() else "member.invite_resend"
    audit_record(actor=actor, action=action, obj=membership, after=member_snapshot(membership))
    _notify_invite(membership, actor=actor)
    return membership
