"""Accounts: members, roles, invitations, the user's own preferences. Every write atomic and audited.

Members are `Membership` rows of the tenant in scope. A person is added in one of three ways:
`member_create` (a new account with an initial, temporary password the person must change at the first
log-in; a user name that is not available is refused without saying whether an account has it, and only
once everything else is valid), `member_invite` (a new account without a password and an e-mail with a
one-time link to set one — or, when the e-mail already has an account, the invitation below, with the
same answer) or `member_add_existing` (someone who already
has an account, e.g. in another tenant: they get an invitation and join when they accept it,
`member_invitation_accept`; until then nothing about the account shows here, and the HR admin gets the
same answer whether the account exists or not). The tenant must keep at
least one active HR admin: demoting or deactivating the last one is refused, and nobody deactivates
themselves or removes their own HR admin role (another HR admin does).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from collab.audit import audit_record
from collab.concurrency import atomic_with_retry, editor
from collab.models import Employee, MemberInvitation, Membership, Notification, Role, Tenant, UserProfile
from collab.services.notifications import notify, recipient_language
from collab.tenancy import all_tenants, current_tenant, tenant_scope

User = get_user_model()

# ---------------------------------------------------------------------------------------------------
# The user's own preferences


def language_is_supported(language: str) -> bool:
    return language in {code for code, _name in settings.LANGUAGES}


def user_language_set(*, user, language: str) -> UserProfile:
    if not language_is_supported(language):
        raise ValueError(f"Unsupported language {language!r}")
    profile, _created = UserProfile.objects.update_or_create(user=user, defaults={"language": language})
    return profile


# ---------------------------------------------------------------------------------------------------
# Helpers


def roles_clean(roles: Iterable[str] | None) -> list[str]:
    """Known roles, without duplicates, in the canonical order; at least one."""
    given = list(roles or [])
    if not given or any(not isinstance(role, str) or role not in Role.values for role in given):
        message = _("Choose at least one role: HR admin, manager, employee, committee member or auditor.")
        raise ValidationError({"roles": message})
    return [role for role in Role.values if role in given]


def roles_label(roles: Iterable[str]) -> str:
    labels = dict(Role.choices)
    return ", ".join(str(labels[role]) for role in roles if role in labels)


def member_snapshot(membership: Membership) -> dict:
    """What the audit log keeps of a member: never a password hash."""
    user = membership.user
    employee_id = Employee.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()
    return {
        "user": user.pk,
        "username": user.get_username(),
        "name": user.get_full_name(),
        "email": user.email,
        "roles": list(membership.roles),
        "is_active": membership.is_active,
        "employee": employee_id,
    }


def _lock_tenant() -> None:
    """The first lock of every membership change: the tenant row, then (if any) the membership.

    One order for all of them, so two changes never wait on each other crosswise (a reactivation that
    locked the membership first and then needed the tenant — for its audit row's foreign key — deadlocked
    with a deactivation holding the tenant). It also serialises changes to the set of HR admins. FOR NO
    KEY UPDATE: other writes of the tenant (whose foreign keys take FOR KEY SHARE) do not wait on it.
    """
    Tenant.objects.select_for_update(no_key=True).filter(pk=current_tenant().pk).first()


def _active_hr_admins_other_than(membership: Membership) -> int:
    return (
        Membership.objects.filter(is_active=True, roles__icontains=f'"{Role.HR_ADMIN}"')
        .exclude(pk=membership.pk)
        .count()
    )


def _check_keeps_an_hr_admin(membership: Membership, *, new_roles: list[str], active: bool) -> None:
    loses_hr = membership.is_active and Role.HR_ADMIN in membership.roles
    loses_hr = loses_hr and (not active or Role.HR_ADMIN not in new_roles)
    if loses_hr and _active_hr_admins_other_than(membership) == 0:
        field = "roles" if active else "__all__"
        raise ValidationError(
            {
                field: _(
                    "%(user)s is the last active HR admin of this company. Make another member an HR admin "
                    "first, so someone can still manage members."
                )
                % {"user": membership.user.get_username()}
            }
        )


def _check_not_self(actor, membership: Membership, *, new_roles: list[str], active: bool) -> None:
    """Nobody deactivates their own membership or removes their own HR admin role: another HR admin must.

    (Whoever does it by mistake — or a script with their token — locks themselves out at once.)
    """
    if actor is None or membership.user_id != getattr(actor, "pk", None):
        return
    if membership.is_active and not active:
        raise ValidationError(
            {"__all__": _("You cannot deactivate your own membership. Ask another HR admin to do it.")}
        )
    if Role.HR_ADMIN in membership.roles and Role.HR_ADMIN not in new_roles:
        raise ValidationError(
            {"roles": _("You cannot remove your own HR admin role. Ask another HR admin to do it.")}
        )


def _employee_link(*, membership: Membership, employee: Employee | None) -> None:
    """Link the member's user to this tenant's employee record (or unlink with None)."""
    user = membership.user
    if employee is not None:
        if employee.tenant_id != membership.tenant_id:
            raise ValidationError({"employee": _("No such employee.")})
        if employee.user_id is not None and employee.user_id != user.pk:
            raise ValidationError(
                {"employee": _("This employee record is already linked to another member.")}
            )
    for linked in Employee.objects.filter(user=user).exclude(pk=employee.pk if employee else None):
        linked.user = None
        linked.save(update_fields=["user"])
    if employee is not None and employee.user_id != user.pk:
        employee.user = user
        employee.save(update_fields=["user"])


def _username_taken(username: str) -> bool:
    return User.objects.filter(username__iexact=username).exists()


# Names no new account gets (so "unavailable" is not "someone has it").
RESERVED_USERNAMES = frozenset(
    {"admin", "administrator", "root", "system", "support", "security", "collab", "staff", "postmaster"}
)
USERNAME_UNAVAILABLE = _(
    "This user name is not available. Choose another one, for example with a number or the company's "
    "short name added."
)


def username_available(username: str) -> bool:
    """Whether a new account may take this user name. User names are unique in the whole deployment, so
    an unavailable one may be reserved or used in any company: the answer says which of these it is not."""
    name = (username or "").strip()
    return name.lower() not in RESERVED_USERNAMES and not _username_taken(name)


def _email_clean(email: str) -> str:
    email = User.objects.normalize_email((email or "").strip())
    try:
        validate_email(email)
    except ValidationError as invalid:
        raise ValidationError({"email": invalid.messages}) from invalid
    return email


def _membership_add(*, actor, user, roles: list[str], employee: Employee | None, how: str) -> Membership:
    _lock_tenant()
    if Membership.objects.filter(user=user).exists():
        message = _("%(user)s is already a member here.") % {"user": user.get_username()}
        raise ValidationError({"__all__": message})
    membership = Membership.objects.create(user=user, roles=roles)
    if employee is not None:
        _employee_link(membership=membership, employee=employee)
    after = {**member_snapshot(membership), "how": how}
    audit_record(actor=actor, action="member.add", obj=membership, after=after)
    return membership


def invite_path(user) -> str:
    """The one-time link to set a password: Django's token generator, invalid once the password is set."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("invite-accept", kwargs={"uidb64": uidb64, "token": token})


