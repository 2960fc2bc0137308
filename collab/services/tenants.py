"""Tenants: create a company with its first HR admin, all or nothing, audited."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from collab.audit import audit_record, snapshot
from collab.models import Membership, Role, Tenant
from collab.tenancy import tenant_scope


@dataclass(frozen=True)
class TenantCreated:
    tenant: Tenant
    admin: object  # the User


def tenant_create_validate(
    *,
    slug: str,
    name: str,
    admin_username: str,
    admin_password: str,
    admin_email: str = "",
    locale: str = "zh-hans",
) -> dict[str, list[str]]:
    """Every problem with the request, by field (empty when it can go ahead). Reads only."""
    errors: dict[str, list[str]] = {}
    tenant = Tenant(slug=slug, name=name, locale=locale)
    try:
        tenant.full_clean(validate_unique=False)
    except ValidationError as problem:
        for field, messages in problem.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if Tenant.objects.filter(slug=slug).exists():
        errors.setdefault("slug", []).append(f"A tenant with the slug {slug!r} already exists.")
    user_model = get_user_model()
    user = user_model(username=admin_username, email=admin_email)
    try:
        user.full_clean(exclude=["password"], validate_unique=False)
    except ValidationError as problem:
        for field, messages in problem.message_dict.items():
            errors.setdefault(f"admin_{field}", []).extend(messages)
    if user_model.objects.filter(username=admin_username).exists():
        errors.setdefault("admin_username", []).append(f"A user named {admin_username!r} already exists.")
    try:
        validate_password(admin_password, user=user)
    except ValidationError as problem:
        errors.setdefault("admin_password", []).extend(problem.messages)
    return errors


@transaction.atomic
def tenant_create(
    *,
    slug: str,
    name: str,
    admin_username: str,
    admin_password: str,
    admin_email: str = "",
    locale: str = "zh-hans",
    actor=None,
) -> TenantCreated:
    """The tenant, its first HR admin user and that user's membership, in one transaction.

    Raises ValidationError (by field) before writing anything when the slug or user name is taken,
    the slug is malformed or the password is weak; a failure midway rolls everything back.
    """
    errors = tenant_create_validate(
        slug=slug,
        name=name,
        admin_username=admin_username,
        admin_password=admin_password,
        admin_email=admin_email,
        locale=locale,
    )
    if errors:
        raise ValidationError(errors)
    tenant = Tenant.objects.create(slug=slug, name=name, locale=locale)
    user = get_user_model().objects.create_user(
        username=admin_username, email=admin_email, password=admin_password
    )
    with tenant_scope(tenant):
        membership = Membership.objects.create(user=user, roles=[Role.HR_ADMIN.value])
        audit_record(actor=actor, action="tenant.create", obj=tenant, after=snapshot(tenant))
        audit_record(
            actor=actor,
            action="membership.create",
            obj=membership,
            object_repr=f"{user.get_username()} · {Role.HR_ADMIN.value}",
            after=snapshot(membership),
        )
    return TenantCreated(tenant=tenant, admin=user)
