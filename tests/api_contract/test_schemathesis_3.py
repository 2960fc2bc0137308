"""Schemathesis over the API schema, shard 3 of `tests.api_contract.fuzz.SHARDS` (see that module)."""

from __future__ import annotations

from tests.api_contract.fuzz import FUZZ, call_and_validate, shard


@shard(3).parametrize()
@FUZZ
def test_api_contract(case, contract_world):
    call_and_validate(case, contract_world)
