"""Member pages: HR admins manage, auditors read, others are refused; forms validate; cross-tenant 404."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from collab.models import AuditEvent, Membership
from collab.tenancy import tenant_scope
from tests.factories import make_member
from tests.factories.accounts import make_invited, membership_of
from tests.factories.org import EmployeeFactory
from tests.paging import pager_link

pytestmark = pytest.mark.django_db
User = get_user_model()
STRONG = "Tall-Granite-Orchard-42"


def url(name, *args, slug="alpha"):
    return reverse(name, args=[slug, *args])


@pytest.fixture
def hr(login, hr_a):
    return login(hr_a)


@pytest.mark.parametrize("role", ["manager", "employee", "committee"])
def test_non_hr_roles_get_403_on_member_pages(login, tenant_a, hr_a, role):
    client = login(make_member(tenant_a, role, username=f"u-{role}"))
    target = membership_of(tenant_a, hr_a).pk
    for name, args in [
        ("member-list", []),
        ("member-create", []),
        ("member-invite", []),
        ("member-add-existing", []),
        ("member-detail", [target]),
    ]:
        assert client.get(url(name, *args)).status_code == 403, name
    assert client.post(url("member-deactivate", target)).status_code == 403


def test_auditor_reads_members_but_every_post_is_403(login, tenant_a, hr_a):
    client = login(make_member(tenant_a, "auditor", username="aud"))
    target = membership_of(tenant_a, hr_a).pk
    assert client.get(url("member-list")).status_code == 200
    detail = client.get(url("member-detail", target))
    assert detail.status_code == 200 and b"only HR admins change them" in detail.content
    assert b"deactivate-member" not in detail.content
    for name, args in [("member-create", []), ("member-invite", []), ("member-add-existing", [])]:
        assert client.get(url(name, *args)).status_code == 403
        assert (
            client.post(url(name, *args), {"email": "a@example.com", "roles": ["employee"]}).status_code
            == 403
        )
    for name in ("member-detail", "member-deactivate", "member-reactivate", "member-invite-resend"):
        assert client.post(url(name, target), {"roles": ["employee"]}).status_code == 403
    assert membership_of(tenant_a, hr_a).is_active
    with tenant_scope(tenant_a):
        assert not AuditEvent.objects.exists()


def test_member_list_search_filter_and_paging(hr, tenant_a):
    for n in range(30):
        make_member(tenant_a, "employee", username=f"staff{n:02d}")
    make_member(tenant_a, "manager", username="mona", email="mona@corp.example")
    page = hr.get(url("member-list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "staff00" in html and "staff29" not in html and "Rows 1–25" in html
    second = hr.get(url("member-list"), pager_link(page)).content.decode()
    assert "staff29" in second
    assert "mona" in hr.get(url("member-list"), {"q": "CORP.example"}).content.decode()
    only_managers = hr.get(url("member-list"), {"role": "manager"}).content.decode()
    assert "mona" in only_managers and "staff01" not in only_managers
    nothing = hr.get(url("member-list"), {"q": "zzz-nobody"}).content.decode()
    assert "No member matches these filters" in nothing
    for weird in (
        {"page": "abc"},
        {"page": "99999999999999999999"},
        {"q": "\x00"},
        {"role": "x", "status": "y"},
    ):
        assert hr.get(url("member-list"), weird).status_code == 200


def test_member_list_htmx_returns_only_the_results(hr, tenant_a):
    response = hr.get(url("member-list"), {"q": "hr"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="member-results">') and "<html" not in html


def test_member_list_query_count_is_constant(hr, tenant_a, django_assert_max_num_queries):
    with tenant_scope(tenant_a):
        for n in range(3):
            EmployeeFactory(user=make_member(tenant_a, "employee", username=f"a{n}"))
    with django_assert_max_num_queries(7):
        assert hr.get(url("member-list")).status_code == 200
    with tenant_scope(tenant_a):
        for n in range(3, 25):
            EmployeeFactory(user=make_member(tenant_a, "employee", username=f"a{n}"))
    with django_assert_max_num_queries(7):
        assert hr.get(url("member-list")).status_code == 200


def test_create_member_page(hr, tenant_a, hr_a):
    assert hr.get(url("member-create")).status_code == 200
    bad = hr.post(
        url("member-create"),
        {
            "username": "ada",
            "email": "ada@example.com",
            "password1": "abc",
            "password2": "abc",
            "roles": ["employee"],
        },
    )
    assert bad.status_code == 200 and b"is-invalid" in bad.content
    assert not User.objects.filter(username="ada").exists()
    mismatch = hr.post(
        url("member-create"),
        {
            "username": "ada",
            "email": "ada@example.com",
            "password1": STRONG,
            "password2": STRONG + "!",
            "roles": ["employee"],
        },
    )
    assert b"The two passwords differ" in mismatch.content
    no_roles = hr.post(
        url("member-create"),
        {"username": "ada", "email": "ada@example.com", "password1": STRONG, "password2": STRONG},
    )
    assert b"Choose at least one role" in no_roles.content
    taken = hr.post(
        url("member-create"),
        {
            "username": "HR_A",
            "email": "x@example.com",
            "password1": STRONG,
            "password2": STRONG,
            "roles": ["employee"],
        },
    )
    assert "This user name is not available" in taken.content.decode()
    assert "Add existing user" not in taken.content.decode()
    ok = hr.post(
        url("member-create"),
        {
            "username": "ada",
            "first_name": "Ada",
            "email": "ada@example.com",
            "password1": STRONG,
            "password2": STRONG,
            "roles": ["manager"],
        },
    )
    membership = membership_of(tenant_a, User.objects.get(username="ada"))
    assert ok.status_code == 302 and ok.url == url("member-detail", membership.pk)
    assert membership.roles == ["manager"]


def test_create_with_employee_number_links_the_record(hr, tenant_a, tenant_b):
    with tenant_scope(tenant_a):
        own = EmployeeFactory(employee_no="A-1")
    with tenant_scope(tenant_b):
        EmployeeFactory(employee_no="B-1")
    foreign = hr.post(
        url("member-invite"), {"email": "b@example.com", "roles": ["employee"], "employee_no": "B-1"}
    )
    assert foreign.status_code == 200 and b"No employee has this number" in foreign.content
    assert not User.objects.filter(email="b@example.com").exists()
    ok = hr.post(
        url("member-invite"), {"email": "a@example.com", "roles": ["employee"], "employee_no": "A-1"}
    )
    assert ok.status_code == 302
    with tenant_scope(tenant_a):
        own.refresh_from_db()
        assert own.user.email == "a@example.com"


def test_invite_page_sends_the_email(hr, tenant_a, django_capture_on_commit_callbacks):
    assert hr.get(url("member-invite")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = hr.post(
            url("member-invite"),
            {"email": "new@example.com", "first_name": "New", "roles": ["employee", "committee"]},
        )
    assert response.status_code == 302 and response.url == url("member-list")
    assert mail.outbox[-1].to == ["new@example.com"] and "/accounts/invite/" in mail.outbox[-1].body
    listing = hr.get(response.url).content.decode()
    assert "An invitation went to this e-mail address" in listing and "new@example.com" in listing
    duplicate = hr.post(url("member-invite"), {"email": "NEW@example.com", "roles": ["employee"]})
    assert "already a member here" in duplicate.content.decode()


def test_invite_page_answers_the_same_for_another_companys_account(
    hr, tenant_a, tenant_b, django_capture_on_commit_callbacks
):
    make_member(tenant_b, "employee", username="grace", email="grace@example.com")
    pages = []
    for email in ("grace@example.com", "unknown@example.com"):
        with django_capture_on_commit_callbacks(execute=True):
            response = hr.post(url("member-invite"), {"email": email, "roles": ["employee"]}, follow=True)
        assert response.redirect_chain == [(url("member-list"), 302)]
        assert mail.outbox[-1].to == [email]
        pages.append(response.content.decode())
    assert "An invitation went to this e-mail address" in pages[0]
    assert "Someone already has an account" not in pages[0]
    assert "grace" not in pages[0].split("<main", 1)[-1]


def test_add_existing_page_invites_and_tells_nothing(
    hr, tenant_a, tenant_b, django_capture_on_commit_callbacks
):
    """Issue 8 item 6: the page answers the same for an account that exists and one that does not; the
    person joins by accepting the e-mailed invitation, logged in as themselves."""
    roamer = make_member(tenant_b, "manager", username="roamer", email="roamer@bravo.example")
    assert hr.get(url("member-add-existing")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        missing = hr.post(url("member-add-existing"), {"identifier": "nobody", "roles": ["employee"]})
        found = hr.post(url("member-add-existing"), {"identifier": "roamer", "roles": ["auditor"]})
    assert missing.status_code == found.status_code == 302
    assert missing.url == found.url == url("member-list")
    shown = [hr.get(missing.url).content.decode(), hr.get(found.url).content.decode()]
    assert "invitation" in shown[0] and "roamer" not in shown[1]
    with tenant_scope(tenant_a):
        assert not Membership.objects.filter(user=roamer).exists()
    (message,) = mail.outbox
    link = next(word for word in message.body.split() if "/accounts/invitation/" in word)
    path = link[link.index("/accounts/"):]
    # Someone else (even logged in) cannot use it; anonymous people are sent to log in.
    assert Client().get(path).status_code == 302
    assert hr.get(path).status_code == 404
    guest = Client()
    guest.force_login(roamer, backend="django.contrib.auth.backends.ModelBackend")
    page = guest.get(path)
    assert page.status_code == 200 and "Alpha Mining" in page.content.decode()
    accepted = guest.post(path)
    assert accepted.status_code == 302 and accepted.url == url("tenant-home")
    assert membership_of(tenant_a, roamer).roles == ["auditor"]
    assert guest.get(url("tenant-home")).status_code == 200
    assert guest.get(path).status_code == 404  # used up
    # The audit log tells what the HR admin typed and who accepted — never whether "nobody" exists.
    log = hr.get(url("audit-log")).content.decode()
    assert "nobody" in log and "Existing account invited" in log and "Invitation accepted" in log
    with tenant_scope(tenant_a):
        typed = AuditEvent.objects.filter(action="member.invite_existing").order_by("pk")
        assert [event.object_repr for event in typed] == ["nobody", "roamer"]
        assert hr.get(url("audit-event-detail", typed[0].pk)).status_code == 200


def test_member_detail_edit_roles_and_self_demotion_message(hr, tenant_a, hr_a):
    make_member(tenant_a, "hr_admin", username="hr2")  # not the last HR admin: still refused
    own = membership_of(tenant_a, hr_a).pk
    page = hr.get(url("member-detail", own))
    assert page.status_code == 200 and b"This is you" in page.content
    assert b'id="deactivate-member"' not in page.content
    refused = hr.post(url("member-detail", own), {"roles": ["employee"]})
    assert refused.status_code == 200
    assert "your own HR admin role" in refused.content.decode()
    assert membership_of(tenant_a, hr_a).roles == ["hr_admin"]
    worker = make_member(tenant_a, "employee", username="worker")
    target = membership_of(tenant_a, worker).pk
    saved = hr.post(url("member-detail", target), {"roles": ["employee", "manager"]})
    assert saved.status_code == 302
    assert membership_of(tenant_a, worker).roles == ["manager", "employee"]


def test_deactivate_oneself_shows_a_clear_message(hr, tenant_a, hr_a):
    make_member(tenant_a, "hr_admin", username="hr2")
    own = membership_of(tenant_a, hr_a).pk
    response = hr.post(url("member-deactivate", own), follow=True)
    assert response.status_code == 200
    assert "deactivate your own membership" in response.content.decode()
    assert membership_of(tenant_a, hr_a).is_active


def test_deactivate_and_reactivate_pages(hr, tenant_a):
    worker = make_member(tenant_a, "employee", username="worker")
    worker_session = Client()
    worker_session.force_login(worker, backend="django.contrib.auth.backends.ModelBackend")
    target = membership_of(tenant_a, worker).pk
    hr_client = hr
    assert hr_client.get(url("member-deactivate", target)).status_code == 405
    response = hr_client.post(url("member-deactivate", target), follow=True)
    assert "is deactivated" in response.content.decode()
    assert not membership_of(tenant_a, worker).is_active
    assert worker_session.get(url("tenant-home")).status_code == 404
    hr_client.post(url("member-reactivate", target))
    assert membership_of(tenant_a, worker).is_active
    assert worker_session.get(url("tenant-home")).status_code == 200


def test_resend_invitation_page(hr, tenant_a, django_capture_on_commit_callbacks):
    pending = make_invited(tenant_a, "employee", username="pending")
    with django_capture_on_commit_callbacks(execute=True):
        hr.post(url("member-invite-resend", membership_of(tenant_a, pending).pk))
    assert mail.outbox and mail.outbox[-1].to == [pending.email]


@pytest.mark.parametrize(
    "name", ["member-detail", "member-deactivate", "member-reactivate", "member-invite-resend"]
)
def test_other_tenants_member_ids_are_404(hr, tenant_b, name):
    victim = make_member(tenant_b, "hr_admin", username="victim")
    target = membership_of(tenant_b, victim)
    assert hr.get(url(name, target.pk)).status_code == 404
    assert hr.post(url(name, target.pk), {"roles": ["employee"]}).status_code == 404
    assert hr.get(url(name, 999999999)).status_code == 404
    after = membership_of(tenant_b, victim)
    assert (after.roles, after.is_active) == (["hr_admin"], True)


@pytest.mark.parametrize("name", ["member-list", "member-create", "member-invite", "member-add-existing"])
def test_other_tenants_slug_is_404(hr, tenant_b, name):
    assert hr.get(url(name, slug="bravo")).status_code == 404
    assert hr.post(url(name, slug="bravo"), {"identifier": "hr_a", "roles": ["hr_admin"]}).status_code == 404
    with tenant_scope(tenant_b):
        assert not Membership.objects.exists()


def test_huge_ids_in_page_urls_are_404(hr):
    assert hr.get(f"/t/alpha/members/{'9' * 19}/").status_code == 404
    assert hr.get("/t/alpha/members/abc/").status_code == 404
