"""What every member change shares: roles, snapshots, the last-HR-admin and not-yourself rules, the
employee link, usernames and e-mails, and the notices a new member gets.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from collab.audit import audit_record
from collab.models import Employee, Membership, Notification, Role, Tenant
from collab.selectors.platform import holding_role
from collab.services.notifications import notify, recipient_language
from collab.tenancy import current_tenant

User = get_user_model()


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
        Membership.objects.filter(holding_role(Role.HR_ADMIN), is_active=True)
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
