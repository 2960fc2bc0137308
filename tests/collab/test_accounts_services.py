"""Member services: adding (create, invite, existing), roles, employee links, (de)activation, audit."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError

from collab.models import AuditEvent, MemberInvitation, Membership, Notification
from collab.services.accounts.activation import invite_accept, invite_user
from collab.services.accounts.adding import (
    USERNAME_UNAVAILABLE,
    invitation_for,
    invitation_path,
    member_add_existing,
    member_create,
    member_invitation_accept,
    member_invite,
    member_invite_resend,
)
from collab.services.accounts.changing import member_deactivate, member_reactivate, member_update
from collab.services.accounts.membership import roles_clean
from collab.tenancy import tenant_scope
from tests.factories import make_member
from tests.factories.accounts import make_invited, membership_of
from tests.factories.org import EmployeeFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
STRONG = "Tall-Granite-Orchard-42"


def test_member_create_makes_an_account_with_a_validated_password(scope_a, hr_a):
    membership = member_create(
        actor=hr_a,
        username="ada",
        email="ada@example.com",
        password=STRONG,
        roles=["manager", "employee"],
        first_name="Ada",
        last_name="Lovelace",
    )
    assert membership.tenant_id == scope_a.pk
    assert membership.roles == ["manager", "employee"]
    user = User.objects.get(username="ada")
    assert user.check_password(STRONG)
    assert user.get_full_name() == "Ada Lovelace"
    event = AuditEvent.objects.get(action="member.add")
    assert event.actor == hr_a
    assert event.after["how"] == "created"
    assert event.after["roles"] == ["manager", "employee"]
    assert "password" not in event.after


@pytest.mark.parametrize("password", ["short", "password123", "12345678901", "ada-lovelace"])
def test_member_create_refuses_weak_passwords_and_writes_nothing(scope_a, hr_a, password):
    with pytest.raises(ValidationError) as refused:
        member_create(
            actor=hr_a,
            username="ada-lovelace",
            email="ada@example.com",
            password=password,
            roles=["employee"],
        )
    assert "password" in refused.value.message_dict
    assert not User.objects.filter(username="ada-lovelace").exists()
    assert not AuditEvent.objects.filter(action="member.add").exists()


def test_member_create_refuses_taken_user_names_in_any_case(scope_a, hr_a, tenant_b):
    make_member(tenant_b, "employee", username="Grace")
    with pytest.raises(ValidationError) as refused:
        member_create(
            actor=hr_a, username="grace", email="g@example.com", password=STRONG, roles=["employee"]
        )
    assert "username" in refused.value.message_dict
    assert User.objects.filter(username__iexact="grace").count() == 1


@pytest.mark.parametrize("roles", [[], ["boss"], ["employee", "root"], None, [1]])
def test_roles_must_be_known_and_at_least_one(scope_a, hr_a, roles):
    with pytest.raises(ValidationError) as refused:
        member_create(
            actor=hr_a, username="x1", email="x1@example.com", password=STRONG, roles=roles
        )
    assert "roles" in refused.value.message_dict
    assert not User.objects.filter(username="x1").exists()


def test_roles_are_deduplicated_in_canonical_order():
    assert roles_clean(["auditor", "employee", "auditor", "hr_admin"]) == [
        "hr_admin",
        "employee",
        "auditor",
    ]


def test_invite_creates_a_user_without_password_and_mails_a_one_time_link(
    scope_a, hr_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        membership = member_invite(actor=hr_a, email="New.Person@Example.com", roles=["employee"])
    user = membership.user
    assert user.username == "new.person@example.com"
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["New.Person@example.com"]
    assert "Alpha Mining" in message.subject
    assert "/accounts/invite/" in message.body
    assert message.body.count("http://127.0.0.1:8000/accounts/invite/") == 1
    assert Notification.objects.filter(recipient=user, category="account").exists()
    link = next(line for line in message.body.splitlines() if "/accounts/invite/" in line)
    _prefix, _accounts, _invite, uidb64, token, _end = link.rsplit("/", 5)
    assert invite_user(uidb64, token) == user
    invite_accept(user=user, password=STRONG)
    user.refresh_from_db()
    assert user.check_password(STRONG)
    assert invite_user(uidb64, token) is None, "the link works once"
    assert AuditEvent.objects.filter(action="member.invite_accept", object_id=str(membership.pk)).exists()


def test_invite_of_an_existing_email_is_an_invitation_it_accepts(
    scope_a, hr_a, tenant_b, django_capture_on_commit_callbacks
):
    grace = make_member(tenant_b, "employee", username="grace", email="grace@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        answer = member_invite(actor=hr_a, email="GRACE@example.com", roles=["manager"])
    assert answer is None
    assert Membership.objects.count() == 1, "not a member until they accept"
    invitation = MemberInvitation.objects.get()
    assert invitation.user == grace and invitation.roles == ["manager"]
    assert mail.outbox[-1].to == ["grace@example.com"] and "/accounts/invitation/" in mail.outbox[-1].body
    assert User.objects.filter(email__iexact="grace@example.com").count() == 1, "no second account"
    membership = member_invitation_accept(user=grace, invitation=invitation)
    assert membership.tenant_id == scope_a.pk and membership.roles == ["manager"]


def test_invite_of_a_member_here_is_refused_by_name(scope_a, hr_a):
    make_member(scope_a, "employee", username="here", email="here@example.com")
    with pytest.raises(ValidationError) as refused:
        member_invite(actor=hr_a, email="here@example.com", roles=["employee"])
    assert "already a member here" in refused.value.message_dict["email"][0]


def test_create_says_a_name_is_unavailable_without_naming_an_account(scope_a, hr_a, tenant_b):
    make_member(tenant_b, "employee", username="grace")
    for name in ("Grace", "admin"):  # another company's account, a reserved name: the same answer
        with pytest.raises(ValidationError) as refused:
            member_create(
                actor=hr_a, username=name, email="g@example.com", password=STRONG, roles=["employee"]
            )
        assert refused.value.message_dict == {"username": [str(USERNAME_UNAVAILABLE)]}
        assert "account" not in refused.value.message_dict["username"][0]


def test_create_tells_availability_only_once_everything_else_is_valid(scope_a, hr_a, tenant_b):
    """A probe with a weak password (which writes nothing) must not learn whether the name is free."""
    make_member(tenant_b, "employee", username="grace")
    answers = []
    for name in ("grace", "nobody-has-this"):
        with pytest.raises(ValidationError) as refused:
            member_create(
                actor=hr_a, username=name, email="g@example.com", password="short", roles=["employee"]
            )
        answers.append(sorted(refused.value.message_dict))
    assert answers == [["password"], ["password"]]
    assert not User.objects.filter(username="nobody-has-this").exists()


@pytest.mark.parametrize("email", ["", "not-an-email", "a@b", "x\x00@example.com"])
def test_invite_refuses_bad_emails(scope_a, hr_a, email):
    with pytest.raises(ValidationError) as refused:
        member_invite(actor=hr_a, email=email, roles=["employee"])
    assert "email" in refused.value.message_dict


def test_invite_user_ignores_broken_links(tenant_a):
    user = make_invited(tenant_a, "employee", username="inv")
    assert invite_user("!!!", "x") is None
    assert invite_user("OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5", "x") is None  # a 24-digit id
    assert invite_user("MQ", "wrong-token") is None
    assert invite_user(str(user.pk), "wrong-token") is None


def test_add_existing_user_is_an_invitation_they_accept(
    tenant_a, tenant_b, hr_a, django_capture_on_commit_callbacks
):
    """Issue 8 item 6: no membership (and nothing about the account) until the person accepts."""
    consultant = make_member(tenant_b, "committee", username="consultant", email="c@example.com")
    hash_before = consultant.password
    with tenant_scope(tenant_a), django_capture_on_commit_callbacks(execute=True):
        sent = member_add_existing(actor=hr_a, identifier="C@EXAMPLE.com", roles=["auditor"])
    assert sent is None
    with tenant_scope(tenant_a):
        assert not Membership.objects.filter(user=consultant).exists()
        invitation = MemberInvitation.objects.get(user=consultant)
        event = AuditEvent.objects.get(action="member.invite_existing")
        assert "consultant" not in str(event.after) and event.object_repr == "C@EXAMPLE.com"
    assert len(mail.outbox) == 1 and "Alpha Mining" in mail.outbox[0].subject
    assert mail.outbox[0].to == ["c@example.com"]
    # The mailed link (signed when sent: a second later the signature's timestamp differs) opens it.
    prefix = invitation_path(invitation).rstrip("/").rsplit("/", 1)[0]
    token = re.search(re.escape(prefix) + r"/([^/\s]+)/", mail.outbox[0].body).group(1)
    # Only the invited account can open it; a forged or foreign token opens nothing.
    assert invitation_for(hr_a, token) is None
    assert invitation_for(consultant, token + "x") is None
    opened = invitation_for(consultant, token)
    assert opened == invitation
    with django_capture_on_commit_callbacks(execute=True):
        membership = member_invitation_accept(user=consultant, invitation=opened)
    consultant.refresh_from_db()
    assert consultant.password == hash_before
    assert membership.user == consultant and membership.roles == ["auditor"] and membership.is_active
    assert membership_of(tenant_b, consultant).roles == ["committee"]
    with tenant_scope(tenant_a):
        assert not MemberInvitation.objects.exists()
        assert AuditEvent.objects.filter(action="member.invite_accept", actor=consultant).count() == 1
    with tenant_scope(tenant_b):
        assert not MemberInvitation.objects.exists()
    assert invitation_for(consultant, token) is None  # used up
    with pytest.raises(ValidationError):
        member_invitation_accept(user=consultant, invitation=opened)


def test_add_existing_answers_the_same_whether_the_account_exists(
    tenant_a, tenant_b, hr_a, django_capture_on_commit_callbacks
):
    make_member(tenant_b, "manager", username="known", email="known@example.com")
    with tenant_scope(tenant_a), django_capture_on_commit_callbacks(execute=True):
        answers = [
            member_add_existing(actor=hr_a, identifier=identifier, roles=["employee"])
            for identifier in ("known", "nobody", "known@example.com", "nobody@example.com")
        ]
        assert answers == [None, None, None, None]
        assert not Membership.objects.filter(user__username="known").exists()
        assert MemberInvitation.objects.count() == 1  # renewed, not duplicated
        events = list(AuditEvent.objects.filter(action="member.invite_existing").order_by("pk"))
        typed = ["known", "nobody", "known@example.com", "nobody@example.com"]
        assert [e.object_repr for e in events] == typed
        assert all(set(e.after) == {"identifier", "roles", "employee"} for e in events)
    assert [m.to for m in mail.outbox] == [["known@example.com"], ["known@example.com"]]


def test_add_existing_refuses_members_only(scope_a, hr_a):
    with pytest.raises(ValidationError, match="already a member"):
        member_add_existing(actor=hr_a, identifier="hr_a", roles=["employee"])
    with pytest.raises(ValidationError) as refused:
        member_add_existing(actor=hr_a, identifier="  ", roles=["employee"])
    assert "identifier" in refused.value.message_dict
    gone = make_member(scope_a, "employee", username="gone")
    member_deactivate(actor=hr_a, membership=Membership.objects.get(user=gone))
    with pytest.raises(ValidationError, match="reactivate"):
        member_add_existing(actor=hr_a, identifier="gone", roles=["employee"])


def test_role_change_is_audited_and_notified(scope_a, hr_a, django_capture_on_commit_callbacks):
    worker = make_member(scope_a, "employee", username="worker")
    membership = Membership.objects.get(user=worker)
    with django_capture_on_commit_callbacks(execute=True):
        member_update(actor=hr_a, membership=membership, roles=["manager"])
    membership.refresh_from_db()
    assert membership.roles == ["manager"]
    event = AuditEvent.objects.get(action="member.update")
    assert event.before["roles"] == ["employee"] and event.after["roles"] == ["manager"]
    notice = Notification.objects.get(recipient=worker)
    assert "roles" in notice.title.lower()
    assert len(mail.outbox) == 1


def test_unchanged_update_writes_nothing(scope_a, hr_a):
    membership = Membership.objects.get(user=hr_a)
    member_update(actor=hr_a, membership=membership, roles=["hr_admin"])
    assert not AuditEvent.objects.filter(action="member.update").exists()
    assert not Notification.objects.exists()


def test_nobody_demotes_or_deactivates_themselves(scope_a, hr_a, tenant_b):
    """Issue 8 item 8: even with another HR admin around, one's own HR role and access stay."""
    make_member(tenant_b, "hr_admin", username="hr_b_only")
    make_member(scope_a, "hr_admin", username="hr2")
    own = Membership.objects.get(user=hr_a)
    with pytest.raises(ValidationError, match="your own HR admin role") as refused:
        member_update(actor=hr_a, membership=own, roles=["employee"])
    assert "roles" in refused.value.message_dict
    with pytest.raises(ValidationError, match="deactivate your own membership") as refused:
        member_deactivate(actor=hr_a, membership=own)
    assert "__all__" in refused.value.message_dict
    own.refresh_from_db()
    assert own.is_active and own.roles == ["hr_admin"]
    assert not AuditEvent.objects.filter(action__in=["member.update", "member.deactivate"]).exists()
    # Adding a role to oneself is no demotion.
    member_update(actor=hr_a, membership=own, roles=["hr_admin", "manager"])
    own.refresh_from_db()
    assert own.roles == ["hr_admin", "manager"]


