"""Tenants, roles and who belongs: the user's profile, memberships, invitations.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from collab.tenancy import TenantOwned


class Role(models.TextChoices):
    HR_ADMIN = "hr_admin", _("HR admin")
    MANAGER = "manager", _("Manager")
    EMPLOYEE = "employee", _("Employee")
    COMMITTEE = "committee", _("Committee member")
    AUDITOR = "auditor", _("Auditor")


ALL_ROLES = frozenset(Role.values)
WRITE_ROLES = ALL_ROLES - {Role.AUDITOR}
ALL_BUT_EMPLOYEES = ALL_ROLES - {Role.EMPLOYEE}  # who reads management data (matrices, scorecards)


class Tenant(models.Model):
    """A company sharing the deployment. Global table (a reference table under Citus)."""

    slug = models.SlugField(
        _("slug"),
        max_length=50,
        unique=True,
        validators=[
            RegexValidator(r"^[a-z0-9][a-z0-9-]*$", _("Use lower-case letters, digits and hyphens."))
        ],
    )
    name = models.CharField(_("name"), max_length=200)
    locale = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    anonymity_threshold = models.PositiveSmallIntegerField(
        _("anonymity threshold (k)"), default=5, validators=[MinValueValidator(3), MaxValueValidator(100)]
    )
    point_cap = models.DecimalField(
        _("points cap"), max_digits=6, decimal_places=2, default=10, validators=[MinValueValidator(0)]
    )
    min_collaborative_weight = models.DecimalField(
        _("minimum collaborative weight %"),
        max_digits=5,
        decimal_places=2,
        default=20,
        validators=[MinValueValidator(0), MaxValueValidator(50)],
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tenant")

    def __str__(self) -> str:
        return self.name


class UserProfile(models.Model):
    """Per-user preferences that follow the person across tenants (global table)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True)
    # Set when an HR admin creates the account with a temporary password
    # (services.accounts.adding.member_create); until the person chooses their own, pages lead only to the
    # change-password page and the API answers 403.
    must_change_password = models.BooleanField(_("must change password"), default=False)

    def __str__(self) -> str:
        return f"profile of {self.user}"


class Membership(TenantOwned):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    roles = models.JSONField(_("roles"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "user"], name="membership_unique_user")]
        ordering = ["user__username"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.tenant_id}"

    def clean(self) -> None:
        unknown = set(self.roles or []) - ALL_ROLES
        if not self.roles or unknown:
            raise ValidationError({"roles": _("Choose at least one valid role.")})

    def has_role(self, *roles: str) -> bool:
        return bool(set(self.roles) & set(roles))

    @property
    def can_write(self) -> bool:
        return bool(set(self.roles) & WRITE_ROLES)

    @property
    def primary_role(self) -> str:
        for role in Role.values:
            if role in self.roles:
                return role
        return Role.EMPLOYEE


class MemberInvitation(TenantOwned):
    """An HR admin asked someone who already has an account (e.g. in another company) to join.

    Nothing of the account shows in the tenant until the person accepts (then a `Membership` is made and
    this row goes): HR admins cannot tell from it whether the account exists, so it is never listed.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    roles = models.JSONField(_("roles"), default=list)
    employee = models.ForeignKey(
        "collab.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="memberinvitation_unique_user")
        ]

    def __str__(self) -> str:
        return f"invitation {self.pk} @ {self.tenant_id}"
