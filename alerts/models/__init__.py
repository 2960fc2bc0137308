"""The alerts app's models; Django finds them through `alerts.models`."""

from alerts.models.alerts import (
    OPEN_STATUSES,
    Alert,
    AlertEvent,
    AlertEventKind,
    AlertStatus,
    EscalationLevel,
    Silence,
    SilenceScope,
)
from alerts.models.event_logs import EventLog, EventLogCase, EventLogFile, EventLogStatus, LogFormat
from alerts.models.kpis import Granularity, KpiDirection, PointSource, ProcessKpi, ProcessKpiPoint
from alerts.models.processes import Process, ProcessKind, ProcessStage, ProcessStageUnit, TimeUnit
from alerts.models.rules import (
    AlertRule,
    Evaluation,
    NoDataPolicy,
    Outcome,
    RuleKind,
    RuleState,
    RuleStatus,
    Severity,
)

__all__ = [
    "EventLog",
    "EventLogCase",
    "EventLogFile",
    "EventLogStatus",
    "LogFormat",
    "OPEN_STATUSES",
    "Alert",
    "AlertEvent",
    "AlertEventKind",
    "AlertRule",
    "AlertStatus",
    "EscalationLevel",
    "Evaluation",
    "Granularity",
    "KpiDirection",
    "NoDataPolicy",
    "Outcome",
    "PointSource",
    "Process",
    "ProcessKind",
    "ProcessKpi",
    "ProcessKpiPoint",
    "ProcessStage",
    "ProcessStageUnit",
    "RuleKind",
    "RuleState",
    "RuleStatus",
    "Severity",
    "Silence",
    "SilenceScope",
    "TimeUnit",
]
