"""The `alerts`, `alert-rules` and `silences` APIs: filters, details with events, acknowledge / resolve /
not-an-anomaly, rule CRUD with its checks, reset and evaluations, silences with an end; another tenant's ids
are 404s; lists keep a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest

from alerts.models import Alert, RuleState
from alerts.services.check import alerts_check
from collab.models import Role
from collab.tenancy import tenant_scope
from tests.alerts.alert_factories import alert_world, make_kpi, make_rule, put_points
from tests.factories import make_member

pytestmark = pytest.mark.django_db
BASE = "/api/v1/t/alpha/"
NOW = dt.datetime(2026, 2, 2, 2, tzinfo=dt.UTC)


@pytest.fixture
def world(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        other = alert_world(tenant_b, prefix="b")
        kpi_b = make_kpi(other["stage"], code="B1", amber=20, red=30)
        put_points(kpi_b, dt.date(2026, 1, 1), [35])
        rule_b = make_rule(kpi_b)
        alerts_check(now=NOW)
        alert_b = Alert.objects.get()
    with tenant_scope(tenant_a):
        data = alert_world(tenant_a, prefix="a")
        kpis = [make_kpi(data["stage"], code=f"K{i}", amber=20, red=30) for i in range(3)]
        for kpi, value in zip(kpis, [35, 25, 10], strict=True):
            put_points(kpi, dt.date(2026, 1, 1), [value])
        data["rules"] = [make_rule(kpi) for kpi in kpis]
        data["bare_kpi"] = make_kpi(data["stage"], code="BARE")
        alerts_check(now=NOW)
    data.update(rule_b=rule_b, alert_b=alert_b, hr=make_member(tenant_a, Role.HR_ADMIN),
                auditor=make_member(tenant_a, Role.AUDITOR))  # fmt: skip
    return data


def test_the_alert_list_filters_and_keeps_its_queries(world, api_client_for, django_assert_max_num_queries):
    api = api_client_for(world["hr"])
    with django_assert_max_num_queries(8):
        body = api.get(f"{BASE}alerts/?status=open").json()
    assert [(a["kpi_code"], a["severity"], a["status"]) for a in body["results"]] == [
        ("K1", "warning", "firing"), ("K0", "critical", "firing")]  # fmt: skip
    assert api.get(f"{BASE}alerts/?severity=critical").json()["results"][0]["kpi_code"] == "K0"
    assert api.get(f"{BASE}alerts/?process={world['process'].pk}").json()["results"]
    assert api.get(f"{BASE}alerts/?status=resolved").json()["results"] == []
    assert api.get(f"{BASE}alerts/?status=nope").status_code == 400
    assert api.get(f"{BASE}alerts/?process=x").status_code == 400


def test_acknowledge_resolve_and_label_an_alert(world, api_client_for):
    api = api_client_for(world["sales_user"])
    pk = api.get(f"{BASE}alerts/?severity=critical").json()["results"][0]["id"]
    assert api.post(f"{BASE}alerts/{pk}/acknowledge/", {"comment": ""}, format="json").status_code == 400
    acked = api.post(f"{BASE}alerts/{pk}/acknowledge/", {"comment": "Calling the carrier"}, format="json")
    assert acked.status_code == 200 and acked.json()["status"] == "acknowledged"
    assert [e["kind"] for e in acked.json()["events"]] == ["fired", "notified", "acknowledged"]
    labelled = api.post(f"{BASE}alerts/{pk}/not-an-anomaly/", {}, format="json")
    assert labelled.json()["not_anomaly"] is True
    resolved = api.post(f"{BASE}alerts/{pk}/resolve/", {"comment": "Carrier replaced"}, format="json")
    assert (
        resolved.json()["status"] == "resolved" and resolved.json()["resolve_comment"] == "Carrier replaced"
    )
    again = api.post(f"{BASE}alerts/{pk}/resolve/", {"comment": "x"}, format="json")
    assert again.status_code == 400 and "status" in again.json()
    assert (
        api.post(f"{BASE}alerts/{pk}/resolve/", {"comment": "x", "extra": 1}, format="json").status_code
        == 400
    )
    auditor = api_client_for(world["auditor"])
    assert auditor.get(f"{BASE}alerts/{pk}/").status_code == 200
    assert auditor.post(f"{BASE}alerts/{pk}/acknowledge/", {"comment": "x"}, format="json").status_code == 403


def test_another_tenants_alert_rule_and_silence_are_404(world, api_client_for):
    api = api_client_for(world["hr"])
    assert api.get(f"{BASE}alerts/{world['alert_b'].pk}/").status_code == 404
    assert api.post(f"{BASE}alerts/{world['alert_b'].pk}/acknowledge/", {"comment": "x"},
                    format="json").status_code == 404  # fmt: skip
    assert api.get(f"{BASE}alert-rules/{world['rule_b'].pk}/evaluations/").status_code == 404
    made = api.post(f"{BASE}alert-rules/", {"kpi": world["rule_b"].kpi_id, "kind": "anomaly"}, format="json")
    assert made.status_code == 404 and "kpi" in made.json()


def test_rules_crud_with_checks_reset_and_evaluations(world, api_client_for, django_assert_max_num_queries):
    api = api_client_for(world["hr"])
    bare = world["bare_kpi"].pk
    refused = api.post(f"{BASE}alert-rules/", {"kpi": bare, "kind": "threshold"}, format="json")
    assert refused.status_code == 400 and "kind" in refused.json()  # no lines to watch
    too_many = api.post(f"{BASE}alert-rules/", {"kpi": bare, "kind": "anomaly", "breaches_needed": 3,
                                                "breach_window": 2}, format="json")  # fmt: skip
    assert too_many.status_code == 400 and "breaches_needed" in too_many.json()
    body = {"kpi": bare, "kind": "anomaly", "threshold_z": 3.0, "breaches_needed": 2, "breach_window": 3}
    made = api.post(f"{BASE}alert-rules/", body, format="json")
    assert made.status_code == 201, made.json()
    rule = made.json()
    assert rule["state"]["state"] == "normal" and rule["lock_version"] == 1
    dupe = api.post(f"{BASE}alert-rules/", {"kpi": bare, "kind": "anomaly"}, format="json")
    assert dupe.status_code == 400 and "kind" in dupe.json()
    saved = api.patch(f"{BASE}alert-rules/{rule['id']}/", {"lock_version": 1, "recovery": 3}, format="json")
    assert saved.status_code == 200 and saved.json()["recovery"] == 3 and saved.json()["lock_version"] == 2
    assert api.patch(f"{BASE}alert-rules/{rule['id']}/", {"lock_version": 1, "recovery": 2},
                     format="json").status_code == 409  # fmt: skip
    assert api.patch(f"{BASE}alert-rules/{rule['id']}/", {"lock_version": 2, "kpi": 1},
                     format="json").status_code == 400  # fmt: skip
    reset = api.post(f"{BASE}alert-rules/{rule['id']}/reset/", {}, format="json")
    assert reset.status_code == 400 and "state" in reset.json()  # not broken
    first = world["rules"][0]
    with tenant_scope(first.tenant):
        RuleState.objects.filter(rule=first).update(state="broken", consecutive_errors=3)
    assert (
        api.post(f"{BASE}alert-rules/{first.pk}/reset/", {}, format="json").json()["state"]["state"]
        == "firing"
    )
    with django_assert_max_num_queries(8):
        evaluations = api.get(f"{BASE}alert-rules/{first.pk}/evaluations/").json()["results"]
    assert [(e["outcome"], e["value"], e["upper"], e["state_after"]) for e in evaluations] == [
        ("breach", 35.0, 20.0, "firing")]  # fmt: skip
    with django_assert_max_num_queries(8):
        listed = api.get(f"{BASE}alert-rules/").json()["results"]
    assert len(listed) == 4
    employee = api_client_for(make_member(first.tenant, Role.EMPLOYEE))
    assert employee.get(f"{BASE}alert-rules/{first.pk}/").status_code == 200
    assert (
        employee.post(f"{BASE}alert-rules/", {"kpi": bare, "kind": "threshold"}, format="json").status_code
        == 403
    )
    assert api.delete(f"{BASE}alert-rules/{rule['id']}/?lock_version=2").status_code == 204


def test_silences_always_end_and_are_ended_by_hand(world, api_client_for, django_assert_max_num_queries):
    api = api_client_for(world["sales_user"])  # a manager
    body = {"scope": "process", "process": world["process"].pk, "starts_at": "2027-02-02T00:00:00Z",
            "reason": "ERP cut-over"}  # fmt: skip
    missing = api.post(f"{BASE}silences/", body, format="json")
    assert missing.status_code == 400 and "ends_at" in missing.json()
    backwards = api.post(f"{BASE}silences/", body | {"ends_at": "2027-02-01T00:00:00Z"}, format="json")
    assert backwards.status_code == 400 and "ends_at" in backwards.json()
    no_target = api.post(f"{BASE}silences/", body | {"process": None, "ends_at": "2027-02-03T00:00:00Z"},
                         format="json")  # fmt: skip
    assert no_target.status_code == 400 and "process" in no_target.json()
    made = api.post(f"{BASE}silences/", body | {"ends_at": "2099-02-03T00:00:00Z", "weekdays": [5, 6]},
                    format="json")  # fmt: skip
    assert made.status_code == 400 and "ends_at" in made.json()  # longer than a year
    made = api.post(
        f"{BASE}silences/",
        body
        | {
            "ends_at": "2027-12-03T00:00:00Z",
            "weekdays": [5, 6],
            "window_start": "22:00",
            "window_end": "06:00",
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    silence = made.json()
    assert silence["weekdays"] == [5, 6] and silence["window_start"] == "22:00:00"
    with django_assert_max_num_queries(8):
        assert [s["id"] for s in api.get(f"{BASE}silences/?current=true").json()["results"]] == [
            silence["id"]
        ]
    ended = api.post(f"{BASE}silences/{silence['id']}/end/", {"lock_version": 1}, format="json")
    assert ended.status_code == 200 and ended.json()["lock_version"] == 2
    assert api.get(f"{BASE}silences/?current=true").json()["results"] == []
    assert (
        api.post(f"{BASE}silences/{silence['id']}/end/", {"lock_version": 1}, format="json").status_code
        == 409
    )
    employee = api_client_for(make_member(world["process"].tenant, Role.EMPLOYEE))
    assert employee.post(f"{BASE}silences/", body, format="json").status_code == 403