def test_last_active_hr_admin_keeps_the_role(scope_a, hr_a):
    """The last-HR-admin wall still holds for a change nobody in the tenant makes (a script, actor None)."""
    own = Membership.objects.get(user=hr_a)
    with pytest.raises(ValidationError, match="last active HR admin") as refused:
        member_update(actor=None, membership=own, roles=["employee"])
    assert "roles" in refused.value.message_dict
    with pytest.raises(ValidationError, match="last active HR admin"):
        member_deactivate(actor=None, membership=own)
    own.refresh_from_db()
    assert own.is_active and own.roles == ["hr_admin"]
    # A deactivated HR admin does not count: still the last active one.
    second = make_member(scope_a, "hr_admin", username="hr2")
    member_deactivate(actor=hr_a, membership=Membership.objects.get(user=second))
    with pytest.raises(ValidationError):
        member_update(actor=None, membership=own, roles=["auditor"])


def test_with_a_second_hr_admin_another_may_demote_one(scope_a, hr_a, tenant_b):
    make_member(tenant_b, "hr_admin", username="hr_b_only")  # another tenant's HR admin does not count
    own = Membership.objects.get(user=hr_a)
    second = make_member(scope_a, "hr_admin", username="hr2")
    member_update(actor=second, membership=own, roles=["employee"])
    own.refresh_from_db()
    assert own.roles == ["employee"]


