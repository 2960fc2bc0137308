"""Isolation samples of the appraisal set-up: a launched cycle with appraisals (its page, its board, an
appraisal to remind) and a draft cycle (edit, delete)."""

from __future__ import annotations

from appraisal.models import CycleStatus, ParticipantRule, Stage
from tests.factories.appraisal import CycleFactory, appraisal_world, date_stages

ORDER = 91


def build(tenant, objects: dict) -> dict:
    world = appraisal_world(tenant, prefix="iso", current=Stage.SELF_ASSESSMENT)
    draft = CycleFactory(period=world.period, name="Isolation draft", status=CycleStatus.DRAFT)
    date_stages(draft)
    ParticipantRule.objects.create(cycle=draft, org_unit=world.unit, include_sub_units=True)
    return {"appraisal_cycle": world.cycle, "appraisal_cycle_draft": draft, "appraisal": world.appraisal}


ROUTE_KWARGS = {
    "appraisal-cycle-detail": lambda o: {"pk": o["appraisal_cycle"].pk},
    "appraisal-board": lambda o: {"pk": o["appraisal_cycle"].pk},
    "appraisal-cycle-edit": lambda o: {"pk": o["appraisal_cycle_draft"].pk},
    "appraisal-cycle-delete": lambda o: {"pk": o["appraisal_cycle_draft"].pk},
}

API_DETAIL = {"api-appraisal-cycle": "appraisal_cycle_draft"}
