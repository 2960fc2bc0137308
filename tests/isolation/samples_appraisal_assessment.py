"""Isolation samples of the assessment part: a launched cycle with one appraisal (the appraisal page)."""

from __future__ import annotations

from django.utils import timezone

from appraisal.models import Stage
from tests.factories.appraisal import AppraisalFactory, CycleFactory, date_stages
from tests.factories.org import EmployeeFactory, OrgUnitFactory

ORDER = 90


def build(tenant, objects: dict) -> dict:
    # The grade scale is the calibration samples' (samples_appraisal_calibration builds the tenant's one).
    unit = OrgUnitFactory(name="Isolation appraisal unit")
    manager = EmployeeFactory(org_unit=unit, name="Isolation assessor")
    employee = EmployeeFactory(org_unit=unit, manager=manager, name="Isolation appraised")
    cycle = CycleFactory(name="Isolation appraisal cycle", launched_at=timezone.now())
    date_stages(cycle, current=Stage.SELF_ASSESSMENT)
    appraisal = AppraisalFactory(cycle=cycle, employee=employee, stage=Stage.SELF_ASSESSMENT)
    return {"appraisal_cycle_assessed": cycle, "appraisal": appraisal}


ROUTE_KWARGS = {"appraisal-detail": lambda o: {"pk": o["appraisal"].pk}}

# `api-appraisal` is sampled by samples_appraisal_calibration (a released appraisal: its answers too).
