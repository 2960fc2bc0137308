"""Evaluating the tenant's alert rules (the ORM glue around `alerts.engine.judge` and
`alerts.engine.states`), run by the scheduled check (`alerts.services.check.alerts_check`).

A rule is evaluated once per bucket: the bucket it judges is its KPI's latest point, or — when that is older —
the last complete bucket (yesterday, last week, last month in the tenant's zone), which then has no data. A
bucket already judged is judged again only when its evaluation said "no data" and a value has come since, or
when it failed (so repeated failures count up to broken). Broken and inactive rules are skipped. Every
evaluation is recorded; opening and resolving alerts happens here, telling people in the check."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Max
from django.utils import timezone

from alerts.engine import states
from alerts.engine.buckets import HISTORY, bucket_index, index_day, last_complete
from alerts.engine.judge import Judgement, Spec, judge
from alerts.models import (
    OPEN_STATUSES,
    Alert,
    AlertEvent,
    AlertEventKind,
    AlertRule,
    AlertStatus,
    Evaluation,
    ProcessKpiPoint,
    RuleState,
    RuleStatus,
)
from alerts.models.rules import SEVERITY_RANK
from alerts.services.rules import MEMORY_FIELDS, memory_of, memory_store
from collab.selectors.audit.events import tenant_zone
from collab.tenancy import current_tenant

STATE_FIELDS = [*MEMORY_FIELDS, "last_bucket", "last_outcome", "last_evaluated_at"]


def escalation_deadline(start: dt.datetime, hours: int) -> dt.datetime:
    """When an alert opened (or escalated) at `start` escalates if nobody acknowledges it: plain clock hours
    for now — the one place the tenant's business calendar will measure working hours."""
    return start + dt.timedelta(hours=hours)


@dataclass
class EvaluationRun:
    evaluated: int = 0
    opened: list[Alert] = field(default_factory=list)
    resolved: list[Alert] = field(default_factory=list)


def _due_rules(now: dt.datetime) -> list[tuple[AlertRule, RuleState, dt.date, dt.date | None]]:
    rules = list(
        AlertRule.objects.filter(is_active=True, kpi__is_active=True, kpi__stage__process__is_active=True)
        .select_related("kpi__stage__process").order_by("pk")
    )  # fmt: skip
    existing = {s.rule_id for s in RuleState.objects.filter(rule__in=rules)}
    RuleState.objects.bulk_create([RuleState(rule=r) for r in rules if r.pk not in existing])
    # Lock the states in one order: two checks of one tenant never judge a bucket twice.
    locked = {
        s.rule_id: s for s in RuleState.objects.select_for_update().filter(rule__in=rules).order_by("pk")
    }
    latest = dict(
        ProcessKpiPoint.objects.filter(kpi__in={r.kpi_id for r in rules})
        .values("kpi").annotate(last=Max("at")).values_list("kpi", "last")
    )  # fmt: skip
    today = timezone.localtime(now, tenant_zone(current_tenant().timezone)).date()
    due = []
    for rule in rules:
        state = locked[rule.pk]
        if state.state == RuleStatus.BROKEN:
            continue
        last = latest.get(rule.kpi_id)
        expected = last_complete(today, rule.kpi.granularity)
        target = last if last is not None and last >= expected else expected
        if state.last_bucket == target:
            retry_no_data = state.last_outcome == states.NO_VALUE and last == target
            if not (retry_no_data or state.last_outcome == states.FAILED):
                continue
        due.append((rule, state, target, last))
    return due


def _points(due) -> dict[int, list[tuple[dt.date, float]]]:
    """The recent points of the due rules' KPIs: one query a granularity."""
    by_granularity: dict[str, dict[int, dt.date]] = defaultdict(dict)
    for rule, _state, target, _last in due:
        gran = rule.kpi.granularity
        start = index_day(bucket_index(target, gran) - HISTORY[gran], gran)
        by_granularity[gran][rule.kpi_id] = min(start, by_granularity[gran].get(rule.kpi_id, start))
    points: dict[int, list] = defaultdict(list)
    for kpis in by_granularity.values():
        rows = ProcessKpiPoint.objects.filter(kpi_id__in=kpis, at__gte=min(kpis.values())).values_list(
            "kpi_id", "at", "value"
        )
        for kpi_id, at, value in rows:
            points[kpi_id].append((at, float(value)))
    return points


