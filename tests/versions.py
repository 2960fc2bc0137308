"""Writes in tests state the lock_version they were based on, as clients must."""

from __future__ import annotations


def versioned(url: str, lock_version) -> str:
    """A delete's address with the `?lock_version=` every delete of an editable object carries."""
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}lock_version={lock_version}"
