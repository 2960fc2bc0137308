"""The alerts app's models; Django finds them through `alerts.models`."""

from alerts.models.event_logs import EventLog, EventLogCase, EventLogFile, EventLogStatus, LogFormat
from alerts.models.kpis import Granularity, KpiDirection, PointSource, ProcessKpi, ProcessKpiPoint
from alerts.models.processes import Process, ProcessKind, ProcessStage, ProcessStageUnit, TimeUnit

__all__ = [
    "EventLog", "EventLogCase", "EventLogFile", "EventLogStatus", "LogFormat",
    "Granularity", "KpiDirection", "PointSource", "Process", "ProcessKind", "ProcessKpi", "ProcessKpiPoint",
    "ProcessStage", "ProcessStageUnit", "TimeUnit",
]
