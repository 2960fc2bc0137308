"""Checks every `access_<noun>_by_id` door must pass (tests/<app>/test_access.py use them): the member's
own row is found, and read, written and locked; another tenant's id, a missing one and malformed ones are
all the same 404; a member whose role may not write gets a 403."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from collab.tenancy import tenant_scope

MALFORMED = ("²", "x", "1e3", "", None, -1)


def assert_finds_own(access, factory, tenant, *, reader, writer):
    with tenant_scope(tenant):
        row = factory()
        assert access(reader, row.pk) == row
        assert access(writer, str(row.pk), write=True, lock=True) == row


def assert_foreign_and_missing_are_404(access, factory, tenant, other_tenant, *, member):
    with tenant_scope(other_tenant):
        theirs = factory()
    with tenant_scope(tenant):
        mine = factory()
        for pk in (theirs.pk, mine.pk + theirs.pk + 1000, *MALFORMED):
            for write in (False, True):
                with pytest.raises(Http404):
                    access(member, pk, write=write)


def assert_no_write_role_is_403(access, factory, tenant, *, member):
    with tenant_scope(tenant):
        row = factory()
        with pytest.raises(PermissionDenied):
            access(member, row.pk, write=True)
