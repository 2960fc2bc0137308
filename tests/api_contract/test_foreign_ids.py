"""Ids in bodies (issue 7 point 6, DESIGN.md §4): a foreign key is a JSON integer (a digit string is a 400
type error); one that names no row of the tenant — missing or another tenant's, the same answer — is a
404 naming the field, in single writes, actions and rows of bulk writes; the bodies of actions are strict
(an unknown field is a 400). Nothing is written on either tenant.
"""

from __future__ import annotations

import pytest

from tests.isolation.framework import load_samples, tenant_fingerprint

pytestmark = pytest.mark.django_db
A = "/api/v1/t/alpha"


@pytest.fixture
def worlds(tenant_a, tenant_b, hr_a, api_client_for):
    samples = load_samples()
    return {"a": samples.build(tenant_a), "b": samples.build(tenant_b), "api": api_client_for(hr_a)}


def _actions(a):
    """(path, a valid body) of every action that takes a body."""
    return [
        (f"{A}/periods/{a['period'].pk}/advance/", {}),
        (f"{A}/goals/{a['goal_child'].pk}/move/",
         {"parent": None, "lock_version": a["goal_child"].lock_version}),
        (f"{A}/goals/reweight/", {"weights": {str(a["goal_child"].pk): "100"}}),
        (f"{A}/goals/publish/", {"period": a["period"].pk}),
        (f"{A}/goals/copy/", {"source": a["period"].pk, "target": a["period"].pk}),
        (f"{A}/scores/recompute/", {"period": a["period"].pk}),
        (f"{A}/scorecards/{a['scorecard'].pk}/publish/", {"lock_version": a["scorecard"].lock_version}),
        (f"{A}/scorecards/{a['scorecard'].pk}/unpublish/", {"lock_version": a["scorecard"].lock_version}),
        (f"{A}/process-kpis/points/",
         {"points": [{"kpi": a["process_kpi"].pk, "at": "2026-01-01", "value": 1}]}),
    ]


def test_action_bodies_refuse_unknown_fields(worlds, tenant_a, tenant_b):
    before = tenant_fingerprint(tenant_a), tenant_fingerprint(tenant_b)
    for path, body in _actions(worlds["a"]):
        answer = worlds["api"].post(path, {**body, "surprise": 1}, format="json")
        assert answer.status_code == 400, (path, answer.content)
        assert "surprise" in answer.json(), (path, answer.json())
    assert (tenant_fingerprint(tenant_a), tenant_fingerprint(tenant_b)) == before


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/positions/", lambda o: {"code": "P9", "title": "P", "org_unit": o["unit"].pk}, "org_unit"),
        ("/kpis/", lambda o: {"code": "K9", "name": "K", "perspective": "financial",
                              "owner_unit": o["unit"].pk}, "owner_unit"),  # fmt: skip
        ("/goals/publish/", lambda o: {"period": o["period"].pk}, "period"),
        ("/scores/recompute/", lambda o: {"period": o["period"].pk}, "period"),
        ("/process-kpis/", lambda o: {"stage": o["process_kpi"].stage_id, "code": "PK9", "name": "K",
                                      "direction": "both"}, "stage"),  # fmt: skip
    ],
)
def test_a_foreign_or_missing_id_in_a_body_is_a_404_naming_the_field(worlds, tenant_a, tenant_b, path, body,
                                                                      field):
    api = worlds["api"]
    before = tenant_fingerprint(tenant_a), tenant_fingerprint(tenant_b)
    theirs = api.post(f"{A}{path}", body(worlds["b"]), format="json")
    missing = api.post(f"{A}{path}", {**body(worlds["a"]), field: 987654321}, format="json")
    assert theirs.status_code == missing.status_code == 404, (theirs.content, missing.content)
    assert theirs.json() == missing.json() and field in theirs.json() and "detail" in theirs.json()
    text = api.post(f"{A}{path}", {**body(worlds["a"]), field: str(body(worlds["a"])[field])}, format="json")
    assert text.status_code == 400 and field in text.json()  # "12" is not a JSON integer
    assert (tenant_fingerprint(tenant_a), tenant_fingerprint(tenant_b)) == before


def test_a_foreign_id_in_a_bulk_row_is_a_404_and_nothing_is_written(worlds, tenant_a, tenant_b):
    a, b = worlds["a"], worlds["b"]
    before = tenant_fingerprint(tenant_a), tenant_fingerprint(tenant_b)
    rows = [
        {"kpi": a["kpi"].pk, "period": a["period"].pk, "target": 10},
        {"kpi": b["kpi"].pk, "period": a["period"].pk, "target": 10},
    ]
    answer = worlds["api"].post(f"{A}/measurements/bulk/", rows, format="json")
    assert answer.status_code == 404 and "kpi" in answer.json()
    assert (tenant_fingerprint(tenant_a), tenant_fingerprint(tenant_b)) == before


def test_a_foreign_kpi_in_a_points_row_is_a_404_naming_the_row(worlds, tenant_a, tenant_b):
    a, b = worlds["a"], worlds["b"]
    before = tenant_fingerprint(tenant_a), tenant_fingerprint(tenant_b)
    rows = [{"kpi": a["process_kpi"].pk, "at": "2026-01-01", "value": 1},
            {"kpi": b["process_kpi"].pk, "at": "2026-01-01", "value": 1}]  # fmt: skip
    answer = worlds["api"].post(f"{A}/process-kpis/points/", {"points": rows}, format="json")
    assert answer.status_code == 404 and "points-1-kpi" in answer.json()
    assert (tenant_fingerprint(tenant_a), tenant_fingerprint(tenant_b)) == before