def _notify_invite(membership: Membership, *, actor) -> None:
    """E-mail the one-time link to set a password: an invitation, or a new password for a forgetful member."""
    tenant = current_tenant()
    user = membership.user
    values = {
        "inviter": (actor.get_full_name() or actor.get_username()) if actor else "",
        "tenant": tenant.name,
        "roles": roles_label(membership.roles),
        "username": user.get_username(),
        "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
    }
    with recipient_language(user):
        if user.has_usable_password():
            title = gettext("A link to set a new Collab password")
            body = gettext(
                "%(inviter)s of %(tenant)s sent you a link to choose a new password for %(username)s. "
                "It works once and expires in %(days)s days. If you did not ask for it, ignore this message: "
                "your current password keeps working."
            )
        else:
            title = gettext("You are invited to %(tenant)s on Collab")
            body = gettext(
                "%(inviter)s added you to %(tenant)s as %(roles)s. Your user name is %(username)s. "
                "Open the link below to choose your password; it works once and expires in %(days)s days."
            )
        notify(
            recipient=user,
            category=Notification.Category.ACCOUNT,
            title=title % values,
            body=body % values,
            url=invite_path(user),
            always_email=True,
        )


def _notify_added(membership: Membership, *, new_account: bool = False) -> None:
    """Tell the member they have access: an account that existed logs in as before; a new one (created by
    HR with a temporary password) logs in with the password HR handed over and then chooses its own."""
    tenant = current_tenant()
    values = {"roles": roles_label(membership.roles), "username": membership.user.get_username()}
    with recipient_language(membership.user):
        if new_account:
            body = gettext(
                "Your roles: %(roles)s. Your user name is %(username)s. Log in with the temporary password "
                "your HR admin gave you; you will then choose your own password."
            )
        else:
            body = gettext("Your roles: %(roles)s. Log in with your existing password.")
        notify(
            recipient=membership.user,
            category=Notification.Category.ACCOUNT,
            title=gettext("You now have access to %(tenant)s") % {"tenant": tenant.name},
            body=body % values,
            url=reverse("tenant-home", kwargs={"tenant_slug": tenant.slug}),
        )


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


def password_chosen(*, user) -> None:
    """The person set a password of their own (change, reset link, invitation): a temporary password given
    by an HR admin no longer holds them back."""
    UserProfile.objects.filter(user=user, must_change_password=True).update(must_change_password=False)
