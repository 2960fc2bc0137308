"""Counting attempts per key in the cache: a fixed window, shared by every web process through Redis.

`attempt_allowed("password-reset-ip", address, limit=10, window=3600)` counts one attempt and says whether
it is still within the limit. Keys are hashed (an e-mail address never lands in the cache as such) and are
not tenant-scoped: they guard actions taken before anyone is signed in, which belong to no tenant. With the
embedded default (local-memory cache) each process counts on its own.

`client_address(request)` is the client address both django-axes (`AXES_CLIENT_IP_CALLABLE`) and these
limits count by. It trusts `X-Forwarded-For` only as far as the deployment says (`TRUSTED_PROXY_COUNT` or
`TRUSTED_PROXIES`, see the README); by default no proxy is trusted and the address is `REMOTE_ADDR`, so a
client cannot pick its own address by sending the header.
"""

from __future__ import annotations

import hashlib
import ipaddress

from django.conf import settings
from django.core.cache import cache


def _address(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address(request) -> str | None:
    """The client's address, believing `X-Forwarded-For` only from trusted proxies.

    - `TRUSTED_PROXY_COUNT = n` (n > 0): exactly n proxies stand in front and each appends the address it
      received from, so the client is the n-th entry from the right (what a client put to the left of it
      is ignored). With fewer entries than that the request did not come through them: `REMOTE_ADDR`.
    - `TRUSTED_PROXIES` (addresses or networks): when `REMOTE_ADDR` is one of them, the client is the
      right-most entry that is not.
    - neither (the default): `REMOTE_ADDR`.
    A malformed entry where the client should be counts as no address given: `REMOTE_ADDR`.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.COLLAB_TRUSTED_PROXY_COUNT
    networks = settings.COLLAB_TRUSTED_PROXIES
    if not count and not networks:
        return remote
    chain = [item.strip() for item in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if item.strip()]
    if count:
        if len(chain) < count:
            return remote
        client = _address(chain[-count])
        return str(client) if client is not None else remote
    if not _trusted(_address(remote or ""), networks):
        return remote
    for item in reversed(chain):
        address = _address(item)
        if address is None:
            return remote
        if not _trusted(address, networks):
            return str(address)
    return remote


def _key(scope: str, identity: str) -> str:
    digest = hashlib.sha256(identity.strip().lower().encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}"


def attempt_allowed(scope: str, identity: str, *, limit: int, window: int) -> bool:
    """Count one attempt of `identity` in `scope`; False once more than `limit` fell in this window."""
    key = _key(scope, identity)
    cache.add(key, 0, timeout=window)  # starts the window; does nothing while one is open
    try:
        count = cache.incr(key)
    except ValueError:  # the window closed between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit


def attempts_forget(scope: str, identity: str) -> None:
    cache.delete(_key(scope, identity))
