"""The alert pages: the list (filters, paged, fixed queries), an alert's page (why: the evaluations;
acknowledge and resolve with a comment), rules (HR edits, members read, reset), silences (new, end), the
manager home's open alerts; another tenant's ids are 404s."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from alerts.models import Alert, AlertRule, RuleState, Silence
from alerts.services.check import alerts_check
from collab.models import Role
from collab.tenancy import tenant_scope
from tests.alerts.alert_factories import alert_world, make_kpi, make_rule, put_points
from tests.factories import make_member

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 2, 2, 2, tzinfo=dt.UTC)


@pytest.fixture
def world(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        other = alert_world(tenant_b, prefix="b")
        kpi_b = make_kpi(other["stage"], code="B1", amber=20, red=30)
        put_points(kpi_b, dt.date(2026, 1, 1), [35])
        make_rule(kpi_b)
        alerts_check(now=NOW)
        alert_b = Alert.objects.get()
    with tenant_scope(tenant_a):
        data = alert_world(tenant_a, prefix="a")
        for i in range(4):
            kpi = make_kpi(data["stage"], code=f"K{i}", amber=20, red=30)
            put_points(kpi, dt.date(2026, 1, 1), [35])
            make_rule(kpi)
        alerts_check(now=NOW)
    data.update(alert_b=alert_b, hr=make_member(tenant_a, Role.HR_ADMIN),
                employee=make_member(tenant_a, Role.EMPLOYEE))  # fmt: skip
    return data


def url(name, *args):
    return reverse(name, args=["alpha", *args])


def test_the_list_pages_and_filters(world, login, django_assert_max_num_queries):
    client = login(world["employee"])
    with django_assert_max_num_queries(14):
        page = client.get(url("alert-list"))
    assert page.status_code == 200 and page.content.count(b"data-alert=") == 4
    assert client.get(url("alert-list") + "?status=resolved").content.count(b"data-alert=") == 0
    assert b'id="alert-empty"' in client.get(url("alert-list") + "?status=resolved").content
    assert client.get(url("alert-list") + "?process=abc").status_code == 200  # a bad filter shows the form


def test_an_alert_page_shows_why_and_takes_an_acknowledgement(world, login):
    client = login(world["sales_user"])
    with tenant_scope(world["process"].tenant):
        alert = Alert.objects.order_by("pk").first()
    page = client.get(url("alert-detail", alert.pk))
    assert page.status_code == 200 and b'data-outcome="breach"' in page.content
    refused = client.post(url("alert-detail", alert.pk), {"action": "acknowledge", "comment": ""})
    assert refused.status_code == 400
    done = client.post(url("alert-detail", alert.pk), {"action": "acknowledge", "comment": "On it"})
    assert done.status_code == 302
    with tenant_scope(world["process"].tenant):
        assert Alert.objects.get(pk=alert.pk).status == "acknowledged"
    assert client.get(url("alert-detail", world["alert_b"].pk)).status_code == 404
    auditor = login(make_member(world["process"].tenant, Role.AUDITOR))
    assert (
        auditor.post(url("alert-detail", alert.pk), {"action": "resolve", "comment": "x"}).status_code == 403
    )


def test_rules_pages(world, login, django_assert_max_num_queries):
    client = login(world["employee"])
    with django_assert_max_num_queries(14):
        listed = client.get(url("alert-rule-list"))
    assert listed.content.count(b"data-rule=") == 4
    with tenant_scope(world["process"].tenant):
        rule = AlertRule.objects.order_by("pk").first()
        RuleState.objects.filter(rule=rule).update(state="broken")
    assert client.get(url("alert-rule-detail", rule.pk)).status_code == 200
    assert client.get(url("alert-rule-edit", rule.pk)).status_code == 403
    hr = login(world["hr"])
    assert hr.post(url("alert-rule-detail", rule.pk)).status_code == 302  # reset
    assert hr.post(url("alert-rule-detail", rule.pk)).status_code == 400  # no longer broken
    edit = hr.post(url("alert-rule-edit", rule.pk), {
        "kind": "threshold", "severity": "warning", "threshold_z": "3.5", "min_history": "8",
        "breaches_needed": "3", "breach_window": "2", "recovery": "1", "cooldown_minutes": "60",
        "no_data": "keep", "error_limit": "3", "ack_hours": "24", "is_active": "on",
        "lock_version": str(rule.lock_version)})  # fmt: skip
    assert edit.status_code == 400 and b"N cannot exceed M" in edit.content
    with tenant_scope(world["process"].tenant):
        kpi = make_kpi(world["stage"], code="NEW")
    made = hr.post(url("alert-rule-create"), {
        "kpi": str(kpi.pk), "kind": "anomaly", "severity": "critical", "threshold_z": "3", "min_history": "8",
        "breaches_needed": "1", "breach_window": "1", "recovery": "1", "cooldown_minutes": "60",
        "no_data": "keep", "error_limit": "3", "ack_hours": "24", "is_active": "on"})  # fmt: skip
    assert made.status_code == 302, made.content.decode()[:2000]


def test_silences_pages(world, login):
    manager = login(world["sales_user"])
    made = manager.post(url("silence-create"), {
        "scope": "process", "process": str(world["process"].pk), "starts_at": "2027-01-01T08:00",
        "ends_at": "2027-01-02T08:00", "reason": "Stocktake"})  # fmt: skip
    assert made.status_code == 302
    refused = manager.post(
        url("silence-create"),
        {"scope": "tenant", "starts_at": "2027-01-01T08:00", "ends_at": "2026-01-02T08:00", "reason": "x"},
    )
    assert refused.status_code == 400 and b"ends after it starts" in refused.content
    listed = manager.get(url("silence-list"))
    assert listed.content.count(b"data-silence=") == 1
    with tenant_scope(world["process"].tenant):
        silence = Silence.objects.get()
    ended = manager.post(url("silence-end", silence.pk), {"lock_version": silence.lock_version})
    assert ended.status_code == 302
    assert login(world["employee"]).get(url("silence-create")).status_code == 403


def test_the_manager_home_lists_the_units_open_alerts(world, login):
    home = login(world["finance_user"]).get(reverse("tenant-home", args=["alpha"]))
    body = home.content.decode()
    assert 'id="manager-alerts"' in body and body.count("data-alert=") == 4