def test_deactivate_and_reactivate(scope_a, hr_a, django_capture_on_commit_callbacks):
    worker = make_member(scope_a, "employee", username="worker")
    membership = Membership.objects.get(user=worker)
    with django_capture_on_commit_callbacks(execute=True):
        member_deactivate(actor=hr_a, membership=membership)
    membership.refresh_from_db()
    assert not membership.is_active and membership.deactivated_at is not None
    assert "removed" in mail.outbox[-1].subject
    with pytest.raises(ValidationError, match="already deactivated"):
        member_deactivate(actor=hr_a, membership=membership)
    member_reactivate(actor=hr_a, membership=membership)
    membership.refresh_from_db()
    assert membership.is_active and membership.deactivated_at is None
    with pytest.raises(ValidationError, match="already active"):
        member_reactivate(actor=hr_a, membership=membership)
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["member.deactivate", "member.reactivate"]


def test_employee_link_moves_and_refuses_other_tenants_and_taken_records(scope_a, hr_a, tenant_b):
    first, second = EmployeeFactory(), EmployeeFactory()
    worker = make_member(scope_a, "employee", username="worker")
    membership = Membership.objects.get(user=worker)
    member_update(actor=hr_a, membership=membership, employee=first)
    first.refresh_from_db()
    assert first.user == worker
    member_update(actor=hr_a, membership=membership, employee=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.user is None and second.user == worker
    other = make_member(scope_a, "employee", username="other")
    with pytest.raises(ValidationError) as refused:
        member_update(actor=hr_a, membership=Membership.objects.get(user=other), employee=second)
    assert "employee" in refused.value.message_dict
    with tenant_scope(tenant_b):
        foreign = EmployeeFactory()
    with pytest.raises(ValidationError):
        member_update(actor=hr_a, membership=membership, employee=foreign)
    member_update(actor=hr_a, membership=membership, employee=None)
    second.refresh_from_db()
    assert second.user is None


def test_invite_resend_sends_a_fresh_invitation(scope_a, hr_a, django_capture_on_commit_callbacks):
    invited = make_invited(scope_a, "employee", username="pending")
    with django_capture_on_commit_callbacks(execute=True):
        member_invite_resend(actor=hr_a, membership=Membership.objects.get(user=invited))
    assert "/accounts/invite/" in mail.outbox[-1].body and "invited" in mail.outbox[-1].subject
    assert AuditEvent.objects.filter(action="member.invite_resend").count() == 1


def test_password_link_for_a_forgetful_member_keeps_the_old_password_until_used(
    scope_a, hr_a, django_capture_on_commit_callbacks
):
    from tests.factories import PASSWORD
    from tests.factories.accounts import NotificationPreferenceFactory

    forgetful = make_member(scope_a, "employee", username="forgetful", email="f@example.com")
    # Even with account e-mails turned off, a password link must reach the person outside the app.
    NotificationPreferenceFactory(user=forgetful, category="account", in_app=True, email=False)
    with django_capture_on_commit_callbacks(execute=True):
        member_invite_resend(actor=hr_a, membership=Membership.objects.get(user=forgetful))
    message = mail.outbox[-1]
    assert message.to == ["f@example.com"] and "new Collab password" in message.subject
    forgetful.refresh_from_db()
    assert forgetful.check_password(PASSWORD)
    link = next(line for line in message.body.splitlines() if "/accounts/invite/" in line)
    _prefix, _accounts, _invite, uidb64, token, _end = link.rsplit("/", 5)
    invite_accept(user=invite_user(uidb64, token), password=STRONG)
    forgetful.refresh_from_db()
    assert forgetful.check_password(STRONG)
    assert AuditEvent.objects.filter(action="member.password_link").count() == 1


def test_links_need_an_active_member_with_an_email(scope_a, hr_a):
    nomail = make_member(scope_a, "employee", username="nomail", email="")
    with pytest.raises(ValidationError, match="no e-mail"):
        member_invite_resend(actor=hr_a, membership=Membership.objects.get(user=nomail))
    gone = make_invited(scope_a, "employee", username="gone")
    member_deactivate(actor=hr_a, membership=Membership.objects.get(user=gone))
    with pytest.raises(ValidationError, match="Reactivate"):
        member_invite_resend(actor=hr_a, membership=Membership.objects.get(user=gone))


def test_member_created_in_one_tenant_is_invisible_in_another(tenant_a, tenant_b, hr_a):
    with tenant_scope(tenant_a):
        member_create(
            actor=hr_a, username="ada", email="ada@example.com", password=STRONG, roles=["employee"]
        )
    with tenant_scope(tenant_b):
        assert not Membership.objects.filter(user__username="ada").exists()
        assert not AuditEvent.objects.exists()


def test_a_created_account_is_told_to_use_the_temporary_password(scope_a, hr_a, tenant_b):
    make_member(tenant_b, "employee", username="other")
    membership = member_create(
        actor=hr_a, username="newbie", email="newbie@example.com", password=STRONG, roles=["employee"]
    )
    body = Notification.objects.get(recipient=membership.user).body
    assert "existing password" not in body
    assert "temporary password" in body and "newbie" in body


def test_an_accepted_invitation_is_told_to_use_the_existing_password(scope_a, hr_a, tenant_b):
    grace = make_member(tenant_b, "employee", username="grace", email="grace@example.com")
    member_add_existing(actor=hr_a, identifier="grace", roles=["employee"])
    member_invitation_accept(user=grace, invitation=MemberInvitation.objects.get())
    assert "existing password" in Notification.objects.filter(recipient=grace).latest("pk").body
