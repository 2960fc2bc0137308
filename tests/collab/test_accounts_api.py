"""Members API: every role reads, HR admins write, the same rules as the pages, no 500 on bad input."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from collab.models import AuditEvent, MemberInvitation, Membership
from collab.services.accounts.adding import INVITE_SENT
from collab.tenancy import tenant_scope
from tests.factories import make_member
from tests.factories.accounts import make_invited, membership_of
from tests.factories.org import EmployeeFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
BASE = "/api/v1/t/alpha/members/"
STRONG = "Tall-Granite-Orchard-42"


def _detail(pk, action=""):
    return f"{BASE}{pk}/{action + '/' if action else ''}"


@pytest.mark.parametrize("role", ["hr_admin", "auditor"])
def test_hr_admins_and_auditors_list_and_read(api_client_for, tenant_a, hr_a, role):
    reader = make_member(tenant_a, role, username=f"reader-{role}")
    api = api_client_for(reader)
    listing = api.get(BASE)
    assert listing.status_code == 200
    usernames = {row["username"] for row in listing.json()["results"]}
    assert {"hr_a", f"reader-{role}"} <= usernames
    one = api.get(_detail(membership_of(tenant_a, hr_a).pk))
    assert one.status_code == 200
    assert one.json()["roles"] == ["hr_admin"] and "password" not in one.json()


@pytest.mark.parametrize("role", ["manager", "employee", "committee"])
def test_other_roles_read_no_accounts_emails_or_roles(api_client_for, login, tenant_a, tenant_b, hr_a, role):
    """Issue 8 item 7: one rule for both doors — the member list (e-mails, roles) is HR's and auditors';
    the API answered it to everyone while the page said 403."""
    reader = make_member(tenant_a, role, username=f"reader-{role}")
    api = api_client_for(reader)
    assert api.get(BASE).status_code == 403
    assert api.get(_detail(membership_of(tenant_a, hr_a).pk)).status_code == 403
    assert api.get("/api/v1/t/alpha/employees/").status_code == 403
    assert login(reader).get("/t/alpha/members/").status_code == 403
    assert login(reader).get("/t/alpha/org/employees/").status_code == 403


@pytest.mark.parametrize("role", ["manager", "employee", "committee", "auditor"])
def test_only_hr_admins_write(api_client_for, tenant_a, hr_a, role):
    someone = make_member(tenant_a, role, "auditor", username=f"w-{role}")
    api = api_client_for(someone)
    target = membership_of(tenant_a, hr_a).pk
    body = {"mode": "invite", "email": "x@example.com", "roles": ["employee"]}
    assert api.post(BASE, body, format="json").status_code == 403
    assert api.patch(_detail(target), {"roles": ["employee"]}, format="json").status_code == 403
    assert api.post(_detail(target, "deactivate")).status_code == 403
    assert not User.objects.filter(email="x@example.com").exists()


def test_list_filters_and_search(api_client_for, tenant_a, hr_a):
    make_member(tenant_a, "manager", username="maria", email="maria@corp.example")
    make_invited(tenant_a, "employee", username="ivan")
    api = api_client_for(hr_a)
    assert [r["username"] for r in api.get(BASE, {"search": "corp.example"}).json()["results"]] == ["maria"]
    assert [r["username"] for r in api.get(BASE, {"role": "manager"}).json()["results"]] == ["maria"]
    invited = api.get(BASE, {"status": "invited"}).json()["results"]
    assert [r["username"] for r in invited] == ["ivan"] and invited[0]["invited"] is True
    # Unknown filter values are field errors (the schema lists the choices), not silently ignored.
    refused = api.get(BASE, {"role": "nonsense", "status": "\x00"})
    assert refused.status_code == 400 and set(refused.json()) == {"role", "status"}


def test_list_query_count_does_not_grow(api_client_for, tenant_a, hr_a, django_assert_max_num_queries):
    api = api_client_for(hr_a)
    with tenant_scope(tenant_a):
        for n in range(3):
            EmployeeFactory(user=make_member(tenant_a, "employee", username=f"e{n}"))
    with django_assert_max_num_queries(6):
        assert api.get(BASE).status_code == 200
    for n in range(3, 15):
        make_member(tenant_a, "employee", username=f"e{n}")
    with django_assert_max_num_queries(6):
        assert len(api.get(BASE).json()["results"]) == 16


def test_create_modes(api_client_for, tenant_a, tenant_b, hr_a, django_capture_on_commit_callbacks):
    api = api_client_for(hr_a)
    created = api.post(
        BASE,
        {"username": "ada", "email": "ada@example.com", "password": STRONG, "roles": ["manager"]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["username"] == "ada" and created.json()["invited"] is False
    with django_capture_on_commit_callbacks(execute=True):
        invited = api.post(
            BASE, {"mode": "invite", "email": "bo@example.com", "roles": ["employee"]}, format="json"
        )
    assert invited.status_code == 202 and invited.json() == {"detail": str(INVITE_SENT)}
    assert "/accounts/invite/" in mail.outbox[-1].body
    with tenant_scope(tenant_a):
        assert AuditEvent.objects.filter(action="member.add").count() == 2
        assert membership_of(tenant_a, User.objects.get(email="bo@example.com")).roles == ["employee"]


def test_invite_mode_does_not_tell_whether_the_email_has_an_account(
    api_client_for, tenant_a, tenant_b, hr_a, django_capture_on_commit_callbacks
):
    make_member(tenant_b, "employee", username="grace", email="grace@example.com")
    api = api_client_for(hr_a)
    answers = []
    for email in ("grace@example.com", "unknown@example.com"):
        with django_capture_on_commit_callbacks(execute=True):
            answer = api.post(BASE, {"mode": "invite", "email": email, "roles": ["employee"]}, format="json")
        answers.append((answer.status_code, answer.json()))
        assert mail.outbox[-1].to == [email]
    assert answers[0] == answers[1] == (202, {"detail": str(INVITE_SENT)})
    with tenant_scope(tenant_a):
        assert MemberInvitation.objects.get().user.email == "grace@example.com"
        assert not Membership.objects.filter(user__email="grace@example.com").exists()


def test_create_mode_does_not_confirm_another_companys_account(api_client_for, tenant_b, hr_a):
    make_member(tenant_b, "employee", username="grace")
    api = api_client_for(hr_a)
    body = {"username": "grace", "email": "g@example.com", "password": STRONG, "roles": ["employee"]}
    answer = api.post(BASE, body, format="json")
    assert answer.status_code == 400
    text = str(answer.json())
    assert "not available" in text and "account" not in text and "existing" not in text


def test_existing_mode_is_an_invitation_and_does_not_tell_whether_the_account_exists(
    api_client_for, tenant_a, tenant_b, hr_a, django_capture_on_commit_callbacks
):
    """Issue 8 item 6: 202 and the same body for a real account and a made-up one; nothing about the
    account (name, e-mail) in the answer, in the member list, or anywhere before it accepts."""
    make_member(tenant_b, "auditor", username="outsider", email="out@bravo.example", first_name="Olga")
    api = api_client_for(hr_a)
    answers = []
    with django_capture_on_commit_callbacks(execute=True):
        for identifier in ("outsider", "out@bravo.example", "ghost", "ghost@nowhere.example"):
            body = {"mode": "existing", "identifier": identifier, "roles": ["auditor"]}
            answers.append(api.post(BASE, body, format="json"))
    assert {a.status_code for a in answers} == {202}
    assert len({a.content for a in answers}) == 1
    body = answers[0].content.decode()
    assert "outsider" not in body and "Olga" not in body and "out@bravo.example" not in body
    assert "outsider" not in {r["username"] for r in api.get(BASE).json()["results"]}
    assert "outsider" not in api.get(BASE, {"status": "inactive"}).content.decode()
    with tenant_scope(tenant_a):
        assert not Membership.objects.filter(user__username="outsider").exists()
    assert all(m.to == ["out@bravo.example"] for m in mail.outbox) and len(mail.outbox) == 2


@pytest.mark.parametrize(
    "body, field",
    [
        ({"username": "ada", "email": "ada@example.com", "roles": ["employee"]}, "password"),
        ({"mode": "invite", "roles": ["employee"]}, "email"),
        ({"mode": "existing", "roles": ["employee"]}, "identifier"),
        ({"mode": "teleport", "roles": ["employee"]}, "mode"),
        ({"username": "ada", "email": "ada@example.com", "password": STRONG, "roles": []}, "roles"),
        ({"username": "ada", "email": "ada@example.com", "password": STRONG, "roles": "employee"}, "roles"),
        ({"username": "ada", "email": "ada@example.com", "password": STRONG, "roles": ["king"]}, "roles"),
        (
            {"username": "ada", "email": "ada@example.com", "password": "123", "roles": ["employee"]},
            "password",
        ),
        (
            {"username": "a d\x00a", "email": "ada@example.com", "password": STRONG, "roles": ["employee"]},
            "username",
        ),
        ({"username": "ada", "email": "nope", "password": STRONG, "roles": ["employee"]}, "email"),
        (
            {"username": "hr_a", "email": "x@example.com", "password": STRONG, "roles": ["employee"]},
            "username",
        ),
        ({"mode": "existing", "identifier": "hr_a", "roles": ["employee"]}, "identifier"),
        ({"mode": "existing", "identifier": "", "roles": ["employee"]}, "identifier"),
        ({"mode": "invite", "email": "c@example.com", "roles": ["employee"], "employee": "abc"}, "employee"),
        ({"mode": "invite", "email": "c@example.com", "roles": ["employee"], "employee": "12"}, "employee"),
        ({"mode": "invite", "email": "c@example.com", "roles": ["employee"], "employee": [1]}, "employee"),
    ],
)
def test_bad_create_bodies_are_field_errors_and_write_nothing(api_client_for, tenant_a, hr_a, body, field):
    api = api_client_for(hr_a)
    users_before = User.objects.count()
    response = api.post(BASE, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert User.objects.count() == users_before
    with tenant_scope(tenant_a):
        assert Membership.objects.count() == 1
        assert not AuditEvent.objects.exists()


def test_another_tenants_employee_in_a_body_reads_as_missing(api_client_for, tenant_a, tenant_b, hr_a):
    with tenant_scope(tenant_b):
        foreign = EmployeeFactory()
    api = api_client_for(hr_a)
    missing = api.post(
        BASE,
        {"mode": "invite", "email": "c@example.com", "roles": ["employee"], "employee": 987654},
        format="json",
    )
    crossed = api.post(
        BASE,
        {"mode": "invite", "email": "c@example.com", "roles": ["employee"], "employee": foreign.pk},
        format="json",
    )
    # Another tenant's employee answers exactly like a missing one: 404 naming the field (DESIGN.md §4).
    assert crossed.status_code == missing.status_code == 404
    assert crossed.json() == missing.json() and "employee" in crossed.json()
    target = membership_of(tenant_a, hr_a).pk
    patched = api.patch(_detail(target), {"employee": foreign.pk}, format="json")
    assert patched.status_code == 404 and "employee" in patched.json()
    with tenant_scope(tenant_b):
        foreign.refresh_from_db()
        assert foreign.user_id is None


def test_update_roles_and_employee(api_client_for, tenant_a, hr_a, django_capture_on_commit_callbacks):
    worker = make_member(tenant_a, "employee", username="worker")
    with tenant_scope(tenant_a):
        employee = EmployeeFactory()
    api = api_client_for(hr_a)
    target = membership_of(tenant_a, worker).pk
    with django_capture_on_commit_callbacks(execute=True):
        response = api.patch(
            _detail(target), {"roles": ["manager", "employee"], "employee": employee.pk}, format="json"
        )
    assert response.status_code == 200, response.json()
    assert response.json()["roles"] == ["manager", "employee"] and response.json()["employee"] == employee.pk
    assert "roles" in mail.outbox[-1].subject
    put_without_roles = api.put(_detail(target), {"employee": None}, format="json")
    assert put_without_roles.status_code == 400 and "roles" in put_without_roles.json()
    unlinked = api.patch(_detail(target), {"employee": None}, format="json")
    assert unlinked.status_code == 200 and unlinked.json()["employee"] is None


def test_self_demotion_and_deactivation_refused_in_the_api(api_client_for, tenant_a, tenant_b, hr_a):
    make_member(tenant_a, "hr_admin", username="hr2")  # not the last HR admin: still refused
    api = api_client_for(hr_a)
    own = membership_of(tenant_a, hr_a).pk
    demoted = api.patch(_detail(own), {"roles": ["employee"]}, format="json")
    assert demoted.status_code == 400 and "your own HR admin role" in demoted.json()["roles"][0]
    deactivated = api.post(_detail(own, "deactivate"))
    assert deactivated.status_code == 400
    assert "deactivate your own membership" in deactivated.json()["non_field_errors"][0]
    assert membership_of(tenant_a, hr_a).is_active
    assert membership_of(tenant_a, hr_a).roles == ["hr_admin"]


def test_deactivate_reactivate_and_resend(api_client_for, tenant_a, hr_a, django_capture_on_commit_callbacks):
    worker = make_invited(tenant_a, "employee", username="pending")
    api = api_client_for(hr_a)
    target = membership_of(tenant_a, worker).pk
    with django_capture_on_commit_callbacks(execute=True):
        resent = api.post(_detail(target, "resend-invitation"))
    assert resent.status_code == 200
    off = api.post(_detail(target, "deactivate"))
    assert off.status_code == 200 and off.json()["is_active"] is False
    again = api.post(_detail(target, "deactivate"))
    assert again.status_code == 400 and "non_field_errors" in again.json()
    on = api.post(_detail(target, "reactivate"))
    assert on.status_code == 200 and on.json()["is_active"] is True


@pytest.mark.parametrize("pk", ["abc", "1" * 19, "-1", "0x1"])
def test_bad_ids_are_404(api_client_for, hr_a, pk):
    api = api_client_for(hr_a)
    assert api.get(f"{BASE}{pk}/").status_code == 404
    assert api.patch(f"{BASE}{pk}/", {"roles": ["employee"]}, format="json").status_code == 404


def test_huge_and_missing_ids_are_404(api_client_for, hr_a):
    api = api_client_for(hr_a)
    assert api.get(f"{BASE}{'9' * 18}/").status_code == 404
    assert api.post(f"{BASE}{'9' * 18}/deactivate/").status_code == 404


def test_cross_tenant_ids_and_slugs_are_404_and_change_nothing(
    api_client_for, tenant_a, tenant_b, hr_a, hr_b
):
    victim = make_member(tenant_b, "employee", username="victim")
    target = membership_of(tenant_b, victim)
    api = api_client_for(hr_a)
    for response in (
        api.get(_detail(target.pk)),
        api.patch(_detail(target.pk), {"roles": ["hr_admin"]}, format="json"),
        api.put(_detail(target.pk), {"roles": ["hr_admin"]}, format="json"),
        api.post(_detail(target.pk, "deactivate")),
        api.post(_detail(target.pk, "reactivate")),
        api.post(_detail(target.pk, "resend-invitation")),
        api.get("/api/v1/t/bravo/members/"),
        api.post(
            "/api/v1/t/bravo/members/",
            {"mode": "existing", "identifier": "hr_a", "roles": ["hr_admin"]},
            format="json",
        ),
        api.post(f"/api/v1/t/bravo/members/{target.pk}/deactivate/"),
    ):
        assert response.status_code == 404
    target_after = membership_of(tenant_b, victim)
    assert (target_after.roles, target_after.is_active) == (["employee"], True)
    with tenant_scope(tenant_b):
        assert Membership.objects.count() == 2
        assert not AuditEvent.objects.exists()


def test_schema_describes_members_and_token(client, db):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "/api/v1/t/{tenant_slug}/members/" in text and "/api/v1/auth/token/" in text
