"""Counting attempts per key in the cache: a fixed window, shared by every web process through Redis.

`attempt_allowed("password-reset-ip", address, limit=10, window=3600)` counts one attempt and says whether
it is still within the limit. Keys are hashed (an e-mail address never lands in the cache as such) and are
not tenant-scoped: they guard actions taken before anyone is signed in, which belong to no tenant. With the
embedded default (local-memory cache) each process counts on its own.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache


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
