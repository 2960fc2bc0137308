"""The scheduled check with a frozen clock (`now` passed in): N of M → firing → resolved after the recovery
window; no data; error → broken → reset; a flapping series' cool-down; silences and their expiry; one open
alert a rule; escalation along the chain. Tenant B's rules sit beside A's and must stay untouched."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from alerts.models import (
    Alert,
    AlertEvent,
    AlertRule,
    AlertStatus,
    Evaluation,
    ProcessKpi,
    RuleState,
    Silence,
)
from alerts.services.alert_actions import alert_acknowledge
from alerts.services.check import alerts_check
from alerts.services.rules import alert_rule_reset
from alerts.services.silences import silence_create
from collab.models import Notification, Position
from collab.tenancy import tenant_scope
from tests.alerts.alert_factories import alert_world, make_kpi, make_rule, put_points
from tests.factories import make_member
from tests.factories.org import EmployeeFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def at(day: dt.date, hour: int = 2) -> dt.datetime:
    """A moment on `day` (02:00 UTC is 10:00 in Shanghai, the tenants' zone)."""
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def told(user, text="") -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, category="alerts", title__contains=text))


def state_of(rule) -> str:
    return RuleState.objects.get(rule=rule).state


@pytest.fixture
def world(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        other = alert_world(tenant_b, prefix="b")
        kpi_b = make_kpi(other["stage"], code="B1", amber=20, red=30)
        put_points(kpi_b, dt.date(2026, 1, 1), [99])
        rule_b = make_rule(kpi_b)
    with tenant_scope(tenant_a):
        data = alert_world(tenant_a, prefix="a")
    data["rule_b"] = rule_b
    return data


@pytest.fixture
def check_b_untouched(world, tenant_b):
    yield
    with tenant_scope(tenant_b):
        assert not Evaluation.objects.exists() and not Alert.objects.exists()
        assert not Notification.objects.exists()


def test_n_of_m_fires_then_resolves_after_the_recovery_window(world, scope_a, check_b_untouched):
    kpi = make_kpi(world["stage"], amber=20, red=30)
    rule = make_rule(kpi, breaches_needed=2, breach_window=3, recovery=2)
    seen = []
    for month, value in enumerate([10, 25, 10, 35, 10, 10], start=1):
        put_points(kpi, dt.date(2026, month, 1), [value])
        result = alerts_check(now=at(dt.date(2026, month + 1, 2)))
        seen.append((state_of(rule), result["opened"], result["resolved"]))
    assert seen == [
        ("normal", 0, 0), ("pending", 0, 0), ("normal", 0, 0), ("firing", 1, 0), ("firing", 0, 0),
        ("resolved", 0, 1),
    ]  # fmt: skip
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.RESOLVED and alert.severity == "critical" and alert.value == 35
    assert alert.resolved_at == at(dt.date(2026, 7, 2))
    # Both units' managers heard it fire and resolve, in one message each time; nobody else did.
    for user in (world["sales_user"], world["finance_user"]):
        assert [n.title for n in told(user)] == [
            "Alerts in a Lead to cash: 0 need attention, 1 resolved",
            "Alerts in a Lead to cash: 1 need attention, 0 resolved",
        ]
    assert not told(world["owner_user"]) or all("resolved" in n.title for n in told(world["owner_user"]))
    # Every evaluation is recorded with the state it left; the same moment again evaluates nothing.
    assert Evaluation.objects.filter(rule=rule).count() == 6
    latest = Evaluation.objects.filter(rule=rule).first()
    assert (latest.outcome, latest.state_before, latest.state_after, latest.upper) == (
        "ok",
        "firing",
        "resolved",
        20,
    )
    assert alerts_check(now=at(dt.date(2026, 7, 2)))["evaluated"] == 0


def test_no_data_keeps_the_state_or_counts_as_a_breach(world, scope_a, check_b_untouched):
    keep_kpi = make_kpi(world["stage"], code="KEEP", amber=20, red=30)
    alert_kpi = make_kpi(world["stage"], code="GAP", amber=20, red=30)
    keep = make_rule(keep_kpi)
    gap = make_rule(alert_kpi, no_data="alert")
    put_points(keep_kpi, dt.date(2026, 1, 1), [25])
    put_points(alert_kpi, dt.date(2026, 1, 1), [10])
    alerts_check(now=at(dt.date(2026, 2, 2)))
    assert (state_of(keep), state_of(gap)) == ("firing", "normal")
    alerts_check(now=at(dt.date(2026, 3, 2)))  # February has no points
    assert (state_of(keep), state_of(gap)) == ("no_data", "firing")
    assert Alert.objects.get(rule=keep).status == AlertStatus.FIRING  # kept open
    evaluation = Evaluation.objects.filter(rule=gap).first()
    assert (evaluation.outcome, evaluation.bucket, evaluation.value) == ("no_data", dt.date(2026, 2, 1), None)
    # February's value arrives late: the bucket is judged again (once).
    put_points(keep_kpi, dt.date(2026, 2, 1), [10])
    assert alerts_check(now=at(dt.date(2026, 3, 3)))["evaluated"] == 1
    assert state_of(keep) == "resolved"


def test_errors_make_a_rule_broken_until_someone_resets_it(world, scope_a, hr_a, check_b_untouched):
    kpi = make_kpi(world["stage"], amber=20, red=30)
    rule = make_rule(kpi, error_limit=3)
    ProcessKpi.objects.filter(pk=kpi.pk).update(amber=None, red=None)  # the lines went away
    put_points(kpi, dt.date(2026, 1, 1), [25])
    states = []
    for hour in (2, 3, 4, 5):
        alerts_check(now=at(dt.date(2026, 2, 2), hour))
        states.append(state_of(rule))
    assert states == ["error", "error", "broken", "broken"]
    assert Evaluation.objects.filter(rule=rule).count() == 3  # skipped once broken
    assert "no amber or red line" in Evaluation.objects.filter(rule=rule).first().detail
    ProcessKpi.objects.filter(pk=kpi.pk).update(amber=20, red=30)
    alert_rule_reset(actor=hr_a, rule=rule)
    assert state_of(rule) == "normal"
    alerts_check(now=at(dt.date(2026, 2, 2), 6))
    assert state_of(rule) == "firing"


def test_a_flapping_series_notifies_once_per_cool_down(world, scope_a, check_b_untouched):
    kpi = make_kpi(world["stage"], granularity="daily", amber=20, red=30)
    make_rule(kpi, cooldown_minutes=3 * 24 * 60, ack_hours=72)
    days, opened = [], []
    for offset, value in enumerate([25, 10, 25, 25, 25, 25]):
        [day] = put_points(kpi, dt.date(2026, 3, 2) + dt.timedelta(days=offset), [value])
        days.append(day)
        opened.append(alerts_check(now=at(day + dt.timedelta(days=1)))["opened"])
    assert opened == [1, 0, 1, 0, 0, 0]
    firing = [n.created_at for n in told(world["sales_user"], "1 need attention")]
    # Fired (told), resolved (told), fired again within the cool-down (held back), told once it passed.
    assert len(firing) == 2 and len(told(world["sales_user"], "1 resolved")) == 1
    second = Alert.objects.filter(status=AlertStatus.FIRING).get()
    kinds = list(AlertEvent.objects.filter(alert=second).values_list("kind", flat=True))
    assert kinds == ["fired", "suppressed", "notified"]
    assert second.notified_at == at(days[0] + dt.timedelta(days=4))


def test_a_silence_holds_notifications_back_until_it_ends(world, scope_a, hr_a, check_b_untouched):
    kpi = make_kpi(world["stage"], amber=20, red=30)
    make_rule(kpi, ack_hours=1)
    put_points(kpi, dt.date(2026, 1, 1), [35])
    now = at(dt.date(2026, 2, 2))
    silence = silence_create(actor=hr_a, data={
        "scope": "process", "process": world["process"].pk, "starts_at": now - dt.timedelta(hours=1),
        "ends_at": now + dt.timedelta(hours=5), "reason": "ERP migration"})  # fmt: skip
    assert alerts_check(now=now)["opened"] == 1
    assert alerts_check(now=now + dt.timedelta(hours=2))["escalated"] == 0  # muted: no escalation either
    assert not told(world["sales_user"])
    alert = Alert.objects.get()
    assert alert.notified_at is None and Evaluation.objects.count() == 1  # evaluated and recorded
    later = now + dt.timedelta(hours=6)  # the silence has expired
    alerts_check(now=later)
    assert len(told(world["sales_user"], "1 need attention")) == 1
    assert Alert.objects.get().notified_at == later and Silence.objects.get().pk == silence.pk


def test_a_recurring_window_mutes_only_on_its_days(world, scope_a, hr_a, check_b_untouched):
    kpi = make_kpi(world["stage"], amber=20, red=30)
    make_rule(kpi)
    put_points(kpi, dt.date(2026, 1, 1), [35])
    now = at(dt.date(2026, 2, 2))  # a Monday, 10:00 in Shanghai
    silence_create(
        actor=hr_a,
        data={
            "scope": "tenant",
            "starts_at": now - dt.timedelta(days=1),
            "ends_at": now + dt.timedelta(days=30),
            "weekdays": [0],
            "window_start": dt.time(9),
            "window_end": dt.time(11),
            "reason": "Monday batch",
        },
    )
    alerts_check(now=now)
    assert not told(world["sales_user"])
    alerts_check(now=now + dt.timedelta(hours=2))  # 12:00: outside the window
    assert len(told(world["sales_user"])) == 1


def test_one_open_alert_per_rule(world, scope_a, check_b_untouched):
    kpi = make_kpi(world["stage"], amber=20, red=30)
    rule = make_rule(kpi)
    put_points(kpi, dt.date(2026, 1, 1), [35, 36])
    alerts_check(now=at(dt.date(2026, 2, 2)))
    RuleState.objects.filter(rule=rule).update(firing=False, state="normal")  # memory lost
    alerts_check(now=at(dt.date(2026, 3, 2)))
    assert Alert.objects.filter(rule=rule).count() == 1
    alert = Alert.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(rule=rule, kpi=kpi, stage=alert.stage, process=alert.process, severity="warning",
                             opened_at=alert.opened_at)  # fmt: skip
    assert AlertRule.objects.get(pk=rule.pk).alerts.count() == 1


def test_an_alert_nobody_acknowledges_escalates_along_the_chain(world, scope_a, tenant_a, check_b_untouched):
    elsewhere = OrgUnitFactory(name="Regional office")
    role_user = make_member(tenant_a, "employee", username="a_director")
    director = Position.objects.create(
        code="SD", title="sales director", org_unit=elsewhere
    )  # the role's name
    EmployeeFactory(org_unit=elsewhere, user=role_user, position=director)
    kpi = make_kpi(world["stage"], amber=20, red=30)
    make_rule(kpi, ack_hours=4)
    put_points(kpi, dt.date(2026, 1, 1), [35])
    now = at(dt.date(2026, 2, 2))
    alerts_check(now=now)
    assert alerts_check(now=now + dt.timedelta(hours=3))["escalated"] == 0
    assert alerts_check(now=now + dt.timedelta(hours=4))["escalated"] == 1
    alert = Alert.objects.get()
    assert alert.escalation_level == 1 and alert.next_escalation_at == now + dt.timedelta(hours=8)
    assert len(told(role_user)) == 1 and not told(world["owner_user"], "need attention")
    alerts_check(now=now + dt.timedelta(hours=8))
    assert Alert.objects.get().escalation_level == 2
    owner_messages = told(world["owner_user"])
    assert any("escalated" in n.body for n in owner_messages)
    assert alerts_check(now=now + dt.timedelta(hours=30))["escalated"] == 0  # the chain ends there


def test_acknowledging_stops_the_escalation(world, scope_a, check_b_untouched):
    kpi = make_kpi(world["stage"], amber=20, red=30)
    make_rule(kpi, ack_hours=1)
    put_points(kpi, dt.date(2026, 1, 1), [35])
    now = at(dt.date(2026, 2, 2))
    alerts_check(now=now)
    alert_acknowledge(actor=world["sales_user"], alert=Alert.objects.get(), comment="On it", now=now)
    assert alerts_check(now=now + dt.timedelta(hours=5))["escalated"] == 0
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.acknowledged_by == world["sales_user"]


def test_an_anomaly_rule_records_the_expected_band(world, scope_a, check_b_untouched):
    kpi = make_kpi(world["stage"], direction="lower_better")
    rule = make_rule(kpi, kind="anomaly", severity="critical")
    put_points(kpi, dt.date(2025, 1, 1), [10, 11, 10, 12, 11, 10, 11, 12, 10, 11, 10, 11])
    alerts_check(now=at(dt.date(2026, 1, 2)))
    first = Evaluation.objects.get(rule=rule)
    assert first.outcome == "ok" and first.lower < first.value < first.upper
    put_points(kpi, dt.date(2026, 1, 1), [30])
    alerts_check(now=at(dt.date(2026, 2, 2)))
    spike = Evaluation.objects.filter(rule=rule).first()
    assert spike.outcome == "breach" and spike.value == 30 and spike.upper < 30 and spike.score > 3.5
    assert Alert.objects.get().severity == "critical"


def test_too_short_a_history_gives_no_verdict(world, scope_a, check_b_untouched):
    kpi = make_kpi(world["stage"])
    rule = make_rule(kpi, kind="anomaly")
    put_points(kpi, dt.date(2025, 10, 1), [10, 11, 50])
    alerts_check(now=at(dt.date(2026, 1, 2)))
    evaluation = Evaluation.objects.get(rule=rule)
    assert evaluation.outcome == "too_short" and evaluation.detail == "missing:6"
    assert state_of(rule) == "normal" and not Alert.objects.exists()
