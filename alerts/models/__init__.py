"""The alerts app's models; Django finds them through `alerts.models`."""

from alerts.models.processes import Process, ProcessKind, ProcessStage, ProcessStageUnit, TimeUnit

__all__ = ["Process", "ProcessKind", "ProcessStage", "ProcessStageUnit", "TimeUnit"]
