"""Schemathesis over the API schema, shard 0 of `tests.api_contract.fuzz.SHARDS` (see that module)."""

from __future__ import annotations

from tests.api_contract.fuzz import FUZZ, MEMBERSHIP_WRITES, call_and_validate, restore_admin, schema, shard


@shard(0).parametrize()
@FUZZ
def test_api_contract(case, contract_world):
    call_and_validate(case, contract_world)


@schema.include(**MEMBERSHIP_WRITES).parametrize()
@FUZZ
def test_membership_writes_contract(case, contract_world):
    try:
        call_and_validate(case, contract_world)
    finally:
        restore_admin(contract_world)
