"""The client address that the login lockout (django-axes) and the password-reset limit count by.

`X-Forwarded-For` is believed only as far as `TRUSTED_PROXY_COUNT` / `TRUSTED_PROXIES` say; by default no
proxy is trusted, so a client cannot get round either limit by sending a new made-up address each time.
"""

from __future__ import annotations

import ipaddress
from itertools import count

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse

from collab.ratelimit import client_address
from tests.factories import PASSWORD, make_member

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.2"
_numbers = count(1)


def _request(remote: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def _spoof() -> str:
    number = next(_numbers)
    return f"203.0.{number // 250 % 250}.{number % 250 + 1}"


def _nets(*items):
    return [ipaddress.ip_network(item) for item in items]


def test_by_default_the_header_is_ignored():
    assert client_address(_request("192.0.2.5", "1.2.3.4")) == "192.0.2.5"


@override_settings(COLLAB_TRUSTED_PROXY_COUNT=1)
def test_one_trusted_proxy_takes_the_address_it_appended():
    assert client_address(_request(PROXY, "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    assert client_address(_request(PROXY, "198.51.100.7")) == "198.51.100.7"
    assert client_address(_request(PROXY)) == PROXY, "not through the proxy"
    assert client_address(_request(PROXY, "1.2.3.4, not-an-ip")) == PROXY


@override_settings(COLLAB_TRUSTED_PROXIES=_nets("10.0.0.0/8"))
def test_trusted_proxy_list_skips_trusted_hops_only():
    assert client_address(_request(PROXY, "1.2.3.4, 198.51.100.7, 10.0.0.9")) == "198.51.100.7"
    # From an address that is not a trusted proxy, the header is the client's own words.
    assert client_address(_request("192.0.2.5", "1.2.3.4")) == "192.0.2.5"


def _fail(client, username: str, forwarded: str, remote: str = PROXY):
    return client.post(
        reverse("login"), {"username": username, "password": "wrong"},
        REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded,
    )  # fmt: skip


def test_a_made_up_forwarded_address_does_not_escape_the_lockout(client, tenant_a, tenant_b, hr_a):
    answers = [_fail(client, "hr_a", _spoof(), remote="192.0.2.44").status_code for _ in range(5)]
    assert answers == [200, 200, 200, 200, 429]


@override_settings(COLLAB_TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_the_lockout_counts_each_real_client(client, tenant_a, tenant_b, hr_a):
    answers = [_fail(client, "hr_a", f"{_spoof()}, 198.51.100.7").status_code for _ in range(5)]
    assert answers == [200, 200, 200, 200, 429], "the spoofed left part is ignored"
    # Another client behind the same proxy is not locked out by the first one's failures.
    other = client.post(
        reverse("login"), {"username": "hr_a", "password": PASSWORD},
        REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.8",
    )  # fmt: skip
    assert other.status_code == 302


@pytest.mark.parametrize(
    ("proxies", "remote", "spoofed"),
    [(0, "192.0.2.61", "{}"), (1, PROXY, "{}, 198.51.100.61")],
)
@override_settings(PASSWORD_RESET_LIMIT_PER_IP=2, PASSWORD_RESET_LIMIT_PER_ADDRESS=100)
def test_the_reset_limit_per_client_holds_with_made_up_addresses(
    client, tenant_a, tenant_b, proxies, remote, spoofed
):
    make_member(tenant_a, "employee", username="ada", email="ada@alpha.example")
    with override_settings(COLLAB_TRUSTED_PROXY_COUNT=proxies):
        answers = [
            client.post(
                reverse("password_reset"), {"email": "ada@alpha.example"},
                REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=spoofed.format(_spoof()),
            ).status_code
            for _ in range(3)
        ]  # fmt: skip
    assert answers == [302, 302, 429]