def _spec(rule: AlertRule, target: dt.date, points) -> Spec:
    kpi = rule.kpi
    return Spec(
        key=rule.pk, kind=rule.kind, granularity=kpi.granularity, direction=kpi.direction, target=target,
        points=points, amber=None if kpi.amber is None else float(kpi.amber),
        red=None if kpi.red is None else float(kpi.red), threshold_z=rule.threshold_z,
        min_history=rule.min_history, severity=rule.severity,
    )  # fmt: skip


def _params(rule: AlertRule) -> states.Params:
    return states.Params(breaches_needed=rule.breaches_needed, breach_window=rule.breach_window,
                         recovery=rule.recovery, no_data=rule.no_data,
                         error_limit=rule.error_limit)  # fmt: skip


def _detail(judgement: Judgement) -> str:
    if judgement.outcome == states.TOO_SHORT:
        return f"missing:{judgement.missing}"
    return judgement.detail


def rules_evaluate(*, now: dt.datetime) -> EvaluationRun:
    """Judge every due rule, move its state, record the evaluation, open and resolve alerts."""
    run = EvaluationRun()
    due = _due_rules(now)
    if not due:
        return run
    points = _points(due)
    judgements = judge([_spec(rule, target, points.get(rule.kpi_id, [])) for rule, _s, target, _l in due])
    open_alerts = {a.rule_id: a for a in Alert.objects.filter(rule__in=[d[0] for d in due],
                                                              status__in=OPEN_STATUSES)}  # fmt: skip
    evaluations, events, touched = [], [], []
    for rule, state, target, _last in due:
        judgement = judgements[rule.pk]
        before = state.state
        step = states.transition(memory_of(state), judgement.outcome, _params(rule))
        memory_store(state, step.memory)
        state.last_bucket, state.last_outcome, state.last_evaluated_at = target, judgement.outcome, now
        alert = open_alerts.get(rule.pk)
        if step.open and alert is None:
            stage = rule.kpi.stage
            alert = Alert.objects.create(
                rule=rule, kpi=rule.kpi, stage=stage, process=stage.process, severity=judgement.severity
                or rule.severity, opened_at=now, bucket=target, value=judgement.value,
            )  # fmt: skip
            events.append(AlertEvent(alert=alert, kind=AlertEventKind.FIRED, at=now))
            run.opened.append(alert)
        elif alert is not None and judgement.outcome == states.BREACH:
            alert.value, alert.bucket = judgement.value, target
            if SEVERITY_RANK.get(judgement.severity, 0) > SEVERITY_RANK.get(alert.severity, 0):
                alert.severity = judgement.severity
            touched.append(alert)
        if step.resolve and alert is not None:
            alert.status, alert.resolved_at, alert.next_escalation_at = AlertStatus.RESOLVED, now, None
            touched.append(alert)
            events.append(AlertEvent(alert=alert, kind=AlertEventKind.RESOLVED, at=now))
            run.resolved.append(alert)
        evaluations.append(Evaluation(
            rule=rule, at=now, bucket=target, value=judgement.value, expected=judgement.expected,
            lower=judgement.lower, upper=judgement.upper, score=judgement.score, outcome=judgement.outcome,
            severity=judgement.severity, state_before=before, state_after=state.state,
            detail=_detail(judgement), alert=alert,
        ))  # fmt: skip
    Evaluation.objects.bulk_create(evaluations)
    AlertEvent.objects.bulk_create(events)
    for alert in {a.pk: a for a in touched}.values():
        alert.save(
            update_fields=["value", "bucket", "severity", "status", "resolved_at", "next_escalation_at"]
        )
    RuleState.objects.bulk_update([d[1] for d in due], STATE_FIELDS)
    run.evaluated = len(due)
    return run
