"""Schemathesis over the whole API schema (DESIGN.md §9): every operation, the contract checks, 0 failures.

The schema is the app's own (`/api/v1/schema/`, loaded through the WSGI app, no server). Each operation is
fuzzed against a fresh seeded tenant (`contract_world`) as an HR admin holding every role, with schema-valid
and schema-violating requests. Checked: no 5xx; every status, content type, header and body as documented;
invalid input refused; a request without credentials refused; an undeclared method answered 405.

Not checked: `positive_data_acceptance`. A schema cannot say that a foreign key must exist, that a matrix's
shares add up to 100 or that a closed period is read-only, so a schema-valid body is rightly refused with
a documented 400 field error — the checks above hold those answers to their schema.

Writes that change memberships run in their own test, which puts the acting admin back after every request,
so the fuzzer cannot lock itself out (deactivate itself, drop its HR role) halfway through.
"""

from __future__ import annotations

import zlib

import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from collab.models import ALL_ROLES, Membership
from collab.tenancy import tenant_scope
from tests.api_contract.conftest import SLUG

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
    unsupported_method,
]
# Small and deterministic: CI sees the same requests every run, and each shard stays within minutes.
FUZZ = settings(
    max_examples=8, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)
MEMBERSHIP_WRITES = {"method": ["POST", "PUT", "PATCH", "DELETE"], "path_regex": r"/members/"}
# The operations are split into shards, one test module each, so that pytest-xdist (`--dist loadfile`)
# spreads the whole-schema run over its workers instead of leaving it to one.
SHARDS = 4

# Loaded when the module is collected (the schema view needs no database), so pytest sees one test per
# operation. Not `schemathesis.pytest.from_fixture`: its lazy loader fails on pytest 9 (`Function._nodeid`).
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", WSGIHandler())
schema.config.update(parameters={"tenant_slug": SLUG})


def shard_of(method: str, path: str) -> int:
    """The shard an operation belongs to: stable across runs and machines."""
    return zlib.crc32(f"{method.upper()} {path}".encode()) % SHARDS


def shard(number: int):
    """The schema's operations of one shard, membership writes left out (they have their own test)."""
    return schema.exclude(**MEMBERSHIP_WRITES).include(
        lambda ctx: shard_of(ctx.operation.method, ctx.operation.path) == number
    )


def call_and_validate(case, world) -> None:
    case.call_and_validate(headers=world["auth"], checks=CHECKS)


def restore_admin(world) -> None:
    """Puts the acting admin back (active, every role) after a membership write."""
    with tenant_scope(world["tenant"]):
        Membership.objects.filter(user=world["admin"]).update(is_active=True, roles=sorted(ALL_ROLES))
    world["admin"].refresh_from_db()
    if not world["admin"].is_active:
        world["admin"].is_active = True
        world["admin"].save(update_fields=["is_active"])
