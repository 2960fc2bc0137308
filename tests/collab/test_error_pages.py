import re

import pytest

from tests.factories import make_member

pytestmark = pytest.mark.django_db


def without_csrf(html: bytes) -> bytes:
    return re.sub(rb'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', rb"\1", html)


def test_a_refused_page_explains_itself_in_the_layout(tenant_a, login):
    client = login(make_member(tenant_a, "employee"))
    response = client.get("/t/alpha/members/")
    assert response.status_code == 403
    body = response.content.decode()
    assert 'data-error="403"' in body and "Back to my home page" in body and "navbar" in body


def test_a_missing_page_and_a_foreign_tenant_look_the_same(tenant_a, tenant_b, login):
    client = login(make_member(tenant_a, "hr_admin"))
    foreign = client.get("/t/bravo/")
    missing = client.get("/t/no-such-company/")
    assert foreign.status_code == missing.status_code == 404
    assert 'data-error="404"' in foreign.content.decode()
    # Identical but for the per-render CSRF mask and the address itself (the language form returns to it).
    foreign_page = without_csrf(foreign.content).replace(b"/t/bravo/", b"PATH")
    missing_page = without_csrf(missing.content).replace(b"/t/no-such-company/", b"PATH")
    assert foreign_page == missing_page


def test_error_pages_follow_the_language(tenant_a, login):
    from collab.services.accounts.preferences import user_language_set

    user = make_member(tenant_a, "employee")
    user_language_set(user=user, language="zh-hans")
    response = login(user).get("/t/alpha/members/")
    assert response.status_code == 403
    assert response["Content-Language"] == "zh-hans"
