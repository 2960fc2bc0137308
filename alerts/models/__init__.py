"""The alerts app's models; Django finds them through `alerts.models`."""

from alerts.models.kpis import Granularity, KpiDirection, PointSource, ProcessKpi, ProcessKpiPoint
from alerts.models.processes import Process, ProcessKind, ProcessStage, ProcessStageUnit, TimeUnit

__all__ = [
    "Granularity", "KpiDirection", "PointSource", "Process", "ProcessKind", "ProcessKpi", "ProcessKpiPoint",
    "ProcessStage", "ProcessStageUnit", "TimeUnit",
]
