"""Isolation samples of calibration and release (issue 11 points 5-7): a cycle at calibration with an
open session of its team, and a second cycle whose results are released, with an appeal."""

from __future__ import annotations

import itertools

from appraisal.models import AppraisalPolicy, Grade
from appraisal.services.appeals import appeal_raise
from appraisal.services.calibration import calibration_create
from appraisal.services.release import cycle_release
from tests.factories.appraisal import AppraisalFactory, CycleFactory, date_stages
from tests.factories.appraisal_calibration import assessed, calibration_world

ORDER = 91
_BUILT = itertools.count()  # usernames are global: every build its own


def build(tenant, objects: dict) -> dict:
    if Grade.objects.exists() or AppraisalPolicy.objects.exists():  # pragma: no cover - another part's scale
        raise RuntimeError("samples_appraisal_calibration expects to build the tenant's grade scale")
    world = calibration_world(tenant, prefix=f"iso-{tenant.slug}-{next(_BUILT)}", grades=("A", "B"))
    session = calibration_create(
        actor=None,
        cycle=world.cycle,
        name="Isolation session",
        org_unit=world.unit,
        members=[world.users["manager"]],
    )
    released_cycle = CycleFactory(period=world.period, name="Isolation released")
    date_stages(released_cycle, current="calibration")
    released = assessed(AppraisalFactory(cycle=released_cycle, employee=world.employee), world.grades["B"])
    cycle_release(actor=None, cycle=released_cycle)
    appeal = appeal_raise(actor=world.users["employee"], appraisal=released, reason="Isolation appeal")
    return {
        "appraisal_cycle": world.cycle,
        "calibration_session": session,
        "appraisal_released": released,
        "appraisal_appeal": appeal,
    }


ROUTE_KWARGS = {
    "calibration-detail": lambda o: {"pk": o["calibration_session"].pk},
    "appraisal-result": lambda o: {"pk": o["appraisal_released"].pk},
    "appraisal-release": lambda o: {"pk": o["appraisal_cycle"].pk},
    "appraisal-export": lambda o: {"pk": o["appraisal_cycle"].pk},
}

API_DETAIL = {
    "api-calibration": "calibration_session",
    "api-appeal": "appraisal_appeal",
    "api-appraisal": "appraisal_released",
}
